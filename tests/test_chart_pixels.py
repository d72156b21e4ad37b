"""What makes charts and maps faster changes no pixel: matplotlib loaded without its help() lists,
PNGs written at a faster zlib level, the map's frame taken from its parts' bounds, and the
repaired boundary shapes read back from their cache."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from alliance.treaties import geo, map_view, obligations
from alliance.treaties.map_view import EURO_ATLANTIC, Projection, frame_of, territory_shape
from alliance.treaties.resolve import NAT_ART5, TEU_42_7
from alliance.treaties.tables import metropolitan

ON = date(2025, 6, 1)
# A chart drawn in a new process, as the CLI draws it; IMPORT_FIRST imports matplotlib's drawing
# modules before alliance does, so that they are built as matplotlib builds them by itself.
DRAW = """
import os, sys
if os.environ.get("IMPORT_FIRST"):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.figure, matplotlib.backends.backend_agg
from pathlib import Path
from typing import Any
from alliance.chart_layout import ChartText
from alliance.charts import count_bar_chart
text = ChartText("Allies at 2% of GDP", "NATO definition", ["NATO, edition 2025-08"], ["a note"])
count_bar_chart([2014, 2015, 2016], [3, 5, 6], [28, 28, 28], [False, False, True],
                Path(sys.argv[1]), text)
from matplotlib.artist import kwdoc
from matplotlib.lines import Line2D
from alliance.chart_backend import NOT_BUILT
print("markerfacecolor" in Line2D.set.__doc__, NOT_BUILT in Line2D.set.__doc__)
print("markerfacecolor" in kwdoc(Line2D))
"""


def _draw(path: Path, import_first: bool) -> list[str]:
    env = {**os.environ, "IMPORT_FIRST": "1" if import_first else ""}
    done = subprocess.run(
        [sys.executable, "-c", DRAW, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def _pixels(path: Path) -> np.ndarray:
    import matplotlib.image

    return np.asarray(matplotlib.image.imread(path))


def test_matplotlib_loaded_without_help_lists_draws_the_same_pixels(tmp_path: Path) -> None:
    from alliance.chart_backend import CHECKED_VERSIONS

    plain = _draw(tmp_path / "plain.png", import_first=True)
    fast = _draw(tmp_path / "fast.png", import_first=False)
    assert np.array_equal(_pixels(tmp_path / "plain.png"), _pixels(tmp_path / "fast.png"))
    assert plain[0] == "True False"  # matplotlib's own set() docstring lists the properties
    version = tuple(int(part) for part in matplotlib.__version__.split(".")[:2])
    assert fast[0] == ("False True" if version in CHECKED_VERSIONS else plain[0])
    assert fast[1] == "True"  # kwdoc itself is matplotlib's again once alliance has loaded


DEFERRED = """
import sys
from pathlib import Path
from alliance.chart_backend import DEFERRED_MODULES, load_matplotlib
from alliance.chart_layout import ChartText
from alliance.charts import count_bar_chart
def run():
    return [type(sys.modules[name]).__name__ == "module" for name in DEFERRED_MODULES]
