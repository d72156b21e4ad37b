"""The embedded DuckDB store, as queries see it: where it lives and read-only connections to it.

The store file is a cache of the shipped data. Its name carries a key computed from the shipped
files, so a new package version gives a new store (built by `alliance.store_writer` on first use).
A store that is damaged (its size is not the one it was built with, or it does not open) is moved
aside and rebuilt, with one line on stderr; a store another program holds locked is one error.
User imports live in the data home as one Parquet file per edition, and only the ones the
importer recorded are served (`store_trust`). With imports present, queries run on an in-memory
connection that attaches the store read-only and lays the imports over it as views
(`observations`, `editions`, ...); the connection may then read nothing else on the machine.

This module is on every query's start-up path, so it imports nothing that only writing needs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import threading
import weakref
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from alliance import store_newest, store_trust
from alliance.errors import FileAccessError, StoreError
from alliance.homes import home as home  # where the store lives; re-exported
from alliance.schema import OBSERVATION_COLUMNS

EDITION_METADATA_KEY = store_trust.EDITION_KEY.encode()
# Bump when the table layout below changes. 3: each store has a record of its build beside it.
STORE_FORMAT = "3"


def data_dir() -> Path:
    """The shipped data folder inside the installed package."""
    return Path(str(resources.files("alliance").joinpath("data")))


def imports_dir() -> Path:
    return home()[1] / "imports"


def _shipped_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".csv", ".json"})


def trust_homes() -> store_trust.Homes:
    cache, data = home()
    return store_trust.Homes(imports=data / "imports", data=data, cache=cache)


def imported_files() -> list[Path]:
    """The imported files queries may read: written by the importer and unchanged since (each
    other file in the imports folder is reported in one line on stderr and ignored)."""
    homes = trust_homes()
    if not homes.imports.exists():
        return []
    return store_trust.trusted(homes, store_key(), _check_rows)


def _check_rows(paths: Sequence[Path]) -> dict[Path, str]:
    """The store's checks on the rows of imported files: for each that fails, why."""
    from alliance.store_writer import failing_files

    try:
        with open_store(paths, imports_dir()) as connection:
            failing = failing_files(connection, [p.name for p in paths])
    except duckdb.Error as error:  # a StoreError (a locked store) is not the files' fault
        if len(paths) == 1:
            return {paths[0]: f"its rows cannot be read ({_first_line(error)})"}
        return {p: why for one in paths for p, why in _check_rows([one]).items()}
    return {
        p: f"it fails the store's checks ({failing[p.name]})" for p in paths if p.name in failing
    }


def sql_string(text: str | Path) -> str:
    """`text` as an SQL string literal, for the few places DuckDB takes no bound parameter (a
    view's definition, a setting); everywhere else values go in as parameters."""
    value = str(text)
    if "\x00" in value:
        raise StoreError(f"Refused a path holding a NUL character: {value!r}.")
    return "'" + value.replace("'", "''") + "'"


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
    """The current store file: built first if the shipped data changed, rebuilt if damaged."""
    path = store_path()
    if _store_problem(path) is not None:
        _rebuild(path)
    elif not _SWEPT:
        _sweep_if_free(path.parent)
    return path


_SWEPT: list[bool] = []  # once per process: what killed builds left beside a store that is fine


def _sweep_if_free(folder: Path) -> None:
    _SWEPT.append(True)
    with os.scandir(folder) as entries:
        names = [entry.name for entry in entries if entry.name.startswith(".")]
    if any(name.endswith(".tmp") for name in names):
        store_trust.sweep_temporaries(folder)
    if not any(name.startswith(".building-") for name in names):
        return
    with (
        contextlib.suppress(OSError),
        store_trust.file_lock(folder / "store.lock", wait=False) as free,
    ):
        if free:  # no build is running: any .building-* file is a killed one's
            _sweep_builds(folder)


_MISSING = "is missing"
_NEEDED = "a writable folder with free space for the store (the cache home; ALLIANCE_HOME chooses "
_NEEDED += "another)"


def build_record(path: Path) -> Path:
    """The file beside the store holding the size and SHA-256 it was built with."""
    return path.with_name(path.name + ".built")


