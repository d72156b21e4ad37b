"""`alliance targets`, `alliance pledge`: who meets what, and the path to each pledge."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from alliance.cli.options import EditionOption, FormatOption, OutputOption
from alliance.cli.output import OutputFormat, Table, emit


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
        bool, typer.Option("--history", help="How many Allies met 2% each year instead.")
    ] = False,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Also draw a chart: .png, .svg or .html.")
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
        _history(edition, fmt, output)
        return
    if year is None:
        raise InvalidArgumentError("--year is required (or use --history).")
    from alliance.commitments import TARGET_COLUMNS, target_table
    from alliance.observations import citation_lines

    table = target_table(year, target, edition)
    chosen = table.target
    footer = [
        f"Target: {chosen.name}. {chosen.statement}",
        f"Cited: {chosen.source_title} {chosen.source_url}",
        "Status: met if value >= target; a floor or a passed deadline otherwise off track; "
        "before a deadline on track if the 3-year trend >= the annual increase needed.",
        "Values: NATO definition, share of GDP (NATO's own figures); estimates are marked.",
    ]
    if chosen.notes:
        footer.append(f"Note: {chosen.notes}")
    if table.gdp_sources:
        footer.append(f"Gap in money: gap x GDP (current US$) from {', '.join(table.gdp_sources)}.")
    rate = table.eur_per_usd
    footer.append(
        f"EUR: Fed H.10 annual average {rate:.4f} EUR per USD for {year}."
        if rate
        else "EUR: no shipped EUR/USD rate for this year."
    )
    footer += citation_lines(table.editions)
    if chart is not None:
        targets_chart(table.frame(), chart, year, chosen)
    columns = list(TARGET_COLUMNS)
    rows = [[record[c] for c in columns] for record in table.rows]
    emit(Table(columns, rows, f"{chosen.name}: Allies in {year}", footer), fmt, output)


def _edition_lines(frame: Any) -> list[str]:
    from alliance.observations import citation_lines

    return citation_lines(frame.attrs["editions"])


def targets_chart(frame: Any, path: Path, year: int, chosen: Any) -> None:
    from alliance.charts import TARGET_LINES, ChartText, ranked_bar_chart

    lines = (
        TARGET_LINES
        if chosen.measure == "defence_share_gdp"
        else ((chosen.threshold_percent, chosen.name),)
    )
    estimated = bool(frame["estimate"].astype(bool).any())
    met = int(frame["met"].fillna(False).astype(bool).sum())
    without = frame.loc[frame["value"].isna(), "country"].tolist()
    no_figure = f" No figure in this edition: {', '.join(without)}." if without else ""
    text = ChartText(
        title=f"{met} of {len(frame)} Allies at {chosen.threshold_percent}% in {year}"
        + (f" ({len(without)} without a figure)" if without else ""),
        subtitle="Defence expenditure as a share of GDP (%), NATO definition, NATO's own figures "
        f"(share of real GDP). Green: at or above {chosen.threshold_percent}%.{no_figure}",
        sources=_edition_lines(frame),
        notes=["* estimate (NATO)."] if estimated else [],
    )
    ranked_bar_chart(frame, path, text, lines)
    typer.echo(f"Chart written to {path}", err=True)


def _history(edition: str | None, fmt: OutputFormat, output: Path | None) -> None:
    from alliance.commitments import targets_history_rows

    records = targets_history_rows(edition)
    footer = [
        "Allies: NATO members on 1 July of each year; meeting: share of GDP >= 2% (unrounded).",
        "Values: NATO definition; each year from the newest NATO edition that has it "
        "unless --edition is given.",
    ]
    columns = ["year", "allies", "with_data", "meeting", "allies_meeting", "estimate", "edition"]
    rows = [[record[c] for c in columns] for record in records]
    emit(Table(columns, rows, "Allies meeting 2% of GDP, by year", footer), fmt, output)


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

    reports = pledge(country)
    rows: list[list[Any]] = []
    footer: list[str] = []
    for report in reports:
        item = report.pledge
        records = report.path or [{"year": item.target_year, "percent": None}]
        amount_column = next((c for c in records[0] if c.startswith("amount")), None)
        for record in records:
            rows.append(
                [
                    item.pledge,
                    item.announced,
                    record["year"],
                    record["percent"],
                    record.get(amount_column) if amount_column else None,
                    report.latest_year,
                    report.latest_value,
                    report.latest_edition,
                    report.gap_to_path_pp,
                    report.path_rule,
                    item.statement,
                    item.source_url,
                ]
            )
        footer.append(f'{item.pledge}: "{item.statement}" Path: {report.path_rule}.')
        footer.append(f"  Source: {item.source_title} {item.source_url}")
        if item.notes:
            footer.append(f"  Note: {item.notes}")
    footer.append(
        "Latest figure: NATO definition, share of GDP, newest NATO edition; pledges are in "
        "national terms and may count differently."
    )
    columns = [
        "pledge",
        "announced",
        "year",
        "path_percent",
        "amount",
        "latest_year",
        "latest_value",
        "latest_edition",
        "gap_to_path_pp",
        "rule",
        "statement",
        "source_url",
    ]
    if fmt is OutputFormat.table:
        # On screen the wording, rule and link of each pledge stand once, under the table.
        shown = len(columns) - 3
        columns, rows = columns[:shown], [row[:shown] for row in rows]
    emit(Table(columns, rows, f"Pledges of {reports[0].pledge.iso3}", footer), fmt, output)


def register(app: typer.Typer) -> None:
    app.command("targets")(targets_command)
    app.command("pledge")(pledge_command)
