"""Projections: the baseline, the deterministic paths against hand computation, the derived
defaults against the store, and bad input through the real CLI entry point."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.commitments import pledges_for
from alliance.projections import paths
from alliance.projections.assumptions import load_assumptions
from alliance.projections.baseline import Baseline, build_baseline

DATA = Path(__file__).resolve().parents[1] / "src" / "alliance" / "data"
NATO_2025 = DATA / "observations" / "nato" / "2025-08__share-of-gdp-transcription.csv"
IMF_GDP = DATA / "observations" / "imf" / "2025-10__NGDPD.csv"


def shipped_rows(path: Path, entity: str, indicator: str) -> dict[int, str]:
    with path.open(encoding="utf-8") as handle:
        return {
            int(r["year"]): r["value"]
            for r in csv.DictReader(handle)
            if r["entity"] == entity and r["indicator"] == indicator
        }


@pytest.fixture(scope="module")
def nato() -> Baseline:
    return build_baseline("NATO", 2035, load_assumptions())


def member(baseline: Baseline, iso3: str) -> paths.CountryBaseline:
    return next(c for c in baseline.countries if c.iso3 == iso3)


def test_baseline_is_the_newest_nato_figure_with_its_estimate_flag(nato: Baseline) -> None:
    poland = member(nato, "POL")
    assert poland.base_year == 2025
    assert poland.share == pytest.approx(
        float(shipped_rows(NATO_2025, "POL", "defence_expenditure_share_gdp")[2025])
    )
    assert poland.estimate is True and poland.edition.startswith("nato 2025-08")
    germany = member(nato, "DEU")  # no 2025 figure in the August 2025 report: 2024 is the latest
    assert germany.base_year == 2024
    assert germany.share == pytest.approx(
        float(shipped_rows(NATO_2025, "DEU", "defence_expenditure_share_gdp")[2024])
    )
    assert [iso3 for iso3, _ in nato.missing] == ["ISL"]


def test_gdp_is_the_imf_to_2030_then_its_last_growth_held(nato: Baseline) -> None:
    imf = {y: float(v) for y, v in shipped_rows(IMF_GDP, "FRA", "gdp").items()}
    france = member(nato, "FRA")
    by_year = dict(zip(nato.years, france.gdp_usd_bn, strict=True))
    assert by_year[2030] == imf[2030]
    growth = imf[2030] / imf[2029]
    assert by_year[2035] == pytest.approx(imf[2030] * growth**5, rel=1e-12)
    assert "last IMF yearly growth rate is held" in " ".join(nato.notes())


def test_countries_without_a_nato_figure_use_sipri_and_say_so() -> None:
    eu = build_baseline("EU", 2035, load_assumptions())
    austria = member(eu, "AUT")
    assert austria.source == "sipri" and austria.base_year == 2024
    assert "No NATO figure for" in " ".join(eu.notes()) and "AUT" in " ".join(eu.notes())


def test_current_is_flat(nato: Baseline) -> None:
    for country in nato.countries:
        assert paths.current(country, nato.years) == [country.share] * len(nato.years)


def test_germany_under_pledges_reaches_3_5_percent_in_2029(nato: Baseline) -> None:
    pledge = next(p for p in pledges_for("DEU") if p.target_year == 2029)
    assert pledge.target_percent == 3.5
    path = dict(zip(nato.years, paths.pledges(member(nato, "DEU"), nato.years), strict=True))
    assert path[2029] == 3.5
    assert path[2028] < 3.5
    assert path[2035] == 3.5  # held after the last pledge
    published = dict(pledge.path_points) or {2029: 3.5}
    for year, percent in published.items():
        assert path[year] == percent


def test_pledges_without_a_deadline_hold_the_latest_share(nato: Baseline) -> None:
    spain = member(nato, "ESP")
    assert paths.pledges(spain, nato.years) == paths.current(spain, nato.years)
    assert "no deadline" in " ".join(paths.path_notes("pledges", nato.countries, None))


def test_hague_reaches_3_5_in_2035_for_every_ally_below_it_and_never_drops(nato: Baseline) -> None:
    below = [c for c in nato.countries if c.share < 3.5]
    assert len(below) > 20
    for country in nato.countries:
        path = dict(zip(nato.years, paths.hague(country, nato.years), strict=True))
        assert all(v >= country.share for v in path.values())
        if country.share < 3.5:
            assert path[2035] == 3.5
            span = 2035 - country.base_year
            for year in (2028, 2031):
                by_hand = country.share + (3.5 - country.share) * (year - country.base_year) / span
                assert path[year] == pytest.approx(by_hand, abs=1e-12)
        else:
            assert set(path.values()) == {country.share}


def test_trend_is_the_least_squares_slope_within_its_caps(nato: Baseline) -> None:
    assumptions = load_assumptions()
    poland = member(nato, "POL")
    points = [(y, v) for y, v in poland.history if y >= 2014]
    n = len(points)
    mean_x = sum(y for y, _ in points) / n
    mean_y = sum(v for _, v in points) / n
    slope = sum((y - mean_x) * (v - mean_y) for y, v in points) / sum(
        (y - mean_x) ** 2 for y, _ in points
    )
    assert paths.trend_slope(poland, assumptions) == pytest.approx(slope)
    capped = assumptions.with_values({"trend_slope_max": 0.05}, "test")
    path = paths.trend(poland, nato.years, capped)
    assert path[-1] == pytest.approx(poland.share + 0.05 * (2035 - 2025))
    ceiling = assumptions.with_values({"trend_share_max": 4.6}, "test")
    assert max(paths.trend(poland, nato.years, ceiling)) == 4.6


def test_slip_defaults_are_the_wales_record_in_the_store() -> None:
    """slip_probability and the slip sizes are 'derived': recompute them from NATO's figures."""
    from alliance.coalitions import coalition_in_year
    from alliance.observations import newest_per_figure, observation_records

    rows = observation_records("defence_expenditure_share_gdp", source="nato", years=[2014, 2024])
    value = {(r["entity"], r["year"]): r["value"] for r in newest_per_figure(rows) if r["value"]}
    allies = coalition_in_year("NATO", 2014).members
    below = [
        a for a in allies if (a, 2014) in value and (a, 2024) in value and value[(a, 2014)] < 2
    ]
    missed = [a for a in below if value[(a, 2024)] < 2]
    shortfall = [(2 - value[(a, 2024)]) / (2 - value[(a, 2014)]) for a in missed]
    assumptions = load_assumptions()
    assert (len(below), len(missed)) == (24, 11)
    assert assumptions["slip_probability"] == pytest.approx(len(missed) / len(below), abs=1e-4)
    assert assumptions["slip_size_low"] == pytest.approx(min(shortfall), abs=0.005)
    assert assumptions["slip_size_high"] == pytest.approx(max(shortfall), abs=0.005)


