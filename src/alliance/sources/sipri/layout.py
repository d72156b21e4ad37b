"""Which sheet of a SIPRI workbook holds which measure: found by the sheet's title, not its name.

`layouts/sipri.csv` has one row per measure: `title`, a regular expression searched in the
sheet's heading (the text above its row of years, whitespace collapsed, case ignored); `sheet`,
the sheet's name in the 2025 release, quoted in messages only; and what the figures are. A
`price_basis` of `constant` takes its base year from the heading ("in constant (2023) US$ m.",
"at constant 2023 prices"), so a release at 2024 prices is read as `constant_2024` without a
new row. A sheet renamed, moved or added is placed by its title; a title found in no sheet or
in two, or a base year that the title, subtitle and sheet name do not agree on, is refused with
the sheet and cell at fault.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

from alliance.sources.xlsx import CellValue, Row, column_letters
from alliance.validation import ValidationReport

MIN_HEADER_YEARS: Final = 5  # A header row holds at least this many consecutive years.
HEADING_ROWS_WITHOUT_HEADER: Final = 8  # where to look for a title when no year row is found
_BASE_YEAR: Final = re.compile(r"\bconstant\s*\(?\s*(\d{4})\s*\)?\s*(?:prices|US)", re.I)


@dataclass(frozen=True)
class SheetLayout:
    """One row of `layouts/sipri.csv`: which columns of a sheet hold which indicator."""

    title: str  # regex searched in the sheet's heading
    sheet: str  # the sheet's name in the 2025 release (for messages)
    columns: str  # 'years', or a regex on header text whose group 1 is the year
    indicator: str
    unit: str
    currency: str | None
    price_basis: str | None  # current | constant (base year from the heading) | None
    exchange_basis: str | None
    period: str
    scale: float
    name_header: str
    note_header: str
    note_prefix: str
    colours: dict[int, str]  # indexed font colour -> estimate_kind


@cache
def layouts() -> tuple[SheetLayout, ...]:
    text = resources.files("alliance.sources").joinpath("layouts", "sipri.csv").read_text("utf-8")
    return tuple(_layout_from_record(record) for record in csv.DictReader(text.splitlines()))


def _layout_from_record(record: dict[str, str]) -> SheetLayout:
    colours = {}
    for pair in filter(None, record["colours"].split(";")):
        index, kind = pair.split("=")
        colours[int(index)] = kind.strip()
    return SheetLayout(
        title=record["title"],
        sheet=record["sheet"],
        columns=record["columns"],
        indicator=record["indicator"],
        unit=record["unit"],
        currency=record["currency"] or None,
        price_basis=record["price_basis"] or None,
        exchange_basis=record["exchange_basis"] or None,
        period=record["period"],
        scale=float(record["scale"]),
        name_header=record["name_header"],
        note_header=record["note_header"],
        note_prefix=record["note_prefix"],
        colours=colours,
    )


def titles() -> dict[str, list[SheetLayout]]:
    """Title pattern -> the layouts of the sheet that carries it, in file order."""
    by_title: dict[str, list[SheetLayout]] = {}
    for layout in layouts():
        by_title.setdefault(layout.title, []).append(layout)
    return by_title


def normalised(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Header:
    row: int
    years: dict[int, int]  # column -> year
    labels: dict[str, int]  # header text -> column


@dataclass(frozen=True)
class Heading:
    """The text cells above a sheet's header row: (row, column letters, text)."""

    cells: tuple[tuple[int, str, str], ...]

    @property
    def text(self) -> str:
        return " ".join(normalised(text) for _, _, text in self.cells)

    @property
    def title_cell(self) -> tuple[int, str]:
        """Row and column of the title (the first text cell; A1 in an empty heading)."""
        return self.cells[0][:2] if self.cells else (1, "A")

    @property
    def title(self) -> str:
        return normalised(self.cells[0][2]) if self.cells else ""


def read_top(rows: Iterable[tuple[int, Row]]) -> tuple[Header | None, Heading]:
    """The header row (the first with MIN_HEADER_YEARS consecutive years) and the heading."""
    heading: list[tuple[int, str, str]] = []
    for row_number, row in rows:
        years = _year_run(row)
        if len(years) >= MIN_HEADER_YEARS:
            labels = {
                value.strip(): column
                for column, (value, _style) in row.items()
                if isinstance(value, str) and value.strip()
            }
            return Header(row_number, years, labels), Heading(tuple(heading))
        if row_number <= HEADING_ROWS_WITHOUT_HEADER or not heading:
            heading.extend(
                (row_number, column_letters(column), value)
                for column, (value, _style) in sorted(row.items())
                if isinstance(value, str) and value.strip()
            )
    return None, Heading(tuple(heading))


def _year_run(row: Row) -> dict[int, int]:
    best: dict[int, int] = {}
    run: dict[int, int] = {}
    previous: tuple[int, int] | None = None
    for column in sorted(row):
        value: CellValue = row[column][0]
        year = _year(value)
        if year is None or not 1800 <= year <= 2200:
            run, previous = {}, None
            continue
        if previous is None or (column, year) != (previous[0] + 1, previous[1] + 1):
            run = {}
        run[column] = year
        previous = (column, year)
        if len(run) > len(best):
            best = dict(run)
    return best


def _year(value: CellValue) -> int | None:
    """1949.0 or '2025' (a year written as text) -> the year; None for anything else."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if len(text) == 4 and text.isdigit() else None


def matching_titles(heading: Heading) -> list[str]:
    text = heading.text
    return [title for title in titles() if re.search(title, text, re.I)]


def with_base_year(
    layout_group: list[SheetLayout], sheet: str, heading: Heading, report: ValidationReport
) -> list[SheetLayout] | None:
    """The layouts with `constant` made `constant_<base year>`; None if it cannot be placed."""
    if not any(layout.price_basis == "constant" for layout in layout_group):
        return layout_group
    found: dict[int, list[tuple[int, str] | None]] = {}  # year -> cells (None: sheet name)
    for row, column, text in heading.cells:
        for match in _BASE_YEAR.finditer(text):
            found.setdefault(int(match.group(1)), []).append((row, column))
    if named := _BASE_YEAR.search(sheet):
        found.setdefault(int(named.group(1)), []).append(None)
    if not found:
        row, column = heading.title_cell
        report.add(
            "base year of constant prices not found in the title or subtitle",
            expected="a heading such as 'in constant (2023) US$' or "
            "'at constant 2023 prices and exchange rates'",
            sheet=sheet,
            row=row,
            column=column,
            value=heading.title,
        )
        return None
    if len(found) > 1:
        places = "; ".join(
            f"{year} in " + ", ".join(f"{c[1]}{c[0]}" if c else "the sheet name" for c in cells)
            for year, cells in sorted(found.items())
        )
        first = next(cell for cells in found.values() for cell in cells if cell)
        report.add(
            f"two base years for constant prices: {places}",
            expected="one base year in the title, the subtitle and the sheet name",
            sheet=sheet,
            row=first[0],
            column=first[1],
            value=places,
        )
        return None
    base = f"constant_{next(iter(found))}"
    return [
        dataclasses.replace(layout, price_basis=base)
        if layout.price_basis == "constant"
        else layout
        for layout in layout_group
    ]
