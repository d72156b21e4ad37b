"""The metric catalogue: what each metric sums, from which series, under which choices.

Metrics are data, not code (`definitions/*.csv`, checked by tests/test_metric_catalogue.py):

- `series.csv`: one row per stored series a metric reads (indicator, source, unit, currency,
  price and exchange basis, dataset), with the series it falls back to for a year in which it has
  no figure for any member, and whether a named edition applies to it (GDP weights: no).
- `metrics.csv`: one row per metric: which option names its source (`--source`, or
  `--definition` for defence expenditure), the source used when none is named (at current and at
  constant prices), its aliases and the one-line summary shown in help (blank: not listed).
- `variants.csv`: one row per answer: the metric, the source named (or the default), the prices
  (`-` = not named) and GDP sources (blank = the metric takes none) it accepts, and what it
  computes: label, unit, scale, numerator and denominator as products of series
  (`0.01 * share_gdp_nato * gdp_weights_nato_usd_constant_2015_or_imf`, `x^-1` divides),
  multiplier, definition and method as printed, and `period` (`kiel`: a cumulative span).
- `refusals.csv`: what is said when no variant answers: per metric (a trailing `*` matches a
  family), per source (`*` any), for the option refused (source, gdp_source or prices).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cache
from importlib import resources
from typing import Final

from alliance.errors import InvalidArgumentError

NOT_NAMED: Final = "-"  # in `prices` and `gdp_source`: the option was not given


@dataclass(frozen=True)
class Series:
    """One variant of one indicator from one source, as stored."""

    label: str
    indicator: str
    source: str
    unit: str
    currency: str | None = None
    price_basis: str | None = None
    exchange_basis: str | None = None
    dataset: str | None = None
    # False for a series that only weights another (GDP weights): a named edition is the
    # edition of the figure asked about, not of its weights.
    follows_edition: bool = True
    # Used for a year in which this series has no figure for any member (NATO publishes GDP
    # only in its money tables, which end a year before its newest report).
    fallback: Series | None = None


@dataclass(frozen=True)
class Term:
    """factor * product(series ** power): the per-member quantity that is summed."""

    parts: tuple[tuple[Series, int], ...]
    factor: float = 1.0


@dataclass(frozen=True)
class MetricSpec:
    name: str
    label: str
    unit: str
    scale: float  # divide the base-unit result by this
    numerator: Term
    denominator: Term | None
    definition: str
    method: str
    primary_source: str
    multiplier: float = 1.0  # ratio metrics: value = sum(numerator) / sum(denominator) * this
    # A cumulative figure's span from its edition ('24 Jan 2022 – 31 Aug 2024, cumulative').
    period_of_edition: Callable[[str], str] | None = None
    # Said ({year} filled in) when every figure of a year came from the fallback series.
    fallback_note: str = ""

    @property
    def additive(self) -> bool:
        return self.denominator is None

    def series(self) -> list[Series]:
        terms = [self.numerator] + ([self.denominator] if self.denominator else [])
        seen: dict[Series, None] = {}
        for term in terms:
            for series, _ in term.parts:
                seen[series] = None
        return list(seen)


@dataclass(frozen=True)
class Metric:
    """A row of metrics.csv: how the source of a metric is chosen."""

    name: str
    chosen_by: str  # "source" or "definition" (then --source, if given, overrides it)
    default: str  # source when none is named ("" for chosen_by definition)
    default_constant: str  # at --prices constant ("" = as default)
    aliases: tuple[str, ...]
    summary: str


@dataclass(frozen=True)
class Variant:
    """A row of variants.csv: the choices a MetricSpec answers."""

    source: str
    prices: tuple[str, ...]
    gdp_sources: tuple[str, ...] | None
    spec: MetricSpec


@dataclass(frozen=True)
class Refusal:
    metric: str  # a name, or a family ending in '*'
    source: str  # a source, or '*'
    refused: str  # source, gdp_source or prices
    message: str  # formatted with metric, source, gdp_source, prices


@dataclass(frozen=True)
class Catalogue:
    metrics: dict[str, Metric]
    variants: dict[str, tuple[Variant, ...]]
    refusals: tuple[Refusal, ...]
    series: dict[str, Series]


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("alliance.metrics").joinpath("definitions", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _series_table() -> dict[str, Series]:
    rows = {row["series"]: row for row in _rows("series.csv")}
    built: dict[str, Series] = {}

    def build(key: str) -> Series:
        if key not in built:
            row = rows[key]
            built[key] = Series(
                row["label"],
                row["indicator"],
                row["source"],
                row["unit"],
                row["currency"] or None,
                row["price_basis"] or None,
                row["exchange_basis"] or None,
                row["dataset"] or None,
                follows_edition=row["follows_edition"] == "true",
                fallback=build(row["fallback"]) if row["fallback"] else None,
            )
        return built[key]

    return {key: build(key) for key in rows}


def _term(text: str, series: dict[str, Series]) -> Term:
    """'0.01 * a * b^-1' -> Term(((a, 1), (b, -1)), 0.01)."""
    factor, parts = 1.0, []
    for token in text.split(" * "):
        name, _, power = token.partition("^")
        if name[0].isdigit():
            factor = float(name)
        else:
            parts.append((series[name], int(power or 1)))
    return Term(tuple(parts), factor)


def _kiel_period(edition: str) -> str:
    from alliance.sources.kiel import period_label

    return period_label(edition)


_PERIODS: Final[dict[str, Callable[[str], str]]] = {"kiel": _kiel_period}


def _variant(row: dict[str, str], series: dict[str, Series]) -> Variant:
    spec = MetricSpec(
        name=row["metric"],
        label=row["label"],
        unit=row["unit"],
        scale=float(row["scale"]),
        numerator=_term(row["numerator"], series),
        denominator=_term(row["denominator"], series) if row["denominator"] else None,
        definition=row["definition"],
        method=row["method"],
        primary_source=row["primary_source"],
        multiplier=float(row["multiplier"]),
        period_of_edition=_PERIODS[row["period"]] if row["period"] else None,
        fallback_note=row["fallback_note"],
    )
    gdp = tuple(row["gdp_source"].split()) if row["gdp_source"] else None
    return Variant(row["source"], tuple(row["prices"].split()), gdp, spec)


@cache
def catalogue() -> Catalogue:
    """The definitions, read once."""
    series = _series_table()
    metrics = {
        row["metric"]: Metric(
            row["metric"],
            row["chosen_by"],
            row["default"],
            row["default_constant"],
            tuple(row["aliases"].split()),
            row["summary"],
        )
        for row in _rows("metrics.csv")
    }
    variants: dict[str, list[Variant]] = {name: [] for name in metrics}
    for row in _rows("variants.csv"):
        variants[row["metric"]].append(_variant(row, series))
    refusals = tuple(Refusal(**row) for row in _rows("refusals.csv"))
    return Catalogue(metrics, {k: tuple(v) for k, v in variants.items()}, refusals, series)


# Help texts, by metric name (the `_usd` twins are named in their EUR metric's summary).
METRICS: Final = {m.name: m.summary for m in catalogue().metrics.values() if m.summary}
METRIC_ALIASES: Final = {a: m.name for m in catalogue().metrics.values() for a in m.aliases}


def metric_spec(
    metric: str,
    *,
    definition: str = "nato",
    source: str | None = None,
    prices: str | None = None,
    gdp_source: str | None = None,
) -> MetricSpec:
    """How `metric` is computed under the given choices (raises InvalidArgumentError).

    Choices are matched without regard to case (`NATO`, `Constant`).
    """
    definition = definition.strip().lower()
    source = source.strip().lower() if source else None
    prices = prices.strip().lower() if prices else None
    gdp_source = gdp_source.strip().lower() if gdp_source else None
    name = METRIC_ALIASES.get(metric.strip().lower().replace("-", "_"), metric.strip().lower())
    name = name.replace("-", "_")
    if prices not in (None, "current", "constant"):
        raise InvalidArgumentError(f"Unknown prices {prices!r}: expected current or constant.")
    found = catalogue().metrics.get(name)
    if found is None:
        raise InvalidArgumentError(
            f"Unknown metric {metric!r}: expected one of {', '.join(METRICS)}."
        )
    chosen = _chosen_source(found, definition, source, prices)
    choices = {"source": chosen, "prices": prices or NOT_NAMED, "gdp_source": gdp_source}
    candidates = [v for v in catalogue().variants[name] if v.source == chosen]
    if not candidates:
        raise _refusal(name, "source", choices)
    by_gdp = [
        v for v in candidates if v.gdp_sources is None or (gdp_source or NOT_NAMED) in v.gdp_sources
    ]
    if not by_gdp:
        raise _refusal(name, "gdp_source", choices)
    for variant in by_gdp:
        if (prices or NOT_NAMED) in variant.prices:
            return variant.spec
    raise _refusal(name, "prices", choices)


def _chosen_source(metric: Metric, definition: str, source: str | None, prices: str | None) -> str:
    if source:
        return source
    if metric.chosen_by == "definition":
        return definition
    if prices == "constant" and metric.default_constant:
        return metric.default_constant
    return metric.default


def _refusal(metric: str, refused: str, choices: dict[str, str | None]) -> InvalidArgumentError:
    for rule in catalogue().refusals:
        if (
            fnmatch(metric, rule.metric)
            and rule.source in ("*", choices["source"])
            and rule.refused == refused
        ):
            return InvalidArgumentError(rule.message.format(metric=metric, **choices))
    return InvalidArgumentError(f"No {metric} for {refused} {choices[refused]!r}.")
