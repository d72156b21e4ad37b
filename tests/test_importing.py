"""Imports land whole as a new edition or change nothing; the same file twice is recognised."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from alliance import store
from alliance.errors import AllianceError, InvalidFileError, UnknownEditionError
from alliance.importing import diff_editions, import_file, remove_edition
from alliance.observations import observations

from conftest import reference_file

WB_GDP = "worldbank/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_9865.csv"


def revised_world_bank_file(tmp_path: Path, date: str = "2027-01-15") -> Path:
    """The real 2024-10-24 WDI GDP file, re-dated, with Germany 2023 revised to 4,500 bn."""
    text = reference_file(WB_GDP).read_text(encoding="utf-8-sig")
    text = text.replace('"Last Updated Date","2024-10-24"', f'"Last Updated Date","{date}"')
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith('"Germany","DEU"'):
            assert line.endswith('"4456081016705.96",')  # the 2023 column, then a trailing comma
            lines[index] = line.replace('"4456081016705.96"', '"4500000000000"')
    path = tmp_path / f"API_NY.GDP.MKTP.CD_DS2_en_csv_v2_{date}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_adds_a_new_edition_and_keeps_the_old(tmp_path: Path) -> None:
    path = revised_world_bank_file(tmp_path)
    summary = import_file(path)
    try:
        assert summary.status == "imported"
        assert summary.edition.edition == "2027-01-15"
        newest = observations(
            "gdp", entities=["DEU"], years=[2023], source="wb", exchange_basis="market"
        )
        assert list(newest["edition"]) == ["2027-01-15"]
        assert float(newest["value"].iloc[0]) == 4.5e12
        older = observations("gdp", entities=["DEU"], years=[2023], edition="2024-10-24")
        assert float(older["value"].iloc[0]) / 1e9 == pytest.approx(4456.1, abs=0.1)
        revisions = diff_editions("wb", "2024-10-24", "2027-01-15", min_change=1.0)
        assert list(revisions["entity"]) == ["DEU"]
        again = import_file(path)
        assert again.status == "already stored"
    finally:
        remove_edition("wb", "2027-01-15")
    with pytest.raises(UnknownEditionError):
        observations("gdp", entities=["DEU"], edition="2027-01-15")


def stored_state() -> tuple[str, list[str], list[tuple[object, ...]]]:
    """The store's key, the import files and the editions a query sees."""
    # A killed import may leave a hidden partial file; no reader ever looks at those.
    files = sorted(p.name for p in store.imports_dir().glob("*/[!.]*.parquet"))
    _, editions = store.query("SELECT source_id, edition, dataset FROM editions ORDER BY ALL")
    return store.store_key(), files, editions


def test_dry_run_stores_nothing(tmp_path: Path) -> None:
    before = stored_state()
    summary = import_file(revised_world_bank_file(tmp_path, "2027-02-01"), dry_run=True)
    assert summary.status == "dry run" and summary.rows > 10_000
    assert stored_state() == before


def test_shipped_editions_cannot_be_removed() -> None:
    with pytest.raises(AllianceError, match="ships with the package"):
        remove_edition("nato", "2024-06")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"country,value\nGermany,1\n", "not recognised"),
        (b"PK\x03\x04truncated", "not recognised"),
    ],
)
def test_malformed_files_are_refused_and_change_nothing(
    tmp_path: Path, content: bytes, message: str
) -> None:
    before = stored_state()
    path = tmp_path / "release.xlsx"
    path.write_bytes(content)
    with pytest.raises(InvalidFileError, match=message):
        import_file(path)
    assert stored_state() == before


KILLED_IMPORT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import alliance.store_writer as store_writer
    from alliance.importing import import_file

    stage = sys.argv[2]
    if stage == "writing":
        import pyarrow.parquet as pq
        real = pq.write_table
        def write_half(table, where, **kw):
            real(table.slice(0, len(table) // 2), where, **kw)
            os.kill(os.getpid(), signal.SIGKILL)
        pq.write_table = write_half
    else:
        def die(connection, only_file=None):
            os.kill(os.getpid(), signal.SIGKILL)
        store_writer._validate = die  # killed while checking the written file, before its rename
    import_file(Path(sys.argv[1]))
    """
)


@pytest.mark.parametrize("stage", ["writing", "validating"])
def test_killed_import_leaves_the_store_as_before(tmp_path: Path, stage: str) -> None:
    before = stored_state()
    path = revised_world_bank_file(tmp_path, "2027-03-01")
    script = tmp_path / "kill.py"
    script.write_text(KILLED_IMPORT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script), str(path), stage], env=os.environ.copy(), check=False
    )
    assert result.returncode == -9
    assert stored_state() == before
    frame = observations(
        "gdp", entities=["DEU"], years=[2023], source="wb", exchange_basis="market"
    )
    assert list(frame["edition"]) == ["2026-02-24"]
    assert float(frame["value"].iloc[0]) / 1e9 == pytest.approx(4562.2, abs=0.1)


def test_an_import_is_checked_against_the_store(tmp_path: Path) -> None:
    """Rows that clash with nothing in the file itself but break the store's rules are refused."""
    text = revised_world_bank_file(tmp_path, "2027-04-01").read_text(encoding="utf-8")
    before = stored_state()
    bad = tmp_path / "API_NY.GDP.MKTP.CD_bad.csv"
    bad.write_text(text.replace('"Germany","DEU"', '"Germany","ZZZ"'), encoding="utf-8")
    with pytest.raises(InvalidFileError):
        import_file(bad)
    assert stored_state() == before


def test_diff_shows_nato_revising_2024_between_editions() -> None:
    revisions = diff_editions("nato", "2024-06", "2025-08", min_change=0.05)
    shares = revisions[revisions["indicator"] == "defence_expenditure_share_gdp"]
    by_entity = shares[shares["year"] == 2024].set_index("entity")
    # SOURCES.md: Germany 2.12 -> 2.00, Poland 4.12 -> 3.79, USA 3.38 -> 3.21, Spain 1.28 -> 1.43.
    for entity, before, after in [
        ("DEU", 2.12, 2.00),
        ("POL", 4.12, 3.79),
        ("USA", 3.38, 3.21),
        ("ESP", 1.28, 1.43),
    ]:
        assert round(by_entity.loc[entity, "value_a"], 2) == before
        assert round(by_entity.loc[entity, "value_b"], 2) == after
    assert set(shares["price_basis_a"]) == {"constant_2015"}
    assert set(shares["price_basis_b"]) == {"constant_2021"}
    assert list(revisions["change"].abs()) == sorted(revisions["change"].abs(), reverse=True)
