"""What `alliance.chart_text` remembers of the text charts drew, and the file beside the store
that keeps it between processes: one per command that draws (`text-<command>.bin` in the cache
folder).

Its layout: FILE_MAGIC; the header's length (8 bytes, big-endian); the CRC-32 of all that follows
(4 bytes); a JSON header (matplotlib's and FreeType's versions, the generation, the fonts with
their size and modification time, the strings' sizes, the layouts with where their items are, the
glyphs' styles and the arrays' lengths); then three arrays: the layouts' items (float64, a row:
font, glyph, x, y), the glyphs (int64, a row: font, glyph, 64ths across, 64ths up, style, left,
top, rows, columns, last used) and their pixels (uint8, row after row). Numbers, strings and
pixels only: nothing in it runs. A file from another matplotlib or FreeType, naming a font file
that has changed since, or that does not add up, is not used (and is replaced by the next chart
that adds to the memory).

Reading turns only the keys into Python objects: a layout's items and a glyph's pixels are taken
from the arrays when a chart first uses them, so that reading costs little however much is kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import numpy as np

FILE_MAGIC: Final = b"alliance text cache 3\n"
HEADER_BYTES: Final = 8
CHECKSUM_BYTES: Final = 4
ITEM_COLUMNS: Final = 4
GLYPH_COLUMNS: Final = 10
USED_COLUMN: Final = 9
ABANDONED_AFTER_SECONDS: Final = 3600


FontId = int
Item = tuple[FontId, int, float, float]  # font, glyph, x and y from the string's origin


@dataclass
class Memory:
    """What is remembered, each entry ending with the generation it was last used in (to drop the
    least recently used).

    sizes: (string, fonts, size, dpi, settings) -> [width, height, descent, used]
    layouts: (string, fonts, size, dpi, settings, features, language) -> [items, used]
    glyphs: (font, glyph, 64ths across, 64ths up, style) -> [pixels, left, top, used], where
      style is (size, dpi, rotation, load flags, antialiased) and left and top are the bitmap's
      place from the pixel its origin falls in.
    A layout's items or a glyph read from the file and not used yet is `Stored` (an index into
    what was read) until a chart asks for it. `fonts[i]` is (path, face index, size in bytes,
    modification time)."""

    fonts: list[tuple[str, int, int, int]] = field(default_factory=list)
    font_ids: dict[tuple[str, int], FontId] = field(default_factory=dict)
    sizes: dict[tuple[Any, ...], list[Any]] = field(default_factory=dict)
    layouts: dict[tuple[Any, ...], list[Any]] = field(default_factory=dict)
    glyphs: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    stored: Any = None  # the file's arrays (chart_text_file.Stored), for entries not yet used
    generation: int = 0
    added: bool = False
    command: str | None = None  # whose file was read; None until one is

    def font_id(self, path: str, face: int) -> FontId:
        found = self.font_ids.get((path, face))
        if found is None:
            found = self.font_ids[(path, face)] = len(self.fonts)
            self.fonts.append((path, face, *stamp(path)))
        return found

    def forget(self) -> None:
        self.sizes.clear()
        self.layouts.clear()
        self.glyphs.clear()
        self.stored = None
        self.generation = 0


def stamp(path: str) -> tuple[int, int]:
    """A font file's size and modification time: a changed file is a different font."""
    try:
        status = os.stat(path)
    except OSError:
        return (-1, -1)
    return (status.st_size, status.st_mtime_ns)


class Stored:
    """The arrays of a file read, for the entries a chart has not used yet."""

    def __init__(
        self, items: np.ndarray, glyphs: np.ndarray, pixels: np.ndarray, font_ids: list[int]
    ) -> None:
        import numpy as np

        self.item_rows = items
        self.glyph_rows = glyphs
        self.pixels = pixels
        self.font_ids = font_ids
        sizes = glyphs[:, 7] * glyphs[:, 8]
        self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).tolist() if len(sizes) else []

    def items(self, rows: range) -> tuple[Item, ...]:
        taken = self.item_rows[rows.start : rows.stop].tolist()
        return tuple((self.font_ids[int(f)], int(g), x, y) for f, g, x, y in taken)

    def glyph(self, row: int) -> list[Any]:
        *_, left, top, rows, columns, used = self.glyph_rows[row].tolist()
        start = self.starts[row]
        pixels = self.pixels[start : start + rows * columns].reshape(rows, columns)
        return [pixels, left, top, used]

    def glyph_used(self, row: int) -> int:
        return int(self.glyph_rows[row, USED_COLUMN])