# --- the CLI ------------------------------------------------------------------------------------


def alliance(*args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-c", "from alliance.cli.app import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def refused(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_cli_json_carries_rows_assumptions_and_sources() -> None:
    done = alliance("project", "DEU", "--path", "pledges", "--draws", "2000", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    rows = {(r["entity"], r["year"]): r for r in document["rows"]}
    assert rows[("DEU", 2029)]["path_percent"] == 3.5
    names = [a["parameter"] for a in document["assumptions"]]
    assert "slip_probability" in names and "budget_gdp_elasticity" in names
    assert any("International Monetary Fund" in s for s in document["sources"])
    assert any("NATO" in s for s in document["sources"])


def test_help_lists_every_default_with_its_source() -> None:
    done = alliance("project", "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    for name in ("slip_probability", "budget_gdp_elasticity", "eur_usd_sd", "trend_slope_max"):
        assert name in text
    assert "Wales" in text


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--path", "fastest"), ("Unknown path 'fastest'", "current, trend, pledges, hague")),
        (("--draws", "-5"), ("--draws -5", "1 to 1,000,000")),
        (("--draws", "1000001"), ("1,000,000",)),
        (("--to", "2020"), ("--to 2020", "after the latest figure")),
        (("ISL",), ("No member of 'ISL'",)),
        (("NATOO",), ("'NATOO'", "expected a group")),
        (("--detail", "some"), ("--detail",)),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    few = () if "--draws" in args else ("--draws", "100")
    refused(alliance("project", *args, *few), *fragments)


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("parameters: [1, 2", ("not valid YAML", "line 1")),
        (
            "parameters:\n  slip_probabilty: 0.2\n",
            ("slip_probabilty", "did you mean slip_probability"),
        ),
        (
            "parameters:\n  slip_probability: high\n",
            ("slip_probability", "got str 'high'", "0 to 1"),
        ),
        ("parameters:\n  slip_probability: 1.5\n", ("slip_probability", "0 to 1")),
        ("parameters:\n  eur_usd_sd: {value: 0.1, colour: red}\n", ("colour", "unknown key")),
        ("assumptions:\n  x: 1\n", ("assumptions", "unknown key")),
        ("parameters:\n  slip_size_low: 0.9\n", ("slip_size_low", "slip_size_high")),
    ],
)
def test_bad_assumption_files_are_one_line_and_exit_2(
    tmp_path: Path, content: str, fragments: tuple[str, ...]
) -> None:
    file = tmp_path / "mine.yaml"
    file.write_text(content, encoding="utf-8")
    refused(alliance("project", "DEU", "--draws", "100", "--assumptions", str(file)), *fragments)


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("iso,year,percent\nDEU,2030,3\n", ("row 1", "header")),
        (
            "iso3,year,percent\nDEU,2030,3\nXXX,2031,3\n",
            ("row 3", "column iso3", "unknown country"),
        ),
        ("iso3,year,percent\nDEU,twenty,3\n", ("row 2", "column year", "not a year")),
        ("iso3,year,percent\nDEU,2019,3\n", ("row 2", "column year", "2025 to 2035")),
        ("iso3,year,percent\nDEU,2030,lots\n", ("row 2", "column percent", "0 to 100")),
        ("iso3,year,percent\nDEU,2030,3\nDEU,2030,4\n", ("row 3", "duplicate")),
    ],
)
def test_bad_path_files_name_the_line_and_column(
    tmp_path: Path, content: str, fragments: tuple[str, ...]
) -> None:
    file = tmp_path / "path.csv"
    file.write_text(content, encoding="utf-8")
    refused(
        alliance("project", "DEU", "--draws", "100", "--path", str(file)), str(file), *fragments
    )


