"""`alliance coalition | aggregate | share | compare`: coalition arithmetic from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alliance.cli.options import (
    EditionOption,
    FormatOption,
    OnOption,
    OutputOption,
    chart_callback,
    check_year_range,
)
from alliance.cli.output import OutputFormat, Table, emit, emit_document

if TYPE_CHECKING:
    from alliance.views import View

MetricOption = Annotated[
    str,
    typer.Option(
        "--metric",
        "-m",
        help="gdp, gdp_ppp, defence, defence_share_gdp, equipment_share, personnel, population, "
        "defence_per_capita, gdp_per_capita, ukraine_aid (Kiel commitments; also "
        "ukraine_aid_military, _financial, _humanitarian; _usd for US$).",
    ),
]
YearOption = Annotated[int, typer.Option("--year", "-y", help="Year, e.g. 2024.")]
DefinitionOption = Annotated[
    str, typer.Option("--definition", help="Defence expenditure definition: nato or sipri.")
]
SourceOption = Annotated[
    str | None,
    typer.Option("--source", help="Source of GDP (wb, nato, imf) or personnel (nato, wb)."),
]
PricesOption = Annotated[
    str | None,
    typer.Option(
        "--prices",
        help="current or constant (NATO: 2015 prices, SIPRI: 2023). "
        "Default: current; NATO's share of GDP uses constant prices as NATO's Table 3 does.",
    ),
]
GdpSourceOption = Annotated[
    str | None,
    typer.Option(
        "--gdp-source",
        help="For SIPRI's share of GDP: sipri (GDP implied by SIPRI's own share, default), "
        "wb or imf.",
    ),
]
StrictOption = Annotated[
    bool, typer.Option("--strict", help="Refuse to answer when any member lacks data.")
]
PerCapitaOption = Annotated[
    bool,
    typer.Option(
        "--per-capita",
        help="Per head: sum of members' figures / sum of their World Bank population "
        "(defence, gdp).",
    ),
]
CurrencyOption = Annotated[
    str | None,
    typer.Option(
        "--currency",
        help="EUR: figures in USD converted at the Fed's annual rate of their year (named "
        "under the table and in a conversion column).",
    ),
]
ChartOption = Annotated[
    Path | None,
    typer.Option(
        "--chart", help="Also draw a chart: .png, .svg or .html.", callback=chart_callback
    ),
]


def _table(view: View) -> Table:
    return Table(list(view.columns), view.rows, view.title, list(view.footer))


def with_conversion(view: View, lines: list[str]) -> View:
    from alliance.conversions import with_conversion as named

    return named(view, lines)


def coalition_command(
    expression: Annotated[str, typer.Argument(help="e.g. 'NATO & EU', 'NATO - USA', EU-NATO.")],
    on: OnOption = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Members of a coalition expression on a date (default: today).

    Operators: | union, & intersection, - difference, parentheses; names are groups (NATO, EU,
    JEF, NB8, ARCTIC_COUNCIL, G7), presets (EU-NATO, NATO-Europe, NATO-Europe-and-Canada,
    ARCTIC-ALLIES) or countries (ISO3, ISO2, names; quote names with spaces).

    Example: alliance coalition "NATO & EU" --on 2024-07-01
    JSON keys: iso3, name.
    """
    from alliance.coalitions import coalition
    from alliance.views.coalitions import members_view

    emit(_table(members_view(coalition(expression, on))), fmt, output)


