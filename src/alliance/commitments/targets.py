"""Alliance targets against NATO's figures: each ally's value, gap and status in a year, and the
yearly count of allies at 2 %.

Figures come from NATO's tables (NATO definition, share of GDP at constant prices as NATO
computes it); by default each year's figure comes from the newest NATO edition that has it, and
every row says which edition.

Status rules (stated in each row's `rule`):
- met: the ally's share is at or above the threshold (unrounded figures).
- a floor (2006 guideline, Vilnius 2023) or a deadline reached or passed: below it is off track.
- a deadline ahead: on track when the ally's trend over the last three years (pp per year, same
  edition) is at least the annual increase a straight line to the threshold by the deadline needs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, Final

from alliance.commitments.facts import Target, default_target, find_target
from alliance.commitments.figures import (
    allies_gdp_usd,
    ally_figures,
    ally_figures_within_data,
    eur_per_usd,
    every_ally_figure,
)

if TYPE_CHECKING:
    import pandas as pd

TREND_YEARS: Final = 3


@dataclass(frozen=True)
class TargetRow:
    iso3: str
    year: int
    value: float | None
    target: float
    met: bool | None
    gap_pp: float | None
    gap_usd_bn: float | None
    gap_eur_bn: float | None
    needed_pp_per_year: float | None
    trend_pp_per_year: float | None
    status: str
    rule: str
    edition: str
    estimate: bool
    locator: str


def _status(
    target: Target, year: int, value: float, trend: float | None
) -> tuple[str, str, float | None]:
    threshold = target.threshold_percent
    if value >= threshold:
        return "met", f"{value:.2f}% >= {threshold}%", 0.0
    if target.kind == "floor" or target.deadline_year is None:
        return "off track", f"{value:.2f}% < {threshold}% floor", None
    years_left = target.deadline_year - year
    if years_left <= 0:
        return "off track", f"{value:.2f}% < {threshold}% at deadline {target.deadline_year}", None
    needed = (threshold - value) / years_left
    if trend is None:
        return "off track", f"needs +{needed:.2f} pp/yr to {target.deadline_year}; no trend", needed
    verdict = "on track" if trend >= needed else "off track"
    sign = ">=" if trend >= needed else "<"
    rule = (
        f"trend {trend:+.2f} pp/yr ({year - TREND_YEARS}-{year}) {sign} needed "
        f"+{needed:.2f} pp/yr to reach {threshold}% by {target.deadline_year}"
    )
    return verdict, rule, needed


def _trends(history: list[dict[str, Any]], year: int) -> dict[str, float]:
    """pp per year between year-3 and year, within one edition per ally."""
    now = {str(r["entity"]): r for r in history if r["year"] == year}
    past = {
        (str(r["entity"]), str(r["edition"])): r for r in history if r["year"] == year - TREND_YEARS
    }
    trends: dict[str, float] = {}
    for entity, row in now.items():
        before = past.get((entity, str(row["edition"])))
        if before is not None:
            trends[entity] = (float(row["value"]) - float(before["value"])) / TREND_YEARS
    return trends


def _history_same_edition(
    measure: str, year: int, edition_of: dict[str, str], entities: list[str]
) -> list[dict[str, Any]]:
    history: list[dict[str, Any]] = []
    for edition in sorted(set(edition_of.values())):
        allies = [e for e in entities if edition_of.get(e) == edition]
        history += ally_figures_within_data(measure, [year - TREND_YEARS, year], edition, allies)
    return history


TARGET_COLUMNS: Final = (
    "iso3",
    "country",
    *(f.name for f in fields(TargetRow) if f.name != "iso3"),
)


@dataclass(frozen=True)
class TargetTable:
    """`targets()` as records: one per ally, highest share first, with what the rows used."""

    rows: list[dict[str, Any]]  # keys: TARGET_COLUMNS
    target: Target
    editions: list[tuple[str, str, str]]  # (source, edition, dataset) of the shares
    gdp_sources: list[str]
    eur_per_usd: float | None

    def records(self) -> list[dict[str, Any]]:
        return list(self.rows)

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame; `attrs` carries target, editions, gdp_sources, eur_per_usd."""
        import pandas as pd

        frame = pd.DataFrame(self.rows, columns=list(TARGET_COLUMNS))
        frame.attrs["target"] = self.target
        frame.attrs["editions"] = self.editions
        frame.attrs["gdp_sources"] = self.gdp_sources
        frame.attrs["eur_per_usd"] = self.eur_per_usd
        return frame


