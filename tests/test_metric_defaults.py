"""Defaults that answer, through the real CLI app: GDP falls back from the World Bank to the IMF
for a whole year (and says so); defence never falls back across definitions but names the option
that has the figure. Figures against the shipped CSVs, read here without the store."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from alliance.cli.app import app

OBSERVATIONS = Path(__file__).resolve().parents[1] / "src" / "alliance" / "data" / "observations"
# NATO's 30 European members on 1 July 2024 (Sweden joined on 7 March 2024), typed in.
NATO_EUROPE_2024 = [
    "ALB",
    "BEL",
    "BGR",
    "CZE",
    "DEU",
    "DNK",
    "ESP",
    "EST",
    "FIN",
    "FRA",
    "GBR",
    "GRC",
    "HRV",
    "HUN",
    "ISL",
    "ITA",
    "LTU",
    "LUX",
    "LVA",
    "MKD",
    "MNE",
    "NLD",
    "NOR",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "SWE",
    "TUR",
]


def shipped(path: str, **where: str) -> dict[str, float]:
    """entity -> value of the shipped rows matching `where`."""
    with (OBSERVATIONS / path).open(encoding="utf-8") as handle:
        return {
            row["entity"]: float(row["value"])
            for row in csv.DictReader(handle)
            if all(row[k] == v for k, v in where.items()) and row["value"]
        }


def run(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def as_json(*args: str) -> Any:
    return json.loads(run(*args, "--format", "json").stdout)


def test_world_bank_ppp_series_has_no_2024() -> None:
    """The premise: the default PPP series ends in 2023, the IMF's has 2024."""
    wb = shipped("wb/2024-06-28__NY.GDP.MKTP.PP.CD.csv", year="2024")
    assert not set(wb) & set(NATO_EUROPE_2024)
    imf = shipped("imf/2025-10__PPPGDP.csv", year="2024")
    assert set(NATO_EUROPE_2024) <= set(imf)


def test_gdp_ppp_2024_falls_back_to_the_imf_for_every_member() -> None:
    args = ("aggregate", "NATO-Europe", "--metric", "gdp_ppp", "--year", "2024")
    (record,) = as_json(*args)
    imf = shipped("imf/2025-10__PPPGDP.csv", year="2024")
    assert record["value"] == pytest.approx(sum(imf[iso3] for iso3 in NATO_EUROPE_2024))
    assert (record["with_data"], record["missing"]) == (30, "")
    assert record["edition"] == "imf 2025-10 (PPPGDP)"  # one source for the whole year
    assert "order wb, imf" in record["definition"]
    table = run(*args).stdout
    assert "2024: every member's figure from the IMF WEO" in table
    members = as_json(*args, "--members")
    assert all(m["locators"].startswith("PPPGDP!") for m in members)  # IMF cells, each of them


def test_gdp_ppp_2023_stays_with_the_world_bank() -> None:
    (record,) = as_json("aggregate", "NATO-Europe", "--metric", "gdp_ppp", "--year", "2023")
    wb = shipped("wb/2024-06-28__NY.GDP.MKTP.PP.CD.csv", year="2023")
    members_2023 = [iso3 for iso3 in NATO_EUROPE_2024 if iso3 != "SWE"]  # Sweden: March 2024
    counted = [iso3 for iso3 in members_2023 if iso3 in wb]
    assert record["members"] == 29 and record["with_data"] == len(counted)
    assert record["value"] == pytest.approx(sum(wb[iso3] for iso3 in counted) / 1e9)
    assert record["edition"].startswith("wb ")


def test_named_source_does_not_fall_back_but_names_the_one_that_answers() -> None:
    args = ("aggregate", "NATO-Europe", "--metric", "gdp_ppp", "--year", "2024", "--source", "wb")
    (record,) = as_json(*args)
    assert record["value"] is None and record["with_data"] == 0
    table = run(*args).stdout
    hints = [line for line in table.splitlines() if "--source imf" in line]
    assert hints == [
        "No figure from the World Bank for any of the 30 members; --source imf has them "
        "(not mixed: run again with it)."
    ]


def test_compare_with_russia_keeps_nato_and_sipri_apart() -> None:
    args = ("compare", "EU", "RUS", "--metric", "defence", "--from", "2024", "--to", "2024")
    rows = {r["coalition"]: r for r in as_json(*args)}
    assert rows["RUS"]["value"] is None  # never filled in from SIPRI
    assert rows["RUS"]["missing"] == "RUS"
    assert "sipri" not in rows["EU"]["edition"]
    table = run(*args).stdout
    assert (
        "No figure under NATO's definition for RUS; --definition sipri has one "
        "(definitions are never mixed: run again with it)." in table.splitlines()
    )
    sipri = as_json(*args, "--definition", "sipri")
    russia = next(r for r in sipri if r["coalition"] == "RUS")
    milex = shipped(
        "sipri/2025-04__milex.csv",
        year="2024",
        indicator="defence_expenditure",
        unit="million",
        currency="USD",
        price_basis="current",
    )
    assert russia["value"] == pytest.approx(milex["RUS"] / 1e3)  # million -> billion USD
    assert "nato" not in russia["edition"]


def test_nothing_to_hint_when_every_member_has_a_figure() -> None:
    table = run("aggregate", "NATO-Europe", "--metric", "gdp", "--year", "2023").stdout
    assert "run again with it" not in table and "fallback order" not in table
