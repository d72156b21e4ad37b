"""The dashboard pages: server-rendered HTML over the library, enhanced by /static/app.js.

Every page is a GET form: it works without JavaScript, and with it a change of year, definition
or date swaps the page in place. Routes only call library functions and lay out what they
return; errors from the library are shown on the page in the CLI's words.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any, ParamSpec

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from alliance.errors import AllianceError
from alliance.web import pages_analysis, pages_country, pages_scenarios
from alliance.web.api_common import LIBRARY_LOCK
from alliance.web.pages_layout import csv_href, error_box, options, page, table
from alliance.web.pages_overview import (
    DEFINITIONS,
    overview_figures,
    overview_section,
    share_editions,
)
from alliance.web.pages_svg import esc

router = APIRouter(include_in_schema=False)
P = ParamSpec("P")


def locked(handler: Callable[P, Response]) -> Callable[P, Response]:
    """Run a page under the API's library lock: the store's shared DuckDB connection serves one
    call at a time, and FastAPI runs page handlers in a thread pool."""

    @functools.wraps(handler)
    def run(*args: P.args, **kwargs: P.kwargs) -> Response:
        with LIBRARY_LOCK:
            return handler(*args, **kwargs)

    return run


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status)


# --- overview ----------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
@locked
def overview(
    year: int | None = Query(None, ge=1900, le=2100),
    definition: str = Query("nato", pattern="^(nato|sipri)$"),
    edition: str = Query("", max_length=40),
) -> HTMLResponse:
    chosen_edition = edition or None
    try:
        editions = share_editions(definition)
        if chosen_edition not in editions:
            chosen_edition = None
        _, years, shown = overview_figures(definition, chosen_edition, year)
        body, shown = overview_section(definition, chosen_edition, shown)
    except AllianceError as error:
        editions, years, shown, body = [], [], year or 0, error_box(str(error))
    form = (
        '<form class="controls" method="get" action="/" data-live>'
        f'<label>Year <select name="year">{options(((str(y), str(y)) for y in years), str(shown))}'
        "</select></label>"
        f'<label>Definition <select name="definition">{options(DEFINITIONS, definition)}'
        "</select></label>"
        '<label>Edition <select name="edition">'
        f"{options([('', 'newest'), *((e, e) for e in editions)], chosen_edition or '')}"
        '</select></label><button type="submit">Show</button></form>'
    )
    intro = (
        "<h1>Defence spending in Europe and North America</h1>"
        '<p class="lead">Each ally\'s defence expenditure as a share of its GDP, by the '
        "definition and edition you choose. NATO's figures are the yardstick of its targets; "
        "SIPRI's cover every country, Russia and Ukraine included. Estimates are marked with "
        "thin diagonal lines and (e). The year shown first is the latest with a figure for "
        "(nearly) every ally.</p>"
    )
    return _html(page("Overview", "overview", intro + form + f'<div id="results">{body}</div>'))


# --- sources -----------------------------------------------------------------------------------


@router.get("/sources", response_class=HTMLResponse)
@locked
def sources() -> HTMLResponse:
    from alliance.observations import editions

    frame = editions()
    rows = []
    for record in frame.to_dict("records"):
        source_id, edition, dataset = record["source_id"], record["edition"], record["dataset"]
        href = f"/sources/{esc(source_id)}/{esc(edition)}/{esc(dataset)}.csv"
        rows.append(
            [
                f"{esc(source_id)}<br>{esc(edition)}<br><small>{esc(dataset)}</small>",
                esc(record["citation"]),
                f'<a href="{esc(record["url"])}">{esc(record["publisher"])}</a>',
                esc(record["licence"]),
                f'<code class="hash">{esc(record["sha256"])}</code><br>'
                f"<small>{esc(record['file_name'])} ({esc(record['origin'])})</small>",
                f'<a href="{href}" download>CSV</a>',
            ]
        )
    columns = ["edition", "citation", "publisher", "licence", "file and SHA-256", "figures"]
    csv_link = csv_href(list(frame.columns), frame.astype(object).values.tolist())
    body = (
        "<h1>Sources</h1>"
        '<p class="lead">Every edition in the store: how to cite it, its licence, the checksum '
        "of the file its figures were read from, and every figure of it as CSV (each row with its "
        "estimate flag and the sheet and cell it came from).</p>"
        f'<p><a href="{csv_link}" download="editions.csv">Download this list as CSV</a></p>'
        + table(columns, rows, "Editions", raw=range(len(columns)))
    )
    return _html(page("Sources", "sources", body))


def edition_figures(
    source_id: str, edition: str, dataset: str
) -> tuple[list[str], list[list[Any]]]:
    """Every stored figure of one edition and dataset, indicator by indicator."""
    from alliance.errors import UnknownEditionError
    from alliance.observations import edition_record, observation_records
    from alliance.schema import INDICATORS, OBSERVATION_COLUMNS

    edition_record(source_id, edition, dataset)  # raises for an unknown edition
    rows: list[list[Any]] = []
    for indicator in INDICATORS:
        try:
            found = observation_records(indicator, source=source_id, edition=edition)
        except (AllianceError, UnknownEditionError):
            continue
        rows += [[r[c] for c in OBSERVATION_COLUMNS] for r in found if r["dataset"] == dataset]
    return list(OBSERVATION_COLUMNS), rows


@router.get("/sources/{source_id}/{edition}/{dataset}.csv")
@locked
def edition_csv(source_id: str, edition: str, dataset: str) -> Response:
    """Every figure of one edition, with its provenance columns."""
    from alliance.web.pages_layout import csv_text

    try:
        columns, rows = edition_figures(source_id, edition, dataset)
    except AllianceError as error:
        return _html(page("Sources", "sources", error_box(str(error))), 404)
    name = f"{source_id}_{edition}_{dataset}.csv".replace("/", "_")
    return Response(
        csv_text(columns, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- the other pages ---------------------------------------------------------------------------


@router.get("/country", response_class=HTMLResponse)
@locked
def country_index(c: str = Query("", max_length=80)) -> Response:
    if c:
        from alliance.countries import resolve_country

        try:
            return RedirectResponse(f"/country/{resolve_country(c)}", status_code=303)
        except AllianceError as error:
            return _html(pages_country.index_page(str(error)), 404)
    return _html(pages_country.index_page())


@router.get("/country/{iso3}", response_class=HTMLResponse)
@locked
def country(iso3: str) -> HTMLResponse:
    return _html(*pages_country.country_page(iso3[:80]))


@router.get("/coalitions", response_class=HTMLResponse)
@locked
def coalitions(
    expression: str = Query("NATO & EU", max_length=300),
    of: str = Query("NATO", max_length=300),
    on: str = Query("", max_length=20),
) -> HTMLResponse:
    return _html(*pages_analysis.coalitions_page(expression, of, on or date.today().isoformat()))


@router.get("/commitments", response_class=HTMLResponse)
@locked
def commitments(year: int | None = Query(None, ge=1900, le=2100)) -> HTMLResponse:
    return _html(*pages_analysis.commitments_page(year))


@router.get("/obligations", response_class=HTMLResponse)
@locked
def obligations(
    place: str = Query("", max_length=120),
    at: str = Query("", max_length=60),
    on: str = Query("", max_length=20),
) -> HTMLResponse:
    return _html(*pages_analysis.obligations_page(place, at, on or date.today().isoformat()))


@router.get("/scenarios", response_class=HTMLResponse)
@locked
def scenarios(
    coalition: str = Query("EU", max_length=300),
    year: int | None = Query(None, ge=2014, le=2100),
    swing: float = Query(0.2, gt=0, lt=1),
) -> HTMLResponse:
    return _html(*pages_scenarios.europe_page(coalition, year, swing))


@router.get("/scenarios/ukraine", response_class=HTMLResponse)
@locked
def scenarios_ukraine(
    coalitions: str = Query("", max_length=600),
    gdp_year: int = Query(2021, ge=2014, le=2100),
    replace_year: int = Query(2024, ge=2014, le=2100),
) -> HTMLResponse:
    return _html(*pages_scenarios.ukraine_page(coalitions, gdp_year, replace_year))


@router.get("/projections", response_class=HTMLResponse)
@locked
def projections(
    expression: str = Query("NATO-Europe", max_length=300),
    path: str = Query("current", pattern="^(current|trend|pledges|hague)$"),
    draws: int = Query(10_000, ge=1, le=pages_scenarios.PAGE_DRAWS_CAP),
    seed: int = Query(2025, ge=0, le=2**32 - 1),
) -> HTMLResponse:
    return _html(*pages_scenarios.projections_page(expression, path, draws, seed))


@router.get("/factcheck", response_class=HTMLResponse)
@locked
def factcheck(example: bool = False) -> HTMLResponse:
    return _html(*pages_analysis.factcheck_page(None, example))


@router.post("/factcheck", response_class=HTMLResponse)
async def factcheck_post(request: Request) -> Response:
    from fastapi.concurrency import run_in_threadpool

    body = await pages_analysis.read_claim_body(request)
    if body is None:
        return _html(*pages_analysis.oversized())
    return await run_in_threadpool(_checked_page, body)


@locked
def _checked_page(body: str) -> Response:
    return _html(*pages_analysis.factcheck_page(body, False))
