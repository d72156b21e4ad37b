"""Views of the commitments: allies against a target, the yearly count at 2 %, pledges, and the
allies' defence spending as a share of GDP (the `demo` table).

Titles, the rule and source lines under each table and the text around the targets chart,
composed from the result types of `commitments`; the targets chart drawn with those words
(`targets_chart`) by `alliance.charts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from alliance.views import View

if TYPE_CHECKING:
    from alliance.chart_layout import ChartText
    from alliance.commitments import PledgeReport, TargetTable

HISTORY_COLUMNS: Final = (
    "year",
    "allies",
    "with_data",
    "meeting",
    "allies_meeting",
    "estimate",
    "edition",
)
PLEDGE_COLUMNS: Final = (
    "pledge",
    "announced",
    "year",
    "path_percent",
    "amount",
    "amount_unit",
    "latest_year",
    "latest_value",
    "latest_edition",
    "gap_to_path_pp",
    "rule",
    "statement",
    "source_url",
)
# Stated once per pledge under the table, so a screen can leave them out of the rows.
PLEDGE_TEXT_COLUMNS: Final = ("rule", "statement", "source_url")
ALLY_SHARE_COLUMNS: Final = ("iso3", "country", "percent_of_gdp", "estimate", "source_cell")


def targets_view(table: TargetTable, year: int) -> View:
    """Each ally against the target: value, gap, path needed, status; the rule and sources."""
    from alliance.commitments import TARGET_COLUMNS
    from alliance.observations import citation_lines

    chosen = table.target
    footer = [
        f"Target: {chosen.name}. {chosen.statement}",
        f"Cited: {chosen.source_title} {chosen.source_url}",
        "Status: met if value >= target; a floor or a passed deadline otherwise off track; "
        "before a deadline on track if the 3-year trend >= the annual increase needed.",
        "Values: NATO definition, share of GDP (NATO's own figures); estimates are marked.",
    ]
    if chosen.notes:
        footer.append(f"Note: {chosen.notes}")
    if table.gdp_sources:
        footer.append(f"Gap in money: gap x GDP (current US$) from {', '.join(table.gdp_sources)}.")
    rate = table.eur_per_usd
    footer.append(
        f"EUR: Fed H.10 annual average {rate:.4f} EUR per USD for {year}."
        if rate
        else "EUR: no shipped EUR/USD rate for this year."
    )
    footer += citation_lines(table.editions)
    rows = [[record[c] for c in TARGET_COLUMNS] for record in table.rows]
    title = f"{chosen.name}: Allies in {year}"
    return View(TARGET_COLUMNS, rows, title, tuple(footer), tuple(table.editions))


def targets_chart(table: TargetTable, year: int, path: Path) -> Path:
    """Allies against a target, ranked: the 2/3.5/5 % lines for shares of GDP, else the target's."""
    from alliance.charts import TARGET_LINES, ranked_bar_chart

    chosen = table.target
    share_of_gdp = chosen.measure == "defence_share_gdp"
    return ranked_bar_chart(
        table.records(),
        path,
        targets_chart_text(table, year),
        TARGET_LINES if share_of_gdp else ((chosen.threshold_percent, chosen.name),),
        targets_status_words(table, year),
        "% of GDP" if share_of_gdp else "% of defence expenditure",
    )


def targets_chart_text(table: TargetTable, year: int) -> ChartText:
    """How many allies meet the target (and, before a deadline, how many more are on track), who
    has no figure, what the colours mean, the definition and the sources."""
    from alliance.chart_layout import ChartText
    from alliance.commitments import TREND_YEARS
    from alliance.numerals import plain
    from alliance.observations import citation_lines

    chosen = table.target
    threshold = plain(chosen.threshold_percent)
    met = sum(1 for r in table.rows if r["status"] == "met")
    on_track = sum(1 for r in table.rows if r["status"] == "on track")
    without = [r["country"] for r in table.rows if r["value"] is None]
    no_figure = f" No figure: {', '.join(without)}." if without else ""
    estimated = any(r["estimate"] for r in table.rows)
    title = f"{met} of {len(table.rows)} Allies at {threshold}% in {year}"
    deadline = _deadline_ahead(table, year)
    if deadline:
        # The title names the deadline; who has no figure is said in the subtitle.
        title += f", {on_track} more on track for {deadline}"
        colours = (
            f"Deadline {deadline}; on track: the {year - TREND_YEARS}-{year} trend reaches "
            f"{threshold}% by {deadline}."
        )
    else:
        title += f" ({len(without)} without a figure)" if without else ""
        colours = f"Green: at or above {threshold}%; red: below."
    return ChartText(
        title=title,
        subtitle=f"{_measure_words(chosen.measure)}, NATO definition and figures. "
        f"{colours}{no_figure}",
        sources=citation_lines(table.editions),
        notes=["* estimate (NATO)."] if estimated else [],
    )


def targets_status_words(table: TargetTable, year: int) -> dict[str, str]:
    """The legend of the targets chart: each status in plain words."""
    from alliance.numerals import plain

    threshold = plain(table.target.threshold_percent)
    deadline = _deadline_ahead(table, year)
    if deadline is None:
        return {"met": f"At or above {threshold}%", "off track": f"Below {threshold}%"}
    return {
        "met": f"At {threshold}% already",
        "on track": f"On track for {deadline}",
        "off track": f"Off track for {deadline}",
    }


def _deadline_ahead(table: TargetTable, year: int) -> int | None:
    deadline = table.target.deadline_year
    if table.target.kind == "deadline" and deadline is not None and deadline > year:
        return deadline
    return None


