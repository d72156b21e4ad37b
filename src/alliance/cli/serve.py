"""`alliance serve`: the web dashboard and the JSON API on a local port."""

from __future__ import annotations

from typing import Annotated

import typer

LOCAL_HOST = "127.0.0.1"


def serve_command(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to bind. The default, 127.0.0.1, is reachable only from this machine; "
            "0.0.0.0 exposes the app to the network (a warning is printed).",
        ),
    ] = LOCAL_HOST,
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="TCP port to listen on.")
    ] = 8000,
) -> None:
    """Start the web dashboard and the JSON API on this machine; Ctrl-C stops it.

    Then open in a browser:
      http://127.0.0.1:8000/              the dashboard
      http://127.0.0.1:8000/docs          the API, interactive (OpenAPI: /openapi.json)
      http://127.0.0.1:8000/api/v1/...    JSON; table endpoints also answer ?format=csv

    The server runs in the foreground until Ctrl-C (or SIGTERM); the store is read-only.
    Binding anything but 127.0.0.1 / localhost prints a warning: there is no login.

    Example: alliance serve --port 8080
    """
    import uvicorn

    from alliance.web.app import create_app

    if host not in (LOCAL_HOST, "localhost", "::1"):
        typer.echo(
            f"Warning: binding {host}, not {LOCAL_HOST}: the app is reachable from other "
            "machines on the network, without authentication.",
            err=True,
        )
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"alliance: serving on http://{shown}:{port}/ (API docs at /docs); Ctrl-C stops it.")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
