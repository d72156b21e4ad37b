"""`alliance sql` can write nowhere and is bounded (issue 15).

The write routes a hostile-input probe found (COPY over a user's import under EXPLAIN ANALYZE, a
new Parquet file with forged edition metadata, a temporary table shadowing `observations` for the
rest of the process, a second statement hidden after the first or behind a comment) and their
relatives are each refused with one line and exit 2, leaving every file as it was. Two walls are
tested apart: the parser check (`sandbox.check_read_only`) and the sealed connection the
statement runs on (`store.open_sealed`), which refuses the same writes when handed them directly.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from alliance import store

from conftest import reference_file

SIPRI = "sipri/SIPRI-Milex-data-1949-2024_2.xlsx"
EDITION = "2026-04"  # the edition given to the real SIPRI workbook imported below


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from alliance.cli.app import main; main()", *args]


def cli(home: Path, *args: str) -> Run:
    """`alliance ARGS` in a new process with ALLIANCE_HOME=home."""
    env = {**os.environ, "ALLIANCE_HOME": str(home)}
    done = subprocess.run(cli_command(*args), capture_output=True, text=True, timeout=120, env=env)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home of its own: a copy of the session's store and the real SIPRI workbook imported."""
    folder = tmp_path_factory.mktemp("sql-sandbox") / "home"
    built = store.refresh()
    (folder / "cache").mkdir(parents=True)
    for companion in built.parent.glob(built.name + "*"):
        if not companion.name.endswith((".wal", ".lock")) and companion.is_file():
            shutil.copy2(companion, folder / "cache" / companion.name)
    done = cli(folder, "data", "import", str(reference_file(SIPRI)), "--edition", EDITION)
    assert done.code == 0, done.err
    return folder


@pytest.fixture
def fresh_home(home: Path, tmp_path: Path) -> Path:
    """A copy of that home for one test: a write that got through spoils no other test."""
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    return copy


@pytest.fixture
def in_home(fresh_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home for calls in this process."""
    monkeypatch.setenv("ALLIANCE_HOME", str(fresh_home))
    return fresh_home


def the_import(home: Path) -> Path:
    [path] = (home / "data" / "imports" / "sipri").glob(f"{EDITION}__*.parquet")
    return path


def files_of(home: Path) -> dict[str, str]:
    """Every file under the home by path: the imports, their records and the store with their
    SHA-256; the store's other companions (records the package itself rewrites when a copied
    home's files have new inodes) by name only, so that a new file anywhere still shows."""
    store_file = home / "cache" / store.store_path().name
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        if path == store_file or home / "data" in path.parents
        else "present"
        for path in sorted(home.rglob("*"))
        if path.is_file() and not path.name.endswith((".wal", ".lock"))
    }


def forged_edition_metadata(home: Path) -> str:
    """The import's own edition record, re-dated 2027-01: what a forger would write (without
    semicolons, which the old check refused wherever they stood)."""
    import pyarrow.parquet as pq

    record = json.loads(pq.read_metadata(the_import(home)).metadata[b"alliance.edition"])
    record["edition"] = "2027-01"
    return json.dumps(record).replace(";", ",").replace("'", "''")


