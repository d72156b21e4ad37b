"""`alliance report`: the overview, the coalition answer, commitments and the fact-check as one
self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def report_command(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The HTML file to write, e.g. report.html.")
    ],
    year: Annotated[
        int | None,
        typer.Option(
            "--year", "-y", help="Year of the overview and commitments (default: newest)."
        ),
    ] = None,
    definition: Annotated[
        str, typer.Option("--definition", help="Overview map and bars: nato or sipri.")
    ] = "nato",
) -> None:
    """Write one self-contained HTML report (styles inlined, charts as SVG, sources listed).

    Example: alliance report --output report.html
    """
    from alliance.errors import InvalidArgumentError
    from alliance.web.report import write_report

    if definition not in ("nato", "sipri"):
        raise InvalidArgumentError(f"Unknown definition {definition!r}: expected nato or sipri.")
    if output.suffix.lower() not in (".html", ".htm"):
        raise InvalidArgumentError(f"Cannot write the report to {output.name!r}: expected .html.")
    write_report(output, definition, year)
    typer.echo(f"Report written to {output}", err=True)


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
