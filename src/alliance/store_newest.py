"""The newest row of every figure in the user's imports, kept beside the store as a cache.

A query that names no edition keeps, per figure, the row of the newest edition that has it
(`observations.newest_per_figure`). Read over every imported file, that costs as much as the files
hold: with 50 imported editions of the SIPRI workbook, returning the rows one edition holds took as
long and as much memory as reading all fifty (bench/RESULTS.md). This layer holds what the rule can
still choose from the imports: per figure AND per value of every column a query filters on before
applying the rule (an exact price basis, the definition), the newest row. Whatever a query filters,
the rule over the store's rows and this layer's keeps the rows it keeps over the store's rows and
every imported file: a filter keeps or drops each of the layer's groups whole, and the newest of
the newest of each group is the newest of all.

The layer is a DuckDB file in the cache home whose name carries a key of the files it was made
from (their paths and the (size, mtime, ctime, inode) under which `store_trust` vouches for
them), made only from the files the store serves. After an import or a removal, the new layer
is a copy of the previous one changed in place (the cost of one edition, however many are
stored): an imported file's rows replace those they beat; a removed file's rows go, and only the
groups they held are chosen again, from the next edition of the same source first. A layer is
made from every file when none is near enough, or when a file holds more than one edition. It is
a cache, never the truth: when it cannot be made or read, queries read the imported files as
before, and the queries that name an edition (`--edition`, `data diff`) always do.

The layer also keeps the imported editions' records (and row counts), read from the same files'
metadata, so that a query does not read every file's footer for them.

This module imports nothing of `store`: the store hands in its folder and its files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import duckdb

from alliance import store_trust
from alliance.provenance import EDITION_COLUMNS
from alliance.schema import FILTER_COLUMNS, OBSERVATION_COLUMNS, VARIANT_COLUMNS

# Bump when what the layer holds, or how it is chosen, changes.
LAYER_FORMAT = "3"
# The store's rows and the layer's: what queries that name no edition read.
VIEW = "newest_observations"
LOCK_NAME = "newest.lock"
_PREFIX = "newest-"

# A figure (VARIANT_COLUMNS with the full price basis, entity, year) refined by the columns a
# query may filter on before the rule (FILTER_COLUMNS): each group then lies wholly inside or
# outside any query's selection.
GROUP_COLUMNS = (
    *VARIANT_COLUMNS,
    "entity",
    "year",
    *(column for column in FILTER_COLUMNS if column not in VARIANT_COLUMNS),
)
# The rule's order within a group, as a key the largest of which wins: a value first (NaN is
# none), then the newest edition, then the first dataset by name (`dataset_rank` numbers the
# datasets from the last name to the first). A hash aggregate over this key reads many imported
# editions in a fraction of the time and memory of the same rule as a window, which sorts every
# row (bench/RESULTS.md). Two rows with the same
# group, edition and dataset (which the importer refuses) would be chosen between arbitrarily, as
# observations' window does.
_RULE_KEY = (
    "struct_pack(has_value := (r.value IS NOT NULL AND NOT isnan(r.value)), "
    "edition := r.edition, dataset_rank := d.dataset_rank)"
)

Entry = tuple[str, tuple[int, ...]]  # (path of an imported file, its stat signature)
_EDITION_TABLE_COLUMNS = (
    ", ".join(f'"{name}" {kind}' for name, kind in EDITION_COLUMNS.items()) + ", rows BIGINT"
)


def lay_over(connection: duckdb.DuckDBPyConnection, cache: Path, imports: Sequence[Path]) -> bool:
    """Attach the layer of `imports` (made first if need be) to `connection`, create the view
    VIEW over the attached store's rows and the layer's, and the view `editions` over the store's
    and the imports' records; False (and no view) if it cannot.

    A layer that does not open or is not what its name says (damaged, written by another DuckDB)
    is deleted and made again, once."""
    for attempt in range(2):
        layer = ensure(cache, imports)
        if layer is None:
            return False
        try:
            connection.execute("ATTACH ? AS newest (READ_ONLY)", [str(layer)])
            (found,) = connection.execute("SELECT key FROM newest.layer").fetchone() or ("",)
            if found == layer.stem.rpartition("-")[2] == layer_key(_entries(imports)):
                connection.execute(
                    f"CREATE VIEW {VIEW} AS SELECT * FROM store.observations "
                    "UNION ALL SELECT * FROM newest.observations"
                )
                connection.execute(
                    "CREATE OR REPLACE VIEW editions AS SELECT * FROM store.editions "
                    "UNION ALL SELECT * EXCLUDE (path) FROM newest.editions"
                )
                return True
        except (duckdb.Error, OSError):
            pass
        with contextlib.suppress(duckdb.Error):
            connection.execute("DETACH DATABASE IF EXISTS newest")
        if attempt == 0:
            with contextlib.suppress(OSError), store_trust.file_lock(cache / LOCK_NAME):
                layer.unlink()
    return False


def ensure(cache: Path, imports: Sequence[Path]) -> Path | None:
    """The layer file of `imports` (files the store serves), made if missing; None without
    imports, or if it cannot be made (a cache home that cannot be written, a file gone)."""
    if not imports:
        return None
    try:
        wanted = _entries(imports)
        path = cache / f"{_PREFIX}{layer_key(wanted)}.duckdb"
        if path.is_file():
            return path
        cache.mkdir(parents=True, exist_ok=True)
        with store_trust.file_lock(cache / LOCK_NAME):
            if not path.is_file():  # another process may have made it meanwhile
                _sweep(cache, keep=None, building_only=True)
                _make(path, wanted)
                _sweep(cache, keep=path)
    except (OSError, duckdb.Error, ValueError, TypeError):  # a file without a readable record
        return None
    return path


def layer_key(entries: Sequence[Entry]) -> str:
    """What a layer is made of: the files, each as it was (the store's key does not count: the
    layer's rows come from the files alone, and the store serves only files that pass its
    checks)."""
    text = json.dumps([LAYER_FORMAT, sorted(entries)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _entries(imports: Sequence[Path]) -> list[Entry]:
    return [(str(p), tuple(store_trust.signature(p.stat()))) for p in imports]


def _make(path: Path, wanted: list[Entry]) -> None:
    """Write the layer of `wanted` to `path` through a hidden file and one rename: a copy of an
    earlier layer changed in place for the few files it lacks or holds too many (`_plan`), or
    else made from every file."""
    handle, name = tempfile.mkstemp(prefix=".newest-building-", suffix=".duckdb", dir=path.parent)
    os.close(handle)
    os.unlink(name)  # DuckDB makes the file itself
    temporary = Path(name)
    try:
        plan = _plan(path.parent, wanted)
        if plan is not None:
            shutil.copyfile(plan.base, temporary)
        with duckdb.connect(str(temporary)) as connection:
            connection.execute("SET enable_progress_bar = false")
            if plan is None:
                editions = _make_from_every_file(connection, [name for name, _ in wanted])
            else:
                editions = _change_in_place(connection, plan)
            connection.execute(
                "CREATE OR REPLACE TABLE layer AS SELECT ? AS key, ? AS format",
                [layer_key(wanted), LAYER_FORMAT],
            )
            connection.execute(
                "CREATE OR REPLACE TABLE files (path VARCHAR, signature BIGINT[], "
                "source_id VARCHAR, edition VARCHAR, dataset VARCHAR)"
            )
            connection.executemany(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?)",
                [[n, list(s), *(editions.get(n) or (None,) * 3)] for n, s in wanted],
            )
        os.replace(temporary, path)
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _make_from_every_file(
    connection: duckdb.DuckDBPyConnection, paths: list[str]
) -> dict[str, FileEdition | None]:
    connection.execute(
        f"CREATE TABLE observations AS {_newest_sql()} "
        f"ORDER BY {', '.join(GROUP_COLUMNS)}",  # a query's rows close together on disk
        [paths],
    )
    connection.execute(f"CREATE TABLE editions (path VARCHAR, {_EDITION_TABLE_COLUMNS})")
    _keep_editions(connection, paths)
    return _editions_of(connection, paths)


def _newest_sql() -> str:
    """The newest row per group of the files given as parameter $1, with the observation
    columns, file and line."""
    groups = ", ".join(GROUP_COLUMNS)
    # Each file read twice rather than once into a common table: that table would hold every
    # row of every file at once (several times the memory: bench/RESULTS.md).
    return (
        f"WITH datasets AS (SELECT dataset, row_number() OVER (ORDER BY dataset DESC) AS "
        f"dataset_rank FROM (SELECT DISTINCT dataset FROM read_parquet($1::VARCHAR[]))) "
        f"SELECT unnest(arg_max(r, {_RULE_KEY})) FROM "
        f"(SELECT r, {groups} FROM ({_rows_sql('$1::VARCHAR[]')}) r) JOIN datasets d "
        f"ON d.dataset IS NOT DISTINCT FROM r.dataset GROUP BY {groups}"
    )


def _rows_sql(files: str, more: str = "") -> str:
    """The rows of `files` (a path or list of paths in SQL) with file and line as the store's
    view of the imports gives them (store._lay_imports_over), and the columns `more`."""
    columns = ", ".join(f'"{c}"' for c in OBSERVATION_COLUMNS)
    return (
        f"SELECT {columns}, regexp_extract(filename, '[^/]+$') AS file, "
        f"file_row_number + 1 AS line{more} FROM read_parquet({files}, filename = true, "
        "file_row_number = true)"
    )


# --- a layer changed in place, a file at a time ---------------------------------------------------
#
# What the importer writes holds one edition of one dataset of one source (a FileEdition), and no
# two files the same. Among such files, which row of a group the rule keeps is decided between
# files: with a value first, then the file's edition, then its dataset. So a file added beats, per
# group, the layer's row or not; and a file removed leaves only the groups whose row it gave to
# be chosen again, from the files of its source, newest first. A layer whose files are not all
# such files is made from every file instead.

FileEdition = tuple[str, str, str]  # (source_id, edition, dataset) of every row of a file

# Past this many files to add or remove, one aggregate over every file costs less.
_MOST_STEPS = 4
_HAS_VALUE = "({0}.value IS NOT NULL AND NOT isnan({0}.value))"
_SAME_GROUP = " AND ".join(f"{{0}}.{c} IS NOT DISTINCT FROM {{1}}.{c}" for c in GROUP_COLUMNS)


@dataclass(frozen=True)
class _Plan:
    base: Path  # an earlier layer
    removing: list[FileEdition]  # of files it holds that are not wanted
    adding: list[str]  # wanted files it lacks
    kept: list[tuple[str, FileEdition]]  # wanted files it holds
    editions: dict[str, FileEdition | None]  # of every wanted file


def _plan(cache: Path, wanted: list[Entry]) -> _Plan | None:
    """The earlier layer that the fewest files added or removed make into the layer of
    `wanted`, if that is at most _MOST_STEPS and every file involved is one FileEdition."""
    wanted_set = set(wanted)
    best: tuple[Path, dict[Entry, FileEdition | None]] | None = None
    steps = _MOST_STEPS + 1
    for candidate in cache.glob(f"{_PREFIX}*.duckdb"):
        held = _held(candidate)
        if held is None:
            continue
        changes = len(set(held) - wanted_set) + len(wanted_set - set(held))
        if changes < steps:
            best, steps = (candidate, held), changes
    if best is None:
        return None
    base, held = best
    adding = [name for name, signature in wanted if (name, signature) not in held]
    with duckdb.connect() as connection:
        added = _editions_of(connection, adding)
    editions = {**{name: held[(name, s)] for name, s in wanted if (name, s) in held}, **added}
    for among in (list(held.values()), list(editions.values())):
        if None in among or len(set(among)) < len(among):
            return None
    kept = [(name, cast("FileEdition", held[(name, s)])) for name, s in wanted if (name, s) in held]
    removing = [cast("FileEdition", held[entry]) for entry in held if entry not in wanted_set]
    return _Plan(base, removing, adding, kept, editions)


def _held(layer: Path) -> dict[Entry, FileEdition | None] | None:
    """The files of a layer of this format, each with its FileEdition (None if not one)."""
    try:
        with duckdb.connect(str(layer), read_only=True) as connection:
            (form,) = connection.execute("SELECT format FROM layer").fetchone() or ("",)
            rows = connection.execute("SELECT * FROM files").fetchall()
    except duckdb.Error:
        return None
    if form != LAYER_FORMAT:
        return None
    return {
        (str(name), tuple(signature)): None if None in edition else tuple(edition)
        for name, signature, *edition in rows
    }


def _editions_of(
    connection: duckdb.DuckDBPyConnection, paths: list[str]
) -> dict[str, FileEdition | None]:
    """Per file, the one (source_id, edition, dataset) its rows carry; None if not one."""
    if not paths:
        return {}
    found = connection.execute(
        "SELECT filename, min(source_id), min(edition), min(dataset), "
        "min(source_id) = max(source_id) AND min(edition) = max(edition) "
        "AND min(dataset) = max(dataset) AND count(*) = count(source_id) "
        "AND count(*) = count(edition) AND count(*) = count(dataset) "
        "FROM read_parquet(?::VARCHAR[], filename = true) GROUP BY filename",
        [paths],
    ).fetchall()
    single: dict[str, FileEdition] = {
        name: (source, edition, dataset) for name, source, edition, dataset, one in found if one
    }
    return {path: single.get(path) for path in paths}


def _change_in_place(
    connection: duckdb.DuckDBPyConnection, plan: _Plan
) -> dict[str, FileEdition | None]:
    # One thread: a lower peak of memory at an import or removal for no more CPU (its joins are
    # over one file's rows; bench/RESULTS.md).
    connection.execute("SET threads = 1")
    connection.execute("BEGIN")  # one commit, not one a statement
    for removed in plan.removing:
        _remove_rows(connection, removed, [(n, e) for n, e in plan.kept if e[0] == removed[0]])
    for path in plan.adding:
        _add_rows(connection, path)
    kept = [name for name, _ in plan.kept]
    connection.execute("DELETE FROM editions WHERE NOT list_contains(?, path)", [kept])
    _keep_editions(connection, plan.adding)
    connection.execute("COMMIT")
    return plan.editions


def _add_rows(connection: duckdb.DuckDBPyConnection, path: str) -> None:
    """The groups where a row of the file at `path` beats the layer's take that row."""
    rows = _rows_sql("$1::VARCHAR")
    has_new, has_old = _HAS_VALUE.format("n"), _HAS_VALUE.format("b")
    beats = (
        f"({has_new} > {has_old} OR ({has_new} = {has_old} AND (n.edition > b.edition "
        "OR (n.edition = b.edition AND n.dataset < b.dataset))))"
    )
    same = _SAME_GROUP.format("n", "b")
    connection.execute(
        f"DELETE FROM observations b WHERE EXISTS (SELECT 1 FROM ({rows}) n "
        f"WHERE {same} AND {beats})",
        [path],
    )
    connection.execute(
        f"INSERT INTO observations SELECT n.* FROM ({rows}) n WHERE NOT EXISTS "
        f"(SELECT 1 FROM observations b WHERE {same}) ORDER BY {', '.join(GROUP_COLUMNS)}",
        [path],
    )


