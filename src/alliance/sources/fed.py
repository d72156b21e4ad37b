"""Federal Reserve H.10 annual exchange rates, as packaged by datahub.io (core/exchange-rates).

Layout: `Date,Country,Exchange rate`, one row per currency and year, the date `YYYY-01-01`.
Every value is units of the currency per US dollar (`exchange_rate`, unit `ratio`, `currency` the
ISO 4217 code). FRED quotes the euro, the Australian and New Zealand dollars and the pound as US
dollars per unit (DEXUSEU, DEXUSAL, DEXUSNZ, DEXUSUK); datahub.io publishes their reciprocals
(euro 2024: 0.9242 = 1 / 1.0820), so nothing is inverted here and those rows say so in `note`.
These are Fed noon buying rates in New York, not ECB reference rates (ECB 2024: 1.0824 USD/EUR).

Entity rule: the issuer of the currency, ISO3 for a national currency (Japan -> JPN, JPY) and
`fed:EURO_AREA` for the euro, a currency union rather than a country. Consumers wanting EUR per
USD filter `indicator = 'exchange_rate' and currency = 'EUR'`.

The file states no date, so `parse` needs `edition` (the datahub.io snapshot, e.g. '2026-03').
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final, NamedTuple

from alliance.provenance import Edition, sha256_of
from alliance.sources import ParsedFile
from alliance.sources.tabular import (
    checked_edition,
    csv_lines,
    first_line,
    observation_frame,
    parse_number,
    read_text,
    refuse_if_empty,
    rows_of_width,
)
from alliance.validation import ValidationReport

KIND: Final = "fed"
# The datahub file is 28 kB; a daily series would be ~6 MB and is a different layout.
MAX_BYTES: Final = 4 * 1024 * 1024
HEADER: Final = ("Date", "Country", "Exchange rate")


class Currency(NamedTuple):
    entity: str
    code: str  # ISO 4217
    fred_quotes_usd_per_unit: bool


# The H.10 release's currencies, by the name datahub.io gives them. GBP is not in the 2026 file but
# is an H.10 currency quoted USD per pound, so a later file with it needs no code change.
CURRENCIES: Final[dict[str, Currency]] = {
    "Australia": Currency("AUS", "AUD", True),
    "Brazil": Currency("BRA", "BRL", False),
    "Canada": Currency("CAN", "CAD", False),
    "China": Currency("CHN", "CNY", False),
    "Denmark": Currency("DNK", "DKK", False),
    "Euro": Currency("fed:EURO_AREA", "EUR", True),
    "Hong Kong": Currency("HKG", "HKD", False),
    "India": Currency("IND", "INR", False),
    "Japan": Currency("JPN", "JPY", False),
    "Malaysia": Currency("MYS", "MYR", False),
    "Mexico": Currency("MEX", "MXN", False),
    "New Zealand": Currency("NZL", "NZD", True),
    "Norway": Currency("NOR", "NOK", False),
    "Singapore": Currency("SGP", "SGD", False),
    "South Africa": Currency("ZAF", "ZAR", False),
    "South Korea": Currency("KOR", "KRW", False),
    "Sweden": Currency("SWE", "SEK", False),
    "Switzerland": Currency("CHE", "CHF", False),
    "Taiwan": Currency("TWN", "TWD", False),
    "Thailand": Currency("THA", "THB", False),
    "United Kingdom": Currency("GBR", "GBP", True),
}
# Rows deliberately not imported, with the reason.
SKIPPED: Final[dict[str, str]] = {
    "Venezuela": "the series runs through the VEB, VEF and VES redenominations (2008, 2018, 2021) "
    "without saying which unit each year is in, so no single currency code is true",
}

PUBLISHER: Final = (
    "Board of Governors of the Federal Reserve System (via FRED, packaged by datahub.io)"
)
URL: Final = "https://datahub.io/core/exchange-rates"
LICENCE: Final = "ODC PDDL 1.0 (datahub.io package); Federal Reserve data are public domain"


def sniff(path: Path) -> bool:
    """True when the first line is the datahub.io exchange-rates header."""
    first = first_line(path, 256)
    return first is not None and tuple(first.split(",")) == HEADER


def parse(path: Path, *, edition: str | None = None) -> ParsedFile:
    """Parse the annual file; `edition` is required (the datahub.io snapshot, e.g. '2026-03')."""
    path = Path(path)
    report = ValidationReport.for_path(path)
    text = read_text(path, MAX_BYTES, report, "the datahub.io FRED H.10 annual exchange rates")
    lines = list(csv_lines(text))
    if tuple(lines[0][1]) != HEADER:
        report.add(
            "not the datahub.io exchange-rates layout",
            expected=",".join(HEADER),
            row=lines[0][0],
            value=",".join(lines[0][1]),
        )
        report.raise_if_failed()
    edition = checked_edition(edition, report, "the file carries no date; pass the snapshot date")
    records = _records(lines[1:], edition, report)
    refuse_if_empty(records, report, "at least one exchange rate")
    report.raise_if_failed()
    return ParsedFile.from_frame(
        edition=_edition_record(path, edition),
        frame=observation_frame(records),
        report=ValidationReport.for_path(path),
    )


def _records(
    lines: list[tuple[int, list[str]]], edition: str, report: ValidationReport
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    seen: dict[tuple[str, int], int] = {}
    for line, fields in rows_of_width(lines, len(HEADER), report):
        date, name, value_text = (field.strip() for field in fields)
        year = _year(date, report, line)
        value = parse_number(value_text)
        if value is None or value <= 0:
            report.add(
                "not a positive number",
                expected="units of currency per USD",
                row=line,
                column="Exchange rate",
                value=value_text,
            )
        currency = CURRENCIES.get(name)
        if currency is None and name not in SKIPPED:
            report.add(
                f"currency name {name!r} is not in the fed currency table",
                expected=f"one of {', '.join(sorted(CURRENCIES))} (alliance/sources/fed.py)",
                row=line,
                column="Country",
                value=name,
            )
        if currency is None or year is None or value is None or value <= 0:
            continue
        if (name, year) in seen:
            report.add(
                f"{name} {year} appears twice (first on line {seen[name, year]})",
                expected="one rate per currency and year",
                row=line,
                column="Date",
                value=date,
            )
            continue
        seen[name, year] = line
        records.append(_record(currency, edition, year, value, line))
    return records


def _year(date: str, report: ValidationReport, line: int) -> int | None:
    year, _, rest = date.partition("-")
    if year.isdigit() and len(year) == 4 and rest == "01-01":
        return int(year)
    report.add("not an annual date", expected="YYYY-01-01", row=line, column="Date", value=date)
    return None


def _record(currency: Currency, edition: str, year: int, value: float, line: int) -> dict[str, Any]:
    note = (
        f"FRED quotes USD per {currency.code}; datahub.io publishes the reciprocal, "
        f"{currency.code} per USD"
        if currency.fred_quotes_usd_per_unit
        else None
    )
    return {
        "source_id": KIND,
        "edition": edition,
        "dataset": "exchange-rates-annual",
        "entity": currency.entity,
        "year": year,
        "indicator": "exchange_rate",
        "value": value,
        "unit": "ratio",
        "currency": currency.code,
        "price_basis": None,
        "exchange_basis": "market",
        "definition": KIND,
        "period": "calendar",
        "estimate": False,
        "estimate_kind": None,
        "missing": None,
        "note": note,
        "locator": f"line {line}",
    }


def _edition_record(path: Path, edition: str) -> Edition:
    return Edition(
        source_id=KIND,
        edition=edition,
        dataset="exchange-rates-annual",
        publisher=PUBLISHER,
        title="H.10 Foreign Exchange Rates, annual averages (datahub.io core/exchange-rates)",
        published=None,
        url=URL,
        licence=LICENCE,
        citation=(
            "Board of Governors of the Federal Reserve System, H.10 Foreign Exchange Rates "
            "(annual averages of noon buying rates in New York), via FRED and datahub.io "
            f"core/exchange-rates ({URL}), snapshot {edition}. "
            "https://www.federalreserve.gov/releases/h10/"
        ),
        file_name=path.name,
        sha256=sha256_of(path),
        notes=(
            f"Edition {edition} is the datahub.io snapshot, supplied by the caller: the file "
            "states no date. Values are units of currency per USD; EUR, AUD, NZD and GBP are "
            "published by datahub.io as reciprocals of FRED's USD-per-unit quotes. Venezuela is "
            f"not imported: {SKIPPED['Venezuela']}. Fed noon buying rates, not ECB reference rates."
        ),
    )
