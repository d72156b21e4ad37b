"""The projection's starting point, read from the store: each member's latest share of GDP, GDP to
the horizon, and the spreads the Monte Carlo draws from.

- Share of GDP: NATO's figure from the newest edition that has one (the edition rule of
  `observations.newest_per_figure`), its estimate flag carried; a member without a NATO figure
  takes SIPRI's (said in the notes). `definition="sipri"` takes SIPRI's for every member.
- GDP: IMF World Economic Outlook (newest edition, current US$) to its last year (2030 in the
  October 2025 edition); beyond it the IMF's last yearly growth rate is held (stated).
- Spreads (when the assumptions leave them null): each member's nominal GDP growth history, their
  mean pairwise correlation, and the Fed EUR/USD history (see data/projections/assumptions.yaml).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

from alliance.errors import InvalidArgumentError, MissingDataError
from alliance.projections.assumptions import Assumptions

if TYPE_CHECKING:
    import duckdb

SHARE: Final = "defence_expenditure_share_gdp"
DEFINITIONS: Final = ("nato", "sipri")
LAST_HORIZON: Final = 2050
MIN_HISTORY: Final = 10  # years of growth needed for a country's own spread
EURO_AREA: Final = "fed:EURO_AREA"


@dataclass(frozen=True)
class CountryBaseline:
    """One member's starting point. `gdp_usd_bn` is aligned with `Baseline.years`."""

    iso3: str
    source: str  # nato | sipri: whose definition the share follows
    base_year: int
    share: float  # % of GDP in base_year
    estimate: bool
    edition: str  # "nato 2025-08 (share-of-gdp-transcription)"
    locator: str
    history: tuple[tuple[int, float], ...]  # (year, % of GDP) up to base_year, for `trend`
    gdp_usd_bn: tuple[float, ...]
    imf_last_year: int
    imf_last_growth: float  # held beyond imf_last_year
    zone: str  # EUR (euro area), USD (the US) or other
    growth_sd: float  # log points a year
    growth_sd_from: str  # how growth_sd was set

    @property
    def name(self) -> str:
        """The short common name, looked up when asked: loading pycountry's tables is a good
        part of a run's start-up, and only the JSON members list shows the name."""
        from alliance.countries import country_name

        return country_name(self.iso3)


@dataclass(frozen=True)
class Baseline:
    expression: str
    on: date
    definition: str
    years: tuple[int, ...]  # first projected year .. horizon
    countries: tuple[CountryBaseline, ...]
    missing: tuple[tuple[str, str], ...]  # (iso3, why it is left out)
    eur_usd_level: float
    eur_usd_year: int
    eur_usd_sd: float
    growth_correlation: float
    editions: tuple[tuple[str, str, str], ...]  # (source, edition, dataset) used

    @property
    def horizon(self) -> int:
        return self.years[-1]

    def notes(self) -> list[str]:
        notes = []
        last = sorted({c.imf_last_year for c in self.countries})
        if last and last[-1] < self.horizon:
            notes.append(
                f"GDP: IMF WEO to {last[-1]}; from {last[-1] + 1} to {self.horizon} each country's "
                "last IMF yearly growth rate is held (an assumption of ours)."
            )
        fallback = [c.iso3 for c in self.countries if c.source == "sipri"]
        if fallback and self.definition == "nato":
            notes.append(
                f"No NATO figure for {', '.join(fallback)}: their share of GDP is SIPRI's "
                "(a different definition), included in coalition sums."
            )
        if self.definition == "sipri":
            notes.append(
                "Shares of GDP: SIPRI's definition for every member; NATO's targets (2 %, 3.5 %, "
                "5 %) are defined on NATO's, so probabilities of meeting them are indicative."
            )
        for iso3, why in self.missing:
            notes.append(f"Left out: {iso3}: {why}.")
        bases = sorted({c.base_year for c in self.countries})
        if len(bases) > 1:
            by_year = {b: [c.iso3 for c in self.countries if c.base_year == b] for b in bases[:-1]}
            older = "; ".join(f"{', '.join(v)}: {k}" for k, v in by_year.items())
            notes.append(f"Latest figure older than {bases[-1]} (projected from then on): {older}.")
        return notes


@cache
def euro_area() -> dict[str, date]:
    """ISO3 -> the day the country adopted the euro (data/projections/euro_area.csv, cited)."""
    text = resources.files("alliance").joinpath("data", "projections", "euro_area.csv")
    rows = csv.DictReader(text.read_text("utf-8").splitlines())
    return {r["iso3"]: date.fromisoformat(r["joined"]) for r in rows}


