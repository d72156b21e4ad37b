"""What an obligations map shows and where: the attacked place's shape, each unit's sovereign,
the frame (the attacked place and the states bound) and the projection that draws it.

The frame is computed, not fixed: the attacked territory (or point) plus the home territory of the
states bound that lies in Europe and around the North Atlantic. A bound state wholly beyond that
area (Canada, the United States) does not stretch the map to a world map; it is drawn where the
frame reaches it and named as 'off the map' otherwise.

Lambert azimuthal equal-area, centred on the frame, keeps Greenland and Svalbard at their true size
beside Europe (an equirectangular map doubles Greenland's width).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliance.treaties import geo
from alliance.treaties.tables import Territory, metropolitan, territories

if TYPE_CHECKING:
    import numpy as np
    from shapely.geometry.base import BaseGeometry

    from alliance.treaties.resolve import ObligationsResult

# lon_min, lat_min, lon_max, lat_max: the bound states' territory inside this box sets the frame
EURO_ATLANTIC = (-32.0, 27.0, 46.0, 72.0)
MARGIN = 0.05  # of the frame's larger side, on every side
MIN_HALF_SIZE = 0.2  # radians of the unit sphere (about 1,300 km): context around a lone place


@dataclass(frozen=True)
class Projection:
    """Lambert azimuthal equal-area on the unit sphere, centred at (lat0, lon0)."""

    lat0: float
    lon0: float

    def forward(self, coords: np.ndarray) -> np.ndarray:
        import numpy as np

        lam = np.radians(coords[:, 0] - self.lon0)
        phi = np.radians(coords[:, 1])
        phi0 = math.radians(self.lat0)
        cos_c = math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam)
        k = np.sqrt(2.0 / np.maximum(1.0 + cos_c, 1e-9))
        x = k * np.cos(phi) * np.sin(lam)
        y = k * (math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam))
        return np.column_stack([x, y])

    def inverse(self, xy: np.ndarray) -> np.ndarray:
        import numpy as np

        x, y = xy[:, 0], xy[:, 1]
        rho = np.maximum(np.hypot(x, y), 1e-12)
        c = 2 * np.arcsin(np.minimum(rho / 2, 1.0))
        phi0 = math.radians(self.lat0)
        phi = np.arcsin(np.cos(c) * math.sin(phi0) + y * np.sin(c) * math.cos(phi0) / rho)
        lam = np.arctan2(
            x * np.sin(c), rho * math.cos(phi0) * np.cos(c) - y * math.sin(phi0) * np.sin(c)
        )
        return np.column_stack([self.lon0 + np.degrees(lam), np.degrees(phi)])

    def geometry(self, shape: BaseGeometry) -> BaseGeometry:
        import shapely

        return shapely.transform(shape, self.forward)


@dataclass(frozen=True)
class MapView:
    projection: Projection
    limits: tuple[float, float, float, float]  # x_min, y_min, x_max, y_max, projected
    clip: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max worth drawing

    @property
    def aspect(self) -> float:
        """Height over width."""
        x_min, y_min, x_max, y_max = self.limits
        return (y_max - y_min) / (x_max - x_min)


@cache
def _sovereign_of_unit(on: date) -> dict[str, str]:
    """Natural Earth unit (a3) -> sovereign ISO3 on `on`, from the territories table: Greenland
    and the Faroes are Denmark's, Åland Finland's; Algeria was France's until 1962-07-03 (its
    row's Art. 6 status ends with independence). Units not in the table are their own sovereign."""
    return {
        t.units[0]: t.sovereign
        for t in territories()
        if len(t.units) == 1 and not (t.boxes or t.area) and t.valid_on(on)
        if t.art6_until is None or on < t.art6_until
    }


def sovereign(unit: geo.Unit, on: date) -> str:
    return _sovereign_of_unit(on).get(unit.a3, unit.iso3)


@cache
def _valid_units() -> tuple[tuple[geo.Unit, BaseGeometry], ...]:
    """Each unit with a shape that set operations accept: a few of the simplified Natural Earth
    shapes cross themselves (Norway, the United Kingdom), and GEOS refuses to cut those."""
    units = geo.boundaries().units
    shapes = [unit.geometry for unit in units]
    for index, repaired in repaired_shapes(shapes).items():
        shapes[index] = repaired
    return tuple(zip(units, shapes, strict=True))


def repaired_shapes(shapes: list[BaseGeometry]) -> dict[int, BaseGeometry]:
    """The shapes GEOS finds invalid, made valid, by their place in `shapes`. Checking and
    repairing them is most of a map's geometry work (bench/RESULTS.md); the result is kept as WKB
    beside the store (as `geo` keeps the shapes)."""
    import shapely

    cached = _repaired_cache_file()
    stored = _read_repaired(cached) if cached is not None else None
    if stored is not None and all(i < len(shapes) for i in stored):
        return stored
    repaired = {
        index: shapely.make_valid(shape, method="structure", keep_collapsed=False)
        for index, shape in enumerate(shapes)
        if not shape.is_valid
    }
    if cached is not None:
        _write_repaired(cached, repaired)
    return repaired


