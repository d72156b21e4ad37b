"""Text drawn from memory (alliance.chart_text) is matplotlib's own text, pixel for pixel: drawn
cold, drawn again, and read back from the file beside the store; a damaged or foreign file is not
used; the memory stays within its bounds; a folder that cannot be written is no error."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance import chart_text, chart_text_memory
from alliance.chart_backend import load_matplotlib
from alliance.chart_text_memory import Memory

FOOTER = (
    "Source: NATO Public Diplomacy Division, 'Defence Expenditure of NATO Countries (2014-2025)', "
    "2025-08-28; SIPRI Military Expenditure Database, April 2025 [sipri 2025-04]\n"
    "GDP: IMF WEO to 2030; from 2031 each country's last growth rate is held (≥ 2 %, € 1,234.5)"
)


@pytest.fixture
def fresh_memory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Memory:
    """An empty memory for this test, its files in a folder of its own."""
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))
    memory = Memory()
    monkeypatch.setattr(chart_text, "_memory", memory)
    return memory


def _scene(figure: Any, shift: float = 0.0) -> None:
    """Text at fractional places, sizes, weights and turns: all a chart's text goes through."""
    figure.text(0.02 + shift, 0.96, "NATO: chance of meeting 2 %", fontsize=15, weight="bold")
    figure.text(0.013 + shift, 0.015, FOOTER, fontsize=7.2, linespacing=1.35)
    figure.text(0.5 + shift, 0.5, "USD bn, current prices", rotation=90, fontsize=9)
    figure.text(0.3 + shift, 0.3, "95th: 2,735", rotation=33, fontsize=8.5, color="#3360a9")
    figure.text(0.61 + shift, 0.71, "no antialiasing", antialiased=False, fontsize=11.3)
    figure.text(0.7 + shift, 0.2, r"$x^2$ math is matplotlib's", fontsize=9)  # drawn as ever
    axes = figure.add_axes((0.1, 0.35, 0.35, 0.4))
    axes.plot([2014, 2020, 2025], [1.3, 1.9, 2.6])
    axes.set_ylabel("share of GDP, %")


def _pixels(remembering: bool, shift: float = 0.0) -> np.ndarray:
    load_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.3, 4.1), dpi=110)
    canvas = chart_text.canvas_for(figure) if remembering else FigureCanvasAgg(figure)
    _scene(figure, shift)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_the_renderer_is_the_remembering_one_for_checked_versions() -> None:
    load_matplotlib()
    from matplotlib.figure import Figure

    canvas = chart_text.canvas_for(Figure())
    version = tuple(int(part) for part in matplotlib.__version__.split(".")[:2])
    remembering = type(canvas.get_renderer()).__name__ == "RememberingRenderer"
    assert remembering == (version in chart_text.CHECKED_VERSIONS)


def _written_file() -> bytes:
    chart_text.load("share")
    _pixels(remembering=True)
    chart_text.save()
    return chart_text_memory.path_of("share").read_bytes()


def test_text_from_memory_is_matplotlibs_pixels(fresh_memory: Memory) -> None:
    plain = _pixels(remembering=False)
    cold = _pixels(remembering=True)
    assert fresh_memory.glyphs and fresh_memory.layouts and fresh_memory.sizes
    count = len(fresh_memory.glyphs)
    warm = _pixels(remembering=True)
    assert len(fresh_memory.glyphs) == count  # nothing new: every glyph came from memory
    assert np.array_equal(cold, plain)
    assert np.array_equal(warm, plain)


def test_glyphs_whole_pixels_away_are_the_same_bitmap_moved(fresh_memory: Memory) -> None:
    whole_pixels = 3 / (7.3 * 110)  # three pixels to the right
    _pixels(remembering=True)
    count = len(fresh_memory.glyphs)
    moved = _pixels(remembering=True, shift=whole_pixels)
    assert np.array_equal(moved, _pixels(remembering=False, shift=whole_pixels))
    assert len(fresh_memory.glyphs) < count * 1.2  # the moved text is (mostly) from memory