def test_a_user_path_file_sets_the_shares(tmp_path: Path) -> None:
    file = tmp_path / "path.csv"
    file.write_text("iso3,year,percent\nDEU,2030,3.0\nDEU,2035,4.0\n", encoding="utf-8")
    done = alliance(
        "project",
        "DEU",
        "--draws",
        "100",
        "--path",
        str(file),
        "--detail",
        "all",
        "--format",
        "csv",
    )
    assert done.returncode == 0, done.stderr
    rows = {(r["entity"], int(r["year"])): r for r in csv.DictReader(done.stdout.splitlines())}
    share_2024 = member(build_baseline("DEU", 2035, load_assumptions()), "DEU").share
    assert float(rows[("DEU", 2030)]["path_percent"]) == 3.0
    assert float(rows[("DEU", 2035)]["path_percent"]) == 4.0
    by_hand = share_2024 + (3.0 - share_2024) * (2027 - 2024) / (2030 - 2024)
    assert math.isclose(float(rows[("DEU", 2027)]["path_percent"]), by_hand, abs_tol=1e-4)


def test_same_seed_same_bytes_and_another_seed_differs() -> None:
    args = ("project", "NATO - USA", "--path", "hague", "--draws", "20000", "--format", "csv")
    first, second = alliance(*args, "--seed", "7"), alliance(*args, "--seed", "7")
    other = alliance(*args, "--seed", "8")
    assert first.returncode == second.returncode == other.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert first.stdout != other.stdout


def test_chart_is_written(tmp_path: Path) -> None:
    chart = tmp_path / "fan.svg"
    done = alliance("project", "EU", "--path", "hague", "--draws", "2000", "--chart", str(chart))
    assert done.returncode == 0, done.stderr
    svg = chart.read_text(encoding="utf-8")
    assert "chance of meeting 2 %, 3.5 %, 5 % of GDP" in svg
    assert "International Monetary Fund" in svg


