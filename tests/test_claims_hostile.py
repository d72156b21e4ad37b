"""Hostile claim files through `alliance check FILE`: exit 2, one line on stderr, a short excerpt
at most, no traceback, and work bounded by the file's size however the file is built.

Quick cases run the CLI entry point in-process (as tests/test_hostile_input.py does); the cases
that took gigabytes or minutes before their fix run `alliance` in a child process under a memory
limit and a timeout, so that a regression fails the test instead of the machine.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import run_cli as run

REPO = Path(__file__).resolve().parents[1]
ALLIANCE = str(Path(sys.executable).with_name("alliance"))
HEADER = """\
format: alliance-claims/1
title: Hostile claims
defaults:
  speaker: A speaker
  date: 2025-12-26
  url: https://example.org/interview
claims:
"""
COUNT_CHECK = "    check: {type: count, expression: EU & NATO, expected: 23}\n"
# Text with no ': ' in it, so YAML reads the whole file as one string
SECRET = "".join(f"line{i}=private-value-{i}-of-another-file\n" for i in range(40))


def run_bounded(args: list[str], seconds: int = 60) -> subprocess.CompletedProcess[str]:
    """`alliance args` in a child process limited to 4 GB of address space and `seconds`."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4_000_000_000, 4_000_000_000))

    return subprocess.run(
        [ALLIANCE, *args],
        capture_output=True,
        text=True,
        timeout=seconds,
        preexec_fn=limit_memory,
        env=os.environ.copy(),
    )


def refused(code: int, err: str) -> str:
    """The one line of a refusal (exit 2, no traceback), for the caller to read."""
    assert code == 2, err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def check_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | bytes
) -> tuple[Path, str]:
    path = tmp_path / "claims.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    code, _, err = run(["check", str(path)], monkeypatch)
    return path, refused(code, err)