def path_of(name: str) -> Path:
    from alliance.homes import home

    return home()[0] / f"text-{name}.bin"


def read(memory: Memory, name: str) -> None:
    """Fill `memory` from file `name`; one missing or not of this kind leaves it empty."""
    try:
        content = path_of(name).read_bytes()
    except OSError:
        return
    try:
        _take_in(memory, content)
    except (ValueError, KeyError, TypeError, IndexError):
        memory.forget()


def _take_in(memory: Memory, content: bytes) -> None:
    import numpy as np

    if not content.startswith(FILE_MAGIC):
        raise ValueError("not a text cache")
    start = len(FILE_MAGIC) + HEADER_BYTES + CHECKSUM_BYTES
    header_size = int.from_bytes(content[len(FILE_MAGIC) : start - CHECKSUM_BYTES], "big")
    checksum = int.from_bytes(content[start - CHECKSUM_BYTES : start], "big")
    if checksum != zlib.crc32(memoryview(content)[start:]):
        raise ValueError("not the file that was written (its checksum differs)")
    header = json.loads(content[start : start + header_size])
    if header["fingerprint"] != fingerprint():
        raise ValueError("written by another matplotlib or FreeType")
    fonts = header["fonts"]
    if any(stamp(path) != (size, modified) for path, _, size, modified in fonts):
        raise ValueError("a font file has changed")
    ids = [memory.font_id(path, face) for path, face, _, _ in fonts]
    body = bytearray(content[start + header_size :])  # writable: draw_text_image takes them so
    item_count, glyph_count = header["item_count"], header["glyph_count"]
    items = np.frombuffer(body, np.float64, item_count * ITEM_COLUMNS)
    glyphs = np.frombuffer(body, np.int64, glyph_count * GLYPH_COLUMNS, items.nbytes)
    pixels = np.frombuffer(body, np.uint8, offset=items.nbytes + glyphs.nbytes)
    items = items.reshape(item_count, ITEM_COLUMNS)
    glyphs = glyphs.reshape(glyph_count, GLYPH_COLUMNS)
    _check(items, glyphs, pixels, len(ids), len(header["styles"]), item_count)
    memory.generation = int(header["generation"])
    _take_in_strings(memory, header, ids, item_count)
    styles = [
        (size, dpi, tuple(turn), flags, aa) for size, dpi, turn, flags, aa in header["styles"]
    ]
    font_of = np.asarray(ids, dtype=np.int64)[glyphs[:, 0]].tolist() if glyph_count else []
    keys = zip(
        font_of,
        glyphs[:, 1].tolist(),
        glyphs[:, 2].tolist(),
        glyphs[:, 3].tolist(),
        [styles[s] for s in glyphs[:, 4].tolist()],
        strict=True,
    )
    memory.glyphs.update(zip(keys, range(glyph_count), strict=True))
    memory.stored = Stored(items, glyphs, pixels, ids)


def _take_in_strings(memory: Memory, header: Any, ids: list[int], item_count: int) -> None:
    """The sizes, and the layouts as ranges of the items array."""
    for text, fonts, size, dpi, settings, *measured in header["sizes"]:
        memory.sizes[(text, tuple(ids[f] for f in fonts), size, dpi, tuple(settings))] = measured
    for entry in header["layouts"]:
        text, fonts, size, dpi, settings, features, language, first, count, used = entry
        if not 0 <= first <= first + count <= item_count:
            raise ValueError("a layout outside the items")
        features = tuple(features) if isinstance(features, list) else features
        font_ids = tuple(ids[f] for f in fonts)
        layout_key = (text, font_ids, size, dpi, tuple(settings), features, language)
        memory.layouts[layout_key] = [range(first, first + count), used]


