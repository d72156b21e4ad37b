"""Helpers shared by the importers of text files (World Bank, IMF, Fed, Kiel)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from alliance.schema import OBSERVATION_COLUMNS
from alliance.validation import ValidationReport

if TYPE_CHECKING:
    import pandas as pd

EDITION_ID: Final = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def refuse_oversized(path: Path, limit: int, report: ValidationReport) -> None:
    """Refuse a missing file or one over `limit` bytes, before reading a byte of it."""
    if not path.is_file():
        report.add("file not found", expected="an existing file", value=str(path))
        report.raise_if_failed()
    size = path.stat().st_size
    if size > limit:
        report.add(
            f"file is {size:,} bytes, over this importer's limit; refused before reading",
            expected=f"at most {limit:,} bytes",
            value=size,
        )
        report.raise_if_failed()


def read_text(path: Path, limit: int, report: ValidationReport, expected: str) -> str:
    """The file's text (UTF-8, BOM dropped), or a refusal naming what was `expected`."""
    refuse_oversized(path, limit, report)
    data = path.read_bytes()
    if not data.strip():
        report.add("empty file", expected=expected)
        report.raise_if_failed()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        report.add(
            f"not a UTF-8 text file (byte {error.start} undecodable)",
            expected=expected,
            value=data[:16].hex(" "),
        )
        report.raise_if_failed()
        raise AssertionError("unreachable") from error


def csv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based line number, fields) for each CSV record; the number is the record's last line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    for fields in reader:
        yield reader.line_num, fields


def checked_edition(edition: str | None, report: ValidationReport, why: str) -> str:
    """A caller-supplied edition id, refused when absent (`why` says why it is needed) or bad."""
    if edition is None:
        report.add(f"edition not given: {why}", expected="edition='YYYY-MM' or 'YYYY-MM-DD'")
    elif not EDITION_ID.match(edition):
        report.add("malformed edition id", expected="YYYY-MM or YYYY-MM-DD", value=edition)
    report.raise_if_failed()
    assert edition is not None
    return edition


def parse_number(text: str) -> float | None:
    """A finite number from a CSV cell, or None when the cell is not one."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def observation_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Observation records -> a frame with exactly OBSERVATION_COLUMNS, in order, typed."""
    import pandas as pd

    frame = pd.DataFrame.from_records(list(records), columns=list(OBSERVATION_COLUMNS))
    text_columns = [c for c, kind in OBSERVATION_COLUMNS.items() if kind == "VARCHAR"]
    return frame.astype(
        {**dict.fromkeys(text_columns, "str"), "year": "int64", "value": "float64"}
    ).astype({"estimate": "bool"})


def refuse_if_empty(records: list[dict[str, Any]], report: ValidationReport, what: str) -> None:
    if not records and report.ok:
        report.add("the file holds no figures", expected=what)


def rows_of_width(
    lines: Iterable[tuple[int, list[str]]], width: int, report: ValidationReport
) -> Iterator[tuple[int, list[str]]]:
    """Non-blank CSV records with `width` fields; a record of another width is a problem."""
    for line, fields in lines:
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != width:
            report.add(
                f"row has {len(fields)} fields, the header {width}",
                expected=f"{width} fields (a truncated or edited row?)",
                row=line,
                value=",".join(fields)[:80],
            )
            continue
        yield line, fields


def first_line(path: Path, limit: int) -> str | None:
    """The file's first line (BOM dropped), for sniffers; None when it cannot be read."""
    try:
        with Path(path).open("rb") as handle:
            return handle.readline(limit).decode("utf-8-sig", errors="replace").strip()
    except OSError:
        return None
