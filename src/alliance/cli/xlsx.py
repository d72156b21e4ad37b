"""A workbook of named sheets of rows, as xlsx bytes, written with the standard library.

openpyxl (with numpy, which it imports) took longer to import than the rest of a command that
writes xlsx (bench/RESULTS.md); a workbook of values needs a zip of a few XML parts. Cells are
written as openpyxl's write-only sheets write them, so a workbook reads back the same:

- text as an inline string, control characters xlsx cannot hold dropped, cut at 32,767
  characters, never read as a formula (a leading "=") or an error code (#N/A);
- numbers (int, float, Decimal) with 16 significant digits, infinity as an empty number;
  booleans as such; a duration as a fraction of days shown [hh]:mm:ss; None as no cell;
- anything else (bytes as UTF-8, a UUID, a list) as its text.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any, Final
from xml.sax.saxutils import escape

from alliance.sources.xlsx import column_letters

MAX_TEXT: Final = 32_767  # characters in a cell (Excel's limit)
# Characters XML 1.0 cannot hold (tab, line feed and carriage return can): openpyxl's pattern.
_ILLEGAL: Final = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_DURATION_STYLE: Final = 1  # the cellXfs entry with the [hh]:mm:ss format

_MAIN: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT_RELS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES: Final = "http://schemas.openxmlformats.org/package/2006/content-types"
_SHEET_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

_SHEET_HEAD: Final = (
    f'<worksheet xmlns="{_MAIN}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1" />'
    '<pageSetUpPr /></sheetPr><sheetViews><sheetView workbookViewId="0"><selection '
    'activeCell="A1" sqref="A1" /></sheetView></sheetViews><sheetFormatPr baseColWidth="8" '
    'defaultRowHeight="15" /><sheetData>'
)
_SHEET_TAIL: Final = (
    '</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
    'footer="0.5" /></worksheet>'
)
_FONTS_TO_STYLES: Final = (
    '<fonts count="1"><font><name val="Calibri" /><family val="2" /><sz val="11" />'
    '<scheme val="minor" /></font></fonts><fills count="2"><fill><patternFill /></fill><fill>'
    '<patternFill patternType="gray125" /></fill></fills><borders count="1"><border><left />'
    '<right /><top /><bottom /><diagonal /></border></borders><cellStyleXfs count="1">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>'
)
_XF: Final = (
    '<xf numFmtId="{}" fontId="0" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" '
    'xfId="0" />'
)
_CELL_STYLES: Final = (
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" hidden="0" />'
    '</cellStyles><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16" />'
)


def workbook(sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> bytes:
    """The xlsx file of `sheets` (name, rows), in that order; a None cell is left empty."""
    parts: dict[str, str] = {}
    durations = False
    for number, (_, rows) in enumerate(sheets, start=1):
        xml, has_durations = _sheet(rows)
        parts[f"xl/worksheets/sheet{number}.xml"] = xml
        durations = durations or has_durations
    parts["xl/styles.xml"] = _styles(durations)
    parts["xl/workbook.xml"] = _workbook([name for name, _ in sheets])
    parts["xl/_rels/workbook.xml.rels"] = _workbook_relationships(len(sheets))
    parts["_rels/.rels"] = (
        f'<Relationships xmlns="{_RELS}"><Relationship Type="{_DOCUMENT_RELS}/officeDocument" '
        'Target="xl/workbook.xml" Id="rId1" /></Relationships>'
    )
    parts["[Content_Types].xml"] = _content_types(len(sheets))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml.encode("utf-8"))
    return buffer.getvalue()


def _sheet(rows: Sequence[Sequence[Any]]) -> tuple[str, bool]:
    out = [_SHEET_HEAD]
    durations = False
    letters: list[str] = []
    for row_number, row in enumerate(rows, start=1):
        out.append(f'<row r="{row_number}">')
        while len(letters) < len(row):
            letters.append(column_letters(len(letters) + 1))
        for letter, value in zip(letters, row, strict=False):
            if value is None:
                continue
            reference = f"{letter}{row_number}"
            if isinstance(value, timedelta):
                durations = True
                days = _number(value.total_seconds() / 86_400)
                out.append(f'<c r="{reference}" s="{_DURATION_STYLE}" t="n"><v>{days}</v></c>')
            else:
                out.append(_cell(reference, value))
        out.append("</row>")
    out.append(_SHEET_TAIL)
    return "".join(out), durations


def _cell(reference: str, value: Any) -> str:
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        number = _number(value)
        content = f"<v>{number}</v>" if number else "<v />"
        return f'<c r="{reference}" t="n">{content}</c>'
    return _text_cell(reference, value)


def _number(value: float | Decimal) -> str:
    """openpyxl's form of a number: 16 significant digits; empty for NaN and infinity."""
    if math.isnan(value) or math.isinf(value):
        return ""
    return "%.16g" % value  # noqa: UP031 - the %g form openpyxl writes, not str.format's


def _text_cell(reference: str, value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = _ILLEGAL.sub("", value if isinstance(value, str) else str(value))[:MAX_TEXT]
    if not text:
        return f'<c r="{reference}" t="inlineStr" />'
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c r="{reference}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _styles(durations: bool) -> str:
    formats = '<numFmts count="1"><numFmt numFmtId="164" formatCode="[hh]:mm:ss" /></numFmts>'
    xfs = [_XF.format(0), *([_XF.format(164)] if durations else [])]
    return (
        f'<styleSheet xmlns="{_MAIN}">{formats if durations else ""}{_FONTS_TO_STYLES}'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>{_CELL_STYLES}</styleSheet>'
    )


def _workbook(names: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{number}" state="visible" '
        f'r:id="rId{number}" />'
        for number, name in enumerate(names, start=1)
    )
    return (
        f'<workbook xmlns:r="{_DOCUMENT_RELS}" xmlns="{_MAIN}"><workbookPr /><bookViews>'
        '<workbookView visibility="visible" minimized="0" showHorizontalScroll="1" '
        'showVerticalScroll="1" showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0" '
        f'autoFilterDateGrouping="1" /></bookViews><sheets>{sheets}</sheets>'
        '<calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>'
    )


def _workbook_relationships(count: int) -> str:
    sheets = "".join(
        f'<Relationship Type="{_DOCUMENT_RELS}/worksheet" '
        f'Target="/xl/worksheets/sheet{number}.xml" Id="rId{number}" />'
        for number in range(1, count + 1)
    )
    styles = (
        f'<Relationship Type="{_DOCUMENT_RELS}/styles" Target="styles.xml" Id="rId{count + 1}" />'
    )
    return f'<Relationships xmlns="{_RELS}">{sheets}{styles}</Relationships>'


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="{_SHEET_TYPE}" />'
        for number in range(1, count + 1)
    )
    return (
        f'<Types xmlns="{_TYPES}"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml" />'
        '<Default Extension="xml" ContentType="application/xml" />'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml" />'
        f"{sheets}"
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml" /></Types>'
    )
