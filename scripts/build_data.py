"""Regenerate the shipped figures in src/alliance/data/ from the official reference files.

Run by `make data`. Each file listed in scripts/shipped_files.csv is parsed by its importer (the
code `alliance data import` uses), validated, and written as one CSV per edition and dataset, with
its provenance record in data/editions.csv. The full SIPRI workbook is refused: SIPRI's terms
allow at most 10 % of its dataset to be redistributed, so only the SUBSET workbook ships.

Nothing shipped is touched until every input has been found and parsed: the new files are written
to a hidden folder beside the data and swapped in at the end. Any problem is refused with one line
and exit code 2, and the shipped files stay as they were.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alliance.importing import ParsedFile

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src" / "alliance" / "data"
LIST = REPO / "scripts" / "shipped_files.csv"


class Refused(Exception):
    """A reason not to build; printed as one line, nothing changed."""


def read_list(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8") as handle:
            entries = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise Refused(f"cannot read the list of shipped files {path}: {error}") from error
    needed = {"kind", "path", "edition", "options"}
    if not entries or not needed <= set(entries[0]):
        raise Refused(f"{path} must be a CSV with columns {', '.join(sorted(needed))}")
    return entries


def check_inputs(entries: list[dict[str, str]], reference: Path) -> None:
    """Every listed file present and allowed, before anything is parsed or written."""
    for entry in entries:
        if entry["kind"] == "sipri" and "SUBSET" not in Path(entry["path"]).name:
            raise Refused(
                f"{entry['path']}: only the SIPRI SUBSET workbook may be shipped (SIPRI's terms)"
            )
    missing = [e["path"] for e in entries if not (reference / e["path"]).is_file()]
    if missing:
        where = "folder does not exist" if not reference.is_dir() else "folder lacks them"
        raise Refused(
            f"{len(missing)} of {len(entries)} reference files missing in {reference} ({where}), "
            f"first {missing[0]}; run `make data REFERENCE=<folder with the official files>`"
        )


def parse_all(entries: list[dict[str, str]], reference: Path) -> list[ParsedFile]:
    from alliance.importing import parse_file

    parsed = []
    for entry in entries:
        path = reference / entry["path"]
        try:
            options = dict(o.split("=", 1) for o in entry["options"].split())
            parsed.append(parse_file(path, entry["kind"], entry["edition"] or None, **options))
        except Exception as error:  # any failure to read a file refuses the whole build
            text = " ".join(str(error).split()) or type(error).__name__
            raise Refused(f"{entry['path']}: {text}") from error
    return parsed


def write_all(parsed: list[ParsedFile], folder: Path) -> list[str]:
    """The observation CSVs and editions.csv under `folder`; one line per file written."""
    from alliance.provenance import EDITION_COLUMNS
    from alliance.schema import OBSERVATION_COLUMNS

    lines = []
    records: list[dict[str, Any]] = []
    for item in parsed:
        record = item.edition
        target = (
            folder / "observations" / record.source_id / f"{record.edition}__{record.dataset}.csv"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        frame = item.observations[list(OBSERVATION_COLUMNS)]
        frame.to_csv(target, index=False, lineterminator="\n")
        records.append(record.record())
        lines.append(
            f"{record.source_id:6} {record.edition:12} {record.dataset:32} {len(frame):6} rows"
        )
    with (folder / "editions.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(EDITION_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return lines


@contextmanager
def staging(data: Path) -> Iterator[Path]:
    """A hidden folder beside the data (same file system, so renames are atomic), then removed."""
    folder = Path(tempfile.mkdtemp(prefix=".build-", dir=data))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def swap_in(built: Path, data: Path) -> None:
    """Replace data/observations and data/editions.csv by the built ones; restore on failure."""
    old = built / "previous-observations"
    current = data / "observations"
    if current.exists():
        current.rename(old)
    try:
        (built / "observations").rename(current)
    except OSError:
        if old.exists():
            old.rename(current)
        raise
    os.replace(built / "editions.csv", data / "editions.csv")


def build(reference: Path, data: Path, listing: Path) -> list[str]:
    entries = read_list(listing)
    check_inputs(entries, reference)
    parsed = parse_all(entries, reference)
    if not data.is_dir():
        raise Refused(f"the data folder {data} does not exist")
    with staging(data) as folder:
        lines = write_all(parsed, folder)
        swap_in(folder, data)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=REPO.parent / "shared" / "reference-data")
    parser.add_argument("--data", type=Path, default=DATA, help="the folder to regenerate")
    parser.add_argument("--list", type=Path, default=LIST, help="the files to ship (CSV)")
    args = parser.parse_args()
    try:
        lines = build(args.reference, args.data, args.list)
    except Refused as refusal:
        print(f"make data refused, nothing changed: {refusal}", file=sys.stderr)
        sys.exit(2)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
