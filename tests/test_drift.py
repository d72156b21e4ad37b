"""Drift: every shipped figure is what its importer reads today from the listed official file.

Each file in `scripts/shipped_files.csv` is parsed again with its importer (the code `make data`
and `alliance data import` run) and compared with the committed CSV under
`src/alliance/data/observations/` byte for byte, and with its provenance record in
`src/alliance/data/editions.csv` (the sha256 included). A change to an importer that would alter
the shipped data, or a reference file replaced under the same name, fails here.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alliance.importing import parse_file
from alliance.provenance import EDITION_COLUMNS, sha256_of
from alliance.schema import OBSERVATION_COLUMNS

from conftest import REPO, reference_file

SHIPPED_LIST = REPO / "scripts" / "shipped_files.csv"
DATA = REPO / "src" / "alliance" / "data"


def shipped_entries() -> list[dict[str, str]]:
    with SHIPPED_LIST.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def committed_editions() -> dict[tuple[str, str, str], dict[str, str]]:
    with (DATA / "editions.csv").open(encoding="utf-8", newline="") as handle:
        return {(r["source_id"], r["edition"], r["dataset"]): r for r in csv.DictReader(handle)}


def as_csv_text(record: dict[str, object]) -> dict[str, str]:
    """An edition record as editions.csv holds it (csv writes None as '')."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(EDITION_COLUMNS), lineterminator="\n")
    writer.writerow(record)
    return next(csv.DictReader(io.StringIO(buffer.getvalue()), fieldnames=list(EDITION_COLUMNS)))


@pytest.mark.parametrize("entry", shipped_entries(), ids=lambda entry: entry["path"])
def test_shipped_file_reparses_to_the_committed_data(entry: dict[str, str]) -> None:
    path = reference_file(entry["path"])
    options = dict(option.split("=", 1) for option in entry["options"].split())
    parsed = parse_file(path, entry["kind"], entry["edition"] or None, **options)
    record = parsed.edition

    committed = committed_editions().get((record.source_id, record.edition, record.dataset))
    assert committed is not None, f"{record.source_id} {record.edition} {record.dataset}"
    assert committed["sha256"] == sha256_of(path), "the reference file is not the one shipped"
    assert as_csv_text(record.record()) == committed

    shipped = DATA / "observations" / record.source_id / f"{record.edition}__{record.dataset}.csv"
    expected = shipped.read_text(encoding="utf-8")
    frame = parsed.observations[list(OBSERVATION_COLUMNS)]
    actual = frame.to_csv(index=False, lineterminator="\n")
    if actual != expected:  # name the first differing line rather than dump two large texts
        pairs = zip(actual.splitlines(), expected.splitlines(), strict=False)
        line, (now, before) = next(
            (n, pair) for n, pair in enumerate(pairs, start=1) if pair[0] != pair[1]
        )
        pytest.fail(f"{shipped.name} line {line}: parsed {now!r}, committed {before!r}")


def test_every_shipped_csv_comes_from_a_listed_file() -> None:
    listed = {Path(entry["path"]).name for entry in shipped_entries()}
    assert {row["file_name"] for row in committed_editions().values()} == listed
    shipped = {p.relative_to(DATA / "observations") for p in DATA.glob("observations/*/*.csv")}
    expected = {Path(s) / f"{e}__{d}.csv" for s, e, d in committed_editions()}
    assert shipped == expected


def test_an_absent_reference_file_fails_under_ci(tmp_path: Path) -> None:
    """`reference_file` skips on a developer's machine without ../shared, but fails under CI."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "from conftest import reference_file\n\n"
        "def test_probe():\n    reference_file('sipri/absent.xlsx')\n",
        encoding="utf-8",
    )
    (tmp_path / "conftest.py").write_text(
        (REPO / "tests" / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8"
    )

    def run(ci: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "CI": ci, "ALLIANCE_REFERENCE": str(tmp_path / "nowhere")}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(probe)]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)

    under_ci = run("true")
    assert under_ci.returncode == 1, under_ci.stdout
    assert "1 failed" in under_ci.stdout and "CI=true" in under_ci.stdout
    locally = run("")
    assert locally.returncode == 0, locally.stdout
    assert "1 skipped" in locally.stdout
