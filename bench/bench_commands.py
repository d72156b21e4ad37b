"""Wall time of every command a user runs, each a new process, start-up included, beside the
yardstick.

    .venv/bin/python bench/bench_commands.py [--runs 5]

In a private ALLIANCE_HOME with a warm store, output to /dev/null. Each run of a command alternates
with a run of the yardstick (a new Python importing DuckDB, Typer and Rich and running one query),
so the ratio median(command) / median(yardstick) holds whatever the machine's load at the time.
Targets (issue 13): every command within 3x the yardstick, every chart and map within 4x,
`obligations --at` within 2x. The first command after install (store built from the shipped
files) is timed too, in a new empty ALLIANCE_HOME each run. Prints Markdown tables for RESULTS.md.

Beside the wall time, the CPU time (user + system) of each process: on a machine shared with other
work, a long command loses more wall time to waiting than the short yardstick does, so the wall
ratio grows with the load; the CPU ratio holds better.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench_cli import ALLIANCE, YARDSTICK, compile_package, machine_speed, timed

COMMANDS = [
    ["countries"],
    ["members", "NATO", "--on", "2014-01-01"],
    ["data", "sources"],
    ["sql", "select count(*) from observations"],
    ["coalition", "NATO & EU", "--on", "2025-12-26"],
    ["share", "NATO & EU", "--of", "NATO", "--metric", "gdp", "--year", "2024"],
    ["aggregate", "NATO - USA", "--metric", "defence_share_gdp", "--year", "2024"],
    [
        "compare",
        "NATO & EU",
        "NATO - EU - USA",
        "--metric",
        "defence",
        "--from",
        "2014",
        "--to",
        "2024",
    ],
    ["targets", "--year", "2025"],
    ["targets", "--history"],
    ["pledge", "DEU"],
    ["obligations", "Svalbard", "--on", "2025-06-01"],
    ["obligations", "--at", "70.5,2.0"],
    ["check", "--example"],
    ["data", "diff", "nato", "2024-06", "2025-08"],
    ["groups"],
    ["data", "editions"],
    ["data", "show", "gdp", "--country", "DEU", "--currency", "EUR"],
    ["data", "show", "defence", "--from", "2024", "--to", "2024"],
    ["compare", "NATO & EU", "USA", "--metric", "defence", "--from", "2014", "--to", "2024",
     "--per-capita"],
    ["targets", "--year", "2025", "--format", "xlsx", "--output", "{out}/targets.xlsx"],
    ["project", "NATO", "--to", "2035"],
    ["project", "NATO - USA", "--to", "2035", "--path", "hague"],
    ["scenario", "europe-without-us"],
    ["scenario", "ukraine"],
    ["scenario", "vs-russia"],
]  # fmt: skip
CHARTS = [  # {out} is a temporary folder
    ["share", "EU-NATO", "--of", "NATO", "--metric", "defence", "--year", "2024", "--chart",
     "{out}/share.png"],
    ["compare", "NATO & EU", "NATO - EU - USA", "USA", "--metric", "defence", "--from", "2014",
     "--to", "2024", "--chart", "{out}/compare.png"],
    ["targets", "--year", "2025", "--chart", "{out}/allies.png"],
    ["obligations", "Svalbard", "--on", "2025-06-01", "--chart", "{out}/svalbard.png"],
    ["scenario", "europe-without-us", "--table", "sensitivity", "--chart", "{out}/tornado.png"],
    ["demo", "--out", "{out}/demo"],
    ["targets", "--history", "--chart", "{out}/history.png"],
    ["obligations", "--at", "70.5,2.0", "--chart", "{out}/at.png"],
    ["project", "NATO", "--to", "2035", "--chart", "{out}/project.png"],
    ["scenario", "vs-russia", "--chart", "{out}/vs-russia.png"],
    ["report", "--output", "{out}/report.html"],
]  # fmt: skip
TARGETS = {"obligations --at": 2.0, "chart": 4.0, "command": 3.0}


def target(command: list[str]) -> float:
    if "--chart" in command or command[0] in ("demo", "report"):
        return TARGETS["chart"]
    if command[:2] == ["obligations", "--at"]:
        return TARGETS["obligations --at"]
    return TARGETS["command"]


def timed_with_cpu(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of `alliance args` (or of a whole
    command line starting with python)."""
    command = args if args[0] == YARDSTICK[0] else [ALLIANCE, *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def row(
    name: str,
    times: list[tuple[float, float]],
    yardstick: list[tuple[float, float]],
    goal: float | None,
) -> str:
    wall, cpu = (statistics.median(t[i] for t in times) for i in (0, 1))
    wall_ys, cpu_ys = (statistics.median(t[i] for t in yardstick) for i in (0, 1))
    ratio = wall / wall_ys
    verdict = "—" if goal is None else f"{goal:g}x: {'met' if ratio <= goal else 'NOT met'}"
    cells = [name, f"{wall:.3f}", f"{wall_ys:.3f}", f"{ratio:.2f}"]
    cells += [f"{cpu:.3f}", f"{cpu_ys:.3f}", f"{cpu / cpu_ys:.2f}", verdict]
    return "| " + " | ".join(cells) + " |"


def shown(command: list[str]) -> str:
    return "`alliance " + " ".join(f"'{a}'" if " " in a else a for a in command) + "`"


def cold_start(runs: int) -> str:
    """The first command after install: `alliance data sources` in a new, empty ALLIANCE_HOME."""
    times, yardstick = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "ALLIANCE_HOME": home}
            times.append(timed_with_cpu(["data", "sources"], env))
            yardstick.append(timed_with_cpu(YARDSTICK, env))
    return row("first call: `alliance data sources`, store built (cold)", times, yardstick, None)


def forget_text(home: Path) -> None:
    for remembered in (home / "cache").glob("text-*.bin"):
        remembered.unlink()


def main() -> None:
    compile_package()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, help="unused; accepted for bench/run.py")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--charts-only", action="store_true", help="only the charts and maps (no cold start)"
    )
    parser.add_argument(
        "--forget-text",
        action="store_true",
        help="empty the charts' text memory (alliance.chart_text) before every run: the first "
        "chart a command draws after install, or after its text changed",
    )
    args = parser.parse_args()
    lines = [
        "| command | median s | yardstick s | ratio | CPU s | yardstick CPU s | CPU ratio "
        "| target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "ALLIANCE_HOME": home}
        timed(["data", "editions"], env)  # builds the store once, as a first use would
        commands = [] if args.charts_only else COMMANDS
        chosen = [*commands, *CHARTS]
        for command in ([a.format(out=out) for a in c] for c in chosen):
            times, yardstick = [], []
            for _ in range(args.runs):
                if args.forget_text:
                    forget_text(Path(home))
                times.append(timed_with_cpu(command, env))
                yardstick.append(timed_with_cpu(YARDSTICK, env))
            name = shown(command).replace(out, "out")
            lines.append(row(name, times, yardstick, target(command)))
    if not args.charts_only:
        lines.append(cold_start(args.runs))
    lines += ["", machine_speed()]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
