"""Building the store from the shipped files, and the checks every row passes on load (the
user's imports pass the same checks: `store_imports`).

A build goes to a temporary file and is moved into place in one rename: a reader never sees a
half-built store, and a killed build leaves the previous one. Nothing here imports `store`: the
store calls `build` on first use with the paths it chose.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from alliance.provenance import EDITION_COLUMNS
from alliance.schema import (
    INDICATORS,
    KEY_COLUMNS,
    OBSERVATION_COLUMNS,
    SHARE_OF_GDP_ABOVE_100,
    UNITS,
)
from alliance.validation import ValidationReport

# --- building ---------------------------------------------------------------------------------

# DuckDB writes full row groups to disk while inserting (optimistic writes); rows still in the
# transaction at commit are copied once more before they are written. Row groups of this size
# (the shipped rows fill about seven) leave little for the commit.
_ROW_GROUP_ROWS = 16_384


def build(path: Path, data: Path, record: Path | None = None) -> None:
    """Build the store at `path` from the shipped files in `data`; validate it before it goes
    live. `record`, if given, gets the built file's size and SHA-256 as JSON (written before the
    store appears, so a store without it, or of another size or checksum, is known damaged)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".building-", suffix=".duckdb", dir=path.parent)
    os.close(handle)
    os.unlink(temporary)
    try:
        # Rows carry their file and line, so their physical order does not matter. One DuckDB
        # thread: a second costs more CPU than it saves in time (bench/RESULTS.md); the files
        # are read on two connections instead (`_load_shipped_files`). No syncs to disk while
        # building: a build cut short is thrown away, so only the finished file must be on
        # disk, synced once below.
        settings: dict[str, str | bool | int | float | list[str]] = {
            "preserve_insertion_order": False,
            "threads": 1,
            "fsync_mode": "none",
        }
        with duckdb.connect(":memory:", config=settings) as connection:
            connection.execute(f"ATTACH ? AS built (ROW_GROUP_SIZE {_ROW_GROUP_ROWS})", [temporary])
            connection.execute("USE built")
            # Few transactions: every statement of its own would be a commit written to disk.
            connection.execute("BEGIN TRANSACTION")
            _create_tables(connection)
            connection.execute("COMMIT")
            _load_shipped_files(connection, data)
            _count_edition_rows(connection)
            # Checked once committed, when the checks read the compressed columns (several
            # times faster than the transaction's own copy); no reader sees this file before
            # the rename below.
            report = _validate(connection)
            report.file = str(data)
            report.raise_if_failed()
            connection.execute("CHECKPOINT")
        with open(temporary, "rb") as built_file:
            os.fsync(built_file.fileno())  # on disk before its record and its rename
            if record is not None:
                sha256 = hashlib.file_digest(built_file, "sha256").hexdigest()
                built = {"size": os.fstat(built_file.fileno()).st_size, "sha256": sha256}
                record.write_text(json.dumps(built), encoding="ascii")
        os.replace(temporary, path)
    finally:
        for leftover in (temporary, f"{temporary}.wal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
    _remove_stale_stores(path)


def _remove_stale_stores(current: Path) -> None:
    for old in current.parent.glob("store-*.duckdb"):
        if old != current:
            for companion in ("", ".wal", ".built"):
                with contextlib.suppress(OSError):
                    old.with_name(old.name + companion).unlink()


def _columns_sql(columns: dict[str, str]) -> str:
    return ", ".join(f'"{name}" {kind}' for name, kind in columns.items())


def _insert_columns(
    connection: duckdb.DuckDBPyConnection, table: str, rows: Sequence[tuple[Any, ...]], width: int
) -> None:
    """Insert `rows` in one statement, passed column by column (executemany runs one statement
    per row)."""
    columns = [list(column) for column in zip(*rows, strict=True)] or [[] for _ in range(width)]
    unnested = ", ".join(f"unnest(${number})" for number in range(1, width + 1))
    connection.execute(f"INSERT INTO {table} SELECT {unnested}", columns)


def _create_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        f"CREATE TABLE observations ({_columns_sql(OBSERVATION_COLUMNS)}, "
        "file VARCHAR, line BIGINT)"
    )
    connection.execute(f"CREATE TABLE editions ({_columns_sql(EDITION_COLUMNS)}, rows BIGINT)")
    connection.execute(
        "CREATE TABLE countries (iso3 VARCHAR PRIMARY KEY, iso2 VARCHAR, name VARCHAR)"
    )
    connection.execute(
        "CREATE TABLE indicators (indicator VARCHAR PRIMARY KEY, description VARCHAR)"
    )
    _insert_columns(connection, "indicators", list(INDICATORS.items()), 2)


