"""Which imported files queries may read: only those the importer wrote, unchanged since.

`store_imports.write_import` records each file's SHA-256 and size in a manifest in the data home
(`imports.json`, beside the imports folder, never inside what a query connection may read),
under the imports lock and replaced in one rename. Before queries lay the imports over the
store, every file is checked against that record and against the store's checks; a file that is
not recorded, whose content changed (forged, truncated, overwritten), or that fails a check is
reported on stderr in one line and left out, and queries answer from the rest.

Hashing and re-checking every import on every start would grow with the editions, so a
verification cache in the cache home keeps, per file, the (size, mtime, ctime, inode) it had
when last verified and the store it was checked against: an unchanged file costs one `stat`.
Writing a file (or replacing it) changes its ctime or inode, which no user can set back.

Imports written before manifests existed are adopted once, while the data home has no
manifest: a file is recorded if pyarrow wrote it (as the importer does; a file written by
DuckDB's COPY, as the `sql` route forged them, is not) and it passes every check.

This module imports nothing of `store`: the store hands in its folders and its checks.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import stat
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_NAME = "imports.json"
LOCK_NAME = "imports.lock"
VERIFIED_NAME = "imports-verified.json"
EDITION_KEY = "alliance.edition"  # the key of the `Edition` record in a file's metadata
IMPORTER_WRITER = "parquet-cpp-arrow"  # `created_by` of the files pyarrow (the importer) writes

# The store's checks on the rows of imported files: for each file that fails, why.
RowCheck = Callable[[Sequence[Path]], dict[Path, str]]


@dataclass(frozen=True)
class Homes:
    """The folders the trust check reads and writes."""

    imports: Path  # the imports folder: <source>/<edition>__<dataset>.parquet
    data: Path  # the data home: the manifest and the imports lock
    cache: Path  # the cache home: the verification cache


# --- one-line notices ---------------------------------------------------------------------------

_NOTICED: set[str] = set()


def notice(line: str, about: str | None = None) -> None:
    """One line on stderr, once per process for what it is `about` (by default the line itself):
    a process checks its imports on every query, a web server on every request."""
    from alliance.errors import printable

    if (about or line) in _NOTICED:
        return
    _NOTICED.add(about or line)
    sys.stderr.write(f"Warning: {printable(line)}\n")
    sys.stderr.flush()


def removal_hint(path: Path) -> str:
    """How to remove an imported file: by its edition where its name gives one."""
    edition, separator, _ = path.stem.partition("__")
    if separator and edition:
        return f"remove it with `alliance data remove {path.parent.name} {edition}` or delete it"
    return "delete it"


def _ignored(path: Path, problem: str) -> None:
    line = f"ignored the imported file {str(path)!r}: {problem}; {removal_hint(path)}."
    notice(line, about=str(path))


# --- a lock between processes, re-entrant within one -------------------------------------------

_LOCKS: dict[Path, tuple[threading.RLock, list[int]]] = {}
_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def file_lock(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on `path` (created if need be); yields False if `wait` is off and
    another process or thread holds it. A thread that holds it may take it again."""
    import fcntl  # here: the rest of the module (and the store) works where it is missing

    with _LOCKS_GUARD:
        guard, held = _LOCKS.setdefault(path, (threading.RLock(), []))
    if not guard.acquire(blocking=wait):
        yield False
        return
    try:
        if held:  # this thread holds it already
            held.append(held[0])
            try:
                yield True
            finally:
                held.pop()
            return
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            held.append(handle)
            try:
                yield True
            finally:
                held.clear()
        finally:
            os.close(handle)  # closing releases the flock
    finally:
        guard.release()


def write_json_atomically(path: Path, content: Any) -> None:
    """Write `content` to `path` through a hidden file beside it and one rename."""
    import tempfile

    handle, name = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(content, file, sort_keys=True)
        os.replace(name, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


STALE_SECONDS = 600  # a hidden .tmp file this old is a killed writer's: no write takes so long


def sweep_temporaries(folder: Path) -> None:
    """Delete the hidden files of `write_json_atomically` that killed writers left in `folder`."""
    import time

    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    if time.time() - entry.stat().st_mtime > STALE_SECONDS:
                        os.unlink(entry.path)


def read_json(path: Path) -> dict[str, Any] | None:
    """The mapping in `path`; None if absent, {} with a notice if unreadable."""
    try:
        content = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return content if isinstance(content, dict) else {}


# --- the manifest (written only by the importer) -----------------------------------------------


def manifest(homes: Homes) -> dict[str, list[list[Any]]] | None:
    """Per file (relative to the imports folder), the [sha256, size] pairs the importer wrote;
    None if the data home has no manifest (or an unreadable one)."""
    content = read_json(homes.data / MANIFEST_NAME)
    if content is None:
        return None
    files = content.get("files")
    if not isinstance(files, dict):
        notice(
            f"the record of imports {str(homes.data / MANIFEST_NAME)!r} is unreadable; "
            "the imports were checked again and recorded anew."
        )
        return None
    return files


def record(homes: Homes, relative: str, digests: Sequence[tuple[str, int]]) -> None:
    """Set the contents `relative` may have (none: forget it). Caller holds the imports lock."""
    files = dict(manifest(homes) or {})
    if digests:
        files[relative] = [[sha, size] for sha, size in digests]
    else:
        files.pop(relative, None)
    write_json_atomically(homes.data / MANIFEST_NAME, {"format": 1, "files": files})


# --- the verification cache (any reader may write it) ------------------------------------------


def signature(status: os.stat_result) -> list[int]:
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]


