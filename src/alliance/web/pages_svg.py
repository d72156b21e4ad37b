"""SVG drawings for the pages and the report: the choropleth map, ranked bars, lines.

Every drawing takes figures the library already computed and only places them. Styles are
presentation attributes (not CSS classes) so that a chart downloaded on its own, or pasted into
a document, looks the same as on the page. Palettes are colour-blind safe: cividis for the map
(sequential, readable in grey), Okabe-Ito for categories.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from alliance.numerals import plain
from alliance.web.pages_map import MapFrame, Panel, Shape, to_view

FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK: Final = "#222222"
MUTED: Final = "#5b5b5b"
GRID: Final = "#e3e3e3"
NO_DATA: Final = "#dddddd"
SEA: Final = "#f3f6f9"
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency.
OKABE_ITO: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
# cividis (Nuñez, Anderton & Renslow 2018), six steps from light to dark: more spending, darker.
CIVIDIS: Final = ("#fee838", "#c8b866", "#948e77", "#666970", "#35456c", "#00224e")
SHARE_BINS: Final = (1.0, 1.5, 2.0, 2.5, 3.5)  # % of GDP: class edges of the choropleth
HATCH_ID: Final = "estimate-hatch"


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _hatch_pattern() -> str:
    """Estimates: a sparse hatch of thin light-and-dark line pairs, seen on every fill colour
    while the fill stays readable."""
    return (
        f'<defs><pattern id="{HATCH_ID}" width="10" height="10" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<line x1="1" y1="0" x2="1" y2="10" stroke="#ffffff" stroke-width="1" '
        'stroke-opacity="0.85"/>'
        '<line x1="2" y1="0" x2="2" y2="10" stroke="#000000" stroke-width="0.6" '
        'stroke-opacity="0.35"/></pattern></defs>'
    )


def _svg_open(width: float, height: float, label: str, extra: str = "") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{esc(label)}" '
        f'font-family="{esc(FONT)}" {extra}>'
    )


# --- the map -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapValue:
    value: float
    estimate: bool
    text: str  # what the tooltip says, e.g. "Poland: 4.12 % of GDP (estimate)"


def bin_colour(value: float, edges: Sequence[float] = SHARE_BINS) -> str:
    index = sum(1 for edge in edges if value >= edge)
    return CIVIDIS[index]


def choropleth(
    frame: MapFrame,
    values: dict[str, MapValue],
    label: str,
    link: str | None = "/country/{iso3}",
) -> str:
    """Countries coloured by class of value, estimates marked with a sparse hatch over the fill,
    each country linked to `link`; every panel after the first named with its scale; the legend
    where the frame keeps room for it."""
    parts = [_svg_open(frame.width, frame.height, label, 'class="map"'), _hatch_pattern()]
    parts.append(f'<rect width="{frame.width}" height="{frame.height}" fill="#ffffff"/>')
    main = frame.panels[0]
    for index, panel in enumerate(frame.panels):
        parts.append(_panel_box(panel, main if index else None))
        for shape in (s for s in frame.shapes if s.panel == index):
            parts.append(_country(shape, values.get(shape.iso3), link))
    parts.append(_map_legend(*frame.legend_at))
    parts.append("</svg>")
    return "".join(parts)


def _country(shape: Shape, found: MapValue | None, link: str | None) -> str:
    fill = bin_colour(found.value) if found else NO_DATA
    title = found.text if found else f"{shape.name}: no figure"
    body = (
        f'<path d="{shape.path}" fill="{fill}" stroke="#ffffff" stroke-width="0.5" '
        f'data-iso3="{esc(shape.iso3)}"><title>{esc(title)}</title></path>'
    )
    if found and found.estimate:
        body += f'<path d="{shape.path}" fill="url(#{HATCH_ID})" pointer-events="none"/>'
    if found and link:
        href = esc(link.format(iso3=shape.iso3))
        body = f'<a href="{href}" aria-label="{esc(title)}">{body}</a>'
    return body


def _panel_box(panel: Panel, main: Panel | None) -> str:
    """The panel's sea; a panel drawn beside `main` is framed and says its scale relative to it."""
    x, y = panel.offset
    box = (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{panel.width:.1f}" height="{panel.height:.1f}" '
        f'fill="{SEA}"/>'
    )
    if main is None:
        return box
    ratio = panel.scale / main.scale
    return box.replace("/>", f' stroke="{MUTED}" stroke-width="0.8"/>') + (
        f'<text x="{x:.1f}" y="{y - 7:.1f}" font-size="12" fill="{MUTED}">'
        f"{esc(panel.name)}, {ratio * 100:.0f} % of {esc(main.name)}'s scale</text>"
    )


