"""aggregate, share, compare, targets, pledge and demo through the real entry point (the
`alliance` console script's `main`), exit codes included, against figures known independently:
the shipped NATO CSVs, the shipped pledges, membership facts and hand arithmetic."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "src" / "alliance" / "data"
NATO_2025 = DATA / "observations" / "nato" / "2025-08__share-of-gdp-transcription.csv"


def alliance(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from alliance.cli.app import main; main()", *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=os.environ.copy(), cwd=cwd, timeout=120
    )


def as_json(*args: str) -> Any:
    done = alliance(*args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def nato_shares(year: int) -> dict[str, float]:
    """Each ally's share of GDP in `year` as shipped in NATO's August 2025 report."""
    with NATO_2025.open(encoding="utf-8") as handle:
        return {
            r["entity"]: float(r["value"])
            for r in csv.DictReader(handle)
            if r["year"] == str(year) and r["value"] and len(r["entity"]) == 3
        }


def test_aggregate_table_json_and_csv_agree() -> None:
    args = ("aggregate", "NATO - USA", "--metric", "defence", "--year", "2024")
    (record,) = as_json(*args)
    assert record["members"] == 31 and record["coalition"] == "NATO - USA"
    table = alliance(*args)
    assert table.returncode == 0
    assert table.stdout.startswith("defence of NATO - USA in 2024")
    assert "Source:" in table.stdout
    rows = list(csv.DictReader(alliance(*args, "--format", "csv").stdout.splitlines()))
    assert float(rows[0]["value"]) == pytest.approx(record["value"])
    members = as_json(*args, "--members")
    assert sum(m["value"] for m in members) == pytest.approx(record["value"])


def test_share_is_part_over_whole(tmp_path: Path) -> None:
    chart = tmp_path / "share.png"
    args = ("share", "NATO & EU", "--of", "NATO", "--metric", "gdp", "--year", "2024")
    done = alliance(*args, "--format", "json", "--chart", str(chart))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["share"] == pytest.approx(document["value"] / document["of_value"])
    assert len(document["members"]) == 23 and len(document["of_members"]) == 32
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"Chart written to {chart}" in done.stderr


def test_compare_counts_members_on_1_july() -> None:
    rows = as_json(
        "compare", "NATO", "NATO & EU", "--metric", "defence", "--from", "2014", "--to", "2024"
    )
    nato = {r["year"]: r["members"] for r in rows if r["coalition"] == "NATO"}
    assert len(rows) == 22 and nato[2014] == 28 and nato[2020] == 30 and nato[2024] == 32


def test_targets_use_the_shipped_shares() -> None:
    shares = nato_shares(2025)
    rows = as_json("targets", "--year", "2025")
    by_ally = {r["iso3"]: r for r in rows}
    assert len(rows) == 32
    for iso3, value in shares.items():
        assert by_ally[iso3]["value"] == pytest.approx(value)
        assert by_ally[iso3]["met"] is (value >= 2.0)
    values = [r["value"] for r in rows]
    known = [v for v in values if v is not None]
    assert values == sorted(known, reverse=True) + [None] * (len(values) - len(known))
    assert {r["iso3"] for r in rows if r["value"] is None} == set(by_ally) - set(shares)


def test_targets_history_counts_allies_at_2_percent() -> None:
    rows = {r["year"]: r for r in as_json("targets", "--history")}
    meeting_2014 = sorted(iso3 for iso3, v in nato_shares(2014).items() if v >= 2.0)
    assert rows[2014]["allies"] == 28
    assert rows[2014]["allies_meeting"].split() == meeting_2014


def test_pledge_path_runs_from_baseline_to_target() -> None:
    with (DATA / "pledges.csv").open(encoding="utf-8") as handle:
        shipped = next(r for r in csv.DictReader(handle) if r["pledge"] == "deu-3.5-2029")
    rows = [r for r in as_json("pledge", "DEU") if r["pledge"] == "deu-3.5-2029"]
    path = {r["year"]: r["path_percent"] for r in rows}
    assert path[int(shipped["baseline_year"])] == pytest.approx(float(shipped["baseline_percent"]))
    assert path[int(shipped["target_year"])] == pytest.approx(float(shipped["target_percent"]))
    table = alliance("pledge", "DEU")
    assert table.returncode == 0 and "source_url" not in table.stdout.splitlines()[1]


def test_demo_writes_the_table_and_the_chart(tmp_path: Path) -> None:
    done = alliance("demo", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        "nato_allies_against_targets_2025_edition_2025-08.png",
        "nato_defence_share_of_gdp_2025_edition_2025-08.csv",
    ]
    rows = list(csv.DictReader((tmp_path / written[1]).open(encoding="utf-8")))
    shares = nato_shares(2025)
    assert len(rows) == 32
    assert rows[0]["iso3"] == max(shares, key=lambda iso3: shares[iso3])
    assert float(rows[0]["percent_of_gdp"]) == pytest.approx(max(shares.values()))
    assert str((tmp_path / written[1]).resolve()) in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("aggregate", "NATO", "--metric", "bogus", "--year", "2024"), "metric"),
        (("aggregate", "NATO", "--metric", "gdp", "--year", "1700"), "1700"),
        (("share", "XYZ", "--of", "NATO", "--metric", "gdp", "--year", "2024"), "XYZ"),
        (("compare", "NATO", "(EU", "--metric", "gdp", "--from", "2014", "--to", "2024"), "("),
        (("compare", "NATO", "--metric", "gdp", "--from", "2024", "--to", "2014"), "before"),
        (("targets",), "--year is required"),
        (("targets", "--year", "2024", "--target", "nope"), "nope"),
        (("pledge", "Atlantis"), "Atlantis"),
    ],
)
def test_bad_input_exits_2_with_one_message(args: tuple[str, ...], message: str) -> None:
    done = alliance(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("Error: ") and message in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
