"""Where a point lies: the shipped Natural Earth boundaries, the territories table, the sea areas.

The 2 MB boundaries file loads on first use only, so that importing the package (and the CLI
start-up) stays fast. Point lookups read it as plain rings (`outlines`, no shapely or numpy);
the maps read it as shapely shapes (`boundaries`).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliance.errors import InvalidArgumentError
from alliance.treaties.outlines import EXTERIOR, Outlines, Ring
from alliance.treaties.tables import SeaArea, Territory, sea_areas, territories

if TYPE_CHECKING:
    from shapely import STRtree
    from shapely.geometry.base import BaseGeometry

TERRITORIAL_SEA_KM = 22.224  # 12 nautical miles (UNCLOS Art. 3)
SMALL_ISLAND_KM = 5.0  # off every polygon but this close to a territory's own point: that territory
TROPIC_OF_CANCER = 23 + 26 / 60  # 23°26'N, as the Treaty's drafters knew it
ARCTIC_CIRCLE = 66 + 34 / 60
KM_PER_DEGREE_LAT = 110.57
KM_PER_DEGREE_LON_EQUATOR = 111.32


@dataclass(frozen=True)
class UnitName:
    """One Natural Earth admin-0 unit's codes and name."""

    a3: str
    iso3: str
    name: str
    continent: str


@dataclass(frozen=True)
class Unit(UnitName):
    """One Natural Earth admin-0 unit with its shape."""

    geometry: BaseGeometry


@dataclass(frozen=True)
class Boundaries:
    units: tuple[Unit, ...]
    tree: STRtree
    source: str
    version: str


BOUNDARIES_CACHE_FORMAT = "1"  # bump when the cached layout below changes


@cache
def boundaries() -> Boundaries:
    """The shipped boundaries with a spatial index. Parsing the GeoJSON into shapes costs more
    than a map's drawing can spare (bench/RESULTS.md); the shapes are therefore kept as WKB beside
    the store, keyed by the shipped file's size and time, and read back from there."""
    from shapely import STRtree

    properties, geometries = _cached_shapes(_boundaries_file())
    units = tuple(
        Unit(a3=p["a3"], iso3=p["iso3"], name=p["name"], continent=p["continent"], geometry=g)
        for p, g in zip(properties["units"], geometries, strict=True)
    )
    tree = STRtree([u.geometry for u in units])
    return Boundaries(units, tree, properties["source"], properties["version"])


def _boundaries_file() -> Path:
    return Path(str(resources.files("alliance") / "data" / "treaties" / "boundaries.geojson"))


def _cache_key(path: Path) -> str:
    """The shipped file's size and time: a reinstalled package is parsed anew."""
    stat = path.stat()
    text = f"{BOUNDARIES_CACHE_FORMAT}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def outlines() -> Outlines:
    """The shipped boundaries as rings, for point lookups: read from a cache beside the store
    (written on first use), without shapely."""
    from alliance.homes import home
    from alliance.treaties import outlines as rings

    path = _boundaries_file()
    return rings.load(path, home()[0] / f"boundaries-outlines-{_cache_key(path)}.bin")


def _cached_shapes(path: Path) -> tuple[dict[str, Any], list[BaseGeometry]]:
    import numpy as np
    import shapely

    from alliance.homes import home

    cached = home()[0] / f"boundaries-{_cache_key(path)}.npz"
    if cached.exists():
        unreadable = (
            OSError,
            ValueError,
            KeyError,
            zipfile.BadZipFile,
            shapely.errors.ShapelyError,
        )
        with contextlib.suppress(*unreadable), np.load(cached) as stored:
            properties = json.loads(stored["properties"].tobytes().decode("utf-8"))
            blob, offsets = stored["wkb"].tobytes(), stored["offsets"].tolist()
            pieces = [blob[a:b] for a, b in itertools.pairwise(offsets)]
            return properties, list(shapely.from_wkb(pieces))
    properties, geometries = _parsed_shapes(path)
    pieces = shapely.to_wkb(geometries).tolist()
    offsets = np.cumsum([0, *(len(piece) for piece in pieces)], dtype=np.int64)
    with contextlib.suppress(OSError):  # no cache where the folder cannot be written
        cached.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".boundaries-", dir=cached.parent)
        with os.fdopen(handle, "wb") as out:
            np.savez(
                out,
                properties=np.frombuffer(json.dumps(properties).encode("utf-8"), np.uint8),
                wkb=np.frombuffer(b"".join(pieces), np.uint8),
                offsets=offsets,
            )
        os.replace(temporary, cached)
    return properties, geometries


