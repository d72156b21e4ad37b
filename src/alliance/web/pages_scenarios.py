"""Scenarios and projections pages: Europe without the US (the published figures beside the
model's, the re-run on today's figures, the tornado chart), aid to Ukraine by coalition and donor,
and the Monte Carlo projection to 2035 (fan chart, P(meet 2 / 3.5 / 5 %)).

Each page calls the library function the CLI calls (`alliance scenario ...`, `alliance project`)
and draws the library's own charts as SVG; nothing is computed here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from alliance.errors import AllianceError
from alliance.web.pages_layout import chart, fmt, options, page, section_or_error, table
from alliance.web.pages_svg import esc

PAGE_DRAWS_CAP: Final = 20_000  # the page answers within seconds; the CLI allows more
PATHS: Final = (
    ("current", "current: each ally's share of GDP held"),
    ("trend", "trend: each ally's recent trend, capped"),
    ("pledges", "pledges: national pledges where published"),
    ("hague", "hague: 3.5 % core by 2035"),
)
SWINGS: Final = (("0.1", "10 %"), ("0.2", "20 %"), ("0.3", "30 %"))


def library_svg(draw: Callable[[Path], Path]) -> str:
    """A chart the library draws to a file (matplotlib, text kept as text), inlined as SVG."""
    with tempfile.TemporaryDirectory() as folder:
        path = draw(Path(folder) / "chart.svg")
        text = path.read_text(encoding="utf-8")
    return text[text.index("<svg") :]


def _sub_nav(active: str) -> str:
    links = (("/scenarios", "Europe without the US"), ("/scenarios/ukraine", "Aid to Ukraine"))
    items = "".join(
        f'<li><a href="{href}"{" aria-current=page" if href == active else ""}>{label}</a></li>'
        for href, label in links
    )
    return f'<nav class="sub" aria-label="Scenarios"><ul>{items}</ul></nav>'


def _lines(items: Sequence[str]) -> str:
    return '<ul class="chart-sources">' + "".join(f"<li>{esc(s)}</li>" for s in items) + "</ul>"


# --- Europe without the US ---------------------------------------------------------------------


def europe_section(coalition: str, year: int | None, swing: float) -> str:
    from alliance.scenarios.europe_without_us import draw_tornado, europe_without_us

    result = europe_without_us(coalition=coalition, year=year, swing=swing)
    today = result.today_economy.label
    rows, footnotes = [], []
    for number, check in enumerate(result.checks, 1):
        rows.append(
            [
                f"{check.figure.label} [{number}]",
                check.figure.unit,
                fmt(check.figure.value),
                fmt(check.model),
                check.figure.tolerance_text(),
                "yes" if check.within else "NO",
                fmt(check.today),
            ]
        )
        footnotes.append(f"[{number}] {check.figure.citation}")
    columns = ["figure", "unit", "published", "model (brief's basis)", "tolerance", "within"]
    figures = table(
        [*columns, f"model, today: {today}"],
        rows,
        "The brief's published figures beside the model's, and the model re-run today",
        numeric=[2, 3, 6],
    )
    sensitivity = result.sensitivity_records()
    tornado = chart(
        "europe-without-us-tornado",
        "Which assumption moves the bill most?",
        f"European defence spending after the build-up, incl. replacing US military aid to "
        f"Ukraine, % of GDP (brief's basis); each parameter {swing:.0%} lower and higher.",
        library_svg(lambda path: draw_tornado(result, path)),
        result.source_lines(),
        (list(sensitivity[0]) if sensitivity else [], [list(r.values()) for r in sensitivity]),
    )
    parameters = result.parameter_records()
    return (
        f'<h2 id="europe-title">{esc(result.title)}</h2>'
        + figures
        + _lines(footnotes + result.notes())
        + tornado
        + "<h2>Parameters</h2><p>Each with its source, or labelled as our assumption with the "
        "reason. Edit a copy (<code>alliance scenario europe-without-us --show-params</code>) "
        "and run it with <code>--params</code>.</p>"
        + table(
            ["parameter", "value", "unit", "kind", "source (and why, for our assumptions)"],
            [
                [
                    p["parameter"],
                    fmt(p["value"]),
                    p["unit"],
                    p["kind"],
                    f"{p['source']}{' Why: ' + p['reason'] if p['reason'] else ''}",
                ]
                for p in parameters
            ],
            "The model's parameters",
            numeric=[1],
        )
        + _lines(result.source_lines())
    )


def europe_page(coalition: str, year: int | None, swing: float) -> tuple[str, int]:
    body, status = section_or_error(europe_section, coalition, year, swing)
    form = (
        '<form class="controls" method="get" action="/scenarios" data-live>'
        f'<label>Today\'s coalition <input name="coalition" value="{esc(coalition)}" '
        'maxlength="300"></label>'
        f'<label>Today\'s year <input name="year" type="number" min="2014" max="2100" '
        f'value="{year or ""}" placeholder="newest"></label>'
        f'<label>Sensitivity swing <select name="swing">{options(SWINGS, f"{swing:g}")}'
        '</select></label><button type="submit">Show</button></form>'
    )
    content = (
        "<h1>Scenarios</h1>"
        + _sub_nav("/scenarios")
        + '<p class="lead">What Europe would need to spend to defend itself without the US: a '
        "transparent cost model whose defaults reproduce Burilkov and Wolff (Bruegel/Kiel, "
        "21 February 2025), beside the brief's own figures, re-run on the store's figures for "
        "today, with every parameter swung down and up.</p>"
        + form
        + f'<div id="results">{body}</div>'
    )
    return page("Scenarios: Europe without the US", "scenarios", content), status


# --- aid to Ukraine ----------------------------------------------------------------------------


def _money_table(records: list[dict[str, Any]], caption: str, key: str) -> str:
    if not records:
        return ""
    columns = list(records[0])
    numeric = [i for i, c in enumerate(columns) if c.endswith(("_eur_bn", "_pct_gdp", "_bn"))]
    rows = [
        [fmt(v, 2) if isinstance(v, float) else v for v in record.values()] for record in records
    ]
    return f'<div id="{key}">' + table(columns, rows, caption, numeric=numeric) + "</div>"


def ukraine_section(coalitions: Sequence[str], gdp_year: int, replace_year: int) -> str:
    from alliance.scenarios.ukraine import PERIOD, ukraine

    result = ukraine(coalitions, gdp_year=gdp_year, replace_year=replace_year)
    return (
        f'<h2 id="ukraine-title">{esc(result.title)}</h2>'
        + _money_table(result.records(), "By coalition", "ukraine-coalitions")
        + _money_table(
            result.replacement_records(),
            f"Replacing the US's aid: EUR bn a year (average over {PERIOD}) and % of "
            f"{replace_year} GDP",
            "ukraine-replace",
        )
        + _money_table(
            result.donor_records(),
            f"By donor, {PERIOD}: EUR bn and % of {gdp_year} GDP",
            "ukraine-donors",
        )
        + _lines(result.assumption_lines() + result.source_lines())
    )


def ukraine_page(text: str, gdp_year: int, replace_year: int) -> tuple[str, int]:
    from alliance.scenarios.ukraine import DEFAULT_COALITIONS

    coalitions = [c.strip() for c in text.split(",") if c.strip()] or list(DEFAULT_COALITIONS)
    body, status = section_or_error(ukraine_section, coalitions, gdp_year, replace_year)
    form = (
        '<form class="controls" method="get" action="/scenarios/ukraine" data-live>'
        '<label>Coalitions (comma-separated) <input name="coalitions" maxlength="600" '
        f'size="40" value="{esc(", ".join(coalitions))}"></label>'
        f'<label>GDP year for shares <input name="gdp_year" type="number" min="2014" '
        f'max="2100" value="{gdp_year}"></label>'
        f'<label>GDP year for replacing the US <input name="replace_year" type="number" '
        f'min="2014" max="2100" value="{replace_year}"></label>'
        '<button type="submit">Show</button></form>'
    )
    content = (
        "<h1>Scenarios</h1>"
        + _sub_nav("/scenarios/ukraine")
        + '<p class="lead">Aid to Ukraine from the Kiel Ukraine Support Tracker by coalition '
        "and donor, military, financial and humanitarian, in euros and as a share of GDP; and "
        "what taking over the US's aid would cost a coalition a year.</p>"
        + form
        + f'<div id="results">{body}</div>'
    )
    return page("Scenarios: aid to Ukraine", "scenarios", content), status


# --- projections -------------------------------------------------------------------------------


def projection_section(expression: str, path: str, draws: int, seed: int) -> str:
    from alliance.projections import project
    from alliance.projections.charts import fan_chart

    if not 1 <= draws <= PAGE_DRAWS_CAP:
        raise AllianceError(
            f"Draws {draws:,}: expected 1 to {PAGE_DRAWS_CAP:,} on this page (the CLI, "
            "`alliance project`, runs more)."
        )
    result = project(expression, path=path, draws=draws, seed=seed)
    rows = result.records("coalition")
    odds = [
        [
            r["year"],
            fmt(r["path_percent"]),
            f"{r['p_meet_2'] * 100:.1f} %",
            f"{r['p_meet_3_5'] * 100:.1f} %",
            f"{r['p_meet_5'] * 100:.1f} %",
            fmt(r["usd_bn_q05"], 1),
            fmt(r["usd_bn_q50"], 1),
            fmt(r["usd_bn_q95"], 1),
        ]
        for r in rows
    ]
    columns = [
        "year",
        "path, % of GDP",
        "P(≥ 2 %)",
        "P(≥ 3.5 %)",
        "P(≥ 5 %)",
        "US$ bn, 5th pct",
        "median",
        "95th pct",
    ]
    fan = chart(
        "projection-fan",
        result.title,
        "Above: probability that the share of GDP reaches 2, 3.5 and 5 %; below: defence "
        "spending, US$ bn at market rates, 5-95 % and 25-75 % bands and the median.",
        library_svg(lambda file: fan_chart(result, file)),
        result.source_lines(),
        (list(rows[0]) if rows else [], [list(r.values()) for r in rows]),
    )
    return (
        fan
        + '<div id="projection-odds">'
        + table(columns, odds, "The coalition by year", range(1, 8))
        + "</div>"
        + _lines([*result.notes(), "Assumptions:", *result.assumption_lines()])
    )


def projections_page(expression: str, path: str, draws: int, seed: int) -> tuple[str, int]:
    body, status = section_or_error(projection_section, expression, path, draws, seed)
    form = (
        '<form class="controls" method="get" action="/projections" data-live>'
        f'<label>Coalition <input name="expression" value="{esc(expression)}" '
        'maxlength="300"></label>'
        f'<label>Path <select name="path">{options(PATHS, path)}</select></label>'
        f'<label>Draws <input name="draws" type="number" min="1" max="{PAGE_DRAWS_CAP}" '
        f'value="{draws}"></label>'
        f'<label>Seed <input name="seed" type="number" min="0" value="{seed}"></label>'
        '<button type="submit">Show</button></form>'
    )
    content = (
        '<h1>Projections</h1><p class="lead">Defence spending to 2035 under a stated path, with '
        "uncertainty over growth, exchange rates and follow-through (Monte Carlo, seeded: the "
        f"same seed gives the same numbers); at most {PAGE_DRAWS_CAP:,} draws here.</p>"
        + form
        + f'<div id="results">{body}</div>'
    )
    return page("Projections", "projections", content), status
