"""Coalitions, commitments, obligations and fact-check pages (and their report sections)."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs

from alliance.errors import AllianceError
from alliance.web.pages_layout import (
    chart,
    error_box,
    fmt,
    options,
    page,
    percent,
    section_or_error,
    table,
)
from alliance.web.pages_map import map_frame
from alliance.web.pages_svg import (
    NO_DATA,
    OKABE_ITO,
    Bar,
    Line,
    MapCategory,
    Point,
    category_map,
    esc,
    html_legend,
    line_chart,
    ranked_bars,
)

if TYPE_CHECKING:
    from fastapi import Request

    from alliance.claims import ClaimReport
    from alliance.metrics import ShareResult
    from alliance.metrics.engine import Fetch

SERIES_YEARS: Final = range(2014, 2025)
SEED_YEAR: Final = 2024
# The seed question read as the shipped claim file reads it (rutte-2025-12.yaml): GDP from one
# source and vintage (IMF WEO), defence spending under NATO's definition.
SEED_GDP: Final[dict[str, Any]] = {"source": "imf"}
SEED_DEFENCE: Final[dict[str, Any]] = {"definition": "nato"}
MAX_CLAIM_BYTES: Final = 256 * 1024
TARGETS: Final = ("hague-core-3.5", "hague-total-5")


# --- coalitions --------------------------------------------------------------------------------


def suggestions() -> list[dict[str, str]]:
    """Groups, presets and countries the expression box suggests."""
    from alliance.coalitions import presets
    from alliance.countries import countries
    from alliance.memberships import groups

    found = [{"value": g.group, "label": f"{g.group}: {g.name}"} for g in groups()]
    found += [{"value": p.name, "label": f"{p.name}: {p.description}"} for p in presets()]
    found += [{"value": c.iso3, "label": f"{c.iso3}: {c.name}"} for c in countries()]
    unique = {item["value"].upper(): item for item in found}
    return list(unique.values())


def _share_or_none(part: str, whole: str, metric: str, year: int, **kw: Any) -> ShareResult | None:
    from alliance.metrics import share

    try:
        return share(part, whole, metric, year, **kw)
    except AllianceError:
        return None


def _nato_fetch() -> Fetch:
    """One store query per kind of figure for every ally of the seed's years, instead of one per
    share and year (`Prefetched` answers with the rows `observation_records` would)."""
    from alliance.coalitions import coalition_in_year
    from alliance.metrics.engine import Prefetched

    allies = {m for year in SERIES_YEARS for m in coalition_in_year("NATO", year).members}
    return Prefetched(sorted(allies))


def seed_section(interactive: bool = True) -> str:
    """The seed question: EU members of NATO as a share of NATO's GDP and defence spending."""
    from alliance.metrics import share, source_lines

    fetch = _nato_fetch()
    gdp = share("NATO & EU", "NATO", "gdp", SEED_YEAR, **SEED_GDP, fetch=fetch)
    defence = share("NATO & EU", "NATO", "defence", SEED_YEAR, **SEED_DEFENCE, fetch=fetch)
    cards = "".join(
        f'<div class="answer"><span class="big">{percent(r.share)}</span>'
        f"<span>of NATO's {label}, {SEED_YEAR}</span>"
        f"<small>{fmt(r.value, 0)} of {fmt(r.of_value, 0)} {esc(r.unit)}; {esc(r.definition)}; "
        f"{esc(r.edition)}</small></div>"
        for r, label in ((gdp, "GDP"), (defence, "defence spending"))
    )
    series_g = [
        _share_or_none("NATO & EU", "NATO", "gdp", y, **SEED_GDP, fetch=fetch) for y in SERIES_YEARS
    ]
    series_d = [
        _share_or_none("NATO & EU", "NATO", "defence", y, **SEED_DEFENCE, fetch=fetch)
        for y in SERIES_YEARS
    ]
    lines = [
        _share_line("share of NATO's GDP (IMF)", series_g),
        _share_line("share of NATO's defence spending (NATO def.)", series_d),
    ]
    rows = _share_rows("NATO & EU", "NATO", [*series_g, *series_d])
    sources = source_lines([*gdp.sources, *defence.sources], defence.estimated)
    return (
        '<section class="seed" aria-labelledby="seed-title"><h2 id="seed-title">The 23 EU '
        "members of NATO: about a quarter of the alliance?</h2>"
        f"<p>Members of both on 1 July {SEED_YEAR}: {len(gdp.members)} "
        f"({esc(', '.join(gdp.members))}).</p>"
        f'<div class="answers">{cards}</div>'
        + chart(
            "seed-shares",
            f"EU members of NATO as a share of NATO, {SERIES_YEARS[0]}-{SERIES_YEARS[-1]}",
            "Share of NATO's total (%), members on 1 July of each year; GDP at market exchange "
            "rates, current US$ (IMF WEO Oct 2025); defence expenditure under NATO's definition, "
            "current US$. Open circles: estimates.",
            line_chart(lines, "EU members of NATO as a share of NATO", "% of NATO total"),
            sources,
            (list(SHARE_COLUMNS), rows),
            interactive=interactive,
        )
        + "</section>"
    )


