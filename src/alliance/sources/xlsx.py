"""The one xlsx reader of the importers: cell values, font colours, hidden rows, error cells.

SIPRI marks estimates only by font colour, which pandas and calamine do not read, and NATO hides
rows of `#REF!` cells that calamine shows as empty. Both are read here straight from the
workbook's XML parts: one regular-expression pass over a sheet's XML collects column, row, style,
type and value of every cell, and `xl/styles.xml` maps style index -> font -> indexed colour.
This reads SIPRI's full workbook several times faster than openpyxl (bench/RESULTS.md).

Columns are numbered from 1, as Excel and openpyxl number them: `column_letters(1) == "A"`.
"""

from __future__ import annotations

import html
import math
import re
import zipfile
import zlib
from functools import cache
from pathlib import Path
from typing import Final

CellValue = float | str | None
Row = dict[int, tuple[CellValue, int]]  # column (1-based) -> (value, style index)
# One cell as the sheet XML holds it: column letters, row, style, type, other attributes,
# <v> text, inline-string body (all bytes; empty when absent).
RawCell = tuple[bytes, bytes, bytes, bytes, bytes, bytes, bytes]

_SHEET_ENTRY: Final = re.compile(rb"<sheet\b[^>]*?/?>")
_ATTRIBUTE: Final = re.compile(rb'([\w:]+)="([^"]*)"')
_RELATIONSHIP: Final = re.compile(rb"<Relationship\b[^>]*?/?>")
_SHARED_ITEM: Final = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
_TEXT_RUN: Final = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>|<t/>", re.S)
_PHONETIC: Final = re.compile(rb"<rPh\b.*?</rPh>", re.S)
# Excel and openpyxl both write a cell's attributes in the order r, s, t; any other attribute
# order lands in group `rest` and is handled by `_normalised`. Groups, in order: column,
# row, style, type, rest, value (<v>, after an optional formula), body (inline string).
_CELL: Final = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?([^>]*?)'
    rb"(?:/>|>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?(?:<v>([^<]*)</v>)?(.*?)</c>)",
    re.S,
)
_ROW_START: Final = re.compile(rb"<row\b([^>]*)>")
_HIDDEN: Final = re.compile(rb'\bhidden="(?:1|true)"')
_ROW_NUMBER: Final = re.compile(rb'\br="(\d+)"')
_FONT: Final = re.compile(rb"<font\b.*?</font>|<font/>", re.S)
_INDEXED_COLOUR: Final = re.compile(rb'<color\b[^>]*?\bindexed="(\d+)"')
_CELL_XFS: Final = re.compile(rb"<cellXfs\b.*?</cellXfs>", re.S)
_XF: Final = re.compile(rb"<xf\b[^>]*?/?>")
_CREATED: Final = re.compile(rb"<dcterms:created[^>]*>([^<]+)</dcterms:created>")
_REFERENCE: Final = re.compile(r"^([A-Z]{1,3})(\d+)$")


class NotAWorkbook(Exception):
    """The file is not a readable xlsx; the message says why."""


class CellError(str):
    """A spreadsheet error shown in a cell ('#REF!', '#DIV/0!'): text, but never a figure."""


def column_letters(index: int) -> str:
    """1 -> 'A', 26 -> 'Z', 27 -> 'AA'."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@cache
def column_index(letters: bytes | str) -> int:
    """'A' -> 1, 'AA' -> 27 (str or the bytes of the sheet XML)."""
    index = 0
    for byte in letters.encode() if isinstance(letters, str) else letters:
        index = index * 26 + byte - 64
    return index


def split_reference(reference: str) -> tuple[int, int] | None:
    """'D42' -> (42, 4): row and column; None if it is not a cell reference."""
    match = _REFERENCE.match(reference)
    return (int(match.group(2)), column_index(match.group(1))) if match else None


def number(raw: bytes) -> float | str:
    """A numeric cell's value; its text when that is not a finite number (a damaged file)."""
    try:
        value = float(raw)
    except ValueError:
        return _text(raw)
    return value if math.isfinite(value) else _text(raw)


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")  # a damaged file's bytes show as U+FFFD
    return html.unescape(text) if "&" in text else text


def _rich_text(body: bytes) -> str:
    body = _PHONETIC.sub(b"", body)
    return "".join(_text(match.group(1) or b"") for match in _TEXT_RUN.finditer(body))


