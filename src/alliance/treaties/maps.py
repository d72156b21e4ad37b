"""The obligations map: states bound under each clause shaded, the attacked place marked.

matplotlib (Agg) is imported only here, inside the functions, and only when a map is asked for.
"""

from __future__ import annotations

import html
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliance.errors import InvalidArgumentError
from alliance.numerals import plain
from alliance.treaties import geo
from alliance.treaties.resolve import NAT_ART5, TEU_42_7, ObligationsResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

EUROPE = (-30.0, 50.0, 30.0, 72.0)  # lon_min, lon_max, lat_min, lat_max
MARGIN_DEGREES = 6.0
COLOURS = {
    "both": "#5a9e6f",
    NAT_ART5: "#5b8fd1",
    TEU_42_7: "#f0c04a",
    "other": "#e6e6e6",
    "sea": "#f4f8fb",
    "edge": "#ffffff",
    "attacked": "#c0392b",
    "attacked_fill": "#eba59b",
}
MAP_WIDTH_INCHES = 11.0
SUFFIXES = (".png", ".svg", ".html")


def render_map(result: ObligationsResult, path: Path) -> Path:
    """Write the map to `path` (.png, .svg or .html with the SVG inline) and return the path."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidArgumentError(
            f"Cannot write a map to {path.name!r}: expected a .png, .svg or .html file."
        )
    from alliance.paths import file_errors, write_text

    expected = "a file path to write the map to"
    figure = draw(result)
    if suffix == ".html":
        write_text(path, _html(result, figure), expected)
    else:
        with file_errors(path, "write", expected):
            path.parent.mkdir(parents=True, exist_ok=True)
            figure.savefig(path, dpi=150 if suffix == ".png" else None)
    import matplotlib.pyplot as plt

    plt.close(figure)
    return path


def _extent(result: ObligationsResult) -> tuple[float, float, float, float]:
    lon_min, lon_max, lat_min, lat_max = EUROPE
    place = result.place
    if place.lat is not None and place.lon is not None:
        lon_min = min(lon_min, place.lon - MARGIN_DEGREES)
        lon_max = max(lon_max, place.lon + MARGIN_DEGREES)
        lat_min = max(-85.0, min(lat_min, place.lat - MARGIN_DEGREES))
        lat_max = min(85.0, max(lat_max, place.lat + MARGIN_DEGREES))
    return lon_min, lon_max, lat_min, lat_max


def _fill_of(iso3: str, nato: set[str], eu: set[str], attacked: set[str]) -> str:
    if iso3 in attacked:
        return COLOURS["attacked_fill"]
    if iso3 in nato and iso3 in eu:
        return COLOURS["both"]
    if iso3 in nato:
        return COLOURS[NAT_ART5]
    if iso3 in eu:
        return COLOURS[TEU_42_7]
    return COLOURS["other"]


def draw(result: ObligationsResult) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from shapely.geometry import box

    nato = set(result.clause(NAT_ART5).bound)
    eu = set(result.clause(TEU_42_7).bound)
    attacked = {c.attacked for c in result.clauses if c.attacked}
    lon_min, lon_max, lat_min, lat_max = _extent(result)
    view = box(lon_min, lat_min, lon_max, lat_max)
    aspect = 1 / math.cos(math.radians((lat_min + lat_max) / 2))
    map_height = MAP_WIDTH_INCHES * (lat_max - lat_min) * aspect / (lon_max - lon_min)
    figure, axes = plt.subplots(figsize=(MAP_WIDTH_INCHES, min(map_height, 14.0) + 2.2))
    axes.set_facecolor(COLOURS["sea"])
    shown: set[str] = set()
    for unit in geo.boundaries().units:
        if not unit.geometry.intersects(view):
            continue
        shown.add(unit.iso3)
        edge = COLOURS["attacked"] if unit.iso3 in attacked else COLOURS["edge"]
        width = 1.4 if unit.iso3 in attacked else 0.4
        _fill(axes, unit.geometry, _fill_of(unit.iso3, nato, eu, attacked), edge, width)
    _mark(axes, result)
    axes.set_xlim(lon_min, lon_max)
    axes.set_ylim(lat_min, lat_max)
    axes.set_aspect(aspect)
    axes.set_xticks([])
    axes.set_yticks([])
    _legend(axes, result, (nato | eu) - shown)
    _texts(figure, result)
    height = figure.get_figheight()
    figure.subplots_adjust(left=0.02, right=0.98, top=1 - 1.3 / height, bottom=0.8 / height)
    return figure


def _fill(axes: Axes, geometry: Any, colour: str, edge: str, width: float) -> None:
    for polygon in getattr(geometry, "geoms", [geometry]):
        xs, ys = polygon.exterior.xy
        axes.fill(xs, ys, facecolor=colour, edgecolor=edge, linewidth=width)


def _mark(axes: Axes, result: ObligationsResult) -> None:
    place = result.place
    if place.lat is None or place.lon is None:
        return
    axes.plot(
        place.lon,
        place.lat,
        marker="*",
        markersize=20,
        color=COLOURS["attacked"],
        markeredgecolor="black",
        markeredgewidth=0.8,
        zorder=5,
    )
    axes.annotate(
        place.name,
        (place.lon, place.lat),
        xytext=(10, 8),
        textcoords="offset points",
        fontsize=10,
        weight="bold",
        zorder=6,
        bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "alpha": 0.85, "lw": 0},
    )


def _legend(axes: Axes, result: ObligationsResult, off_map: set[str]) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    art5, art427 = result.clause(NAT_ART5), result.clause(TEU_42_7)
    handles = [
        Patch(color=COLOURS["both"], label="bound under both clauses"),
        Patch(color=COLOURS[NAT_ART5], label=f"bound under NAT Art. 5 only ({art5.applies})"),
        Patch(color=COLOURS[TEU_42_7], label=f"bound under TEU Art. 42(7) only ({art427.applies})"),
        Patch(color=COLOURS["attacked_fill"], label="state attacked"),
        Patch(color=COLOURS["other"], label="not bound"),
        Line2D(
            [],
            [],
            marker="*",
            color=COLOURS["attacked"],
            linestyle="",
            markersize=14,
            label="place attacked",
        ),
    ]
    legend = axes.legend(handles=handles, loc="upper left", fontsize=8.5, framealpha=0.92)
    if off_map:
        legend.set_title(f"Also bound, off the map: {', '.join(sorted(off_map))}")
        legend.get_title().set_fontsize(8)


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


def _texts(figure: Figure, result: ObligationsResult) -> None:
    figure.suptitle(
        f"If {_subject(result)} attacked on {result.on.isoformat()}: who is bound to help?",
        fontsize=14,
        weight="bold",
        x=0.02,
        ha="left",
        y=1 - 0.3 / figure.get_figheight(),
    )
    figure.text(0.02, 1 - 0.75 / figure.get_figheight(), _summary(result), fontsize=9, ha="left")
    source = (
        "Sources: North Atlantic Treaty Art. 5 and 6 (nato.int); Treaty on European Union "
        "Art. 42(7) (EUR-Lex); membership dates from the alliance groups table; boundaries: "
        f"{geo.boundaries().source}, version {geo.boundaries().version}, public domain. "
        "Answers marked 'contested' have two readings: see the reasons."
    )
    figure.text(
        0.02,
        0.15 / figure.get_figheight(),
        source,
        fontsize=7.5,
        ha="left",
        color="#444444",
        wrap=True,
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
