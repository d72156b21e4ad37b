"""`make data` (scripts/build_data.py) checks every input before touching the shipped files.

Issue 12: without ../shared the script deleted the 15 shipped observation files, then crashed.
Each test runs the script on a copy of src/alliance/data and compares it byte for byte after.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REFERENCE, REPO, reference_file

SCRIPT = REPO / "scripts" / "build_data.py"
SHIPPED = REPO / "src" / "alliance" / "data"
LIST = REPO / "scripts" / "shipped_files.csv"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(SHIPPED / "observations", copy / "observations")
    shutil.copy(SHIPPED / "editions.csv", copy / "editions.csv")
    return copy


def build(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def assert_refused_untouched(
    done: subprocess.CompletedProcess[str], data: Path, before: dict[str, bytes]
) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "nothing changed" in done.stderr
    assert snapshot(data) == before
    assert not [p for p in data.iterdir() if p.name.startswith(".")], "temporary files left"


def test_a_missing_reference_folder_is_refused_and_nothing_changes(
    data_copy: Path, tmp_path: Path
) -> None:
    before = snapshot(data_copy)
    done = build("--reference", tmp_path / "absent", "--data", data_copy)
    assert_refused_untouched(done, data_copy, before)
    assert "absent" in done.stderr and "15" in done.stderr  # every listed file is missing


def test_a_corrupt_reference_file_is_refused_and_nothing_changes(
    data_copy: Path, tmp_path: Path
) -> None:
    reference = tmp_path / "reference"
    corrupt = reference / "nato" / "240617-def-exp-2024-TABLES-en.xlsx"
    corrupt.parent.mkdir(parents=True, exist_ok=True)
    corrupt.write_bytes(b"PK\x03\x04 this is not a workbook")
    entries = tmp_path / "list.csv"
    lines = LIST.read_text(encoding="utf-8").splitlines()
    kept = [lines[0], *[line for line in lines[1:] if "TABLES" in line]]
    entries.write_text("\n".join(kept) + "\n", encoding="utf-8")
    before = snapshot(data_copy)
    done = build("--reference", reference, "--data", data_copy, "--list", entries)
    assert_refused_untouched(done, data_copy, before)
    assert "240617-def-exp-2024-TABLES-en.xlsx" in done.stderr


@pytest.mark.slow
def test_a_full_build_swaps_in_every_file_and_drops_stale_ones(data_copy: Path) -> None:
    reference_file("SOURCES.md")  # skips without the reference files, fails under CI=true
    stale = data_copy / "observations" / "nato" / "1999-01__stale.csv"
    stale.write_text("left by an old build\n", encoding="utf-8")
    done = build("--reference", REFERENCE, "--data", data_copy)
    assert done.returncode == 0, done.stderr
    shipped = {f"observations/{name}" for name in snapshot(SHIPPED / "observations")}
    assert set(snapshot(data_copy)) == shipped | {"editions.csv"}
    assert len(done.stdout.splitlines()) == len(LIST.read_text(encoding="utf-8").splitlines()) - 1
