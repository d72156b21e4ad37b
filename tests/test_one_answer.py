"""One question, one answer: the same figure, with the same edition, through every command.

Poland's 2024 defence expenditure as a share of GDP under NATO's definition was 4.12 % in NATO's
June 2024 tables and 3.79 % in the August 2025 report (issue 12: `targets` and `data show` gave
3.79 %, `aggregate`, `compare` and a claim check 4.12 %). The rule: the newest edition that has
the figure, unless one is named (observations.newest_per_figure). The expected values are read
from the reference files, not from the store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import alliance
from alliance.cli.app import build_app

from conftest import reference_file

NATO_2025 = (
    "nato/def-exp-2025_share-of-real-GDP_2014-2025e__transcribed_by_Datavisualiatie-UGent"
    "_project-dv26-2.csv"
)


def published_2025_report(country: str, year: int) -> float:
    import pandas as pd

    table = pd.read_csv(reference_file(NATO_2025)).set_index("country")
    column = str(year) if str(year) in table.columns else f"{year}e"
    return float(table.loc[country, column])


def run_json(*args: str) -> Any:
    result = CliRunner().invoke(build_app(), [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


CLAIM = """\
format: alliance-claims/1
title: Poland
defaults: {{speaker: A test, date: 2025-12-26, url: https://example.org}}
claims:
  - id: poland
    quote: Poland spent {value:.2f} % of GDP on defence in {year}
    check: {{type: value, subject: POL, metric: defence_share_gdp, year: {year},
             expected: {value}, unit: percent, tolerance: {{absolute: 0.005}}}}
"""


@pytest.mark.parametrize("year", [2024, 2025])
def test_poland_same_figure_and_edition_everywhere(year: int, tmp_path: Path) -> None:
    expected = published_2025_report("Poland", year)
    answers: dict[str, tuple[float, str]] = {}

    targets = run_json("targets", "--year", str(year))
    row = next(r for r in targets if r["iso3"] == "POL")
    answers["targets"] = (row["value"], row["edition"])

    shown = run_json(
        "data", "show", "defence-share", "--country", "POL", "--from", str(year), "--to",
        str(year), "--definition", "nato",
    )  # fmt: skip
    assert len(shown) == 1
    answers["data show"] = (shown[0]["value"], f"nato {shown[0]['edition']}")

    (aggregated,) = run_json(
        "aggregate", "POL", "--metric", "defence_share_gdp", "--year", str(year)
    )
    answers["aggregate"] = (aggregated["value"], aggregated["edition"])

    compared = run_json(
        "compare", "POL", "--metric", "defence_share_gdp", "--from", "2023", "--to", str(year)
    )
    last = next(r for r in compared if r["year"] == year)
    answers["compare"] = (last["value"], last["edition"])

    claims = tmp_path / "poland.yaml"
    claims.write_text(CLAIM.format(value=round(expected, 2), year=year), encoding="utf-8")
    checked = run_json("check", str(claims))["claims"][0]
    # The shares come from NATO's report; the GDP weights from NATO's tables or the IMF.
    share_rows = [
        s
        for s in checked["sources"]
        if s["edition"] and s["source"] == "nato" and s["dataset"] != "tables"
    ]
    answers["check"] = (checked["primary"]["value"], f"nato {share_rows[0]['edition']}")
    assert checked["verdict"] == "accurate"

    frame = alliance.observations(
        "defence_expenditure_share_gdp", entities=["POL"], years=[year], definition="nato"
    )
    answers["python"] = (float(frame["value"].iloc[0]), f"nato {frame['edition'].iloc[0]}")

    for command, (value, edition) in answers.items():
        assert value == pytest.approx(expected, rel=1e-9), command
        assert "nato 2025-08" in edition, (command, edition)


def test_a_named_edition_is_used_by_every_command() -> None:
    """The June 2024 tables, named: Table 3's 4.12 % (computed as Table 2 / Table 5)."""
    (aggregated,) = run_json(
        "aggregate", "POL", "--metric", "defence_share_gdp", "--year", "2024",
        "--edition", "2024-06",
    )  # fmt: skip
    targets = run_json("targets", "--year", "2024", "--edition", "2024-06")
    shown = run_json(
        "data", "show", "defence-share", "--country", "POL", "--from", "2024", "--to", "2024",
        "--definition", "nato", "--edition", "2024-06",
    )  # fmt: skip
    poland = next(r for r in targets if r["iso3"] == "POL")
    assert aggregated["value"] == pytest.approx(4.120190989357147, rel=1e-9)
    assert poland["value"] == pytest.approx(aggregated["value"], rel=1e-9)
    assert shown[0]["value"] == pytest.approx(aggregated["value"], rel=1e-9)
    assert "2024-06" in aggregated["edition"]


def test_coalition_share_weights_the_newest_shares_and_says_by_what() -> None:
    """A coalition's share: members' published shares (newest edition each), weighted by GDP.

    Against NATO's own aggregate in the same report: NATO weights by GDP at 2021 prices, we by
    GDP at 2015 prices (Table 5 of the 2024 tables, the newest GDP NATO publishes), so the two
    agree to a few hundredths of a point, and the output names both editions.
    """
    (result,) = run_json(
        "aggregate", "NATO-Europe-and-Canada", "--metric", "defence_share_gdp", "--year", "2024"
    )
    assert result["value"] == pytest.approx(
        published_2025_report("NATO Europe and Canada", 2024), abs=0.03
    )
    assert "nato 2025-08" in result["edition"] and "nato 2024-06" in result["edition"]
    assert "weight" in result["definition"].lower()


def _row(edition: str, value: float | None, year: int = 2024, dataset: str = "d") -> dict[str, Any]:
    from alliance.schema import OBSERVATION_COLUMNS

    row: dict[str, Any] = dict.fromkeys(OBSERVATION_COLUMNS)
    row |= {"source_id": "nato", "indicator": "defence_expenditure_share_gdp", "unit": "percent"}
    return row | {
        "entity": "POL",
        "year": year,
        "edition": edition,
        "value": value,
        "dataset": dataset,
    }


def test_the_rule_is_the_newest_edition_that_has_the_figure() -> None:
    from alliance.observations import newest_per_figure

    rows = [
        _row("2024-06", 4.12),
        _row("2025-08", 3.79),
        _row("2024-06", 1.95, 2014),
        _row("2025-08", None, 2014),  # the newer edition has no figure: the older one's stands
        _row("2025-08", None, 2026),  # no edition has one: the newest row keeps its reason
        _row("2024-06", None, 2026),
        _row("2025-08", 4.48, 2025, "b"),
        _row("2025-08", 4.47, 2025, "a"),  # one edition, two files: the first by name
    ]
    assert newest_per_figure(rows) == [rows[1], rows[2], rows[4], rows[7]]
