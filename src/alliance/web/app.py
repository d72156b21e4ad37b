"""The ASGI application: the JSON API at /api/v1 (`api`), the dashboard pages (`pages`) and
their static assets at /static."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from alliance.web import api, pages

STATIC_DIR = Path(__file__).parent / "static"


def create_app() -> FastAPI:
    application = FastAPI(
        title="alliance",
        summary="The open, sourced, reproducible model of Europe's collective defence.",
        description=(
            "Every response names the sources and editions of its figures, and every figure "
            "keeps its estimate flag. Table endpoints also answer `?format=csv`. Errors are "
            '`{"error": message}` with a 4xx status and the wording of the CLI.'
        ),
        version=api.API_VERSION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    api.install(application)
    application.include_router(pages.router)
    application.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return application
