"""Options shared by every listing command, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from alliance.cli.output import OutputFormat, resolve_format


def _settle_format(ctx: typer.Context, fmt: Any, output: Any) -> OutputFormat:
    """--format as given, else inferred from --output's extension (see output.resolve_format)."""
    from alliance.errors import AllianceError

    source = ctx.get_parameter_source("fmt")
    given = None if source is None or source.name == "DEFAULT" else OutputFormat(fmt)
    try:
        return resolve_format(given, output)
    except AllianceError as error:
        raise typer.BadParameter(str(error), ctx=ctx, param_hint="'--output'") from error


# Whichever of --format and --output Click processes second settles the format, so that every
# command sees the format it will write (e.g. `--output t.csv` alone means CSV).
def _format_callback(ctx: typer.Context, value: Any) -> Any:
    if "output" in ctx.params:
        return _settle_format(ctx, value, ctx.params["output"])
    return value


def _output_callback(ctx: typer.Context, value: Any) -> Any:
    if value is not None:  # refused before any work: a folder, a name too long, no permission
        from alliance.paths import writable_file

        writable_file(value, "a file path to write the output to")
    if "fmt" in ctx.params and ctx.params["fmt"] in set(OutputFormat):
        ctx.params["fmt"] = _settle_format(ctx, ctx.params["fmt"], value)
    return value


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="table (default), csv, json (a list of records), parquet (binary: to a file) or "
        "xlsx (sheets 'figures' and 'sources'; needs --output). With --output and no --format: "
        "from the file's extension (.csv, .json, .parquet, .xlsx, .txt).",
        case_sensitive=False,
        callback=_format_callback,
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file instead of stdout; its extension sets the format.",
        callback=_output_callback,
    ),
]
EditionOption = Annotated[
    str | None,
    typer.Option("--edition", help="Source edition, e.g. 2024-06; default: the newest stored."),
]
OnOption = Annotated[
    str | None,
    typer.Option("--on", help="Date YYYY-MM-DD at which membership counts (default: today)."),
]


def check_year_range(first: int | None, last: int | None) -> None:
    """Refuse --from after --to, in every command that takes both: a reversed range is a typo,
    not a question with an empty answer."""
    if first is not None and last is not None and first > last:
        from alliance.errors import InvalidArgumentError

        raise InvalidArgumentError(
            f"--to {last} is before --from {first}: expected --from to be at most --to "
            f"(e.g. --from {last} --to {first})."
        )


def check_non_negative(value: float, option: str) -> float:
    """Refuse NaN, infinities and negative numbers for a threshold such as --min-change: NaN
    compares false with everything and would silently select nothing."""
    import math

    if not math.isfinite(value) or value < 0:
        from alliance.errors import InvalidArgumentError

        raise InvalidArgumentError(f"{option} {value:g}: expected a finite number of 0 or more.")
    return value


def chart_callback(ctx: typer.Context, value: Path | None) -> Path | None:
    """--chart refused before any work (a folder, a name too long, no permission), as --output;
    accepted, it starts the chart worker, which loads matplotlib while the command works."""
    if value is not None:
        from alliance.chart_worker import start
        from alliance.paths import writable_file

        writable_file(value, "a file path to write the chart to")
        start(ctx.info_name)
    return value
