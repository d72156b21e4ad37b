"""What the states bound bring: combined GDP, defence spending and personnel in the year of the
date asked (or the latest year before it with data), with and without the United States.
Figures come from the store via `alliance.metrics`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from alliance.errors import AllianceError

if TYPE_CHECKING:
    from alliance.metrics.engine import Fetch
    from alliance.metrics.results import AggregateResult

UNITED_STATES = "USA"
YEARS_BACK = 8  # how far back from the year asked to look for the latest year with data
MIN_COVERAGE = 0.75  # the latest year counts once this share of the states bound have data


@dataclass(frozen=True)
class Capacity:
    """One aggregate of the states bound, with and without the United States."""

    metric: str
    unit: str
    year: int | None
    value: float | None
    value_without_usa: float | None
    definition: str
    edition: str
    missing: tuple[str, ...]
    note: str = ""


def _metrics(definition: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    personnel_source = "nato" if definition == "nato" else "wb"
    return (
        ("gdp", {}),
        ("defence", {"definition": definition}),
        ("personnel", {"source": personnel_source}),
    )


def capacity_of(
    bound: Sequence[str], definition: str = "sipri", year: int | None = None
) -> tuple[Capacity, ...]:
    """One Capacity per metric for the states `bound` (empty when none are bound), from `year`
    (default: this year) or the latest year before it with data: a 1989 answer uses 1989."""
    (found,) = capacities_of([bound], definition, year)
    return found


def capacities_of(
    bounds: Sequence[Sequence[str]], definition: str = "sipri", year: int | None = None
) -> list[tuple[Capacity, ...]]:
    """`capacity_of` for several lists of states bound (one per clause), their figures read
    together: each kind of figure once for all of them."""
    keys = tuple(tuple(sorted(bound)) for bound in bounds)
    return list(_capacities(keys, definition, year or date.today().year))


@cache
def _capacities(
    bounds: tuple[tuple[str, ...], ...], definition: str, year: int
) -> tuple[tuple[Capacity, ...], ...]:
    from alliance.metrics.engine import Prefetched

    fetch = Prefetched(
        [state for bound in bounds for state in bound], first_year=year - YEARS_BACK + 1
    )
    return tuple(
        tuple(_one(bound, metric, options, year, fetch) for metric, options in _metrics(definition))
        if bound
        else ()
        for bound in bounds
    )


def _total(
    members: Sequence[str], metric: str, year: int, options: dict[str, Any], fetch: Fetch
) -> AggregateResult:
    from alliance.metrics.aggregates import members_total

    return members_total(members, metric, year, fetch=fetch, **options)


def _one(
    bound: tuple[str, ...], metric: str, options: dict[str, Any], asked: int, fetch: Fetch
) -> Capacity:
    label = options.get("definition") or options.get("source") or ""
    last_error = f"no year from {asked - YEARS_BACK + 1} to {asked} with data"
    for year in range(asked, asked - YEARS_BACK, -1):
        try:
            result = _total(bound, metric, year, options, fetch)
        except AllianceError as error:
            last_error = str(error)
            continue
        if result.value is None or len(result.with_data) < MIN_COVERAGE * len(bound):
            continue
        without = [s for s in bound if s != UNITED_STATES]
        value_without: float | None = result.value
        if len(without) < len(bound):
            value_without = _total(without, metric, year, options, fetch).value if without else 0.0
        return Capacity(
            metric=metric,
            unit=result.unit,
            year=year,
            value=result.value,
            value_without_usa=value_without,
            definition=result.definition or label,
            edition=result.edition,
            missing=tuple(result.missing),
            note=_note(year, asked, len(without) == len(bound)),
        )
    note = f"unavailable for {asked}: {last_error} for {MIN_COVERAGE:.0%} of the states bound"
    return Capacity(metric, "", None, None, None, label, "", (), note)


def _note(year: int, asked: int, without_usa: bool) -> str:
    parts = [] if year == asked else [f"latest year with data on or before {asked}"]
    if without_usa:
        parts.append("United States not among the states bound")
    return "; ".join(parts)
