"""--per-capita and --currency EUR through the real entry point, against hand computation from
the shipped CSVs (NATO tables, World Bank population, Fed annual EUR/USD rate)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "src" / "alliance" / "data" / "observations"


def alliance(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from alliance.cli.app import main; main()", *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=os.environ.copy(), timeout=120
    )


def as_json(*args: str) -> Any:
    done = alliance(*args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def shipped(name: str, **match: str) -> float:
    with (DATA / name).open(encoding="utf-8") as handle:
        (row,) = [r for r in csv.DictReader(handle) if all(r[k] == v for k, v in match.items())]
    return float(row["value"])


def germany_2024() -> tuple[float, float, float]:
    usd = 1e6 * shipped("nato/2024-06__tables.csv", entity="DEU", year="2024", locator="TABLE2!N21")
    people = shipped("wb/2026-03-06__SP.POP.TOTL.csv", entity="DEU", year="2024")
    rate = shipped("fed/2026-03__exchange-rates-annual.csv", entity="fed:EURO_AREA", year="2024")
    return usd, people, rate


SHOW = ("data", "show", "defence", "--country", "DEU", "--from", "2024", "--to", "2024")


def test_data_show_per_capita_in_eur_is_the_hand_computation() -> None:
    usd, people, rate = germany_2024()
    assert rate == 0.9242
    records = as_json(*SHOW, "--definition", "nato", "--per-capita", "--currency", "EUR")
    (row,) = [r for r in records if r["locator"] == "TABLE2!N21"]
    assert row["value"] == pytest.approx(usd / people * rate)
    assert (row["unit"], row["currency"]) == ("per_person", "EUR")
    assert "0.9242" in row["conversion"] and "World Bank population" in row["conversion"]
    published = [r for r in records if r["locator"] == "TABLE1!N21"]  # NATO's own euros
    assert published[0]["conversion"].startswith("as published in EUR")


def test_data_show_names_the_conversion_under_the_table() -> None:
    done = alliance(*SHOW, "--definition", "nato", "--currency", "EUR", "--per-capita")
    assert done.returncode == 0, done.stderr
    assert "Fed's annual average rate" in done.stdout and "[fed 2026-03" in done.stdout
    assert "SP.POP.TOTL" in done.stdout and "[wb 2026-03-06, SP.POP.TOTL]" in done.stdout


@pytest.mark.parametrize("option", [("--currency", "EUR"), ("--per-capita",)])
def test_a_share_of_gdp_is_not_converted(option: tuple[str, ...]) -> None:
    args = ("data", "show", "defence-share", "--country", "DEU", "--from", "2024", "--to", "2024")
    done = alliance(*args, *option)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "percent" in done.stderr


def test_compare_in_eur_is_the_usd_total_times_the_rate() -> None:
    args = ("compare", "NATO", "--metric", "defence", "--from", "2024", "--to", "2024")
    (usd,) = as_json(*args)
    (eur,) = as_json(*args, "--currency", "EUR")
    _, _, rate = germany_2024()
    assert eur["value"] == pytest.approx(usd["value"] * rate)
    assert (usd["unit"], eur["unit"]) == ("billion USD", "billion EUR")
    assert "0.9242" in eur["conversion"]


def test_compare_per_capita_is_total_over_population() -> None:
    args = ("compare", "DEU", "--metric", "defence", "--from", "2024", "--to", "2024")
    (row,) = as_json(*args, "--per-capita")
    usd, people, _ = germany_2024()
    assert row["value"] == pytest.approx(usd / people)
    assert row["unit"] == "USD per person" and "World Bank population" in row["definition"]


def test_share_in_eur_changes_the_totals_not_the_share() -> None:
    args = ("share", "NATO & EU", "--of", "NATO", "--metric", "gdp", "--year", "2024")
    usd = as_json(*args, "--source", "nato")
    eur = as_json(*args, "--source", "nato", "--currency", "EUR")
    assert eur["share"] == pytest.approx(usd["share"])
    assert eur["of_value"] == pytest.approx(usd["of_value"] * 0.9242)
    assert eur["unit"] == usd["unit"].replace("USD", "EUR") and "0.9242" in eur["conversion"][0]


def test_share_per_capita_is_refused_with_the_reason() -> None:
    args = ("share", "NATO & EU", "--of", "NATO", "--metric", "gdp", "--year", "2024")
    done = alliance(*args, "--per-capita")
    assert done.returncode == 2 and "compare --per-capita" in done.stderr


def test_a_chart_in_eur_says_so_and_draws_the_converted_values(tmp_path: Path) -> None:
    chart = tmp_path / "eur.svg"
    found = alliance(
        "compare", "USA", "--metric", "defence", "--from", "2024", "--to", "2024",
        "--currency", "EUR", "--chart", str(chart),
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    text = chart.read_text()
    assert "billion EUR" in text
    assert "billion USD" not in text
    assert "Converted: USD to EUR" in text
    usd = shipped("nato/2024-06__tables.csv", entity="USA", year="2024", unit="million",
                  currency="USD", price_basis="current", indicator="defence_expenditure",
                  exchange_basis="market")  # fmt: skip
    assert f"{usd / 1000 * 0.9242:,.0f}" in text  # the end label: the converted 2024 value


def test_years_past_the_fed_series_are_left_empty_and_said() -> None:
    """IMF GDP runs to 2030, the Fed's annual rates to 2025: 2025 is converted at its own rate,
    later years are empty with the reason, never converted at another year's rate."""
    imf = next((DATA / "imf").glob("*NGDPD*.csv")).relative_to(DATA).as_posix()
    usd_2025 = shipped(imf, entity="DEU", year="2025")
    rate_2025 = shipped(
        "fed/2026-03__exchange-rates-annual.csv", entity="fed:EURO_AREA", year="2025"
    )
    show = ("data", "show", "gdp", "--country", "DEU", "--from", "2024", "--currency", "EUR")
    records = as_json(*show, "--source", "imf")
    by_year = {r["year"]: r for r in records}
    assert by_year[2025]["value"] == pytest.approx(usd_2025 * rate_2025)
    assert set(range(2026, 2031)) <= set(by_year)
    for year in range(2026, 2031):
        assert by_year[year]["value"] is None
        assert by_year[year]["conversion"] == f"not converted: no Fed annual rate for {year}"
    done = alliance(*show, "--source", "imf")
    assert done.returncode == 0, done.stderr
    assert "Not converted: no Fed annual rate for 2026, 2027, 2028, 2029, 2030" in done.stdout
