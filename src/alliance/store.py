"""The embedded DuckDB store: built from the shipped files plus the user's imports.

The store is a cache. Its file name carries a key computed from the shipped data files and the
imported editions, so a new package version or a new import gives a new store, built to a temporary
file and moved into place in one rename: a reader never sees a half-built store, and a killed build
leaves the previous store intact. Queries open it read-only.

User imports live as one Parquet file per edition (the `Edition` record in the file's metadata), so
an import lands with a single atomic rename or not at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from alliance.errors import ReadOnlyQueryError, StoreError
from alliance.provenance import EDITION_COLUMNS, Edition
from alliance.schema import (
    INDICATORS,
    KEY_COLUMNS,
    OBSERVATION_COLUMNS,
    SHARE_OF_GDP_ABOVE_100,
    UNITS,
)
from alliance.validation import ValidationReport

if TYPE_CHECKING:
    import pandas as pd

EDITION_METADATA_KEY = b"alliance.edition"
STORE_FORMAT = "1"  # bump when the table layout below changes


def data_dir() -> Path:
    """The shipped data folder inside the installed package."""
    return Path(str(resources.files("alliance").joinpath("data")))


def home() -> tuple[Path, Path]:
    """(cache folder for the store, data folder for imports); ALLIANCE_HOME puts both in one."""
    override = os.environ.get("ALLIANCE_HOME")
    if override:
        root = Path(override)
        return root / "cache", root / "data"
    import platformdirs

    return Path(platformdirs.user_cache_dir("alliance")), Path(
        platformdirs.user_data_dir("alliance")
    )


def imports_dir() -> Path:
    return home()[1] / "imports"


def _shipped_files() -> list[Path]:
    root = data_dir()
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".csv", ".json"})


def _imported_files() -> list[Path]:
    folder = imports_dir()
    if not folder.exists():
        return []
    # Names starting with a dot are imports still being written (or killed part-way).
    return sorted(p for p in folder.glob("*/*.parquet") if not p.name.startswith("."))


def store_key() -> str:
    digest = hashlib.sha256(STORE_FORMAT.encode())
    root = data_dir()
    for path in [*_shipped_files(), *_imported_files()]:
        stat = path.stat()
        name = path.relative_to(root) if path.is_relative_to(root) else path.name
        digest.update(f"{name}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def store_path() -> Path:
    return home()[0] / f"store-{store_key()}.duckdb"


def connect() -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current store, building it first if needed."""
    path = store_path()
    if not path.exists():
        build(path)
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise StoreError(f"Cannot open the store {path}: {error}") from error


@cache
def _cached_connection(path: str) -> duckdb.DuckDBPyConnection:
    # Queries (from users' SQL too) may read the store and nothing else on the machine.
    return duckdb.connect(path, read_only=True, config={"enable_external_access": False})


def shared_connection() -> duckdb.DuckDBPyConnection:
    """One read-only connection per store version, reused across calls in a process."""
    path = store_path()
    if not path.exists():
        build(path)
    return _cached_connection(str(path))


# --- building ---------------------------------------------------------------------------------


def build(path: Path) -> None:
    """Build the store at `path` from shipped files and imports; validate before it goes live."""

    def fill(connection: duckdb.DuckDBPyConnection) -> None:
        _create_tables(connection)
        _load_reference_tables(connection)
        _load_shipped_observations(connection)
        for imported in _imported_files():
            _load_import(connection, imported)

    _write_atomically(path, fill)


def extend(previous: Path, path: Path, imported: Path) -> None:
    """The store at `path` = the store at `previous` plus one imported edition (fast path)."""

    def fill(connection: duckdb.DuckDBPyConnection) -> None:
        _load_import(connection, imported)

    _write_atomically(path, fill, start_from=previous, only_file=imported.name)


