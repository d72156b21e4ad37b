"""Group memberships at dates, against independently known counts, and the loader's validation."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance.countries import countries
from alliance.errors import InvalidFileError, UnknownGroupError
from alliance.memberships import (
    groups,
    groups_of,
    is_member,
    load_tables,
    member_count,
    members,
    membership_rows,
)

ALL_ISO3 = {c.iso3 for c in countries()}
DATES = st.dates(min_value=date(1940, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize(
    ("group", "on", "count"),
    [
        ("NATO", date(1949, 8, 23), 0),
        ("NATO", date(1949, 12, 31), 12),
        ("NATO", date(2015, 1, 1), 28),
        ("NATO", date(2018, 1, 1), 29),
        ("NATO", date(2021, 1, 1), 30),
        ("NATO", date(2023, 6, 1), 31),
        ("NATO", date(2025, 1, 1), 32),
        ("EU", date(1960, 1, 1), 6),
        ("EU", date(2000, 1, 1), 15),
        ("EU", date(2019, 12, 31), 28),
        ("EU", date(2020, 1, 31), 28),
        ("EU", date(2020, 2, 1), 27),
        ("JEF", date(2025, 1, 1), 10),
        ("NB8", date(2025, 1, 1), 8),
        ("ARCTIC_COUNCIL", date(2025, 1, 1), 8),
        ("G7", date(2025, 1, 1), 7),
    ],
)
def test_member_counts_at_dates(group: str, on: date, count: int) -> None:
    assert member_count(group, on) == count


def test_sweden_joined_nato_on_7_march_2024() -> None:
    assert not is_member("SWE", "NATO", date(2024, 3, 6))
    assert is_member("SWE", "NATO", date(2024, 3, 7))
    assert "SWE" not in members("NATO", date(2024, 3, 6))


def test_the_uk_was_in_the_eu_until_the_end_of_31_january_2020() -> None:
    assert is_member("United Kingdom", "EU", date(2020, 1, 31))
    assert not is_member("UK", "EU", date(2020, 2, 1))


def test_west_germany_joined_nato_on_6_may_1955() -> None:
    assert not is_member("DEU", "NATO", date(1955, 5, 5))
    assert is_member("Germany", "NATO", date(1955, 5, 6))


def test_france_never_left_nato() -> None:
    for year in range(1950, 2026):
        assert is_member("FRA", "NATO", date(year, 1, 1))


def test_23_eu_states_are_in_nato_in_2025() -> None:
    on = date(2025, 7, 1)
    both = set(members("EU", on)) & set(members("NATO", on))
    assert len(both) == 23
    assert set(members("EU", on)) - both == {"AUT", "CYP", "IRL", "MLT"}


def test_members_are_sorted_iso3_codes_and_default_to_today() -> None:
    nato = members("NATO")
    assert nato == sorted(nato)
    assert nato == members("NATO", date.today())


def test_group_names_are_matched_loosely() -> None:
    assert members("nato", date(2025, 1, 1)) == members("NATO", date(2025, 1, 1))
    assert members("Arctic Council", date(2025, 1, 1)) == members("arctic-council")


def test_unknown_group_names_the_accepted_groups() -> None:
    with pytest.raises(UnknownGroupError) as caught:
        members("Warsaw Pact")
    message = str(caught.value)
    assert "Warsaw Pact" in message
    for group in ("NATO", "EU", "JEF", "NB8", "ARCTIC_COUNCIL", "G7"):
        assert group in message


def test_groups_of_a_country_at_a_date() -> None:
    assert groups_of("Sweden", date(2024, 3, 6)) == ["EU", "JEF", "NB8", "ARCTIC_COUNCIL"]
    assert groups_of("Sweden", date(2024, 3, 7)) == ["NATO", "EU", "JEF", "NB8", "ARCTIC_COUNCIL"]
    assert groups_of("GBR", date(2019, 6, 1)) == ["NATO", "EU", "JEF", "G7"]
    assert groups_of("Japan", date(1970, 1, 1)) == []


def test_required_groups_are_described_and_cited() -> None:
    shipped = {g.group: g for g in groups()}
    assert {"NATO", "EU", "JEF", "NB8", "ARCTIC_COUNCIL", "G7"} <= set(shipped)
    for group in shipped.values():
        assert group.name and group.description and group.citation
        assert group.source_url.startswith("https://")


def test_every_membership_row_is_cited_and_dated() -> None:
    rows = membership_rows()
    assert rows
    for row in rows:
        assert row.citation and row.source_url.startswith(("https://", "http://"))
        assert row.left is None or row.joined < row.left
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].iso3 = "XXX"  # type: ignore[misc]


def test_only_the_uk_has_left_a_group() -> None:
    assert [(r.group, r.iso3, r.left) for r in membership_rows() if r.left] == [
        ("EU", "GBR", date(2020, 2, 1))
    ]


@given(DATES)
def test_members_are_known_countries(on: date) -> None:
    for group in groups():
        assert set(members(group.group, on)) <= ALL_ISO3


@given(DATES, st.integers(min_value=0, max_value=40_000))
def test_no_one_ever_left_nato(on: date, days_later: int) -> None:
    later = on + timedelta(days=days_later)
    assert set(members("NATO", on)) <= set(members("NATO", later))


@given(DATES)
def test_groups_of_agrees_with_members(on: date) -> None:
    for iso3 in ("DEU", "GBR", "SWE", "NOR", "USA", "FIN"):
        for group in groups():
            assert (group.group in groups_of(iso3, on)) == (iso3 in members(group.group, on))


# --- the loader refuses bad files, naming file, row and column

GROUPS_HEADER = "group,name,description,source_url,citation\n"
MEMBERSHIPS_HEADER = "group,iso3,joined,left,source_url,citation\n"
A_GROUP = "TEST,Test group,A group for tests,https://example.org/g,Example source\n"


def _write(tmp_path: Path, groups_text: str, memberships_text: str) -> tuple[Path, Path]:
    groups_path = tmp_path / "groups.csv"
    memberships_path = tmp_path / "memberships.csv"
    groups_path.write_text(groups_text, encoding="utf-8")
    memberships_path.write_text(memberships_text, encoding="utf-8")
    return groups_path, memberships_path


def test_a_valid_pair_of_files_loads(tmp_path: Path) -> None:
    rows = (
        "TEST,FRA,2000-01-01,2005-01-01,https://example.org/a,Cited\n"
        "TEST,FRA,2005-01-01,,https://example.org/b,Rejoined the day it left: no overlap\n"
    )
    tables = load_tables(*_write(tmp_path, GROUPS_HEADER + A_GROUP, MEMBERSHIPS_HEADER + rows))
    assert [g.group for g in tables.groups] == ["TEST"]
    assert [(m.joined, m.left) for m in tables.memberships] == [
        (date(2000, 1, 1), date(2005, 1, 1)),
        (date(2005, 1, 1), None),
    ]


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("TEST,XXX,2000-01-01,,https://example.org,Cited", "iso3", "ISO3"),
        ("TEST,fra,2000-01-01,,https://example.org,Cited", "iso3", "ISO3"),
        ("OTHER,FRA,2000-01-01,,https://example.org,Cited", "group", "group"),
        ("TEST,FRA,2000-13-01,,https://example.org,Cited", "joined", "date"),
        ("TEST,FRA,2000-1-1,,https://example.org,Cited", "joined", "date"),
        ("TEST,FRA,01/01/2000,,https://example.org,Cited", "joined", "date"),
        ("TEST,FRA,2000-01-01,2000-01-01,https://example.org,Cited", "left", "after"),
        ("TEST,FRA,2000-01-01,1999-01-01,https://example.org,Cited", "left", "after"),
        ("TEST,FRA,2000-01-01,,,Cited", "source_url", "source"),
        ("TEST,FRA,2000-01-01,,https://example.org,", "citation", "citation"),
    ],
)
def test_a_bad_membership_row_is_refused(
    tmp_path: Path, row: str, column: str, fragment: str
) -> None:
    paths = _write(tmp_path, GROUPS_HEADER + A_GROUP, MEMBERSHIPS_HEADER + row + "\n")
    with pytest.raises(InvalidFileError) as caught:
        load_tables(*paths)
    report = caught.value.report
    assert report.file == str(paths[1])
    assert [(p.row, p.column) for p in report.problems] == [(2, column)]
    assert fragment in report.problems[0].message + report.problems[0].expected


def test_overlapping_rows_for_one_state_are_refused(tmp_path: Path) -> None:
    rows = (
        "TEST,FRA,2000-01-01,,https://example.org,Cited\n"
        "TEST,DEU,2000-01-01,,https://example.org,Cited\n"
        "TEST,FRA,2010-01-01,,https://example.org,Cited twice\n"
    )
    with pytest.raises(InvalidFileError) as caught:
        load_tables(*_write(tmp_path, GROUPS_HEADER + A_GROUP, MEMBERSHIPS_HEADER + rows))
    (problem,) = caught.value.report.problems
    assert problem.row == 4
    assert "row 2" in problem.message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    rows = "TEST,XXX,2000-01-01,,https://example.org,Cited\nTEST,FRA,2000-02-30,,,\n"
    with pytest.raises(InvalidFileError) as caught:
        load_tables(*_write(tmp_path, GROUPS_HEADER + A_GROUP, MEMBERSHIPS_HEADER + rows))
    found = [(p.row, p.column) for p in caught.value.report.problems]
    assert found == [(2, "iso3"), (3, "joined"), (3, "source_url"), (3, "citation")]
    assert "and 3 more problems" in str(caught.value)


@pytest.mark.parametrize(
    ("groups_text", "row", "column"),
    [
        (GROUPS_HEADER + A_GROUP + A_GROUP, 3, "group"),
        (GROUPS_HEADER + "nato,NATO,Lower-case id,https://example.org,Cited\n", 2, "group"),
        (GROUPS_HEADER + "TEST,Test,,https://example.org,Cited\n", 2, "description"),
        (GROUPS_HEADER + "TEST,Test,Described,https://example.org,\n", 2, "citation"),
        ("group,name\nTEST,Test\n", 1, None),
    ],
)
def test_a_bad_groups_file_is_refused(
    tmp_path: Path, groups_text: str, row: int, column: str | None
) -> None:
    paths = _write(tmp_path, groups_text, MEMBERSHIPS_HEADER)
    with pytest.raises(InvalidFileError) as caught:
        load_tables(*paths)
    report = caught.value.report
    assert report.file == str(paths[0])
    assert [(p.row, p.column) for p in report.problems] == [(row, column)]
