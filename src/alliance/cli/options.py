"""Options shared by every listing command, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alliance.cli.output import OutputFormat

FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="table (default), csv, json (a list of records) or parquet (needs --output).",
        case_sensitive=False,
    ),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
EditionOption = Annotated[
    str | None,
    typer.Option("--edition", help="Source edition, e.g. 2024-06; default: the newest stored."),
]
OnOption = Annotated[
    str | None,
    typer.Option("--on", help="Date YYYY-MM-DD at which membership counts (default: today)."),
]
