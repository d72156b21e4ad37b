"""The projection's starting point: each country's latest figures in the store, and GDP ahead.

- Share of GDP: NATO's figure (NATO definition, newest edition per figure, estimate flag carried)
  for the latest year with a value; a country without a NATO figure takes SIPRI's share of GDP
  (SIPRI definition) and the output says so for that country.
- GDP: IMF World Economic Outlook (current US dollars, NGDPD; the October 2025 edition ships, to
  2030); beyond the IMF's last year each country's last IMF growth rate is held.
- History for the uncertainty: World Bank GDP in current US dollars (growth spread and co-movement)
  and the Fed H.10 annual EUR per USD (level and yearly spread).

All figures come through `alliance.observations.observation_records`, i.e. the one edition rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from alliance.errors import InvalidArgumentError, MissingDataError, YearOutOfRangeError

SHARE_INDICATOR: Final = "defence_expenditure_share_gdp"
LAST_TO_YEAR: Final = 2060  # a projection further out is guesswork the model does not offer
MIN_HISTORY_YEARS: Final = 10


@dataclass(frozen=True)
class Baseline:
    """Arrays are laid out countries x years (`years` from the baseline year to the last year)."""

    expression: str
    members_year: int  # membership read on 1 July of this year
    countries: tuple[str, ...]
    years: tuple[int, ...]
    latest_year: np.ndarray  # per country: year of the latest share figure
    latest_share: np.ndarray  # per country: that figure, % of GDP
    share_source: tuple[str, ...]  # per country: 'nato' or 'sipri'
    share_edition: tuple[str, ...]
    estimate: np.ndarray  # per country: the latest figure is the publisher's estimate
    share_history: Mapping[str, tuple[tuple[int, float], ...]]  # same source as the latest
    gdp_usd_bn: np.ndarray  # IMF, held growth beyond its last year
    imf_last_year: int
    held_growth: np.ndarray  # per country: the last IMF growth rate, held beyond imf_last_year
    growth_history: np.ndarray  # countries x history years: log growth of WB GDP (nan: none)
    history_years: tuple[int, ...]
    eur_per_usd: tuple[tuple[int, float], ...]  # Fed H.10 annual averages
    editions: tuple[tuple[str, str, str], ...]  # (source, edition, dataset) used
    left_out: tuple[str, ...]  # members without figures, and why

    @property
    def base_year(self) -> int:
        return self.years[0]


def newest_share_year() -> int:
    """The newest year with any NATO share-of-GDP figure: the projection's baseline year."""
    from alliance.store import shared_connection

    row = (
        shared_connection()
        .execute(
            "SELECT max(year) FROM observations WHERE indicator = ? AND source_id = 'nato' "
            "AND value IS NOT NULL",
            [SHARE_INDICATOR],
        )
        .fetchone()
    )
    if row is None or row[0] is None:
        raise MissingDataError("No NATO share-of-GDP figure is in the store: import NATO's tables.")
    return int(row[0])


def check_to_year(to_year: int, base_year: int) -> None:
    if not base_year < to_year <= LAST_TO_YEAR:
        raise YearOutOfRangeError(
            to_year, base_year + 1, LAST_TO_YEAR, f"the projection's years (data end {base_year})"
        )


