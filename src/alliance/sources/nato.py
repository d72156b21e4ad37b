"""NATO 'Defence Expenditure of NATO Countries': the Excel tables and transcriptions of the report.

Two kinds of file are read, recognised by content:

- The official tables workbook (sheets `TABLE1` ... `TABLE8b` in June 2024; `Table 1` ... in 2025
  and later). Where each table, block, unit and price basis stands is DATA in
  `layouts/nato.csv`, one row per block; a new edition's layout is new rows, not new code. The
  year header, block labels and country rows are located by content; the layout's positions are
  what is expected and what error messages quote.
- A CSV transcription of the report's '% of GDP' table (`country,2014,...,2024e,2025e`).

Edition rule (`YYYY-MM`): the report year is the last year in the tables' headers (2014-2024 ->
2024); the month comes from the workbook's creation date in docProps/core.xml when that date
falls in the report year (June 2024 tables: created 2024-06-14 -> `2024-06`), otherwise from
`KNOWN_RELEASES`. A transcription has no metadata, so its month comes from `KNOWN_RELEASES`.
The file name (`240617-...`) is never used.

Table 4 repeats Table 2 (constant prices) and Table 3 (share of GDP) for 2014 and 2024e: those
figures are compared with the emitted ones (a disagreement is a warning) and not emitted twice.
Its cumulative real change 2014-2024e has no indicator in the schema and is read and validated
but not emitted (the layout's `role` column says so per block).

The press-quoted 2025 figures (`nato_2025e_pct_gdp_PARTIAL_from_press.csv`) are all in the
transcription, so they are never imported: `cross_check_press` compares them with it.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from alliance.provenance import Edition, sha256_of
from alliance.schema import split_locator
from alliance.sources import ParsedFile
from alliance.sources.names import SKIP, clean_name, resolve
from alliance.validation import ValidationReport

if TYPE_CHECKING:
    import pandas as pd

KIND: Final = "nato"
SOURCE_ID: Final = "nato"
# The June 2024 tables are 180 kB; anything this large is not a NATO tables file.
MAX_FILE_BYTES: Final = 20 * 1024 * 1024

PUBLISHER: Final = "NATO Public Diplomacy Division"
LICENCE: Final = "NATO content-use terms: credit NATO; no sale or advertising"
TABLES_DATASET: Final = "tables"
TRANSCRIPTION_DATASET: Final = "share-of-gdp-transcription"


@dataclass(frozen=True)
class Release:
    """A NATO release of the report, as NATO published it (hand-entered, with its URLs).

    A URL stays None unless it is known from a source (SOURCES.md §4, §5 and the transcription's
    provenance); it is never built from a pattern.
    """

    published: str
    tables_url: str | None
    report_url: str | None

    @property
    def url(self) -> str:
        return self.tables_url or self.report_url or ""


KNOWN_RELEASES: Final[dict[int, Release]] = {
    2024: Release(
        published="2024-06-17",
        tables_url="https://www.nato.int/nato_static_fl2014/assets/pdf/2024/6/pdf/"
        "240617-def-exp-2024-TABLES-en.xlsx",
        report_url=None,
    ),
    2025: Release(
        published="2025-08-28",
        tables_url=None,
        report_url="https://www.nato.int/content/dam/nato/webready/documents/finance/"
        "def-exp-2025-en.pdf",
    ),
}


@dataclass(frozen=True)
class Transcription:
    """Who transcribed a NATO table into CSV, for the citation (keyed by the file's sha256)."""

    transcriber: str
    origin: str


KNOWN_TRANSCRIPTIONS: Final[dict[str, Transcription]] = {
    "02c6200d15aa938f41fdc431ddca3653d147fe1b096005aa024327c9f0aac135": Transcription(
        transcriber="Datavisualiatie-UGent/project-dv26-2",
        origin="https://github.com/Datavisualiatie-UGent/project-dv26-2 at commit 497fd8f4 "
        "(497fd8f44e1a26124cbb5a20c97861dffa48a2fb), "
        "src/data-exploration/observable-exploration/files/7650b0b4...cb20.csv",
    ),
}

# Table 1 names each Ally's currency in its label; ISO 4217 where the name is unambiguous.
CURRENCY_NAMES: Final[dict[str, str]] = {
    "Leks": "ALL",
    "Euros": "EUR",
    "Leva": "BGN",
    "Canadian dollars": "CAD",
    "Koruny": "CZK",
    "Forint": "HUF",
    "Denars": "MKD",
    "Zlotys": "PLN",
    "New Lei": "RON",
    "Kronor": "SEK",
    "Liras": "TRY",
    "Pounds": "GBP",
    "US dollars": "USD",
}
# 'Kroner' is both the Danish and the Norwegian currency.
CURRENCY_NAMES_BY_ENTITY: Final[dict[tuple[str, str], str]] = {
    ("DNK", "Kroner"): "DKK",
    ("NOR", "Kroner"): "NOK",
}

_XLSX_SUFFIXES: Final = frozenset({".xlsx", ".xlsm"})
_ZIP_MAGIC: Final = b"PK\x03\x04"
_YEAR_TEXT: Final = re.compile(r"(\d{4})\s*(e?)(?!.*\d{4})", re.IGNORECASE)
_LABEL_WITH_CURRENCY: Final = re.compile(r"^(?P<name>.*?)\s*\((?P<currency>[^()]+)\)\s*$")
_TRANSCRIPTION_YEAR: Final = re.compile(r"^(\d{4})(e?)$")
_SHARE_INDICATORS: Final = frozenset(
    {
        "defence_expenditure_share_gdp",
        "equipment_share",
        "personnel_share",
        "infrastructure_share",
        "other_share",
    }
)


# --- layout -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """What a figure measures: everything in its key but who, when and where from."""

    indicator: str
    unit: str
    currency: str | None
    price_basis: str | None
    exchange_basis: str | None


@dataclass(frozen=True)
class BlockLayout:
    """One block of one table, as `layouts/nato.csv` describes it."""

    layout: str
    sheet: str
    table: str
    block: int
    title_cell: str
    title_prefix: str
    block_label: str
    indicator: str
    unit: str
    currency: str | None
    price_basis: str | None
    exchange_basis: str | None
    header_row: int | None
    label_column: str
    aggregate_label_column: str
    first_value_column: str
    last_value_column: str
    expected_entities: int | None
    role: str  # emit | check | skip
    note: str

    @property
    def measure(self) -> Measure:
        return Measure(
            self.indicator, self.unit, self.currency, self.price_basis, self.exchange_basis
        )

    @property
    def span(self) -> int:
        return column_index(self.last_value_column) - column_index(self.first_value_column) + 1


@cache
def layouts() -> tuple[BlockLayout, ...]:
    text = resources.files("alliance.sources").joinpath("layouts", "nato.csv").read_text("utf-8")
    return tuple(_block_layout(row) for row in csv.DictReader(io.StringIO(text)))


def _block_layout(row: dict[str, str]) -> BlockLayout:
    def optional(name: str) -> str | None:
        return row[name].strip() or None

    def optional_int(name: str) -> int | None:
        return int(row[name]) if row[name].strip() else None

    return BlockLayout(
        layout=row["layout"],
        sheet=row["sheet"],
        table=row["table"],
        block=int(row["block"]),
        title_cell=row["title_cell"],
        title_prefix=row["title_prefix"],
        block_label=row["block_label"],
        indicator=row["indicator"],
        unit=row["unit"],
        currency=optional("currency"),
        price_basis=optional("price_basis"),
        exchange_basis=optional("exchange_basis"),
        header_row=optional_int("header_row"),
        label_column=row["label_column"],
        aggregate_label_column=row["aggregate_label_column"],
        first_value_column=row["first_value_column"],
        last_value_column=row["last_value_column"],
        expected_entities=optional_int("expected_entities"),
        role=row["role"],
        note=row["note"],
    )


def layout_names() -> list[str]:
    return sorted({block.layout for block in layouts()})


def column_index(letters: str) -> int:
    """'A' -> 0, 'D' -> 3, 'AA' -> 26."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --- reading the workbook ---------------------------------------------------------------------


@dataclass
class Sheet:
    """Cell values (row 0 = spreadsheet row 1), hidden rows and error cells of one sheet."""

    name: str
    grid: list[list[Any]]
    hidden_rows: frozenset[int] = frozenset()  # 1-based
    error_cells: dict[str, str] = field(default_factory=dict)  # 'D42' -> '#REF!'

    def cell(self, row: int, column: int) -> Any:
        """Value at 1-based `row` and 0-based `column`; '' outside the used range."""
        if row < 1 or row > len(self.grid):
            return ""
        values = self.grid[row - 1]
        return values[column] if 0 <= column < len(values) else ""

    @property
    def height(self) -> int:
        return len(self.grid)

    def text(self, row: int, column: int) -> str:
        value = self.cell(row, column)
        return value.replace("\xa0", " ").strip() if isinstance(value, str) else ""


@dataclass
class Workbook:
    sheets: dict[str, Sheet]
    created: str | None  # docProps/core.xml dcterms:created, ISO 8601


def read_workbook(path: Path, report: ValidationReport) -> Workbook | None:
    """Every sheet of the xlsx at `path`; None (problem recorded) if it cannot be read."""
    import python_calamine

    try:
        with zipfile.ZipFile(path) as archive:
            hidden, errors = _sheet_xml_facts(archive)
            created = _created_date(archive)
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = {
            name: Sheet(
                name,
                book.get_sheet_by_name(name).to_python(skip_empty_area=False),
                hidden.get(name, frozenset()),
                errors.get(name, {}),
            )
            for name in book.sheet_names
        }
    except Exception as error:
        # zipfile, ElementTree and calamine each raise their own types for a damaged archive;
        # all mean the same here.
        report.add(
            f"not a readable xlsx workbook (truncated or corrupt): {type(error).__name__}",
            expected="a complete .xlsx file as NATO publishes it",
            value=str(error),
        )
        return None
    return Workbook(sheets, created)


def _sheet_xml_facts(
    archive: zipfile.ZipFile,
) -> tuple[dict[str, frozenset[int]], dict[str, dict[str, str]]]:
    """Hidden rows and error cells per sheet, read from the sheet XML.

    Calamine shows neither: it returns '' for an error cell such as '#REF!'.
    """
    hidden: dict[str, frozenset[int]] = {}
    errors: dict[str, dict[str, str]] = {}
    for name, member in _sheet_members(archive).items():
        xml = archive.read(member).decode("utf-8", errors="replace")
        rows = set()
        for attributes in re.findall(r"<row\b([^>]*)>", xml):
            number = re.search(r'\br="(\d+)"', attributes)
            if number and re.search(r'\bhidden="(?:1|true)"', attributes):
                rows.add(int(number.group(1)))
        hidden[name] = frozenset(rows)
        errors[name] = {
            reference: value
            for reference, value in re.findall(
                r'<c\b[^>]*?\br="([A-Z]+\d+)"[^>]*?\bt="e"[^>]*>\s*(?:<f[^<]*</f>|<f[^>]*/>)?'
                r"\s*<v>([^<]*)</v>",
                xml,
            )
        }
    return hidden, errors


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its XML, through workbook.xml and its relationships."""
    import xml.etree.ElementTree as ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relationship = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    members = {}
    for sheet in workbook.iter(f"{main}sheet"):
        target = targets.get(sheet.get(relationship), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        members[sheet.get("name", "")] = member
    return members


def _created_date(archive: zipfile.ZipFile) -> str | None:
    try:
        xml = archive.read("docProps/core.xml").decode("utf-8", errors="replace")
    except KeyError:
        return None
    match = re.search(r"<dcterms:created[^>]*>([^<]+)</dcterms:created>", xml)
    return match.group(1).strip() if match else None


# --- cells ------------------------------------------------------------------------------------


def header_year(value: Any) -> tuple[int, bool] | None:
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


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip().lower()


def split_label(raw: str) -> tuple[str, str | None, str]:
    """'Czechia*   (Koruny)' -> ('Czechia*', 'Koruny', '*'): name, currency name, footnote."""
    text = raw.replace("\xa0", " ").strip()
    currency = None
    if match := _LABEL_WITH_CURRENCY.match(text):
        text, currency = match.group("name").strip(), match.group("currency").strip()
    footnote = text[len(text.rstrip("*")) :]
    return text, currency, footnote


# --- parsing the tables workbook --------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    row: int
    first_column: int  # 0-based
    years: tuple[tuple[int, bool], ...]


@dataclass
class TablesResult:
    records: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    years: set[int]


def choose_layout(sheet_names: list[str]) -> str | None:
    """The layout whose sheets the workbook has most of; None when it has none of any."""
    present = set(sheet_names)
    scores = {
        name: len({b.sheet for b in layouts() if b.layout == name} & present)
        for name in layout_names()
    }
    best = max(scores, key=lambda name: scores[name])
    return best if scores[best] else None


def parse_tables(
    workbook: Workbook, report: ValidationReport, warnings: ValidationReport
) -> TablesResult:
    result = TablesResult([], [], set())
    layout = choose_layout(list(workbook.sheets))
    if layout is None:
        report.add(
            "not a NATO 'Defence Expenditure of NATO Countries' tables workbook: "
            f"sheets {', '.join(workbook.sheets)}",
            expected="sheets "
            + "; ".join(
                ", ".join(dict.fromkeys(b.sheet for b in layouts() if b.layout == name))
                for name in layout_names()
            ),
        )
        return result
    blocks = [b for b in layouts() if b.layout == layout]
    for sheet_name in dict.fromkeys(b.sheet for b in blocks):
        sheet_blocks = [b for b in blocks if b.sheet == sheet_name]
        if sheet_name not in workbook.sheets:
            report.add(
                f"sheet {sheet_name!r} is missing",
                expected=f"table {sheet_blocks[0].table} in a sheet named {sheet_name!r}",
                sheet=sheet_name,
            )
            continue
        _parse_sheet(workbook.sheets[sheet_name], sheet_blocks, result, report)
    _compare_checks(result, warnings)
    return result


def _parse_sheet(
    sheet: Sheet, blocks: list[BlockLayout], result: TablesResult, report: ValidationReport
) -> None:
    first = blocks[0]
    if not _find_title(sheet, first):
        report.add(
            f"title of table {first.table} not found",
            expected=f"a title starting {first.title_prefix!r} (in {first.title_cell})",
            sheet=sheet.name,
            value=_cell_text_at(sheet, first.title_cell),
        )
        return
    labels = {_normalise(b.block_label) for b in blocks if b.block_label}
    for block in blocks:
        header = _find_header(sheet, block)
        if header is None:
            expected_row = block.header_row or "?"
            report.add(
                f"year header of table {block.table} not found",
                expected=f"{block.span} years in {block.first_value_column}{expected_row}:"
                f"{block.last_value_column}{expected_row}, e.g. 2014 ... '2024e'",
                sheet=sheet.name,
                row=block.header_row,
            )
            continue
        if block.role != "skip":
            result.years.update(year for year, _ in header.years)
        _parse_block(sheet, block, header, labels, result, report)


def _find_title(sheet: Sheet, block: BlockLayout) -> bool:
    prefix = _normalise(block.title_prefix)

    def is_title(text: str) -> bool:
        text = _normalise(text)
        return text.startswith(prefix) and not text[len(prefix) : len(prefix) + 1].isalnum()

    if is_title(_cell_text_at(sheet, block.title_cell)):
        return True
    return any(
        is_title(sheet.text(row, column))
        for row in range(1, min(sheet.height, 40) + 1)
        for column in range(6)
    )


def _cell_text_at(sheet: Sheet, reference: str) -> str:
    match = re.match(r"^([A-Z]+)(\d+)$", reference)
    if not match:
        return ""
    return sheet.text(int(match.group(2)), column_index(match.group(1)))


def _find_header(sheet: Sheet, block: BlockLayout) -> Header | None:
    """The first visible row holding the block's years: in the layout's columns, else in the same
    number of columns anywhere (the columns moved)."""
    expected_column = column_index(block.first_value_column)
    rows = [r for r in range(1, sheet.height + 1) if r not in sheet.hidden_rows]
    for row in rows:
        if years := _years_at(sheet, row, expected_column, block.span):
            return Header(row, expected_column, years)
    width = max((len(values) for values in sheet.grid), default=0)
    for row in rows:
        for column in range(width - block.span + 1):
            if years := _years_at(sheet, row, column, block.span):
                return Header(row, column, years)
    return None


def _years_at(sheet: Sheet, row: int, column: int, span: int) -> tuple[tuple[int, bool], ...]:
    years: list[tuple[int, bool]] = []
    for offset in range(span):
        year = header_year(sheet.cell(row, column + offset))
        if year is None or (years and year[0] <= years[-1][0]):
            return ()
        years.append(year)
    return tuple(years)


def _parse_block(
    sheet: Sheet,
    block: BlockLayout,
    header: Header,
    block_labels: set[str],
    result: TablesResult,
    report: ValidationReport,
) -> None:
    shift = header.first_column - column_index(block.first_value_column)
    label_columns = (
        column_index(block.label_column) + shift,
        column_index(block.aggregate_label_column) + shift,
    )
    start = _block_start(sheet, block, header, label_columns, report)
    if start is None:
        return
    seen: dict[str, int] = {}
    for row in _block_rows(sheet, start, header, label_columns, block_labels):
        raw_label = next((sheet.text(row, c) for c in label_columns if sheet.text(row, c)), "")
        if not raw_label:
            report.add(
                "figures in a row without a country name",
                expected=f"a name in column {column_letters(label_columns[0])}",
                sheet=sheet.name,
                row=row,
                value=_first_figure(sheet, row, header),
            )
            continue
        name, currency_name, footnote = split_label(raw_label)
        label_column = column_letters(label_columns[0])
        entity = resolve(name, KIND, report, sheet=sheet.name, row=row, column=label_column)
        if entity is None or entity == SKIP:
            continue
        if entity in seen:
            report.add(
                f"{clean_name(name)!r} appears twice in table {block.table} block {block.block}",
                expected=f"one row per country (first at row {seen[entity]})",
                sheet=sheet.name,
                row=row,
                column=label_column,
                value=raw_label,
            )
            continue
        seen[entity] = row
        currency, note = _currency_and_note(block, entity, currency_name, footnote)
        for offset, (year, estimate) in enumerate(header.years):
            column = header.first_column + offset
            value = _cell_value(sheet, row, column, report)
            if value is _INVALID:
                continue
            record = _record(block.measure, entity, year, estimate, value, currency, note)
            record["locator"] = f"{sheet.name}!{column_letters(column)}{row}"
            if block.role == "emit":
                result.records.append(record)
            elif block.role == "check":
                result.checks.append(record)
    if block.expected_entities is not None and len(seen) != block.expected_entities:
        report.add(
            f"table {block.table} block {block.block} has {len(seen)} rows of countries "
            "and aggregates",
            expected=f"{block.expected_entities} (layout {block.layout})",
            sheet=sheet.name,
            row=start,
        )


def _first_figure(sheet: Sheet, row: int, header: Header) -> Any:
    for column in range(header.first_column, header.first_column + len(header.years)):
        if (shown := _error_at(sheet, row, column) or sheet.cell(row, column)) != "":
            return shown
    return None


def _block_start(
    sheet: Sheet,
    block: BlockLayout,
    header: Header,
    label_columns: tuple[int, int],
    report: ValidationReport,
) -> int | None:
    if not block.block_label:
        return header.row + 1
    wanted = _normalise(block.block_label)
    for row in range(1, sheet.height + 1):
        if row in sheet.hidden_rows:
            continue
        if any(_normalise(sheet.text(row, c)) == wanted for c in range(max(label_columns) + 1)):
            if row < header.row:
                report.add(
                    f"block {block.block_label!r} starts above the year header",
                    expected=f"the year header above it (header found at row {header.row}, "
                    f"layout says row {block.header_row})",
                    sheet=sheet.name,
                    row=row,
                )
                return None
            return row + 1
    report.add(
        f"block {block.block_label!r} of table {block.table} not found",
        expected=f"the label {block.block_label!r} in column "
        f"{column_letters(label_columns[1])} or {column_letters(label_columns[0])}",
        sheet=sheet.name,
    )
    return None


def _block_rows(
    sheet: Sheet,
    start: int,
    header: Header,
    label_columns: tuple[int, int],
    block_labels: set[str],
) -> Iterator[int]:
    """Visible rows of one block: from `start` to the first blank row, note or next block."""
    value_columns = range(header.first_column, header.first_column + len(header.years))
    started = False
    for row in range(start, sheet.height + 1):
        if row in sheet.hidden_rows:
            continue
        label = next((sheet.text(row, c) for c in label_columns if sheet.text(row, c)), "")
        blank = not label and all(
            sheet.cell(row, c) == "" and _error_at(sheet, row, c) is None for c in value_columns
        )
        if blank:
            if started:
                return
            continue
        if _normalise(label) in block_labels or _normalise(label).startswith("note"):
            return
        started = True
        yield row


_INVALID: Final = object()


def _error_at(sheet: Sheet, row: int, column: int) -> str | None:
    return sheet.error_cells.get(f"{column_letters(column)}{row}")


def _cell_value(sheet: Sheet, row: int, column: int, report: ValidationReport) -> Any:
    """A float, None for an empty cell, or _INVALID (problem recorded)."""
    value = sheet.cell(row, column)
    problem, expected = "text in a numeric cell", "a number or an empty cell"
    if (error := _error_at(sheet, row, column)) is not None:
        value, problem, expected = error, "spreadsheet error in a figure", "a number"
    elif value == "" or value is None:
        return None
    elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    report.add(
        problem,
        expected=expected,
        sheet=sheet.name,
        row=row,
        column=column_letters(column),
        value=value,
    )
    return _INVALID


def _currency_and_note(
    block: BlockLayout, entity: str, currency_name: str | None, footnote: str
) -> tuple[str | None, str | None]:
    notes = [footnote] if footnote else []
    currency = block.currency
    if currency_name:
        notes.append(f"currency: {currency_name}")
        if currency == "LCU":
            currency = CURRENCY_NAMES_BY_ENTITY.get(
                (entity, currency_name), CURRENCY_NAMES.get(currency_name, "LCU")
            )
    return currency, "; ".join(notes) or None


def _record(
    measure: Measure,
    entity: str,
    year: int,
    estimate: bool,
    value: float | None,
    currency: str | None,
    note: str | None,
) -> dict[str, Any]:
    return {
        "source_id": SOURCE_ID,
        "edition": None,
        "dataset": TABLES_DATASET,
        "entity": entity,
        "year": year,
        "indicator": measure.indicator,
        "value": value,
        "unit": measure.unit,
        "currency": currency,
        "price_basis": measure.price_basis,
        "exchange_basis": measure.exchange_basis,
        "definition": "nato",
        "period": "calendar",
        "estimate": estimate,
        "estimate_kind": "estimate" if estimate else None,
        "missing": "no_data" if value is None else None,
        "note": note,
        "locator": None,
    }


_CHECK_KEY: Final = ("entity", "year", "indicator", "unit", "price_basis", "exchange_basis")


def _compare_checks(result: TablesResult, warnings: ValidationReport) -> None:
    """Table 4 repeats figures of Tables 2 and 3: they must agree (else a warning)."""
    emitted = {tuple(r[k] for k in _CHECK_KEY): r for r in result.records}
    for check in result.checks:
        original = emitted.get(tuple(check[k] for k in _CHECK_KEY))
        sheet, column, row = split_locator(check["locator"])
        if original is None:
            warnings.add(
                "figure repeated from another table has no counterpart there",
                expected=f"{check['indicator']} {check['entity']} {check['year']} elsewhere",
                sheet=sheet,
                row=row,
                column=column,
                value=check["value"],
            )
        elif not _same(original["value"], check["value"]):
            warnings.add(
                f"disagrees with {original['locator']} ({original['value']})",
                expected="the same figure in both tables",
                sheet=sheet,
                row=row,
                column=column,
                value=check["value"],
            )


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _tables_edition(
    path: Path, workbook: Workbook, years: set[int], report: ValidationReport
) -> Edition | None:
    first, last = min(years), max(years)
    release = KNOWN_RELEASES.get(last)
    created = workbook.created or ""
    if created[:4] == str(last):
        edition = created[:7]
    elif release is not None:
        edition = release.published[:7]
    else:
        report.add(
            f"cannot date this {last} edition: the workbook's creation date ({created or 'none'}) "
            f"is not in {last} and NATO's {last} release is not in KNOWN_RELEASES",
            expected="a workbook created in its report year",
        )
        return None
    url = release.url if release else ""
    title = f"Defence Expenditure of NATO Countries ({first}-{last})"
    published = release.published if release else None
    return Edition(
        source_id=SOURCE_ID,
        edition=edition,
        dataset=TABLES_DATASET,
        publisher=PUBLISHER,
        title=title,
        published=published,
        url=url,
        licence=LICENCE,
        citation=f"{PUBLISHER}, '{title}', Excel tables, {published or edition}, {url}. "
        "Credit: NATO.",
        file_name=path.name,
        sha256=sha256_of(path),
        notes=f"{first}-{last}; figures marked 'e' in the headers are NATO estimates. "
        "Table 4 repeats Tables 2 and 3 (checked, not emitted twice); its cumulative real "
        "change 2014-last year is not emitted. Edition month from the workbook's creation "
        f"date ({created or 'absent'}).",
    )


# --- parsing the % of GDP transcription -------------------------------------------------------


def _is_transcription_header(header: list[str]) -> bool:
    return (
        len(header) >= 3
        and header[0].strip().lower() == "country"
        and all(_TRANSCRIPTION_YEAR.match(cell.strip()) for cell in header[1:])
    )


def parse_transcription(
    path: Path, text: str, report: ValidationReport, warnings: ValidationReport
) -> ParsedFile | None:
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip() for cell in rows[0]]
    years = [
        (int(m.group(1)), bool(m.group(2))) for m in map(_TRANSCRIPTION_YEAR.match, header[1:]) if m
    ]
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            report.add(
                f"{len(row)} fields", expected=f"{len(header)} fields like the header", row=line
            )
            continue
        entity = resolve(row[0], KIND, report, row=line, column=header[0])
        if entity is None or entity == SKIP:
            continue
        if entity in seen:
            report.add(
                f"{row[0].strip()!r} appears twice",
                expected=f"one line per country (first on line {seen[entity]})",
                row=line,
                column=header[0],
                value=row[0],
            )
            continue
        seen[entity] = line
        for (year, estimate), column, cell in zip(years, header[1:], row[1:], strict=True):
            value = _csv_number(cell, report, line, column)
            if value is _INVALID:
                continue
            record = _transcription_record(entity, year, estimate, value)
            record["locator"] = f"line {line}"
            records.append(record)
    edition = _transcription_edition(path, years, report, warnings)
    return _validated(edition, records, report, warnings)


def _csv_number(cell: str, report: ValidationReport, line: int, column: str) -> Any:
    text = cell.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isfinite(value):
        return value
    report.add(
        "text in a numeric cell", expected="a number or empty", row=line, column=column, value=cell
    )
    return _INVALID


def _transcription_record(
    entity: str, year: int, estimate: bool, value: float | None
) -> dict[str, Any]:
    # The 2025 report's shares are of real GDP at 2021 prices (SOURCES.md §4, cross-checks).
    measure = Measure("defence_expenditure_share_gdp", "percent", None, "constant_2021", None)
    record = _record(measure, entity, year, estimate, value, None, None)
    record["dataset"] = TRANSCRIPTION_DATASET
    return record


def _transcription_edition(
    path: Path,
    years: list[tuple[int, bool]],
    report: ValidationReport,
    warnings: ValidationReport,
) -> Edition | None:
    first, last = years[0][0], years[-1][0]
    release = KNOWN_RELEASES.get(last)
    if release is None:
        report.add(
            f"cannot date a transcription of NATO's {last} report: no such release in "
            "KNOWN_RELEASES",
            expected=f"a report year in {sorted(KNOWN_RELEASES)}",
            column=f"{years[-1][0]}",
        )
        return None
    digest = sha256_of(path)
    transcription = KNOWN_TRANSCRIPTIONS.get(digest)
    if transcription is None:
        warnings.add(
            "transcription of unknown origin: cited as such",
            expected="a file listed in KNOWN_TRANSCRIPTIONS",
            value=digest,
        )
    by = (
        f"transcribed by {transcription.transcriber} ({transcription.origin})"
        if transcription
        else "transcribed by an unknown party"
    )
    title = f"Defence Expenditure of NATO Countries ({first}-{last})"
    report_url = release.report_url or release.url
    return Edition(
        source_id=SOURCE_ID,
        edition=release.published[:7],
        dataset=TRANSCRIPTION_DATASET,
        publisher=PUBLISHER,
        title=title,
        published=release.published,
        url=report_url,
        licence=LICENCE,
        citation=f"{PUBLISHER}, '{title}', {release.published}, {report_url}; "
        f"defence expenditure as a share of real GDP, {by}. A transcription, not NATO's file.",
        file_name=path.name,
        sha256=digest,
        notes=f"TRANSCRIPTION of the report's share-of-GDP table, {by}. Years marked 'e' are "
        "NATO estimates; an empty cell is a figure NATO did not publish (missing = no_data).",
    )


# --- the press figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class PressCheck:
    """One press-quoted 2025 figure next to the transcription's."""

    line: int
    entity: str
    year: int
    quoted: str  # as quoted: '4.48', 'above 3%' or 'not published'
    transcribed: float | None
    agrees: bool


def cross_check_press(press: Path, transcription: Path) -> list[PressCheck]:
    """Compare each figure of the partial press CSV with the transcription.

    A number agrees when the transcription rounds to it at the quoted decimals; 'above N%'
    agrees when the transcription is above N; 'not published' agrees when it is missing.
    Raises InvalidFileError for an unreadable file or an unknown country.
    """
    report = ValidationReport.for_path(press)
    parsed = parse(transcription)
    shares = parsed.observations
    by_key = {
        (entity, int(year)): (None if value != value else float(value))
        for entity, year, value in zip(
            shares["entity"], shares["year"], shares["value"], strict=True
        )
    }
    checks = []
    for line, row in _press_rows(press):
        entity = resolve(row["country"], KIND, report, row=line, column="country")
        if entity is None or entity == SKIP:
            continue
        year = int(row["year"])
        transcribed = by_key.get((entity, year))
        quoted, agrees = _press_agrees(row, transcribed)
        checks.append(PressCheck(line, entity, year, quoted, transcribed, agrees))
    report.raise_if_failed()
    return checks


def _press_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    lines = path.read_text("utf-8").splitlines()
    numbered = [(n, text) for n, text in enumerate(lines, start=1) if not text.startswith("#")]
    reader = csv.DictReader(text for _, text in numbered)
    for (line, _), row in zip(numbered[1:], reader, strict=False):
        yield line, row


def _press_agrees(row: dict[str, str], transcribed: float | None) -> tuple[str, bool]:
    quoted = row["defence_exp_pct_gdp"].strip()
    if quoted:
        decimals = len(quoted.partition(".")[2])
        agrees = transcribed is not None and round(transcribed, decimals) == float(quoted)
        return quoted, agrees
    if row["status"].strip() == "not published":
        return "not published", transcribed is None
    if match := re.search(r"above (\d+(?:\.\d+)?)%", row["note"]):
        return f"above {match.group(1)}%", transcribed is not None and transcribed > float(
            match.group(1)
        )
    return "", False


# --- entry points -----------------------------------------------------------------------------


def sniff(path: Path) -> bool:
    """True for a NATO tables workbook or a NATO share-of-GDP transcription, by content."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES or path.stat().st_size == 0:
            return False
        with path.open("rb") as handle:
            start = handle.read(4096)
        if start.startswith(_ZIP_MAGIC):
            with zipfile.ZipFile(path) as archive:
                return choose_layout(list(_sheet_members(archive))) is not None
        first_line = start.decode("utf-8", errors="replace").splitlines()[0]
        return _is_transcription_header(next(csv.reader([first_line])))
    except Exception:
        # sniff answers a yes/no question; any unreadable file is simply not ours.
        return False


def parse(path: Path) -> ParsedFile:
    """The observations and edition of one NATO file; InvalidFileError with every problem."""
    path = Path(path)
    report = ValidationReport.for_path(path)
    warnings = ValidationReport.for_path(path)
    parsed = _parse(path, report, warnings)
    report.raise_if_failed()
    assert parsed is not None
    return parsed


def _parse(path: Path, report: ValidationReport, warnings: ValidationReport) -> ParsedFile | None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        report.add(
            f"file of {size:,} bytes refused before reading",
            expected=f"at most {MAX_FILE_BYTES:,} bytes (nato.MAX_FILE_BYTES)",
        )
        return None
    if size == 0:
        report.add("empty file", expected="a NATO tables workbook or a share-of-GDP CSV")
        return None
    with path.open("rb") as handle:
        start = handle.read(4)
    if start == _ZIP_MAGIC:
        return _parse_workbook(path, report, warnings)
    if path.suffix.lower() in _XLSX_SUFFIXES:
        report.add(
            f"named {path.suffix} but not an xlsx workbook (no ZIP signature)",
            expected="an .xlsx file (or a CSV under a .csv name)",
            value=start,
        )
        return None
    return _parse_text(path, report, warnings)


def _parse_workbook(
    path: Path, report: ValidationReport, warnings: ValidationReport
) -> ParsedFile | None:
    workbook = read_workbook(path, report)
    if workbook is None:
        return None
    result = parse_tables(workbook, report, warnings)
    if not result.years:
        if report.ok:
            report.add("no figures found", expected="NATO tables with a year header")
        return None
    edition = _tables_edition(path, workbook, result.years, report)
    return _validated(edition, result.records, report, warnings)


def _validated(
    edition: Edition | None,
    records: list[dict[str, Any]],
    report: ValidationReport,
    warnings: ValidationReport,
) -> ParsedFile | None:
    """Schema checks run even when other problems were found, so all are reported at once."""
    frame = _frame(records, edition.edition if edition else "undated")
    _validate(frame, report)
    return ParsedFile.from_frame(edition, frame, warnings, schema_checked=True) if edition else None


def _parse_text(
    path: Path, report: ValidationReport, warnings: ValidationReport
) -> ParsedFile | None:
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError as error:
        report.add("not UTF-8 text", expected="a UTF-8 CSV", value=str(error))
        return None
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if first.startswith("#") and "NATO" in first:
        report.add(
            "a partial transcription of press quotes: every figure in it is in the 2025 "
            "share-of-GDP transcription, so it is not imported (compare the two with "
            "alliance.sources.nato.cross_check_press)",
            expected="the share-of-GDP transcription CSV or a NATO tables workbook",
            row=1,
        )
        return None
    header = next(csv.reader([first]), [])
    if not _is_transcription_header(header):
        report.add(
            "not a NATO share-of-GDP table",
            expected="a header 'country,2014,...,2024e,2025e' or a NATO tables workbook",
            row=1,
            value=first,
        )
        return None
    return parse_transcription(path, text, report, warnings)


def _frame(records: list[dict[str, Any]], edition: str) -> pd.DataFrame:
    import pandas as pd

    from alliance.schema import OBSERVATION_COLUMNS

    frame = pd.DataFrame.from_records(records, columns=list(OBSERVATION_COLUMNS))
    frame["edition"] = edition
    return frame.astype({"year": "int64", "value": "float64", "estimate": "bool"})


def _validate(frame: pd.DataFrame, report: ValidationReport) -> None:
    from alliance.schema import validate_observations

    validate_observations(frame, report)
    share = frame["indicator"].isin(list(_SHARE_INDICATORS - {"defence_expenditure_share_gdp"}))
    outside = share & ((frame["value"] < 0) | (frame["value"] > 100))
    for _, row in frame[outside].iterrows():
        sheet, column, line = split_locator(row["locator"])
        report.add(
            f"{row['indicator']} outside 0-100 %",
            expected="a percentage of total defence expenditure",
            sheet=sheet,
            row=line,
            column=column,
            value=row["value"],
        )
