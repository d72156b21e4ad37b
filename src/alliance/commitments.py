"""The commitments tracker: alliance targets and national pledges against NATO's figures.

Targets (`data/targets.csv`) and pledges (`data/pledges.csv`) are hand-entered facts, each with
its source; an unsourced pledge is not shipped. Figures come from NATO's tables (NATO definition,
share of GDP at constant prices as NATO computes it); by default each year's figure comes from the
newest NATO edition that has it, and every row says which edition.

Status rules (stated in each row's `rule`):
- met: the ally's share is at or above the threshold (unrounded figures).
- a floor (2006 guideline, Vilnius 2023) or a deadline reached or passed: below it is off track.
- a deadline ahead: on track when the ally's trend over the last three years (pp per year, same
  edition) is at least the annual increase a straight line to the threshold by the deadline needs.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, fields
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

from alliance.errors import InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd

TREND_YEARS: Final = 3
STRAIGHT_LINE: Final = (
    "straight line (an assumption of ours: no year-by-year path was published with the pledge)"
)


@dataclass(frozen=True)
class Target:
    target: str
    aliases: tuple[str, ...]
    name: str
    measure: str  # defence_share_gdp | equipment_share
    threshold_percent: float
    kind: str  # floor | deadline
    agreed: str
    deadline_year: int | None
    review_year: int | None
    statement: str
    source_title: str
    source_url: str
    verified_in: str
    notes: str


@dataclass(frozen=True)
class Pledge:
    iso3: str
    pledge: str
    announced: str
    measure: str
    baseline_year: int | None
    baseline_percent: float | None
    baseline_amount: float | None
    target_year: int | None
    target_percent: float
    target_amount: float | None
    currency: str
    statement: str
    source_title: str
    source_url: str
    notes: str
    # a year-by-year path (year, % of GDP) where the government published one, and its source
    path_points: tuple[tuple[int, float], ...] = ()
    path_source_title: str = ""
    path_source_url: str = ""


def _path_points(text: str) -> tuple[tuple[int, float], ...]:
    """'2025:2.4;2026:2.8' -> ((2025, 2.4), (2026, 2.8))."""
    pairs = (p.split(":") for p in filter(None, (t.strip() for t in text.split(";"))))
    return tuple((int(year), float(percent)) for year, percent in pairs)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("alliance").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def all_targets() -> tuple[Target, ...]:
    return tuple(
        Target(
            target=r["target"],
            aliases=tuple(a for a in r["aliases"].split("|") if a),
            name=r["name"],
            measure=r["measure"],
            threshold_percent=float(r["threshold_percent"]),
            kind=r["kind"],
            agreed=r["agreed"],
            deadline_year=_int(r["deadline_year"]),
            review_year=_int(r["review_year"]),
            statement=r["statement"],
            source_title=r["source_title"],
            source_url=r["source_url"],
            verified_in=r["verified_in"],
            notes=r["notes"],
        )
        for r in _rows("targets.csv")
    )


@cache
def all_pledges() -> tuple[Pledge, ...]:
    return tuple(
        Pledge(
            iso3=r["iso3"],
            pledge=r["pledge"],
            announced=r["announced"],
            measure=r["measure"],
            baseline_year=_int(r["baseline_year"]),
            baseline_percent=_float(r["baseline_percent"]),
            baseline_amount=_float(r["baseline_amount"]),
            target_year=_int(r["target_year"]),
            target_percent=float(r["target_percent"]),
            target_amount=_float(r["target_amount"]),
            currency=r["currency"],
            statement=r["statement"],
            source_title=r["source_title"],
            source_url=r["source_url"],
            notes=r["notes"],
            path_points=_path_points(r.get("path", "")),
            path_source_title=r.get("path_source_title", ""),
            path_source_url=r.get("path_source_url", ""),
        )
        for r in _rows("pledges.csv")
    )


def find_target(name: str) -> Target:
    key = name.strip().lower()
    for target in all_targets():
        if key == target.target or key in target.aliases:
            return target
    known = ", ".join(t.target for t in all_targets())
    raise InvalidArgumentError(f"Unknown target {name!r}: expected one of {known}.")


def default_target(year: int) -> Target:
    """The 2% benchmark in force in `year`: Wales to 2022, the Vilnius floor from 2023."""
    return find_target("vilnius-2023" if year >= 2023 else "wales-2014")


# --- figures -----------------------------------------------------------------------------------
# Records (dicts with the observation columns) rather than DataFrames: `alliance targets` and
# `alliance pledge` then start without pandas (its import: bench/RESULTS.md). The public
# functions wrap them in frames.

_INDICATOR_OF: Final = {
    "defence_share_gdp": "defence_expenditure_share_gdp",
    "equipment_share": "equipment_share",
}


def _newest_per_ally(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (ally, year): the row the one edition rule chooses, when it has a value."""
    from alliance.observations import newest_per_figure

    return [
        r
        for r in newest_per_figure(records)
        if r["value"] is not None and len(str(r["entity"])) == 3
    ]


