"""The long observation table every importer produces and the store holds.

One row is one figure: an entity, a year, an indicator, and everything needed to read the value
without guessing — unit, currency, price basis, exchange basis, definition, calendar or fiscal
year, source edition, estimate flag, and where in the source file it came from.

Entities are ISO3 codes for countries (including ISO 3166-3 codes for states that no longer exist:
SUN, CSK, YUG, DDR) and `<source>:<CODE>` for aggregates a publisher computes (`nato:NATO_TOTAL`,
`wb:EUU`, `sipri:WORLD`, `kiel:EU_INSTITUTIONS`). Aggregates are never mixed with countries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from alliance.validation import ValidationReport

OBSERVATION_COLUMNS: Final[dict[str, str]] = {
    "source_id": "VARCHAR",  # sipri | nato | wb | imf | kiel | fed
    "edition": "VARCHAR",  # e.g. 2024-06 (NATO tables of June 2024), 2025-04 (SIPRI release)
    "dataset": "VARCHAR",  # the file within the edition: tables, milex, NY.GDP.MKTP.CD, NGDPD ...
    "entity": "VARCHAR",  # ISO3 or <source>:<CODE> for an aggregate
    "year": "INTEGER",
    "indicator": "VARCHAR",  # see INDICATORS
    "value": "DOUBLE",  # null when the source says no data; `missing` says why
    "unit": "VARCHAR",  # see UNITS
    "currency": "VARCHAR",  # ISO 4217, LCU (national currency), INTL (international $) or null
    "price_basis": "VARCHAR",  # current | constant_2015 | constant_2021 | constant_2023 | null
    "exchange_basis": "VARCHAR",  # market | ppp | null
    "definition": "VARCHAR",  # nato | sipri | wb | imf | kiel | fed
    "period": "VARCHAR",  # calendar | fiscal | cumulative
    "estimate": "BOOLEAN",  # the publisher marks it as estimate, projection or uncertain
    "estimate_kind": "VARCHAR",  # estimate | projection | uncertain | null
    "missing": "VARCHAR",  # no_data | not_existing | null (value present)
    "note": "VARCHAR",  # publisher's footnote symbols and numbers, verbatim
    "locator": "VARCHAR",  # where in the source file: 'TABLE3!F24', 'Share of GDP!AM68', 'line 57'
}

KEY_COLUMNS: Final = (
    "source_id",
    "edition",
    "dataset",
    "entity",
    "year",
    "indicator",
    "unit",
    "price_basis",
    "exchange_basis",
    "period",
)

# A newer edition supersedes an older one for the same kind of figure; a new constant-price base
# year (NATO moved from 2015 to 2021 prices in 2025) is the same kind of figure.
VARIANT_COLUMNS: Final = (
    "source_id",
    "indicator",
    "unit",
    "currency",
    "price_basis",
    "exchange_basis",
    "period",
)
# The columns a query may filter on before the newest-edition rule chooses.
FILTER_COLUMNS: Final = (
    "definition",
    "unit",
    "currency",
    "price_basis",
    "exchange_basis",
    "period",
)

INDICATORS: Final[dict[str, str]] = {
    "defence_expenditure": "Defence / military expenditure (amount; see unit, currency, prices)",
    "defence_expenditure_share_gdp": "Defence expenditure as a share of GDP (percent)",
    "defence_expenditure_share_government": "Military expenditure, share of government spending",
    "defence_expenditure_per_capita": "Defence expenditure per head of population",
    "defence_expenditure_real_change": "Annual real change in defence expenditure (percent)",
    "equipment_share": "Major equipment, share of defence expenditure (percent)",
    "personnel_share": "Personnel, share of defence expenditure (percent)",
    "infrastructure_share": "Infrastructure, share of defence expenditure (percent)",
    "other_share": "Other expenditure, share of defence expenditure (percent)",
    "gdp": "Gross domestic product (amount; see unit, currency, prices, exchange basis)",
    "gdp_per_capita": "GDP per head of population",
    "gdp_real_growth": "Real GDP growth (percent)",
    "inflation": "Consumer price inflation, annual average (percent)",
    "ppp_conversion_factor": "PPP conversion factor, GDP (LCU per international $)",
    "exchange_rate": "Exchange rate, annual average (units of currency per USD)",
    "population": "Population, total (persons)",
    "military_personnel": "Military personnel (persons; see definition)",
    # Kiel's aid to Ukraine: bilateral, cumulative from 24 Jan 2022 to the edition's cut-off
    # (period 'cumulative'; year = the cut-off's year). Amounts in billion EUR or USD.
    "ukraine_aid_allocated": "Aid to Ukraine allocated (delivered or earmarked), billion EUR/USD",
    "ukraine_aid_committed": "Aid to Ukraine committed (promised), billion EUR/USD",
    "ukraine_aid_military_allocated": "Military aid to Ukraine allocated, billion EUR/USD",
    "ukraine_aid_military_committed": "Military aid to Ukraine committed, billion EUR/USD",
    "ukraine_aid_financial_allocated": "Financial aid to Ukraine allocated, billion EUR/USD",
    "ukraine_aid_financial_committed": "Financial aid to Ukraine committed, billion EUR/USD",
    "ukraine_aid_humanitarian_allocated": "Humanitarian aid to Ukraine allocated, billion EUR/USD",
    "ukraine_aid_humanitarian_committed": "Humanitarian aid to Ukraine committed, billion EUR/USD",
    "ukraine_aid_allocated_share_gdp": "Aid to Ukraine allocated, percent of donor's 2021 GDP",
    "ukraine_aid_committed_share_gdp": "Aid to Ukraine committed, percent of donor's 2021 GDP",
}

UNITS: Final = frozenset(
    {
        "percent",  # 2.12 means 2.12 %
        "fraction",  # 0.0212 means 2.12 % (kept only where a source publishes it so)
        "million",  # millions of `currency`
        "billion",  # billions of `currency`
        "unit",  # single units of `currency` (per-capita amounts)
        "thousand",  # thousands of `currency` (NATO GDP per capita)
        "persons",
        "thousand_persons",
        "ratio",  # exchange rates, PPP factors
    }
)

PRICE_BASES: Final = re.compile(r"^(current|constant_\d{4})$")
EXCHANGE_BASES: Final = frozenset({"market", "ppp"})
# `cumulative`: a total over a span the publisher states (Kiel: 24 Jan 2022 to the cut-off),
# stored under the span's last year; the span is in `note` and the edition's title.
PERIODS: Final = frozenset({"calendar", "fiscal", "cumulative"})
ESTIMATE_KINDS: Final = frozenset({"estimate", "projection", "uncertain"})
MISSING_KINDS: Final = frozenset({"no_data", "not_existing"})
AGGREGATE_ENTITY: Final = re.compile(r"^[a-z]+:[A-Z0-9_]+$")
COUNTRY_ENTITY: Final = re.compile(r"^[A-Z]{3}$")

# Shares of GDP above this are real only in wartime economies; each entry says why it is real.
SHARE_OF_GDP_OUTLIERS: Final[dict[str, str]] = {
    "KWT": "Kuwait 1991: Gulf War, GDP collapsed under occupation (SIPRI).",
    "UKR": "Ukraine 2022-2024: full-scale war; SIPRI puts 2024 at 34.5 % of GDP.",
    "ERI": "Eritrea 1999-2000: war with Ethiopia.",
    "IRQ": "Iraq 1980s: war with Iran.",
    "OMN": "Oman 1970s: Dhofar war.",
    "ISR": "Israel 1973-1980s: October war and after.",
    "SAU": "Saudi Arabia 1990-1991: Gulf War.",
    "SYR": "Syria 1970s-1980s.",
    "YEM": "Yemen: war economy, collapsed GDP.",
    "AGO": "Angola 1990s: civil war.",
    "TCD": "Chad: civil war.",
    "SDN": "Sudan: civil war.",
    "LBN": "Lebanon: civil war.",
    "LBR": "Liberia 1994: civil war; GDP collapsed (SIPRI 29.7 %).",
    "SOM": "Somalia 1986: Siad Barre regime at war, tiny recorded GDP (SIPRI 28.9 %).",
    "JOR": "Jordan 1959-1968: wars with Israel (SIPRI 20-24 %).",
    "QAT": "Qatar 1985 (SIPRI 24.8 %): oil-price slump shrank GDP.",
}
# The only figures at or above 100 % of GDP that are real, each with the reason.
SHARE_OF_GDP_ABOVE_100: Final[dict[tuple[str, int], str]] = {
    ("KWT", 1991): "Kuwait 1991: liberation war costs against a GDP collapsed by occupation "
    "(SIPRI 117.3 %).",
}
SHARE_OF_GDP_PLAUSIBLE_MAX: Final = 20.0


_CELL = re.compile(r"^(?:(?P<sheet>.+)!)?(?P<column>[A-Z]{1,3})(?P<row>\d+)$")
_LINE = re.compile(r"^line (?P<row>\d+)$")


def split_locator(locator: object) -> tuple[str | None, str | None, int | None]:
    """'TABLE3!F24' -> ('TABLE3', 'F', 24); 'line 57' -> (None, None, 57)."""
    if not isinstance(locator, str):
        return None, None, None
    if match := _CELL.match(locator):
        return match["sheet"], match["column"], int(match["row"])
    if match := _LINE.match(locator):
        return None, None, int(match["row"])
    return locator, None, None


@cache
def observation_arrow_schema() -> pa.Schema:
    """OBSERVATION_COLUMNS as Arrow types; `year` is int64, as pandas frames hold it."""
    import pyarrow as pa

    types = {
        "VARCHAR": pa.large_string(),
        "INTEGER": pa.int64(),
        "DOUBLE": pa.float64(),
        "BOOLEAN": pa.bool_(),
    }
    return pa.schema([(name, types[kind]) for name, kind in OBSERVATION_COLUMNS.items()])


SCAN_BATCH_ROWS: Final = 8192


@cache
def _database() -> duckdb.DuckDBPyConnection:
    import duckdb

    # An in-memory database costs tens of milliseconds to start: one per process, a cursor per use.
    return duckdb.connect(":memory:")


def query_observations(
    data: object, sql: str, parameters: Sequence[Any] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run `sql` with `data` (a pandas DataFrame or a pyarrow Table) as the view `observations`.

    DuckDB scans either in place, so an Arrow table is checked without importing pandas.
    """
    with _database().cursor() as cursor:
        cursor.register("observations", _in_batches(data))
        result = cursor.execute(sql, list(parameters))
        columns = [d[0] for d in result.description or []]
        return columns, result.fetchall()


