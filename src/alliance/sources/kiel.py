"""Kiel Institute Ukraine Support Tracker: the country summary tables (`Country Summary (€)`/`($)`).

The CSVs are the tracker's "Country Summary" sheets with snake_cased headers: one row per donor
(countries and `EU (Commission and Council)`), amounts in billions, shares in percent of the
donor's 2021 GDP. The columns we read, and the indicator each feeds, are in `layouts/kiel.csv`.
Figures are bilateral: a member state's share of EU-level aid is not in its allocations.

Currency: the file does not print it, but its published share of GDP does fix it. The share is
`total_bilateral_allocations / GDP 2021 * 100` with GDP in the amounts' currency, and the file holds
GDP 2021 in both euros (`gdp_2021__billion`) and US dollars (`gdp_2021_us_billion`); whichever
reproduces the shares is the currency. A `currency` argument that contradicts it is refused.

Edition: the data cut-off (`'2024-08-31'`), which the file does not state, so `parse` needs it.
The figures are cumulative from the tracker's start (24 January 2022) to the cut-off, labelled as
Kiel labels them: `period` is `cumulative`, `note` and the edition's title and citation say
"24 Jan 2022 – 31 Aug 2024, cumulative", and `year` is the year the span ends (the cut-off's),
so that a figure stands beside the calendar-year figures of its last year without being one.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from alliance.provenance import Edition, sha256_of
from alliance.sources import ParsedFile
from alliance.sources.names import resolve
from alliance.sources.tabular import (
    csv_lines,
    first_line,
    observation_frame,
    parse_number,
    read_text,
    refuse_if_empty,
    rows_of_width,
)
from alliance.validation import ValidationReport

KIND: Final = "kiel"
# A country summary is about 23 kB.
MAX_BYTES: Final = 2 * 1024 * 1024

TRACKER_START: Final = dt.date(2022, 1, 24)
# English month abbreviations, independent of the process locale.
MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DONOR: Final = "country"
GDP_COLUMNS: Final = {"EUR": "gdp_2021__billion", "USD": "gdp_2021_us_billion"}
SHARE_COLUMN: Final = "total_bilateral_allocations__2021_gdp"
ALLOCATED_TOTAL: Final = "total_bilateral_allocations__billion"
# Kiel's totals are the sums of these parts; a row where they are not was edited or misread.
TOTALS: Final = {
    ALLOCATED_TOTAL: (
        "financial_allocations__billion",
        "humanitarian_allocations__billion",
        "military_allocations__billion",
    ),
    "total_bilateral_commitments__billion": (
        "financial_commitments__billion",
        "humanitarian_commitments__billion",
        "military_commitments__billion",
    ),
}
# Relative tolerance for "equal" in the two checks above: the file holds full floats.
TOLERANCE: Final = 1e-6

PUBLISHER: Final = "Kiel Institute for the World Economy (IfW Kiel)"
URL: Final = "https://www.ifw-kiel.de/topics/war-against-ukraine/ukraine-support-tracker/"
LICENCE: Final = "No explicit licence; published freely with a request to cite the Kiel Institute"


@cache
def column_layout() -> dict[str, tuple[str, str]]:
    """File column -> (indicator, unit), from layouts/kiel.csv."""
    text = resources.files("alliance.sources").joinpath("layouts", "kiel.csv").read_text("utf-8")
    return {
        row["column"]: (row["indicator"], row["unit"]) for row in csv.DictReader(text.splitlines())
    }


def required_columns() -> list[str]:
    parts = [part for group in TOTALS.values() for part in group]
    return list(dict.fromkeys([DONOR, *column_layout(), *GDP_COLUMNS.values(), *parts]))


def sniff(path: Path) -> bool:
    """True when the header has the donor column and the Kiel allocation and GDP columns."""
    first = first_line(path, 8192)
    if first is None:
        return False
    try:
        header = next(csv.reader([first]), [])
    except csv.Error:  # binary data (an xlsx, say): a stray carriage return in the "line"
        return False
    return bool(header) and header[0] == DONOR and set(required_columns()) <= set(header)


def parse(path: Path, *, edition: str | None = None, currency: str | None = None) -> ParsedFile:
    """Parse a country summary; `edition` is the data cut-off date, YYYY-MM-DD (required)."""
    path = Path(path)
    report = ValidationReport.for_path(path)
    text = read_text(path, MAX_BYTES, report, "a Kiel Ukraine Support Tracker country summary")
    lines = list(csv_lines(text))
    header = lines[0][1]
    missing = [column for column in required_columns() if column not in header]
    for column in missing:
        report.add("column missing", expected=column, row=lines[0][0], column=column)
    cut_off = _cut_off(edition, report)
    report.raise_if_failed()
    assert cut_off is not None and edition is not None
    rows = _rows(lines[1:], header, report)
    found_currency = _currency(rows, report)
    if currency is not None and found_currency is not None and currency != found_currency:
        report.add(
            f"currency {currency!r} contradicts the file: its shares of GDP are computed "
            f"from GDP in {found_currency}",
            expected=f"None or {found_currency!r}",
            value=currency,
        )
    report.raise_if_failed()
    assert found_currency is not None
    records = _records(rows, edition, cut_off, found_currency)
    refuse_if_empty(records, report, "at least one donor")
    report.raise_if_failed()
    return ParsedFile.from_frame(
        edition=_edition_record(path, edition, cut_off, found_currency),
        frame=observation_frame(records),
        report=ValidationReport.for_path(path),
    )


def _cut_off(edition: str | None, report: ValidationReport) -> dt.date | None:
    if edition is None:
        report.add(
            "edition not given: the file does not state its data cut-off",
            expected="edition='YYYY-MM-DD', the cut-off date (e.g. '2024-08-31')",
        )
        return None
    try:
        return dt.date.fromisoformat(edition)
    except ValueError:
        report.add("malformed edition id", expected="YYYY-MM-DD, the cut-off", value=edition)
        return None


Row = tuple[int, str, dict[str, float]]  # (line, entity, numbers by column)


def _rows(
    lines: list[tuple[int, list[str]]], header: list[str], report: ValidationReport
) -> list[Row]:
    """Donor rows with their numeric columns, each cell and total checked."""
    rows: list[Row] = []
    seen: dict[str, int] = {}
    wanted = [column for column in required_columns() if column != DONOR]
    for line, fields in rows_of_width(lines, len(header), report):
        cells = dict(zip(header, fields, strict=True))
        entity = resolve(cells[DONOR], KIND, report, row=line, column=DONOR)
        numbers = {column: _number(cells[column], column, line, report) for column in wanted}
        if entity and entity in seen:
            report.add(
                f"donor {cells[DONOR]!r} appears twice (first on line {seen[entity]})",
                expected="each donor once",
                row=line,
                column=DONOR,
                value=cells[DONOR],
            )
            continue
        if not entity or any(value is None for value in numbers.values()):
            continue
        seen[entity] = line
        checked = {column: value for column, value in numbers.items() if value is not None}
        _check_totals(checked, line, report)
        rows.append((line, entity, checked))
    return rows


def _number(text: str, column: str, line: int, report: ValidationReport) -> float | None:
    value = parse_number(text)
    if value is None or value < 0:
        report.add(
            "not a non-negative number",
            expected="an amount or share >= 0",
            row=line,
            column=column,
            value=text,
        )
        return None
    return value


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def _check_totals(numbers: dict[str, float], line: int, report: ValidationReport) -> None:
    for total, parts in TOTALS.items():
        summed = sum(numbers[part] for part in parts)
        if not _close(summed, numbers[total]):
            report.add(
                f"{total} is not the sum of its parts ({summed:.6f})",
                expected=" + ".join(parts),
                row=line,
                column=total,
                value=numbers[total],
            )


def _currency(rows: list[Row], report: ValidationReport) -> str | None:
    """The currency whose 2021 GDP reproduces every published share of GDP."""
    fitting = [
        currency
        for currency, gdp_column in GDP_COLUMNS.items()
        if rows
        and all(
            numbers[gdp_column] > 0
            and _close(numbers[ALLOCATED_TOTAL] / numbers[gdp_column] * 100, numbers[SHARE_COLUMN])
            for _, _, numbers in rows
        )
    ]
    if len(fitting) != 1 and report.ok:
        report.add(
            "cannot tell the currency: the shares of 2021 GDP match "
            + ("neither" if not fitting else "both")
            + " the euro and the dollar GDP columns",
            expected=f"{SHARE_COLUMN} = {ALLOCATED_TOTAL} / GDP 2021 * 100 in EUR or USD",
            column=SHARE_COLUMN,
        )
        return None
    return fitting[0] if fitting else None


def _day(date: dt.date) -> str:
    """'31 Aug 2024': day without a leading zero, English month (Kiel's own style)."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def period_label(cut_off: dt.date | str) -> str:
    """'24 Jan 2022 – 31 Aug 2024, cumulative' for a cut-off (a date or an edition id)."""
    end = dt.date.fromisoformat(cut_off) if isinstance(cut_off, str) else cut_off
    return f"{_day(TRACKER_START)} – {_day(end)}, cumulative"


def _records(
    rows: list[Row], edition: str, cut_off: dt.date, currency: str
) -> list[dict[str, Any]]:
    note = period_label(cut_off)
    template = {
        "source_id": KIND,
        "edition": edition,
        "dataset": f"country_summary_{currency.lower()}",
        "year": cut_off.year,
        "price_basis": "current",
        "exchange_basis": None,
        "definition": KIND,
        "period": "cumulative",
        "estimate": False,
        "estimate_kind": None,
        "missing": None,
        "note": note,
    }
    records: list[dict[str, Any]] = []
    for line, entity, numbers in rows:
        for column, (indicator, unit) in column_layout().items():
            records.append(
                {
                    **template,
                    "entity": entity,
                    "indicator": indicator,
                    "value": numbers[column],
                    "unit": unit,
                    "currency": None if unit == "percent" else currency,
                    "locator": f"line {line}",
                }
            )
    return records


def _edition_record(path: Path, edition: str, cut_off: dt.date, currency: str) -> Edition:
    symbol = {"EUR": "€", "USD": "$"}[currency]
    span = period_label(cut_off)
    return Edition(
        source_id=KIND,
        edition=edition,
        dataset=f"country_summary_{currency.lower()}",
        publisher=PUBLISHER,
        title=f"Ukraine Support Tracker, Country Summary ({symbol}), {span}",
        published=None,
        url=URL,
        licence=LICENCE,
        citation=f"Trebesch, C. et al., Ukraine Support Tracker, {PUBLISHER}, data {span}. {URL}",
        file_name=path.name,
        sha256=sha256_of(path),
        notes=(
            f"Figures {span} (period 'cumulative'; year {cut_off.year}, the year the span "
            "ends); edition = data cut-off, supplied by the caller. Bilateral aid only (a "
            "member's share of EU aid is not included). Shares are percent of the donor's 2021 "
            f"GDP. Currency {currency} determined from the file's GDP columns."
        ),
    )
