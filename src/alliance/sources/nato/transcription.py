"""A CSV transcription of the report's '% of GDP' table (`country,2014,...,2024e,2025e`).

NATO published its August 2025 report as a PDF only; a transcription has no metadata, so its
edition comes from `KNOWN_RELEASES` and its citation names the transcriber (`KNOWN_TRANSCRIPTIONS`,
keyed by the file's sha256). The press-quoted 2025 figures
(`nato_2025e_pct_gdp_PARTIAL_from_press.csv`) are all in the transcription, so they are never
imported: `cross_check_press` compares them with it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from alliance.provenance import Edition, sha256_of
from alliance.sources import ParsedFile
from alliance.sources.names import SKIP, resolve
from alliance.sources.nato.layout import Measure
from alliance.sources.nato.records import INVALID, record, validated
from alliance.sources.nato.releases import (
    KNOWN_RELEASES,
    KNOWN_TRANSCRIPTIONS,
    LICENCE,
    PUBLISHER,
    SOURCE_ID,
    TRANSCRIPTION_DATASET,
)
from alliance.validation import ValidationReport

KIND: Final = "nato"
_TRANSCRIPTION_YEAR: Final = re.compile(r"^(\d{4})(e?)$")


def is_transcription_header(header: list[str]) -> bool:
    return (
        len(header) >= 3
        and header[0].strip().lower() == "country"
        and all(_TRANSCRIPTION_YEAR.match(cell.strip()) for cell in header[1:])
    )


def parse_transcription(
    path: Path, text: str, report: ValidationReport, warnings: ValidationReport
) -> ParsedFile | None:
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip() for cell in rows[0]]
    years = [
        (int(m.group(1)), bool(m.group(2))) for m in map(_TRANSCRIPTION_YEAR.match, header[1:]) if m
    ]
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            report.add(
                f"{len(row)} fields", expected=f"{len(header)} fields like the header", row=line
            )
            continue
        entity = resolve(row[0], KIND, report, row=line, column=header[0])
        if entity is None or entity == SKIP:
            continue
        if entity in seen:
            report.add(
                f"{row[0].strip()!r} appears twice",
                expected=f"one line per country (first on line {seen[entity]})",
                row=line,
                column=header[0],
                value=row[0],
            )
            continue
        seen[entity] = line
        for (year, estimate), column, cell in zip(years, header[1:], row[1:], strict=True):
            value = _csv_number(cell, report, line, column)
            if value is INVALID:
                continue
            figure = _transcription_record(entity, year, estimate, value)
            figure["locator"] = f"line {line}"
            records.append(figure)
    edition = _transcription_edition(path, years, report, warnings)
    return validated(edition, records, report, warnings)


def _csv_number(cell: str, report: ValidationReport, line: int, column: str) -> Any:
    text = cell.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isfinite(value):
        return value
    report.add(
        "text in a numeric cell", expected="a number or empty", row=line, column=column, value=cell
    )
    return INVALID


def _transcription_record(
    entity: str, year: int, estimate: bool, value: float | None
) -> dict[str, Any]:
    # The 2025 report's shares are of real GDP at 2021 prices (SOURCES.md §4, cross-checks).
    measure = Measure("defence_expenditure_share_gdp", "percent", None, "constant_2021", None)
    figure = record(measure, entity, year, estimate, value, None, None)
    figure["dataset"] = TRANSCRIPTION_DATASET
    return figure


def _transcription_edition(
    path: Path,
    years: list[tuple[int, bool]],
    report: ValidationReport,
    warnings: ValidationReport,
) -> Edition | None:
    first, last = years[0][0], years[-1][0]
    release = KNOWN_RELEASES.get(last)
    if release is None:
        report.add(
            f"cannot date a transcription of NATO's {last} report: no such release in "
            "KNOWN_RELEASES",
            expected=f"a report year in {sorted(KNOWN_RELEASES)}",
            column=f"{years[-1][0]}",
        )
        return None
    digest = sha256_of(path)
    transcription = KNOWN_TRANSCRIPTIONS.get(digest)
    if transcription is None:
        warnings.add(
            "transcription of unknown origin: cited as such",
            expected="a file listed in KNOWN_TRANSCRIPTIONS",
            value=digest,
        )
    by = (
        f"transcribed by {transcription.transcriber} ({transcription.origin})"
        if transcription
        else "transcribed by an unknown party"
    )
    title = f"Defence Expenditure of NATO Countries ({first}-{last})"
    report_url = release.report_url or release.url
    return Edition(
        source_id=SOURCE_ID,
        edition=release.published[:7],
        dataset=TRANSCRIPTION_DATASET,
        publisher=PUBLISHER,
        title=title,
        published=release.published,
        url=report_url,
        licence=LICENCE,
        citation=f"{PUBLISHER}, '{title}', {release.published}, {report_url}; "
        f"defence expenditure as a share of real GDP, {by}. A transcription, not NATO's file.",
        file_name=path.name,
        sha256=digest,
        notes=f"TRANSCRIPTION of the report's share-of-GDP table, {by}. Years marked 'e' are "
        "NATO estimates; an empty cell is a figure NATO did not publish (missing = no_data).",
    )


@dataclass(frozen=True)
class PressCheck:
    """One press-quoted 2025 figure next to the transcription's."""

    line: int
    entity: str
    year: int
    quoted: str  # as quoted: '4.48', 'above 3%' or 'not published'
    transcribed: float | None
    agrees: bool


def cross_check_press(press: Path, transcription: Path) -> list[PressCheck]:
    """Compare each figure of the partial press CSV with the transcription.

    A number agrees when the transcription rounds to it at the quoted decimals; 'above N%'
    agrees when the transcription is above N; 'not published' agrees when it is missing.
    Raises InvalidFileError for an unreadable file or an unknown country.
    """
    from alliance.sources.nato import parse

    report = ValidationReport.for_path(press)
    parsed = parse(transcription)
    shares = parsed.observations
    by_key = {
        (entity, int(year)): (None if value != value else float(value))
        for entity, year, value in zip(
            shares["entity"], shares["year"], shares["value"], strict=True
        )
    }
    checks = []
    for line, row in _press_rows(press):
        entity = resolve(row["country"], KIND, report, row=line, column="country")
        if entity is None or entity == SKIP:
            continue
        year = int(row["year"])
        transcribed = by_key.get((entity, year))
        quoted, agrees = _press_agrees(row, transcribed)
        checks.append(PressCheck(line, entity, year, quoted, transcribed, agrees))
    report.raise_if_failed()
    return checks


def _press_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    lines = path.read_text("utf-8").splitlines()
    numbered = [(n, text) for n, text in enumerate(lines, start=1) if not text.startswith("#")]
    reader = csv.DictReader(text for _, text in numbered)
    for (line, _), row in zip(numbered[1:], reader, strict=False):
        yield line, row


def _press_agrees(row: dict[str, str], transcribed: float | None) -> tuple[str, bool]:
    quoted = row["defence_exp_pct_gdp"].strip()
    if quoted:
        decimals = len(quoted.partition(".")[2])
        agrees = transcribed is not None and round(transcribed, decimals) == float(quoted)
        return quoted, agrees
    if row["status"].strip() == "not published":
        return "not published", transcribed is None
    if match := re.search(r"above (\d+(?:\.\d+)?)%", row["note"]):
        return f"above {match.group(1)}%", transcribed is not None and transcribed > float(
            match.group(1)
        )
    return "", False
