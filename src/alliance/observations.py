"""The query layer over the store: figures with their provenance, newest edition by default.

`select` returns plain rows (fast: the CLI uses it without importing pandas); `observations`
returns the same as a pandas DataFrame for the Python API. When no edition is named, each figure
(one kind of figure - source, indicator, unit, currency, prices, exchange basis, period - for one
entity and year) comes from the newest edition that has it (`newest_per_figure`, the one rule every
command applies), and the result says which editions it used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from alliance.errors import (
    InvalidArgumentError,
    UnknownEditionError,
    UnknownIndicatorError,
    UnknownSourceError,
    YearOutOfRangeError,
)
from alliance.provenance import EDITION_COLUMNS, Edition
from alliance.schema import FILTER_COLUMNS, INDICATORS, OBSERVATION_COLUMNS, VARIANT_COLUMNS
from alliance.store import has_newest_layer, shared_connection
from alliance.store_newest import VIEW as NEWEST_VIEW

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

INDICATOR_ALIASES = {
    "defence": "defence_expenditure",
    "defense": "defence_expenditure",
    "milex": "defence_expenditure",
    "defence-share": "defence_expenditure_share_gdp",
    "share-of-gdp": "defence_expenditure_share_gdp",
    "personnel": "military_personnel",
    "equipment": "equipment_share",
}


_PRICE_BASIS = VARIANT_COLUMNS.index("price_basis")

Row = TypeVar("Row")  # a tuple laid out as given columns, or a dict of the columns


def _variant(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """The kind of figure of a row's VARIANT_COLUMNS values: constant_2015 -> constant."""
    kind = (key[_PRICE_BASIS] or "").split("_")[0]
    return (*key[:_PRICE_BASIS], kind, *key[_PRICE_BASIS + 1 :])


def resolve_entities(texts: Sequence[str]) -> tuple[str, ...]:
    """Entity ids for user input: aggregates (`nato:NATO_TOTAL`) as given, ISO3 codes checked
    against the store's countries table, anything else (ISO2, names) through `resolve_country`.

    The store lookup spares the common case (an ISO3 code) loading pycountry's tables.
    """
    known = _store_countries(shared_connection())
    resolved = []
    for text in texts:
        if ":" in text or text in known:
            resolved.append(text)
        else:
            from alliance.countries import resolve_country

            resolved.append(resolve_country(text))
    return tuple(resolved)


def resolve_indicator(name: str) -> str:
    key = name.strip().lower()
    indicator = INDICATOR_ALIASES.get(key, key.replace("-", "_"))
    if indicator not in INDICATORS:
        raise UnknownIndicatorError(name, [*INDICATORS, *INDICATOR_ALIASES])
    return indicator


@dataclass(frozen=True)
class Query:
    """What to select. None means any."""

    indicator: str
    entities: tuple[str, ...] | None = None
    first_year: int | None = None
    last_year: int | None = None
    source: str | None = None
    definition: str | None = None
    edition: str | None = None
    unit: str | None = None
    currency: str | None = None
    price_basis: str | None = None
    exchange_basis: str | None = None
    period: str | None = None


@dataclass(frozen=True)
class Selection:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    editions: list[tuple[str, str, str]]  # (source_id, edition, dataset) used


_FILTER_OPTION = {"price_basis": "prices", "exchange_basis": "exchange basis"}


def known_filter_value(column: str, value: str) -> str:
    """The stored spelling of a filter value (`eur` -> `EUR`, `NATO` -> `nato`); `constant` stays
    as the kind of every constant-price basis. Raises InvalidArgumentError for anything else,
    listing what the store has and the closest match.
    """
    if column == "price_basis" and value.strip().lower() == "constant":
        return "constant"
    by_case = dict(_filter_values(shared_connection())[column])
    found = by_case.get(value.strip().lower())
    if found is not None:
        return found
    import difflib

    if column == "price_basis":
        by_case["constant"] = "constant"
    accepted = sorted(by_case.values())
    close = difflib.get_close_matches(value.strip().lower(), list(by_case), n=1, cutoff=0.6)
    hint = f" Did you mean {by_case[close[0]]!r}?" if close else ""
    name = _FILTER_OPTION.get(column, column)
    raise InvalidArgumentError(
        f"Unknown {name} {value!r}: expected one of {', '.join(accepted)}.{hint}"
    )


