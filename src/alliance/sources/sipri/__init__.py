"""SIPRI Military Expenditure Database workbook (`SIPRI-Milex-data-1949-YYYY.xlsx`) -> observations.

The workbook has one sheet per measure (local currency, constant and current US$, share of GDP,
per capita, share of government spending) plus `Regional totals`. Which sheet holds which
indicator, unit and price basis is data, not code: `sources/layouts/sipri.csv`, one row per
measure (two for `Regional totals`, whose last column is at current prices), and a sheet is
found by its title, not its name (`sipri.layout`): a renamed or re-ordered sheet, an extra one,
or constant prices of a new base year ("Constant (2024) US$") are read without a code change.

Reading choices, each forced by the file:

- Estimates are marked only by font colour, which pandas and calamine do not read. The xlsx is
  therefore read by `alliance.sources.xlsx`, which also gives each cell's style (see there).
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

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from alliance.errors import InvalidFileError
from alliance.provenance import Edition, sha256_of
from alliance.sources.sipri.layout import (
    MIN_HEADER_YEARS,
    Header,
    Heading,
    SheetLayout,
    layouts,
    matching_titles,
    read_top,
    titles,
    with_base_year,
)
from alliance.sources.sipri.scan import Columns, SheetScan, table
from alliance.sources.xlsx import NotAWorkbook, RawCell, Row, XlsxReader, column_index
from alliance.validation import ValidationReport

if TYPE_CHECKING:
    from alliance.sources import ParsedFile

__all__ = ["KIND", "MAX_FILE_BYTES", "iter_footnotes", "layouts", "parse", "sniff"]

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


def required_sheets() -> list[str]:
    """The sheets' names in the 2025 release, one per title (quoted in messages)."""
    return [group[0].sheet for group in titles().values()]


# --------------------------------------------------------------------------------------------
# Recognising the workbook.
# --------------------------------------------------------------------------------------------


def sniff(path: Path) -> bool:
    """True for an xlsx whose sheet names or titles are those of the SIPRI Milex workbook."""
    try:
        if not 0 < Path(path).stat().st_size <= MAX_FILE_BYTES:
            return False
        reader = XlsxReader(Path(path))
    except (OSError, NotAWorkbook):
        return False
    try:
        text = " ".join(" ".join(reader.shared_strings).split())
        named = sum(sheet in reader.sheet_parts for sheet in required_sheets())
        if max(named, _titles_in(text)) < len(titles()) // 2:
            # Excel keeps text in shared strings; a re-saved workbook may hold it inline.
            text = " ".join(" ".join(reader.inline_texts(cells_per_sheet=50)).split())
            if max(named, _titles_in(text)) < len(titles()) // 2:
                return False
        first = next(iter(reader.sheet_parts), None)  # its title says "© SIPRI <year>"
        return "SIPRI" in text or (first is not None and reader.sheet_contains(first, b"SIPRI"))
    except NotAWorkbook:
        return False
    finally:
        reader.close()


def _titles_in(text: str) -> int:
    return sum(bool(re.search(title, text, re.I)) for title in titles())


# --------------------------------------------------------------------------------------------
# Parsing.
# --------------------------------------------------------------------------------------------


def parse(path: Path) -> ParsedFile:
    """Parse a SIPRI Milex workbook; raise InvalidFileError listing every problem found."""
    from alliance.schema import validate_observations
    from alliance.sources import ParsedFile

    path = Path(path)
    report = ValidationReport.for_path(path)
    warnings = ValidationReport.for_path(path)
    reader = _open_checked(path, report)
    if reader is None:
        raise InvalidFileError(report)
    try:
        placed = _place_sheets(reader, report, warnings)
        columns = Columns()
        for sheet in placed:
            scan = SheetScan.plan(reader, sheet.name, sheet.layouts, sheet.header, columns, report)
            if scan is not None:
                scan.run(sheet.cells)
    finally:
        reader.close()
    if not placed:  # no sheet could be placed: nothing to check further
        raise InvalidFileError(report)

    edition_id = f"{max(max(s.header.years.values()) for s in placed) + 1}-{RELEASE_MONTH:02d}"
    constants = {"source_id": SOURCE_ID, "edition": edition_id, "dataset": DATASET}
    observations = table(columns, constants | {"definition": DEFINITION})
    # Schema checks run even when cells were refused above, so that one report lists all.
    validate_observations(observations, report)
    report.raise_if_failed()
    return ParsedFile(_edition(path, edition_id), observations, warnings, schema_checked=True)


