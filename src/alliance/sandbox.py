"""Users' SQL (`alliance sql`, `alliance.run_sql`): read-only by construction, and bounded.

Two walls, so that what one might miss the other holds:

- DuckDB's own parser says what the statement is. Exactly one statement is accepted, and only
  one that reads: a SELECT (with WITH, FROM-first, VALUES, DESCRIBE, SHOW and SUMMARIZE, which
  DuckDB parses as SELECTs), a PRAGMA among `READING_PRAGMAS` called without `=`, or EXPLAIN /
  EXPLAIN ANALYZE of a SELECT (judged by the statement it wraps: EXPLAIN ANALYZE runs it).
- The statement runs on a fresh connection of its own (`store.open_sealed`) that can write
  nowhere: the store attached read-only, the imports' rows copied into memory, no file access,
  no allowed or temporary folder, no extension loading, and the configuration locked so that no
  statement can lift any of it. Whatever a statement creates (a temporary table, a macro) ends
  with its connection, so it can never shadow the figures later calls see. (One gap in this wall
  alone: DuckDB allows the attached store's file, so a DETACH then an ATTACH, two statements the
  first wall refuses, would reopen it read-write; a strict xfail in tests/test_sql_sandbox.py.)

The first wall parses on the connection the statement will run on, before it is sealed, while
it holds nothing and has run nothing (parsing runs nothing): one DuckDB instance started, not two.

Bounds: `MEMORY_LIMIT` and `THREADS` on that connection, a time limit (`timeout`) after which the
query is interrupted, Ctrl-C that interrupts it too, and at most `limit` rows fetched.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alliance.errors import QueryError, QueryStoppedError, ReadOnlyQueryError

if TYPE_CHECKING:
    import duckdb

DEFAULT_TIMEOUT = 30.0  # seconds
MAX_TIMEOUT = 86_400.0  # a day; past what the clock functions take
DEFAULT_ROW_LIMIT = 10_000
MAX_ROW_LIMIT = 1_000_000  # rows held in Python, outside DuckDB's memory limit; the store has 0.2 M
# Ours, chosen for a laptop shared with other work: the store and imports take tens of MB, so
# 1 GB leaves room for joins and sorts over all of it, while a runaway aggregate ends in an
# out-of-memory error rather than swap (nothing spills to disk: the connection has no folder).
MEMORY_LIMIT = "1 GB"
THREADS = 2
_SETTINGS: dict[str, str | int | bool] = {  # the sealed connection's, for store.open_sealable
    "memory_limit": MEMORY_LIMIT,
    "threads": THREADS,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

# PRAGMAs that only describe the catalogue (DESCRIBE-like); any other PRAGMA is refused, as is
# any PRAGMA written `name = value` (that form sets a setting).
READING_PRAGMAS = frozenset(
    {"show", "show_tables", "show_tables_expanded", "table_info", "version"}
)

ACCEPTED = (
    "one SELECT (or WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE), PRAGMA table_info / "
    "show_tables / version, or EXPLAIN [ANALYZE] of a SELECT"
)

_PRAGMA_CALL = re.compile(r"\s*pragma\s+(\w+)\s*(\(.*\))?\s*;*\s*", re.IGNORECASE | re.DOTALL)
# EXPLAIN's own words, before the statement it wraps; a comment between them leaves a remainder
# that parses as no SELECT, so it is refused (it can never hide what follows).
_EXPLAIN_WORDS = re.compile(r"explain\b\s*(?:analy[sz]e\b\s*)?", re.IGNORECASE)
_EXPLAIN_OPTIONS = re.compile(r"\([^()]*\)\s*")  # (FORMAT json), (ANALYZE) ...
_LEADING_COMMENTS = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*(?:[^*]|\*(?!/))*\*/)*", re.DOTALL)

_WAIT_STEP = 0.05  # seconds between interrupts of a query being stopped
_AFTER_INTERRUPT = 5.0  # seconds a query gets to unwind once interrupted


@dataclass(frozen=True)
class SqlResult:
    """Column names, the rows fetched, and whether the statement had more than `limit` rows."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    limit: int
    more: bool


