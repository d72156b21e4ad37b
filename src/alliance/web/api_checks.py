"""API routes for treaty obligations and claim checks."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from alliance.web.api_common import (
    ERRORS,
    MAX_BODY_BYTES,
    MAX_TEXT_CHARS,
    DateParam,
    day,
    document,
    json_bytes,
    uncached,
)

router = APIRouter(tags=["checks"], responses=ERRORS)

_DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": {"type": "object"}}}}
}


def _obligations(target: str | tuple[float, float], on: date, definition: str) -> dict[str, Any]:
    from alliance.treaties import obligations

    return obligations(target, on, definition=definition).to_dict()


@router.get("/obligations", responses=_DOCUMENT)
async def obligations(
    place: Annotated[
        str | None,
        Query(
            max_length=MAX_TEXT_CHARS,
            description="A country or territory: name, ISO code or territory id (or lat/lon).",
            examples=["Svalbard"],
        ),
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="Latitude (with lon).")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="Longitude.")] = None,
    on: DateParam = None,
    definition: Annotated[
        str, Query(max_length=MAX_TEXT_CHARS, description="Spending definition: sipri, nato.")
    ] = "sipri",
) -> Response:
    """Which clauses apply if a place (or the point lat, lon) is attacked on a date, who is bound,
    and what the states bound bring (North Atlantic Treaty Art. 5/6, TEU Art. 42(7))."""
    from alliance.errors import InvalidArgumentError

    point = (lat, lon)
    if (place is None) == (None in point) or (lat is None) != (lon is None):
        raise InvalidArgumentError("Give either a place or both lat and lon, not both.")
    target: str | tuple[float, float] = place if place is not None else (lat, lon)  # type: ignore[assignment]
    return await document(_obligations, target, day(on), definition)


def _example_report() -> dict[str, Any]:
    from alliance.claims import check_claims, example_path, load_claims, to_records

    return to_records(check_claims(load_claims(example_path())))


@router.get("/claims/example", responses=_DOCUMENT)
async def claims_example() -> Response:
    """The shipped example, Mark Rutte's December 2025 interview, checked: verdict, computed
    figure, tolerance and sources for each claim."""
    return await document(_example_report)


def _check(text: str) -> dict[str, Any]:
    from alliance.claims import check_claims, parse_claims, to_records

    return to_records(check_claims(parse_claims(text, "<request body>")))


@router.post(
    "/claims/check",
    responses={
        **_DOCUMENT,
        413: {"description": f"A body over {MAX_BODY_BYTES // 1024} kB"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/yaml": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    },
)
async def check_claims(request: Request) -> Response:
    """Check a claim file (YAML, docs/claims.md) sent as the request body, at most 256 kB."""
    from fastapi.concurrency import run_in_threadpool

    from alliance.errors import ClaimFileError

    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ClaimFileError("The claim file is not UTF-8 text.") from None
    report = await run_in_threadpool(uncached, _check, text)
    return Response(json_bytes(report), media_type="application/json")