load_matplotlib()
text = ChartText("Allies at 2% of GDP", "NATO definition", ["NATO, edition 2025-08"])
count_bar_chart([2014, 2015], [3, 5], [28, 28], [False, True], Path(sys.argv[1]) / "a.png", text)
print(sorted(DEFERRED_MODULES), run())
import fontTools.agl
print(fontTools.agl is sys.modules["fontTools.agl"], run())
print(fontTools.agl.AGL2UV["Aacute"], fontTools.agl.toUnicode("uni20AC"), run())
"""


def test_a_module_no_chart_uses_is_loaded_when_first_used(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", DEFERRED, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    deferred, imported, used = done.stdout.splitlines()
    version = tuple(int(part) for part in matplotlib.__version__.split(".")[:2])
    from alliance.chart_backend import CHECKED_VERSIONS

    ran = version not in CHECKED_VERSIONS  # else deferred: not run while a PNG chart is drawn
    assert deferred == f"['fontTools.agl'] [{ran}]"
    assert imported == f"True [{ran}]"  # `import` finds it without running it
    assert used == "193 € [True]"  # Adobe's glyph list: Aacute is U+00C1, uni20AC the euro


def _small_figure() -> matplotlib.figure.Figure:
    from alliance.chart_backend import load_matplotlib

    load_matplotlib()
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3), dpi=110)
    axes = figure.add_axes((0.1, 0.1, 0.8, 0.8))
    axes.fill_between([1, 2, 3], [3, 1, 2], color="#3360a9", alpha=0.4)
    axes.plot([1, 2, 3], [3, 1, 2], color="#3360a9")
    axes.set_title("a title")
    return figure


@pytest.mark.parametrize(("dpi", "facecolor"), [(None, "white"), (150, None), (72, "none")])
def test_png_written_here_has_matplotlibs_pixels_and_metadata(
    dpi: int | None, facecolor: str | None
) -> None:
    from PIL import Image

    from alliance.chart_backend import save_figure

    figure = _small_figure()
    options: dict[str, Any] = {"dpi": dpi, "facecolor": facecolor}
    theirs, ours = io.BytesIO(), io.BytesIO()
    figure.savefig(theirs, format="png", **options)  # PIL's encoder, filters chosen per row
    save_figure(figure, ours, ".png", **options)
    assert theirs.getvalue() != ours.getvalue()
    read = [Image.open(io.BytesIO(png.getvalue())) for png in (theirs, ours)]
    assert [image.mode for image in read] == ["RGBA", "RGBA"]
    assert read[0].info == read[1].info  # the Software text and the resolution
    per_inch = dpi or 110  # stored in dots per metre, rounded: back within 0.05
    assert read[1].info["dpi"] == pytest.approx((per_inch, per_inch), abs=0.05)
    assert np.array_equal(np.asarray(read[0]), np.asarray(read[1]))
    assert np.asarray(read[1]).shape == (3 * (dpi or 110), 4 * (dpi or 110), 4)


def test_png_falls_back_to_matplotlibs_writer_when_the_pixels_come_unshaped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from alliance import chart_backend

    figure = _small_figure()
    theirs, ours = io.BytesIO(), io.BytesIO()
    figure.savefig(theirs, format="png")
    shaped = chart_backend._Pixels.write

    def write_flat(self: chart_backend._Pixels, data: object) -> int:
        return shaped(self, bytes(memoryview(data)))  # type: ignore[arg-type]  # as a flat buffer

    monkeypatch.setattr(chart_backend._Pixels, "write", write_flat)
    chart_backend.save_figure(figure, ours, ".png")
    assert ours.getvalue() == theirs.getvalue()


def _frame_by_union(place: str | tuple[float, float]) -> tuple[Projection, tuple[float, ...]]:
    """The frame as it was computed before: every state's home territory rebuilt, cut to the
    window, and the union of all parts projected."""
    result = obligations(place, ON, with_capacity=False)
    bound = set(result.clause(NAT_ART5).bound) | set(result.clause(TEU_42_7).bound)
    window = box(*EURO_ATLANTIC)
    parts = []
    attacked = map_view.attacked_shape(result)
    if attacked is not None:
        parts.append(attacked)
    else:
        assert result.place.lat is not None and result.place.lon is not None
        parts.append(Point(result.place.lon, result.place.lat))
    states = bound | ({result.place.sovereign} if result.place.sovereign else set())
    for iso3 in sorted(states):
        item = metropolitan(iso3)
        if item is None:
            continue
        home = territory_shape(item, ON)
        if not home.is_empty and home.intersects(window):
            parts.append(home.intersection(window))
    focus = shapely.union_all(parts)
    lon_min, lat_min, lon_max, lat_max = focus.bounds
    projection = Projection((lat_min + lat_max) / 2, (lon_min + lon_max) / 2)
    return projection, map_view._limits(projection.geometry(focus).bounds)


@pytest.mark.parametrize(
    "place", ["Svalbard", "Greenland", "Hawaii", "Ceuta", "Cyprus", "Estonia", (70.5, 2.0)]
)
def test_frame_from_the_parts_bounds_is_the_frame_of_their_union(
    place: str | tuple[float, float],
) -> None:
    result = obligations(place, ON, with_capacity=False)
    bound = set(result.clause(NAT_ART5).bound) | set(result.clause(TEU_42_7).bound)
    view = frame_of(result, bound)
    projection, limits = _frame_by_union(place)
    assert view.projection == projection
    assert view.limits == limits  # exactly: the same pixels


def test_repaired_shapes_are_read_back_as_made_and_a_damaged_cache_is_rebuilt() -> None:
    shapes = [unit.geometry for unit in geo.boundaries().units]
    made = {
        index: shapely.make_valid(shape, method="structure", keep_collapsed=False)
        for index, shape in enumerate(shapes)
        if not shape.is_valid
    }
    assert made  # Norway and the United Kingdom cross themselves in the shipped shapes
    cached = map_view._repaired_cache_file()
    assert cached is not None
    first = map_view.repaired_shapes(shapes)
    assert cached.exists()
    again = map_view.repaired_shapes(shapes)
    cached.write_bytes(b"not a numpy archive")
    rebuilt = map_view.repaired_shapes(shapes)
    for repaired in (first, again, rebuilt):
        assert sorted(repaired) == sorted(made)
        assert all(shapely.to_wkb(repaired[i]) == shapely.to_wkb(made[i]) for i in made)
    assert map_view._read_repaired(cached) is not None  # rewritten whole


WORDS = (
    "Sources: North Atlantic Treaty Art. 5 and 6 (nato.int); Treaty on European Union Art. 42(7) "
    "(EUR-Lex); membership dates from the alliance groups table; boundaries: Natural Earth, "
    "version 5.1.1, public domain. Answers marked 'contested' have two readings: see the reasons."
)


@pytest.mark.parametrize(
    ("words", "x", "align", "size"),
    [
        (WORDS, 0.02, "left", 7.5),
        (WORDS, 0.5, "center", 9),
        (WORDS, 0.9, "right", 11),
        ("one\n\nline  with  double spaces " * 6 + "Supercalifragilistic" * 8, 0.3, "left", 8),
        ("Unbroken" * 40, 0.02, "left", 7.5),
        ("", 0.02, "left", 7.5),
    ],
)
@pytest.mark.parametrize(("suffix", "dpi"), [(".png", 150), (".png", 72), (".svg", None)])
def test_lines_found_by_bisection_are_matplotlibs_own(
    words: str, x: float, align: str, size: float, suffix: str, dpi: int | None
) -> None:
    from matplotlib.text import Text

    from alliance.chart_backend import save_figure, wrap_by_bisection

    figure = _small_figure()
    text = figure.text(x, 0.02, words, fontsize=size, ha=align, wrap=True)
    theirs, ours = io.BytesIO(), io.BytesIO()
    save_figure(figure, theirs, suffix, dpi=dpi)
    plain = Text._get_wrapped_text(text)  # type: ignore[attr-defined]  # at the dpi just drawn
    wrap_by_bisection(text)
    assert type(text) is not Text
    save_figure(figure, ours, suffix, dpi=dpi)
    assert text._get_wrapped_text() == plain  # type: ignore[attr-defined]
    if suffix == ".svg":
        assert _svg(theirs) == _svg(ours)
    else:
        before, after = (_pixels(io.BytesIO(out.getvalue())) for out in (theirs, ours))  # type: ignore[arg-type]
        assert np.array_equal(before, after)


def _svg(out: io.BytesIO) -> str:
    import re

    text = re.sub(r"<dc:date>[^<]*</dc:date>", "", out.getvalue().decode())
    return re.sub(r"\b[a-z][0-9a-f]{10}\b", "id", text)  # the random salt of element ids


CLI_CHARTS = [  # every kind of chart and map the CLI draws
    ["share", "EU-NATO", "--of", "NATO", "--metric", "defence", "--year", "2024"],
    ["compare", "NATO & EU", "NATO - EU - USA", "USA", "--metric", "defence", "--from", "2014",
     "--to", "2024"],
    ["targets", "--year", "2025"],
    ["targets", "--history"],
    ["obligations", "Svalbard", "--on", "2025-06-01"],
    ["obligations", "--at", "70.5,2.0"],
    ["scenario", "europe-without-us", "--table", "sensitivity"],
    ["scenario", "vs-russia"],
    ["project", "NATO", "--to", "2035"],
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("command", CLI_CHARTS, ids=lambda c: " ".join(c[:2]))
def test_each_chart_kind_has_the_pixels_matplotlib_writes_itself(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart as the CLI writes it (PNG encoded here, wrapped lines found by bisection) beside
    the same figure written by matplotlib's own PNG writer with matplotlib's own line wrapping."""
    from matplotlib.text import Text

    from alliance import chart_backend

    from conftest import run_cli

    written, bisecting = chart_backend.save_figure, chart_backend._bisecting_text()
    pairs: list[tuple[bytes, bytes]] = []
    bisected: list[Any] = []

    def both(figure: Any, out: Any, suffix: str, **options: Any) -> None:
        ours, theirs = io.BytesIO(), io.BytesIO()
        written(figure, ours, suffix, **options)
        out.write(ours.getvalue())
        for text in figure.findobj(lambda artist: type(artist) is bisecting):
            text.__class__ = Text
            bisected.append(text)
        figure.savefig(theirs, format="png", **options)
        pairs.append((ours.getvalue(), theirs.getvalue()))

    monkeypatch.setattr(chart_backend, "save_figure", both)
    code, _, stderr = run_cli([*command, "--chart", str(tmp_path / "chart.png")], monkeypatch)
    assert code == 0, stderr
    assert len(pairs) == 1
    assert len(bisected) == (1 if command[0] == "obligations" else 0)  # the map's source line
    ours, theirs = (_pixels(io.BytesIO(png)) for png in pairs[0])  # type: ignore[arg-type]
    assert ours.shape == theirs.shape and ours.shape[0] > 500
    assert np.array_equal(ours, theirs)


