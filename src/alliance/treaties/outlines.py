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
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fractions import Fraction

EXTERIOR, BOUNDARY, INTERIOR = 0, 1, 2
CHUNK = 32  # segments per box: a lookup visits only the boxes its ray or its distance reaches
MAGIC = b"alliance-outlines 3\n"  # bump the number when the layout below changes
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
    from fractions import Fraction  # rarely needed; its import costs a lookup's start-up

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
class _Tables:
    """The cache's binary sections: per polygon its box and first ring, per ring its first
    vertex, and every vertex (x, y) as float64, in the file's bytes."""

    boxes: array[float]  # 4 per polygon
    first_ring: array[int]  # per polygon, and one past the last
    first_vertex: array[int]  # per ring, and one past the last
    vertices: memoryview
    start: int  # byte offset of the first vertex in `vertices`


class Polygon:
    """One polygon of a unit: its box, and its rings (shell first) cut from the cache's bytes
    when first needed, so that a lookup reads only the polygons whose box it meets."""

    def __init__(self, tables: _Tables, index: int) -> None:
        min_x, min_y, max_x, max_y = tables.boxes[4 * index : 4 * index + 4]
        self.bounds: Bounds = (min_x, min_y, max_x, max_y)
        self._tables = tables
        self._index = index

    @cached_property
    def rings(self) -> tuple[Ring, ...]:
        tables, rings = self._tables, []
        for ring in range(tables.first_ring[self._index], tables.first_ring[self._index + 1]):
            first, end = tables.first_vertex[ring], tables.first_vertex[ring + 1]
            points = array("d")
            points.frombytes(tables.vertices[tables.start + 16 * first : tables.start + 16 * end])
            rings.append(Ring(points[0::2], points[1::2]))
        return tuple(rings)

    def locate(self, px: float, py: float, sx: float, sy: float) -> int:
        """GEOS's PointLocator for one polygon: its shell, then its holes."""
        min_x, min_y, max_x, max_y = self.bounds
        if not (min_x * sx <= px <= max_x * sx and min_y * sy <= py <= max_y * sy):
            return EXTERIOR
        return locate_in_polygon(self.rings, px, py, sx, sy)


