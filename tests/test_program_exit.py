"""The installed `alliance` program (`cli.program.run`) ends without the interpreter's teardown:
what a finished command owes its caller must still happen: every byte of the output delivered,
exit handlers run, a standard output that takes no more reported in one line. It also starts the
chart worker first when the command line asks for a chart."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO

import pytest

from alliance.cli.program import drawing_command

ALLIANCE = str(Path(sys.executable).with_name("alliance"))


def program(
    args: list[str], env: dict[str, str] | None = None, stdout: int | IO[str] = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALLIANCE, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_installed_program_is_run() -> None:
    (script,) = (e for e in entry_points(group="console_scripts") if e.name == "alliance")
    assert script.value == "alliance.cli.program:run"


def test_a_long_output_arrives_whole_through_a_pipe() -> None:
    done = program(["sql", "select range from range(200000)", "--limit", "200000", "-f", "csv"])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "range"
    assert lines[1:] == [str(n) for n in range(200000)]


def test_exit_handlers_run(tmp_path: Path) -> None:
    # A sitecustomize on the path registers a handler, as a library the command used would.
    marker = tmp_path / "ran"
    (tmp_path / "sitecustomize.py").write_text(
        f"import atexit, pathlib\natexit.register(pathlib.Path({str(marker)!r}).touch)\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = program(["countries", "--format", "csv"], env=environment)
    assert done.returncode == 0, done.stderr
    assert marker.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["countries"],
        ["groups", "--format", "json"],
        ["members", "NATO", "--format", "csv"],
    ],
)
def test_a_full_standard_output_is_one_line(args: list[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("/dev/full: Linux only")
    with open("/dev/full", "w") as full:
        done = program(args, stdout=full)
    assert done.returncode == 2
    assert done.stderr == (
        "Error: Cannot write to the standard output (No space left on device): "
        "expected room for it.\n"
    )


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["share", "EU", "--of", "NATO", "--chart", "x.png"], "share"),
        (["targets", "--chart=x.svg"], "targets"),
        (["scenario", "vs-russia", "--chart", "x.png"], "vs-russia"),
        (["demo", "--out", "out"], "demo"),
        (["share", "EU", "--of", "NATO"], None),
        (["scenario", "vs-russia"], None),
        ([], None),
    ],
)
def test_the_worker_starts_first_for_commands_that_draw(
    args: list[str], command: str | None
) -> None:
    assert drawing_command(args) == command
