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
import dataclasses
import html
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

from alliance.provenance import Edition, sha256_of
from alliance.sources import names
from alliance.validation import ValidationReport

if TYPE_CHECKING:
    import pandas as pd

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

_MAIN_NS: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE_REL_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CellValue = float | str | None
Row = dict[int, tuple[CellValue, int]]  # column index (1-based) -> (value, style index)


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

    def rows(self, name: str) -> dict[int, Row]:
        """Row number -> column index -> (value, style). Numbers are floats, text is str."""
        shared = self.shared_strings
        rows: dict[int, Row] = {}
        row_number = -1
        row: Row = {}
        for column, number, style, kind, rest, raw, body in _CELL.findall(self.raw_sheet(name)):
            if rest and (b" s=" in rest or b" t=" in rest):
                style, kind = _cell_attributes(rest, style, kind)
            value: CellValue
            if not kind or kind == b"n":
                value = float(raw) if raw else None
            elif kind == b"s":
                value = shared[int(raw)] if raw and int(raw) < len(shared) else None
            elif kind == b"inlineStr":
                value = _rich_text(body)
            else:  # str (formula text), e (error such as #REF!), b, d: never a figure here
                value = _text(raw) if raw else None
            if int(number) != row_number:
                row_number = int(number)
                row = rows.setdefault(row_number, {})
            row[_column_index(column)] = (value, int(style) if style else 0)
        return rows


def _cell_attributes(rest: bytes, style: bytes, kind: bytes) -> tuple[bytes, bytes]:
    attributes = dict(_ATTRIBUTE.findall(rest))
    return attributes.get(b"s", style), attributes.get(b"t", kind)


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
    """Observation columns collected as lists, one sheet layout at a time."""

    PER_CELL: Final = ("entity", "year", "value", "estimate_kind", "missing", "note", "locator")
    PER_LAYOUT: Final = ("indicator", "unit", "currency", "price_basis", "exchange_basis", "period")

    def __init__(self) -> None:
        self.data: dict[str, list[object]] = {
            name: [] for name in (*self.PER_CELL, *self.PER_LAYOUT)
        }

    def __len__(self) -> int:
        return len(self.data["entity"])

    def add_block(
        self,
        layout: SheetLayout,
        rows: list[tuple[int, Row, str, str | None]],
        value_columns: dict[int, int],
        kind_by_style: list[str | None],
        report: ValidationReport,
    ) -> None:
        """Every figure of `layout` in `rows` (row number, cells, entity, note)."""
        data = self.data
        entities, years, values = data["entity"], data["year"], data["value"]
        kinds, missings, notes = data["estimate_kind"], data["missing"], data["note"]
        locators = data["locator"]
        before = len(entities)
        scale = layout.scale
        prefix = f"{layout.sheet}!"
        letters = {column: column_letters(column) for column in value_columns}
        styles = len(kind_by_style)
        for row_number, row, entity, note in rows:
            suffix = str(row_number)
            for column, year in value_columns.items():
                value, style = row.get(column, (None, 0))
                if value.__class__ is float:
                    values.append(value * scale)
                    kinds.append(kind_by_style[style] if style < styles else None)
                    missings.append(None)
                else:
                    missing = _missing_marker(value)
                    if missing is None:
                        _report_bad_cell(report, layout.sheet, row_number, letters[column], value)
                        continue
                    values.append(None)
                    kinds.append(None)
                    missings.append(missing)
                entities.append(entity)
                years.append(year)
                notes.append(note)
                locators.append(prefix + letters[column] + suffix)
        count = len(entities) - before
        for name in self.PER_LAYOUT:
            data[name].extend([getattr(layout, name)] * count)


def _missing_marker(value: CellValue) -> str | None:
    if isinstance(value, str):
        text = value.strip()
        if text in NO_DATA_MARKERS:
            return "no_data"
        if text == NOT_EXISTING_MARKER:
            return "not_existing"
    return None


