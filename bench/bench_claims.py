"""Claim checking at 1,000, 8,000 and 60,000 claims: time and peak memory, and the cost per claim.

    .venv/bin/python bench/bench_claims.py --reference ../shared/reference-data [--counts ...]

Claims of every check type (count, share, value, comparison, threshold, pledge, membership,
treaty; one in ten not checkable) in the example's shape, varied by coalition, year, date,
country and clause (`varied_claims`). Each count runs in a new process in a private
ALLIANCE_HOME with a warm store; peak memory is the process's maximum resident set (`wait4`).

Three costs are measured:
- `alliance check --example` next to the start-up yardstick of bench_cli (issue 13: goal 3×);
- checking (`check_claims` on N claims, read in files of at most 1,000 claims as a claim file may
  hold no more than 1 MB): the goal is a constant cost per claim, so the ratio of the time per
  claim to the time per claim at 1,000 claims should stay near 1 (or fall, as later claims ask
  questions the backend has already answered);
- the command (`alliance check FILE --format json`, start-up included) on the largest file the
  size cap admits, and the refusal of a file over the cap.
Prints Markdown tables for RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ALLIANCE = str(Path(sys.executable).with_name("alliance"))
CLAIMS_PER_FILE = 1_000
HEADER = """\
format: alliance-claims/1
title: Varied claims for the benchmark
defaults:
  speaker: A speaker
  date: 2025-12-26
  url: https://example.org/interview
claims:
"""
EXPRESSIONS = (
    "NATO",
    "EU",
    "EU & NATO",
    "NATO - EU",
    "JEF",
    "NB8",
    "G7",
    "ARCTIC_COUNCIL",
    "NATO - USA",
    "NATO - USA - CAN",
    "EU | GBR | NOR",
    "ARCTIC_COUNCIL & NATO",
)
COUNTRIES = ("DEU", "POL", "FRA", "GBR", "NOR", "FIN", "SWE", "AUT", "IRL", "TUR", "EST", "USA")
PLACES = ("GRL", "CEUTA", "DEU", "EST", "CYP", "FIN", "NOR", "SWE")
CLAUSES = ("nat-5", "teu-42-7")


def _claim(index: int) -> str:
    """One claim in flow style; its check type, subject, year and date vary with `index`."""
    year = 2014 + index % 11
    group = EXPRESSIONS[index % len(EXPRESSIONS)]
    other = EXPRESSIONS[(index // len(EXPRESSIONS)) % len(EXPRESSIONS)]
    country = COUNTRIES[index % len(COUNTRIES)]
    day = date(1995 + index % 31, 1 + index % 12, 1 + index % 28).isoformat()
    head = f"  - {{id: claim-{index}, quote: 'Claim number {index}', "
    if index % 10 == 9:
        return head + "not_checkable: {kind: opinion, reason: a judgement}}\n"
    kind = index % 8
    if kind == 0:
        check = f"type: count, expression: {group}, on: {day}, expected: {20 + index % 15}"
    elif kind == 1:
        metric = ("gdp", "defence")[index // 8 % 2]
        check = (
            f"type: share, part: {group}, of: NATO, metric: {metric}, year: {year}, "
            f"expected: 0.25, tolerance: {{absolute: 0.025}}"
        )
        if metric == "gdp":
            check += ", alternatives: [{label: at PPP, basis: ppp}]"
    elif kind == 2:
        check = (
            f"type: value, subject: {group}, metric: gdp, year: {year}, expected: 1000, "
            "unit: billion USD, tolerance: {relative: 0.1}"
        )
    elif kind == 3:
        check = (
            f"type: comparison, left: {group}, right: {other}, metric: defence, year: {year}, "
            "relation: greater"
        )
    elif kind == 4:
        quantifier = ("all", "none", "count")[index // 8 % 3]
        check = (
            f"type: threshold, expression: {('NATO', 'EU & NATO')[index // 8 % 2]}, "
            f"metric: defence_share_gdp, year: {year}, level: {1.5 + index % 3 * 0.5}, "
            f"quantifier: {quantifier}"
        )
        if quantifier == "count":
            check += f", expected: {index % 30}"
    elif kind == 5:
        check = f"type: pledge, country: {country}, level: {2 + index % 4 * 0.5}, by: 2029"
    elif kind == 6:
        check = f"type: membership, country: {country}, group: {group}, on: {day}, expected: true"
    else:
        place, clause = PLACES[index % len(PLACES)], CLAUSES[index // 8 % 2]
        check = f"type: treaty, target: {place}, clause: {clause}, on: {day}, expected: true"
    return head + f"check: {{{check}}}}}\n"


def varied_claims(count: int, first: int = 0) -> str:
    """A claim file's text: claims `first` to `first + count - 1`."""
    return HEADER + "".join(_claim(index) for index in range(first, first + count))