def write_routes(home: Path) -> dict[str, str]:
    """Statements that would write, create, load or reach outside, as the probe sent them."""
    target = the_import(home)
    forged = target.with_name("2027-01__milex.parquet")
    copy_over = f"COPY (SELECT 1 AS x) TO '{target}' (FORMAT parquet)"
    copy_forged = (
        f"COPY (SELECT * REPLACE (value * 10 AS value, '2027-01' AS edition) FROM observations "
        f"WHERE edition = '{EDITION}') TO '{forged}' (FORMAT parquet, KV_METADATA "
        f"{{'alliance.edition': '{forged_edition_metadata(home)}'}})"
    )
    shadow = (
        "CREATE TEMP TABLE observations AS "
        "SELECT * REPLACE (value * 10 AS value) FROM store.observations"
    )
    return {
        "explain-analyze-copy-over-import": f"EXPLAIN ANALYZE {copy_over}",
        "copy-over-import": copy_over,
        "explain-copy-over-import": f"EXPLAIN {copy_over}",
        "copy-over-import-no-temporary-file": copy_over.replace(
            "(FORMAT parquet)", "(FORMAT parquet, USE_TMP_FILE false)"
        ),
        "explain-analyze-copy-forged-edition": f"EXPLAIN ANALYZE {copy_forged}",
        "copy-forged-edition": copy_forged,
        "explain-analyze-create-shadow": f"EXPLAIN ANALYZE {shadow}",
        "create-shadow": shadow,
        "explain-analyze-export": f"EXPLAIN ANALYZE EXPORT DATABASE '{home / 'exported'}'",
        "export": f"EXPORT DATABASE '{home / 'exported'}'",
        "attach": f"ATTACH '{home / 'other.duckdb'}' AS other",
        "explain-analyze-attach": f"EXPLAIN ANALYZE ATTACH '{home / 'other.duckdb'}' AS other",
        "install": "INSTALL httpfs",
        "load": "LOAD httpfs",
        "set-external-access": "SET enable_external_access = true",
        "unlock": "SET lock_configuration = false",
        "reset-lock": "RESET lock_configuration",
        "set-allowed-directories": f"SET allowed_directories = ['{home}/']",
        "pragma-memory-limit": "PRAGMA memory_limit = '100GB'",
        "pragma-threads": "PRAGMA threads = 64",
        "second-statement": f"SELECT 1; {copy_over}",
        "second-statement-after-block-comment": f"SELECT 1 /* a comment */; {copy_over}",
        "second-statement-after-line-comment": f"SELECT 1 -- a comment\n; {copy_over}",
        "comment-before-copy": f"/* EXPLAIN SELECT 1 */ {copy_over}",
        "explain-options-copy": f"EXPLAIN (FORMAT json) {copy_over}",
        "explain-analyse-copy": f"EXPLAIN ANALYSE {copy_over}",
        "explain-analyze-macro": "EXPLAIN ANALYZE CREATE MACRO observations() AS TABLE SELECT 1",
        "explain-analyze-insert": "EXPLAIN ANALYZE INSERT INTO editions SELECT * FROM editions",
        "delete": "DELETE FROM observations",
        "with-insert-editions": (
            "WITH x AS (SELECT 1) INSERT INTO imported_editions SELECT * FROM imported_editions"
        ),
        "explain-analyze-with-insert": (
            "EXPLAIN ANALYZE WITH x AS (SELECT 1) INSERT INTO imported_editions "
            "SELECT * FROM imported_editions"
        ),
        "drop-view": "DROP VIEW observations",
        "detach": "DETACH store",
        "checkpoint": "CHECKPOINT",
        "use": "USE store",
        "call": "CALL pragma_version()",
        "read-csv": "SELECT * FROM read_csv('/etc/passwd')",
        "read-parquet": f"SELECT count(*) FROM read_parquet('{target}')",
        "read-text": f"SELECT * FROM read_text('{target}')",
        "explain-analyze-read-blob": f"EXPLAIN ANALYZE SELECT * FROM read_blob('{target}')",
        "glob": f"SELECT * FROM glob('{home}/*')",
    }


# The routes the probe found and their kin, each through the real CLI in its own process; the
# first three and the WITH ... INSERT went through before this sandbox (exit 0, files written).
CLI_ROUTES = (
    "explain-analyze-copy-over-import",
    "explain-analyze-copy-forged-edition",
    "explain-analyze-create-shadow",
    "with-insert-editions",
    "export",
    "install",
    "second-statement",
    "second-statement-after-line-comment",
    "read-csv",
)


@pytest.mark.parametrize("route", CLI_ROUTES)
def test_the_cli_refuses_every_write_in_one_line(fresh_home: Path, route: str) -> None:
    statement = write_routes(fresh_home)[route]
    before = files_of(fresh_home)
    done = cli(fresh_home, "sql", statement)
    assert done.code == 2, (done.out, done.err)
    assert len(done.err_lines) == 1 and done.err_lines[0].startswith("Error: "), done.err
    assert "Traceback" not in done.err and done.out == ""
    assert files_of(fresh_home) == before


def test_a_forged_edition_is_neither_written_nor_listed(fresh_home: Path) -> None:
    forged = write_routes(fresh_home)["explain-analyze-copy-forged-edition"]
    assert cli(fresh_home, "sql", forged).code == 2
    listed = cli(fresh_home, "data", "editions", "--format", "json")
    assert listed.code == 0, listed.err
    editions = {(r["source_id"], r["edition"]) for r in json.loads(listed.out)}
    assert ("sipri", EDITION) in editions and ("sipri", "2027-01") not in editions


