"""--format xlsx through the real entry point: a "figures" sheet (numbers as numbers, booleans as
booleans, None empty) and a "sources" sheet (title and every line under the table), checked
against the shipped CSVs."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

DATA = Path(__file__).resolve().parents[1] / "src" / "alliance" / "data" / "observations"
NATO_SHARES = DATA / "nato" / "2025-08__share-of-gdp-transcription.csv"
NATO_TABLES = DATA / "nato" / "2024-06__tables.csv"


def alliance(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from alliance.cli.app import main; main()", *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=os.environ.copy(), timeout=120
    )


def workbook(path: Path, *args: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Run a command with --output path.xlsx; the figures as records and the sources' lines."""
    done = alliance(*args, "--output", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["figures", "sources"]
    header, *rows = book["figures"].iter_rows(values_only=True)
    records = [dict(zip(header, row, strict=True)) for row in rows]
    (lines,) = zip(*book["sources"].iter_rows(values_only=True), strict=True)
    return records, list(lines)


def shipped(path: Path, **match: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if all(r[k] == v for k, v in match.items())]


def test_data_show_xlsx_holds_the_shipped_figure_and_its_citation(tmp_path: Path) -> None:
    args = ("data", "show", "defence-share", "--country", "POL", "--from", "2024", "--to", "2024")
    records, sources = workbook(tmp_path / "show.xlsx", *args, "--definition", "nato")
    (row,) = shipped(NATO_SHARES, entity="POL", year="2024")
    (figure,) = records
    assert figure["value"] == float(row["value"])  # a number, not text
    assert round(figure["value"], 2) == 3.79
    assert figure["year"] == 2024 and figure["estimate"] is (row["estimate"] == "True")
    assert figure["currency"] is None  # None is an empty cell
    assert sources[0].startswith("Defence expenditure as a share of GDP, Poland (POL), 2024")
    assert any("Defence Expenditure of NATO Countries (2014-2025)" in s for s in sources)
    assert any("[nato 2025-08, share-of-gdp-transcription]" in s for s in sources)


def test_targets_xlsx_matches_the_shipped_shares(tmp_path: Path) -> None:
    records, sources = workbook(tmp_path / "t.xlsx", "targets", "--year", "2024")
    by_country = {r["iso3"]: r for r in records}
    for iso3 in ("POL", "DEU", "ESP"):
        (row,) = shipped(NATO_SHARES, entity=iso3, year="2024")
        assert by_country[iso3]["value"] == float(row["value"])
        assert by_country[iso3]["met"] is (float(row["value"]) >= 2.0)
    assert any("Defence Expenditure of NATO Countries" in s for s in sources)


def test_compare_xlsx_differs_by_the_shipped_us_figure(tmp_path: Path) -> None:
    args = (
        "compare",
        "NATO",
        "NATO - USA",
        "--metric",
        "defence",
        "--from",
        "2024",
        "--to",
        "2024",
    )
    records, sources = workbook(tmp_path / "c.xlsx", *args, "--format", "xlsx")
    totals = {r["coalition"]: r["value"] for r in records}
    (usa,) = shipped(
        NATO_TABLES,
        entity="USA",
        year="2024",
        indicator="defence_expenditure",
        locator="TABLE2!N41",
    )
    assert totals["NATO"] - totals["NATO - USA"] == pytest.approx(float(usa["value"]) / 1000)
    assert {r["unit"] for r in records} == {"billion USD"}
    assert any(s.startswith("Source: NATO Public Diplomacy Division") for s in sources)


def test_members_xlsx_lists_the_members(tmp_path: Path) -> None:
    records, sources = workbook(tmp_path / "m.xlsx", "coalition", "NATO & EU", "--on", "2024-07-01")
    members = {r["iso3"] for r in records}
    assert len(members) == 23 and {"SWE", "FIN", "DEU"} <= members
    assert not {"USA", "GBR", "AUT"} & members
    assert "NATO & EU" in sources[0]


def test_xlsx_needs_an_output_file() -> None:
    done = alliance("groups", "--format", "xlsx")
    assert done.returncode == 2 and done.stdout == ""
    assert "--output" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_text_is_never_read_as_a_formula(tmp_path: Path) -> None:
    from alliance.cli.output import OutputFormat, Table, emit

    target = tmp_path / "f.xlsx"
    emit(
        Table(["a", "b"], [["=1+1", True], ["x\x01y", None]], "t", ["s"]), OutputFormat.xlsx, target
    )
    sheet = openpyxl.load_workbook(target)["figures"]
    assert [c.data_type for c in sheet[2]] == ["s", "b"]
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [("=1+1", True), ("xy", None)]
