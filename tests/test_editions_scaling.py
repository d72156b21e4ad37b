"""Queries as imported editions accumulate: the same answer, chosen by the same rule, in DuckDB.

`observations.select` lets DuckDB choose the newest edition per figure (NEWEST_PER_FIGURE_SQL)
so that a query fetches only the rows it returns; `newest_per_figure` is the rule's Python form,
which metrics and the claim checker apply to rows they combine. Both must keep the same rows.

Queries that name no edition read the store's rows and the newest rows of the imports
(`store_newest`) instead of every imported file: with several real workbooks and CSVs stored as
edited editions, every query must give exactly what reading every edition gives, and the rows
the layer keeps must be those the rule keeps over every file, whatever a query filters.
Timings live in bench/bench_editions.py, never here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import math
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alliance
from alliance import store_imports, store_newest
from alliance.errors import InvalidFileError, UnknownEditionError
from alliance.importing import import_file, parse_file, remove_edition
from alliance.observations import NEWEST_PER_FIGURE_SQL, Query, newest_per_figure, select
from alliance.schema import INDICATORS, OBSERVATION_COLUMNS
from alliance.store import (
    connect,
    home,
    imported_files,
    imports_dir,
    open_store,
    shared_connection,
)

if TYPE_CHECKING:
    from alliance.sources import ParsedFile

from conftest import reference_file, write_import_file

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


# --- the newest rows of the imports (store_newest), as queries without an edition read them -----

SIPRI_FULL = "sipri/SIPRI-Milex-data-1949-2024_2.xlsx"
WB_GDP = "worldbank/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_32.csv"
OBSERVATIONS_MODULE = importlib.import_module("alliance.observations")


def _edited(table: pa.Table, edition: str, change: Callable[[dict[str, Any]], bool]) -> pa.Table:
    """`table` as `edition`: each row given to `change`, which edits it and says whether to keep
    it (dropped rows are figures the edition lacks)."""
    rows = []
    for row in table.to_pylist():
        row["edition"] = edition
        if change(row):
            rows.append(row)
    return pa.Table.from_pylist(rows, schema=table.schema)


def _no_value(row: dict[str, Any]) -> None:
    row["value"], row["missing"] = None, "no_data"


def _newest_sipri(row: dict[str, Any]) -> bool:
    """The newest SIPRI edition: revised values, no figure for Germany (an older edition's
    stands), France's 2024 rows gone, and the USA's constant prices on a new base year."""
    if row["entity"] == "FRA" and row["year"] == 2024:
        return False
    if row["entity"] == "DEU":
        _no_value(row)
    elif row["value"] is not None:
        row["value"] *= 1.1
    if row["entity"] == "USA" and row["price_basis"] == "constant_2023":
        row["price_basis"] = "constant_2024"
    return True


def _middle_sipri(row: dict[str, Any]) -> bool:
    if row["value"] is not None:
        row["value"] += 1.0
    return True


def _newest_gdp(row: dict[str, Any]) -> bool:
    if row["entity"] == "POL":
        _no_value(row)
    elif row["value"] is not None:
        row["value"] *= 0.9
    return True


def _store(parsed: ParsedFile, edition: str, change: Callable[[dict[str, Any]], bool]) -> None:
    record = dataclasses.replace(parsed.edition.with_origin("imported"), edition=edition)
    store_imports.write_import(record, _edited(parsed.table, edition, change))


@pytest.fixture(scope="module")
def several_editions() -> Iterator[None]:
    """Three SIPRI editions of the full workbook and two of the World Bank's GDP, stored out of
    order, each with other values; removed afterwards."""
    sipri = parse_file(reference_file(SIPRI_FULL), "sipri", edition="2027-04")
    gdp = parse_file(reference_file(WB_GDP), "wb")
    stored = [("sipri", "2029-04"), ("sipri", "2027-04"), ("sipri", "2028-04")]
    stored += [("wb", "2030-01-01"), ("wb", "2030-06-01")]
    try:
        _store(sipri, "2029-04", _newest_sipri)
        _store(sipri, "2027-04", lambda row: True)
        _store(sipri, "2028-04", _middle_sipri)
        _store(gdp, "2030-06-01", _newest_gdp)
        _store(gdp, "2030-01-01", lambda row: True)
        yield
    finally:
        for source, edition in stored:
            with contextlib.suppress(UnknownEditionError):
                remove_edition(source, edition)


def _every_edition(monkeypatch: pytest.MonkeyPatch) -> None:
    """Queries as before the layer: every edition's rows read, the newest chosen from them."""
    monkeypatch.setattr(OBSERVATIONS_MODULE, "_figures", lambda connection, edition: "observations")


