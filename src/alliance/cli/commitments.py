"""`alliance targets`, `alliance pledge`: who meets what, and the path to each pledge."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from alliance.cli.options import EditionOption, FormatOption, OutputOption, chart_callback
from alliance.cli.output import OutputFormat, Table, emit

if TYPE_CHECKING:
    from alliance.views import View


def _table(view: View) -> Table:
    return Table(list(view.columns), view.rows, view.title, list(view.footer))


def targets_command(
    year: Annotated[int | None, typer.Option("--year", "-y", help="Year, e.g. 2024.")] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            help="guideline-2006, wales-2014, wales-equipment-20, vilnius-2023, hague-core-3.5, "
            "hague-total-5 (aliases: 2%, 3.5%, 5%, equipment). Default: the 2% benchmark "
            "of that year.",
        ),
    ] = None,
    edition: EditionOption = None,
    history: Annotated[
        bool,
        typer.Option(
            "--history", help="How many Allies met 2% each year instead (with --year: that year)."
        ),
    ] = False,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart", help="Also draw a chart: .png, .svg or .html.", callback=chart_callback
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Each Ally against a NATO target: value, gap (pp, USD, EUR), path needed and status.

    Example: alliance targets --year 2024 --target 3.5% --chart allies.png
    JSON keys: iso3, country, year, value, target, met, gap_pp, gap_usd_bn, gap_eur_bn,
    needed_pp_per_year, trend_pp_per_year, status, rule, edition, estimate, locator
    (with --history: year, allies, with_data, meeting, allies_meeting, estimate, edition).
    """
    from alliance.errors import InvalidArgumentError

    if history:
        from alliance.commitments import targets_history_records
        from alliance.views.commitments import targets_history_chart, targets_history_view

        if target is not None:
            raise InvalidArgumentError(
                f"--target {target} does not apply to --history: it counts the Allies at 2% of "
                "GDP each year; expected --history without --target."
            )
        records = _history_of(targets_history_records(edition), year)
        if chart is not None:
            targets_history_chart(records, chart)
            typer.echo(f"Chart written to {chart}", err=True)
        emit(_table(targets_history_view(records)), fmt, output)
        return
    if year is None:
        raise InvalidArgumentError("--year is required (or use --history).")
    from alliance.commitments import target_table
    from alliance.views.commitments import targets_view

    table = target_table(year, target, edition)
    if chart is not None:
        from alliance.views.commitments import targets_chart

        targets_chart(table, year, chart)
        typer.echo(f"Chart written to {chart}", err=True)
    emit(_table(targets_view(table, year)), fmt, output)


def _history_of(records: list[dict[str, Any]], year: int | None) -> list[dict[str, Any]]:
    """The history's rows, or its row of `year`: a year it does not hold is refused, never
    ignored."""
    if year is None:
        return records
    chosen = [row for row in records if row["year"] == year]
    if not chosen:
        from alliance.errors import YearOutOfRangeError

        years = [row["year"] for row in records]
        raise YearOutOfRangeError(
            year, min(years, default=year), max(years, default=year), "the history of Allies at 2%"
        )
    return chosen


def pledge_command(
    country: Annotated[str, typer.Argument(help="Country: ISO3, ISO2 or name, e.g. DEU.")],
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """A country's sourced pledges, the path each implies year by year, and the latest figure.

    Example: alliance pledge DEU
    JSON keys: pledge, announced, year, path_percent, amount, latest_year, latest_value,
    latest_edition, gap_to_path_pp, rule, statement, source_url.
    """
    from alliance.commitments import pledge
    from alliance.views.commitments import PLEDGE_TEXT_COLUMNS, pledge_view

    view = pledge_view(pledge(country))
    if fmt is OutputFormat.table:
        # On screen the wording, rule and link of each pledge stand once, under the table.
        view = view.without(*PLEDGE_TEXT_COLUMNS)
    emit(_table(view), fmt, output)


def register(app: typer.Typer) -> None:
    app.command("targets")(targets_command)
    app.command("pledge")(pledge_command)
