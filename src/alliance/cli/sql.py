"""`alliance sql`: read-only SQL over the embedded store."""

from __future__ import annotations

from typing import Annotated

import typer

from alliance.cli.options import FormatOption, OutputOption
from alliance.cli.output import OutputFormat, Table, emit


def sql_command(
    statement: Annotated[
        str, typer.Argument(help="One SELECT / WITH / DESCRIBE / SHOW statement.")
    ],
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Run read-only SQL over tables observations, editions, countries, groups, memberships.

    Example: alliance sql "select entity, value from observations where source_id='nato'
    and indicator='defence_expenditure_share_gdp' and year=2024 order by value desc limit 5"
    """
    from alliance.store import run_sql

    columns, rows = run_sql(statement)
    emit(Table(columns, rows), fmt, output)


def register(app: typer.Typer) -> None:
    app.command("sql")(sql_command)
