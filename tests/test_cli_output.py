"""The text table: widths, alignment, styles, and fitting a terminal without cutting values."""

from __future__ import annotations

import io
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    width = boxed.layout(["name", "x"], rows, [False, True]).width
    assert width == len("│ Côte d'Ivoire │ 1.5 │")
    assert {len(line) for line in lines.splitlines()[1:-1]} == {width}


def test_wide_characters_take_two_columns() -> None:
    assert boxed.cell_width("日本") == 4
    assert boxed.cell_width("e\u0301") == 1  # e + combining acute accent
    lines = boxed.render(["name"], [["日本"], ["abcd"]], [False]).splitlines()
    assert lines[3] == "│ 日本 │"
    assert lines[4] == "│ abcd │"


def test_a_cell_keeps_its_own_line_breaks() -> None:
    lines = boxed.render(["claim", "n"], [["first line\nsecond", "1"]], [False, True]).splitlines()
    assert lines[3:5] == ["│ first line │ 1 │", "│ second     │   │"]


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


def test_text_columns_wrap_at_spaces_to_fit() -> None:
    rows = [["NATO", "North Atlantic Treaty Organization members"]]
    lines = boxed.render(["group", "description"], rows, [False, False], max_width=30).splitlines()
    assert max(len(line) for line in lines) <= 30
    assert lines[3:7] == [
        "│ NATO  │ North Atlantic     │",
        "│       │ Treaty             │",
        "│       │ Organization       │",
        "│       │ members            │",
    ]


def test_numbers_and_codes_are_never_cut_columns_are_left_out_and_named() -> None:
    columns = ["entity", "year", "value", "edition", "locator"]
    rows = [["DEU", "2014", "35,394.2", "2024-06", "TABLE1!D54"]]
    right = [False, True, True, False, False]
    lines = boxed.render(columns, rows, right, footer=["Source: NATO"], max_width=34).splitlines()
    assert lines[3] == "│ DEU    │ 2014 │ 35,394.2 │"
    assert max(len(line) for line in lines) <= 34
    notes = " ".join(lines[lines.index("└────────┴──────┴──────────┘") + 1 :])
    assert notes.startswith("Not shown, to fit 34 columns: edition, locator")
    assert notes.endswith("Source: NATO")


def test_a_table_that_fits_is_not_changed_by_the_width() -> None:
    rows = [["DEU", "35,394.2"]]
    assert boxed.render(["a", "b"], rows, [False, True], max_width=200) == boxed.render(
        ["a", "b"], rows, [False, True]
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _shown_on_terminal(table: Table, columns: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    screen = _Terminal()
    monkeypatch.setattr("sys.stdout", screen)  # here, not in a fixture: pytest swaps stdout
    monkeypatch.setenv("COLUMNS", str(columns))
    output.emit(table, OutputFormat.table)
    monkeypatch.undo()
    return screen.getvalue().splitlines()


def test_a_terminal_gets_a_table_that_fits_it_and_ansi_styles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = Table(["country", "note"], [("DEU", "a long note " * 8), ("FRA", None)], "Notes")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    lines = _shown_on_terminal(table, 40, monkeypatch)
    assert lines[0] == "\x1b[3mNotes\x1b[0m"
    plain = [re.sub("\x1b\\[[0-9;]*m", "", line) for line in lines]
    assert max(len(line) for line in plain) <= 40
    assert sum("a long note" in line for line in plain) >= 3
    assert any("│ FRA     │ —" in line for line in plain)


def test_no_color_turns_styles_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    lines = _shown_on_terminal(Table(["a"], [(1.5,)], "T"), 80, monkeypatch)
    assert lines == ["T", "┏━━━━━━┓", "┃    a ┃", "┡━━━━━━┩", "│ 1.50 │", "└──────┘"]


_WORDS = st.text(alphabet="abcXYZ019.,-éü日本—", min_size=1, max_size=12)
_CELLS = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join) | _WORDS


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    width=st.integers(min_value=20, max_value=160),
    ncols=st.integers(min_value=1, max_value=6),
)
def test_every_table_fits_and_keeps_every_shown_value(
    data: st.DataObject, width: int, ncols: int
) -> None:
    columns = [f"c{i}" for i in range(ncols)]
    rows = data.draw(st.lists(st.lists(_CELLS, min_size=ncols, max_size=ncols), max_size=5))
    right = data.draw(st.lists(st.booleans(), min_size=ncols, max_size=ncols))
    fitted = boxed.layout(columns, rows, right, width)
    lines = boxed.render(columns, rows, right, max_width=width).splitlines()
    box = lines[: lines.index(next(line for line in lines if line.startswith("└"))) + 1]
    assert {boxed.cell_width(line) for line in box} == {fitted.width}
    assert fitted.width <= width or len(fitted.shown) == 1
    assert [columns[i] for i in range(ncols) if i not in fitted.shown] == fitted.hidden
    text = " ".join(box)
    for row in rows:
        for i in fitted.shown:
            for word in row[i].split():  # a word too wide for its column may be broken...
                if boxed.cell_width(word) <= fitted.widths[fitted.shown.index(i)]:
                    assert word in text  # ...any other stays whole


def test_answer_columns_are_the_last_to_be_left_out() -> None:
    columns = ["entity", "year", "indicator", "unit", "value_a", "value_b", "change", "locator"]
    row = ["nato:NATO_TOTAL", "2024", "defence_expenditure_share_gdp", "percent"]
    rows = [[*row, "4.12", "3.79", "-0.3312", "TABLE3!N32"]]
    fitted = boxed.layout(columns, rows, [False, True, False, False, True, True, True, False], 60)
    shown = [columns[i] for i in fitted.shown]
    assert shown[0] == "entity"
    assert {"value_a", "value_b", "change"} <= set(shown)
    assert "indicator" in fitted.hidden
    assert fitted.hidden == [c for c in columns if c not in shown]  # named in table order