def _remove_rows(
    connection: duckdb.DuckDBPyConnection,
    removed: FileEdition,
    others: list[tuple[str, FileEdition]],
) -> None:
    """Drop the rows of the file `removed` and choose their groups again from `others` (the
    files of its source that stay): from the newest file first, which decides every group
    where it has a value, or has a row while no file has a value (the removed row had none);
    the groups left, from every other file, read only within their years."""
    where = "source_id = ? AND edition = ? AND dataset = ?"
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE gone AS SELECT {', '.join(GROUP_COLUMNS)}, "
        f"{_HAS_VALUE.format('observations')} AS had_value FROM observations WHERE {where}",
        list(removed),
    )
    connection.execute(f"DELETE FROM observations WHERE {where}", list(removed))
    if not others:
        return
    # oldest first: by edition, then the later dataset by name first (the rule's order)
    ordered = sorted(others, key=lambda other: other[1][2], reverse=True)
    ordered.sort(key=lambda other: other[1][1])
    newest, rest = ordered[-1][0], [name for name, _ in ordered[:-1]]
    groups = ", ".join(GROUP_COLUMNS)
    found = (
        f"SELECT n.*, {len(ordered)} AS file_rank, g.had_value FROM "
        f"({_rows_sql('$1::VARCHAR')}) n JOIN gone g ON {_SAME_GROUP.format('n', 'g')}"
    )
    decided = f"({_HAS_VALUE.format('found')} OR NOT had_value)"
    (decided_count,) = connection.execute(
        f"INSERT INTO observations SELECT * EXCLUDE (file_rank, had_value) FROM ({found}) found "
        f"WHERE {decided}",
        [newest],
    ).fetchone() or (0,)
    (gone_count,) = connection.execute("SELECT count(*) FROM gone").fetchone() or (0,)
    if decided_count == gone_count:  # the newest file has one row a group: the common case
        return
    connection.execute(f"CREATE OR REPLACE TEMP TABLE found AS {found}", [newest])
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE pending AS SELECT * FROM gone g WHERE NOT EXISTS "
        f"(SELECT 1 FROM found WHERE {_SAME_GROUP.format('found', 'g')} AND {decided})"
    )
    (first_year, last_year) = connection.execute(
        "SELECT min(year), max(year) FROM pending"
    ).fetchone() or (None, None)
    if first_year is None:
        return
    # The newest file's rows of these groups, and the other files' rows of their years (a
    # file whose year statistics lie outside them is skipped unread); the later in `rest`, the
    # higher the rank.
    candidates = "SELECT * EXCLUDE (had_value) FROM found"
    if rest:
        rows = _rows_sql("$1::VARCHAR[]", ", list_position($1::VARCHAR[], filename) AS file_rank")
        candidates += f" UNION ALL ({rows} WHERE year BETWEEN $2 AND $3)"
    connection.execute(
        f"INSERT INTO observations SELECT * EXCLUDE (file_rank) FROM (SELECT unnest(arg_max(r, "
        f"struct_pack(has_value := {_HAS_VALUE.format('r')}, file_rank := r.file_rank))) FROM "
        f"(SELECT r, {groups} FROM ({candidates}) r WHERE EXISTS (SELECT 1 FROM pending p "
        f"WHERE {_SAME_GROUP.format('r', 'p')})) GROUP BY {groups}) ORDER BY {groups}",
        [rest, first_year, last_year] if rest else [],
    )


