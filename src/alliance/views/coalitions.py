"""Views of coalition arithmetic: members, aggregates, shares and comparisons.

Titles, the method and source lines under each table, and the text around each chart, composed
from `coalitions.Coalition` and the result types of `metrics`; the charts drawn with those words
(`share_chart`, `comparison_chart`) by `alliance.charts`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from alliance.views import View

if TYPE_CHECKING:
    from alliance.chart_layout import ChartMark, ChartText
    from alliance.coalitions import Coalition
    from alliance.metrics import AggregateResult, Comparison, ShareResult, SourceRef

AGGREGATE_COLUMNS: Final = (
    "coalition",
    "metric",
    "year",
    "value",
    "unit",
    "definition",
    "edition",
    "members",
    "with_data",
    "missing",
    "zeros",
    "estimated",
    "numerator",
    "denominator",
)
MEMBER_FIGURE_COLUMNS: Final = ("iso3", "value", "denominator", "estimate", "locators")
SHARE_COLUMNS: Final = (
    "coalition",
    "of",
    "metric",
    "year",
    "value",
    "of_value",
    "share",
    "unit",
    "definition",
    "edition",
    "missing",
)


def _editions(sources: Sequence[SourceRef]) -> tuple[tuple[str, str, str], ...]:
    return tuple(dict.fromkeys((s.source_id, s.edition, s.dataset) for s in sources))


def members_view(found: Coalition) -> View:
    """The members of a coalition on a date, with their names."""
    from alliance.countries import country_name

    rows = [(m, country_name(m)) for m in found.members]
    title = f"{found.expression} on {found.on}: {len(rows)} members"
    return View(("iso3", "name"), rows, title)


def aggregate_footer(result: AggregateResult) -> tuple[str, ...]:
    """Definition, method, membership date, members missing or counted as zero, sources."""
    from alliance.metrics import source_lines

    lines = [
        f"Definition: {result.definition}.",
        f"Method: {result.method}",
        f"Membership on {result.on} (rule: member on 1 July of the year).",
    ]
    if result.missing:
        lines.append(f"Missing (no data, not counted): {', '.join(result.missing)}.")
    if result.zeros:
        lines.append(f"Counted as zero (no armed forces, as NATO does): {', '.join(result.zeros)}.")
    if result.sums:
        lines.append(f"Sums behind the value: {result.sums}.")
    lines += result.notes
    return (*lines, *source_lines(result.sources, result.estimated))


def _aggregate_title(result: AggregateResult) -> str:
    when = result.period or result.year
    return f"{result.metric} of {result.expression} in {when} ({result.unit})"


def aggregate_view(result: AggregateResult) -> View:
    """One row: the coalition's total (or ratio of totals), with counts and the sums behind it."""
    row = (
        result.expression,
        result.metric,
        result.year,
        result.value,
        result.unit,
        result.definition,
        result.edition,
        len(result.members),
        len(result.with_data),
        " ".join(result.missing),
        " ".join(result.zeros),
        " ".join(result.estimated),
        result.numerator,
        result.denominator,
    )
    return View(
        AGGREGATE_COLUMNS,
        [row],
        _aggregate_title(result),
        aggregate_footer(result),
        _editions(result.sources),
    )


def member_figures_view(result: AggregateResult) -> View:
    """Each member's figure behind an aggregate, with the cells it was read from."""
    rows = [
        (f.entity, f.numerator, f.denominator, f.estimate, " ".join(f.locators))
        for f in result.figures
    ]
    return View(
        MEMBER_FIGURE_COLUMNS,
        rows,
        _aggregate_title(result),
        aggregate_footer(result),
        _editions(result.sources),
    )


