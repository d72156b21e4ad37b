"""Queries as imported editions accumulate: the same answer, chosen by the same rule, in DuckDB.

`observations.select` lets DuckDB choose the newest edition per figure (NEWEST_PER_FIGURE_SQL)
so that a query fetches only the rows it returns; `newest_per_figure` is the rule's Python form,
which metrics and the claim checker apply to rows they combine. Both must keep the same rows.
Timings live in bench/bench_editions.py, never here.
"""

from __future__ import annotations

import dataclasses
import math
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance import store_imports
from alliance.errors import InvalidFileError
from alliance.importing import import_file, parse_file, remove_edition
from alliance.observations import NEWEST_PER_FIGURE_SQL, Query, newest_per_figure, select
from alliance.schema import INDICATORS, OBSERVATION_COLUMNS
from alliance.store import shared_connection

from conftest import reference_file

SIPRI_SUBSET = "sipri/SIPRI-Milex-data-1949-2024_2__SUBSET_NATO-EU-RU-CN-UA_2014-2024.xlsx"
COLUMNS = list(OBSERVATION_COLUMNS)


def _in_duckdb(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    connection = duckdb.connect()
    types = ", ".join(f'"{name}" {kind}' for name, kind in OBSERVATION_COLUMNS.items())
    connection.execute(f"CREATE TABLE observations ({types})")
    marks = ", ".join("?" for _ in COLUMNS)
    connection.executemany(f"INSERT INTO observations VALUES ({marks})", rows)
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    return connection.execute(
        f"SELECT {names} FROM observations QUALIFY {NEWEST_PER_FIGURE_SQL}"
    ).fetchall()


def _key(row: tuple[object, ...]) -> tuple[str, ...]:
    return tuple(repr(v) for v in row)  # NaN compares unequal to itself; its repr does not


_ROW = st.fixed_dictionaries(
    {
        "edition": st.sampled_from(["2024-06", "2025-08", "2026-04"]),
        "dataset": st.sampled_from(["a", "b"]),
        "entity": st.sampled_from(["DEU", "POL"]),
        "year": st.sampled_from([2024, 2025]),
        "value": st.one_of(st.none(), st.just(math.nan), st.floats(0, 10, allow_nan=False)),
        "price_basis": st.sampled_from([None, "current", "constant_2015", "constant_2021"]),
        "currency": st.sampled_from([None, "USD"]),
        "period": st.sampled_from(["calendar", "fiscal"]),
    }
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=14))
def test_duckdb_keeps_the_rows_the_python_rule_keeps(
    drawn: list[dict[str, object]],
) -> None:
    # One row per key (the store refuses duplicates): the key includes edition, dataset, entity,
    # year, price basis and period, and not the currency, so currency follows the rest.
    unique = {
        (d["edition"], d["dataset"], d["entity"], d["year"], d["price_basis"], d["period"]): d
        for d in drawn
    }
    rows = []
    for values in unique.values():
        row = dict.fromkeys(COLUMNS) | values
        row |= {"source_id": "nato", "indicator": "defence_expenditure_share_gdp"}
        row |= {"unit": "percent", "exchange_basis": None}
        row["missing"] = "no_data" if values["value"] is None else None
        rows.append(tuple(row[c] for c in COLUMNS))
    # In the order `select` reads them: between base years, the rule keeps the first row.
    basis = COLUMNS.index("price_basis")
    rows.sort(key=lambda r: (r[basis] is None, r[basis] or ""))
    expected = sorted(map(_key, newest_per_figure(rows, COLUMNS)))
    assert sorted(map(_key, _in_duckdb(rows))) == expected


