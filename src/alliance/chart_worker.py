"""A chart drawn on a second core: while a CLI command reads its data, another process imports
matplotlib and then draws the chart the command hands it.

Only the CLI starts a worker (`start`: first thing when the command line asks for a chart, see
`cli.program`, else when `--chart` is accepted or `demo` begins), only on a POSIX machine with two
or more usable CPUs, and only when the CLI is the program this process runs (not when a test or
another program calls its `main`). The public chart writers carry
`@drawn_by_worker`: with a worker running, the call travels to it pickled (module, name,
arguments) and its return value or `AllianceError` comes back; without one, the function runs here
as it always did. Anything else going wrong (the worker cannot start, cannot load matplotlib, dies,
answers what cannot be read, or the arguments or the answer do not pickle) is silent: the chart
is drawn here, with the same result. The worker ignores Ctrl-C (the CLI says "Aborted."), leaves as
soon as its input closes, and is killed when the command ends.

Messages both ways: 8 bytes of length (big-endian), then a pickle. A job is (module, qualified
name, args, kwargs); an answer is ("ok", value), ("error", (module, name, args, state)) for an
`AllianceError`, rebuilt here without calling its `__init__`, or ("failed", None).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, Final, ParamSpec, TypeVar

if TYPE_CHECKING:
    import subprocess

HEADER_BYTES: Final = 8
LARGEST_MESSAGE: Final = 1 << 30  # a job carries a chart's data, an answer a path
WORKER_MODULE: Final = "alliance.chart_worker"

# What the worker loads before the chart's data arrives, by the command that asked for it
# (Click's name for it): the modules the job's objects and its drawing need, and nothing more
# (the drawing waits for all of it). Every worker loads ALWAYS first.
ALWAYS: Final = (
    "alliance.charts",
    "alliance.chart_backend:load_matplotlib",
    "alliance.paths",
)
# No chart reads the store here: the callers hand over the source lines (and maps find their
# shapes' caches through alliance.homes), so no worker loads DuckDB.
WARM_UP: Final[dict[str, tuple[str, ...]]] = {
    "share": ("alliance.metrics.results", "alliance.countries:_short_names"),
    "obligations": (
        "alliance.treaties.maps",
        # the shapes, read from their cache beside the store (written atomically where missing)
        "alliance.treaties.map_view:_valid_units",
        "alliance.countries:_short_names",  # the names of the states off the map and attacked
    ),
    "project": ("alliance.projections.charts",),  # handed the series, not the projection
    "europe-without-us": ("alliance.scenarios.tornado",),
    "vs-russia": ("alliance.scenarios.vs_russia_chart",),  # handed rows, not the projections
}  # compare, targets and demo draw with what every worker loads

Params = ParamSpec("Params")
Returned = TypeVar("Returned")


class _Worker:
    """The parent's end: the process, its input (jobs) and its output (answers)."""

    def __init__(self, process: subprocess.Popen[bytes], answers: IO[bytes]) -> None:
        self.process = process
        self.jobs: IO[bytes] = process.stdin  # type: ignore[assignment]
        self.answers = answers

    def ask(self, job: bytes) -> tuple[str, Any] | None:
        """The worker's answer to `job`, or None when it gave none that can be read."""
        import pickle

        try:
            _send(self.jobs, job)
            answer = pickle.loads(_receive(self.answers))
        except Exception:  # noqa: BLE001 - whatever it answered, the chart is drawn here instead
            return None
        if isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[0], str):
            return answer
        return None

    def stop(self) -> None:
        """Kill the worker and collect it: it has nothing left to do once its command ends."""
        for pipe in (self.jobs, self.answers):
            with contextlib.suppress(OSError):
                pipe.close()
        self.process.kill()
        self.process.wait()


_worker: _Worker | None = None


def start(command: str | None) -> None:
    """Start the worker for `command` (Click's name for it), once per process, when worthwhile."""
    global _worker
    if _worker is not None or not _worthwhile():
        return
    import atexit
    import subprocess

    try:
        answers, handed = _handed_descriptors()
    except OSError:
        return
    try:
        process = subprocess.Popen(
            [sys.executable, "-P", "-m", WORKER_MODULE, *map(str, handed), command or ""],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=handed,
            start_new_session=True,  # out of the terminal's process group: Ctrl-C is not for it
            # numpy's BLAS threads would spin on the core the command works on; a chart's
            # products are of 3x3 matrices (bench/RESULTS.md: the worker loads sooner on one)
            env={"OPENBLAS_NUM_THREADS": "1", **os.environ},
        )
    except OSError:
        os.close(answers)
        return
    finally:
        for descriptor in handed:
            os.close(descriptor)
    _worker = _Worker(process, os.fdopen(answers, "rb"))
    atexit.register(stop)


def _handed_descriptors() -> tuple[int, tuple[int, int, int]]:
    """The read end of the answers' pipe, and what the worker gets: this process's stdout and
    stderr (its own once it is ready, so that its start is silent and /dev/stdout means there
    what it means here) and the write end of the answers' pipe."""
    opened: list[int] = []
    try:
        opened.extend(os.pipe())
        opened.append(os.dup(1))
        opened.append(os.dup(2))
    except OSError:
        for descriptor in opened:
            os.close(descriptor)
        raise
    answers, answers_out, stdout, stderr = opened
    return answers, (stdout, stderr, answers_out)