def targets(year: int, target: str | None = None, edition: str | None = None) -> pd.DataFrame:
    """Per ally (NATO members on 1 July of `year`): value, target, gap and status.

    Columns: iso3, country, year, value, target, met, gap_pp, gap_usd_bn, gap_eur_bn,
    needed_pp_per_year, trend_pp_per_year, status, rule, edition, estimate, locator.
    `attrs` carries the Target record, the (source, edition, dataset) of the shares and the
    GDP/exchange-rate sources used.
    """
    return target_table(year, target, edition).frame()


def target_table(year: int, target: str | None = None, edition: str | None = None) -> TargetTable:
    """What `targets` returns, as records (no pandas)."""
    from alliance.coalitions import coalition_in_year
    from alliance.countries import country_name

    chosen = find_target(target) if target else default_target(year)
    allies = list(coalition_in_year("NATO", year).members)
    # A year outside the data is an error (YearOutOfRangeError names the years there are).
    by_ally = {str(r["entity"]): r for r in ally_figures(chosen.measure, [year], edition, allies)}
    editions = {k: str(v["edition"]) for k, v in by_ally.items()}
    history = _history_same_edition(chosen.measure, year, editions, list(by_ally))
    trends = _trends(history, year)
    gdp = (
        allies_gdp_usd(year, list(by_ally), edition)
        if chosen.measure == "defence_share_gdp"
        else {}
    )
    rate = eur_per_usd(year)
    rows = [
        _target_row(chosen, iso3, year, by_ally.get(iso3), trends.get(iso3), gdp.get(iso3), rate)
        for iso3 in allies
    ]
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0.0), r.iso3))
    records = [{"iso3": r.iso3, "country": country_name(r.iso3), **asdict(r)} for r in rows]
    return TargetTable(
        records,
        chosen,
        sorted({("nato", str(r["edition"]), str(r["dataset"])) for r in by_ally.values()}),
        sorted({v[1] for v in gdp.values()}),
        rate,
    )


def _target_row(
    chosen: Target,
    iso3: str,
    year: int,
    row: dict[str, Any] | None,
    trend: float | None,
    gdp_usd: tuple[float, str] | None,
    rate: float | None,
) -> TargetRow:
    if row is None:
        return TargetRow(
            iso3,
            year,
            None,
            chosen.threshold_percent,
            None,
            None,
            None,
            None,
            None,
            None,
            "no data",
            "no NATO figure for this ally and year",
            "",
            False,
            "",
        )
    value = float(row["value"])
    status, rule, needed = _status(chosen, year, value, trend)
    gap = max(chosen.threshold_percent - value, 0.0)
    gap_usd = gap / 100 * gdp_usd[0] / 1e9 if gdp_usd else None
    return TargetRow(
        iso3=iso3,
        year=year,
        value=value,
        target=chosen.threshold_percent,
        met=value >= chosen.threshold_percent,
        gap_pp=gap,
        gap_usd_bn=gap_usd,
        gap_eur_bn=gap_usd * rate if gap_usd is not None and rate else None,
        needed_pp_per_year=needed,
        trend_pp_per_year=trend,
        status=status,
        rule=rule,
        edition=f"nato {row['edition']} ({row['dataset']})",
        estimate=row.get("estimate") is True,
        locator=str(row.get("locator") or ""),
    )


def targets_history(
    edition: str | None = None, threshold: float = 2.0, first: int = 2014, last: int | None = None
) -> pd.DataFrame:
    """How many Allies (members on 1 July) met `threshold` % of GDP each year.

    Columns: year, allies, with_data, meeting, allies_meeting, estimate, edition.
    """
    import pandas as pd

    return pd.DataFrame(targets_history_records(edition, threshold, first, last))


def targets_history_records(
    edition: str | None = None, threshold: float = 2.0, first: int = 2014, last: int | None = None
) -> list[dict[str, Any]]:
    """What `targets_history` returns, as records (no pandas)."""
    from alliance.coalitions import coalition_in_year

    allies_in = {
        year: list(coalition_in_year("NATO", year).members)
        for year in range(first, (last or 2025) + 1)
    }
    every = sorted({ally for allies in allies_in.values() for ally in allies})
    found = every_ally_figure("defence_share_gdp", edition, every) if every else []
    rows = []
    for year, allies in allies_in.items():
        members = set(allies)
        figures = [f for f in found if f["year"] == year and f["entity"] in members]
        if not figures:
            continue
        meeting = sorted(str(f["entity"]) for f in figures if f["value"] >= threshold)
        rows.append(
            {
                "year": year,
                "allies": len(allies),
                "with_data": len(figures),
                "meeting": len(meeting),
                "allies_meeting": " ".join(meeting),
                "estimate": any(f["estimate"] is True for f in figures),
                "edition": "; ".join(
                    sorted({f"nato {f['edition']} ({f['dataset']})" for f in figures})
                ),
            }
        )
    return rows
