"""`alliance demo`: the main job on the shipped data — every ally's defence spending as % of GDP."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alliance.cli.output import OutputFormat, Table, emit


def demo_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for the outputs.")] = Path("out"),
) -> None:
    """Run the main job on the shipped data and say where its outputs are.

    Example: alliance demo --out out
    """
    from alliance.chart_worker import start as start_chart_worker
    from alliance.commitments import target_table
    from alliance.paths import writable_folder
    from alliance.views.commitments import ally_shares, targets_chart

    writable_folder(out, "a folder for the demo's outputs")  # before the work, not after
    start_chart_worker("demo")
    shares = ally_shares()
    view, edition, year = shares.view, shares.edition, shares.year
    table = Table(list(view.columns), view.rows, view.title, list(view.footer))
    emit(table, OutputFormat.table)
    csv_path = out / f"nato_defence_share_of_gdp_{year}_edition_{edition}.csv"
    emit(table, OutputFormat.csv, csv_path)
    chart_path = out / f"nato_allies_against_targets_{year}_edition_{edition}.png"
    targets_chart(target_table(year, None, edition), year, chart_path)
    typer.echo(f"Chart written to {chart_path}", err=True)
    typer.echo(
        f"\nOutputs:\n  table as CSV: {csv_path.resolve()}\n  chart (PNG):  {chart_path.resolve()}"
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