def share_view(result: ShareResult) -> View:
    """One row: the part, the whole and the share, with members counted, left out and missing."""
    from alliance.metrics import source_lines

    row = (
        result.coalition,
        result.of,
        result.metric,
        result.year,
        result.value,
        result.of_value,
        result.share,
        result.unit,
        result.definition,
        result.edition,
        " ".join(result.missing),
    )
    footer = [
        f"Members counted: {len(result.members)} of {len(result.whole.members)}.",
        f"Method: {result.whole.method}",
    ]
    if result.outside:
        footer.append(f"Outside {result.of}, left out: {', '.join(result.outside)}.")
    if result.missing:
        footer.append(f"Missing (no data, not counted): {', '.join(result.missing)}.")
    footer += result.whole.notes
    footer += source_lines(result.sources, result.estimated)
    when = result.whole.period or result.year
    percent = "" if result.share is None else f": {100 * result.share:.1f} %"
    title = f"Share of {result.coalition} in {result.of}, {result.metric}, {when}{percent}"
    return View(SHARE_COLUMNS, [row], title, tuple(footer), _editions(result.sources))


# What people call each metric in a sentence (charts' titles); the unit is in the subtitle.
METRIC_WORDS: Final = {
    "gdp": "GDP",
    "gdp_ppp": "GDP at purchasing power parity",
    "defence": "defence spending",
    "defence_share_gdp": "defence spending, % of GDP",
    "equipment_share": "equipment spending, % of defence spending",
    "personnel": "military personnel",
    "population": "population",
    "defence_per_capita": "defence spending per person",
    "gdp_per_capita": "GDP per person",
    "ukraine_aid": "aid to Ukraine committed",
    "ukraine_aid_military": "military aid to Ukraine committed",
    "ukraine_aid_financial": "financial aid to Ukraine committed",
    "ukraine_aid_humanitarian": "humanitarian aid to Ukraine committed",
}
_OPERATORS: Final = re.compile(r"(\s+[|&-]\s+|[|&()])")


def metric_words(metric: str, start: bool = False) -> str:
    """The metric as people say it: 'defence spending, % of GDP', not 'defence_share_gdp'."""
    words = METRIC_WORDS.get(metric.removesuffix("_usd"), metric.replace("_", " "))
    return words[0].upper() + words[1:] if start else words


def coalition_words(expression: str) -> str:
    """The expression with each country by its name ('NATO - EU - United States', 'Poland');
    groups and presets as written."""
    from alliance.coalitions import PRESETS
    from alliance.countries import country_name, resolve_country
    from alliance.errors import AllianceError
    from alliance.memberships import groups

    kept = {g.group.upper() for g in groups()} | {p.name.upper() for p in PRESETS}
    pieces = []
    for piece in _OPERATORS.split(expression):
        name = piece.strip().strip("'\"")
        if not name or _OPERATORS.fullmatch(piece) or name.upper().replace(" ", "_") in kept:
            pieces.append(piece)
            continue
        try:
            pieces.append(piece.replace(piece.strip(), country_name(resolve_country(name))))
        except AllianceError:
            pieces.append(piece)
    return "".join(pieces)


def coalition_names(expressions: Iterable[str]) -> dict[str, str]:
    """Each expression with the words a chart shows for it (`coalition_words`)."""
    return {expression: coalition_words(expression) for expression in dict.fromkeys(expressions)}


def share_chart(result: ShareResult, path: Path) -> Path:
    """`share` drawn as one 100% bar, with the words of `share_chart_text`."""
    from alliance.charts import stacked_share_chart

    names = coalition_names([result.coalition, result.of])
    return stacked_share_chart(result, path, share_chart_text(result), names=names)


def share_chart_text(result: ShareResult) -> ChartText:
    from alliance.chart_layout import ChartText
    from alliance.metrics import source_lines

    share_text = f"{result.share:.1%}" if result.share is not None else "unknown"
    whole = result.whole
    notes = []
    if whole.estimated:
        notes.append(f"Estimates for: {', '.join(whole.estimated)}.")
    if whole.missing:
        notes.append(f"No data (not counted): {', '.join(whole.missing)}.")
    part, of = coalition_words(result.coalition), coalition_words(result.of)
    return ChartText(
        title=f"{part}: {share_text} of {of}'s {metric_words(result.metric)}, {result.year}",
        subtitle=f"{result.definition}; totals in {result.unit}; membership on {whole.on}.",
        sources=source_lines(result.sources),
        notes=notes,
    )


