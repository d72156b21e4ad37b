"""matplotlib loaded for writing files: the Agg backend, no pyplot, and without the import-time
work that only serves `help()`.

When matplotlib's modules are imported, every Artist class (about a hundred) builds the docstring
of its `set()` method from the docstrings of all its setters (`matplotlib.artist.kwdoc`), and
matplotlib's own docstrings substitute those lists in (`%(Line2D:kwdoc)s`). A command that draws
one chart never reads them, and building them is about a third of matplotlib's import
(bench/RESULTS.md, issue 13). matplotlib offers no switch for it (short of `python -OO`), so
while `alliance` imports the drawing modules, `kwdoc` returns a pointer to itself instead; the
signatures of `set()`, the artists and every pixel are matplotlib's own. This reaches into one
matplotlib internal: it is done only for the versions it was checked with and only where
`kwdoc` is still where it was, otherwise matplotlib is imported as it is.
"""

from __future__ import annotations

import functools
import io
import sys
import threading
import types
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import numpy as np

# matplotlib versions whose artist.py (Artist.__init_subclass__ -> kwdoc) and _docstring.py
# (interpd's ":kwdoc" entries -> artist.kwdoc) were read for this.
CHECKED_VERSIONS: Final = ((3, 11),)
DRAWING_MODULES: Final = (
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.patches",
    "matplotlib.lines",
    "matplotlib.ticker",
)
NOT_BUILT: Final = (
    "Properties: not listed here (alliance imported matplotlib without building these lists); "
    "matplotlib.artist.kwdoc(<class>) prints them."
)


# Imported by matplotlib's drawing modules, used by none of our charts: Adobe's glyph list (for
# TeX's fonts), about 3 % of the import (bench/RESULTS.md); loaded when an attribute of it is
# first used. Not worth it: hashlib (OpenSSL comes anyway with `secrets`, which writing a file
# uses) and PIL's EXIF names (they come with `import matplotlib`, before this can defer them).
DEFERRED_MODULES: Final = ("fontTools.agl",)

_LOADING = threading.Lock()  # the web server may draw two charts at once: one loads, one waits
_RUNNING_DEFERRED = threading.RLock()


def load_matplotlib() -> None:
    """Import matplotlib's drawing modules for the Agg backend, once per process."""
    import matplotlib

    matplotlib.use("Agg")
    with _LOADING:
        if all(name in sys.modules for name in DRAWING_MODULES):
            return
        import matplotlib.artist as artist

        built = getattr(artist, "kwdoc", None)
        if built is None or not checked(matplotlib.__version__) or not _uses_kwdoc(artist):
            _import_drawing_modules()
            return
        for name in DEFERRED_MODULES:
            _defer(name)
        artist.kwdoc = _pointer
        try:
            _import_drawing_modules()
        finally:
            artist.kwdoc = built


class _LoadedOnUse(types.ModuleType):
    """A module whose code runs when it is first asked for an attribute it lacks: its name, spec
    and file are set, so that `import` finds it imported without running it."""

    def __getattr__(self, name: str) -> Any:
        with _RUNNING_DEFERRED:
            if type(self) is _LoadedOnUse:
                # A plain module before its code runs: that code may look itself up as it runs.
                self.__class__ = types.ModuleType  # type: ignore[assignment]
                try:
                    self.__spec__.loader.exec_module(self)  # type: ignore[union-attr]
                except BaseException:
                    self.__class__ = _LoadedOnUse  # as an import that failed: tried again on use
                    raise
        return getattr(self, name)


def _defer(name: str) -> None:
    """Put module `name` in sys.modules (and on its package) unrun, unless it is imported."""
    import importlib.util

    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)  # imports its package
    if spec is None or not hasattr(spec.loader, "exec_module"):
        return
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _LoadedOnUse
    sys.modules[name] = module
    package, _, short = name.rpartition(".")
    if package:
        setattr(sys.modules[package], short, module)


def _pointer(artist: object) -> str:
    return NOT_BUILT


def checked(version: str, versions: tuple[tuple[int, int], ...] = CHECKED_VERSIONS) -> bool:
    """Whether matplotlib `version` is one of `versions` (major, minor): those whose internals
    the code that asks was read against."""
    parts = version.split(".")
    try:
        return (int(parts[0]), int(parts[1])) in versions
    except (IndexError, ValueError):
        return False


def _uses_kwdoc(artist: object) -> bool:
    """Whether Artist still builds its set() docstring by looking up the module's `kwdoc`."""
    update = getattr(getattr(artist, "Artist", None), "_update_set_signature_and_docstring", None)
    code = getattr(getattr(update, "__func__", None), "__code__", None)
    return code is not None and "kwdoc" in code.co_names


