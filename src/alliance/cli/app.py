"""Entry point: builds the Typer app from the command modules and maps errors to exit code 2."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from typing import Any

import typer

from alliance.errors import AllianceError, printable

# Which module registers each top-level command (`register(app)`; heavy imports stay inside
# the command bodies). A call loads only the module it needs: building every command on each
# call would add to the start-up of every query (bench/RESULTS.md).
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
    "project": "project",
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


def _print_error(message: str) -> None:
    """One line on stderr; user text echoed in `message` shows its control characters escaped."""
    typer.echo(f"Error: {printable(message)}", err=True)


def _refuse_unusable_arguments(arguments: list[str]) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates, which DuckDB, YAML and the
    terminal cannot take, and a NUL (which no shell passes) breaks every path: refuse them here,
    once, rather than in every command."""
    from alliance.errors import InvalidArgumentError

    for number, argument in enumerate(arguments, start=1):
        if any("\ud800" <= char <= "\udfff" for char in argument):
            raise InvalidArgumentError(
                f"Argument {number} ({argument!r}) is not UTF-8 text: expected UTF-8 arguments "
                "(rename a file whose name is in another encoding)."
            )
        if "\x00" in argument:
            raise InvalidArgumentError(
                f"Argument {number} ({argument!r}) holds a NUL character: expected text without."
            )


def main() -> None:
    command, subcommand = [*sys.argv[1:3], None, None][:2]
    modules = (COMMANDS[command],) if command in COMMANDS else COMMAND_MODULES
    # Click's own classes (Typer may vendor Click): a usage error is one line too, as promised.
    usage_error: type[Exception] = typer.BadParameter.__mro__[1]
    click_error: type[Exception] = usage_error.__mro__[1]
    help_shown: tuple[type[Exception], ...] = tuple(
        getattr(sys.modules[usage_error.__module__], name)
        for name in ("NoArgsIsHelpError",)
        if hasattr(sys.modules[usage_error.__module__], name)
    )
    try:
        _refuse_unusable_arguments(sys.argv[1:])
        code = build_app(modules, subcommand)(standalone_mode=False)
    except AllianceError as error:
        _print_error(error.one_line())
        sys.exit(2)
    except help_shown as shown:
        shown.show()  # type: ignore[attr-defined]
        sys.exit(2)
    except click_error as error:
        message = " ".join(error.format_message().split())  # type: ignore[attr-defined]
        context = getattr(error, "ctx", None)
        hint = f" See: {context.command_path} --help" if context is not None else ""
        _print_error(f"{message}{hint}")
        sys.exit(2 if isinstance(error, usage_error) else getattr(error, "exit_code", 1))
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
