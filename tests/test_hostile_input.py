"""Bad input never ends in a traceback: exit 0 or 2, one error message, nothing changed.

Runs the CLI entry point (`alliance.cli.app.main`) in-process under CliRunner's isolation,
with hostile arguments for every command, and checks the store and the imports are unchanged.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance.coalitions import MAX_NESTING, parse
from alliance.errors import ExpressionError

from conftest import run_cli as run


def state() -> str:
    """A digest of every file under ALLIANCE_HOME (the store and the imports)."""
    digest = hashlib.sha256()
    home = Path(os.environ["ALLIANCE_HOME"])
    for path in sorted(home.rglob("*")):
        # The parsed-boundaries cache is derived from a shipped file and may be written by any
        # call that needs it; it is neither the store nor an import.
        if path.is_file() and path.suffix != ".wal" and not path.name.startswith("boundaries-"):
            digest.update(str(path.relative_to(home)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# Characters a message must not pass to the terminal raw: they end the line (\n, \r, U+2028),
# move the cursor or recolour (ESC), or reverse the text that follows (U+202E).
UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def assert_clean(code: int, err: str) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert err.endswith("\n") and len(err.splitlines()) == 1, repr(err)
        assert err.startswith("Error: "), repr(err)
        raw = [c for c in err[:-1] if unicodedata.category(c) in UNPRINTABLE]
        assert not raw, f"unescaped {raw!r} in {err!r}"


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


def test_expression_errors_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(["coalition", "NATO && EU"], monkeypatch)
    assert code == 2 and len(err.splitlines()) == 1
    assert "at position 7 of 'NATO && EU': expected a group, a country or '('" in err
    # A long expression is quoted around the fault, not whole.
    code, _, err = run(["coalition", "NATO | " * 60 + "#"], monkeypatch)
    assert code == 2 and len(err.splitlines()) == 1 and len(err) < 250


LONG_NAME = "x" * 600  # longer than any file system's 255-byte limit on one name


@pytest.mark.parametrize(
    ("command", "action", "expected"),
    [
        (["data", "import", "{}"], "read", "SIPRI, NATO"),
        (["check", "{}"], "read", "a claim file"),
        (["groups", "--output", "{}.csv"], "write", "write the output"),
        (["check", "--example", "--output", "{}.csv"], "write", "write the output"),
        (["targets", "--year", "2024", "--output", "{}.json"], "write", "write the output"),
        (["report", "--output", "{}.html"], "write", "write the report"),
        (["obligations", "Greenland", "--format", "json", "--output", "{}"], "write", "output"),
        (
            [
                "share",
                "EU",
                "--of",
                "NATO",
                "--metric",
                "gdp",
                "--year",
                "2024",
                "--chart",
                "{}.svg",
            ],
            "write",
            "chart",
        ),
    ],
)
@pytest.mark.parametrize("problem", ["the name is too long", "it is a folder", "not a folder"])
def test_every_file_argument_refuses_unusable_paths_in_one_line(
    command: list[str],
    action: str,
    expected: str,
    problem: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    place = {
        "the name is too long": tmp_path / LONG_NAME,
        "it is a folder": tmp_path / "a-folder",
        "not a folder": tmp_path / "a-file" / "x",
    }[problem]
    args = [part.replace("{}", str(place)) for part in command]
    if problem == "it is a folder":  # a folder of the very name the command is given
        Path(next(part for part in args if str(place) in part)).mkdir()
    before = state()
    listing = sorted(tmp_path.rglob("*"))
    code, _, err = run(args, monkeypatch)
    assert_clean(code, err)
    assert code == 2
    assert f"Cannot {action} '{tmp_path}" in err and expected in err, err
    assert problem.split()[-1] in err, err
    assert sorted(tmp_path.rglob("*")) == listing and state() == before


def test_claim_file_that_is_not_utf8_names_the_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "claims.yaml"
    path.write_bytes("title: Zitate\nclaims:\n  - quote: Gr\u00fc\u00dfe\n".encode("latin-1"))
    code, _, err = run(["check", str(path)], monkeypatch)
    assert code == 2 and len(err.splitlines()) == 1
    assert f"{path}:3:14: not UTF-8 text (byte 0xfc" in err and "saved as UTF-8" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("claims: " + "[" * 5000 + "]" * 5000, "nested 33 deep; expected at most 32"),
        ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 100)), "nested 33 deep"),
        # "billion laughs": nine aliases of nine, a billion strings from 300 bytes
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            "anchors and aliases",
        ),
    ],
)
def test_claim_yaml_bombs_are_refused(
    content: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(["check", str(path)], monkeypatch)
    assert code == 2 and len(err.splitlines()) == 1 and message in err, err
    assert f"{path}:1:" in err or f"{path}:" in err


def test_control_characters_in_input_are_shown_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(["members", "\x1b[2J\u202eNATO\nEU"], monkeypatch)
    assert code == 2 and len(err.splitlines()) == 1
    assert "\\x1b[2J\\u202eNATO\\nEU" in err and "\x1b" not in err and "\u202e" not in err
    code, _, err = run(["--bogus\x1b[31m"], monkeypatch)  # Click's usage errors too
    assert code == 2 and "\\x1b[31m" in err and "\x1b" not in err


def test_arguments_that_are_not_utf8_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    name = os.fsdecode(b"DE\xff")  # what Python makes of a Latin-1 byte on a UTF-8 system
    code, _, err = run(["data", "show", "defence", "--country", name], monkeypatch)
    assert code == 2 and "Argument 5 ('DE\\udcff') is not UTF-8 text" in err


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
            "d/" * 2100 + "f",  # a path over PATH_MAX
            "\x1b[31mred\x1b[0m",
            "NATO\n& EU",
            "\u202eUSA",
            "line\u2028break",
            "\udcff\udcfe",  # bytes that are not UTF-8, as Python hands them over from argv
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


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=st.sampled_from(COMMANDS), text=HOSTILE_TEXT)
def test_hostile_arguments_never_end_in_a_traceback(
    command: list[str], text: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = state()
    args = [text if part == "{}" else part for part in command]
    if command[0] == "groups":
        args[-1] = str(tmp_path / (text.replace("/", "_") or "x"))
    code, _, err = run(args, monkeypatch)
    assert_clean(code, err)
    assert state() == before


HOSTILE_FILES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(
        [
            b"\xff\xfe" + "title: x".encode("utf-16-le"),  # UTF-16, as Notepad saves
            b"title: \xe9t\xe9\n",  # Latin-1
            b"claims: " + b"[" * 5000,
            b"a: &a [1]\nb: *a\n",
            b"!!python/object/apply:os.system ['true']\n",
            b"PK\x03\x04" + bytes(100),  # a zip (xlsx) header and nothing else
        ]
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=HOSTILE_FILES)
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
