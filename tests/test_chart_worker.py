"""The chart worker (alliance.chart_worker): every chart the CLI draws comes out the same whether
the worker draws it or the command's own process does; its errors read the same; a worker that
cannot load, dies or answers garbage leaves the chart to the command; none outlives its command.

Through the real entry point (`alliance` beside this Python), with PYTHONPROFILEIMPORTTIME=1 to
see who drew: the worker loads matplotlib before it shows its stderr, so a command whose stderr
lists the import of `matplotlib` drew the chart itself.
"""

from __future__ import annotations

import os
import pickle
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alliance import chart_worker
from alliance.chart_layout import ChartText
from alliance.charts import count_bar_chart
from alliance.errors import (
    AllianceError,
    ClaimFileError,
    ExpressionError,
    FileAccessError,
    InvalidArgumentError,
    InvalidDateError,
    InvalidFileError,
    MissingDataError,
    ParameterFileError,
    QueryError,
    QueryStoppedError,
    ReadOnlyQueryError,
    StoreError,
    UnknownCountryError,
    UnknownEditionError,
    UnknownGroupError,
    UnknownIndicatorError,
    UnknownPlaceError,
    UnknownSourceError,
    YearOutOfRangeError,
)
from alliance.validation import ValidationReport

from conftest import run_cli

ALLIANCE = Path(sys.executable).with_name("alliance")
WORKER_EXPECTED = os.name == "posix" and len(os.sched_getaffinity(0)) >= 2

CHARTS = {  # {out}: a folder of the test's own
    "share png": ["share", "EU-NATO", "--of", "NATO", "--metric", "defence", "--year", "2024",
                  "--chart", "{out}/share.png"],
    "share svg": ["share", "EU-NATO", "--of", "NATO", "--metric", "gdp", "--year", "2024",
                  "--chart", "{out}/share.svg"],
    "share html": ["share", "EU", "--of", "NATO", "--metric", "defence", "--year", "2023",
                   "--chart", "{out}/share.html"],
    "compare": ["compare", "NATO & EU", "NATO - EU - USA", "USA", "--metric", "defence",
                "--from", "2014", "--to", "2024", "--chart", "{out}/compare.png"],
    "targets": ["targets", "--year", "2025", "--chart", "{out}/targets.svg"],
    "targets history": ["targets", "--history", "--chart", "{out}/history.png"],
    "obligations map": ["obligations", "Svalbard", "--on", "2025-06-01", "--chart",
                        "{out}/svalbard.png"],
    "obligations point": ["obligations", "--at", "70.5,2.0", "--chart", "{out}/at.html"],
    "tornado": ["scenario", "europe-without-us", "--table", "sensitivity", "--chart",
                "{out}/tornado.png"],
    "vs-russia": ["scenario", "vs-russia", "--chart", "{out}/vs-russia.svg"],
    "project": ["project", "NATO", "--to", "2035", "--chart", "{out}/project.png"],
    "demo": ["demo", "--out", "{out}/demo"],
}  # fmt: skip


def filled(args: list[str], out: Path) -> list[str]:
    return [a.format(out=out) for a in args]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}


def alliance(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ALLIANCE), *args], capture_output=True, text=True, env=environment(), timeout=120
    )


def messages(stderr: str) -> str:
    """stderr without Python's import timings."""
    return "".join(line for line in stderr.splitlines(True) if not line.startswith("import time:"))


def drew_here(stderr: str) -> bool:
    """Whether the command's own process imported matplotlib."""
    return re.search(r"^import time:.*\|\s+matplotlib$", stderr, re.MULTILINE) is not None


