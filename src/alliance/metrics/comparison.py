"""Coalitions side by side, year by year: `aggregate` over a range of years."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from alliance.errors import InvalidArgumentError
from alliance.metrics.aggregates import aggregate
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
    for expression in expressions:
        for year in range(start, end + 1):
            result = aggregate(expression, metric, year, **options)
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
