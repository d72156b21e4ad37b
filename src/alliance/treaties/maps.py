"""The obligations map: states bound under each clause shaded, the attacked place marked.

matplotlib (Agg, without pyplot: a map is a file, never a window) is imported only here, inside the
functions, and only when a map is asked for.
"""

from __future__ import annotations

import html
import io
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliance.chart_worker import drawn_by_worker
from alliance.errors import InvalidArgumentError
from alliance.numerals import plain
from alliance.treaties import geo, map_view
from alliance.treaties.resolve import NAT_ART5, TEU_42_7, ObligationsResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Okabe-Ito colours: told apart with every common colour-vision deficiency; the attacked place is
# the one warm, dark fill and has a black outline, the attacked state's rest is hatched.
COLOURS = {
    "both": "#0072B2",
    NAT_ART5: "#56B4E9",
    TEU_42_7: "#F0E442",
    "other": "#D9D9D9",
    "sea": "#EEF4F8",
    "border": "#FFFFFF",
    "attacked": "#D55E00",
    "attacked_state": "#FBE3D6",
}
MAP_WIDTH_INCHES = 11.0
MAX_MAP_HEIGHT_INCHES = 10.5
TOP_INCHES = 1.05  # title and summary
TITLE_CHARACTERS = 84  # of the 14 pt title on the 11 in figure
TITLE_LINE_INCHES = 0.28
FOOT_INCHES = 0.6  # sources
LEGEND_ROW_INCHES = 0.3
LABEL_CHARACTER_INCHES = 0.09  # 10 pt bold
SMALL_PLACE = 0.04  # of the view's width: a place smaller than this gets a ring around it
SUFFIXES = (".png", ".svg", ".html")


@drawn_by_worker
def render_map(result: ObligationsResult, path: Path) -> Path:
    """Write the map to `path` (.png, .svg or .html with the SVG inline) and return the path."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidArgumentError(
            f"Cannot write a map to {path.name!r}: expected a .png, .svg or .html file."
        )
    from alliance.chart_backend import save_figure
    from alliance.paths import write_text, write_with

    expected = "a file path to write the map to"
    figure = draw(result)
    if suffix == ".html":
        write_text(path, _html(result, figure), expected)
    else:
        dpi = 150 if suffix == ".png" else None
        write_with(path, lambda out: save_figure(figure, out, suffix, dpi=dpi), expected)
    return path


@dataclass(frozen=True)
class Category:
    """One kind of land on the map, with its legend label."""

    key: str
    label: str
    face: str
    edge: str = COLOURS["border"]
    hatch: str | None = None


def categories(result: ObligationsResult) -> dict[str, Category]:
    """Every kind of land the map can show, labelled in plain words for this result."""
    art5, art427 = result.clause(NAT_ART5), result.clause(TEU_42_7)
    nato_label = "Bound by Art. 5 (North Atlantic Treaty)" + _contested(art5.applies)
    eu_label = "Bound by Art. 42(7) TEU" + _contested(art427.applies)
    contested = [c.article.replace("Article", "Art.") for c in (art5, art427)]
    contested = [
        a for a, c in zip(contested, (art5, art427), strict=True) if c.applies == "contested"
    ]
    both_label = "Bound by both" + (
        f" ({' and '.join(contested)} contested here)" if contested else ""
    )
    place = result.place
    state = _country(place.sovereign) if place.sovereign else ""
    return {
        "attacked": Category(
            "attacked", f"Attacked: {_attacked_words(result)}", COLOURS["attacked"], "#000000"
        ),
        "attacked_state": Category(
            "attacked_state",
            f"{state}, the state attacked: the rest of its territory",
            COLOURS["attacked_state"],
            COLOURS["attacked"],
            "////",
        ),
        "both": Category("both", both_label, COLOURS["both"]),
        NAT_ART5: Category(NAT_ART5, nato_label, COLOURS[NAT_ART5]),
        TEU_42_7: Category(TEU_42_7, eu_label, COLOURS[TEU_42_7]),
        "other": Category("other", "Not bound", COLOURS["other"]),
    }


def _contested(applies: str) -> str:
    return " — contested here" if applies == "contested" else ""


def _attacked_words(result: ObligationsResult) -> str:
    place = result.place
    if place.kind == "sea":
        point = ", ".join("—" if c is None else plain(c, 6) for c in (place.lat, place.lon))
        return f"forces, vessels or aircraft at {point} ({place.name})"
    return place.name


def _country(iso3: str) -> str:
    from alliance.countries import country_name
    from alliance.errors import AllianceError

    try:
        return country_name(iso3)
    except AllianceError:
        return iso3


def category_of(state: str, result: ObligationsResult) -> str:
    """Which kind of land a sovereign's units are on this map."""
    nato = state in result.clause(NAT_ART5).bound
    eu = state in result.clause(TEU_42_7).bound
    if state == result.place.sovereign:
        return "attacked_state"
    if nato and eu:
        return "both"
    if nato:
        return NAT_ART5
    return TEU_42_7 if eu else "other"


