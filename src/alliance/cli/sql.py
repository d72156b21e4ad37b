"""`alliance sql`: read-only SQL over the embedded store, bounded in time, memory and rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from alliance.cli.options import FormatOption, OutputOption
from alliance.cli.output import OutputFormat, Table, emit
from alliance.sandbox import (
    DEFAULT_ROW_LIMIT,
    DEFAULT_TIMEOUT,
    MAX_ROW_LIMIT,
    MAX_TIMEOUT,
    MEMORY_LIMIT,
    THREADS,
)


def sql_command(
    statement: Annotated[
        str,
        typer.Argument(
            help="One SELECT (or WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE), PRAGMA "
            "table_info / show_tables / version, or EXPLAIN [ANALYZE] of a SELECT."
        ),
    ],
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=0.001,
            max=MAX_TIMEOUT,
            help="Stop the query after this many seconds (one error line, exit 2; Ctrl-C too).",
        ),
    ] = DEFAULT_TIMEOUT,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            min=1,
            max=MAX_ROW_LIMIT,
            help="Fetch and print at most this many rows (said when cut).",
        ),
    ] = DEFAULT_ROW_LIMIT,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Run read-only SQL over tables observations, editions, countries, groups, memberships,
    indicators.

    Read-only by construction: DuckDB's own parser must find exactly one statement that reads
    (EXPLAIN judged by the statement it wraps), and it runs on a fresh in-memory connection that
    holds the store attached read-only and your imports copied in, and can open no file (no
    COPY, EXPORT, ATTACH, INSTALL, LOAD or read_csv of anything), its settings locked. Limits:
    {memory} of memory, {threads} threads, --timeout (default {timeout:g} s) and --limit rows
    (default {limit:,}). Ctrl-C stops the query: one line, exit 2.

    Example: alliance sql "select entity, value from observations where source_id='nato'
    and indicator='defence_expenditure_share_gdp' and year=2024 order by value desc limit 5"
    """
    from alliance.errors import QueryStoppedError
    from alliance.sandbox import run_sql

    try:
        result = run_sql(statement, timeout=timeout, limit=limit)
    except KeyboardInterrupt:
        raise QueryStoppedError("Stopped the query at Ctrl-C: no rows printed.") from None
    rows: list[Sequence[Any]] = list(result.rows)
    footer = []
    if result.more:
        footer.append(
            f"Only the first {result.limit:,} rows are shown: the statement returned more "
            "(give a larger --limit, or aggregate)."
        )
        if fmt is not OutputFormat.table:
            typer.echo(f"Warning: {footer[0]}", err=True)
    if fmt is OutputFormat.table and any(_too_long(v) for row in rows for v in row):
        rows = [[_cut(v) for v in row] for row in rows]
        footer.append(
            f"Texts longer than {CELL_CHARACTERS:,} characters are cut in the table; "
            "--format csv or json gives them whole."
        )
    emit(Table(result.columns, rows, footer=footer), fmt, output)


# A boxed table wraps a long text over many lines: drawing one very long text a query returned
# took tens of seconds and gigabytes (found under issue 15).
CELL_CHARACTERS = 1_000


def _too_long(value: Any) -> bool:
    return isinstance(value, str) and len(value) > CELL_CHARACTERS


def _cut(value: Any) -> Any:
    if not _too_long(value):
        return value
    return f"{value[:CELL_CHARACTERS]}… ({len(value):,} characters)"


if sql_command.__doc__:  # the limits as they are, not as they were when this was written
    sql_command.__doc__ = sql_command.__doc__.format(
        memory=MEMORY_LIMIT, threads=THREADS, timeout=DEFAULT_TIMEOUT, limit=DEFAULT_ROW_LIMIT
    )


def register(app: typer.Typer) -> None:
    app.command("sql")(sql_command)
