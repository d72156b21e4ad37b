"""Load on the web API: `alliance serve` on 127.0.0.1, a small asyncio driver sending a fixed
rate of requests mixed across the API over 32 keep-alive connections (httpx checks every answer
once first), latency percentiles and errors.

    .venv/bin/python bench/bench_load.py [--rate 200] [--seconds 60]

Open loop: request i is due at i / rate seconds and its latency runs from when it was due, so a
slow server shows up as latency instead of a lower rate. First, the same driver at the same rate
for a third of the time against a trivial ASGI app on the same uvicorn (the yardstick: what the
driver, the loopback and uvicorn cost on this machine). The store lives in a private
ALLIANCE_HOME; every URL is requested once before timing (the first, uncached answers are
reported apart), then 2 s of load untimed. Target (issue 11): p99 under 100 ms and no errors
at 200 requests/s for 60 s. Prints a Markdown table for RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

HOST = "127.0.0.1"
CONNECTIONS = 32
WARM_UP_SECONDS = 2.0  # connections opened and the event loop warm before timing, both servers
API = "/api/v1"
YEARS = range(2014, 2025)
EXPRESSIONS = ("NATO", "NATO & EU", "NATO - USA", "EU-NATO", "NATO - EU - USA", "JEF")
PATHS: tuple[str, ...] = (
    *(f"{API}/targets?year={y}" for y in YEARS),
    *(
        f"{API}/share?expression={e}&of=NATO&metric=gdp&year={y}"
        for e in EXPRESSIONS[1:4]
        for y in (2020, 2024)
    ),
    *(f"{API}/aggregate?expression={e}&metric=defence&year=2024" for e in EXPRESSIONS),
    *(f"{API}/coalition?expression={e}&on=2025-06-01" for e in EXPRESSIONS),
    *(f"{API}/groups/{g}/members?on=2014-01-01" for g in ("NATO", "EU", "JEF")),
    f"{API}/compare?expression=NATO&expression=NATO - USA&metric=defence&from=2014&to=2024",
    f"{API}/observations?indicator=defence-share&country=POL&country=DEU&source=nato",
    f"{API}/observations?indicator=gdp&country=FRA&from=2014",
    f"{API}/targets/history",
    f"{API}/targets?year=2025&format=csv",
    f"{API}/pledges/DEU",
    f"{API}/allies/share-of-gdp",
    f"{API}/obligations?place=Svalbard&on=2025-06-01",
    f"{API}/obligations?lat=70.5&lon=2.0&on=2025-06-01",
    f"{API}/countries?on=2025-01-01",
    f"{API}/editions",
    f"{API}/claims/example",
)
YARDSTICK_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"12")]})
    await send({"type": "http.response.body", "body": b'{"ok": true}'})
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start(command: Sequence[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"server on port {port} did not start: {server.stderr}")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()  # uvicorn shuts down on SIGTERM as on Ctrl-C
    server.wait(timeout=30)


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


class Connection:
    """One keep-alive HTTP/1.1 connection on plain asyncio streams.

    httpx's client cost about 2.8 ms of CPU per request here (more than half a core at 200
    requests/s, five times the server's own cost), and on a busy machine its queue of waiting
    requests fell behind for seconds: the driver, not the server, set the tail. Reading a
    response by its Content-Length is all this benchmark needs (every answer carries one).
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        target = quote(path, safe="/?=&-._~%")
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        lengths = [
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ]
        if len(lengths) != 1:
            raise ValueError(f"no Content-Length in the answer to {path}")
        await self.reader.readexactly(lengths[0])
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def drive(base: str, paths: Sequence[str], rate: float, seconds: float) -> Run:
    """Send `rate` requests a second for `seconds` over CONNECTIONS keep-alive connections."""
    run = Run()
    host, port = base.removeprefix("http://").split(":")
    due_queue: asyncio.Queue[tuple[str, float] | None] = asyncio.Queue()

    async def worker() -> None:
        connection = Connection(host, int(port))
        while (item := await due_queue.get()) is not None:
            path, due = item
            try:
                status = await connection.get(path)
                if status != 200:
                    key = f"{status} {path}"
                    run.errors[key] = run.errors.get(key, 0) + 1
            except (OSError, ValueError, asyncio.IncompleteReadError) as error:
                connection.close()
                key = type(error).__name__
                run.errors[key] = run.errors.get(key, 0) + 1
            run.latencies.append(time.perf_counter() - due)
        connection.close()

    workers = [asyncio.create_task(worker()) for _ in range(CONNECTIONS)]
    start_at = time.perf_counter()
    for i in range(int(rate * seconds)):
        due = start_at + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        due_queue.put_nowait((paths[i % len(paths)], due))
        run.sent += 1
    for _ in workers:
        due_queue.put_nowait(None)
    await asyncio.gather(*workers)
    return run