def _verified(homes: Homes) -> dict[str, Any]:
    return read_json(homes.cache / VERIFIED_NAME) or {}


def remember_verified(
    homes: Homes, entries: dict[str, Any], present: Sequence[str] | None = None
) -> None:
    """Add `entries` to the verification cache, keeping of the others only those `present` (if
    given); a cache home that cannot be written is skipped (the files are verified again)."""
    kept = {k: v for k, v in _verified(homes).items() if present is None or k in present}
    with contextlib.suppress(OSError):
        write_json_atomically(homes.cache / VERIFIED_NAME, {**kept, **entries})


def verified_entry(path: Path, sha256: str, store_key: str) -> dict[str, Any]:
    return {"stat": signature(path.stat()), "sha256": sha256, "store": store_key}


# --- the check --------------------------------------------------------------------------------


def candidates(homes: Homes) -> tuple[list[Path], list[Path]]:
    """(the files in the imports folder, hidden leftovers of killed imports)."""
    from alliance.errors import FileAccessError

    # A folder that cannot be listed would otherwise look empty, and queries would silently
    # answer without the user's editions.
    if homes.imports.is_dir() and not os.access(homes.imports, os.R_OK | os.X_OK):
        raise FileAccessError(
            str(homes.imports),
            "read",
            "permission denied",
            "a readable folder of your imports (in the data home; ALLIANCE_HOME chooses another)",
        )
    found = sorted(homes.imports.glob("*/*.parquet"))
    visible = [p for p in found if not p.name.startswith(".")]
    return visible, [p for p in found if p.name.startswith(".importing-")]


def sweep_leftovers(homes: Homes, leftovers: Sequence[Path]) -> None:
    """Delete partial files of killed imports, if no import is running (else leave them)."""
    with contextlib.suppress(OSError), file_lock(homes.data / LOCK_NAME, wait=False) as free:
        if free:
            for leftover in leftovers:
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()


# Per imports folder: the state `_folder_state` saw and the files `trusted` then served.
_SERVED: dict[Path, tuple[tuple[Any, ...], list[Path]]] = {}


def trusted(homes: Homes, store_key: str, check_rows: RowCheck) -> list[Path]:
    """The imported files queries may read; each other one reported in one line.

    A process asks on every connection it takes (`compare` some thirty times): while the store,
    the manifest and every file in the imports folder keep the (size, mtime, ctime, inode) they
    had at the last check, the answer is that check's, found with a `stat` per file and no read.
    """
    state = _folder_state(homes, store_key)
    remembered = _SERVED.get(homes.imports)
    if state is not None and remembered is not None and remembered[0] == state:
        return list(remembered[1])
    served = _checked(homes, store_key, check_rows)
    if state is not None:
        _SERVED[homes.imports] = (state, served)
    return list(served)


def _folder_state(homes: Homes, store_key: str) -> tuple[Any, ...] | None:
    """The store, the manifest's stat and every entry of the imports folder's source folders
    with its stat; None if the folder cannot be listed (then `trusted` checks in full). Taken
    before the check, so that a change during it shows at the next call."""
    entries: list[tuple[str, str, list[int] | None]] = []
    try:
        with os.scandir(homes.imports) as folders:
            sources = sorted(entry.name for entry in folders if entry.is_dir())
        for source in sources:
            with os.scandir(homes.imports / source) as files:
                entries += [(source, entry.name, _signature_of(entry)) for entry in files]
    except OSError:
        return None
    try:
        recorded: list[int] | None = signature(os.stat(homes.data / MANIFEST_NAME))
    except FileNotFoundError:
        recorded = None
    except OSError:
        return None
    return (store_key, recorded, *sorted(entries))


def _signature_of(entry: os.DirEntry[str]) -> list[int] | None:
    try:
        return signature(entry.stat())
    except OSError:
        return None


