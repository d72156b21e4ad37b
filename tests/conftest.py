"""Shared test fixtures: a private ALLIANCE_HOME per session, paths to the reference files, the
CLI run in-process, and the rule that CI may not skip."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("ALLIANCE_REFERENCE", REPO.parent / "shared" / "reference-data"))


@pytest.fixture(scope="session", autouse=True)
def alliance_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("alliance-home")
    os.environ["ALLIANCE_HOME"] = str(home)
    return home


def skip_unless_ci(reason: str) -> NoReturn:
    """Skip the test; under CI (`CI=true`) fail it instead: a CI run must not pass without having
    checked what the test checks."""
    if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:
        pytest.fail(f"{reason} (CI=true: nothing may be skipped)", pytrace=False)
    pytest.skip(reason)


def reference_file(relative: str) -> Path:
    """A file in ../shared/reference-data, or skip the test saying which file is absent (fail
    under CI: a run that skipped the tests on real files would pass without having checked them).
    """
    path = REFERENCE / relative
    if not path.exists():
        skip_unless_ci(f"reference file not present: {path}")
    return path


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the real entry point `alliance.cli.app.main`, in-process
    under CliRunner's isolation; bytes that are not UTF-8 are shown replaced."""
    from alliance.cli.app import main

    monkeypatch.setattr("sys.argv", ["alliance", *args])
    with CliRunner().isolation() as (stdout, stderr, *_):
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        return (
            code,
            stdout.getvalue().decode(errors="replace"),
            stderr.getvalue().decode(errors="replace"),
        )


def write_import_file(rows: list[tuple[object, ...]], path: Path) -> Path:
    """`rows` (in the observation columns' order) as an import file, with its own edition record
    (named after the file) in its metadata, as the importer writes it."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from alliance import store_trust
    from alliance.provenance import Edition
    from alliance.schema import OBSERVATION_COLUMNS, observation_arrow_schema

    columns = {name: [row[i] for row in rows] for i, name in enumerate(OBSERVATION_COLUMNS)}
    record = Edition("nato", path.stem, "drawn", "NATO", "", None, "", "", "", path.name, "")
    schema = observation_arrow_schema().with_metadata(
        {store_trust.EDITION_KEY: json.dumps(record.record())}
    )
    pq.write_table(pa.Table.from_pydict(columns, schema=schema), path)
    return path