def _store_problem(path: Path) -> str | None:
    """What is wrong with the store file, seen from outside (a few microseconds); None if it
    looks as built."""
    try:
        status = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return _MISSING
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if stat.S_ISDIR(status.st_mode):
        return "is a folder"
    if not stat.S_ISREG(status.st_mode):
        return "is not a regular file"
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied)"
    if os.path.lexists(f"{path}.wal"):  # DuckDB would replay it: figures no build checked
        return "has a write-ahead log beside it (another program wrote to it)"
    record = store_trust.read_json(build_record(path))
    if not record or not isinstance(record.get("size"), int):
        return "has no record of its build"
    if record["size"] != status.st_size:
        return f"is {status.st_size:,} bytes, not the {record['size']:,} it was built with"
    if record.get("stat") != store_trust.signature(status):
        # Written since last seen (or first seen since its build): read it once, then remember.
        from alliance.provenance import sha256_of

        if sha256_of(path) != record.get("sha256"):
            return "was changed since it was built (its checksum differs)"
        with contextlib.suppress(OSError):
            store_trust.write_json_atomically(
                build_record(path), {**record, "stat": store_trust.signature(status)}
            )
    return None


def _health(path: Path) -> str | None:
    problem = _store_problem(path)
    if problem is not None:
        return problem
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as error:
        _raise_if_locked(path, error)
        return f"does not open ({_first_line(error)})"
    return None


def _rebuild(path: Path) -> None:
    """Build the store at `path`, moving a damaged one aside first; one builder at a time."""
    from alliance.paths import file_errors

    folder = path.parent
    with contextlib.ExitStack() as held:
        with file_errors(folder, "write", _NEEDED):
            folder.mkdir(parents=True, exist_ok=True)
            held.enter_context(store_trust.file_lock(folder / "store.lock"))
        problem = _health(path)  # again: another process may have built it meanwhile
        if problem is None:
            return
        _sweep_builds(folder)
        if problem != _MISSING:
            with file_errors(folder, "write", _NEEDED):
                aside = _move_aside(path)
            store_trust.notice(
                f"the store {str(path)!r} {problem}: moved it aside to {aside.name!r} and "
                "rebuilt it from the shipped files."
            )
            with contextlib.suppress(OSError):  # imports are checked again on this store
                (home()[0] / store_trust.VERIFIED_NAME).unlink()
        _build(path)


def _build(path: Path) -> None:
    from alliance.paths import file_errors
    from alliance.store_writer import build

    try:
        with file_errors(path.parent, "write", _NEEDED):
            build(path, data_dir(), build_record(path))
    except duckdb.Error as error:
        raise FileAccessError(str(path.parent), "write", _io_problem(error), _NEEDED) from None


def _io_problem(error: duckdb.Error) -> str:
    text = str(error)
    for words, problem in (
        ("No space left", "no space left on the device"),
        ("Permission denied", "permission denied"),
        ("Read-only file system", "the file system is read-only"),
        ("Disk quota exceeded", "the disk quota is exceeded"),
    ):
        if words in text:
            return problem
    return _first_line(error)


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [""])[0]