class XlsxReader:
    """Cell values, font colours and hidden rows of an xlsx, read straight from its XML parts."""

    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
            workbook = self._zip.read("xl/workbook.xml")
            relationships = self._zip.read("xl/_rels/workbook.xml.rels")
        except (zipfile.BadZipFile, KeyError, EOFError, zlib.error, OSError) as error:
            raise NotAWorkbook(str(error) or type(error).__name__) from error
        targets = {}
        for match in _RELATIONSHIP.finditer(relationships):
            attributes = dict(_ATTRIBUTE.findall(match.group(0)))
            target = attributes.get(b"Target", b"").decode()
            targets[attributes.get(b"Id", b"").decode()] = (
                target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            )
        self.sheet_parts: dict[str, str] = {}  # in the workbook's order of sheets
        for match in _SHEET_ENTRY.finditer(workbook):
            attributes = dict(_ATTRIBUTE.findall(match.group(0)))
            name = _text(attributes.get(b"name", b""))
            self.sheet_parts[name] = targets.get(attributes.get(b"r:id", b"").decode(), "")
        self._shared: list[str] | None = None
        self._colours: list[int | None] | None = None

    def __enter__(self) -> XlsxReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def read_part(self, part: str) -> bytes:
        """The bytes of one part of the archive; b'' when it is absent."""
        try:
            return self._zip.read(part)
        except KeyError:
            return b""
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as error:
            raise NotAWorkbook(f"{part}: {error}") from error

    @property
    def shared_strings(self) -> list[str]:
        if self._shared is None:
            data = self.read_part("xl/sharedStrings.xml")
            self._shared = [_rich_text(m.group(1) or b"") for m in _SHARED_ITEM.finditer(data)]
        return self._shared

    @property
    def font_colours(self) -> list[int | None]:
        """Indexed font colour per cell style (cellXfs position); None where not indexed."""
        if self._colours is None:
            styles = self.read_part("xl/styles.xml")
            font_colours = []
            for font in _FONT.finditer(styles):
                colour = _INDEXED_COLOUR.search(font.group(0))
                font_colours.append(int(colour.group(1)) if colour else None)
            cell_xfs = _CELL_XFS.search(styles)
            self._colours = []
            for xf in _XF.finditer(cell_xfs.group(0) if cell_xfs else b""):
                font = dict(_ATTRIBUTE.findall(xf.group(0))).get(b"fontId", b"0")
                font_id = int(font) if font.isdigit() else len(font_colours)
                in_range = font_id < len(font_colours)
                self._colours.append(font_colours[font_id] if in_range else None)
        return self._colours

    @property
    def created(self) -> str | None:
        """docProps/core.xml dcterms:created (ISO 8601), if the workbook records it."""
        match = _CREATED.search(self.read_part("docProps/core.xml"))
        return _text(match.group(1)).strip() if match else None

    def raw_sheet(self, name: str) -> bytes:
        return self.read_part(self.sheet_parts[name])

    def cells(self, name: str) -> list[RawCell]:
        """Every cell of a sheet in document order (row by row, left to right)."""
        cells: list[RawCell] = _CELL.findall(self.raw_sheet(name))
        if any(cell[4] for cell in cells):
            cells = [_normalised(cell) if cell[4] else cell for cell in cells]
        return cells

    def inline_texts(self, cells_per_sheet: int = 500) -> list[str]:
        """Inline strings among each sheet's first cells. Excel keeps text in shared strings;
        openpyxl and other tools may write it inline, so sniffers look here too."""
        texts: list[str] = []
        for name in self.sheet_parts:
            first = self.cells(name)[:cells_per_sheet]
            texts.extend(_rich_text(cell[6]) for cell in first if cell[3] == b"inlineStr")
        return texts

    def hidden_rows(self, name: str) -> frozenset[int]:
        rows = set()
        for match in _ROW_START.finditer(self.raw_sheet(name)):
            number = _ROW_NUMBER.search(match.group(1))
            if number and _HIDDEN.search(match.group(1)):
                rows.add(int(number.group(1)))
        return frozenset(rows)

    def value(self, cell: RawCell) -> CellValue:
        """A cell's value: float for numbers, str for text (CellError for '#REF!'), or None."""
        kind, raw = cell[3], cell[5]
        if not kind or kind == b"n":
            return number(raw) if raw else None
        if kind == b"s":
            shared = self.shared_strings
            return shared[int(raw)] if raw.isdigit() and int(raw) < len(shared) else None
        if kind == b"inlineStr":
            return _rich_text(cell[6])
        if kind == b"e":
            return CellError(_text(raw)) if raw else None
        return _text(raw) if raw else None  # str (formula text), b, d

    def rows(self, name: str) -> dict[int, Row]:
        """Row number -> column -> (value, style)."""
        rows: dict[int, Row] = {}
        for cell in self.cells(name):
            row = rows.setdefault(int(cell[1]), {})
            row[column_index(cell[0])] = (self.value(cell), int(cell[2] or 0))
        return rows


def _normalised(cell: RawCell) -> RawCell:
    """A cell whose style or type attribute came after other attributes (not Excel's order)."""
    attributes = dict(_ATTRIBUTE.findall(cell[4]))
    style = attributes.get(b"s", cell[2])
    kind = attributes.get(b"t", cell[3])
    return (cell[0], cell[1], style, kind, b"", cell[5], cell[6])
