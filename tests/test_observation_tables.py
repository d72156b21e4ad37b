"""Observations as Arrow tables: built without pandas, checked by the schema like pandas frames."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

import pandas as pd
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from alliance.importing import with_edition
from alliance.provenance import Edition
from alliance.schema import OBSERVATION_COLUMNS, observation_arrow_schema, validate_observations
from alliance.sources import ParsedFile, arrays, observation_table
from alliance.validation import ValidationReport

from conftest import reference_file

SUBSET = "sipri/SIPRI-Milex-data-1949-2024_2__SUBSET_NATO-EU-RU-CN-UA_2014-2024.xlsx"

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@given(st.lists(st.one_of(st.none(), texts), max_size=60))
def test_strings_hold_each_value_and_null(values: list[str | None]) -> None:
    for array in (arrays.strings(values), arrays.repeated_strings(values)):
        array.validate(full=True)
        assert array.type == pa.large_string()
        assert array.to_pylist() == values
        assert arrays.present(array).to_pylist() == [value is not None for value in values]
        assert arrays.present(array[1:]).to_pylist() == [v is not None for v in values[1:]]


@given(st.lists(st.one_of(st.none(), texts), min_size=1, max_size=6), st.data())
def test_coded_strings_pick_labels_by_code(labels: list[str | None], data: Any) -> None:
    codes = data.draw(st.lists(st.integers(0, len(labels) - 1), max_size=60))
    array = arrays.coded_strings(codes, labels)
    array.validate(full=True)
    assert array.to_pylist() == [labels[code] for code in codes]


@given(
    st.lists(st.one_of(st.none(), st.floats(allow_nan=False)), max_size=60),
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=60),
    st.lists(st.booleans(), max_size=60),
)
def test_numbers_and_flags(floats: list[float | None], ints: list[int], flags: list[bool]) -> None:
    built = [arrays.floats(floats), arrays.integers(ints), arrays.booleans(flags)]
    for array in built:
        array.validate(full=True)
    assert [array.to_pylist() for array in built] == [floats, ints, flags]
    assert arrays.constant_strings("sipri", 3).to_pylist() == ["sipri"] * 3


def observation(**changes: Any) -> dict[str, Any]:
    row = {
        "source_id": "sipri",
        "edition": "2025-04",
        "dataset": "milex",
        "entity": "DEU",
        "year": 2024,
        "indicator": "defence_expenditure_share_gdp",
        "value": 1.9,
        "unit": "percent",
        "currency": None,
        "price_basis": None,
        "exchange_basis": None,
        "definition": "sipri",
        "period": "calendar",
        "estimate": False,
        "estimate_kind": None,
        "missing": None,
        "note": None,
        "locator": "Share of GDP!AU70",
    }
    return {**row, **changes}


def frame_of(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=list(OBSERVATION_COLUMNS))


def problems(data: object) -> list[tuple[str, str | None, int | None, str | None, str | None]]:
    report = ValidationReport("test")
    validate_observations(data, report)
    return [(p.message, p.sheet, p.row, p.column, p.value) for p in report.problems]


# Each bad row breaks one rule; the expected report is written out by hand, in check order.
BAD_ROWS = [
    observation(),
    observation(entity="KWT", year=1991, value=117.3, locator="Share of GDP!AS190"),  # allowed
    observation(entity="UKR", value=34.5, locator="Share of GDP!AU180"),  # documented outlier
    observation(entity="FRA", value=150.0, locator="Share of GDP!AU60"),
    observation(entity="ITA", value=25.0, locator="Share of GDP!AU75"),
    observation(entity="ESP", value=0.3, unit="fraction", locator="Share of GDP!AU90"),
    observation(entity="POL", unit="furlongs", locator="line 7"),
    observation(entity="Poland", year=2023, locator="Share of GDP!AT80"),
    observation(entity="NLD", value=None, locator="Share of GDP!AU81"),
    observation(),  # the first row again
]
EXPECTED = [
    ("unknown unit", None, 7, "unit", "furlongs"),
    ("malformed entity", "Share of GDP", 80, "AT (entity)", "Poland"),
    ("value is empty without a reason", "Share of GDP", 81, "AU (value)", None),
    ("share of GDP outside [0, 100)", "Share of GDP", 60, "AU (value)", "150.0"),
    (
        "implausible share of GDP for an entity not in the documented outlier list",
        "Share of GDP",
        75,
        "AU (value)",
        "25.0",
    ),
    (
        "implausible share of GDP for an entity not in the documented outlier list",
        "Share of GDP",
        90,
        "AU (value)",
        "0.3",
    ),
    ("duplicate observation key", "Share of GDP", 70, "AU (entity)", "DEU"),
]


def test_schema_reports_the_same_problems_for_a_frame_and_a_table() -> None:
    frame = frame_of(BAD_ROWS)
    assert problems(frame) == EXPECTED
    assert problems(observation_table(frame)) == EXPECTED


def test_problems_come_in_table_order_across_scan_batches() -> None:
    # More rows than one scan batch; the problems sit in different batches.
    rows = [
        observation(entity=f"sipri:E{line}", locator=f"line {line}") for line in range(1, 20_001)
    ]
    for line in (17_000, 3, 9_000):
        rows[line - 1]["unit"] = "furlongs"
    rows[19_999] = {**rows[4], "locator": "line 20000"}  # the key of line 5 again
    assert problems(observation_table(frame_of(rows))) == [
        ("unknown unit", None, 3, "unit", "furlongs"),
        ("unknown unit", None, 9_000, "unit", "furlongs"),
        ("unknown unit", None, 17_000, "unit", "furlongs"),
        ("duplicate observation key", None, 20_000, "entity", "sipri:E5"),
    ]


def test_a_table_without_a_column_is_refused_column_by_column() -> None:
    table = observation_table(frame_of([observation()])).drop_columns(["unit", "locator"])
    assert problems(table) == [
        ("column missing from observations", None, None, "unit", None),
        ("column missing from observations", None, None, "locator", None),
    ]


def edition(edition_id: str) -> Edition:
    return Edition(
        source_id="sipri",
        edition=edition_id,
        dataset="milex",
        publisher="SIPRI",
        title="test",
        published=edition_id,
        url="https://www.sipri.org/databases/milex",
        licence="test",
        citation="test",
        file_name="test.xlsx",
        sha256="0" * 64,
    )


def test_parsed_file_keeps_a_pandas_importers_frame_and_relabels_its_table() -> None:
    frame = frame_of([observation(), observation(entity="FRA")])
    parsed = ParsedFile.from_frame(edition("2025-04"), frame, ValidationReport("test"))
    assert parsed.observations is frame
    assert parsed.table.schema == observation_arrow_schema()
    relabelled = with_edition(parsed, "2025-05")
    assert relabelled.table.column("edition").to_pylist() == ["2025-05", "2025-05"]
    assert list(relabelled.observations["edition"]) == ["2025-05", "2025-05"]
    assert list(relabelled.observations["entity"]) == ["DEU", "FRA"]
    assert parsed.observations["edition"].tolist() == ["2025-04", "2025-04"]


NO_PANDAS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import alliance.cli.app
    from alliance.importing import import_file

    summary = import_file(Path(sys.argv[1]), dry_run=True)
    print(summary.rows, summary.estimates, "pandas" in sys.modules)
    """
)


def test_importing_a_sipri_workbook_never_imports_pandas() -> None:
    path = reference_file(SUBSET)
    result = subprocess.run(
        [sys.executable, "-c", NO_PANDAS, str(path)],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    rows, estimates, pandas_imported = result.stdout.split()
    assert (int(rows), pandas_imported) == (3308, "False")  # 3,308 figures in the SUBSET
    assert int(estimates) > 0
