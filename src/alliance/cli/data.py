"""`alliance data ...`: show figures, list sources and editions, import, diff, remove."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Annotated

import typer

from alliance.cli.options import EditionOption, FormatOption, OutputOption
from alliance.cli.output import OutputFormat, Table, emit

HELP = "Figures and their sources: show, sources, editions, import, diff, remove."

SHOW_COLUMNS = (
    "entity",
    "year",
    "value",
    "unit",
    "currency",
    "price_basis",
    "exchange_basis",
    "period",
    "definition",
    "estimate",
    "missing",
    "source_id",
    "edition",
    "dataset",
    "locator",
)
# On screen, the columns that vary; the source and dataset are named under the table. A narrow
# terminal drops columns from the right, so the estimate flag stays next to its value.
TABLE_COLUMNS = (
    "entity",
    "year",
    "value",
    "estimate",
    "unit",
    "currency",
    "price_basis",
    "exchange_basis",
    "period",
    "definition",
    "missing",
    "edition",
    "locator",
)


def show_command(
    indicator: Annotated[
        str,
        typer.Argument(help="defence, defence-share, gdp, population, personnel, equipment, ..."),
    ],
    country: Annotated[
        list[str] | None,
        typer.Option(
            "--country",
            "-c",
            help="ISO3, ISO2, name or a publisher aggregate (nato:NATO_TOTAL); repeatable.",
        ),
    ] = None,
    first: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    last: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    definition: Annotated[
        str | None, typer.Option("--definition", help="nato, sipri, wb, imf, kiel, fed.")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Publisher id, e.g. nato.")] = None,
    edition: EditionOption = None,
    prices: Annotated[
        str | None, typer.Option("--prices", help="current, constant_2015, constant_2023 ...")
    ] = None,
    currency: Annotated[str | None, typer.Option("--currency", help="USD, LCU, INTL, EUR.")] = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Figures for countries and years, each with unit, prices, estimate flag, edition and cell.

    Example: alliance data show defence --country DEU --from 2014 --definition nato
    JSON keys: entity, year, value, unit, currency, price_basis, exchange_basis, period,
    definition, estimate, missing, source_id, edition, dataset, locator.
    """
    from alliance.observations import Query, citation_lines, resolve_entities, select

    entities = resolve_entities(country) if country else None
    query = Query(
        indicator=indicator,
        entities=entities,
        first_year=first,
        last_year=last,
        source=source,
        definition=definition,
        edition=edition,
        price_basis=prices,
        currency=currency,
    )
    selection = select(query)
    shown = TABLE_COLUMNS if fmt is OutputFormat.table else SHOW_COLUMNS
    project = itemgetter(*(selection.columns.index(c) for c in shown))
    rows = list(map(project, selection.rows))
    footer = citation_lines(selection.editions)
    if not rows:
        footer.insert(0, "No figures match: the store has no data for this selection.")
    title = f"{indicator} — {len(rows)} figures (estimate = yes where the publisher marks one)"
    emit(Table(list(shown), rows, title, footer), fmt, output)


def sources_command(fmt: FormatOption = OutputFormat.table, output: OutputOption = None) -> None:
    """Each source edition: publisher, title, citation, licence, URL, rows.

    Example: alliance data sources --format json
    JSON keys: source_id, edition, dataset, publisher, title, published, citation, licence, url,
    origin, rows.
    """
    from alliance.store import run_sql

    columns, rows = run_sql(
        "SELECT source_id, edition, dataset, publisher, title, published, citation, licence, url, "
        "origin, rows FROM editions ORDER BY source_id, edition, dataset"
    )
    emit(Table(columns, rows, "Sources and editions in the store"), fmt, output)


def editions_command(fmt: FormatOption = OutputFormat.table, output: OutputOption = None) -> None:
    """Per source: editions, publication dates, rows, checksums and origin (shipped or imported).

    Example: alliance data editions
    JSON keys: source_id, edition, dataset, published, rows, sha256, origin, file_name.
    """
    from alliance.store import run_sql

    columns, rows = run_sql(
        "SELECT source_id, edition, dataset, published, rows, sha256, origin, file_name "
        "FROM editions ORDER BY source_id, edition, dataset"
    )
    emit(
        Table(columns, rows, "Editions side by side (newest is used unless one is named)"),
        fmt,
        output,
    )


