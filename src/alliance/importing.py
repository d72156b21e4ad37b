"""Taking a publisher's file into the store as a new edition: detect, parse, validate, land.

An import lands whole or not at all: the parsed edition is written to one hidden Parquet file,
checked together with the store, and made visible by a single rename (`store_imports.write_import`).
The same file twice (by SHA-256) is recognised and not stored again. The path from file to store
works on the Arrow table (`ParsedFile.table`) and never imports pandas, which would cost more
start-up time than the whole SIPRI parse.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from alliance.errors import AllianceError, InvalidArgumentError, UnknownEditionError
from alliance.provenance import Edition, checked_edition_id
from alliance.schema import query_observations, validate_observations
from alliance.validation import ValidationReport

if TYPE_CHECKING:
    import pandas as pd

    from alliance.sources import ParsedFile

IMPORTERS = {
    "sipri": "alliance.sources.sipri",
    "nato": "alliance.sources.nato",
    "wb": "alliance.sources.worldbank",
    "imf": "alliance.sources.imf",
    "fed": "alliance.sources.fed",
    "kiel": "alliance.sources.kiel",
}
KIND_ALIASES = {"worldbank": "wb", "world-bank": "wb"}
MAX_FILE_BYTES = 64 * 1024 * 1024


def importer(kind: str) -> ModuleType:
    key = KIND_ALIASES.get(kind.lower(), kind.lower())
    if key not in IMPORTERS:
        raise InvalidArgumentError(
            f"Unknown file kind {kind!r}: expected one of {', '.join(sorted(IMPORTERS))}."
        )
    return importlib.import_module(IMPORTERS[key])


def _refuse(path: Path, message: str, expected: str) -> None:
    report = ValidationReport.for_path(path)
    report.add(message, expected=expected)
    report.raise_if_failed()


def check_readable(path: Path) -> None:
    """Refuse a missing, unreadable, empty or oversized file before anything reads it."""
    from alliance.paths import file_errors, readable_file

    expected = "a SIPRI, NATO, World Bank, IMF, Fed or Kiel file"
    readable_file(path, expected)
    with file_errors(path, "read", expected):
        size = path.stat().st_size
    if size == 0:
        _refuse(path, "file is empty", "a non-empty file")
    if size > MAX_FILE_BYTES:
        _refuse(path, f"file is {size:,} bytes", f"at most {MAX_FILE_BYTES:,} bytes")
    with _within_limits(path):
        with file_errors(path, "read", expected), path.open("rb") as handle:
            is_zip = handle.read(4) == b"PK\x03\x04"
        if is_zip:  # an xlsx: refused on its declared sizes before any reader unpacks it
            from alliance.sources.xlsx import check_zip_file

            check_zip_file(path)


@contextmanager
def _within_limits(path: Path) -> Iterator[None]:
    """A workbook over the reader's limits (a zip bomb), or a CSV field over the csv module's
    (131,072 characters), refused in one line with its numbers."""
    import csv

    from alliance.sources.xlsx import LIMITS, WorkbookTooLarge

    try:
        yield
    except csv.Error as error:
        _refuse(path, f"not a readable CSV file: {error}", "a publisher's CSV file")
    except WorkbookTooLarge as error:
        _refuse(
            path,
            str(error),
            f"a publisher's workbook: at most {LIMITS.unpacked_bytes:,} bytes unpacked, "
            f"{LIMITS.rows:,} rows, {LIMITS.columns:,} columns and "
            f"{LIMITS.cells_per_sheet:,} cells a sheet",
        )


def detect(path: Path) -> str:
    """The kind of file, recognised by its content."""
    for kind in IMPORTERS:
        try:
            if importer(kind).sniff(path):
                return kind
        except (OSError, ValueError, KeyError):
            continue
    _refuse(
        path,
        "not recognised as a file of any supported publisher",
        "a SIPRI Milex workbook, NATO defence-expenditure tables, a World Bank WDI CSV, "
        "an IMF DataMapper export, the Fed H.10 exchange-rate CSV or a Kiel tracker table",
    )
    raise AssertionError("unreachable")


def with_edition(parsed: ParsedFile, edition: str) -> ParsedFile:
    """The same parse labelled with another edition id (for files that carry no date)."""
    from alliance.sources.arrays import constant_strings

    table = parsed.table
    column = table.schema.get_field_index("edition")
    table = table.set_column(column, "edition", constant_strings(edition, len(table)))
    record = dataclasses.replace(parsed.edition, edition=edition)
    return dataclasses.replace(parsed, edition=record, table=table)


def parse_file(
    path: Path, kind: str | None = None, edition: str | None = None, **options: str
) -> ParsedFile:
    """Parse and validate one file; `options` go to importers that take them (indicator_code)."""
    if edition is not None:
        checked_edition_id(edition)
    check_readable(path)
    with _within_limits(path):
        return _parse_checked(path, kind, edition, **options)


def _parse_checked(path: Path, kind: str | None, edition: str | None, **options: str) -> ParsedFile:
    chosen = kind or detect(path)
    module = importer(chosen)
    if kind is not None and not module.sniff(path):
        _refuse(
            path, f"file does not look like a {chosen} file", f"a {chosen} file, or omit --kind"
        )
    accepted = inspect.signature(module.parse).parameters
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise InvalidArgumentError(
            f"The {chosen} importer takes no option {', '.join(unknown)}: "
            f"expected one of {', '.join(p for p in accepted if p != 'path') or 'none'}."
        )
    if edition is not None and "edition" in accepted:
        options = {**options, "edition": edition}
    parsed: ParsedFile = module.parse(path, **options)
    if edition is not None and parsed.edition.edition != edition:
        parsed = with_edition(parsed, edition)
    if edition is None:  # read from the file, which a damaged or forged file could set to anything
        checked_edition_id(parsed.edition.edition, f"The edition read from {path.name}")
    if not parsed.schema_checked:
        report = ValidationReport.for_path(path)
        validate_observations(parsed.table, report)
        report.raise_if_failed()
    return parsed


@dataclass(frozen=True)
class ImportSummary:
    status: str  # imported | already stored | dry run
    edition: Edition
    rows: int
    rows_per_indicator: dict[str, int]
    first_year: int | None
    last_year: int | None
    entities: int
    estimates: int
    stored_at: str | None
    default_change: str | None = None  # says so when this edition now answers by default

    def record(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "source": self.edition.source_id,
            "edition": self.edition.edition,
            "dataset": self.edition.dataset,
            "sha256": self.edition.sha256,
            "rows": self.rows,
            "years": f"{self.first_year}-{self.last_year}",
            "entities": self.entities,
            "estimates": self.estimates,
            "rows_per_indicator": self.rows_per_indicator,
            "stored_at": self.stored_at,
            "default_change": self.default_change,
        }


def _summary(
    status: str, parsed: ParsedFile, stored_at: str | None, default_change: str | None = None
) -> ImportSummary:
    _, per_indicator = query_observations(
        parsed.table,
        "SELECT indicator, count(*) FROM observations POSITIONAL JOIN range(?) AS row(position) "
        "GROUP BY indicator ORDER BY min(position)",  # in order of first appearance
        [len(parsed.table)],
    )
    _, [(rows, first_year, last_year, entities, estimates)] = query_observations(
        parsed.table,
        "SELECT count(*), min(year), max(year), count(DISTINCT entity), "
        "count(*) FILTER (WHERE estimate) FROM observations",
    )
    return ImportSummary(
        status=status,
        edition=parsed.edition,
        rows=rows,
        rows_per_indicator=dict(per_indicator),
        first_year=first_year,
        last_year=last_year,
        entities=entities,
        estimates=estimates,
        stored_at=stored_at,
        default_change=default_change,
    )


def _stored_editions() -> list[Edition]:
    from alliance.provenance import EDITION_COLUMNS
    from alliance.store import query

    _, rows = query(f"SELECT {', '.join(EDITION_COLUMNS)} FROM editions")
    return [Edition.from_record(dict(zip(EDITION_COLUMNS, row, strict=True))) for row in rows]


def _distinct_edition_id(parsed: ParsedFile, stored: list[Edition]) -> ParsedFile:
    """Keep editions side by side: a different file claiming a stored edition id gets a suffix."""
    record = parsed.edition
    clash = any(
        (e.source_id, e.edition, e.dataset) == (record.source_id, record.edition, record.dataset)
        for e in stored
    )
    if not clash:
        return parsed
    return with_edition(parsed, f"{record.edition}+{record.sha256[:8]}")


def import_file(
    path: Path,
    kind: str | None = None,
    *,
    edition: str | None = None,
    dry_run: bool = False,
    **options: str,
) -> ImportSummary:
    """Parse and validate `path`; unless `dry_run`, store it as a new edition.

    The check for the same file stored before and the write are one step under the imports
    lock: two imports of one file at once (even under different --edition ids) store it once.
    """
    from alliance import store_imports

    parsed = parse_file(path, kind, edition, **options)
    parsed = dataclasses.replace(parsed, edition=parsed.edition.with_origin("imported"))
    with store_imports.imports_lock():
        stored = _stored_editions()
        duplicate = next((e for e in stored if e.sha256 == parsed.edition.sha256), None)
        if duplicate is not None:
            return _summary("already stored", dataclasses.replace(parsed, edition=duplicate), None)
        parsed = _distinct_edition_id(parsed, stored)
        change = default_change(parsed, dry_run)
        if dry_run:
            return _summary("dry run", parsed, None, change)
        target = store_imports.write_import(parsed.edition, parsed.table)
    return _summary("imported", parsed, str(target), change)


def default_change(parsed: ParsedFile, dry_run: bool = False) -> str | None:
    """One line when the new edition sorts after every stored edition of its source with the
    same indicators, so that it answers by default from now on; None when it does not."""
    import pyarrow.compute as pc

    from alliance.store import query

    record = parsed.edition
    indicators = sorted(str(i) for i in pc.unique(parsed.table.column("indicator")).to_pylist())
    _, [(newest,)] = query(
        "SELECT max(edition) FROM observations WHERE source_id = ? AND list_contains(?, indicator)",
        [record.source_id, indicators],
    )
    if newest is None or newest >= record.edition:
        return None
    verb = "would answer" if dry_run else "now answers"
    named = ", ".join(indicators[:3]) + (f" and {len(indicators) - 3} more" * (len(indicators) > 3))
    return (
        f"{record.source_id} {record.edition} {verb} by default for {named} "
        f"(before: {newest}); to go back: alliance data remove {record.source_id} "
        f"{record.edition}"
    )


def remove_edition(source_id: str, edition: str) -> list[Edition]:
    """Remove a user-imported edition; shipped editions cannot be removed."""
    from alliance import store_imports

    matching = [e for e in _stored_editions() if (e.source_id, e.edition) == (source_id, edition)]
    # Files of that edition that queries ignore (forged, damaged, not written by the importer)
    # are not in `editions`, yet are removed by name too: they were reported with this command.
    ignored = store_imports.ignored_files(source_id, edition)
    for path in ignored:
        store_imports.remove_file(path)
    matching += [store_imports.ignored_edition(path) for path in ignored]
    if not matching:
        known = [e.edition for e in _stored_editions() if e.source_id == source_id]
        raise UnknownEditionError(source_id, edition, known)
    if any(e.origin != "imported" for e in matching):
        raise AllianceError(
            f"Edition {edition!r} of {source_id!r} ships with the package and cannot be removed; "
            "expected an edition imported with `alliance data import`."
        )
    for record in matching:
        store_imports.remove_import(record)
    return matching


def diff_editions(
    source_id: str, edition_a: str, edition_b: str, min_change: float = 0.0
) -> pd.DataFrame:
    """Figures revised between two editions of one source, largest absolute change first."""
    import pandas as pd

    columns, rows = edition_changes(source_id, edition_a, edition_b, min_change)
    return pd.DataFrame(rows, columns=columns)


def edition_changes(
    source_id: str, edition_a: str, edition_b: str, min_change: float = 0.0
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """What `diff_editions` returns, as (columns, rows) (no pandas)."""
    from alliance.store import shared_connection

    connection = shared_connection()
    for edition in (edition_a, edition_b):
        exists = connection.execute(
            "SELECT count(*) FROM editions WHERE source_id = ? AND edition = ?",
            [source_id, edition],
        ).fetchone()
        if not exists or not exists[0]:
            known = [
                r[0]
                for r in connection.execute(
                    "SELECT DISTINCT edition FROM editions WHERE source_id = ?", [source_id]
                ).fetchall()
            ]
            raise UnknownEditionError(source_id, edition, known)
    cursor = connection.execute(
        """
        WITH a AS (SELECT * FROM observations WHERE source_id = ? AND edition = ?),
             b AS (SELECT * FROM observations WHERE source_id = ? AND edition = ?)
        SELECT a.entity, a.year, a.indicator, a.unit, a.currency,
               a.price_basis AS price_basis_a, b.price_basis AS price_basis_b,
               a.value AS value_a, b.value AS value_b, b.value - a.value AS change,
               (b.value - a.value) / nullif(abs(a.value), 0) AS relative_change,
               a.estimate AS estimate_a, b.estimate AS estimate_b, a.locator AS locator_a,
               b.locator AS locator_b
        FROM a JOIN b ON a.entity = b.entity AND a.year = b.year AND a.indicator = b.indicator
            AND a.unit = b.unit AND a.period = b.period
            AND a.currency IS NOT DISTINCT FROM b.currency
            AND (a.price_basis IS NOT DISTINCT FROM b.price_basis
                 -- a ratio at constant prices compares across base years (NATO moved from
                 -- 2015 to 2021 prices in 2025); an amount at another base year does not.
                 OR (a.unit IN ('percent', 'fraction')
                     AND split_part(a.price_basis, '_', 1) = split_part(b.price_basis, '_', 1)))
            AND a.exchange_basis IS NOT DISTINCT FROM b.exchange_basis
        WHERE abs(b.value - a.value) >= ?
        ORDER BY abs(b.value - a.value) DESC, a.entity, a.year
        """,
        [source_id, edition_a, source_id, edition_b, min_change],
    )
    return [d[0] for d in cursor.description or []], cursor.fetchall()
