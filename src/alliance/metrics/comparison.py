"""Coalitions side by side, year by year: `aggregate` over a range of years."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from alliance.coalitions import Coalition, coalition_in_year
from alliance.errors import AllianceError, InvalidArgumentError
from alliance.metrics.aggregates import aggregate
from alliance.metrics.catalogue import metric_spec
from alliance.metrics.engine import Prefetched
from alliance.metrics.results import AggregateResult, SourceRef

if TYPE_CHECKING:
    import pandas as pd

COMPARISON_COLUMNS: Final = (
    "coalition",
    "year",
    "value",
    "unit",
    "members",
    "with_data",
    "missing",
    "estimated",
    "definition",
    "edition",
)


@dataclass(frozen=True)
class Comparison:
    """`compare()` as records, with the AggregateResults and the SourceRefs they used."""

    rows: list[dict[str, Any]]  # keys: COMPARISON_COLUMNS
    results: list[AggregateResult]
    sources: list[SourceRef]

    def records(self) -> list[dict[str, Any]]:
        return list(self.rows)

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame(self.rows, columns=list(COMPARISON_COLUMNS))
        frame.attrs["results"] = self.results
        frame.attrs["sources"] = self.sources
        return frame


def compare(
    expressions: Sequence[str], metric: str, start: int, end: int, **options: Any
) -> pd.DataFrame:
    """One row per coalition and year from `start` to `end`, membership on 1 July of each year.

    `options` as for `aggregate` (definition, source, prices, gdp_source, edition, strict).
    Columns: coalition, year, value, unit, members, with_data, missing, estimated, definition,
    edition. `attrs['results']` keeps the AggregateResults; `attrs['sources']` the SourceRefs.
    """
    return comparison(expressions, metric, start, end, **options).frame()


def comparison(
    expressions: Sequence[str],
    metric: str,
    start: int,
    end: int,
    **options: Any,
) -> Comparison:
    """What `compare` returns, as records (no pandas); `options` as for `aggregate`."""
    if end < start:
        raise InvalidArgumentError(f"--to {end} is before --from {start}.")
    rows = []
    results: list[AggregateResult] = []
    asked, fetch = _coalitions(expressions, metric, start, end, options)
    if fetch is not None:
        options = {**options, "fetch": fetch}
    for expression, year, group in asked:
        result = aggregate(group, metric, year, **options)
        results.append(result)
        rows.append(
            {
                "coalition": expression,
                "year": year,
                "value": result.value,
                "unit": result.unit,
                "members": len(result.members),
                "with_data": len(result.with_data),
                "missing": " ".join(result.missing),
                "estimated": bool(result.estimated),
                "definition": result.definition,
                "edition": result.edition,
            }
        )
    sources: dict[SourceRef, None] = {}
    for result in results:
        sources.update(dict.fromkeys(result.sources))
    return Comparison(rows, results, list(sources))


def _coalitions(
    expressions: Sequence[str], metric: str, start: int, end: int, options: dict[str, Any]
) -> tuple[list[tuple[str, int, str | Coalition]], Prefetched | None]:
    """(expression, year, what `aggregate` is asked) in order, and the fetch to use. With the
    store's figures: the coalition of each year, and a fetch that reads each kind of figure once
    for all their members (a query per coalition and year otherwise). When the metric or a
    coalition is refused, the expressions as given, so that `aggregate` raises the errors in the
    order it meets them."""
    asked = [(e, year) for e in expressions for year in range(start, end + 1)]
    as_given: list[tuple[str, int, str | Coalition]] = [(e, year, e) for e, year in asked]
    if options.get("fetch") is not None:
        return as_given, None
    choices = ("definition", "source", "prices", "gdp_source")
    try:
        metric_spec(metric, **{k: options[k] for k in choices if options.get(k) is not None})
        groups = [(e, year, coalition_in_year(e, year)) for e, year in asked]
    except AllianceError:
        return as_given, None
    fetch = Prefetched([member for _, _, group in groups for member in group.members])
    return [(e, year, group) for e, year, group in groups], fetch