def check_in_process(count: int) -> None:
    """Worker: read `count` claims in files of CLAIMS_PER_FILE, check them, print the seconds."""
    from dataclasses import replace

    from alliance.claims import check_claims, parse_claims

    parts = [
        parse_claims(varied_claims(min(CLAIMS_PER_FILE, count - first), first))
        for first in range(0, count, CLAIMS_PER_FILE)
    ]
    claims = replace(parts[0], claims=tuple(c for part in parts for c in part.claims))
    start = time.perf_counter()
    report = check_claims(claims)
    print(f"{time.perf_counter() - start:.3f} {len(report.results)}")


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak resident memory (MiB) and stdout of one process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode()
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        raise RuntimeError(f"{command} failed: {status}")
    return elapsed, usage.ru_maxrss // 1024, text


def bench_checking(counts: list[int], env: dict[str, str]) -> list[str]:
    rows = [
        "| claims | check_claims (s) | ms per claim | ratio per claim to 1,000 | peak memory "
        "(MiB, whole process) |",
        "|---:|---:|---:|---:|---:|",
    ]
    base = None
    for count in counts:
        worker = [sys.executable, __file__, "--worker", str(count)]
        _, peak, text = run_measured(worker, env)
        seconds, checked = text.split()
        assert int(checked) == count
        per_claim = float(seconds) / count
        base = base or per_claim
        rows.append(
            f"| {count:,} | {float(seconds):.2f} | {per_claim * 1000:.2f} | "
            f"{per_claim / base:.2f} | {peak} |"
        )
    return rows


def bench_command(env: dict[str, str], folder: Path) -> list[str]:
    from alliance.claims.bounded_yaml import MAX_CLAIM_FILE_BYTES

    largest = CLAIMS_PER_FILE
    while len(varied_claims(largest + 100).encode()) <= MAX_CLAIM_FILE_BYTES:
        largest += 100
    files = {
        f"{CLAIMS_PER_FILE:,} claims": varied_claims(CLAIMS_PER_FILE),
        f"{largest:,} claims (about the most the 1 MB cap admits)": varied_claims(largest),
        "60,000 claims (over the size cap: refused)": varied_claims(60_000),
    }
    rows = [
        "| `alliance check FILE --format json` | file size | wall (s) | peak memory (MiB) |",
        "|---|---:|---:|---:|",
    ]
    for name, text in files.items():
        path = folder / "claims.yaml"
        path.write_text(text, encoding="utf-8")
        seconds, peak, _ = run_measured([ALLIANCE, "check", str(path), "--format", "json"], env)
        rows.append(f"| {name} | {len(text.encode()):,} B | {seconds:.2f} | {peak} |")
    return rows


def bench_example(env: dict[str, str], runs: int) -> list[str]:
    """`alliance check --example`, each run next to a run of the yardstick (bench_cli)."""
    from bench_cli import YARDSTICK

    times: dict[str, list[float]] = {"yardstick": [], "example": []}
    for _ in range(runs):
        for name, command in (
            ("yardstick", YARDSTICK),
            ("example", [ALLIANCE, "check", "--example"]),
        ):
            times[name].append(run_measured(command, env)[0])
    yardstick, example = (statistics.median(times[n]) for n in ("yardstick", "example"))
    return [
        "| command | runs | median (s) | yardstick median (s) | ratio (goal 3×) |",
        "|---|---:|---:|---:|---:|",
        f"| `alliance check --example` | {runs} | {example:.3f} | {yardstick:.3f} | "
        f"{example / yardstick:.2f}× |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=Path("../shared/reference-data"))
    parser.add_argument("--counts", type=int, nargs="+", default=[1_000, 8_000, 60_000])
    parser.add_argument("--runs", type=int, default=10, help="runs of check --example")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        check_in_process(args.worker)
        return
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "ALLIANCE_HOME": home}
        subprocess.run([ALLIANCE, "check", "--example"], env=env, check=True, capture_output=True)
        print(
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; {date.today().isoformat()}\n"
        )
        print("\n".join(bench_example(env, args.runs)) + "\n")
        print("\n".join(bench_checking(args.counts, env)) + "\n")
        print("\n".join(bench_command(env, Path(home))))


if __name__ == "__main__":
    main()