@cache
def _store_countries(connection: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The ISO3 codes of the store's countries table, read once per connection."""
    return frozenset(row[0] for row in connection.execute("SELECT iso3 FROM countries").fetchall())


@cache
def _filter_values(
    connection: duckdb.DuckDBPyConnection,
) -> dict[str, tuple[tuple[str, str], ...]]:
    """Per filter column, (lower case, stored spelling) of every value the store holds, read in
    one query once per connection (a connection holds one state of the store and imports): a
    command checks some forty filter values, a query each before."""
    table = _figures(connection, None)  # the newest rows hold every value any edition has
    names = ", ".join(FILTER_COLUMNS)
    rows = connection.execute(f"SELECT DISTINCT {names} FROM {table}").fetchall()
    values: dict[str, tuple[tuple[str, str], ...]] = {}
    for index, column in enumerate(FILTER_COLUMNS):
        known = sorted({str(row[index]) for row in rows if row[index] is not None})
        values[column] = tuple((k.lower(), k) for k in known)
    return values


@cache
def _stored_editions(connection: duckdb.DuckDBPyConnection) -> frozenset[tuple[str, str]]:
    """(source_id, edition) of every stored edition, read once per connection."""
    sql = "SELECT DISTINCT source_id, edition FROM editions"
    return frozenset((row[0], row[1]) for row in connection.execute(sql).fetchall())


def _where(query: Query, *, checked: bool = True) -> tuple[list[str], list[Any]]:
    """The clauses and parameters of `query`; its filter values as given unless `checked`."""
    clauses = ["indicator = ?"]
    params: list[Any] = [resolve_indicator(query.indicator)]
    for column in FILTER_COLUMNS:
        value = getattr(query, column)
        if value is None:
            continue
        if checked or (column == "price_basis" and value.strip().lower() == "constant"):
            value = known_filter_value(column, value)
        if column == "price_basis" and value == "constant":
            clauses.append("starts_with(price_basis, 'constant')")
        else:
            clauses.append(f"{column} = ?")
            params.append(value)
    if query.source is not None:
        clauses.append("source_id = ?")
        params.append(query.source)
    if query.entities is not None:
        clauses.append("list_contains(?, entity)")
        params.append(list(query.entities))
    return clauses, params


def _check_source_and_edition(query: Query) -> None:
    if query.source is None and query.edition is None:
        return
    stored = _stored_editions(shared_connection())
    if query.source is not None:
        known = {source for source, _ in stored}
        if query.source not in known:
            raise UnknownSourceError(query.source, known)
    if query.edition is not None:
        known = {e for s, e in stored if query.source is None or s == query.source}
        if query.edition not in known:
            raise UnknownEditionError(query.source or "any", query.edition, known)


def _check_years(query: Query, clauses: list[str], params: list[Any], years: set[int]) -> None:
    """A requested first or last year must lie within the years the selection has any figure for.

    The rows found already prove a bound that they reach; only a bound they miss is looked up.
    """
    wanted = [y for y in (query.first_year, query.last_year) if y is not None and y not in years]
    if not wanted:
        return
    connection = shared_connection()
    table = _figures(connection, query.edition)
    first, last = connection.execute(
        f"SELECT min(year), max(year) FROM {table} WHERE {' AND '.join(clauses)}", params
    ).fetchone() or (None, None)
    if first is None:
        return
    for year in wanted:
        if not first <= year <= last:
            raise YearOutOfRangeError(year, first, last, f"the {query.indicator} data selected")


def newest_per_figure(rows: Sequence[Row], columns: Sequence[str] | None = None) -> list[Row]:
    """THE edition rule, the one function every command and the claim checker apply.

    Per figure, the row of the newest edition that has a value for it. A figure is one kind of
    figure (VARIANT_COLUMNS, a constant-price base year not counting) for one entity and year.
    When no edition has a value, the newest edition's row stays, with its reason. Within one
    edition, the first dataset by name. A named edition is a filter applied before this rule.

    `rows` are tuples laid out as `columns`, or dicts with the observation columns (no
    `columns`); the rows kept come back in their original order.
    """
    if not rows:
        return []
    names = (*VARIANT_COLUMNS, "entity", "year", "edition", "dataset", "value")
    where: list[Any] = list(names) if columns is None else [columns.index(c) for c in names]
    variant_of: Callable[[Any], tuple[Any, ...]] = itemgetter(*where[: len(VARIANT_COLUMNS)])
    place_of: Callable[[Any], tuple[Any, ...]] = itemgetter(*where[-5:-3])
    rank_of: Callable[[Any], tuple[Any, ...]] = itemgetter(*where[-3:])
    kinds: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    chosen: dict[tuple[Any, ...], tuple[tuple[bool, str], str, int]] = {}
    for index, row in enumerate(rows):
        variant = variant_of(row)
        kind = kinds.get(variant)
        if kind is None:
            kind = kinds[variant] = _variant(variant)
        key = (kind, *place_of(row))
        edition, dataset, value = rank_of(row)
        rank = (value is not None and value == value, edition)  # NaN is no value either
        best = chosen.get(key)
        if best is None or rank > best[0] or (rank == best[0] and dataset < best[1]):
            chosen[key] = (rank, dataset, index)
    keep = sorted(index for _, _, index in chosen.values())
    return [rows[index] for index in keep]


# The same rule as `newest_per_figure`, for DuckDB to apply where the rows are (a query then
# fetches only the rows it returns, however many editions are stored): per figure, the newest
# edition with a value, then the first dataset; price_basis last, as the rows' order decides
# between base years in Python. tests/test_editions_scaling.py checks both give the same rows.
NEWEST_PER_FIGURE_SQL = (
    "row_number() OVER (PARTITION BY source_id, indicator, unit, currency, "
    "coalesce(split_part(price_basis, '_', 1), ''), exchange_basis, period, entity, year "
    "ORDER BY (value IS NOT NULL AND NOT isnan(value)) DESC, edition DESC, dataset, "
    "price_basis) = 1"
)


# Below this many rows found, the rule runs in Python on them; above it, in DuckDB, which then
# returns only the rows kept, however many editions are stored. DuckDB's window has a fixed cost
# however few the rows, which Python's per-row cost passes at about this size (bench/RESULTS.md).
RULE_IN_PYTHON_UP_TO = 5_000


def _figures(connection: duckdb.DuckDBPyConnection, edition: str | None) -> str:
    """The table a query reads: with no edition named and imports present, the store's rows and
    the newest rows of the imports (`store_newest`), which give what the edition rule keeps from
    every stored edition; otherwise every edition's rows."""
    return NEWEST_VIEW if edition is None and has_newest_layer(connection) else "observations"


def _newest_rows(
    columns: list[str], where: str, params: list[Any], edition: str | None
) -> list[tuple[Any, ...]]:
    connection = shared_connection()
    table = _figures(connection, edition)
    names = ", ".join(f'"{c}"' for c in columns)
    # calendar before fiscal within a figure, as the rows stand in the files
    order = (
        "source_id, indicator, unit, currency, price_basis, exchange_basis, entity, year, period"
    )
    # One row more than the rule in Python takes says whether it may (no count query first).
    sql = f"SELECT {names} FROM {table} WHERE {where} ORDER BY {order} LIMIT ?"
    rows = connection.execute(sql, [*params, RULE_IN_PYTHON_UP_TO + 1]).fetchall()
    if len(rows) <= RULE_IN_PYTHON_UP_TO:
        return newest_per_figure(rows, columns)
    sql = (
        f"SELECT {names} FROM {table} WHERE {where} QUALIFY {NEWEST_PER_FIGURE_SQL} "
        f"ORDER BY {order}"
    )
    return connection.execute(sql, params).fetchall()


def _selected(
    query: Query, columns: list[str], *, checked: bool, since: int | None = None
) -> tuple[list[str], list[Any], list[tuple[Any, ...]]]:
    """(clauses and parameters without the years, the rows kept within the years and from
    `since` on)."""
    clauses, params = _where(query, checked=checked)
    if query.edition is not None:
        clauses.append("edition = ?")
        params.append(query.edition)
    year_clauses, year_params = list(clauses), list(params)
    if query.first_year is not None:
        year_clauses.append("year >= ?")
        year_params.append(query.first_year)
    if query.last_year is not None:
        year_clauses.append("year <= ?")
        year_params.append(query.last_year)
    if since is not None:
        year_clauses.append("year >= ?")
        year_params.append(since)
    rows = _newest_rows(columns, " AND ".join(year_clauses), year_params, query.edition)
    return clauses, params, rows


def select(query: Query, *, since: int | None = None) -> Selection:
    """Rows matching `query`: per figure, the newest edition that has it (or the named edition).

    `since`: only the rows from that year on, a filter for readers that use recent years only
    (unlike `query.first_year`, a year before the data's first is no error)."""
    _check_source_and_edition(query)
    columns = list(OBSERVATION_COLUMNS)
    # Filter values as given first: values that match rows are stored spellings, and the list of
    # the store's values (a scan of every row) is not needed. Only when no row matches are they
    # checked (an unknown one is an error; `eur` is `EUR`) and the rows selected again.
    clauses, params, rows = _selected(query, columns, checked=False, since=since)
    if not rows and any(getattr(query, column) is not None for column in FILTER_COLUMNS):
        clauses, params, rows = _selected(query, columns, checked=True, since=since)
    year = columns.index("year")
    # Every figure found keeps one row, so the rows kept cover the years found.
    _check_years(query, clauses, params, {r[year] for r in rows})
    source, edition, dataset = (columns.index(c) for c in ("source_id", "edition", "dataset"))
    used = sorted({(r[source], r[edition], r[dataset]) for r in rows})
    return Selection(columns, rows, used)


def observations(
    indicator: str,
    *,
    entities: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    source: str | None = None,
    definition: str | None = None,
    edition: str | None = None,
    unit: str | None = None,
    currency: str | None = None,
    price_basis: str | None = None,
    exchange_basis: str | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """Figures as a DataFrame with every provenance column; `attrs['editions']` lists editions used.

    >>> observations("defence_expenditure_share_gdp", entities=["DEU"], source="nato")
    """
    import pandas as pd

    filters = {
        "source": source,
        "definition": definition,
        "edition": edition,
        "unit": unit,
        "currency": currency,
        "price_basis": price_basis,
        "exchange_basis": exchange_basis,
        "period": period,
    }
    selection = _select_figures(indicator, entities, years, filters)
    frame = pd.DataFrame(selection.rows, columns=selection.columns)
    frame.attrs["editions"] = selection.editions
    return frame


def observation_records(
    indicator: str,
    *,
    entities: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    **filters: str | None,
) -> list[dict[str, Any]]:
    """The rows `observations` returns, as dicts, without importing pandas (most of a query's
    start-up: bench/RESULTS.md, import costs)."""
    return _records(_select_figures(indicator, entities, years, filters))


def observation_records_since(
    since: int, indicator: str, *, entities: Sequence[str] | None = None, **filters: str | None
) -> list[dict[str, Any]]:
    """`observation_records` of the years from `since` on, whatever years the data cover: for a
    reader of recent years only (a projection's baseline), the older rows are not fetched."""
    return _records(_select_figures(indicator, entities, None, filters, since))


def _records(selection: Selection) -> list[dict[str, Any]]:
    # Each row was selected as these columns: no length to check (a fifth of the time, per row).
    columns = selection.columns
    return [dict(zip(columns, row, strict=False)) for row in selection.rows]


def _select_figures(
    indicator: str,
    entities: Sequence[str] | None,
    years: Sequence[int] | None,
    filters: Mapping[str, str | None],
    since: int | None = None,
) -> Selection:
    query = Query(
        indicator=indicator,
        entities=None if entities is None else resolve_entities(entities),
        first_year=min(years) if years else None,
        last_year=max(years) if years else None,
        **filters,
    )
    selection = select(query, since=since)
    if not years:
        return selection
    wanted = set(years)
    year = selection.columns.index("year")
    rows = [row for row in selection.rows if row[year] in wanted]
    return Selection(selection.columns, rows, selection.editions)


def editions() -> pd.DataFrame:
    import pandas as pd

    cursor = shared_connection().execute(
        "SELECT * FROM editions ORDER BY source_id, edition, dataset"
    )
    return pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description or []])


