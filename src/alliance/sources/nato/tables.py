"""NATO's tables workbook -> observation records, every position found by its title or label.

Each table is found by its title ("Table 3 : ..."), whatever its sheet is called or where the
sheet stands; its years by the header's labels, however many there are (a `2026e` column is
read like the others); each block by its label; each country by the name table. A figure is an
estimate when its year is marked `e` in the header or named by the table's note ("Figures for
2023 and 2024 are estimates"); where the two disagree, the figure is an estimate and a warning
names the header cell. The base year of constant prices comes from the block's label or the
table's subtitle. Whatever cannot be placed is refused with the sheet, the cell and what was
expected.

Table 4 repeats Table 2 (constant prices) and Table 3 (share of GDP) for the first and last year:
those figures are compared with the emitted ones (a disagreement is a warning) and not emitted
twice. Its cumulative real change has no indicator in the schema and is read and validated but
not emitted (the layout's `role` column says so per block).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from alliance.provenance import Edition, sha256_of
from alliance.schema import split_locator
from alliance.sources.names import SKIP, clean_name, resolve
from alliance.sources.nato.layout import BlockLayout, table_blocks
from alliance.sources.nato.records import record
from alliance.sources.nato.releases import (
    DEFAULT_TITLE,
    KNOWN_RELEASES,
    LICENCE,
    PUBLISHER,
    SOURCE_ID,
    TABLES_DATASET,
)
from alliance.sources.nato.sheet import (
    Header,
    Sheet,
    Title,
    Workbook,
    base_years,
    estimate_years,
    find_header,
    find_title,
    normalise,
    report_title,
    split_label,
)
from alliance.sources.xlsx import CellError, CellValue, column_letters
from alliance.validation import ValidationReport

KIND: Final = "nato"
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
_CORE: Final = re.compile(r"\bcore defen[cs]e expenditure\b", re.I)


@dataclass
class TablesResult:
    records: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    years: set[int]
    core_wording: bool = False  # a title speaks of "core defence expenditure"
    base_years: set[int] = field(default_factory=set)


def parse_tables(
    workbook: Workbook, report: ValidationReport, warnings: ValidationReport
) -> TablesResult:
    result = TablesResult([], [], set())
    placed = place_tables(workbook, report, warnings)
    for table, blocks in table_blocks().items():
        if table in placed:
            sheet, title = placed[table]
            result.core_wording |= bool(_CORE.search(title.text))
            _parse_table(sheet, title, blocks, result, report, warnings)
    _compare_checks(result, warnings)
    return result


def place_tables(
    workbook: Workbook, report: ValidationReport, warnings: ValidationReport
) -> dict[str, tuple[Sheet, Title]]:
    """Table id -> its sheet and title, each found by the title text (problems reported)."""
    found: dict[str, list[tuple[Sheet, Title]]] = {}
    for sheet in workbook.sheets.values():
        if (title := find_title(sheet)) is not None:
            found.setdefault(title.table, []).append((sheet, title))
    known = table_blocks()
    if not set(found) & set(known):
        report.add(
            "not a NATO 'Defence Expenditure of NATO Countries' tables workbook: "
            f"sheets {', '.join(workbook.sheets)}",
            expected="sheets titled 'Table 1 : Defence expenditure', 'Table 2 : ...' "
            "(sources/layouts/nato.csv)",
        )
        return {}
    placed = {}
    for table, entries in found.items():
        sheet, title = entries[-1]
        if table not in known:
            problem: tuple[ValidationReport, str, str] | None = (
                warnings,
                f"table {table} is not one this importer knows: not imported",
                f"tables {', '.join(known)} (sources/layouts/nato.csv)",
            )
        elif len(entries) > 1:
            names = ", ".join(s.name for s, _ in entries)
            problem = (report, f"table {table} is titled in sheets {names}", "one sheet per table")
        elif not re.search(known[table][0].title, title.text, re.I):
            expected = f"a title matching {known[table][0].title!r}"
            problem = (report, f"title of table {table} not recognised", expected)
        else:
            problem = None
            placed[table] = (sheet, title)
        if problem is not None:
            into, message, expected = problem
            into.add(
                message,
                expected=expected,
                sheet=sheet.name,
                row=title.row,
                column=column_letters(title.column),
                value=title.text,
            )
    for table, blocks in known.items():
        if table not in found:
            missing = warnings if all(b.role != "emit" for b in blocks) else report
            missing.add(
                f"no sheet holds table {table}",
                expected=f"a sheet titled like {blocks[0].title!r} "
                f"(sheet {blocks[0].sheet!r} in the June 2024 tables)",
                sheet=blocks[0].sheet,
            )
    return placed


def _parse_table(
    sheet: Sheet,
    title: Title,
    blocks: list[BlockLayout],
    result: TablesResult,
    report: ValidationReport,
    warnings: ValidationReport,
) -> None:
    table = blocks[0].table
    header = find_header(sheet, title.row)
    if header is None:
        report.add(
            f"year header of table {table} not found",
            expected="a row of year labels below the title, e.g. 2014 ... '2024e'",
            sheet=sheet.name,
            row=title.row,
            column=column_letters(title.column),
            value=title.text,
        )
        return
    if not _years_increase(sheet, header, report):
        return
    read = {column for block in blocks for column in _block_columns(block, header)}
    _report_unread(sheet, header, read, report)
    subtitle = sheet.texts(title.row + 1, header.row - 1)
    estimates = _Estimates(sheet, header, warnings)
    labels = [re.compile(b.block_label, re.I) for b in blocks if b.block_label]
    for block in blocks:
        columns = _block_columns(block, header)
        if not columns:
            report.add(
                f"no columns of table {table} block {block.block} in the year header",
                expected="year labels such as 2014 ... '2024e'"
                if block.columns == "years"
                else f"header labels matching {block.columns!r}",
                sheet=sheet.name,
                row=header.row,
            )
            continue
        start = _block_start(sheet, block, header, report)
        if start is None:
            continue
        found, base = _base_year(sheet, block, start, subtitle, title, report)
        if not found:
            continue
        if block.role != "skip":
            result.years.update(year for year, _ in columns.values())
        if base is not None:
            result.base_years.add(base)
        rows = _block_rows(sheet, start[0], header, labels)
        _parse_block(sheet, block, header, columns, estimates, base, rows, result, report)


def _years_increase(sheet: Sheet, header: Header, report: ValidationReport) -> bool:
    previous = 0
    for column, (year, _) in sorted(header.years.items()):
        if year <= previous:
            report.add(
                "year labels of the header do not increase from left to right",
                expected=f"a year after {previous}",
                sheet=sheet.name,
                row=header.row,
                column=column_letters(column),
                value=header.labels[column],
            )
            return False
        previous = year
    return True


def _report_unread(sheet: Sheet, header: Header, read: set[int], report: ValidationReport) -> None:
    """Figures below the header in a column no block reads, under no header text or under a
    year not read as one (such as '2026 e*'): refused rather than left out."""
    first = min(header.labels)
    unread = {
        column
        for column in range(first, sheet.width + 1)
        if column not in read and not _is_label(header.labels.get(column))
    }
    for row in sheet.visible_rows(header.row + 1):
        for column, value in sorted(sheet.rows.get(row, {}).items()):
            if column in unread and isinstance(value, float):
                report.add(
                    "a figure in a column that the header row does not name as a year",
                    expected=f"a year such as '2026e' in {column_letters(column)}{header.row}",
                    sheet=sheet.name,
                    row=row,
                    column=column_letters(column),
                    value=value,
                )


def _is_label(value: CellValue) -> bool:
    """Header text that names no year (a descriptive column, not a year misread)."""
    return isinstance(value, str) and not re.search(r"\d{4}", value)


def _block_columns(block: BlockLayout, header: Header) -> dict[int, tuple[int, bool]]:
    """Column -> (year, marked 'e') of the block's figures."""
    if block.columns == "years":
        return dict(header.years)
    pattern = re.compile(block.columns, re.I)
    found = {}
    for column, label in sorted(header.labels.items()):
        if isinstance(label, str) and (match := pattern.match(" ".join(label.split()))):
            found[column] = (int(match.group("year")), bool(match.group("e")))
    return found


