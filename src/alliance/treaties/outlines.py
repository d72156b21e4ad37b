"""Where a point lies, without shapely: the shipped boundaries as plain coordinate rings.

A point lookup (`alliance obligations --at`) otherwise spends most of its time importing shapely
and numpy (bench/RESULTS.md, issue 13). The answers are GEOS's (shapely's engine), so that a
point is placed as the drawn maps show it:

- a point lies in a polygon as GEOS's ray-crossing rule says, with orientation signs computed
  exactly; a point on an edge counts as inside (`intersects`, `covers`);
- where simplified neighbours overlap, the unit met first in the order of shapely's STRtree over
  the units wins (the order is recorded with the cache), as the STRtree query did;
- distances are GEOS's point-to-segment distances.

The rings are read from a cache beside the store (keyed like the shapes cache in `geo`), written
from the shipped GeoJSON on first use.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

EXTERIOR, BOUNDARY, INTERIOR = 0, 1, 2
CHUNK = 32  # segments per box: a lookup visits only the boxes its ray or its distance reaches
MAGIC = b"alliance-outlines 1\n"  # bump the number when the layout below changes
DP_SAFE_EPSILON = 1e-15  # GEOS's bound on a floating-point orientation's error (CGAlgorithmsDD)

Bounds = tuple[float, float, float, float]  # min x, min y, max x, max y


def _sign(value: float | Fraction) -> int:
    return (value > 0) - (value < 0)


def orientation(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> int:
    """1 when c lies left of a->b, -1 right, 0 on the line: GEOS's filter, then exact."""
    left = (ax - cx) * (by - cy)
    right = (ay - cy) * (bx - cx)
    det = left - right
    if left > 0.0:
        if right <= 0.0:
            return _sign(det)
        total = left + right
    elif left < 0.0:
        if right >= 0.0:
            return _sign(det)
        total = -left - right
    else:
        return _sign(det)
    if abs(det) >= DP_SAFE_EPSILON * total:
        return _sign(det)
    qx, qy = Fraction(cx), Fraction(cy)
    exact = (Fraction(ax) - qx) * (Fraction(by) - qy) - (Fraction(ay) - qy) * (Fraction(bx) - qx)
    return _sign(exact)


def _point_distance(px: float, py: float, ax: float, ay: float) -> float:
    dx, dy = px - ax, py - ay
    return math.sqrt(dx * dx + dy * dy)


def segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    """GEOS's Distance::pointToSegment, operation for operation."""
    if ax == bx and ay == by:
        return _point_distance(px, py, ax, ay)
    length2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay)
    r = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / length2
    if r <= 0.0:
        return _point_distance(px, py, ax, ay)
    if r >= 1.0:
        return _point_distance(px, py, bx, by)
    s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / length2
    return abs(s) * math.sqrt(length2)


