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
    """Start the web dashboard and the JSON API; stop it with Ctrl-C.

    Open http://127.0.0.1:8000/ for the dashboard, /api/v1/... for JSON (every table endpoint
    also answers ?format=csv), /docs for the interactive API reference and /openapi.json for
    the schema. The store is opened read-only; the server runs in the foreground until Ctrl-C
    (SIGINT) or SIGTERM stops it.

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
    typer.echo(f"alliance: serving on http://{host}:{port}/ (API docs at /docs); Ctrl-C stops it.")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
