"""Every file the CLI writes is written whole or not at all, and any OS error is one line.

The matrix crosses each kind of writer (CSV, JSON, Parquet, xlsx, a text table, a chart as PNG
and as HTML, a map, a claim report, the HTML report, the demo's folder) with each fault a user
can meet: a folder in the way, a file in the way, a name too long, a device that is full
(/dev/full), a read-only file, a read-only folder, and a size limit hit halfway through the
write. Each case runs the real entry point and checks: exit 2, one line naming the path and
the problem, no file left behind, an existing file unchanged.

Faults that need another process (a size limit, permissions, which root would bypass, and
what a process prints as it exits) run the entry point in a subprocess: under root it drops the
capabilities that override permissions (setpriv), so the test means the same as for any user.
"""

from __future__ import annotations

import os
import resource
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli as run_in_process
from conftest import skip_unless_ci

ENTRY = "import sys; from alliance.cli.app import main; sys.argv[0] = 'alliance'; main()"
DROP_OVERRIDES = "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable"
SIZE_LIMIT = 600  # bytes: less than any of the outputs below, so the write fails halfway
OLD = "old content, to be kept"

# Each writer: the arguments, with {} the target (a file path, or the demo's folder).
WRITERS: dict[str, list[str]] = {
    "csv": ["groups", "--output", "{}.csv"],
    "json": ["targets", "--year", "2024", "--output", "{}.json"],
    "parquet": ["groups", "--output", "{}.parquet"],
    "xlsx": ["groups", "--output", "{}.xlsx"],
    "table": ["groups", "--output", "{}.txt"],
    "chart-png": [
        *["share", "EU", "--of", "NATO", "--metric", "gdp", "--year", "2024"],
        *["--chart", "{}.png"],
    ],
    "chart-html": ["targets", "--year", "2024", "--chart", "{}.html"],
    "map": ["obligations", "Greenland", "--chart", "{}.svg"],
    "check": ["check", "--example", "--format", "html", "--output", "{}.html"],
    "report": ["report", "--output", "{}.html"],
    "demo": ["demo", "--out", "{}"],
    "scenario": ["scenario", "europe-without-us", "--chart", "{}.png"],
    "project": ["project", "NATO", "--path", "hague", "--draws", "100", "--chart", "{}.svg"],
}
# Each fault: the words the one line must hold.
FAULTS = {
    "folder-in-the-way": "it is a folder",
    "file-in-the-way": "not a folder",
    "name-too-long": "too long",
    "full-device": "no space left",
    "read-only-file": "permission denied",
    "read-only-folder": "permission denied",
    "size-limit": "size limit",
}
# In a subprocess too: a full device, whose writers' clean-up at exit printed tracebacks.
IN_A_SUBPROCESS = {"full-device", "read-only-file", "read-only-folder", "size-limit"}
# Every writer goes through alliance.paths.write_bytes: the read-only cases of the others
# repeat these (a second a case in a subprocess) and run with `make test-hostile`.
READ_ONLY_QUICK = {"csv", "xlsx", "chart-png", "map", "report", "demo"}
# The models' charts go through the same charts.save as chart-png: `make test` runs two faults
# of theirs, `make test-hostile` the rest.
MODELS = {"scenario", "project"}


# The writers whose format an option names, so that /dev/full (no extension) can be the target.
FORMAT_OPTION = {
    "csv": "csv",
    "json": "json",
    "parquet": "parquet",
    "xlsx": "xlsx",
    "table": "table",
}


def _quick(writer: str, fault: str) -> bool:
    if writer in MODELS:
        return fault in ("folder-in-the-way", "size-limit")
    return not fault.startswith("read-only") or writer in READ_ONLY_QUICK


def _applies(writer: str, fault: str) -> bool:
    """Whether the fault can meet the writer at all (no case is made only to be skipped)."""
    if fault == "full-device":  # a chart's or report's format is its file's extension
        return writer in FORMAT_OPTION or writer == "demo"  # demo is given the device as folder
    if fault == "read-only-file":  # demo writes into a folder: the read-only folder covers it
        return writer != "demo"
    return True


CASES = [
    pytest.param(writer, fault, marks=() if _quick(writer, fault) else pytest.mark.hostile)
    for writer in WRITERS
    for fault in FAULTS
    if _applies(writer, fault)
]


def run_in_subprocess(
    args: list[str], limit: int | None = None, timeout: float = 180
) -> tuple[int, str, str]:
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            skip_unless_ci("running as root without setpriv: permissions would not apply")
        prefix = [setpriv, DROP_OVERRIDES]

    def limit_size() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [*prefix, sys.executable, "-c", ENTRY, *args],
        capture_output=True,
        text=True,
        preexec_fn=limit_size,
        timeout=timeout,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module", autouse=True)
