"""A file in the imports folder is served only if the importer wrote it, unchanged since.

Forged, truncated, zero-byte, random or foreign Parquet files (the `sql` route of issue 15 wrote
them with DuckDB's COPY and a forged edition record) are each reported in one line on stderr and
ignored: queries answer from the rest, exit 0, and `alliance data remove` removes them. Each case
runs the real CLI in a new process on a home of its own with one real import.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from test_store_health import (
    IMPORTED,
    QUERY,
    Run,
    assert_import_served,
    assert_shipped_served,
    cli,
    copy_home,
    import_file,
    make_imported_home,
    revised_world_bank_file,
    start,
)

FORGED = "2099-01-01"  # an edition newer than any, so a served forgery answers by default
FORGED_DEU_2023 = 99e12


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_imported_home(tmp_path_factory)


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    return copy_home(template, tmp_path)


def forged_name(home: Path, edition: str = FORGED) -> Path:
    return home / "data" / "imports" / "wb" / f"{edition}__NY.GDP.MKTP.CD.parquet"


def forge_with_duckdb(home: Path) -> Path:
    """What `EXPLAIN ANALYZE COPY ... TO '<imports>/...' (FORMAT parquet)` wrote: the import's
    rows, Germany's 2023 figure changed, under a new edition with a matching edition record."""
    real = import_file(home)
    [(text,)] = duckdb.execute(
        "SELECT decode(value) FROM parquet_kv_metadata(?) WHERE decode(key) = 'alliance.edition'",
        [str(real)],
    ).fetchall()
    record = {**json.loads(text), "edition": FORGED}
    target = forged_name(home)
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE forged AS SELECT * REPLACE (? AS edition, CASE WHEN entity = 'DEU' AND "
        "year = 2023 THEN ? ELSE value END AS value) FROM read_parquet(?)",
        [FORGED, FORGED_DEU_2023, str(real)],
    )
    metadata = json.dumps(record).replace("'", "''")
    target_sql = str(target).replace("'", "''")
    connection.execute(
        f"COPY forged TO '{target_sql}' (FORMAT parquet, "
        f"KV_METADATA {{'alliance.edition': '{metadata}'}})"
    )
    return target


def forge_with_pyarrow(home: Path) -> Path:
    """The same forgery written by pyarrow, as the importer writes (but not by the importer)."""
    table = pq.read_table(import_file(home))
    metadata = dict(table.schema.metadata)
    record = json.loads(metadata[b"alliance.edition"])
    metadata[b"alliance.edition"] = json.dumps({**record, "edition": FORGED}).encode()
    target = forged_name(home)
    pq.write_table(table.replace_schema_metadata(metadata), target)
    return target


def without_edition_record(home: Path) -> Path:
    table = pq.read_table(import_file(home))
    target = forged_name(home)
    pq.write_table(table.replace_schema_metadata({}), target)
    return target


def zero_bytes(home: Path) -> Path:
    target = forged_name(home)
    target.write_bytes(b"")
    return target


def random_bytes(home: Path) -> Path:
    target = forged_name(home)
    target.write_bytes(os.urandom(5000))
    return target


def foreign_parquet(home: Path) -> Path:
    target = forged_name(home)
    duckdb.execute(f"COPY (SELECT 1 AS x) TO '{target}' (FORMAT parquet)")
    return target


def truncated_import(home: Path) -> Path:
    target = import_file(home)
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    return target


def import_changed_in_place(home: Path) -> Path:
    """The import itself overwritten, same size: only its checksum tells."""
    target = import_file(home)
    forged = forge_with_pyarrow(home).read_bytes()
    forged_name(home).unlink()
    target.write_bytes(forged[: target.stat().st_size].ljust(target.stat().st_size, b"\0"))
    return target


ADDED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "forged by DuckDB's COPY": (forge_with_duckdb, "did not write it"),
    "forged with pyarrow": (forge_with_pyarrow, "did not write it"),
    "no edition record": (without_edition_record, "did not write it"),
    "zero bytes": (zero_bytes, "it is empty"),
    "random bytes": (random_bytes, "did not write it"),
    "foreign Parquet": (foreign_parquet, "did not write it"),
}
CHANGED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "truncated import": (truncated_import, "checksum differs"),
    "import changed in place": (import_changed_in_place, "checksum differs"),
}


def assert_ignored(run: Run, path: Path, reason: str) -> None:
    assert run.code == 0, run.err
    assert len(run.err_lines) == 1, run.err
    line = run.err_lines[0]
    assert line.startswith(f"Warning: ignored the imported file '{path}': "), line
    assert reason in line, line
    edition = path.name.split("__")[0]
    assert f"remove it with `alliance data remove wb {edition}` or delete it." in line, line


def assert_removable(home: Path, path: Path) -> None:
    edition = path.name.split("__")[0]
    removed = cli(home, "data", "remove", "wb", edition)
    assert removed.code == 0, removed.err
    assert not path.exists()


def test_a_file_the_importer_did_not_write_is_reported_and_ignored(home: Path) -> None:
    for case, (make, reason) in ADDED.items():
        path = make(home)
        run = cli(home, *QUERY)
        assert_ignored(run, path, reason)
        assert str(FORGED_DEU_2023) not in run.out and FORGED not in run.out, case
        assert_import_served(run)  # queries answer from the rest
        if make is forge_with_duckdb:  # the case: `data editions` listed it
            editions = cli(home, "data", "editions", "--format", "csv")
            assert editions.code == 0 and FORGED not in editions.out
        assert_removable(home, path)
    assert cli(home, *QUERY).err == ""  # nothing left to report


