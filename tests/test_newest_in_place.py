"""The newest-rows layer changed in place (`store_newest`): a file added or removed changes only
the groups it decides, and the layer is row for row the one made from every file, and the one
the edition rule (`newest_per_figure`) keeps over the files' rows.

Files as the importer writes them (one edition of one dataset of one source each) are drawn with
values, NaNs and gaps, then served in a drawn sequence of sets: each step adds and removes files.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance import store_newest, store_trust
from alliance.observations import newest_per_figure
from alliance.schema import OBSERVATION_COLUMNS

from conftest import write_import_file

COLUMNS = list(OBSERVATION_COLUMNS)

_FILE = st.tuples(
    st.sampled_from(["nato", "sipri"]),
    st.sampled_from(["2024-06", "2025-08", "2026-04"]),
    st.sampled_from(["a", "b"]),
)
_FIGURE = st.fixed_dictionaries(
    {
        "entity": st.sampled_from(["DEU", "POL"]),
        "year": st.sampled_from([2023, 2024, 2025]),
        "value": st.one_of(st.none(), st.just(math.nan), st.floats(0, 10, allow_nan=False)),
        "price_basis": st.sampled_from([None, "current", "constant_2021"]),
        "period": st.sampled_from(["calendar", "fiscal"]),
    }
)


def _rows(
    edition: tuple[str, str, str], figures: list[dict[str, object]]
) -> list[tuple[object, ...]]:
    """One row per group (the importer refuses two rows of one key)."""
    source, label, dataset = edition
    unique = {(f["entity"], f["year"], f["price_basis"], f["period"]): f for f in figures}
    rows = []
    for figure in unique.values():
        row = dict.fromkeys(COLUMNS) | figure
        row |= {"source_id": source, "edition": label, "dataset": dataset, "unit": "percent"}
        row |= {"indicator": "defence_expenditure_share_gdp", "definition": source}
        row["missing"] = "no_data" if figure["value"] is None else None
        rows.append(tuple(row[c] for c in COLUMNS))
    return rows


def _key(row: tuple[object, ...]) -> tuple[str, ...]:
    return tuple(repr(v) for v in row)  # NaN compares unequal to itself; its repr does not


def _layer(path: Path) -> tuple[list[tuple[str, ...]], list[tuple[object, ...]]]:
    """(the layer's rows without file and line, its editions' records)."""
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    with duckdb.connect(str(path), read_only=True) as connection:
        rows = connection.execute(f"SELECT {names} FROM observations").fetchall()
        editions = connection.execute("SELECT * FROM editions ORDER BY ALL").fetchall()
    return sorted(map(_key, rows)), editions


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(_FILE, st.lists(_FIGURE, min_size=1, max_size=10)), min_size=2, max_size=5),
    st.lists(st.lists(st.integers(0, 4), min_size=1, max_size=5), min_size=1, max_size=5),
)
def test_a_layer_changed_in_place_is_the_layer_made_from_every_file(
    drawn: list[tuple[tuple[str, str, str], list[dict[str, object]]]],
    steps: list[list[int]],
) -> None:
    files = {edition: figures for edition, figures in drawn}  # no two files of one edition
    with tempfile.TemporaryDirectory() as folder:
        paths, rows = [], {}
        for number, (edition, figures) in enumerate(files.items()):
            path = Path(folder) / f"file-{number}.parquet"
            rows[path] = _rows(edition, figures)
            paths.append(write_import_file(rows[path], path))
        cache = Path(folder) / "cache"
        assert store_newest.ensure(cache, paths[:1]) is not None
        for step in steps:
            served = [paths[i] for i in sorted({i % len(paths) for i in step})]
            entries = [(str(p), tuple(store_trust.signature(p.stat()))) for p in served]
            assert store_newest._plan(cache, entries) is not None  # each file one edition
            changed = store_newest.ensure(cache, served)
            assert changed is not None
            from_every_file = Path(folder) / "every" / "layer.duckdb"
            from_every_file.parent.mkdir(exist_ok=True)
            with duckdb.connect(str(from_every_file)) as connection:
                store_newest._make_from_every_file(connection, [str(p) for p in served])
            assert _layer(changed) == _layer(from_every_file)
            every_row = [row for p in served for row in rows[p]]
            kept = sorted(map(_key, newest_per_figure(every_row, COLUMNS)))
            assert _layer(changed)[0] == kept
            from_every_file.unlink()