def _figures(
    measure: str, years: list[int], edition: str | None, entities: list[str] | None = None
) -> list[dict[str, Any]]:
    """NATO's per-ally figures for `measure` (share of GDP or equipment share) in `years`.

    A year outside the data raises YearOutOfRangeError, naming the years there are.
    """
    from alliance.observations import observation_records

    records: list[dict[str, Any]] = []
    for year in years:
        records += observation_records(
            _INDICATOR_OF[measure], source="nato", years=[year], edition=edition, entities=entities
        )
    return _newest_per_ally(records)


def _safe_figures(
    measure: str, years: list[int], edition: str | None, entities: list[str] | None = None
) -> list[dict[str, Any]]:
    """As `_figures`, skipping the years outside the data."""
    from alliance.errors import YearOutOfRangeError

    kept: list[dict[str, Any]] = []
    for year in years:
        try:
            kept += _figures(measure, [year], edition, entities)
        except YearOutOfRangeError:
            continue
    return kept


def _gdp_usd(year: int, entities: list[str], edition: str | None) -> dict[str, tuple[float, str]]:
    """GDP in USD (current prices) per ally, from NATO's tables, else the World Bank, else IMF."""
    from alliance.errors import NO_DATA_ERRORS
    from alliance.metrics import aggregate

    found: dict[str, tuple[float, str]] = {}
    for source in ("nato", "wb", "imf"):
        wanted = [e for e in entities if e not in found]
        if not wanted:
            break
        try:
            result = aggregate(
                list(wanted),
                "gdp",
                year,
                source=source,
                edition=edition if source == "nato" else None,
            )
        except NO_DATA_ERRORS:  # a source or edition not in the store: try the next one
            continue
        for figure in result.figures:
            found[figure.entity] = (figure.numerator * 1e9, result.edition)
    return found


def _eur_per_usd(year: int) -> float | None:
    """Fed H.10 annual average, EUR per USD, when shipped."""
    from alliance.errors import NO_DATA_ERRORS
    from alliance.observations import observation_records

    try:
        records = observation_records("exchange_rate", source="fed", currency="EUR", years=[year])
    except NO_DATA_ERRORS:  # rate not shipped or year outside it
        return None
    values = [float(r["value"]) for r in records if r["value"] is not None]
    return values[0] if values else None


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
        history += _safe_figures(measure, [year - TREND_YEARS, year], edition, allies)
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
    by_ally = {str(r["entity"]): r for r in _figures(chosen.measure, [year], edition, allies)}
    editions = {k: str(v["edition"]) for k, v in by_ally.items()}
    history = _history_same_edition(chosen.measure, year, editions, list(by_ally))
    trends = _trends(history, year)
    gdp = _gdp_usd(year, list(by_ally), edition) if chosen.measure == "defence_share_gdp" else {}
    rate = _eur_per_usd(year)
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

    rows = []
    for year in range(first, (last or 2025) + 1):
        allies = list(coalition_in_year("NATO", year).members)
        figures = _safe_figures("defence_share_gdp", [year], edition, allies)
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


