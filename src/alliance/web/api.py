"""The JSON API under /api/v1: thin routes over library functions and views.

Errors are `{"error": message}` with the CLI's wording: an unknown country, group, place,
source, edition or indicator is 404, other refusals of the library 400 or 422, a parameter
outside its declared range 422, a body over 256 kB 413. Routes live in
`api_reference`, `api_analysis`, `api_checks` and `api_scenarios`; what they share (limits,
cache, responses) in `api_common`.
"""

from __future__ import annotations

from typing import Final

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alliance import errors
from alliance.web.api_common import MAX_BODY_BYTES

API_VERSION: Final = "1"
PREFIX: Final = "/api/v1"

_NOT_FOUND: Final = (
    errors.UnknownCountryError,
    errors.UnknownGroupError,
    errors.UnknownPlaceError,
    errors.UnknownSourceError,
    errors.UnknownEditionError,
    errors.UnknownIndicatorError,
)
_UNPROCESSABLE: Final = (
    errors.InvalidDateError,
    errors.InvalidArgumentError,
    errors.ExpressionError,
    errors.YearOutOfRangeError,
    errors.ClaimFileError,
)


def error_status(error: errors.AllianceError) -> int:
    if isinstance(error, _NOT_FOUND):
        return 404
    if isinstance(error, _UNPROCESSABLE):
        return 422
    if isinstance(error, errors.StoreError):
        return 503
    return 400


def _alliance_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, errors.AllianceError)
    return JSONResponse({"error": str(error)}, status_code=error_status(error))


def validation_message(error: RequestValidationError) -> str:
    parts = []
    for problem in error.errors():
        location = tuple(problem.get("loc", ()))
        if location and location[0] in ("query", "body", "path", "header", "cookie"):
            location = location[1:]  # where the parameter came from; its name is what matters
        where = ".".join(str(p) for p in location)
        parts.append(f"{where or 'request'}: {problem.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts) + "."


def _validation_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    return JSONResponse({"error": validation_message(error)}, status_code=422)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if not request.url.path.startswith(PREFIX):
        return await http_exception_handler(request, error)
    return JSONResponse(
        {"error": str(error.detail)}, status_code=error.status_code, headers=error.headers
    )


def _internal_error(request: Request, error: Exception) -> Response:
    """A defect, not bad input: still one JSON message on the API, never a traceback."""
    if not request.url.path.startswith(PREFIX):
        return PlainTextResponse("Internal Server Error", status_code=500)
    message = f"Internal error ({type(error).__name__}); please report it with the URL."
    return JSONResponse({"error": message}, status_code=500)


class BodyLimit:
    """Refuse request bodies over MAX_BODY_BYTES with 413, whether declared or streamed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await _too_large(send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise HTTPException(413, _TOO_LARGE)
            return message

        await self.app(scope, counted, send)


_TOO_LARGE: Final = f"Request body too large: expected at most {MAX_BODY_BYTES // 1024} kB."


async def _too_large(send: Send) -> None:
    response = JSONResponse({"error": _TOO_LARGE}, status_code=413)
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def install(application: FastAPI) -> None:
    """Add the API routes, the error handlers and the body limit to `application`."""
    from alliance.web import api_analysis, api_checks, api_reference, api_scenarios

    for module in (api_reference, api_analysis, api_checks, api_scenarios):
        application.include_router(module.router, prefix=PREFIX)
    application.add_exception_handler(errors.AllianceError, _alliance_error)
    application.add_exception_handler(RequestValidationError, _validation_error)
    application.add_exception_handler(HTTPException, _http_error)
    application.add_exception_handler(Exception, _internal_error)
    application.add_middleware(BodyLimit)