def _sweep_builds(folder: Path) -> None:
    """Delete what killed builds left (the caller holds the build lock: none is running)."""
    for leftover in folder.glob(".building-*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


_KEEP_BROKEN = 3  # damaged stores kept for a look, newest first; older ones are deleted


def _move_aside(path: Path) -> Path:
    import shutil
    import time

    aside = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%dT%H%M%S')}")
    number = 1
    while aside.exists() or aside.is_symlink():
        number += 1
        aside = aside.with_name(f"{path.name}.broken-{time.strftime('%Y%m%dT%H%M%S')}-{number}")
    os.rename(path, aside)
    for companion in (".wal", ".built"):
        with contextlib.suppress(FileNotFoundError):
            os.rename(
                path.with_name(path.name + companion), aside.with_name(aside.name + companion)
            )
    broken = sorted(path.parent.glob("store-*.broken-*[0-9]"), key=lambda p: p.name)
    for old in broken[:-_KEEP_BROKEN]:
        with contextlib.suppress(OSError):
            shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
        for companion in (".wal", ".built"):
            with contextlib.suppress(OSError):
                old.with_name(old.name + companion).unlink()
    return aside


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


def _raise_if_locked(path: Path, error: duckdb.Error) -> None:
    if "Could not set lock" not in str(error):
        return
    holder = _LOCK_HOLDER.search(str(error))
    who = f" ({Path(holder.group(1)).name}, PID {holder.group(2)})" if holder else ""
    raise StoreError(
        f"The store {str(path)!r} is locked by another program{who}: "
        "expected it free; close that program and try again."
    ) from None


def _opened(path: Path, connect: Any) -> duckdb.DuckDBPyConnection:
    """`connect(path)`; a store that does not open is moved aside, rebuilt and opened again."""
    try:
        return connect(path)  # type: ignore[no-any-return]
    except duckdb.Error as error:
        _raise_if_locked(path, error)
        _rebuild(path)
    try:
        return connect(path)  # type: ignore[no-any-return]
    except duckdb.Error as error:
        _raise_if_locked(path, error)
        raise StoreError(f"Cannot open the store {str(path)!r}: {_first_line(error)}") from None


TABLES = ("observations", "editions", "countries", "groups", "memberships", "indicators")


def open_store(
    imports: Sequence[Path], allowed: Path | None = None, *, newest: bool = False
) -> duckdb.DuckDBPyConnection:
    """An in-memory connection: the store attached read-only, `imports` laid over it as views.

    After set-up the connection may read no file but the store and the folder `allowed`. With
    `newest` (only for files the store serves), the cached newest rows of `imports` are attached
    too (`store_newest`), for queries that name no edition.
    """
    if not imports:
        # The common case: the store file alone, opened directly (faster than attaching it).
        return _opened(
            refresh(),
            lambda path: duckdb.connect(
                str(path), read_only=True, config={"enable_external_access": False}
            ),
        )
    connection = duckdb.connect(":memory:")
    _opened(
        refresh(),
        lambda path: connection.execute("ATTACH ? AS store (READ_ONLY)", [str(path)]),
    )
    for table in TABLES:
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM store.{table}")
    # The layer also holds the imports' edition records: each file's footer is then not read.
    laid = newest and store_newest.lay_over(connection, home()[0], imports)
    if laid:
        _WITH_NEWEST_LAYER.add(connection)
    _lay_imports_over(connection, imports, editions=not laid)
    if allowed is not None:
        connection.execute(f"SET allowed_directories = [{sql_string(f'{allowed}/')}]")
    connection.execute("SET enable_external_access = false")
    return connection


# The connections (and their threads' cursors) on which `store_newest` laid the imports' newest
# rows, as its VIEW: asking DuckDB (a view listing, or binding the name and failing) was a
# measurable part of each query command (bench/RESULTS.md).
_WITH_NEWEST_LAYER: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()


def has_newest_layer(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether `connection` (from `open_store(newest=True)`) has the view `store_newest.VIEW`."""
    return connection in _WITH_NEWEST_LAYER


def _lay_imports_over(
    connection: duckdb.DuckDBPyConnection, imports: Sequence[Path], *, editions: bool = True
) -> None:
    import json

    from alliance.provenance import EDITION_COLUMNS, Edition

    files = "[" + ", ".join(sql_string(p) for p in imports) + "]"
    columns = ", ".join(f'"{c}"' for c in OBSERVATION_COLUMNS)
    connection.execute(
        f"CREATE OR REPLACE VIEW observations AS SELECT * FROM store.observations UNION ALL "
        f"SELECT {columns}, regexp_extract(filename, '[^/]+$') AS file, "
        f"file_row_number + 1 AS line FROM read_parquet({files}, filename = true, "
        "file_row_number = true)"
    )
    if not editions:
        return
    records = connection.execute(
        f"SELECT file_name, decode(value) FROM parquet_kv_metadata({files}) "
        f"WHERE decode(key) = {sql_string(EDITION_METADATA_KEY.decode())}"
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
    placeholders = "(" + ", ".join("?" for _ in range(len(EDITION_COLUMNS) + 1)) + ")"
    values = []
    for name, text in records:
        record = Edition.from_record(json.loads(text)).record()
        values += [*(record[c] for c in EDITION_COLUMNS), counts[name]]
    # One statement: one INSERT per edition grew every query's time with the imports.
    rows = ", ".join(placeholders for _ in records)
    connection.execute(f"INSERT INTO imported_editions VALUES {rows}", values)
    connection.execute(
        "CREATE OR REPLACE VIEW editions AS SELECT * FROM store.editions "
        "UNION ALL SELECT * FROM imported_editions"
    )


def connect() -> duckdb.DuckDBPyConnection:
    """A new read-only connection to the store with the user's imports."""
    return open_store(imported_files(), imports_dir(), newest=True)


@cache
def _cached_connection(store: Path, imports: tuple[Path, ...]) -> duckdb.DuckDBPyConnection:
    return open_store(imports, imports_dir(), newest=True)


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
            if has_newest_layer(connection):
                _WITH_NEWEST_LAYER.add(_CURSORS[key])
        return _CURSORS[key]


# --- the package's own reads, and the connection for users' SQL --------------------------------


def query(sql: str, parameters: Sequence[object] = ()) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(column names, rows) of the package's own `sql` on the shared connection. Users' SQL
    never comes here: it runs in `alliance.sandbox`, on a sealed connection of its own."""
    try:
        cursor = shared_connection().execute(sql, list(parameters))
        return [d[0] for d in cursor.description or []], cursor.fetchall()
    except duckdb.Error as error:
        raise StoreError(f"Cannot read the store: {_first_line(error)}") from None


def open_sealable(settings: dict[str, str | int | bool]) -> duckdb.DuckDBPyConnection:
    """A bare in-memory connection for `open_sealed` to seal: `settings`, no temporary folder, and
    one DuckDB thread for the copy. It holds nothing and runs nothing until sealed, so users' SQL
    can be parsed on it first: one DuckDB instance instead of two (bench/RESULTS.md)."""
    return duckdb.connect(":memory:", config={**settings, "threads": 1, "temp_directory": ""})


def open_sealed(
    imports: Sequence[Path],
    settings: dict[str, str | int | bool],
    connection: duckdb.DuckDBPyConnection | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory connection for untrusted SQL that, once set up, can touch no file and change
    no setting: the store attached read-only; the rows of `imports` copied into memory (a view
    over their files would need their folder allowed, and DuckDB lets a statement write where it
    may read); no temporary folder (none to spill into, none DuckDB would allow); `settings`
    (DuckDB limits such as memory_limit and threads) applied, then the configuration locked.
    `connection`, if given, is one `open_sealable(settings)` opened, sealed in place.

    The copy runs on one DuckDB thread, half the CPU time of two for these small tables
    (bench/RESULTS.md); `settings`' threads are set back before the configuration is locked."""
    if connection is None:
        connection = open_sealable(settings)
    _opened(
        refresh(),
        lambda path: connection.execute("ATTACH ? AS store (READ_ONLY)", [str(path)]),
    )
    for table in TABLES:
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM store.{table}")
    if imports:
        _lay_imports_over(connection, imports)
    # Copied in and the store detached: while it is attached DuckDB allows its file, and a
    # DETACH then ATTACH would reopen it for writing.
    for table in TABLES:
        connection.execute(f'CREATE TEMP TABLE "sealed_{table}" AS FROM main."{table}"')
        connection.execute(f'CREATE OR REPLACE VIEW "{table}" AS FROM "sealed_{table}"')
    connection.execute("DETACH store")
    threads = settings.get("threads")
    connection.execute("RESET threads" if threads is None else f"SET threads = {int(threads)}")
    connection.execute("SET enable_progress_bar = false")
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")
    return connection


__all__ = [
    "connect",
    "data_dir",
    "has_newest_layer",
    "home",
    "imported_files",
    "imports_dir",
    "open_sealable",
    "open_sealed",
    "open_store",
    "query",
    "refresh",
    "shared_connection",
    "store_key",
    "store_path",
]
