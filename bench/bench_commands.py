"""Wall time of the README's CLI quickstart commands, each a new process, start-up included.

    .venv/bin/python bench/bench_commands.py [--runs 5]

No targets: this shows what a user waits for each command (median of `--runs`), in a private
ALLIANCE_HOME with a warm store, output to /dev/null. Prints a Markdown table for RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from bench_cli import compile_package, machine_speed, timed

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
]


def main() -> None:
    compile_package()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, help="unused; accepted for bench/run.py")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    lines = ["| command | median s | min s |", "|---|---:|---:|"]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "ALLIANCE_HOME": home}
        timed(["data", "editions"], env)  # builds the store once, as a first use would
        for command in COMMANDS:
            times = [timed(command, env) for _ in range(args.runs)]
            shown = " ".join(f"'{a}'" if " " in a else a for a in command)
            lines.append(
                f"| `alliance {shown}` | {statistics.median(times):.2f} | {min(times):.2f} |"
            )
    lines += ["", machine_speed()]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
