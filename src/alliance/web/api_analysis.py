"""API routes for coalition arithmetic and the commitments: aggregate, share, compare, targets,
target history, pledges and the allies' shares of GDP. Each returns the view the CLI prints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from alliance.views import View
from alliance.web.api_common import (
    MAX_EXPRESSION_CHARS,
    MAX_EXPRESSIONS,
    MAX_TEXT_CHARS,
    TABLE_RESPONSES,
    ExpressionParam,
    Format,
    FormatParam,
    TextParam,
    YearParam,
    check_expression,
    table,
)

router = APIRouter(tags=["analysis"], responses=TABLE_RESPONSES)

MetricParam = Annotated[
    str,
    Query(
        max_length=MAX_TEXT_CHARS,
        description="gdp, gdp_ppp, defence, defence_share_gdp, equipment_share, personnel, "
        "population, defence_per_capita, gdp_per_capita.",
        examples=["gdp"],
    ),
]
DefinitionParam = Annotated[
    str,
    Query(max_length=MAX_TEXT_CHARS, description="Defence expenditure definition: nato, sipri."),
]
StrictParam = Annotated[bool, Query(description="Refuse to answer when any member lacks data.")]


def _options(
    definition: str,
    source: str | None,
    prices: str | None,
    edition: str | None,
    strict: bool,
    gdp_source: str | None = None,
) -> tuple[tuple[str, Any], ...]:
    options: dict[str, Any] = {
        "definition": definition,
        "source": source,
        "prices": prices,
        "edition": edition,
    }
    options |= {"strict": strict}
    if gdp_source is not None:
        options["gdp_source"] = gdp_source
    return tuple(options.items())


def _aggregate(
    expression: str, metric: str, year: int, options: tuple[tuple[str, Any], ...], members: bool
) -> View:
    from alliance.metrics import aggregate
    from alliance.views.coalitions import aggregate_view, member_figures_view

    result = aggregate(expression, metric, year, **dict(options))
    return member_figures_view(result) if members else aggregate_view(result)


@router.get("/aggregate")
async def aggregate(
    expression: ExpressionParam,
    metric: MetricParam,
    year: YearParam,
    definition: DefinitionParam = "nato",
    source: TextParam = None,
    prices: TextParam = None,
    gdp_source: TextParam = None,
    edition: TextParam = None,
    strict: StrictParam = False,
    members: Annotated[
        bool, Query(description="Each member's figure instead of the total.")
    ] = False,
    format: FormatParam = Format.json,
) -> Response:
    """A coalition's total (or ratio of totals) of a metric in a year, with its sources; with
    `members`, each member's figure and the cells it was read from."""
    options = _options(definition, source, prices, edition, strict, gdp_source)
    expression = check_expression(expression)
    return await table(_aggregate, expression, metric, year, options, members, fmt=format)


def _share(
    expression: str, of: str, metric: str, year: int, options: tuple[tuple[str, Any], ...]
) -> View:
    from alliance.metrics import share
    from alliance.views.coalitions import share_view

    return share_view(share(expression, of, metric, year, **dict(options)))


@router.get("/share")
async def share(
    expression: ExpressionParam,
    of: Annotated[
        str,
        Query(min_length=1, max_length=MAX_EXPRESSION_CHARS, description="The whole, e.g. NATO."),
    ],
    metric: MetricParam,
    year: YearParam,
    definition: DefinitionParam = "nato",
    source: TextParam = None,
    prices: TextParam = None,
    edition: TextParam = None,
    strict: StrictParam = False,
    format: FormatParam = Format.json,
) -> Response:
    """A coalition's share (a fraction in [0, 1]) of another's total; members outside `of` are
    left out and named in the notes."""
    options = _options(definition, source, prices, edition, strict)
    part, whole = check_expression(expression), check_expression(of)
    return await table(_share, part, whole, metric, year, options, fmt=format)


