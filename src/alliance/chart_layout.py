"""The charts' palette, the ids their labels carry in SVG, what a chart is handed besides its
data (`ChartText`, the words around it, and `ChartMark`, labels on its lines), and where that text
goes: value labels clear of reference lines, a legend in a free space, membership labels clear of
every line and label, and room for the subtitle and notes.

Measured with the Agg renderer in display units before the figure is saved; `alliance.charts`
draws, this module only moves what it drew.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PALETTE: Final = ("#3360a9", "#c15065", "#2c8465", "#be5915", "#6d3e91", "#286bbb", "#996d39")
GREY: Final = "#bdbdbd"
TEXT: Final = "#5b5b5b"
DARK_FILLS: Final = frozenset({*PALETTE, "#8fa9d3", "#6f6f6f"})
# gids that tests and readers of the SVG can find the value labels and reference lines by.
VALUE_LABEL: Final = "value-label"
REFERENCE: Final = "reference-line"
SEGMENT_LABEL: Final = "segment-label"
END_LABEL: Final = "end-label"
MEMBERSHIP_MARK: Final = "membership-mark"
MEMBERSHIP_LABEL: Final = "membership-label"


@dataclass(frozen=True)
class ChartText:
    """Everything printed around the data: composed by `alliance.views` (and the scenarios),
    drawn by `alliance.charts`."""

    title: str
    subtitle: str  # units and definition
    sources: Sequence[str]  # one line per source edition
    notes: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class ChartMark:
    """A short label at one year of one coalition's line: a change of its membership."""

    coalition: str
    year: int
    label: str


def make_room(figure: Figure, subtitle: Any, footer: Any) -> None:
    """Make the figure taller where the subtitle (above) or the notes and sources (below) would
    run into the plot: the title and subtitle keep their distance from the top, the footer from
    the bottom, the plots their size."""
    renderer = renderer_of(figure)
    boxes = [box for axes in figure.axes if (box := axes.get_tightbbox(renderer)) is not None]
    if not boxes:
        return
    gap = 0.1 * figure.dpi
    below = max(0.0, footer.get_window_extent(renderer).y1 + gap - min(b.y0 for b in boxes))
    above = max(0.0, max(b.y1 for b in boxes) + gap - subtitle.get_window_extent(renderer).y0)
    if not below and not above:
        return
    width, old = figure.get_size_inches()
    new = old + (below + above) / figure.dpi
    figure.set_size_inches(width, new)
    for axes in figure.axes:
        x0, y0, w, h = axes.get_position().bounds
        axes.set_position((x0, (y0 * old + below / figure.dpi) / new, w, h * old / new))
    for label in figure.texts:
        x, y = label.get_position()
        moved = y * old / new if label is footer else 1 - (1 - y) * old / new
        label.set_position((x, moved))


# Where a mark's label may go, in points from its point, best first: above, below, then beside.
_MARK_PLACES: Final = (
    ((0, 10), "center", "bottom"),
    ((0, -10), "center", "top"),
    ((8, 7), "left", "bottom"),
    ((-8, 7), "right", "bottom"),
    ((8, -7), "left", "top"),
    ((-8, -7), "right", "top"),
    ((0, 24), "center", "bottom"),
    ((0, -24), "center", "top"),
)


