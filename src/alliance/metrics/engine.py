"""Aggregation over a coalition's members: the figures each metric needs, and their sums.

Every metric is a sum over the members of a coalition, or a ratio of two such sums over the SAME
members (a coalition's defence share of GDP is sum(spending) / sum(GDP), never an average of
percentages; its equipment share is weighted by spending). A member counts only when every figure
the metric needs is present; the others are listed as missing, never added as zero.

The one deliberate zero: NATO's tables leave Iceland out of defence expenditure and personnel
because it has no armed forces, but count Iceland's GDP in NATO totals (Table 5). Under NATO's
figures Iceland's defence expenditure and military personnel are therefore zero, as in NATO's own
aggregates (which this reproduces); results list it under `zeros`.

Money comes out in billions of US dollars (international dollars at PPP), personnel in thousands,
population in millions, per-capita figures in dollars per person and shares of GDP in percent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from alliance.coalitions import Coalition
from alliance.errors import UnknownEditionError, YearOutOfRangeError
from alliance.metrics.catalogue import MetricSpec, Series, Term
from alliance.metrics.results import AggregateResult, MemberFigure, SourceRef

UNIT_SCALE: Final = {
    "unit": 1.0,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "persons": 1.0,
    "thousand_persons": 1e3,
    "percent": 1.0,
    "fraction": 100.0,  # to percent
    "ratio": 1.0,
}

NO_ARMED_FORCES: Final = {
    "ISL": (
        "Iceland has no armed forces: NATO reports no defence expenditure for it and counts its "
        "GDP in NATO totals (Defence Expenditure of NATO Countries 2014-2024, Table 5; "
        "https://www.nato.int/cps/en/natohq/news_226465.htm)"
    )
}


# Figures as records with the keys of OBSERVATION_COLUMNS (tests pass their own).
Fetch = Callable[..., list[dict[str, Any]]]


def default_fetch(indicator: str, **filters: Any) -> list[dict[str, Any]]:
    from alliance.observations import observation_records

    return observation_records(indicator, **filters)


class Prefetched:
    """A Fetch that reads each kind of figure once for a set of entities, every year, and answers
    each ask from those rows: a comparison over years or a capacity asks the same kinds of figure
    for dozens of member lists and years (a store query each otherwise). Returns what
    `observation_records` would: the edition rule chooses per entity and year, so rows fetched
    for more entities and years are the same rows. Asks outside the entities go to the store.

    With `first_year`, only the rows from that year on are read (a capacity looks back a few
    years, not to 1960): asks naming no years, reaching before the rows read, or finding none of
    them go to the store. The one difference from the store's answer: a year past the rows is
    refused naming the years of the rows read (from `first_year` on) as the years there are.
    """

    def __init__(self, entities: Sequence[str], first_year: int | None = None) -> None:
        self.entities = frozenset(entities)
        self.first_year = first_year
        self.rows: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        self.chosen: dict[tuple[Any, ...], _Chosen] = {}

    def __call__(
        self,
        indicator: str,
        *,
        entities: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
        **filters: Any,
    ) -> list[dict[str, Any]]:
        from alliance.observations import observation_records

        def from_store() -> list[dict[str, Any]]:
            return observation_records(indicator, entities=entities, years=years, **filters)

        first = self.first_year
        if entities is None or not self.entities.issuperset(entities):
            return from_store()
        if first is not None and (not years or min(years) < first):
            return from_store()
        key = (indicator, *sorted(filters.items()))
        if key not in self.rows:
            self.rows[key] = self._read(indicator, filters)
        wanted = frozenset(entities)
        chosen = self.chosen.get((key, wanted))
        if chosen is None:
            rows = [row for row in self.rows[key] if row["entity"] in wanted]
            chosen = self.chosen[(key, wanted)] = _Chosen(rows)
        if first is not None and (not years or not chosen.rows or min(years) < chosen.first):
            return from_store()  # whether the data reaches back that far, rows unread say
        if not years or not chosen.rows:
            return list(chosen.rows)
        # As `observations.select`: a year outside the years the selection has is an error.
        for year in (min(years), max(years)):
            if not chosen.first <= year <= chosen.last:
                raise YearOutOfRangeError(
                    year, chosen.first, chosen.last, f"the {indicator} data selected"
                )
        if len(years) == 1:
            return list(chosen.by_year.get(years[0], ()))
        asked = set(years)
        return [row for row in chosen.rows if row["year"] in asked]

    def _read(self, indicator: str, filters: dict[str, Any]) -> list[dict[str, Any]]:
        """Every entity's rows of one kind of figure (from `first_year` on, when given)."""
        from alliance.observations import Query, observation_records, resolve_entities, select

        every = sorted(self.entities)
        if self.first_year is None:
            return observation_records(indicator, entities=every, **filters)
        query = Query(
            indicator, entities=resolve_entities(every), first_year=self.first_year, **filters
        )
        try:
            selection = select(query)
        except YearOutOfRangeError:  # the data ends before first_year or starts after it
            return observation_records(indicator, entities=every, **filters)
        columns = selection.columns
        return [dict(zip(columns, row, strict=False)) for row in selection.rows]