@dataclass
class Ring:
    """A closed ring of vertices (first == last), with a box per CHUNK segments."""

    xs: array[float]
    ys: array[float]
    _chunks: list[tuple[int, int, float, float, float, float]] = field(default_factory=list)

    @classmethod
    def of(cls, pairs: Sequence[Sequence[float]]) -> Ring:
        """From (x, y) pairs, closed as GEOS closes a ring."""
        xs, ys = array("d", (p[0] for p in pairs)), array("d", (p[1] for p in pairs))
        if len(xs) and (xs[0], ys[0]) != (xs[-1], ys[-1]):
            xs.append(xs[0])
            ys.append(ys[0])
        return cls(xs, ys)

    @cached_property
    def bounds(self) -> Bounds:
        return min(self.xs), min(self.ys), max(self.xs), max(self.ys)

    def chunks(self) -> list[tuple[int, int, float, float, float, float]]:
        """(first vertex, last vertex, min x, min y, max x, max y) per CHUNK segments."""
        if not self._chunks:
            last_vertex = len(self.xs) - 1
            for first in range(0, last_vertex, CHUNK):
                last = min(first + CHUNK, last_vertex)
                xs, ys = self.xs[first : last + 1], self.ys[first : last + 1]
                self._chunks.append((first, last, min(xs), min(ys), max(xs), max(ys)))
        return self._chunks

    def locate(self, px: float, py: float, sx: float = 1.0, sy: float = 1.0) -> int:
        """Where (px, py) lies against the ring scaled by (sx, sy): GEOS's RayCrossingCounter."""
        min_x, min_y, max_x, max_y = self.bounds
        if not (min_x * sx <= px <= max_x * sx and min_y * sy <= py <= max_y * sy):
            return EXTERIOR
        crossings = 0
        xs, ys = self.xs, self.ys
        for first, last, _, min_y, max_x, max_y in self.chunks():
            if max_x * sx < px or min_y * sy > py or max_y * sy < py:
                continue  # no segment here reaches the ray from the point towards +x
            for i in range(first + 1, last + 1):
                x1, y1, x2, y2 = xs[i] * sx, ys[i] * sy, xs[i - 1] * sx, ys[i - 1] * sy
                if x1 < px and x2 < px:
                    continue
                if px == x2 and py == y2:
                    return BOUNDARY
                if y1 == py and y2 == py:
                    if min(x1, x2) <= px <= max(x1, x2):
                        return BOUNDARY
                    continue
                if (y1 > py >= y2) or (y2 > py >= y1):
                    turn = orientation(x1, y1, x2, y2, px, py)
                    if turn == 0:
                        return BOUNDARY
                    if (turn if y2 >= y1 else -turn) > 0:
                        crossings += 1
        return INTERIOR if crossings % 2 else EXTERIOR

    def distance(self, px: float, py: float, sx: float, sy: float, limit: float) -> float:
        """The least distance from (px, py) to the ring scaled by (sx, sy), exact when it is at
        most `limit`; math.inf when no segment comes that close."""
        best = math.inf
        reach = limit * (1 + 1e-9)  # a box's distance is never more than its segments'
        if _box_distance(self.bounds, px, py, sx, sy) > reach:
            return best
        xs, ys = self.xs, self.ys
        for first, last, *box in self.chunks():
            if _box_distance(box, px, py, sx, sy) > reach:
                continue
            for i in range(first, last):
                ax, ay, bx, by = xs[i] * sx, ys[i] * sy, xs[i + 1] * sx, ys[i + 1] * sy
                best = min(best, segment_distance(px, py, ax, ay, bx, by))
        return best


def _box_distance(box: Sequence[float], px: float, py: float, sx: float, sy: float) -> float:
    min_x, min_y, max_x, max_y = box
    dx = max(min_x * sx - px, 0.0, px - max_x * sx)
    dy = max(min_y * sy - py, 0.0, py - max_y * sy)
    return math.sqrt(dx * dx + dy * dy)


def locate_in_polygon(rings: Sequence[Ring], px: float, py: float, sx: float, sy: float) -> int:
    """GEOS's PointLocator for one polygon: its shell, then its holes."""
    shell = rings[0].locate(px, py, sx, sy)
    if shell != INTERIOR:
        return shell
    for hole in rings[1:]:
        found = hole.locate(px, py, sx, sy)
        if found == INTERIOR:
            return EXTERIOR
        if found == BOUNDARY:
            return BOUNDARY
    return INTERIOR


@dataclass(frozen=True)
class Outline:
    """One Natural Earth unit: its codes and name, its box, its polygons (shell first). The rings
    are cut from the file's coordinates when first needed: a lookup needs two or three units."""

    a3: str
    iso3: str
    name: str
    continent: str
    bounds: Bounds
    coordinates: array[float] = field(repr=False, compare=False)
    ring_sizes: tuple[tuple[int, ...], ...]  # vertices per ring, per polygon
    offset: int  # the first vertex in `coordinates`

    @cached_property
    def polygons(self) -> tuple[tuple[Ring, ...], ...]:
        polygons, offset = [], self.offset
        for sizes in self.ring_sizes:
            rings = []
            for count in sizes:
                points = self.coordinates[2 * offset : 2 * (offset + count)]
                rings.append(Ring(points[0::2], points[1::2]))
                offset += count
            polygons.append(tuple(rings))
        return tuple(polygons)

    def holds(self, x: float, y: float) -> bool:
        """Whether the point is in or on the unit (`intersects`)."""
        min_x, min_y, max_x, max_y = self.bounds
        if not (min_x <= x <= max_x and min_y <= y <= max_y):
            return False
        return any(locate_in_polygon(p, x, y, 1.0, 1.0) != EXTERIOR for p in self.polygons)

    def distance(self, x: float, y: float, sx: float, sy: float, limit: float) -> float:
        """Distance from the point to the unit with every coordinate scaled by (sx, sy); 0 inside.
        Exact when at most `limit`, math.inf when farther."""
        px, py = x * sx, y * sy
        if any(locate_in_polygon(p, px, py, sx, sy) != EXTERIOR for p in self.polygons):
            return 0.0
        return min(
            (ring.distance(px, py, sx, sy, limit) for p in self.polygons for ring in p),
            default=math.inf,
        )

    def meets_box(self, box: Bounds) -> bool:
        min_x, min_y, max_x, max_y = self.bounds
        return not (min_x > box[2] or max_x < box[0] or min_y > box[3] or max_y < box[1])


