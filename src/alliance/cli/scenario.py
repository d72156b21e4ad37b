"""`alliance scenario NAME`: scenario models from the shell (thin shell over alliance.scenarios)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from alliance.cli.options import FormatOption, OutputOption
from alliance.cli.output import OutputFormat
from alliance.cli.run_options import (
    AssumptionsOption,
    ChartOption,
    DrawsOption,
    PathOption,
    SeedOption,
    ToOption,
    emit_rows,
    write_chart,
)

HELP = "Scenarios: europe-without-us, ukraine, vs-russia."


class EuropeTable(StrEnum):
    figures = "figures"
    sensitivity = "sensitivity"
    parameters = "parameters"


def _write_json(payload: Any, output: Path | None) -> None:
    text = json.dumps(payload, indent=2, default=str) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        from alliance.paths import write_text

        write_text(output, text, "a file path to write the output to")


def europe_without_us_command(
    params: Annotated[
        Path | None,
        typer.Option(
            "--params",
            help="A YAML file of parameters (a copy of --show-params, edited; it may list only "
            "the parameters it changes).",
        ),
    ] = None,
    show_params: Annotated[
        bool, typer.Option("--show-params", help="Print the shipped parameter file and stop.")
    ] = False,
    coalition: Annotated[
        str,
        typer.Option("--coalition", help="Whose GDP and spending 'today' uses (default: EU)."),
    ] = "EU",
    year: Annotated[
        int | None,
        typer.Option("--year", help="Year for 'today' (default: newest with NATO spending)."),
    ] = None,
    swing: Annotated[
        float, typer.Option("--swing", help="Sensitivity: each parameter this fraction down/up.")
    ] = 0.2,
    table: Annotated[
        EuropeTable,
        typer.Option(
            "--table", help="figures (published vs model vs today), sensitivity or parameters."
        ),
    ] = EuropeTable.figures,
    chart: ChartOption = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """What Europe would need to spend to defend itself without the US: a cost model whose
    defaults reproduce Burilkov and Wolff (Bruegel/Kiel, 21 Feb 2025), beside the brief's own
    figures, re-run on the store's newest GDP and spending, with a sensitivity over every
    parameter (--table sensitivity, --chart tornado.png).

    Example: alliance scenario europe-without-us --chart tornado.png
    JSON keys (default): scenario, title, figures, report_basis, today_basis, today_year,
    parameters, parameter_files, sensitivity, notes, sources; with --table: that table's rows.
    """
    from alliance.scenarios.europe_without_us import NAME, draw_tornado, europe_without_us
    from alliance.scenarios.params import shipped_text

    if show_params:
        typer.echo(shipped_text(NAME), nl=False)
        return
    result = europe_without_us(params, coalition=coalition, year=year, swing=swing)
    write_chart(draw_tornado, result, chart)
    if fmt is OutputFormat.json and table is EuropeTable.figures:
        _write_json(result.to_dict(), output)
        return
    footer = result.notes() + result.source_lines()
    if table is EuropeTable.figures:
        records = result.records()
        if fmt is OutputFormat.table:  # citations go under the table, numbered
            for number, record in enumerate(records, 1):
                footer.append(f"[{number}] {record.pop('citation')}")
                record["figure"] = f"[{number}] {record['figure']}"
        footer += ["Parameters:", *result.assumption_lines()]
        rows: list[dict[str, Any]] = records
        title = result.title
    elif table is EuropeTable.sensitivity:
        rows = result.sensitivity_records()
        title = (
            f"Sensitivity: each parameter {result.swing:.0%} lower and higher; total EUR bn a "
            "year and % of GDP after the build-up incl. Ukraine (brief's basis)"
        )
    else:
        rows = result.parameter_records()
        title = "Europe without the US: parameters, their sources and kinds"
    emit_rows(rows, title, footer, fmt, output)


class UkraineTable(StrEnum):
    coalitions = "coalitions"
    donors = "donors"
    replace_us = "replace-us"


def ukraine_command(
    coalitions: Annotated[
        list[str] | None,
        typer.Argument(
            help="Coalition expressions (default: EU, EU-institutions, NATO-Europe, USA); "
            "EU-institutions is the EU's own aid."
        ),
    ] = None,
    table: Annotated[
        UkraineTable,
        typer.Option(
            "--table",
            help="coalitions (totals), donors (each donor) or replace-us (the cost of taking "
            "over the US's aid).",
        ),
    ] = UkraineTable.coalitions,
    gdp_year: Annotated[
        int, typer.Option("--gdp-year", help="GDP year for shares (default 2021, as Kiel).")
    ] = 2021,
    replace_year: Annotated[
        int, typer.Option("--replace-year", help="GDP year for replacing the US (default 2024).")
    ] = 2024,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Aid to Ukraine from the Kiel Ukraine Support Tracker (24 Jan 2022 - 31 Aug 2024) by
    coalition and donor, military, financial and humanitarian, in EUR bn and % of GDP; and what
    replacing the US's aid would cost a coalition a year.

    Example: alliance scenario ukraine EU NATO-Europe USA --table replace-us
    JSON keys (default): scenario, title, period, gdp_year, replace_year, coalitions, donors,
    replace_us, assumptions, sources; with --table: that table's rows.
    """
    from alliance.scenarios.ukraine import DEFAULT_COALITIONS, PERIOD, ukraine

    result = ukraine(coalitions or DEFAULT_COALITIONS, gdp_year=gdp_year, replace_year=replace_year)
    if fmt is OutputFormat.json and table is UkraineTable.coalitions:
        _write_json(result.to_dict(), output)
        return
    if table is UkraineTable.coalitions:
        rows = result.records()
        title = result.title
    elif table is UkraineTable.donors:
        rows = result.donor_records()
        title = f"Aid to Ukraine by donor, {PERIOD}: EUR bn and % of {gdp_year} GDP"
    else:
        rows = result.replacement_records()
        title = (
            f"Replacing the US's aid to Ukraine: EUR bn a year (average over {PERIOD}) and % of "
            f"{replace_year} GDP"
        )
    footer = result.assumption_lines() + result.source_lines()
    emit_rows(rows, title, footer, fmt, output)