SHARE_COLUMNS: Final = ("coalition", "of", "metric", "year", "value", "of_value", "share", "unit")
SHARE_COLUMNS_MORE: Final = ("definition", "edition", "estimated", "missing")


def _share_line(name: str, results: list[ShareResult | None]) -> Line:
    points = tuple(
        Point(r.year, r.share * 100, bool(r.estimated))
        for r in results
        if r is not None and r.share is not None
    )
    return Line(name, points)


def _share_rows(part: str, whole: str, results: list[ShareResult | None]) -> list[list[Any]]:
    return [
        [
            *(part, whole, r.metric, r.year, r.value, r.of_value, r.share, r.unit),
            *(r.definition, r.edition, " ".join(r.estimated), " ".join(r.missing)),
        ]
        for r in results
        if r is not None
    ]


def coalitions_page(expression: str, of: str, on: str) -> tuple[str, int]:
    form = (
        '<form class="controls" method="get" action="/coalitions" data-live>'
        '<div class="suggest"><label for="expression">Coalition</label>'
        f'<input id="expression" name="expression" value="{esc(expression)}" autocomplete="off" '
        'role="combobox" aria-autocomplete="list" aria-expanded="false" '
        'aria-controls="expression-list" spellcheck="false">'
        '<ul id="expression-list" role="listbox" hidden></ul></div>'
        f'<label>Share of <input name="of" value="{esc(of)}" size="10"></label>'
        f'<label>On <input type="date" name="on" value="{esc(on)}"></label>'
        '<button type="submit">Show</button></form>'
        '<p class="hint">Combine groups, presets and countries with <code>&amp;</code> (and), '
        "<code>|</code> (or), <code>-</code> (minus) and parentheses, e.g. "
        "<code>NATO - USA</code>, <code>EU | GBR | NOR</code>.</p>"
        f'<script type="application/json" id="suggestions">{_json(suggestions())}</script>'
    )
    body, status = section_or_error(_coalition_result, expression, of, on)
    seed = seed_section()
    intro = (
        '<h1>Coalitions</h1><p class="lead">Who belongs to a coalition on a date, what it '
        "adds up to, and its share of another coalition over time.</p>"
    )
    content = intro + form + f'<div id="results">{body}</div>' + seed
    return page("Coalitions", "coalitions", content), status


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _coalition_result(expression: str, of: str, on: str) -> str:
    from alliance.coalitions import coalition, parse_date
    from alliance.countries import country_name
    from alliance.metrics import comparison, source_lines

    day = parse_date(on)
    members = coalition(expression, day)
    whole = coalition(of, day)
    names = [f"{country_name(m)} ({m})" for m in members.members]
    listing = "".join(f"<li>{esc(n)}</li>" for n in names)
    part_html = (
        f'<h2>{esc(expression)} on {esc(day.isoformat())}: <span id="member-count">'
        f"{len(members.members)}</span> members</h2>"
        f'<ul class="members">{listing}</ul>'
    )
    gdp = [_share_or_none(expression, of, "gdp", y, **SEED_GDP) for y in SERIES_YEARS]
    defence = [_share_or_none(expression, of, "defence", y, **SEED_DEFENCE) for y in SERIES_YEARS]
    lines = [
        _share_line(f"share of {of}'s GDP (IMF)", gdp),
        _share_line(f"share of {of}'s defence spending (NATO def.)", defence),
    ]
    refs = [s for r in [*gdp, *defence] if r is not None for s in r.sources]
    estimated = [e for r in defence if r is not None for e in r.estimated]
    share_chart = chart(
        "coalition-shares",
        f"{expression} as a share of {of}, {SERIES_YEARS[0]}-{SERIES_YEARS[-1]}",
        f"Share of {of}'s total (%), members on 1 July of each year (only members inside "
        f"{of} count); GDP at market exchange rates, current US$ (IMF); defence expenditure "
        "under NATO's definition, current US$.",
        line_chart(lines, f"{expression} as a share of {of}", f"% of {of}"),
        source_lines(refs, estimated),
        ([*SHARE_COLUMNS, *SHARE_COLUMNS_MORE], _share_rows(expression, of, [*gdp, *defence])),
    )
    totals = comparison(
        [expression, of], "defence", SERIES_YEARS[0], SERIES_YEARS[-1], definition="nato"
    )
    total_lines = [
        Line(
            name,
            tuple(
                Point(int(r["year"]), float(r["value"]), bool(r["estimated"]))
                for r in totals.rows
                if r["coalition"] == name and r["value"] is not None
            ),
        )
        for name in (expression, of)
    ]
    missing = [
        f"{r['coalition']} {r['year']}: no figure for {r['missing']} (not counted)."
        for r in totals.rows
        if r["missing"]
    ][:6]
    totals_chart = chart(
        "coalition-totals",
        f"Defence spending of {expression} and {of}, billion US$",
        "NATO definition, current prices and exchange rates; members on 1 July of each year.",
        line_chart(total_lines, "Defence spending totals", "billion USD"),
        source_lines(totals.sources),
        (list(totals.rows[0]) if totals.rows else [], [list(r.values()) for r in totals.rows]),
        notes=missing,
    )
    return (
        part_html
        + f"<p>{esc(of)} on {esc(day.isoformat())}: {len(whole.members)} members.</p>"
        + '<div class="grid">'
        + share_chart
        + totals_chart
        + "</div>"
    )


