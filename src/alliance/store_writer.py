"""Everything that writes the store: the build from the shipped files, the checks every row
passes on load, and the user's imports.

A build goes to a temporary file and is moved into place in one rename: a reader never sees a
half-built store, and a killed build leaves the previous one. An import is one Parquet file per
edition (its `Edition` record in the file's metadata), validated together with the store before
a single rename makes it visible: an import lands whole or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from alliance import store
from alliance.provenance import EDITION_COLUMNS, Edition
from alliance.schema import (
    INDICATORS,
    KEY_COLUMNS,
    OBSERVATION_COLUMNS,
    SHARE_OF_GDP_ABOVE_100,
    UNITS,
)
from alliance.validation import ValidationReport

if TYPE_CHECKING:
    import pyarrow as pa


# --- building ---------------------------------------------------------------------------------


def build(path: Path) -> None:
    """Build the store at `path` from the shipped files; validate it before it goes live."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".building-", suffix=".duckdb", dir=path.parent)
    os.close(handle)
    os.unlink(temporary)
    try:
        # Rows carry their file and line, so their physical order does not matter.
        with duckdb.connect(temporary, config={"preserve_insertion_order": False}) as connection:
            _create_tables(connection)
            _load_reference_tables(connection)
            _load_shipped_observations(connection)
            _count_edition_rows(connection)
            _validate(connection).raise_if_failed()
            connection.execute("CHECKPOINT")
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    _remove_stale_stores(path)


def _remove_stale_stores(current: Path) -> None:
    for old in current.parent.glob("store-*.duckdb"):
        if old != current:
            with contextlib.suppress(OSError):
                old.unlink()


def _columns_sql(columns: dict[str, str]) -> str:
    return ", ".join(f'"{name}" {kind}' for name, kind in columns.items())


def _create_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        f"CREATE TABLE observations ({_columns_sql(OBSERVATION_COLUMNS)}, "
        "file VARCHAR, line BIGINT)"
    )
    connection.execute(f"CREATE TABLE editions ({_columns_sql(EDITION_COLUMNS)}, rows BIGINT)")
    connection.execute(
        "CREATE TABLE countries (iso3 VARCHAR PRIMARY KEY, iso2 VARCHAR, name VARCHAR)"
    )
    connection.execute(
        "CREATE TABLE indicators (indicator VARCHAR PRIMARY KEY, description VARCHAR)"
    )
    connection.executemany("INSERT INTO indicators VALUES (?, ?)", list(INDICATORS.items()))


def _load_reference_tables(connection: duckdb.DuckDBPyConnection) -> None:
    from alliance.countries import countries
    from alliance.memberships import groups, membership_rows

    connection.executemany(
        "INSERT INTO countries VALUES (?, ?, ?)", [(c.iso3, c.iso2, c.name) for c in countries()]
    )
    connection.execute(
        'CREATE TABLE groups ("group" VARCHAR PRIMARY KEY, name VARCHAR, description VARCHAR)'
    )
    connection.executemany(
        "INSERT INTO groups VALUES (?, ?, ?)", [(g.group, g.name, g.description) for g in groups()]
    )
    connection.execute(
        'CREATE TABLE memberships ("group" VARCHAR, iso3 VARCHAR, joined DATE, "left" DATE, '
        "source_url VARCHAR, citation VARCHAR)"
    )
    connection.executemany(
        "INSERT INTO memberships VALUES (?, ?, ?, ?, ?, ?)",
        [(m.group, m.iso3, m.joined, m.left, m.source_url, m.citation) for m in membership_rows()],
    )