def _import_drawing_modules() -> None:
    import importlib

    for name in DRAWING_MODULES:
        importlib.import_module(name)


# PNGs are written here, not by PIL: PIL tries five filters on every row of pixels and keeps the
# best, most of the time a map takes to write; these flat-coloured images, their rows stored
# unfiltered at zlib level 3, come out smaller, in under half the time (bench/RESULTS.md).
PNG_COMPRESS_LEVEL: Final = 3
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"


def save_figure(figure: Any, out: Any, suffix: str, **options: Any) -> None:
    """`figure.savefig(out, format=suffix[1:], **options)`; a PNG with matplotlib's pixels, drawn
    by matplotlib's Agg canvas, and its metadata (the Software text and the resolution)."""
    if suffix != ".png":
        figure.savefig(out, format=suffix[1:], **options)
        return
    pixels = _Pixels(figure)
    figure.savefig(pixels, format="rgba", **options)
    if pixels.png is None:  # not the (height, width, 4) buffer this was written for
        figure.savefig(out, format="png", **options)
        return
    out.write(pixels.png)


class _Pixels(io.BytesIO):
    """Where savefig writes the Agg canvas's pixels; they are encoded as a PNG at once, while the
    figure has the resolution it was saved at."""

    def __init__(self, figure: Any) -> None:
        super().__init__()
        self.figure = figure
        self.png: bytes | None = None

    def write(self, data: Any) -> int:
        import numpy as np

        view = memoryview(data)
        if view.ndim == 3 and view.format == "B" and self.png is None:
            pixels = np.asarray(view)
            if pixels.shape[2] == 4:
                self.png = png_bytes(pixels, float(self.figure.dpi))
        return view.nbytes


def png_bytes(rgba: np.ndarray, dpi: float) -> bytes:
    """An 8-bit RGBA PNG of `rgba` (rows of pixels, top first) with the chunks matplotlib writes
    beside the pixels: its Software text and the resolution in dots per metre, as PIL rounds it."""
    import struct
    import zlib

    import matplotlib
    import numpy as np

    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # a row: filter 0 (none), its bytes
    rows[:, 1:] = rgba.reshape(height, 4 * width)
    per_metre = int(dpi / 0.0254 + 0.5)
    software = f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"
    chunks = (
        (b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
        (b"tEXt", b"Software\0" + software.encode("latin-1")),
        (b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
        (b"IDAT", zlib.compress(rows.data, PNG_COMPRESS_LEVEL)),
        (b"IEND", b""),
    )
    return PNG_SIGNATURE + b"".join(
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        for kind, body in chunks
    )


def wrap_by_bisection(text: Any) -> None:
    """Let a matplotlib `Text` drawn with wrap=True find each line's end by bisection: matplotlib
    measures the line one word longer at a time (45 measurements for a map's source line, a
    fifth of its drawing), this in a few. A line's width only grows with each word it takes, so
    the first word that makes it too wide, and every line, are matplotlib's own. Done only for
    the versions whose `Text._get_wrapped_text` was read for it; otherwise nothing changes."""
    bisecting = _bisecting_text()
    if bisecting is not None and type(text) is bisecting.__base__:
        text.__class__ = bisecting  # the same artist, in its place in the figure's order


@functools.cache
def _bisecting_text() -> type | None:
    import matplotlib
    from matplotlib.text import Text

    needed = ("_get_wrapped_text", "_get_wrap_line_width", "_get_rendered_text_width")
    if not checked(matplotlib.__version__) or not all(hasattr(Text, n) for n in needed):
        return None

    class BisectingText(Text):
        def _get_wrapped_text(self) -> str:
            return _wrapped(self)

    return BisectingText


def _wrapped(text: Any) -> str:
    """`Text._get_wrapped_text` with each line's end found by `_first_too_wide`."""
    plain: Any = type(text).__base__
    if not text.get_wrap() or text.get_usetex():
        return str(plain._get_wrapped_text(text))
    room = text._get_wrap_line_width()
    lines: list[str] = []
    for unwrapped in text.get_text().split("\n"):
        words = unwrapped.split(" ")
        while words:
            end = _first_too_wide(words, lambda line: text._get_rendered_text_width(line) > room)
            lines.append(" ".join(words[: end - 1]))
            words = words[end - 1 :]
    return "\n".join(lines)


def _first_too_wide(words: list[str], too_wide: Any) -> int:
    """The least i >= 2 with `too_wide(" ".join(words[:i]))`, or len(words) + 1 if none (one
    word: a line of its own), found by bisection over a width that grows with i."""
    low, high = 2, len(words) + 1
    while low < high:
        middle = (low + high) // 2
        if too_wide(" ".join(words[:middle])):
            high = middle
        else:
            low = middle + 1
    return low
