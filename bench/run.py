"""Run every benchmark in bench/ (`make bench`); each prints a Markdown table for RESULTS.md."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=Path("../shared/reference-data"))
    args = parser.parse_args()
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n## {script.name}\n", flush=True)
        subprocess.run(
            [sys.executable, str(script), "--reference", str(args.reference)], check=True
        )


if __name__ == "__main__":
    main()