def _check(
    items: np.ndarray,
    glyphs: np.ndarray,
    pixels: np.ndarray,
    font_count: int,
    style_count: int,
    item_count: int,
) -> None:
    """That every index points inside what was read and the pixels add up."""
    if item_count and not ((items[:, 0] >= 0) & (items[:, 0] < font_count)).all():
        raise ValueError("an item's font is not in the file")
    if len(glyphs) == 0:
        if pixels.size:
            raise ValueError("pixels without glyphs")
        return
    fonts, style, rows, columns = glyphs[:, 0], glyphs[:, 4], glyphs[:, 7], glyphs[:, 8]
    if not (((fonts >= 0) & (fonts < font_count)) & ((style >= 0) & (style < style_count))).all():
        raise ValueError("a glyph's font or style is not in the file")
    if (rows < 0).any() or (columns < 0).any() or int((rows * columns).sum()) != pixels.size:
        raise ValueError("the pixels do not add up")


def fingerprint() -> list[str]:
    import matplotlib
    from matplotlib import ft2font

    return [matplotlib.__version__, str(ft2font.__freetype_version__)]


def write(memory: Memory, name: str) -> bool:
    """Write `memory` to file `name` (whole, replacing it at once); False if it could not be."""
    from alliance.errors import AllianceError
    from alliance.paths import write_bytes

    path = path_of(name)
    try:
        write_bytes(path, encoded(memory), "a cache file beside the store")
    except AllianceError:
        return False
    _remove_abandoned(path)
    return True


def _remove_abandoned(path: Path) -> None:
    """Partial files of this one that a killed process left (`paths.write_bytes` names them
    `.<name>.<random>.partial`; an hour old: not being written)."""
    import time

    for partial in path.parent.glob(f".{path.name}.*.partial"):
        with contextlib.suppress(OSError):
            if time.time() - partial.stat().st_mtime > ABANDONED_AFTER_SECONDS:
                partial.unlink()


def encoded(memory: Memory) -> bytes:
    import numpy as np

    stored = memory.stored
    layouts: list[list[Any]] = []
    item_rows: list[Item] = []
    # copies of the dictionaries (made at once): a web server's other threads may be drawing
    layout_entries, glyph_entries = list(memory.layouts.items()), list(memory.glyphs.items())
    size_entries = list(memory.sizes.items())
    for (text, fonts, size, dpi, settings, features, language), entry in layout_entries:
        items = stored.items(entry[0]) if isinstance(entry[0], range) else entry[0]
        first = len(item_rows)
        item_rows.extend(items)
        features = list(features) if features is not None else None
        layouts.append([text, list(fonts), size, dpi, list(settings), features, language])
        layouts[-1].extend([first, len(items), entry[1]])
    styles: dict[tuple[Any, ...], int] = {}
    glyph_rows: list[list[Any]] = []
    pixels: list[bytes] = []
    for (font, glyph, across, up, style), entry in glyph_entries:
        found = stored.glyph(entry) if isinstance(entry, int) else entry
        bitmap, left, top, used = found
        number = styles.setdefault(style, len(styles))
        glyph_rows.append([font, glyph, across, up, number, left, top, *bitmap.shape, used])
        pixels.append(bitmap.tobytes())
    header = {
        "fingerprint": fingerprint(),
        "generation": memory.generation,
        "fonts": [list(font) for font in memory.fonts],
        "sizes": [[k[0], list(k[1]), k[2], k[3], list(k[4]), *v] for k, v in size_entries],
        "layouts": layouts,
        "styles": [[s[0], s[1], list(s[2]), s[3], s[4]] for s in styles],
        "item_count": len(item_rows),
        "glyph_count": len(glyph_rows),
    }
    items_array = np.asarray(item_rows, dtype=np.float64).reshape(-1, ITEM_COLUMNS)
    glyph_array = np.asarray(glyph_rows, dtype=np.int64).reshape(-1, GLYPH_COLUMNS)
    text = json.dumps(header, separators=(",", ":")).encode()
    checked = b"".join([text, items_array.tobytes(), glyph_array.tobytes(), *pixels])
    size, checksum = len(text).to_bytes(HEADER_BYTES, "big"), zlib.crc32(checked)
    return b"".join([FILE_MAGIC, size, checksum.to_bytes(CHECKSUM_BYTES, "big"), checked])