@dataclass(frozen=True)
class PledgeReport:
    pledge: Pledge
    path: list[dict[str, Any]]  # year, percent (and amount where both ends are stated)
    latest_year: int | None
    latest_value: float | None
    latest_edition: str
    latest_estimate: bool
    path_value_at_latest: float | None
    gap_to_path_pp: float | None
    path_rule: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pledges_for(iso3: str) -> tuple[Pledge, ...]:
    from alliance.countries import resolve_country

    code = resolve_country(iso3)
    found = tuple(p for p in all_pledges() if p.iso3 == code)
    if not found:
        with_pledges = sorted({p.iso3 for p in all_pledges()})
        raise InvalidArgumentError(
            f"No sourced pledge is shipped for {code}: pledges exist for {', '.join(with_pledges)}."
        )
    return found


def pledge(iso3: str) -> list[PledgeReport]:
    """Each sourced pledge of the country, its implied yearly path, and the latest NATO figure."""
    pledges = pledges_for(iso3)
    code = pledges[0].iso3
    latest = _safe_figures("defence_share_gdp", list(range(2014, 2027)), None, [code])
    latest.sort(key=lambda r: int(r["year"]))
    last = latest[-1] if latest else None
    reports = []
    for item in pledges:
        start_year, start_value, rule = _path_start(item, latest)
        path = _path(item, start_year, start_value)
        at_latest = None
        gap = None
        if last is not None:
            match = [p["percent"] for p in path if p["year"] == int(last["year"])]
            if match:
                at_latest = float(match[0])
                gap = float(last["value"]) - at_latest
        reports.append(
            PledgeReport(
                pledge=item,
                path=path,
                latest_year=int(last["year"]) if last is not None else None,
                latest_value=float(last["value"]) if last is not None else None,
                latest_edition=f"nato {last['edition']}" if last is not None else "",
                latest_estimate=last is not None and last["estimate"] is True,
                path_value_at_latest=at_latest,
                gap_to_path_pp=gap,
                path_rule=rule,
            )
        )
    return reports


def _path_start(
    item: Pledge, figures: list[dict[str, Any]]
) -> tuple[int | None, float | None, str]:
    """Where a pledge's path starts; `figures` are the country's NATO figures by year."""
    if item.path_points:
        first_year, first_percent = item.path_points[0]
        return (
            first_year,
            first_percent,
            f"year-by-year path as published: {item.path_source_title} <{item.path_source_url}>",
        )
    if item.baseline_year is not None and item.baseline_percent is not None:
        return (
            item.baseline_year,
            item.baseline_percent,
            f"{STRAIGHT_LINE} from the pledge's own baseline ({item.baseline_percent}% in "
            f"{item.baseline_year}) to {item.target_percent}% in {item.target_year}",
        )
    announced = int(item.announced[:4])
    before = [r for r in figures if int(r["year"]) < announced]
    if item.target_year is None or not before:
        return None, None, f"a level of {item.target_percent}% with no stated deadline"
    row = before[-1]
    return (
        int(row["year"]),
        float(row["value"]),
        f"{STRAIGHT_LINE} from NATO's figure for {int(row['year'])} "
        f"({float(row['value']):.2f}%, "
        f"nato {row['edition']}), the last before the announcement, to {item.target_percent}% "
        f"in {item.target_year}",
    )


def _path(item: Pledge, start_year: int | None, start_value: float | None) -> list[dict[str, Any]]:
    if item.path_points:
        return _published_path(item)
    if start_year is None or start_value is None or item.target_year is None:
        return []
    span = max(item.target_year - start_year, 1)
    rows = []
    for year in range(start_year, item.target_year + 1):
        fraction = (year - start_year) / span
        row: dict[str, Any] = {
            "year": year,
            "percent": start_value + fraction * (item.target_percent - start_value),
        }
        if item.baseline_amount is not None and item.target_amount is not None:
            row[f"amount ({item.currency})"] = item.baseline_amount + fraction * (
                item.target_amount - item.baseline_amount
            )
        rows.append(row)
    return rows


def _published_path(item: Pledge) -> list[dict[str, Any]]:
    """The published year-by-year path; amounts only for the years the pledge states them."""
    stated = {item.baseline_year: item.baseline_amount, item.target_year: item.target_amount}
    rows = []
    for year, percent in item.path_points:
        row: dict[str, Any] = {"year": year, "percent": percent}
        if item.baseline_amount is not None and item.target_amount is not None:
            row[f"amount ({item.currency})"] = stated.get(year)
        rows.append(row)
    return rows
