"""API routes for the reference facts and the figures: countries, groups and members at a date,
coalition members, observations, editions."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from alliance.views import View
from alliance.web.api_common import (
    MAX_COUNTRIES,
    MAX_TEXT_CHARS,
    TABLE_RESPONSES,
    DateParam,
    ExpressionParam,
    Format,
    FormatParam,
    OptionalYear,
    TextParam,
    check_expression,
    day,
    table,
)

router = APIRouter(tags=["reference"], responses=TABLE_RESPONSES)

FILTERS: tuple[str, ...] = ("source", "definition", "edition", "unit", "currency")
FILTERS += ("price_basis", "exchange_basis", "period")

GroupPath = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9_-]{1,40}$",
        description="A group or preset: NATO, EU, JEF, NB8, ARCTIC_COUNCIL, G7.",
        examples=["NATO"],
    ),
]


@router.get("/countries")
async def countries(on: DateParam = None, format: FormatParam = Format.json) -> Response:
    """Every country: ISO3, ISO2, name and the groups it belongs to on a date (default: today)."""
    from alliance.views.reference import countries_view

    return await table(countries_view, day(on), fmt=format)


@router.get("/groups")
async def groups(on: DateParam = None, format: FormatParam = Format.json) -> Response:
    """Every named group: name, member count on a date, description and source."""
    from alliance.views.reference import groups_view

    return await table(groups_view, day(on), fmt=format)


@router.get("/groups/{group}/members")
async def members(
    group: GroupPath, on: DateParam = None, format: FormatParam = Format.json
) -> Response:
    """A group's members on a date, with the date each joined (and left) and the citation."""
    from alliance.views.reference import members_view

    return await table(members_view, group, day(on), fmt=format)


def _coalition_members(expression: str, on: date) -> View:
    from alliance.coalitions import coalition
    from alliance.views.coalitions import members_view

    return members_view(coalition(expression, on))


@router.get("/coalition")
async def coalition_members(
    expression: ExpressionParam, on: DateParam = None, format: FormatParam = Format.json
) -> Response:
    """The members of a coalition expression on a date (default: today)."""
    return await table(_coalition_members, check_expression(expression), day(on), fmt=format)


@router.get("/observations")
async def observations(
    indicator: Annotated[
        str,
        Query(
            max_length=MAX_TEXT_CHARS,
            description="defence, defence-share, gdp, population, personnel, equipment, ...",
            examples=["defence_expenditure_share_gdp"],
        ),
    ],
    country: Annotated[
        list[str] | None,
        Query(
            max_length=MAX_COUNTRIES,
            description="ISO3, ISO2, name or a publisher aggregate (nato:NATO_TOTAL); repeatable.",
        ),
    ] = None,
    definition: TextParam = None,
    source: TextParam = None,
    edition: TextParam = None,
    unit: TextParam = None,
    currency: TextParam = None,
    price_basis: TextParam = None,
    exchange_basis: TextParam = None,
    period: TextParam = None,
    first: Annotated[OptionalYear, Query(alias="from")] = None,
    last: Annotated[OptionalYear, Query(alias="to")] = None,
    format: FormatParam = Format.json,
) -> Response:
    """Figures with unit, prices, definition, estimate flag, edition and source cell; the newest
    edition of each kind of figure unless `edition` is given."""
    names = tuple(c[:MAX_TEXT_CHARS] for c in country or ())
    filters = (source, definition, edition, unit, currency, price_basis, exchange_basis, period)
    return await table(_observations, indicator, names, first, last, filters, fmt=format)


def _observations(
    indicator: str,
    countries: tuple[str, ...],
    first: int | None,
    last: int | None,
    filters: tuple[str | None, ...],
) -> View:
    from alliance.views.reference import observations_view

    names = FILTERS
    return observations_view(
        indicator, countries, first, last, **dict(zip(names, filters, strict=True))
    )


@router.get("/editions")
async def editions(format: FormatParam = Format.json) -> Response:
    """Every edition in the store: publisher, citation, licence, URL, rows and checksum."""
    from alliance.views.reference import editions_view

    return await table(editions_view, fmt=format)