def corpus() -> ModuleType:
    """bench/bench_claims.py, whose `varied_claims` writes claims of every check type."""
    spec = importlib.util.spec_from_file_location("bench_claims", REPO / "bench/bench_claims.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- text that is not a claim file --------------------------------------------------------------


def test_binary_data_that_decodes_as_utf8_is_refused_at_its_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, err = check_file(tmp_path, monkeypatch, b"format: alliance-claims/1\ntitle: \x00\x01\x02")
    assert f"{path}:2:8: character U+0000 is a control character" in err
    assert "expected a claim file of UTF-8 text" in err


def test_utf16_text_is_named_and_utf8_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, err = check_file(tmp_path, monkeypatch, (HEADER + "  - id: a\n").encode("utf-16"))
    assert "the file is UTF-16 text" in err and "expected a claim file saved as UTF-8" in err


@pytest.mark.parametrize(
    ("content", "kind"),
    [(SECRET, "text"), ("".join(f"- {line}\n" for line in SECRET.split()), "a list")],
)
def test_a_file_that_is_not_a_mapping_is_quoted_short(
    content: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other-file.txt"
    other.write_text(content, encoding="utf-8")
    link = tmp_path / "claims.yaml"
    link.symlink_to(other)
    code, _, err = run(["check", str(link)], monkeypatch)
    refused(code, err)
    assert f"the file holds {kind} ('" in err and "expected a claim file: a mapping" in err
    assert "line0=private-value-0" in err  # where it starts, to recognise the file
    assert "private-value-2-" not in err and len(err) < len(str(link)) + 250


def test_a_long_value_of_the_wrong_type_is_quoted_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = "[" + ", ".join(f"item-{i}" for i in range(5_000)) + "]"
    content = HEADER.replace("title: Hostile claims", f"title: {title}")
    content += "  - id: a\n    quote: q\n" + COUNT_CHECK
    path, err = check_file(tmp_path, monkeypatch, content)
    assert f"{path}:2:8: title: ['item-0', 'item-1'" in err and "is not of type 'string'" in err
    assert "item-20" not in err and len(err) < len(str(path)) + 300


def test_a_problem_in_every_claim_lists_twenty_and_counts_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = "".join(
        f"  - id: c{i}\n    quote: q\n    colour: blue\n{COUNT_CHECK}" for i in range(500)
    )
    path, err = check_file(tmp_path, monkeypatch, HEADER + claims)
    assert err.count("colour") == 20 and "and 480 more problems of the same kinds" in err
    assert err.startswith(f"Error: {path}:10:5: claims.0: ")


def test_python_tags_are_refused_and_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    tagged = f'title: !!python/object/apply:os.system ["touch {marker}"]\n'
    _, err = check_file(tmp_path, monkeypatch, HEADER.replace("title: Hostile claims\n", tagged))
    assert ":2:8: Python tags (!!python/...) are not accepted" in err
    assert not marker.exists()


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "place", "words"),
    [
        (
            "  - id: leap\n    quote: q\n"
            "    check: {type: count, expression: NATO, on: 2025-02-30, expected: 32}\n",
            "10:48",
            "claim 'leap': claims.0.check.on '2025-02-30' is not a day of the calendar "
            "(day is out of range for month)",
        ),
        (
            "  - id: spoken\n    quote: q\n    date: 2025-13-01\n" + COUNT_CHECK,
            "10:11",
            "claim 'spoken': claims.0.date '2025-13-01' is not a day of the calendar "
            "(month must be in 1..12)",
        ),
        (
            "  - id: alt\n    quote: q\n    check:\n      type: share\n      part: EU\n"
            "      of: NATO\n      metric: gdp\n      year: 2024\n      expected: 0.2\n"
            "      tolerance: {absolute: 0.01}\n"
            "      alternatives: [{label: later, on: 2024-04-31}]\n",
            "18:41",
            "claim 'alt': claims.0.check.alternatives.0.on '2024-04-31' is not a day",
        ),
    ],
)
def test_an_impossible_date_names_the_claim_and_its_line(
    claim: str, place: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, err = check_file(tmp_path, monkeypatch, HEADER + claim)
    assert f"{path}:{place}: {words}" in err and "expected a real date as YYYY-MM-DD" in err


def test_a_claim_dated_to_the_month_asks_its_dated_check_for_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = "  - id: month\n    quote: q\n    date: 2026-02\n" + COUNT_CHECK
    path, err = check_file(tmp_path, monkeypatch, HEADER + claim)
    assert f"{path}:8:5: claim 'month' is dated '2026-02' and its count check needs a day" in err
    assert "expected `on: YYYY-MM-DD` in the check" in err


@pytest.mark.parametrize("number", [".nan", ".inf", "-.inf"])
def test_a_number_that_is_not_finite_is_refused_at_its_place(
    number: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = f"{{type: pledge, country: DEU, level: {number}}}"
    path, err = check_file(
        tmp_path, monkeypatch, HEADER + f"  - id: pledge\n    quote: q\n    check: {check}\n"
    )
    shown = {".nan": "nan", ".inf": "inf", "-.inf": "-inf"}[number]
    assert f"{path}:10:" in err
    assert f"claim 'pledge': claims.0.check.level {shown} is not a finite number" in err


@pytest.mark.parametrize(
    ("check", "problem"),
    [
        ("{type: pledge, country: Atlantis, level: 2}", "Unknown country 'Atlantis'"),
        ("{type: count, expression: NATO &, expected: 1}", "Cannot parse coalition expression"),
        ("{type: treaty, target: Atlantis, clause: nat-5, expected: true}", "Unknown place"),
    ],
)
def test_a_mistake_in_a_check_names_the_claim_and_its_line(
    check: str, problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = "".join(
        f"  - id: c{i}\n    quote: q\n    not_checkable: {{kind: opinion, reason: r}}\n"
        for i in range(3)
    )
    content = HEADER + claims + f"  - id: wrong\n    quote: q\n    check: {check}\n"
    path, err = check_file(tmp_path, monkeypatch, content)
    assert err.startswith(f"Error: {path}: claim 'wrong' (line 17): {problem}"), err


# --- bombs and bounds ---------------------------------------------------------------------------

# An alias bomb like the probe's (593 bytes): nine levels of nine aliases, 387 million strings
ALIAS_BOMB = (
    HEADER.replace("claims:\n", "")
    + 'lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"l{c}: &{c} [{','.join(['*' + p] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "claims: [*i]\n"
)


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    done = run_bounded(["check", str(path)])
    err = refused(done.returncode, done.stderr)
    assert f"{path}:7:6: anchors and aliases (&name, *name) are not accepted" in err


@pytest.mark.parametrize(
    "nested",
    [
        "claims: " + "[" * 3_000 + "]" * 3_000,  # libyaml stops at 1,000 levels on its own
        "claims:\n" + "- " * 3_000 + "x\n",
        "claims: " + "{a: " * 3_000 + "x" + "}" * 3_000,
    ],
)
def test_nesting_3000_deep_is_refused_at_the_33rd_level(nested: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(HEADER.replace("claims:\n", "") + nested, encoding="utf-8")
    done = run_bounded(["check", str(path)])
    assert "nested 33 deep; expected at most 32" in refused(done.returncode, done.stderr)


def test_sixty_thousand_claims_are_over_the_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(corpus().varied_claims(60_000), encoding="utf-8")
    done = run_bounded(["check", str(path)])
    err = refused(done.returncode, done.stderr)
    assert f"{path}: the file is over 1,000,000 bytes; expected a claim file of at most" in err


@pytest.mark.hostile
def test_the_largest_claim_file_admitted_is_checked_within_bounds(tmp_path: Path) -> None:
    """Just under 1 MB of varied claims (about 7,000): before the fix this took minutes."""
    from alliance.claims.loader import MAX_CLAIM_FILE_BYTES

    varied_claims = corpus().varied_claims
    count = 6_500
    while len(varied_claims(count + 100).encode()) <= MAX_CLAIM_FILE_BYTES:
        count += 100
    path = tmp_path / "largest.yaml"
    path.write_text(varied_claims(count), encoding="utf-8")
    done = run_bounded(["check", str(path), "--format", "json"], seconds=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count('"id": "claim-') == count


# --- checking many claims at once gives each claim's own verdict --------------------------------


@pytest.mark.slow
def test_verdicts_of_a_file_are_those_of_each_claim_checked_alone() -> None:
    """A file's backend remembers answers across claims and reads a kind of figure asked for
    again and again once for every country; each result must be what the claim alone gets from
    a fresh backend that reads only the figures asked (every check type, 240 claims)."""
    from dataclasses import replace

    from alliance.claims import check_claims, parse_claims
    from alliance.claims.store_backend import StoreBackend
    from alliance.observations import observation_records

    claim_file = parse_claims(corpus().varied_claims(240))
    together = check_claims(claim_file)
    assert {c.check.type for c in claim_file.claims if c.check} == {
        "count", "share", "value", "comparison", "threshold", "pledge", "membership", "treaty"
    }  # fmt: skip
    assert len({r.verdict for r in together.results}) >= 4
    for claim, result in zip(claim_file.claims, together.results, strict=True):
        alone = check_claims(
            replace(claim_file, claims=(claim,)), StoreBackend(fetch=observation_records)
        )
        assert alone.results == (result,), claim.id


def test_the_shipped_example_follows_the_schema() -> None:
    """`check --example` reads the example without the schema (load_example): this is its check
    (load_claims validates against the schema and raises at the first file that does not)."""
    from alliance.claims import example_path, load_claims, load_example

    checked = load_claims(example_path())
    assert len(checked.claims) == 9
    assert load_example() == checked