def _report_bad_cell(
    report: ValidationReport, sheet: str, row: int, column: str, value: CellValue
) -> None:
    report.add(
        "empty cell where a figure is expected" if value is None else "text in a numeric cell",
        expected="a number, '...' (no data) or 'xxx' (did not exist)",
        sheet=sheet,
        row=row,
        column=column,
        value=value,
    )


@dataclass(frozen=True)
class _Header:
    row: int
    years: dict[int, int]  # column -> year
    labels: dict[str, int]  # header text -> column


def find_header(rows: dict[int, Row]) -> _Header | None:
    """The first row with at least MIN_HEADER_YEARS consecutive integer years in adjacent cells."""
    for row_number in sorted(rows):
        row = rows[row_number]
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
    import pandas as pd

    from alliance.schema import OBSERVATION_COLUMNS
    from alliance.sources import ParsedFile

    path = Path(path)
    report = ValidationReport.for_path(path)
    reader = _open_checked(path, report)
    if reader is None:
        report.raise_if_failed()
        raise AssertionError("unreachable: _open_checked returned None without a problem")
    try:
        columns = _Columns()
        last_years = _parse_sheets(reader, columns, report)
    finally:
        reader.close()
    if not last_years:  # no sheet had a header row: nothing to check further
        report.raise_if_failed()

    edition_id = f"{max(last_years) + 1}-{RELEASE_MONTH:02d}"
    count = len(columns)
    data = columns.data
    frame = pd.DataFrame(
        {
            "source_id": [SOURCE_ID] * count,
            "edition": [edition_id] * count,
            "dataset": [DATASET] * count,
            "entity": data["entity"],
            "year": pd.array(data["year"], dtype="int64"),
            "indicator": data["indicator"],
            "value": pd.array(data["value"], dtype="float64"),
            "unit": data["unit"],
            "currency": data["currency"],
            "price_basis": data["price_basis"],
            "exchange_basis": data["exchange_basis"],
            "definition": [DEFINITION] * count,
            "period": data["period"],
            "estimate": pd.array([kind is not None for kind in data["estimate_kind"]], dtype=bool),
            "estimate_kind": data["estimate_kind"],
            "missing": data["missing"],
            "note": data["note"],
            "locator": data["locator"],
        },
        columns=list(OBSERVATION_COLUMNS),
    )
    # Schema checks run even when cells were refused above, so that one report lists all.
    warnings = ValidationReport.for_path(path)
    _check_schema(frame, report, warnings)
    report.raise_if_failed()
    return ParsedFile(edition=_edition(path, edition_id), observations=frame, report=warnings)


def _check_schema(
    frame: pd.DataFrame, report: ValidationReport, warnings: ValidationReport
) -> None:
    """Schema problems refuse the file, except where SIPRI's own published figures trip them.

    `validate_observations` calls a share of GDP of 20 % or more "implausible" outside its
    documented outlier list, and 100 % or more impossible. SIPRI publishes such figures in wartime
    (Kuwait 1991: 117.3 %, GDP collapsed under occupation; Liberia, Somalia, Jordan and Qatar above
    20 %). Those go to `warnings` (the parsed file's report) instead of refusing the workbook: a
    plausibility rule may not reject the publisher's data. A share of 100 % or more for an entity
    not in the outlier list still refuses the file.
    """
    from alliance.schema import SHARE_OF_GDP_OUTLIERS, validate_observations

    found = ValidationReport(report.file)
    validate_observations(frame, found)
    outliers = _outlier_locators(frame, SHARE_OF_GDP_OUTLIERS)
    for problem in found.problems:
        is_share = problem.message.startswith(("implausible share of GDP", "share of GDP outside"))
        where = f"{problem.sheet}!{(problem.column or '').split(' ')[0]}{problem.row}"
        if is_share and (problem.message.startswith("implausible") or where in outliers):
            warning = f"warning, kept as published: {problem.message}"
            warnings.problems.append(dataclasses.replace(problem, message=warning))
        else:
            report.problems.append(problem)


