"""A NATO tables sheet as read by `alliance.sources.xlsx`, and what its text cells say.

Positions are found by content: the title is the first cell reading "Table <n>", the year header
the first visible row below it with two or more year labels (2014, '2019', '2024e'), the
subtitle the text between them, and the notes ("Figures for 2023 and 2024 are estimates") the
text below. Rows NATO hid (the `#REF!` rows of the June 2024 tables) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from alliance.sources.nato.layout import TABLE_ID
from alliance.sources.xlsx import CellError, CellValue, NotAWorkbook, XlsxReader
from alliance.validation import ValidationReport

TITLE_ROWS: Final = 40  # a table's title stands in its first rows
_YEAR_TEXT: Final = re.compile(r"(\d{4})\s*(e?)(?!.*\d{4})", re.IGNORECASE)
_BARE_YEAR: Final = re.compile(r"^(\d{4})\s*(e?)$", re.IGNORECASE)
_LABEL_WITH_CURRENCY: Final = re.compile(r"^(?P<name>.*?)\s*\((?P<currency>[^()]+)\)\s*$")
_ESTIMATE_NOTE: Final = re.compile(
    r"figures? for ((?:\d{4}(?:\s*,\s*|\s+and\s+|\s*-\s*)?)+)\s+(?:are|is)\s+(?:an\s+)?estimates?",
    re.I,
)
_BASE_YEAR: Final = re.compile(r"\b(\d{4}) prices\b", re.I)
_REPORT_TITLE: Final = re.compile(
    r"(Defen[cs]e \w+ of NATO Countries)\s*\((\d{4})\s*[-\u2013]\s*(\d{4})e?\)", re.I
)


@dataclass
class Sheet:
    """Cell values of one sheet (rows and columns from 1, as Excel numbers them)."""

    name: str
    rows: dict[int, dict[int, CellValue]]
    hidden_rows: frozenset[int] = frozenset()
    height: int = field(init=False)
    width: int = field(init=False)

    def __post_init__(self) -> None:
        self.height = max(self.rows, default=0)
        self.width = max((max(row, default=0) for row in self.rows.values()), default=0)

    def cell(self, row: int, column: int) -> CellValue:
        """The value at (`row`, `column`): float, str (CellError for '#REF!') or None."""
        return self.rows.get(row, {}).get(column)

    def text(self, row: int, column: int) -> str:
        value = self.cell(row, column)
        if isinstance(value, CellError) or not isinstance(value, str):
            return ""
        return value.replace("\xa0", " ").strip()

    def visible_rows(self, start: int = 1, stop: int | None = None) -> list[int]:
        last = self.height if stop is None else min(stop, self.height)
        return [row for row in range(start, last + 1) if row not in self.hidden_rows]

    def texts(self, start: int, stop: int | None = None) -> list[tuple[int, int, str]]:
        """(row, column, text) of the visible text cells from row `start` to `stop`."""
        return [
            (row, column, text)
            for row in self.visible_rows(start, stop)
            for column in sorted(self.rows.get(row, {}))
            if (text := self.text(row, column))
        ]


@dataclass
class Workbook:
    sheets: dict[str, Sheet]  # in the workbook's order
    created: str | None  # docProps/core.xml dcterms:created, ISO 8601


def read_workbook(path: Path, report: ValidationReport) -> Workbook | None:
    """Every sheet of the xlsx at `path`; None (problem recorded) if it cannot be read."""
    try:
        with XlsxReader(path) as reader:
            sheets = {}
            for name in reader.sheet_parts:
                rows = {
                    number: {column: value for column, (value, _style) in cells.items()}
                    for number, cells in reader.rows(name).items()
                }
                sheets[name] = Sheet(name, rows, reader.hidden_rows(name))
            created = reader.created
    except (NotAWorkbook, ValueError, KeyError, IndexError) as error:
        report.add(
            f"not a readable xlsx workbook (truncated or corrupt): {type(error).__name__}",
            expected="a complete .xlsx file as NATO publishes it",
            value=str(error),
        )
        return None
    return Workbook(sheets, created)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip().lower()


def header_year(value: object) -> tuple[int, bool] | None:
    """2014 -> (2014, False); '2019' -> (2019, False); '2024e' -> (2024, True); texts such as
    'Real change 2014-2024e (%)' -> their last year. None if the cell names no year."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if float(value).is_integer() and 1900 <= value <= 2100:
            return int(value), False
        return None
    if isinstance(value, str):
        match = _YEAR_TEXT.search(value)
        if match and 1900 <= int(match.group(1)) <= 2100:
            return int(match.group(1)), bool(match.group(2))
    return None


