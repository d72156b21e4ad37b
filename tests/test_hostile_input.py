"""Bad input never ends in a traceback: exit 0 or 2, one error message, nothing changed.

Runs the CLI entry point (`alliance.cli.app.main`) in-process under CliRunner's isolation,
with hostile arguments for every command, and checks the store and the imports are unchanged.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from alliance.cli.app import main
from alliance.coalitions import MAX_NESTING, parse
from alliance.errors import ExpressionError


def run(args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.argv", ["alliance", *args])
    with CliRunner().isolation() as (stdout, stderr, *_):
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        return (
            code,
            stdout.getvalue().decode(errors="replace"),
            stderr.getvalue().decode(errors="replace"),
        )


def state() -> str:
    """A digest of every file under ALLIANCE_HOME (the store and the imports)."""
    digest = hashlib.sha256()
    home = Path(os.environ["ALLIANCE_HOME"])
    for path in sorted(home.rglob("*")):
        if path.is_file() and path.suffix != ".wal":
            digest.update(str(path.relative_to(home)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def assert_clean(code: int, err: str) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        lines = err.strip().split("\n")  # terminal lines; input may hold other separators
        assert lines and lines[0].startswith("Error: "), err
        # An expression error adds the expression and a caret under the bad character.
        assert all(not line.strip() or line.startswith(" ") for line in lines[1:]), err


def test_deeply_nested_expression_is_refused_with_a_message() -> None:
    with pytest.raises(ExpressionError, match="at most 500 characters"):
        parse("(" * 5000 + "NATO" + ")" * 5000)
    with pytest.raises(ExpressionError, match=f"at most {MAX_NESTING} nested"):
        parse("(" * (MAX_NESTING + 1) + "NATO" + ")" * (MAX_NESTING + 1))
    with pytest.raises(ExpressionError, match="at most 100 operators"):
        parse("|".join(["G7"] * 102))
    assert parse("(" * MAX_NESTING + "NATO" + ")" * MAX_NESTING)


def test_import_of_a_missing_file_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(["data", "import", "/nonexistent/file.xlsx"], monkeypatch)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "does not exist" in err


@pytest.mark.parametrize(
    ("option", "given", "expected"),
    [("--currency", "eur", 0), ("--definition", "NATO", 0), ("--prices", "constnt", 2)],
)
def test_filter_values_accept_case_and_refuse_typos(
    option: str, given: str, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["data", "show", "defence", "--country", "DEU", "--from", "2024", option, given]
    code, out, err = run([*args, "--format", "csv"], monkeypatch)
    assert code == expected, err
    if expected == 0:
        assert len(out.splitlines()) > 1  # figures, not "No figures match"
    else:
        assert "Did you mean 'constant'" in err and "current" in err


def test_share_of_a_year_without_data_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["share", "EU", "--of", "NATO", "--metric", "defence", "--year", "2030"]
    code, _, err = run(args, monkeypatch)
    assert code == 2 and "2030" in err


HOSTILE_TEXT = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "((((",
            "NATO &&",
            "'; drop table observations; --",
            "../../etc/passwd",
            "\x00",
            "🇩🇪",
            "-1",
            "1e309",
            "nan",
            "9999-99-99",
            "2024-02-30",
            "91,181",
            "-0,-0",
            "--help",
            "(" * 600,
            "NATO" + " | NATO" * 150,
        ]
    ),
    st.text(min_size=0, max_size=40),
)
COMMANDS = [
    ["countries", "--on", "{}"],
    ["members", "{}"],
    ["members", "NATO", "--on", "{}"],
    ["coalition", "{}"],
    ["aggregate", "{}", "--metric", "gdp", "--year", "2024"],
    ["aggregate", "NATO", "--metric", "{}", "--year", "2024"],
    ["aggregate", "NATO", "--metric", "gdp", "--year", "{}"],
    ["share", "EU", "--of", "{}", "--metric", "gdp", "--year", "2024"],
    ["compare", "{}", "--metric", "gdp", "--from", "2020", "--to", "2024"],
    ["targets", "--year", "{}"],
    ["targets", "--year", "2024", "--target", "{}"],
    ["pledge", "{}"],
    ["data", "show", "{}"],
    ["data", "show", "defence", "--country", "{}"],
    ["data", "show", "defence", "--currency", "{}"],
    ["data", "show", "defence", "--prices", "{}"],
    ["data", "show", "defence", "--edition", "{}"],
    ["data", "diff", "nato", "{}", "2025-08"],
    ["data", "import", "{}"],
    ["sql", "{}"],
    ["obligations", "{}"],
    ["obligations", "--at", "{}"],
    ["check", "{}"],
    ["groups", "--output", "{}"],
]


@pytest.mark.xfail(
    strict=True,
    reason="open defects it finds (issue 12): a 600-character path ends in OSError "
    "'File name too long' (data import / check), and others; remove once they are fixed",
)
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=st.sampled_from(COMMANDS), text=HOSTILE_TEXT)
def test_hostile_arguments_never_end_in_a_traceback(
    command: list[str], text: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if "\x00" in text and command[0] in ("check", "data"):
        text = text.replace("\x00", "")  # a NUL cannot reach a path from a shell
    before = state()
    args = [text if part == "{}" else part for part in command]
    if command[0] == "groups":
        args[-1] = str(tmp_path / (text.replace("/", "_") or "x"))
    code, _, err = run(args, monkeypatch)
    assert_clean(code, err)
    assert state() == before


@pytest.mark.xfail(
    strict=True,
    reason="open defect (issue 12): a claim file that is not UTF-8 ends in UnicodeDecodeError "
    "(claims/loader.load_claims); remove once fixed",
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=300))
def test_hostile_files_are_refused_in_one_line(
    content: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    before = state()
    for name in ("claims.yaml", "file.xlsx", "file.csv"):
        path = folder / name
        path.write_bytes(content)
        command = ["check", str(path)] if name.endswith(".yaml") else ["data", "import", str(path)]
        with pytest.MonkeyPatch.context() as monkeypatch:
            code, _, err = run(command, monkeypatch)
        assert_clean(code, err)
    assert state() == before