@dataclass
class _Estimates:
    """Which years are estimates: marked 'e' in the header or named by the table's note."""

    sheet: Sheet
    header: Header
    warnings: ValidationReport
    warned: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.noted, self.note_cell = estimate_years(self.sheet, self.header)

    def is_estimate(self, column: int, year: int, marked: bool) -> bool:
        if self.note_cell is None or (year in self.noted) == marked:
            return marked
        if column not in self.warned:
            self.warned.add(column)
            note_row, note_column = self.note_cell
            says = "an estimate" if year in self.noted else "not an estimate"
            self.warnings.add(
                f"the note in {column_letters(note_column)}{note_row} makes {year} {says}, "
                f"the header does not: read as an estimate",
                expected=f"'{year}e' in the header and {year} in the note, or neither",
                sheet=self.sheet.name,
                row=self.header.row,
                column=column_letters(column),
                value=self.header.labels.get(column),
            )
        return True


def _label(sheet: Sheet, row: int, header: Header) -> tuple[str, int]:
    """The row's label: its leftmost text left of the header's first labelled column."""
    for column in range(1, min(header.labels)):
        if text := sheet.text(row, column):
            return text, column
    return "", 0


def _block_start(
    sheet: Sheet, block: BlockLayout, header: Header, report: ValidationReport
) -> tuple[int, re.Match[str] | None] | None:
    """The first row of the block's figures, and the match of its label (None: no label)."""
    if not block.block_label:
        return header.row + 1, None
    pattern = re.compile(block.block_label, re.I)
    for row in sheet.visible_rows():
        label, _ = _label(sheet, row, header)
        if label and (match := pattern.match(" ".join(label.split()))):
            if row < header.row:
                report.add(
                    f"block {block.block_label!r} starts above the year header",
                    expected=f"the year header above it (header found at row {header.row})",
                    sheet=sheet.name,
                    row=row,
                )
                return None
            return row + 1, match
    report.add(
        f"block of table {block.table} not found",
        expected=f"a label matching {block.block_label!r} left of the figures",
        sheet=sheet.name,
    )
    return None