def _measure_words(measure: str) -> str:
    if measure == "equipment_share":
        return "Major equipment (incl. related R&D) as a share of defence expenditure (%)"
    return "Defence expenditure as a share of real GDP (%)"


def targets_history_view(records: list[dict[str, Any]]) -> View:
    """How many allies met 2 % each year, and which editions say so."""
    rows = [[record[c] for c in HISTORY_COLUMNS] for record in records]
    footer = (
        "Allies: NATO members on 1 July of each year; meeting: share of GDP >= 2% (unrounded).",
        "Values: NATO definition; each year from the newest NATO edition that has it "
        "unless --edition is given.",
    )
    return View(HISTORY_COLUMNS, rows, "Allies meeting 2% of GDP, by year", footer)


def targets_history_chart(records: list[dict[str, Any]], path: Path) -> Path:
    """`targets --history` drawn: each year, the Allies at 2 % of GDP out of those with a figure
    (hatched: a year whose figures include the publisher's estimates)."""
    import re

    from alliance.chart_layout import ChartText
    from alliance.charts import count_bar_chart
    from alliance.observations import citation_lines

    editions = dict.fromkeys(
        (match[1], match[2], match[3])
        for record in records
        if (match := re.fullmatch(r"(\S+) (\S+) \((.+)\)", str(record["edition"])))
    )
    first, last = records[0], records[-1]
    text = ChartText(
        title=f"Allies at 2% of GDP: {first['meeting']} of {first['with_data']} in "
        f"{first['year']}, {last['meeting']} of {last['with_data']} in {last['year']}",
        subtitle="NATO definition, share of GDP; Allies are NATO members on 1 July of each year "
        "(grey: those with a figure); hatched: the year includes the publisher's estimates.",
        sources=citation_lines(list(editions)),
        notes=[
            "Meeting: share of GDP >= 2% (unrounded); each year from the newest NATO edition "
            "that has it unless --edition is given.",
            *(
                f"{r['year']}: {r['allies'] - r['with_data']} of {r['allies']} Allies without "
                "a figure."
                for r in (last,)
                if r["allies"] != r["with_data"]
            ),
        ],
    )
    return count_bar_chart(
        [int(r["year"]) for r in records],
        [int(r["meeting"]) for r in records],
        [int(r["with_data"]) for r in records],
        [bool(r["estimate"]) for r in records],
        path,
        text,
    )


def pledge_view(reports: list[PledgeReport]) -> View:
    """Each pledge's path year by year beside the latest NATO figure; wording and link below."""
    rows: list[list[Any]] = []
    footer: list[str] = []
    for report in reports:
        item = report.pledge
        records = report.path or [{"year": item.target_year, "percent": None}]
        amount_column = next((c for c in records[0] if c.startswith("amount")), None)
        for record in records:
            rows.append(
                [
                    item.pledge,
                    item.announced,
                    record["year"],
                    record["percent"],
                    amount := record.get(amount_column) if amount_column else None,
                    (item.currency or None) if amount is not None else None,
                    report.latest_year,
                    report.latest_value,
                    report.latest_edition,
                    report.gap_to_path_pp,
                    report.path_rule,
                    item.statement,
                    item.source_url,
                ]
            )
        footer.append(f'{item.pledge}: "{item.statement}" Path: {report.path_rule}.')
        footer.append(f"  Source: {item.source_title} {item.source_url}")
        if item.notes:
            footer.append(f"  Note: {item.notes}")
    footer.append(
        "Latest figure: NATO definition, share of GDP, newest NATO edition; pledges are in "
        "national terms and may count differently."
    )
    title = f"Pledges of {reports[0].pledge.iso3}"
    return View(PLEDGE_COLUMNS, rows, title, tuple(footer))


@dataclass(frozen=True)
class AllyShares:
    """Every NATO ally's defence expenditure as % of GDP in the latest year of one NATO edition."""

    view: View
    edition: str
    year: int


def ally_shares(edition: str | None = None) -> AllyShares:
    """The newest NATO edition's (or `edition`'s) latest year, allies highest first, no figure
    last (shown as missing, never as zero)."""
    from datetime import date

    from alliance.countries import country_name
    from alliance.memberships import members
    from alliance.observations import Query, citation_lines, select

    selection = select(
        Query("defence_expenditure_share_gdp", source="nato", edition=edition, unit="percent")
    )
    index = {c: i for i, c in enumerate(selection.columns)}
    year = max(row[index["year"]] for row in selection.rows)
    latest = [r for r in selection.rows if r[index["year"]] == year]
    chosen_edition = latest[0][index["edition"]]
    by_entity = {r[index["entity"]]: r for r in latest}
    rows = []
    for iso3 in members("NATO", date(year, 7, 1)):
        row = by_entity.get(iso3)
        value = None if row is None else row[index["value"]]
        estimate = None if row is None else row[index["estimate"]]
        locator = None if row is None else row[index["locator"]]
        rows.append((iso3, country_name(iso3), value, estimate, locator))
    rows.sort(key=lambda r: (r[2] is None, -(r[2] or 0.0)))
    missing = [r[1] for r in rows if r[2] is None]
    used = tuple(sorted({u for u in selection.editions if u[1] == chosen_edition}))
    footer = [
        f"Definition: NATO defence expenditure as % of GDP; year {year}; edition {chosen_edition}.",
        *citation_lines(used),
    ]
    if missing:
        footer.append(
            f"No figure in this edition for: {', '.join(missing)} (shown as —, not zero)."
        )
    title = f"NATO allies' defence expenditure, % of GDP, {year} (NATO edition {chosen_edition})"
    view = View(ALLY_SHARE_COLUMNS, rows, title, tuple(footer), used)
    return AllyShares(view, chosen_edition, year)