def _zone(iso3: str, day: date) -> str:
    """EUR for a member of the euro area on `day` (the membership date, held to the horizon)."""
    if iso3 == "USA":
        return "USD"
    joined = euro_area().get(iso3)
    return "EUR" if joined is not None and joined <= day else "other"


def _records(indicator: str, entities: Sequence[str], **filters: str) -> list[dict[str, Any]]:
    from alliance.observations import observation_records

    return observation_records(indicator, entities=list(entities), years=None, **filters)


def latest_shares(
    members: Sequence[str], definition: str
) -> tuple[dict[str, dict[str, Any]], dict[str, list[tuple[int, float]]]]:
    """Per member: the row of its latest share of GDP (NATO, else SIPRI) and its history."""
    sources = ("nato", "sipri") if definition == "nato" else ("sipri",)
    latest: dict[str, dict[str, Any]] = {}
    history: dict[str, list[tuple[int, float]]] = {}
    for source in sources:
        wanted = [m for m in members if m not in latest]
        if not wanted:
            break
        rows = _records(SHARE, wanted, source=source, period="calendar")
        for row in sorted(rows, key=lambda r: int(r["year"])):
            value = row["value"]
            if value is None or value != value or float(value) <= 0:
                continue
            entity = str(row["entity"])
            history.setdefault(entity, []).append((int(row["year"]), float(value)))
            latest[entity] = row
    return latest, history


def _imf_gdp(members: Sequence[str], since: int) -> dict[str, dict[int, tuple[float, bool, str]]]:
    """IMF GDP from `since` on: a baseline uses the years of the growth history and those
    projected, not the decades before (a third of the rows, read for nothing)."""
    from alliance.observations import observation_records_since

    rows = observation_records_since(
        since,
        "gdp",
        entities=list(members),
        source="imf",
        currency="USD",
        exchange_basis="market",
        price_basis="current",
    )
    found: dict[str, dict[int, tuple[float, bool, str]]] = {}
    for row in rows:
        if row["value"] is None:
            continue
        found.setdefault(str(row["entity"]), {})[int(row["year"])] = (
            float(row["value"]),
            row["estimate"] is True,
            str(row["edition"]),
        )
    return found


def eur_per_usd_history() -> tuple[dict[int, float], str]:
    """Fed H.10 annual averages, EUR per USD, by year, and the newest edition they come from."""
    from alliance.store import shared_connection

    rates, edition = _eur_per_usd(shared_connection())
    return dict(rates), edition


@cache
def _eur_per_usd(connection: duckdb.DuckDBPyConnection) -> tuple[dict[int, float], str]:
    """Read once per connection (one state of the store and imports): vs-russia's two
    projections, and a web server's, ask for the same rates."""
    rows = _records("exchange_rate", [EURO_AREA], source="fed", currency="EUR")
    rates = {int(r["year"]): float(r["value"]) for r in rows if r["value"] is not None}
    return rates, max(str(r["edition"]) for r in rows)


def _log_growth(levels: dict[int, float], first_year: int) -> dict[int, float]:
    return {
        year: math.log(levels[year] / levels[year - 1])
        for year in sorted(levels)
        if year > first_year and year - 1 in levels and levels[year - 1] > 0 and levels[year] > 0
    }


def growth_histories(
    gdp: dict[str, dict[int, tuple[float, bool, str]]],
    fx: dict[int, float],
    first_year: int,
    zone_day: date,
) -> dict[str, dict[int, float]]:
    """Yearly log growth of each country's nominal GDP from `first_year`, IMF figures that are not
    projections; in euros for euro-area members (Fed EUR/USD), else in US dollars."""
    growth = {}
    for iso3, by_year in gdp.items():
        euro = _zone(iso3, zone_day) == "EUR"
        levels = {
            year: value * (fx[year] if euro else 1.0)
            for year, (value, estimate, _) in by_year.items()
            if year >= first_year and not estimate and (not euro or year in fx)
        }
        growth[iso3] = _log_growth(levels, first_year)
    return growth


