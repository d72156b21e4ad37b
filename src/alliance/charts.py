"""Charts in the manner of Our World in Data: title, subtitle with units and definition, the data,
and a source line naming the publisher and edition (estimates marked).

Drawing only: the words (a `ChartText`, the coalitions' names, the legend's words) are handed in
by the caller: `alliance.views` (the CLI's charts), the scenarios, the projections.

Output by file suffix: .png and .svg through matplotlib (Agg backend), .html as a self-contained
page with the SVG inline (no scripts, no external files). matplotlib is imported only here.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from alliance.chart_layout import (
    DARK_FILLS,
    END_LABEL,
    GREY,
    PALETTE,
    REFERENCE,
    SEGMENT_LABEL,
    TEXT,
    ChartMark,
    ChartText,
    legend_in_a_gap,
    make_room,
    membership_marks,
    renderer_of,
    value_labels,
)
from alliance.chart_worker import drawn_by_worker
from alliance.errors import InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from alliance.metrics import ShareResult

SUFFIXES: Final = (".png", ".svg", ".html")
# The status the targets table computes, in the colours of its bars.
STATUS_COLOURS: Final = {"met": PALETTE[2], "on track": "#93c9b1", "off track": PALETTE[1]}
STATUS_WORDS: Final = {"met": "Met", "on track": "On track", "off track": "Off track"}
TARGET_LINES: Final = (
    (2.0, "2% (Wales/Vilnius)"),
    (3.5, "3.5% core (Hague 2035)"),
    (5.0, "5% total (Hague 2035)"),
)


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidArgumentError(
            f"Cannot write a chart to {path.name!r}: expected a .png, .svg or .html file."
        )
    return suffix


def _figure(width: float = 9.0, height: float = 6.0) -> tuple[Figure, Axes]:
    from alliance.chart_backend import load_matplotlib
    from alliance.chart_text import canvas_for

    load_matplotlib()
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=110)
    canvas_for(figure)
    axes = figure.add_axes((0.08, 0.2, 0.74, 0.62))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.spines["left"].set_color(GREY)
    axes.spines["bottom"].set_color(GREY)
    axes.tick_params(colors=TEXT, labelsize=9)
    axes.grid(axis="y", color="#e6e6e6", linewidth=0.8, linestyle=(0, (4, 3)))
    axes.set_axisbelow(True)
    return figure, axes


def _frame_text(figure: Figure, text: ChartText) -> None:
    import textwrap

    title = figure.text(
        0.02, 0.965, text.title, fontsize=15, weight="bold", color="#333333", va="top"
    )
    # A long title is set smaller rather than cut off at the right edge.
    renderer = renderer_of(figure)
    room = figure.bbox.width * 0.96
    size = 15.0
    while title.get_window_extent(renderer).width > room and size > 10:
        size -= 0.5
        title.set_fontsize(size)
    subtitle = figure.text(
        0.02, 0.905, textwrap.fill(text.subtitle, 120), fontsize=9.5, color=TEXT, va="top"
    )
    lines = [*text.notes, *text.sources]
    wrapped = "\n".join(textwrap.fill(line, 150) for line in lines)
    footer = figure.text(
        0.02, 0.015, wrapped, fontsize=7.2, color=TEXT, va="bottom", linespacing=1.35
    )
    make_room(figure, subtitle, footer)


def save(figure: Figure, path: Path, text: ChartText) -> Path:
    """Write `figure` as .png, .svg or a self-contained .html page with the SVG inline; SVG text
    stays text (selectable, searchable, translatable), not glyph outlines."""
    import matplotlib

    from alliance.chart_backend import save_figure
    from alliance.paths import write_text, write_with

    suffix = _check_suffix(path)
    _frame_text(figure, text)
    if suffix in (".png", ".svg"):
        with matplotlib.rc_context({"svg.fonttype": "none"}):
            write_with(
                path,
                lambda handle: save_figure(figure, handle, suffix, facecolor="white"),
                "a file path to write the chart to",
            )
    else:
        buffer = io.StringIO()
        with matplotlib.rc_context({"svg.fonttype": "none"}):
            figure.savefig(buffer, format="svg", facecolor="white")
        svg = buffer.getvalue()
        svg = svg[svg.find("<svg") :]
        sources = "".join(f"<li>{html.escape(s)}</li>" for s in [*text.notes, *text.sources])
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(text.title)}</title>"
            "<style>body{font-family:sans-serif;max-width:1000px;margin:1em auto;color:#333}"
            "figure{margin:0}svg{max-width:100%;height:auto}"
            "figcaption{font-size:0.8em;color:#5b5b5b}</style></head><body><figure>"
            f"{svg}<figcaption><p>{html.escape(text.subtitle)}</p><ul>{sources}</ul>"
            "</figcaption></figure></body></html>\n"
        )
        write_text(path, page, "a file path to write the chart to")
    return path


def _records(data: pd.DataFrame | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """A DataFrame (the Python API's results) or plain records (the CLI's, which then never imports
    pandas: a third of a chart's start-up) as records."""
    to_dict = getattr(data, "to_dict", None)
    if to_dict is not None:
        return list(to_dict("records"))
    return list(data)  # type: ignore[arg-type]


def _has_value(value: Any) -> bool:
    return value is not None and value == value  # NaN is no value either


def _format_value(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


@drawn_by_worker
def count_bar_chart(
    years: Sequence[int],
    counts: Sequence[int],
    totals: Sequence[int],
    estimated: Sequence[bool],
    path: Path,
    text: ChartText,
) -> Path:
    """A count out of a total each year: the total as a light bar, the count inside it in colour,
    both written on the bar; a hatched bar is a year that includes the publisher's estimates."""
    _check_suffix(path)
    figure, axes = _figure()
    hatch = ["///" if flag else "" for flag in estimated]
    axes.bar(years, totals, color="#e3e3e3", width=0.7, label="Allies with a figure")
    bars = axes.bar(
        years, counts, color=PALETTE[0], width=0.7, hatch=hatch, edgecolor="white", linewidth=0
    )
    bars.set_label("Allies at or above the target")
    for year, count, total in zip(years, counts, totals, strict=True):
        axes.text(year, total + 0.4, f"{count} of {total}", ha="center", fontsize=8, color=TEXT)
    axes.set_xticks(list(years))
    axes.set_ylabel("Allies", color=TEXT)
    axes.set_ylim(0, max(totals, default=1) * 1.12)
    axes.legend(loc="upper left", frameon=False, fontsize=8.5)
    return save(figure, path, text)


@drawn_by_worker
def line_chart(
    frame: pd.DataFrame | Sequence[Mapping[str, Any]],
    path: Path,
    text: ChartText,
    marks: Sequence[ChartMark] = (),
    names: Mapping[str, str] | None = None,
) -> Path:
    """Coalitions over time: one line per coalition, labelled at its end (compare output)."""
    _check_suffix(path)
    return save(line_figure(frame, marks, names), path, text)


def line_figure(
    frame: pd.DataFrame | Sequence[Mapping[str, Any]],
    marks: Sequence[ChartMark] = (),
    names: Mapping[str, str] | None = None,
) -> Figure:
    """The drawing of `line_chart`: the x-axis runs from the first to the last year with data;
    each mark is a diamond on its coalition's line with its label above, clear of the others.
    `frame`: rows with coalition, year, value, unit and estimated."""
    names = names or {}
    records = _records(frame)
    groups: dict[Any, list[Mapping[str, Any]]] = {}
    for record in records:
        groups.setdefault(record["coalition"], []).append(record)
    figure, axes = _figure()
    # End labels sit right of the plot: leave room for the longest ("NATO-Europe-and-Canada  508").
    shown = [names.get(str(name), str(name)) for name in groups]
    longest = max((len(name) for name in shown), default=0) + 6
    right = max(0.55, 0.97 - 0.0085 * longest)
    axes.set_position((0.08, 0.2, right - 0.08, 0.62))
    colours: dict[str, str] = {}
    for index, (name, group) in enumerate(groups.items()):
        rows = sorted(group, key=lambda r: r["year"])
        colour = colours[str(name)] = PALETTE[index % len(PALETTE)]
        years = [r["year"] for r in rows]
        values = [float(r["value"]) if _has_value(r["value"]) else math.nan for r in rows]
        axes.plot(years, values, color=colour, linewidth=2, marker="o", markersize=3)
        estimated = [i for i, r in enumerate(rows) if bool(r["estimated"])]
        axes.plot(
            [years[i] for i in estimated],
            [values[i] for i in estimated],
            linestyle="none",
            marker="o",
            markersize=6,
            markerfacecolor="white",
            markeredgecolor=colour,
        )
        last = [(year, value) for year, value in zip(years, values, strict=True) if value == value]
        if last:
            axes.annotate(
                f"{names.get(str(name), name)}  {_format_value(last[-1][1])}",
                (float(last[-1][0]), last[-1][1]),
                xytext=(6, 0),
                textcoords="offset points",
                color=colour,
                fontsize=9,
                va="center",
                weight="bold",
                annotation_clip=False,
                gid=END_LABEL,
            )
    with_data = [r for r in records if _has_value(r["value"])]
    years = sorted({int(r["year"]) for r in with_data})
    step = 1 if len(years) <= 12 else 2 if len(years) <= 24 else 5
    axes.set_xticks(years[::step])
    axes.set_xticklabels([str(y) for y in years[::step]], rotation=0)
    if years:
        axes.set_xlim(years[0] - 0.4, years[-1] + 0.4)
    axes.set_ylim(bottom=0)
    unit = str(records[0]["unit"]) if records else ""
    axes.set_ylabel(unit, color=TEXT, fontsize=9)
    points: dict[tuple[str, int], float] = {}
    for r in with_data:
        points.setdefault((str(r["coalition"]), int(r["year"])), float(r["value"]))
    membership_marks(axes, points, marks, colours)
    return figure


@drawn_by_worker
def ranked_bar_chart(
    frame: pd.DataFrame | Sequence[Mapping[str, Any]],
    path: Path,
    text: ChartText,
    lines: Sequence[tuple[float, str]] = TARGET_LINES,
    status_words: Mapping[str, str] = STATUS_WORDS,
    axis_label: str = "% of GDP",
) -> Path:
    """Allies ranked by their value, coloured by the status the targets table computes (met, on
    track, off track), with the 2% / 3.5% / 5% lines (targets output); no value label is struck
    through by a line."""
    _check_suffix(path)
    return save(ranked_bar_figure(frame, lines, status_words, axis_label), path, text)


def ranked_bar_figure(
    frame: pd.DataFrame | Sequence[Mapping[str, Any]],
    lines: Sequence[tuple[float, str]] = TARGET_LINES,
    status_words: Mapping[str, str] = STATUS_WORDS,
    axis_label: str = "% of GDP",
) -> Figure:
    """The drawing of `ranked_bar_chart`, before its title and sources are added. `frame`: rows
    with country, value, status and estimate."""
    import numpy as np

    present = [r for r in _records(frame) if _has_value(r["value"])]
    # Ranked as pandas' sort_values ranks (numpy's quicksort), so that ties keep their places.
    order = np.argsort(
        np.array([float(r["value"]) for r in present], dtype=float), kind="quicksort"
    )
    data = [present[i] for i in order]
    height = max(6.0, 0.22 * len(data) + 2.6)
    figure, axes = _figure(9.0, height)
    from matplotlib.patches import Patch  # after _figure, which loads matplotlib

    axes.set_position((0.2, 1.6 / height, 0.72, 1 - 2.9 / height))
    axes.grid(axis="y", visible=False)
    axes.grid(axis="x", color="#e6e6e6", linewidth=0.8, linestyle=(0, (4, 3)))
    statuses = [str(r["status"]) for r in data]
    colours = [STATUS_COLOURS.get(status, GREY) for status in statuses]
    labels = [f"{r['country']}{' *' if bool(r['estimate']) else ''}" for r in data]
    values = [float(r["value"]) for r in data]
    axes.barh(labels, values, color=colours, height=0.7)
    top = max(max(values, default=0.0), max(v for v, _ in lines)) * 1.08
    for value, label in lines:
        axes.axvline(value, color="#333333", linewidth=0.9, linestyle=(0, (5, 3)), gid=REFERENCE)
        axes.text(
            value,
            len(data) - 0.2,
            f" {label}",
            rotation=0,
            fontsize=7.5,
            color="#333333",
            va="bottom",
            ha="left",
        )
    axes.set_xlim(0, top)
    axes.set_ylim(-0.6, len(data) + 0.6)
    value_labels(axes, values, colours, [v for v, _ in lines])
    drawn = [s for s in STATUS_COLOURS if s in statuses]
    legend = axes.legend(
        handles=[Patch(color=STATUS_COLOURS[s], label=status_words.get(s, s)) for s in drawn],
        loc="lower left",
        fontsize=8,
        frameon=False,
    )
    legend_in_a_gap(axes, legend, [v for v, _ in lines])
    axes.tick_params(axis="y", labelsize=8)
    axes.set_xlabel(axis_label, color=TEXT, fontsize=9)
    return figure


# A member outside the coalition with at least this share of the whole gets its own segment (the
# United States in NATO): hidden inside "the rest" it would hide the question the chart answers.
OWN_SEGMENT_SHARE: Final = 0.10
OUTSIDE_GREYS: Final = ("#6f6f6f", "#959595")


@dataclass(frozen=True)
class Segment:
    """One piece of the 100% bar."""

    label: str
    value: float
    colour: str


def share_segments(
    result: ShareResult, top: int = len(PALETTE), names: Mapping[str, str] | None = None
) -> list[Segment]:
    """The coalition's largest members, its other members together, then the whole's large
    members outside the coalition one by one (the United States in NATO) and the rest in grey.
    `names`: the coalition and the whole as people say them, else as written."""
    from alliance.countries import country_name

    names = names or {}
    whole = result.whole.value or 0.0
    inside = set(result.members)
    figures = sorted(result.whole.figures, key=lambda f: f.numerator, reverse=True)
    part = [f for f in figures if f.entity in inside]
    segments = [
        Segment(country_name(f.entity), f.numerator, PALETTE[i % len(PALETTE)])
        for i, f in enumerate(part[:top])
    ]
    if others := part[top:]:
        label = f"{len(others)} other members of {names.get(result.coalition, result.coalition)}"
        segments.append(Segment(label, sum(f.numerator for f in others), "#8fa9d3"))
    large = [
        f
        for f in figures
        if f.entity not in inside and whole and f.numerator / whole >= OWN_SEGMENT_SHARE
    ][: len(OUTSIDE_GREYS)]
    rest = whole - sum(s.value for s in segments) - sum(f.numerator for f in large)
    if rest > 0:
        of = names.get(result.of, result.of)
        label = f"other members of {of}" if large else f"rest of {of}"
        segments.append(Segment(label, rest, GREY))
    segments += [
        Segment(country_name(f.entity), f.numerator, colour)
        for f, colour in zip(large, OUTSIDE_GREYS, strict=False)
    ]
    return segments


@drawn_by_worker
def stacked_share_chart(
    result: ShareResult,
    path: Path,
    text: ChartText,
    top: int = len(PALETTE),
    names: Mapping[str, str] | None = None,
) -> Path:
    """One 100% bar: the coalition's members (largest first), the rest of `of` in grey, the
    whole's large members outside the coalition as their own segments; totals above the bar."""
    _check_suffix(path)
    return save(stacked_share_figure(result, top, names), path, text)


def stacked_share_figure(
    result: ShareResult, top: int = len(PALETTE), names: Mapping[str, str] | None = None
) -> Figure:
    """The drawing of `stacked_share_chart`, before its title and sources are added; `names` as
    in `share_segments`."""
    names = names or {}
    whole = result.whole.value or 0.0
    segments = share_segments(result, top, names)
    figure, axes = _figure(10.0, 5.2)
    axes.set_position((0.03, 0.45, 0.94, 0.26))
    axes.grid(visible=False)
    axes.spines["left"].set_visible(False)
    axes.set_yticks([])
    axes.set_xlim(0, 1)
    axes.set_ylim(-0.45, 0.8)
    renderer = renderer_of(figure)
    left = 0.0
    for segment in segments:
        width = segment.value / whole if whole else 0.0
        axes.barh([0], [width], left=left, color=segment.colour, edgecolor="white", height=0.6)
        label = axes.text(
            left + width / 2,
            0,
            f"{segment.label}\n{width:.1%}",
            ha="center",
            va="center",
            fontsize=7.5,
            color="white" if segment.colour in DARK_FILLS else "#333333",
            gid=SEGMENT_LABEL,
        )
        # A label wider than its segment would spill into the next: the legend names it.
        box = label.get_window_extent(renderer)
        inverse = axes.transData.inverted()
        if inverse.transform((box.x1, 0))[0] - inverse.transform((box.x0, 0))[0] > width * 0.94:
            label.remove()
        left += width
    share = result.share or 0.0
    align = "left" if share < 0.2 else "right" if share > 0.8 else "center"
    headline = axes.annotate(
        f"{names.get(result.coalition, result.coalition)}: {share:.1%}",
        xy=(share, 0.32),
        xytext=(share, 0.62),
        ha=align,
        fontsize=10,
        weight="bold",
        color="#333333",
        arrowprops={"arrowstyle": "-", "color": "#333333"},
    )
    if result.value is not None and result.of_value is not None:
        _beside(
            axes,
            headline,
            f"{_format_value(result.value)} of {names.get(result.of, result.of)}'s "
            f"{_format_value(result.of_value)} {result.unit}",
        )
    axes.xaxis.set_major_formatter(_percent_formatter())
    _segment_legend(axes, segments, whole)
    return figure


def _beside(axes: Axes, headline: Any, words: str) -> None:
    """`words` in plain type on the headline's line: after it, or before it near the right edge."""
    renderer = renderer_of(axes.figure)
    box = headline.get_window_extent(renderer)
    inverse = axes.transData.inverted()
    gap = 6
    after = axes.text(
        inverse.transform((box.x1 + gap, 0))[0], 0.62, words, fontsize=8.5, color=TEXT
    )
    if after.get_window_extent(renderer).x1 > axes.get_window_extent(renderer).x1:
        after.set_x(inverse.transform((box.x0 - gap, 0))[0])
        after.set_horizontalalignment("right")


def _segment_legend(axes: Axes, segments: list[Segment], whole: float) -> None:
    """Name every segment with its share: most are too narrow to carry a label."""
    from matplotlib.patches import Patch

    handles = [
        Patch(color=s.colour, label=f"{s.label} {s.value / whole:.1%}" if whole else s.label)
        for s in segments
    ]
    axes.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.38),
        ncol=min(len(handles), 4),
        fontsize=8,
        frameon=False,
    )


def _percent_formatter() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)