def draw(result: ObligationsResult) -> Figure:
    from alliance.chart_backend import load_matplotlib

    load_matplotlib()
    from matplotlib.figure import Figure

    from alliance.chart_text import canvas_for

    bound = set(result.clause(NAT_ART5).bound) | set(result.clause(TEU_42_7).bound)
    view = map_view.frame_of(result, bound)
    kinds = categories(result)
    land, attacked, shown_states = _land(result, view, kinds)
    drawn = [kinds[key] for key in kinds if _visible(land[key], attacked, view, key)]
    off_map = sorted(_country(s) for s in bound - shown_states)
    entries = len(drawn) + (1 if result.place.kind == "sea" else 0)
    legend_height = LEGEND_ROW_INCHES * (math.ceil(entries / 2) + (1 if off_map else 0)) + 0.1
    map_width, map_height = _map_size(view)
    top = TOP_INCHES + TITLE_LINE_INCHES * _title(result).count("\n")
    height = top + map_height + legend_height + FOOT_INCHES
    figure = Figure(figsize=(MAP_WIDTH_INCHES, height))
    canvas_for(figure)  # Agg, as pyplot would give it: callers measure and draw with Agg
    map_bottom = (legend_height + FOOT_INCHES) / height
    axes = figure.add_axes(
        (
            (MAP_WIDTH_INCHES - map_width) / 2 / MAP_WIDTH_INCHES,
            map_bottom,
            map_width / MAP_WIDTH_INCHES,
            map_height / height,
        )
    )
    axes.set_facecolor(COLOURS["sea"])
    for key in kinds:
        if land[key]:
            _fill(axes, land[key], kinds[key], zorder=3 if key == "attacked" else 2)
    if attacked is not None:
        _ring_if_small(axes, attacked, view)
    _mark(axes, result, attacked, view, map_width / (view.limits[2] - view.limits[0]))
    x_min, y_min, x_max, y_max = view.limits
    axes.set_xlim(x_min, x_max)
    axes.set_ylim(y_min, y_max)
    axes.set_aspect("equal")
    axes.set_xticks([])
    axes.set_yticks([])
    _legend(figure, result, drawn, off_map, map_bottom)
    _texts(figure, result)
    return figure


def _land(
    result: ObligationsResult, view: map_view.MapView, kinds: dict[str, Category]
) -> tuple[dict[str, list[Any]], Any, set[str]]:
    """The projected land of each kind, the attacked place's shape, and the states on the map."""
    from shapely.geometry import box

    land: dict[str, list[Any]] = {key: [] for key in kinds}
    shown_states: set[str] = set()
    for unit, shape in map_view.projected_units(view):
        state = map_view.sovereign(unit, result.on)
        shown_states.add(state)
        land[category_of(state, result)].append(shape)
    attacked = map_view.attacked_shape(result)
    if attacked is not None:
        attacked = view.projection.geometry(attacked.intersection(box(*view.clip)))
        land["attacked"] = [attacked]
    return land, attacked, shown_states


def _map_size(view: map_view.MapView) -> tuple[float, float]:
    """Width and height of the map in inches: the figure's width, unless too tall."""
    width = MAP_WIDTH_INCHES - 0.4
    height = width * view.aspect
    if height > MAX_MAP_HEIGHT_INCHES:
        return MAX_MAP_HEIGHT_INCHES / view.aspect, MAX_MAP_HEIGHT_INCHES
    return width, height


def _visible(shapes: list[Any], attacked: Any, view: map_view.MapView, key: str) -> bool:
    """Whether a kind of land shows on the map: the attacked state's rest only where the attacked
    place does not cover it (Sweden attacked: no rest to show)."""
    from shapely.geometry import box

    frame = box(*view.limits)
    least: float = frame.area * 1e-6
    area = 0.0
    for shape in shapes:
        inside = shape.intersection(frame)
        if key == "attacked_state" and attacked is not None:
            inside = inside.difference(attacked)
        area += inside.area
        if area > least:  # the sum only grows: the rest cannot change the answer
            return True
    return False