def _by_country(records: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        value = record["value"]
        if value is not None and value == value:
            found.setdefault(record["entity"], []).append(record)
    for rows in found.values():
        rows.sort(key=lambda r: int(r["year"]))
    return found


def _shares(members: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Per member, its share-of-GDP figures: NATO's, else SIPRI's."""
    from alliance.observations import observation_records

    found = _by_country(observation_records(SHARE_INDICATOR, source="nato", entities=members))
    rest = [m for m in members if m not in found]
    if rest:
        found.update(_by_country(observation_records(SHARE_INDICATOR, source="sipri", entities=rest)))
    return found


def _imf_gdp(members: Sequence[str], years: Sequence[int]) -> tuple[dict[str, np.ndarray], int]:
    """IMF NGDPD (USD bn) per member for `years`; beyond the IMF's last year, growth held."""
    from alliance.observations import observation_records

    records = observation_records(
        "gdp", source="imf", currency="USD", exchange_basis="market", entities=members
    )
    values: dict[str, dict[int, float]] = {}
    for record in records:
        if record["value"] is not None:
            values.setdefault(record["entity"], {})[int(record["year"])] = float(record["value"])
    last = max((max(v) for v in values.values()), default=years[0])
    paths = {}
    for member, by_year in values.items():
        if last not in by_year or last - 1 not in by_year or years[0] not in by_year:
            continue
        growth = by_year[last] / by_year[last - 1]
        paths[member] = np.array(
            [by_year[y] if y <= last else by_year[last] * growth ** (y - last) for y in years]
        )
    return paths, last


def _growth_history(
    members: Sequence[str], first_year: int, last_year: int
) -> tuple[np.ndarray, tuple[int, ...], list[tuple[str, str, str]]]:
    """Yearly log growth of World Bank GDP (current USD), members x years (nan where missing)."""
    from alliance.observations import observation_records

    records = observation_records(
        "gdp", source="wb", currency="USD", exchange_basis="market", entities=members
    )
    years = tuple(range(first_year + 1, last_year + 1))
    levels = np.full((len(members), len(years) + 1), np.nan)
    where = {m: i for i, m in enumerate(members)}
    used = set()
    for record in records:
        year = int(record["year"])
        if record["value"] is not None and first_year <= year <= last_year:
            levels[where[record["entity"]], year - first_year] = float(record["value"])
            used.add((record["source_id"], record["edition"], record["dataset"]))
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.diff(np.log(levels), axis=1)
    return growth, years, sorted(used)


def _eur_per_usd() -> tuple[tuple[tuple[int, float], ...], list[tuple[str, str, str]]]:
    from alliance.observations import observation_records

    records = observation_records(
        "exchange_rate", source="fed", currency="EUR", entities=["fed:EURO_AREA"]
    )
    rates = tuple(
        sorted((int(r["year"]), float(r["value"])) for r in records if r["value"] is not None)
    )
    used = sorted({(r["source_id"], r["edition"], r["dataset"]) for r in records})
    return rates, used


def build_baseline(expression: str, to_year: int, gdp_history_first_year: int) -> Baseline:
    """The baseline of `expression`'s members (on 1 July of the baseline year) up to `to_year`."""
    from alliance.coalitions import coalition_in_year

    base_year = newest_share_year()
    check_to_year(to_year, base_year)
    members = coalition_in_year(expression, base_year).members
    years = list(range(base_year, to_year + 1))
    shares = _shares(members)
    gdp, imf_last = _imf_gdp(members, years)
    kept = [m for m in members if m in shares and m in gdp]
    left_out = [
        f"{m}: no share-of-GDP figure (NATO or SIPRI) in the store, left out"
        for m in members
        if m not in shares
    ] + [
        f"{m}: no IMF GDP for {base_year}-{imf_last} in the store, left out"
        for m in members
        if m in shares and m not in gdp
    ]
    if not kept:
        raise MissingDataError(
            f"No member of {expression!r} on 1 July {base_year} has a defence share of GDP and "
            f"IMF GDP in the store ({len(members)} members): expected a coalition of countries "
            "with NATO or SIPRI figures, e.g. NATO, EU or NATO-Europe."
        )
    latest = [shares[m][-1] for m in kept]
    history, history_years, wb_used = _growth_history(kept, gdp_history_first_year, base_year)
    rates, fed_used = _eur_per_usd()
    editions = {(r["source_id"], r["edition"], r["dataset"]) for r in latest}
    editions.add(("imf", *_imf_edition(kept)))
    return Baseline(
        expression=expression,
        members_year=base_year,
        countries=tuple(kept),
        years=tuple(years),
        latest_year=np.array([int(r["year"]) for r in latest]),
        latest_share=np.array([float(r["value"]) for r in latest]),
        share_source=tuple(str(r["source_id"]) for r in latest),
        share_edition=tuple(str(r["edition"]) for r in latest),
        estimate=np.array([r["estimate"] is True for r in latest]),
        share_history={
            m: tuple((int(r["year"]), float(r["value"])) for r in shares[m]) for m in kept
        },
        gdp_usd_bn=np.vstack([gdp[m] for m in kept]),
        imf_last_year=imf_last,
        held_growth=np.array([gdp[m][-1] / gdp[m][-2] - 1 if len(years) > 1 else 0.0 for m in kept])
        if to_year > imf_last
        else np.zeros(len(kept)),
        growth_history=history,
        history_years=history_years,
        eur_per_usd=rates,
        editions=tuple(sorted(editions | set(wb_used) | set(fed_used))),
        left_out=tuple(left_out),
    )


def _imf_edition(members: Sequence[str]) -> tuple[str, str]:
    from alliance.store import shared_connection

    row = (
        shared_connection()
        .execute(
            "SELECT max(edition), min(dataset) FROM observations WHERE source_id = 'imf' "
            "AND indicator = 'gdp' AND currency = 'USD' AND list_contains(?, entity)",
            [list(members)],
        )
        .fetchone()
    )
    return (str(row[0]), str(row[1])) if row else ("", "")


def derived_assumptions(baseline: Baseline) -> tuple[dict[str, float], np.ndarray, list[str]]:
    """The figures the assumptions file leaves to the store (`value: null`).

    Returns the summary values (by parameter name), the per-country GDP growth spread and notes.
    """
    history = baseline.growth_history
    counts = np.sum(~np.isnan(history), axis=1)
    with np.errstate(invalid="ignore"):
        spread = np.nanstd(np.where(counts[:, None] >= 2, history, 0.0), axis=1, ddof=1)
    enough = counts >= MIN_HISTORY_YEARS
    notes = []
    if not enough.any():
        raise MissingDataError(
            "No projected country has 10 years of World Bank GDP history in the store: expected "
            "NY.GDP.MKTP.CD imported, or gdp_growth_sd given in --assumptions."
        )
    median = float(np.median(spread[enough]))
    for index in np.flatnonzero(~enough):
        notes.append(
            f"{baseline.countries[index]}: fewer than {MIN_HISTORY_YEARS} years of GDP history; "
            f"GDP spread set to the median of the others ({median:.3f})"
        )
    spread = np.where(enough, spread, median)
    complete = ~np.isnan(history).any(axis=0)
    correlation = 0.0
    if len(baseline.countries) > 1 and complete.sum() >= 3:
        matrix = np.corrcoef(history[:, complete])
        off_diagonal = matrix[~np.eye(len(matrix), dtype=bool)]
        correlation = float(np.clip(np.nanmean(off_diagonal), 0.0, 1.0))
    rates = np.array([rate for _, rate in baseline.eur_per_usd])
    if len(rates) < 3:
        raise MissingDataError(
            "No Fed EUR/USD history in the store: expected the Fed H.10 annual series imported, "
            "or eur_usd_level and eur_usd_sd given in --assumptions."
        )
    computed = {
        "gdp_growth_sd": median,
        "growth_correlation": correlation,
        "eur_usd_level": float(rates[-1]),
        "eur_usd_sd": float(np.std(np.diff(np.log(rates)), ddof=1)),
    }
    return computed, spread, notes


def validate_countries(baseline: Baseline, codes: Sequence[str], where: str) -> None:
    unknown = [c for c in codes if c not in baseline.countries]
    if unknown:
        raise InvalidArgumentError(
            f"{where}: {unknown[0]} is not a projected member of {baseline.expression!r}: "
            f"expected one of {', '.join(baseline.countries)}."
        )
