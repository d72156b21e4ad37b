"""Europe without the US: the model against the brief's published figures, the store re-run,
the sensitivity against hand-computed derivatives, and bad parameter files through the real CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from alliance.errors import ParameterFileError
from alliance.scenarios.europe_without_us import (
    PUBLISHED,
    RULES,
    compute,
    europe_without_us,
    store_economy,
)
from alliance.scenarios.params import load, shipped_path

# The brief's figures, typed in again here from Burilkov and Wolff (Bruegel/Kiel, 21 Feb 2025)
# and the Kiel press release of the same day, so that a slip in PUBLISHED cannot pass unseen.
BRIEF = {
    "troops": 300_000,
    "brigades": 50,
    "tanks": 1_400,
    "ifvs": 2_000,
    "artillery": 700,
    "build_up_eur_bn": 250,
    "build_up_share": 1.5,
    "new_share": 3.5,
    "ukraine_share": 0.12,
}


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return europe_without_us(year=2024)


def test_published_figures_are_the_briefs(result) -> None:  # type: ignore[no-untyped-def]
    assert {f.key: f.value for f in PUBLISHED} == BRIEF


def test_default_run_reproduces_every_published_figure(result) -> None:  # type: ignore[no-untyped-def]
    for check in result.checks:
        low, high = check.figure.bounds()
        assert low <= check.model <= high, (check.figure.label, check.model, (low, high))
        assert check.within


def test_model_computes_from_parameters_not_from_the_published_figures() -> None:
    values = load("europe-without-us", RULES).values()
    doubled = {**values, "us_reinforcements": 500_000, "troops_per_brigade": 4_000}
    estimate = compute(doubled, gdp_eur_bn=10_000, baseline_share=1.0)
    # (100,000 + 500,000) troops in brigades of 4,000: 150 brigades, 28 tanks each.
    assert estimate.troops == pytest.approx(600_000)
    assert estimate.brigades == pytest.approx(150)
    assert estimate.tanks == pytest.approx(150 * 28)
    # Equipment: 150 brigades x (28 x 27.6 + 40 x 21 + 14 x 18.4) EUR m over 5 years.
    equipment = 150 * (28 * 27.6 + 40 * 21.0 + 14 * 18.4) / 1e3 / 5
    personnel = 600_000 * 183_000 / 1e9
    assert estimate.build_up_eur_bn == pytest.approx(personnel + equipment + 176)
    assert estimate.build_up_share == pytest.approx(estimate.build_up_eur_bn / 10_000 * 100)
    assert estimate.new_share == pytest.approx(1.0 + estimate.build_up_share)


def test_report_basis_cost_by_hand(result) -> None:  # type: ignore[no-untyped-def]
    r = result.report
    equipment_once = 50 * (28 * 27.6 + 40 * 21.0 + 14 * 18.4) / 1e3
    assert r.equipment_total_eur_bn == pytest.approx(equipment_once)
    assert r.build_up_eur_bn == pytest.approx(300_000 * 183_000 / 1e9 + equipment_once / 5 + 176)
    assert r.ukraine_share == pytest.approx(20 / 16_667 * 100)


def test_running_cost_per_soldier_default_matches_the_store() -> None:
    """The YAML's derived default, recomputed from NATO's 2024 tables through the library."""
    from alliance.metrics import aggregate
    from alliance.observations import observation_records

    europe = "(EU | GBR | NOR) & NATO"
    spending = aggregate(europe, "defence", 2024)
    equipment = aggregate(europe, "equipment_share", 2024)
    personnel = aggregate(europe, "personnel", 2024, source="nato")
    assert spending.edition.startswith("nato 2024-06")
    (rate,) = observation_records("exchange_rate", entities=["fed:EURO_AREA"], years=[2024])
    per_soldier_usd = spending.value * 1e9 * (1 - equipment.value / 100) / (personnel.value * 1e3)
    shipped = load("europe-without-us", RULES)["running_cost_per_soldier_eur"]
    assert per_soldier_usd * rate["value"] == pytest.approx(shipped, rel=0.01)


def test_today_uses_the_stores_gdp_and_spending(result) -> None:  # type: ignore[no-untyped-def]
    from alliance.metrics import aggregate

    economy = result.today_economy
    assert economy.year == 2024
    gdp = aggregate("EU", "gdp", 2024, source="imf").value
    share = aggregate("EU", "defence_share_gdp", 2024).value
    assert economy.baseline_share == pytest.approx(share)
    assert 0.85 < economy.gdp_eur_bn / gdp < 1.0  # euros at the Fed's 2024 rate (0.9242)
    today = result.today
    assert today.build_up_share == pytest.approx(today.build_up_eur_bn / economy.gdp_eur_bn * 100)
    assert today.new_share == pytest.approx(share + today.build_up_share)
    # Cost in euros does not depend on the economy; its share of GDP does.
    assert today.build_up_eur_bn == pytest.approx(result.report.build_up_eur_bn)


def test_default_today_year_is_one_with_full_nato_coverage() -> None:
    economy = store_economy("EU")
    assert "DEU" not in economy.note.split("No NATO figures")[-1].split(".")[0]


def test_default_today_year_matches_the_store_asked_year_by_year() -> None:
    """The year is found on figures read once for all years; asked one year at a time, the store
    must give the same year (the most members covered among the five newest with figures), the
    same share and the same GDP."""
    from alliance.metrics import aggregate

    covered = {}
    for year in range(date.today().year, 2013, -1):
        found = aggregate("EU", "defence_share_gdp", year)
        if found.value is not None:
            covered[year] = len(found.with_data)
        if len(covered) == 5:
            break
    most = max(covered.values())
    year = max(y for y, count in covered.items() if count == most)
    economy = store_economy("EU")
    assert economy.year == year
    assert economy.baseline_share == aggregate("EU", "defence_share_gdp", year).value
    gdp = aggregate("EU", "gdp", year, source="imf")
    assert f"GDP USD {gdp.value:,.0f} bn (IMF WEO, {len(gdp.with_data)} of" in economy.note


def test_sensitivity_follows_the_hand_computed_derivative(result) -> None:  # type: ignore[no-untyped-def]
    rows = {row.parameter: row for row in result.sensitivity}
    base = result.report.total_eur_bn
    # total is linear in the running cost: d total / d cost = troops (300,000) per EUR 1e9.
    row = rows["running_cost_per_soldier_eur"]
    step = row.high - row.base
    assert row.total_high - base == pytest.approx(300_000 * step / 1e9)
    assert row.total_low - base == pytest.approx(-300_000 * step / 1e9)
    # Enablers add one for one; more build-up years lower the yearly bill; a larger GDP lowers
    # the share of GDP but not the euros.
    enablers = rows["enablers_eur_bn_per_year"]
    assert enablers.total_high - base == pytest.approx(enablers.high - enablers.base)
    years = rows["build_up_years"]
    assert years.total_high < base < years.total_low
    gdp = rows["report_gdp_eur_bn"]
    assert gdp.total_high == pytest.approx(base) and gdp.share_high < gdp.share_low
    assert [r.range for r in result.sensitivity] == sorted(
        (r.range for r in result.sensitivity), reverse=True
    )
    assert set(rows) == set(RULES)  # every parameter


def test_fraction_parameters_stay_within_their_bounds(result) -> None:  # type: ignore[no-untyped-def]
    share = {row.parameter: row for row in result.sensitivity}["us_aid_share_replaced"]
    assert share.high == 1.0 and share.low == pytest.approx(0.8)


def test_user_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    params = tmp_path / "p.yaml"
    params.write_text("parameters:\n  european_troops_per_us_soldier: 1.5\n", encoding="utf-8")
    run = europe_without_us(params, year=2024)
    assert run.report.troops == pytest.approx(450_000)
    changed = [p for p in run.parameters.parameters if p.origin != "default"]
    assert [p.name for p in changed] == ["european_troops_per_us_soldier"]
    troops = next(c for c in run.checks if c.figure.key == "troops")
    assert not troops.within  # 450,000 is outside 300,000 +- 5 %


def test_shipped_file_cites_every_parameter() -> None:
    parameters = load("europe-without-us", RULES).parameters
    assert {p.name for p in parameters} == set(RULES)
    for p in parameters:
        assert p.source, p.name
        if p.kind == "assumption":
            assert p.reason, f"{p.name}: an assumption of ours needs its reason"


def test_tornado_chart_is_written(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from alliance.scenarios.europe_without_us import draw_tornado

    for suffix in (".png", ".svg"):
        path = draw_tornado(result, tmp_path / f"tornado{suffix}")
        assert path.stat().st_size > 10_000
    svg = (tmp_path / "tornado.svg").read_text(encoding="utf-8")
    assert "Bruegel" in svg and "enablers" in svg


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed entry point, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-c", "from alliance.cli.app import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("parameters: [1, 2", ("not valid YAML", "line")),
        ("parameters:\n  troops_per_brigad: 5000\n", ("troops_per_brigad", "unknown parameter")),
        ("parameters:\n  build_up_years: five\n", ("build_up_years", "expected a number > 0")),
        ("parameters:\n  us_reinforcements: -5\n", ("us_reinforcements", "expected a number >= 0")),
        ("parameters:\n  us_aid_share_replaced: 2\n", ("us_aid_share_replaced", "0 to 1")),
        ("parameters:\n  tanks_per_brigade: {value: 3, colour: red}\n", ("colour", "unknown key")),
        ("params:\n  x: 1\n", ("params", "unknown key")),
        ("parameters:\n  troops_per_brigade: 0\n", ("troops_per_brigade", "> 0")),
    ],
)
def test_bad_parameter_files_are_one_line_and_exit_2(
    tmp_path: Path, content: str, fragments: tuple[str, ...]
) -> None:
    params = tmp_path / "bad.yaml"
    params.write_text(content, encoding="utf-8")
    done = cli("scenario", "europe-without-us", "--params", str(params))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(params) in lines[0], done.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_missing_parameter_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParameterFileError, match="no such file"):
        europe_without_us(tmp_path / "absent.yaml", year=2024)


def test_cli_json_show_params_and_sensitivity_csv(tmp_path: Path) -> None:
    done = cli("scenario", "europe-without-us", "--year", "2024", "--format", "json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert {f["figure"] for f in payload["figures"]} >= {"Additional troops"}
    assert all(f["within"] for f in payload["figures"])
    assert len(payload["parameters"]) == len(RULES)
    assert any("imf 2025-10" in line for line in payload["sources"])
    shown = cli("scenario", "europe-without-us", "--show-params")
    assert shown.stdout == shipped_path("europe-without-us").read_text(encoding="utf-8")
    # The printed file, saved and passed back, reproduces the defaults.
    copy = tmp_path / "copy.yaml"
    copy.write_text(shown.stdout, encoding="utf-8")
    assert europe_without_us(copy, year=2024).report == europe_without_us(year=2024).report
    table = cli(
        "scenario",
        "europe-without-us",
        "--year",
        "2024",
        "--table",
        "sensitivity",
        "--format",
        "csv",
    )
    header = table.stdout.splitlines()[0].split(",")
    assert header[:3] == ["parameter", "unit", "base"] and len(table.stdout.splitlines()) == 18