def _both_ways(
    monkeypatch: pytest.MonkeyPatch, indicator: str, **options: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    assert OBSERVATIONS_MODULE._figures(shared_connection(), None) == store_newest.VIEW
    newest = alliance.observations(indicator, **options)
    with monkeypatch.context() as patched:
        _every_edition(patched)
        every = alliance.observations(indicator, **options)
    return newest, every


def _assert_same(newest: pd.DataFrame, every: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(newest, every, check_exact=True)
    assert newest.attrs["editions"] == every.attrs["editions"]


def _sources_of(indicator: str) -> list[str | None]:
    rows = shared_connection().execute(
        "SELECT DISTINCT source_id FROM observations WHERE indicator = ? ORDER BY 1", [indicator]
    )
    return [None, *(source for (source,) in rows.fetchall())]


@pytest.mark.usefixtures("several_editions")
def test_every_indicator_and_source_as_every_edition_gives_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for indicator in sorted(INDICATORS):
        for source in _sources_of(indicator):
            _assert_same(*_both_ways(monkeypatch, indicator, source=source))


FILTERS: list[dict[str, Any]] = [
    {"source": "sipri", "price_basis": "constant_2023"},
    {"source": "sipri", "price_basis": "constant_2024"},
    {"source": "sipri", "price_basis": "constant"},
    {"source": "sipri", "price_basis": "current", "currency": "LCU"},
    {"definition": "sipri", "unit": "million"},
    {"entities": ["DEU", "FRA", "USA", "POL"], "years": [2020, 2024]},
    {"entities": ["USA"], "source": "sipri", "years": range(2014, 2025)},
]


@pytest.mark.usefixtures("several_editions")
@pytest.mark.parametrize("options", FILTERS, ids=repr)
def test_filtered_queries_as_every_edition_gives_them(
    monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    newest, every = _both_ways(monkeypatch, "defence_expenditure", **options)
    _assert_same(newest, every)
    assert len(newest) > 0


@pytest.mark.usefixtures("several_editions")
def test_gdp_with_filters_as_every_edition_gives_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for options in ({"source": "wb"}, {"entities": ["POL", "DEU"], "years": [2023, 2024]}):
        _assert_same(*_both_ways(monkeypatch, "gdp", **options))


@pytest.mark.usefixtures("several_editions")
def test_the_rule_still_reaches_into_older_editions() -> None:
    """What each edited edition should give, known from the edits themselves."""
    frame = alliance.observations("defence_expenditure", source="sipri", years=[2024])
    by_entity = frame.groupby("entity")["edition"].agg(set)
    assert by_entity["POL"] == {"2029-04"}  # the newest edition has it
    assert by_entity["DEU"] == {"2028-04"}  # the newest has no value: the next one's stands
    assert by_entity["FRA"] == {"2028-04"}  # the newest lacks the rows
    usa = alliance.observations(
        "defence_expenditure", source="sipri", entities=["USA"], price_basis="constant_2023"
    )
    assert set(usa["edition"]) == {"2028-04"}  # the newest moved to 2024 prices


@pytest.mark.usefixtures("several_editions")
@pytest.mark.parametrize("indicator", sorted(INDICATORS))
def test_each_row_keeps_its_file_and_line(indicator: str) -> None:
    """Every column of the rows kept, the file and line each came from included."""
    connection = shared_connection()
    kept = {
        table: sorted(
            map(
                _key,
                connection.execute(
                    f"SELECT * FROM {table} WHERE indicator = ? QUALIFY {NEWEST_PER_FIGURE_SQL}",
                    [indicator],
                ).fetchall(),
            )
        )
        for table in (store_newest.VIEW, "observations")
    }
    assert kept[store_newest.VIEW] == kept["observations"]
    files = {row[-2] for row in kept["observations"]}  # as repr: see _key
    if indicator == "gdp":  # Poland's figures from the older edition, the others' the newer
        assert {repr(f"2030-{day}__NY.GDP.MKTP.CD.parquet") for day in ("01-01", "06-01")} <= files


@pytest.mark.usefixtures("several_editions")
def test_the_layer_holds_one_row_per_figure_from_the_served_files_only() -> None:
    connection = shared_connection()
    layer_rows = connection.execute("SELECT count(*) FROM newest.observations").fetchone()
    imported = connection.execute(
        "SELECT count(*) FROM observations WHERE file LIKE '%.parquet'"
    ).fetchone()
    assert layer_rows is not None and imported is not None
    assert layer_rows[0] < imported[0] / 2  # five editions stored, about one read
    files = {path for (path,) in connection.execute("SELECT path FROM newest.files").fetchall()}
    assert files == {str(p) for p in imported_files()}


@pytest.mark.usefixtures("several_editions")
def test_the_layer_gives_the_editions_the_files_record() -> None:
    every = "SELECT * FROM editions ORDER BY ALL"
    with connect() as with_layer, open_store(imported_files(), imports_dir()) as from_files:
        assert with_layer.execute("SELECT count(*) FROM newest.editions").fetchone() == (5,)
        assert with_layer.execute(every).fetchall() == from_files.execute(every).fetchall()
    imported = alliance.editions().query("origin == 'imported'")
    expected = ["2027-04", "2028-04", "2029-04", "2030-01-01", "2030-06-01"]
    assert sorted(imported["edition"]) == expected


@pytest.mark.usefixtures("several_editions")
def test_a_file_not_served_never_enters_the_layer(capsys: pytest.CaptureFixture[str]) -> None:
    served = imported_files()
    forged = served[0].with_name("2031-01__milex.parquet")
    shutil.copyfile(served[0], forged)
    try:
        assert forged not in imported_files()  # not written by the importer: ignored
        assert "2031-01__milex.parquet" in capsys.readouterr().err
        layer = store_newest.ensure(home()[0], imported_files())
        assert layer is not None
        with duckdb.connect(str(layer), read_only=True) as connection:
            paths = {p for (p,) in connection.execute("SELECT path FROM files").fetchall()}
        assert str(forged) not in paths and paths == {str(p) for p in served}
    finally:
        forged.unlink()


def _layer_rows(path: Path) -> list[tuple[str, ...]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return sorted(map(_key, connection.execute("FROM observations").fetchall()))


@pytest.mark.usefixtures("several_editions")
def test_a_layer_made_import_by_import_equals_one_made_from_every_file(tmp_path: Path) -> None:
    layer = store_newest.ensure(home()[0], imported_files())
    assert layer is not None
    made_step_by_step = shutil.copyfile(layer, tmp_path / "step-by-step.duckdb")
    layer.unlink()
    remade = store_newest.ensure(home()[0], imported_files())
    assert remade == layer and remade.exists()
    assert _layer_rows(remade) == _layer_rows(made_step_by_step)


@pytest.mark.usefixtures("several_editions")
def test_a_damaged_layer_is_made_again(monkeypatch: pytest.MonkeyPatch) -> None:
    layer = store_newest.ensure(home()[0], imported_files())
    assert layer is not None
    layer.write_bytes(b"not a database" * 1000)
    with connect() as connection:
        assert connection.execute(f"SELECT count(*) FROM {store_newest.VIEW}").fetchone()
    assert _layer_rows(layer)  # opens again, rows inside


def test_removing_the_newest_edition_gives_the_next_ones_figures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Removal remakes the layer from the files left (the removed edition's rows had replaced
    older ones in it). Labels newer than any other test's, so that these editions answer."""
    sipri = parse_file(reference_file(SIPRI_SUBSET), "sipri", edition="2030-04")
    labels = ("2030-04", "2031-04", "2030-10")
    try:
        changes = (lambda row: True, _newest_sipri, _middle_sipri)
        for label, change in zip(labels, changes, strict=True):
            _store(sipri, label, change)
        remove_edition("sipri", "2031-04")
        newest, every = _both_ways(monkeypatch, "defence_expenditure", source="sipri")
        _assert_same(newest, every)
        mine = alliance.observations(
            "defence_expenditure", source="sipri", entities=["DEU", "POL"], years=[2024]
        )
        assert set(mine["edition"]) == {"2030-10"}
        assert ("sipri", "2031-04", "milex") not in newest.attrs["editions"]
    finally:
        for edition in labels:
            with contextlib.suppress(UnknownEditionError):
                remove_edition("sipri", edition)


# --- the layer's rule, on drawn rows in drawn files ----------------------------------------------

_LAYER_ROW = _ROW.map(
    lambda row: {**row, "definition": "nato" if row["dataset"] == "a" else "sipri"}
)
_FILTER = st.sampled_from(
    [
        ("price_basis", "constant_2015"),
        ("price_basis", "constant_2021"),
        ("price_basis", "current"),
        ("definition", "nato"),
        ("definition", "sipri"),
        ("currency", "USD"),
        (None, None),
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_LAYER_ROW, min_size=1, max_size=16), st.integers(1, 3), _FILTER)
def test_the_rule_over_the_layer_keeps_what_it_keeps_over_every_file(
    drawn: list[dict[str, object]], files: int, filter_by: tuple[str | None, str | None]
) -> None:
    unique = {
        (d["edition"], d["dataset"], d["entity"], d["year"], d["price_basis"], d["period"]): d
        for d in drawn
    }
    rows = []
    for values in unique.values():
        row = dict.fromkeys(COLUMNS) | values
        row |= {"source_id": "nato", "indicator": "defence_expenditure_share_gdp"}
        row |= {"unit": "percent"}
        row["missing"] = "no_data" if values["value"] is None else None
        rows.append(tuple(row[c] for c in COLUMNS))
    column, wanted = filter_by
    basis = COLUMNS.index("price_basis")

    def chosen(candidates: list[tuple[object, ...]]) -> list[tuple[str, ...]]:
        kept = [r for r in candidates if column is None or r[COLUMNS.index(column)] == wanted]
        kept.sort(key=lambda r: (r[basis] is None, r[basis] or ""))  # as `select` orders them
        return sorted(map(_key, newest_per_figure(kept, COLUMNS)))

    with tempfile.TemporaryDirectory() as folder:
        paths = [
            write_import_file(rows[number::files], Path(folder) / f"part-{number}.parquet")
            for number in range(files)
        ]
        cache = Path(folder) / "cache"
        assert store_newest.ensure(cache, paths[:1]) is not None  # then one file more at a time
        layer = store_newest.ensure(cache, paths)
        assert layer is not None
        with duckdb.connect(str(layer), read_only=True) as connection:
            names = ", ".join(f'"{c}"' for c in COLUMNS)
            in_layer = connection.execute(f"SELECT {names} FROM observations").fetchall()
    assert chosen(in_layer) == chosen(rows)
