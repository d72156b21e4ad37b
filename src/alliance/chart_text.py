"""Text that matplotlib's Agg renderer has measured, laid out and rasterised once, drawn again from
memory: pixel for pixel what matplotlib draws, without FreeType doing the same work again.

A chart's notes and source lines (a thousand glyphs and more) were most of the drawing time of the
long charts (bench/RESULTS.md), and they come back: in every chart drawn from the same editions,
and twice within one chart (its text is measured before and after the figure grows to make room).
Three things are kept, each under everything its result depends on:
- a string's size (what `get_text_width_height_descent` returns): by the string, its font files,
  size, resolution and the text settings (hinting, kerning factor, last-resort font);
- where its glyphs go (FreeType's layout): by the same, and the string's font features and
  language;
- a glyph's pixels: by font file, glyph, size, resolution, rotation, hinting, antialiasing and
  where its origin falls within a pixel (FreeType places glyphs in 64ths of a pixel). A glyph drawn
  whole pixels away is the same bitmap moved by whole pixels, which is what makes them reusable
  (the tests compare charts drawn with and without this, pixel for pixel).

They live in the process (a web server draws many charts) and in a file beside the store
(`alliance.chart_text_memory`), one per command that draws: the chart worker reads its command's
file while the command computes, and a chart that added to the memory rewrites it. Beyond
LARGEST_GLYPH_COUNT glyphs (or LARGEST_STRING_COUNT strings) the least recently used are dropped.

This reaches into matplotlib's Agg text drawing (`RendererAgg.draw_text`, FT2Font's `_layout`,
`_set_transform` and `_render_glyph`): only for the versions it was read for (CHECKED_VERSIONS);
otherwise `canvas_for` gives matplotlib's own canvas and nothing is remembered.
"""

from __future__ import annotations

import functools
import math
import os
import re
import threading
from typing import Any, Final

from alliance.chart_text_memory import FontId, Item, Memory, read, write

# matplotlib versions whose backend_agg.RendererAgg.draw_text (and _draw_text_glyphs_and_boxes,
# which it calls) were read for `_draw`, which does what they do with the bitmaps remembered.
CHECKED_VERSIONS: Final = ((3, 11),)
LARGEST_GLYPH_COUNT: Final = 20_000  # a chart draws one to two thousand
LARGEST_STRING_COUNT: Final = 2_000
# What savefig hands every print method; matplotlib's own drop those they do not take.
FOR_OTHER_RENDERERS: Final = frozenset(
    {"dpi", "facecolor", "edgecolor", "orientation", "bbox_inches_restore"}
)
WITHOUT_COMMAND: Final = "charts"  # the file of charts drawn where no command was named

_memory = Memory()
_LOCK = threading.RLock()  # the web server may draw two charts at once


def canvas_for(figure: Any) -> Any:
    """Give `figure` an Agg canvas (as pyplot would) whose renderer draws text from memory."""
    return _canvas_class()(figure)


@functools.cache
def _canvas_class() -> type:
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

    remembering: Any = _remembering_renderer()
    if remembering is None:
        return FigureCanvasAgg

    class RememberingCanvas(FigureCanvasAgg):
        def get_renderer(self) -> Any:
            renderer = super().get_renderer()  # type: ignore[no-untyped-call]
            if type(renderer) is RendererAgg:
                renderer.__class__ = remembering  # the same renderer, its text from memory
            return renderer

        def print_raw(self, filename_or_obj: Any, **options: Any) -> None:
            """The pixels (how `chart_backend.save_figure` writes a PNG); then what this chart
            added to the memory is written, for the next process that draws."""
            own = {k: v for k, v in options.items() if k not in FOR_OTHER_RENDERERS}
            super().print_raw(filename_or_obj, **own)  # type: ignore[no-untyped-call]
            save()

        print_rgba = print_raw

    return RememberingCanvas