def import_command(
    path: Annotated[
        Path, typer.Argument(help="The publisher's file, e.g. SIPRI-Milex-data-1949-2024_2.xlsx")
    ],
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="sipri, nato, wb, imf, fed, kiel (default: detect)."),
    ] = None,
    edition: Annotated[
        str | None, typer.Option("--edition", help="Edition id for files that carry no date.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Parse and validate; store nothing.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Import an official file as a new edition; older editions stay queryable.

    Example: alliance data import ~/Downloads/SIPRI-Milex-data-1949-2024_2.xlsx --dry-run
    A refused file prints every problem (sheet, row, column, value, expected) and exits 2.
    """
    from alliance.errors import InvalidFileError
    from alliance.importing import import_file

    try:
        summary = import_file(path, kind, edition=edition, dry_run=dry_run)
    except InvalidFileError as error:
        problems = error.report.records()
        if len(problems) <= 1:  # the error line names it, with its place: no table of dashes
            raise
        columns = ["sheet", "row", "column", "value", "expected", "message"]
        emit(
            Table(
                columns,
                [tuple(p[c] for c in columns) for p in problems],
                f"{len(problems)} problem(s) in {path}; nothing was stored",
            ),
            fmt if fmt is not OutputFormat.parquet else OutputFormat.table,
        )
        raise
    record = summary.record()
    per_indicator = record.pop("rows_per_indicator")
    rows = [(k, v) for k, v in record.items()] + [
        (f"rows: {name}", count) for name, count in sorted(per_indicator.items())
    ]
    emit(Table(["field", "value"], rows, f"Import {summary.status}"), fmt)


def diff_command(
    source: Annotated[str, typer.Argument(help="Source id, e.g. nato.")],
    edition_a: Annotated[str, typer.Argument(help="Older edition, e.g. 2024-06.")],
    edition_b: Annotated[str, typer.Argument(help="Newer edition, e.g. 2025-08.")],
    min_change: Annotated[
        float, typer.Option("--min-change", help="Smallest absolute change shown, in the unit.")
    ] = 0.05,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Figures revised between two editions, largest change first.

    Example: alliance data diff nato 2024-06 2025-08 --min-change 0.1
    JSON keys: entity, year, indicator, unit, currency, price_basis_a, price_basis_b, value_a,
    value_b, change,
    relative_change, estimate_a, estimate_b, locator_a, locator_b.
    """
    from alliance.importing import edition_changes

    columns, rows = edition_changes(source, edition_a, edition_b, min_change)
    title = (
        f"{source}: {len(rows)} figures revised by at least {min_change} "
        f"from {edition_a} to {edition_b}"
    )
    emit(Table(columns, rows, title), fmt, output)


def remove_command(
    source: Annotated[str, typer.Argument(help="Source id, e.g. sipri.")],
    edition: Annotated[str, typer.Argument(help="An edition you imported.")],
) -> None:
    """Remove an imported edition (shipped editions stay).

    Example: alliance data remove sipri 2025-04+8a31c279
    """
    from alliance.importing import remove_edition

    removed = remove_edition(source, edition)
    typer.echo(f"Removed {len(removed)} dataset(s) of {source} {edition}.")


SUBCOMMANDS: dict[str, Callable[..., None]] = {
    "show": show_command,
    "sources": sources_command,
    "editions": editions_command,
    "import": import_command,
    "diff": diff_command,
    "remove": remove_command,
}


def register(app: typer.Typer, subcommand: str | None = None) -> None:
    """Add the `data` group; with a known `subcommand`, only that one (a call runs one command,
    and building all six costs 5-10 ms of its start-up)."""
    group = typer.Typer(help=HELP)
    for name, function in SUBCOMMANDS.items():
        if subcommand not in SUBCOMMANDS or name == subcommand:
            group.command(name)(function)
    app.add_typer(group, name="data")