def test_map_shapes_are_read_from_their_caches_without_importing_the_store() -> None:
    """A chart worker drawing a map needs the caches' folder, not DuckDB."""
    from alliance import homes, store

    assert store.home is homes.home
    probe = (
        "import sys\n"
        "from alliance.treaties import geo, map_view\n"
        "units = len(map_view._valid_units()) == len(geo.boundaries().units)\n"
        "print(units, 'duckdb' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]


JOB = """
import pickle, sys
from pathlib import Path
from alliance.chart_worker import _resolve
module, name, args, kwargs = pickle.loads(Path(sys.argv[1]).read_bytes())
drawn = _resolve(module, name).__wrapped__(*args, **kwargs)
print(Path(drawn).stat().st_size > 10_000, "duckdb" in sys.modules)
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["project", "NATO", "--to", "2035"],
        ["scenario", "vs-russia"],
        ["obligations", "Svalbard", "--on", "2025-06-01"],
    ],
    ids=lambda c: c[0],
)
def test_a_chart_job_is_drawn_without_opening_the_store(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the CLI hands a chart worker carries what the chart needs from the store (its
    sources): drawing it imports no DuckDB."""
    from alliance import chart_worker

    from conftest import run_cli

    jobs: list[bytes] = []

    class Recorder:
        def ask(self, job: bytes) -> None:
            jobs.append(job)  # no answer: the command draws the chart itself

        def stop(self) -> None:
            pass

    monkeypatch.setattr(chart_worker, "_worker", Recorder())
    code, _, stderr = run_cli([*command, "--chart", str(tmp_path / "in-process.png")], monkeypatch)
    assert code == 0, stderr
    assert len(jobs) == 1
    (tmp_path / "job").write_bytes(jobs[0])
    done = subprocess.run(
        [sys.executable, "-c", JOB, str(tmp_path / "job")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]
