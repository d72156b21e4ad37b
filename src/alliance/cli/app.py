"""Entry point: builds the Typer app from the command modules and maps errors to exit code 2."""

from __future__ import annotations

import atexit
import errno
import importlib
import os
import sys
import threading
from collections.abc import Iterable
from typing import Any, NoReturn

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


# A standard output that takes no more: a full disk or quota, a file too large, a failing device.
OUTPUT_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def run() -> NoReturn:
    """The `alliance` program: `main`, then the process ends without the interpreter's teardown.

    Tearing down every imported module and object took a tenth of a short command's time
    (bench/RESULTS.md) and does nothing a finished command needs: the store and every file written
    are closed by then (DuckDB files are written only inside `with` blocks). What does matter is
    kept: exit handlers run (the chart worker's clean-up, temporary folders) and the output is
    flushed. A standard output that takes no more is one error line (exit 2); where another
    thread still runs (the web server's) or the output is gone otherwise (a closed pipe), Python
    ends the process as it always did.
    """
    try:
        main()
        status = 0
    except SystemExit as done:
        if done.code is not None and not isinstance(done.code, int):
            raise
        status = done.code or 0
    except OSError as error:
        if error.errno not in OUTPUT_FULL:  # files are written through alliance.paths, which
            raise  # names them; what reaches here unnamed is the standard output
        status = _output_refused(error)
    if threading.active_count() > 1:
        sys.exit(status)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except OSError as error:
        if error.errno not in OUTPUT_FULL:
            sys.exit(status)
        status = _output_refused(error)
    except ValueError:  # closed by the command's caller: nothing left to flush
        sys.exit(status)
    os._exit(status)


def _output_refused(error: OSError) -> int:
    _print_error(f"Cannot write to the standard output ({error.strerror}): expected room for it.")
    return 2
