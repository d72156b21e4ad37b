"""Fan chart of a projection: P(meeting 2 %, 3.5 %, 5 % of GDP) above, spending bands below.

Drawn in the manner of `alliance.charts` (title, subtitle with units and definition, source lines
with editions; .png, .svg or .html by suffix). matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from alliance.chart_layout import GREY, PALETTE, TEXT, ChartText
from alliance.chart_worker import drawn_by_worker
from alliance.charts import _check_suffix, _figure, save

if TYPE_CHECKING:
    from alliance.projections.projection import Projection

TARGET_COLOURS: Final = (PALETTE[2], PALETTE[0], PALETTE[1])
BAND_COLOUR: Final = PALETTE[0]


@dataclass(frozen=True)
class Shown:
    """What the fan chart shows of a projection for one entity: its series and words, taken by
    the caller, so that a chart worker draws without the projection's modules or draws."""

    years: list[int]
    targets: tuple[float, ...]  # shares of GDP, %
    probability: Any  # (year, target): P(share of GDP >= target), 0-1
    quantiles: Any  # (year, quantile): spending in USD bn, 5/25/50/75/95 %
    median_path: Any  # (year,): the path with no shock, USD bn
    name: str
    horizon: int
    path: str
    subtitle: str
    notes: list[str]
    sources: list[str]

    @classmethod
    def of(cls, projection: Projection, entity: str | None) -> Shown:
        from alliance.projections.montecarlo import TARGETS
        from alliance.projections.projection import entity_index

        chosen = entity or projection.coalition_name
        e = entity_index(projection, chosen)
        result = projection.result
        usd = projection.channels.index("usd")
        name = chosen
        if entity is not None:
            from alliance.countries import country_name

            name = f"{country_name(chosen)} (in {projection.coalition_name})"
        return cls(
            years=list(projection.years),
            targets=tuple(TARGETS),
            probability=result.probability[e],
            quantiles=result.quantiles[e, :, usd, :],
            median_path=result.median_path[e, :, usd],
            name=name,
            horizon=projection.baseline.horizon,
            path=projection.path,
            subtitle=projection.subtitle(),
            notes=projection.baseline.notes(),
            sources=projection.source_lines(),
        )


def fan_chart(projection: Projection, path: Path, entity: str | None = None) -> Path:
    """The coalition (or `entity`, a member's ISO3) over the projected years."""
    _check_suffix(path)
    return _drawn_fan_chart(Shown.of(projection, entity), path)


@drawn_by_worker
def _drawn_fan_chart(shown: Shown, path: Path) -> Path:
    years = shown.years
    figure, bands = _figure(10.0, 8.2)
    bands.set_position((0.08, 0.17, 0.74, 0.33))
    odds = figure.add_axes((0.08, 0.57, 0.74, 0.23))
    for side in ("top", "right"):
        odds.spines[side].set_visible(False)
    odds.spines["left"].set_color(GREY)
    odds.spines["bottom"].set_color(GREY)
    odds.tick_params(colors=TEXT, labelsize=9)
    odds.grid(axis="y", color="#e6e6e6", linewidth=0.8, linestyle=(0, (4, 3)))
    ends = []
    for k, target in enumerate(shown.targets):
        values = [100 * float(v) for v in shown.probability[:, k]]
        colour = TARGET_COLOURS[k]
        odds.plot(years, values, color=colour, linewidth=2, marker="o", markersize=3)
        ends.append((values[-1], f"≥ {target:g} %: {values[-1]:.0f} %", colour))
    for place, (value, label, colour) in zip(_spread([v for v, _, _ in ends]), ends, strict=True):
        odds.annotate(
            label,
            (years[-1], value),
            xytext=(years[-1] + 0.15, place),
            textcoords="data",
            color=colour,
            fontsize=9,
            va="center",
            weight="bold",
            annotation_clip=False,
        )
    odds.set_ylim(-3, 103)
    odds.set_ylabel("P(share of GDP ≥ target), %", color=TEXT, fontsize=9)
    odds.set_xticks(years)
    odds.set_xticklabels([])
    q = shown.quantiles
    bands.fill_between(years, q[:, 0], q[:, 4], color=BAND_COLOUR, alpha=0.18, linewidth=0)
    bands.fill_between(years, q[:, 1], q[:, 3], color=BAND_COLOUR, alpha=0.35, linewidth=0)
    bands.plot(years, q[:, 2], color=BAND_COLOUR, linewidth=1.6, label="median of the draws")
    path_values = shown.median_path
    bands.plot(
        years,
        path_values,
        color="#333333",
        linewidth=1.2,
        linestyle=(0, (4, 3)),
        label="the path with no shock",
    )
    for i, label in ((4, "95th"), (2, "50th"), (0, "5th")):
        bands.annotate(
            f"{label}: {q[-1, i]:,.0f}",
            (years[-1], q[-1, i]),
            xytext=(6, 0),
            textcoords="offset points",
            color=BAND_COLOUR,
            fontsize=8.5,
            va="center",
            annotation_clip=False,
        )
    bands.set_xticks(years)
    bands.set_xticklabels([str(y) for y in years])
    bands.set_ylim(bottom=0)
    bands.set_ylabel("USD bn, current prices", color=TEXT, fontsize=9)
    bands.legend(loc="upper left", frameon=False, fontsize=8)
    text = ChartText(
        title=f"{shown.name}: chance of meeting 2 %, 3.5 %, 5 % of GDP and spending to "
        f"{shown.horizon}",
        subtitle=f"Path '{Path(shown.path).name}'. {shown.subtitle}",
        sources=shown.sources,
        notes=[
            "Bands: 5-95 % (light) and 25-75 % (dark) of spending in the draws; a coalition's "
            "bands are quantiles of its members' spending summed draw by draw.",
            *shown.notes,
        ],
    )
    return save(figure, path, text)


def _spread(values: list[float], gap: float = 11.0) -> list[float]:
    """Label heights (percentage points) at least `gap` apart, each as near its value as the
    others allow, so that end labels of lines that meet (two at 0 %) do not overprint."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    places = [0.0] * len(values)
    ceiling = float("inf")
    for i in order:
        places[i] = min(values[i], ceiling)
        ceiling = places[i] - gap
    lowest = min(places)
    if lowest < -5:  # pushed below the axis: shift the stack up
        places = [p - lowest - 5 for p in places]
    return places