def _compare(
    expressions: tuple[str, ...],
    metric: str,
    start: int,
    end: int,
    options: tuple[tuple[str, Any], ...],
) -> View:
    from alliance.metrics import comparison
    from alliance.views.coalitions import comparison_view

    found = comparison(list(expressions), metric, start, end, **dict(options))
    return comparison_view(found, metric, start, end)


@router.get("/compare")
async def compare(
    expression: Annotated[
        list[str],
        Query(
            min_length=1,
            max_length=MAX_EXPRESSIONS,
            description=f"Coalition expressions (repeat the parameter, at most {MAX_EXPRESSIONS}).",
        ),
    ],
    metric: MetricParam,
    start: Annotated[YearParam, Query(alias="from")],
    end: Annotated[YearParam, Query(alias="to")],
    definition: DefinitionParam = "nato",
    source: TextParam = None,
    prices: TextParam = None,
    gdp_source: TextParam = None,
    edition: TextParam = None,
    strict: StrictParam = False,
    format: FormatParam = Format.json,
) -> Response:
    """Coalitions side by side, one row per coalition and year (membership on 1 July)."""
    for text in expression:
        if not 0 < len(text) <= MAX_EXPRESSION_CHARS:
            from fastapi import HTTPException

            raise HTTPException(
                422,
                f"Coalition expression of {len(text)} characters: expected 1 to "
                f"{MAX_EXPRESSION_CHARS}.",
            )
        check_expression(text)
    options = _options(definition, source, prices, edition, strict, gdp_source)
    return await table(_compare, tuple(expression), metric, start, end, options, fmt=format)


def _targets(year: int, target: str | None, edition: str | None) -> View:
    from alliance.commitments import target_table
    from alliance.views.commitments import targets_view

    return targets_view(target_table(year, target, edition), year)


@router.get("/targets")
async def targets(
    year: YearParam,
    target: Annotated[
        str | None,
        Query(
            max_length=MAX_TEXT_CHARS,
            description="guideline-2006, wales-2014, wales-equipment-20, vilnius-2023, "
            "hague-core-3.5, hague-total-5 (aliases 2%, 3.5%, 5%, equipment); default: the 2% "
            "benchmark of that year.",
        ),
    ] = None,
    edition: TextParam = None,
    format: FormatParam = Format.json,
) -> Response:
    """Each ally against a NATO target: value, gap in pp, USD and EUR, path needed and status."""
    return await table(_targets, year, target, edition, fmt=format)


def _history(edition: str | None) -> View:
    from alliance.commitments import targets_history_records
    from alliance.views.commitments import targets_history_view

    return targets_history_view(targets_history_records(edition))


@router.get("/targets/history")
async def targets_history(edition: TextParam = None, format: FormatParam = Format.json) -> Response:
    """How many allies met 2 % of GDP each year, and which."""
    return await table(_history, edition, fmt=format)


def _pledges(country: str) -> View:
    from alliance.commitments import pledge
    from alliance.views.commitments import pledge_view

    return pledge_view(pledge(country))


@router.get("/pledges/{country}")
async def pledges(
    country: Annotated[
        str,
        Path(max_length=MAX_TEXT_CHARS, description="ISO3, ISO2 or name.", examples=["DEU"]),
    ],
    format: FormatParam = Format.json,
) -> Response:
    """A country's sourced pledges, the path each implies year by year, and the latest figure."""
    return await table(_pledges, country, fmt=format)


def _ally_shares(edition: str | None) -> View:
    from alliance.views.commitments import ally_shares

    return ally_shares(edition).view


@router.get("/allies/share-of-gdp")
async def allies_share_of_gdp(
    edition: TextParam = None, format: FormatParam = Format.json
) -> Response:
    """Every NATO ally's defence expenditure as % of GDP in the latest year of the newest NATO
    edition (or `edition`), highest first; allies without a figure last (`alliance demo`)."""
    return await table(_ally_shares, edition, fmt=format)
