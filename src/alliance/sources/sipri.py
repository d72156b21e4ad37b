"""SIPRI Military Expenditure Database workbook (`SIPRI-Milex-data-1949-YYYY.xlsx`) -> observations.

The workbook has one sheet per measure (local currency, constant and current US$, share of GDP,
per capita, share of government spending) plus `Regional totals`. Which sheet holds which
indicator, unit and price basis is data, not code: `sources/layouts/sipri.csv`, one row per
sheet (two for `Regional totals`, whose last column is at current prices). A renamed sheet in a
new release is a new row there.

Reading choices, each forced by the file:

- Estimates are marked only by font colour, which pandas and calamine do not read. The xlsx is
  therefore read directly: one regular-expression pass over each sheet's XML collects value and
  style index per cell, and `xl/styles.xml` maps style index -> font -> indexed colour. This reads
  the full workbook several times faster than openpyxl (see bench/RESULTS.md).
- Header rows differ by sheet and release, so the header is the first row holding a run of
  consecutive integer years in adjacent columns; the name and notes columns are found by their
  header text on that row.
- Colours mean different things per sheet, so the layout says which indexed colour is which
  estimate kind: in the country sheets blue (12) is a SIPRI estimate and red (10) highly
  uncertain; in `Regional totals` red means "more than 10 % of the total consists of estimates",
  stored as `estimate`.
- Region names (Africa, Western Europe, ...) map to `sipri:<REGION>` aggregates in the name table.
  In the country sheets the same names stand alone on header rows with no figures: a named row
  without figures yields nothing, so those rows are skipped without a separate rule.
- `...` (or `. .`, as the sheets' legend writes it) is `missing='no_data'`; `xxx` (the state did not
  exist) is `missing='not_existing'`. A coloured `...` is not an estimate: there is no figure.
- Shares (of GDP, of government spending) are published as fractions; they are stored as percent
  (value x 100, the `scale` column of the layout) because NATO and every other source publish
  percent. The locator still points at the fraction's cell.
- Local-currency figures are whole currency units (USA 2024: 997,309,000,000), so their unit is
  `unit`, not `million`.
- The edition is not printed in the workbook. SIPRI publishes each April the data up to the
  previous year, so the edition is `<last year in the headers + 1>-04` (data to 2024 -> 2025-04).
"""

from __future__ import annotations

import csv
import html
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from alliance.errors import InvalidFileError
from alliance.provenance import Edition, sha256_of
from alliance.sources import names
from alliance.validation import ValidationReport

if TYPE_CHECKING:
    import pyarrow as pa

    from alliance.sources import ParsedFile

KIND: Final = "sipri"
SOURCE_ID: Final = "sipri"
DATASET: Final = "milex"
DEFINITION: Final = "sipri"
PUBLISHER: Final = "Stockholm International Peace Research Institute (SIPRI)"
URL: Final = "https://www.sipri.org/databases/milex"
LICENCE: Final = (
    "SIPRI terms (workbook Front page): free for non-commercial use only; cite SIPRI; reproduce "
    "no more than 10% of the dataset (3,500 data units) without SIPRI's permission; commercial "
    "use needs permission (milap@sipri.org). Not open data."
)
RELEASE_MONTH: Final = 4  # SIPRI releases each year's data the following April.
MAX_FILE_BYTES: Final = 50 * 1024 * 1024  # The real workbook is 0.9 MB; refuse anything absurd.
MIN_HEADER_YEARS: Final = 5  # A header row holds at least this many consecutive years.

NO_DATA_MARKERS: Final = frozenset({"...", ". ."})
NOT_EXISTING_MARKER: Final = "xxx"

CellValue = float | str | None
Row = dict[int, tuple[CellValue, int]]  # column index (1-based) -> (value, style index)
# One cell as the sheet XML holds it: column letters, row, style, type, other attributes,
# <v> text, inline-string body (all bytes; empty when absent).
RawCell = tuple[bytes, bytes, bytes, bytes, bytes, bytes, bytes]