def aggregate_command(
    expression: Annotated[str, typer.Argument(help="Coalition expression, e.g. 'NATO - USA'.")],
    metric: MetricOption,
    year: YearOption,
    definition: DefinitionOption = "nato",
    source: SourceOption = None,
    prices: PricesOption = None,
    gdp_source: GdpSourceOption = None,
    edition: EditionOption = None,
    strict: StrictOption = False,
    members: Annotated[
        bool, typer.Option("--members", help="List each member's figure instead of the total.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """A coalition's total (or ratio of totals) of a metric in a year, with its sources.

    Example: alliance aggregate "NATO - USA" --metric defence_share_gdp --year 2024
    JSON keys: coalition, metric, year, value, unit, definition, edition, members, with_data,
    missing, zeros, estimated, numerator, denominator (or, with --members: iso3, value,
    denominator, estimate, locators).
    """
    from alliance.metrics import aggregate
    from alliance.views.coalitions import aggregate_view, member_figures_view

    result = aggregate(
        expression,
        metric,
        year,
        definition=definition,
        source=source,
        prices=prices,
        gdp_source=gdp_source,
        edition=edition,
        strict=strict,
    )
    if members:
        view = member_figures_view(result)
    elif fmt is OutputFormat.table:
        view = aggregate_view(result).transposed()
    else:
        view = aggregate_view(result)
    emit(_table(view), fmt, output)


def share_command(
    expression: Annotated[str, typer.Argument(help="The part, e.g. 'NATO & EU'.")],
    of: Annotated[str, typer.Option("--of", help="The whole, e.g. NATO.")],
    metric: MetricOption,
    year: YearOption,
    definition: DefinitionOption = "nato",
    source: SourceOption = None,
    prices: PricesOption = None,
    edition: EditionOption = None,
    strict: StrictOption = False,
    chart: ChartOption = None,
    per_capita: PerCapitaOption = False,
    currency: CurrencyOption = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """A coalition's share of another's total (gdp, gdp_ppp, defence, personnel, population).

    Coalition members outside --of are left out (listed), so the share lies between 0 and 1.

    Example: alliance share "NATO & EU" --of NATO --metric gdp --year 2024 --source nato
    JSON keys: coalition, of, metric, year, definition, edition, unit, value, of_value, share,
    members, of_members, outside, missing, estimated, membership_on, method, sources.
    """
    from alliance.conversions import SHARE_PER_CAPITA_REFUSED, currency_wanted, share_in_eur
    from alliance.errors import InvalidArgumentError
    from alliance.metrics import share
    from alliance.views.coalitions import share_chart, share_view

    if per_capita:
        raise InvalidArgumentError(SHARE_PER_CAPITA_REFUSED)
    in_eur = currency_wanted(currency)
    result = share(
        expression,
        of,
        metric,
        year,
        definition=definition,
        source=source,
        prices=prices,
        edition=edition,
        strict=strict,
    )
    conversion: list[str] = []
    if in_eur:
        result, conversion = share_in_eur(result)
    if chart is not None:
        share_chart(result, chart)
        typer.echo(f"Chart written to {chart}", err=True)
    if fmt is OutputFormat.json:
        # One document, not a list of rows: the share with every member list and its sources.
        emit_document({**result.to_dict(), "conversion": conversion}, output)
        return
    emit(_table(with_conversion(share_view(result), conversion)), fmt, output)


def compare_command(
    expressions: Annotated[
        list[str],
        typer.Argument(help="One or more coalition expressions (one: its figures year by year)."),
    ],
    metric: MetricOption,
    start: Annotated[int, typer.Option("--from", help="First year.")],
    end: Annotated[int, typer.Option("--to", help="Last year.")],
    definition: DefinitionOption = "nato",
    source: SourceOption = None,
    prices: PricesOption = None,
    gdp_source: GdpSourceOption = None,
    edition: EditionOption = None,
    strict: StrictOption = False,
    chart: ChartOption = None,
    per_capita: PerCapitaOption = False,
    currency: CurrencyOption = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Coalitions side by side (or one alone), year by year (membership on 1 July of each year).

    Example: alliance compare NATO "NATO - USA" "NATO & EU" --metric defence --from 2014 --to 2024
    JSON keys: coalition, year, value, unit, members, with_data, missing, estimated,
    definition, edition.
    """
    from alliance.conversions import comparison_in_eur, currency_wanted, per_capita_metric
    from alliance.metrics import comparison
    from alliance.views.coalitions import comparison_view

    check_year_range(start, end)
    in_eur = currency_wanted(currency)
    metric = per_capita_metric(metric) if per_capita else metric
    found = comparison(
        expressions,
        metric,
        start,
        end,
        definition=definition,
        source=source,
        prices=prices,
        gdp_source=gdp_source,
        edition=edition,
        strict=strict,
    )
    conversion: list[str] = []
    if in_eur:
        found, conversion = comparison_in_eur(found)
    if chart is not None:
        from alliance.views.coalitions import comparison_chart

        comparison_chart(found, start, end, chart, conversion)
        typer.echo(f"Chart written to {chart}", err=True)
    view = comparison_view(found, metric, start, end)
    emit(_table(with_conversion(view, conversion)), fmt, output)


def register(app: typer.Typer) -> None:
    app.command("coalition")(coalition_command)
    app.command("aggregate")(aggregate_command)
    app.command("share")(share_command)
    app.command("compare")(compare_command)
