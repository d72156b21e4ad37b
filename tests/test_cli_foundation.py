"""The foundation CLI as a user meets it: tables, formats, and one-line errors with exit code 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alliance.cli.app import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        from alliance.errors import AllianceError

        if isinstance(result.exception, AllianceError):
            return 2, result.stdout, str(result.exception)
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_members_at_dates_as_json() -> None:
    for day, count in [("2015-01-01", 28), ("2021-01-01", 30), ("2025-01-01", 32)]:
        code, out, _ = run("members", "NATO", "--on", day, "--format", "json")
        assert code == 0
        assert len(json.loads(out)) == count
    code, out, _ = run("members", "EU", "--on", "2019-12-31", "--format", "json")
    assert "GBR" in {r["iso3"] for r in json.loads(out)}


def test_data_show_csv_carries_provenance() -> None:
    code, out, _ = run(
        "data",
        "show",
        "defence-share",
        "--country",
        "Poland",
        "--from",
        "2024",
        "--to",
        "2024",
        "--source",
        "nato",
        "--edition",
        "2024-06",
        "--format",
        "csv",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1
    assert rows[0]["entity"] == "POL" and round(float(rows[0]["value"]), 2) == 4.12
    assert rows[0]["edition"] == "2024-06" and rows[0]["locator"].startswith("TABLE3!")
    assert rows[0]["estimate"] == "True"


def test_data_show_table_names_the_source() -> None:
    code, out, _ = run(
        "data", "show", "defence", "--country", "DEU", "--from", "2014", "--definition", "nato"
    )
    assert code == 0
    assert "Defence Expenditure of NATO Countries" in out
    assert "2024-06" in out


def test_sources_lists_citations() -> None:
    _code, out, _ = run("data", "sources", "--format", "json")
    records = json.loads(out)
    assert {"source_id", "edition", "citation", "licence", "url", "rows"} <= set(records[0])
    assert any(r["source_id"] == "sipri" and "SIPRI" in r["citation"] for r in records)


def test_parquet_output(tmp_path: Path) -> None:
    import pandas as pd

    target = tmp_path / "nato.parquet"
    code, _, _ = run(
        "members", "NATO", "--on", "2025-01-01", "--format", "parquet", "--output", str(target)
    )
    assert code == 0
    assert len(pd.read_parquet(target)) == 32


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("members", "WARSAW_PACT"), "Unknown group"),
        (("data", "show", "gdp", "--country", "Atlantis"), "Unknown country"),
        (("data", "show", "defence", "--source", "nato", "--edition", "1999-01"), "edition"),
        (("data", "show", "defence", "--source", "nato", "--from", "1700"), "outside"),
        (("data", "show", "happiness"), "Unknown indicator"),
        (("sql", "delete from observations"), "read-only"),
        (("members", "NATO", "--on", "2024-13-45"), "Invalid date"),
    ],
)
def test_bad_input_is_one_clear_error(args: tuple[str, ...], fragment: str) -> None:
    code, _, message = run(*args)
    assert code == 2
    assert fragment in message
