"""vs-russia: SIPRI's figures for both sides, checked against the shipped SIPRI and World Bank
rows; projections on SIPRI shares; the chart; the CLI's errors."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from functools import cache
from importlib import resources
from pathlib import Path

import pytest

from alliance.scenarios.vs_russia import MARKED_YEAR, PPP_CAVEAT, VsRussia, vs_russia

DATA = Path(str(resources.files("alliance").joinpath("data", "observations")))


@cache
def shipped_rows(relative: str) -> tuple[dict[str, str], ...]:
    with (DATA / relative).open(encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def sipri_row(entity: str, year: int, currency: str, price_basis: str) -> dict[str, str]:
    (row,) = (
        r
        for r in shipped_rows("sipri/2025-04__milex.csv")
        if r["entity"] == entity
        and r["year"] == str(year)
        and r["indicator"] == "defence_expenditure"
        and r["currency"] == currency
        and r["price_basis"] == price_basis
        and r["period"] == "calendar"
    )
    return row


def ppp_factor(entity: str, year: int) -> float:
    (row,) = (
        r
        for r in shipped_rows("wb/2026-03-05__PA.NUS.PPP.csv")
        if r["entity"] == entity and r["year"] == str(year)
    )
    return float(row["value"])


@pytest.fixture(scope="module")
def result() -> VsRussia:
    return vs_russia("DEU | FRA", to=2030, draws=4_000, seed=7)


def row_of(result: VsRussia, year: int, kind: str, basis: str) -> dict[str, object]:
    (row,) = (
        r
        for r in result.records()
        if r["year"] == year and r["kind"] == kind and r["basis"] == basis
    )
    return row


def test_russia_2024_is_sipris_figure_in_current_dollars_flagged_as_an_estimate(
    result: VsRussia,
) -> None:
    shipped = sipri_row("RUS", 2024, "USD", "current")
    assert shipped["estimate"] == "True" and shipped["unit"] == "million"
    row = row_of(result, 2024, "historical", "market")
    assert row["russia_bn"] == pytest.approx(float(shipped["value"]) / 1000, abs=5e-4)
    assert row["russia_estimate"] is True
    assert row_of(result, 2021, "historical", "market")["russia_estimate"] is False
    assert any("estimates in: 2022, 2023, 2024" in line for line in result.notes())


def test_coalition_history_is_the_sum_of_its_members_sipri_figures(result: VsRussia) -> None:
    for year in (2014, 2024):
        expected = sum(
            float(sipri_row(c, year, "USD", "current")["value"]) / 1000 for c in ("DEU", "FRA")
        )
        row = row_of(result, year, "historical", "market")
        assert row["coalition_bn"] == pytest.approx(expected, abs=5e-4)
        assert row["ratio"] == pytest.approx(expected / row["russia_bn"], abs=2e-3)


def test_ppp_is_local_currency_over_the_world_bank_gdp_ppp_factor(result: VsRussia) -> None:
    lcu = float(sipri_row("RUS", 2024, "LCU", "current")["value"])
    expected = lcu / ppp_factor("RUS", 2024) / 1e9
    assert row_of(result, 2024, "historical", "ppp")["russia_bn"] == pytest.approx(
        expected, abs=5e-4
    )
    assert PPP_CAVEAT in result.notes()
    assert "not a military price index" in PPP_CAVEAT


def test_projection_uses_sipri_shares_and_holds_russias(result: VsRussia) -> None:
    assert result.projected is not None
    coalition, russia = result.projected
    assert russia.baseline.definition == "sipri"
    (russian,) = russia.baseline.countries
    (shipped,) = (
        r
        for r in shipped_rows("sipri/2025-04__milex.csv")
        if r["entity"] == "RUS"
        and r["year"] == "2024"
        and r["indicator"] == "defence_expenditure_share_gdp"
    )
    assert russian.share == pytest.approx(float(shipped["value"]))
    assert russian.estimate is True
    rows = russia.records("coalition")
    assert {r["path_percent"] for r in rows} == {round(float(shipped["value"]), 4)}
    assert coalition.baseline.definition == "sipri"


def test_projected_rows_have_ordered_bands_and_follow_the_history(result: VsRussia) -> None:
    projected = [r for r in result.records() if r["kind"] == "projected"]
    assert {r["year"] for r in projected} == set(range(2025, 2031))
    for row in projected:
        for side in ("coalition", "russia"):
            assert row[f"{side}_q05"] <= row[f"{side}_bn"] <= row[f"{side}_q95"]
    assert max(r["year"] for r in result.records() if r["kind"] == "historical") == 2024


def test_chart_marks_2027_and_states_the_ppp_caveat(result: VsRussia, tmp_path: Path) -> None:
    from alliance.scenarios.vs_russia_chart import draw_vs_russia

    png = draw_vs_russia(result, tmp_path / "vs.png")
    assert png.stat().st_size > 20_000
    svg = draw_vs_russia(result, tmp_path / "vs.svg").read_text(encoding="utf-8")
    assert f">{MARKED_YEAR}<" in svg
    words = " ".join(" ".join(re.findall(r">([^<>]+)<", svg)).split())  # lines wrap
    assert "not a military price index" in words
    assert "SIPRI Military Expenditure Database 2025" in words


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed entry point, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-c", "from alliance.cli.app import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_cli_json_is_the_same_bytes_for_the_same_seed() -> None:
    args = ("scenario", "vs-russia", "EST | LVA", "--to", "2028", "--draws", "500", "-f", "json")
    first, second = cli(*args, "--seed", "3"), cli(*args, "--seed", "3")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    assert {r["kind"] for r in document["rows"]} == {"historical", "projected"}
    assert document["assumptions"] and document["sources"] and document["marked_year"] == 2027
    other = cli(*args, "--seed", "4")
    assert other.stdout != first.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--to", "2020"), "2020"),
        (("--draws", "-5"), "draws"),
        (("--path", "hopes"), "hopes"),
        (("Atlantis",), "Atlantis"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], fragment: str) -> None:
    done = (
        cli("scenario", "vs-russia", *args, "--draws", "100")
        if args[0] != "--draws"
        else cli("scenario", "vs-russia", *args)
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_history_only_has_no_projection_and_every_sipri_year() -> None:
    result = vs_russia("NATO-Europe", project=False)
    assert result.projected is None
    years = {r["year"] for r in result.records()}
    assert years == set(range(2014, 2025))
    assert {r["kind"] for r in result.records()} == {"historical"}
    # NATO-Europe of 2014 had neither Finland nor Sweden: members are counted year by year
    finland_sweden = sum(
        float(sipri_row(c, 2014, "USD", "current")["value"]) / 1000 for c in ("FIN", "SWE")
    )
    with_them = vs_russia("NATO-Europe | FIN | SWE", project=False)
    gap = (
        row_of(with_them, 2014, "historical", "market")["coalition_bn"]
        - row_of(result, 2014, "historical", "market")["coalition_bn"]
    )
    assert gap == pytest.approx(finland_sweden, abs=2e-3)
