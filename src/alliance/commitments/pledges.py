"""National pledges against NATO's figures: each pledge's yearly path (as published, else a
straight line of ours, said so) and the gap between the latest figure and the path."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

from alliance.commitments.facts import Pledge, pledges_for
from alliance.commitments.figures import ally_figures_within_data

STRAIGHT_LINE: Final = (
    "straight line (an assumption of ours: no year-by-year path was published with the pledge)"
)


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


def pledge(iso3: str) -> list[PledgeReport]:
    """Each sourced pledge of the country, its implied yearly path, and the latest NATO figure."""
    pledges = pledges_for(iso3)
    code = pledges[0].iso3
    latest = ally_figures_within_data("defence_share_gdp", list(range(2014, 2027)), None, [code])
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