def _load_reference_tables(connection: duckdb.DuckDBPyConnection) -> None:
    from alliance.countries import countries
    from alliance.memberships import groups, membership_rows

    _insert_columns(connection, "countries", [(c.iso3, c.iso2, c.name) for c in countries()], 3)
    connection.execute(
        'CREATE TABLE groups ("group" VARCHAR PRIMARY KEY, name VARCHAR, description VARCHAR)'
    )
    _insert_columns(connection, "groups", [(g.group, g.name, g.description) for g in groups()], 3)
    connection.execute(
        'CREATE TABLE memberships ("group" VARCHAR, iso3 VARCHAR, joined DATE, "left" DATE, '
        "source_url VARCHAR, citation VARCHAR)"
    )
    _insert_columns(
        connection,
        "memberships",
        [(m.group, m.iso3, m.joined, m.left, m.source_url, m.citation) for m in membership_rows()],
        6,
    )


def _csv_types(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"


# The shipped CSVs are written by `make data` in one dialect: reading them without DuckDB's
# sniffer (which samples each file to guess it) makes the first build several times faster.
_SHIPPED_CSV = "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"'"


def _load_shipped_files(connection: duckdb.DuckDBPyConnection, root: Path) -> None:
    """Load the reference tables and the shipped files (none without editions.csv). Half the
    observation files are read on a second connection, in a thread of its own, while this one
    loads the reference tables and the rest: DuckDB releases the GIL, so two cores read at once,
    each connection appending its own rows."""
    editions = root / "editions.csv"
    files = sorted((root / "observations").glob("*/*.csv")) if editions.exists() else []
    ours, theirs = _halves(files)
    other = connection.cursor()
    other.execute("USE built")
    failures: list[BaseException] = []
    helper = threading.Thread(target=_insert_apart, args=(other, root, theirs, failures))
    helper.start()
    try:
        connection.execute("BEGIN TRANSACTION")
        _load_reference_tables(connection)
        if editions.exists():
            connection.execute(
                "INSERT INTO editions SELECT *, 0 FROM read_csv(?, header=true, "
                f"columns={_csv_types(EDITION_COLUMNS)})",
                [str(editions)],
            )
        _insert_observations(connection, root, ours)
        connection.execute("COMMIT")
    finally:
        helper.join()
        other.close()
    if failures:
        raise failures[0]


def _halves(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """`files` in two lists of about as many bytes each, both in the order of `files`."""
    sizes = {path: path.stat().st_size for path in files}
    first: set[Path] = set()
    loads = [0, 0]
    for path in sorted(files, key=sizes.__getitem__, reverse=True):
        lighter = 0 if loads[0] <= loads[1] else 1
        loads[lighter] += sizes[path]
        if lighter == 0:
            first.add(path)
    return [p for p in files if p in first], [p for p in files if p not in first]


def _insert_apart(
    connection: duckdb.DuckDBPyConnection,
    root: Path,
    files: list[Path],
    failures: list[BaseException],
) -> None:
    """`_insert_observations` in a transaction of its own, on a thread of its own: what it
    raises goes to `failures`, for the thread that started it to raise."""
    try:
        connection.execute("BEGIN TRANSACTION")
        _insert_observations(connection, root, files)
        connection.execute("COMMIT")
    except BaseException as error:  # noqa: BLE001 (any: never a store without these rows)
        failures.append(error)


def _insert_observations(
    connection: duckdb.DuckDBPyConnection, root: Path, files: list[Path]
) -> None:
    if not files:
        return
    names = ", ".join(f'"{c}"' for c in OBSERVATION_COLUMNS)
    # parallel=false keeps rows in file order, so row_number() is the line in the file; one
    # statement over every file, each read on its own to number its lines.
    reads = " UNION ALL ".join(
        f"SELECT {names}, ${2 * number + 1} AS file, row_number() OVER () + 1 AS line "
        f"FROM read_csv(${2 * number + 2}, {_SHIPPED_CSV}, parallel=false, "
        f"columns={_csv_types(OBSERVATION_COLUMNS)})"
        for number in range(len(files))
    )
    parameters = [str(p) for path in files for p in (path.relative_to(root), path)]
    connection.execute(f"INSERT INTO observations {reads}", parameters)


def _count_edition_rows(connection: duckdb.DuckDBPyConnection) -> None:
    # Updated in place: the editions keep the order of editions.csv.
    connection.execute(
        "UPDATE editions e SET rows = n.rows FROM (SELECT source_id, edition, dataset, "
        "count(*) AS rows FROM observations GROUP BY ALL) n WHERE n.source_id = e.source_id "
        "AND n.edition = e.edition AND n.dataset = e.dataset"
    )


# --- validation on load -----------------------------------------------------------------------

_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    (
        "entity is not a known ISO3 code or a <source>:<CODE> aggregate",
        "entity",
        "an ISO3 code in the countries table",
        "entity NOT LIKE '%:%' AND entity NOT IN (SELECT iso3 FROM countries) "
        "AND entity NOT IN (SELECT code FROM former_states)",
    ),
    (
        "observation whose source edition is not in editions.csv",
        "edition",
        "a (source_id, edition, dataset) listed in editions",
        "NOT EXISTS (SELECT 1 FROM editions e WHERE e.source_id = o.source_id "
        "AND e.edition = o.edition AND e.dataset = o.dataset)",
    ),
    (
        "share of GDP outside [0, 100)",
        "value",
        "0 <= percent of GDP < 100",
        "indicator = 'defence_expenditure_share_gdp' AND unit = 'percent' "
        "AND (value < 0 OR (value >= 100 AND (entity, year) NOT IN (SELECT * FROM above_100)))",
    ),
    (
        "empty value without a reason",
        "value",
        "a number, or missing = no_data | not_existing",
        "value IS NULL AND missing IS NULL",
    ),
    (
        "unknown indicator",
        "indicator",
        "an indicator of alliance.schema.INDICATORS",
        "indicator NOT IN (SELECT indicator FROM indicators)",
    ),
)


def _prepare_checks(
    connection: duckdb.DuckDBPyConnection,
) -> tuple[tuple[str, str, str, str], ...]:
    """The checks, with the tables their conditions read created on `connection`."""
    import pycountry

    connection.execute("CREATE OR REPLACE TEMP TABLE former_states (code VARCHAR)")
    _insert_columns(
        connection, "former_states", [(c.alpha_3,) for c in pycountry.historic_countries], 1
    )
    connection.execute("CREATE OR REPLACE TEMP TABLE above_100 (entity VARCHAR, year INTEGER)")
    _insert_columns(connection, "above_100", list(SHARE_OF_GDP_ABOVE_100), 2)
    units = ", ".join(f"'{u}'" for u in sorted(UNITS))
    return (*_CHECKS, ("unknown unit", "unit", "one of " + units, f"unit NOT IN ({units})"))


def failing_files(connection: duckdb.DuckDBPyConnection, files: Sequence[str]) -> dict[str, str]:
    """For each of `files` (names in the `file` column) that fails a check, the first problem
    in words; one pass per check over them all (the user's imports, checked on each new store)."""
    problems: dict[str, str] = {}
    for message, _, _, condition in _prepare_checks(connection):
        rows = connection.execute(
            f"SELECT file, min(line) FROM observations o WHERE ({condition}) "
            "AND file IN (SELECT unnest(?::VARCHAR[])) GROUP BY file",
            [list(files)],
        ).fetchall()
        for file, line in rows:
            problems.setdefault(file, f"{message}, row {line}")
    keys = ", ".join(KEY_COLUMNS)
    duplicated = connection.execute(
        f"SELECT DISTINCT name FROM (SELECT unnest(list(file)) AS name FROM observations "
        f"GROUP BY {keys} HAVING count(*) > 1) WHERE name IN (SELECT unnest(?::VARCHAR[]))",
        [list(files)],
    ).fetchall()
    for (file,) in duplicated:
        problems.setdefault(file, "duplicate observation key")
    return problems


def _validate(
    connection: duckdb.DuckDBPyConnection, only_file: str | None = None
) -> ValidationReport:
    """Check the rows of the store (or only those loaded from `only_file`). One pass finds which
    checks fail; only those read their failing rows."""
    report = ValidationReport(file="")
    checks = _prepare_checks(connection)
    for message, column, expected, condition in _failed_checks(connection, checks, only_file):
        rows = connection.execute(
            f'SELECT file, line, "{column}" FROM observations o WHERE ({condition}) '
            "AND (? IS NULL OR file = ?) LIMIT 50",
            [only_file, only_file],
        ).fetchall()
        for file, line, value in rows:
            report.add(message, expected=expected, sheet=file, row=line, column=column, value=value)
    keys = ", ".join(KEY_COLUMNS)
    if not _may_have_duplicates(connection, only_file):
        return report
    duplicates = connection.execute(
        f"SELECT any_value(file), max(line), any_value(entity) FROM observations "
        f"GROUP BY {keys} HAVING count(*) > 1 AND (? IS NULL OR bool_or(file = ?)) LIMIT 50",
        [only_file, only_file],
    ).fetchall()
    for file, line, entity in duplicates:
        report.add(
            "duplicate observation key",
            expected="one row per key: " + keys,
            sheet=file,
            row=line,
            column="entity",
            value=entity,
        )
    return report


def _failed_checks(
    connection: duckdb.DuckDBPyConnection,
    checks: tuple[tuple[str, str, str, str], ...],
    only_file: str | None,
) -> list[tuple[str, str, str, str]]:
    """The `checks` some row fails (of `only_file`, if given), found in one pass over the rows."""
    counts = ", ".join(f"count(*) FILTER (WHERE {check[3]})" for check in checks)
    failing = connection.execute(
        f"SELECT {counts} FROM observations o WHERE (? IS NULL OR file = ?)",
        [only_file, only_file],
    ).fetchall()[0]
    return [check for check, count in zip(checks, failing, strict=True) if count]


def _may_have_duplicates(connection: duckdb.DuckDBPyConnection, only_file: str | None) -> bool:
    """Whether two rows (one of `only_file`, if given) may share a key: rows whose keys have the
    same hash. Rows with one key always do; grouping by one number instead of the key's ten
    columns makes the common case (no duplicate) several times cheaper."""
    keys = ", ".join(KEY_COLUMNS)
    shared = connection.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM observations GROUP BY hash({keys}) "
        "HAVING count(*) > 1 AND (? IS NULL OR bool_or(file = ?)))",
        [only_file, only_file],
    ).fetchall()[0][0]
    return bool(shared)


__all__ = ["build"]
