"""A coalition's total of a metric in a year (`aggregate`), and its share of another's (`share`).

The figures and sums are `engine`'s; what is computed, `catalogue`'s; when members lack a figure,
`hints` names the option that has it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from alliance.coalitions import Coalition, coalition_in_year
from alliance.errors import InvalidArgumentError, MissingDataError
from alliance.metrics.catalogue import MetricSpec, metric_spec
from alliance.metrics.engine import Fetch, aggregate_members, default_fetch
from alliance.metrics.hints import missing_notes
from alliance.metrics.results import AggregateResult, ShareResult


def _coalition(expression: str | Coalition | Sequence[str], year: int) -> Coalition:
    if isinstance(expression, Coalition):
        return expression
    if isinstance(expression, str):
        return coalition_in_year(expression, year)
    from alliance.coalitions import membership_date

    return Coalition(", ".join(expression), membership_date(year), tuple(sorted(expression)))


def _refuse_if_missing(result: AggregateResult | ShareResult, strict: bool) -> None:
    if strict and result.missing:
        label = result.expression if isinstance(result, AggregateResult) else result.of
        notes = result.notes if isinstance(result, AggregateResult) else result.whole.notes
        raise MissingDataError(
            f"Refused (--strict): no {result.metric} figure for {result.year} for "
            f"{', '.join(result.missing)} in {label!r}." + "".join(f" {n}" for n in notes[-1:])
        )


def aggregate(
    expression: str | Coalition | Sequence[str],
    metric: str,
    year: int,
    *,
    definition: str = "nato",
    source: str | None = None,
    prices: str | None = None,
    gdp_source: str | None = None,
    edition: str | None = None,
    strict: bool = False,
    fetch: Fetch | None = None,
) -> AggregateResult:
    """`metric` summed (or a ratio of sums) over the coalition's members in `year`.

    `expression` is a coalition expression (membership on 1 July of `year`), a Coalition, or a
    list of ISO3 codes. >>> aggregate("NATO & EU", "gdp", 2024).value
    """
    spec = metric_spec(
        metric, definition=definition, source=source, prices=prices, gdp_source=gdp_source
    )
    fetch = fetch or default_fetch
    result = aggregate_members(spec, _coalition(expression, year), year, edition, fetch)
    choices = {
        "definition": definition,
        "source": source,
        "prices": prices,
        "gdp_source": gdp_source,
    }
    result = _with_missing_notes(spec, result, fetch, choices)
    _refuse_if_missing(result, strict)
    return result


def members_total(
    members: Sequence[str],
    metric: str,
    year: int,
    *,
    edition: str | None = None,
    fetch: Fetch | None = None,
    **choices: str,
) -> AggregateResult:
    """`aggregate` over a list of states, without what only a printed answer needs: the line
    naming the option that has the figures members lack, and the editions' citations (queries
    each). For callers that use the sums, figures and editions (capacities, targets' gaps)."""
    spec = metric_spec(metric, **choices)
    group = _coalition(members, year)
    return aggregate_members(spec, group, year, edition, fetch or default_fetch, cite=False)


def _with_missing_notes(
    spec: MetricSpec, result: AggregateResult, fetch: Fetch, choices: dict[str, str | None]
) -> AggregateResult:
    """The result, with a line naming the option that has figures its members lack."""
    if not result.missing:
        return result
    return replace(result, notes=result.notes + missing_notes(spec, result, fetch, choices))


def share(
    expression: str | Coalition | Sequence[str],
    of: str | Coalition | Sequence[str],
    metric: str,
    year: int,
    *,
    definition: str = "nato",
    source: str | None = None,
    prices: str | None = None,
    edition: str | None = None,
    strict: bool = False,
    fetch: Fetch | None = None,
) -> ShareResult:
    """The coalition's share (a fraction) of `of`'s total of an additive metric in `year`.

    Members of the coalition outside `of` are left out and listed under `outside`, so the
    share lies in [0, 1]. >>> share("NATO & EU", "NATO", "gdp", 2024).share
    """
    spec = metric_spec(metric, definition=definition, source=source, prices=prices)
    if not spec.additive:
        raise InvalidArgumentError(
            f"A share of {spec.name} is not meaningful: it is a ratio. Expected an additive "
            "metric: gdp, gdp_ppp, defence, personnel, population or ukraine_aid."
        )
    whole_group = _coalition(of, year)
    part_group = _coalition(expression, year)
    inside = tuple(m for m in part_group.members if m in whole_group.members)
    outside = tuple(m for m in part_group.members if m not in whole_group.members)
    fetch = fetch or default_fetch
    whole = aggregate_members(spec, whole_group, year, edition, fetch)
    choices = {"definition": definition, "source": source, "prices": prices}
    whole = _with_missing_notes(spec, whole, fetch, choices)
    if not whole.with_data:
        raise MissingDataError(
            f"No {spec.name} figure for {year} for any member of {whole_group.expression!r}: "
            "a share of nothing is not zero; choose a year the data covers."
            + "".join(f" {note}" for note in whole.notes)
        )
    part_coalition = Coalition(part_group.expression, part_group.on, inside)
    part = _subset(spec, whole, part_coalition)
    # No member inside `of` is a share of zero; members inside without data leave it unknown.
    known = part.value is not None or not inside
    fraction = (part.value or 0.0) / whole.value if whole.value and known else None
    result = ShareResult(
        coalition=part_group.expression,
        of=whole_group.expression,
        metric=spec.name,
        year=year,
        value=part.value,
        of_value=whole.value,
        share=fraction,
        unit=spec.unit,
        definition=whole.definition,
        members=inside,
        outside=outside,
        missing=whole.missing,
        estimated=whole.estimated,
        sources=whole.sources,
        part=part,
        whole=whole,
    )
    _refuse_if_missing(result, strict)
    return result


def _subset(spec: MetricSpec, whole: AggregateResult, group: Coalition) -> AggregateResult:
    """The part's aggregate from the whole's figures, so both use the very same rows."""
    keep = set(group.members)
    figures = [f for f in whole.figures if f.entity in keep]
    return AggregateResult(
        expression=group.expression,
        metric=whole.metric,
        year=whole.year,
        on=whole.on,
        value=sum(f.numerator for f in figures) if figures else None,
        unit=whole.unit,
        definition=whole.definition,
        method=whole.method,
        members=group.members,
        with_data=tuple(f.entity for f in figures),
        missing=tuple(m for m in whole.missing if m in keep),
        zeros=tuple(m for m in whole.zeros if m in keep),
        estimated=tuple(f.entity for f in figures if f.estimate),
        sources=whole.sources,
        figures=tuple(figures),
    )