@cache
def _edition_records(connection: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], Edition]:
    """Every edition's record, read once per connection (a connection holds one state of the
    imports): `compare` asks for the same few records some twenty times."""
    names = ", ".join(EDITION_COLUMNS)
    rows = connection.execute(f"SELECT {names} FROM editions").fetchall()
    records = [Edition.from_record(dict(zip(EDITION_COLUMNS, row, strict=True))) for row in rows]
    return {(r.source_id, r.edition, r.dataset): r for r in records}


def edition_record(source_id: str, edition: str, dataset: str) -> Edition:
    records = _edition_records(shared_connection())
    record = records.get((source_id, edition, dataset))
    if record is None:
        known = sorted({e for s, e, _ in records if s == source_id})
        raise UnknownEditionError(source_id, edition, known)
    return record


def citation_lines(used: Sequence[tuple[str, str, str]]) -> list[str]:
    """One 'Source:' line per edition used, for the foot of a table or chart."""
    lines = []
    for source_id, edition, dataset in used:
        record = edition_record(source_id, edition, dataset)
        link = "" if record.url in record.citation else f" {record.url}"
        lines.append(f"Source: {record.citation}{link} [{source_id} {edition}, {dataset}]")
    return lines


def latest_covered_year(
    indicator: str,
    coalition: str = "NATO",
    *,
    coverage: float = 0.95,
    **filters: str | None,
) -> int:
    """The latest year in which at least `coverage` of `coalition`'s members (on 1 July of that
    year) have a figure; if no year reaches it, the latest of the best-covered years.

    The year a reader should see first: a release's newest year often lacks a few members (NATO's
    August 2025 tables have no 2025 figure for Germany), and 0.95 still accepts the one ally that
    never has a figure (Iceland, which has no armed forces, in NATO's tables).
    """
    from alliance.coalitions import coalition_in_year
    from alliance.errors import MissingDataError

    selection = _select_figures(indicator, None, None, filters)
    rows = [dict(zip(selection.columns, row, strict=True)) for row in selection.rows]
    covered: dict[int, set[str]] = {}
    for row in rows:
        if row["value"] is not None:
            covered.setdefault(int(row["year"]), set()).add(str(row["entity"]))
    if not covered:
        raise MissingDataError(f"No {indicator} figures for {_described(filters)}.")
    shares: dict[int, float] = {}
    for year in sorted(covered, reverse=True):
        members = set(coalition_in_year(coalition, year).members)
        shares[year] = len(members & covered[year]) / len(members) if members else 0.0
        if shares[year] >= coverage:
            return year
    best = max(shares.values())
    return max(year for year, share in shares.items() if share == best)


def _described(filters: dict[str, str | None]) -> str:
    named = [f"{key} {value}" for key, value in filters.items() if value]
    return ", ".join(named) or "any source"