@functools.cache
def _remembering_renderer() -> type | None:
    import matplotlib
    from matplotlib import ft2font
    from matplotlib.backends.backend_agg import RendererAgg

    from alliance.chart_backend import checked

    needed = all(hasattr(ft2font.FT2Font, name) for name in ("_layout", "_render_glyph"))
    if not checked(matplotlib.__version__, CHECKED_VERSIONS) or not needed:
        return None
    agg: Any = RendererAgg  # matplotlib's own drawing, untyped

    class RememberingRenderer(RendererAgg):
        def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> Any:
            if ismath:
                return agg.get_text_width_height_descent(self, s, prop, ismath)
            return _size(self, s, prop)

        def draw_text(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                      ismath: Any = False, mtext: Any = None) -> None:  # fmt: skip
            features = mtext.get_fontfeatures() if mtext is not None else None
            language = mtext.get_language() if mtext is not None else None
            if ismath or not isinstance(language, str | None) or not _plain(features):
                agg.draw_text(self, gc, x, y, s, prop, angle, ismath, mtext)
                return
            _draw(self, gc, x, y, s, prop, angle, features, language)

        def measured(self, s: str, prop: Any) -> tuple[float, float, float]:
            return agg.get_text_width_height_descent(self, s, prop, False)  # type: ignore[no-any-return]

    return RememberingRenderer


def _settings() -> tuple[Any, ...]:
    """The text settings a size, a layout or a glyph depends on besides its own arguments."""
    import matplotlib
    from matplotlib.backends.backend_agg import get_hinting_flag

    params = matplotlib.rcParams
    return (
        get_hinting_flag().value,  # type: ignore[no-untyped-call]
        params["text.kerning_factor"],
        bool(params["font.enable_last_resort"]),
    )


def _fonts_of(prop: Any) -> tuple[FontId, ...]:
    from matplotlib.font_manager import fontManager

    ids = []
    for found in fontManager._find_fonts_by_props(prop):
        path, face = (found.path, found.face_index) if hasattr(found, "path") else (found, 0)
        ids.append(_memory.font_id(os.fspath(path), int(face)))
    return tuple(ids)


def _plain(features: Any) -> bool:
    """Font features as a key can hold them (and the file can keep): none, or a tuple of str."""
    return features is None or (
        isinstance(features, tuple) and all(isinstance(f, str) for f in features)
    )


def _size(renderer: Any, s: str, prop: Any) -> tuple[float, float, float]:
    memory = loaded()
    key = (s, _fonts_of(prop), float(prop.get_size_in_points()), float(renderer.dpi), _settings())
    entry = memory.sizes.get(key)
    if entry is None:
        entry = memory.sizes[key] = [*renderer.measured(s, prop), memory.generation]
        memory.added = True
    entry[3] = memory.generation
    return entry[0], entry[1], entry[2]


def _draw(
    renderer: Any,
    gc: Any,
    x: float,
    y: float,
    s: str,
    prop: Any,
    angle: float,
    features: tuple[str, ...] | None,
    language: str | None,
) -> None:
    """`RendererAgg.draw_text` for plain text, each glyph's bitmap from memory when it is there."""
    import numpy as np
    from matplotlib.backends.backend_agg import get_hinting_flag

    memory = loaded()
    size = float(prop.get_size_in_points())
    dpi = float(renderer.dpi)
    flags = get_hinting_flag()  # type: ignore[no-untyped-call]
    live: list[Any] | None = None
    layout_key = (s, _fonts_of(prop), size, dpi, _settings(), features, language)
    items = _items(memory, layout_key)
    if items is None:
        live = _laid_out(renderer, s, prop, flags, features, language)
        items = tuple((_font_of(i.ft_object), i.glyph_index, i.x, i.y) for i in live)
        memory.layouts[layout_key] = [items, memory.generation]
        memory.added = True
    cos = math.cos(math.radians(angle))
    sin = math.sin(math.radians(angle))
    # as matplotlib computes it (the glyph's rotation, in FreeType's 16.16 fixed point)
    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[1, 0], [0, 1]]).round().astype(int)
    antialiased = bool(gc.get_antialiased())
    style = (size, dpi, tuple(matrix.ravel().tolist()), flags.value, antialiased)
    height = renderer.height
    draw_image = renderer._renderer.draw_text_image
    for n, (font, glyph, dx, dy) in enumerate(items):
        across = round(0x40 * (x + dx * cos - dy * sin))
        up = round(0x40 * (height - y + dx * sin + dy * cos))  # FreeType's y is upwards
        key = (font, glyph, across & 63, up & 63, style)  # where, within a pixel
        remembered = _glyph(memory, key)
        if remembered is None:
            if live is None:
                live = _laid_out(renderer, s, prop, flags, features, language)
            remembered = _rendered(live[n].ft_object, glyph, across, up, matrix, style, flags)
            memory.glyphs[key] = remembered
            memory.added = True
        remembered[3] = memory.generation
        pixels, left, top = remembered[0], remembered[1] + (across >> 6), remembered[2] + (up >> 6)
        # draw_text_image's y is downwards and the bitmap's bottom side
        draw_image(pixels, left, int(height) - top + pixels.shape[0], 0, gc)