def test_progress_bar_only_on_a_terminal_and_after_a_second(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from alliance.cli.project import _Progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    quick = _Progress(100)
    quick(50)  # under a second: nothing drawn
    assert capsys.readouterr().err == ""
    slow = _Progress(100)
    slow.start -= 2.0
    slow(50)
    slow.close()
    drawn = capsys.readouterr().err
    assert "50/100 draws" in drawn and drawn.endswith("\r")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    piped = _Progress(100)
    piped.start -= 2.0
    piped(100)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "relative", ["projections/assumptions.yaml", "scenarios/europe-without-us.yaml"]
)
def test_a_shipped_parameter_file_reads_the_same_with_either_yaml_parser(relative: str) -> None:
    """Shipped parameter files are read with libyaml's parser (faster): the same document as
    the pure-Python parser gives, value for value and type for type."""
    import yaml

    from alliance.parameters import read_yaml

    text = (DATA / relative).read_text(encoding="utf-8")
    pure = yaml.load(text, Loader=yaml.SafeLoader)
    shipped = read_yaml(DATA / relative, "a YAML file of parameters", shipped=True)
    assert repr(shipped) == repr(pure)
    assert shipped["parameters"]  # a document with parameters, not an empty one


def test_the_shipped_assumptions_read_through_their_json_copy_are_the_file_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped assumptions come from a JSON copy beside the store once it is written: the
    same parameters as parsing the file; a damaged copy, or a changed file, is parsed anew."""
    from alliance.parameters import shipped_entries
    from alliance.projections import assumptions

    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))
    shipped = DATA / "projections" / "assumptions.yaml"
    parsed, _ = shipped_entries(shipped, assumptions.RULES, assumptions.KINDS, {"parameters"})
    assert assumptions._shipped_fields(shipped) == parsed  # parsed, then written
    (copy,) = (tmp_path / "home" / "cache").glob("assumptions-*.json")
    assert json.loads(copy.read_text(encoding="utf-8")) == parsed
    for damaged in ('[{"name": "slip_probability", "value": 0.9}]', json.dumps([*parsed, 5])):
        copy.write_text(damaged, encoding="utf-8")
        assert assumptions._shipped_fields(shipped) == parsed  # parsed again, not the copy's
    edited = tmp_path / "assumptions.yaml"
    text = shipped.read_text(encoding="utf-8")
    edited.write_text(text.replace("value: 0.5\n", "value: 0.25\n", 1), encoding="utf-8")
    changed = {f["name"]: f["value"] for f in assumptions._shipped_fields(edited)}
    assert changed["budget_gdp_elasticity"] == 0.25
    assert len(list((tmp_path / "home" / "cache").glob("assumptions-*.json"))) == 2


def test_baselines_built_from_one_read_are_those_built_one_by_one() -> None:
    """vs-russia builds both sides' baselines from one read of the store: each must be the
    baseline its coalition gets alone, on either definition."""
    from alliance.projections.baseline import build_baselines

    assumptions = load_assumptions()
    for definition in ("sipri", "nato"):
        together = build_baselines(
            ["NATO-Europe", "RUS", "EU"], 2035, assumptions, definition=definition
        )
        alone = [
            build_baseline(e, 2035, assumptions, definition=definition)
            for e in ("NATO-Europe", "RUS", "EU")
        ]
        assert list(together) == alone
    (russia,) = build_baselines(["RUS"], 2035, assumptions, definition="sipri")
    assert [c.iso3 for c in russia.countries] == ["RUS"]


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e150, max_value=1e150)


@settings(max_examples=300, deadline=None)
@given(st.lists(finite, min_size=2, max_size=40) | st.lists(st.floats(-0.5, 0.5), min_size=2))
def test_sample_stdev_and_median_are_the_statistics_modules_to_the_bit(
    values: list[float],
) -> None:
    """The baseline's spreads (sample_stdev, median) replace `statistics` for speed: the same
    floats, bit for bit, on growth-like values and on any finite ones."""
    import statistics

    from alliance.projections.baseline import median, sample_stdev

    assert math.copysign(1, sample_stdev(values)) == 1
    assert sample_stdev(values).hex() == statistics.stdev(values).hex()
    assert median(values).hex() == statistics.median(values).hex()


def test_sample_stdev_of_known_cases() -> None:
    from alliance.projections.baseline import sample_stdev

    assert sample_stdev([1.5, 2.5, 2.5, 2.75, 3.25, 4.75]) == 1.0810874155219827  # the docs'
    assert sample_stdev([2.0, 4.0]) == math.sqrt(2)  # deviations of 1 over 1 degree of freedom
    assert sample_stdev([0.1, 0.1, 0.1]) == 0.0
