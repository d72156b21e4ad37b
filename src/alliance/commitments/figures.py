"""NATO's per-ally figures for the commitments: shares of GDP and equipment shares (one edition
rule), GDP in US dollars and the EUR rate for the gaps in money.

Records (dicts with the observation columns) rather than DataFrames: `alliance targets` and
`alliance pledge` then start without pandas (its import: bench/RESULTS.md).
"""

from __future__ import annotations

from typing import Any, Final

_INDICATOR_OF: Final = {
    "defence_share_gdp": "defence_expenditure_share_gdp",
    "equipment_share": "equipment_share",
}


def _newest_per_ally(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (ally, year): the row the one edition rule chooses, when it has a value."""
    from alliance.observations import newest_per_figure

    return [
        r
        for r in newest_per_figure(records)
        if r["value"] is not None and len(str(r["entity"])) == 3
    ]


def ally_figures(
    measure: str, years: list[int], edition: str | None, entities: list[str] | None = None
) -> list[dict[str, Any]]:
    """NATO's per-ally figures for `measure` (share of GDP or equipment share) in `years`, year
    by year in the order given.

    A year outside the data raises YearOutOfRangeError, naming the years there are.
    """
    from alliance.observations import observation_records

    records = observation_records(
        _INDICATOR_OF[measure], source="nato", years=years, edition=edition, entities=entities
    )
    return _newest_per_ally(_by_year(records, years))


def ally_figures_within_data(
    measure: str, years: list[int], edition: str | None, entities: list[str] | None = None
) -> list[dict[str, Any]]:
    """As `ally_figures`, skipping the years outside the data (one query for every year)."""
    if not years:
        return []
    return _by_year(every_ally_figure(measure, edition, entities), years)


def every_ally_figure(
    measure: str, edition: str | None, entities: list[str] | None = None
) -> list[dict[str, Any]]:
    """`ally_figures` of every year there is, in one query: a year outside the data has no row,
    and a year within it without a figure has none either."""
    from alliance.observations import observation_records

    records = observation_records(
        _INDICATOR_OF[measure], source="nato", edition=edition, entities=entities
    )
    return _newest_per_ally(records)


def _by_year(records: list[dict[str, Any]], years: list[int]) -> list[dict[str, Any]]:
    """The records of `years`, year by year in that order (each year's in the order found)."""
    position = {year: index for index, year in enumerate(years)}
    kept = [r for r in records if r["year"] in position]
    return sorted(kept, key=lambda r: position[r["year"]])


def allies_gdp_usd(
    year: int, entities: list[str], edition: str | None
) -> dict[str, tuple[float, str]]:
    """GDP in USD (current prices) per ally, from NATO's tables, else the World Bank, else IMF."""
    from alliance.errors import NO_DATA_ERRORS
    from alliance.metrics.aggregates import members_total

    found: dict[str, tuple[float, str]] = {}
    for source in ("nato", "wb", "imf"):
        wanted = [e for e in entities if e not in found]
        if not wanted:
            break
        try:
            result = members_total(
                wanted, "gdp", year, source=source, edition=edition if source == "nato" else None
            )
        except NO_DATA_ERRORS:  # a source or edition not in the store: try the next one
            continue
        for figure in result.figures:
            found[figure.entity] = (figure.numerator * 1e9, result.edition)
    return found


def eur_per_usd(year: int) -> float | None:
    """Fed H.10 annual average, EUR per USD, when shipped."""
    from alliance.errors import NO_DATA_ERRORS
    from alliance.observations import observation_records

    try:
        records = observation_records("exchange_rate", source="fed", currency="EUR", years=[year])
    except NO_DATA_ERRORS:  # rate not shipped or year outside it
        return None
    values = [float(r["value"]) for r in records if r["value"] is not None]
    return values[0] if values else None