def _items(memory: Memory, key: tuple[Any, ...]) -> tuple[Item, ...] | None:
    entry = memory.layouts.get(key)
    if entry is None:
        return None
    if isinstance(entry[0], range):  # where the file keeps them
        entry[0] = memory.stored.items(entry[0])
    entry[1] = memory.generation
    return entry[0]  # type: ignore[no-any-return]


def _glyph(memory: Memory, key: tuple[Any, ...]) -> list[Any] | None:
    remembered = memory.glyphs.get(key)
    if remembered is None or isinstance(remembered, list):
        return remembered
    taken: list[Any] = memory.stored.glyph(remembered)
    memory.glyphs[key] = taken
    return taken


def _rendered(
    ft_font: Any, glyph: int, across: int, up: int, matrix: Any, style: tuple[Any, ...], flags: Any
) -> list[Any]:
    """A glyph's bitmap as matplotlib renders it, placed from the pixel its origin falls in."""
    from matplotlib.ft2font import RenderMode

    size, dpi, _, _, antialiased = style
    ft_font.set_size(size, dpi)
    ft_font._set_transform(matrix, [across, up])
    bitmap = ft_font._render_glyph(
        glyph, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO
    )
    pixels = bitmap.buffer
    if not antialiased:
        pixels *= 0xFF
    return [pixels, bitmap.left - (across >> 6), bitmap.top - (up >> 6), 0]


def _font_of(ft_font: Any) -> FontId:
    return _memory.font_id(ft_font.fname, int(ft_font.face_index))


def _laid_out(
    renderer: Any, s: str, prop: Any, flags: Any, features: Any, language: Any
) -> list[Any]:
    font = renderer._prepare_font(prop)
    return list(font._layout(s, flags=flags, features=features, language=language))


def load(command: str | None = None) -> None:
    """Read the file `command` keeps beside the store, once per process (the chart worker does this
    while the command computes). A missing, unreadable or foreign file is an empty memory."""
    name = command if command and re.fullmatch(r"[a-z0-9-]+", command) else WITHOUT_COMMAND
    with _LOCK:
        if _memory.command is None:
            _memory.command = name
            read(_memory, name)


def loaded() -> Memory:
    if _memory.command is None:
        load()
    return _memory


def save() -> None:
    """Write the memory to its file when a chart added to it, the least recently used dropped
    beyond the limits. A cache: a folder that cannot be written is no error."""
    with _LOCK:
        if not _memory.added or _memory.command is None:
            return
        _memory.generation += 1
        _drop_least_recent(_memory.glyphs, LARGEST_GLYPH_COUNT)
        _drop_least_recent(_memory.sizes, LARGEST_STRING_COUNT)
        _drop_least_recent(_memory.layouts, LARGEST_STRING_COUNT)
        if write(_memory, _memory.command):
            _memory.added = False


def _drop_least_recent(entries: dict[Any, Any], largest: int) -> None:
    if len(entries) <= largest:
        return
    stored = _memory.stored
    by_use = sorted(list(entries.items()), key=lambda kept: _used(kept[1], stored), reverse=True)
    for key, _ in by_use[largest:]:
        del entries[key]


def _used(entry: Any, stored: Any) -> int:
    return int(entry[-1]) if isinstance(entry, list) else stored.glyph_used(entry)