def membership_marks(
    axes: Axes,
    points: Mapping[tuple[str, int], float],
    marks: Sequence[ChartMark],
    colours: Mapping[str, str],
) -> None:
    """An open diamond around the point where a coalition's membership changed (an estimate's
    open circle stays visible inside), its label at the first place clear of every line, label
    and edge of the plot. `points`: each coalition's value by (coalition, year)."""
    renderer = renderer_of(axes.figure)
    placed: list[Any] = [t.get_window_extent(renderer) for t in axes.texts]
    paths = [line.get_transform().transform_path(line.get_path()) for line in axes.lines]
    for mark in sorted(marks, key=lambda m: (m.year, m.coalition)):
        value = points.get((mark.coalition, mark.year))
        if value is None:
            continue
        colour = colours.get(mark.coalition, TEXT)
        axes.plot(
            [mark.year],
            [value],
            marker="D",
            markersize=11,
            markerfacecolor="none",
            markeredgecolor=colour,
            markeredgewidth=1.3,
            linestyle="none",
            zorder=4,
            gid=MEMBERSHIP_MARK,
        )
        label = axes.annotate(
            mark.label,
            (mark.year, value),
            xytext=_MARK_PLACES[0][0],
            textcoords="offset points",
            fontsize=7.5,
            color=colour,
            zorder=5,
            gid=MEMBERSHIP_LABEL,
        )
        inside = axes.get_window_extent(renderer)
        for offset, across, up in _MARK_PLACES:
            label.xyann = offset
            label.set(horizontalalignment=across, verticalalignment=up)
            box = label.get_window_extent(renderer)
            if (
                inside.x0 <= box.x0
                and box.x1 <= inside.x1
                and inside.y0 <= box.y0
                and box.y1 <= inside.y1
                and not any(box.overlaps(other) for other in placed)
                and not any(path.intersects_bbox(box, filled=False) for path in paths)
            ):
                break
        else:
            # Nowhere clear: above the point, on white so that a line under it cannot hide it.
            label.xyann, _, _ = _MARK_PLACES[0]
            label.set(horizontalalignment="center", verticalalignment="bottom")
            label.set_bbox({"boxstyle": "square,pad=0.1", "facecolor": "white", "lw": 0})
        placed.append(label.get_window_extent(renderer))


def value_labels(
    axes: Axes, values: Sequence[float], colours: Sequence[str], lines: Sequence[float]
) -> None:
    """Each bar's value beside its end; where a reference line would strike through it, inside
    the bar's end instead, or failing that just past the line."""
    renderer = renderer_of(axes.figure)
    to_data = axes.transData.inverted()
    pad = 0.012 * axes.get_xlim()[1]
    for y, (value, colour) in enumerate(zip(values, colours, strict=True)):
        label = axes.text(
            value + pad, y, f"{value:.2f}", va="center", fontsize=7.5, color=TEXT, gid=VALUE_LABEL
        )
        box = label.get_window_extent(renderer)
        width = to_data.transform((box.x1, 0))[0] - to_data.transform((box.x0, 0))[0]

        def clear(left: float, width: float = width) -> bool:
            return not any(left - pad / 2 <= line <= left + width + pad / 2 for line in lines)

        if clear(value + pad):
            continue
        if value - pad - width > pad and clear(value - pad - width):
            label.set_x(value - pad)
            label.set_horizontalalignment("right")
            label.set_color("white" if colour in DARK_FILLS else "#333333")
            continue
        left = value + pad
        while not clear(left):
            left = max(line for line in lines if left - pad / 2 <= line <= left + width) + pad
        label.set_x(left)


def legend_in_a_gap(axes: Axes, legend: Any, lines: Sequence[float]) -> None:
    """Move the legend (at the bottom) to the first space between reference lines that is right
    of every bar and value label beside it, so that it hides neither data nor a line."""
    renderer = renderer_of(axes.figure)
    to_data = axes.transData.inverted()
    box = legend.get_window_extent(renderer)
    (x0, y0), (x1, y1) = to_data.transform([(box.x0, box.y0), (box.x1, box.y1)])
    width, top = x1 - x0, y1 - y0 + axes.get_ylim()[0]
    beside = [
        to_data.transform((t.get_window_extent(renderer).x1, 0))[0]
        for t in axes.texts
        if t.get_gid() == VALUE_LABEL and t.get_position()[1] <= top
    ]
    pad = 0.012 * axes.get_xlim()[1]
    start = max(beside, default=0.0) + pad
    right = axes.get_xlim()[1]
    edges = sorted({start, *(line + pad for line in lines if line > start)})
    for left in edges:
        ahead = [line for line in lines if line > left]
        if min(ahead, default=right) - left >= width + pad:
            legend.set_bbox_to_anchor((left, axes.get_ylim()[0]), transform=axes.transData)
            return
    # No free space: over the plot's lower right corner, on white so that it stays legible.
    legend.set_loc("lower right")
    legend.set_frame_on(True)
    legend.get_frame().set(facecolor="white", edgecolor="white", alpha=1.0)


def renderer_of(figure: Any) -> Any:
    """A renderer to measure text with before the figure is saved."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = figure.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(figure)
    return canvas.get_renderer()  # type: ignore[no-untyped-call]  # matplotlib leaves it untyped
