"""NATO 'Defence Expenditure of NATO Countries': the Excel tables and transcriptions of the report.

Two kinds of file are read, recognised by content:

- The official tables workbook (`tables.py`): each table found by its title, its years by the
  header's labels, its blocks by their labels and its countries by the name table; what each
  block measures is DATA in `layouts/nato.csv` (`layout.py`), and the cells are read by the
  importers' one xlsx reader (`alliance.sources.xlsx`, through `sheet.py`). A sheet renamed,
  moved or added, an added `2026e` column, a title that speaks of "core defence expenditure",
  a new base year of constant prices: all read without a code change. What cannot be placed is
  refused with the sheet, the cell and what was expected.
- A CSV transcription of the report's '% of GDP' table (`transcription.py`).

Edition rule (`YYYY-MM`): the report year is the last year in the tables' headers (2014-2024 ->
2024); the month comes from the workbook's creation date in docProps/core.xml when that date
falls in the report year (June 2024 tables: created 2024-06-14 -> `2024-06`), otherwise from
`KNOWN_RELEASES`. A transcription has no metadata, so its month comes from `KNOWN_RELEASES`.
The file name (`240617-...`) is never used. The title is the report's name where the workbook
prints it ("Defence Investment of NATO Countries (2014-2026)"), else the name used until 2025.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from typing import Final

from alliance.sources import ParsedFile
from alliance.sources.nato.layout import BlockLayout, Measure, layouts, table_blocks
from alliance.sources.nato.records import validated
from alliance.sources.nato.sheet import header_year, read_workbook, split_label
from alliance.sources.nato.tables import parse_tables, tables_edition
from alliance.sources.nato.transcription import (
    PressCheck,
    cross_check_press,
    is_transcription_header,
    parse_transcription,
)
from alliance.sources.xlsx import NotAWorkbook, XlsxReader
from alliance.validation import ValidationReport

__all__ = [
    "KIND",
    "MAX_FILE_BYTES",
    "BlockLayout",
    "Measure",
    "PressCheck",
    "cross_check_press",
    "header_year",
    "layouts",
    "parse",
    "parse_tables",
    "read_workbook",
    "sniff",
    "split_label",
]

KIND: Final = "nato"
SOURCE_ID: Final = "nato"
# The June 2024 tables are 180 kB; anything this large is not a NATO tables file.
MAX_FILE_BYTES: Final = 20 * 1024 * 1024
MIN_TITLES_TO_SNIFF: Final = 3  # known table titles a workbook must show to be NATO's

_XLSX_SUFFIXES: Final = frozenset({".xlsx", ".xlsm"})
_ZIP_MAGIC: Final = b"PK\x03\x04"


def sniff(path: Path) -> bool:
    """True for a NATO tables workbook or a NATO share-of-GDP transcription, by content."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES or path.stat().st_size == 0:
            return False
        with path.open("rb") as handle:
            start = handle.read(4096)
        if start.startswith(_ZIP_MAGIC):
            return _has_table_titles(path)
        first_line = start.decode("utf-8", errors="replace").splitlines()[0]
        return is_transcription_header(next(csv.reader([first_line])))
    except (OSError, ValueError, IndexError, NotAWorkbook, zipfile.BadZipFile):
        return False


def _has_table_titles(path: Path) -> bool:
    patterns = [re.compile(blocks[0].title, re.I) for blocks in table_blocks().values()]

    def enough(texts: list[str]) -> bool:
        texts = [" ".join(text.split()) for text in texts]
        return sum(any(p.search(t) for t in texts) for p in patterns) >= MIN_TITLES_TO_SNIFF

    with XlsxReader(path) as reader:
        return enough(reader.shared_strings) or enough(reader.inline_texts())


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
    edition = tables_edition(path, workbook, result, report, warnings)
    return validated(edition, result.records, report, warnings)


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
    if not is_transcription_header(header):
        report.add(
            "not a NATO share-of-GDP table",
            expected="a header 'country,2014,...,2024e,2025e' or a NATO tables workbook",
            row=1,
            value=first,
        )
        return None
    return parse_transcription(path, text, report, warnings)