def test_run_sql_refuses_every_write_and_changes_nothing(in_home: Path) -> None:
    from alliance import run_sql
    from alliance.errors import AllianceError

    before = files_of(in_home)
    for statement in write_routes(in_home).values():
        with pytest.raises(AllianceError) as refused:
            run_sql(statement)
        assert "\n" not in refused.value.one_line(), statement
    assert files_of(in_home) == before


def test_explain_analyze_cannot_shadow_the_observations_of_the_process(in_home: Path) -> None:
    """The probe's in-process case: after it, `alliance.observations` gave ten times the
    figures. Germany's 2024 share of GDP stays as the import holds it, before and after."""
    import pyarrow.parquet as pq

    import alliance
    from alliance.errors import ReadOnlyQueryError

    rows = pq.read_table(the_import(in_home)).to_pylist()
    [imported] = [
        r["value"]
        for r in rows
        if (r["entity"], r["year"], r["indicator"])
        == ("DEU", 2024, "defence_expenditure_share_gdp")
    ]

    def germany() -> float:
        frame = alliance.observations(
            "defence_expenditure_share_gdp", entities=["DEU"], years=[2024], edition=EDITION
        )
        return float(frame["value"].iloc[0])

    assert germany() == pytest.approx(imported)
    with pytest.raises(ReadOnlyQueryError, match="EXPLAIN of CREATE"):
        alliance.run_sql(
            "EXPLAIN ANALYZE CREATE TEMP TABLE observations AS "
            "SELECT * REPLACE (value * 10 AS value) FROM observations"
        )
    assert germany() == pytest.approx(imported)
    temporary = alliance.run_sql("SELECT table_name FROM duckdb_tables() WHERE temporary")
    assert ("observations",) not in temporary.rows


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 1 AS x) TO '{target}' (FORMAT parquet, USE_TMP_FILE false)",
        "COPY (SELECT 1 AS x) TO '{folder}/new.parquet' (FORMAT parquet)",
        "EXPLAIN ANALYZE COPY (SELECT 1 AS x) TO '{target}' (FORMAT parquet, USE_TMP_FILE false)",
        "COPY (SELECT 1 AS x) TO '.tmp/spilled.parquet'",
        "EXPORT DATABASE '{folder}/exported'",
        "ATTACH '{folder}/other.duckdb' AS other",
        "ATTACH '{store}' AS writable",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SELECT count(*) FROM read_parquet('{target}')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "EXPLAIN ANALYZE SELECT * FROM read_text('{target}')",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "RESET lock_configuration",
        "SET allowed_directories = ['{folder}/']",
        "SET allowed_paths = ['{target}']",
        "SET temp_directory = '{folder}'",
        "SET memory_limit = '100GB'",
        "SET threads = 64",
        "PRAGMA memory_limit = '100GB'",
        "INSERT INTO store.editions SELECT * FROM store.editions",
    ],
)
def test_the_sealed_connection_refuses_writes_without_the_parser(
    in_home: Path, statement: str
) -> None:
    """The second wall alone: statements handed straight to the connection users' SQL runs on."""
    from alliance.sandbox import sealed_connection

    target = the_import(in_home)
    text = statement.format(target=target, folder=target.parent, store=store.store_path())
    before = files_of(in_home)
    connection = sealed_connection()
    try:
        with pytest.raises(duckdb.Error):
            connection.execute(text).fetchall()
    finally:
        connection.close()
    assert files_of(in_home) == before
    assert not Path(".tmp/spilled.parquet").exists()


def test_the_sealed_connection_reads_the_imports_and_holds_its_limits(in_home: Path) -> None:
    import pyarrow.parquet as pq

    from alliance.sandbox import MEMORY_LIMIT, THREADS, run_sql

    imported_rows = pq.read_metadata(the_import(in_home)).num_rows
    counted = run_sql(f"SELECT count(*) FROM observations WHERE edition = '{EDITION}'")
    assert counted.rows == [(imported_rows,)]
    settings = run_sql(
        "SELECT current_setting('memory_limit'), current_setting('threads'), "
        "current_setting('enable_external_access'), current_setting('allowed_directories'), "
        "current_setting('allowed_paths'), current_setting('temp_directory'), "
        "current_setting('lock_configuration')"
    )
    memory, threads, external, directories, paths, temp, locked = settings.rows[0]
    reference = duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT})
    assert [(memory,)] == reference.execute("SELECT current_setting('memory_limit')").fetchall()
    assert threads == THREADS
    assert (external, directories, temp, locked) == (False, [], "", True)
    # At most the attached store's own files, which DuckDB allows and refuses to COPY over.
    store_file = store.store_path()
    assert all(Path(p).parent == store_file.parent for p in paths)
    assert all(Path(p).name.startswith(store_file.name) for p in paths)