# --- commitments -------------------------------------------------------------------------------


def commitments_section(year: int, interactive: bool = True) -> str:
    """Who meets 2 %, 3.5 % and 5 % in `year`, and the gaps in points and money."""
    from alliance.commitments import target_table
    from alliance.observations import citation_lines

    tables = [target_table(year)] + [target_table(year, t) for t in TARGETS]
    base = tables[0]
    by_target = [{r["iso3"]: r for r in t.rows} for t in tables]
    counts = "".join(
        f'<div class="answer"><span class="big">{sum(1 for r in t.rows if r["met"])}</span>'
        f"<span>of {len(t.rows)} Allies at {t.target.threshold_percent:g} %</span>"
        f"<small>{esc(t.target.name)}</small></div>"
        for t in tables
    )
    columns = ["country", "% of GDP", "estimate"]
    for t in tables:
        pct = f"{t.target.threshold_percent:g} %"
        columns += [f"{pct}: status", f"{pct}: gap pp", f"{pct}: gap bn US$", f"{pct}: gap bn €"]
    rows = []
    for record in base.rows:
        row: list[Any] = [
            record["country"],
            fmt(record["value"]),
            "e" if record["estimate"] else "",
        ]
        for found in by_target:
            other = found[record["iso3"]]
            row += [
                other["status"],
                fmt(other["gap_pp"]),
                fmt(other["gap_usd_bn"], 1),
                fmt(other["gap_eur_bn"], 1),
            ]
        rows.append(row)
    numeric = [1] + [i for i in range(3, len(columns)) if (i - 3) % 4]
    sources = citation_lines(base.editions)
    money = f"Gap in money: gap × GDP (current US$) from {', '.join(base.gdp_sources)}; " + (
        f"€ at the Fed H.10 annual average, {base.eur_per_usd:.4f} € per US$ in {year}."
        if base.eur_per_usd
        else "no shipped €/US$ rate for this year."
    )
    bars = [
        Bar(r["country"], float(r["value"]), bool(r["estimate"]), bool(r["met"]))
        for r in base.rows
        if r["value"] is not None
    ]
    data_columns = ["iso3", "country", "year", "value", "estimate", "edition", "locator"]
    data = [[r[c] for c in data_columns] for r in base.rows]
    lines = [(t.target.threshold_percent, f"{t.target.threshold_percent:g} %") for t in tables]
    ranked = chart(
        "commitments-ranked",
        f"Allies against 2 %, 3.5 % and 5 % of GDP, {year}",
        "Defence expenditure as % of GDP, NATO definition, NATO's own figures; blue: at or "
        "above 2 %; thin diagonal lines and (e): NATO's estimates.",
        ranked_bars(bars, lines, f"Allies against the targets, {year}"),
        sources,
        (data_columns, data),
        interactive=interactive,
    )
    targets = "".join(
        f"<li><strong>{esc(t.target.name)}</strong>: {esc(t.target.statement)} "
        f'<a href="{esc(t.target.source_url)}">{esc(t.target.source_title)}</a></li>'
        for t in tables
    )
    return (
        f'<div class="answers">{counts}</div>'
        + ranked
        + f"<h2>Gaps by Ally, {year}</h2><p>{esc(money)} Status rule: met if the value is at "
        "or above the target; before a deadline, on track if the 3-year trend is at least the "
        "yearly increase needed.</p>"
        + table(columns, rows, f"Allies against the targets, {year}", numeric=numeric)
        + f'<ul class="targets">{targets}</ul>'
        + '<ul class="chart-sources">'
        + "".join(f"<li>{esc(s)}</li>" for s in sources)
        + "</ul>"
    )


