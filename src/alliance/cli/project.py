"""`alliance project`: defence spending to 2035 with uncertainty (thin shell over
alliance.projections)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any, Final

import typer

from alliance.cli.options import FormatOption, OutputOption, chart_callback
from alliance.cli.output import OutputFormat, emit_document
from alliance.cli.run_options import (
    AssumptionsOption,
    DrawsOption,
    PathOption,
    SeedOption,
    ToOption,
    emit_rows,
    write_chart,
)

DETAIL_HELP: Final = (
    "coalition (its rows, every year; default), countries (each member in the --to year) or all."
)
# Columns on screen; csv, json and parquet get every column of Projection.records().
TABLE_COLUMNS: Final = (
    "entity",
    "year",
    "path_percent",
    "p_meet_2",
    "p_meet_3_5",
    "p_meet_5",
    "usd_bn_path",
    "usd_bn_q05",
    "usd_bn_q25",
    "usd_bn_q50",
    "usd_bn_q75",
    "usd_bn_q95",
    "eur_bn_q05",
    "eur_bn_q50",
    "eur_bn_q95",
)


def one_blas_thread() -> None:
    """Before numpy is imported: its OpenBLAS starts a thread per core that spins for a while,
    CPU taken from the command (bench/RESULTS.md), and a projection does no large matrix product.
    A user's own OPENBLAS_NUM_THREADS stands."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


class _Progress:
    """A bar on stderr, only on a terminal and only once a run has taken a second."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.start = time.monotonic()
        self.shown = False
        self.terminal = sys.stderr.isatty()

    def __call__(self, count: int) -> None:
        self.done += count
        if not self.terminal or time.monotonic() - self.start < 1.0:
            return
        self.shown = True
        width = 30
        filled = int(width * self.done / self.total)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done:,}/{self.total:,} draws"
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def project_command(
    expression: Annotated[
        str, typer.Argument(help="Coalition expression (default NATO), e.g. EU, 'NATO - USA', DEU.")
    ] = "NATO",
    to: ToOption = 2035,
    path: PathOption = "current",
    draws: DrawsOption = 10_000,
    seed: SeedOption = 2025,
    assumptions: AssumptionsOption = None,
    show_assumptions: Annotated[
        bool,
        typer.Option("--show-assumptions", help="Print the shipped assumptions file and stop."),
    ] = False,
    detail: Annotated[str, typer.Option("--detail", help=DETAIL_HELP)] = "coalition",
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            help="Also draw the fan chart: .png, .svg or .html.",
            callback=chart_callback,
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Defence spending to 2035 under a path, with a Monte Carlo over GDP growth, EUR/USD and
    political follow-through: P(meeting 2 %, 3.5 %, 5 % of GDP) each year and spending bands
    (5/25/50/75/95 %) in USD and EUR, per member and for the coalition (sums of draws).

    Example: alliance project NATO --path hague --draws 100000 --chart fan.png

    JSON keys: title, path, draws, seed, years, rows, members, assumptions,
    assumption_lines, notes, sources. Rows (also CSV and Parquet): entity, kind,
    year, path_percent, p_meet_2, p_meet_3_5, p_meet_5, usd_bn_path,
    usd_bn_q05..q95, eur_bn_path, eur_bn_q05..q95, projected, baseline_year,
    baseline_percent, baseline_estimate, baseline_edition.
    """
    from alliance.errors import InvalidArgumentError

    if show_assumptions:
        from alliance.projections.assumptions import shipped_text

        typer.echo(shipped_text(), nl=False)
        return
    if detail not in ("coalition", "countries", "all"):
        raise InvalidArgumentError(
            f"Unknown --detail {detail!r}: expected coalition, countries or all."
        )
    one_blas_thread()
    from alliance.projections.montecarlo import check_draws

    check_draws(draws)
    from alliance.projections.projection import project

    progress = _Progress(draws)
    try:
        result = project(
            expression,
            to=to,
            path=path,
            draws=draws,
            seed=seed,
            assumptions=assumptions,
            progress=progress,
            detail=detail,  # the members summarised only when shown
        )
    finally:
        progress.close()
    if chart is not None:
        from alliance.projections.charts import fan_chart

        write_chart(fan_chart, result, chart)
    if fmt is OutputFormat.json:
        emit_document(result.to_dict(detail), output)
        return
    rows: list[dict[str, Any]] = result.records(detail)
    if fmt is OutputFormat.table:
        rows = [{k: r[k] for k in TABLE_COLUMNS} for r in rows]
    footer = [
        *result.notes(),
        "Assumptions:",
        *result.assumption_lines(),
        *result.source_lines(),
    ]
    emit_rows(rows, result.title, footer, fmt, output, empty_columns=TABLE_COLUMNS)


def _epilog() -> str:
    from alliance.projections.assumptions import help_lines

    return "Defaults (override with --assumptions FILE):\n\n" + "\n\n".join(help_lines())


def register(app: typer.Typer) -> None:
    app.command("project", epilog=_epilog())(project_command)