REPAIRED_CACHE_FORMAT = "1"  # bump when the cached layout or the repair changes


def _repaired_cache_file() -> Path | None:
    """Keyed by the shipped file and by the GEOS version, which does the repair."""
    import hashlib
    from importlib import resources

    import shapely

    from alliance.homes import home

    shipped = Path(str(resources.files("alliance") / "data" / "treaties" / "boundaries.geojson"))
    try:
        stat = shipped.stat()
    except OSError:
        return None
    fields = (REPAIRED_CACHE_FORMAT, shapely.geos_version_string, stat.st_size, stat.st_mtime_ns)
    key = hashlib.sha256("|".join(map(str, fields)).encode()).hexdigest()[:16]
    return home()[0] / f"boundaries-repaired-{key}.npz"


def _read_repaired(cached: Path) -> dict[int, BaseGeometry] | None:
    """The cached repairs, or None where the file is missing or damaged (then rebuilt)."""
    import contextlib
    import itertools
    import zipfile

    import numpy as np
    import shapely

    unreadable = (OSError, ValueError, KeyError, zipfile.BadZipFile, shapely.errors.ShapelyError)
    with contextlib.suppress(*unreadable), np.load(cached) as stored:
        indexes = [int(i) for i in stored["indexes"]]
        blob, offsets = stored["wkb"].tobytes(), stored["offsets"].tolist()
        pieces = [blob[a:b] for a, b in itertools.pairwise(offsets)]
        shapes = list(shapely.from_wkb(pieces))
        if len(shapes) == len(indexes):
            return dict(zip(indexes, shapes, strict=True))
    return None


def _write_repaired(cached: Path, repaired: dict[int, BaseGeometry]) -> None:
    import contextlib
    import os
    import tempfile

    import numpy as np
    import shapely

    pieces = shapely.to_wkb(list(repaired.values())).tolist() if repaired else []
    offsets = np.cumsum([0, *(len(piece) for piece in pieces)], dtype=np.int64)
    with contextlib.suppress(OSError):  # no cache where the folder cannot be written
        cached.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".boundaries-repaired-", dir=cached.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(
                    out,
                    indexes=np.array(list(repaired), dtype=np.int64),
                    wkb=np.frombuffer(b"".join(pieces), np.uint8),
                    offsets=offsets,
                )
            os.replace(temporary, cached)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _units_shape(a3s: tuple[str, ...], rebuilt: bool = True) -> BaseGeometry:
    """The units' land as one shape. Not `rebuilt`: a single unit as it is, for where only the
    land's extent counts (a union of one shape rebuilds it in GEOS's vertex order, at a cost
    for a shape as large as Norway's; the same land, drawn the same, but its SVG path starts
    elsewhere)."""
    import shapely

    shapes = [shape for unit, shape in _valid_units() if unit.a3 in a3s]
    return shapes[0] if len(shapes) == 1 and not rebuilt else shapely.union_all(shapes)


def _part_of_unit(item: Territory) -> BaseGeometry | None:
    """Where a boxed territory lies in its unit(s): its boxes and area ring."""
    import shapely
    from shapely.geometry import Polygon, box

    pieces = [box(b.lon_min, b.lat_min, b.lon_max, b.lat_max) for b in item.boxes]
    if item.area:
        pieces.append(Polygon(item.area))
    return shapely.union_all(pieces) if pieces else None


def territory_shape(item: Territory, on: date, rebuilt: bool = True) -> BaseGeometry:
    """The territory's land: its units cut to its boxes, or, for a row without boxes, its units
    without the boxed territories valid on `on` (metropolitan France without French Guiana).
    `rebuilt` as in `_units_shape`."""
    import shapely

    land = _units_shape(item.units, rebuilt)
    part = _part_of_unit(item)
    if part is not None:
        return land.intersection(part)
    others = [
        piece
        for t in territories()
        if t.id != item.id and t.valid_on(on) and set(t.units) & set(item.units)
        if (piece := _part_of_unit(t)) is not None
    ]
    return land.difference(shapely.union_all(others)) if others else land


def attacked_shape(result: ObligationsResult) -> BaseGeometry | None:
    """The attacked territory's land; None at sea."""
    place = result.place
    if place.territory_id is None:
        return None
    return _territory_land(place.territory_id, result.on)


@cache
def _territory_land(territory_id: str, on: date) -> BaseGeometry | None:
    """A territory's land (the frame and the drawing both ask for the attacked place's)."""
    item = next(t for t in territories() if t.id == territory_id)
    shape = territory_shape(item, on)
    return None if shape.is_empty else shape


def home_shape(iso3: str, on: date) -> BaseGeometry | None:
    """A state's metropolitan territory (the United States without Alaska and Hawaii), as the
    frame uses it: its extent (not rebuilt, see `_units_shape`)."""
    item = metropolitan(iso3)
    if item is None:
        return None
    shape = territory_shape(item, on, rebuilt=False)
    return None if shape.is_empty else shape