def _write_atomically(
    path: Path,
    fill: Callable[[duckdb.DuckDBPyConnection], None],
    start_from: Path | None = None,
    only_file: str | None = None,
) -> None:
    """Write a store to a temporary file, validate it, then move it into place in one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".building-", suffix=".duckdb", dir=path.parent)
    os.close(handle)
    os.unlink(temporary)
    try:
        if start_from is not None:
            shutil.copyfile(start_from, temporary)
        # Rows carry their file and line, so their physical order does not matter.
        with duckdb.connect(temporary, config={"preserve_insertion_order": False}) as connection:
            fill(connection)
            _count_edition_rows(connection)
            _validate(connection, only_file).raise_if_failed()
            connection.execute("CHECKPOINT")
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    _remove_stale_stores(path)


def _remove_stale_stores(current: Path) -> None:
    for old in current.parent.glob("store-*.duckdb"):
        if old != current:
            with contextlib.suppress(OSError):
                old.unlink()


def _columns_sql(columns: dict[str, str]) -> str:
    return ", ".join(f'"{name}" {kind}' for name, kind in columns.items())


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
    connection.executemany("INSERT INTO indicators VALUES (?, ?)", list(INDICATORS.items()))


def _load_reference_tables(connection: duckdb.DuckDBPyConnection) -> None:
    from alliance.countries import countries
    from alliance.memberships import groups, membership_rows

    connection.executemany(
        "INSERT INTO countries VALUES (?, ?, ?)", [(c.iso3, c.iso2, c.name) for c in countries()]
    )
    connection.execute(
        'CREATE TABLE groups ("group" VARCHAR PRIMARY KEY, name VARCHAR, description VARCHAR)'
    )
    connection.executemany(
        "INSERT INTO groups VALUES (?, ?, ?)", [(g.group, g.name, g.description) for g in groups()]
    )
    connection.execute(
        'CREATE TABLE memberships ("group" VARCHAR, iso3 VARCHAR, joined DATE, "left" DATE, '
        "source_url VARCHAR, citation VARCHAR)"
    )
    connection.executemany(
        "INSERT INTO memberships VALUES (?, ?, ?, ?, ?, ?)",
        [(m.group, m.iso3, m.joined, m.left, m.source_url, m.citation) for m in membership_rows()],
    )


def _csv_types(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"


def _load_shipped_observations(connection: duckdb.DuckDBPyConnection) -> None:
    root = data_dir()
    editions_file = root / "editions.csv"
    if not editions_file.exists():
        return
    connection.execute(
        "INSERT INTO editions SELECT *, 0 FROM read_csv(?, header=true, "
        f"columns={_csv_types(EDITION_COLUMNS)})",
        [str(editions_file)],
    )
    names = ", ".join(f'"{c}"' for c in OBSERVATION_COLUMNS)
    for path in sorted((root / "observations").glob("*/*.csv")):
        # parallel=false keeps rows in file order, so row_number() is the line in the file.
        connection.execute(
            f"INSERT INTO observations SELECT {names}, ?, row_number() OVER () + 1 "
            "FROM read_csv(?, header=true, parallel=false, "
            f"columns={_csv_types(OBSERVATION_COLUMNS)})",
            [str(path.relative_to(root)), str(path)],
        )


def _load_import(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    _insert_edition(connection, read_import_edition(path))
    names = ", ".join(f'"{c}"' for c in OBSERVATION_COLUMNS)
    connection.execute(
        f"INSERT INTO observations SELECT {names}, ?, file_row_number + 1 "
        "FROM read_parquet(?, file_row_number = true)",
        [path.name, str(path)],
    )


def _count_edition_rows(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        "UPDATE editions e SET rows = (SELECT count(*) FROM observations o WHERE "
        "o.source_id = e.source_id AND o.edition = e.edition AND o.dataset = e.dataset)"
    )


def _insert_edition(connection: duckdb.DuckDBPyConnection, edition: Edition) -> None:
    placeholders = ", ".join("?" for _ in EDITION_COLUMNS)
    connection.execute(
        f"INSERT INTO editions VALUES ({placeholders}, 0)",
        [edition.record()[c] for c in EDITION_COLUMNS],
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


def _validate(
    connection: duckdb.DuckDBPyConnection, only_file: str | None = None
) -> ValidationReport:
    """Check the rows of the store (or only those loaded from `only_file`)."""
    report = ValidationReport(file=str(data_dir()))
    import pycountry

    connection.execute("CREATE OR REPLACE TEMP TABLE former_states (code VARCHAR)")
    connection.executemany(
        "INSERT INTO former_states VALUES (?)",
        [(c.alpha_3,) for c in pycountry.historic_countries],
    )
    connection.execute("CREATE OR REPLACE TEMP TABLE above_100 (entity VARCHAR, year INTEGER)")
    connection.executemany("INSERT INTO above_100 VALUES (?, ?)", list(SHARE_OF_GDP_ABOVE_100))
    units = ", ".join(f"'{u}'" for u in sorted(UNITS))
    checks = (*_CHECKS, ("unknown unit", "unit", "one of " + units, f"unit NOT IN ({units})"))
    for message, column, expected, condition in checks:
        rows = connection.execute(
            f'SELECT file, line, "{column}" FROM observations o WHERE ({condition}) '
            "AND (? IS NULL OR file = ?) LIMIT 50",
            [only_file, only_file],
        ).fetchall()
        for file, line, value in rows:
            report.add(message, expected=expected, sheet=file, row=line, column=column, value=value)
    keys = ", ".join(KEY_COLUMNS)
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


# --- imports ----------------------------------------------------------------------------------


def read_import_edition(path: Path) -> Edition:
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    if EDITION_METADATA_KEY not in metadata:
        raise StoreError(f"Imported file {path} has no edition record; remove it.")
    return Edition.from_record(json.loads(metadata[EDITION_METADATA_KEY]))


def import_path(edition: Edition) -> Path:
    safe = f"{edition.edition}__{edition.dataset}".replace("/", "_")
    return imports_dir() / edition.source_id / f"{safe}.parquet"


def write_import(edition: Edition, observations: pd.DataFrame) -> Path:
    """Store an imported edition: one Parquet file, moved into place by a single rename."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(observations[list(OBSERVATION_COLUMNS)], preserve_index=False)
    metadata = {**(table.schema.metadata or {}), EDITION_METADATA_KEY: json.dumps(edition.record())}
    table = table.replace_schema_metadata(metadata)
    target = import_path(edition)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".importing-", suffix=".parquet", dir=target.parent)
    os.close(handle)
    try:
        pq.write_table(table, temporary)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return target


