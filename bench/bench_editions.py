"""Queries and imports as imported editions accumulate: time and peak memory at 1, 10 and 50.

    .venv/bin/python bench/bench_editions.py --reference ../shared/reference-data [--runs 3]

A user who imports every yearly release must see the same speed. Copies of two real releases are
imported as new editions: the full SIPRI workbook (79,718 figures; each copy differs from the
original only in its zip comment, so its checksum is new, and is imported with `--edition`) and
the World Bank GDP CSV (each copy with another "Last Updated Date", hence a new edition). At each
count, N - 1 editions of each are imported through the library beforehand; then, `--runs` times,
the N-th of each is imported through the CLI and both are removed again (`alliance data remove`,
the newest edition of each: every figure of that edition then falls back to the one before), each
command timed; then the N-th of each is stored (2N imported files) and the queries are timed.

Each command is a new process, start-up included, in a private ALLIANCE_HOME; peak memory is the
process's maximum resident set (`wait4`). Every command is run next to the yardstick (a new
Python importing DuckDB, Typer and Rich and running one query). Target: time and memory flat
within 20 % from 1 to 50 editions, time as a ratio to the yardstick run beside it. Prints Markdown
tables for RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

from bench_cli import ALLIANCE, YARDSTICK, compile_package, machine_speed

SIPRI_FULL = "sipri/SIPRI-Milex-data-1949-2024_2.xlsx"
WB_GDP = "worldbank/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_32.csv"
PYTHON_QUERY = (
    "import alliance; "
    "alliance.observations('defence_expenditure', source='sipri')"  # all SIPRI rows
)
QUERIES: dict[str, list[str]] = {
    "`alliance.observations('defence_expenditure', source='sipri')`": [
        sys.executable,
        "-c",
        PYTHON_QUERY,
    ],
    "`alliance data show gdp`": ["data", "show", "gdp"],
    "`alliance data show defence --country DEU --from 2014 --definition sipri`": [
        "data",
        "show",
        "defence",
        "--country",
        "DEU",
        "--from",
        "2014",
        "--definition",
        "sipri",
    ],
    "`alliance compare 'NATO & EU' 'NATO - EU - USA' --metric defence --definition sipri`": [
        "compare",
        "NATO & EU",
        "NATO - EU - USA",
        "--metric",
        "defence",
        "--definition",
        "sipri",
        "--from",
        "2014",
        "--to",
        "2024",
    ],
}


# (seconds, peak MiB, CPU seconds, the yardstick's seconds, the yardstick's CPU seconds)
Sample = tuple[float, float, float, float, float]


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(seconds, peak resident MiB, CPU seconds: user + system) of one run of `command` (an
    alliance command line, or a whole command line starting with this Python)."""
    full = command if command[0] == sys.executable else [ALLIANCE, *command]
    start = time.perf_counter()
    process = subprocess.Popen(full, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode:
        raise RuntimeError(f"{full} failed ({process.returncode}): {stderr}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # KiB on Linux


def sipri_copy(original: Path, folder: Path, number: int) -> Path:
    """The same workbook under another checksum: only the zip comment differs."""
    target = folder / f"sipri-copy-{number}.xlsx"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            copy.writestr(item, source.read(item.filename))
        copy.comment = f"benchmark copy {number}".encode()
    return target


def sipri_edition(number: int) -> str:
    return f"2030-{1 + number // 28:02d}-{1 + number % 28:02d}"


def worldbank_edition(number: int) -> str:
    """The edition id the World Bank importer reads from `worldbank_copy(.., number)`."""
    return (date(2030, 1, 1) + timedelta(days=number)).isoformat()


def worldbank_copy(original: Path, folder: Path, number: int) -> Path:
    """The same GDP file as another release: a later "Last Updated Date" (a new edition)."""
    text = original.read_text(encoding="utf-8-sig")
    marker = '"Last Updated Date","'
    start = text.index(marker) + len(marker)
    stamp = worldbank_edition(number)
    target = folder / f"wb-copy-{number}.csv"
    target.write_text(text[:start] + stamp + text[start + 10 :], encoding="utf-8-sig")
    return target


def fill(reference: Path, folder: Path, first: int, last: int, env: dict[str, str]) -> None:
    """Import copies `first` .. `last - 1` of both files through the library, in one process."""
    if last <= first:
        return
    script = (
        "import sys; from pathlib import Path\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from bench_editions import sipri_copy, sipri_edition, worldbank_copy\n"
        "from alliance.importing import import_file\n"
        "reference, folder = Path(sys.argv[2]), Path(sys.argv[3])\n"
        "for number in range(int(sys.argv[4]), int(sys.argv[5])):\n"
        f"    path = sipri_copy(reference / {SIPRI_FULL!r}, folder, number)\n"
        "    import_file(path, 'sipri', edition=sipri_edition(number))\n"
        f"    import_file(worldbank_copy(reference / {WB_GDP!r}, folder, number), 'wb')\n"
    )
    here = str(Path(__file__).resolve().parent)
    arguments = [str(reference), str(folder), str(first), str(last)]
    subprocess.run([sys.executable, "-c", script, here, *arguments], env=env, check=True)


SIPRI_IMPORT = "`alliance data import` full SIPRI workbook (one more edition)"
WB_IMPORT = "`alliance data import` World Bank GDP CSV (one more edition)"
SIPRI_REMOVE = "`alliance data remove` that SIPRI edition (the newest)"
WB_REMOVE = "`alliance data remove` that World Bank edition (the newest)"


def import_and_remove_commands(
    reference: Path, folder: Path, number: int
) -> list[tuple[str, list[str]]]:
    """Import the `number`-th copy of each file, then remove both: the store is as before."""
    sipri = sipri_copy(reference / SIPRI_FULL, folder, number)
    worldbank = worldbank_copy(reference / WB_GDP, folder, number)
    edition = sipri_edition(number)
    return [
        (SIPRI_IMPORT, ["data", "import", str(sipri), "--kind", "sipri", "--edition", edition]),
        (WB_IMPORT, ["data", "import", str(worldbank)]),
        (SIPRI_REMOVE, ["data", "remove", "sipri", edition]),
        (WB_REMOVE, ["data", "remove", "wb", worldbank_edition(number)]),
    ]


def run(reference: Path, counts: list[int], runs: int) -> list[str]:
    """At each count N: `runs` times, import the N-th edition of each file and remove both (each
    command timed beside a yardstick run), then store them and run each query `runs` times."""
    times: dict[str, dict[int, Sample]] = {}
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as copies:
        env = {**os.environ, "ALLIANCE_HOME": home}
        measured(["data", "editions"], env)  # builds the store once, as a first use would
        stored = 0
        for count in counts:
            fill(reference, Path(copies), stored, count - 1, env)
            samples: dict[str, list[Sample]] = {}
            for _ in range(runs):
                for name, command in import_and_remove_commands(reference, Path(copies), count - 1):
                    samples.setdefault(name, []).append(beside_yardstick(command, env))
            fill(reference, Path(copies), count - 1, count, env)
            stored = count
            for name, command in QUERIES.items():
                for _ in range(runs):
                    samples.setdefault(name, []).append(beside_yardstick(command, env))
            for name, taken in samples.items():
                seconds, _, cpu, yardstick, yardstick_cpu = (
                    statistics.median(s[i] for s in taken) for i in range(5)
                )
                peak = max(s[1] for s in taken)  # the largest of the runs
                times.setdefault(name, {})[count] = (seconds, peak, cpu, yardstick, yardstick_cpu)
    return table(times, counts)


def beside_yardstick(command: list[str], env: dict[str, str]) -> Sample:
    yardstick_seconds, _, yardstick_cpu = measured(YARDSTICK, env)
    return (*measured(command, env), yardstick_seconds, yardstick_cpu)


def table(times: dict[str, dict[int, Sample]], counts: list[int]) -> list[str]:
    """Per count: seconds, seconds over the yardstick run beside them, CPU seconds, peak MiB.
    Flat if the time over the yardstick, the CPU time over the yardstick's and the memory at
    each later count are within 20 % of the first's (on a shared machine the seconds follow the
    load; the ratios much less, the CPU ratio least)."""
    head = ["what"]
    for count in counts:
        head += [f"{count} ed. s", f"{count} ed. x yardstick", f"{count} ed. CPU s"]
        head += [f"{count} ed. MiB"]
    head += [f"time {counts[-1]}/{counts[0]} (x yardstick)", f"CPU {counts[-1]}/{counts[0]}"]
    head += [f"memory {counts[-1]}/{counts[0]}", "flat (20 %)"]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 2) + "|---|"]
    for name, by_count in times.items():
        cells = [name]
        for count in counts:
            seconds, peak, cpu, yardstick, _ = by_count[count]
            cells += [f"{seconds:.3f}", f"{seconds / yardstick:.2f}", f"{cpu:.3f}", f"{peak:.0f}"]
        first = by_count[counts[0]]
        worst = [1.0, 1.0, 1.0]
        for count in counts[1:]:
            later = by_count[count]
            worst = [
                max(worst[0], (later[0] / later[3]) / (first[0] / first[3])),
                max(worst[1], (later[2] / later[4]) / (first[2] / first[4])),
                max(worst[2], later[1] / first[1]),
            ]
        last = by_count[counts[-1]]
        cells += [f"{(last[0] / last[3]) / (first[0] / first[3]):.2f}"]
        cells += [f"{(last[2] / last[4]) / (first[2] / first[4]):.2f}", f"{last[1] / first[1]:.2f}"]
        cells.append("yes" if max(worst) <= 1.2 else "NO")
        lines.append("| " + " | ".join(cells) + " |")
    for count in counts:
        seconds = statistics.median(by_count[count][3] for by_count in times.values())
        cpu = statistics.median(by_count[count][4] for by_count in times.values())
        lines += ["", f"Yardstick at {count} editions (median): {seconds:.3f} s, CPU {cpu:.3f} s."]
    return lines


def main() -> None:
    compile_package()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=Path("../shared/reference-data"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 10, 50])
    args = parser.parse_args()
    if not (args.reference / SIPRI_FULL).exists():
        print(f"Skipped: {args.reference / SIPRI_FULL} not found.")
        return
    lines = run(args.reference, args.counts, args.runs)
    lines += ["", machine_speed()]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
