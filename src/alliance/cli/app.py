"""Entry point: builds the Typer app from the command modules and maps errors to exit code 2."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from typing import Any

import typer

from alliance.errors import AllianceError

# Which module registers each top-level command (`register(app)`; heavy imports stay inside
# the command bodies). A call loads only the module it needs: building every command on each
# call would cost a tenth of the 0.4 s a query may take.
COMMANDS = {
    "countries": "reference",
    "groups": "reference",
    "members": "reference",
    "data": "data",
    "sql": "sql",
    "demo": "demo",
    "check": "check",
    "coalition": "coalition",
    "aggregate": "coalition",
    "share": "coalition",
    "compare": "coalition",
    "targets": "commitments",
    "pledge": "commitments",
    "obligations": "obligations",
    "report": "report",
    "serve": "serve",
    "scenario": "scenario",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))
GROUP_MODULES = frozenset({"data"})  # their `register` takes the subcommand to build


def _print_version(asked: bool) -> None:
    if asked:
        from alliance import __version__

        typer.echo(f"alliance {__version__}")
        raise typer.Exit()


def build_app(
    modules: Iterable[str] = COMMAND_MODULES, subcommand: str | None = None
) -> typer.Typer:
    application = typer.Typer(
        name="alliance",
        help="The open, sourced, reproducible model of Europe's collective defence.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )

    @application.callback()
    def _group(
        version: bool = typer.Option(
            False,
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Print the version and exit.",
        ),
    ) -> None:
        """The open, sourced, reproducible model of Europe's collective defence."""

    for name in modules:
        module = importlib.import_module(f"alliance.cli.{name}")
        if name in GROUP_MODULES:
            module.register(application, subcommand)
        else:
            module.register(application)
    return application


def __getattr__(name: str) -> Any:
    if name == "app":  # the full app, for `--help` listings and tests
        return build_app()
    raise AttributeError(name)


def main() -> None:
    command, subcommand = [*sys.argv[1:3], None, None][:2]
    modules = (COMMANDS[command],) if command in COMMANDS else COMMAND_MODULES
    try:
        build_app(modules, subcommand)()
    except AllianceError as error:
        typer.echo(f"Error: {error}", err=True)
        sys.exit(2)