def test_a_url_may_break_but_a_code_never_does() -> None:
    url = "https://www.imf.org/en/Publications/WEO/weo-database/2024/April"
    fitted = boxed.layout(["edition", "url"], [["2024-04", url]], [False, False], 50)
    assert fitted.hidden == []
    assert fitted.widths[0] == len("2024-04")
    assert fitted.widths[1] < len(url)


def test_constant_columns_move_under_the_table_once() -> None:
    columns = ["iso3", "year", "value", "unit", "currency", "definition"]
    rows = [
        ["POL", "2024", "3.79", "percent", "", "nato"],
        ["DEU", "2024", "2.12", "percent", "", "nato"],
    ]
    kept, cells, _right, note = boxed.fold_constant_columns(
        columns, rows, [False] * 6, footer=["Source: NATO tables of 2024, nato 2024-06"]
    )
    assert kept == ["iso3", "value"]
    assert cells == [["POL", "3.79"], ["DEU", "2.12"]]
    assert note == "On every row: year 2024, unit percent, currency —, definition nato"
    long_definition = [[*row[:5], "NATO definition, current prices"] for row in rows]
    restated = boxed.fold_constant_columns(
        columns, long_definition, [False] * 6, footer=["NATO definition, current prices."]
    )[3]
    assert "definition" not in restated  # the footer already says it, in full


def test_one_row_and_answer_columns_are_never_folded() -> None:
    rows = [["POL", "3.79"], ["DEU", "3.79"]]
    assert boxed.fold_constant_columns(["iso3", "value"], rows, [False, True])[0] == [
        "iso3",
        "value",
    ]
    single = boxed.fold_constant_columns(["iso3", "unit"], [["POL", "percent"]], [False, False])
    assert single[0] == ["iso3", "unit"]


def test_a_terminal_says_a_constant_column_under_the_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    table = Table(["iso3", "unit", "value"], [("POL", "percent", 3.79), ("DEU", "percent", 2.12)])
    lines = _shown_on_terminal(table, 80, monkeypatch)
    assert lines[1] == "┃ iso3 ┃ value ┃"
    assert lines[-1] == "On every row: unit percent"


# --- --output and --format (issue 12: `--output t.csv` wrote nothing and exited 0) ------------


def _main(
    args: list[str], monkeypatch: pytest.MonkeyPatch, tty: bool = False
) -> tuple[int, str, str]:
    """Run the CLI entry point in-process; stdout may pretend to be a terminal."""
    from typer.testing import CliRunner

    from alliance.cli.app import main

    monkeypatch.setattr("sys.argv", ["alliance", *args])
    with CliRunner().isolation() as (stdout, stderr, *_):
        if tty:
            monkeypatch.setattr("sys.stdout.isatty", lambda: True)
        try:
            main()
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        sys.stdout.flush()
        sys.stderr.flush()
        return code, stdout.getvalue().decode(), stderr.getvalue().decode()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("t.csv", "csv"), ("t.json", "json"), ("t.parquet", "parquet"), ("t.txt", "table")],
)
def test_output_file_format_follows_its_extension(
    name: str, expected: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    from pathlib import Path

    target = Path(str(tmp_path)) / name
    code, out, err = _main(["groups", "--output", str(target)], monkeypatch)
    assert code == 0, err
    assert out == ""
    data = target.read_bytes()
    if expected == "csv":
        assert data.decode().splitlines()[0].startswith("group,")
    elif expected == "json":
        assert {"group"} <= set(json.loads(data)[0])
    elif expected == "parquet":
        import pyarrow.parquet as pq

        assert "group" in pq.read_table(target).column_names
    else:
        assert "┏" in data.decode() and "NATO" in data.decode()


def test_an_explicit_format_wins_over_the_extension(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "groups.data"
    code, _, err = _main(["groups", "--format", "csv", "--output", str(target)], monkeypatch)
    assert code == 0, err
    assert target.read_text(encoding="utf-8").startswith("group,")


@pytest.mark.parametrize("name", ["t.xls", "t", "t.dat"])
def test_an_extension_that_says_no_format_is_refused_in_one_line(
    name: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / name
    code, _, err = _main(["groups", "--output", str(target)], monkeypatch)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and ".csv" in err and "--format" in err
    assert not target.exists()


def test_parquet_is_never_printed_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = _main(["groups", "--format", "parquet"], monkeypatch, tty=True)
    assert code == 2
    assert out == ""
    assert "--output" in err and len(err.strip().splitlines()) == 1


def test_targets_history_with_a_chart_draws_it(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    chart = Path(str(tmp_path)) / "h.svg"
    code, out, err = _main(["targets", "--history", "--chart", str(chart)], monkeypatch)
    assert code == 0, err
    assert f"Chart written to {chart}" in err
    text = chart.read_text()
    # NATO's 2025-08 report: 3 Allies of the 27 with a figure at 2 % in 2014 (GBR, GRC, USA)
    assert "Allies at 2% of GDP: 3 of 27 in 2014" in text
    assert "3 of 27" in out.replace("│", " ") or "GBR GRC USA" in out


def test_a_usage_error_is_one_line_with_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _main(["targets", "--year", "abc"], monkeypatch)
    assert code == 2
    assert err.strip().splitlines() == [
        "Error: Invalid value for '--year' / '-y': 'abc' is not a valid int. "
        "See: alliance targets --help"
    ]
