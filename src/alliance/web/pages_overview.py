"""The overview's map and ranked bars: each country's defence spending as a share of GDP.

Shared by the overview page and by `alliance report`, which writes them without a server: this
module (and what it imports) stays free of FastAPI.
"""

from __future__ import annotations

from typing import Any, Final

from alliance.errors import AllianceError
from alliance.web.pages_layout import chart
from alliance.web.pages_map import europe_frame
from alliance.web.pages_svg import Bar, MapValue, choropleth, ranked_bars, share_legend

SHARE_INDICATOR: Final = "defence_expenditure_share_gdp"
DEFINITIONS: Final = (("nato", "NATO definition"), ("sipri", "SIPRI definition"))
TARGET_LINES: Final = ((2.0, "2 %"), (3.5, "3.5 %"))


def share_editions(definition: str) -> list[str]:
    """Editions of `definition`'s source that hold shares of GDP, newest first."""
    from alliance.views.reference import editions_view

    found = {e for source_id, e, _ in editions_view().editions if source_id == definition}
    return sorted(found, reverse=True)


def overview_figures(
    definition: str, edition: str | None, year: int | None
) -> tuple[list[dict[str, Any]], list[int], int]:
    """Each country's share of GDP in `year`, and the years there are. By default the latest
    year in which (nearly) every ally has a figure: a release's newest year often lacks some."""
    from alliance.observations import latest_covered_year, observation_records

    every = observation_records(SHARE_INDICATOR, source=definition, edition=edition)
    years = sorted({int(r["year"]) for r in every if r["value"] is not None})
    if not years:
        raise AllianceError(f"No share of GDP figures for {definition} {edition or ''}.")
    if year in years:
        chosen = year
    else:
        chosen = latest_covered_year(SHARE_INDICATOR, source=definition, edition=edition)
    rows = [
        r
        for r in every
        if int(r["year"]) == chosen and r["value"] is not None and len(str(r["entity"])) == 3
    ]
    return rows, years, chosen


def overview_section(
    definition: str, edition: str | None, year: int | None, interactive: bool = True
) -> tuple[str, int]:
    """The map and the ranked bars; also used by the report. Returns (html, year shown)."""
    from alliance.countries import country_name
    from alliance.observations import citation_lines

    rows, _, chosen = overview_figures(definition, edition, year)
    rows.sort(key=lambda r: -float(r["value"]))
    names = {str(r["entity"]): country_name(str(r["entity"])) for r in rows}
    used = sorted({(str(r["source_id"]), str(r["edition"]), str(r["dataset"])) for r in rows})
    sources = citation_lines(used)
    label = dict(DEFINITIONS)[definition]
    estimated = [names[str(r["entity"])] for r in rows if r["estimate"]]
    mark = "Estimates (thin diagonal lines; (e) in the ranked bars)"
    notes = [f"{mark}: {', '.join(estimated)}."] if estimated else []
    values = {
        str(r["entity"]): MapValue(
            float(r["value"]),
            bool(r["estimate"]),
            f"{names[str(r['entity'])]}: {float(r['value']):.2f} % of GDP"
            + (" (estimate)" if r["estimate"] else ""),
        )
        for r in rows
    }
    editions_text = ", ".join(f"{s} {e}" for s, e, _ in used)
    subtitle = f"Defence expenditure as % of GDP, {chosen}, {label}; edition {editions_text}." + (
        " Click a country for its page." if interactive else ""
    )
    columns = ["iso3", "country", "year", "percent_of_gdp", "estimate", "edition", "locator"]
    data = [
        [
            r["entity"],
            names[str(r["entity"])],
            chosen,
            r["value"],
            bool(r["estimate"]),
            f"{r['source_id']} {r['edition']} ({r['dataset']})",
            r["locator"],
        ]
        for r in rows
    ]
    link = "/country/{iso3}" if interactive else None
    map_svg = choropleth(europe_frame(), values, f"Map: defence spending % of GDP, {chosen}", link)
    map_svg += share_legend()
    bars = [
        Bar(names[str(r["entity"])], float(r["value"]), bool(r["estimate"]), r["value"] >= 2.0)
        for r in rows
    ]
    bars_svg = ranked_bars(bars, TARGET_LINES, f"Ranked: defence spending % of GDP, {chosen}")
    frame = europe_frame()
    map_sources = [
        *sources,
        f"Boundaries: {frame.source}, version {frame.version}, public domain.",
    ]
    html = chart(
        "map-share-gdp",
        f"Defence spending as a share of GDP, {chosen}",
        subtitle,
        map_svg,
        map_sources,
        (columns, data),
        notes,
        interactive,
    ) + chart(
        "ranked-share-gdp",
        f"{sum(1 for b in bars if b.highlight)} of {len(bars)} countries with a figure at or "
        f"above 2 % of GDP in {chosen}",
        f"Defence expenditure as % of GDP, {label}, ranked; dashed lines: 2 % (Wales 2014, "
        f"a floor since Vilnius 2023) and 3.5 % (Hague 2035 core). Edition {editions_text}.",
        bars_svg,
        sources,
        (columns, data),
        notes,
        interactive,
    )
    return html, chosen