def _fill(axes: Axes, shapes: list[Any], kind: Category, zorder: int) -> None:
    """One patch per kind of land, holes kept (San Marino inside Italy stays its own colour)."""
    import numpy as np
    import shapely
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as PlotPath
    from shapely.geometry.polygon import orient

    rings: list[Any] = []
    for shape in shapes:
        for polygon in getattr(shape, "geoms", [shape]):
            if polygon.geom_type != "Polygon" or polygon.is_empty:
                continue
            polygon = orient(polygon)
            rings += [polygon.exterior, *polygon.interiors]
    if not rings:
        return
    # Each ring: MOVETO its first point, LINETO the rest, CLOSEPOLY on the last (its first again).
    points = [shapely.get_coordinates(ring) for ring in rings]
    ends = np.cumsum([len(ring) for ring in points])
    codes = np.full(ends[-1], PlotPath.LINETO, dtype=PlotPath.code_type)
    codes[ends - 1] = PlotPath.CLOSEPOLY
    codes[np.concatenate([[0], ends[:-1]])] = PlotPath.MOVETO
    patch = PathPatch(
        PlotPath(np.concatenate(points), codes),
        facecolor=kind.face,
        edgecolor=kind.edge,
        linewidth=0.9 if kind.key == "attacked" else 0.4,
        hatch=kind.hatch,
        zorder=zorder,
    )
    axes.add_artist(patch)  # not add_patch: the limits are set, and its bounds walk is slow


def _ring_radius(attacked: Any, view: map_view.MapView) -> float:
    """The ring drawn round an attacked place too small to see at this scale (French Guiana,
    Cyprus), or 0 for a place large enough."""
    x_min, _, x_max, _ = view.limits
    b_x_min, b_y_min, b_x_max, b_y_max = attacked.bounds
    small = SMALL_PLACE * (x_max - x_min)
    return small if max(b_x_max - b_x_min, b_y_max - b_y_min) < small else 0.0


def _ring_if_small(axes: Axes, attacked: Any, view: map_view.MapView) -> None:
    from matplotlib.patches import Circle

    radius = _ring_radius(attacked, view)
    if not radius:
        return
    b_x_min, b_y_min, b_x_max, b_y_max = attacked.bounds
    centre = ((b_x_min + b_x_max) / 2, (b_y_min + b_y_max) / 2)
    axes.add_patch(
        Circle(
            centre,
            radius=radius,
            fill=False,
            edgecolor=COLOURS["attacked"],
            linewidth=2.0,
            zorder=4,
        )
    )


