"""Faults in the store and its folders end in one line, and the store heals.

Each case runs the real CLI in a new process on a home of its own (a copy of the session's
store, with one real import): a damaged store is moved aside and rebuilt with one notice (exit 0,
the import still served), a locked store or an unusable folder is one error line (exit 2), and
what killed builds and imports leave is swept on the next start. Permission cases run under
`unshare -U` when the tests run as root (root reads a chmod 000 file; in a user namespace it
does not), a full disk on a tmpfs of a few kilobytes mounted with `unshare -rm`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from alliance import store

from conftest import reference_file

WB_GDP = "worldbank/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_9865.csv"
IMPORTED = "2027-01-15"  # the edition of the re-dated World Bank file below
REVISED_DEU_2023 = "4500000000000.0"  # Germany's 2023 GDP in that file (the original: 4456.1 bn)
QUERY = ["data", "show", "gdp", "--country", "DEU", "--from", "2023", "--to", "2023"]
QUERY += ["--source", "wb", "--format", "csv"]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def can_run(prefix: list[str]) -> bool:
    try:
        done = subprocess.run([*prefix, "true"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


# Root passes every permission check; in a new user namespace it is "nobody" to the files.
UNPRIVILEGED = ["unshare", "-U"] if os.geteuid() == 0 else []
needs_unprivileged = pytest.mark.skipif(
    bool(UNPRIVILEGED) and not can_run(UNPRIVILEGED), reason="unshare -U is not available"
)


def cli(home: Path, *args: str, prefix: tuple[str, ...] = (), wait: bool = True) -> Run:
    """`alliance ARGS` in a new process with ALLIANCE_HOME=home."""
    command = [*prefix, sys.executable, "-c", "from alliance.cli.app import main; main()", *args]
    env = {**os.environ, "ALLIANCE_HOME": str(home)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    return Run(done.returncode, done.stdout, done.stderr)


def start(home: Path, *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from alliance.cli.app import main; main()", *args]
    env = {**os.environ, "ALLIANCE_HOME": str(home)}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def store_file(home: Path) -> Path:
    [path] = (home / "cache").glob("store-*.duckdb")
    return path


def home_with_store(folder: Path) -> Path:
    """A home holding a copy of the session's store (built once per session)."""
    built = store.refresh()
    (folder / "cache").mkdir(parents=True)
    for companion in built.parent.glob(built.name + "*"):
        if not companion.name.endswith((".wal", ".lock")) and companion.is_file():
            shutil.copy2(companion, folder / "cache" / companion.name)
    return folder


def revised_world_bank_file(folder: Path) -> Path:
    """The real 2024-10-24 WDI GDP file, re-dated 2027-01-15, Germany 2023 revised to 4,500 bn."""
    text = reference_file(WB_GDP).read_text(encoding="utf-8-sig")
    text = text.replace('"Last Updated Date","2024-10-24"', f'"Last Updated Date","{IMPORTED}"')
    assert '"4456081016705.96"' in text
    path = folder / "wdi-gdp.csv"
    path.write_text(text.replace('"4456081016705.96"', '"4500000000000"'), encoding="utf-8")
    return path


def make_imported_home(factory: pytest.TempPathFactory) -> Path:
    """A home with the store and one import made by `alliance data import`."""
    home = home_with_store(factory.mktemp("template") / "home")
    done = cli(home, "data", "import", str(revised_world_bank_file(home.parent)))
    assert done.code == 0, done.err
    return home


def copy_home(template: Path, folder: Path) -> Path:
    copy = folder / "home"
    shutil.copytree(template, copy, symlinks=True)
    return copy


@pytest.fixture(scope="module")
def imported_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_imported_home(tmp_path_factory)


@pytest.fixture
def home(imported_home: Path, tmp_path: Path) -> Path:
    return copy_home(imported_home, tmp_path)


def import_file(home: Path) -> Path:
    return home / "data" / "imports" / "wb" / f"{IMPORTED}__NY.GDP.MKTP.CD.parquet"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_import_served(run: Run) -> None:
    """The query answered with the imported edition's figure."""
    assert f"DEU,2023,{REVISED_DEU_2023},unit,USD" in run.out, run.out
    assert f",wb,{IMPORTED},NY.GDP.MKTP.CD," in run.out


def assert_shipped_served(run: Run) -> None:
    """The query answered from the shipped World Bank edition, not the import."""
    assert "DEU,2023," in run.out and f",wb,{IMPORTED}," not in run.out, run.out


def assert_one_error(run: Run, *words: str) -> None:
    assert run.code == 2, (run.out, run.err)
    assert "Traceback" not in run.err
    assert len(run.err_lines) == 1 and run.err.startswith("Error: "), run.err
    for word in words:
        assert word in run.err, run.err