def _in_batches(data: object) -> object:
    """An Arrow table cut into record batches: DuckDB scans one batch per thread."""
    import pyarrow as pa

    if isinstance(data, pa.Table) and data.num_rows > SCAN_BATCH_ROWS:
        return pa.Table.from_batches(data.to_batches(max_chunksize=SCAN_BATCH_ROWS), data.schema)
    return data


def _sql_list(values: Sequence[str]) -> str:
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


def _text(column: str) -> str:
    # Text checks apply to the value as text, whatever type a pandas column happens to hold.
    return f'CAST("{column}" AS VARCHAR)'


def _row_checks() -> tuple[tuple[str, str, str, str], ...]:
    """(message, column, expected, SQL condition that flags a row), in reporting order.

    A condition that is NULL flags the row: a value that cannot be checked is not a valid one.
    """
    entity, price = _text("entity"), _text("price_basis")
    value_present = 'NOT ("value" IS NULL OR isnan(CAST("value" AS DOUBLE)))'
    share = (
        f"coalesce({_text('indicator')} = 'defence_expenditure_share_gdp', false) "
        f"AND {value_present}"
    )
    percent = f"""("value" * CASE WHEN {_text("unit")} = 'fraction' THEN 100.0 ELSE 1.0 END)"""
    allowed_above_100 = " OR ".join(
        f"(coalesce({entity} = '{code}', false) AND coalesce(year = {year}, false))"
        for code, year in SHARE_OF_GDP_ABOVE_100
    )
    outliers = _sql_list(list(SHARE_OF_GDP_OUTLIERS))
    return (
        ("observation without a source", "source_id", "a source id", "source_id IS NULL"),
        ("observation without an edition", "edition", "an edition id", "edition IS NULL"),
        (
            "unknown indicator",
            "indicator",
            "INDICATORS",
            f"{_text('indicator')} NOT IN ({_sql_list(list(INDICATORS))})",
        ),
        (
            "unknown unit",
            "unit",
            ", ".join(sorted(UNITS)),
            f"{_text('unit')} NOT IN ({_sql_list(sorted(UNITS))})",
        ),
        (
            "malformed entity",
            "entity",
            "ISO3 or <source>:<CODE>",
            f"NOT (regexp_matches({entity}, '{AGGREGATE_ENTITY.pattern}') "
            f"OR regexp_matches({entity}, '{COUNTRY_ENTITY.pattern}'))",
        ),
        (
            "unknown price basis",
            "price_basis",
            "current or constant_YYYY",
            f"NOT ({price} IS NULL OR regexp_matches({price}, '{PRICE_BASES.pattern}'))",
        ),
        (
            "unknown exchange basis",
            "exchange_basis",
            "market or ppp",
            f"exchange_basis IS NOT NULL AND "
            f"{_text('exchange_basis')} NOT IN ({_sql_list(sorted(EXCHANGE_BASES))})",
        ),
        (
            "unknown period",
            "period",
            "calendar, fiscal or cumulative",
            f"{_text('period')} NOT IN ({_sql_list(sorted(PERIODS))})",
        ),
        ("impossible year", "year", "1900 to 2100", "NOT (year BETWEEN 1900 AND 2100)"),
        (
            "unknown missing marker",
            "missing",
            "no_data or not_existing",
            f"missing IS NOT NULL AND "
            f"{_text('missing')} NOT IN ({_sql_list(sorted(MISSING_KINDS))})",
        ),
        (
            "value is empty without a reason",
            "value",
            "a number or `missing`",
            f"NOT ({value_present} OR missing IS NOT NULL)",
        ),
        (
            "share of GDP outside [0, 100)",
            "value",
            "0 <= % of GDP < 100",
            f"{share} AND ({percent} < 0 OR ({percent} >= 100 AND NOT "
            f"({allowed_above_100 or 'false'})))",
        ),
        (
            "implausible share of GDP for an entity not in the documented outlier list",
            "value",
            f"< {SHARE_OF_GDP_PLAUSIBLE_MAX} % or an entry in SHARE_OF_GDP_OUTLIERS",
            f"{share} AND {percent} >= {SHARE_OF_GDP_PLAUSIBLE_MAX} AND {percent} < 100 "
            f"AND NOT coalesce({entity} IN ({outliers}), false)",
        ),
    )