def warm_caches(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Build the store, the boundary cache and matplotlib's font cache first, so that a
    size-limited run fails on its output, not on a cache it would write."""
    folder = tmp_path_factory.mktemp("warm")
    for args in (
        ["targets", "--year", "2024", "--chart", str(folder / "targets.svg")],
        ["obligations", "Greenland", "--chart", str(folder / "map.svg")],
    ):
        code, _, err = run_in_subprocess(args)
        assert code == 0, err


def full_device() -> Path:
    device = Path("/dev/full")
    if not device.is_char_device():
        skip_unless_ci("/dev/full is not a character device here")
    return device


def arrange(fault: str, writer: str, tmp_path: Path) -> tuple[str, Path]:
    """Make the fault in `tmp_path`; return the target to give (without its extension, as
    WRITERS' {} wants it) and the path the message must name."""
    suffix = next(part for part in WRITERS[writer] if "{}" in part).split("{}")[1]
    if fault == "folder-in-the-way":
        if writer == "demo":  # a folder is what demo wants: a file is in its way instead
            (tmp_path / "out").write_text(OLD)
            return str(tmp_path / "out"), tmp_path / "out"
        else:
            (tmp_path / f"out{suffix}").mkdir()
        return str(tmp_path / "out"), tmp_path / f"out{suffix}"
    if fault == "file-in-the-way":
        (tmp_path / "a-file").write_text(OLD)
        return str(tmp_path / "a-file" / "out"), tmp_path / "a-file" / "out"
    if fault == "name-too-long":
        return str(tmp_path / ("x" * 300)), tmp_path / ("x" * 300)
    if fault == "full-device":
        device = full_device()
        return (str(device), device) if writer == "demo" else ("/dev/full" + "{}", device)
    if fault == "read-only-file":
        existing = tmp_path / f"out{suffix}"
        existing.write_text(OLD)
        existing.chmod(0o444)
        return str(tmp_path / "out"), existing
    if fault == "read-only-folder":
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        return str(folder / "out"), folder / f"out{suffix}"
    # size-limit: an existing output is being replaced when the limit cuts the write off
    existing = tmp_path / ("out" if writer == "demo" else f"out{suffix}")
    if writer == "demo":
        existing.mkdir()
        return str(existing), existing
    existing.write_text(OLD)
    return str(tmp_path / "out"), existing


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {
        str(path.relative_to(folder)): path.read_bytes() if path.is_file() else None
        for path in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize(("writer", "fault"), CASES)
def test_a_fault_while_writing_is_one_line_and_leaves_nothing_behind(
    writer: str, fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, named = arrange(fault, writer, tmp_path)
    if target.endswith("{}"):  # the device itself, with the format given, not its extension
        args = [part if "{}" not in part else target.removesuffix("{}") for part in WRITERS[writer]]
        args += ["--format", FORMAT_OPTION[writer]]
    else:
        args = [part.replace("{}", target) for part in WRITERS[writer]]
    before = snapshot(tmp_path)
    if fault in IN_A_SUBPROCESS:
        limit = SIZE_LIMIT if fault == "size-limit" else None
        code, _, err = run_in_subprocess(args, limit)
    else:
        code, _, err = run_in_process(args, monkeypatch)
    assert code == 2, err
    assert err.startswith(f"Error: Cannot write '{named}") and err.count("\n") == 1, err
    demo_folder = writer == "demo" and fault in ("folder-in-the-way", "full-device")
    assert ("it is not a folder" if demo_folder else FAULTS[fault]) in err, err
    for folder in tmp_path.rglob("*"):  # let the snapshot read what the fault made unreadable
        if folder.is_dir():
            folder.chmod(0o755)
    assert snapshot(tmp_path) == before  # no partial file, no temporary file, old file intact
    if fault == "full-device":
        assert Path("/dev/full").is_char_device()  # written to, never replaced


def test_a_symbolic_link_stays_a_link_and_its_file_gets_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real.csv"
    real.write_text(OLD)
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, _, err = run_in_process(["groups", "--output", str(link)], monkeypatch)
    assert code == 0, err
    assert link.is_symlink() and real.read_text().startswith("group,kind,name")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the replaced file keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_dev_stdout_is_written_in_place() -> None:
    code, out, err = run_in_subprocess(["groups", "--output", "/dev/stdout", "--format", "csv"])
    assert code == 0, err
    assert out.splitlines()[0] == "group,kind,name,members_today,description,source_url"
    assert "\nNATO,group,North Atlantic Treaty Organization," in out


def test_a_pipe_nobody_reads_is_refused_not_waited_on(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    code, _, err = run_in_subprocess(["groups", "--output", str(pipe), "--format", "csv"], None, 60)
    assert code == 2 and err.count("\n") == 1, err
    assert f"Cannot write '{pipe}': nothing reads from it" in err
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


def test_a_pipe_with_a_reader_gets_the_output(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = subprocess.Popen(["cat", str(pipe)], stdout=subprocess.PIPE, text=True)
    try:
        code, _, err = run_in_subprocess(["groups", "--output", str(pipe), "--format", "json"])
        assert code == 0, err
        received, _ = reader.communicate(timeout=60)
    finally:
        reader.kill()
        reader.wait()
    assert received.startswith("[\n") and '"group": "NATO"' in received


def test_a_new_output_gets_the_usual_permissions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mask = os.umask(0o022)
    try:
        code, _, err = run_in_process(
            ["groups", "--output", str(tmp_path / "new" / "g.csv")], monkeypatch
        )
    finally:
        os.umask(mask)
    assert code == 0, err
    assert stat.S_IMODE((tmp_path / "new" / "g.csv").stat().st_mode) == 0o644


@pytest.mark.parametrize(
    "command",
    [
        ["project", "NATO", "--path", "{missing}", "--draws", "1000000"],
        ["scenario", "vs-russia", "NATO-Europe", "--path", "{missing}"],
        ["share", "EU", "--of", "NATO", "--metric", "gdp", "--year", "1700"],
        ["targets", "--year", "1700"],
        ["obligations", "Atlantis"],
    ],
)
def test_an_unusable_chart_path_is_refused_before_any_work(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The work would fail (or take a while) on its own: the chart's path is refused first."""
    folder = tmp_path / "chart.png"
    folder.mkdir()
    args = [part.replace("{missing}", str(tmp_path / "missing.csv")) for part in command]
    code, out, err = run_in_process([*args, "--chart", str(folder)], monkeypatch)
    assert code == 2 and out == "", err
    assert err == (
        f"Error: Cannot write '{folder}': it is a folder; expected a file path to write the "
        "chart to.\n"
    )