def _base_year(
    sheet: Sheet,
    block: BlockLayout,
    start: tuple[int, re.Match[str] | None],
    subtitle: list[tuple[int, int, str]],
    title: Title,
    report: ValidationReport,
) -> tuple[bool, int | None]:
    """(found, the base year of a `constant` block or None for others); (False, None) when a
    constant block's base year is not found (problem recorded)."""
    if block.price_basis != "constant":
        return True, None
    label = start[1]
    if label is not None and "base" in label.re.groupindex:
        return True, int(label.group("base"))
    found = base_years(subtitle)
    if len(found) == 1:
        return True, next(iter(found))
    if found:
        named = ", ".join(f"{year} in {column_letters(c)}{r}" for year, (r, c) in found.items())
        problem, value = f"the subtitle names several base years ({named})", named
    else:
        problem, value = "base year of constant prices not found", title.text
    report.add(
        f"table {block.table}: {problem}",
        expected="one subtitle such as 'Based on 2015 prices' or a block label such as "
        "'Constant 2015 prices'",
        sheet=sheet.name,
        row=title.row,
        column=column_letters(title.column),
        value=value,
    )
    return False, None


def _block_rows(
    sheet: Sheet, start: int, header: Header, labels: list[re.Pattern[str]]
) -> Iterator[int]:
    """Visible rows of one block: from `start` to the first blank row, note or next block."""
    value_columns = [column for column in header.labels if column >= min(header.labels)]
    started = False
    for row in sheet.visible_rows(start):
        label, _ = _label(sheet, row, header)
        if not label and all(sheet.cell(row, c) in (None, "") for c in value_columns):
            if started:
                return
            continue
        text = " ".join(label.split())
        if any(p.match(text) for p in labels) or normalise(text).startswith("note"):
            return
        started = True
        yield row