def comparison_view(found: Comparison, metric: str, start: int, end: int) -> View:
    """Coalitions side by side, one row per coalition and year; `metric` as the user named it."""
    from alliance.metrics import COMPARISON_COLUMNS, source_lines

    footer: list[str] = []
    if found.results:
        first = found.results[0]
        footer += [f"Definition: {first.definition}.", f"Method: {first.method}"]
    footer += dict.fromkeys(note for r in found.results for note in r.notes)
    estimated = [e for r in found.results for e in r.estimated]
    footer += source_lines(found.sources, estimated)
    rows = [[record[c] for c in COMPARISON_COLUMNS] for record in found.rows]
    title = f"{metric} by coalition, {start}-{end}"
    return View(COMPARISON_COLUMNS, rows, title, tuple(footer), _editions(found.sources))


def comparison_chart(
    found: Comparison, start: int, end: int, path: Path, conversion: Sequence[str] = ()
) -> Path:
    """`compare` drawn: one line per coalition, its members' changes marked where they happen;
    `conversion` names a conversion of the values (EUR) under the chart."""
    from alliance.charts import line_chart

    rows = found.records()
    return line_chart(
        rows,
        path,
        comparison_chart_text(found, start, end, conversion),
        membership_marks(found, start, end),
        coalition_names(str(r["coalition"]) for r in rows),
    )


def comparison_chart_text(
    found: Comparison, start: int, end: int, conversion: Sequence[str] = ()
) -> ChartText:
    """Title with the years drawn (those with data), definition and unit (the rows', which a
    conversion changes), the membership changes marked on the chart, members without data, any
    conversion, and the sources."""
    from alliance.chart_layout import ChartText
    from alliance.metrics import source_lines

    first = found.results[0]
    unit = found.rows[0]["unit"] if found.rows else first.unit
    expressions = [coalition_words(r.expression) for r in found.results[:: end - start + 1]]
    start, end = drawn_years(found, start, end)
    return ChartText(
        title=f"{metric_words(first.metric, start=True)}: {' vs '.join(expressions)}, "
        f"{start}-{end}",
        subtitle=f"{first.definition}; {unit}. Membership on 1 July of "
        "each year; open circles are the publisher's estimates.",
        sources=source_lines(found.sources),
        notes=[
            *_membership_notes(membership_marks(found, start, end)),
            *_missing_notes([r for r in found.rows if start <= r["year"] <= end]),
            *conversion,
        ],
    )


def drawn_years(found: Comparison, start: int, end: int) -> tuple[int, int]:
    """The first and last years of `start`..`end` with a figure for any coalition: a chart's
    axis stops there (the years asked for when there is none)."""
    years = [int(r["year"]) for r in found.rows if r["value"] is not None]
    return (min(years), max(years)) if years else (start, end)


def membership_marks(found: Comparison, start: int, end: int) -> list[ChartMark]:
    """A mark at each year drawn in which a compared coalition's members changed: '+Finland',
    '−United Kingdom' (membership on 1 July, as every figure of the comparison)."""
    from alliance.chart_layout import ChartMark
    from alliance.coalitions import membership_changes
    from alliance.countries import country_name

    start, end = drawn_years(found, start, end)
    marks = []
    for expression in dict.fromkeys(r.expression for r in found.results):
        for change in membership_changes(expression, range(start, end + 1)):
            words = [f"+{country_name(c)}" for c in change.joined]
            words += [f"\u2212{country_name(c)}" for c in change.left]
            marks.append(ChartMark(expression, change.year, ", ".join(words)))
    return marks


def _membership_notes(marks: Sequence[ChartMark]) -> list[str]:
    if not marks:
        return []
    changes = "; ".join(f"{coalition_words(m.coalition)} {m.year}: {m.label}" for m in marks)
    return [f"Diamonds: members joining (+) or leaving (\u2212), on 1 July of the year: {changes}."]


def _missing_notes(rows: list[dict[str, Any]]) -> list[str]:
    return [
        f"No data for {row['missing']} in {row['coalition']} ({row['year']}): not counted."
        for row in rows
        if row["missing"]
    ][:4]
