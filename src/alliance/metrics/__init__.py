"""Aggregate metrics for coalitions: totals, ratios of totals, shares, series.

`catalogue` says what each metric computes (definitions as data); `engine` finds the members'
figures and sums them; `aggregates` answers `aggregate` and `share`; `comparison` runs them over
years; `hints` names the option that has a figure the members lack; `results` holds the answers.
"""

from alliance.metrics.aggregates import aggregate, share
from alliance.metrics.catalogue import (
    METRIC_ALIASES,
    METRICS,
    MetricSpec,
    Series,
    Term,
    metric_spec,
)
from alliance.metrics.comparison import COMPARISON_COLUMNS, Comparison, compare, comparison
from alliance.metrics.engine import NO_ARMED_FORCES, UNIT_SCALE, Fetch, cited_sources
from alliance.metrics.results import (
    AggregateResult,
    MemberFigure,
    ShareResult,
    SourceRef,
    edition_text,
    source_lines,
)

__all__ = [
    "COMPARISON_COLUMNS",
    "METRICS",
    "METRIC_ALIASES",
    "NO_ARMED_FORCES",
    "UNIT_SCALE",
    "AggregateResult",
    "Comparison",
    "Fetch",
    "MemberFigure",
    "MetricSpec",
    "Series",
    "ShareResult",
    "SourceRef",
    "Term",
    "aggregate",
    "cited_sources",
    "compare",
    "comparison",
    "edition_text",
    "metric_spec",
    "share",
    "source_lines",
]