@dataclass(frozen=True)
class Outline:
    """One Natural Earth unit: its codes and name, its box, its polygons."""

    a3: str
    iso3: str
    name: str
    continent: str
    bounds: Bounds
    _tables: _Tables = field(repr=False, compare=False)
    _polygon_range: tuple[int, int] = field(repr=False, compare=False)

    @cached_property
    def polygons(self) -> tuple[Polygon, ...]:
        return tuple(Polygon(self._tables, i) for i in range(*self._polygon_range))

    def holds(self, x: float, y: float) -> bool:
        """Whether the point is in or on the unit (`intersects`)."""
        min_x, min_y, max_x, max_y = self.bounds
        if not (min_x <= x <= max_x and min_y <= y <= max_y):
            return False
        return any(p.locate(x, y, 1.0, 1.0) != EXTERIOR for p in self.polygons)

    def distance(self, x: float, y: float, sx: float, sy: float, limit: float) -> float:
        """Distance from the point to the unit with every coordinate scaled by (sx, sy); 0 inside.
        Exact when at most `limit`, math.inf when farther."""
        px, py = x * sx, y * sy
        reach = limit * (1 + 1e-9)  # a box's distance is never more than its segments'
        near = [p for p in self.polygons if _box_distance(p.bounds, px, py, sx, sy) <= reach]
        if any(p.locate(px, py, sx, sy) != EXTERIOR for p in near):
            return 0.0
        return min(
            (ring.distance(px, py, sx, sy, limit) for p in near for ring in p.rings),
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
    with contextlib.suppress(OSError, ValueError, KeyError, IndexError, TypeError):
        return _read(cached.read_bytes())
    blob = _parsed(geojson)
    with contextlib.suppress(OSError):  # no cache where the folder cannot be written
        cached.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".boundaries-outlines-", dir=cached.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(blob)
        os.replace(temporary, cached)
    return _read(blob)


def _parsed(path: Path) -> bytes:
    """The GeoJSON as a cache: a header (names, boxes, the STRtree's order), then the tables of
    `_Tables` (int64 offsets, float64 boxes and coordinates)."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    fields = ("a3", "iso3", "name", "continent")
    boxes, first_ring, first_vertex = array("d"), array("q", [0]), array("q", [0])
    coordinates = array("d")
    units: list[dict[str, Any]] = []
    unit_boxes: list[list[float]] = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        first_polygon = len(first_ring) - 1
        part_boxes = []
        for polygon in polygons:
            rings = [Ring.of(ring) for ring in polygon]
            for ring in rings:
                for x, y in zip(ring.xs, ring.ys, strict=True):
                    coordinates.extend((x, y))
                first_vertex.append(first_vertex[-1] + len(ring.xs))
            part_boxes.append(_union([ring.bounds for ring in rings]))
            boxes.extend(part_boxes[-1])
            first_ring.append(first_ring[-1] + len(rings))
        unit_boxes.append(_union(part_boxes))
        units.append(
            {
                "properties": {k: feature["properties"][k] for k in fields},
                "bounds": unit_boxes[-1],
                "polygons": [first_polygon, len(first_ring) - 1],
            }
        )
    meta = collection["properties"]
    header = {
        "units": units,
        "order": _tree_order(unit_boxes),
        "source": meta["source"],
        "version": meta["version"],
        "byteorder": sys.byteorder,
        "sizes": [len(boxes), len(first_ring), len(first_vertex), len(coordinates)],
    }
    text = json.dumps(header).encode("utf-8")
    body = boxes.tobytes() + first_ring.tobytes() + first_vertex.tobytes() + coordinates.tobytes()
    return MAGIC + len(text).to_bytes(8, "little") + text + body


def _tree_order(bounds: list[list[float]]) -> list[int]:
    """The order in which shapely's STRtree over the units' boxes returns them: a query meets
    its hits in the tree's leaf order, the same for every query (the tree over the shapes
    themselves is built from these boxes alone)."""
    import shapely

    tree = shapely.STRtree(shapely.box(*zip(*bounds, strict=True)))
    return [int(i) for i in tree.query(shapely.box(-180.0, -90.0, 180.0, 90.0))]


def _union(boxes: Sequence[Sequence[float]]) -> list[float]:
    return [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]


def _read(blob: bytes) -> Outlines:
    if not blob.startswith(MAGIC):
        raise ValueError("not an outlines cache")
    start = len(MAGIC) + 8
    size = int.from_bytes(blob[len(MAGIC) : start], "little")
    header = json.loads(blob[start : start + size].decode("utf-8"))
    if header["byteorder"] != sys.byteorder:
        raise ValueError("written on a machine of the other byte order")
    view, offset = memoryview(blob), start + size
    boxes, first_ring, first_vertex = array("d"), array("q"), array("q")
    sections: tuple[array[Any], ...] = (boxes, first_ring, first_vertex)
    for section, count in zip(sections, header["sizes"], strict=False):
        section.frombytes(view[offset : offset + 8 * count])
        offset += 8 * count
    if (
        len(view) - offset != 8 * header["sizes"][3]
        or len(view) - offset != 16 * first_vertex[-1]
        or first_ring[-1] != len(first_vertex) - 1
        or sorted(header["order"]) != list(range(len(header["units"])))
    ):
        raise ValueError("a damaged outlines cache")
    tables = _Tables(boxes, first_ring, first_vertex, view, offset)
    units = [
        Outline(
            unit["properties"]["a3"],
            unit["properties"]["iso3"],
            unit["properties"]["name"],
            unit["properties"]["continent"],
            tuple(unit["bounds"]),
            tables,
            tuple(unit["polygons"]),
        )
        for unit in header["units"]
    ]
    ordered = tuple(units[i] for i in header["order"])
    return Outlines(ordered, header["source"], header["version"])