def _csv_types(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"


def _load_shipped_observations(connection: duckdb.DuckDBPyConnection) -> None:
    root = store.data_dir()
    editions_file = root / "editions.csv"
    if not editions_file.exists():
        return
    connection.execute(
        "INSERT INTO editions SELECT *, 0 FROM read_csv(?, header=true, "
        f"columns={_csv_types(EDITION_COLUMNS)})",
        [str(editions_file)],
    )
    names = ", ".join(f'"{c}"' for c in OBSERVATION_COLUMNS)
    for path in sorted((root / "observations").glob("*/*.csv")):
        # parallel=false keeps rows in file order, so row_number() is the line in the file.
        connection.execute(
            f"INSERT INTO observations SELECT {names}, ?, row_number() OVER () + 1 "
            "FROM read_csv(?, header=true, parallel=false, "
            f"columns={_csv_types(OBSERVATION_COLUMNS)})",
            [str(path.relative_to(root)), str(path)],
        )


def _count_edition_rows(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        "UPDATE editions e SET rows = (SELECT count(*) FROM observations o WHERE "
        "o.source_id = e.source_id AND o.edition = e.edition AND o.dataset = e.dataset)"
    )


# --- validation on load -----------------------------------------------------------------------

_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    (
        "entity is not a known ISO3 code or a <source>:<CODE> aggregate",
        "entity",
        "an ISO3 code in the countries table",
        "entity NOT LIKE '%:%' AND entity NOT IN (SELECT iso3 FROM countries) "
        "AND entity NOT IN (SELECT code FROM former_states)",
    ),
    (
        "observation whose source edition is not in editions.csv",
        "edition",
        "a (source_id, edition, dataset) listed in editions",
        "NOT EXISTS (SELECT 1 FROM editions e WHERE e.source_id = o.source_id "
        "AND e.edition = o.edition AND e.dataset = o.dataset)",
    ),
    (
        "share of GDP outside [0, 100)",
        "value",
        "0 <= percent of GDP < 100",
        "indicator = 'defence_expenditure_share_gdp' AND unit = 'percent' "
        "AND (value < 0 OR (value >= 100 AND (entity, year) NOT IN (SELECT * FROM above_100)))",
    ),
    (
        "empty value without a reason",
        "value",
        "a number, or missing = no_data | not_existing",
        "value IS NULL AND missing IS NULL",
    ),
    (
        "unknown indicator",
        "indicator",
        "an indicator of alliance.schema.INDICATORS",
        "indicator NOT IN (SELECT indicator FROM indicators)",
    ),
)


def _validate(
    connection: duckdb.DuckDBPyConnection, only_file: str | None = None
) -> ValidationReport:
    """Check the rows of the store (or only those loaded from `only_file`)."""
    report = ValidationReport(file=str(store.data_dir()))
    import pycountry

    connection.execute("CREATE OR REPLACE TEMP TABLE former_states (code VARCHAR)")
    connection.executemany(
        "INSERT INTO former_states VALUES (?)",
        [(c.alpha_3,) for c in pycountry.historic_countries],
    )
    connection.execute("CREATE OR REPLACE TEMP TABLE above_100 (entity VARCHAR, year INTEGER)")
    connection.executemany("INSERT INTO above_100 VALUES (?, ?)", list(SHARE_OF_GDP_ABOVE_100))
    units = ", ".join(f"'{u}'" for u in sorted(UNITS))
    checks = (*_CHECKS, ("unknown unit", "unit", "one of " + units, f"unit NOT IN ({units})"))
    for message, column, expected, condition in checks:
        rows = connection.execute(
            f'SELECT file, line, "{column}" FROM observations o WHERE ({condition}) '
            "AND (? IS NULL OR file = ?) LIMIT 50",
            [only_file, only_file],
        ).fetchall()
        for file, line, value in rows:
            report.add(message, expected=expected, sheet=file, row=line, column=column, value=value)
    keys = ", ".join(KEY_COLUMNS)
    duplicates = connection.execute(
        f"SELECT any_value(file), max(line), any_value(entity) FROM observations "
        f"GROUP BY {keys} HAVING count(*) > 1 AND (? IS NULL OR bool_or(file = ?)) LIMIT 50",
        [only_file, only_file],
    ).fetchall()
    for file, line, entity in duplicates:
        report.add(
            "duplicate observation key",
            expected="one row per key: " + keys,
            sheet=file,
            row=line,
            column="entity",
            value=entity,
        )
    return report


# --- imports ----------------------------------------------------------------------------------


def import_path(edition: Edition) -> Path:
    safe = f"{edition.edition}__{edition.dataset}".replace("/", "_")
    return store.imports_dir() / edition.source_id / f"{safe}.parquet"


def write_import(edition: Edition, observations: pa.Table) -> Path:
    """Validate an imported edition against the store, then make it visible in one rename.

    `observations` has the columns of OBSERVATION_COLUMNS (`alliance.sources.ParsedFile.table`).
    The file is written under a hidden name (ignored by every reader), checked together with the
    store (known countries, no duplicate keys, plausible ranges), and renamed into place.
    """
    import pyarrow.parquet as pq

    table = observations.select(list(OBSERVATION_COLUMNS))
    metadata = {
        **(table.schema.metadata or {}),
        store.EDITION_METADATA_KEY: json.dumps(edition.record()),
    }
    table = table.replace_schema_metadata(metadata)
    target = import_path(edition)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".importing-", suffix=".parquet", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        pq.write_table(table, temporary)
        with store.open_store(
            [*store.imported_files(), temporary], store.imports_dir()
        ) as connection:
            report = _validate(connection, only_file=temporary.name)
        report.file = str(edition.file_name)
        report.raise_if_failed()
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return target


def remove_import(edition: Edition) -> None:
    path = import_path(edition)
    if path.exists():
        path.unlink()


__all__ = ["build", "import_path", "remove_import", "write_import"]
