"""`alliance coalition | aggregate | share | compare`: coalition arithmetic from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from alliance.cli.options import EditionOption, FormatOption, OnOption, OutputOption
from alliance.cli.output import OutputFormat, Table, emit

if TYPE_CHECKING:
    from alliance.metrics import AggregateResult

MetricOption = Annotated[
    str,
    typer.Option(
        "--metric",
        "-m",
        help="gdp, gdp_ppp, defence, defence_share_gdp, equipment_share, personnel, population, "
        "defence_per_capita, gdp_per_capita.",
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
ChartOption = Annotated[
    Path | None, typer.Option("--chart", help="Also draw a chart: .png, .svg or .html.")
]


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
    from alliance.countries import country_name

    result = coalition(expression, on)
    rows = [(m, country_name(m)) for m in result.members]
    title = f"{expression} on {result.on}: {len(rows)} members"
    emit(Table(["iso3", "name"], rows, title), fmt, output)


def _footer(result: AggregateResult) -> list[str]:
    from alliance.metrics import source_lines

    lines = [
        f"Definition: {result.definition}.",
        f"Method: {result.method}",
        f"Membership on {result.on} (rule: member on 1 July of the year).",
    ]
    if result.missing:
        lines.append(f"Missing (no data, not counted): {', '.join(result.missing)}.")
    if result.zeros:
        lines.append(f"Counted as zero (no armed forces, as NATO does): {', '.join(result.zeros)}.")
    return lines + source_lines(result.sources, result.estimated)


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
    title = f"{result.metric} of {expression} in {year} ({result.unit})"
    if members:
        rows: list[Any] = [
            (f.entity, f.numerator, f.denominator, f.estimate, " ".join(f.locators))
            for f in result.figures
        ]
        table = Table(["iso3", "value", "denominator", "estimate", "locators"], rows, title)
    else:
        record = {
            "coalition": expression,
            "metric": result.metric,
            "year": year,
            "value": result.value,
            "unit": result.unit,
            "definition": result.definition,
            "edition": result.edition,
            "members": len(result.members),
            "with_data": len(result.with_data),
            "missing": " ".join(result.missing),
            "zeros": " ".join(result.zeros),
            "estimated": " ".join(result.estimated),
            "numerator": result.numerator,
            "denominator": result.denominator,
        }
        if fmt is OutputFormat.table:
            table = Table(["field", "value"], [[k, v] for k, v in record.items()], title)
        else:
            table = Table(list(record), [list(record.values())], title)
    table.footer = _footer(result)
    emit(table, fmt, output)


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
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """A coalition's share of another's total (gdp, gdp_ppp, defence, personnel, population).

    Coalition members outside --of are left out (listed), so the share lies between 0 and 1.

    Example: alliance share "NATO & EU" --of NATO --metric gdp --year 2024 --source nato
    JSON keys: coalition, of, metric, year, definition, edition, unit, value, of_value, share,
    members, of_members, outside, missing, estimated, membership_on, method, sources.
    """
    import json

    from alliance.metrics import share, source_lines

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
    if chart is not None:
        _share_chart(result, chart)
    if fmt is OutputFormat.json:
        text = json.dumps(result.to_dict(), indent=2) + "\n"
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
        return
    row = (
        expression,
        of,
        result.metric,
        year,
        result.value,
        result.of_value,
        result.share,
        result.unit,
        result.definition,
        result.edition,
        " ".join(result.missing),
    )
    columns = [
        "coalition",
        "of",
        "metric",
        "year",
        "value",
        "of_value",
        "share",
        "unit",
        "definition",
        "edition",
        "missing",
    ]
    title = f"Share of {expression} in {of}, {result.metric}, {year}"
    footer = [
        f"Members counted: {len(result.members)} of {len(result.whole.members)}.",
        f"Method: {result.whole.method}",
    ]
    if result.outside:
        footer.append(f"Outside {of}, left out: {', '.join(result.outside)}.")
    if result.missing:
        footer.append(f"Missing (no data, not counted): {', '.join(result.missing)}.")
    footer += source_lines(result.sources, result.estimated)
    emit(Table(columns, [row], title, footer), fmt, output)


def _share_chart(result: Any, path: Path) -> None:
    from alliance.charts import ChartText, stacked_share_chart
    from alliance.metrics import source_lines

    share_text = f"{result.share:.1%}" if result.share is not None else "unknown"
    text = ChartText(
        title=f"{result.coalition}: {share_text} of {result.of}'s {result.metric}, {result.year}",
        subtitle=f"{result.definition}; totals in {result.unit}; membership on {result.whole.on}.",
        sources=source_lines(result.sources),
        notes=_chart_notes(result.whole),
    )
    stacked_share_chart(result, path, text)
    typer.echo(f"Chart written to {path}", err=True)


def _chart_notes(result: AggregateResult) -> list[str]:
    notes = []
    if result.estimated:
        notes.append(f"Estimates for: {', '.join(result.estimated)}.")
    if result.missing:
        notes.append(f"No data (not counted): {', '.join(result.missing)}.")
    return notes


def compare_command(
    expressions: Annotated[list[str], typer.Argument(help="Two or more coalition expressions.")],
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
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Coalitions side by side, year by year (membership on 1 July of each year).

    Example: alliance compare NATO "NATO - USA" "NATO & EU" --metric defence --from 2014 --to 2024
    JSON keys: coalition, year, value, unit, members, with_data, missing, estimated,
    definition, edition.
    """
    from alliance.metrics import COMPARISON_COLUMNS, comparison, source_lines

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
    results = found.results
    estimated = [e for r in results for e in r.estimated]
    footer = [f"Definition: {results[0].definition}.", f"Method: {results[0].method}"]
    footer += source_lines(found.sources, estimated)
    if chart is not None:
        from alliance.charts import ChartText, line_chart

        text = ChartText(
            title=f"{results[0].metric.replace('_', ' ').capitalize()}: "
            f"{' vs '.join(expressions)}, {start}-{end}",
            subtitle=f"{results[0].definition}; {results[0].unit}. Membership on 1 July of "
            "each year; open circles are the publisher's estimates.",
            sources=source_lines(found.sources),
            notes=_missing_notes(found.rows),
        )
        line_chart(found.frame(), chart, text)
        typer.echo(f"Chart written to {chart}", err=True)
    title = f"{metric} by coalition, {start}-{end}"
    rows = [[record[c] for c in COMPARISON_COLUMNS] for record in found.rows]
    emit(Table(list(COMPARISON_COLUMNS), rows, title, footer), fmt, output)


def _missing_notes(rows: list[dict[str, Any]]) -> list[str]:
    return [
        f"No data for {row['missing']} in {row['coalition']} ({row['year']}): not counted."
        for row in rows
        if row["missing"]
    ][:4]


def register(app: typer.Typer) -> None:
    app.command("coalition")(coalition_command)
    app.command("aggregate")(aggregate_command)
    app.command("share")(share_command)
    app.command("compare")(compare_command)
