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
from typing import Final

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
    "period": "VARCHAR",  # calendar | fiscal
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
    "ukraine_aid_allocated": "Aid to Ukraine allocated (delivered or earmarked)",
    "ukraine_aid_committed": "Aid to Ukraine committed (promised)",
    "ukraine_aid_military_allocated": "Military aid to Ukraine allocated",
    "ukraine_aid_military_committed": "Military aid to Ukraine committed",
    "ukraine_aid_financial_allocated": "Financial aid to Ukraine allocated",
    "ukraine_aid_humanitarian_allocated": "Humanitarian aid to Ukraine allocated",
    "ukraine_aid_allocated_share_gdp": "Aid to Ukraine allocated, percent of donor's 2021 GDP",
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
PERIODS: Final = frozenset({"calendar", "fiscal"})
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


def validate_observations(frame: object, report: ValidationReport) -> None:
    """Check an observation frame against the schema; add every problem to `report`.

    `frame` is a pandas DataFrame (typed loosely so that importing this module stays cheap).
    Row numbers in problems are the frame's `locator` where present, else its position.
    """
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    missing_columns = [c for c in OBSERVATION_COLUMNS if c not in frame.columns]
    for column in missing_columns:
        report.add("column missing from observations", expected=column, column=column)
    if missing_columns:
        return

    def flag(mask: pd.Series, message: str, column: str, expected: str) -> None:
        for index in frame.index[mask.fillna(True).astype(bool)]:
            row = frame.loc[index]
            sheet, cell_column, cell_row = split_locator(row["locator"])
            report.add(
                message,
                expected=expected,
                sheet=sheet,
                row=cell_row,
                column=f"{cell_column} ({column})" if cell_column else column,
                value=row[column],
            )

    flag(frame["source_id"].isna(), "observation without a source", "source_id", "a source id")
    flag(frame["edition"].isna(), "observation without an edition", "edition", "an edition id")
    flag(~frame["indicator"].isin(list(INDICATORS)), "unknown indicator", "indicator", "INDICATORS")
    flag(~frame["unit"].isin(list(UNITS)), "unknown unit", "unit", ", ".join(sorted(UNITS)))
    entity_ok = frame["entity"].astype("string").str.match(AGGREGATE_ENTITY.pattern) | frame[
        "entity"
    ].astype("string").str.match(COUNTRY_ENTITY.pattern)
    flag(~entity_ok, "malformed entity", "entity", "ISO3 or <source>:<CODE>")
    price_ok = frame["price_basis"].isna() | frame["price_basis"].astype("string").str.match(
        PRICE_BASES.pattern
    )
    flag(~price_ok, "unknown price basis", "price_basis", "current or constant_YYYY")
    exchange_ok = frame["exchange_basis"].isna() | frame["exchange_basis"].isin(
        list(EXCHANGE_BASES)
    )
    flag(~exchange_ok, "unknown exchange basis", "exchange_basis", "market or ppp")
    flag(~frame["period"].isin(list(PERIODS)), "unknown period", "period", "calendar or fiscal")
    year_ok = frame["year"].between(1900, 2100)
    flag(~year_ok, "impossible year", "year", "1900 to 2100")
    missing_ok = frame["missing"].isna() | frame["missing"].isin(list(MISSING_KINDS))
    flag(~missing_ok, "unknown missing marker", "missing", "no_data or not_existing")
    value_or_reason = frame["value"].notna() | frame["missing"].notna()
    flag(~value_or_reason, "value is empty without a reason", "value", "a number or `missing`")

    share = (frame["indicator"] == "defence_expenditure_share_gdp") & frame["value"].notna()
    scale = frame["unit"].map({"percent": 1.0, "fraction": 100.0}).fillna(1.0)
    percent = frame["value"] * scale
    allowed_above_100 = pd.Series(
        pd.MultiIndex.from_arrays([frame["entity"], frame["year"]]).isin(
            list(SHARE_OF_GDP_ABOVE_100)
        ),
        index=frame.index,
    )
    out_of_range = share & ((percent < 0) | ((percent >= 100) & ~allowed_above_100))
    flag(out_of_range, "share of GDP outside [0, 100)", "value", "0 <= % of GDP < 100")
    implausible = (
        share
        & (percent >= SHARE_OF_GDP_PLAUSIBLE_MAX)
        & (percent < 100)
        & ~frame["entity"].isin(list(SHARE_OF_GDP_OUTLIERS))
    )
    flag(
        implausible,
        "implausible share of GDP for an entity not in the documented outlier list",
        "value",
        f"< {SHARE_OF_GDP_PLAUSIBLE_MAX} % or an entry in SHARE_OF_GDP_OUTLIERS",
    )

    duplicated = frame.duplicated(list(KEY_COLUMNS), keep="first")
    flag(duplicated, "duplicate observation key", "entity", "one row per key")
