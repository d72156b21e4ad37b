"""`alliance data ...`: show figures, list sources and editions, import, diff, remove."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from alliance.cli.options import (
    EditionOption,
    FormatOption,
    OutputOption,
    check_non_negative,
    check_year_range,
)
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
# On screen, one `series` label says what each figure is (definition, currency and scale, prices,
# and the exchange basis or period where they set it apart), right after the entity so that a
# narrow terminal keeps it; the source and dataset are named under the table. A narrow terminal
# drops columns from the right, so the estimate flag stays next to its value.
TABLE_COLUMNS = ("entity", "series", "year", "value", "estimate", "missing", "edition", "locator")
_SERIES_PARTS = ("definition", "unit", "currency", "price_basis", "exchange_basis", "period")
_SCALES = {"thousand": "k", "million": "m", "billion": "bn", "trillion": "tn"}
_CURRENCIES = {"INTL": "intl $"}
_UNITS = {"percent": "%", "thousand_persons": "thousand persons"}
_EXCHANGE = {"ppp": "PPP", "market": "market rates", None: "as reported", "": "as reported"}
_PERIODS = {"fiscal": "fiscal yr", "calendar": "calendar yr", "cumulative": "cumulative"}


def _base_label(definition: str, unit: str, currency: str | None, prices: str | None) -> list[str]:
    if currency:
        money = _CURRENCIES.get(currency, currency)
        amount = f"{money} {_SCALES[unit]}" if unit in _SCALES else money
    else:
        amount = _UNITS.get(unit, unit)
    parts = [(definition or "").upper(), amount]
    if prices:
        parts.append("current" if prices == "current" else f"constant {prices[-4:]}")
    return parts


def series_labels(variants: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], str]:
    """A short label per kind of figure (`_SERIES_PARTS`), e.g. "SIPRI · LCU · current ·
    fiscal yr": PPP, fiscal years and cumulative spans always said; market rates and calendar
    years said only where a figure of the same label differs in them, so no two labels match."""
    base = {v: _base_label(v[0], v[1], v[2], v[3]) for v in variants}
    labels = {}
    for variant, parts in base.items():
        twins = [v for v in variants if base[v] == parts]
        exchange, period = variant[4], variant[5]
        extra = []
        if exchange == "ppp" or len({v[4] or "" for v in twins}) > 1:
            extra.append(_EXCHANGE.get(exchange, exchange))
        if period in ("fiscal", "cumulative") or len({v[5] for v in twins}) > 1:
            extra.append(_PERIODS.get(period, period))
        # No-break spaces: the label is one unit, which a narrow table never wraps; columns to its
        # right are left out instead (and named under the table).
        labels[variant] = " · ".join([*parts, *extra]).replace(" ", "\u00a0")
    return labels


def _years(years: list[int]) -> str:
    first, last = min(years), max(years)
    return str(first) if first == last else f"{first}–{last}"


def _who(entities: list[str]) -> str:
    from alliance.countries import country_name
    from alliance.errors import AllianceError

    if len(entities) > 3:
        return f"{len(entities)} entities"
    names = []
    for entity in entities:
        try:
            names.append(f"{country_name(entity)} ({entity})")
        except AllianceError:  # a publisher's aggregate, e.g. nato:NATO_TOTAL
            names.append(entity)
    return ", ".join(names)


def show_title(indicator: str, records: list[dict[str, object]]) -> str:
    """What the table holds: "Defence / military expenditure, Germany (DEU), 2024: 8 figures,
    NATO and SIPRI definitions"."""
    from alliance.schema import INDICATORS

    name = INDICATORS.get(indicator, indicator).split(" (")[0]
    if not records:
        return f"{name}: no figures"
    entities = list(dict.fromkeys(str(r["entity"]) for r in records))
    years = [int(str(r["year"])) for r in records]
    definitions = sorted({str(r["definition"]).upper() for r in records if r["definition"]})
    listed = ", ".join(definitions[:-1]) + " and " if len(definitions) > 1 else ""
    kinds = listed + definitions[-1] + (" definitions" if len(definitions) > 1 else " definition")
    return (
        f"{name}, {_who(entities)}, {_years(years)}: {len(records)} figures, {kinds} "
        "(estimate = yes where the publisher marks one)"
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
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            help="USD, LCU, INTL or EUR (EUR: figures published in EUR, and figures in USD "
            "converted at the Fed's annual rate of their year, named in a conversion column).",
        ),
    ] = None,
    per_capita: Annotated[
        bool,
        typer.Option(
            "--per-capita", help="Divide money and persons by World Bank population (SP.POP.TOTL)."
        ),
    ] = False,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Figures for countries and years, each with unit, prices, estimate flag, edition and cell.

    Example: alliance data show defence --country DEU --from 2014 --definition nato
    JSON keys: entity, year, value, unit, currency, price_basis, exchange_basis, period,
    definition, estimate, missing, source_id, edition, dataset, locator.
    """
    from alliance.observations import Query, citation_lines, resolve_entities, resolve_indicator

    check_year_range(first, last)
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
    from alliance.conversions import selected_records

    records, editions, conversion = selected_records(query, per_capita=per_capita)
    variants = [tuple(r[c] for c in _SERIES_PARTS) for r in records]
    labels = series_labels(list(dict.fromkeys(variants)))
    order = {label: index for index, label in enumerate(dict.fromkeys(labels.values()))}
    # Grouped by kind of figure (fiscal and calendar years are one source column apart), then
    # entity and year as the store orders them.
    for record, variant in zip(records, variants, strict=True):
        record["series"] = labels[variant]
    records.sort(key=lambda r: order[str(r["series"])])
    shown = TABLE_COLUMNS if fmt is OutputFormat.table else SHOW_COLUMNS
    if conversion:
        shown = (*shown, "conversion")
    rows = [tuple(r[c] for c in shown) for r in records]
    footer = [*conversion, *citation_lines(editions)]
    if not rows:
        footer.insert(0, "No figures match: the store has no data for this selection.")
    title = show_title(resolve_indicator(indicator), records)
    emit(Table(list(shown), rows, title, footer), fmt, output)


def sources_command(fmt: FormatOption = OutputFormat.table, output: OutputOption = None) -> None:
    """Each source edition: publisher, title, citation, licence, URL, rows.

    Example: alliance data sources --format json
    JSON keys: source_id, edition, dataset, publisher, title, published, citation, licence, url,
    origin, rows.
    """
    from alliance.store import query

    columns, rows = query(
        "SELECT source_id, edition, dataset, publisher, title, published, citation, licence, url, "
        "origin, rows FROM editions ORDER BY source_id, edition, dataset"
    )
    emit(Table(columns, rows, "Sources and editions in the store"), fmt, output)


def editions_command(fmt: FormatOption = OutputFormat.table, output: OutputOption = None) -> None:
    """Per source: editions, publication dates, rows, checksums and origin (shipped or imported).

    Example: alliance data editions
    JSON keys: source_id, edition, dataset, published, rows, sha256, origin, file_name.
    """
    from alliance.store import query

    columns, rows = query(
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
    from alliance.errors import InvalidArgumentError, InvalidFileError
    from alliance.importing import import_file

    if fmt is OutputFormat.xlsx:  # refused before the import, not after it
        raise InvalidArgumentError("data import prints a summary: --format xlsx is not for it.")
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
    change = record.pop("default_change") if fmt is OutputFormat.table else None
    rows = [(k, v) for k, v in record.items()] + [
        (f"rows: {name}", count) for name, count in sorted(per_indicator.items())
    ]
    footer = [change] if change else []
    emit(Table(["field", "value"], rows, f"Import {summary.status}", footer), fmt)


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

    check_non_negative(min_change, "--min-change")
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
    and building all six would add to its start-up)."""
    group = typer.Typer(help=HELP)
    for name, function in SUBCOMMANDS.items():
        if subcommand not in SUBCOMMANDS or name == subcommand:
            group.command(name)(function)
    app.add_typer(group, name="data")
