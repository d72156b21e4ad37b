"""The NATO importer against the real files (SOURCES.md §4, §5 key figures) and broken copies."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance.errors import InvalidFileError
from alliance.schema import INDICATORS, UNITS, split_locator
from alliance.sources import ParsedFile, nato
from alliance.sources.nato.sheet import Sheet, estimate_years, find_header
from alliance.validation import ValidationReport

from conftest import reference_file

TABLES = "nato/240617-def-exp-2024-TABLES-en.xlsx"
TRANSCRIPTION = (
    "nato/def-exp-2025_share-of-real-GDP_2014-2025e__transcribed_by_Datavisualiatie-UGent_"
    "project-dv26-2.csv"
)
PRESS = "nato/nato_2025e_pct_gdp_PARTIAL_from_press.csv"
SIPRI_SUBSET = "sipri/SIPRI-Milex-data-1949-2024_2__SUBSET_NATO-EU-RU-CN-UA_2014-2024.xlsx"
FIXTURES = Path(__file__).parent / "fixtures" / "nato"


@pytest.fixture(scope="module")
def tables() -> ParsedFile:
    return nato.parse(reference_file(TABLES))


@pytest.fixture(scope="module")
def transcription() -> ParsedFile:
    return nato.parse(reference_file(TRANSCRIPTION))


def figure(frame: pd.DataFrame, entity: str, year: int, indicator: str, **key: str) -> pd.Series:
    rows = frame[
        (frame["entity"] == entity) & (frame["year"] == year) & (frame["indicator"] == indicator)
    ]
    for column, wanted in key.items():
        rows = rows[rows[column] == wanted]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def value(frame: pd.DataFrame, entity: str, year: int, indicator: str, **key: str) -> float:
    return float(figure(frame, entity, year, indicator, **key)["value"])


# --- the June 2024 tables: key figures ----------------------------------------------------------


@pytest.mark.parametrize(
    ("entity", "year", "expected"),
    [
        ("DEU", 2014, 1.19),
        ("DEU", 2024, 2.12),
        ("POL", 2014, 1.88),
        ("POL", 2024, 4.12),
        ("USA", 2014, 3.71),
        ("USA", 2024, 3.38),
        ("ESP", 2024, 1.28),
        ("EST", 2024, 3.43),
        ("GBR", 2024, 2.33),
        ("FRA", 2024, 2.06),
        ("nato:NATO_TOTAL", 2024, 2.71),
    ],
)
def test_table3_share_of_gdp(tables: ParsedFile, entity: str, year: int, expected: float):
    share = value(tables.observations, entity, year, "defence_expenditure_share_gdp")
    assert round(share, 2) == expected


def test_spain_has_the_lowest_share_in_2024(tables: ParsedFile):
    frame = tables.observations
    shares = frame[
        (frame["indicator"] == "defence_expenditure_share_gdp")
        & (frame["year"] == 2024)
        & ~frame["entity"].str.contains(":")
    ]
    assert shares.sort_values("value").iloc[0]["entity"] == "ESP"


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        ("USA", 967_707.0),
        ("DEU", 97_685.6),
        ("POL", 34_974.5),
        ("nato:NATO_TOTAL", 1_474_399.5),
    ],
)
def test_table2_current_usd_2024(tables: ParsedFile, entity: str, expected: float):
    row = figure(
        tables.observations,
        entity,
        2024,
        "defence_expenditure",
        currency="USD",
        price_basis="current",
        exchange_basis="market",
    )
    assert round(row["value"], 1) == expected
    assert row["unit"] == "million"
    assert row["estimate"] and row["estimate_kind"] == "estimate"


@pytest.mark.parametrize(
    ("entity", "expected"),
    [("USA", 1300.2), ("TUR", 481.0), ("POL", 216.1), ("FRA", 204.7), ("DEU", 185.6)],
)
def test_table7_personnel_2024(tables: ParsedFile, entity: str, expected: float):
    row = figure(tables.observations, entity, 2024, "military_personnel")
    assert round(row["value"], 1) == expected
    assert row["unit"] == "thousand_persons"


@pytest.mark.parametrize(("entity", "expected"), [("POL", 51.1), ("DEU", 28.7), ("USA", 29.9)])
def test_table8a_equipment_share_2024(tables: ParsedFile, entity: str, expected: float):
    assert round(value(tables.observations, entity, 2024, "equipment_share"), 1) == expected


@pytest.mark.parametrize(
    ("entity", "expected"),
    [("USA", 28_719_941.6), ("DEU", 4_610_035.2), ("POL", 848_857.0)],
)
def test_table5_gdp_2024(tables: ParsedFile, entity: str, expected: float):
    gdp = value(tables.observations, entity, 2024, "gdp", price_basis="current")
    assert round(gdp, 1) == expected


def test_iceland_only_in_the_gdp_tables(tables: ParsedFile):
    frame = tables.observations
    iceland = frame[frame["entity"] == "ISL"]
    assert set(iceland["indicator"]) == {"gdp", "gdp_per_capita"}
    assert set(iceland["locator"].str.split("!").str[0]) == {"TABLE5", "TABLE6"}


def test_31_allies_in_table3(tables: ParsedFile):
    frame = tables.observations
    share = frame[frame["indicator"] == "defence_expenditure_share_gdp"]
    countries = set(share["entity"]) - {"nato:NATO_TOTAL", "nato:NATO_EUROPE_CANADA"}
    assert len(countries) == 31
    assert "ISL" not in countries and {"SWE", "FIN", "TUR", "SVK"} <= countries


# Hand-counted from the workbook: (rows of countries and aggregates) x 11 years, per block.
GOLDEN_ROWS_PER_TABLE = {
    "TABLE1": (31 + 31) * 11,
    "TABLE2": (33 + 33) * 11,
    "TABLE3": (33 + 33) * 11,
    "TABLE5": (34 + 34) * 11,
    "TABLE6": (34 + 33) * 11,
    "TABLE7": 33 * 11,
    "TABLE8a": (31 + 31) * 11,
    "TABLE8b": (31 + 31) * 11,
}


def test_golden_row_counts_per_table(tables: ParsedFile):
    sheets = tables.observations["locator"].str.split("!").str[0].value_counts().to_dict()
    assert sheets == GOLDEN_ROWS_PER_TABLE
    assert "TABLE4" not in sheets  # its figures repeat Tables 2 and 3


def test_table4_repeats_agree_with_tables_2_and_3(tables: ParsedFile):
    # Table 4's 2014/2024e constant-price and share figures are compared, not emitted twice.
    assert tables.report.ok, tables.report.problems


def test_estimates_are_2023_and_2024_only(tables: ParsedFile):
    frame = tables.observations
    assert set(frame.loc[frame["estimate"], "year"]) == {2023, 2024}
    assert set(frame.loc[~frame["estimate"], "year"]) == set(range(2014, 2023))
    assert set(frame.loc[frame["estimate"], "estimate_kind"]) == {"estimate"}
    assert frame.loc[~frame["estimate"], "estimate_kind"].isna().all()


def test_no_figure_comes_from_a_hidden_ref_row(tables: ParsedFile):
    hidden = {(sheet, row) for sheet in ("TABLE1", "TABLE8a", "TABLE8b") for row in (42, 75)}
    places = {split_locator(loc)[::2] for loc in tables.observations["locator"]}
    assert not hidden & places
    assert ("TABLE2", 42) in places  # a visible aggregate row at the same height stays
    assert tables.observations["value"].notna().all()


def test_locators_point_at_the_source_cells(tables: ParsedFile):
    frame = tables.observations
    germany = figure(frame, "DEU", 2024, "defence_expenditure_share_gdp")
    assert germany["locator"] == "TABLE3!N21"
    usa = figure(frame, "USA", 2014, "military_personnel")
    assert usa["locator"] == "TABLE7!E53"  # the shifted table: labels in D, values E-O
    total = figure(frame, "nato:NATO_TOTAL", 2024, "military_personnel")
    assert total["locator"] == "TABLE7!O55"


def test_table1_currencies_and_footnotes(tables: ParsedFile):
    frame = tables.observations
    lcu = frame[(frame["indicator"] == "defence_expenditure") & (frame["currency"] != "USD")]
    currency = dict(zip(lcu["entity"], lcu["currency"], strict=True))
    assert currency["DEU"] == "EUR" and currency["HRV"] == "EUR"
    assert currency["DNK"] == "DKK" and currency["NOR"] == "NOK"
    assert currency["POL"] == "PLN" and currency["TUR"] == "TRY"
    czechia = figure(
        frame, "CZE", 2014, "defence_expenditure", currency="CZK", price_basis="current"
    )
    assert czechia["note"] == "*; currency: Koruny"
    assert round(czechia["value"], 1) == 41002.5
    germany = figure(
        frame, "DEU", 2024, "defence_expenditure", currency="EUR", price_basis="current"
    )
    assert germany["note"] == "currency: Euros"


def test_price_bases_and_units(tables: ParsedFile):
    frame = tables.observations
    assert set(frame["price_basis"].dropna()) == {"current", "constant_2015"}
    per_capita = figure(frame, "USA", 2024, "defence_expenditure_per_capita")
    assert per_capita["unit"] == "unit" and per_capita["price_basis"] == "constant_2015"
    gdp_per_capita = figure(frame, "USA", 2024, "gdp_per_capita")
    assert gdp_per_capita["unit"] == "thousand" and gdp_per_capita["currency"] == "USD"
    assert set(frame["definition"]) == {"nato"} and set(frame["period"]) == {"calendar"}


def test_tables_edition(tables: ParsedFile):
    edition = tables.edition
    assert (edition.source_id, edition.edition, edition.dataset) == ("nato", "2024-06", "tables")
    assert edition.publisher == "NATO Public Diplomacy Division"
    assert edition.title == "Defence Expenditure of NATO Countries (2014-2024)"
    assert edition.url.endswith("/2024/6/pdf/240617-def-exp-2024-TABLES-en.xlsx")
    assert edition.licence.startswith("NATO content-use terms")
    assert edition.sha256 == "94f4de63de124dd323cb6729ddf66b66a3e024b9984d21abc6cb5624773b375e"
    assert edition.url in edition.citation


def test_edition_does_not_come_from_the_file_name(tmp_path: Path):
    renamed = tmp_path / "999999-whatever.xlsx"
    shutil.copy(reference_file(TABLES), renamed)
    assert nato.parse(renamed).edition.edition == "2024-06"


# --- the 2025 transcription and the press figures -----------------------------------------------


def test_transcription_figures(transcription: ParsedFile):
    frame = transcription.observations
    assert round(value(frame, "POL", 2025, "defence_expenditure_share_gdp"), 4) == 4.4805
    assert round(value(frame, "DEU", 2024, "defence_expenditure_share_gdp"), 2) == 2.00
    assert round(value(frame, "POL", 2024, "defence_expenditure_share_gdp"), 2) == 3.79
    germany_2025 = figure(frame, "DEU", 2025, "defence_expenditure_share_gdp")
    assert pd.isna(germany_2025["value"]) and germany_2025["missing"] == "no_data"
    assert germany_2025["estimate"] and germany_2025["locator"] == "line 12"
    assert len(frame) == 33 * 12
    assert set(frame.loc[frame["estimate"], "year"]) == {2024, 2025}


def test_editions_differ(tables: ParsedFile, transcription: ParsedFile):
    old = value(tables.observations, "DEU", 2024, "defence_expenditure_share_gdp")
    new = value(transcription.observations, "DEU", 2024, "defence_expenditure_share_gdp")
    assert (round(old, 2), round(new, 2)) == (2.12, 2.00)


def test_transcription_edition_cites_the_transcriber(transcription: ParsedFile):
    edition = transcription.edition
    assert (edition.edition, edition.dataset) == ("2025-08", "share-of-gdp-transcription")
    assert edition.published == "2025-08-28"
    assert edition.url == (
        "https://www.nato.int/content/dam/nato/webready/documents/finance/def-exp-2025-en.pdf"
    )
    for text in ("Datavisualiatie-UGent/project-dv26-2", "497fd8f4", "transcri"):
        assert text in edition.citation
    assert "TRANSCRIPTION" in edition.notes
    assert transcription.report.ok


def test_a_transcription_of_unknown_origin_is_cited_as_such():
    parsed = nato.parse(FIXTURES / "share_of_gdp_three_rows.csv")
    assert "unknown party" in parsed.edition.citation
    assert [p.message for p in parsed.report.problems] == [
        "transcription of unknown origin: cited as such"
    ]
    assert len(parsed.observations) == 3 * 12
    assert (
        round(value(parsed.observations, "POL", 2025, "defence_expenditure_share_gdp"), 2) == 4.48
    )


def test_press_figures_all_agree_with_the_transcription():
    checks = nato.cross_check_press(reference_file(PRESS), reference_file(TRANSCRIPTION))
    assert all(check.agrees for check in checks), [c for c in checks if not c.agrees]
    numeric = [c for c in checks if c.quoted[0].isdigit()]
    assert len(numeric) == 16  # 15 Allies and NATO Total
    by_entity = {c.entity: c for c in checks}
    assert by_entity["DNK"].quoted == "above 3%" and (by_entity["DNK"].transcribed or 0) > 3
    assert by_entity["DEU"].quoted == "not published" and by_entity["DEU"].transcribed is None


def test_press_cross_check_detects_a_disagreement(tmp_path: Path):
    text = (
        reference_file(PRESS)
        .read_text("utf-8")
        .replace("Poland,POL,2025,4.48", "Poland,POL,2025,4.49")
    )
    press = tmp_path / "press.csv"
    press.write_text(text, "utf-8")
    checks = nato.cross_check_press(press, reference_file(TRANSCRIPTION))
    assert [c.entity for c in checks if not c.agrees] == ["POL"]


def test_press_csv_is_not_imported():
    press = reference_file(PRESS)
    assert not nato.sniff(press)
    with pytest.raises(InvalidFileError, match="cross_check_press"):
        nato.parse(press)


# --- sniffing -----------------------------------------------------------------------------------


def test_sniff_recognises_nato_files_by_content(tmp_path: Path):
    assert nato.sniff(reference_file(TABLES))
    assert nato.sniff(reference_file(TRANSCRIPTION))
    disguised = tmp_path / "data.bin"
    shutil.copy(reference_file(TABLES), disguised)
    assert nato.sniff(disguised)
    assert not nato.sniff(reference_file(SIPRI_SUBSET))
    empty = tmp_path / "empty.xlsx"
    empty.touch()
    assert not nato.sniff(empty)


# --- the layout table ---------------------------------------------------------------------------


def test_layout_rows_use_known_indicators_and_units():
    for block in nato.layouts():
        assert block.indicator in INDICATORS and block.unit in UNITS, block
        assert block.role in {"emit", "check", "skip"}


def test_a_table_is_found_by_its_title_in_a1_with_labels_in_b(tmp_path: Path):
    """A synthetic workbook in the 2025 style (title in A1, labels in B, values from C)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Table 7"
    sheet["A1"] = "Table 7: Military personnel"
    years: list[int | str] = [*range(2014, 2024), "2024e", "2025e"]
    for offset, year in enumerate(years):
        sheet.cell(row=4, column=3 + offset, value=year)
    sheet["B6"], sheet["C6"], sheet["N6"] = "Poland", 99.0, 216.1
    path = tmp_path / "def-exp-2025-like.xlsx"
    book.save(path)
    report = ValidationReport.for_path(path)
    workbook = nato.read_workbook(path, report)
    assert workbook is not None
    result = nato.parse_tables(workbook, report, ValidationReport.for_path(path))
    personnel = {(r["entity"], r["year"]): r for r in result.records}
    assert personnel[("POL", 2025)]["value"] == 216.1
    assert personnel[("POL", 2025)]["estimate"] and personnel[("POL", 2014)]["value"] == 99.0
    assert personnel[("POL", 2025)]["locator"] == "Table 7!N6"
    # The other tables are missing from this synthetic file: all named at once.
    missing = [p.sheet for p in report.problems if p.message.startswith("no sheet holds table")]
    assert "TABLE1" in missing and "TABLE8b" in missing and "TABLE7" not in missing