def first_answers(base: str, paths: Sequence[str]) -> list[float]:
    """Each URL once, in turn: the uncached cost (store opened, library computing)."""
    times = []
    with httpx.Client(base_url=base, timeout=60.0) as client:
        for path in paths:
            began = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - began)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
    return times


def row(name: str, run: Run, seconds: float) -> str:
    errors = sum(run.errors.values())
    p50, p99, top = run.percentile(0.5), run.percentile(0.99), max(run.latencies) * 1000
    cells = (name, f"{run.sent / seconds:.0f}", run.sent, errors, f"{p50:.1f}", f"{p99:.1f}")
    return "| " + " | ".join(map(str, cells)) + f" | {top:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, help="unused; accepted for bench/run.py")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "ALLIANCE_HOME": home}
        yard_seconds = args.seconds / 3
        port = free_port()
        (Path(home) / "yardstick.py").write_text(YARDSTICK_APP, encoding="utf-8")
        yard = start(
            [python, "-m", "uvicorn", "--app-dir", home, "yardstick:app", "--host", HOST,
             "--port", str(port), "--log-level", "warning"],
            port,
            env,
        )  # fmt: skip
        try:
            asyncio.run(drive(f"http://{HOST}:{port}", ["/"], args.rate, WARM_UP_SECONDS))
            base_run = asyncio.run(drive(f"http://{HOST}:{port}", ["/"], args.rate, yard_seconds))
        finally:
            stop(yard)
        port = free_port()
        alliance = Path(python).with_name("alliance")
        server = start([str(alliance), "serve", "--port", str(port)], port, env)
        try:
            base = f"http://{HOST}:{port}"
            cold = first_answers(base, PATHS)
            asyncio.run(drive(base, PATHS, args.rate, WARM_UP_SECONDS))
            api_run = asyncio.run(drive(base, PATHS, args.rate, args.seconds))
        finally:
            stop(server)
    load = " / ".join(f"{a:.1f}" for a in os.getloadavg())
    print(f"{len(PATHS)} URLs across the API, requested in turn; {args.rate:.0f} requests/s.")
    print(f"Load average (1/5/15 min) at the end, other work included: {load}.\n")
    print("| server | requests/s | requests | errors | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(row(f"yardstick: trivial ASGI app, {yard_seconds:.0f} s", base_run, yard_seconds))
    print(row(f"alliance serve, {args.seconds:.0f} s", api_run, args.seconds))
    slowest = sorted(zip(cold, PATHS, strict=True), reverse=True)[:3]
    print(
        f"\nFirst (uncached) answers: median {statistics.median(cold) * 1000:.0f} ms, "
        "slowest " + "; ".join(f"`{p}` {t * 1000:.0f} ms" for t, p in slowest) + "."
    )
    if api_run.errors:
        print("\nErrors: " + "; ".join(f"{k}: {n}" for k, n in sorted(api_run.errors.items())))


if __name__ == "__main__":
    main()