def sample_stdev(values: Sequence[float]) -> float:
    """`statistics.stdev` of finite numbers to the bit - the correctly rounded square root of
    the exact sample variance - with integers instead of the Fractions it adds up, which took a
    quarter of the time vs-russia spent building its two baselines (bench/RESULTS.md)."""
    if len(values) < 2 or not all(math.isfinite(v) for v in values):
        import statistics

        return statistics.stdev(values)  # its error, or its NaN
    ratios = [v.as_integer_ratio() for v in values]
    scale = max(d for _, d in ratios)  # powers of two: a multiple of every denominator
    scaled = [n * (scale // d) for n, d in ratios]
    count, total = len(scaled), sum(scaled)
    numerator = count * sum(x * x for x in scaled) - total * total
    denominator = count * (count - 1) * scale * scale
    common = math.gcd(numerator, denominator)
    return _sqrt_of_fraction(numerator // common, denominator // common)


# As statistics: with this many bits, rounding to odd and then to a float rounds only once.
_SQRT_BITS: Final = 2 * 53 + 3


def _sqrt_of_fraction(n: int, m: int) -> float:
    """The square root of n/m as a float, correctly rounded (statistics' method: an integer
    square root rounded to odd at _SQRT_BITS bits, then converted)."""
    q = (n.bit_length() - m.bit_length() - _SQRT_BITS) // 2
    if q >= 0:
        return (_isqrt_to_odd(n, m << 2 * q) << q) / 1
    return _isqrt_to_odd(n << -2 * q, m) / (1 << -q)


def _isqrt_to_odd(n: int, m: int) -> int:
    root = math.isqrt(n // m)
    return root | (root * root * m != n)


def median(values: Sequence[float]) -> float:
    """`statistics.median`: the middle value, or the mean of the two middle ones."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean_correlation(growth: dict[str, dict[int, float]]) -> float:
    """Mean pairwise correlation of the countries' growth over the years they all have."""
    import numpy as np

    series = [g for g in growth.values() if len(g) >= MIN_HISTORY]
    if len(series) < 2:
        return 0.0
    years = sorted(set.intersection(*(set(g) for g in series)))
    matrix = np.array([[g[y] for y in years] for g in series])
    corr = np.corrcoef(matrix)
    count = len(series)
    mean = (corr.sum() - count) / (count * (count - 1))
    return float(min(max(mean, 0.0), 1.0))


def _gdp_path(
    by_year: dict[int, tuple[float, bool, str]], years: Sequence[int]
) -> tuple[tuple[float, ...], int, float] | None:
    last = max(by_year)
    if last - 1 not in by_year or any(y not in by_year for y in years if y <= last):
        return None
    growth = by_year[last][0] / by_year[last - 1][0] - 1
    path = tuple(
        by_year[y][0] if y <= last else by_year[last][0] * (1 + growth) ** (y - last) for y in years
    )
    return path, last, growth


def build_baseline(
    expression: str,
    horizon: int,
    assumptions: Assumptions,
    *,
    definition: str = "nato",
    on: date | None = None,
) -> Baseline:
    """The members of `expression` on `on` (default today), held to `horizon`, with their data."""
    (baseline,) = build_baselines([expression], horizon, assumptions, definition=definition, on=on)
    return baseline


def build_baselines(
    expressions: Sequence[str],
    horizon: int,
    assumptions: Assumptions,
    *,
    definition: str = "nato",
    on: date | None = None,
) -> tuple[Baseline, ...]:
    """`build_baseline` of each expression, from one read of the store for all their members
    (vs-russia's two sides): a member's figures do not depend on who else is asked."""
    from alliance.coalitions import coalition

    if definition not in DEFINITIONS:
        raise InvalidArgumentError(
            f"Unknown definition {definition!r}: expected one of {', '.join(DEFINITIONS)}."
        )
    members_of = {}
    for expression in expressions:
        members_of[expression] = coalition(expression, on).members
        if not members_of[expression]:
            raise MissingDataError(f"{expression!r} has no members on {on or date.today()}.")
    everyone = list(dict.fromkeys(m for members in members_of.values() for m in members))
    latest, histories = latest_shares(everyone, definition)
    gdp = {}
    if latest:
        first_projected = min(int(r["year"]) for r in latest.values()) + 1
        since = min(int(assumptions.number("gdp_history_first_year")), first_projected)
        gdp = _imf_gdp(list(latest), since)
    read = _Read(latest, histories, gdp)
    return tuple(
        _baseline(expression, members_of[expression], horizon, assumptions, definition, on, read)
        for expression in expressions
    )


@dataclass(frozen=True)
class _Read:
    """The rows `build_baselines` read for every member: latest shares, histories, IMF GDP."""

    latest: dict[str, dict[str, Any]]
    histories: dict[str, list[tuple[int, float]]]
    gdp: dict[str, dict[int, tuple[float, bool, str]]]


def _baseline(
    expression: str,
    members: Sequence[str],
    horizon: int,
    assumptions: Assumptions,
    definition: str,
    on: date | None,
    read: _Read,
) -> Baseline:
    wanted = set(members)
    latest = {iso3: row for iso3, row in read.latest.items() if iso3 in wanted}
    histories = read.histories
    if not latest:
        raise MissingDataError(
            f"No member of {expression!r} has a defence share of GDP figure (NATO or SIPRI): "
            "expected a coalition with data, e.g. NATO, EU, DEU."
        )
    last_base = max(int(r["year"]) for r in latest.values())
    if not last_base < horizon <= LAST_HORIZON:
        raise InvalidArgumentError(
            f"--to {horizon} is outside the projection range: expected a year after the latest "
            f"figure ({last_base}) up to {LAST_HORIZON}."
        )
    years = tuple(range(min(int(r["year"]) for r in latest.values()) + 1, horizon + 1))
    gdp = {iso3: by_year for iso3, by_year in read.gdp.items() if iso3 in latest}
    fx, fx_edition = eur_per_usd_history()
    first = int(assumptions.number("gdp_history_first_year"))
    day = on or date.today()
    growth = growth_histories(gdp, fx, first, day)
    spreads = {
        iso3: sample_stdev(list(g.values())) for iso3, g in growth.items() if len(g) >= MIN_HISTORY
    }
    median_sd = median(list(spreads.values())) if spreads else 0.0
    fixed_sd = assumptions["gdp_growth_sd"]
    countries, missing, used = [], [], set()
    for iso3 in members:
        row = latest.get(iso3)
        if row is None:
            missing.append((iso3, "no defence share of GDP figure (NATO or SIPRI)"))
            continue
        path = _gdp_path(gdp[iso3], years) if iso3 in gdp else None
        if path is None:
            missing.append((iso3, f"no IMF GDP figure for every year {years[0]}-{horizon}"))
            continue
        if fixed_sd is not None:
            sd, sd_from = fixed_sd, "set in the assumptions"
        elif iso3 in spreads:
            sd, sd_from = spreads[iso3], f"own history {first}-, {len(growth[iso3])} years"
        else:
            sd, sd_from = median_sd, "median of the other members (too little history)"
        source = str(row["source_id"])
        used.add((source, str(row["edition"]), str(row["dataset"])))
        used.update(("imf", edition, "NGDPD") for _, _, edition in gdp[iso3].values())
        countries.append(
            CountryBaseline(
                iso3=iso3,
                source=source,
                base_year=int(row["year"]),
                share=float(row["value"]),
                estimate=row["estimate"] is True,
                edition=f"{source} {row['edition']} ({row['dataset']})",
                locator=str(row.get("locator") or ""),
                history=tuple(histories[iso3]),
                gdp_usd_bn=path[0],
                imf_last_year=path[1],
                imf_last_growth=path[2],
                zone=_zone(iso3, day),
                growth_sd=float(sd),
                growth_sd_from=sd_from,
            )
        )
    if not countries:
        raise MissingDataError(
            f"No member of {expression!r} has both a share of GDP and IMF GDP to {horizon}: "
            + "; ".join(f"{iso3}: {why}" for iso3, why in missing)
        )
    fx_year = max(fx)
    level = assumptions["eur_usd_level"]
    fx_sd = assumptions["eur_usd_sd"]
    fx_growth = list(_log_growth(fx, min(fx) - 1).values())
    correlation = assumptions["growth_correlation"]
    if correlation is None:
        correlation = mean_correlation({c.iso3: growth[c.iso3] for c in countries})
    used.add(("fed", fx_edition, "exchange-rates-annual"))
    return Baseline(
        expression=expression,
        on=day,
        definition=definition,
        years=years,
        countries=tuple(countries),
        missing=tuple(missing),
        eur_usd_level=fx[fx_year] if level is None else level,
        eur_usd_year=fx_year,
        eur_usd_sd=sample_stdev(fx_growth) if fx_sd is None else fx_sd,
        growth_correlation=correlation,
        editions=tuple(sorted(used)),
    )