def _open_checked(path: Path, report: ValidationReport) -> XlsxReader | None:
    """Size and zip checks before any cell is read; None when the file is refused."""
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
        return XlsxReader(path)
    except NotAWorkbook as error:
        report.add(
            "not a readable xlsx workbook (truncated, corrupt, or another format renamed .xlsx)",
            expected="an Excel .xlsx file (a zip archive with xl/workbook.xml)",
            value=str(error),
        )
        return None


@dataclass(frozen=True)
class _PlacedSheet:
    """A sheet whose title named its measure: its layouts (base year filled in) and header."""

    name: str
    layouts: list[SheetLayout]
    header: Header
    cells: list[RawCell]


@dataclass(frozen=True)
class _Top:
    cells: list[RawCell]
    header: Header | None
    heading: Heading


def _place_sheets(
    reader: XlsxReader, report: ValidationReport, warnings: ValidationReport
) -> list[_PlacedSheet]:
    """Each measure's sheet, found by its title, in the layout's order (problems reported)."""
    tops: dict[str, _Top] = {}
    claimed: dict[str, list[str]] = {title: [] for title in titles()}
    for sheet in reader.sheet_parts:
        try:
            cells = reader.cells(sheet)
        except NotAWorkbook as error:
            report.add("sheet cannot be read", sheet=sheet, value=str(error))
            continue
        header, heading = read_top(_rows_in_order(reader, cells))
        tops[sheet] = _Top(cells, header, heading)
        matched = matching_titles(heading)
        if len(matched) > 1:
            _report_at_title(
                report, tops[sheet], sheet, "the title fits more than one measure",
                "a title naming one measure, as in sources/layouts/sipri.csv",
            )  # fmt: skip
        elif matched:
            claimed[matched[0]].append(sheet)
        elif header is not None:
            _report_at_title(
                warnings, tops[sheet], sheet,
                "a sheet of figures whose title matches no measure: not imported",
                "a title listed in sources/layouts/sipri.csv",
            )  # fmt: skip
    if not any(claimed.values()):
        report.add(
            "not the SIPRI Milex workbook: no sheet has the title of a SIPRI sheet",
            expected=", ".join(required_sheets()),
            value=", ".join(reader.sheet_parts),
        )
        return []
    placed = []
    for title, group in titles().items():
        sheets = claimed[title]
        if len(sheets) != 1:
            taken = {sheet for names in claimed.values() for sheet in names}
            _report_unplaced(report, tops, taken, sheets, title, group[0].sheet)
            continue
        top = tops[sheets[0]]
        if top.header is None:
            report.add(
                "no header row of years found",
                expected=f"a row of at least {MIN_HEADER_YEARS} consecutive years, one per column",
                sheet=sheets[0],
            )
            continue
        resolved = with_base_year(group, sheets[0], top.heading, report)
        if resolved is not None:
            placed.append(_PlacedSheet(sheets[0], resolved, top.header, top.cells))
    return placed


def _report_at_title(
    report: ValidationReport, top: _Top, sheet: str, message: str, expected: str
) -> None:
    row, column = top.heading.title_cell
    report.add(
        message, expected=expected, sheet=sheet, row=row, column=column, value=top.heading.title
    )


def _report_unplaced(
    report: ValidationReport,
    tops: dict[str, _Top],
    taken: set[str],
    sheets: list[str],
    title: str,
    hint: str,
) -> None:
    """No sheet, or several, carry the title of one measure."""
    if len(sheets) > 1:
        _report_at_title(
            report, tops[sheets[1]], sheets[1],
            f"sheets {', '.join(map(repr, sheets))} carry the title of the same measure",
            f"one sheet titled like {title!r} (the {hint!r} sheet)",
        )  # fmt: skip
    elif hint in tops and hint not in taken:
        _report_at_title(
            report, tops[hint], hint, "title not recognised",
            f"a title matching {title!r} (what the {hint!r} sheet holds)",
        )  # fmt: skip
    else:
        report.add(
            "sheet missing",
            expected=f"a sheet named {hint!r} or titled like {title!r}",
            sheet=hint,
            value=hint,
        )


def _rows_in_order(reader: XlsxReader, cells: Iterable[RawCell]) -> Iterator[tuple[int, Row]]:
    """Decoded rows one at a time, so the header search stops decoding at the header."""
    row: Row = {}
    current = b""
    for cell in cells:
        if cell[1] != current:
            if row:
                yield int(current), row
            row, current = {}, cell[1]
        row[column_index(cell[0])] = (reader.value(cell), int(cell[2] or 0))
    if row:
        yield int(current), row


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