def stop() -> None:
    """End the worker of this process, if any; later charts are drawn here."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.stop()


def _worthwhile() -> bool:
    """A POSIX system (pipes handed to a child by number), a Python to start (not an embedding
    program), the CLI as the program, and a second CPU to draw on."""
    if os.name != "posix" or not sys.executable or not _cli_is_the_program():
        return False
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return (len(usable) if usable is not None else os.cpu_count() or 1) >= 2


def _cli_is_the_program() -> bool:
    """Whether this process runs the CLI as its program (the `alliance` script's `run`,
    `python -c "from alliance.cli.app import main; main()"`), not as a call from a test runner or
    another program, which keep every chart in their own process."""
    program = sys.modules.get("__main__")
    return any(
        getattr(getattr(program, name, None), "__module__", None) == module
        for name, module in (("run", "alliance.cli.program"), ("main", "alliance.cli.app"))
    )


def drawn_by_worker(function: Callable[Params, Returned]) -> Callable[Params, Returned]:
    """Run `function` in the chart worker when this process has one, else here."""

    @functools.wraps(function)
    def call(*args: Params.args, **kwargs: Params.kwargs) -> Returned:
        worker = _worker
        if worker is None:
            return function(*args, **kwargs)
        import pickle

        try:
            job = pickle.dumps(
                (function.__module__, function.__qualname__, args, kwargs), pickle.HIGHEST_PROTOCOL
            )
        except (pickle.PicklingError, TypeError, AttributeError):
            return function(*args, **kwargs)
        if len(job) > LARGEST_MESSAGE:
            return function(*args, **kwargs)
        try:
            answer = worker.ask(job)
        except BaseException:  # Ctrl-C while waiting: the worker must not finish the chart
            stop()
            raise
        if answer is not None and answer[0] == "ok":
            return answer[1]  # type: ignore[no-any-return]
        error = _rebuilt(answer[1]) if answer is not None and answer[0] == "error" else None
        if error is not None:
            raise error
        stop()
        return function(*args, **kwargs)

    return call


def _rebuilt(described: Any) -> BaseException | None:
    """The `AllianceError` the worker raised, as it was there (its class, args and attributes)."""
    from alliance.errors import AllianceError

    try:
        module, name, args, state = described
        kind = _resolve(module, name)
        if not (isinstance(kind, type) and issubclass(kind, AllianceError)):
            return None
        error: BaseException = kind.__new__(kind)
        error.args = tuple(args)
        error.__dict__.update(state)
    except (TypeError, ValueError, ImportError, AttributeError):
        return None
    return error


def _resolve(module: str, qualified_name: str) -> Any:
    import importlib

    found: Any = importlib.import_module(module)
    for part in qualified_name.split("."):
        found = getattr(found, part)
    return found


def _send(pipe: IO[bytes], message: bytes) -> None:
    pipe.write(len(message).to_bytes(HEADER_BYTES, "big") + message)
    pipe.flush()


def _receive(pipe: IO[bytes]) -> bytes:
    size = int.from_bytes(_exactly(pipe, HEADER_BYTES), "big")
    if size > LARGEST_MESSAGE:
        raise ValueError(f"a message of {size} bytes: not one of ours")
    return _exactly(pipe, size)


def _exactly(pipe: IO[bytes], size: int) -> bytes:
    data = pipe.read(size)
    if data is None or len(data) != size:
        raise EOFError("the other end closed")
    return data


# The worker's side.


def serve(stdout: int, stderr: int, answers_out: int, command: str) -> None:
    """Load what `command` draws with, then answer jobs until the parent closes the input.

    A thread reads the jobs, so that the worker leaves at once (even in the middle of loading
    matplotlib) when the parent ends early. The answers go out on their own pipe; the parent's
    stdout and stderr become the worker's once it is loaded (until then, nothing is shown)."""
    import queue
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(answers_out, "wb")
    jobs: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=_read_jobs, args=(sys.stdin.buffer, jobs), daemon=True).start()
    try:
        for name in (*ALWAYS, *WARM_UP.get(command, ())):
            _load(name)
        from alliance.chart_text import load

        load(command)  # the text this command drew before, kept beside the store
    except Exception:  # noqa: BLE001 - nothing drawn here: the parent draws, as it would alone
        os._exit(0)
    for handed, own in ((stdout, 1), (stderr, 2)):
        os.dup2(handed, own)
        os.close(handed)
    while True:
        _send(answers, _answer(jobs.get()))


def _load(name: str) -> None:
    import importlib

    module, _, function = name.partition(":")
    loaded = importlib.import_module(module)
    if function:
        getattr(loaded, function)()


def _read_jobs(pipe: IO[bytes], jobs: Any) -> None:
    try:
        while True:
            jobs.put(_receive(pipe))
    except (OSError, EOFError, ValueError):
        pass
    os._exit(0)  # the parent has ended (or closed the input): so does the worker, now


def _answer(job: bytes) -> bytes:
    import pickle

    from alliance.errors import AllianceError

    try:
        module, name, args, kwargs = pickle.loads(job)
        function = _resolve(module, name)
        value = getattr(function, "__wrapped__", function)(*args, **kwargs)
        return pickle.dumps(("ok", value), pickle.HIGHEST_PROTOCOL)
    except AllianceError as error:
        try:
            return pickle.dumps(("error", _described(error)), pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an attribute that does not pickle: the parent redraws
            return pickle.dumps(("failed", None))
    except Exception:  # noqa: BLE001 - not a user's error: the parent redraws, showing it as ever
        return pickle.dumps(("failed", None))


def _described(error: BaseException) -> tuple[str, str, tuple[Any, ...], dict[str, Any]]:
    """What `_rebuilt` needs: an error's class (where it is defined), args and attributes."""
    kind = type(error)
    return kind.__module__, kind.__qualname__, error.args, vars(error)


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