def _parsed_shapes(path: Path) -> tuple[dict[str, Any], list[BaseGeometry]]:
    from shapely.geometry import shape

    collection = json.loads(path.read_text(encoding="utf-8"))
    fields = ("a3", "iso3", "name", "continent")
    units = [{k: f["properties"][k] for k in fields} for f in collection["features"]]
    meta = collection["properties"]
    properties = {"units": units, "source": meta["source"], "version": meta["version"]}
    return properties, [shape(f["geometry"]) for f in collection["features"]]


def check_point(lat: float, lon: float) -> None:
    for value, name, limit in ((lat, "latitude", 90.0), (lon, "longitude", 180.0)):
        if not math.isfinite(value) or abs(value) > limit:
            raise InvalidArgumentError(
                f"Impossible {name} {value}: expected a number from {-limit:g} to {limit:g}."
            )


def parse_point(text: str) -> tuple[float, float]:
    """'69.5,5' -> (69.5, 5.0): latitude first, as in most gazetteers."""
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise InvalidArgumentError(
            f"Invalid point {text!r}: expected LAT,LON in decimal degrees, e.g. 69.5,5.0."
        ) from None
    check_point(lat, lon)
    return lat, lon


def unit_at(lat: float, lon: float) -> UnitName | None:
    """The unit the point lies in or on; where simplified neighbours overlap, the first in the
    spatial index's order."""
    found = outlines().at(lon, lat)
    return None if found is None else _name_of(found)


def _name_of(found: Any) -> UnitName:
    return UnitName(found.a3, found.iso3, found.name, found.continent)


def nearest_unit(lat: float, lon: float, within_km: float) -> tuple[UnitName, float] | None:
    """The closest unit within `within_km` (local equirectangular distance), if any."""
    margin = within_km / KM_PER_DEGREE_LAT * 1.5
    margin_lon = margin / max(math.cos(math.radians(lat)), 0.05)
    window = (lon - margin_lon, lat - margin, lon + margin_lon, lat + margin)
    scale_x = KM_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(lat))
    best: tuple[UnitName, float] | None = None
    for unit in outlines().meeting(window):
        distance = unit.distance(lon, lat, scale_x, KM_PER_DEGREE_LAT, within_km)
        if distance <= within_km and (best is None or distance < best[1]):
            best = (_name_of(unit), distance)
    return best


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def territory_in_unit(unit: UnitName, lat: float, lon: float, on: date) -> Territory | None:
    """The territory row for a point inside `unit` on `on`: a row valid then whose box or area
    holds it (first in file order), else the unit's own row."""
    rows = [t for t in territories() if unit.a3 in t.units and t.valid_on(on)]
    boxed = [t for t in rows if t.contains(lat, lon)]
    if boxed:
        return boxed[0]
    return next((t for t in rows if not (t.boxes or t.area) and t.ne_a3 == unit.a3), None)


def territory_near_point(lat: float, lon: float, on: date) -> Territory | None:
    """Small-island fallback: the territory whose own point lies within SMALL_ISLAND_KM."""
    scored = [(distance_km(lat, lon, t.lat, t.lon), t) for t in territories() if t.valid_on(on)]
    distance, closest = min(scored, key=lambda pair: pair[0])
    return closest if distance <= SMALL_ISLAND_KM else None


def sea_area_at(lat: float, lon: float) -> SeaArea | None:
    """The first sea area (in file order) whose polygon holds the point, its edges included."""
    for area, ring in _sea_rings():
        if ring.locate(lon, lat) != EXTERIOR:
            return area
    return None


@cache
def _sea_rings() -> tuple[tuple[SeaArea, Ring], ...]:
    return tuple((area, Ring.of(area.ring)) for area in sea_areas())