@dataclass(frozen=True)
class SheetLayout:
    """One row of `layouts/sipri.csv`: which columns of a sheet hold which indicator."""

    sheet: str
    columns: str  # 'years', or a regex on header text whose group 1 is the year
    indicator: str
    unit: str
    currency: str | None
    price_basis: str | None
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


def required_sheets() -> list[str]:
    return list(dict.fromkeys(layout.sheet for layout in layouts()))


# --------------------------------------------------------------------------------------------
# Reading the xlsx: values and font colours, without openpyxl.
# --------------------------------------------------------------------------------------------

_SHEET_ENTRY = re.compile(rb"<sheet\b[^>]*?/?>")
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*?/?>")
_SHARED_ITEM = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
_TEXT_RUN = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>|<t/>", re.S)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
# Excel and openpyxl both write a cell's attributes in the order r, s, t; any other attribute
# order lands in group `rest` and is handled by `_cell_attributes`. Groups, in order: column,
# row, style, type, rest, value (<v>, after an optional formula), body (inline string).
_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?([^>]*?)'
    rb"(?:/>|>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?(?:<v>([^<]*)</v>)?(.*?)</c>)",
    re.S,
)
_FONT = re.compile(rb"<font\b.*?</font>|<font/>", re.S)
_INDEXED_COLOUR = re.compile(rb'<color\b[^>]*?\bindexed="(\d+)"')
_CELL_XFS = re.compile(rb"<cellXfs\b.*?</cellXfs>", re.S)
_XF = re.compile(rb"<xf\b[^>]*?/?>")


class _NotAWorkbook(Exception):
    """The file is not a readable xlsx; the message says why."""