@pytest.mark.parametrize("threads", [3, None])
def test_the_sealed_connection_gets_the_threads_asked_not_the_copys_one(
    in_home: Path, threads: int | None
) -> None:
    """The rows are copied in on one DuckDB thread; the statement gets `settings`' threads, or
    DuckDB's default when none is asked."""
    default = duckdb.connect(":memory:").execute("SELECT current_setting('threads')").fetchall()
    settings: dict[str, str | int | bool] = {} if threads is None else {"threads": threads}
    connection = store.open_sealed(store.imported_files(), settings)
    try:
        found = connection.execute("SELECT current_setting('threads')").fetchall()
        with pytest.raises(duckdb.Error):
            connection.execute("SET threads = 1")
    finally:
        connection.close()
    assert found == ([(threads,)] if threads is not None else default)


def test_run_sql_parses_on_the_connection_it_runs_on_and_seals_only_a_read(
    in_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One DuckDB connection with settings of its own per call (the store's checks open bare
    ones); a refused statement is never sealed or run and its connection is closed."""
    from alliance.errors import ReadOnlyQueryError
    from alliance.sandbox import run_sql

    opened: list[duckdb.DuckDBPyConnection] = []
    sealed: list[duckdb.DuckDBPyConnection] = []
    connect, seal = duckdb.connect, store.open_sealed

    def counted_connect(database: str = ":memory:", **options: object) -> object:
        connection = connect(database, **options)  # type: ignore[arg-type]
        if database == ":memory:" and options.get("config"):
            opened.append(connection)
        return connection

    def counted_seal(*arguments: object) -> duckdb.DuckDBPyConnection:
        connection = seal(*arguments)  # type: ignore[arg-type]
        sealed.append(connection)
        return connection

    monkeypatch.setattr(duckdb, "connect", counted_connect)
    monkeypatch.setattr(store, "open_sealed", counted_seal)
    with pytest.raises(ReadOnlyQueryError):
        run_sql("CREATE TABLE forged AS SELECT 1")
    assert len(opened) == 1 and sealed == []
    with pytest.raises(duckdb.ConnectionException):
        opened[0].execute("SELECT 1")
    opened.clear()
    assert run_sql("SELECT count(*) > 0 FROM observations").rows == [(True,)]
    assert len(opened) == 1 and sealed == opened


def test_the_sealed_connection_cannot_reattach_the_store_read_write(in_home: Path) -> None:
    from alliance.sandbox import sealed_connection

    connection = sealed_connection()
    try:
        assert "store" not in {row[0] for row in connection.execute("SHOW DATABASES").fetchall()}
        with pytest.raises(duckdb.Error):
            connection.execute(f"ATTACH '{store.store_path()}' AS reopened")
            connection.execute("CREATE TABLE reopened.forged AS SELECT 1 AS x")
    finally:
        connection.close()


@pytest.mark.parametrize(
    "statement, column",
    [
        ("SELECT count(*) AS n FROM memberships", "n"),
        ("WITH a AS (SELECT 1 AS n) SELECT * FROM a", "n"),
        ("FROM countries SELECT count(*) AS n", "n"),
        ("DESCRIBE observations", "column_name"),
        ("SHOW TABLES", "name"),
        ("SUMMARIZE SELECT year FROM observations", "column_name"),
        ("PRAGMA table_info('observations')", "name"),
        ("pragma show_tables", "name"),
        ("EXPLAIN SELECT * FROM observations", "explain_key"),
        ("EXPLAIN ANALYZE SELECT count(*) FROM observations", "explain_key"),
        ("-- a comment first\nSELECT 1 AS n; ", "n"),
        ("/* a comment */ EXPLAIN SELECT 1", "explain_key"),
        ("EXPLAIN ANALYZE (SELECT 1)", "explain_key"),
        ("EXPLAIN (FORMAT json) SELECT 1", "explain_key"),
    ],
)
def test_reads_pass(statement: str, column: str) -> None:
    from alliance import run_sql

    result = run_sql(statement)
    assert column in result.columns and result.rows


def test_bounds_outside_their_range_are_refused() -> None:
    from alliance import run_sql
    from alliance.errors import InvalidArgumentError

    for timeout in (0.0, -1.0, float("nan"), float("inf"), 1e300):
        with pytest.raises(InvalidArgumentError, match="Timeout"):
            run_sql("SELECT 1", timeout=timeout)
    for limit in (0, 10**18):
        with pytest.raises(InvalidArgumentError, match="Row limit"):
            run_sql("SELECT 1", limit=limit)


def test_sql_errors_and_empty_statements_are_one_line() -> None:
    from alliance import run_sql
    from alliance.errors import QueryError

    with pytest.raises(QueryError, match="SQL error"):
        run_sql("select no_such_column from observations")
    for empty in ("", "  ", ";", "-- only a comment"):
        with pytest.raises(QueryError, match="No SQL statement"):
            run_sql(empty)


def test_rows_past_the_limit_are_cut_and_said(home: Path) -> None:
    table = cli(home, "sql", "SELECT * FROM range(25) t(n)", "--limit", "10")
    assert table.code == 0, table.err
    assert "Only the first 10 rows are shown" in table.out
    as_csv = cli(home, "sql", "SELECT * FROM range(25) t(n)", "--limit", "10", "--format", "csv")
    assert as_csv.out.splitlines() == ["n", *map(str, range(10))]
    assert as_csv.err_lines == [
        "Warning: Only the first 10 rows are shown: the statement returned more "
        "(give a larger --limit, or aggregate)."
    ]
    whole = cli(home, "sql", "SELECT * FROM range(10) t(n)", "--limit", "10", "--format", "csv")
    assert whole.out.splitlines() == ["n", *map(str, range(10))] and whole.err == ""


def test_long_texts_are_cut_in_the_table_and_whole_in_csv(home: Path) -> None:
    statement = "SELECT repeat('ab', 2500) AS text"
    table = cli(home, "sql", statement)
    assert table.code == 0, table.err
    assert "(5,000 characters)" in table.out and "are cut in the table" in table.out
    as_csv = cli(home, "sql", statement, "--format", "csv")
    assert as_csv.out.splitlines() == ["text", "ab" * 2500]


def test_a_query_past_its_timeout_ends_in_one_line(home: Path) -> None:
    started = time.monotonic()
    done = cli(home, "sql", "SELECT count(*) FROM range(1000000000000)", "--timeout", "1")
    elapsed = time.monotonic() - started
    assert done.code == 2 and len(done.err_lines) == 1, done.err
    assert "time limit" in done.err and "1 s" in done.err
    assert elapsed < 10  # stopped: the count alone runs for hours


@pytest.fixture
def running_query(home: Path) -> Iterator[subprocess.Popen[str]]:
    env = {**os.environ, "ALLIANCE_HOME": str(home)}
    process = subprocess.Popen(
        cli_command("sql", "SELECT count(*) FROM range(1000000000000)"),  # 30 s time limit
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_ctrl_c_stops_a_running_query_at_once(running_query: subprocess.Popen[str]) -> None:
    time.sleep(2)  # start-up and into the count
    assert running_query.poll() is None
    running_query.send_signal(signal.SIGINT)
    sent = time.monotonic()
    out, err = running_query.communicate(timeout=20)
    assert time.monotonic() - sent < 3
    assert running_query.returncode == 2
    assert err.splitlines() == ["Error: Stopped the query at Ctrl-C: no rows printed."]
    assert out == ""


def test_help_states_the_guarantee(home: Path) -> None:
    done = cli(home, "sql", "--help")
    text = " ".join(done.out.replace("│", " ").split())
    for words in ("Read-only by construction", "can open no file", "--timeout", "--limit"):
        assert words in text, words


@pytest.mark.hostile
def test_a_string_agg_past_the_memory_limit_is_one_line(home: Path) -> None:
    """The probe's 8 GB string_agg: ends at the memory limit (about 1 GB), in one line."""
    done = cli(
        home,
        "sql",
        "SELECT length(string_agg(repeat('x', 1000), ',')) FROM range(8000000)",
    )
    assert done.code == 2 and len(done.err_lines) == 1, done.err
    assert "memory limit" in done.err
