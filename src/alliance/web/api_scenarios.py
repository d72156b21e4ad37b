"""API routes for the scenarios: Europe without the US (Bruegel/Kiel 2025 cost model on the
shipped parameters) and aid to Ukraine (Kiel tracker) by coalition. Each returns the result's
own `to_dict()`, as `alliance scenario NAME --format json` prints it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
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


# A page or an API call runs the Monte Carlo while others wait for the library: a bounded draw
# count keeps one request from holding it (the CLI allows far more, run on the user's own machine).
MAX_API_DRAWS: Final = 20_000

PathName = Annotated[
    Literal["current", "trend", "pledges", "hague"],
    Query(description="The path of the share of GDP (a user CSV path is a CLI-only option)."),
]
DrawsParam = Annotated[
    int, Query(ge=1, le=MAX_API_DRAWS, description=f"Monte Carlo draws, 1 to {MAX_API_DRAWS:,}.")
]
SeedParam = Annotated[int, Query(ge=0, le=2**32 - 1, description="Seed of the random draws.")]
HorizonParam = Annotated[int, Query(ge=2026, le=2050, description="Last projected year.")]


@dataclass(frozen=True)
class ProjectionQuery:
    """The query parameters of a projection run, shared by /projection and /vs-russia."""

    coalition: ExpressionParam = "NATO"
    to: HorizonParam = 2035
    path: PathName = "current"
    draws: DrawsParam = 10_000
    seed: SeedParam = 2025

    def checked(self) -> ProjectionQuery:
        check_expression(self.coalition)
        return self

    def run(self, model: Callable[..., Any]) -> dict[str, Any]:
        """`model`'s result (project or vs_russia) for these parameters, as a document."""
        result = model(self.coalition, to=self.to, path=self.path, draws=self.draws, seed=self.seed)
        return dict(result.to_dict())


def _projection(query: ProjectionQuery) -> dict[str, Any]:
    from alliance.projections import project

    return query.run(project)


@router.get("/projection", responses=_DOCUMENT)
async def projection(query: Annotated[ProjectionQuery, Depends()]) -> Response:
    """Defence spending of a coalition's members to `to` under a path of the share of GDP, with
    Monte Carlo bands and the probability of meeting 2 %, 3.5 % and 5 % (as `alliance project
    --format json` prints it): every assumption with its source is in the answer."""
    return await document(_projection, query.checked())


def _vs_russia(query: ProjectionQuery) -> dict[str, Any]:
    from alliance.scenarios.vs_russia import vs_russia

    return query.run(vs_russia)


@router.get("/vs-russia", responses=_DOCUMENT)
async def vs_russia(query: Annotated[ProjectionQuery, Depends()]) -> Response:
    """A coalition's defence spending against Russia's (SIPRI, estimates flagged), historical
    and projected, at market exchange rates and at PPP (as `alliance scenario vs-russia`)."""
    return await document(_vs_russia, query.checked())