def bare_year(value: CellValue) -> tuple[int, bool] | None:
    """A cell that is only a year label: 2014, '2019' or '2024e' (not 'Real change 2014-2024e')."""
    if isinstance(value, str) and not _BARE_YEAR.match(value.strip()):
        return None
    return header_year(value.strip() if isinstance(value, str) else value)


def split_label(raw: str) -> tuple[str, str | None, str]:
    """'Czechia*   (Koruny)' -> ('Czechia*', 'Koruny', '*'): name, currency name, footnote."""
    text = raw.replace("\xa0", " ").strip()
    currency = None
    if match := _LABEL_WITH_CURRENCY.match(text):
        text, currency = match.group("name").strip(), match.group("currency").strip()
    footnote = text[len(text.rstrip("*")) :]
    return text, currency, footnote


@dataclass(frozen=True)
class Title:
    row: int
    column: int
    text: str  # whitespace collapsed
    table: str  # '3', '8a'


def find_title(sheet: Sheet) -> Title | None:
    """The first text cell of the sheet's first rows that reads 'Table <n>'."""
    for row, column, text in sheet.texts(1, TITLE_ROWS):
        if match := TABLE_ID.match(text):
            return Title(row, column, " ".join(text.split()), match.group(1).lower())
    return None


@dataclass(frozen=True)
class Header:
    row: int
    labels: dict[int, CellValue]  # column -> header cell value, for every non-empty cell
    years: dict[int, tuple[int, bool]]  # column -> (year, marked 'e'), the bare year labels


def find_header(sheet: Sheet, below: int) -> Header | None:
    """The first visible row below `below` with two or more bare year labels."""
    for row in sheet.visible_rows(below + 1):
        cells = sheet.rows.get(row, {})
        years = {c: year for c in sorted(cells) if (year := bare_year(cells[c])) is not None}
        if len(years) >= 2:
            labels: dict[int, CellValue] = {c: v for c, v in cells.items() if v not in (None, "")}
            return Header(row, labels, years)
    return None


def base_years(texts: list[tuple[int, int, str]]) -> dict[int, tuple[int, int]]:
    """Base years of constant prices named in these texts -> (row, column) where first named."""
    found: dict[int, tuple[int, int]] = {}
    for row, column, text in texts:
        for match in _BASE_YEAR.finditer(text):
            found.setdefault(int(match.group(1)), (row, column))
    return found


def estimate_years(sheet: Sheet, header: Header) -> tuple[set[int], tuple[int, int] | None]:
    """Years the sheet's notes call estimates ("Figures for 2023 and 2024 are estimates"),
    and where that note stands (None when the sheet has no such note)."""
    for row, column, text in sheet.texts(header.row + 1):
        if match := _ESTIMATE_NOTE.search(text):
            named = [int(year) for year in re.findall(r"\d{4}", match.group(1))]
            if re.search(r"\d{4}\s*-\s*\d{4}", match.group(1)) and len(named) == 2:
                named = list(range(named[0], named[1] + 1))
            return set(named), (row, column)
    return set(), None


def report_title(workbook: Workbook) -> tuple[str, int, int] | None:
    """'Defence Investment of NATO Countries', 2014, 2026 when a sheet's text names the report."""
    for sheet in workbook.sheets.values():
        for _, _, text in sheet.texts(1, TITLE_ROWS):
            if match := _REPORT_TITLE.search(text):
                return match.group(1), int(match.group(2)), int(match.group(3))
    return None
