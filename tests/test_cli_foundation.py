"""The foundation CLI as a user meets it: tables, formats, and one-line errors with exit code 2."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from alliance.cli.app import app
from alliance.cli.output import OutputFormat, Table, emit

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        from alliance.errors import AllianceError

        if isinstance(result.exception, AllianceError):
            return 2, result.stdout, str(result.exception)
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_members_at_dates_as_json() -> None:
    for day, count in [("2015-01-01", 28), ("2021-01-01", 30), ("2025-01-01", 32)]:
        code, out, _ = run("members", "NATO", "--on", day, "--format", "json")
        assert code == 0
        assert len(json.loads(out)) == count
    code, out, _ = run("members", "EU", "--on", "2019-12-31", "--format", "json")
    assert "GBR" in {r["iso3"] for r in json.loads(out)}


def test_data_show_csv_carries_provenance() -> None:
    code, out, _ = run(
        "data",
        "show",
        "defence-share",
        "--country",
        "Poland",
        "--from",
        "2024",
        "--to",
        "2024",
        "--source",
        "nato",
        "--edition",
        "2024-06",
        "--format",
        "csv",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1
    assert rows[0]["entity"] == "POL" and round(float(rows[0]["value"]), 2) == 4.12
    assert rows[0]["edition"] == "2024-06" and rows[0]["locator"].startswith("TABLE3!")
    assert rows[0]["estimate"] == "True"


def test_data_show_table_names_the_source() -> None:
    code, out, _ = run(
        "data", "show", "defence", "--country", "DEU", "--from", "2014", "--definition", "nato"
    )
    assert code == 0
    assert "Defence Expenditure of NATO Countries" in out
    assert "2024-06" in out


def test_sources_lists_citations() -> None:
    _code, out, _ = run("data", "sources", "--format", "json")
    records = json.loads(out)
    assert {"source_id", "edition", "citation", "licence", "url", "rows"} <= set(records[0])
    assert any(r["source_id"] == "sipri" and "SIPRI" in r["citation"] for r in records)


def test_parquet_output(tmp_path: Path) -> None:
    import pandas as pd

    target = tmp_path / "nato.parquet"
    code, _, _ = run(
        "members", "NATO", "--on", "2025-01-01", "--format", "parquet", "--output", str(target)
    )
    assert code == 0
    assert len(pd.read_parquet(target)) == 32


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("members", "WARSAW_PACT"), "Unknown group"),
        (("data", "show", "gdp", "--country", "Atlantis"), "Unknown country"),
        (("data", "show", "defence", "--source", "nato", "--edition", "1999-01"), "edition"),
        (("data", "show", "defence", "--source", "nato", "--from", "1700"), "outside"),
        (("data", "show", "happiness"), "Unknown indicator"),
        (("sql", "delete from observations"), "read-only"),
        (("members", "NATO", "--on", "2024-13-45"), "Invalid date"),
    ],
)
def test_bad_input_is_one_clear_error(args: tuple[str, ...], fragment: str) -> None:
    code, _, message = run(*args)
    assert code == 2
    assert fragment in message


def test_countries_lists_memberships_on_a_date() -> None:
    code, out, _ = run("countries", "--on", "2019-06-01", "--format", "json")
    assert code == 0
    by_iso3 = {r["iso3"]: r for r in json.loads(out)}
    assert set(by_iso3["GBR"]["groups"].split()) >= {"NATO", "EU"}
    assert "EU" not in by_iso3["NOR"]["groups"].split()
    assert by_iso3["DEU"]["iso2"] == "DE"


def test_groups_name_their_sources() -> None:
    _code, out, _ = run("groups", "--format", "json")
    groups = {r["group"]: r for r in json.loads(out)}
    assert {"NATO", "EU", "JEF", "NB8", "ARCTIC_COUNCIL", "G7"} <= set(groups)
    named = [r for r in groups.values() if r["kind"] == "group"]
    assert all(r["source_url"].startswith("http") for r in named)


def test_sql_answers_with_the_store_tables() -> None:
    code, out, _ = run(
        "sql",
        'select count(*) as allies from memberships where "group" = \'NATO\' and "left" is null',
        "--format",
        "json",
    )
    assert code == 0 and json.loads(out) == [{"allies": 32}]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
            st.one_of(
                st.none(), st.integers(-(10**6), 10**6), st.floats(allow_nan=False, width=32)
            ),
        ),
        max_size=6,
    )
)
def test_json_and_csv_output_round_trip(rows: list[tuple[str, object]]) -> None:
    table = Table(["name", "value"], rows)
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        emit(table, OutputFormat.json)
    assert [tuple(r.values()) for r in json.loads(buffer.getvalue())] == rows
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        emit(table, OutputFormat.csv)
    parsed = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert parsed[0] == ["name", "value"]
    assert [r[0] for r in parsed[1:]] == [name for name, _ in rows]


def test_every_command_is_routed_to_the_module_that_registers_it() -> None:
    from alliance.cli.app import COMMANDS, build_app

    registered = {info.name for info in app.registered_commands if info.name is not None} | {
        info.name for info in app.registered_groups if info.name is not None
    }
    assert registered == set(COMMANDS)
    for command, module in COMMANDS.items():
        lean = build_app([module])
        names = {i.name for i in lean.registered_commands} | {
            i.name for i in lean.registered_groups
        }
        assert command in names, (command, module)


def test_a_data_call_builds_only_its_subcommand_but_help_lists_all() -> None:
    from alliance.cli.app import build_app

    def data_commands(subcommand: str | None) -> set[str | None]:
        (group,) = build_app(["data"], subcommand).registered_groups
        return {info.name for info in group.typer_instance.registered_commands}

    everything = {"show", "sources", "editions", "import", "diff", "remove"}
    assert data_commands("show") == {"show"}
    assert data_commands("--help") == everything
    assert data_commands("shwo") == everything  # so that click can suggest 'show'
    code, _, err = run("data", "shwo")
    assert code == 2 and "Did you mean 'show'" in err


def test_members_accepts_group_names_as_people_write_them() -> None:
    code, out, _ = run("members", "arctic-council", "--on", "2020-01-01", "--format", "json")
    assert code == 0
    assert [r["iso3"] for r in json.loads(out)] == [
        "CAN",
        "DNK",
        "FIN",
        "ISL",
        "NOR",
        "RUS",
        "SWE",
        "USA",
    ]


def test_every_command_has_help_with_an_example() -> None:
    commands = [info.callback for info in app.registered_commands]
    commands += [
        info.callback
        for group in app.registered_groups
        for info in group.typer_instance.registered_commands
    ]
    undocumented = [
        c.__name__ for c in commands if c is None or "Example:" not in (c.__doc__ or "")
    ]
    assert not undocumented
