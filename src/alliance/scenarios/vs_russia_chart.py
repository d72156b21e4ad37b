"""The vs-Russia chart: two panels (market exchange rates, PPP), history and projected bands.

Drawn in the manner of `alliance.charts` (title, subtitle with units and definition, notes and
source lines; .png, .svg or .html by suffix): SIPRI's history as solid lines, the projection's
median dashed with its 5-95 % band shaded, and the year the debate names (2027) marked.
matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliance.chart_layout import GREY, PALETTE, TEXT, ChartText
from alliance.chart_worker import drawn_by_worker
from alliance.charts import _check_suffix, _figure, save
from alliance.scenarios.vs_russia import BASES, BASIS_WORDS, MARKED_YEAR, PPP_CAVEAT, VsRussia

if TYPE_CHECKING:
    from matplotlib.axes import Axes

COALITION_COLOUR = PALETTE[0]
RUSSIA_COLOUR = PALETTE[1]
PANEL_TITLES = {
    "market": "At market exchange rates (USD bn)",
    "ppp": "At GDP purchasing-power parity (international $ bn)",
}


@dataclass(frozen=True)
class Shown:
    """What the chart shows of a `VsRussia`: its rows and words, taken by the caller, so that a
    chart worker draws without the projections (their modules and draws) or the store."""

    rows: list[dict[str, Any]]
    coalition: str
    title: str
    path: str
    russia_estimated: list[int]  # the years Russia's SIPRI figures are estimates
    sources: list[str]

    @classmethod
    def of(cls, result: VsRussia) -> Shown:
        russia = result.history[1]
        estimated = sorted(y for y, members in russia.estimated.items() if members)
        rows, sources = result.records(), result.source_lines()
        return cls(rows, result.coalition, result.title, result.path, estimated, sources)


def draw_vs_russia(result: VsRussia, path: Path) -> Path:
    """Write the chart of `result` to `path` (.png, .svg or .html)."""
    _check_suffix(path)
    return _drawn_vs_russia(Shown.of(result), path)


@drawn_by_worker
def _drawn_vs_russia(shown: Shown, path: Path) -> Path:
    figure, left = _figure(12.0, 6.4)
    left.set_position((0.06, 0.24, 0.36, 0.56))
    right = figure.add_axes((0.54, 0.24, 0.36, 0.56))
    for side in ("top", "right"):
        right.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        right.spines[side].set_color(GREY)
    right.tick_params(colors=TEXT, labelsize=9)
    right.grid(axis="y", color="#e6e6e6", linewidth=0.8, linestyle=(0, (4, 3)))
    right.set_axisbelow(True)
    rows = shown.rows
    top = max(
        (
            r[k]
            for r in rows
            for k in ("coalition_q95", "coalition_bn", "russia_q95", "russia_bn")
            if r[k] is not None
        ),
        default=1.0,
    )
    for axes, basis in zip((left, right), BASES, strict=True):
        _panel(axes, [r for r in rows if r["basis"] == basis], shown.coalition, basis)
        axes.set_ylim(0, top * 1.08)
    text = ChartText(
        title=shown.title.split(":")[0] + ": defence spending, historical and projected",
        subtitle=(
            f"SIPRI definition for both sides. Left: {BASIS_WORDS['market']}; right: "
            f"{BASIS_WORDS['ppp']}. Solid: SIPRI figures; dashed: median of the projection "
            f"('{Path(shown.path).name}' path for {shown.coalition}, Russia's latest share "
            f"held), shaded: 5-95 % of the draws. {MARKED_YEAR} marked."
        ),
        sources=shown.sources,
        notes=(PPP_CAVEAT, *_estimate_notes(shown.russia_estimated)),
    )
    return save(figure, path, text)


def _estimate_notes(years: list[int]) -> list[str]:
    return [f"Russia's SIPRI figures for {', '.join(map(str, years))} are SIPRI estimates."] * bool(
        years
    )


def _series(rows: list[dict[str, Any]], kind: str, key: str) -> tuple[list[int], list[float]]:
    chosen = [r for r in rows if r["kind"] == kind and r[key] is not None]
    return [r["year"] for r in chosen], [r[key] for r in chosen]


def _panel(axes: Axes, rows: list[dict[str, Any]], coalition: str, basis: str) -> None:
    history_end = max((r["year"] for r in rows if r["kind"] == "historical"), default=None)
    for side, colour, label in (
        ("coalition", COALITION_COLOUR, coalition),
        ("russia", RUSSIA_COLOUR, "Russia"),
    ):
        years, values = _series(rows, "historical", f"{side}_bn")
        axes.plot(years, values, color=colour, linewidth=2.2, label=label)
        future = [r for r in rows if r["kind"] == "projected"]
        if future and years:
            joined = [years[-1], *(r["year"] for r in future)]
            median = [values[-1], *(r[f"{side}_bn"] for r in future)]
            low = [values[-1], *(r[f"{side}_q05"] for r in future)]
            high = [values[-1], *(r[f"{side}_q95"] for r in future)]
            axes.plot(joined, median, color=colour, linewidth=2.0, linestyle=(0, (5, 3)))
            axes.fill_between(joined, low, high, color=colour, alpha=0.16, linewidth=0)
            axes.annotate(
                f"{label} {median[-1]:,.0f}",
                (joined[-1], median[-1]),
                xytext=(4, 0),
                textcoords="offset points",
                fontsize=8,
                color=colour,
                va="center",
            )
    axes.axvline(MARKED_YEAR, color="#333333", linewidth=1, linestyle=(0, (2, 2)))
    axes.text(
        MARKED_YEAR + 0.15,
        0.97,
        f"{MARKED_YEAR}",
        transform=axes.get_xaxis_transform(),
        fontsize=8.5,
        color="#333333",
        va="top",
    )
    if history_end is not None:
        axes.text(
            history_end - 0.15,
            0.03,
            "SIPRI  |  projected",
            transform=axes.get_xaxis_transform(),
            fontsize=7.5,
            color=TEXT,
            ha="center",
        )
    axes.set_title(PANEL_TITLES[basis], fontsize=10, color="#333333", loc="left")
    axes.legend(loc="upper left", frameon=False, fontsize=8.5)
    axes.yaxis.set_major_formatter(_thousands())


def _thousands() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _: f"{value:,.0f}")
