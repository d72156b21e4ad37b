"""`members`, `groups` and `--version` as a newcomer reads them."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from alliance.cli.app import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def test_members_table_cites_each_publication_once_under_the_table() -> None:
    result = runner.invoke(app, ["members", "NATO", "--on", "2014-01-01"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "NATO on 2014-01-01: 28 members"
    footnotes = [line for line in lines if line.startswith("[1] ")]
    assert footnotes == ["[1] NATO, 'Member countries' (www.nato.int, topics_52044)"]
    rows = [line for line in lines if line.startswith("│ ")]
    assert len(rows) == 28  # one line per member: no citation wrapping inside the table
    assert all(line.split("│")[-2].strip() == "[1]" for line in rows)


def test_members_csv_and_json_keep_each_members_own_citation() -> None:
    result = runner.invoke(app, ["members", "NATO", "--on", "2014-01-01", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    albania = next(r for r in rows if r["iso3"] == "ALB")
    assert albania["citation"].endswith("acceded on 1 April 2009.")
    result = runner.invoke(app, ["members", "EU", "--on", "2019-01-01", "--format", "json"])
    records = json.loads(result.stdout)
    assert len(records) == 28
    assert {"iso3", "name", "joined", "left", "citation"} == set(records[0])


def test_groups_list_the_presets_with_their_expressions() -> None:
    result = runner.invoke(app, ["groups", "--format", "json"])
    assert result.exit_code == 0
    by_name = {r["group"]: r for r in json.loads(result.stdout)}
    assert by_name["EU-NATO"]["name"] == "NATO & EU"
    assert by_name["NATO-Europe"]["name"] == "NATO - USA - CAN"
    assert by_name["NATO"]["members_today"] == 32  # Sweden joined on 7 March 2024
    # the EU of today holds 27 states, 23 of them NATO Allies (all but AUT, CYP, IRL, MLT)
    assert by_name["EU"]["members_today"] == 27
    assert by_name["EU-NATO"]["members_today"] == 23


def test_version_matches_the_package_metadata() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    import alliance

    assert result.stdout == f"alliance {alliance.__version__}\n"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" in project["dynamic"]  # one place for the version: alliance.__version__
