"""Figures in euros and per head: the conversions analysts otherwise do by hand, always named.

EUR: a figure in US dollars times the Federal Reserve's annual average rate (EUR per USD) of its
year, from the shipped Fed series (entity `fed:EURO_AREA`). Per head: a figure in money or persons
divided by the World Bank's population (SP.POP.TOTL) of its entity and year. Only figures in USD
are converted to EUR and only money and persons are divided by population; anything else is
refused with a line that names what can be converted. Every conversion returns the lines that
name it (rate or population, source, edition, year), for the foot of a table and for JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from alliance.errors import InvalidArgumentError, MissingDataError

if TYPE_CHECKING:
    from alliance.metrics import Comparison, ShareResult
    from alliance.views import View

EURO_AREA: Final = "fed:EURO_AREA"
# Figures stored in these units are counted in ones of them by this factor.
_SCALE: Final = {
    "units": 1.0,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "persons": 1.0,
    "thousand_persons": 1e3,
}
_PERSONS: Final = ("persons", "thousand_persons")
# compare: the catalogue's per-head metric of each metric (sum of members' figures / sum of their
# World Bank population, the members with both figures).
PER_CAPITA_METRIC: Final = {"defence": "defence_per_capita", "gdp": "gdp_per_capita"}


@dataclass(frozen=True)
class Converted:
    """Records after a conversion, and the lines that name it (rate or population and source)."""

    records: list[dict[str, Any]]
    lines: list[str]


def _cite(rows: Sequence[tuple[Any, ...]], columns: Sequence[str]) -> str:
    from alliance.observations import edition_record

    index = [list(columns).index(c) for c in ("source_id", "edition", "dataset")]
    used = sorted({tuple(row[i] for i in index) for row in rows})
    texts = []
    for source_id, edition, dataset in used:
        record = edition_record(source_id, edition, dataset)
        texts.append(f"{record.citation} [{source_id} {edition}, {dataset}]")
    return "; ".join(texts)


def eur_per_usd(years: Iterable[int]) -> tuple[dict[int, float], str]:
    """The Fed's annual EUR-per-USD rate for each of `years` the shipped series covers (years it
    does not cover are absent from the result), and the citation of the rates used."""
    from alliance.observations import Query, select

    wanted = set(years)
    if not wanted:
        return {}, ""
    query = Query("exchange_rate", entities=(EURO_AREA,), source="fed", currency="EUR")
    selection = select(query)
    year, value = selection.columns.index("year"), selection.columns.index("value")
    used = [r for r in selection.rows if r[year] in wanted and r[value] is not None]
    return {r[year]: float(r[value]) for r in used}, _cite(used, selection.columns)


def eur_per_usd_every_year(years: Iterable[int]) -> tuple[dict[int, float], str]:
    """As `eur_per_usd`, refusing years the Fed series does not cover (a total or a comparison
    cannot be left partly unconverted)."""
    wanted = sorted(set(years))
    rates, citation = eur_per_usd(wanted)
    absent = [y for y in wanted if y not in rates]
    if absent:
        raise MissingDataError(
            f"No Fed EUR/USD annual rate for {', '.join(map(str, absent))}: EUR figures need "
            "the rate of their year; drop --currency EUR or choose years the Fed series covers."
        )
    return rates, citation


def populations(
    entities: Iterable[str], years: Iterable[int]
) -> tuple[dict[tuple[str, int], float], str]:
    """World Bank population (persons) per (entity, year) found, and the series' citation."""
    from alliance.observations import Query, select

    codes = tuple(sorted({e for e in entities if len(e) == 3 and e.isupper()}))
    wanted = sorted(set(years))
    if not codes or not wanted:
        return {}, ""
    query = Query("population", entities=codes, source="wb", unit="persons")
    selection = select(query)
    entity, year, value = (selection.columns.index(c) for c in ("entity", "year", "value"))
    found = {
        (r[entity], r[year]): float(r[value])
        for r in selection.rows
        if r[year] in wanted and r[value] is not None
    }
    used = [r for r in selection.rows if (r[entity], r[year]) in found]
    return found, _cite(used, selection.columns)


