"""Time the projections' Monte Carlo against a numpy yardstick of the same array sizes.

    .venv/bin/python bench/bench_projections.py

Target (issue 10): 100,000 draws x every ally x 2025-2035 in under 2 s on this 2-core machine.
Timed: `alliance.projections.project("NATO", path="hague", draws=100_000)` end to end in a warm
process (store open: what the web API and a notebook see), and its set-up alone (the same call
with one draw: store reads, paths, model), so that the draws' own cost is the difference.

Yardstick: the least any such Monte Carlo must do, in plain numpy on the same array sizes and in
the same chunks: draw draws x years x countries normal numbers, take the random walk over years
(cumsum), exponentiate, and sum over countries. The ratio says what the model's extra work (the
political slip, two currencies, probabilities, histograms for quantiles) costs on top of that.
Also timed once: 1,000,000 draws (memory bounded by chunks), with peak resident memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
try:
    from alliance.projections import montecarlo
    from alliance.projections.projection import project
except ModuleNotFoundError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO / "src"))
    from alliance.projections import montecarlo
    from alliance.projections.projection import project

DRAWS = 100_000
BIG_DRAWS = 1_000_000
LIMIT_SECONDS = 2.0
RUNS = 5


def median_seconds(action: Callable[[], object], runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def yardstick(draws: int, years: int, countries: int, seed: int = 1) -> float:
    """Normal draws, random walk, exp and a sum over countries, chunk by chunk (the floor)."""
    rng = np.random.default_rng(seed)
    total = 0.0
    for start in range(0, draws, montecarlo.CHUNK):
        n = min(montecarlo.CHUNK, draws - start)
        walk = np.cumsum(rng.standard_normal((n, years, countries)) * 0.05, axis=1)
        total += float(np.exp(walk).sum(axis=2).mean())
    return total


def big_run_in_a_new_process() -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of 1,000,000 draws, measured in a fresh process."""
    code = (
        "import resource, time; from alliance.projections.projection import project; "
        "project('NATO', path='hague', draws=1); start = time.perf_counter(); "
        f"project('NATO', path='hague', draws={BIG_DRAWS}, seed=1); "
        "print(time.perf_counter() - start, "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    seconds, megabytes = done.stdout.split()
    return float(seconds), float(megabytes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, help="unused: the shipped data suffice")
    parser.parse_args()
    warm = project("NATO", path="hague", draws=1, seed=1)
    countries, years = len(warm.baseline.countries), len(warm.baseline.years)
    setup = median_seconds(lambda: project("NATO", path="hague", draws=1, seed=1))
    whole = median_seconds(lambda: project("NATO", path="hague", draws=DRAWS, seed=1))
    floor = median_seconds(lambda: yardstick(DRAWS, years, countries))
    big_seconds, big_megabytes = big_run_in_a_new_process()
    own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    draws_only = whole - setup
    print(
        f"Date: {dt.date.today().isoformat()}. Machine: {os.cpu_count()} CPUs, "
        f"{platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}; "
        f"median of {RUNS} runs in a warm process.\n"
    )
    print(
        f"{DRAWS:,} draws x {countries} allies x {years} years "
        f"({warm.baseline.years[0]}-{warm.baseline.years[-1]}), path hague, "
        f"chunks of {montecarlo.CHUNK:,} draws on {montecarlo.THREADS} threads.\n"
    )
    print("| what | seconds | ratio to yardstick |")
    print("|---|---:|---:|")
    print(
        f"| yardstick: numpy normals, cumsum, exp, sum (same sizes, same chunks) | "
        f"{floor:.3f} | 1.00 |"
    )
    print(f"| `project(...)` end to end | {whole:.3f} | {whole / floor:.2f} |")
    print(
        f"| of which set-up (one draw: store, paths, model) | {setup:.3f} | {setup / floor:.2f} |"
    )
    print(f"| of which the draws | {draws_only:.3f} | {draws_only / floor:.2f} |")
    print(
        f"| {BIG_DRAWS:,} draws, fresh process (peak RSS {big_megabytes:,.0f} MB) | "
        f"{big_seconds:.3f} | — |"
    )
    verdict = "met" if whole < LIMIT_SECONDS else "NOT met"
    print(
        f"\nTarget: {DRAWS:,} draws under {LIMIT_SECONDS} s end to end: {verdict} "
        f"({whole:.2f} s). This process's peak RSS: {own_rss:,.0f} MB."
    )


if __name__ == "__main__":
    main()