def _may_reach(iso3: str, window: tuple[float, float, float, float]) -> bool:
    """Whether the box round a state's metropolitan units meets `window` (its home territory,
    a part of those units, can meet the window only then): the United States and Canada are
    bound by Art. 5 but their shapes, the costliest to cut, never reach Europe's window."""
    item = metropolitan(iso3)
    if item is None:
        return False
    boxes = [shape.bounds for unit, shape in _valid_units() if unit.a3 in item.units]
    lon_min, lat_min, lon_max, lat_max = window
    return any(
        b[0] <= lon_max and lon_min <= b[2] and b[1] <= lat_max and lat_min <= b[3] for b in boxes
    )


def frame_of(result: ObligationsResult, bound: set[str]) -> MapView:
    """The view that holds the attacked place and the bound states' Euro-Atlantic territory."""
    import shapely
    from shapely.geometry import Point, box

    window = box(*EURO_ATLANTIC)
    place = result.place
    parts: list[BaseGeometry] = []
    attacked = attacked_shape(result)
    if attacked is not None:
        parts.append(attacked)
    elif place.lat is not None and place.lon is not None:
        parts.append(Point(place.lon, place.lat))
    states = set(bound) | ({place.sovereign} if place.sovereign else set())
    for iso3 in sorted(states):
        if not _may_reach(iso3, EURO_ATLANTIC):
            continue  # its land lies wholly outside the window: no need to build its shape
        home = home_shape(iso3, result.on)
        if home is not None and home.intersects(window):
            parts.append(home.intersection(window))
    # The bounds of the parts are those of their union: no union of thirty states' land needed.
    lon_min, lat_min, lon_max, lat_max = (float(v) for v in shapely.total_bounds(parts))
    projection = Projection((lat_min + lat_max) / 2, (lon_min + lon_max) / 2)
    projected = [projection.geometry(part) for part in parts]
    x_min, y_min, x_max, y_max = (float(v) for v in shapely.total_bounds(projected))
    limits = _limits((x_min, y_min, x_max, y_max))
    return MapView(projection, limits, _clip(projection, limits))


def _limits(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x_min, y_min, x_max, y_max = bounds
    cx, cy = (x_min + x_max) / 2, (y_min + y_max) / 2
    half_w = max((x_max - x_min) / 2, MIN_HALF_SIZE)
    half_h = max((y_max - y_min) / 2, MIN_HALF_SIZE)
    pad = MARGIN * 2 * max(half_w, half_h)
    return cx - half_w - pad, cy - half_h - pad, cx + half_w + pad, cy + half_h + pad


def _clip(projection: Projection, limits: tuple[float, ...]) -> tuple[float, float, float, float]:
    """The longitude/latitude box the view's edge reaches: land beyond it (the far side of the
    globe, where the projection folds) is never drawn."""
    import numpy as np

    x_min, y_min, x_max, y_max = limits
    along = np.linspace(0.0, 1.0, 60)
    xs, ys = x_min + (x_max - x_min) * along, y_min + (y_max - y_min) * along
    edge = np.vstack(
        [
            np.column_stack([xs, np.full_like(xs, y_min)]),
            np.column_stack([xs, np.full_like(xs, y_max)]),
            np.column_stack([np.full_like(ys, x_min), ys]),
            np.column_stack([np.full_like(ys, x_max), ys]),
        ]
    )
    lonlat = projection.inverse(edge)
    pole = projection.forward(np.array([[0.0, 90.0], [0.0, -90.0]]))
    lat_min, lat_max = float(lonlat[:, 1].min()) - 2, float(lonlat[:, 1].max()) + 2
    if x_min <= pole[0, 0] <= x_max and y_min <= pole[0, 1] <= y_max:
        return -180.0, lat_min, 180.0, 90.0
    if x_min <= pole[1, 0] <= x_max and y_min <= pole[1, 1] <= y_max:
        return -180.0, -90.0, 180.0, lat_max
    relative = (lonlat[:, 0] - projection.lon0 + 180) % 360 - 180
    lon_min = projection.lon0 + float(relative.min()) - 2
    lon_max = projection.lon0 + float(relative.max()) + 2
    if lon_min < -180 or lon_max > 180:
        lon_min, lon_max = -180.0, 180.0
    return lon_min, max(lat_min, -90.0), lon_max, min(lat_max, 90.0)


def projected_units(view: MapView) -> list[tuple[geo.Unit, Any]]:
    """Every unit with land in the view, cut to the view's box and projected."""
    import shapely
    from shapely.geometry import box

    clip = box(*view.clip)
    frame = box(*view.limits)
    shown = []
    for unit, land in _valid_units():
        if not land.intersects(clip):
            continue
        shape = view.projection.geometry(shapely.clip_by_rect(land, *view.clip))
        if shape.intersects(frame):
            shown.append((unit, shapely.make_valid(shape)))
    return shown
