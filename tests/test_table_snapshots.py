"""Tables as a reader's terminal shows them at 80, 120 and 200 columns (issue 14), compared with
snapshots reviewed by eye in tests/snapshots/. After an intended change of layout, regenerate
them with ALLIANCE_UPDATE_SNAPSHOTS=1, read the diff, and commit it with the change."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ALLIANCE = str(Path(sys.executable).with_name("alliance"))
SNAPSHOTS = Path(__file__).parent / "snapshots"
ANSI = re.compile("\x1b\\[[0-9;]*[A-Za-z]")
COMMANDS = {
    "data-diff": ["data", "diff", "nato", "2024-06", "2025-08"],
    "compare": [
        "compare", "NATO & EU", "NATO - EU - USA", "USA", "--metric", "defence",
        "--from", "2014", "--to", "2024",
    ],
    "targets": ["targets", "--year", "2024"],
    "data-sources": ["data", "sources"],
}  # fmt: skip


def on_terminal(args: list[str], columns: int) -> str:
    """What a terminal `columns` wide shows (through `script`, a real tty), styles off."""
    command = " ".join([ALLIANCE, *(f"'{a}'" for a in args)])
    done = subprocess.run(
        ["script", "-qc", command, "/dev/null"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": str(columns), "LINES": "50", "NO_COLOR": "1"},
        check=True,
    )
    return ANSI.sub("", done.stdout).replace("\r", "")


def header(text: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith("┃"))
    return [cell.strip() for cell in line.strip("┃").split("┃")]


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux `script` for a tty")
@pytest.mark.parametrize("columns", [80, 120, 200])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_table_matches_its_reviewed_snapshot(name: str, columns: int) -> None:
    text = on_terminal(COMMANDS[name], columns)
    box = [line for line in text.splitlines() if line[:1] in "┏┃┡│└"]
    assert box and all(len(line) <= columns for line in box)
    snapshot = SNAPSHOTS / f"{name}-{columns}.txt"
    if os.environ.get("ALLIANCE_UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(text, encoding="utf-8")
    assert text == snapshot.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux `script` for a tty")
def test_the_columns_that_answer_stay_longest() -> None:
    diff = header(on_terminal(COMMANDS["data-diff"], 120))
    assert {"value_a", "value_b", "change"} <= set(diff)
    assert "indicator" not in diff  # the same on every row: said once under the table
    assert "status" in header(on_terminal(COMMANDS["targets"], 120))
    sources = header(on_terminal(COMMANDS["data-sources"], 200))
    assert {"licence", "url", "rows"} <= set(sources)
    compare = on_terminal(COMMANDS["compare"], 80)
    assert "definition" not in header(compare)
    assert compare.count("NATO definition of defence") == 1  # once, under the table
