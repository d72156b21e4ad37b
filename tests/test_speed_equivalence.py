"""The faster routes give what the plain ones give (issue 13).

- Point lookups read the boundaries as plain rings (`treaties.outlines`, no shapely): every
  answer is checked against shapely's own (GEOS) on seeded random points, on points beside and
  exactly on the units' vertices, and on the sea areas' vertices and edges.
- `comparison` reads each kind of figure once for every coalition and year, and a capacity once
  for both clauses: the answers equal `aggregate` asked year by year through the store.
"""

from __future__ import annotations

import math
import random

import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from alliance.metrics import aggregate, comparison
from alliance.store import home
from alliance.treaties import geo, outlines
from alliance.treaties.capacity import capacities_of, capacity_of
from alliance.treaties.tables import sea_areas


def _shapely_unit_at(lat: float, lon: float) -> str | None:
    data = geo.boundaries()
    for index in data.tree.query(Point(lon, lat), predicate="intersects"):
        return data.units[int(index)].a3
    return None


def _shapely_nearest(lat: float, lon: float, within_km: float) -> tuple[str, float] | None:
    """geo.nearest_unit as it was written with shapely: transformed shapes, GEOS distance."""
    data = geo.boundaries()
    margin = within_km / geo.KM_PER_DEGREE_LAT * 1.5
    margin_lon = margin / max(math.cos(math.radians(lat)), 0.05)
    window = box(lon - margin_lon, lat - margin, lon + margin_lon, lat + margin)
    scale_x = geo.KM_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(lat))

    def project(coords):  # type: ignore[no-untyped-def]
        out = coords.copy()
        out[:, 0] = coords[:, 0] * scale_x
        out[:, 1] = coords[:, 1] * geo.KM_PER_DEGREE_LAT
        return out

    here = shapely.transform(Point(lon, lat), project)
    best: tuple[str, float] | None = None
    for index in data.tree.query(window):
        unit = data.units[int(index)]
        distance = float(shapely.transform(unit.geometry, project).distance(here))
        if distance <= within_km and (best is None or distance < best[1]):
            best = (unit.a3, distance)
    return best


def _points() -> list[tuple[float, float]]:
    """Seeded random points over the globe, and points beside and on the units' vertices (where
    simplified neighbours overlap and the spatial index's order decides)."""
    draw = random.Random(13)
    points = [(draw.uniform(-90, 90), draw.uniform(-180, 180)) for _ in range(1500)]
    for unit in geo.boundaries().units[::4]:
        for x, y in shapely.get_coordinates(unit.geometry.boundary)[::97]:
            points.append((float(y), float(x)))
            points.append((float(y) + draw.gauss(0, 0.02), float(x) + draw.gauss(0, 0.02)))
    return points


def test_point_lookups_equal_shapely() -> None:
    points = _points()
    assert len(points) > 2000
    at_sea = 0
    for lat, lon in points:
        found = geo.unit_at(lat, lon)
        assert (found.a3 if found else None) == _shapely_unit_at(lat, lon), (lat, lon)
        if found is None and at_sea < 800:
            at_sea += 1
            near = geo.nearest_unit(lat, lon, geo.TERRITORIAL_SEA_KM)
            expected = _shapely_nearest(lat, lon, geo.TERRITORIAL_SEA_KM)
            assert (near is None) == (expected is None), (lat, lon)
            if near is not None and expected is not None:
                assert near[0].a3 == expected[0]
                assert near[1] == pytest.approx(expected[1], rel=1e-12, abs=1e-12)


def test_points_near_coasts_find_the_coast_shapely_finds() -> None:
    """Within 12 nautical miles of a coast: beside Svalbard, Norway, Cyprus, Hawaii, Ceuta."""
    found = 0
    for lat, lon in [(78.3, 13.2), (70.0, 18.2), (34.6, 32.9), (21.2, -157.6), (35.92, -5.25)]:
        for step in range(-10, 11):
            point = (lat + step * 0.013, lon - step * 0.017)
            near = geo.nearest_unit(*point, geo.TERRITORIAL_SEA_KM)
            expected = _shapely_nearest(*point, geo.TERRITORIAL_SEA_KM)
            assert (near is None) == (expected is None), point
            if near is not None and expected is not None:
                found += 1
                assert near[0].a3 == expected[0]
                assert near[1] == pytest.approx(expected[1], rel=1e-12, abs=1e-12)
    assert found > 40


