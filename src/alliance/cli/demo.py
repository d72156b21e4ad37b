"""`alliance demo`: the main job on the shipped data — every ally's defence spending as % of GDP."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alliance.cli.output import OutputFormat, Table, emit


def ally_shares_table(edition: str | None = None) -> tuple[Table, str, int]:
    """Every NATO ally's defence expenditure as % of GDP, latest year of the newest NATO edition."""
    from datetime import date

    from alliance.countries import country_name
    from alliance.memberships import members
    from alliance.observations import Query, citation_lines, select

    selection = select(
        Query("defence_expenditure_share_gdp", source="nato", edition=edition, unit="percent")
    )
    index = {c: i for i, c in enumerate(selection.columns)}
    year = max(row[index["year"]] for row in selection.rows)
    latest = [r for r in selection.rows if r[index["year"]] == year]
    chosen_edition = latest[0][index["edition"]]
    allies = members("NATO", date(year, 7, 1))
    by_entity = {r[index["entity"]]: r for r in latest}
    rows = []
    for iso3 in allies:
        row = by_entity.get(iso3)
        value = None if row is None else row[index["value"]]
        estimate = None if row is None else row[index["estimate"]]
        locator = None if row is None else row[index["locator"]]
        rows.append((iso3, country_name(iso3), value, estimate, locator))
    rows.sort(key=lambda r: (r[2] is None, -(r[2] or 0.0)))
    missing = [r[1] for r in rows if r[2] is None]
    footer = [
        f"Definition: NATO defence expenditure as % of GDP; year {year}; edition {chosen_edition}.",
        *citation_lines(sorted({u for u in selection.editions if u[1] == chosen_edition})),
    ]
    if missing:
        footer.append(
            f"No figure in this edition for: {', '.join(missing)} (shown as —, not zero)."
        )
    title = f"NATO allies' defence expenditure, % of GDP, {year} (NATO edition {chosen_edition})"
    columns = ["iso3", "country", "percent_of_gdp", "estimate", "source_cell"]
    return Table(columns, rows, title, footer), chosen_edition, year


def demo_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for the outputs.")] = Path("out"),
) -> None:
    """Run the main job on the shipped data and say where its outputs are.

    Example: alliance demo --out out
    """
    from alliance.cli.commitments import targets_chart
    from alliance.commitments import targets

    table, edition, year = ally_shares_table()
    emit(table, OutputFormat.table)
    csv_path = out / f"nato_defence_share_of_gdp_{year}_edition_{edition}.csv"
    emit(table, OutputFormat.csv, csv_path)
    frame = targets(year, None, edition)
    chart_path = out / f"nato_allies_against_targets_{year}_edition_{edition}.png"
    targets_chart(frame, chart_path, year, frame.attrs["target"])
    typer.echo(
        f"\nOutputs:\n  table as CSV: {csv_path.resolve()}\n  chart (PNG):  {chart_path.resolve()}"
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