def share_legend_labels() -> list[str]:
    labels = [f"< {SHARE_BINS[0]:g}"]
    labels += [f"{a:g}–{b:g}" for a, b in itertools.pairwise(SHARE_BINS)]
    labels.append(f"≥ {SHARE_BINS[-1]:g}")
    return labels


def html_legend(items: Sequence[tuple[str, str]]) -> str:
    """The map's legend again in HTML, for phones, where the one inside the map is too small."""
    swatches = "".join(
        f'<li><span class="swatch{" hatch" if label == "estimate" else ""}" '
        f'style="background-color:{colour}"></span>{esc(label)}</li>'
        for colour, label in items
    )
    return f'<ul class="legend-html" aria-hidden="true">{swatches}</ul>'


def share_legend() -> str:
    items = [
        (c, f"{label} % of GDP") for c, label in zip(CIVIDIS, share_legend_labels(), strict=True)
    ]
    return html_legend([*items, (CIVIDIS[2], "estimate"), (NO_DATA, "no figure")])


def _map_legend(x: float, y: float) -> str:
    """The classes, the estimate mark and 'no figure', one under the other."""
    items = [(CIVIDIS[i], "", text) for i, text in enumerate(share_legend_labels())]
    items += [(CIVIDIS[2], f"url(#{HATCH_ID})", "estimate"), (NO_DATA, "", "no figure")]
    parts = [
        f'<g class="legend" font-size="13" fill="{INK}">'
        f'<text x="{x}" y="{y}" font-weight="600">% of GDP</text>'
    ]
    for index, (colour, overlay, text) in enumerate(items):
        top = y + 10 + 24 * index
        parts.append(f'<rect x="{x}" y="{top}" width="22" height="16" fill="{colour}"/>')
        if overlay:
            parts.append(f'<rect x="{x}" y="{top}" width="22" height="16" fill="{overlay}"/>')
        parts.append(f'<text x="{x + 30}" y="{top + 13}">{esc(text)}</text>')
    parts.append("</g>")
    return "".join(parts)


@dataclass(frozen=True)
class MapCategory:
    key: str
    colour: str
    label: str


def category_map(
    frame: MapFrame,
    category_of: dict[str, str],
    categories: Sequence[MapCategory],
    label: str,
    marker: tuple[float, float, str] | None = None,
) -> str:
    """Countries coloured by category (e.g. bound under which clause); a star at `marker`."""
    colours = {c.key: c.colour for c in categories}
    projection = " ".join(f'{key}="{value}"' for key, value in frame.attributes().items())
    parts = [
        _svg_open(frame.width, frame.height, label, f'class="map clickable-map" {projection}'),
        f'<rect width="{frame.width}" height="{frame.height}" fill="{SEA}"/>',
    ]
    names = {c.key: c.label for c in categories}
    for shape in frame.shapes:
        key = category_of.get(shape.iso3, "")
        fill = colours.get(key, NO_DATA)
        title = f"{shape.name}: {names.get(key, 'not bound')}"
        parts.append(
            f'<path d="{shape.path}" fill="{fill}" stroke="#ffffff" stroke-width="0.5" '
            f'data-iso3="{esc(shape.iso3)}"><title>{esc(title)}</title></path>'
        )
    if marker is not None:
        lat, lon, name = marker
        x, y = to_view(lat, lon)
        parts.append(
            f'<g class="marker"><path d="{_star(x, y, 11)}" fill="#D55E00" stroke="#000000" '
            f'stroke-width="1"/><text x="{x + 14:.1f}" y="{y - 8:.1f}" font-size="15" '
            f'font-weight="700" fill="{INK}" stroke="#ffffff" stroke-width="3" '
            f'paint-order="stroke">{esc(name)}</text></g>'
        )
    x, y = 12, frame.height - 24 * len(categories) - 10
    parts.append(
        f'<g font-size="13" fill="{INK}"><rect x="{x - 6}" y="{y - 8}" width="300" '
        f'height="{24 * len(categories) + 10}" fill="#ffffff" fill-opacity="0.88" rx="4"/>'
    )
    for index, category in enumerate(categories):
        top = y + 24 * index
        parts.append(
            f'<rect x="{x}" y="{top}" width="22" height="16" fill="{category.colour}"/>'
            f'<text x="{x + 30}" y="{top + 13}">{esc(category.label)}</text>'
        )
    parts.append("</g></svg>")
    return "".join(parts)


def _star(x: float, y: float, radius: float) -> str:
    import math

    points = []
    for index in range(10):
        r = radius if index % 2 == 0 else radius * 0.45
        angle = math.pi / 2 + index * math.pi / 5
        points.append(f"{x + r * math.cos(angle):.1f} {y - r * math.sin(angle):.1f}")
    return "M" + "L".join(points) + "Z"