def vs_russia_command(
    coalition: Annotated[
        str, typer.Argument(help="Coalition expression (default: NATO-Europe).")
    ] = "NATO-Europe",
    to: ToOption = 2035,
    path: PathOption = "current",
    draws: DrawsOption = 10_000,
    seed: SeedOption = 2025,
    assumptions: AssumptionsOption = None,
    history_only: Annotated[
        bool, typer.Option("--history-only", help="SIPRI's figures only, no projection.")
    ] = False,
    chart: ChartOption = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """A coalition's defence spending against Russia's (SIPRI definition for both): SIPRI's
    figures (current US$; estimates flagged) and the projection to --to with Monte Carlo bands,
    at market exchange rates and at GDP PPP (not a military price index: both shown); the chart
    marks 2027.

    Example: alliance scenario vs-russia NATO-Europe --path hague --chart vs-russia.png
    JSON keys: scenario, title, coalition, path, to, marked_year, rows, notes, assumptions,
    sources; each row: year, kind (historical|projected), basis (market|ppp), coalition_bn,
    coalition_q05, coalition_q95, russia_bn, russia_q05, russia_q95, ratio, coalition_estimates,
    coalition_missing, russia_estimate (CSV and the table: the rows).
    """
    from alliance.cli.project import one_blas_thread
    from alliance.scenarios.vs_russia import vs_russia

    one_blas_thread()
    result = vs_russia(
        coalition,
        to=to,
        path=path,
        draws=draws,
        seed=seed,
        assumptions=assumptions,
        project=not history_only,
    )
    if chart is not None:
        from alliance.scenarios.vs_russia_chart import draw_vs_russia

        write_chart(draw_vs_russia, result, chart)
    if fmt is OutputFormat.json:
        _write_json(result.to_dict(), output)
        return
    rows = result.records()
    footer = result.notes() + ["Assumptions:", *result.assumption_lines()] * bool(
        result.assumption_lines()
    )
    footer += result.source_lines()
    emit_rows(rows, result.title, footer, fmt, output)


def register(app: typer.Typer) -> None:
    scenario_app = typer.Typer(name="scenario", help=HELP, no_args_is_help=True)
    scenario_app.command("europe-without-us")(europe_without_us_command)
    scenario_app.command("ukraine")(ukraine_command)
    scenario_app.command("vs-russia")(vs_russia_command)
    app.add_typer(scenario_app, name="scenario")
