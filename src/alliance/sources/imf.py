"""IMF World Economic Outlook figures exported from the IMF DataMapper (`imf-dm-export-*`).

Two file types, one layout: the legacy `.xls` (one sheet named by the indicator code; pandas'
default engine calls it corrupt, calamine reads it) and the CSV export (UTF-8 with BOM). Row 1 is
the indicator label followed by the years; then country rows (IMF names, some with trailing
spaces, no ISO codes), group rows, a blank row and the footer `©IMF, YYYY`. `no data` cells
produce no row. Names map to entities through `names/imf.csv`; IMF groups are `imf:<CODE>`
aggregates (imf:EU, imf:EURO_AREA, imf:G7, imf:WORLD ...).

Edition: the export does not say which WEO (April or October) it comes from, nor where the
projections start. The caller passes `edition` ('2025-10' for WEO October 2025); without it the
edition is the footer year alone ('2025'), which sorts before both WEOs of that year and says
no more than the file does. Years after `last_actual_year` are IMF projections
(estimate_kind 'projection'); by default the last actual year is the edition's year minus one,
which holds for both WEO releases (October 2025: actuals to 2024, projections 2025-2030).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from alliance.errors import AllianceError
from alliance.provenance import Edition, sha256_of
from alliance.sources import ParsedFile
from alliance.sources.names import resolve
from alliance.sources.tabular import (
    EDITION_ID,
    csv_lines,
    observation_frame,
    parse_number,
    read_text,
    refuse_if_empty,
    refuse_oversized,
)
from alliance.validation import ValidationReport

KIND: Final = "imf"
# DataMapper exports of one indicator are about 0.2 MB; the full WEO database (4 MB and more) has
# a different layout and is not read here.
MAX_BYTES: Final = 8 * 1024 * 1024

NO_DATA: Final = "no data"
FOOTER: Final = re.compile(r"^©IMF, (?P<year>\d{4})$")
OLE2_MAGIC: Final = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC: Final = b"PK\x03\x04"
PUBLISHER: Final = "International Monetary Fund"
LICENCE: Final = (
    "IMF copyright; reuse with attribution under the IMF terms of use "
    "(https://www.imf.org/external/terms.htm); not an open licence"
)
WEO_MONTHS: Final = {"04": "April", "10": "October"}

Grid = list[list[Any]]


@dataclass(frozen=True)
class IndicatorLayout:
    """One DataMapper indicator (layouts/imf.csv): its label in A1 and our columns."""

    code: str
    label: str
    indicator: str
    unit: str
    currency: str | None
    price_basis: str | None
    exchange_basis: str | None


@cache
def indicator_layouts() -> dict[str, IndicatorLayout]:
    """Layouts keyed by the label the export prints in its first cell."""
    text = resources.files("alliance.sources").joinpath("layouts", "imf.csv").read_text("utf-8")
    layouts = [
        IndicatorLayout(
            code=row["code"],
            label=row["label"],
            indicator=row["indicator"],
            unit=row["unit"],
            currency=row["currency"] or None,
            price_basis=row["price_basis"] or None,
            exchange_basis=row["exchange_basis"] or None,
        )
        for row in csv.DictReader(text.splitlines())
    ]
    return {layout.label: layout for layout in layouts}


@dataclass
class Export:
    """A DataMapper export read into a grid, with how to name a cell's place in the file."""

    grid: Grid
    locate: Callable[[int, int], str]  # (0-based row, 0-based column) -> locator
    sheet: str | None  # the xls sheet name; None for the CSV export
    line_numbers: list[int]  # 1-based file row of each grid row


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _read_workbook(path: Path, report: ValidationReport, zipped: bool) -> Export:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, XmlError, ZipError

    from alliance.sources import xlsx

    if zipped:  # calamine builds a dense grid to the farthest cell, and aborts if it cannot
        xlsx.check_sheets(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.sheet_names[0]
        loaded = workbook.get_sheet_by_name(sheet)
        xlsx.check_grid(sheet, loaded.height, loaded.width)
        grid = loaded.to_python()
    except (CalamineError, PasswordError, XmlError, ZipError, IndexError) as error:
        report.add(
            f"unreadable workbook: {error}",
            expected="an IMF DataMapper export (.xls) that Excel can open",
        )
        report.raise_if_failed()
        raise AssertionError("unreachable") from error
    return Export(
        grid=grid,
        locate=lambda row, column: f"{sheet}!{_column_letter(column)}{row + 1}",
        sheet=sheet,
        line_numbers=list(range(1, len(grid) + 1)),
    )


def _read_csv(path: Path, report: ValidationReport) -> Export:
    text = read_text(path, MAX_BYTES, report, "an IMF DataMapper export (CSV)")
    numbered = list(csv_lines(text))
    numbers = [number for number, _ in numbered]
    return Export(
        grid=[fields for _, fields in numbered],
        locate=lambda row, _column: f"line {numbers[row]}",
        sheet=None,
        line_numbers=numbers,
    )


def _read(path: Path, report: ValidationReport) -> Export:
    refuse_oversized(path, MAX_BYTES, report)
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic in (OLE2_MAGIC, ZIP_MAGIC):
        return _read_workbook(path, report, zipped=magic == ZIP_MAGIC)
    return _read_csv(path, report)


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _footer_year(grid: Grid) -> int | None:
    filled = [row for row in grid if any(_text(cell) for cell in row)]
    match = FOOTER.match(_text(filled[-1][0])) if filled and filled[-1] else None
    return int(match["year"]) if match else None


def sniff(path: Path) -> bool:
    """True for a DataMapper export: its last filled row is the `©IMF, YYYY` footer."""
    path = Path(path)
    try:
        export = _read(path, ValidationReport.for_path(path))
    except (AllianceError, OSError, csv.Error):  # sniffing answers no, it does not refuse
        return False
    return _footer_year(export.grid) is not None


def parse(
    path: Path, *, edition: str | None = None, last_actual_year: int | None = None
) -> ParsedFile:
    """Parse a DataMapper export; see the module docstring for `edition` and `last_actual_year`."""
    path = Path(path)
    report = ValidationReport.for_path(path)
    export = _read(path, report)
    grid = export.grid
    if not grid or not any(_text(cell) for row in grid for cell in row):
        report.add("empty file", expected="an IMF DataMapper export")
        report.raise_if_failed()
    layout = _layout(export, report)
    years = _years(export, report)
    footer_year = _footer_year(grid)
    if footer_year is None:
        report.add(
            "no '©IMF, YYYY' footer after the last row: truncated, or not a DataMapper export",
            expected="©IMF, YYYY as the last filled row",
            sheet=export.sheet,
        )
    report.raise_if_failed()
    assert layout is not None and footer_year is not None
    edition_id = _edition_id(edition, footer_year, report)
    last_actual = int(edition_id[:4]) - 1 if last_actual_year is None else last_actual_year
    records = _records(export, layout, years, edition_id, last_actual, report)
    refuse_if_empty(records, report, "at least one figure")
    report.raise_if_failed()
    return ParsedFile.from_frame(
        edition=_edition_record(path, edition_id, layout, last_actual, last_actual_year),
        frame=observation_frame(records),
        report=ValidationReport.for_path(path),
    )


def _layout(export: Export, report: ValidationReport) -> IndicatorLayout | None:
    layouts = indicator_layouts()
    label = _text(export.grid[0][0]) if export.grid[0] else ""
    layout = layouts.get(label)
    if layout is None:
        known = "; ".join(f"{item.code}: {item.label!r}" for item in layouts.values())
        report.add(
            "first cell is not the label of a known IMF DataMapper indicator",
            expected=known,
            sheet=export.sheet,
            row=export.line_numbers[0],
            column="A",
            value=label,
        )
    elif export.sheet is not None and export.sheet != layout.code:
        report.add(
            f"sheet name differs from the indicator code of label {label!r}",
            expected=layout.code,
            sheet=export.sheet,
            value=export.sheet,
        )
    return layout


def _years(export: Export, report: ValidationReport) -> dict[int, int]:
    """Column index -> year, from the first row; empty trailing cells are allowed."""
    years: dict[int, int] = {}
    header = export.grid[0]
    for column, cell in enumerate(header[1:], start=1):
        text = _text(cell)
        if not text:
            continue
        value = parse_number(text)
        if value is None or value != int(value) or not 1900 <= value <= 2100:
            report.add(
                "year header is not a year",
                expected="a year such as 1980",
                sheet=export.sheet,
                row=export.line_numbers[0],
                column=_column_letter(column),
                value=text,
            )
            continue
        years[column] = int(value)
    if not years:
        report.add("no year columns in the first row", expected="1980, 1981, ...")
    return years


def _edition_id(given: str | None, footer_year: int, report: ValidationReport) -> str:
    if given is None:
        return str(footer_year)
    if not EDITION_ID.match(given):
        report.add("malformed edition id", expected="YYYY-MM, e.g. 2025-10", value=given)
    elif int(given[:4]) != footer_year:
        report.add(
            f"edition {given!r} contradicts the file's footer '©IMF, {footer_year}'",
            expected=f"an edition of {footer_year}",
            value=given,
        )
    report.raise_if_failed()
    return given


def _records(
    export: Export,
    layout: IndicatorLayout,
    years: dict[int, int],
    edition: str,
    last_actual: int,
    report: ValidationReport,
) -> list[dict[str, Any]]:
    template = {
        "source_id": KIND,
        "edition": edition,
        "dataset": layout.code,
        "indicator": layout.indicator,
        "unit": layout.unit,
        "currency": layout.currency,
        "price_basis": layout.price_basis,
        "exchange_basis": layout.exchange_basis,
        "definition": KIND,
        "period": "calendar",
        "missing": None,
        "note": None,
    }
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    sheet = export.sheet
    for index, row in enumerate(export.grid[1:], start=1):
        name = _text(row[0]) if row else ""
        line = export.line_numbers[index]
        if not any(_text(cell) for cell in row) or FOOTER.match(name):
            continue
        entity = resolve(name, KIND, report, sheet=sheet, row=line, column="A")
        if entity and entity in seen:
            report.add(
                f"{name!r} appears twice (first in row {seen[entity]})",
                expected="each country or group once",
                sheet=sheet,
                row=line,
                column="A",
                value=name,
            )
            continue
        if entity:
            seen[entity] = line
        for column, year in years.items():
            cell = row[column] if column < len(row) else None
            value = _value(cell, report, sheet, line, column)
            if value is None or not entity:
                continue
            projection = year > last_actual
            records.append(
                {
                    **template,
                    "entity": entity,
                    "year": year,
                    "value": value,
                    "estimate": projection,
                    "estimate_kind": "projection" if projection else None,
                    "locator": export.locate(index, column),
                }
            )
    return records


def _value(
    cell: Any, report: ValidationReport, sheet: str | None, line: int, column: int
) -> float | None:
    """The cell's number; None for `no data` or a problem (recorded)."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return float(cell)
    text = _text(cell)
    if text == NO_DATA:
        return None
    value = parse_number(text) if text else None
    if value is None:
        report.add(
            "not a number" if text else "empty cell (truncated row?)",
            expected="a number or 'no data'",
            sheet=sheet,
            row=line,
            column=_column_letter(column),
            value=text,
        )
    return value


def _edition_record(
    path: Path, edition: str, layout: IndicatorLayout, last_actual: int, given_last: int | None
) -> Edition:
    year, _, month = edition.partition("-")
    weo_month = WEO_MONTHS.get(month[:2])
    if weo_month:
        url = f"https://www.imf.org/en/Publications/WEO/weo-database/{year}/{weo_month}"
        release = f"{weo_month} {year}"
    else:
        url = f"https://www.imf.org/external/datamapper/{layout.code}"
        release = f"{year} (the export does not say which release)"
    how = "given by the caller" if given_last is not None else "the edition year minus one"
    return Edition(
        source_id=KIND,
        edition=edition,
        dataset=layout.code,
        publisher=PUBLISHER,
        title=f"World Economic Outlook, {release}, via the IMF DataMapper: {layout.label}",
        published=edition if weo_month else None,
        url=url,
        licence=LICENCE,
        citation=f"International Monetary Fund. World Economic Outlook Database, {release}. {url}",
        file_name=path.name,
        sha256=sha256_of(path),
        notes=(
            f"Years after {last_actual} ({how}) are IMF projections; the export itself does not "
            "mark them. 'no data' cells produce no rows. Groups are imf:<CODE> entities."
        ),
    )