# --- ranked bars -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    estimate: bool
    highlight: bool  # e.g. at or above the first target line


def text_width(text: str, size: float) -> float:
    """A generous estimate of `text`'s width in a sans-serif face (no font metrics in SVG text):
    0.6 em a character, wider than the average, so that a gutter sized by it cuts nothing."""
    return len(text) * size * 0.6


def value_label_x(
    value_x: float, width: float, lines_x: Sequence[float], pad: float = 4.0
) -> tuple[float, bool]:
    """Where a bar's value label starts, and whether it sits inside the bar's end: beside the end
    unless a reference line would strike through it; then inside the end if it fits there clear
    of lines, else just past the line (as the CLI's targets chart does, chart_layout.py)."""

    def clear(left: float) -> bool:
        return not any(left - pad / 2 <= x <= left + width + pad / 2 for x in lines_x)

    if clear(value_x + pad):
        return value_x + pad, False
    inside = value_x - pad - width
    if inside > pad and clear(inside):
        return inside, True
    left = value_x + pad
    while not clear(left):
        left = max(x for x in lines_x if left - pad / 2 <= x <= left + width + pad / 2) + pad
    return left, False


def ranked_bars(
    bars: Sequence[Bar],
    lines: Sequence[tuple[float, str]],
    label: str,
    unit: str = "% of GDP",
    legend: tuple[str, str] = ("at or above 2 %", "below 2 %"),
) -> str:
    """Horizontal bars, largest first, with dashed vertical target lines; the label gutter as
    wide as the longest label, and no value label struck through by a line."""
    row, right, top, bottom = 19, 40, 46, 46
    name_size, value_size = 12.5, 12.0
    names = [f"{bar.label}{' (e)' if bar.estimate else ''}" for bar in bars]
    left = max([text_width(n, name_size) for n in names] + [60.0]) + 10
    width = max(560.0, left + 360)
    height = top + row * len(bars) + bottom
    axis = height - bottom + 4
    plot = width - left - right
    largest = max([b.value for b in bars] + [v for v, _ in lines] + [0.1]) * 1.1
    scale = plot / largest
    lines_x = [left + v * scale for v, _ in lines]
    parts = [_svg_open(width, height, label, 'class="chart bars"'), _hatch_pattern()]
    parts.append(f'<rect width="{width:.0f}" height="{height}" fill="#ffffff"/>')
    parts.append(_bar_legend(left, legend))
    for tick in _ticks(largest):
        x = left + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis}" '
            f'stroke="{GRID}"/><text x="{x:.1f}" y="{axis + 16}" font-size="12" '
            f'text-anchor="middle" fill="{MUTED}">{plain(tick, 6)}</text>'
        )
    parts.append(
        f'<text x="{left + plot / 2:.1f}" y="{axis + 34}" font-size="12" text-anchor="middle" '
        f'fill="{MUTED}">{esc(unit)}</text>'
    )
    for index, (bar, name) in enumerate(zip(bars, names, strict=True)):
        y = top + index * row
        colour = OKABE_ITO[0] if bar.highlight else OKABE_ITO[1]
        length = max(bar.value, 0.0) * scale
        parts.append(
            f"<g><title>{esc(name)}: {bar.value:.2f}</title>"
            f'<text x="{left - 6:.1f}" y="{y + 13}" font-size="{name_size}" text-anchor="end" '
            f'fill="{INK}">{esc(name)}</text>'
            f'<rect x="{left:.1f}" y="{y + 2}" width="{length:.1f}" height="{row - 5}" '
            f'fill="{colour}"/>'
        )
        if bar.estimate:
            parts.append(
                f'<rect x="{left:.1f}" y="{y + 2}" width="{length:.1f}" height="{row - 5}" '
                f'fill="url(#{HATCH_ID})"/>'
            )
        text = f"{bar.value:.2f}"
        x, inside = value_label_x(left + length, text_width(text, value_size), lines_x)
        # Inside the bar: the bar's colour as a halo hides the hatch under the digits.
        ink = (
            f'fill="{"#ffffff" if bar.highlight else INK}" stroke="{colour}" stroke-width="3" '
            'paint-order="stroke" class="value inside"'
            if inside
            else f'fill="{MUTED}" class="value"'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{y + 13}" font-size="{value_size}" {ink}>{text}</text></g>'
        )
    for x, (_, text) in zip(lines_x, lines, strict=True):
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{axis}" stroke="{INK}" '
            f'stroke-width="1.3" stroke-dasharray="5 3"/><text x="{x + 3:.1f}" y="{top - 8}" '
            f'font-size="12" font-weight="600" fill="{INK}">{esc(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _bar_legend(left: float, legend: tuple[str, str]) -> str:
    above, below = legend
    return (
        f'<g font-size="12" fill="{INK}">'
        f'<rect x="{left}" y="6" width="14" height="12" fill="{OKABE_ITO[0]}"/>'
        f'<text x="{left + 19}" y="16">{esc(above)}</text>'
        f'<rect x="{left + 140}" y="6" width="14" height="12" fill="{OKABE_ITO[1]}"/>'
        f'<text x="{left + 159}" y="16">{esc(below)}</text>'
        f'<rect x="{left + 250}" y="6" width="14" height="12" fill="{MUTED}"/>'
        f'<rect x="{left + 250}" y="6" width="14" height="12" fill="url(#{HATCH_ID})"/>'
        f'<text x="{left + 269}" y="16">(e) estimate</text></g>'
    )