def test_text_read_back_from_the_file_is_matplotlibs_pixels(
    fresh_memory: Memory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _written_file()
    written = chart_text_memory.path_of("share")
    reread = Memory()
    monkeypatch.setattr(chart_text, "_memory", reread)
    chart_text.load("share")
    assert len(reread.glyphs) == len(fresh_memory.glyphs)
    assert all(isinstance(entry, int) for entry in reread.glyphs.values())  # taken when used
    assert np.array_equal(_pixels(remembering=True), _pixels(remembering=False))
    assert not reread.added  # every glyph, size and layout was in the file
    chart_text.save()
    assert written.read_bytes() == chart_text_memory.encoded(fresh_memory)  # not rewritten


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(place=st.floats(0, 1, exclude_max=True), cut=st.booleans())
def test_a_damaged_file_is_not_used(
    fresh_memory: Memory, monkeypatch: pytest.MonkeyPatch, place: float, cut: bool
) -> None:
    path = chart_text_memory.path_of("share")
    if not path.is_file():
        _written_file()
    content = path.read_bytes()
    where = int(place * len(content))
    flipped = bytes([content[where] ^ 0x5A])
    damaged = content[:where] if cut else content[:where] + flipped + content[where + 1 :]
    path.with_name("text-damaged.bin").write_bytes(damaged)
    reread = Memory()
    with monkeypatch.context() as patched:
        patched.setattr(chart_text, "_memory", reread)
        chart_text.load("damaged")
        assert not reread.glyphs and not reread.layouts and not reread.sizes
        assert np.array_equal(_pixels(remembering=True), _pixels(remembering=False))


def test_a_file_from_another_matplotlib_or_with_a_changed_font_is_not_used(
    fresh_memory: Memory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _written_file()
    with monkeypatch.context() as patched:
        patched.setattr(chart_text_memory, "fingerprint", lambda: ["3.99.0", "2.14.3"])
        other = Memory()
        patched.setattr(chart_text, "_memory", other)
        chart_text.load("share")
        assert not other.glyphs
    changed = Memory()
    monkeypatch.setattr(chart_text, "_memory", changed)
    real_stamp = chart_text_memory.stamp
    monkeypatch.setattr(chart_text_memory, "stamp", lambda path: (real_stamp(path)[0] + 1, 0))
    chart_text.load("share")
    assert not changed.glyphs and not changed.sizes


def test_the_least_recently_used_are_dropped_beyond_the_limits(
    fresh_memory: Memory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _written_file()
    first = set(fresh_memory.glyphs)
    monkeypatch.setattr(chart_text, "LARGEST_GLYPH_COUNT", len(first))
    _pixels(remembering=True, shift=0.37 / (7.3 * 110))  # a third of a pixel: new glyphs
    newest = {key for key, entry in fresh_memory.glyphs.items() if key not in first}
    assert newest
    chart_text.save()
    assert len(fresh_memory.glyphs) == len(first)
    used_last = {k for k, e in fresh_memory.glyphs.items() if e[3] == fresh_memory.generation - 1}
    assert newest <= set(fresh_memory.glyphs)  # the glyphs of the last chart stay
    assert used_last >= newest


def test_partial_files_a_killed_process_left_are_removed(fresh_memory: Memory) -> None:
    chart_text.load("share")
    _pixels(remembering=True)
    written = chart_text_memory.path_of("share")
    written.parent.mkdir(parents=True)
    abandoned, recent = (written.with_name(f".{written.name}.{n}.partial") for n in ("ab", "cd"))
    for partial in (abandoned, recent):
        partial.write_bytes(b"half a file")
    an_hour_and_more = time.time() - chart_text_memory.ABANDONED_AFTER_SECONDS - 60
    os.utime(abandoned, (an_hour_and_more, an_hour_and_more))
    chart_text.save()
    assert written.is_file() and not abandoned.exists()
    assert recent.exists()  # perhaps another process writing it now


def test_a_folder_that_cannot_be_written_is_no_error(
    fresh_memory: Memory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("ALLIANCE_HOME", str(blocked))
    chart_text.load("share")
    plain = _pixels(remembering=False)
    assert np.array_equal(_pixels(remembering=True), plain)
    chart_text.save()  # nowhere to write: kept in memory
    assert fresh_memory.added


def test_the_cli_draws_the_same_chart_from_its_file(tmp_path: Path) -> None:
    """Through the installed program (its chart worker reads the command's file): the second
    chart, its text from the file, is the first one byte for byte."""
    env = {**os.environ, "ALLIANCE_HOME": str(tmp_path / "home")}
    program = "from alliance.cli.program import run; run()"
    charts = []
    for n in range(2):
        chart = tmp_path / f"share-{n}.png"
        done = subprocess.run(
            [sys.executable, "-c", program, "share", "EU-NATO", "--of", "NATO", "--metric",
             "defence", "--year", "2024", "--chart", str(chart)],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        charts.append(chart.read_bytes())
    assert (tmp_path / "home" / "cache" / "text-share.bin").is_file()
    assert charts[0] == charts[1]
