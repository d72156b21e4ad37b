"""Next year's files (issue 12): SIPRI's 2026 release and NATO's July 2026 edition, derived here.

Neither file exists yet, so each test rewrites a copy of a real file (openpyxl, in a temporary
folder) the way the new release is announced to differ: SIPRI with data to 2025, constant prices
of 2024 ("Constant (2024) US$"), sheets re-ordered and shifted; NATO retitled "Defence
Investment of NATO Countries (2014-2026)", tables that speak of "core defence expenditure",
`2025e`/`2026e` columns, 2021 prices, renamed and re-ordered sheets and a cover sheet. Figures
are checked against the copied cells; a layout the readers cannot place must be refused with the
sheet, the cell and what was expected. The full SIPRI workbook is never copied into the repo:
only the SUBSET is rewritten, in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from copy import copy
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from alliance.cli.app import app
from alliance.errors import InvalidFileError
from alliance.importing import diff_editions, import_file, remove_edition
from alliance.observations import observations
from alliance.sources import ParsedFile, nato, sipri

from conftest import reference_file

SIPRI_SUBSET = "sipri/SIPRI-Milex-data-1949-2024_2__SUBSET_NATO-EU-RU-CN-UA_2014-2024.xlsx"
NATO_TABLES = "nato/240617-def-exp-2024-TABLES-en.xlsx"
SIPRI_SHEETS = (
    "Regional totals",
    "Local currency financial years",
    "Local currency calendar years",
    "Constant (2023) US$",
    "Current US$",
    "Share of GDP",
    "Per capita",
    "Share of Govt. spending",
)
GERMANY_2024_REVISED = 90_000.0  # current US$ m. in the variant (SIPRI 2025 release: 88,458.5)
POLAND_2024_REVISED = 4.0  # % of GDP in the NATO variant (June 2024 tables: 4.12, an estimate)


# --- helpers ------------------------------------------------------------------------------------


def rewrite(source: Path, target: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    book = openpyxl.load_workbook(source)
    change(book)
    book.save(target)
    return target


def header_row(sheet: Worksheet) -> int:
    """The row where 2014 is followed by 2015 (or by '2024e', in NATO's Table 4)."""
    for row in sheet.iter_rows():
        for cell in row:
            following = sheet.cell(cell.row, cell.column + 1).value
            if cell.value == 2014 and following in (2015, "2015", "2024e"):
                return int(cell.row)
    raise AssertionError(f"no header in {sheet.title}")


def year_column(sheet: Worksheet, row: int, year: int | str) -> int:
    for cell in sheet[row]:
        if cell.value in (year, str(year)):
            return int(cell.column)
    raise AssertionError(f"{year} not in row {row} of {sheet.title}")


def row_of(sheet: Worksheet, name: str, columns: tuple[int, ...] = (1, 2, 3, 4)) -> int:
    for row in sheet.iter_rows():
        for cell in row:
            text = cell.value if cell.column in columns else None
            if isinstance(text, str) and text.split("(")[0].strip().rstrip("*").strip() == name:
                return int(cell.row)
    raise AssertionError(f"{name} not in {sheet.title}")


def replace_text(sheet: Worksheet, rows: range, old: str, new: str) -> None:
    for row in sheet.iter_rows(min_row=rows.start, max_row=rows.stop - 1):
        for cell in row:
            if isinstance(cell.value, str) and re.search(old, cell.value):
                cell.value = re.sub(old, new, cell.value)


def copy_column(sheet: Worksheet, below: int, source: int, target: int, factor: float) -> None:
    """Fill column `target` from `source` below row `below`: numbers times `factor`, markers
    ('...', 'xxx') as they are; font (SIPRI's estimate colour) and number format copied."""
    for row in range(below + 1, sheet.max_row + 1):
        original = sheet.cell(row, source)
        if original.value is None:
            continue
        cell = sheet.cell(row, target)
        number = isinstance(original.value, int | float)
        cell.value = original.value * factor if number else original.value
        cell.font, cell.number_format = copy(original.font), original.number_format


def figure(frame: pd.DataFrame, entity: str, year: int, indicator: str, **where: str) -> pd.Series:
    mask = (frame["entity"] == entity) & (frame["year"] == year) & (frame["indicator"] == indicator)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    assert len(rows) == 1, f"{len(rows)} rows for {entity} {year} {indicator} {where}"
    return rows.iloc[0]


def refusal(parse: Callable[[Path], ParsedFile], path: Path) -> InvalidFileError:
    with pytest.raises(InvalidFileError) as caught:
        parse(path)
    return caught.value


# --- SIPRI: the 2026 release --------------------------------------------------------------------


def sipri_2026(book: openpyxl.Workbook) -> None:
    """Data to 2025 (the 2024 column copied, x 1.05), constant prices of 2024, Germany's 2024
    spending revised, 'Share of GDP' moved last and shifted down two rows."""
    for name in SIPRI_SHEETS:
        sheet = book[name]
        header = header_row(sheet)
        last = year_column(sheet, header, 2024)
        sheet.insert_cols(last + 1)
        sheet.cell(header, last + 1).value = 2025
        copy_column(sheet, header, last, last + 1, 1.05)
        replace_text(sheet, range(1, header), r"constant \((2023)\)", "constant (2024)")
        replace_text(sheet, range(1, header), r"constant 2023 prices", "constant 2024 prices")
        replace_text(sheet, range(1, header), r"1949-2024", "1949-2025")
        replace_text(sheet, range(1, header), r"at 2024 prices", "at 2025 prices")
    regional = book["Regional totals"]
    replace_text(regional, range(14, 15), r"^2024 \(current prices\)$", "2025 (current prices)")
    book["Constant (2023) US$"].title = "Constant (2024) US$"
    current = book["Current US$"]
    current.cell(row_of(current, "Germany"), 13).value = GERMANY_2024_REVISED  # M = 2024
    book["Share of GDP"].insert_rows(1, amount=2)
    book.move_sheet("Share of GDP", offset=len(book.sheetnames))


@pytest.fixture(scope="module")
def sipri_variant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sipri-2026")
    return rewrite(reference_file(SIPRI_SUBSET), folder / "SIPRI-Milex-2026-like.xlsx", sipri_2026)


@pytest.fixture(scope="module")
def sipri_2025() -> pd.DataFrame:
    return sipri.parse(reference_file(SIPRI_SUBSET)).observations


def test_sipri_2026_is_a_new_edition_at_2024_prices(
    sipri_variant: Path, sipri_2025: pd.DataFrame
) -> None:
    parsed = sipri.parse(sipri_variant)
    frame = parsed.observations
    assert parsed.edition.edition == "2026-04" and set(frame["edition"]) == {"2026-04"}
    constant = frame[frame["price_basis"].str.startswith("constant", na=False)]
    assert set(constant["price_basis"]) == {"constant_2024"}
    # One more year: 40 entities in each of the 7 country sheets, 19 regions at constant prices.
    assert len(frame) == len(sipri_2025) + 40 * 7 + 19
    assert frame["year"].max() == 2025
    assert parsed.report.ok


def test_sipri_2026_figures_flags_and_cells(sipri_variant: Path, sipri_2025: pd.DataFrame) -> None:
    frame = sipri.parse(sipri_variant).observations
    current = {"unit": "million", "price_basis": "current"}
    for entity in ("USA", "POL", "RUS"):
        before = figure(sipri_2025, entity, 2024, "defence_expenditure", **current)
        after = figure(frame, entity, 2025, "defence_expenditure", **current)
        assert after["value"] == pytest.approx(before["value"] * 1.05)
        assert after["estimate_kind"] is before["estimate_kind"] or (
            after["estimate_kind"] == before["estimate_kind"]
        )  # the font colour was copied: Russia stays a SIPRI estimate
    assert figure(frame, "RUS", 2025, "defence_expenditure", **current)["estimate"]
    germany = figure(frame, "DEU", 2024, "defence_expenditure", **current)
    cell = figure(sipri_2025, "DEU", 2024, "defence_expenditure", **current)["locator"]
    assert (germany["value"], germany["locator"]) == (GERMANY_2024_REVISED, cell)
    assert cell.startswith("Current US$!M")  # M = 2024; the new 2025 column is N
    assert figure(frame, "DEU", 2025, "defence_expenditure", **current)["locator"] == (
        cell.replace("!M", "!N")
    )
    # 'Share of GDP' moved to the end and two rows down: found by title, rows shifted.
    before = figure(sipri_2025, "POL", 2024, "defence_expenditure_share_gdp")
    after = figure(frame, "POL", 2024, "defence_expenditure_share_gdp")
    sheet, cell = before["locator"].split("!")
    column, row = re.match(r"([A-Z]+)(\d+)", cell).groups()  # type: ignore[union-attr]
    assert after["locator"] == f"{sheet}!{column}{int(row) + 2}"
    assert after["value"] == before["value"]
    # Regional totals: a 2025 column at constant prices, the current-prices column relabelled.
    world = {"unit": "billion"}
    constant = figure(frame, "sipri:WORLD", 2025, "defence_expenditure", **world | {
        "price_basis": "constant_2024"})  # fmt: skip
    before = figure(sipri_2025, "sipri:WORLD", 2024, "defence_expenditure", **world | {
        "price_basis": "constant_2023"})  # fmt: skip
    assert constant["value"] == pytest.approx(before["value"] * 1.05)
    assert constant["locator"] == "Regional totals!M15"
    relabelled = figure(frame, "sipri:WORLD", 2025, "defence_expenditure", price_basis="current")
    assert relabelled["value"] == pytest.approx(2_718.2, abs=0.05)
    assert relabelled["locator"] == "Regional totals!N15"


def test_sipri_extra_sheets(tmp_path: Path, sipri_2025: pd.DataFrame) -> None:
    """A sheet of text is ignored; a sheet of figures under an unknown title is named in the
    warnings and not imported; every known figure is read as before."""

    def add_sheets(book: openpyxl.Workbook) -> None:
        book.create_sheet("Read me", 0)["A1"] = "About this release"
        unknown = book.copy_worksheet(book["Current US$"])
        unknown.title = "PPP"
        unknown["A1"] = "Military expenditure in purchasing power parity dollars, 2014-2024"

    path = rewrite(reference_file(SIPRI_SUBSET), tmp_path / "extra.xlsx", add_sheets)
    parsed = sipri.parse(path)
    pd.testing.assert_frame_equal(parsed.observations, sipri_2025)
    [warning] = parsed.report.problems
    assert (warning.sheet, warning.row, warning.column) == ("PPP", 1, "A")
    assert "matches no measure" in warning.message


def test_sipri_reworded_titles_are_read(tmp_path: Path, sipri_2025: pd.DataFrame) -> None:
    def reword(book: openpyxl.Workbook) -> None:
        book["Share of GDP"]["A1"] = "Military expenditure by country as a share of GDP, 1949-2024"
        book["Current US$"]["A1"] = "Military expenditure by country, in current US$ m., 1949-2024"

    parsed = sipri.parse(rewrite(reference_file(SIPRI_SUBSET), tmp_path / "v.xlsx", reword))
    pd.testing.assert_frame_equal(parsed.observations, sipri_2025)


def test_sipri_a_year_written_as_text_is_a_year(tmp_path: Path, sipri_2025: pd.DataFrame) -> None:
    def as_text(book: openpyxl.Workbook) -> None:
        sheet = book["Share of GDP"]
        header = header_row(sheet)
        sheet.cell(header, year_column(sheet, header, 2024)).value = "2024"

    parsed = sipri.parse(rewrite(reference_file(SIPRI_SUBSET), tmp_path / "v.xlsx", as_text))
    pd.testing.assert_frame_equal(parsed.observations, sipri_2025)


def test_sipri_figures_under_a_year_not_read_as_one_are_refused(tmp_path: Path) -> None:
    """A 2025 column headed '2025*' is not left out silently: every figure in it is named."""

    def starred(book: openpyxl.Workbook) -> None:
        sheet = book["Current US$"]
        header = header_row(sheet)
        sheet.cell(header, 14).value = "2025*"  # N, right of 2024 in M
        copy_column(sheet, header, 13, 14, 1.05)

    path = rewrite(reference_file(SIPRI_SUBSET), tmp_path / "v.xlsx", starred)
    problems = refusal(sipri.parse, path).report.problems
    assert {(p.sheet, p.column, p.message) for p in problems} == {
        ("Current US$", "N", "a figure in a column that the header row does not name as a year")
    }
    assert len(problems) == 40 and problems[0].expected == "a year such as 2025 in N6"


def without_base_year(sheet: Worksheet) -> None:
    """No year in the title, subtitle or name: 'in constant US$ m.', 'at constant prices'."""
    replace_text(sheet, range(1, 6), r"\(?2023\)? ", "")
    sheet.title = "Constant US$"


@pytest.mark.parametrize(
    ("change", "sheet", "cell", "message", "expected"),
    [
        pytest.param(
            lambda book: book["Share of GDP"].__setitem__("A1", "Military burden, 1949-2024"),
            "Share of GDP", "A1", "title not recognised", "of (?:gross domestic product|GDP)",
            id="title-renamed-beyond-recognition",
        ),
        pytest.param(
            lambda book: setattr(book["Constant (2023) US$"], "title", "Constant (2024) US$"),
            "Constant (2024) US$", "A1", "two base years for constant prices",
            "one base year in the title, the subtitle and the sheet name",
            id="sheet-name-disagrees-with-subtitle",
        ),
        pytest.param(
            lambda book: without_base_year(book["Constant (2023) US$"]),
            "Constant US$", "A1", "base year of constant prices not found",
            "at constant 2023 prices",
            id="no-base-year",
        ),
        pytest.param(
            lambda book: setattr(book.copy_worksheet(book["Current US$"]), "title", "Current 2"),
            "Current 2", "A1", "carry the title of the same measure", "one sheet titled like",
            id="two-sheets-one-title",
        ),
    ],
)  # fmt: skip
def test_sipri_layout_it_cannot_place_is_refused(
    tmp_path: Path,
    change: Callable[[openpyxl.Workbook], None],
    sheet: str,
    cell: str,
    message: str,
    expected: str,
) -> None:
    path = rewrite(reference_file(SIPRI_SUBSET), tmp_path / "variant.xlsx", change)
    problems = refusal(sipri.parse, path).report.problems
    [problem] = [p for p in problems if message in p.message]
    assert (problem.sheet, f"{problem.column}{problem.row}") == (sheet, cell)
    assert expected in problem.expected


def test_sipri_title_refusal_is_the_only_problem_and_names_the_title(tmp_path: Path) -> None:
    def rename(book: openpyxl.Workbook) -> None:
        book["Per capita"]["A1"] = "Spending per head"

    problems = refusal(sipri.parse, rewrite(reference_file(SIPRI_SUBSET), tmp_path / "v.xlsx",
                                            rename)).report.problems  # fmt: skip
    assert [(p.message, p.sheet, p.value) for p in problems] == [
        ("title not recognised", "Per capita", "Spending per head")
    ]


# --- NATO: the July 2026 edition ----------------------------------------------------------------

NATO_SHEET_NAMES = {f"TABLE{n}": f"Table {n}" for n in ("1", "2", "3", "4", "5", "6", "7", "8a",
                                                        "8b")}  # fmt: skip


def nato_2026(book: openpyxl.Workbook) -> None:
    """The June 2024 tables as the July 2026 edition is announced: retitled, 'core defence
    expenditure', 2025e and 2026e columns (2024 x 1.05 and x 1.10), 2023 and 2024 no longer
    estimates, 2021 prices, sheets renamed and re-ordered, a cover sheet, Poland's 2024 share
    revised, Table 3 shifted down two rows, created in July 2026."""
    for sheet in book.worksheets:
        header = header_row(sheet)
        replace_text(sheet, range(1, header), r"Defence expenditure", "Core defence expenditure")
        replace_text(sheet, range(1, sheet.max_row + 1), r"\b2015 prices", "2021 prices")
        replace_text(sheet, range(header + 1, sheet.max_row + 1),
                     r"Figures for 2023 and 2024 are", "Figures for 2025 and 2026 are")  # fmt: skip
        if sheet.title == "TABLE4":
            _table4_to_2026(sheet, header)
            continue
        last = year_column(sheet, header, "2024e")
        sheet.cell(header, last - 1).value, sheet.cell(header, last).value = 2023, 2024
        for offset, (label, factor) in enumerate([("2025e", 1.05), ("2026e", 1.10)], start=1):
            sheet.cell(header, last + offset).value = label
            copy_column(sheet, header, last, last + offset, factor)
    table3 = book["TABLE3"]
    table3.cell(row_of(table3, "Poland"), 14).value = POLAND_2024_REVISED  # N = 2024
    table3.insert_rows(1, amount=2)
    for old, new in NATO_SHEET_NAMES.items():
        book[old].title = new
    book.move_sheet("Table 8b", offset=-8)
    cover = book.create_sheet("Cover", 0)
    cover["B2"] = "Defence Investment of NATO Countries (2014-2026)"
    book.properties.created = dt.datetime(2026, 7, 2, 9, 0, 0)


def _table4_to_2026(sheet: Worksheet, header: int) -> None:
    replace_text(sheet, range(1, header), r"2014-2024e", "2014-2026e")
    replace_text(sheet, range(header, header + 1), r"2024e", "2026e")
    replace_text(
        sheet, range(header + 1, sheet.max_row + 1), r"Figures for 2024", "Figures for 2026"
    )
    for column in (5, 8):  # E (2026e at constant prices) and H (share of real GDP 2026e)
        copy_column(sheet, header, column, column, 1.10)


@pytest.fixture(scope="module")
def nato_variant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nato-2026")
    return rewrite(reference_file(NATO_TABLES), folder / "def-exp-2026-TABLES.xlsx", nato_2026)


@pytest.fixture(scope="module")
def nato_2024() -> pd.DataFrame:
    return nato.parse(reference_file(NATO_TABLES)).observations


def test_nato_2026_edition_title_and_prices(nato_variant: Path, nato_2024: pd.DataFrame) -> None:
    parsed = nato.parse(nato_variant)
    edition, frame = parsed.edition, parsed.observations
    assert (edition.edition, edition.dataset) == ("2026-07", "tables")
    assert edition.title == "Defence Investment of NATO Countries (2014-2026)"
    assert "core defence expenditure" in edition.notes and "paragraph 3" in edition.notes
    constant = frame[frame["price_basis"].str.startswith("constant", na=False)]
    assert set(constant["price_basis"]) == {"constant_2021"}
    # Two more years in every emitted block, nothing else lost or added.
    per_year = nato_2024.groupby(["indicator", "unit", "price_basis"], dropna=False).size()
    assert len(frame) == len(nato_2024) + 2 * int((per_year / 11).sum())
    assert parsed.report.ok, parsed.report.problems


def test_nato_2026_estimates_follow_the_e_suffix_and_the_notes(
    nato_variant: Path, nato_2024: pd.DataFrame
) -> None:
    frame = nato.parse(nato_variant).observations
    assert set(frame.loc[frame["estimate"], "year"]) == {2025, 2026}
    share = "defence_expenditure_share_gdp"
    before = figure(nato_2024, "DEU", 2024, share)
    for year, factor in [(2025, 1.05), (2026, 1.10)]:
        after = figure(frame, "DEU", year, share)
        assert after["value"] == pytest.approx(before["value"] * factor)
        assert after["estimate"]
    germany = figure(frame, "DEU", 2024, share)
    assert not germany["estimate"] and germany["value"] == before["value"]
    cell = figure(nato_2024, "DEU", 2024, share)["locator"]
    assert cell == "TABLE3!N21"
    assert germany["locator"] == "Table 3!N23"  # renamed, and two rows down
    poland = figure(frame, "POL", 2024, share)
    assert poland["value"] == POLAND_2024_REVISED
    cell = figure(nato_2024, "USA", 2024, "military_personnel")["locator"]
    assert cell.startswith("TABLE7!O")  # 2014-2024e in E..O; 2025e and 2026e added in P and Q
    personnel = figure(frame, "USA", 2026, "military_personnel")
    assert personnel["locator"] == cell.replace("TABLE7!O", "Table 7!Q")


def test_nato_header_and_notes_that_disagree_mark_an_estimate_and_warn(tmp_path: Path) -> None:
    def unmark(book: openpyxl.Workbook) -> None:
        book["TABLE2"]["N8"] = 2024  # the note still says 2024 is an estimate

    parsed = nato.parse(rewrite(reference_file(NATO_TABLES), tmp_path / "v.xlsx", unmark))
    usa = figure(parsed.observations, "USA", 2024, "defence_expenditure", price_basis="current",
                 exchange_basis="market")  # fmt: skip
    assert usa["estimate"]
    [warning] = parsed.report.problems
    assert (warning.sheet, warning.row, warning.column) == ("TABLE2", 8, "N")
    assert "C80" in warning.message


def test_nato_extra_table_is_named_and_not_imported(
    tmp_path: Path, nato_2024: pd.DataFrame
) -> None:
    def add_table(book: openpyxl.Workbook) -> None:
        extra = book.copy_worksheet(book["TABLE3"])
        extra.title = "TABLE9"
        extra["B4"] = "Table 9 : Defence- and security-related expenditure"

    parsed = nato.parse(rewrite(reference_file(NATO_TABLES), tmp_path / "v.xlsx", add_table))
    pd.testing.assert_frame_equal(parsed.observations, nato_2024)
    [warning] = parsed.report.problems
    assert (warning.sheet, warning.row, warning.column) == ("TABLE9", 4, "B")


@pytest.mark.parametrize(
    ("change", "sheet", "cell", "message", "expected"),
    [
        pytest.param(
            lambda book: book["TABLE3"].__setitem__("B4", "Table 3 : Military mobility"),
            "TABLE3", "B4", "title of table 3 not recognised", "as a share of",
            id="title-renamed-beyond-recognition",
        ),
        pytest.param(
            lambda book: book["TABLE3"].__setitem__("B6", "Based on current exchange rates"),
            "TABLE3", "B4", "base year of constant prices not found", "Based on 2015 prices",
            id="no-base-year",
        ),
        pytest.param(
            lambda book: book["TABLE5"].__setitem__("H8", "2016"),
            "TABLE5", "H8", "do not increase", "a year after 2017", id="years-out-of-order",
        ),
        pytest.param(
            lambda book: book["TABLE8a"].__setitem__("B43", "Personnel and pensions"),
            "TABLE8a", None, "block of table 8a not found", "personnel", id="block-label-renamed",
        ),
    ],
)  # fmt: skip
def test_nato_layout_it_cannot_place_is_refused(
    tmp_path: Path,
    change: Callable[[openpyxl.Workbook], None],
    sheet: str,
    cell: str | None,
    message: str,
    expected: str,
) -> None:
    path = rewrite(reference_file(NATO_TABLES), tmp_path / "variant.xlsx", change)
    problems = refusal(nato.parse, path).report.problems
    problem = next(p for p in problems if message in p.message)  # once per block at most
    assert problem.sheet == sheet
    assert (f"{problem.column}{problem.row}" if cell else None) == cell
    assert expected in problem.expected


def test_nato_figures_under_a_year_not_read_as_one_are_refused(tmp_path: Path) -> None:
    def starred(book: openpyxl.Workbook) -> None:
        sheet = book["TABLE3"]
        sheet["O8"] = "2025 e*"
        copy_column(sheet, 8, 14, 15, 1.05)  # N -> O

    path = rewrite(reference_file(NATO_TABLES), tmp_path / "v.xlsx", starred)
    problems = refusal(nato.parse, path).report.problems
    assert {(p.sheet, p.column) for p in problems} == {("TABLE3", "O")}
    assert {p.row for p in problems} >= {11, 45}  # Albania in both blocks
    assert problems[0].expected == "a year such as '2026e' in O8"


def test_nato_2026_without_a_release_date_is_refused(tmp_path: Path) -> None:
    def undated(book: openpyxl.Workbook) -> None:
        nato_2026(book)
        book.properties.created = dt.datetime(2025, 12, 1)

    path = rewrite(reference_file(NATO_TABLES), tmp_path / "undated.xlsx", undated)
    assert "cannot date this 2026 edition" in str(refusal(nato.parse, path))


# --- importing them: a new edition that queries prefer, and its revisions -----------------------


def test_imported_sipri_2026_is_preferred_and_diffed(sipri_variant: Path) -> None:
    summary = import_file(sipri_variant)
    try:
        assert (summary.status, summary.edition.edition) == ("imported", "2026-04")
        newest = observations("defence_expenditure", entities=["DEU"], years=[2024], source="sipri",
                              unit="million", price_basis="current")  # fmt: skip
        assert list(newest["edition"]) == ["2026-04"]
        assert float(newest["value"].iloc[0]) == GERMANY_2024_REVISED
        constant = observations("defence_expenditure", entities=["DEU"], years=[2025],
                                source="sipri", unit="million", currency="USD")  # fmt: skip
        assert set(constant["price_basis"]) == {"current", "constant_2024"}
        older = observations("defence_expenditure", entities=["DEU"], years=[2024],
                             edition="2025-04", unit="million", price_basis="current")  # fmt: skip
        assert float(older["value"].iloc[0]) == pytest.approx(88_458.5, abs=0.05)
        revisions = diff_editions("sipri", "2025-04", "2026-04", min_change=1.0)
        assert set(revisions["entity"]) == {"DEU"}  # the only figure revised by 1 or more
        assert list(revisions["value_b"]) == [GERMANY_2024_REVISED]
        assert list(revisions["value_a"]) == [pytest.approx(88_458.5, abs=0.05)]
        assert list(revisions["locator_b"]) == list(revisions["locator_a"])
        # `alliance data diff` prints the same revision.
        shown = CliRunner().invoke(app, ["data", "diff", "sipri", "2025-04", "2026-04",
                                         "--min-change", "1", "--format", "json"])  # fmt: skip
        assert shown.exit_code == 0, shown.output
        [row] = json.loads(shown.stdout)
        assert (row["entity"], row["year"], row["value_b"]) == ("DEU", 2024, GERMANY_2024_REVISED)
    finally:
        remove_edition("sipri", "2026-04")


def test_imported_nato_2026_is_preferred_and_diffed(nato_variant: Path) -> None:
    summary = import_file(nato_variant)
    try:
        assert (summary.status, summary.edition.edition) == ("imported", "2026-07")
        share = "defence_expenditure_share_gdp"
        newest = observations(share, entities=["POL"], years=[2024], source="nato")
        assert list(newest["edition"]) == ["2026-07"]  # over the shipped 2024-06 and 2025-08
        assert float(newest["value"].iloc[0]) == POLAND_2024_REVISED
        assert not newest["estimate"].iloc[0]
        assert list(newest["price_basis"]) == ["constant_2021"]
        projected = observations(share, entities=["POL"], years=[2026], source="nato")
        assert list(projected["edition"]) == ["2026-07"] and projected["estimate"].iloc[0]
        revisions = diff_editions("nato", "2024-06", "2026-07", min_change=0.1)
        poland = revisions[(revisions["entity"] == "POL") & (revisions["indicator"] == share)]
        assert list(poland["year"]) == [2024]
        assert poland["value_a"].iloc[0] == pytest.approx(4.12, abs=0.005)
        assert poland["value_b"].iloc[0] == POLAND_2024_REVISED
        assert (poland["estimate_a"].iloc[0], poland["estimate_b"].iloc[0]) == (True, False)
    finally:
        remove_edition("nato", "2026-07")