def _history_chart() -> str:
    from alliance.commitments import targets_history_records

    records = targets_history_records()
    line = Line(
        "Allies at or above 2 %",
        tuple(Point(int(r["year"]), float(r["meeting"]), bool(r["estimate"])) for r in records),
    )
    allies = Line(
        "Allies", tuple(Point(int(r["year"]), float(r["allies"]), False) for r in records), True
    )
    columns = ["year", "allies", "with_data", "meeting", "allies_meeting", "estimate", "edition"]
    return chart(
        "allies-at-2",
        "How many Allies spend 2 % of GDP, by year",
        "NATO definition; members on 1 July of each year; each year from the newest NATO "
        "edition that has it.",
        line_chart([line, allies], "Allies at 2 % by year", "Allies"),
        sorted({f"Source: NATO, {r['edition']}" for r in records}),
        (columns, [[r[c] for c in columns] for r in records]),
    )


def commitments_page(year: int | None) -> tuple[str, int]:
    from alliance.observations import latest_covered_year

    years = list(range(2014, 2026))
    if year not in years:
        year = latest_covered_year("defence_expenditure_share_gdp", source="nato")
    chosen = year if year in years else years[-1]
    form = (
        '<form class="controls" method="get" action="/commitments" data-live>'
        f'<label>Year <select name="year">{options(((str(y), str(y)) for y in years), str(chosen))}'
        '</select></label><button type="submit">Show</button></form>'
    )
    body, status = section_or_error(commitments_section, chosen)
    content = (
        '<h1>Commitments</h1><p class="lead">Who meets NATO\'s 2 % floor and the Hague 2035 '
        "targets (3.5 % core, 5 % in all), and how far the others are, in points of GDP and in "
        "money.</p>" + form + f'<div id="results">{body}</div>' + _history_chart()
    )
    return page("Commitments", "commitments", content), status


