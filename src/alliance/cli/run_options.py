"""Options and output shared by the commands that run a projection or a scenario model
(`alliance project`, `alliance scenario ...`): the same words for the same option."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from alliance.cli.options import chart_callback
from alliance.cli.output import OutputFormat, Table, emit

ToOption = Annotated[int, typer.Option("--to", help="Last year projected (default 2035).")]
PathOption = Annotated[
    str,
    typer.Option(
        "--path",
        help="current (share held), trend (2014-latest, capped), pledges (the shipped "
        "national pledges), hague (linear to 3.5 % in 2035, never below current), or a CSV "
        "file with columns iso3,year,percent.",
    ),
]
DrawsOption = Annotated[
    int, typer.Option("--draws", help="Monte Carlo draws, 1 to 1,000,000 (default 10,000).")
]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Seed: the same seed gives the same output.")
]
AssumptionsOption = Annotated[
    Path | None,
    typer.Option(
        "--assumptions",
        help="A YAML file changing any projection default (a copy of "
        "alliance project --show-assumptions).",
    ),
]
ChartOption = Annotated[
    Path | None,
    typer.Option(
        "--chart", help="Also draw a chart: .png, .svg or .html.", callback=chart_callback
    ),
]

Result = TypeVar("Result")


def write_chart(draw: Callable[[Result, Path], object], result: Result, chart: Path | None) -> None:
    """Draw `result` to `chart` (if asked) and say where on stderr."""
    if chart is None:
        return
    draw(result, chart)
    typer.echo(f"Chart written to {chart}", err=True)


def emit_rows(
    rows: Sequence[dict[str, Any]],
    title: str,
    footer: Sequence[str],
    fmt: OutputFormat,
    output: Path | None,
    empty_columns: Sequence[str] = (),
) -> None:
    """Emit records (one dict a row, all with the same keys) as a table in `fmt`."""
    columns = list(rows[0]) if rows else list(empty_columns)
    emit(Table(columns, [list(r.values()) for r in rows], title, list(footer)), fmt, output)
