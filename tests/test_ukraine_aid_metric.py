"""`aggregate`, `share` and `compare` of Kiel's aid to Ukraine, through the real CLI app, against
sums computed by hand from the Kiel tracker's own country-summary CSVs."""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from alliance.cli.app import app
from alliance.errors import AllianceError

from conftest import reference_file

PERIOD = "24 Jan 2022 – 31 Aug 2024, cumulative"


def kiel_rows(currency: str) -> list[tuple[int, dict[str, str]]]:
    """(line in the file, cells) for every donor of the reference CSV."""
    path = reference_file(f"kiel/kiel_ust_country_summary_{currency}.csv")
    with path.open(encoding="utf-8") as handle:
        return list(enumerate(csv.DictReader(handle), 2))


def eu_sum(column: str, currency: str = "eur") -> float:
    """Kiel's own EU-member flag, summed by hand: the EU's 27 members on 1 July 2024."""
    members = [cells for _, cells in kiel_rows(currency) if cells["eu_member"] == "1"]
    assert len(members) == 27
    return sum(float(cells[column]) for cells in members)


def donor(name: str, column: str, currency: str = "eur") -> float:
    return next(float(c[column]) for _, c in kiel_rows(currency) if c["country"] == name)


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def as_json(*args: str) -> Any:
    return json.loads(invoke(*args, "--format", "json").stdout)


def test_eu_total_commitments_are_kiels_eu27_sum() -> None:
    (record,) = as_json("aggregate", "EU", "--metric", "ukraine_aid", "--year", "2024")
    assert record["value"] == pytest.approx(eu_sum("total_bilateral_commitments__billion"))
    assert record["value"] == pytest.approx(81.33, abs=0.005)
    assert record["unit"] == "billion EUR"
    assert (record["members"], record["with_data"], record["missing"]) == (27, 27, "")
    assert PERIOD in record["definition"]
    assert record["edition"] == "kiel 2024-08-31 (country_summary_eur)"


@pytest.mark.parametrize("kind", ["military", "financial", "humanitarian"])
def test_each_kind_in_euros_and_dollars(kind: str) -> None:
    column = f"{kind}_commitments__billion"
    (eur,) = as_json("aggregate", "EU", "--metric", f"ukraine_aid_{kind}", "--year", "2024")
    assert eur["value"] == pytest.approx(eu_sum(column))
    (usd,) = as_json("aggregate", "EU", "--metric", f"ukraine_aid_{kind}_usd", "--year", "2024")
    assert usd["value"] == pytest.approx(eu_sum(column, "usd"))
    assert usd["unit"] == "billion USD" and "country_summary_usd" in usd["edition"]


def test_members_trace_to_the_kiel_lines() -> None:
    members = as_json(
        "aggregate", "DEU | USA", "--metric", "ukraine_aid_military", "--year", "2024", "--members"
    )
    by_iso = {m["iso3"]: m for m in members}
    rows = {cells["country"]: (line, cells) for line, cells in kiel_rows("eur")}
    for iso3, name in (("DEU", "Germany"), ("USA", "United States")):
        line, cells = rows[name]
        assert by_iso[iso3]["value"] == pytest.approx(float(cells["military_commitments__billion"]))
        assert by_iso[iso3]["locators"] == f"line {line}"


def test_table_title_and_footer_name_the_period_not_a_year() -> None:
    out = invoke("aggregate", "EU", "--metric", "ukraine_aid", "--year", "2024").stdout
    assert out.splitlines()[0] == f"ukraine_aid of EU in {PERIOD} (billion EUR)"
    assert "Source: Trebesch, C. et al., Ukraine Support Tracker" in out
    assert f"data {PERIOD}." in out


def test_share_of_eu_and_us_commitments() -> None:
    document = as_json(
        "share", "EU", "--of", "EU | USA", "--metric", "ukraine_aid", "--year", "2024"
    )
    record = document[0] if isinstance(document, list) else document
    eu = eu_sum("total_bilateral_commitments__billion")
    us = donor("United States", "total_bilateral_commitments__billion")
    assert record["share"] == pytest.approx(eu / (eu + us))
    assert PERIOD in record["definition"]


def test_compare_donors_by_military_commitments() -> None:
    rows = as_json(
        "compare", "EU", "USA", "--metric", "ukraine_aid_military", "--from", "2024", "--to", "2024"
    )
    values = {r["coalition"]: r["value"] for r in rows}
    assert values["EU"] == pytest.approx(eu_sum("military_commitments__billion"))
    assert values["USA"] == pytest.approx(donor("United States", "military_commitments__billion"))


def test_a_year_without_the_cumulative_total_names_the_year_that_has_it() -> None:
    out = invoke("aggregate", "EU", "--metric", "ukraine_aid", "--year", "2023").stdout
    assert f"--year 2024 ({PERIOD})" in out
    (record,) = as_json("aggregate", "EU", "--metric", "ukraine_aid", "--year", "2023")
    assert record["value"] is None and record["with_data"] == 0


@pytest.mark.parametrize(
    ("option", "message"),
    [(("--prices", "constant"), "current prices"), (("--source", "wb"), "only from the Kiel")],
)
def test_choices_kiel_does_not_publish_are_refused(option: tuple[str, str], message: str) -> None:
    result = CliRunner().invoke(
        app, ["aggregate", "EU", "--metric", "ukraine_aid", "--year", "2024", *option]
    )
    assert isinstance(result.exception, AllianceError)
    assert message in str(result.exception)
