"""The one xlsx reader of the importers: cell values, font colours, hidden rows, error cells.

SIPRI marks estimates only by font colour, which pandas and calamine do not read, and NATO hides
rows of `#REF!` cells that calamine shows as empty. Both are read here straight from the
workbook's XML parts: one regular-expression pass over a sheet's XML collects column, row, style,
type and value of every cell, and `xl/styles.xml` maps style index -> font -> indexed colour.
This reads SIPRI's full workbook several times faster than openpyxl (bench/RESULTS.md).

An xlsx is a zip archive, and a few megabytes of it can unpack to gigabytes (a zip bomb). Before
any part is read, the archive's declared sizes are checked (`check_archive`: in all, and the
ratio of each large part); Python's zipfile never unpacks a part beyond its declared size. Sheets
are read as a stream of complete rows and cells, and rows, columns and cells are capped
(`LIMITS`), so a sheet of 500 million rows is refused before it costs memory or minutes.

Columns are numbered from 1, as Excel and openpyxl number them: `column_letters(1) == "A"`.
"""

from __future__ import annotations

import html
import itertools
import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
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


class WorkbookTooLarge(Exception):
    """The workbook is over one of `LIMITS` (a zip bomb, or not a publisher's table); the
    message names the part and gives the numbers. Not a NotAWorkbook: sniffers let it through,
    so the user learns why rather than "not recognised"."""


@dataclass(frozen=True)
class Limits:
    """What a publisher's workbook stays far within. The real ones (reference-data/SOURCES.md):
    SIPRI's full Milex workbook unpacks to 3.7 MB (parts at most 6:1), NATO's tables to 0.8 MB;
    their sheets have at most a few hundred rows of under 100 columns."""

    unpacked_bytes: int = 256 * 2**20  # all parts together, as the archive declares them
    ratio: int = 100  # unpacked : packed, for any part over `ratio_from_bytes`
    ratio_from_bytes: int = 2**20
    parts: int = 10_000
    rows: int = 100_000  # the highest row number a cell or row may carry
    columns: int = 1_000  # the highest column (ALL)
    cells_per_sheet: int = 500_000
    shared_strings: int = 200_000
    fonts_and_styles: int = 100_000
    chunk_bytes: int = 2**20  # a sheet is read this much at a time...
    row_bytes: int = 32 * 2**20  # ...and no row (or cell) may be longer than this


LIMITS: Final = Limits()