def _span(years: Sequence[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def _kind(record: dict[str, Any]) -> str:
    return str(record["currency"] or record["unit"])


def _rate_year(record: dict[str, Any]) -> int:
    """The year whose rate converts a figure: its own, or the base year of constant prices (USD
    of 2015 are EUR of 2015 at 2015's rate)."""
    prices = str(record.get("price_basis") or "")
    return int(prices[-4:]) if prices.startswith("constant_") else int(record["year"])


def records_in_eur(records: Sequence[dict[str, Any]]) -> Converted:
    """Figures in USD times the Fed rate of their year (currency EUR, a `conversion` note each);
    figures published in EUR are kept as published. Raises InvalidArgumentError when the records
    hold a figure in another currency or unit, naming what is convertible."""
    other = sorted({_kind(r) for r in records if r["currency"] not in ("USD", "EUR")})
    if other:
        raise InvalidArgumentError(
            f"--currency EUR converts figures in USD (Fed annual rate); these figures are in "
            f"{', '.join(other)}: select figures in USD (e.g. --definition or --source), or drop "
            "--currency EUR."
        )
    in_usd = [r for r in records if r["currency"] == "USD"]
    rates, citation = eur_per_usd(_rate_year(r) for r in in_usd)
    if in_usd and not rates:
        years = sorted({_rate_year(r) for r in in_usd})
        raise MissingDataError(
            f"No Fed EUR/USD annual rate for {_span(years)}: EUR figures need the rate of their "
            "year; drop --currency EUR or choose years the Fed series covers."
        )
    converted = [_in_eur(dict(record), rates) for record in records]
    lines = []
    if rates:
        years = sorted(rates)
        listed = ", ".join(f"{y}: {rates[y]}" for y in years)
        lines.append(
            f"Converted: figures in USD to EUR at the Fed's annual average rate of their year "
            f"(constant prices: of the base year; EUR per USD, {listed}). Rate: {citation}."
        )
    uncovered = sorted({_rate_year(r) for r in in_usd} - set(rates))
    if uncovered:
        lines.append(
            f"Not converted: no Fed annual rate for {', '.join(map(str, uncovered))} (the series "
            "ends earlier); those figures are left empty rather than converted at another "
            "year's rate."
        )
    return Converted(converted, lines)


def _in_eur(record: dict[str, Any], rates: dict[int, float]) -> dict[str, Any]:
    if record["currency"] != "USD":
        record.setdefault("conversion", "as published in EUR")
        return record
    rate_year = _rate_year(record)
    rate = rates.get(rate_year)
    record["currency"] = "EUR"
    if rate is None:
        record["value"] = None
        record["conversion"] = f"not converted: no Fed annual rate for {rate_year}"
        return record
    if record["value"] is not None:
        record["value"] = float(record["value"]) * rate
    record["conversion"] = f"USD x {rate} EUR per USD (Fed annual average {rate_year})"
    return record


def records_per_capita(records: Sequence[dict[str, Any]]) -> Converted:
    """Figures in money or persons divided by the World Bank population of their entity and year
    (unit `per_person`, a `conversion` note each; no population, no value, and said so).
    Raises InvalidArgumentError for shares, ratios and other units, naming what is convertible."""
    refused = sorted({_kind(r) for r in records if not _per_head_possible(r)})
    if refused:
        raise InvalidArgumentError(
            f"--per-capita divides money and persons by population; these figures are in "
            f"{', '.join(refused)}, which a head count does not divide: drop --per-capita."
        )
    people, citation = populations(
        (str(r["entity"]) for r in records), (int(r["year"]) for r in records)
    )
    converted, without = [], []
    for record in records:
        record = dict(record)
        key = (str(record["entity"]), int(record["year"]))
        population = people.get(key)
        scale = _SCALE[str(record["unit"])]
        if population is None:
            without.append(f"{key[0]} {key[1]}")
            record["value"] = None
            note = "per person: no World Bank population for this entity and year"
        else:
            if record["value"] is not None:
                record["value"] = float(record["value"]) * scale / population
            note = f"per person: / World Bank population {key[1]} ({population:,.0f})"
        record["unit"] = "per_person"
        previous = record.get("conversion")
        record["conversion"] = f"{previous}; {note}" if previous else note
        converted.append(record)
    lines = [
        f"Per capita: each figure / World Bank population (SP.POP.TOTL) of its year: {citation}."
    ]
    if without:
        lines.append(f"Per capita not computed (no World Bank population): {', '.join(without)}.")
    return Converted(converted, lines)


def _per_head_possible(record: dict[str, Any]) -> bool:
    unit = str(record["unit"])
    return unit in _SCALE and (bool(record["currency"]) or unit in _PERSONS)


def per_capita_metric(metric: str) -> str:
    """compare --per-capita: the catalogue's per-head metric for `metric`; InvalidArgumentError
    for a metric that has none."""
    if metric in PER_CAPITA_METRIC.values():
        return metric
    if metric not in PER_CAPITA_METRIC:
        accepted = ", ".join(PER_CAPITA_METRIC)
        raise InvalidArgumentError(
            f"--per-capita is available for the metrics {accepted} (sum of members' figures / "
            f"sum of their World Bank population); not for {metric!r}."
        )
    return PER_CAPITA_METRIC[metric]


def _usd_unit(unit: str, what: str) -> str:
    if "USD" not in unit.split():
        raise InvalidArgumentError(
            f"--currency EUR converts figures in USD (Fed annual rate); {what} is in {unit}: "
            "choose a metric in USD (defence, gdp, their per-capita forms), or drop --currency EUR."
        )
    return unit.replace("USD", "EUR")


def comparison_in_eur(found: Comparison) -> tuple[Comparison, list[str]]:
    """Each coalition-year's value in USD times the Fed rate of its year, unit in EUR."""
    units = {str(row["unit"]) for row in found.rows}
    new_units = {unit: _usd_unit(unit, "this comparison") for unit in units}
    rates, citation = eur_per_usd_every_year(int(row["year"]) for row in found.rows)
    rows = []
    for row in found.rows:
        row = dict(row)
        if row["value"] is not None:
            row["value"] = float(row["value"]) * rates[int(row["year"])]
        row["unit"] = new_units[str(row["unit"])]
        rows.append(row)
    listed = ", ".join(f"{y}: {rates[y]}" for y in sorted(rates))
    line = (
        f"Converted: USD to EUR at the Fed's annual average rate of each year (EUR per USD, "
        f"{listed}). Rate: {citation}."
    )
    return replace(found, rows=rows), [line]


def share_in_eur(result: ShareResult) -> tuple[ShareResult, list[str]]:
    """The part's and the whole's totals in EUR at the Fed rate of the year; the share is the same
    (both totals are multiplied by one rate)."""
    unit = _usd_unit(result.unit, f"{result.metric}")
    rates, citation = eur_per_usd_every_year([result.year])
    rate = rates[result.year]
    converted = replace(
        result,
        value=None if result.value is None else result.value * rate,
        of_value=None if result.of_value is None else result.of_value * rate,
        unit=unit,
    )
    line = (
        f"Converted: totals in USD to EUR at the Fed's annual average rate for {result.year} "
        f"({rate} EUR per USD); the share is unchanged. Rate: {citation}."
    )
    return converted, [line]


SHARE_PER_CAPITA_REFUSED: Final = (
    "--per-capita does not apply to share: a share of per-head figures is not a share of "
    "anything (the part's per-head figure is no fraction of the whole's); use compare "
    "--per-capita to set coalitions' per-head figures side by side."
)


def with_conversion(view: View, lines: Sequence[str]) -> View:
    """`view` with the conversion named: a `conversion` column (one note per row, for JSON and
    CSV) and the lines under the table."""
    from alliance.views import View

    if not lines:
        return view
    note = " ".join(lines)
    rows = [[*row, note] for row in view.rows]
    return View(
        (*view.columns, "conversion"),
        rows,
        f"{view.title} (converted: see below)",
        (*view.footer, *lines),
        view.editions,
    )


def selected_records(
    query: Any, *, per_capita: bool = False
) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]], list[str]]:
    """`data show`'s figures for `query` (an observations.Query), converted as asked: with
    currency EUR, the figures published in EUR and those in USD converted; with `per_capita`,
    divided by population. Returns the records, the editions used and the conversion lines."""
    from alliance.observations import select

    if str(query.currency or "").upper() != "EUR":
        selection = select(query)
        records = [dict(zip(selection.columns, r, strict=True)) for r in selection.rows]
        editions, lines = list(selection.editions), []
    else:
        records, editions = [], []
        for currency in ("EUR", "USD"):
            selection = select(replace(query, currency=currency))
            records += [dict(zip(selection.columns, r, strict=True)) for r in selection.rows]
            editions += selection.editions
        if not records:  # nothing in USD or EUR: refused, naming what the selection holds
            selection = select(replace(query, currency=None))
            records_in_eur([dict(zip(selection.columns, r, strict=True)) for r in selection.rows])
        found = records_in_eur(records)
        records, lines = found.records, found.lines
    if per_capita and records:
        found = records_per_capita(records)
        records, lines = found.records, [*lines, *found.lines]
    return records, sorted(set(editions)), lines


def currency_wanted(currency: str | None) -> bool:
    """compare and share: True for --currency EUR; None is USD as stored; anything else refused."""
    if currency is None or currency.strip().upper() == "USD":
        return False
    if currency.strip().upper() == "EUR":
        return True
    raise InvalidArgumentError(f"Unknown --currency {currency!r}: expected EUR (or USD, stored).")