def run_sql(
    statement: str, *, timeout: float = DEFAULT_TIMEOUT, limit: int = DEFAULT_ROW_LIMIT
) -> SqlResult:
    """Run one read-only statement over the store and imports, within the bounds above.

    Raises ReadOnlyQueryError for anything but a read, QueryError for SQL DuckDB cannot run or
    that passes the memory limit, QueryStoppedError when `timeout` seconds pass; Ctrl-C
    interrupts the query and then raises KeyboardInterrupt as usual.
    """
    from alliance.errors import InvalidArgumentError

    if not 0 < timeout <= MAX_TIMEOUT:
        raise InvalidArgumentError(
            f"Timeout {timeout!r}: expected a number of seconds above 0, at most {MAX_TIMEOUT:g}."
        )
    if not 1 <= limit <= MAX_ROW_LIMIT:
        raise InvalidArgumentError(
            f"Row limit {limit!r}: expected a whole number from 1 to {MAX_ROW_LIMIT:,}."
        )
    from alliance.store import open_sealable

    # Parsed on the connection it will run on, not yet sealed: it holds nothing and runs
    # nothing before the check (a refusal costs a parse, nothing more), and one DuckDB instance
    # starts instead of two.
    connection = open_sealable(_SETTINGS)
    try:
        _check_read_only(connection, statement)
        sealed_connection(connection)
    except BaseException as error:
        connection.close()
        # DuckDB's Python client turns Ctrl-C during a set-up query into this error.
        if isinstance(error, RuntimeError) and "interrupted" in str(error).lower():
            raise KeyboardInterrupt from None
        raise
    return _run_bounded(connection, statement, timeout, limit)


