"""Map shapes for the pages: the shipped Natural Earth boundaries, projected, clipped and
simplified once per process, as SVG path data.

Every panel uses a Lambert azimuthal equal-area projection, so countries keep their areas (a
choropleth must not make Canada look bigger than it is). Two frames:

- `map_frame`: one panel centred on the North Atlantic, Europe and North America at one scale,
  for the obligations map (Art. 6's area). The browser inverts the same formulas (static/app.js,
  `inverseLaea`) to turn a click into a latitude and longitude; the parameters travel as data
  attributes.
- `europe_frame`: Europe large (the subject of the overview), with North America at a smaller
  scale in a column on its left, above the legend: no panel or legend hides a country.

Repairing, clipping and simplifying the shapes takes most of a second (GEOS's repair of Canada's
and the United States' self-crossing rings above all), so each frame's shapes are kept as JSON
beside the store and read back in milliseconds, without shapely: see `_stored_frame`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

EARTH_RADIUS_KM: Final = 6371.0088
SIMPLIFY_KM: Final = 9.0


@dataclass(frozen=True)
class Panel:
    """One projected view: a Lambert azimuthal equal-area projection centred on (lat0, lon0);
    longitudes and latitudes first clip the sphere (the azimuthal projection goes wild near the
    antipode), then a rectangle in projected km frames the picture, drawn at `scale` SVG units per
    km with its top-left corner at `offset`."""

    name: str
    lat0: float
    lon0: float
    lonlat_window: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max
    view_km: tuple[float, float, float, float]  # x_min, y_min, x_max, y_max
    scale: float
    offset: tuple[float, float] = (0.0, 0.0)

    @property
    def width(self) -> float:
        return (self.view_km[2] - self.view_km[0]) * self.scale

    @property
    def height(self) -> float:
        return (self.view_km[3] - self.view_km[1]) * self.scale

    def project(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        """Lambert azimuthal equal-area (spherical), km; arrays in, arrays out."""
        import numpy as np

        phi0, lam0 = math.radians(self.lat0), math.radians(self.lon0)
        phi, lam = np.radians(lat), np.radians(lon) - lam0
        cos_c = math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam)
        k = np.sqrt(2.0 / np.maximum(1.0 + cos_c, 1e-9))
        x = EARTH_RADIUS_KM * k * np.cos(phi) * np.sin(lam)
        y = (
            EARTH_RADIUS_KM
            * k
            * (math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam))
        )
        return x, y

    def to_view(self, x: Any, y: Any) -> tuple[Any, Any]:
        """Projected km to SVG units (y grows downwards)."""
        return (
            (x - self.view_km[0]) * self.scale + self.offset[0],
            (self.view_km[3] - y) * self.scale + self.offset[1],
        )


# Mainland USA, Canada, Greenland, Europe to the Urals' foot, Türkiye and the Mediterranean shore,
# at one scale: the map is 968 x 528.
ATLANTIC: Final = Panel(
    "North Atlantic", 52.0, -35.0, (-140.0, 14.0, 62.0, 84.0), (-6300, -2700, 5800, 3900), 0.08
)
# Iceland to the Caucasus, the North Cape to Crete and Cyprus (the Azores, Madeira and the Canaries
# fall outside); it sits right of a column that holds North America and the legend.
COLUMN: Final = 262.0  # SVG units left of Europe
EUROPE: Final = Panel(
    "Europe", 52.0, 10.0, (-45.0, 25.0, 70.0, 84.0), (-1750, -1900, 3050, 2330), 0.1455, (COLUMN, 0)
)
# Alaska (its mainland) to Newfoundland, the Arctic islands cut at about 75° N, Florida's keys.
NORTH_AMERICA: Final = Panel(
    "North America",
    52.0,
    -100.0,
    (-168.9, 15.0, -50.0, 84.0),  # east of Russia's Big Diomede: Alaska without Russia
    (-2750, -2850, 3450, 3100),
    0.04,
    (4.0, 22.0),
)


@dataclass(frozen=True)
class Shape:
    iso3: str
    a3: str
    name: str
    path: str  # SVG path data in map units
    panel: int = 0  # index into MapFrame.panels


@dataclass(frozen=True)
class MapFrame:
    width: int
    height: int
    shapes: tuple[Shape, ...]
    source: str
    version: str
    panels: tuple[Panel, ...] = (ATLANTIC,)
    legend_at: tuple[float, float] = (12.0, 400.0)  # top-left corner of the legend

    def attributes(self) -> dict[str, str]:
        """What the browser needs to invert the first panel's projection (see static/app.js)."""
        panel = self.panels[0]
        return {
            "data-lat0": f"{panel.lat0}",
            "data-lon0": f"{panel.lon0}",
            "data-scale": f"{panel.scale}",
            "data-x0": f"{panel.view_km[0]}",
            "data-y1": f"{panel.view_km[3]}",
            "data-radius": f"{EARTH_RADIUS_KM}",
        }


def to_view(lat: float, lon: float, panel: Panel = ATLANTIC) -> tuple[float, float]:
    """A point's position in SVG units (y grows downwards)."""
    x, y = panel.project(lon, lat)
    vx, vy = panel.to_view(float(x), float(y))
    return float(vx), float(vy)


def _path_data(geometry: Any) -> str:
    parts: list[str] = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            points = [f"{x:.1f} {y:.1f}" for x, y in ring.coords[:-1]]
            if len(points) >= 3:
                parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)


