"""The obligations map frames the attacked place and the states bound, draws the attacked place in
its own colour, and its legend lists only the kinds of land drawn, outside the map."""

from __future__ import annotations

from datetime import date

import matplotlib
import numpy as np
import pytest
from matplotlib.patches import PathPatch

from alliance.treaties import obligations
from alliance.treaties.map_view import (
    Projection,
    attacked_shape,
    frame_of,
    home_shape,
    sovereign,
)
from alliance.treaties.maps import COLOURS, draw
from alliance.treaties.resolve import NAT_ART5, TEU_42_7

matplotlib.use("Agg")

EARTH_RADIUS_KM = 6371.0088
GREENLAND_KM2 = 2_166_086  # Statistics Greenland / CIA World Factbook, land and ice
FRENCH_GUIANA_KM2 = 83_534  # INSEE, superficie de la Guyane
ON = date(2025, 6, 1)


def _result(target: str | tuple[float, float], on: date = ON):  # type: ignore[no-untyped-def]
    return obligations(target, on, with_capacity=False)


def _bound(result) -> set[str]:  # type: ignore[no-untyped-def]
    return set(result.clause(NAT_ART5).bound) | set(result.clause(TEU_42_7).bound)


def _inside(view, shape) -> bool:  # type: ignore[no-untyped-def]
    x_min, y_min, x_max, y_max = view.limits
    b_x_min, b_y_min, b_x_max, b_y_max = view.projection.geometry(shape).bounds
    return x_min <= b_x_min and b_x_max <= x_max and y_min <= b_y_min and b_y_max <= y_max


@pytest.mark.parametrize(
    ("place", "km2"), [("Greenland", GREENLAND_KM2), ("French Guiana", FRENCH_GUIANA_KM2)]
)
def test_attacked_shape_has_the_place_s_area(place: str, km2: float) -> None:
    """The projection is equal-area: the drawn shape's area is the place's published area."""
    result = _result(place)
    shape = attacked_shape(result)
    assert shape is not None
    drawn = Projection(shape.centroid.y, shape.centroid.x).geometry(shape)
    assert drawn.area * EARTH_RADIUS_KM**2 == pytest.approx(km2, rel=0.04)


@pytest.mark.parametrize("place", ["Greenland", "Svalbard", "French Guiana", "Cyprus"])
def test_frame_holds_the_attacked_place_and_the_european_states_bound(place: str) -> None:
    result = _result(place)
    view = frame_of(result, _bound(result))
    assert _inside(view, attacked_shape(result))
    for iso3 in _bound(result) - {"USA", "CAN"}:
        assert _inside(view, home_shape(iso3, ON)), iso3


def test_frame_of_a_point_at_sea_holds_the_point() -> None:
    result = _result((70.5, 2.0))
    view = frame_of(result, _bound(result))
    ((x, y),) = view.projection.forward(np.array([[2.0, 70.5]]))
    x_min, y_min, x_max, y_max = view.limits
    assert x_min < x < x_max and y_min < y < y_max


def test_greenland_is_denmark_s_and_algeria_was_france_s_until_1962() -> None:
    from alliance.treaties import geo

    units = {u.a3: u for u in geo.boundaries().units}
    assert sovereign(units["GRL"], ON) == "DNK"
    assert sovereign(units["DZA"], date(1960, 1, 1)) == "FRA"
    assert sovereign(units["DZA"], ON) == "DZA"


def _legend(figure):  # type: ignore[no-untyped-def]
    (legend,) = figure.legends
    return legend


def _labels(figure) -> list[str]:  # type: ignore[no-untyped-def]
    return [text.get_text() for text in _legend(figure).get_texts()]


def test_sweden_before_joining_nato_legend_lists_only_what_is_drawn() -> None:
    figure = draw(_result("Sweden", date(2024, 3, 6)))
    assert _labels(figure) == ["Attacked: Sweden", "Bound by Art. 42(7) TEU", "Not bound"]
    assert _legend(figure).get_title().get_text() == ""


def test_greenland_legend_in_plain_words_and_north_america_beyond_the_map() -> None:
    figure = draw(_result("Greenland"))
    labels = _labels(figure)
    assert labels[0] == "Attacked: Greenland"
    assert "Denmark, the state attacked: the rest of its territory" in labels
    assert "Bound by Art. 5 (North Atlantic Treaty)" in labels
    assert "Bound by Art. 42(7) TEU — contested here" in labels
    assert "Bound by both (Art. 42(7) contested here)" in labels
    # Canada's Arctic islands are in the frame beside Greenland; the United States is not
    assert _legend(figure).get_title().get_text() == "Also bound, beyond this map: United States"


def test_svalbard_names_canada_and_the_united_states_beyond_the_map() -> None:
    figure = draw(_result("Svalbard"))
    title = _legend(figure).get_title().get_text()
    assert title == "Also bound, beyond this map: Canada, United States"
    assert not any("42(7)" in label for label in _labels(figure))


def test_legend_covers_nothing_on_the_map() -> None:
    figure = draw(_result("Greenland"))
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    (axes,) = figure.axes
    legend_box = _legend(figure).get_window_extent(renderer)
    assert not legend_box.overlaps(axes.get_window_extent(renderer))
    assert legend_box.y1 < axes.get_window_extent(renderer).y0


def test_attacked_place_is_filled_in_its_own_colour_where_it_lies() -> None:
    result = _result("Greenland")
    figure = draw(result)
    (axes,) = figure.axes
    vermillion = matplotlib.colors.to_rgba(COLOURS["attacked"])
    land = [a for a in axes.get_children() if isinstance(a, PathPatch)]
    attacked = [p for p in land if p.get_facecolor() == vermillion]
    assert len(attacked) == 1
    view = frame_of(result, _bound(result))
    ((x, y),) = view.projection.forward(np.array([[-40.0, 72.0]]))  # inland ice, central Greenland
    assert attacked[0].get_path().contains_point((x, y))
    # no other kind of land shares the attacked colour
    others = {p.get_facecolor() for p in land} - {vermillion}
    assert all(colour[:3] != vermillion[:3] for colour in others)


CLIPS = [(-30, 55, 60, 85), (-10, 30, 40, 72), (-180, -90, 180, 90), (-170, 15, -140, 30)]


@pytest.mark.parametrize("clip", [*CLIPS, (-60, 0, -50, 10)])
def test_cutting_land_to_the_view_by_rectangle_is_the_intersection(
    clip: tuple[float, float, float, float],
) -> None:
    """projected_units cuts with shapely.clip_by_rect, many times faster than a general
    intersection with the view's box: the same land for every unit, to rounding (maps compared
    pixel for pixel when it changed: Svalbard, Estonia, Cyprus, Hawaii, French Guiana, Ceuta,
    Greenland, Alaska and two points at sea)."""
    import shapely
    from shapely.geometry import box

    from alliance.treaties.map_view import _valid_units

    frame = box(*clip)
    for unit, land in _valid_units():
        if land.intersects(frame):
            cut, expected = shapely.clip_by_rect(land, *clip), land.intersection(frame)
            assert cut.symmetric_difference(expected).area <= 1e-9 * expected.area, unit.a3
