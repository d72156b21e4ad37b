"""`alliance check`: verdicts on a claim file as a table, markdown, JSON or an HTML page."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from alliance.cli.options import OutputOption
from alliance.errors import InvalidArgumentError


class ReportFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    html = "html"


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    file: Annotated[
        Path | None,
        typer.Argument(help="Claim file (YAML, format in docs/claims.md).", show_default=False),
    ] = None,
    example: Annotated[
        bool,
        typer.Option(
            "--example",
            help="Check the shipped example: Mark Rutte's December 2025 interview on an EU-only "
            "defence structure.",
        ),
    ] = False,
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="table, markdown, json or html.", case_sensitive=False),
    ] = ReportFormat.table,
    output: OutputOption = None,
) -> None:
    """Check the claims of FILE against the store: verdict, figures, readings and sources.

    Example: alliance check --example --format html --output rutte.html
    Claim files are YAML (format: docs/claims.md; schema: alliance/data/claims/claim.schema.json).
    JSON: the report (title, counts, claims: id, quote, speaker, date, url, verdict,
    explanation, check, readings and the source rows used).
    """
    from alliance.claims import check_claims, load_claims, load_example

    if example == (file is not None):
        raise InvalidArgumentError("Give either a claim FILE or --example (one of the two).")
    claim_file = load_example() if file is None else load_claims(file)
    report = check_claims(claim_file)
    if fmt is ReportFormat.table:
        _print_table(report, output)
        return
    _write(_render(report, fmt), output)


def _render(report: object, fmt: ReportFormat) -> str:
    from alliance.claims import to_html, to_markdown, to_records
    from alliance.claims.model import ClaimReport

    assert isinstance(report, ClaimReport)
    if fmt is ReportFormat.markdown:
        return to_markdown(report)
    if fmt is ReportFormat.html:
        return to_html(report)
    return json.dumps(to_records(report), indent=2, ensure_ascii=False) + "\n"


def _print_table(report: object, output: Path | None) -> None:
    from alliance.claims.model import ClaimReport
    from alliance.claims.render import table_rows
    from alliance.cli.output import OutputFormat, Table, emit

    assert isinstance(report, ClaimReport)
    columns, rows, footer = table_rows(report)
    table = Table(columns, rows, report.file.title, footer)
    if output is not None:
        emit(table, OutputFormat.csv, output)
    else:
        emit(table, OutputFormat.table)


def _write(text: str, output: Path | None) -> None:
    from alliance.paths import write_text

    if output is None:
        sys.stdout.write(text)
        return
    write_text(output, text, "a file path to write the report to")
