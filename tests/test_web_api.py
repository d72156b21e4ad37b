"""The JSON API against figures known independently: the shipped NATO CSVs, hand arithmetic,
and the CLI answering the same question through its real entry point (one question, one
answer). Also CSV output, errors in the CLI's words, and hostile input (always a 4xx)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alliance.web.app import create_app

DATA = Path(__file__).resolve().parents[1] / "src" / "alliance" / "data" / "observations"
API = "/api/v1"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def shipped_figure(file: str, entity: str, year: int, indicator: str) -> dict[str, str]:
    with (DATA / file).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if (row["entity"], row["year"], row["indicator"]) == (entity, str(year), indicator):
                return row
    raise AssertionError(f"{entity} {year} {indicator} not in {file}")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from alliance.cli.app import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())


def cli_json(*args: str) -> Any:
    done = cli(*args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def records(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return response.json()["records"]


# --- figures -----------------------------------------------------------------------------------


def test_observation_is_the_shipped_nato_figure_and_the_clis(client: TestClient) -> None:
    shipped = shipped_figure(
        "nato/2024-06__tables.csv", "POL", 2024, "defence_expenditure_share_gdp"
    )
    query = "indicator=defence-share&country=POL&source=nato&edition=2024-06&from=2024&to=2024"
    response = client.get(f"{API}/observations?{query}")
    (row,) = records(response)
    assert row["value"] == pytest.approx(float(shipped["value"]))  # 4.12 % in the June 2024 tables
    assert row["estimate"] is True and row["locator"] == shipped["locator"] == "TABLE3!N32"
    assert response.json()["editions"] == [
        {"source_id": "nato", "edition": "2024-06", "dataset": "tables"}
    ]
    assert any("Defence Expenditure of NATO Countries" in n for n in response.json()["notes"])
    (from_cli,) = cli_json(
        "data", "show", "defence-share", "--country", "POL", "--source", "nato",
        "--edition", "2024-06", "--from", "2024", "--to", "2024",
    )  # fmt: skip
    assert from_cli["value"] == row["value"]


def test_targets_rank_the_shipped_figures_as_the_cli_does(client: TestClient) -> None:
    api_rows = records(client.get(f"{API}/targets?year=2025"))
    shipped = shipped_figure(
        "nato/2025-08__share-of-gdp-transcription.csv", "POL", 2025, "defence_expenditure_share_gdp"
    )
    poland = next(r for r in api_rows if r["iso3"] == "POL")
    assert poland["value"] == pytest.approx(float(shipped["value"]))
    assert poland["met"] is True and poland["status"] == "met"
    assert poland["estimate"] is (shipped["estimate"] == "True")
    assert api_rows == cli_json("targets", "--year", "2025")


def test_share_is_part_over_whole_and_matches_the_cli(client: TestClient) -> None:
    query = "expression=NATO %26 EU&of=NATO&metric=gdp&year=2024"
    body = client.get(f"{API}/share?{query}").json()
    (row,) = body["records"]
    assert row["share"] == pytest.approx(row["value"] / row["of_value"])
    assert 0.2 < row["share"] < 0.4  # "only about a quarter" of NATO's GDP
    assert body["editions"] and any(n.startswith("Source:") for n in body["notes"])
    from_cli = cli_json("share", "NATO & EU", "--of", "NATO", "--metric", "gdp", "--year", "2024")
    assert from_cli["share"] == row["share"] and from_cli["edition"] == row["edition"]
    assert len(from_cli["members"]) == 23


def test_aggregate_total_is_the_sum_of_its_members(client: TestClient) -> None:
    query = "expression=NATO - USA&metric=defence&year=2024"
    (total,) = records(client.get(f"{API}/aggregate?{query}"))
    members = records(client.get(f"{API}/aggregate?{query}&members=true"))
    assert len(members) == total["with_data"] == 31
    assert sum(m["value"] for m in members) == pytest.approx(total["value"])
    assert all(isinstance(m["estimate"], bool) for m in members)
    (from_cli,) = cli_json("aggregate", "NATO - USA", "--metric", "defence", "--year", "2024")
    assert from_cli == total


def test_membership_at_a_date(client: TestClient) -> None:
    nato_2014 = records(client.get(f"{API}/groups/NATO/members?on=2014-01-01"))
    assert len(nato_2014) == 28 and "SWE" not in {r["iso3"] for r in nato_2014}
    coalition = records(client.get(f"{API}/coalition?expression=NATO %26 EU&on=2025-12-26"))
    assert len(coalition) == 23
    countries = records(client.get(f"{API}/countries?on=2025-01-01"))
    sweden = next(r for r in countries if r["iso3"] == "SWE")
    assert "NATO" in sweden["groups"].split()


def test_compare_counts_members_on_1_july(client: TestClient) -> None:
    query = "expression=NATO&expression=NATO - USA&metric=defence&from=2014&to=2024"
    rows = records(client.get(f"{API}/compare?{query}"))
    nato = {r["year"]: r for r in rows if r["coalition"] == "NATO"}
    assert nato[2014]["members"] == 28 and nato[2024]["members"] == 32
    assert len(rows) == 22


def test_pledge_path_ends_at_the_pledged_share(client: TestClient) -> None:
    rows = records(client.get(f"{API}/pledges/Germany"))
    path = {r["year"]: r["path_percent"] for r in rows if r["pledge"] == "deu-3.5-2029"}
    assert path[2025] == pytest.approx(2.4) and path[2029] == pytest.approx(3.5)
    assert rows == cli_json("pledge", "DEU")


def test_obligations_for_a_place_and_a_point(client: TestClient) -> None:
    sweden = client.get(f"{API}/obligations?place=Sweden&on=2024-03-06").json()
    article_5 = next(c for c in sweden["clauses"] if c["clause_id"] == "nat-5")
    assert article_5["applies"] == "no"  # the day before Sweden's accession
    sea = client.get(f"{API}/obligations?lat=70.5&lon=2.0&on=2025-06-01").json()
    assert sea["place"]["kind"] == "sea"


def test_claim_file_posted_is_checked_like_the_example(client: TestClient) -> None:
    from alliance.claims import example_path

    text = example_path().read_text(encoding="utf-8")
    posted = client.post(f"{API}/claims/check", content=text.encode())
    assert posted.status_code == 200, posted.text
    example = client.get(f"{API}/claims/example").json()
    verdicts = [c["verdict"] for c in posted.json()["claims"]]
    assert verdicts == [c["verdict"] for c in example["claims"]] and verdicts


def test_scenario_is_the_clis(client: TestClient) -> None:
    body = client.get(f"{API}/scenarios/europe-without-us").json()
    assert body == cli_json("scenario", "europe-without-us")
    assert body["sources"]


def test_csv_is_the_same_table(client: TestClient) -> None:
    as_json = records(client.get(f"{API}/targets?year=2024"))
    response = client.get(f"{API}/targets?year=2024&format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["iso3"] for r in rows] == [r["iso3"] for r in as_json]
    assert rows[0]["value"] == str(as_json[0]["value"])


# --- errors ------------------------------------------------------------------------------------


def test_errors_use_the_clis_words(client: TestClient) -> None:
    response = client.get(f"{API}/pledges/Atlantis")
    assert response.status_code == 404
    done = cli("pledge", "Atlantis")
    assert done.returncode == 2
    assert done.stderr.strip() == f"Error: {response.json()['error']}"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/aggregate?expression=NATO&metric=bogus&year=2024", 422),
        ("/aggregate?expression=XYZ&metric=gdp&year=2024", 422),
        ("/groups/XYZ/members", 404),
        ("/coalition?expression=NATO %26 (EU", 422),
        ("/targets?year=2024&target=nope", 422),
        ("/observations?indicator=gdp&source=nobody", 404),
        ("/observations?indicator=gdp&source=wb&edition=1999-01", 404),
        ("/targets?year=99999", 422),
        ("/targets?year=abc", 422),
        ("/countries?on=2024-02-30", 422),
        ("/countries?on=yesterday", 422),
        ("/groups/NATO/members?on=../../etc", 422),
        ("/obligations?place=Svalbard&lat=1&lon=2", 422),
        ("/obligations?lat=91&lon=0", 422),
        ("/nothing-here", 404),
    ],
)
def test_bad_input_is_a_4xx_with_one_message(client: TestClient, path: str, status: int) -> None:
    response = client.get(API + path)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error"} and response.json()["error"]


# --- hostile input -----------------------------------------------------------------------------


def test_oversized_bodies_are_refused(client: TestClient) -> None:
    big = b"claims: []\n" + b"#" * (300 * 1024)
    assert client.post(f"{API}/claims/check", content=big).status_code == 413

    def streamed() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(300):
            yield b"#" * 1024

    response = client.post(f"{API}/claims/check", content=streamed())
    assert response.status_code == 413
    assert "256 kB" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        b"claims: [",  # not YAML
        b"!!python/object/apply:os.system ['echo pwned']",  # no arbitrary objects
        b"\xff\xfe not utf-8",
        b"",
    ],
)
def test_malformed_claim_files_are_refused(client: TestClient, body: bytes) -> None:
    response = client.post(f"{API}/claims/check", content=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]


def asgi_get(path: str, query: bytes) -> tuple[int, dict[str, Any]]:
    """GET straight through ASGI, for a query longer than HTTP clients agree to send."""
    import asyncio

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    asyncio.run(create_app()(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(body)


def test_a_100_kb_expression_is_a_4xx() -> None:
    expression = "NATO%20%7C%20" * 8_000  # "NATO | " repeated: 100 kB once encoded
    status, body = asgi_get(f"{API}/coalition", f"expression={expression}".encode())
    assert status == 422 and "expression" in body["error"]


@pytest.mark.parametrize(
    "expression",
    [
        "NATO | " * 1_500,  # 10 kB
        "(" * 150 + "NATO" + ")" * 150,  # over the length limit
        "(" * 40 + "NATO" + ")" * 40,  # within it, but nested too deep
        "NATO & EU; DROP TABLE observations",
        "../../../../etc/passwd",
        "\x00NATO",
    ],
)
def test_hostile_expressions_are_a_4xx(client: TestClient, expression: str) -> None:
    for path in ("/coalition", "/aggregate"):
        response = client.get(
            API + path, params={"expression": expression, "metric": "gdp", "year": 2024}
        )
        assert 400 <= response.status_code < 500, response.text


def test_compare_is_capped_in_expressions(client: TestClient) -> None:
    query = "&".join(["expression=NATO"] * 9) + "&metric=gdp&from=2014&to=2024"
    assert client.get(f"{API}/compare?{query}").status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/pledges/..%2F..%2F..%2Fetc%2Fpasswd",
        "/groups/..%2F..%2Fetc/members",
        "/groups/NATO%00/members",
    ],
)
def test_path_tricks_are_a_4xx(client: TestClient, path: str) -> None:
    response = client.get(API + path)
    assert 400 <= response.status_code < 500
    assert "root:" not in response.text


def test_there_is_no_sql_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert paths and not [p for p in paths if "sql" in p.lower()]
    assert all(p.startswith(API) for p in paths)


def test_threads_query_the_store_at_once() -> None:
    """The pages and the API run library calls in a thread pool: DuckDB refuses one connection
    used by two threads at a time, so each thread gets its own cursor of the shared store."""
    from concurrent.futures import ThreadPoolExecutor

    from alliance.observations import observation_records

    def query(year: int) -> int:
        rows = observation_records("defence_expenditure_share_gdp", years=[year], source="nato")
        return len(rows)

    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(query, [2014 + i % 11 for i in range(80)]))
    assert all(counts) and counts[:11] == counts[11:22]


def test_the_store_is_read_only() -> None:
    import duckdb

    from alliance.store import shared_connection

    with pytest.raises(duckdb.Error):
        shared_connection().execute("CREATE TABLE intruder (a INTEGER)")