def _parse_block(
    sheet: Sheet,
    block: BlockLayout,
    header: Header,
    columns: dict[int, tuple[int, bool]],
    estimates: _Estimates,
    base: int | None,
    rows: Iterator[int],
    result: TablesResult,
    report: ValidationReport,
) -> None:
    measure = block.measure(base)
    seen: dict[str, int] = {}
    first_row = None
    for row in rows:
        first_row = first_row or row
        raw_label, label_column = _label(sheet, row, header)
        if not raw_label:
            report.add(
                "figures in a row without a country name",
                expected=f"a name left of column {column_letters(min(header.labels))}",
                sheet=sheet.name,
                row=row,
                value=_first_figure(sheet, row, columns),
            )
            continue
        name, currency_name, footnote = split_label(raw_label)
        letters = column_letters(label_column)
        entity = resolve(name, KIND, report, sheet=sheet.name, row=row, column=letters)
        if entity is None or entity == SKIP:
            continue
        if entity in seen:
            report.add(
                f"{clean_name(name)!r} appears twice in table {block.table} block {block.block}",
                expected=f"one row per country (first at row {seen[entity]})",
                sheet=sheet.name,
                row=row,
                column=letters,
                value=raw_label,
            )
            continue
        seen[entity] = row
        currency, note = _currency_and_note(block, entity, currency_name, footnote)
        for column, (year, marked) in columns.items():
            readable, value = _cell_value(sheet, row, column, report)
            if not readable:
                continue
            estimate = estimates.is_estimate(column, year, marked)
            figure = record(measure, entity, year, estimate, value, currency, note)
            figure["locator"] = f"{sheet.name}!{column_letters(column)}{row}"
            if block.role == "emit":
                result.records.append(figure)
            elif block.role == "check":
                result.checks.append(figure)
    if block.expected_entities is not None and len(seen) != block.expected_entities:
        report.add(
            f"table {block.table} block {block.block} has {len(seen)} rows of countries "
            "and aggregates",
            expected=f"{block.expected_entities} (sources/layouts/nato.csv)",
            sheet=sheet.name,
            row=first_row,
        )


def _first_figure(sheet: Sheet, row: int, columns: dict[int, tuple[int, bool]]) -> CellValue:
    return next((v for c in columns if (v := sheet.cell(row, c)) not in (None, "")), None)


def _cell_value(
    sheet: Sheet, row: int, column: int, report: ValidationReport
) -> tuple[bool, float | None]:
    """(True, a float or None for an empty cell), or (False, None) with the problem recorded."""
    value = sheet.cell(row, column)
    problem, expected = "text in a numeric cell", "a number or an empty cell"
    if isinstance(value, CellError):
        problem, expected = "spreadsheet error in a figure", "a number"
    elif value is None or value == "":
        return True, None
    elif isinstance(value, float) and math.isfinite(value):
        return True, value
    report.add(
        problem,
        expected=expected,
        sheet=sheet.name,
        row=row,
        column=column_letters(column),
        value=value,
    )
    return False, None


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


def tables_edition(
    path: Path,
    workbook: Workbook,
    result: TablesResult,
    report: ValidationReport,
    warnings: ValidationReport,
) -> Edition | None:
    first, last = min(result.years), max(result.years)
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
    title = f"{_report_name(workbook, first, last, warnings)} ({first}-{last})"
    published = release.published if release else None
    notes = (
        f"{first}-{last}; figures marked 'e' in the headers are NATO estimates. "
        "Table 4 repeats Tables 2 and 3 (checked, not emitted twice); its cumulative real "
        "change 2014-last year is not emitted. Edition month from the workbook's creation "
        f"date ({created or 'absent'})."
    )
    if result.core_wording:
        notes += (
            " The tables' titles speak of 'core defence expenditure': read as defence "
            "expenditure under NATO's agreed definition, which is what the Hague 3.5 % core "
            "target counts (The Hague Summit Declaration, 25 June 2025, paragraph 3, "
            "https://www.nato.int/cps/en/natohq/official_texts_236705.htm)."
        )
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
        notes=notes,
    )


def _report_name(workbook: Workbook, first: int, last: int, warnings: ValidationReport) -> str:
    """The report's name as the workbook prints it, else the name NATO used until 2025."""
    named = report_title(workbook)
    if named is None:
        return DEFAULT_TITLE
    name, named_first, named_last = named
    if (named_first, named_last) != (first, last):
        warnings.add(
            f"the workbook names '{name} ({named_first}-{named_last})' but its tables hold "
            f"{first}-{last}: titled by the tables",
            expected=f"the report title of the years {first}-{last}",
            value=name,
        )
    return name
