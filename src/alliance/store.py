"""The embedded DuckDB store, as queries see it: where it lives and read-only connections to it.

The store file is a cache of the shipped data. Its name carries a key computed from the shipped
files, so a new package version gives a new store (built by `alliance.store_writer` on first use).
User imports live beside it as one Parquet file per edition. With imports present, queries run on
an in-memory connection that attaches the store read-only and lays the imports over it as views
(`observations`, `editions`, ...); the connection may then read nothing else on the machine.

This module is on every query's start-up path, so it imports nothing that only writing needs.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from alliance.errors import ReadOnlyQueryError, StoreError
from alliance.schema import OBSERVATION_COLUMNS

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


def _shipped_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".csv", ".json"})


def imported_files() -> list[Path]:
    folder = imports_dir()
    if not folder.exists():
        return []
    # Names starting with a dot are imports still being written (or killed part-way).
    return sorted(p for p in folder.glob("*/*.parquet") if not p.name.startswith("."))


def store_key() -> str:
    """A hash of the shipped files' names, sizes and times (computed once per process)."""
    return _store_key(data_dir())


@cache
def _store_key(root: Path) -> str:
    digest = hashlib.sha256(STORE_FORMAT.encode())
    for path in _shipped_files(root):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def store_path() -> Path:
    return home()[0] / f"store-{store_key()}.duckdb"


def refresh() -> Path:
    """The current store file, built first if the shipped data changed."""
    path = store_path()
    if not path.exists():
        from alliance.store_writer import build

        build(path, data_dir())
    return path


TABLES = ("observations", "editions", "countries", "groups", "memberships", "indicators")


def open_store(imports: Sequence[Path], allowed: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection: the store attached read-only, `imports` laid over it as views.

    After set-up the connection may read no file but the store and the folder `allowed`.
    """
    if not imports:
        # The common case: the store file alone, opened directly (faster than attaching it).
        return duckdb.connect(
            str(refresh()), read_only=True, config={"enable_external_access": False}
        )
    connection = duckdb.connect(":memory:")
    try:
        connection.execute(f"ATTACH '{refresh()}' AS store (READ_ONLY)")
    except duckdb.Error as error:
        raise StoreError(f"Cannot open the store: {error}") from error
    for table in TABLES:
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM store.{table}")
    _lay_imports_over(connection, imports)
    if allowed is not None:
        connection.execute(f"SET allowed_directories = ['{allowed}/']")
    connection.execute("SET enable_external_access = false")
    return connection


def _lay_imports_over(connection: duckdb.DuckDBPyConnection, imports: Sequence[Path]) -> None:
    import json

    from alliance.provenance import EDITION_COLUMNS, Edition

    files = "[" + ", ".join(f"'{p}'" for p in imports) + "]"
    columns = ", ".join(f'"{c}"' for c in OBSERVATION_COLUMNS)
    connection.execute(
        f"CREATE OR REPLACE VIEW observations AS SELECT * FROM store.observations UNION ALL "
        f"SELECT {columns}, regexp_extract(filename, '[^/]+$') AS file, "
        f"file_row_number + 1 AS line FROM read_parquet({files}, filename = true, "
        "file_row_number = true)"
    )
    records = connection.execute(
        f"SELECT file_name, decode(value) FROM parquet_kv_metadata({files}) "
        f"WHERE decode(key) = '{EDITION_METADATA_KEY.decode()}'"
    ).fetchall()
    if len(records) != len(imports):
        found = {Path(name) for name, _ in records}
        missing = [str(p) for p in imports if p not in found]
        raise StoreError(f"Imported files without an edition record: {missing}; remove them.")
    counts = dict(
        connection.execute(
            f"SELECT file_name, sum(num_rows) FROM parquet_file_metadata({files}) GROUP BY ALL"
        ).fetchall()
    )
    connection.execute(
        "CREATE TEMP TABLE imported_editions AS SELECT * FROM store.editions WHERE false"
    )
    placeholders = ", ".join("?" for _ in range(len(EDITION_COLUMNS) + 1))
    for name, text in records:
        record = Edition.from_record(json.loads(text)).record()
        values = [record[c] for c in EDITION_COLUMNS]
        connection.execute(
            f"INSERT INTO imported_editions VALUES ({placeholders})", [*values, counts[name]]
        )
    connection.execute(
        "CREATE OR REPLACE VIEW editions AS SELECT * FROM store.editions "
        "UNION ALL SELECT * FROM imported_editions"
    )


def connect() -> duckdb.DuckDBPyConnection:
    """A new read-only connection to the store with the user's imports."""
    return open_store(imported_files(), imports_dir())


@cache
def _cached_connection(store: Path, imports: tuple[Path, ...]) -> duckdb.DuckDBPyConnection:
    return open_store(imports, imports_dir())


# Cursors of the shared connection for threads other than the main one, by (thread, connection).
# Held here rather than in thread-local storage: a worker thread that ends while the interpreter
# shuts down would otherwise close its cursor there, and DuckDB, taking the GIL back from that
# thread, aborts the process ("FATAL: exception not rethrown"). A new thread that reuses an ended
# one's identifier reuses its cursor, which only one thread at a time ever holds.
_CURSORS: dict[tuple[int, int], duckdb.DuckDBPyConnection] = {}
_CURSORS_LOCK = threading.Lock()


def shared_connection() -> duckdb.DuckDBPyConnection:
    """One connection per (store, imports) state, reused across calls in a process.

    Other threads (the web server's thread pool) get a cursor of it each: DuckDB refuses a
    connection busy with another thread's call ("connection is busy"), and a cursor shares the
    same database, its attached store and views.
    """
    connection = _cached_connection(refresh(), tuple(imported_files()))
    if threading.current_thread() is threading.main_thread():
        return connection
    key = (threading.get_ident(), id(connection))
    with _CURSORS_LOCK:
        if key not in _CURSORS:
            _CURSORS[key] = connection.cursor()
        return _CURSORS[key]


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
    "connect",
    "data_dir",
    "home",
    "imported_files",
    "imports_dir",
    "open_store",
    "refresh",
    "run_sql",
    "shared_connection",
    "store_key",
    "store_path",
]