def column_letters(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@cache
def _column_index(letters: bytes) -> int:
    index = 0
    for byte in letters:
        index = index * 26 + byte - 64
    return index


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


def _rich_text(body: bytes) -> str:
    body = _PHONETIC.sub(b"", body)
    return "".join(_text(match.group(1) or b"") for match in _TEXT_RUN.finditer(body))


class XlsxReader:
    """Cell values and font colours of an xlsx, read straight from its XML parts."""

    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
            workbook = self._zip.read("xl/workbook.xml")
            relationships = self._zip.read("xl/_rels/workbook.xml.rels")
        except (zipfile.BadZipFile, KeyError, EOFError, zlib.error, OSError) as error:
            raise _NotAWorkbook(str(error) or type(error).__name__) from error
        targets = {}
        for match in _RELATIONSHIP.finditer(relationships):
            attributes = dict(_ATTRIBUTE.findall(match.group(0)))
            target = attributes.get(b"Target", b"").decode()
            targets[attributes.get(b"Id", b"").decode()] = (
                target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            )
        self.sheet_parts: dict[str, str] = {}
        for match in _SHEET_ENTRY.finditer(workbook):
            attributes = dict(_ATTRIBUTE.findall(match.group(0)))
            name = _text(attributes.get(b"name", b""))
            self.sheet_parts[name] = targets.get(attributes.get(b"r:id", b"").decode(), "")
        self._shared: list[str] | None = None
        self._colours: list[int | None] | None = None

    def close(self) -> None:
        self._zip.close()

    def _read(self, part: str) -> bytes:
        try:
            return self._zip.read(part)
        except KeyError:
            return b""
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as error:
            raise _NotAWorkbook(f"{part}: {error}") from error

    @property
    def shared_strings(self) -> list[str]:
        if self._shared is None:
            data = self._read("xl/sharedStrings.xml")
            self._shared = [_rich_text(m.group(1) or b"") for m in _SHARED_ITEM.finditer(data)]
        return self._shared

    @property
    def font_colours(self) -> list[int | None]:
        """Indexed font colour per cell style (cellXfs position); None where not indexed."""
        if self._colours is None:
            styles = self._read("xl/styles.xml")
            font_colours = []
            for font in _FONT.finditer(styles):
                colour = _INDEXED_COLOUR.search(font.group(0))
                font_colours.append(int(colour.group(1)) if colour else None)
            cell_xfs = _CELL_XFS.search(styles)
            self._colours = []
            for xf in _XF.finditer(cell_xfs.group(0) if cell_xfs else b""):
                font_id = int(dict(_ATTRIBUTE.findall(xf.group(0))).get(b"fontId", b"0"))
                in_range = font_id < len(font_colours)
                self._colours.append(font_colours[font_id] if in_range else None)
        return self._colours

    def raw_sheet(self, name: str) -> bytes:
        return self._read(self.sheet_parts[name])

    def cells(self, name: str) -> list[RawCell]:
        """Every cell of a sheet in document order (row by row, left to right)."""
        cells: list[RawCell] = _CELL.findall(self.raw_sheet(name))
        if any(cell[4] for cell in cells):
            cells = [_normalised(cell) if cell[4] else cell for cell in cells]
        return cells

    def value(self, cell: RawCell) -> CellValue:
        """A cell's value: float for numbers, str for text, None when empty."""
        kind, raw = cell[3], cell[5]
        if not kind or kind == b"n":
            return float(raw) if raw else None
        if kind == b"s":
            shared = self.shared_strings
            return shared[int(raw)] if raw and int(raw) < len(shared) else None
        if kind == b"inlineStr":
            return _rich_text(cell[6])
        return _text(raw) if raw else None  # str (formula text), e (#REF!), b, d

    def rows(self, name: str) -> dict[int, Row]:
        """Row number -> column index -> (value, style)."""
        rows: dict[int, Row] = {}
        for cell in self.cells(name):
            row = rows.setdefault(int(cell[1]), {})
            row[_column_index(cell[0])] = (self.value(cell), int(cell[2] or 0))
        return rows


def _normalised(cell: RawCell) -> RawCell:
    """A cell whose style or type attribute came after other attributes (not Excel's order)."""
    attributes = dict(_ATTRIBUTE.findall(cell[4]))
    style = attributes.get(b"s", cell[2])
    kind = attributes.get(b"t", cell[3])
    return (cell[0], cell[1], style, kind, b"", cell[5], cell[6])


# --------------------------------------------------------------------------------------------
# Recognising the workbook.
# --------------------------------------------------------------------------------------------


def sniff(path: Path) -> bool:
    """True for an xlsx whose sheet names and title text are those of the SIPRI Milex workbook."""
    try:
        if not 0 < Path(path).stat().st_size <= MAX_FILE_BYTES:
            return False
        reader = XlsxReader(Path(path))
    except (OSError, _NotAWorkbook):
        return False
    try:
        present = [sheet for sheet in required_sheets() if sheet in reader.sheet_parts]
        if len(present) < len(required_sheets()) // 2:
            return False
        # The title rows say "© SIPRI <year>"; they are shared strings in SIPRI's own file and
        # inline strings in a re-saved one.
        return b"SIPRI" in reader._read("xl/sharedStrings.xml") or b"SIPRI" in reader.raw_sheet(
            present[0]
        )
    except _NotAWorkbook:
        return False
    finally:
        reader.close()


# --------------------------------------------------------------------------------------------
# Parsing.
# --------------------------------------------------------------------------------------------


class _Columns:
    """Observation columns collected as lists; the layout columns are expanded at the end."""

    PER_CELL: Final = (
        "entity", "year", "value", "estimate_kind", "missing", "note", "locator", "layout",
    )  # fmt: skip

    def __init__(self) -> None:
        # "locator" holds a cell's column letters (bytes) until its row is finished.
        self.data: dict[str, list[Any]] = {name: [] for name in self.PER_CELL}

    def __len__(self) -> int:
        return len(self.data["entity"])

    def truncate(self, length: int) -> None:
        for values in self.data.values():
            del values[length:]


def _missing_marker(value: CellValue) -> str | None:
    if isinstance(value, str):
        text = value.strip()
        if text in NO_DATA_MARKERS:
            return "no_data"
        if text == NOT_EXISTING_MARKER:
            return "not_existing"
    return None


@dataclass(frozen=True)
class _Header:
    row: int
    years: dict[int, int]  # column -> year
    labels: dict[str, int]  # header text -> column


def find_header(rows: Iterator[tuple[int, Row]]) -> _Header | None:
    """The first row with at least MIN_HEADER_YEARS consecutive integer years in adjacent cells."""
    for row_number, row in rows:
        years = _year_run(row)
        if len(years) >= MIN_HEADER_YEARS:
            labels = {
                value.strip(): column
                for column, (value, _style) in row.items()
                if isinstance(value, str) and value.strip()
            }
            return _Header(row_number, years, labels)
    return None


def _year_run(row: Row) -> dict[int, int]:
    best: dict[int, int] = {}
    run: dict[int, int] = {}
    previous: tuple[int, int] | None = None
    for column in sorted(row):
        value = row[column][0]
        year = int(value) if isinstance(value, float) and value.is_integer() else None
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


def _rows_in_order(reader: XlsxReader, cells: list[RawCell]) -> Iterator[tuple[int, Row]]:
    """Decoded rows one at a time, so the header search stops decoding at the header."""
    row: Row = {}
    current = b""
    for cell in cells:
        if cell[1] != current:
            if row:
                yield int(current), row
            row, current = {}, cell[1]
        row[_column_index(cell[0])] = (reader.value(cell), int(cell[2] or 0))
    if row:
        yield int(current), row


def _value_columns(layout: SheetLayout, header: _Header) -> dict[int, int]:
    if layout.columns == "years":
        return header.years
    pattern = re.compile(layout.columns)
    found = {}
    for label, column in header.labels.items():
        if match := pattern.match(label):
            found[column] = int(match.group(1))
    return found


def parse(path: Path) -> ParsedFile:
    """Parse a SIPRI Milex workbook; raise InvalidFileError listing every problem found."""
    from alliance.schema import validate_observations
    from alliance.sources import ParsedFile

    path = Path(path)
    report = ValidationReport.for_path(path)
    reader = _open_checked(path, report)
    if reader is None:
        raise InvalidFileError(report)
    try:
        columns = _Columns()
        last_years = _parse_sheets(reader, columns, report)
    finally:
        reader.close()
    if not last_years:  # no sheet had a header row: nothing to check further
        raise InvalidFileError(report)

    edition_id = f"{max(last_years) + 1}-{RELEASE_MONTH:02d}"
    table = _table(columns, edition_id)
    # Schema checks run even when cells were refused above, so that one report lists all.
    validate_observations(table, report)
    report.raise_if_failed()
    warnings = ValidationReport.for_path(path)  # nothing in this workbook is a mere warning
    return ParsedFile(_edition(path, edition_id), table, warnings, schema_checked=True)


def _table(columns: _Columns, edition_id: str) -> pa.Table:
    """The collected cells as the observation table; layout columns expanded per cell."""
    import numpy as np
    import pyarrow as pa

    from alliance.schema import observation_arrow_schema
    from alliance.sources import arrays

    count, data = len(columns), columns.data
    layout_ids = np.asarray(data["layout"], dtype=np.intp)

    def per_layout(name: str) -> pa.Array:
        return arrays.coded_strings(layout_ids, [getattr(layout, name) for layout in layouts()])

    estimate_kind = arrays.repeated_strings(data["estimate_kind"])

    built = {
        "source_id": arrays.constant_strings(SOURCE_ID, count),
        "edition": arrays.constant_strings(edition_id, count),
        "dataset": arrays.constant_strings(DATASET, count),
        "entity": arrays.repeated_strings(data["entity"]),
        "year": arrays.integers(data["year"]),
        "indicator": per_layout("indicator"),
        "value": arrays.floats(data["value"]),
        "unit": per_layout("unit"),
        "currency": per_layout("currency"),
        "price_basis": per_layout("price_basis"),
        "exchange_basis": per_layout("exchange_basis"),
        "definition": arrays.constant_strings(DEFINITION, count),
        "period": per_layout("period"),
        "estimate_kind": estimate_kind,
        "estimate": arrays.present(estimate_kind),
        "missing": arrays.repeated_strings(data["missing"]),
        "note": arrays.repeated_strings(data["note"]),
        "locator": arrays.strings(data["locator"]),
    }
    schema = observation_arrow_schema()
    return pa.Table.from_arrays([built[name] for name in schema.names], schema=schema)


def _open_checked(path: Path, report: ValidationReport) -> XlsxReader | None:
    """Size, zip and sheet checks before any cell is read; None when the file is refused."""
    try:
        size = path.stat().st_size
    except OSError as error:
        report.add(f"cannot read the file: {error.strerror}", expected="a readable xlsx file")
        return None
    if size == 0:
        report.add("the file is empty", expected="the SIPRI Milex xlsx workbook")
        return None
    if size > MAX_FILE_BYTES:
        report.add(
            f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}",
            expected=f"at most {MAX_FILE_BYTES // 2**20} MB (the real workbook is under 1 MB)",
            value=size,
        )
        return None
    try:
        reader = XlsxReader(path)
    except _NotAWorkbook as error:
        report.add(
            "not a readable xlsx workbook (truncated, corrupt, or another format renamed .xlsx)",
            expected="an Excel .xlsx file (a zip archive with xl/workbook.xml)",
            value=str(error),
        )
        return None
    missing = [sheet for sheet in required_sheets() if sheet not in reader.sheet_parts]
    if len(missing) == len(required_sheets()):
        report.add(
            "not the SIPRI Milex workbook: none of its sheets is present",
            expected=", ".join(required_sheets()),
            value=", ".join(reader.sheet_parts),
        )
    else:
        for sheet in missing:
            report.add(
                "sheet missing", expected=f"a sheet named {sheet!r}", sheet=sheet, value=sheet
            )
    if missing:
        reader.close()
        return None
    return reader