def _panel_shapes(panel: Panel, index: int, units: Any) -> list[Shape]:
    """Every admin-0 unit inside the panel, projected, clipped to it and simplified."""
    import numpy as np
    import shapely
    from shapely.geometry import box

    def projected(coords: Any) -> Any:
        x, y = panel.project(coords[:, 0], coords[:, 1])
        return np.column_stack(panel.to_view(x, y))

    window = box(*panel.lonlat_window)
    left, top = panel.offset
    shapes = []
    for unit in units:
        if not unit.geometry.intersects(window):
            continue
        clipped = shapely.clip_by_rect(shapely.make_valid(unit.geometry), *panel.lonlat_window)
        flat = shapely.transform(clipped, projected)
        flat = shapely.clip_by_rect(flat, left, top, left + panel.width, top + panel.height)
        flat = flat.simplify(SIMPLIFY_KM * panel.scale, preserve_topology=True)
        if flat.is_empty or flat.area < 0.5:
            continue
        shapes.append(Shape(unit.iso3, unit.a3, unit.name, _path_data(flat), index))
    return shapes


def _drawn_shapes(panels: tuple[Panel, ...]) -> tuple[list[Shape], str, str]:
    """Every panel's shapes from the shipped boundaries, with the boundaries' source and version."""
    from alliance.treaties import geo

    boundaries = geo.boundaries()
    shapes = [
        shape
        for index, panel in enumerate(panels)
        for shape in _panel_shapes(panel, index, boundaries.units)
    ]
    return shapes, boundaries.source, boundaries.version


def _frame(
    panels: tuple[Panel, ...], width: float, height: float, legend_at: tuple[float, float]
) -> MapFrame:
    cached = _frame_cache_file(panels)
    stored = _stored_frame(cached, len(panels)) if cached is not None else None
    if stored is None:
        stored = _drawn_shapes(panels)
        if cached is not None:
            _store_frame(cached, *stored)
    shapes, source, version = stored
    return MapFrame(int(width), int(height), tuple(shapes), source, version, panels, legend_at)


def _frame_cache_file(panels: tuple[Panel, ...]) -> Path | None:
    """Keyed by everything the drawn shapes follow from: the panels, this module's source (the
    clipping, the simplification, the path format, the cached layout), the shipped boundaries
    file (size and time, as `geo` keys its cache) and shapely's compiled GEOS binding (size and
    time: a reinstalled or upgraded shapely may repair and simplify differently), found without
    importing shapely, which alone takes longer than reading the cache."""
    import hashlib
    from importlib import resources
    from importlib.util import find_spec

    from alliance.homes import home

    boundaries = Path(str(resources.files("alliance") / "data" / "treaties" / "boundaries.geojson"))
    spec = find_spec("shapely")
    if spec is None or spec.origin is None:
        return None
    files = [boundaries, *sorted(Path(spec.origin).parent.glob("lib.*"))]
    try:
        stamps = [f"{path.name}:{path.stat().st_size}:{path.stat().st_mtime_ns}" for path in files]
        code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    except OSError:
        return None
    fields = [repr(panels), code, *stamps]
    key = hashlib.sha256("|".join(fields).encode()).hexdigest()[:16]
    return home()[0] / f"map-frame-{key}.json"


# What `_path_data` writes, and nothing else: the path goes into the pages' SVG unescaped.
_NUMBER = r"-?\d+\.\d"
_PATH_DATA: Final = re.compile(rf"(?:M{_NUMBER} {_NUMBER}(?:L{_NUMBER} {_NUMBER})*Z)*")


def _stored_frame(cached: Path, panels: int) -> tuple[list[Shape], str, str] | None:
    """The cached shapes, or None where the file is missing, damaged or holds anything
    `_drawn_shapes` would not have written (then drawn anew)."""
    import json

    try:
        stored = json.loads(cached.read_bytes())
        shapes = [Shape(*fields) for fields in stored["shapes"]]
        source, version = stored["source"], stored["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    texts = [source, version, *(text for s in shapes for text in (s.iso3, s.a3, s.name, s.path))]
    if not all(isinstance(text, str) for text in texts):
        return None
    if not all(type(s.panel) is int and 0 <= s.panel < panels for s in shapes):
        return None
    if not all(_PATH_DATA.fullmatch(s.path) for s in shapes):
        return None
    return shapes, source, version


def _store_frame(cached: Path, shapes: list[Shape], source: str, version: str) -> None:
    import contextlib
    import json
    import os
    import tempfile

    fields = [[s.iso3, s.a3, s.name, s.path, s.panel] for s in shapes]
    text = json.dumps({"source": source, "version": version, "shapes": fields})
    with contextlib.suppress(OSError):  # no cache where the folder cannot be written
        cached.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".map-frame-", dir=cached.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, cached)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


@cache
def map_frame() -> MapFrame:
    """The North Atlantic at one scale, the legend over the Pacific off Mexico (computed once)."""
    return _frame((ATLANTIC,), ATLANTIC.width, ATLANTIC.height, (12.0, ATLANTIC.height - 106))


@cache
def europe_frame() -> MapFrame:
    """Europe on the right; North America and under it the legend in the column on its left,
    so that neither hides a country (computed once)."""
    legend_top = NORTH_AMERICA.offset[1] + NORTH_AMERICA.height + 40
    return _frame((EUROPE, NORTH_AMERICA), COLUMN + EUROPE.width, EUROPE.height, (12.0, legend_top))
