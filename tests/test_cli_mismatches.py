"""Commands that answered the same question differently, or a help that said one thing while the
command did another (issue 15, "Smaller mismatches"). Each runs the real entry point."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli as run


def refused(args: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """The one error line of a refused command (exit 2, nothing on stdout)."""
    code, out, err = run(args, monkeypatch)
    assert code == 2, (out, err)
    assert out == "" and err.startswith("Error: ") and err.count("\n") == 1, err
    return err


def test_a_reversed_year_range_gets_the_same_answer_from_data_show_and_compare(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    years = ["--from", "2024", "--to", "2014"]
    show = refused(["data", "show", "defence", "--country", "DEU", *years], monkeypatch)
    compare = refused(["compare", "NATO", "EU", "--metric", "defence", *years], monkeypatch)
    assert show == compare
    assert "--to 2014 is before --from 2024" in show and "--from 2014 --to 2024" in show


def test_compare_of_one_expression_is_what_its_help_promises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = run(["compare", "--help"], monkeypatch)
    assert code == 0 and "One or more coalition expressions" in " ".join(out.split())
    years = ["--metric", "defence", "--from", "2014", "--to", "2016", "--format", "json"]
    code, alone, err = run(["compare", "NATO", *years], monkeypatch)
    assert code == 0, err
    code, beside, err = run(["compare", "NATO", "EU", *years], monkeypatch)
    assert code == 0, err
    nato = {row["year"]: row["value"] for row in json.loads(beside) if row["coalition"] == "NATO"}
    assert {row["year"]: row["value"] for row in json.loads(alone)} == nato
    assert sorted(nato) == [2014, 2015, 2016]


def test_obligations_refuses_an_unknown_definition_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    err = refused(["obligations", "Norway", "--definition", "foo"], monkeypatch)
    assert "Unknown definition 'foo': expected sipri or nato." in err
    code, out, err = run(["obligations", "Norway", "--definition", "NATO"], monkeypatch)
    assert code == 0 and "Unknown definition" not in out + err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["obligations", "--at", ""], "--at is empty: expected LAT,LON"),
        (["obligations", "--at", "  "], "--at is empty: expected LAT,LON"),
        (["obligations", ""], "The place is empty: expected a country or territory"),
    ],
)
def test_obligations_says_an_empty_place_is_empty(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    err = refused(args, monkeypatch)
    assert message in err and "None" not in err


def test_targets_history_applies_the_year_or_refuses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    err = refused(["targets", "--history", "--year", "1900"], monkeypatch)
    assert "Year 1900 is outside the history of Allies at 2%: expected a year from 2014" in err
    code, out, err = run(["targets", "--history", "--format", "json"], monkeypatch)
    assert code == 0, err
    every_year = {row["year"]: row for row in json.loads(out)}
    code, out, err = run(["targets", "--history", "--year", "2020", "-f", "json"], monkeypatch)
    assert code == 0, err
    assert json.loads(out) == [every_year[2020]]
    err = refused(["targets", "--history", "--target", "3.5%"], monkeypatch)
    assert "--target 3.5% does not apply to --history" in err


@pytest.mark.parametrize("given", ["nan", "NaN", "inf", "-inf", "-0.5"])
def test_data_diff_refuses_a_min_change_that_is_not_a_finite_non_negative_number(
    given: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["data", "diff", "nato", "2024-06", "2025-08", "--min-change", given]
    err = refused(args, monkeypatch)
    assert f"--min-change {float(given):g}: expected a finite number of 0 or more." in err


def test_data_diff_with_a_min_change_of_zero_lists_revisions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ["data", "diff", "nato", "2024-06", "2025-08", "--min-change", "0", "-f", "json"]
    code, out, err = run(args, monkeypatch)
    assert code == 0, err
    assert json.loads(out)  # revised figures exist between these shipped editions
