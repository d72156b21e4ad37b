"""API routes for the scenarios: Europe without the US (Bruegel/Kiel 2025 cost model on the
shipped parameters) and aid to Ukraine (Kiel tracker) by coalition. Each returns the result's
own `to_dict()`, as `alliance scenario NAME --format json` prints it."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from alliance.web.api_common import (
    ERRORS,
    MAX_EXPRESSION_CHARS,
    MAX_EXPRESSIONS,
    ExpressionParam,
    OptionalYear,
    YearParam,
    check_expression,
    document,
)

router = APIRouter(prefix="/scenarios", tags=["scenarios"], responses=ERRORS)

_DOCUMENT: Final[dict[int | str, dict[str, Any]]] = {
    200: {"content": {"application/json": {"schema": {"type": "object"}}}}
}


def _europe_without_us(coalition: str, year: int | None, swing: float) -> dict[str, Any]:
    from alliance.scenarios.europe_without_us import europe_without_us

    return europe_without_us(coalition=coalition, year=year, swing=swing).to_dict()


@router.get("/europe-without-us", responses=_DOCUMENT)
async def europe_without_us(
    coalition: ExpressionParam = "EU",
    year: OptionalYear = None,
    swing: Annotated[
        float, Query(gt=0, lt=1, description="Sensitivity: each parameter this fraction down/up.")
    ] = 0.2,
) -> Response:
    """What Europe would need to spend to defend itself without the US, on the shipped
    parameters (Burilkov and Wolff, Bruegel/Kiel 2025) and on the store's newest figures."""
    return await document(_europe_without_us, check_expression(coalition), year, swing)


def _ukraine(coalitions: tuple[str, ...], gdp_year: int, replace_year: int) -> dict[str, Any]:
    from alliance.scenarios.ukraine import DEFAULT_COALITIONS, ukraine

    chosen = coalitions or tuple(DEFAULT_COALITIONS)
    return ukraine(chosen, gdp_year=gdp_year, replace_year=replace_year).to_dict()


@router.get("/ukraine", responses=_DOCUMENT)
async def ukraine(
    coalition: Annotated[
        list[str] | None,
        Query(
            max_length=MAX_EXPRESSIONS,
            description="Coalition expressions (repeatable; default EU, EU-institutions, "
            "NATO-Europe, USA).",
        ),
    ] = None,
    gdp_year: YearParam = 2021,
    replace_year: YearParam = 2024,
) -> Response:
    """Aid to Ukraine (Kiel Ukraine Support Tracker) by coalition and donor, in EUR bn and % of
    GDP, and what replacing the US's aid would cost a coalition a year."""
    for text in coalition or ():
        if not 0 < len(text) <= MAX_EXPRESSION_CHARS:
            raise HTTPException(
                422,
                f"Coalition expression of {len(text)} characters: expected 1 to "
                f"{MAX_EXPRESSION_CHARS}.",
            )
        check_expression(text)
    return await document(_ukraine, tuple(coalition or ()), gdp_year, replace_year)
