"""Wall time of CLI commands as a user runs them: a new process each time, start-up included.

    .venv/bin/python bench/bench_cli.py --reference ../shared/reference-data [--runs 15]

Measures `alliance data show` (target: median under 0.4 s) and `alliance data import` of the full
SIPRI workbook (target: under 1.5 s), each in a private ALLIANCE_HOME with a warm store, and
prints a Markdown table to paste into bench/RESULTS.md.

This machine's speed swings by up to 2x from minute to minute, so `data show` runs alternate with
the yardstick the issue gives (a new Python importing DuckDB, Typer and Rich and running one
query: about 0.22 s on a quiet 2-core machine): the difference between the two is what the
command itself costs, whatever the moment. `data show` is timed twice: with its output going to a
file (the boxed table) and on an 80-column terminal, where the 126-column table is too wide and
Rich wraps it.
"""

from __future__ import annotations

import argparse
import os
import pty
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ALLIANCE = str(Path(sys.executable).with_name("alliance"))
SHOW = ["data", "show", "defence", "--country", "DEU", "--from", "2014", "--definition", "nato"]
BIG_SHOW = ["data", "show", "gdp"]  # every GDP figure of every edition: 45,000 rows
SIPRI_FULL = "sipri/SIPRI-Milex-data-1949-2024_2.xlsx"
YARDSTICK = [
    sys.executable,
    "-c",
    "import duckdb, typer, rich; duckdb.connect().execute('select 1').fetchall()",
]


def timed(args: list[str], env: dict[str, str], terminal: bool = False) -> float:
    """Seconds for one run of `alliance args` (or of a whole command line starting with python)."""
    command = args if args[0] == sys.executable else [ALLIANCE, *args]
    if not terminal:
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start
    controller, screen = pty.openpty()
    start = time.perf_counter()
    process = subprocess.Popen(command, env={**env, "COLUMNS": "80"}, stdout=screen)
    os.close(screen)
    while True:  # drain the terminal, or a full pty buffer would stall the command
        try:
            if not os.read(controller, 65536):
                break
        except OSError:  # EIO: the command closed its end
            break
    process.wait()
    elapsed = time.perf_counter() - start
    os.close(controller)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return elapsed


def summary(name: str, times: list[float], target: float | None, yardstick: str = "") -> str:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    median = statistics.median(times)
    verdict = "—" if target is None else f"{target} s: {'met' if median < target else 'NOT met'}"
    cells = [name, str(len(times)), f"{median:.3f}", f"{min(times):.3f}", f"{p90:.3f}"]
    return "| " + " | ".join([*cells, yardstick or "—", verdict]) + " |"


def bench_show(env: dict[str, str], runs: int) -> list[str]:
    """`data show` to a file and on a terminal, each run next to a run of the yardstick."""
    timed(SHOW, env)  # builds the store once, as a first use would
    rows = []
    name = "`alliance " + " ".join(SHOW) + "`"
    for label, terminal in ((name, False), ("same, on an 80-column terminal", True)):
        times, yardstick = [], []
        for _ in range(runs):
            times.append(timed(SHOW, env, terminal))
            yardstick.append(timed(YARDSTICK, env))
        extra = statistics.median(t - y for t, y in zip(times, yardstick, strict=True))
        rows.append(summary(label, times, 0.4, f"{statistics.median(yardstick):.3f} + {extra:.3f}"))
    big = [timed(BIG_SHOW, env) for _ in range(max(3, runs // 3))]
    rows.append(summary("`alliance " + " ".join(BIG_SHOW) + "` (45,000-row table)", big, None))
    return rows


def bench_import(env: dict[str, str], reference: Path, runs: int) -> str | None:
    workbook = reference / SIPRI_FULL
    if not workbook.exists():
        return None
    home = Path(env["ALLIANCE_HOME"])
    times = []
    for _ in range(runs):
        timed(["data", "editions"], env)  # a warm store without the import
        times.append(timed(["data", "import", str(workbook)], env))
        shutil.rmtree(home / "data" / "imports")
    return summary("`alliance data import` full SIPRI workbook", times, 1.5)


def machine_speed() -> str:
    """A fixed pure-Python loop, so that results from a slower or busier moment can be scaled."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for number in range(3_000_000):
            total += number
        times.append(time.perf_counter() - start)
    load = os.getloadavg()[0]
    return (
        f"Calibration: 3M-iteration Python loop {statistics.median(times):.3f} s; load {load:.2f}."
    )


def compile_package() -> None:
    """Byte-compile the package first, as `pip install` does: a user's CLI never starts from
    source (this machine sets PYTHONDONTWRITEBYTECODE, so nothing else would cache it)."""
    import alliance

    package = str(Path(alliance.__file__).parent)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", package], check=True, stdout=subprocess.DEVNULL
    )


def main() -> None:
    compile_package()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=Path("../shared/reference-data"))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "ALLIANCE_HOME": home}
        lines = [
            "| command | runs | median s | min s | p90 s | yardstick + command s | target |",
            "|---|---:|---:|---:|---:|---:|---|",
            *bench_show(env, args.runs),
        ]
        imported = bench_import(env, args.reference, max(3, args.runs // 3))
        if imported:
            lines.append(imported)
    lines.append("")
    lines.append(machine_speed())
    print("\n".join(lines))


if __name__ == "__main__":
    main()
