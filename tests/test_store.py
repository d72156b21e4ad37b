"""The store: shipped figures equal the official files; editions side by side; load checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from alliance import store, store_writer
from alliance.errors import (
    InvalidFileError,
    UnknownCountryError,
    UnknownEditionError,
    UnknownSourceError,
    YearOutOfRangeError,
)
from alliance.observations import Query, observations, select
from alliance.schema import OBSERVATION_COLUMNS


def one_value(frame, **equal) -> float:
    rows = frame
    for column, value in equal.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, rows
    return float(rows["value"].iloc[0])


def test_every_shipped_edition_has_rows_and_provenance() -> None:
    _columns, rows = store.query(
        "SELECT source_id, edition, dataset, rows, citation, url, sha256 FROM editions"
    )
    assert {r[0] for r in rows} >= {"nato", "sipri", "wb", "imf", "fed", "kiel"}
    for source_id, edition, dataset, count, citation, url, sha256 in rows:
        assert count > 0, (source_id, edition, dataset)
        assert citation and url and len(sha256) == 64


def test_nato_june_2024_germany_matches_table_2_and_3() -> None:
    spending = observations(
        "defence_expenditure", entities=["DEU"], years=[2024], source="nato", edition="2024-06"
    )
    usd = one_value(spending, currency="USD", price_basis="current")
    assert usd == pytest.approx(97_685.6, abs=0.05)
    share = observations(
        "defence_expenditure_share_gdp", entities=["Germany"], years=[2024], edition="2024-06"
    )
    row = share[share["source_id"] == "nato"]
    assert round(float(row["value"].iloc[0]), 2) == 2.12
    assert bool(row["estimate"].iloc[0]) is True
    assert row["locator"].iloc[0].startswith("TABLE3!")


def test_sipri_russia_2024_is_an_estimate() -> None:
    frame = observations(
        "defence_expenditure", entities=["RUS"], years=[2024], source="sipri", currency="USD"
    )
    current = frame[frame["price_basis"] == "current"]
    assert float(current["value"].iloc[0]) == pytest.approx(148_967.3, abs=0.05)
    assert bool(current["estimate"].iloc[0]) is True


def test_newest_edition_is_used_unless_one_is_named() -> None:
    newest = observations(
        "defence_expenditure_share_gdp", entities=["POL"], years=[2024], source="nato"
    )
    assert list(newest["edition"]) == ["2025-08"]
    assert round(float(newest["value"].iloc[0]), 2) == 3.79
    older = observations(
        "defence_expenditure_share_gdp",
        entities=["POL"],
        years=[2024],
        source="nato",
        edition="2024-06",
    )
    assert round(float(older["value"].iloc[0]), 2) == 4.12
    assert newest.attrs["editions"] == [("nato", "2025-08", "share-of-gdp-transcription")]


def test_a_newer_edition_supersedes_only_the_same_kind_of_figure() -> None:
    from alliance.observations import newest_per_figure

    columns = list(OBSERVATION_COLUMNS)

    def row(edition: str, price_basis: str, currency: str) -> tuple[object, ...]:
        values = dict.fromkeys(columns)
        values |= {"source_id": "nato", "indicator": "defence_expenditure", "unit": "million"}
        values |= {"edition": edition, "price_basis": price_basis, "currency": currency}
        return tuple(values[c] for c in columns)

    rows = [
        row("2024-06", "constant_2015", "USD"),  # superseded by 2021 prices in 2025-08
        row("2025-08", "constant_2021", "USD"),
        row("2024-06", "current", "USD"),  # 2025-08 has no current-price figure: kept
        row("2025-08", "current", "EUR"),
    ]
    assert newest_per_figure(rows, columns) == rows[1:]


def test_years_are_checked_against_the_whole_selection() -> None:
    # NATO 2024-06 tables run 2014-2024; the 2025-08 share transcription to 2025.
    last = select(Query("defence_expenditure", entities=("DEU",), source="nato", last_year=2024))
    assert max(r[last.columns.index("year")] for r in last.rows) == 2024
    with pytest.raises(YearOutOfRangeError, match="2030"):
        select(Query("defence_expenditure", entities=("DEU",), source="nato", last_year=2030))
    with pytest.raises(YearOutOfRangeError, match="2013"):
        select(Query("defence_expenditure", source="nato", first_year=2013, last_year=2020))


def test_gdp_vintages_stay_apart() -> None:
    frame = observations(
        "gdp", entities=["DEU"], years=[2023], source="wb", exchange_basis="market"
    )
    assert list(frame["edition"]) == ["2026-02-24"]
    assert float(frame["value"].iloc[0]) / 1e9 == pytest.approx(4562.2, abs=0.1)
    old = observations("gdp", entities=["DEU"], years=[2023], source="wb", edition="2024-10-24")
    assert float(old["value"].iloc[0]) / 1e9 == pytest.approx(4456.1, abs=0.1)


def test_bad_queries_name_what_is_accepted() -> None:
    with pytest.raises(UnknownEditionError, match="2024-06"):
        select(Query("defence_expenditure", source="nato", edition="1999-01"))
    with pytest.raises(UnknownSourceError, match="nato"):
        select(Query("defence_expenditure", source="rand"))
    with pytest.raises(YearOutOfRangeError, match="2014"):
        select(Query("defence_expenditure", source="nato", first_year=1850))
    with pytest.raises(UnknownCountryError):
        observations("gdp", entities=["Atlantis"])


def test_store_refuses_a_shipped_file_with_a_bad_row(tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data"
    shutil.copytree(store.data_dir(), data)
    target = next((data / "observations" / "nato").glob("2024-06__tables.csv"))
    lines = target.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    fields = lines[5].split(",")
    fields[header.index("entity")] = "ZZZ"
    lines[5] = ",".join(fields)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(store, "data_dir", lambda: data)
    with pytest.raises(InvalidFileError) as caught:
        store_writer.build(tmp_path / "store.duckdb", data)
    problem = caught.value.report.problems[0]
    assert problem.sheet == "observations/nato/2024-06__tables.csv"
    assert problem.row == 6
    assert problem.column == "entity" and problem.value == "ZZZ"
    assert not (tmp_path / "store.duckdb").exists()


def test_python_users_get_a_read_only_duckdb_connection() -> None:
    import duckdb

    import alliance

    connection = alliance.connect()
    rows = connection.execute(
        'SELECT count(*) FROM memberships WHERE "group" = \'EU\' AND "left" IS NULL'
    ).fetchall()
    assert rows == [(27,)]
    with pytest.raises(duckdb.Error):
        connection.execute("DELETE FROM observations")


SHIPPED_OBSERVATION_FILES = sorted(
    path.relative_to(store.data_dir()).as_posix()
    for path in (store.data_dir() / "observations").glob("*/*.csv")
)


def test_every_row_of_every_shipped_file_is_stored_with_its_line() -> None:
    # The build reads the files on two connections at once: none may be missing or doubled.
    import csv

    _columns, rows = store.query(
        "SELECT file, count(*), min(line), max(line), count(DISTINCT line) FROM observations "
        "GROUP BY file"
    )
    stored = {file: tuple(counts) for file, *counts in rows}
    assert len(SHIPPED_OBSERVATION_FILES) > 10
    for name in SHIPPED_OBSERVATION_FILES:
        with (store.data_dir() / name).open(encoding="utf-8", newline="") as handle:
            records = sum(1 for _ in csv.reader(handle)) - 1  # the header is line 1
        assert stored[name] == (records, 2, records + 1, records), name


@pytest.mark.parametrize("name", SHIPPED_OBSERVATION_FILES)
def test_an_unreadable_row_in_any_shipped_file_fails_the_build(name: str, tmp_path: Path) -> None:
    import duckdb

    data = tmp_path / "data"
    shutil.copytree(store.data_dir(), data)
    target = data / name
    lines = target.read_text(encoding="utf-8").splitlines()
    fields = lines[3].split(",")
    fields[lines[0].split(",").index("year")] = "19x1"
    lines[3] = ",".join(fields)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(duckdb.ConversionException, match=r"CSV Error on Line: 4(.|\n)*19x1"):
        store_writer.build(tmp_path / "cache" / "store.duckdb", data, tmp_path / "store.built")
    assert list((tmp_path / "cache").iterdir()) == []
    assert not (tmp_path / "store.built").exists()
