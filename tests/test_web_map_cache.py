"""The pages' map frames kept beside the store: read back exactly as drawn, drawn anew when the
file is damaged, one file per frame; and `alliance report` written without loading shapely,
FastAPI, pandas or the JSON Schema validator once the frame is kept."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from alliance.web import pages_map
from alliance.web.pages_map import ATLANTIC, EUROPE, NORTH_AMERICA, MapFrame


@pytest.fixture
def fresh_frames() -> Iterator[None]:
    """Frames computed anew in this process (the functions remember their first answer)."""
    pages_map.map_frame.cache_clear()
    pages_map.europe_frame.cache_clear()
    yield
    pages_map.map_frame.cache_clear()
    pages_map.europe_frame.cache_clear()


def _cache_file(panels: tuple[pages_map.Panel, ...]) -> Path:
    cached = pages_map._frame_cache_file(panels)
    assert cached is not None
    return cached


def _as_drawn(frame: MapFrame) -> None:
    shapes, source, version = pages_map._drawn_shapes(frame.panels)
    assert frame.shapes == tuple(shapes)
    assert (frame.source, frame.version) == (source, version)
    assert "Natural Earth" in source


def test_a_frame_is_read_back_as_drawn_and_a_damaged_file_drawn_anew(fresh_frames: None) -> None:
    cached = _cache_file((EUROPE, NORTH_AMERICA))
    cached.unlink(missing_ok=True)
    first = pages_map.europe_frame()
    assert cached.exists()
    pages_map.europe_frame.cache_clear()
    again = pages_map.europe_frame()
    assert again == first
    _as_drawn(again)
    names = {shape.a3: shape.panel for shape in again.shapes}
    assert names["NOR"] == 0 and names["CAN"] == 1  # Europe's panel, North America's
    for damage in (b"", b"{not json", b'{"shapes": [["NOR"]], "source": "x", "version": "y"}'):
        cached.write_bytes(damage)
        pages_map.europe_frame.cache_clear()
        assert pages_map.europe_frame() == first
        assert pages_map._stored_frame(cached, 2) is not None  # rewritten whole


@pytest.mark.parametrize(
    "forged",
    [
        ["NOR", "NOR", "Norway", 'M1.0 2.0L3.0 4.0L5.0 6.0Z"/><script>alert(1)</script>', 0],
        ["NOR", "NOR", "Norway", "M1.0 2.0L3.0 4.0L5.0 6.0Z", 2],  # no third panel
        ["NOR", "NOR", "Norway", "M1.0 2.0L3.0 4.0L5.0 6.0Z", 1.0],
        ["NOR", "NOR", 7, "M1.0 2.0L3.0 4.0L5.0 6.0Z", 0],
    ],
)
def test_a_file_holding_what_drawing_would_not_write_is_drawn_anew(
    fresh_frames: None, forged: list[object]
) -> None:
    """The path goes into the pages' SVG as it is: a cache file is trusted only as far as it
    holds what `_drawn_shapes` writes."""
    first = pages_map.europe_frame()
    cached = _cache_file((EUROPE, NORTH_AMERICA))
    shapes = [[s.iso3, s.a3, s.name, s.path, s.panel] for s in first.shapes]
    text = json.dumps({"source": first.source, "version": first.version, "shapes": shapes})
    assert pages_map._stored_frame(cached, 2) is not None  # as written: read back
    cached.write_text(text.replace('"shapes": [', f'"shapes": [{json.dumps(forged)}, ', 1))
    assert pages_map._stored_frame(cached, 2) is None
    pages_map.europe_frame.cache_clear()
    assert pages_map.europe_frame() == first


def test_each_frame_has_its_own_file(fresh_frames: None) -> None:
    atlantic, europe = _cache_file((ATLANTIC,)), _cache_file((EUROPE, NORTH_AMERICA))
    assert atlantic != europe
    assert atlantic.parent == europe.parent
    frame = pages_map.map_frame()
    assert atlantic.exists()
    assert frame.panels == (ATLANTIC,) and {s.panel for s in frame.shapes} == {0}
    _as_drawn(frame)


def test_the_report_loads_no_shapely_fastapi_pandas_or_schema_validator(tmp_path: Path) -> None:
    pages_map.europe_frame()  # the frame kept beside the store, as after a first report
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from alliance.web.report import write_report\n"
        "write_report(Path(sys.argv[1]))\n"
        "heavy = ('shapely', 'numpy', 'fastapi', 'pandas', 'jsonschema')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    target = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-c", code, str(target)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
    assert target.read_text(encoding="utf-8").count("<path") > 100  # the map's countries
