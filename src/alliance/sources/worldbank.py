"""World Bank WDI files: the official bulk CSV of any indicator, and datahub.io's tidy repackagings.

Two layouts, one publisher (`source_id` 'wb'):

- The WDI bulk CSV `API_<INDICATOR>_DS2_en_csv_v2_*.csv`: four preamble lines (`"Data Source",
  "World Development Indicators"`, blank, `"Last Updated Date","YYYY-MM-DD"`, blank), then a header
  `Country Name, Country Code, Indicator Name, Indicator Code, 1960, ...` and one row per economy
  or aggregate; every line ends with a comma. UTF-8 with or without BOM, CRLF or LF. The edition
  is the 'Last Updated Date'; the dataset is the indicator code.
- datahub.io core tidy files (`Country Name,Country Code,Year,Value` for population, `Country,
  Country ID,Year,PPP` with ISO2 codes for PPP factors). They carry no date and the generic
  layout does not name its indicator, so `parse` needs `edition` (the datahub snapshot date) and,
  for the generic layout, `indicator_code`; without them the file is refused, never guessed.

Empty WDI cells produce no row (not a `no_data` row): most of a WDI file is empty, and a missing
row already says the World Bank has no figure. Reported zeros (Iceland's 0 armed forces) stay 0.
Country codes map to entities through `names/wb.csv` (ISO2 codes through `names/datahub.csv`);
aggregates (EUU, WLD, HIC, INX ...) become `wb:<CODE>` by that explicit table, so the importer
does not need WB's country metadata file.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from alliance.provenance import Edition, sha256_of
from alliance.sources import ParsedFile
from alliance.sources.names import resolve
from alliance.sources.tabular import (
    checked_edition,
    csv_lines,
    observation_frame,
    parse_number,
    read_text,
    refuse_if_empty,
    rows_of_width,
)
from alliance.validation import ValidationReport

if TYPE_CHECKING:
    pass

KIND: Final = "wb"
# A WDI bulk CSV is about 0.3 MB and the datahub population file 0.6 MB; anything far larger is
# not one of these files, and reading it whole would only waste memory.
MAX_BYTES: Final = 16 * 1024 * 1024

PREAMBLE: Final = ("Data Source", "World Development Indicators")
HEADER_LINE: Final = 5
BULK_HEADER: Final = ("Country Name", "Country Code", "Indicator Name", "Indicator Code")
POPULATION_STYLE_HEADER: Final = ("Country Name", "Country Code", "Year", "Value")
PPP_HEADER: Final = ("Country", "Country ID", "Year", "PPP")

PUBLISHER: Final = "World Bank"
LICENCE: Final = "CC BY 4.0"
DATAHUB_LICENCE: Final = "ODC PDDL 1.0 (datahub.io package); underlying World Bank data CC BY 4.0"
# --- layout ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorLayout:
    """How one WDI indicator code maps onto our observation columns (layouts/worldbank.csv)."""

    code: str
    title: str
    indicator: str
    unit: str
    currency: str | None
    price_basis: str | None
    exchange_basis: str | None
    definition: str
    datahub_url: str | None
    note: str

    def template(self, edition: str) -> dict[str, Any]:
        return {
            "source_id": KIND,
            "edition": edition,
            "dataset": self.code,
            "indicator": self.indicator,
            "unit": self.unit,
            "currency": self.currency,
            "price_basis": self.price_basis,
            "exchange_basis": self.exchange_basis,
            "definition": self.definition,
            "period": "calendar",
            "estimate": False,
            "estimate_kind": None,
            "missing": None,
            "note": None,
        }


@cache
def indicator_layouts() -> dict[str, IndicatorLayout]:
    text = resources.files("alliance.sources").joinpath("layouts", "worldbank.csv")
    rows = csv.DictReader(text.read_text("utf-8").splitlines())
    return {
        row["code"]: IndicatorLayout(
            code=row["code"],
            title=row["title"],
            indicator=row["indicator"],
            unit=row["unit"],
            currency=row["currency"] or None,
            price_basis=row["price_basis"] or None,
            exchange_basis=row["exchange_basis"] or None,
            definition=row["definition"],
            datahub_url=row["datahub_url"] or None,
            note=row["note"],
        )
        for row in rows
    }


def layout_for(code: str, report: ValidationReport, *, row: int | None = None) -> IndicatorLayout:
    layouts = indicator_layouts()
    if code not in layouts:
        report.add(
            f"indicator code {code!r} is not one this importer knows",
            expected=f"one of {', '.join(sorted(layouts))} (see sources/layouts/worldbank.csv)",
            row=row,
            column="Indicator Code",
            value=code,
        )
        report.raise_if_failed()
    return layouts[code]


# --- sniffing ----------------------------------------------------------------------------------


def _first_record(path: Path) -> tuple[str, ...]:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return ()
    text = head.decode("utf-8-sig", errors="replace")
    first_line = text.splitlines()[0] if text.strip() else ""
    return tuple(next(csv.reader([first_line]), []))


def sniff(path: Path) -> bool:
    """True for a WDI bulk CSV or a datahub.io WDI tidy file, judged by the first line."""
    first = _first_record(Path(path))
    return first[:2] == PREAMBLE or first in (POPULATION_STYLE_HEADER, PPP_HEADER)


# --- parsing -----------------------------------------------------------------------------------


def parse(
    path: Path, *, edition: str | None = None, indicator_code: str | None = None
) -> ParsedFile:
    """Parse a WDI bulk CSV (edition and indicator from the file) or a datahub.io tidy file.

    For a bulk CSV, `edition` and `indicator_code` must be None or agree with the file. For a
    datahub file, `edition` is required (the snapshot date), and `indicator_code` is required for
    the generic `Country Name,Country Code,Year,Value` layout (PPP files name their quantity).
    """
    path = Path(path)
    report = ValidationReport.for_path(path)
    text = read_text(path, MAX_BYTES, report, "a World Bank WDI CSV")
    lines = list(csv_lines(text))
    first = tuple(lines[0][1]) if lines else ()
    if first in (POPULATION_STYLE_HEADER, PPP_HEADER):
        return _parse_datahub(path, lines, report, edition, indicator_code)
    return _parse_bulk(path, lines, report, edition, indicator_code)


def _parse_bulk(
    path: Path,
    lines: list[tuple[int, list[str]]],
    report: ValidationReport,
    edition_override: str | None,
    code_override: str | None,
) -> ParsedFile:
    by_line = dict(lines)
    first = tuple(by_line.get(1, []))
    if first[:2] != PREAMBLE:
        report.add(
            "not a World Bank WDI bulk CSV: the first line is not the WDI preamble",
            expected='"Data Source","World Development Indicators"',
            row=1,
            value=",".join(first),
        )
        report.raise_if_failed()
    edition = _last_updated(by_line.get(3, []), report)
    header = _bulk_header(lines, report)
    report.raise_if_failed()
    years = header[len(BULK_HEADER) :]
    data = [(n, f) for n, f in lines if n > HEADER_LINE and any(cell.strip() for cell in f)]
    if not data:
        report.add("no data rows after the header", expected="one row per economy", row=6)
        report.raise_if_failed()
    code = data[0][1][3] if len(data[0][1]) > 3 else ""
    layout = layout_for(code, report, row=data[0][0])
    _check_override("edition", edition_override, edition, report)
    _check_override("indicator_code", code_override, code, report)
    records = _bulk_records(data, header, years, layout, edition, report)
    refuse_if_empty(records, report, "at least one figure")
    report.raise_if_failed()
    indicator_name = data[0][1][2]
    return ParsedFile.from_frame(
        edition=_bulk_edition(path, edition, layout, indicator_name),
        frame=observation_frame(records),
        report=ValidationReport.for_path(path),
    )


def _last_updated(fields: list[str], report: ValidationReport) -> str:
    value = fields[1] if len(fields) > 1 and fields[0] == "Last Updated Date" else ""
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        report.add(
            "no valid 'Last Updated Date' on line 3",
            expected='"Last Updated Date","YYYY-MM-DD"',
            row=3,
            value=",".join(fields),
        )
    return value


def _bulk_header(lines: list[tuple[int, list[str]]], report: ValidationReport) -> list[str]:
    """The header fields without the trailing empty column; problems if moved or malformed."""
    found = next((n for n, f in lines if tuple(f[:4]) == BULK_HEADER), None)
    if found != HEADER_LINE:
        where = f"found on line {found}" if found else "not found"
        report.add(
            f"header row {where}",
            expected=f"'Country Name,Country Code,...' on line {HEADER_LINE}, after the preamble",
            row=found or HEADER_LINE,
        )
        return []
    header = dict(lines)[HEADER_LINE]
    while header and not header[-1].strip():
        header = header[:-1]
    previous = None
    for index, cell in enumerate(header[len(BULK_HEADER) :], start=len(BULK_HEADER) + 1):
        year = int(cell) if cell.isdigit() else None
        if year is None or (previous is not None and year != previous + 1):
            report.add(
                "year header not a consecutive year",
                expected=f"{previous + 1}" if previous else "a year such as 1960",
                row=HEADER_LINE,
                column=f"field {index}",
                value=cell,
            )
        previous = year
    return header


def _bulk_records(
    data: list[tuple[int, list[str]]],
    header: list[str],
    years: list[str],
    layout: IndicatorLayout,
    edition: str,
    report: ValidationReport,
) -> list[dict[str, Any]]:
    template = layout.template(edition)
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    width = len(header)
    for line, fields in data:
        cells = fields[:-1] if len(fields) == width + 1 and not fields[-1].strip() else fields
        if len(cells) != width:
            report.add(
                f"row has {len(cells)} fields, the header {width}",
                expected=f"{width} fields (a truncated or edited row?)",
                row=line,
                value=",".join(fields)[:80],
            )
            continue
        if cells[3] != layout.code:
            report.add(
                "indicator code differs from the rest of the file",
                expected=layout.code,
                row=line,
                column="Indicator Code",
                value=cells[3],
            )
        country_code = cells[1].strip()
        entity = resolve(country_code, KIND, report, row=line, column="Country Code")
        if country_code in seen:
            report.add(
                f"country code {country_code!r} appears twice (first on line {seen[country_code]})",
                expected="each economy once",
                row=line,
                column="Country Code",
                value=country_code,
            )
            continue
        seen[country_code] = line
        for year, cell in zip(years, cells[len(BULK_HEADER) :], strict=True):
            if not cell.strip():
                continue
            value = parse_number(cell)
            if value is None:
                report.add(
                    "not a number",
                    expected="a number or an empty field",
                    row=line,
                    column=year,
                    value=cell,
                )
            elif entity:
                records.append(
                    {
                        **template,
                        "entity": entity,
                        "year": int(year),
                        "value": value,
                        "locator": f"line {line}",
                    }
                )
    return records


def _check_override(name: str, given: str | None, found: str, report: ValidationReport) -> None:
    if given is not None and given != found:
        report.add(
            f"{name} {given!r} contradicts the file",
            expected=f"None or {found!r} (the file states it)",
            value=given,
        )


def _bulk_edition(path: Path, edition: str, layout: IndicatorLayout, name: str) -> Edition:
    url = f"https://data.worldbank.org/indicator/{layout.code}"
    notes = " ".join(
        part
        for part in (
            layout.note,
            "Empty cells in the file produce no rows. Aggregates are wb:<CODE> entities.",
        )
        if part
    )
    return Edition(
        source_id=KIND,
        edition=edition,
        dataset=layout.code,
        publisher=PUBLISHER,
        title=f"World Development Indicators: {name} ({layout.code})",
        published=edition,
        url=url,
        licence=LICENCE,
        citation=(
            f"World Bank, World Development Indicators: {name} ({layout.code}), "
            f"last updated {edition}. {url}. Licence: {LICENCE}."
        ),
        file_name=path.name,
        sha256=sha256_of(path),
        notes=notes,
    )


# --- datahub.io tidy files -------------------------------------------------------------------


def _parse_datahub(
    path: Path,
    lines: list[tuple[int, list[str]]],
    report: ValidationReport,
    edition: str | None,
    indicator_code: str | None,
) -> ParsedFile:
    header = tuple(lines[0][1])
    iso2 = header == PPP_HEADER
    if iso2 and indicator_code is None:
        indicator_code = "PA.NUS.PPP"
    if indicator_code is None:
        report.add(
            "indicator code not given: this datahub.io layout does not name its indicator",
            expected="indicator_code='SP.POP.TOTL' (or another WDI code)",
        )
    edition = checked_edition(
        edition, report, "datahub.io files carry no date; pass the snapshot date"
    )
    assert indicator_code is not None
    layout = layout_for(indicator_code, report)
    if layout.datahub_url is None:
        report.add(
            f"no datahub.io package known for {layout.code}",
            expected="a code with a datahub_url in sources/layouts/worldbank.csv",
            value=layout.code,
        )
        report.raise_if_failed()
    names_kind = "datahub" if iso2 else KIND
    records = _datahub_records(lines[1:], header, layout, edition, names_kind, report)
    refuse_if_empty(records, report, "at least one figure")
    report.raise_if_failed()
    return ParsedFile.from_frame(
        edition=_datahub_edition(path, edition, layout),
        frame=observation_frame(records),
        report=ValidationReport.for_path(path),
    )


def _datahub_records(
    lines: list[tuple[int, list[str]]],
    header: tuple[str, ...],
    layout: IndicatorLayout,
    edition: str,
    names_kind: str,
    report: ValidationReport,
) -> list[dict[str, Any]]:
    template = layout.template(edition)
    records: list[dict[str, Any]] = []
    seen: dict[tuple[str, int], int] = {}
    for line, fields in rows_of_width(lines, len(header), report):
        code, year_text, value_text = fields[1].strip(), fields[2].strip(), fields[3].strip()
        entity = resolve(code, names_kind, report, row=line, column=header[1])
        year = int(year_text) if year_text.isdigit() else None
        value = parse_number(value_text)
        if year is None:
            report.add(
                "not a year",
                expected="a year such as 2024",
                row=line,
                column=header[2],
                value=year_text,
            )
        if value is None:
            report.add(
                "not a number", expected="a number", row=line, column=header[3], value=value_text
            )
        if year is None or value is None or not entity:
            continue
        if (code, year) in seen:
            report.add(
                f"{code} {year} appears twice (first on line {seen[code, year]})",
                expected="each economy and year once",
                row=line,
                column=header[1],
                value=code,
            )
            continue
        seen[code, year] = line
        records.append(
            {**template, "entity": entity, "year": year, "value": value, "locator": f"line {line}"}
        )
    return records


def _datahub_edition(path: Path, edition: str, layout: IndicatorLayout) -> Edition:
    url = layout.datahub_url or ""
    return Edition(
        source_id=KIND,
        edition=edition,
        dataset=layout.code,
        publisher=f"{PUBLISHER} (packaged by datahub.io)",
        title=f"World Development Indicators: {layout.title} ({layout.code}), datahub.io core",
        published=None,
        url=url,
        licence=DATAHUB_LICENCE,
        citation=(
            f"World Bank, World Development Indicators: {layout.title} ({layout.code}), "
            f"via datahub.io ({url}), snapshot {edition}. Licence: {LICENCE}."
        ),
        file_name=path.name,
        sha256=sha256_of(path),
        notes=(
            f"Edition {edition} is the date of the datahub.io snapshot, supplied by the caller: "
            "the file states no WDI vintage. " + layout.note
        ).strip(),
    )