def _parse_sheets(reader: XlsxReader, columns: _Columns, report: ValidationReport) -> list[int]:
    """Append every sheet's observations to `columns`; return each header's last year."""
    last_years = []
    by_sheet: dict[str, list[int]] = {}
    for index, layout in enumerate(layouts()):
        by_sheet.setdefault(layout.sheet, []).append(index)
    for sheet, layout_indexes in by_sheet.items():
        try:
            cells = reader.cells(sheet)
        except _NotAWorkbook as error:
            report.add("sheet cannot be read", sheet=sheet, value=str(error))
            continue
        header = find_header(_rows_in_order(reader, cells))
        if header is None:
            report.add(
                "no header row of years found",
                expected=f"a row of at least {MIN_HEADER_YEARS} consecutive years, one per column",
                sheet=sheet,
            )
            continue
        last_years.append(max(header.years.values()))
        scan = _SheetScan.plan(reader, sheet, layout_indexes, header, columns, report)
        if scan is not None:
            scan.run(cells)
    return last_years


@dataclass
class _SheetScan:
    """One pass over a sheet's cells below its header, appending observations to `columns`."""

    reader: XlsxReader
    sheet: str
    header: _Header
    name_letters: bytes
    note_letters: bytes | None
    note_prefix: str
    # column letters -> (layout index, year, scale, style -> estimate kind)
    targets: dict[bytes, tuple[int, int, float, dict[bytes, str]]]
    columns: _Columns
    report: ValidationReport

    @classmethod
    def plan(
        cls,
        reader: XlsxReader,
        sheet: str,
        layout_indexes: list[int],
        header: _Header,
        columns: _Columns,
        report: ValidationReport,
    ) -> _SheetScan | None:
        first = layouts()[layout_indexes[0]]
        name_column = header.labels.get(first.name_header)
        if name_column is None:
            report.add(
                "header row has no name column",
                expected=f"a cell {first.name_header!r} on the header row",
                sheet=sheet,
                row=header.row,
            )
            return None
        note_column = header.labels.get(first.note_header)
        targets = {}
        for index in layout_indexes:
            layout = layouts()[index]
            found = _value_columns(layout, header)
            if not found:
                report.add(
                    "no column matching the layout",
                    expected=f"a header cell matching {layout.columns!r}",
                    sheet=sheet,
                    row=header.row,
                )
            kinds = _estimate_kinds(reader.font_colours, layout.colours)
            for column, year in found.items():
                targets[column_letters(column).encode()] = (index, year, layout.scale, kinds)
        return cls(
            reader=reader,
            sheet=sheet,
            header=header,
            name_letters=column_letters(name_column).encode(),
            note_letters=column_letters(note_column).encode() if note_column else None,
            note_prefix=first.note_prefix,
            targets=targets,
            columns=columns,
            report=report,
        )

    def run(self, cells: list[RawCell]) -> None:
        data = self.columns.data
        years, values, kinds = data["year"], data["value"], data["estimate_kind"]
        missings, layout_ids, letters = data["missing"], data["layout"], data["locator"]
        targets, value_of = self.targets, self.reader.value
        shared_markers = {  # shared-string index (as written in the XML) -> missing marker
            str(index).encode(): marker
            for index, text in enumerate(self.reader.shared_strings)
            if (marker := _missing_marker(text))
        }
        header_row = str(self.header.row).encode()
        seen: dict[str, int] = {}
        row = b""
        start = 0
        name: CellValue = None
        note: CellValue = None
        bad: list[tuple[bytes, CellValue]] = []
        below_header = False
        for cell in cells:
            if cell[1] != row:
                if below_header:
                    self._finish_row(int(row), start, name, note, bad, seen)
                below_header = below_header or row == header_row
                row, start, name, note, bad = cell[1], len(values), None, None, []
            if not below_header:
                continue
            target = targets.get(cell[0])
            if target is None:
                if cell[0] == self.name_letters:
                    name = value_of(cell)
                elif cell[0] == self.note_letters:
                    note = value_of(cell)
                continue
            layout_index, year, scale, kind_by_style = target
            if not cell[3] or cell[3] == b"n":
                if not cell[5]:
                    continue  # a styled cell without a value: reported as empty by _finish_row
                values.append(float(cell[5]) * scale)
                kinds.append(kind_by_style.get(cell[2]))
                missings.append(None)
            else:
                marker = shared_markers.get(cell[5]) if cell[3] == b"s" else None
                if marker is None:
                    text = value_of(cell)
                    marker = _missing_marker(text)
                if marker is None:
                    bad.append((cell[0], text))
                    continue
                values.append(None)
                kinds.append(None)
                missings.append(marker)
            years.append(year)
            layout_ids.append(layout_index)
            letters.append(cell[0])
        if below_header:
            self._finish_row(int(row), start, name, note, bad, seen)

    def _finish_row(
        self,
        row: int,
        start: int,
        name: CellValue,
        note: CellValue,
        bad: list[tuple[bytes, CellValue]],
        seen: dict[str, int],
    ) -> None:
        """Attach entity, note and locator to the row's figures, or drop them with a problem."""
        columns, report, sheet = self.columns, self.report, self.sheet
        count = len(columns.data["year"]) - start
        has_figures = bool(count or bad)
        name_column = self.name_letters.decode()
        if not isinstance(name, str) or not name.strip():
            if has_figures:
                report.add(
                    "figures in a row without a name",
                    expected="a country or region name",
                    sheet=sheet,
                    row=row,
                    column=name_column,
                )
            columns.truncate(start)
            return
        entity = names.resolve(name, KIND, report, sheet=sheet, row=row, column=name_column)
        if entity in seen and has_figures:
            report.add(
                f"the same entity appears twice (rows {seen[entity]} and {row})",
                expected="one row per country",
                sheet=sheet,
                row=row,
                column=name_column,
                value=name,
            )
            entity = None
        if not entity or not has_figures:  # unknown (reported), skipped, or a region header
            columns.truncate(start)
            return
        seen[entity] = row
        data = columns.data
        self._report_bad_cells(row, bad, data["locator"][start:])
        prefix, suffix = f"{sheet}!", str(row)
        locators = data["locator"]
        locators[start:] = [prefix + letters.decode() + suffix for letters in locators[start:]]
        data["entity"].extend([entity] * count)
        data["note"].extend([_note_text(note, self.note_prefix)] * count)

    def _report_bad_cells(
        self, row: int, bad: list[tuple[bytes, CellValue]], filled: list[object]
    ) -> None:
        expected = "a number, '...' (no data) or 'xxx' (did not exist)"
        for letters, value in bad:
            report_column = letters.decode()
            self.report.add(
                "text in a numeric cell",
                expected=expected,
                sheet=self.sheet,
                row=row,
                column=report_column,
                value=value,
            )
        if len(filled) + len(bad) < len(self.targets):
            present = set(filled) | {letters for letters, _ in bad}
            for letters in self.targets:
                if letters not in present:
                    self.report.add(
                        "empty cell where a figure is expected",
                        expected=expected,
                        sheet=self.sheet,
                        row=row,
                        column=letters.decode(),
                    )