def remove_import(edition: Edition) -> None:
    path = import_path(edition)
    if path.exists():
        path.unlink()


def refresh(previous: Path | None = None, imported: Path | None = None) -> Path:
    """Make sure the store for the current key exists (after an import or a removal).

    After one import, the previous store plus that edition is the new store: extending a copy
    is much faster than rebuilding from every shipped file.
    """
    path = store_path()
    if path.exists():
        return path
    if previous is not None and imported is not None and previous.exists():
        extend(previous, path, imported)
    else:
        build(path)
    return path


# --- read-only SQL ----------------------------------------------------------------------------

_READ_ONLY_STARTS = (
    "select",
    "with",
    "describe",
    "show",
    "explain",
    "summarize",
    "from",
    "pragma table_info",
)


def run_sql(statement: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one read-only statement; refuse anything that could write."""
    head = statement.strip().lower()
    if not head.startswith(_READ_ONLY_STARTS) or ";" in statement.strip().rstrip(";"):
        raise ReadOnlyQueryError(statement)
    try:
        cursor = shared_connection().execute(statement)
    except duckdb.Error as error:
        if "read-only" in str(error).lower():
            raise ReadOnlyQueryError(statement) from error
        from alliance.errors import QueryError

        raise QueryError(f"SQL error: {str(error).splitlines()[0]}") from error
    columns = [d[0] for d in cursor.description or []]
    return columns, cursor.fetchall()


__all__ = [
    "build",
    "connect",
    "data_dir",
    "home",
    "import_path",
    "imports_dir",
    "read_import_edition",
    "refresh",
    "remove_import",
    "run_sql",
    "shared_connection",
    "store_key",
    "store_path",
    "write_import",
]