# --- a damaged store is moved aside and rebuilt --------------------------------------------------


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _random_same_size(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def _changed_in_place(path: Path) -> None:
    """Bytes in the middle overwritten: same size, and the header still opens."""
    with path.open("r+b") as file:
        file.seek(path.stat().st_size // 2)
        file.write(os.urandom(64 * 1024))


def _written_by_another_program(path: Path) -> None:
    """Opened for writing and killed before a checkpoint: the change waits in a .wal file,
    which DuckDB replays when it next opens the store (the figures below become 99)."""
    script = (
        "import duckdb, os, sys; c = duckdb.connect(sys.argv[1]); "
        "c.execute(\"UPDATE observations SET value = 99 WHERE entity = 'DEU'\"); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=60)
    assert path.with_name(path.name + ".wal").exists()


def _random(path: Path) -> None:
    path.write_bytes(os.urandom(10_000))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "something").write_text("x")


def _unreadable(path: Path) -> None:
    path.chmod(0)


DAMAGES = {
    "truncated": _truncate,
    "random bytes of its size": _random_same_size,
    "changed in place": _changed_in_place,
    "written by another program": _written_by_another_program,
    "random bytes": _random,
    "zero bytes": _empty,
    "a folder": _folder,
    "unreadable": _unreadable,
}


@needs_unprivileged
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_store_is_moved_aside_and_rebuilt(damage: str, home: Path) -> None:
    path = store_file(home)
    imported = digest(import_file(home))
    DAMAGES[damage](path)
    run = cli(home, *QUERY, prefix=tuple(UNPRIVILEGED) if damage == "unreadable" else ())
    assert run.code == 0, run.err
    assert len(run.err_lines) == 1, run.err
    assert run.err.startswith(f"Warning: the store '{path}'"), run.err
    assert "moved it aside to 'store-" in run.err and "rebuilt it from the shipped files" in run.err
    assert_import_served(run)  # the import is still there, and checked on the new store
    assert ",99.0," not in run.out
    assert digest(import_file(home)) == imported
    [aside] = path.parent.glob(path.name + ".broken-*[0-9]")
    assert aside.is_dir() == (damage == "a folder")
    again = cli(home, *QUERY)
    assert again.code == 0 and again.err == "" and again.out == run.out


def test_a_store_locked_by_another_program_is_one_line(home: Path) -> None:
    path = store_file(home)
    before = digest(path)
    with duckdb.connect(str(path)):  # a writer holds DuckDB's lock on the file
        run = cli(home, *QUERY)
    assert_one_error(run, f"The store '{path}' is locked by another program", "PID")
    assert digest(path) == before and not list(path.parent.glob("*.broken-*"))


# --- folders that cannot be used ---------------------------------------------------------------


def test_a_cache_home_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("not a folder")
    run = cli(tmp_path, *QUERY)
    assert_one_error(run, f"Cannot write '{tmp_path / 'cache'}'", "not a folder", "the cache home")


@needs_unprivileged
@pytest.mark.parametrize("case", ["read-only cache home", "home that cannot be created"])
def test_a_cache_home_that_cannot_be_written_is_one_line(case: str, tmp_path: Path) -> None:
    if case == "read-only cache home":
        (tmp_path / "cache").mkdir(mode=0o555)
        folder = tmp_path / "cache"
    else:  # the cache home is missing, under a read-only folder
        tmp_path.chmod(0o555)
        folder = tmp_path / "cache"
    try:
        run = cli(tmp_path, *QUERY, prefix=tuple(UNPRIVILEGED))
    finally:
        tmp_path.chmod(0o755)
    assert_one_error(run, f"Cannot write '{folder}'", "permission denied", "writable folder")
    assert "store" in run.err


@needs_unprivileged
def test_a_read_only_data_home_refuses_imports_in_one_line(home: Path) -> None:
    source = revised_world_bank_file(home.parent)
    import_file(home).unlink()
    data = home / "data"
    for folder in (data / "imports" / "wb", data / "imports", data):
        folder.chmod(0o555)
    try:
        run = cli(home, "data", "import", str(source), prefix=tuple(UNPRIVILEGED))
        query = cli(home, *QUERY, prefix=tuple(UNPRIVILEGED))
    finally:
        for folder in (data / "imports" / "wb", data / "imports", data):
            folder.chmod(0o755)
    assert_one_error(run, "Cannot write '", "permission denied", "imports")
    assert query.code == 0, query.err  # reading needs no write


def test_a_data_home_that_is_a_file_refuses_imports_in_one_line(home: Path) -> None:
    shutil.rmtree(home / "data")
    (home / "data").write_text("not a folder")
    run = cli(home, "data", "import", str(revised_world_bank_file(home.parent)))
    assert_one_error(run, f"Cannot write '{home / 'data'}", "not a folder", "imports")
    query = cli(home, *QUERY)
    assert query.code == 0 and query.err == "", query.err  # no imports: the shipped figures
    assert_shipped_served(query)


@needs_unprivileged
def test_an_unreadable_imports_folder_is_one_line(home: Path) -> None:
    (home / "data" / "imports").chmod(0)
    try:
        run = cli(home, *QUERY, prefix=tuple(UNPRIVILEGED))
    finally:
        (home / "data" / "imports").chmod(0o755)
    assert_one_error(run, f"Cannot read '{home / 'data' / 'imports'}'", "permission denied")


MOUNT = ["unshare", "-rm"]
needs_mount = pytest.mark.skipif(not can_run(MOUNT), reason="unshare -rm is not available")


def on_tiny_disk(home: Path, folder: Path, kilobytes: int, *args: str) -> Run:
    """`alliance ARGS` with `folder` a tmpfs of `kilobytes` (a disk that fills up)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = (
        f'mount -t tmpfs -o size={kilobytes}k tmpfs "$1" && shift && '
        f'exec "{sys.executable}" -c "from alliance.cli.app import main; main()" "$@"'
    )
    command = [*MOUNT, "sh", "-c", script, "sh", str(folder), *args]
    env = {**os.environ, "ALLIANCE_HOME": str(home)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    return Run(done.returncode, done.stdout, done.stderr)


@needs_mount
def test_a_full_disk_under_the_store_is_one_line(tmp_path: Path) -> None:
    run = on_tiny_disk(tmp_path, tmp_path / "cache", 512, *QUERY)
    assert_one_error(run, f"Cannot write '{tmp_path / 'cache'}'", "no space left on the device")
    assert "store" in run.err


@needs_mount
def test_a_full_disk_under_the_imports_is_one_line(home: Path) -> None:
    import_file(home).unlink()
    source = revised_world_bank_file(home.parent)
    run = on_tiny_disk(home, home / "data", 48, "data", "import", str(source))
    assert_one_error(run, "Cannot write '", "no space left on the device", "imports")
    assert not list((home / "data").rglob("*.parquet"))  # the tmpfs is gone with its process


# --- leftovers of killed builds and imports ------------------------------------------------------


def kill_when(process: subprocess.Popen[bytes], folder: Path, pattern: str) -> list[Path]:
    """Kill `process` as soon as a file matching `pattern` appears under `folder`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        found = list(folder.rglob(pattern))
        if found:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return found
        time.sleep(0.005)
    process.kill()
    pytest.fail(f"no {pattern} appeared under {folder}")


def test_what_a_killed_build_leaves_is_swept_on_the_next_start(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    left = kill_when(start(tmp_path, *QUERY), tmp_path / "cache", ".building-*")
    time.sleep(0.2)
    assert [p for p in left if p.exists()] or list((tmp_path / "cache").glob(".building-*"))
    run = cli(tmp_path, *QUERY)
    assert run.code == 0 and run.err == "", run.err
    assert not list((tmp_path / "cache").glob(".building-*"))
    assert_shipped_served(run)


def test_what_a_killed_import_leaves_is_swept_on_the_next_start(home: Path) -> None:
    import_file(home).unlink()
    process = start(home, "data", "import", str(revised_world_bank_file(home.parent)))
    left = kill_when(process, home / "data" / "imports", ".importing-*")
    assert left and all(p.name.startswith(".importing-") for p in left)
    # While an import runs (it holds the imports lock), its partial file is left alone ...
    leftover = home / "data" / "imports" / "wb" / ".importing-held.parquet"
    leftover.write_bytes(b"partial")
    with (home / "data" / "imports.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        run = cli(home, *QUERY)
        assert run.code == 0 and run.err == "", run.err
        assert leftover.exists()
    # ... and once none runs, the next start sweeps them.
    run = cli(home, *QUERY)
    assert run.code == 0 and run.err == "", run.err
    assert not list((home / "data").rglob(".importing-*"))


def test_build_leftovers_beside_a_sound_store_are_swept_unless_a_build_runs(home: Path) -> None:
    """A killed rebuild whose store another process then built leaves its files beside a
    sound store: swept on the next start, but not while a build holds the store lock."""
    cache = home / "cache"
    leftovers = [cache / ".building-killed.duckdb", cache / ".building-killed.duckdb.wal"]
    for leftover in leftovers:
        leftover.write_bytes(b"partial")
    with (cache / "store.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        run = cli(home, *QUERY)
        assert run.code == 0 and run.err == "", run.err
        assert all(p.exists() for p in leftovers)
    run = cli(home, *QUERY)
    assert run.code == 0 and run.err == "", run.err
    assert_import_served(run)
    assert not any(p.exists() for p in leftovers)


def test_stale_hidden_temporaries_in_the_cache_home_are_swept(home: Path) -> None:
    """A reader killed while writing the verification cache leaves a hidden .tmp file: one
    older than any write takes is deleted on the next start, a fresh one (being written) not."""
    cache = home / "cache"
    stale, fresh = cache / ".imports-verified.json-killed.tmp", cache / ".x.json-now.tmp"
    for temporary in (stale, fresh):
        temporary.write_text("{")
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    run = cli(home, *QUERY)
    assert run.code == 0 and run.err == "", run.err
    assert not stale.exists() and fresh.exists()