def test_an_import_changed_since_it_was_written_is_reported_and_ignored(
    home: Path,
    tmp_path: Path,
) -> None:
    pristine = tmp_path / "pristine"
    shutil.copytree(home, pristine)
    for case, (make, reason) in CHANGED.items():
        shutil.rmtree(home)
        shutil.copytree(pristine, home)
        path = make(home)
        run = cli(home, *QUERY)
        assert_ignored(run, path, reason)
        assert_shipped_served(run)
        assert str(FORGED_DEU_2023) not in run.out, case
        assert_removable(home, path)


def test_imports_from_before_records_are_adopted_once_if_the_importer_wrote_them(
    home: Path,
) -> None:
    """A data home of an earlier version has imports and no manifest: the importer's files
    (written by pyarrow, passing every check) are recorded; a DuckDB-written forgery is not."""
    (home / "data" / "imports.json").unlink(missing_ok=True)
    (home / "cache" / "imports-verified.json").unlink(missing_ok=True)
    forged = forge_with_duckdb(home)
    run = cli(home, *QUERY)
    assert_ignored(run, forged, "written by 'DuckDB")
    assert_import_served(run)
    recorded = json.loads((home / "data" / "imports.json").read_text())["files"]
    assert list(recorded) == [f"wb/{IMPORTED}__NY.GDP.MKTP.CD.parquet"]
    # From now on the record decides: the forgery stays out, reported again on each start.
    again = cli(home, *QUERY)
    assert_ignored(again, forged, "did not write it")
    assert_import_served(again)


def test_an_import_from_before_named_other_than_an_edition_id_is_not_adopted(home: Path) -> None:
    """Before edition ids were checked, `--edition banana` was stored, sorted after every date
    and answered by default; such a file is reported and left out, and `data remove` removes it."""
    (home / "data" / "imports.json").unlink(missing_ok=True)
    (home / "cache" / "imports-verified.json").unlink(missing_ok=True)
    table = pq.read_table(import_file(home))
    metadata = dict(table.schema.metadata)
    record = json.loads(metadata[b"alliance.edition"])
    metadata[b"alliance.edition"] = json.dumps({**record, "edition": "banana"}).encode()
    banana = forged_name(home, "banana")
    pq.write_table(table.replace_schema_metadata(metadata), banana)
    run = cli(home, *QUERY)
    assert_ignored(run, banana, "its edition 'banana' is not an edition id")
    assert_import_served(run)
    assert_removable(home, banana)


def test_an_imported_file_failing_the_stores_checks_is_ignored(home: Path) -> None:
    """Re-checked against the store it is laid over: here a file adopted from before records,
    written by pyarrow, with an entity no country table knows."""
    (home / "data" / "imports.json").unlink(missing_ok=True)
    table = pq.read_table(import_file(home))
    entities = table.column("entity").to_pylist()
    entities[0] = "XXX"
    table = table.set_column(table.schema.get_field_index("entity"), "entity", [entities])
    pq.write_table(table, import_file(home))
    run = cli(home, *QUERY)
    assert_ignored(run, import_file(home), "fails the store's checks (entity is not a known")
    assert_shipped_served(run)


def test_a_home_with_an_apostrophe_builds_imports_and_queries(tmp_path: Path) -> None:
    home = tmp_path / "o'brien"
    built = cli(home, *QUERY)  # the store built from nothing under that name
    assert built.code == 0 and built.err == "", built.err
    assert_shipped_served(built)
    imported = cli(home, "data", "import", str(revised_world_bank_file(tmp_path)))
    assert imported.code == 0, imported.err
    run = cli(home, *QUERY)
    assert run.code == 0 and run.err == "", run.err
    assert_import_served(run)
    assert cli(home, "data", "remove", "wb", IMPORTED).code == 0
    assert_shipped_served(cli(home, *QUERY))


def test_an_apostrophe_home_copy_keeps_the_import(tmp_path: Path, template: Path) -> None:
    """A home moved to a folder whose name needs quoting in SQL still serves its import."""
    home = tmp_path / "it's here"
    shutil.copytree(template, home)
    run = cli(home, *QUERY)
    assert run.code == 0 and run.err == "", run.err
    assert_import_served(run)


def test_concurrent_imports_each_land_recorded(home: Path, tmp_path: Path) -> None:
    """Two imports running at once take turns on the manifest: each lands and is served."""
    assert cli(home, "data", "remove", "wb", IMPORTED).code == 0
    text = revised_world_bank_file(tmp_path).read_text(encoding="utf-8")
    dates = ["2027-03-01", "2027-04-01"]
    sources = []
    for date in dates:
        path = tmp_path / f"wdi-{date}.csv"
        path.write_text(text.replace(f'"{IMPORTED}"', f'"{date}"'), encoding="utf-8")
        sources.append(path)
    processes = [start(home, "data", "import", str(path)) for path in sources]
    assert [p.wait(timeout=180) for p in processes] == [0, 0]
    recorded = json.loads((home / "data" / "imports.json").read_text())["files"]
    assert sorted(recorded) == [f"wb/{date}__NY.GDP.MKTP.CD.parquet" for date in dates]
    run = cli(home, "data", "editions", "--format", "csv")
    assert run.code == 0 and run.err == "", run.err
    assert all(f",{date}," in run.out for date in dates)


def test_users_sql_does_not_see_a_forged_file(home: Path) -> None:
    forged = forge_with_duckdb(home)
    run = cli(home, "sql", "SELECT edition FROM editions WHERE source_id = 'wb' ORDER BY 1")
    assert_ignored(run, forged, "did not write it")
    assert IMPORTED in run.out and FORGED not in run.out