# --- obligations -------------------------------------------------------------------------------

CATEGORIES: Final = (
    MapCategory("both", OKABE_ITO[2], "bound under both clauses"),
    MapCategory("nat", OKABE_ITO[0], "bound under NAT Art. 5 only"),
    MapCategory("teu", OKABE_ITO[1], "bound under TEU Art. 42(7) only"),
    MapCategory("attacked", OKABE_ITO[5], "state attacked"),
)


def obligations_section(target: str | tuple[float, float], day: date) -> str:
    from alliance.countries import country_name
    from alliance.treaties import NAT_ART5, TEU_42_7, obligations

    result = obligations(target, day)
    nato, eu = set(result.clause(NAT_ART5).bound), set(result.clause(TEU_42_7).bound)
    category = {s: "both" if s in nato and s in eu else "nat" for s in nato}
    category |= {s: "teu" for s in eu - nato}
    category |= {c.attacked: "attacked" for c in result.clauses if c.attacked}
    place = result.place
    marker = (
        (place.lat, place.lon, place.name)
        if place.lat is not None and place.lon is not None
        else None
    )
    svg = category_map(
        map_frame(), category, CATEGORIES, f"Who is bound if {place.name} is attacked", marker
    )
    legend = html_legend([*((c.colour, c.label) for c in CATEGORIES), (NO_DATA, "not bound")])
    rows = []
    for item in result.clauses:
        bound = ", ".join(country_name(s) for s in item.bound) or "none"
        rows.append(
            [
                f"{esc(item.treaty)} {esc(item.article)}",
                f'<span class="applies applies-{esc(item.applies)}">{esc(item.applies)}</span>',
                esc(item.reason),
                f"<strong>{len(item.bound)}</strong>: {esc(bound)}",
                esc(item.caveat),
            ]
        )
    capacity = []
    for item in result.clauses:
        for c in item.capacity:
            capacity.append(
                [
                    *(item.article, c.metric, c.year, fmt(c.value, 0)),
                    *(fmt(c.value_without_usa, 0), c.unit, c.definition, c.edition, c.note),
                ]
            )
    capacity_columns = ["clause", "metric", "year", "all bound", "without the US", "unit"]
    capacity_columns += ["definition", "edition", "note"]
    heading = (
        f'<h2 id="obligations-title">If {esc(place.name)} is attacked on {esc(day.isoformat())}'
        f"</h2><p>Resolved as {esc(place.kind)} ({esc(place.how)})"
        + (f", sovereign {esc(country_name(place.sovereign))}" if place.sovereign else "")
        + ".</p>"
    )
    return (
        heading + f'<figure class="chart map-figure">{svg}{legend}<figcaption class="chart-sub">'
        "Click a territory "
        "or the sea to ask about that point. Boundaries: Natural Earth (public domain); "
        "clauses: North Atlantic Treaty Art. 5 and 6 (nato.int), TEU Art. 42(7) (EUR-Lex)."
        "</figcaption></figure>"
        + table(
            ["clause", "applies", "why", "states bound", "caveat"], rows, "Clauses", raw=range(5)
        )
        + "<h3>What the states bound bring</h3>"
        + table(capacity_columns, capacity, "Capacity of the states bound", numeric=(2, 3, 4))
    )


def obligations_page(place: str, at: str, on: str) -> tuple[str, int]:
    from alliance.coalitions import parse_date
    from alliance.treaties import parse_point, territories

    status = 200
    target: str | tuple[float, float] = place or "Svalbard"
    try:
        day = parse_date(on)
        if at:
            target = parse_point(at)
        body = obligations_section(target, day)
    except AllianceError as error:
        body, status = error_box(str(error)), 400
    names = "".join(f'<option value="{esc(t.name)}">' for t in territories())
    shown = "" if at else str(target)
    form = (
        '<form class="controls" method="get" action="/obligations" id="obligations-form" data-live>'
        f'<label>Place <input name="place" value="{esc(place or shown)}" list="places" '
        'placeholder="e.g. Svalbard, Greenland, Ceuta"></label>'
        f'<label>or point (lat,lon) <input name="at" value="{esc(at)}" size="14" '
        'placeholder="70.5,2.0"></label>'
        f'<label>On <input type="date" name="on" value="{esc(on)}"></label>'
        f'<button type="submit">Show</button><datalist id="places">{names}</datalist></form>'
    )
    content = (
        '<h1>Obligations</h1><p class="lead">Which mutual-defence clauses apply if a place is '
        "attacked, who is bound to help, and what they bring together.</p>"
        + form
        + f'<div id="results">{body}</div>'
    )
    return page("Obligations", "obligations", content), status


