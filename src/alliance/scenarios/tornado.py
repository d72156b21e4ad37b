"""Tornado chart of a scenario's sensitivity: one bar per parameter, widest effect on top.

Drawn in the manner of `alliance.charts` (title, subtitle with units, source lines; .png, .svg
or .html by suffix). matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alliance.chart_layout import GREY, PALETTE, TEXT, ChartText
from alliance.chart_worker import drawn_by_worker
from alliance.charts import _check_suffix, _figure, save

LOW_COLOUR = PALETTE[0]
HIGH_COLOUR = PALETTE[1]


@dataclass(frozen=True)
class Bar:
    """One parameter: the outcome with the parameter low and high, and the values used."""

    label: str
    outcome_low: float
    outcome_high: float
    low_text: str
    high_text: str


@drawn_by_worker
def tornado_chart(bars: Sequence[Bar], base: float, unit: str, path: Path, text: ChartText) -> Path:
    """Horizontal bars from `base` to each outcome (in `unit`); the first bar drawn on top."""
    _check_suffix(path)
    top, bottom = 1.35, 1.6  # inches kept for the title and subtitle, the axis and sources
    plot = max(3.0, 0.34 * len(bars))
    whole = top + plot + bottom
    figure, axes = _figure(10.0, whole)
    axes.set_position((0.30, bottom / whole, 0.6, plot / whole))
    axes.grid(axis="y", visible=False)
    axes.grid(axis="x", color="#e6e6e6", linewidth=0.8, linestyle=(0, (4, 3)))
    for row, bar in enumerate(reversed(bars)):
        for outcome, colour, words in (
            (bar.outcome_low, LOW_COLOUR, bar.low_text),
            (bar.outcome_high, HIGH_COLOUR, bar.high_text),
        ):
            axes.barh(row, outcome - base, left=base, height=0.62, color=colour, alpha=0.85)
            if outcome != base:
                side = "left" if outcome > base else "right"
                nudge = 0.006 * (1 if outcome > base else -1)
                axes.text(
                    outcome + nudge * _span(bars, base),
                    row,
                    words,
                    va="center",
                    ha=side,
                    fontsize=7.2,
                    color=TEXT,
                )
    axes.axvline(base, color="#333333", linewidth=1)
    axes.set_yticks(range(len(bars)), [bar.label for bar in reversed(bars)], fontsize=8.5)
    axes.spines["left"].set_visible(False)
    axes.tick_params(axis="y", length=0)
    low, high = _limits(bars, base)
    axes.set_xlim(low, high)
    axes.set_ylim(-0.6, len(bars) - 0.4)
    axes.set_xlabel(f"{unit} (all parameters at their defaults: {base:.2f})", fontsize=8.5)
    axes.xaxis.label.set_color(TEXT)
    axes.plot([], [], color=LOW_COLOUR, linewidth=6, label="parameter lower")
    axes.plot([], [], color=HIGH_COLOUR, linewidth=6, label="parameter higher")
    axes.legend(loc="lower right", frameon=False, fontsize=8)
    axes.spines["bottom"].set_color(GREY)
    return save(figure, path, text)


def _span(bars: Sequence[Bar], base: float) -> float:
    low, high = _limits(bars, base)
    return high - low


def _limits(bars: Sequence[Bar], base: float) -> tuple[float, float]:
    outcomes = [base] + [b.outcome_low for b in bars] + [b.outcome_high for b in bars]
    low, high = min(outcomes), max(outcomes)
    margin = (high - low) * 0.28 or 0.1
    return low - margin, high + margin