def test_header_and_blocks_are_found_by_content(tables: ParsedFile, tmp_path: Path):
    def insert_row_on_top(book: openpyxl.Workbook) -> None:
        book["TABLE3"].insert_rows(1)

    shifted = nato.parse(modified_copy(tmp_path, insert_row_on_top)).observations
    original = tables.observations
    assert len(shifted) == len(original)
    moved = figure(shifted, "DEU", 2024, "defence_expenditure_share_gdp")
    assert moved["locator"] == "TABLE3!N22"
    assert moved["value"] == value(original, "DEU", 2024, "defence_expenditure_share_gdp")


# --- bad input ----------------------------------------------------------------------------------


def modified_copy(tmp_path: Path, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    book = openpyxl.load_workbook(reference_file(TABLES))
    edit(book)
    path = tmp_path / "modified.xlsx"
    book.save(path)
    return path


def refusal(path: Path) -> InvalidFileError:
    with pytest.raises(InvalidFileError) as caught:
        nato.parse(path)
    return caught.value


def test_an_unmodified_openpyxl_copy_parses_like_the_original(tables: ParsedFile, tmp_path: Path):
    copy = nato.parse(modified_copy(tmp_path, lambda book: None))
    assert len(copy.observations) == len(tables.observations)
    assert copy.edition.edition == "2024-06"


def test_truncated_xlsx(tmp_path: Path):
    data = reference_file(TABLES).read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "truncated or corrupt" in str(refusal(path))
    assert not nato.sniff(path)


def test_csv_renamed_xlsx(tmp_path: Path):
    path = tmp_path / "tables.xlsx"
    shutil.copy(reference_file(TRANSCRIPTION), path)
    assert "not an xlsx workbook" in str(refusal(path))


def test_missing_sheet(tmp_path: Path):
    def drop_table5(book: openpyxl.Workbook) -> None:
        del book["TABLE5"]

    problems = refusal(modified_copy(tmp_path, drop_table5)).report.problems
    assert [(p.sheet, p.message) for p in problems] == [("TABLE5", "no sheet holds table 5")]


def test_moved_header_row(tmp_path: Path):
    def move_header_below_the_data(book: openpyxl.Workbook) -> None:
        book["TABLE3"].move_range("D8:N8", rows=80)

    problems = refusal(modified_copy(tmp_path, move_header_below_the_data)).report.problems
    assert {p.sheet for p in problems} == {"TABLE3"}
    assert any("above the year header" in p.message and p.row == 10 for p in problems)


def test_text_in_a_numeric_cell(tmp_path: Path):
    def write_text(book: openpyxl.Workbook) -> None:
        book["TABLE2"]["N21"] = "n/a"

    problem = refusal(modified_copy(tmp_path, write_text)).report.problems[0]
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("TABLE2", 21, "N", "n/a")
    assert problem.message == "text in a numeric cell"


def test_share_of_gdp_above_100(tmp_path: Path):
    def inflate(book: openpyxl.Workbook) -> None:
        book["TABLE3"]["N21"] = 212.0

    problems = refusal(modified_copy(tmp_path, inflate)).report.problems
    assert any(
        "share of GDP outside" in p.message and (p.sheet, p.row) == ("TABLE3", 21) for p in problems
    )


def test_same_country_twice(tmp_path: Path):
    def duplicate(book: openpyxl.Workbook) -> None:
        book["TABLE3"]["C22"] = "Germany"  # Greece's row

    problems = refusal(modified_copy(tmp_path, duplicate)).report.problems
    assert any("appears twice" in p.message and p.row == 22 for p in problems)


def test_unknown_country_name(tmp_path: Path):
    def rename(book: openpyxl.Workbook) -> None:
        book["TABLE2"]["C21"] = "Germania"

    problems = refusal(modified_copy(tmp_path, rename)).report.problems
    assert any("'Germania'" in p.message and (p.sheet, p.row) == ("TABLE2", 21) for p in problems)


def test_every_problem_is_reported_at_once(tmp_path: Path):
    def break_three_things(book: openpyxl.Workbook) -> None:
        book["TABLE2"]["C21"] = "Germania"
        book["TABLE5"]["E30"] = "?"
        book["TABLE8a"].row_dimensions[42].hidden = False  # the '#REF!' row shows up

    problems = refusal(modified_copy(tmp_path, break_three_things)).report.problems
    places = {(p.sheet, p.row) for p in problems}
    assert {("TABLE2", 21), ("TABLE5", 30), ("TABLE8a", 42)} <= places


def test_empty_file(tmp_path: Path):
    path = tmp_path / "empty.xlsx"
    path.touch()
    assert "empty file" in str(refusal(path))


def test_file_over_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as handle:
        handle.truncate(nato.MAX_FILE_BYTES + 1)  # sparse: no disk used

    def must_not_read(*args: object) -> None:
        raise AssertionError("read a file over the size limit")

    monkeypatch.setattr(nato, "read_workbook", must_not_read)
    monkeypatch.setattr(Path, "read_text", must_not_read)
    assert "refused before reading" in str(refusal(path))


def test_workbook_of_another_publisher():
    error = refusal(reference_file(SIPRI_SUBSET))
    assert "not a NATO" in str(error)


def transcription_variant(tmp_path: Path, edit: Callable[[list[list[str]]], None]) -> Path:
    rows = list(csv.reader(io.StringIO(reference_file(TRANSCRIPTION).read_text("utf-8"))))
    edit(rows)
    path = tmp_path / "variant.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_transcription_problems_are_all_reported(tmp_path: Path):
    def break_it(rows: list[list[str]]) -> None:
        rows[3][5] = "n/a"  # Bulgaria 2017, line 4
        rows[22][12] = "104.5"  # Poland 2025e, line 23
        rows[25][0] = "Romania"  # Slovak Republic's line 26: Romania twice
        rows[26][0] = "Slovakland"  # Slovenia's line 27

    problems = refusal(transcription_variant(tmp_path, break_it)).report.problems
    lines = {p.row: p.message for p in problems}
    assert lines[4] == "text in a numeric cell"
    assert "share of GDP outside" in lines[23]
    assert "appears twice" in lines[26]
    assert "'Slovakland'" in lines[27]


# --- small pure functions -----------------------------------------------------------------------


@given(st.integers(1900, 2100), st.booleans())
def test_header_year_reads_ints_strings_and_estimates(year: int, estimate: bool):
    assert nato.header_year(f"{year}{'e' if estimate else ''}") == (year, estimate)
    assert nato.header_year(float(year)) == (year, False)
    assert nato.header_year(f"Real change 2014-{year}{'e' if estimate else ''} (%)") == (
        year,
        estimate,
    )


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Germany   (Euros)", ("Germany", "Euros", "")),
        ("Czechia*   (Koruny)", ("Czechia*", "Koruny", "*")),
        ("Canada   (Canadian dollars)", ("Canada", "Canadian dollars", "")),
        ("Poland*", ("Poland*", None, "*")),
        ("NATO Total", ("NATO Total", None, "")),
    ],
)
def test_split_label(label: str, expected: tuple[str, str | None, str]):
    assert nato.split_label(label) == expected