def check_archive(archive: zipfile.ZipFile, limits: Limits = LIMITS) -> None:
    """Refuse an archive whose declared sizes could cost more than `limits` allow to unpack."""
    members = archive.infolist()
    total = sum(member.file_size for member in members)
    if total > limits.unpacked_bytes:
        raise WorkbookTooLarge(
            f"the archive unpacks to {total:,} bytes (at most {limits.unpacked_bytes:,})"
        )
    if len(members) > limits.parts:
        raise WorkbookTooLarge(
            f"the archive holds {len(members):,} parts (at most {limits.parts:,})"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.ratio_from_bytes and ratio > limits.ratio:
            raise WorkbookTooLarge(
                f"part {member.filename} unpacks to {member.file_size:,} bytes from "
                f"{member.compress_size:,} ({ratio:,.0f}:1; at most {limits.ratio}:1 for a "
                f"part over {limits.ratio_from_bytes:,} bytes)"
            )


def check_zip_file(path: Path, limits: Limits = LIMITS) -> None:
    """`check_archive` for the file at `path` if it is a zip archive (any xlsx); other files
    and damaged archives pass here (their readers say what is wrong with them)."""
    try:
        with zipfile.ZipFile(path) as archive:
            check_archive(archive, limits)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        return


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


def check_sheets(path: Path, limits: Limits = LIMITS) -> None:
    """Stream every cell of every sheet of the xlsx at `path`, refusing it past `limits`: for
    readers that build a dense grid up to the farthest cell (calamine). A damaged workbook
    passes here; its reader says what is wrong."""
    try:
        with XlsxReader(path, limits) as reader:
            for name in reader.sheet_parts:
                for _ in reader.iter_cells(name):
                    pass
    except NotAWorkbook:
        return


def check_grid(sheet: str, height: int, width: int, limits: Limits = LIMITS) -> None:
    """Refuse a sheet whose dense grid (rows x columns, as calamine holds it) is over `limits`."""
    if height > limits.rows or width > limits.columns or height * width > limits.cells_per_sheet:
        raise WorkbookTooLarge(
            f"sheet {sheet!r} spans {height:,} rows and {width:,} columns (at most "
            f"{limits.rows:,} rows, {limits.columns:,} columns, {limits.cells_per_sheet:,} cells)"
        )


class XlsxReader:
    """Cell values, font colours and hidden rows of an xlsx, read straight from its XML parts."""

    def __init__(self, path: Path, limits: Limits = LIMITS) -> None:
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
            raise NotAWorkbook(str(error) or type(error).__name__) from error
        try:
            check_archive(self._zip, limits)
            workbook = self._zip.read("xl/workbook.xml")
            relationships = self._zip.read("xl/_rels/workbook.xml.rels")
        except (zipfile.BadZipFile, KeyError, EOFError, zlib.error, OSError) as error:
            self._zip.close()
            raise NotAWorkbook(str(error) or type(error).__name__) from error
        except WorkbookTooLarge:
            self._zip.close()
            raise
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

    def _counted(self, part: str, data: bytes, tag: bytes, limit: int) -> bytes:
        found = data.count(tag)
        if found > limit:
            raise WorkbookTooLarge(
                f"part {part} holds {found:,} {tag.decode()}> (at most {limit:,})"
            )
        return data

    @property
    def shared_strings(self) -> list[str]:
        if self._shared is None:
            part = "xl/sharedStrings.xml"
            data = self._counted(part, self.read_part(part), b"<si", self.limits.shared_strings)
            self._shared = [_rich_text(m.group(1) or b"") for m in _SHARED_ITEM.finditer(data)]
        return self._shared

    @property
    def font_colours(self) -> list[int | None]:
        """Indexed font colour per cell style (cellXfs position); None where not indexed."""
        if self._colours is None:
            part, limit = "xl/styles.xml", self.limits.fonts_and_styles
            styles = self._counted(part, self.read_part(part), b"<font", limit)
            styles = self._counted(part, styles, b"<xf", limit)
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

    def sheet_chunks(self, name: str) -> Iterator[bytes]:
        """A sheet's XML in pieces of about `limits.chunk_bytes`, each ending after a complete
        cell or row, so that a cell or row start tag is never cut in two."""
        part = self.sheet_parts[name]
        limit = self.limits.row_bytes
        try:
            with self._zip.open(part) as stream:
                pending = bytearray()  # appended to in place: a long row costs no copies
                while block := stream.read(self.limits.chunk_bytes):
                    searched = max(len(pending) - len(b"</row>"), 0)
                    pending += block
                    cut = _last_boundary(pending, searched)
                    if cut:
                        yield bytes(pending[:cut])
                        del pending[:cut]
                    if len(pending) > limit:
                        raise WorkbookTooLarge(
                            f"sheet {name!r} ({part}) has a row or cell of more than "
                            f"{limit:,} bytes"
                        )
                if pending:
                    yield bytes(pending)
        except KeyError:
            return
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as error:
            raise NotAWorkbook(f"{part}: {error}") from error

    def sheet_contains(self, name: str, text: bytes) -> bool:
        """Whether the sheet's XML holds `text` (read until found)."""
        return any(text in chunk for chunk in self.sheet_chunks(name))

    def iter_cells(self, name: str) -> Iterator[RawCell]:
        """Every cell of a sheet in document order (row by row, left to right), read as a
        stream; WorkbookTooLarge past the row, column or cell limits."""
        limits, count = self.limits, 0
        for chunk in self.sheet_chunks(name):
            cells: list[RawCell] = _CELL.findall(chunk)
            count += len(cells)
            if count > limits.cells_per_sheet:
                raise WorkbookTooLarge(
                    f"sheet {name!r} has more than {limits.cells_per_sheet:,} cells"
                )
            if cells:
                _check_reach(name, cells, limits)
            for cell in cells:
                yield _normalised(cell) if cell[4] else cell

    def cells(self, name: str) -> list[RawCell]:
        """Every cell of a sheet in document order (row by row, left to right)."""
        return list(self.iter_cells(name))

    def inline_texts(self, cells_per_sheet: int = 500) -> list[str]:
        """Inline strings among each sheet's first cells. Excel keeps text in shared strings;
        openpyxl and other tools may write it inline, so sniffers look here too."""
        texts: list[str] = []
        for name in self.sheet_parts:
            first = itertools.islice(self.iter_cells(name), cells_per_sheet)
            texts.extend(_rich_text(cell[6]) for cell in first if cell[3] == b"inlineStr")
        return texts

    def hidden_rows(self, name: str) -> frozenset[int]:
        rows = set()
        for chunk in self.sheet_chunks(name):
            for match in _ROW_START.finditer(chunk):
                number = _ROW_NUMBER.search(match.group(1))
                if number and _HIDDEN.search(match.group(1)):
                    rows.add(int(number.group(1)))
                    if len(rows) > self.limits.rows:
                        raise WorkbookTooLarge(
                            f"sheet {name!r} hides more than {self.limits.rows:,} rows"
                        )
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


_ENDS: Final = (b"</c>", b"</row>")


def _last_boundary(xml: bytes | bytearray, start: int = 0) -> int:
    """The position just after the last complete cell or row in `xml` that ends after `start`
    (what was searched before need not be again); 0 if none."""
    cut = max(xml.rfind(end, start) + len(end) for end in _ENDS)
    closed = xml.rfind(b"/>", start)
    if closed + 2 > cut:  # a self-closed <c .../> or <row .../> ends one too (<f/>, <v/> do not)
        opened = xml.rfind(b"<", 0, closed)
        if xml.startswith((b"<c ", b"<row "), opened):
            cut = closed + 2
    return max(cut, 0)


def _check_reach(name: str, cells: list[RawCell], limits: Limits) -> None:
    """Refuse cells beyond the row or column limits (a row number drives loops over rows).
    Numbers are compared only for the longest references, which alone can be too far."""
    digits = max(len(cell[1]) for cell in cells)
    if digits >= len(str(limits.rows)):
        highest = max(int(cell[1]) for cell in cells if len(cell[1]) == digits)
        if highest > limits.rows:
            raise WorkbookTooLarge(
                f"sheet {name!r} has a cell in row {highest:,} (at most {limits.rows:,} rows)"
            )
    letters = max(len(cell[0]) for cell in cells)
    if letters >= len(column_letters(limits.columns)):
        widest = max(cell[0] for cell in cells if len(cell[0]) == letters)
        if column_index(widest) > limits.columns:
            raise WorkbookTooLarge(
                f"sheet {name!r} has a cell in column {widest.decode()} "
                f"(at most {limits.columns:,} columns, to {column_letters(limits.columns)})"
            )


def _normalised(cell: RawCell) -> RawCell:
    """A cell whose style or type attribute came after other attributes (not Excel's order)."""
    attributes = dict(_ATTRIBUTE.findall(cell[4]))
    style = attributes.get(b"s", cell[2])
    kind = attributes.get(b"t", cell[3])
    return (cell[0], cell[1], style, kind, b"", cell[5], cell[6])
