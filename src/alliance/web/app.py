"""The ASGI application: the JSON API at /api/v1, the pages and their static assets.

The pages (`alliance.web.pages`) and the static folder are included when they are present, so
the API runs on its own as well.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI

from alliance.web import api

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
    if importlib.util.find_spec("alliance.web.pages") is not None:
        from alliance.web import pages

        application.include_router(pages.router)
    if STATIC_DIR.is_dir():
        from fastapi.staticfiles import StaticFiles

        application.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return application