def test_sea_areas_equal_shapely_on_their_edges_and_a_grid() -> None:
    areas = sea_areas()
    points = [(lat / 2, lon / 2) for lat in range(-20, 181, 3) for lon in range(-200, 121, 3)]
    for area in areas:
        ring = list(area.ring)
        points += [(y, x) for x, y in ring]
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            points += [(y1 + (y2 - y1) * f, x1 + (x2 - x1) * f) for f in (0.25, 0.5, 1 / 3)]
    lats, lons = zip(*points, strict=True)
    where = shapely.points(lons, lats)
    covered = [shapely.covers(Polygon(area.ring), where) for area in areas]
    for index, (lat, lon) in enumerate(points):
        expected = next(
            (a.id for a, inside in zip(areas, covered, strict=True) if inside[index]), None
        )
        found = geo.sea_area_at(lat, lon)
        assert (found.id if found else None) == expected, (lat, lon)


def test_orientation_is_exact_where_floating_point_is_not() -> None:
    # c lies 1e-17 left of a long line: the product's rounding would call it collinear.
    assert outlines.orientation(0.0, 0.0, 1e8, 1e8, 0.5, 0.5 + 1e-16) == 1
    assert outlines.orientation(0.0, 0.0, 1e8, 1e8, 0.5, 0.5 - 1e-16) == -1
    assert outlines.orientation(0.0, 0.0, 2.0, 2.0, 1.0, 1.0) == 0


def test_outlines_cache_is_the_shipped_file_and_a_damaged_one_is_rewritten() -> None:
    for stale in home()[0].glob("boundaries-outlines-*.bin"):
        stale.unlink()
    geo.outlines.cache_clear()
    written = geo.outlines()
    [cached_file] = home()[0].glob("boundaries-outlines-*.bin")
    geo.outlines.cache_clear()
    read = geo.outlines()
    shapes = {u.a3: u for u in geo.boundaries().units}
    assert sorted(u.a3 for u in read.units) == sorted(shapes)
    for new, old in zip(read.units, written.units, strict=True):
        assert (new.a3, new.iso3, new.name, new.bounds) == (old.a3, old.iso3, old.name, old.bounds)
        assert new.bounds == shapes[new.a3].geometry.bounds
        coordinates = [
            (x, y)
            for polygon in new.polygons
            for r in polygon.rings
            for x, y in zip(r.xs, r.ys, strict=True)
        ]
        assert coordinates == [tuple(c) for c in shapely.get_coordinates(shapes[new.a3].geometry)]
    cached_file.write_bytes(outlines.MAGIC + b"\xff" * 40)
    geo.outlines.cache_clear()
    assert [u.a3 for u in geo.outlines().units] == [u.a3 for u in read.units]
    assert cached_file.read_bytes() != outlines.MAGIC + b"\xff" * 40
    geo.outlines.cache_clear()


@pytest.mark.parametrize(
    ("expressions", "metric", "options"),
    [
        (["NATO & EU", "NATO - EU - USA"], "defence", {}),
        (["NATO", "EU"], "defence_share_gdp", {"definition": "sipri", "gdp_source": "wb"}),
        (["EU", "G7"], "gdp", {}),
        (["NATO"], "personnel", {"source": "wb"}),
        (["EU - NATO"], "defence", {"definition": "nato"}),  # members without NATO figures
    ],
)
def test_comparison_equals_aggregate_year_by_year(
    expressions: list[str], metric: str, options: dict[str, str]
) -> None:
    found = comparison(expressions, metric, 2012, 2024, **options)
    expected = [
        aggregate(expression, metric, year, **options)
        for expression in expressions
        for year in range(2012, 2025)
    ]
    assert found.results == expected
    assert any(result.value is not None for result in expected)


def test_capacities_together_equal_each_alone_and_aggregate() -> None:
    nato = aggregate("NATO", "gdp", 2023).members
    eu = aggregate("EU", "gdp", 2023).members
    together = capacities_of([nato, eu], "sipri", 2023)
    assert capacity_of(nato, "sipri", 2023) == together[0]
    for bound, found in zip([nato, eu], together, strict=True):
        by_metric = {c.metric: c for c in found}
        assert by_metric["gdp"].year == 2023
        expected = aggregate(list(bound), "gdp", 2023)
        assert by_metric["gdp"].value == expected.value
        assert by_metric["gdp"].edition == expected.edition
        defence = aggregate(list(bound), "defence", 2023, definition="sipri")
        assert by_metric["defence"].value == defence.value
        without = [s for s in bound if s != "USA"]
        if len(without) < len(bound):
            gdp_without = aggregate(without, "gdp", 2023).value
            assert by_metric["gdp"].value_without_usa == gdp_without
    assert capacities_of([()], "sipri", 2023) == [()]
