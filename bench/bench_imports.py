"""What the lazy imports save: the cost of each import the package defers to the call that needs
it, measured in new processes beside a bare Python start (the yardstick of this table).

Prints a Markdown table for bench/RESULTS.md ("Import costs behind the lazy imports").
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 5
RICH_TABLE = """
import io
from rich.console import Console
from rich.table import Table
table = Table("entity", "year", "value")
for i in range(44):
    table.add_row("DEU", str(2000 + i), f"{i * 1234.5:,.1f}")
Console(file=io.StringIO(), width=120).print(table)
"""
BOXED_TABLE = """
from alliance.cli.boxed import render
rows = [["DEU", str(2000 + i), f"{i * 1234.5:,.1f}"] for i in range(44)]
render(["entity", "year", "value"], rows, [False, True, True], max_width=120)
"""
CASES = {
    "bare python (yardstick)": "pass",
    "import pandas": "import pandas",
    "import pycountry (+ its country table)": "import pycountry; len(pycountry.countries)",
    "import rich.console, lay out 44 rows": RICH_TABLE,
    "alliance.cli.boxed, lay out 44 rows": BOXED_TABLE,
    "import alliance.metrics": "import alliance.metrics",
}


def wall(code: str) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, help="unused: no reference file is read")
    parser.parse_args()
    base = wall("pass")
    print("| what | seconds (median of 5) | over bare python |")
    print("|---|---:|---:|")
    for label, code in CASES.items():
        seconds = base if code == "pass" else wall(code)
        print(f"| {label} | {seconds:.3f} | {seconds - base:+.3f} |")


if __name__ == "__main__":
    main()