def _estimate_kinds(font_colours: list[int | None], kinds: dict[int, str]) -> dict[bytes, str]:
    """Style index (as the sheet XML writes it) -> estimate kind, for coloured styles only."""
    return {
        str(style).encode(): kinds[colour]
        for style, colour in enumerate(font_colours)
        if colour is not None and colour in kinds
    }


def _note_text(value: CellValue, prefix: str) -> str | None:
    if isinstance(value, float):  # a bare footnote number such as 97
        value = str(int(value)) if value.is_integer() else str(value)
    if not value or not value.strip():
        return None
    return f"{prefix}{value.strip()}"


def _edition(path: Path, edition_id: str) -> Edition:
    release_year = edition_id[:4]
    return Edition(
        source_id=SOURCE_ID,
        edition=edition_id,
        dataset=DATASET,
        publisher=PUBLISHER,
        title=f"SIPRI Military Expenditure Database {release_year}",
        published=edition_id,
        url=URL,
        licence=LICENCE,
        citation=f"SIPRI Military Expenditure Database {release_year}, {URL}",
        file_name=path.name,
        sha256=sha256_of(path),
        notes=(
            f"Edition inferred from the workbook: data to {int(release_year) - 1}, and SIPRI "
            f"releases each year's data the following April."
        ),
    )


def iter_footnotes(path: Path) -> Iterator[tuple[str, str]]:
    """(symbol or number, text) pairs from the workbook's `Footnotes` sheet."""
    reader = XlsxReader(Path(path))
    try:
        if "Footnotes" not in reader.sheet_parts:
            return
        rows = reader.rows("Footnotes")
    finally:
        reader.close()
    for row_number in sorted(rows):
        cells = [rows[row_number][c][0] for c in sorted(rows[row_number])]
        cells = [c for c in cells if c not in (None, "")]
        if len(cells) < 2:
            continue
        key, text = cells[0], cells[-1]
        if isinstance(key, float) and key.is_integer():
            yield str(int(key)), str(text).strip()
        elif isinstance(key, str) and len(key.strip()) == 1 and isinstance(text, str):
            yield key.strip(), text.strip()
