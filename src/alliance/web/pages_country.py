"""The country page: NATO's and SIPRI's series side by side, GDP, personnel, equipment share,
pledges and their paths, and every figure shown with its edition and locator."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from alliance.errors import AllianceError
from alliance.web.pages_layout import chart, error_box, fmt, page, table
from alliance.web.pages_svg import Line, Point, esc, line_chart

FIRST_YEAR: Final = 2014
TARGET_LINES: Final = ((2.0, "2 %"), (3.5, "3.5 %"))
SOURCE_COLUMNS: Final = (
    "series",
    "year",
    "value",
    "unit",
    "estimate",
    "source",
    "edition",
    "dataset",
    "locator",
)


@dataclass(frozen=True)
class SeriesSpec:
    """One stored series to show: which rows, how to name them, the factor to the unit shown."""

    name: str
    indicator: str
    filters: tuple[tuple[str, str], ...]
    unit: str
    factor: float = 1.0


SHARE: Final = (
    SeriesSpec("NATO", "defence_expenditure_share_gdp", (("source", "nato"),), "% of GDP"),
    SeriesSpec("SIPRI", "defence_expenditure_share_gdp", (("source", "sipri"),), "% of GDP"),
)
_USD_CURRENT: Final = (
    ("currency", "USD"),
    ("price_basis", "current"),
    ("exchange_basis", "market"),
)
SPENDING: Final = (
    SeriesSpec(
        "NATO", "defence_expenditure", (("source", "nato"), *_USD_CURRENT), "billion USD", 1e-3
    ),
    SeriesSpec(
        "SIPRI", "defence_expenditure", (("source", "sipri"), *_USD_CURRENT), "billion USD", 1e-3
    ),
)
GDP: Final = (
    SeriesSpec("World Bank", "gdp", (("source", "wb"), *_USD_CURRENT), "billion USD", 1e-9),
    SeriesSpec("IMF WEO", "gdp", (("source", "imf"), *_USD_CURRENT), "billion USD"),
    SeriesSpec("NATO", "gdp", (("source", "nato"), *_USD_CURRENT), "billion USD", 1e-3),
)
PERSONNEL: Final = (
    SeriesSpec("NATO", "military_personnel", (("source", "nato"),), "thousand persons"),
    SeriesSpec("World Bank", "military_personnel", (("source", "wb"),), "thousand persons", 1e-3),
)
EQUIPMENT: Final = (
    SeriesSpec("NATO", "equipment_share", (("source", "nato"),), "% of defence expenditure"),
)


def _rows(iso3: str, spec: SeriesSpec) -> list[dict[str, Any]]:
    from alliance.observations import observation_records

    try:
        filters: dict[str, Any] = dict(spec.filters)
        found = observation_records(spec.indicator, entities=[iso3], **filters)
    except AllianceError:  # the source has no such figure for this country
        return []
    return [r for r in found if r["value"] is not None and int(r["year"]) >= FIRST_YEAR]


@dataclass(frozen=True)
class Panel:
    lines: list[Line]
    source_rows: list[list[Any]]
    editions: list[tuple[str, str, str]]


def _panel(iso3: str, specs: Sequence[SeriesSpec]) -> Panel:
    lines, source_rows, used = [], [], set()
    for spec in specs:
        rows = _rows(iso3, spec)
        if not rows:
            continue
        points = tuple(
            Point(int(r["year"]), float(r["value"]) * spec.factor, bool(r["estimate"]))
            for r in rows
        )
        lines.append(Line(spec.name, points))
        for r in rows:
            used.add((str(r["source_id"]), str(r["edition"]), str(r["dataset"])))
            source_rows.append(
                [
                    f"{spec.name}: {spec.indicator}",
                    r["year"],
                    r["value"],
                    r["unit"] if r["currency"] is None else f"{r['unit']} {r['currency']}",
                    bool(r["estimate"]),
                    r["source_id"],
                    r["edition"],
                    r["dataset"],
                    r["locator"],
                ]
            )
    return Panel(lines, source_rows, sorted(used))


def _panel_chart(
    chart_id: str,
    title: str,
    subtitle: str,
    panel: Panel,
    unit: str,
    reference: Sequence[tuple[float, str]] = (),
) -> str:
    from alliance.observations import citation_lines

    if not panel.lines:
        return (
            f'<section class="chart empty"><h3>{esc(title)}</h3><p>No figure shipped.</p></section>'
        )
    svg = line_chart(panel.lines, title, unit, reference)
    columns = list(SOURCE_COLUMNS)
    return chart(
        chart_id,
        title,
        subtitle,
        svg,
        citation_lines(panel.editions),
        (columns, panel.source_rows),
    )


def index_page(message: str = "") -> str:
    from alliance.countries import countries

    listed = sorted(countries(), key=lambda c: c.name)
    names = "".join(f'<option value="{esc(c.name)}">' for c in listed)
    links = "".join(
        f'<li><a href="/country/{esc(c.iso3)}">{esc(c.name)}</a> <small>{esc(c.iso3)}</small></li>'
        for c in listed
    )
    body = (
        "<h1>Countries</h1>"
        + (error_box(message) if message else "")
        + '<form class="controls" method="get" action="/country"><label>Country (ISO3, ISO2 or '
        'name) <input name="c" list="country-names" autocomplete="off" required></label>'
        '<button type="submit">Open</button></form>'
        f'<datalist id="country-names">{names}</datalist>'
        f'<ul class="country-list">{links}</ul>'
    )
    return page("Countries", "country", body)


def country_page(text: str) -> tuple[str, int]:
    from alliance.countries import country_name, resolve_country

    try:
        iso3 = resolve_country(text)
    except AllianceError as error:
        return index_page(str(error)), 404
    name = country_name(iso3)
    share = _panel(iso3, SHARE)
    spending = _panel(iso3, SPENDING)
    gdp = _panel(iso3, GDP)
    personnel = _panel(iso3, PERSONNEL)
    equipment = _panel(iso3, EQUIPMENT)
    parts = [
        f"<h1>{esc(name)} <small>{esc(iso3)}</small></h1>",
        _memberships(iso3),
        '<div class="grid">',
        _panel_chart(
            "share-gdp",
            f"{name}: defence spending, % of GDP",
            "NATO definition (NATO's own figures, newest edition per year) beside SIPRI's "
            "definition: the two are never mixed. Open circles are estimates.",
            share,
            "% of GDP",
            TARGET_LINES,
        ),
        _panel_chart(
            "spending-usd",
            f"{name}: defence spending, billion US$",
            "Current prices and market exchange rates; NATO and SIPRI definitions.",
            spending,
            "billion USD",
        ),
        _panel_chart(
            "gdp-usd",
            f"{name}: GDP, billion US$",
            "Current prices, market exchange rates; IMF figures after the last actual year are "
            "WEO projections (estimates).",
            gdp,
            "billion USD",
        ),
        _panel_chart(
            "personnel",
            f"{name}: military personnel, thousands",
            "NATO: military personnel (NATO definition); World Bank: armed forces personnel "
            "including paramilitary (IISS).",
            personnel,
            "thousand persons",
        ),
        _panel_chart(
            "equipment-share",
            f"{name}: major equipment, % of defence spending",
            "NATO definition; NATO's guideline is 20 % (Wales 2014).",
            equipment,
            "% of defence expenditure",
            ((20.0, "20 % guideline"),),
        ),
        "</div>",
        _pledges(iso3, name),
    ]
    every = [*share.source_rows, *spending.source_rows, *gdp.source_rows]
    every += [*personnel.source_rows, *equipment.source_rows]
    parts.append(
        "<h2>Every figure on this page</h2>"
        "<p>With its source, edition and locator: the sheet and cell (or line) of the official "
        "file it was read from.</p>"
        + table(list(SOURCE_COLUMNS), every, f"Figures for {name}", numeric=(1, 2))
    )
    return page(name, "country", "".join(parts)), 200


def _memberships(iso3: str) -> str:
    from alliance.memberships import groups_of

    groups = groups_of(iso3)
    if not groups:
        return "<p>Member of no group in the shipped tables today.</p>"
    return f"<p>Member today of: {esc(', '.join(groups))}.</p>"


def _pledges(iso3: str, name: str) -> str:
    from alliance.commitments import pledge

    try:
        reports = pledge(iso3)
    except AllianceError as error:
        return f"<h2>Pledges</h2><p>{esc(str(error))}</p>"
    parts = ["<h2>Pledges and their paths</h2>"]
    for index, report in enumerate(reports):
        item = report.pledge
        path = [Point(int(p["year"]), float(p["percent"]), False) for p in report.path]
        actual = _rows(iso3, SHARE[0])
        lines = [
            Line(
                "NATO figure",
                tuple(
                    Point(int(r["year"]), float(r["value"]), bool(r["estimate"])) for r in actual
                ),
            )
        ]
        if path:
            lines.append(
                Line(
                    f"Path to {item.target_percent} % by {item.target_year}",
                    tuple(path),
                    dashed=True,
                )
            )
        latest = (
            f"Latest NATO figure: {fmt(report.latest_value)} % in {report.latest_year} "
            f"({esc(report.latest_edition)}{', estimate' if report.latest_estimate else ''}); "
            f"gap to the path: {fmt(report.gap_to_path_pp)} pp."
            if report.latest_value is not None
            else "No NATO figure yet."
        )
        parts.append(
            f"<h3>{esc(item.pledge)}</h3><blockquote>{esc(item.statement)}</blockquote>"
            f'<p>Announced {esc(item.announced)}. Source: <a href="{esc(item.source_url)}">'
            f"{esc(item.source_title)}</a>. Path: {esc(report.path_rule)}. {latest}</p>"
        )
        columns = ["year", "path_percent"]
        rows = [[p["year"], p["percent"]] for p in report.path]
        parts.append(
            chart(
                f"pledge-{index + 1}",
                f"{name}: {item.pledge}",
                "Defence spending % of GDP, NATO definition, against the straight-line path "
                "the pledge implies (dashed). The path is our reading, stated above.",
                line_chart(lines, item.pledge, "% of GDP"),
                [f"Pledge: {item.source_title} {item.source_url}"],
                (columns, rows),
            )
        )
    return "".join(parts)