def _ticks(largest: float) -> list[float]:
    for step in (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0):
        if largest / step <= 8:
            break
    else:
        step = largest / 5
    count = int(largest / step) + 1
    return [round(step * i, 6) for i in range(count)]


# --- lines -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    estimate: bool


@dataclass(frozen=True)
class Line:
    name: str
    points: tuple[Point, ...]
    dashed: bool = False


def line_chart(
    lines: Sequence[Line],
    label: str,
    unit: str,
    reference: Sequence[tuple[float, str]] = (),
) -> str:
    """Series by year; open circles are estimates; optional dashed horizontal reference lines."""
    width, left, right, top, bottom = 560, 52, 16, 16 + 18 * len(lines), 34
    height = top + 230 + bottom
    points = [p for line in lines for p in line.points]
    years = sorted({p.year for p in points}) or [0]
    first, last = years[0], years[-1]
    values = [p.value for p in points] + [v for v, _ in reference]
    largest = max([*values, 0.0]) * 1.08 or 1.0
    smallest = min([*values, 0.0])
    span_x = max(last - first, 1)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(year: int) -> float:
        return left + (year - first) / span_x * plot_w

    def y_of(value: float) -> float:
        return top + (largest - value) / (largest - smallest) * plot_h

    parts = [_svg_open(width, height, label, 'class="chart lines"')]
    parts.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    for tick in _ticks(largest):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 5}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="{MUTED}">{plain(tick, 6)}</text>'
        )
    step = 1 if len(years) <= 12 else 2
    for year in range(first, last + 1, step):
        parts.append(
            f'<text x="{x_of(year):.1f}" y="{height - bottom + 18}" font-size="12" '
            f'text-anchor="middle" fill="{MUTED}">{year}</text>'
        )
    for value, text in reference:
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{INK}" '
            f'stroke-dasharray="5 3"/><text x="{width - right}" y="{y - 4:.1f}" font-size="11.5" '
            f'text-anchor="end" fill="{INK}">{esc(text)}</text>'
        )
    for index, line in enumerate(lines):
        colour = OKABE_ITO[index % len(OKABE_ITO)]
        parts.append(_one_line(line, colour, x_of, y_of))
        y = 14 + 18 * index
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        parts.append(
            f'<line x1="{left}" y1="{y - 4}" x2="{left + 22}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="3"{dash}/><text x="{left + 28}" y="{y}" font-size="12.5" '
            f'fill="{INK}">{esc(line.name)}</text>'
        )
    parts.append(
        f'<text x="{width - right}" y="14" font-size="12" text-anchor="end" fill="{MUTED}">'
        f"{esc(unit)} · ○ estimate</text></svg>"
    )
    return "".join(parts)


def _one_line(
    line: Line, colour: str, x_of: Callable[[int], float], y_of: Callable[[float], float]
) -> str:
    ordered = sorted(line.points, key=lambda p: p.year)
    segments: list[list[Point]] = []
    for point in ordered:
        if segments and point.year == segments[-1][-1].year + 1:
            segments[-1].append(point)
        else:
            segments.append([point])
    dash = ' stroke-dasharray="6 4"' if line.dashed else ""
    parts = ["<g>"]
    for segment in segments:
        coords = " ".join(f"{x_of(p.year):.1f},{y_of(p.value):.1f}" for p in segment)
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.4"{dash}/>'
        )
    for point in ordered:
        fill = "#ffffff" if point.estimate else colour
        note = " (estimate)" if point.estimate else ""
        parts.append(
            f'<circle cx="{x_of(point.year):.1f}" cy="{y_of(point.value):.1f}" r="3.6" '
            f'fill="{fill}" stroke="{colour}" stroke-width="1.8"><title>{esc(line.name)} '
            f"{point.year}: {point.value:,.2f}{note}</title></circle>"
        )
    parts.append("</g>")
    return "".join(parts)
