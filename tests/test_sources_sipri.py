"""SIPRI Milex workbook importer, checked against the figures SIPRI publishes (SOURCES.md §1)
and against openpyxl's independent reading of the same cells and font colours."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from alliance.errors import InvalidFileError
from alliance.schema import OBSERVATION_COLUMNS
from alliance.sources import sipri

from conftest import reference_file

SUBSET = "sipri/SIPRI-Milex-data-1949-2024_2__SUBSET_NATO-EU-RU-CN-UA_2014-2024.xlsx"
FULL = "sipri/SIPRI-Milex-data-1949-2024_2.xlsx"
NATO = "nato/240617-def-exp-2024-TABLES-en.xlsx"
COUNTRY_SHEETS = (
    "Local currency financial years",
    "Local currency calendar years",
    "Constant (2023) US$",
    "Current US$",
    "Share of GDP",
    "Per capita",
    "Share of Govt. spending",
)
ESTIMATE_COLOURS = {12: "estimate", 10: "uncertain"}


@pytest.fixture(scope="module")
def subset() -> pd.DataFrame:
    return sipri.parse(reference_file(SUBSET)).observations


@pytest.fixture(scope="module")
def full() -> pd.DataFrame:
    return sipri.parse(reference_file(FULL)).observations


def figure(frame: pd.DataFrame, entity: str, year: int, indicator: str, **where: str) -> pd.Series:
    mask = (frame["entity"] == entity) & (frame["year"] == year) & (frame["indicator"] == indicator)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    assert len(rows) == 1, f"{len(rows)} rows for {entity} {year} {indicator} {where}"
    return rows.iloc[0]


def current_usd(frame: pd.DataFrame, entity: str, year: int = 2024) -> pd.Series:
    return figure(frame, entity, year, "defence_expenditure", unit="million", price_basis="current")


def constant_usd(frame: pd.DataFrame, entity: str, year: int = 2024) -> pd.Series:
    return figure(
        frame, entity, year, "defence_expenditure", unit="million", price_basis="constant_2023"
    )


def share_of_gdp(frame: pd.DataFrame, entity: str, year: int = 2024) -> pd.Series:
    return figure(frame, entity, year, "defence_expenditure_share_gdp")


# ------------------------------------------------------------------------------------------
# Known figures (SOURCES.md §1), in both workbooks.
# ------------------------------------------------------------------------------------------


@pytest.fixture(params=["subset", "full"])
def workbook(request: pytest.FixtureRequest) -> pd.DataFrame:
    frame: pd.DataFrame = request.getfixturevalue(request.param)
    return frame


@pytest.mark.parametrize(
    ("entity", "expected", "estimate"),
    [("USA", 997_309.0, False), ("DEU", 88_458.5, False), ("POL", 38_000.7, False),
     ("RUS", 148_967.3, True), ("CHN", 313_658.3, True), ("UKR", 64_705.0, True)],
)  # fmt: skip
def test_current_usd_2024_matches_sipri(
    workbook: pd.DataFrame, entity: str, expected: float, estimate: bool
) -> None:
    row = current_usd(workbook, entity)
    assert row["value"] == pytest.approx(expected, abs=0.05)
    assert bool(row["estimate"]) is estimate
    assert (row["estimate_kind"] == "estimate") is estimate
    assert (row["currency"], row["exchange_basis"], row["period"]) == ("USD", "market", "calendar")


@pytest.mark.parametrize(
    ("entity", "expected"), [("USA", 968_381.6), ("DEU", 86_301.3), ("RUS", 150_534.0)]
)
def test_constant_2023_usd_2024_matches_sipri(
    workbook: pd.DataFrame, entity: str, expected: float
) -> None:
    assert constant_usd(workbook, entity)["value"] == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize(
    ("entity", "expected", "estimate"),
    [("USA", 3.42, False), ("DEU", 1.89, False), ("RUS", 7.05, True), ("UKR", 34.48, True),
     ("LTU", 3.12, False), ("EST", 3.37, False)],
)  # fmt: skip
def test_share_of_gdp_is_percent(
    workbook: pd.DataFrame, entity: str, expected: float, estimate: bool
) -> None:
    row = share_of_gdp(workbook, entity)
    assert row["unit"] == "percent"
    assert row["value"] == pytest.approx(expected, abs=0.005)
    assert bool(row["estimate"]) is estimate


def test_world_total_2024_at_current_prices(workbook: pd.DataFrame) -> None:
    row = figure(workbook, "sipri:WORLD", 2024, "defence_expenditure", price_basis="current")
    assert row["unit"] == "billion"
    assert row["value"] == pytest.approx(2_718.2, abs=0.05)
    assert row["locator"].startswith("Regional totals!")
    constant = figure(
        workbook, "sipri:WORLD", 2024, "defence_expenditure", price_basis="constant_2023"
    )
    assert constant["value"] == pytest.approx(2_676.5, abs=0.05)


def test_regional_totals_entities(workbook: pd.DataFrame) -> None:
    regional = workbook[workbook["locator"].str.startswith("Regional totals!")]
    assert {"sipri:WORLD", "sipri:EUROPE", "sipri:WESTERN_EUROPE"} <= set(regional["entity"])
    assert regional["entity"].nunique() == 19
    # Region names in the country sheets are name-only header rows: they produce nothing there.
    in_country_sheets = workbook[~workbook["locator"].str.startswith("Regional totals!")]
    assert not in_country_sheets["entity"].isin(regional["entity"]).any()


def test_notes_kept_verbatim_and_omitted_countries(workbook: pd.DataFrame) -> None:
    assert current_usd(workbook, "ALB")["note"] == "§¶3"
    assert current_usd(workbook, "USA")["note"] == "44"
    assert current_usd(workbook, "sipri:EU")["note"] == "†¶103"
    assert pd.isna(current_usd(workbook, "DEU")["note"])
    africa = figure(workbook, "sipri:AFRICA", 2024, "defence_expenditure", price_basis="current")
    assert africa["note"] == "Omitted countries: Djibouti, Eritrea, Somalia"


def test_every_row_follows_the_schema(workbook: pd.DataFrame) -> None:
    assert list(workbook.columns) == list(OBSERVATION_COLUMNS)
    assert (workbook["source_id"] == "sipri").all()
    assert (workbook["definition"] == "sipri").all()
    assert (workbook["edition"] == "2025-04").all()
    has_value = workbook["value"].notna()
    assert (has_value == workbook["missing"].isna()).all()
    assert not workbook.loc[~has_value, "estimate"].any()
    assert (workbook["estimate"] == workbook["estimate_kind"].notna()).all()
    local = workbook[workbook["currency"] == "LCU"]
    assert set(local["period"]) == {"fiscal", "calendar"}
    assert set(local["unit"]) == {"unit"}


def test_local_currency_is_whole_units(workbook: pd.DataFrame) -> None:
    # SIPRI's local-currency sheets hold whole dollars for the USA: 997,309 million.
    row = figure(workbook, "USA", 2024, "defence_expenditure", currency="LCU", period="calendar")
    assert row["value"] == pytest.approx(997_309_000_000)


# ------------------------------------------------------------------------------------------
# Golden row counts and markers.
# ------------------------------------------------------------------------------------------


def rows_per_sheet(frame: pd.DataFrame) -> dict[str, int]:
    return frame["locator"].str.split("!").str[0].value_counts().to_dict()


def test_subset_rows_per_sheet(subset: pd.DataFrame) -> None:
    # 40 entities x 11 years (2014-2024) per country sheet; 19 regions x (11 years + the
    # current-prices column) in Regional totals.
    expected = {sheet: 40 * 11 for sheet in COUNTRY_SHEETS} | {"Regional totals": 19 * 12}
    assert rows_per_sheet(subset) == expected


def test_full_rows_per_sheet(full: pd.DataFrame) -> None:
    # 174 rows (173 countries and the EU) x 76 years (1949-2024), or x 37 years (1988-2024) for
    # per capita and share of government spending; 19 regions x (37 years + 1) in Regional totals.
    long, short = 174 * 76, 174 * 37
    expected = dict.fromkeys(COUNTRY_SHEETS[:5], long) | {
        "Per capita": short,
        "Share of Govt. spending": short,
        "Regional totals": 19 * 38,
    }
    assert rows_per_sheet(full) == expected
    assert full.loc[full["entity"].str.match(r"^[A-Z]{3}$"), "entity"].nunique() == 172


def test_no_data_and_not_existing_stay_distinct(subset: pd.DataFrame) -> None:
    eu_2014 = current_usd(subset, "sipri:EU", 2014)
    assert (eu_2014["missing"], pd.isna(eu_2014["value"])) == ("not_existing", True)
    iceland = share_of_gdp(subset, "ISL", 2024)  # Iceland has no armed forces
    assert (iceland["missing"], pd.isna(iceland["value"])) == ("no_data", True)


def test_former_states_in_full_workbook(full: pd.DataFrame) -> None:
    assert current_usd(full, "SUN", 1992)["missing"] == "not_existing"
    assert current_usd(full, "SUN", 1991)["missing"] == "no_data"
    assert current_usd(full, "SUN", 1992)["locator"] == "Current US$!AT160"
    assert current_usd(full, "UKR", 1991)["missing"] == "no_data"
    assert {"CSK", "YUG", "DDR", "SUN", "sipri:YEMEN_NORTH", "XKX"} <= set(full["entity"])


def test_wartime_share_above_100_percent_is_kept() -> None:
    # Kuwait 1991 (117.3 %) is a real SIPRI figure, documented in schema.SHARE_OF_GDP_ABOVE_100.
    parsed = sipri.parse(reference_file(FULL))
    kuwait = share_of_gdp(parsed.observations, "KWT", 1991)
    assert kuwait["value"] == pytest.approx(117.35, abs=0.01)
    assert kuwait["locator"] == "Share of GDP!AS190"
    assert parsed.report.ok


# ------------------------------------------------------------------------------------------
# Independent check: every figure equals openpyxl's reading of its cell, and its estimate flag
# equals the cell's font colour.
# ------------------------------------------------------------------------------------------


def assert_matches_openpyxl(path: Path, frame: pd.DataFrame) -> None:
    workbook = openpyxl.load_workbook(path)
    scale = {"percent": 100.0}
    for row in frame.itertuples(index=False):
        sheet, cell_name = row.locator.split("!")
        cell = workbook[sheet][cell_name]
        if pd.isna(row.value):
            marker = {"no_data": "...", "not_existing": "xxx"}[row.missing]
            assert cell.value == marker, row.locator
            continue
        expected = float(cell.value) * scale.get(row.unit, 1.0)
        assert row.value == pytest.approx(expected, rel=1e-12), row.locator
        colour = cell.font.color.indexed if cell.font and cell.font.color else None
        kinds = {10: "estimate"} if sheet == "Regional totals" else ESTIMATE_COLOURS
        expected_kind = kinds.get(colour) if isinstance(colour, int) else None
        actual_kind = None if pd.isna(row.estimate_kind) else row.estimate_kind
        assert actual_kind == expected_kind, row.locator


def test_subset_matches_openpyxl_cell_by_cell(subset: pd.DataFrame) -> None:
    assert_matches_openpyxl(reference_file(SUBSET), subset)


@pytest.mark.slow
def test_full_matches_openpyxl_cell_by_cell(full: pd.DataFrame) -> None:
    assert_matches_openpyxl(reference_file(FULL), full)


# ------------------------------------------------------------------------------------------
# Edition, sniffing, footnotes.
# ------------------------------------------------------------------------------------------


def test_edition_record() -> None:
    path = reference_file(SUBSET)
    edition = sipri.parse(path).edition
    assert (edition.source_id, edition.edition, edition.dataset) == ("sipri", "2025-04", "milex")
    assert edition.citation == (
        "SIPRI Military Expenditure Database 2025, https://www.sipri.org/databases/milex"
    )
    assert edition.url == "https://www.sipri.org/databases/milex"
    assert "10%" in edition.licence and "non-commercial" in edition.licence
    assert edition.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert edition.file_name == path.name


def test_edition_follows_the_last_year_in_the_headers(tmp_path: Path) -> None:
    # A release with data to 2025 (published April 2026): shift every header year by one.
    path = copy_subset(tmp_path)
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, int) and 1949 <= cell.value <= 2024:
                    cell.value += 1
    workbook.save(path)
    assert sipri.parse(path).edition.edition == "2026-04"


def test_sniff() -> None:
    assert sipri.sniff(reference_file(SUBSET))
    assert not sipri.sniff(reference_file(NATO))


def test_sniff_rejects_non_workbooks(tmp_path: Path) -> None:
    csv = tmp_path / "milex.xlsx"
    csv.write_text("Country,2024\nGermany,88458.5\n")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert not sipri.sniff(csv)
    assert not sipri.sniff(empty)
    assert not sipri.sniff(tmp_path / "absent.xlsx")


def test_footnotes() -> None:
    notes = dict(sipri.iter_footnotes(reference_file(SUBSET)))
    assert notes["§"].startswith("Figures for these countries are for the adopted budget")
    assert notes["103"].startswith("European Union:")
    assert len(notes) == 5 + 104


# ------------------------------------------------------------------------------------------
# Bad input: each refused with a report naming the place.
# ------------------------------------------------------------------------------------------


def copy_subset(tmp_path: Path) -> Path:
    path = tmp_path / "milex.xlsx"
    shutil.copyfile(reference_file(SUBSET), path)
    return path


def row_of(sheet: openpyxl.worksheet.worksheet.Worksheet, name: str) -> int:
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        if cell.value == name:
            return int(cell.row)
    raise AssertionError(f"{name} not in {sheet.title}")


def refusal(path: Path) -> InvalidFileError:
    with pytest.raises(InvalidFileError) as caught:
        sipri.parse(path)
    return caught.value


def edit(path: Path, change: object) -> Path:
    workbook = openpyxl.load_workbook(path)
    change(workbook)  # type: ignore[operator]
    workbook.save(path)
    return path


def test_truncated_xlsx(tmp_path: Path) -> None:
    path = copy_subset(tmp_path)
    path.write_bytes(path.read_bytes()[:30_000])
    error = refusal(path)
    assert "not a readable xlsx" in str(error)


def test_csv_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "milex.xlsx"
    path.write_text("Country,Notes,2024\nGermany,,88458.5\n")
    assert "not a readable xlsx" in str(refusal(path))


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "milex.xlsx"
    path.write_bytes(b"")
    assert "the file is empty" in str(refusal(path))


def test_file_over_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as handle:  # sparse: costs no disk
        handle.truncate(sipri.MAX_FILE_BYTES + 1)

    def never(_path: Path) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(sipri, "XlsxReader", never)
    error = refusal(path)
    assert "over the limit" in str(error)
    assert error.report.problems[0].value == str(sipri.MAX_FILE_BYTES + 1)


def test_wrong_publisher(tmp_path: Path) -> None:
    error = refusal(reference_file(NATO))
    assert "not the SIPRI Milex workbook" in str(error)
    assert "TABLE1" in (error.report.problems[0].value or "")


def test_missing_sheet(tmp_path: Path) -> None:
    path = edit(copy_subset(tmp_path), lambda wb: wb.remove(wb["Per capita"]))
    problems = refusal(path).report.problems
    assert [(p.message, p.sheet) for p in problems] == [("sheet missing", "Per capita")]


def test_moved_header_row_is_found(tmp_path: Path) -> None:
    path = edit(copy_subset(tmp_path), lambda wb: wb["Current US$"].insert_rows(1, amount=3))
    moved = sipri.parse(path).observations
    usa = current_usd(moved, "USA")
    assert usa["value"] == 997_309
    assert usa["locator"] == "Current US$!M18"  # row 15 in the original
    assert current_usd(moved, "RUS")["estimate"]


def test_absent_header_row_is_refused(tmp_path: Path) -> None:
    def break_header(workbook: openpyxl.Workbook) -> None:
        sheet = workbook["Share of GDP"]
        for cell in sheet[6]:
            if isinstance(cell.value, int):
                cell.value = f"year {cell.value}"

    problems = refusal(edit(copy_subset(tmp_path), break_header)).report.problems
    assert [(p.message, p.sheet) for p in problems] == [
        ("no header row of years found", "Share of GDP")
    ]


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    def spoil(workbook: openpyxl.Workbook) -> None:
        current = workbook["Current US$"]
        current.cell(row_of(current, "Germany"), 13).value = "n/a"  # M = 2024
        share = workbook["Share of GDP"]
        share.cell(row_of(share, "Poland"), 12).value = 1.5  # L = 2023: 150 %
        constant = workbook["Constant (2023) US$"]
        constant.cell(row_of(constant, "Canada"), 1).value = "Germany"
        per_capita = workbook["Per capita"]
        per_capita.cell(row_of(per_capita, "France"), 1).value = "Atlantis"

    path = edit(copy_subset(tmp_path), spoil)
    report = refusal(path).report
    found = {(p.sheet, p.row, (p.column or "")[:2].strip(), p.value): p for p in report.problems}
    subset_book = openpyxl.load_workbook(reference_file(SUBSET), read_only=True)
    germany = row_of_read_only(subset_book["Current US$"], "Germany")
    poland = row_of_read_only(subset_book["Share of GDP"], "Poland")
    canada = row_of_read_only(subset_book["Constant (2023) US$"], "Canada")
    france = row_of_read_only(subset_book["Per capita"], "France")

    text = found[("Current US$", germany, "M", "n/a")]
    assert text.message == "text in a numeric cell"
    share = found[("Share of GDP", poland, "L", "150.0")]
    assert "share of GDP" in share.message
    germany_constant = row_of_read_only(subset_book["Constant (2023) US$"], "Germany")
    twice = found[("Constant (2023) US$", germany_constant, "A", "Germany")]
    assert f"appears twice (rows {canada} and {germany_constant})" in twice.message
    unknown = found[("Per capita", france, "A", "Atlantis")]
    assert "Atlantis" in unknown.message and "not in the sipri name table" in unknown.message
    # 150 % also trips the plausibility rule: several problems may name the same cell.
    assert len({(p.sheet, p.row) for p in report.problems}) == 4


def row_of_read_only(sheet: object, name: str) -> int:
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        if values and values[0] == name:
            return number
    raise AssertionError(name)