def _outlier_locators(frame: pd.DataFrame, outliers: dict[str, str]) -> set[str]:
    return set(frame.loc[frame["entity"].isin(list(outliers)), "locator"])


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
    by_sheet: dict[str, list[SheetLayout]] = {}
    for layout in layouts():
        by_sheet.setdefault(layout.sheet, []).append(layout)
    for sheet, sheet_layouts in by_sheet.items():
        try:
            rows = reader.rows(sheet)
        except _NotAWorkbook as error:
            report.add("sheet cannot be read", sheet=sheet, value=str(error))
            continue
        header = find_header(rows)
        if header is None:
            report.add(
                "no header row of years found",
                expected=f"a row of at least {MIN_HEADER_YEARS} consecutive years, one per column",
                sheet=sheet,
            )
            continue
        last_years.append(max(header.years.values()))
        _parse_sheet(reader, sheet, sheet_layouts, rows, header, columns, report)
    return last_years


def _parse_sheet(
    reader: XlsxReader,
    sheet: str,
    sheet_layouts: list[SheetLayout],
    rows: dict[int, Row],
    header: _Header,
    columns: _Columns,
    report: ValidationReport,
) -> None:
    first = sheet_layouts[0]
    name_column = header.labels.get(first.name_header)
    if name_column is None:
        report.add(
            "header row has no name column",
            expected=f"a cell {first.name_header!r} on the header row",
            sheet=sheet,
            row=header.row,
        )
        return
    note_column = header.labels.get(first.note_header)
    value_columns = []
    for layout in sheet_layouts:
        found = _value_columns(layout, header)
        if not found:
            report.add(
                "no column matching the layout",
                expected=f"a header cell matching {layout.columns!r}",
                sheet=sheet,
                row=header.row,
            )
        value_columns.append((layout, found))
    figure_columns = {column for _, found in value_columns for column in found}
    entity_rows = _entity_rows(sheet, rows, header.row, name_column, figure_columns, report)
    notes = [_note(row, note_column, first.note_prefix) for _, row, _ in entity_rows]
    block = [
        (row_number, row, entity, note)
        for (row_number, row, entity), note in zip(entity_rows, notes, strict=True)
    ]
    colours = reader.font_colours
    for layout, found in value_columns:
        kind_by_style = [None if c is None else layout.colours.get(c) for c in colours]
        columns.add_block(layout, block, found, kind_by_style, report)


def _entity_rows(
    sheet: str,
    rows: dict[int, Row],
    header_row: int,
    name_column: int,
    figure_columns: set[int],
    report: ValidationReport,
) -> list[tuple[int, Row, str]]:
    """(row number, cells, entity) of every entity row below the header; duplicates reported."""
    found = []
    seen: dict[str, int] = {}
    for row_number in sorted(rows):
        if row_number <= header_row:
            continue
        row = rows[row_number]
        entity = _row_entity(sheet, row_number, row, name_column, figure_columns, report)
        if not entity:
            continue
        if entity in seen:
            report.add(
                f"the same entity appears twice (rows {seen[entity]} and {row_number})",
                expected="one row per country",
                sheet=sheet,
                row=row_number,
                column=column_letters(name_column),
                value=row[name_column][0],
            )
            continue
        seen[entity] = row_number
        found.append((row_number, row, entity))
    return found


def _row_entity(
    sheet: str,
    row_number: int,
    row: Row,
    name_column: int,
    value_columns: set[int],
    report: ValidationReport,
) -> str | None:
    """The row's entity; None for blank rows, region headers and unknown names (reported)."""
    name = row.get(name_column, (None, 0))[0]
    filled = any(row.get(c, (None, 0))[0] not in ("", None) for c in value_columns)
    if not isinstance(name, str) or not name.strip():
        if filled:
            report.add(
                "figures in a row without a name",
                expected="a country or region name",
                sheet=sheet,
                row=row_number,
                column=column_letters(name_column),
                value=name,
            )
        return None
    entity = names.resolve(
        name, KIND, report, sheet=sheet, row=row_number, column=column_letters(name_column)
    )
    # A name with nothing else on its row is a region header in a country sheet.
    return entity if filled else None


def _note(row: Row, note_column: int | None, prefix: str) -> str | None:
    if note_column is None:
        return None
    value = row.get(note_column, (None, 0))[0]
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
