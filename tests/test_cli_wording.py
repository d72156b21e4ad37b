"""What a newcomer reads first (issue 14): a share as a percentage in the title, an amount with
its currency."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alliance.cli.app import app

runner = CliRunner()
PLEDGES = Path(__file__).resolve().parents[1] / "src" / "alliance" / "data" / "pledges.csv"


def test_share_title_gives_the_share_as_a_percentage() -> None:
    result = runner.invoke(app, ["share", "EU-NATO", "--of", "NATO", "--metric", "defence",
                                 "--year", "2024"])  # fmt: skip
    assert result.exit_code == 0, result.output
    record = json.loads(
        runner.invoke(
            app,
            [
                "share",
                "EU-NATO",
                "--of",
                "NATO",
                "--metric",
                "defence",
                "--year",
                "2024",
                "--format",
                "json",
            ],
        ).stdout
    )
    share = record["share"] if isinstance(record, dict) else record[0]["share"]
    title = result.stdout.splitlines()[0]
    assert title.endswith(f": {100 * share:.1f} %")
    assert title.endswith(": 24.4 %")  # the EU members' share of NATO's defence spending, 2024


def test_pledge_amounts_carry_their_currency() -> None:
    (germany,) = [r for r in csv.DictReader(PLEDGES.open(encoding="utf-8")) if r["iso3"] == "DEU"]
    records = json.loads(runner.invoke(app, ["pledge", "DEU", "--format", "json"]).stdout)
    with_amount = [r for r in records if r["amount"] is not None]
    assert with_amount[0]["amount"] == float(germany["baseline_amount"])
    assert {r["amount_unit"] for r in with_amount} == {germany["currency"]} == {"EUR bn"}
    assert all(r["amount_unit"] is None for r in records if r["amount"] is None)


def test_aggregate_says_what_its_numerator_and_denominator_sum() -> None:
    args = ["aggregate", "EU", "--metric", "defence_per_capita", "--year", "2024"]
    (record,) = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert record["value"] == pytest.approx(record["numerator"] / record["denominator"])
    table = runner.invoke(app, args).stdout
    assert (
        "Sums behind the value: numerator: sum of members' defence_expenditure (USD, current); "
        "denominator: sum of members' population (persons)."
    ) in " ".join(table.split())
