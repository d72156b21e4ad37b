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

import sys
import threading
from typing import Any, Final

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


_LOADING = threading.Lock()  # the web server may draw two charts at once: one loads, one waits


def load_matplotlib() -> None:
    """Import matplotlib's drawing modules for the Agg backend, once per process."""
    import matplotlib

    matplotlib.use("Agg")
    with _LOADING:
        if all(name in sys.modules for name in DRAWING_MODULES):
            return
        import matplotlib.artist as artist

        built = getattr(artist, "kwdoc", None)
        if built is None or not _checked(matplotlib.__version__) or not _uses_kwdoc(artist):
            _import_drawing_modules()
            return
        artist.kwdoc = _pointer
        try:
            _import_drawing_modules()
        finally:
            artist.kwdoc = built


def _pointer(artist: object) -> str:
    return NOT_BUILT


def _checked(version: str) -> bool:
    parts = version.split(".")
    try:
        return (int(parts[0]), int(parts[1])) in CHECKED_VERSIONS
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


# zlib level for PNGs: 3 instead of PIL's 6 writes the same pixels in about 60 % of the time; the
# charts' files come out 2-9 % smaller, the maps' 10-30 % larger (bench/RESULTS.md).
PNG_COMPRESS_LEVEL: Final = 3


def save_options(suffix: str) -> dict[str, Any]:
    """Keyword arguments for `Figure.savefig` writing a file with this suffix."""
    return {"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}} if suffix == ".png" else {}