def validate_observations(data: object, report: ValidationReport) -> None:
    """Check observations against the schema; add every problem to `report`.

    `data` is a pandas DataFrame or a pyarrow Table (typed loosely so that importing this module
    stays cheap); the checks are DuckDB SQL over it, so a Table is checked without pandas.
    Problems are reported check by check, rows in table order, each placed by the row's
    `locator` (sheet, row and column of the source cell) where it has one.
    """
    columns, _ = query_observations(data, "SELECT * FROM observations LIMIT 0")
    missing_columns = [c for c in OBSERVATION_COLUMNS if c not in columns]
    for column in missing_columns:
        report.add("column missing from observations", expected=column, column=column)
    if missing_columns:
        return

    checks = _row_checks()
    flags = [f"coalesce({condition}, true)" for *_, condition in checks]
    keys = ", ".join(f'"{c}"' for c in KEY_COLUMNS)
    # One pass says whether anything is wrong; rows are looked up only when something is.
    _, [(any_flagged, any_duplicate)] = query_observations(
        data,
        f"SELECT coalesce(bool_or({' OR '.join(flags)}), false), "
        f"count(DISTINCT hash({keys})) < count(*) FROM observations",
    )
    reported = sorted({column for _, column, _, _ in checks} | {"entity", "locator"})
    if any_flagged:
        rows = _numbered_rows(
            data, reported, f"[{', '.join(flags)}] AS failed", "list_bool_or(failed)"
        )
        for index, (message, column, expected, _) in enumerate(checks):
            for row in rows:
                if row["failed"][index]:
                    _add(report, row, message, column, expected)
    if any_duplicate:  # equal hashes; whether the keys are equal too is decided here
        duplicate = f"row_number() OVER (PARTITION BY {keys} ORDER BY _row_position) > 1"
        for row in _numbered_rows(data, reported, f"{duplicate} AS duplicate", "duplicate"):
            _add(report, row, "duplicate observation key", "entity", "one row per key")


def _numbered_rows(
    data: object, columns: list[str], computed: str, condition: str
) -> list[dict[str, Any]]:
    """The rows meeting `condition`, in table order, with `columns` and one `computed` column."""
    selected = ", ".join(f'"{c}"' for c in columns)
    names, rows = query_observations(
        data,
        f"""
        WITH numbered AS (
            SELECT * FROM observations POSITIONAL JOIN range(?) AS numbers(_row_position)
        )
        SELECT * FROM (SELECT _row_position, {selected}, {computed} FROM numbered)
        WHERE {condition} ORDER BY _row_position
        """,
        [_length(data)],
    )
    return [dict(zip(names, row, strict=True)) for row in rows]


def _length(data: object) -> int:
    return len(data)  # type: ignore[arg-type]


def _add(
    report: ValidationReport, row: dict[str, Any], message: str, column: str, expected: str
) -> None:
    sheet, cell_column, cell_row = split_locator(row["locator"])
    report.add(
        message,
        expected=expected,
        sheet=sheet,
        row=cell_row,
        column=f"{cell_column} ({column})" if cell_column else column,
        value=row[column],
    )
