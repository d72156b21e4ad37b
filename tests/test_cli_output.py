"""The text table: column widths, alignment, styling, and Rich wrapping tables too wide to fit."""

from __future__ import annotations

import io
import re

import pytest

from alliance.cli import boxed, output
from alliance.cli.output import OutputFormat, Table


def test_boxed_table_pads_each_column_to_its_widest_cell() -> None:
    text = boxed.render(["iso3", "value"], [["DEU", "97,685.6"], ["ISL", "0.00"]], [False, True])
    assert text.splitlines() == [
        "┏━━━━━━┳━━━━━━━━━━┓",
        "┃ iso3 ┃    value ┃",
        "┡━━━━━━╇━━━━━━━━━━┩",
        "│ DEU  │ 97,685.6 │",
        "│ ISL  │     0.00 │",
        "└──────┴──────────┘",
    ]


def test_every_line_is_as_wide_as_the_table_says() -> None:
    rows = [["Türkiye", "—"], ["Côte d'Ivoire", "1.5"]]
    lines = boxed.render(["name", "x"], rows, [False, True], title="t", footer=["Source: s"])
    width = boxed.table_width(["name", "x"], rows)
    assert width == len("│ Côte d'Ivoire │ 1.5 │")
    assert {len(line) for line in lines.splitlines()[1:-1]} == {width}


def test_wide_characters_take_two_columns() -> None:
    assert boxed.cell_width("日本") == 4
    assert boxed.cell_width("e\u0301") == 1  # e + combining acute accent
    lines = boxed.render(["name"], [["日本"], ["abcd"]], [False]).splitlines()
    assert lines[3] == "│ 日本 │"
    assert lines[4] == "│ abcd │"


def test_title_above_and_footer_below() -> None:
    lines = boxed.render(["a"], [["1"]], [True], title="Title", footer=["Source: x"]).splitlines()
    assert lines[0] == "Title"
    assert lines[-1] == "Source: x"


def test_styled_output_wraps_header_title_and_footer_in_ansi_codes() -> None:
    text = boxed.render(["a"], [["1"]], [True], title="T", footer=["F"], styled=True)
    assert "\x1b[3mT\x1b[0m" in text
    assert "\x1b[1ma\x1b[0m" in text
    assert "\x1b[2mF\x1b[0m" in text
    assert "\x1b" not in boxed.render(["a"], [["1"]], [True], title="T", footer=["F"])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _shown_on_terminal(table: Table, columns: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    screen = _Terminal()
    monkeypatch.setattr("sys.stdout", screen)  # here, not in a fixture: pytest swaps stdout
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", str(columns))
    output.emit(table, OutputFormat.table)
    monkeypatch.undo()
    return re.sub("\x1b\\[[0-9;]*m", "", screen.getvalue()).splitlines()


def _wide_table() -> Table:
    return Table(["country", "note"], [("DEU", "a long note " * 8), ("FRA", None)], "Notes")


def test_a_table_that_fits_the_terminal_is_drawn_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _shown_on_terminal(_wide_table(), 200, monkeypatch)
    assert lines[0] == "Notes"
    assert ("a long note " * 8).strip() in lines[4]


def test_a_table_wider_than_the_terminal_is_wrapped_to_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = _shown_on_terminal(_wide_table(), 40, monkeypatch)
    assert max(len(line) for line in lines) <= 40
    assert sum("a long note" in line for line in lines) >= 4  # the note wrapped over lines
    assert any("—" in line for line in lines)  # a missing value is shown, not blank
