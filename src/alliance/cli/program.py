"""The `alliance` program, as installed: the CLI's `main` between a start and an end that only the
program (not a test or another program calling `main`) may have.

The start: a command line that asks for a chart starts the chart worker before anything else is
imported, so that matplotlib loads on the other core while Typer, DuckDB and the command load here
(the worker's loading, not the command's data, was what charts waited for: bench/RESULTS.md). The
option's check still refuses a bad path before any work, and the worker ends with the command.

The end: the process ends without the interpreter's teardown of every module and object, which
took a tenth of a short command's time (bench/RESULTS.md) and does nothing a finished command
needs: the store and every file written are closed by then (DuckDB files are written only inside
`with` blocks). What does matter is kept: exit handlers run (the chart worker's clean-up, temporary
folders) and the output is flushed. A standard output that takes no more is one error line (exit
2); where another thread still runs (the web server's) or the output is gone otherwise (a closed
pipe), Python ends the process as it always did.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

# A standard output that takes no more: a full disk or quota, a file too large, a failing device.
OUTPUT_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})
GROUPS_OF_DRAWING_COMMANDS = frozenset({"scenario"})  # the name Click gives is the subcommand's


def run() -> NoReturn:
    try:
        command = drawing_command(sys.argv[1:])
        if command is not None:
            from alliance.chart_worker import start

            start(command)
        status = _status_of_main()
    except KeyboardInterrupt:  # while loading, before main could (as main does: 130, no word)
        status = 130
    _leave(status)


def drawing_command(args: Sequence[str]) -> str | None:
    """Click's name for the command these arguments run if they ask for a chart, else None."""
    if not args:
        return None
    if args[0] == "demo":
        return "demo"
    if not any(a == "--chart" or a.startswith("--chart=") for a in args):
        return None
    if args[0] in GROUPS_OF_DRAWING_COMMANDS and len(args) > 1:
        return args[1]
    return args[0]


def _status_of_main() -> int:
    from alliance.cli.app import main

    try:
        main()
    except SystemExit as done:
        if done.code is not None and not isinstance(done.code, int):
            raise
        return done.code or 0
    except OSError as error:
        if error.errno not in OUTPUT_FULL:  # files are written through alliance.paths, which
            raise  # names them; what reaches here unnamed is the standard output
        return _output_refused(error)
    return 0


def _leave(status: int) -> NoReturn:
    import atexit
    import threading

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
    from alliance.cli.app import _print_error

    _print_error(f"Cannot write to the standard output ({error.strerror}): expected room for it.")
    return 2