def sealed_connection(
    unsealed: duckdb.DuckDBPyConnection | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection as users' SQL gets it: sealed (see `store.open_sealed`), with the limits;
    `unsealed`, if given, is one `store.open_sealable` opened with them, sealed in place."""
    from alliance.store import imported_files, open_sealed

    return open_sealed(imported_files(), _SETTINGS, unsealed)


def check_read_only(statement: str) -> None:
    """Refuse `statement` unless DuckDB parses it as exactly one statement that only reads."""
    import duckdb

    # The parser alone: a bare connection that holds nothing and may open nothing.
    with duckdb.connect(":memory:", config={"enable_external_access": False}) as parser:
        _check_read_only(parser, statement)


def _check_read_only(connection: duckdb.DuckDBPyConnection, statement: str) -> None:
    import duckdb

    statements = _parse(connection, statement)
    if not statements:
        raise QueryError(f"No SQL statement in {_quoted(statement)}: expected {ACCEPTED}.")
    if len(statements) != 1:
        raise ReadOnlyQueryError(statement, f"{len(statements)} statements")
    parsed = statements[0]
    kind = parsed.type
    if kind == duckdb.StatementType.SELECT:
        return
    if kind == duckdb.StatementType.PRAGMA:
        _check_pragma(statement)
        return
    if kind == duckdb.StatementType.EXPLAIN:
        _check_explained(connection, statement, parsed.query)
        return
    raise ReadOnlyQueryError(statement, f"a {kind.name} statement")


def _parse(connection: duckdb.DuckDBPyConnection, text: str) -> list[Any]:
    import duckdb

    try:
        statements = connection.extract_statements(text)
    except duckdb.Error as error:
        raise QueryError(f"SQL error: {_first_line(error)}") from None
    return list(statements)


def _check_pragma(statement: str) -> None:
    call = _PRAGMA_CALL.fullmatch(_LEADING_COMMENTS.sub("", statement, count=1))
    if call is None or call.group(1).lower() not in READING_PRAGMAS:
        raise ReadOnlyQueryError(statement, "a PRAGMA that is not a read")


def _check_explained(connection: duckdb.DuckDBPyConnection, statement: str, text: str) -> None:
    """EXPLAIN [ANALYZE] passes only if what it wraps is a SELECT (ANALYZE runs it)."""
    import duckdb

    body = text[_LEADING_COMMENTS.match(text).end() :]  # type: ignore[union-attr]
    words = _EXPLAIN_WORDS.match(body)
    if words is None:
        raise ReadOnlyQueryError(statement, "an EXPLAIN whose statement could not be told")
    # What follows may start with options in parentheses or be a SELECT in parentheses; read
    # both ways. Neither can turn a statement that is not a SELECT into one: only a SELECT
    # starts with "(", and a parenthesised group before COPY, INSERT ... parses as no SELECT.
    rest = body[words.end() :]
    options = _EXPLAIN_OPTIONS.match(rest)
    readings = [rest, rest[options.end() :]] if options else [rest]
    kinds = [_statement_types(connection, reading) for reading in readings]
    if [duckdb.StatementType.SELECT] in kinds:
        return
    found = next((k[0].name for k in kinds if len(k) == 1), "no single statement")
    raise ReadOnlyQueryError(statement, f"an EXPLAIN of {found}")


def _statement_types(connection: duckdb.DuckDBPyConnection, text: str) -> list[Any]:
    """The types of the statements in `text`; none if it does not parse."""
    import duckdb

    try:
        return [s.type for s in connection.extract_statements(text)]
    except duckdb.Error:
        return []


def _run_bounded(
    connection: duckdb.DuckDBPyConnection, statement: str, timeout: float, limit: int
) -> SqlResult:
    """Run and fetch in a worker thread while this one watches the clock and takes Ctrl-C
    (DuckDB holds the thread that runs a query until the query ends, signals or not); close the
    connection once the query has ended."""
    outcome: dict[str, Any] = {}
    finished = threading.Event()  # not Thread.join: a join cut by Ctrl-C misreports the thread

    def work() -> None:
        try:
            cursor = connection.execute(statement)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchmany(limit + 1)
            outcome["result"] = SqlResult(columns, rows[:limit], limit, len(rows) > limit)
        except BaseException as error:  # noqa: BLE001 - handed to the calling thread, raised there
            outcome["error"] = error
        finally:
            finished.set()

    threading.Thread(target=work, name="alliance-sql", daemon=True).start()
    try:
        if not finished.wait(timeout):
            _stop(connection, finished)
            raise QueryStoppedError(
                f"Stopped the query after {timeout:g} s, its time limit: expected a statement "
                "that ends sooner; narrow it or give a larger --timeout."
            )
    except KeyboardInterrupt:
        _stop(connection, finished)
        raise
    finally:
        if finished.is_set():  # else DuckDB refuses to close a connection still running
            connection.close()
    error = outcome.get("error")
    if error is not None:
        raise _query_error(error, statement) from None
    result: SqlResult = outcome["result"]
    return result


def _stop(connection: duckdb.DuckDBPyConnection, finished: threading.Event) -> None:
    """Interrupt the query, again until it ends (an interrupt sent before it starts is lost)."""
    give_up = time.monotonic() + _AFTER_INTERRUPT
    while not finished.is_set() and time.monotonic() < give_up:
        connection.interrupt()
        finished.wait(_WAIT_STEP)


def _query_error(error: BaseException, statement: str) -> BaseException:
    import duckdb

    if isinstance(error, duckdb.OutOfMemoryException):
        return QueryError(
            f"The query needs more than the {MEMORY_LIMIT} memory limit of alliance sql: "
            "expected a statement that aggregates or filters more."
        )
    if isinstance(error, duckdb.PermissionException):
        return QueryError(
            f"Refused {_quoted(statement)}: alliance sql reads the store's tables only, no file "
            f"or extension ({_first_line(error)}); expected a query of observations, editions, "
            "countries, groups, memberships or indicators."
        )
    if isinstance(error, duckdb.Error):
        return QueryError(f"SQL error: {_first_line(error)}")
    return error


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [""])[0]


def _quoted(text: str) -> str:
    from alliance.errors import printable

    return repr(printable(text[:60]))


__all__ = [
    "DEFAULT_ROW_LIMIT",
    "DEFAULT_TIMEOUT",
    "SqlResult",
    "check_read_only",
    "run_sql",
    "sealed_connection",
]
