"""When a coalition's members lack a figure: the one option that has it, said in one line.

Defaults answer where they can (GDP falls back from the World Bank to the IMF for a whole year,
see `metrics.catalogue`); where a fallback would mix what must not be mixed - NATO's and SIPRI's
definitions of defence expenditure - the output names the option instead, and the user reruns
with it. Each alternative is probed over the missing members only, with the same one-edition
rule, so the line is true of the store as it is.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from alliance.coalitions import Coalition
from alliance.errors import AllianceError
from alliance.metrics.catalogue import MetricSpec, metric_spec
from alliance.metrics.engine import Fetch, aggregate_members
from alliance.metrics.results import AggregateResult

_DEFENCE_METRICS: Final = frozenset({"defence", "defence_share_gdp", "defence_per_capita"})
_GDP_METRICS: Final = frozenset({"gdp", "gdp_ppp", "gdp_per_capita"})
_NAMES: Final = {
    "nato": "NATO's definition",
    "sipri": "SIPRI's definition",
    "wb": "the World Bank",
    "imf": "the IMF WEO",
}


def _alternatives(
    spec: MetricSpec, choices: dict[str, str | None]
) -> list[tuple[str, dict[str, str | None]]]:
    """(option as typed, the choices it makes) for each other source of the same quantity."""
    if spec.name in _DEFENCE_METRICS:
        other = "sipri" if spec.primary_source == "nato" else "nato"
        changed = {"definition": other, "source": None, "gdp_source": None}
        return [(f"--definition {other}", {**choices, **changed})]
    if spec.name in _GDP_METRICS:
        return [
            (f"--source {source}", {**choices, "source": source})
            for source in ("wb", "imf", "nato")
            if source != spec.primary_source
        ]
    if spec.name == "personnel":
        other = "wb" if spec.primary_source == "nato" else "nato"
        return [(f"--source {other}", {**choices, "source": other})]
    return []


def missing_notes(
    spec: MetricSpec, result: AggregateResult, fetch: Fetch, choices: dict[str, str | None]
) -> tuple[str, ...]:
    """One line: which option has figures for the members `result` lacks (or which year)."""
    if spec.period_of_edition is not None:
        return _cumulative_year_note(spec, result, fetch)
    lacking = Coalition(result.expression, date.fromisoformat(result.on), result.missing)
    for option, changed in _alternatives(spec, choices):
        try:
            other = metric_spec(
                spec.name,
                definition=changed.get("definition") or "nato",
                source=changed.get("source"),
                prices=changed.get("prices"),
                gdp_source=changed.get("gdp_source"),
            )
            found = aggregate_members(other, lacking, result.year, None, fetch)
        except AllianceError:  # the alternative refuses these choices: not an answer
            continue
        if found.with_data:
            return (_line(spec, result, found.with_data, option),)
    return ()


def _line(spec: MetricSpec, result: AggregateResult, found: tuple[str, ...], option: str) -> str:
    """Without the year, so that `compare` says it once for a run of years."""
    if len(result.members) > 1 and set(found) == set(result.members):
        who, them = f"any of the {len(found)} members", "them"
    else:
        who, them = ", ".join(found), "one" if len(found) == 1 else "them"
    if spec.name in _DEFENCE_METRICS:
        where, mixed = f"under {_NAMES[spec.primary_source]}", "definitions are never mixed"
    else:
        where, mixed = f"from {_NAMES.get(spec.primary_source, spec.primary_source)}", "not mixed"
    return f"No figure {where} for {who}; {option} has {them} ({mixed}: run again with it)."


def _cumulative_year_note(
    spec: MetricSpec, result: AggregateResult, fetch: Fetch
) -> tuple[str, ...]:
    """Cumulative totals stand under the year their span ends: name that year."""
    series = spec.numerator.parts[0][0]
    rows = fetch(
        series.indicator,
        entities=list(result.missing),
        source=series.source,
        unit=series.unit,
        currency=series.currency,
    )
    years = sorted({int(row["year"]) for row in rows if row["value"] is not None} - {result.year})
    if not years:
        return ()
    label = spec.period_of_edition or str
    spans = sorted({label(str(row["edition"])) for row in rows if row["year"] == years[-1]})
    return (
        f"Kiel's totals are cumulative, stored under the year their span ends: --year "
        f"{years[-1]} ({'; '.join(spans)}).",
    )
