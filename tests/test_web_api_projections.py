"""Projections and the vs-Russia scenario through the JSON API: the library's answer for the same
arguments, the CLI's for the same question, and the limits a served API needs."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from alliance.cli.app import app
from alliance.web.app import create_app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def test_projection_is_the_librarys_and_the_clis_answer(client: TestClient) -> None:
    from alliance.projections import project

    arguments = {"coalition": "DEU", "path": "pledges", "draws": 2000, "seed": 7}
    answer = client.get("/api/v1/scenarios/projection", params=arguments)
    assert answer.status_code == 200
    rows = answer.json()["rows"]
    library = project("DEU", path="pledges", draws=2000, seed=7).to_dict()["rows"]
    assert rows == json.loads(json.dumps(library))
    cli = CliRunner().invoke(
        app,
        [
            "project",
            "DEU",
            "--path",
            "pledges",
            "--draws",
            "2000",
            "--seed",
            "7",
            "--format",
            "json",
        ],
    )
    assert cli.exit_code == 0, cli.output
    by_year = {r["year"]: r for r in rows if r["entity"] == "DEU"}
    cli_rows = json.loads(cli.stdout)
    cli_rows = cli_rows["rows"] if isinstance(cli_rows, dict) else cli_rows
    for row in cli_rows:
        if row["entity"] == "DEU":
            assert row["p_meet_3_5"] == by_year[row["year"]]["p_meet_3_5"]
    # Germany's pledge: 3.5 % of GDP in 2029 (the federal finance plan's path)
    assert by_year[2029]["path_percent"] == pytest.approx(3.5)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"draws": 10**9}, "draws"),
        ({"draws": 0}, "draws"),
        ({"path": "/etc/passwd"}, "path"),
        ({"path": "../pledges.csv"}, "path"),
        ({"to": 1990}, "to"),
        ({"coalition": "(" * 40 + "NATO" + ")" * 40}, "nest"),
    ],
)
def test_projection_limits_are_a_422(
    client: TestClient, params: dict[str, object], fragment: str
) -> None:
    answer = client.get("/api/v1/scenarios/projection", params=params)
    assert answer.status_code == 422
    assert fragment in answer.json()["error"].lower()


def test_vs_russia_carries_sipris_russia_2024_estimate(client: TestClient) -> None:
    answer = client.get(
        "/api/v1/scenarios/vs-russia", params={"coalition": "NATO-Europe", "draws": 1000}
    )
    assert answer.status_code == 200
    document = answer.json()
    assert document["marked_year"] == 2027
    russia_2024 = [r for r in document["rows"] if r["year"] == 2024 and r["basis"] == "market"]
    # SIPRI's Russia 2024, current US$ m (the shipped SIPRI subset, Current US$ sheet): an estimate
    assert russia_2024[0]["russia_bn"] == pytest.approx(148.967, abs=5e-4)
    assert russia_2024[0]["russia_estimate"] is True