# --- fact-check --------------------------------------------------------------------------------


async def read_claim_body(request: Request) -> str | None:
    """The `claims` field of a url-encoded form, refusing bodies over MAX_CLAIM_BYTES."""
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_CLAIM_BYTES:
            return None
    fields = parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
    return (fields.get("claims") or [""])[0]


def factcheck_section(report: ClaimReport) -> str:
    from alliance.claims.render import VERDICT_RULES, label, table_rows

    _, rows, footer = table_rows(report)
    shown = []
    for result, row in zip(report.results, rows, strict=True):
        verdict = label(result)
        shown.append(
            [
                f"<q>{esc(result.claim.quote)}</q><br><small>{esc(result.claim.id)}</small>",
                f'<span class="verdict verdict-{esc(verdict.replace(" ", "-"))}">'
                f"{esc(verdict)}</span>",
                esc(row[2]),
                esc(row[3]),
                esc(result.explanation),
                esc(row[5]),
            ]
        )
    counts = " · ".join(f"{esc(k)}: {n}" for k, n in report.counts().items() if n)
    notes = "".join(f"<li>{esc(line)}</li>" for line in footer[:-1])
    return (
        f'<h2 id="verdicts">{esc(report.file.title)}</h2><p class="counts">{counts}</p>'
        + table(
            ["claim", "verdict", "figure", "claimed", "why", "sources"],
            shown,
            "Verdicts",
            raw=range(6),
        )
        + f"<p><small>{esc(VERDICT_RULES)}</small></p>"
        + f'<h3>Sources</h3><ol class="notes">{notes}</ol>'
    )


def factcheck_page(text: str | None, example: bool) -> tuple[str, int]:
    from alliance.claims import check_claims, example_path, parse_claims

    if example:
        text = example_path().read_text(encoding="utf-8")
    status, result = 200, ""
    if text is not None and not text.strip():
        result = error_box("The claim file is empty: paste YAML or upload a .yaml file.")
        status = 400
    elif text is not None:
        name = example_path().name if example else "pasted claims"
        try:
            result = factcheck_section(check_claims(parse_claims(text, name)))
        except AllianceError as error:
            result, status = error_box(str(error)), 400
    form = (
        '<form class="controls stacked" method="post" action="/factcheck" id="claim-form">'
        '<label for="claims">Claim file (YAML)</label>'
        f'<textarea id="claims" name="claims" rows="12" spellcheck="false">{esc(text or "")}'
        "</textarea>"
        '<div class="row"><label>Or upload a file <input type="file" id="claim-file" '
        'accept=".yaml,.yml,text/yaml"></label>'
        '<button type="submit">Check</button>'
        '<a class="button" href="/factcheck?example=true">Open the shipped example</a></div>'
        "</form>"
    )
    content = (
        '<h1>Fact-check</h1><p class="lead">A claim written as data is checked against the '
        "store: verdict, computed figure, tolerance and sources. Format: see docs/claims.md.</p>"
        + form
        + f'<div id="results">{result}</div>'
    )
    return page("Fact-check", "factcheck", content), status


def oversized() -> tuple[str, int]:
    message = f"The claim file is larger than {MAX_CLAIM_BYTES // 1024} kB: not read."
    return page("Fact-check", "factcheck", "<h1>Fact-check</h1>" + error_box(message)), 413