def drawing(path: Path) -> bytes:
    """The file's bytes; in SVG (and HTML holding SVG) without the two things matplotlib makes
    new on every run, in-process too: the creation date and the random salt of element ids."""
    data = path.read_bytes()
    if path.suffix not in (".svg", ".html"):
        return data
    text = re.sub(r"<dc:date>[^<]*</dc:date>", "<dc:date/>", data.decode())
    ids: dict[str, str] = {}
    text = re.sub(r"\b[a-z][0-9a-f]{10}\b", lambda m: ids.setdefault(m[0], f"id{len(ids)}"), text)
    return text.encode()


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): drawing(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("name", list(CHARTS))
def test_the_worker_draws_what_the_command_would(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = tmp_path / "in-process", tmp_path / "worker"
    here.mkdir()
    there.mkdir()
    code, stdout, stderr = run_cli(filled(CHARTS[name], here), monkeypatch)
    done = alliance(*filled(CHARTS[name], there))
    assert (code, done.returncode) == (0, 0), done.stderr
    assert done.stdout.replace(str(there), "OUT") == stdout.replace(str(here), "OUT")
    assert messages(done.stderr).replace(str(there), "OUT") == stderr.replace(str(here), "OUT")
    assert drew_here(done.stderr) is not WORKER_EXPECTED
    expected = files(here)
    assert expected
    assert files(there) == expected


@pytest.mark.parametrize(
    ("chart", "message"),
    [
        (
            "allies.pdf",
            "Cannot write a chart to 'allies.pdf': expected a .png, .svg or .html file.",
        ),
        ("full.png", "no space left on the device"),
    ],
)
def test_an_error_in_the_worker_reads_as_in_process(
    chart: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if chart == "full.png":  # a chart the checks before any work accept, and no write can fill
        if not Path("/dev/full").exists():
            pytest.skip("/dev/full: Linux only")
        (tmp_path / chart).symlink_to("/dev/full")
    args = ["targets", "--year", "2025", "--chart", str(tmp_path / chart)]
    code, _stdout, stderr = run_cli(args, monkeypatch)
    done = alliance(*args)
    assert (done.returncode, code) == (2, 2)
    assert messages(done.stderr) == stderr
    assert stderr.startswith("Error: ") and stderr.count("\n") == 1 and message in stderr
    assert drew_here(done.stderr) is not WORKER_EXPECTED


def children(pid: int) -> list[int]:
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in listed.split()]


def is_a_worker(pid: int) -> bool:
    try:
        return chart_worker.WORKER_MODULE in Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return False


def worker_of(process: subprocess.Popen[str], within: float = 30.0) -> int | None:
    """The chart worker the command started, looked for until the command ends."""
    deadline = time.monotonic() + within
    while process.poll() is None and time.monotonic() < deadline:
        found = [pid for pid in children(process.pid) if is_a_worker(pid)]
        if found:
            return found[0]
        time.sleep(0.001)
    return None


def gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while is_a_worker(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    return not is_a_worker(pid)


needs_proc = pytest.mark.skipif(
    not WORKER_EXPECTED or not Path("/proc/self/task").exists(),
    reason="a worker runs only on POSIX with 2+ CPUs; its process is found in Linux's /proc",
)


def started(args: list[str], mark: str = "", **options: object) -> subprocess.Popen[str]:
    """The command, running; `mark` goes into its environment (and so its worker's)."""
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [str(ALLIANCE), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**environment(), "TEST_CHART_WORKER_MARK": mark},
        **options,
    )


def marked_workers(mark: str) -> list[int]:
    """Every chart worker alive whose environment holds `mark`, whoever its parent now is."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and is_a_worker(int(entry.name)):
            try:
                environ = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if f"TEST_CHART_WORKER_MARK={mark}".encode() in environ:
                found.append(int(entry.name))
    return found


@needs_proc
def test_a_worker_killed_before_it_draws_leaves_the_chart_to_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["obligations", "Svalbard", "--on", "2025-06-01", "--chart"]
    run_cli([*args, str(tmp_path / "in-process.png")], monkeypatch)
    process = started([*args, str(tmp_path / "worker.png")])
    worker = worker_of(process)
    assert worker is not None
    os.kill(worker, signal.SIGKILL)
    _stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert messages(stderr) == f"Map written to {tmp_path / 'worker.png'}\n"
    assert drew_here(stderr)
    assert (tmp_path / "worker.png").read_bytes() == (tmp_path / "in-process.png").read_bytes()


@needs_proc
@pytest.mark.parametrize(
    ("options", "named"),
    [(["--year", "2024"], "'NATOO'"), ([], "--year")],  # found by the command, or by Click
)
def test_no_worker_outlives_a_command_that_fails_before_drawing(
    options: list[str], named: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chart = tmp_path / "a.png"
    args = ["share", "EU-NATO", "--of", "NATOO", "--metric", "defence", "--chart", str(chart)]
    args += options
    code, _, in_process = run_cli(args, monkeypatch)
    process = started(args, mark=tmp_path.name)
    worker = worker_of(process)
    _, stderr = process.communicate(timeout=120)
    assert (process.returncode, code) == (2, 2)
    assert messages(stderr) == in_process
    assert in_process.startswith("Error: ") and named in in_process
    if options:  # the command reads its data first: time enough to see its worker
        assert worker is not None
    assert worker is None or gone(worker)
    assert marked_workers(tmp_path.name) == []
    assert not chart.exists()


def waiting_for_an_answer(pid: int) -> bool:
    """Whether the process's main thread is blocked in read(2), as the command is while the
    worker draws (x86-64 and arm64 number read 0 and 63)."""
    try:
        number = Path(f"/proc/{pid}/syscall").read_text().split()[0]
    except (OSError, IndexError):
        return False
    return number == {"x86_64": "0", "aarch64": "63"}.get(os.uname().machine)


@needs_proc
@pytest.mark.parametrize("when", ["at the start", "while the worker draws"])
def test_ctrl_c_ends_command_and_worker_without_a_word(when: str, tmp_path: Path) -> None:
    """As Ctrl-C in a terminal: SIGINT to the command's process group. The command stops as it
    does without a worker (exit 130, nothing printed), the worker with it, and no chart is left."""
    chart = tmp_path / "map.png"
    process = started(
        ["obligations", "Svalbard", "--on", "2025-06-01", "--chart", str(chart)],
        start_new_session=True,
    )
    worker = worker_of(process)
    assert worker is not None
    deadline = time.monotonic() + 60
    while when != "at the start" and not waiting_for_an_answer(process.pid):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.001)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert (process.returncode, messages(stderr)) == (130, "")
    assert gone(worker)
    time.sleep(0.5)  # time enough for a worker left drawing to write its chart
    assert not chart.exists()


# In this process: a worker started as the CLI starts it (this process posing as the CLI).


@pytest.fixture
def as_the_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from alliance.cli.app import main

    monkeypatch.setattr(sys.modules["__main__"], "main", main, raising=False)
    yield
    chart_worker.stop()


def draw_history(path: Path) -> Path:
    """A chart of known content (2 of 3 allies, then 3 of 3), drawn by the public entry point."""
    text = ChartText("Allies at or above 2 %", "count of allies", ["Source: a test"])
    return count_bar_chart([2023, 2024], [2, 3], [3, 3], [False, True], path, text)


@pytest.mark.skipif(not WORKER_EXPECTED, reason="a worker runs only on POSIX with 2+ CPUs")
def test_in_this_process_the_worker_draws_and_relays_errors(
    as_the_cli: None, tmp_path: Path
) -> None:
    draw_history(tmp_path / "here.png")
    with pytest.raises(InvalidArgumentError) as here:
        draw_history(tmp_path / "here.pdf")
    chart_worker.start("targets")
    worker = chart_worker._worker
    assert worker is not None
    assert draw_history(tmp_path / "there.png") == tmp_path / "there.png"
    with pytest.raises(InvalidArgumentError) as there:
        draw_history(tmp_path / "there.pdf")
    assert str(there.value) == str(here.value).replace("here.pdf", "there.pdf")
    assert chart_worker._worker is worker  # still the same worker: it drew both
    assert (tmp_path / "there.png").read_bytes() == (tmp_path / "here.png").read_bytes()
    chart_worker.stop()
    assert worker.process.returncode is not None


@pytest.mark.skipif(not WORKER_EXPECTED, reason="a worker runs only on POSIX with 2+ CPUs")
def test_a_worker_that_cannot_load_matplotlib_is_silent_and_the_chart_drawn_here(
    as_the_cli: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    shadow = tmp_path / "shadow" / "matplotlib"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('not the real matplotlib')\n")
    draw_history(tmp_path / "here.png")
    monkeypatch.setenv("PYTHONPATH", str(shadow.parent))  # seen by the worker only
    chart_worker.start("targets")
    worker = chart_worker._worker
    assert worker is not None
    assert worker.process.wait(timeout=60) == 0  # gave up at once, saying nothing
    assert draw_history(tmp_path / "there.png") == tmp_path / "there.png"
    assert chart_worker._worker is None
    assert (tmp_path / "there.png").read_bytes() == (tmp_path / "here.png").read_bytes()
    assert capfd.readouterr().err == ""


def test_a_worker_answering_garbage_leaves_the_chart_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draw_history(tmp_path / "here.png")
    for garbage in (b"\x00" * 7 + b"\x07garbage", b"\xff" * 8, b"\x00" * 8, b"half"):
        process = subprocess.Popen(
            [sys.executable, "-c", f"import sys; sys.stdout.buffer.write({garbage!r}); input()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert process.stdout is not None
        monkeypatch.setattr(chart_worker, "_worker", chart_worker._Worker(process, process.stdout))
        assert draw_history(tmp_path / "there.png") == tmp_path / "there.png"
        assert chart_worker._worker is None
        assert process.returncode is not None
        assert (tmp_path / "there.png").read_bytes() == (tmp_path / "here.png").read_bytes()


def test_library_calls_start_no_worker() -> None:
    """This process is a test runner, not the CLI: a chart asked for here is drawn here."""
    chart_worker.start("targets")
    assert chart_worker._worker is None


ERRORS: list[AllianceError] = [
    UnknownCountryError("Germny", ["Germany"]),
    UnknownGroupError("NATOO", ["NATO", "EU"]),
    UnknownEditionError("nato", "2099-01", ["2024-06", "2025-08"]),
    UnknownSourceError("natto", ["nato", "sipri"]),
    UnknownIndicatorError("gpd", ["gdp"]),
    YearOutOfRangeError(1900, 1949, 2025),
    InvalidDateError("2024-13-01"),
    InvalidArgumentError("Cannot write a chart to 'x.pdf': expected a .png, .svg or .html file."),
    ReadOnlyQueryError("DROP TABLE observations"),
    QueryError("Binder Error: no column x"),
    QueryStoppedError("The query ran past its 30 s limit."),
    ExpressionError("NATO && EU", 6, "a group name"),
    MissingDataError("No figure for ISL in 2024."),
    InvalidFileError(ValidationReport("x.csv")),
    FileAccessError("/x/y.png", "write", "no space left on the device", "a chart file"),
    StoreError("The store is locked."),
    ClaimFileError("expected a mapping", "claim.yaml", 3, 7),
    UnknownPlaceError("Atlantis", ["Atlantic"]),
    ParameterFileError("a.yaml", "growth", "-3 is negative", "0 or more"),
]


def subclasses(kind: type[AllianceError]) -> Iterator[type[AllianceError]]:
    for sub in kind.__subclasses__():
        yield sub
        yield from subclasses(sub)


def test_every_alliance_error_is_covered_below() -> None:
    assert set(subclasses(AllianceError)) <= {type(error) for error in ERRORS}


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_an_alliance_error_comes_back_as_it_was_raised(error: AllianceError) -> None:
    sent = pickle.dumps(("error", chart_worker._described(error)))
    status, described = pickle.loads(sent)
    rebuilt = chart_worker._rebuilt(described)
    assert status == "error"
    assert type(rebuilt) is type(error)
    assert isinstance(rebuilt, AllianceError)
    assert (str(rebuilt), rebuilt.one_line(), vars(rebuilt)) == (
        str(error),
        error.one_line(),
        vars(error),
    )


@pytest.mark.parametrize(
    "name", sorted({*chart_worker.ALWAYS, *(n for ns in chart_worker.WARM_UP.values() for n in ns)})
)
def test_every_warm_up_name_loads(name: str) -> None:
    """A name the worker cannot load makes it give up, silently, and the charts are drawn
    in-process again, as slow as before: a renamed module or function must fail here instead."""
    chart_worker._load(name)