@dataclass(frozen=True)
class Outlines:
    """Every unit, in the order the STRtree query met them, and the file's source and version."""

    units: tuple[Outline, ...]
    source: str
    version: str

    def at(self, x: float, y: float) -> Outline | None:
        return next((u for u in self.units if u.holds(x, y)), None)

    def meeting(self, box: Bounds) -> Iterator[Outline]:
        return (u for u in self.units if u.meets_box(box))


def load(geojson: Path, cached: Path) -> Outlines:
    """The outlines from the cache `cached`, written from `geojson` when absent or unreadable."""
    with contextlib.suppress(OSError, ValueError, KeyError, IndexError):
        return _read(cached.read_bytes())
    header, coordinates = _parsed(geojson)
    blob = _serialised(header, coordinates)
    with contextlib.suppress(OSError):  # no cache where the folder cannot be written
        cached.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".outlines-", dir=cached.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(blob)
        os.replace(temporary, cached)
    return _read(blob)


def _parsed(path: Path) -> tuple[dict[str, Any], array[float]]:
    """The GeoJSON as a header (properties, boxes, ring sizes, the STRtree's order) and every
    ring's coordinates in one flat array (x0, y0, x1, y1, ...)."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    fields = ("a3", "iso3", "name", "continent")
    coordinates = array("d")
    units: list[dict[str, Any]] = []
    boxes: list[list[float]] = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        sizes = []
        for polygon in polygons:
            rings = [Ring.of(ring) for ring in polygon]
            for ring in rings:
                for x, y in zip(ring.xs, ring.ys, strict=True):
                    coordinates.extend((x, y))
            sizes.append([len(ring.xs) for ring in rings])
        flat = [r for p in polygons for ring in p for r in ring]
        bounds = [
            min(v[0] for v in flat),
            min(v[1] for v in flat),
            max(v[0] for v in flat),
            max(v[1] for v in flat),
        ]
        properties = {k: feature["properties"][k] for k in fields}
        units.append({"properties": properties, "bounds": bounds, "rings": sizes})
        boxes.append(bounds)
    meta = collection["properties"]
    header = {
        "units": units,
        "order": _tree_order(boxes),
        "source": meta["source"],
        "version": meta["version"],
    }
    return header, coordinates


def _tree_order(bounds: list[list[float]]) -> list[int]:
    """The order in which shapely's STRtree over the units' boxes returns them: a query meets
    its hits in the tree's leaf order, the same for every query (the tree over the shapes
    themselves is built from these boxes alone)."""
    import shapely

    tree = shapely.STRtree(shapely.box(*zip(*bounds, strict=True)))
    return [int(i) for i in tree.query(shapely.box(-180.0, -90.0, 180.0, 90.0))]


def _serialised(header: dict[str, Any], coordinates: array[float]) -> bytes:
    text = json.dumps({**header, "byteorder": sys.byteorder}).encode("utf-8")
    return MAGIC + len(text).to_bytes(8, "little") + text + coordinates.tobytes()


def _read(blob: bytes) -> Outlines:
    if not blob.startswith(MAGIC):
        raise ValueError("not an outlines cache")
    start = len(MAGIC) + 8
    size = int.from_bytes(blob[len(MAGIC) : start], "little")
    header = json.loads(blob[start : start + size].decode("utf-8"))
    if header["byteorder"] != sys.byteorder:
        raise ValueError("written on a machine of the other byte order")
    coordinates = array("d")
    coordinates.frombytes(blob[start + size :])
    units: list[Outline] = []
    offset = 0
    for unit in header["units"]:
        names = unit["properties"]
        sizes = tuple(tuple(ring_sizes) for ring_sizes in unit["rings"])
        units.append(
            Outline(
                names["a3"],
                names["iso3"],
                names["name"],
                names["continent"],
                tuple(unit["bounds"]),
                coordinates,
                sizes,
                offset,
            )
        )
        offset += sum(map(sum, sizes))
    if 2 * offset != len(coordinates) or sorted(header["order"]) != list(range(len(units))):
        raise ValueError("a damaged outlines cache")
    ordered = tuple(units[i] for i in header["order"])
    return Outlines(ordered, header["source"], header["version"])
