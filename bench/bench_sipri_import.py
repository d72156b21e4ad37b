"""Time the SIPRI Milex import against pandas' readers; record the table in bench/RESULTS.md.

    .venv/bin/python bench/bench_sipri_import.py --reference /work/shared/reference-data

pandas with openpyxl or calamine reads values only (no font colours, so no estimate flags);
openpyxl with styles reads the colours but slowly; `alliance.sources.sipri.parse` reads both and
builds the validated observation table. The cold-start row runs a fresh interpreter that imports
the importer and parses the full workbook, as `alliance data import` would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
try:
    from alliance.sources import sipri
except ModuleNotFoundError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO / "src"))
    from alliance.sources import sipri

FULL = "sipri/SIPRI-Milex-data-1949-2024_2.xlsx"
SUBSET = "sipri/SIPRI-Milex-data-1949-2024_2__SUBSET_NATO-EU-RU-CN-UA_2014-2024.xlsx"
DATA_SHEETS = [
    "Local currency financial years",
    "Local currency calendar years",
    "Constant (2023) US$",
    "Current US$",
    "Share of GDP",
    "Per capita",
    "Share of Govt. spending",
]
HEADING = "## SIPRI import"
LIMIT_SECONDS = 1.5


def median_seconds(action: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def read_excel(path: Path, engine: str) -> Callable[[], object]:
    import pandas as pd

    return lambda: pd.read_excel(path, sheet_name=DATA_SHEETS, header=None, engine=engine)


def openpyxl_with_styles(path: Path) -> Callable[[], object]:
    import openpyxl

    def load() -> None:
        workbook = openpyxl.load_workbook(path)
        for name in DATA_SHEETS:
            for row in workbook[name].iter_rows():
                for cell in row:
                    _ = cell.font.color  # the estimate flag: what pandas cannot give
        workbook.close()

    return load


def cold_start(path: Path) -> Callable[[], object]:
    code = (
        "import sys; from alliance.sources import sipri; "
        "print(sipri.parse(sys.argv[1]).table.num_rows)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}

    def run() -> None:
        subprocess.run(
            [sys.executable, "-c", code, str(path)], check=True, env=env, stdout=subprocess.DEVNULL
        )

    return run


def cli_dry_run(path: Path) -> Callable[[], object]:
    """`alliance data import PATH --dry-run` in a fresh interpreter with a throw-away home."""
    import tempfile

    home = tempfile.mkdtemp(prefix="alliance-bench-")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "ALLIANCE_HOME": home}
    code = "from alliance.cli.app import main; main()"
    command = [sys.executable, "-c", code, "data", "import", str(path), "--dry-run"]

    def run() -> None:
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)

    return run


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = match.group(1).strip() if match else cpu
    return (
        f"{os.cpu_count()} CPUs (nproc), {cpu}; Python {platform.python_version()}; "
        f"{platform.system()} {platform.release()}"
    )


def section(rows: list[tuple[str, float]], runs: int, full_rows: int, subset_rows: int) -> str:
    width = max(len(label) for label, _ in rows)
    lines = [
        HEADING,
        "",
        f"Date: {dt.date.today().isoformat()}. Machine: {machine()}. Load average at the end: "
        f"{os.getloadavg()[0]:.1f} (other work on the machine slows every row alike).",
        f"Median of {runs} runs each unless marked (`bench/bench_sipri_import.py`). Full workbook: "
        f"{full_rows:,} observations; SUBSET: {subset_rows:,}.",
        "",
        f"| {'what'.ljust(width)} | seconds |",
        f"|{'-' * (width + 2)}|--------:|",
        *(f"| {label.ljust(width)} | {seconds:7.3f} |" for label, seconds in rows),
        "",
        "pandas rows read values only (no font colours, hence no estimate flags). "
        f"Requirement: full workbook with flags in under {LIMIT_SECONDS} s including start-up.",
        "",
    ]
    return "\n".join(lines)


def write_section(results: Path, text: str) -> None:
    """Replace the SIPRI section of RESULTS.md (other sections belong to other benches)."""
    existing = results.read_text("utf-8") if results.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: text + "\n", existing, count=1)
    else:
        updated = existing.rstrip("\n") + "\n\n" + text
    results.write_text(updated.rstrip("\n") + "\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", type=Path, default=REPO.parent / "shared/reference-data")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    full, subset = args.reference / FULL, args.reference / SUBSET
    for path in (full, subset):
        if not path.exists():
            sys.exit(f"reference file not present: {path}")

    import pandas  # noqa: F401  (imported once here so that no row pays for it)

    full_rows = sipri.parse(full).table.num_rows
    subset_rows = sipri.parse(subset).table.num_rows
    rows = [
        ("pandas.read_excel, openpyxl, 7 data sheets", read_excel(full, "openpyxl")),
        ("pandas.read_excel, calamine, 7 data sheets", read_excel(full, "calamine")),
        ("openpyxl load_workbook + font colours (1 run)", openpyxl_with_styles(full)),
        ("sipri.parse, full workbook (with flags)", lambda: sipri.parse(full)),
        ("sipri.parse, SUBSET workbook", lambda: sipri.parse(subset)),
        ("cold start: new python, import + parse full", cold_start(full)),
        ("CLI: alliance data import full --dry-run", cli_dry_run(full)),
    ]
    timed = []
    for label, action in rows:
        runs = 1 if "(1 run)" in label else args.runs  # openpyxl takes seconds per run
        timed.append((label, median_seconds(action, runs)))
        print(f"{label:<50} {timed[-1][1]:7.3f} s", flush=True)
    text = section(timed, args.runs, full_rows, subset_rows)
    if not args.no_write:
        write_section(args.results, text)
        print(f"written to {args.results}")


if __name__ == "__main__":
    main()
