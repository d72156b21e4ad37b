"""`data show` across definitions: every row says what it is, no two rows look alike at any
width, and the title names the country, definitions and years (issues 12 and 14)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alliance.cli.data import _SERIES_PARTS, series_labels
from alliance.store import query

ALLIANCE = str(Path(sys.executable).with_name("alliance"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_every_kind_of_figure_in_the_store_gets_its_own_label() -> None:
    """Per indicator, the distinct (definition, unit, currency, prices, exchange, period) in the
    shipped store, labelled together as one query spanning them all would be."""
    columns = ", ".join(_SERIES_PARTS)
    _, rows = query(f"SELECT DISTINCT indicator, {columns} FROM observations")
    by_indicator: dict[str, list[tuple[str, ...]]] = {}
    for indicator, *variant in rows:
        by_indicator.setdefault(indicator, []).append(tuple(variant))
    assert len(by_indicator) > 10
    for indicator, variants in by_indicator.items():
        labels = series_labels(variants)
        assert len(set(labels.values())) == len(variants), indicator


def test_labels_say_what_sets_figures_apart() -> None:
    sipri_lcu = ("sipri", "unit", "LCU", "current", None, "fiscal")
    labels = series_labels([sipri_lcu, (*sipri_lcu[:5], "calendar")])
    shown = sorted(label.replace("\u00a0", " ") for label in labels.values())
    assert shown == ["SIPRI · LCU · current · calendar yr", "SIPRI · LCU · current · fiscal yr"]
    # PPP is always said; market rates only beside a figure that differs in them.
    ppp = series_labels([("wb", "unit", "INTL", "current", "ppp", "calendar")])
    assert next(iter(ppp.values())).replace("\u00a0", " ") == "WB · intl $ · current · PPP"
    usd = ("nato", "million", "USD", "constant_2015", "market", "calendar")
    twins = series_labels([usd, (*usd[:4], None, "calendar")])
    assert sorted(v.split("\u00a0·\u00a0")[-1] for v in twins.values()) == [
        "as\u00a0reported",
        "market\u00a0rates",
    ]


def _on_terminal(args: list[str], columns: int) -> list[str]:
    """The command as a terminal of `columns` shows it (through `script`, a real tty)."""
    command = " ".join([ALLIANCE, *args])
    done = subprocess.run(
        ["script", "-qc", command, "/dev/null"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"},
        check=True,
    )
    return ANSI.sub("", done.stdout).replace("\r", "").splitlines()


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux `script` for a tty")
@pytest.mark.parametrize("columns", [80, 120, 200])
def test_nato_and_sipri_figures_read_apart_at_every_width(columns: int) -> None:
    lines = _on_terminal(["data", "show", "defence", "--country", "DEU", "--from", "2024"], columns)
    assert all(len(line) <= columns for line in lines if line.startswith(("┃", "│", "┏", "└")))
    title = " ".join(lines[: next(i for i, line in enumerate(lines) if line.startswith("┏"))])
    assert "Germany (DEU), 2024: 8 figures, NATO and SIPRI definitions" in title
    rows = [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in lines
        if line.startswith("│") and not line.startswith("│        ")  # not a wrapped line
    ]
    assert len(rows) == 8
    keys = [(row[0], row[1]) for row in rows]  # entity and series; one year
    assert len(set(keys)) == 8, keys
    series = [row[1].replace("\u00a0", " ") for row in rows]
    assert "SIPRI · LCU · current · fiscal yr" in series
    assert "SIPRI · LCU · current · calendar yr" in series
    assert "NATO · USD m · constant 2015" in series
    # the same LCU figure, 81,776,500,000 (SIPRI, Germany 2024), on both rows, as published
    assert [row[2] for row in rows if "LCU" in row[1]] == ["81,776,500,000.0"] * 2
