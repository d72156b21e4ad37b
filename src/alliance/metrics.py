"""Aggregate metrics for coalitions: totals, ratios of totals, shares, series.

Every metric is a sum over the members of a coalition, or a ratio of two such sums over the SAME
members (a coalition's defence share of GDP is sum(spending) / sum(GDP), never an average of
percentages; its equipment share is weighted by spending). A member counts only when every figure
the metric needs is present; the others are listed as missing, never added as zero. `strict=True`
refuses to answer when any member is missing.

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
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from alliance.coalitions import Coalition, coalition_in_year
from alliance.errors import InvalidArgumentError, MissingDataError, YearOutOfRangeError

if TYPE_CHECKING:
    import pandas as pd

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
class SourceRef:
    """An edition whose rows fed a result."""

    source_id: str
    edition: str
    dataset: str
    series: str
    citation: str = ""
    url: str = ""


@dataclass(frozen=True)
class MemberFigure:
    """A member's contribution: numerator (and denominator) in the result's units."""

    entity: str
    numerator: float
    denominator: float | None
    estimate: bool
    locators: tuple[str, ...]


@dataclass(frozen=True)
class AggregateResult:
    expression: str
    metric: str
    year: int
    on: str  # membership date, ISO
    value: float | None
    unit: str
    definition: str
    method: str
    members: tuple[str, ...]
    with_data: tuple[str, ...]
    missing: tuple[str, ...]
    zeros: tuple[str, ...]
    estimated: tuple[str, ...]  # members whose figures the publisher marks as estimates
    sources: tuple[SourceRef, ...]
    figures: tuple[MemberFigure, ...] = field(repr=False)
    numerator: float | None = None  # for ratio metrics: the sums behind the value
    denominator: float | None = None
    period: str = ""  # a cumulative figure's span; "" for a calendar year
    notes: tuple[str, ...] = ()  # a fallback used, or the option that has the missing figures

    @property
    def edition(self) -> str:
        return edition_text(self.sources)

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["edition"] = self.edition
        return record


@dataclass(frozen=True)
class ShareResult:
    coalition: str
    of: str
    metric: str
    year: int
    value: float | None
    of_value: float | None
    share: float | None  # fraction in [0, 1]
    unit: str
    definition: str
    members: tuple[str, ...]  # coalition members counted (those inside `of`)
    outside: tuple[str, ...]  # coalition members not in `of`, left out
    missing: tuple[str, ...]  # members of `of` without data
    estimated: tuple[str, ...]
    sources: tuple[SourceRef, ...]
    part: AggregateResult = field(repr=False)
    whole: AggregateResult = field(repr=False)

    @property
    def edition(self) -> str:
        return edition_text(self.sources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "coalition": self.coalition,
            "of": self.of,
            "metric": self.metric,
            "year": self.year,
            "definition": self.definition,
            "edition": self.edition,
            "unit": self.unit,
            "value": self.value,
            "of_value": self.of_value,
            "share": self.share,
            "members": list(self.members),
            "of_members": list(self.whole.members),
            "outside": list(self.outside),
            "missing": list(self.missing),
            "estimated": list(self.estimated),
            "membership_on": self.whole.on,
            "method": self.whole.method,
            "sources": [asdict(s) for s in self.sources],
        }


def edition_text(sources: Sequence[SourceRef]) -> str:
    """The editions used; when a result draws on several, what each one gave."""
    uses: dict[str, dict[str, None]] = {}
    for source in sources:
        uses.setdefault(f"{source.source_id} {source.edition} ({source.dataset})", {})[
            source.series
        ] = None
    if len(uses) <= 1:
        return "; ".join(uses)
    return "; ".join(f"{edition} for {', '.join(series)}" for edition, series in uses.items())


# --- metric definitions ------------------------------------------------------------------------

METRICS: Final = {
    "gdp": "GDP at market exchange rates (--source wb|nato|imf, --prices current|constant)",
    "gdp_ppp": "GDP at purchasing power parity (--source wb|imf)",
    "defence": "Defence expenditure (--definition nato|sipri, --prices current|constant)",
    "defence_share_gdp": "Defence expenditure as % of GDP: members' shares weighted by GDP",
    "equipment_share": "Major equipment as % of defence expenditure, weighted by spending (NATO)",
    "personnel": "Military personnel (--source nato|wb)",
    "population": "Population (World Bank)",
    "defence_per_capita": "Defence expenditure per head (spending / World Bank population)",
    "gdp_per_capita": "GDP per head (GDP / World Bank population)",
    "ukraine_aid": "Aid to Ukraine committed, cumulative from 24 Jan 2022 (Kiel; EUR, _usd: USD)",
    "ukraine_aid_military": "Military aid to Ukraine committed (Kiel; EUR, _usd: USD)",
    "ukraine_aid_financial": "Financial aid to Ukraine committed (Kiel; EUR, _usd: USD)",
    "ukraine_aid_humanitarian": "Humanitarian aid to Ukraine committed (Kiel; EUR, _usd: USD)",
}

METRIC_ALIASES: Final = {
    "defense": "defence",
    "defence_expenditure": "defence",
    "milex": "defence",
    "share_gdp": "defence_share_gdp",
    "defence_expenditure_share_gdp": "defence_share_gdp",
    "equipment": "equipment_share",
    "military_personnel": "personnel",
}

_DEFINITION_TEXT: Final = {
    "nato": "NATO definition of defence expenditure",
    "sipri": "SIPRI definition of military expenditure",
}
_CONSTANT_BASIS: Final = {"nato": "constant_2015", "sipri": "constant_2023"}


def _gdp_series(source: str, prices: str) -> Series:
    if source == "nato":
        basis = "current" if prices == "current" else "constant_2015"
        return Series("gdp", "gdp", "nato", "million", "USD", basis, "market", "tables")
    if prices != "current":
        raise InvalidArgumentError(
            f"GDP at constant prices is shipped only from NATO's tables: use --source nato "
            f"(got --source {source})."
        )
    if source == "wb":
        return Series("gdp", "gdp", "wb", "unit", "USD", "current", "market")
    if source == "imf":
        return Series("gdp", "gdp", "imf", "billion", "USD", "current", "market")
    raise InvalidArgumentError(f"Unknown GDP source {source!r}: expected wb, nato or imf.")


def _gdp_ppp_series(source: str) -> Series:
    if source == "wb":
        return Series("gdp_ppp", "gdp", "wb", "unit", "INTL", "current", "ppp")
    if source == "imf":
        return Series("gdp_ppp", "gdp", "imf", "billion", "INTL", "current", "ppp")
    raise InvalidArgumentError(f"Unknown GDP PPP source {source!r}: expected wb or imf.")


def _defence_series(definition: str, prices: str) -> Series:
    if definition not in _DEFINITION_TEXT:
        raise InvalidArgumentError(f"Unknown definition {definition!r}: expected nato or sipri.")
    basis = "current" if prices == "current" else _CONSTANT_BASIS[definition]
    dataset = "tables" if definition == "nato" else "milex"
    return Series(
        "defence", "defence_expenditure", definition, "million", "USD", basis, "market", dataset
    )


def _population() -> Series:
    return Series("population", "population", "wb", "persons")


def _prices_text(prices: str, definition: str) -> str:
    if prices == "current":
        return "current prices and exchange rates"
    return f"constant {_CONSTANT_BASIS.get(definition, '')[-4:]} prices and exchange rates"


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
    builder = _BUILDERS.get(name)
    if builder is None:
        raise InvalidArgumentError(
            f"Unknown metric {metric!r}: expected one of {', '.join(METRICS)}."
        )
    return builder(definition, source, prices, gdp_source)


def _prices(prices: str | None) -> str:
    return prices or "current"


def _build_gdp(
    definition: str, source: str | None, prices: str | None, _: str | None
) -> MetricSpec:
    prices = _prices(prices)
    chosen = source or ("nato" if prices == "constant" else "wb")
    series = _gdp_series(chosen, prices)
    basis = "current prices" if prices == "current" else "constant 2015 prices"
    named = f"({chosen})"
    if source is None and chosen == "wb":
        series, named = replace(series, fallback=_gdp_series("imf", prices)), _GDP_ORDER
    return MetricSpec(
        "gdp",
        "GDP",
        "billion USD",
        1e9,
        Term(((series, 1),)),
        None,
        f"GDP, {basis}, market exchange rates {named}",
        "Sum of members' GDP.",
        chosen,
        fallback_note=_GDP_FALLBACK_NOTE if series.fallback else "",
    )


# The documented fallback order of GDP series when no source is named: the World Bank, then the
# IMF WEO, for a whole year at once (every member's figure from one source, never mixed).
_GDP_ORDER: Final = "(wb, or imf for a year without World Bank figures: order wb, imf)"
_GDP_FALLBACK_NOTE: Final = (
    "{year}: every member's figure from the IMF WEO: the World Bank, first in the fallback order "
    "(wb, imf), has none for {year}. --source wb refuses the fallback."
)


def _build_gdp_ppp(
    definition: str, source: str | None, prices: str | None, _: str | None
) -> MetricSpec:
    chosen = source or "wb"
    series = _gdp_ppp_series(chosen)
    named = f"({chosen})"
    if source is None:
        series, named = replace(series, fallback=_gdp_ppp_series("imf")), _GDP_ORDER
    return MetricSpec(
        "gdp_ppp",
        "GDP (PPP)",
        "billion international $",
        1e9,
        Term(((series, 1),)),
        None,
        f"GDP, current prices, purchasing power parity {named}",
        "Sum of members' GDP in international dollars.",
        chosen,
        fallback_note=_GDP_FALLBACK_NOTE if series.fallback else "",
    )


def _build_defence(
    definition: str, source: str | None, prices: str | None, _: str | None
) -> MetricSpec:
    prices = _prices(prices)
    series = _defence_series(source or definition, prices)
    definition = series.source
    return MetricSpec(
        "defence",
        "Defence expenditure",
        "billion USD",
        1e9,
        Term(((series, 1),)),
        None,
        f"{_DEFINITION_TEXT[definition]}, {_prices_text(prices, definition)}",
        "Sum of members' defence expenditure.",
        definition,
    )


def _build_share(
    definition: str, source: str | None, prices: str | None, gdp: str | None
) -> MetricSpec:
    definition = source or definition
    if definition == "nato":
        if gdp not in (None, "nato"):
            raise InvalidArgumentError("Under the NATO definition GDP comes from NATO's Table 5.")
        if prices in (None, "constant"):
            return _nato_published_share()
        # At current prices NATO publishes no share: Table 2 / Table 5, both at current prices.
        nato_prices = prices
        spending = _defence_series("nato", nato_prices)
        nato_income = _gdp_series("nato", nato_prices)
        method = (
            "Sum of members' defence expenditure (NATO Table 2) / sum of members' GDP "
            f"(NATO Table 5), both at {_prices_text(nato_prices, 'nato')}, x 100 - "
            "as NATO computes its Table 3 and its aggregates."
        )
        text = f"{_DEFINITION_TEXT['nato']} / GDP, {_prices_text(nato_prices, 'nato')}"
        return MetricSpec(
            "defence_share_gdp",
            "Defence expenditure, share of GDP",
            "percent",
            1.0,
            Term(((spending, 1),)),
            Term(((nato_income, 1),)),
            text,
            method,
            "nato",
            multiplier=100.0,
        )
    if prices == "constant":
        raise InvalidArgumentError(
            "SIPRI's share of GDP is at current prices: drop --prices constant."
        )
    spending = _defence_series("sipri", "current")
    if gdp in (None, "sipri"):
        share = Series(
            "sipri_share_gdp",
            "defence_expenditure_share_gdp",
            "sipri",
            "percent",
            dataset="milex",
        )
        income: Term = Term(((spending, 1), (share, -1)), 100.0)
        method = (
            "Sum of members' military expenditure (SIPRI, current US$) / sum of the GDP SIPRI "
            "used (each member's spending / its SIPRI share of GDP), x 100."
        )
        gdp_text = "GDP implied by SIPRI's share of GDP"
    else:
        income = Term(((_gdp_series(gdp, "current"), 1),))
        method = (
            "Sum of members' military expenditure (SIPRI, current US$) / sum of members' GDP "
            f"({gdp}, current US$), x 100."
        )
        gdp_text = f"GDP from {gdp}"
    return MetricSpec(
        "defence_share_gdp",
        "Military expenditure, share of GDP",
        "percent",
        1.0,
        Term(((spending, 1),)),
        income,
        f"{_DEFINITION_TEXT['sipri']}, current US$ / {gdp_text}",
        method,
        "sipri",
        multiplier=100.0,
    )


# The weights of a coalition's share of GDP: NATO's GDP at constant 2015 prices (Table 5, the
# denominator of its own shares and aggregates up to 2024); for later years, which NATO's money
# tables do not reach, the IMF's GDP at current prices.
_SHARE_WEIGHTS: Final = Series(
    "GDP weights",
    "gdp",
    "nato",
    "million",
    "USD",
    "constant_2015",
    "market",
    "tables",
    follows_edition=False,
    fallback=Series(
        "GDP weights", "gdp", "imf", "billion", "USD", "current", "market", follows_edition=False
    ),
)


def _nato_published_share() -> MetricSpec:
    """NATO's share of real GDP: each ally's published figure, the newest edition that has it.

    NATO's newest report (August 2025) publishes shares only; its money tables (June 2024) are
    older and were revised (Poland 2024: 4.12 % in the tables, 3.79 % in the report). So that a
    coalition of one gives the figure `targets` and `data show` give, a coalition's share is the
    GDP-weighted mean of its members' published shares: sum(share x GDP) / sum(GDP). With the
    shares and GDP of one edition this is exactly NATO's sum(spending) / sum(GDP).
    """
    share = Series("shares of GDP", "defence_expenditure_share_gdp", "nato", "percent")
    return MetricSpec(
        "defence_share_gdp",
        "Defence expenditure, share of GDP",
        "percent",
        1.0,
        Term(((share, 1), (_SHARE_WEIGHTS, 1)), 0.01),
        Term(((_SHARE_WEIGHTS, 1),)),
        f"{_DEFINITION_TEXT['nato']} / real GDP (NATO's published shares, newest edition per "
        "figure), coalitions weighted by GDP (NATO Table 5, constant 2015 prices; IMF WEO, "
        "current prices, for years after NATO's tables)",
        "Sum of members' published share of GDP x GDP / sum of members' GDP, x 100. Each share "
        "is the newest NATO edition's figure (or the named edition's); the weights are NATO's "
        "GDP at constant 2015 prices (Table 5), the denominator of NATO's own shares and "
        "aggregates, or for years after NATO's tables the IMF's GDP at current prices. With "
        "shares and GDP from one edition this equals NATO's sum of spending / sum of GDP.",
        "nato",
        multiplier=100.0,
    )


def _build_equipment(
    definition: str, source: str | None, prices: str | None, _: str | None
) -> MetricSpec:
    if (source or definition) != "nato":
        raise InvalidArgumentError("Equipment shares are shipped only from NATO (Table 8a).")
    spending = _defence_series("nato", "current")
    equipment = Series("equipment_share", "equipment_share", "nato", "percent", dataset="tables")
    return MetricSpec(
        "equipment_share",
        "Major equipment, share of defence expenditure",
        "percent",
        1.0,
        Term(((equipment, 1), (spending, 1))),
        Term(((spending, 1),)),
        "NATO definition: major equipment and R&D on major equipment (Table 8a)",
        "Sum of members' equipment share x defence expenditure (current US$) / sum of their "
        "defence expenditure: a spending-weighted share.",
        "nato",
    )


def _personnel_series(source: str) -> Series:
    if source == "nato":
        return Series("personnel", "military_personnel", "nato", "thousand_persons")
    if source == "wb":
        return Series("personnel", "military_personnel", "wb", "persons")
    raise InvalidArgumentError(f"Unknown personnel source {source!r}: expected nato or wb.")


def _build_personnel(
    definition: str, source: str | None, prices: str | None, _: str | None
) -> MetricSpec:
    source = source or "nato"
    text = {
        "nato": "Military personnel, NATO definition (Table 7)",
        "wb": "Armed forces personnel incl. paramilitary, World Bank / IISS (MS.MIL.TOTL.P1)",
    }[source]
    return MetricSpec(
        "personnel",
        "Military personnel",
        "thousand persons",
        1e3,
        Term(((_personnel_series(source), 1),)),
        None,
        text,
        "Sum of members' military personnel.",
        source,
    )


def _build_population(
    definition: str, source: str | None, prices: str | None, _: str | None
) -> MetricSpec:
    return MetricSpec(
        "population",
        "Population",
        "million persons",
        1e6,
        Term(((_population(), 1),)),
        None,
        "Population, total (World Bank SP.POP.TOTL)",
        "Sum of members' population.",
        "wb",
    )


def _build_defence_per_capita(
    definition: str, source: str | None, prices: str | None, _: str | None
) -> MetricSpec:
    prices = _prices(prices)
    spending = _defence_series(source or definition, prices)
    return MetricSpec(
        "defence_per_capita",
        "Defence expenditure per capita",
        "USD per person",
        1.0,
        Term(((spending, 1),)),
        Term(((_population(), 1),)),
        f"{_DEFINITION_TEXT[spending.source]}, {_prices_text(prices, spending.source)}, "
        "per head of World Bank population",
        "Sum of members' defence expenditure / sum of their population.",
        spending.source,
    )


def _build_gdp_per_capita(
    definition: str, source: str | None, prices: str | None, _: str | None
) -> MetricSpec:
    prices = _prices(prices)
    source = source or ("nato" if prices == "constant" else "wb")
    return MetricSpec(
        "gdp_per_capita",
        "GDP per capita",
        "USD per person",
        1.0,
        Term(((_gdp_series(source, prices), 1),)),
        Term(((_population(), 1),)),
        f"GDP ({source}, {prices} prices, market exchange rates) per head of World Bank population",
        "Sum of members' GDP / sum of their population.",
        source,
    )


# Kiel's bilateral commitments by kind: metric -> (indicator, label). `<metric>_usd` is in USD.
_AID: Final = {
    "ukraine_aid": ("ukraine_aid_committed", "Aid to Ukraine committed"),
    "ukraine_aid_military": ("ukraine_aid_military_committed", "Military aid to Ukraine committed"),
    "ukraine_aid_financial": (
        "ukraine_aid_financial_committed",
        "Financial aid to Ukraine committed",
    ),
    "ukraine_aid_humanitarian": (
        "ukraine_aid_humanitarian_committed",
        "Humanitarian aid to Ukraine committed",
    ),
}


def _kiel_period(edition: str) -> str:
    from alliance.sources.kiel import period_label

    return period_label(edition)


def _aid_builder(
    metric: str, currency: str
) -> Callable[[str, str | None, str | None, str | None], MetricSpec]:
    indicator, label = _AID[metric]
    name = metric if currency == "EUR" else f"{metric}_usd"

    def build(definition: str, source: str | None, prices: str | None, _: str | None) -> MetricSpec:
        if source not in (None, "kiel"):
            raise InvalidArgumentError(
                f"{name} comes only from the Kiel Ukraine Support Tracker: drop --source {source}."
            )
        if prices not in (None, "current"):
            raise InvalidArgumentError(f"Kiel publishes {name} at current prices: drop --prices.")
        series = Series(label, indicator, "kiel", "billion", currency, "current")
        return MetricSpec(
            name,
            label,
            f"billion {currency}",
            1e9,
            Term(((series, 1),)),
            None,
            f"{label}, bilateral, {currency} at current prices (Kiel Ukraine Support Tracker)",
            "Sum of members' bilateral commitments as Kiel counts them; aid through the EU's "
            "institutions is its own donor (kiel:EU_INSTITUTIONS), not spread over the members. "
            "Kiel's totals are cumulative and stored under the year their span ends.",
            "kiel",
            period_of_edition=_kiel_period,
        )

    return build


_BUILDERS: Final[dict[str, Callable[[str, str | None, str | None, str | None], MetricSpec]]] = {
    "gdp": _build_gdp,
    "gdp_ppp": _build_gdp_ppp,
    "defence": _build_defence,
    "defence_share_gdp": _build_share,
    "equipment_share": _build_equipment,
    "personnel": _build_personnel,
    "population": _build_population,
    "defence_per_capita": _build_defence_per_capita,
    "gdp_per_capita": _build_gdp_per_capita,
    **{
        metric if currency == "EUR" else f"{metric}_usd": _aid_builder(metric, currency)
        for metric in _AID
        for currency in ("EUR", "USD")
    },
}


# --- figures from the store --------------------------------------------------------------------

# Figures as records with the keys of OBSERVATION_COLUMNS (tests pass their own).
Fetch = Callable[..., list[dict[str, Any]]]


def _default_fetch(indicator: str, **filters: Any) -> list[dict[str, Any]]:
    from alliance.observations import observation_records

    return observation_records(indicator, **filters)


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


def _aggregate_members(
    spec: MetricSpec,
    group: Coalition,
    year: int,
    edition: str | None,
    fetch: Fetch,
) -> AggregateResult:
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
    return _result(spec, group, year, contributions, missing, zeros, used_sources)


def _result(
    spec: MetricSpec,
    group: Coalition,
    year: int,
    contributions: list[MemberFigure],
    missing: list[str],
    zeros: list[str],
    used_sources: dict[SourceRef, None],
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
        sources=_cited(used_sources),
        figures=tuple(contributions),
        numerator=None if spec.additive else numerator,
        denominator=denominator,
        period=period,
        notes=_fallback_notes(spec, year, used_sources),
    )


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


def _cited(sources: dict[SourceRef, None]) -> tuple[SourceRef, ...]:
    cited = []
    for ref in sorted(sources, key=lambda s: (s.series, s.source_id, s.edition, s.dataset)):
        try:
            from alliance.observations import edition_record

            record = edition_record(ref.source_id, ref.edition, ref.dataset)
            cited.append(
                SourceRef(
                    ref.source_id, ref.edition, ref.dataset, ref.series, record.citation, record.url
                )
            )
        except Exception:  # no store (frames passed in by a caller): cite what we have
            cited.append(ref)
    return tuple(cited)


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
    fetch = fetch or _default_fetch
    result = _aggregate_members(spec, _coalition(expression, year), year, edition, fetch)
    choices = {
        "definition": definition,
        "source": source,
        "prices": prices,
        "gdp_source": gdp_source,
    }
    result = _with_missing_notes(spec, result, fetch, choices)
    _refuse_if_missing(result, strict)
    return result


def _with_missing_notes(
    spec: MetricSpec, result: AggregateResult, fetch: Fetch, choices: dict[str, str | None]
) -> AggregateResult:
    """The result, with a line naming the option that has figures its members lack."""
    if not result.missing:
        return result
    from alliance.metric_hints import missing_notes

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
    fetch = fetch or _default_fetch
    whole = _aggregate_members(spec, whole_group, year, edition, fetch)
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


def source_lines(sources: Sequence[SourceRef], estimated: Sequence[str] = ()) -> list[str]:
    """'Source:' lines for a table or chart: one per edition used, then the estimate note."""
    seen: dict[tuple[str, str, str], SourceRef] = {}
    for ref in sources:
        seen.setdefault((ref.source_id, ref.edition, ref.dataset), ref)
    lines = []
    for (source_id, edition, dataset), ref in seen.items():
        citation = ref.citation or f"{source_id} {edition}"
        lines.append(f"Source: {citation} [{source_id} {edition}, {dataset}]")
    if estimated:
        lines.append(f"Estimates (publisher's own) used for: {', '.join(sorted(set(estimated)))}.")
    return lines
