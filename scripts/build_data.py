"""Regenerate the shipped figures in src/alliance/data/ from the official reference files.

Run by `make data`. Each file listed in scripts/shipped_files.csv is parsed by its importer (the
code `alliance data import` uses), validated, and written as one CSV per edition and dataset, with
its provenance record in data/editions.csv. The full SIPRI workbook is refused: SIPRI's terms
allow at most 10 % of its dataset to be redistributed, so only the SUBSET workbook ships.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src" / "alliance" / "data"
LIST = REPO / "scripts" / "shipped_files.csv"


def _refuse_full_sipri(kind: str, path: Path) -> None:
    if kind == "sipri" and "SUBSET" not in path.name:
        sys.exit(f"Refusing {path.name}: only the SIPRI SUBSET workbook may be shipped.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=REPO.parent / "shared" / "reference-data")
    args = parser.parse_args()

    from alliance.importing import parse_file
    from alliance.provenance import EDITION_COLUMNS
    from alliance.schema import OBSERVATION_COLUMNS

    output = DATA / "observations"
    for old in output.glob("*/*.csv"):
        old.unlink()
    records = []
    with LIST.open(encoding="utf-8") as handle:
        entries = list(csv.DictReader(handle))
    for entry in entries:
        path = args.reference / entry["path"]
        _refuse_full_sipri(entry["kind"], path)
        options = dict(o.split("=", 1) for o in entry["options"].split())
        parsed = parse_file(path, entry["kind"], entry["edition"] or None, **options)
        record = parsed.edition
        target = output / record.source_id / f"{record.edition}__{record.dataset}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        frame = parsed.observations[list(OBSERVATION_COLUMNS)]
        frame.to_csv(target, index=False, lineterminator="\n")
        records.append(record.record())
        print(f"{record.source_id:6} {record.edition:12} {record.dataset:32} {len(frame):6} rows")
    with (DATA / "editions.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(EDITION_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)


if __name__ == "__main__":
    main()
