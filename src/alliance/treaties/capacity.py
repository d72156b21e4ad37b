"""What the states bound bring: combined GDP, defence spending and personnel in the year of the
date asked (or the latest year before it with data), with and without the United States.
Figures come from the store via `alliance.metrics`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from alliance.errors import AllianceError, YearOutOfRangeError

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
    if not bound:
        return ()
    return _capacity(tuple(sorted(bound)), definition, year or date.today().year)


@cache
def _capacity(bound: tuple[str, ...], definition: str, year: int) -> tuple[Capacity, ...]:
    fetch = _Prefetched(bound)
    return tuple(
        _one(bound, metric, options, year, fetch) for metric, options in _metrics(definition)
    )


class _Prefetched:
    """The metrics' figures for the states bound, fetched once per kind of query and filtered
    here: a capacity asks up to YEARS_BACK years of three metrics, with and without the United
    States (dozens of queries otherwise). Returns what `observation_records` would."""

    def __init__(self, bound: Sequence[str]) -> None:
        self.bound = frozenset(bound)
        self.rows: dict[tuple[Any, ...], list[dict[str, Any]]] = {}

    def __call__(
        self,
        indicator: str,
        *,
        entities: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
        **filters: Any,
    ) -> list[dict[str, Any]]:
        from alliance.observations import observation_records

        if entities is None or not self.bound.issuperset(entities):
            return observation_records(indicator, entities=entities, years=years, **filters)
        key = (indicator, *sorted(filters.items()))
        if key not in self.rows:
            self.rows[key] = observation_records(indicator, entities=sorted(self.bound), **filters)
        wanted = set(entities)
        rows = [row for row in self.rows[key] if row["entity"] in wanted]
        if not years or not rows:
            return rows
        # As `observations.select`: a year outside the years the selection has is an error.
        first, last = min(r["year"] for r in rows), max(r["year"] for r in rows)
        for year in (min(years), max(years)):
            if not first <= year <= last:
                raise YearOutOfRangeError(year, first, last, f"the {indicator} data selected")
        chosen = set(years)
        return [row for row in rows if row["year"] in chosen]


def _one(
    bound: tuple[str, ...], metric: str, options: dict[str, Any], asked: int, fetch: _Prefetched
) -> Capacity:
    from alliance.metrics import aggregate

    label = options.get("definition") or options.get("source") or ""
    last_error = f"no year from {asked - YEARS_BACK + 1} to {asked} with data"
    for year in range(asked, asked - YEARS_BACK, -1):
        try:
            result = aggregate(list(bound), metric, year, fetch=fetch, **options)
        except AllianceError as error:
            last_error = str(error)
            continue
        if result.value is None or len(result.with_data) < MIN_COVERAGE * len(bound):
            continue
        without = [s for s in bound if s != UNITED_STATES]
        value_without: float | None = result.value
        if len(without) < len(bound):
            value_without = (
                aggregate(without, metric, year, fetch=fetch, **options).value if without else 0.0
            )
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
