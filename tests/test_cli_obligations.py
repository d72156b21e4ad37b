"""`alliance obligations` says which year the 'what they bring' figures are of, through the real
CLI entry point: the year of the date asked, or the latest before it, as the JSON records."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from alliance.cli.app import app

# SIPRI's April 2025 release (the shipped edition) has data to 2024; the World Bank's armed
# forces personnel series (MS.MIL.TOTL.P1) ends in 2020 in the shipped edition.
SIPRI_LAST_YEAR = 2024
PERSONNEL_LAST_YEAR = 2020


def _run(*args: str) -> str:
    done = CliRunner().invoke(app, ["obligations", *args], terminal_width=200)
    assert done.exit_code == 0, done.output
    return " ".join(done.stdout.split())  # a footer line may wrap at the terminal's width


def _years_line(text: str) -> str:
    found = re.search(r"Figures of the states bound, for [\d-]+: (.*?)(?: Caveat|$)", text)
    assert found, text
    return found.group(1)


def test_1989_figures_are_said_to_be_of_1989() -> None:
    line = _years_line(_run("Norway", "--on", "1989-06-01"))
    assert line.startswith("GDP and personnel of 1989 (World Bank)")
    assert "defence spending: no figure from 1982 to 1989" in line


def test_latest_available_year_is_named_when_the_year_asked_has_none() -> None:
    line = _years_line(_run("Norway", "--on", "2025-06-01"))
    assert "GDP of 2025 (IMF)" in line
    assert f"defence spending of {SIPRI_LAST_YEAR} (SIPRI, latest available)" in line
    assert f"personnel of {PERSONNEL_LAST_YEAR} (World Bank, latest available)" in line


def test_the_note_names_the_years_the_json_uses() -> None:
    args = ("Svalbard", "--on", "2022-06-01")
    line = _years_line(_run(*args))
    record = json.loads(CliRunner().invoke(app, ["obligations", *args, "--format", "json"]).stdout)
    words = {"gdp": "GDP", "defence": "defence spending", "personnel": "personnel"}
    for figure in record["capacity"]["nat-5"]:
        assert figure["year"] is not None
        said = re.search(rf"{words[figure['metric']]}(?: and [a-z ]+)? of (\d{{4}})", line)
        assert said, (figure["metric"], line)
        assert int(said.group(1)) == figure["year"]


def test_no_note_when_no_state_is_bound() -> None:
    # south of the Tropic (no Art. 5), before the Lisbon Treaty (no Art. 42(7)): nobody bound
    args = ("French Guiana", "--on", "2000-01-01")
    record = json.loads(CliRunner().invoke(app, ["obligations", *args, "--format", "json"]).stdout)
    assert all(not clause["bound"] for clause in record["clauses"])
    text = _run(*args)
    assert "Figures of the states bound" not in text