def _mark(
    axes: Axes,
    result: ObligationsResult,
    attacked: Any,
    view: map_view.MapView,
    inches_per_unit: float,
) -> None:
    """The attacked place's name: inside its shape when it fits, else beside it (or beside the
    star at sea), on the side with room."""
    import numpy as np

    place = result.place
    if place.lat is None or place.lon is None:
        return
    ((x, y),) = view.projection.forward(np.array([[place.lon, place.lat]]))
    box_style = {"boxstyle": "round,pad=0.25", "facecolor": "white", "alpha": 0.9, "lw": 0}
    label: dict[str, Any] = {"fontsize": 10, "weight": "bold", "zorder": 6, "bbox": box_style}
    label_inches = LABEL_CHARACTER_INCHES * (len(place.name) + 2)
    if place.kind == "sea" or attacked is None:
        axes.plot(
            x,
            y,
            marker="*",
            markersize=20,
            color=COLOURS["attacked"],
            markeredgecolor="black",
            markeredgewidth=0.8,
            linestyle="",
            zorder=5,
        )
        left, right = x, x
    else:
        b_x_min, b_y_min, b_x_max, b_y_max = attacked.bounds
        if (b_x_max - b_x_min) * inches_per_unit > 1.3 * label_inches and (
            b_y_max - b_y_min
        ) * inches_per_unit > 0.6:
            axes.annotate(place.name, _inland(attacked), ha="center", va="center", **label)
            return
        centre_x = (b_x_min + b_x_max) / 2
        half = max((b_x_max - b_x_min) / 2, _ring_radius(attacked, view))
        left, right = centre_x - half, centre_x + half
        y = (b_y_min + b_y_max) / 2
    room_right = (view.limits[2] - right) * inches_per_unit
    if room_right > label_inches + 0.2:
        axes.annotate(
            place.name,
            (right, y),
            xytext=(8, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            **label,
        )
    else:
        axes.annotate(
            place.name,
            (left, y),
            xytext=(-8, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            **label,
        )


def _inland(shape: Any) -> tuple[float, float]:
    """Where a name sits inside a shape: its largest part's centre (not the table's point, which
    may lie on a coast), or a point surely inside where the centre falls outside (a crescent)."""
    from shapely.geometry import Point

    largest = max(getattr(shape, "geoms", [shape]), key=lambda part: part.area)
    centre = largest.centroid
    inside = (
        centre if largest.contains(Point(centre.x, centre.y)) else largest.representative_point()
    )
    return inside.x, inside.y


def _legend(
    figure: Figure, result: ObligationsResult, drawn: list[Category], off_map: list[str], top: float
) -> None:
    """Under the map, where it covers nothing: only the kinds of land drawn."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    for kind in drawn:
        handles.append(
            Patch(
                facecolor=kind.face,
                edgecolor=kind.edge if kind.hatch or kind.key == "attacked" else "#999999",
                hatch=kind.hatch,
                label=kind.label,
            )
        )
    if result.place.kind == "sea":
        handles.insert(
            0,
            Line2D(
                [],
                [],
                marker="*",
                color=COLOURS["attacked"],
                markeredgecolor="black",
                linestyle="",
                markersize=14,
                label=f"Attacked: {_attacked_words(result)}",
            ),
        )
    legend = figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.02, top - 0.05 / figure.get_figheight()),
        ncols=2,
        fontsize=9,
        frameon=False,
        handlelength=2.2,
        handleheight=1.2,
        alignment="left",
    )
    if off_map:
        legend.set_title(f"Also bound, beyond this map: {', '.join(off_map)}")
        legend.get_title().set_fontsize(9)


def _summary(result: ObligationsResult) -> str:
    parts = []
    for item in result.clauses:
        who = f"{len(item.bound)} states bound" if item.bound else "no state bound"
        parts.append(f"{item.treaty} {item.article}: {item.applies} ({who})")
    return "; ".join(parts)


def _subject(result: ObligationsResult) -> str:
    place = result.place
    if place.kind == "sea":
        point = ", ".join("—" if c is None else plain(c, 6) for c in (place.lat, place.lon))
        return f"forces, vessels or aircraft at {point} ({place.name}) are"
    return f"{place.name} is"


def _title(result: ObligationsResult) -> str:
    """The question, wrapped to the figure's width (a point at sea makes a long subject)."""
    question = f"If {_subject(result)} attacked on {result.on.isoformat()}: who is bound to help?"
    return textwrap.fill(question, TITLE_CHARACTERS)


def _texts(figure: Figure, result: ObligationsResult) -> None:
    from alliance.chart_backend import wrap_by_bisection

    title = _title(result)
    height = figure.get_figheight()
    figure.suptitle(
        title, fontsize=14, weight="bold", x=0.02, ha="left", va="top", y=1 - 0.2 / height
    )
    summary_from_top = 0.62 + TITLE_LINE_INCHES * title.count("\n")
    figure.text(0.02, 1 - summary_from_top / height, _summary(result), fontsize=9, ha="left")
    source = (
        "Sources: North Atlantic Treaty Art. 5 and 6 (nato.int); Treaty on European Union "
        "Art. 42(7) (EUR-Lex); membership dates from the alliance groups table; boundaries: "
        f"{geo.boundaries().source}, version {geo.boundaries().version}, public domain. "
        "Answers marked 'contested' have two readings: see the reasons."
    )
    wrap_by_bisection(
        figure.text(
            0.02,
            0.15 / figure.get_figheight(),
            source,
            fontsize=7.5,
            ha="left",
            color="#444444",
            wrap=True,
        )
    )


def _html(result: ObligationsResult, figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    rows = "".join(
        f"<tr><td>{html.escape(c.treaty)} {html.escape(c.article)}</td>"
        f"<td>{html.escape(c.applies)}</td><td>{html.escape(c.reason)}</td>"
        f"<td>{html.escape(', '.join(c.bound))}</td></tr>"
        for c in result.clauses
    )
    title = html.escape(f"Treaty obligations: {result.place.name} on {result.on.isoformat()}")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>body{{font-family:sans-serif;max-width:1100px;"
        "margin:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px;"
        "vertical-align:top;font-size:13px}svg{max-width:100%;height:auto}</style></head><body>"
        f"<h1>{title}</h1>{svg}<table><tr><th>clause</th><th>applies</th><th>why</th>"
        f"<th>states bound</th></tr>{rows}</table></body></html>\n"
    )
