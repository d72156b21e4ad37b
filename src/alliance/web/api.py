"""The JSON API under /api/v1: thin routes over library functions.

Errors are `{"error": message}` with the CLI's wording: a library `AllianceError` becomes 400
(404 for an unknown country, group, place, source, edition or indicator), a request that does
not match the declared parameters 422, an oversized body 413.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from alliance import errors

API_VERSION = "1"
PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)

_NOT_FOUND = (
    errors.UnknownCountryError,
    errors.UnknownGroupError,
    errors.UnknownPlaceError,
    errors.UnknownSourceError,
    errors.UnknownEditionError,
    errors.UnknownIndicatorError,
)


def error_status(error: errors.AllianceError) -> int:
    if isinstance(error, _NOT_FOUND):
        return 404
    if isinstance(error, errors.StoreError):
        return 503
    return 400


def _alliance_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, errors.AllianceError)
    return JSONResponse({"error": str(error)}, status_code=error_status(error))


def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return JSONResponse({"error": validation_message(error)}, status_code=422)


def validation_message(error: RequestValidationError) -> str:
    parts = []
    for problem in error.errors():
        location = problem.get("loc", ())
        where = ".".join(str(p) for p in location if p not in ("query", "body", "path"))
        parts.append(f"{where or 'request'}: {problem.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts) + "."


def install(application: FastAPI) -> None:
    """Add the API routes and the error handlers to `application`."""
    application.include_router(router)
    application.add_exception_handler(errors.AllianceError, _alliance_error)
    application.add_exception_handler(RequestValidationError, _validation_error)


@router.get("/countries", tags=["reference"])
def countries() -> list[dict[str, Any]]:
    """Every country: ISO3, ISO2 and name."""
    from alliance.countries import countries as all_countries

    return [{"iso3": c.iso3, "iso2": c.iso2, "name": c.name} for c in all_countries()]