def _keep_editions(connection: duckdb.DuckDBPyConnection, paths: list[str]) -> None:
    """Add to the table `editions` each file's `Edition` record and row count (as the store's
    view of the imports gives them: store._lay_imports_over)."""
    from alliance.provenance import Edition

    if not paths:
        return
    records = connection.execute(
        "SELECT file_name, decode(value) FROM parquet_kv_metadata(?::VARCHAR[]) "
        "WHERE decode(key) = ?",
        [paths, store_trust.EDITION_KEY],
    ).fetchall()
    if len(records) != len(paths):
        raise ValueError("an imported file without its edition record")
    counts = dict(
        connection.execute(
            "SELECT file_name, sum(num_rows) FROM parquet_file_metadata(?::VARCHAR[]) GROUP BY ALL",
            [paths],
        ).fetchall()
    )
    values: list[object] = []
    for name, text in records:
        record = Edition.from_record(json.loads(text)).record()
        values += [name, *(record[c] for c in EDITION_COLUMNS), counts[name]]
    row = "(" + ", ".join("?" for _ in range(len(EDITION_COLUMNS) + 2)) + ")"
    connection.execute(f"INSERT INTO editions VALUES {', '.join(row for _ in records)}", values)


def _sweep(cache: Path, keep: Path | None, building_only: bool = False) -> None:
    """Delete leftovers of killed builds and, unless `building_only`, every layer but `keep`
    (the caller holds the lock; a reader that has a deleted layer open still reads it)."""
    patterns = [".newest-building-*"] + ([] if building_only else [f"{_PREFIX}*.duckdb"])
    for pattern in patterns:
        for leftover in cache.glob(pattern):
            if leftover != keep:
                with contextlib.suppress(OSError):
                    leftover.unlink()


__all__ = ["GROUP_COLUMNS", "VIEW", "ensure", "lay_over", "layer_key"]