def _checked(homes: Homes, store_key: str, check_rows: RowCheck) -> list[Path]:
    files, leftovers = candidates(homes)
    if leftovers:
        sweep_leftovers(homes, leftovers)
    if not files:
        return []
    records = manifest(homes)
    verified = _verified(homes)
    served: list[Path] = []
    newly_verified: dict[str, Any] = {}
    adopted: dict[str, tuple[str, int]] = {}
    pending: dict[Path, tuple[str, str]] = {}  # to check against the store: (relative, sha256)
    for path in files:
        relative = path.relative_to(homes.imports).as_posix()
        try:
            status = path.stat()
        except OSError as error:
            _ignored(path, f"it cannot be read ({error.strerror})")
            continue
        digests = None if records is None else records.get(relative)
        cached = verified.get(relative)
        if (
            isinstance(cached, dict)
            and cached.get("stat") == signature(status)
            and cached.get("store") == store_key
            and (digests is None or [cached.get("sha256"), status.st_size] in digests)
            and records is not None
        ):
            served.append(path)
            continue
        problem, sha256 = _verify(path, status, digests, records is None)
        if problem is not None:
            _ignored(path, problem)
            continue
        pending[path] = (relative, sha256)
    # The rows of every file not verified on this store yet, against the store, in one pass.
    failing = check_rows(list(pending)) if pending else {}
    for path, (relative, sha256) in pending.items():
        if path in failing:
            _ignored(path, failing[path])
            continue
        newly_verified[relative] = verified_entry(path, sha256, store_key)
        if records is None:
            adopted[relative] = (sha256, path.stat().st_size)
    served = sorted([*served, *(p for p in pending if p not in failing)])
    if adopted:
        _adopt(homes, adopted)
    if newly_verified:
        present = [p.relative_to(homes.imports).as_posix() for p in files]
        remember_verified(homes, newly_verified, present)
    return served


def _adopt(homes: Homes, adopted: dict[str, tuple[str, int]]) -> None:
    """Record imports written before manifests existed (they passed every check)."""
    with contextlib.suppress(OSError), file_lock(homes.data / LOCK_NAME):
        if manifest(homes) is None:
            files = {relative: [[sha, size]] for relative, (sha, size) in adopted.items()}
            write_json_atomically(homes.data / MANIFEST_NAME, {"format": 1, "files": files})


def _verify(
    path: Path,
    status: os.stat_result,
    digests: list[list[Any]] | None,
    adopting: bool,
) -> tuple[str | None, str]:
    """(what is wrong with `path`, or None; its SHA-256)."""
    from alliance.provenance import sha256_of

    if not stat.S_ISREG(status.st_mode):
        return "it is not a regular file", ""
    if status.st_size == 0:
        return "it is empty", ""
    if not adopting and not digests:
        return "`alliance data import` did not write it (no record of it)", ""
    try:
        sha256 = sha256_of(path)
    except OSError as error:
        return f"it cannot be read ({error.strerror})", ""
    if digests is not None and [sha256, status.st_size] not in digests:
        return "its content changed since it was imported (checksum differs)", sha256
    return file_problem(path, adopting), sha256


@functools.cache
def _metadata_reader() -> Any:
    """One in-memory DuckDB connection for reading files' metadata (a new one per file cost
    more than the reading)."""
    import duckdb

    return duckdb.connect(":memory:")


def file_problem(path: Path, adopting: bool = False) -> str | None:
    """What makes `path` unlike a file the importer writes: not Parquet, no or a bad edition
    record, other columns, a name its record does not give; None if it looks right."""
    import duckdb

    from alliance.schema import OBSERVATION_COLUMNS

    name = str(path)
    try:
        with _metadata_reader().cursor() as connection:
            [(writer,)] = connection.execute(
                "SELECT created_by FROM parquet_file_metadata(?)", [name]
            ).fetchall()
            columns = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM parquet_schema(?) WHERE num_children IS NULL", [name]
                ).fetchall()
            ]
            texts = connection.execute(
                "SELECT decode(value) FROM parquet_kv_metadata(?) WHERE decode(key) = ?",
                [name, EDITION_KEY],
            ).fetchall()
    except duckdb.Error:
        return "it is not a readable Parquet file"
    if adopting and not str(writer or "").startswith(IMPORTER_WRITER):
        return f"`alliance data import` did not write it (written by {writer!r})"
    if columns != list(OBSERVATION_COLUMNS):
        return "its columns are not those of an import"
    if len(texts) != 1:
        return "it carries no edition record"
    return _edition_problem(path, texts[0][0])


def _edition_problem(path: Path, text: str) -> str | None:
    from alliance.provenance import Edition, edition_problem

    try:
        edition = Edition.from_record(json.loads(text))
    except (ValueError, TypeError):
        return "its edition record is unreadable"
    if edition.origin != "imported":
        return "its edition record does not say it was imported"
    # Imports from before edition ids were checked could be named anything, and a name such as
    # "banana" sorts after every date: it would answer by default.
    problem = edition_problem(edition.edition)
    if problem is not None:
        return f"its edition {edition.edition[:40]!r} is not an edition id ({problem})"
    expected = f"{edition.edition}__{edition.dataset}".replace("/", "_") + ".parquet"
    if (path.parent.name, path.name) != (edition.source_id, expected):
        return f"its name does not match its edition record ({edition.source_id}/{expected})"
    return None


__all__ = [
    "Homes",
    "file_lock",
    "file_problem",
    "manifest",
    "notice",
    "record",
    "remember_verified",
    "removal_hint",
    "trusted",
    "verified_entry",
]
