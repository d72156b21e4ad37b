"""Ukraine scenario: figures against the Kiel tracker's own CSV rows and hand-computed shares."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from alliance.errors import AllianceError
from alliance.scenarios.ukraine import EU_INSTITUTIONS, PERIOD, PERIOD_YEARS, ukraine

from conftest import REPO, reference_file

EU_2024 = [
    "AUT",
    "BEL",
    "BGR",
    "CYP",
    "CZE",
    "DEU",
    "DNK",
    "ESP",
    "EST",
    "FIN",
    "FRA",
    "GRC",
    "HRV",
    "HUN",
    "IRL",
    "ITA",
    "LTU",
    "LUX",
    "LVA",
    "MLT",
    "NLD",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "SWE",
]  # the EU's 27 members on 1 July 2024, typed in from the EU's list


def kiel_rows(currency: str) -> dict[str, dict[str, str]]:
    path = reference_file(f"kiel/kiel_ust_country_summary_{currency}.csv")
    with path.open(encoding="utf-8") as handle:
        return {row["country"]: row for row in csv.DictReader(handle)}


def wb_gdp_usd_bn(iso3: str, year: int) -> float:
    """Straight from the newest shipped World Bank GDP file, not through the store."""
    newest = sorted((REPO / "src/alliance/data/observations/wb").glob("*__NY.GDP.MKTP.CD.csv"))[-1]
    with newest.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["entity"] == iso3 and row["year"] == str(year) and row["value"]:
                return float(row["value"]) / 1e9
    raise LookupError((iso3, year))


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return ukraine(["EU", "EU-institutions", "NATO-Europe", "USA"])


def test_us_and_germany_match_the_kiel_rows(result) -> None:  # type: ignore[no-untyped-def]
    eur = kiel_rows("eur")
    donors = {d["donor"]: d for d in result.donor_records()}
    for iso3, name in (("USA", "United States"), ("DEU", "Germany")):
        row, mine = eur[name], donors[iso3]
        for kind in ("military", "financial", "humanitarian"):
            assert mine[f"{kind}_committed_eur_bn"] == float(row[f"{kind}_commitments__billion"])
            assert mine[f"{kind}_allocated_eur_bn"] == float(row[f"{kind}_allocations__billion"])
        assert mine["total_committed_eur_bn"] == float(row["total_bilateral_commitments__billion"])
        assert mine["total_allocated_eur_bn"] == float(row["total_bilateral_allocations__billion"])
    assert donors["USA"]["military_allocated_eur_bn"] == pytest.approx(56.8, abs=0.05)
    # As Kiel prints them (EUR bn): the US's financial and humanitarian commitments.
    assert donors["USA"]["financial_committed_eur_bn"] == pytest.approx(31.62, abs=0.005)
    assert donors["USA"]["humanitarian_committed_eur_bn"] == pytest.approx(2.95, abs=0.005)


def test_commitments_by_kind_come_first_and_add_up(result) -> None:  # type: ignore[no-untyped-def]
    usd = kiel_rows("usd")
    for record in [*result.records(), *result.donor_records()]:
        amounts = [c for c in record if c.endswith(("_eur_bn", "_pct_gdp"))]
        assert amounts[:4] == [
            f"{kind}_committed_eur_bn"
            for kind in ("military", "financial", "humanitarian", "total")
        ]
        parts = sum(
            record[f"{k}_committed_eur_bn"] for k in ("military", "financial", "humanitarian")
        )
        assert parts == pytest.approx(record["total_committed_eur_bn"])
    donors = {d["donor"]: d for d in result.donor_records()}
    by_hand = float(usd["Germany"]["humanitarian_commitments__billion"]) / wb_gdp_usd_bn(
        "DEU", 2021
    )
    assert donors["DEU"]["humanitarian_committed_pct_gdp"] == pytest.approx(by_hand * 100)


def test_share_of_gdp_by_hand(result) -> None:  # type: ignore[no-untyped-def]
    usd = kiel_rows("usd")
    donors = {d["donor"]: d for d in result.donor_records()}
    for iso3, name in (("DEU", "Germany"), ("POL", "Poland"), ("USA", "United States")):
        by_hand = float(usd[name]["total_bilateral_allocations__billion"]) / wb_gdp_usd_bn(
            iso3, 2021
        )
        assert donors[iso3]["total_allocated_pct_gdp"] == pytest.approx(by_hand * 100)
    # Kiel's own % of 2021 GDP for the US uses the same GDP as the World Bank: they agree.
    assert donors["USA"]["total_allocated_pct_gdp"] == pytest.approx(
        float(usd["United States"]["total_bilateral_allocations__2021_gdp"]), abs=0.001
    )


def test_eu_total_is_the_sum_of_kiels_eu_members(result) -> None:  # type: ignore[no-untyped-def]
    eur = kiel_rows("eur")
    members = [row for row in eur.values() if row["eu_member"] == "1"]
    assert len(members) == 27
    eu = next(r for r in result.records() if r["coalition"] == "EU")
    assert eu["donors"] == 27
    for kind in ("military", "financial", "humanitarian"):
        assert eu[f"{kind}_committed_eur_bn"] == pytest.approx(
            sum(float(r[f"{kind}_commitments__billion"]) for r in members)
        )
    assert eu["total_allocated_eur_bn"] == pytest.approx(
        sum(float(r["total_bilateral_allocations__billion"]) for r in members)
    )


def test_eu_institutions_are_their_own_donor(result) -> None:  # type: ignore[no-untyped-def]
    institutions = next(r for r in result.records() if r["coalition"] == "EU-institutions")
    assert institutions["total_allocated_eur_bn"] == pytest.approx(43.8, abs=0.05)
    assert institutions["total_committed_eur_bn"] == pytest.approx(79.8, abs=0.05)
    eu = next(r for r in result.records() if r["coalition"] == "EU")
    assert institutions["gdp_usd_bn"] == pytest.approx(eu["gdp_usd_bn"])  # EU members' GDP
    assert [d["donor"] for d in result.donor_records()].count(EU_INSTITUTIONS) == 1


def test_nato_europe_names_members_kiel_does_not_track(result) -> None:  # type: ignore[no-untyped-def]
    nato_europe = next(r for r in result.records() if r["coalition"] == "NATO-Europe")
    assert set(nato_europe["not_tracked"].split()) == {"ALB", "MKD", "MNE"}


def test_replacing_us_military_aid_costs_the_eu_about_the_briefs_012_percent(result) -> None:  # type: ignore[no-untyped-def]
    """Independent of the Bruegel model: Kiel's US allocations a year over EU GDP in 2024."""
    usd = kiel_rows("usd")
    eu_gdp_2024 = sum(wb_gdp_usd_bn(iso3, 2024) for iso3 in EU_2024)
    per_year = float(usd["United States"]["military_allocations__billion"]) / PERIOD_YEARS
    row = next(
        r
        for r in result.replacement_records()
        if r["coalition"] == "EU" and r["kind"] == "military_allocated"
    )
    assert row["us_pct_gdp"] == pytest.approx(per_year / eu_gdp_2024 * 100)
    assert row["us_pct_gdp"] == pytest.approx(0.12, abs=0.01)
    assert pytest.approx(951 / 365.25) == PERIOD_YEARS
    assert all(r["coalition"] != "USA" for r in result.replacement_records())


def test_period_is_labelled_as_the_publisher_does(result) -> None:  # type: ignore[no-untyped-def]
    assert PERIOD == "24 Jan 2022 – 31 Aug 2024"
    assert f"{PERIOD}, cumulative" in result.title
    assert "military, financial and humanitarian" in result.title
    assert any("kiel 2024-08-31" in line for line in result.source_lines())


def test_expression_without_kiel_donors_is_refused() -> None:
    with pytest.raises(AllianceError, match="No member"):
        ukraine(["ALB"])


def test_cli_json_and_donor_csv(tmp_path: Path) -> None:
    from test_scenarios import cli

    done = cli("scenario", "ukraine", "EU", "USA", "--format", "json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["period"] == PERIOD
    assert [r["coalition"] for r in payload["coalitions"]] == ["EU", "USA"]
    assert payload["assumptions"] and payload["sources"]
    out = tmp_path / "donors.csv"
    done = cli("scenario", "ukraine", "EU", "--table", "donors", "--format", "csv", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 28
    bad = cli("scenario", "ukraine", "NATO &")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