@pytest.mark.parametrize("indicator", sorted(INDICATORS))
def test_every_shipped_figure_is_chosen_as_the_python_rule_chooses(indicator: str) -> None:
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    every_edition = (
        shared_connection()
        .execute(
            f"SELECT {names} FROM observations WHERE indicator = ? ORDER BY price_basis",
            [indicator],
        )
        .fetchall()
    )
    chosen = select(Query(indicator)).rows
    assert sorted(map(_key, chosen)) == sorted(map(_key, newest_per_figure(every_edition, COLUMNS)))


def _sipri_copy(original: Path, folder: Path, number: int) -> Path:
    """The same workbook under another checksum (only the zip comment differs)."""
    target = folder / f"sipri-{number}.xlsx"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            copy.writestr(item, source.read(item.filename))
        copy.comment = f"copy {number}".encode()
    return target


def _figures(selection_rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Each row without its edition: what a reader sees of the figure itself."""
    edition = COLUMNS.index("edition")
    return sorted((*r[:edition], *r[edition + 1 :]) for r in selection_rows)


def test_same_rows_with_one_or_many_imported_editions(tmp_path: Path) -> None:
    subset = reference_file(SIPRI_SUBSET)
    query = Query("defence_expenditure", source="sipri")
    labels = ["2027-04", "2029-04", "2026-04", "2028-04"]  # imported out of order
    try:
        import_file(_sipri_copy(subset, tmp_path, 0), "sipri", edition=labels[0])
        one = select(query)
        assert {e[1] for e in one.editions} == {labels[0]}
        for number, label in enumerate(labels[1:], start=1):
            import_file(_sipri_copy(subset, tmp_path, number), "sipri", edition=label)
        many = select(query)
        assert {e[1] for e in many.editions} == {"2029-04"}  # the newest, whatever the order
        assert _figures(many.rows) == _figures(one.rows)
        assert len(many.rows) == len(one.rows) > 1000
    finally:
        for label in labels:
            remove_edition("sipri", label)


def test_an_older_edition_still_gives_what_the_newest_lacks() -> None:
    parsed = parse_file(reference_file(SIPRI_SUBSET), "sipri", edition="2027-04")
    parsed = dataclasses.replace(parsed, edition=parsed.edition.with_origin("imported"))
    newer = dataclasses.replace(parsed.edition, edition="2028-04", sha256="0" * 64)
    table = parsed.table
    germany = [entity == "DEU" for entity in table["entity"].to_pylist()]
    changes = {
        "value": [
            None if g else v for g, v in zip(germany, table["value"].to_pylist(), strict=True)
        ],
        "missing": [
            "no_data" if g else m
            for g, m in zip(germany, table["missing"].to_pylist(), strict=True)
        ],
        "edition": ["2028-04"] * len(table),
    }
    edited = table
    for column, values in changes.items():
        index = edited.schema.get_field_index(column)
        field = edited.schema.field(index)
        edited = edited.set_column(index, field, pa.array(values, field.type))
    try:
        store_imports.write_import(parsed.edition, parsed.table)
        store_imports.write_import(newer, edited)
        chosen = select(Query("defence_expenditure", source="sipri", entities=("DEU", "POL")))
        editions = {(r[COLUMNS.index("entity")], r[COLUMNS.index("edition")]) for r in chosen.rows}
        assert editions == {("DEU", "2027-04"), ("POL", "2028-04")}
        assert all(r[COLUMNS.index("value")] is not None for r in chosen.rows)
    finally:
        remove_edition("sipri", "2027-04")
        remove_edition("sipri", "2028-04")


def test_an_import_is_checked_against_the_edition_it_would_replace() -> None:
    parsed = parse_file(reference_file(SIPRI_SUBSET), "sipri", edition="2027-04")
    record = parsed.edition.with_origin("imported")
    try:
        store_imports.write_import(record, parsed.table)
        with pytest.raises(InvalidFileError, match="duplicate observation key"):
            store_imports.write_import(record, parsed.table)
        assert len(select(Query("defence_expenditure", source="sipri", edition="2027-04")).rows)
    finally:
        remove_edition("sipri", "2027-04")
