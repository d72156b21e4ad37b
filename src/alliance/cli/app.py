"""Entry point: builds the Typer app from the command modules and maps errors to exit code 2."""

from __future__ import annotations

import importlib
import sys

import typer

from alliance.errors import AllianceError

# Each module defines `register(app)`; heavy imports stay inside the command bodies.
COMMAND_MODULES = (
    "reference",
    "data",
    "sql",
    "demo",
    "check",
    "coalition",
    "commitments",
    "obligations",
)

app = typer.Typer(
    name="alliance",
    help="The open, sourced, reproducible model of Europe's collective defence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"alliance.cli.{_name}").register(app)


def main() -> None:
    try:
        app()
    except AllianceError as error:
        typer.echo(f"Error: {error}", err=True)
        sys.exit(2)