class _Chosen:
    """The rows of some entities: their span of years, and the rows of each year in order."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.by_year: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            self.by_year.setdefault(row["year"], []).append(row)
        self.first, self.last = (min(self.by_year), max(self.by_year)) if rows else (0, 0)


@dataclass(frozen=True)
class _Figure:
    value: float  # in base units (USD, persons, percent)
    estimate: bool
    locator: str
    source: SourceRef


def _series_figures(
    series: Series,
    entities: Sequence[str],
    year: int,
    edition: str | None,
    fetch: Fetch,
) -> dict[str, _Figure] | None:
    """One figure per entity: the row the one edition rule chooses (or the named edition's).

    None when the series has no figure at all for `year` (outside its years).
    """
    from alliance.observations import newest_per_figure

    try:
        records = fetch(
            series.indicator,
            entities=list(entities),
            years=[year],
            source=series.source,
            edition=edition,
            unit=series.unit,
            currency=series.currency,
            price_basis=series.price_basis,
            exchange_basis=series.exchange_basis,
        )
    except YearOutOfRangeError:
        return None
    wanted = [
        row
        for row in records
        if row["year"] == year and (series.dataset is None or row["dataset"] == series.dataset)
    ]
    usable = [
        row
        for row in newest_per_figure(wanted)
        if row["value"] is not None and not math.isnan(row["value"])
    ]
    figures: dict[str, _Figure] = {}
    for row in usable:
        if str(row["entity"]) in figures:
            continue
        source = SourceRef(
            str(row["source_id"]), str(row["edition"]), str(row["dataset"]), series.label
        )
        figures[str(row["entity"])] = _Figure(
            float(row["value"]) * UNIT_SCALE[series.unit],
            row["estimate"] is True,
            row["locator"] if isinstance(row["locator"], str) else "",
            source,
        )
    return figures


def _figures_or_fallback(
    series: Series,
    spec: MetricSpec,
    members: Sequence[str],
    year: int,
    edition: str | None,
    fetch: Fetch,
) -> dict[str, _Figure] | None:
    """The series' figures; its fallback's when it has none in `year` (for every member alike).

    None when neither has any figure for `year`.
    """
    current: Series | None = series
    figures: dict[str, _Figure] | None = None
    while current is not None and not figures:
        named = (
            edition if current.follows_edition and current.source == spec.primary_source else None
        )
        figures = _series_figures(current, members, year, named, fetch)
        current = current.fallback
    return figures


@dataclass(frozen=True)
class _TermValue:
    value: float
    used: list[_Figure]
    structural_zero: bool = False


def _term_value(
    term: Term,
    entity: str,
    figures: dict[Series, dict[str, _Figure]],
    zeros: set[str],
) -> _TermValue | None:
    """The term for one entity with the figures used, or None when a figure is missing."""
    value = term.factor
    used: list[_Figure] = []
    for series, power in term.parts:
        figure = figures[series].get(entity)
        if figure is None:
            if power > 0 and entity in zeros and series.indicator in _ARMED_FORCES_INDICATORS:
                return _TermValue(0.0, used, structural_zero=True)
            return None
        if power < 0 and figure.value == 0:
            return None
        value *= figure.value**power
        used.append(figure)
    return _TermValue(value, used)


_ARMED_FORCES_INDICATORS: Final = frozenset(
    {"defence_expenditure", "defence_expenditure_share_gdp", "military_personnel"}
)


def _zeros_for(spec: MetricSpec) -> set[str]:
    """Iceland's zero applies to NATO's spending and personnel, not to shares of spending."""
    uses_nato_forces = any(
        s.indicator in _ARMED_FORCES_INDICATORS and s.source == "nato" for s in spec.series()
    )
    return set(NO_ARMED_FORCES) if uses_nato_forces and spec.name != "equipment_share" else set()


def aggregate_members(
    spec: MetricSpec,
    group: Coalition,
    year: int,
    edition: str | None,
    fetch: Fetch,
    *,
    cite: bool = True,
) -> AggregateResult:
    """The coalition's total (or ratio of totals); `cite=False` leaves the sources without their
    editions' citation and URL (a query each), for a caller that prints only the editions."""
    members = group.members
    found = {
        series: _figures_or_fallback(series, spec, members, year, edition, fetch)
        for series in spec.series()
    }
    figures = {series: figures or {} for series, figures in found.items()}
    # Iceland's zero stands beside NATO's figures for the year, never for a year without any.
    forces = [s for s in spec.series() if s.indicator in _ARMED_FORCES_INDICATORS]
    structural = _zeros_for(spec) if all(found[s] is not None for s in forces) else set()
    contributions: list[MemberFigure] = []
    missing: list[str] = []
    zeros: list[str] = []
    used_sources: dict[SourceRef, None] = {}
    for entity in members:
        top = _term_value(spec.numerator, entity, figures, structural)
        bottom = (
            _term_value(spec.denominator, entity, figures, structural) if spec.denominator else None
        )
        if top is None or (spec.denominator is not None and bottom is None):
            missing.append(entity)
            continue
        used = top.used + (bottom.used if bottom else [])
        if top.structural_zero:
            zeros.append(entity)
        for figure in used:
            used_sources[figure.source] = None
        contributions.append(
            MemberFigure(
                entity,
                top.value / (spec.scale if spec.additive else 1.0),
                bottom.value if bottom else None,
                any(f.estimate for f in used),
                tuple(dict.fromkeys(f.locator for f in used if f.locator)),
            )
        )
    return _result(spec, group, year, contributions, missing, zeros, used_sources, cite)


def _result(
    spec: MetricSpec,
    group: Coalition,
    year: int,
    contributions: list[MemberFigure],
    missing: list[str],
    zeros: list[str],
    used_sources: dict[SourceRef, None],
    cite: bool = True,
) -> AggregateResult:
    numerator = sum(c.numerator for c in contributions) if contributions else None
    denominator = (
        sum(c.denominator or 0.0 for c in contributions)
        if spec.denominator and contributions
        else None
    )
    if spec.additive:
        value = numerator
    elif numerator is not None and denominator:
        value = numerator / denominator * spec.multiplier / spec.scale
    else:
        value = None
    period = _period(spec, used_sources)
    return AggregateResult(
        expression=group.expression,
        metric=spec.name,
        year=year,
        on=group.on.isoformat(),
        value=value,
        unit=spec.unit,
        definition=f"{spec.definition}, {period}" if period else spec.definition,
        method=spec.method,
        members=group.members,
        with_data=tuple(c.entity for c in contributions),
        missing=tuple(missing),
        zeros=tuple(zeros),
        estimated=tuple(c.entity for c in contributions if c.estimate),
        sources=cited_sources(used_sources) if cite else tuple(sorted(used_sources, key=_order)),
        figures=tuple(contributions),
        numerator=None if spec.additive else numerator,
        denominator=denominator,
        period=period,
        notes=_fallback_notes(spec, year, used_sources),
        sums="" if spec.denominator is None else _sums_text(spec),
    )


def _sums_text(spec: MetricSpec) -> str:
    """'numerator: sum of members' A (USD, current) x B (...); denominator: ...', in the units
    the sums are printed in: money in whole currency units, not millions."""
    assert spec.denominator is not None

    def words(term: Term) -> str:
        parts = [
            series.indicator
            + (f"^{power}" if power != 1 else "")
            + f" ({', '.join(filter(None, [_base_unit(series), series.price_basis]))})"
            for series, power in term.parts
        ]
        factor = "" if term.factor == 1 else f"{term.factor:g} x "
        return factor + " x ".join(parts)

    return (
        f"numerator: sum of members' {words(spec.numerator)}; "
        f"denominator: sum of members' {words(spec.denominator)}"
    )


def _base_unit(series: Series) -> str:
    if series.unit in ("unit", "thousand", "million", "billion"):
        return series.currency or series.unit
    return series.unit


def _period(spec: MetricSpec, used: dict[SourceRef, None]) -> str:
    """The span of cumulative figures, as their publisher labels it ("" for calendar years)."""
    if spec.period_of_edition is None:
        return ""
    spans = (spec.period_of_edition(r.edition) for r in used if r.source_id == spec.primary_source)
    return "; ".join(dict.fromkeys(spans))


def _fallback_notes(spec: MetricSpec, year: int, used: dict[SourceRef, None]) -> tuple[str, ...]:
    sources = {ref.source_id for ref in used}
    if spec.fallback_note and sources and spec.primary_source not in sources:
        return (spec.fallback_note.format(year=year),)
    return ()


def _order(ref: SourceRef) -> tuple[str, str, str, str]:
    return (ref.series, ref.source_id, ref.edition, ref.dataset)


def cited_sources(sources: dict[SourceRef, None]) -> tuple[SourceRef, ...]:
    """The sources with their editions' citation and URL (as they are, for an edition the store
    does not hold: rows a caller's own `fetch` passed in)."""
    from alliance.observations import edition_record

    cited = []
    for ref in sorted(sources, key=_order):
        try:
            record = edition_record(ref.source_id, ref.edition, ref.dataset)
        except UnknownEditionError:
            cited.append(ref)
            continue
        cited.append(
            SourceRef(
                ref.source_id, ref.edition, ref.dataset, ref.series, record.citation, record.url
            )
        )
    return tuple(cited)
