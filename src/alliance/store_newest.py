"""The newest row of every figure in the user's imports, kept beside the store as a cache.

A query that names no edition keeps, per figure, the row of the newest edition that has it
(`observations.newest_per_figure`). Read over every imported file, that costs as much as the
files hold: with 50 imported editions of the SIPRI workbook, all SIPRI defence rows took 4.5 s
and 1.2 GiB to return the rows one edition holds (bench/RESULTS.md). This layer holds what the
rule can still choose from the imports: per figure AND per value of every column a query filters
on before applying the rule (an exact price basis, the definition), the newest row. Whatever a
query filters, the rule over the store's rows and this layer's keeps the rows it keeps over the
store's rows and every imported file: a filter keeps or drops each of the layer's groups whole,
and the newest of the newest of each group is the newest of all.

The layer is a DuckDB file in the cache home whose name carries a key of the files it was made
from (their paths and the (size, mtime, ctime, inode) under which `store_trust` vouches for
them), made only from the files the store serves. After an import, the new layer is the rule
over the previous layer and the new file (the cost of one edition, however many are stored);
after a removal or a replaced file it is rebuilt from every file, a few at a time. It is a
cache, never the truth: when it cannot be made or read, queries read the imported files as
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
import tempfile
from collections.abc import Sequence
from pathlib import Path

import duckdb

from alliance import store_trust
from alliance.provenance import EDITION_COLUMNS
from alliance.schema import FILTER_COLUMNS, OBSERVATION_COLUMNS, VARIANT_COLUMNS

# Bump when what the layer holds, or how it is chosen, changes.
LAYER_FORMAT = "2"
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
# datasets from the last name to the first). A hash aggregate over this key read 50 imported
# SIPRI and World Bank editions in 1.7 s and 230 MiB; the same rule as a window took 15 s and
# 1.8 GiB in the same loaded minutes, as the window sorts every row. Two rows with the same
# group, edition and dataset (which the importer refuses) would be chosen between arbitrarily, as
# observations' window does.
_RULE_KEY = (
    "struct_pack(has_value := (r.value IS NOT NULL AND NOT isnan(r.value)), "
    "edition := r.edition, dataset_rank := d.dataset_rank)"
)

Entry = tuple[str, tuple[int, ...]]  # (path of an imported file, its stat signature)


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
    """Write the layer of `wanted` to `path` through a hidden file and one rename: from the
    largest earlier layer whose files are all still served unchanged, plus the files it lacks."""
    base, held = _best_base(path.parent, wanted)
    adding = [name for name, signature in wanted if (name, signature) not in held]
    handle, name = tempfile.mkstemp(prefix=".newest-building-", suffix=".duckdb", dir=path.parent)
    os.close(handle)
    os.unlink(name)  # DuckDB makes the file itself
    temporary = Path(name)
    try:
        with duckdb.connect(str(temporary)) as connection:
            connection.execute("SET enable_progress_bar = false")
            if base is not None:
                connection.execute("ATTACH ? AS base (READ_ONLY)", [str(base)])
            connection.execute(
                f"CREATE TABLE observations AS {_newest_sql(base is not None, bool(adding))} "
                f"ORDER BY {', '.join(GROUP_COLUMNS)}",  # a query's rows close together on disk
                [adding] if adding else [],
            )
            connection.execute(
                "CREATE TABLE layer AS SELECT ? AS key, ? AS format",
                [layer_key(wanted), LAYER_FORMAT],
            )
            _keep_editions(connection, base is not None, adding)
            connection.execute("CREATE TABLE files (path VARCHAR, signature BIGINT[])")
            connection.executemany(
                "INSERT INTO files VALUES (?, ?)", [[n, list(s)] for n, s in wanted]
            )
        os.replace(temporary, path)
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _newest_sql(with_base: bool, with_files: bool) -> str:
    """The newest row per group of the base layer's rows (`with_base`) and of the files given as
    parameter $1 (`with_files`), with the observation columns, file and line."""
    columns = ", ".join(f'"{c}"' for c in OBSERVATION_COLUMNS)
    # file and line as the store's view of the imports gives them (store._lay_imports_over)
    sources = [
        (
            f"SELECT {columns}, regexp_extract(filename, '[^/]+$') AS file, "
            "file_row_number + 1 AS line FROM read_parquet($1::VARCHAR[], filename = true, "
            "file_row_number = true)",
            "SELECT DISTINCT dataset FROM read_parquet($1::VARCHAR[])",
        )
    ][: int(with_files)]
    if with_base:
        sources.append(
            ("SELECT * FROM base.observations", "SELECT DISTINCT dataset FROM base.observations")
        )
    rows = " UNION ALL ".join(r for r, _ in sources)
    # Each source read twice rather than once into a common table: that table would hold every
    # row of every file at once (1.6 GiB for 50 editions of SIPRI and World Bank, not 230 MiB).
    names = " UNION ".join(d for _, d in sources)
    groups = ", ".join(GROUP_COLUMNS)
    return (
        f"WITH datasets AS (SELECT dataset, row_number() OVER (ORDER BY dataset DESC) AS "
        f"dataset_rank FROM ({names})) SELECT unnest(arg_max(r, {_RULE_KEY})) FROM "
        f"(SELECT r, {groups} FROM ({rows}) r) JOIN datasets d "
        f"ON d.dataset IS NOT DISTINCT FROM r.dataset GROUP BY {groups}"
    )


def _keep_editions(
    connection: duckdb.DuckDBPyConnection, with_base: bool, adding: list[str]
) -> None:
    """The table `editions`: per file, its `Edition` record and row count (as the store's view of
    the imports gives them: store._lay_imports_over), the base layer's and those of `adding`."""
    from alliance.provenance import Edition

    columns = ", ".join(f'"{name}" {kind}' for name, kind in EDITION_COLUMNS.items())
    connection.execute(f"CREATE TABLE editions (path VARCHAR, {columns}, rows BIGINT)")
    if with_base:
        connection.execute("INSERT INTO editions SELECT * FROM base.editions")
    if not adding:
        return
    records = connection.execute(
        "SELECT file_name, decode(value) FROM parquet_kv_metadata(?::VARCHAR[]) "
        "WHERE decode(key) = ?",
        [adding, store_trust.EDITION_KEY],
    ).fetchall()
    if len(records) != len(adding):
        raise ValueError("an imported file without its edition record")
    counts = dict(
        connection.execute(
            "SELECT file_name, sum(num_rows) FROM parquet_file_metadata(?::VARCHAR[]) GROUP BY ALL",
            [adding],
        ).fetchall()
    )
    values: list[object] = []
    for name, text in records:
        record = Edition.from_record(json.loads(text)).record()
        values += [name, *(record[c] for c in EDITION_COLUMNS), counts[name]]
    row = "(" + ", ".join("?" for _ in range(len(EDITION_COLUMNS) + 2)) + ")"
    connection.execute(f"INSERT INTO editions VALUES {', '.join(row for _ in records)}", values)


def _best_base(cache: Path, wanted: list[Entry]) -> tuple[Path | None, set[Entry]]:
    """The earlier layer holding the most of `wanted` and nothing else, and the files it holds."""
    best: tuple[Path | None, set[Entry]] = (None, set())
    wanted_set = set(wanted)
    for candidate in cache.glob(f"{_PREFIX}*.duckdb"):
        try:
            with duckdb.connect(str(candidate), read_only=True) as connection:
                (form,) = connection.execute("SELECT format FROM layer").fetchone() or ("",)
                rows = connection.execute("SELECT path, signature FROM files").fetchall()
        except duckdb.Error:
            continue
        held = {(str(name), tuple(signature)) for name, signature in rows}
        if form == LAYER_FORMAT and held <= wanted_set and len(held) > len(best[1]):
            best = (candidate, held)
    return best


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
