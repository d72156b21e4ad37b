"""`alliance serve`: a real server on 127.0.0.1 answering the API, stopped by Ctrl-C (SIGINT);
the warning for any other address; the help naming host, port and how to stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from alliance.cli.app import build_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_on_localhost_and_stops_on_ctrl_c() -> None:
    port = free_port()
    command = [sys.executable, "-c", "from alliance.cli.app import main; main()"]
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/api/v1/groups/NATO/members?on=2014-01-01"
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, server.stderr
                time.sleep(0.2)
        assert response.status_code == 200 and len(response.json()["records"]) == 28
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["paths"]
    finally:
        server.send_signal(signal.SIGINT)
        stdout, stderr = server.communicate(timeout=30)
    assert server.returncode == 0, stderr
    assert f"http://127.0.0.1:{port}/" in stdout and "Ctrl-C" in stdout
    assert "Warning" not in stderr


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_any_other_address_is_warned(
    monkeypatch: pytest.MonkeyPatch, host: str, warned: bool
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    result = CliRunner().invoke(build_app(["serve"]), ["serve", "--host", host, "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": host, "port": 8765, "log_level": "warning"}]
    assert ("Warning: binding 0.0.0.0" in result.output) is warned


def test_help_names_host_port_and_how_to_stop() -> None:
    result = CliRunner().invoke(build_app(["serve"]), ["serve", "--help"])
    assert result.exit_code == 0
    for text in ("--host", "--port", "127.0.0.1", "Ctrl-C"):
        assert text in result.output