def test_spreadsheet_errors_are_refused_where_visible(tmp_path: Path):
    def break_cells(book: openpyxl.Workbook) -> None:
        book["TABLE3"]["N21"] = "#REF!"  # openpyxl stores it as an error cell, as Excel does
        book["TABLE8a"].row_dimensions[42].hidden = False

    problems = refusal(modified_copy(tmp_path, break_cells)).report.problems
    found = {(p.sheet, p.row, p.column, p.value, p.message) for p in problems}
    assert ("TABLE3", 21, "N", "#REF!", "spreadsheet error in a figure") in found
    assert ("TABLE8a", 42, None, "#REF!", "figures in a row without a country name") in found


@pytest.mark.parametrize(
    ("note", "years"),
    [
        (
            "Notes: Figures for 2023 and 2024 are estimates. The NATO Europe and Canada",
            {2023, 2024},
        ),
        ("Note: Figures for 2024 are estimates.", {2024}),
        ("Notes: Figures for 2024, 2025 and 2026 are estimates.", {2024, 2025, 2026}),
        ("Figures for 2025-2026 are estimates", {2025, 2026}),
        ("Figure for 2026 is an estimate.", {2026}),
        ("Notes: Sweden became an Ally on 7 March 2024.", set()),
    ],
)
def test_estimate_years_named_by_a_note(note: str, years: set[int]):
    sheet = Sheet("T", {8: {4: 2014.0, 5: "2015e"}, 30: {3: note}})
    header = find_header(sheet, 1)
    assert header is not None and header.years == {4: (2014, False), 5: (2015, True)}
    noted, cell = estimate_years(sheet, header)
    assert noted == years
    assert cell == ((30, 3) if years else None)
