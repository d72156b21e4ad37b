"""Checking claims: each check type turns its parameters into a `Reading` through the backend.

`check_claims(claim_file, backend)` evaluates every claim under its primary reading and every
alternative reading the file lists, then applies the rules of `alliance.claims.verdicts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from alliance import errors
from alliance.claims.backend import Backend, MetricOptions, PledgeFact
from alliance.claims.format import COUNTED_AS_ZERO, format_value, unit_scale
from alliance.claims.model import (
    Check,
    Claim,
    ClaimFile,
    ClaimReport,
    ClaimResult,
    Figure,
    Reading,
    Tolerance,
    Verdict,
)
from alliance.claims.verdicts import bounded_verdict, default_approximate, numeric_verdict, overall
from alliance.errors import ClaimFileError
from alliance.numerals import plain

PRIMARY_LABEL = "as worded"
_SEVERITY = {
    Verdict.accurate: 0,
    Verdict.approximately_accurate: 1,
    Verdict.unverifiable: 2,
    Verdict.misleading: 3,
    Verdict.inaccurate: 4,
}


def check_claims(claim_file: ClaimFile, backend: Backend | None = None) -> ClaimReport:
    """Verdicts for every claim of `claim_file`, computed through `backend` (default: the store)."""
    if backend is None:
        from alliance.claims.store_backend import StoreBackend

        backend = StoreBackend()
    results = []
    for claim in claim_file.claims:
        try:
            results.append(check_claim(claim, backend))
        except ClaimFileError as error:
            if not claim_file.path:
                raise
            raise ClaimFileError(f"{claim_file.path}: {error}") from None
    return ClaimReport(claim_file, tuple(results))


def check_claim(claim: Claim, backend: Backend) -> ClaimResult:
    """The claim's verdict; a mistake in its check (an unknown country, group or place, an
    expression that does not parse) is a ClaimFileError naming the claim and its line."""
    if claim.check is None:
        assert claim.not_checkable is not None
        reason = claim.not_checkable
        return ClaimResult(claim, None, f"Not checkable ({reason.kind}): {reason.reason}")
    context = _Context(claim, backend)
    try:
        return _checked(claim.check, claim, context)
    except _INPUT_ERRORS as error:
        raise context.file_error(error.one_line()) from None


# What a claim's own words can get wrong; a broken store or a missing figure is not one of them.
_INPUT_ERRORS = (
    errors.UnknownCountryError,
    errors.UnknownGroupError,
    errors.UnknownPlaceError,
    errors.ExpressionError,
    errors.InvalidArgumentError,
    errors.InvalidDateError,
    errors.UnknownIndicatorError,
)


def _checked(check: Check, claim: Claim, context: _Context) -> ClaimResult:
    evaluator = _EVALUATORS[check.type]
    primary = evaluator(check.params, context)
    primary = replace(primary, label=check.reading or PRIMARY_LABEL)
    alternatives = tuple(
        replace(
            evaluator({**check.params, **alt.overrides}, context), label=alt.label, kind=alt.kind
        )
        for alt in check.alternatives
    )
    verdict, explanation = overall(primary, alternatives)
    return ClaimResult(claim, verdict, explanation, primary, alternatives)


class _Context:
    def __init__(self, claim: Claim, backend: Backend) -> None:
        self.claim = claim
        self.backend = backend

    def on(self, params: dict[str, Any]) -> date:
        text = params.get("on") or self.claim.date
        try:
            return date.fromisoformat(text)
        except ValueError:
            # a claim dated only to the month (YYYY-MM) leaves the day to the check's `on`
            raise self.file_error(
                f"the check needs a day and the claim gives {text!r}; expected `on: YYYY-MM-DD` "
                "in the check"
            ) from None

    def file_error(self, message: str) -> ClaimFileError:
        where = f" (line {self.claim.line})" if self.claim.line else ""
        return ClaimFileError(f"claim {self.claim.id!r}{where}: {message}")


def _tolerances(params: dict[str, Any]) -> tuple[Tolerance, Tolerance]:
    tolerance = _tolerance(params.get("tolerance")) or Tolerance()
    approximate = _tolerance(params.get("approximate")) or default_approximate(tolerance)
    return tolerance, approximate


def _tolerance(spec: dict[str, float] | None) -> Tolerance | None:
    if not spec:
        return None
    if "relative" in spec:
        return Tolerance(float(spec["relative"]), relative=True)
    return Tolerance(float(spec["absolute"]))


def _band_text(tolerance: Tolerance, approximate: Tolerance, percent: bool = False) -> str:
    return (
        f"tolerance {tolerance.describe(percent)}, approximate band {approximate.describe(percent)}"
    )


def _unverifiable(label: str, claimed: str, figure: Figure, what: str) -> Reading:
    return Reading(
        label,
        Verdict.unverifiable,
        figure,
        "—",
        claimed,
        f"cannot compute {what}: missing {'; '.join(figure.missing) or 'data'}",
    )


def _outcome_words(verdict: Verdict) -> str:
    return {
        Verdict.accurate: "within tolerance",
        Verdict.approximately_accurate: "outside tolerance but within the approximate band",
        Verdict.inaccurate: "outside the approximate band",
        Verdict.unverifiable: "undetermined",
    }[verdict]


# --- count ---------------------------------------------------------------------------------


def _count(params: dict[str, Any], context: _Context) -> Reading:
    on = context.on(params)
    members = context.backend.members(params["expression"], on)
    value = len(members.members)
    expected = int(params["expected"])
    tolerance, approximate = _tolerances(params)
    relation = params.get("relation", "about")
    verdict = numeric_verdict(value, expected, tolerance, approximate, relation)
    figure = Figure(
        float(value),
        "count",
        f"members of {params['expression']} on {on.isoformat()}",
        members.members,
        (),
        members.sources,
    )
    claimed = _relation_text(relation, str(expected))
    comparison = (
        f"{value} members of {params['expression']} on {on.isoformat()} against {expected} "
        f"claimed: {_outcome_words(verdict)} ({_band_text(tolerance, approximate)})"
    )
    return Reading(
        "", verdict, figure, str(value), claimed, comparison, (", ".join(members.members),)
    )


def _relation_text(relation: str, text: str) -> str:
    return {"about": text, "at_least": f"at least {text}", "at_most": f"at most {text}"}[relation]


# --- share ---------------------------------------------------------------------------------


def _share(params: dict[str, Any], context: _Context) -> Reading:
    options = MetricOptions.from_params(params)
    part = context.backend.aggregate(params["part"], options)
    whole = context.backend.aggregate(params["of"], options)
    expected = float(params["expected"])
    tolerance, approximate = _tolerances(params)
    relation = params.get("relation", "about")
    claimed = _relation_text(relation, format_value(expected, "fraction"))
    sources = part.sources + whole.sources
    missing = tuple(f"{params['part']}: {m}" for m in part.missing) + tuple(
        f"{params['of']}: {m}" for m in whole.missing
    )
    what = f"the share of {params['part']} in {params['of']} ({options.describe()})"
    if part.value is None or whole.value is None or missing or not whole.value:
        figure = Figure(None, "fraction", what, (), missing or ("a total of zero",), sources)
        return _unverifiable("", claimed, figure, what)
    share = part.value / whole.value
    verdict = numeric_verdict(share, expected, tolerance, approximate, relation)
    figure = Figure(share, "fraction", what, part.members, (), sources)
    part_text, whole_text = _figure_text(part), _figure_text(whole)
    comparison = (
        f"{format_value(share, 'fraction')} ({params['part']} {part_text} of {params['of']} "
        f"{whole_text}; {options.describe()}) against {claimed} claimed: {_outcome_words(verdict)} "
        f"({_band_text(tolerance, approximate, percent=True)})"
    )
    details = (
        f"{params['part']}: {part_text}",
        f"{params['of']}: {whole_text}",
        *_zero_lines(params["part"], part),
        *_zero_lines(params["of"], whole),
    )
    return Reading(
        "", verdict, figure, format_value(share, "fraction"), claimed, comparison, details
    )


# --- value ---------------------------------------------------------------------------------


def _value(params: dict[str, Any], context: _Context) -> Reading:
    options = MetricOptions.from_params(params)
    figure = context.backend.aggregate(params["subject"], options)
    expected = float(params["expected"])
    unit = str(params["unit"])
    tolerance, approximate = _tolerances(params)
    relation = params.get("relation", "about")
    claimed = _relation_text(relation, format_value(expected, unit))
    what = f"{params['subject']}: {options.describe()}"
    if figure.value is None or figure.missing:
        missing = figure.missing or ("the figure",)
        return _unverifiable("", claimed, replace(figure, value=None, missing=missing), what)
    factor = _conversion(figure.unit, unit, context)
    value = figure.value * factor
    verdict = numeric_verdict(value, expected, tolerance, approximate, relation)
    shown = _figure_text(figure, format_value(value, unit))
    comparison = (
        f"{shown} ({what}) against {claimed} claimed: {_outcome_words(verdict)} "
        f"({_band_text(tolerance, approximate)})"
    )
    converted = replace(figure, value=value, unit=unit)
    details = _zero_lines(params["subject"], figure)
    return Reading("", verdict, converted, shown, claimed, comparison, details)


def _figure_text(figure: Figure, text: str | None = None) -> str:
    """A total as shown (`text`, by default the formatted value); a total made only of members
    counted as 0 (Iceland's defence spending) is no figure, and says so."""
    if figure.only_zeros:
        return COUNTED_AS_ZERO
    return format_value(figure.value, figure.unit) if text is None else text


def _zero_lines(label: str, figure: Figure) -> tuple[str, ...]:
    """Which members of a total are counted as 0 without a figure of their own."""
    if not figure.zeros or figure.only_zeros:
        return ()
    return (f"{label}, {', '.join(figure.zeros)}: {COUNTED_AS_ZERO}",)


def _conversion(unit: str, wanted: str, context: _Context) -> float:
    """Factor from the figure's unit to the claim's; a file error for different quantities."""
    if unit == wanted:
        return 1.0
    have, want = unit_scale(unit), unit_scale(wanted)
    if have is None or want is None or have[1] != want[1]:
        raise context.file_error(
            f"unit {wanted!r} cannot express a figure in {unit!r}; use {unit!r} or a multiple of it"
        )
    return have[0] / want[0]


# --- comparison ----------------------------------------------------------------------------


def _comparison(params: dict[str, Any], context: _Context) -> Reading:
    options = MetricOptions.from_params(params)
    left = context.backend.aggregate(params["left"], options)
    right = context.backend.aggregate(params["right"], options)
    relation = params["relation"]
    tolerance, approximate = _tolerances(params)
    expected = float(params.get("expected", 1.0))
    claimed = {
        "greater": f"{params['left']} > {params['right']}",
        "less": f"{params['left']} < {params['right']}",
        "ratio": f"{params['left']} / {params['right']} = {plain(expected, 6)}",
    }[relation]
    what = f"{params['left']} against {params['right']} ({options.describe()})"
    missing = tuple(f"{params['left']}: {m}" for m in left.missing) + tuple(
        f"{params['right']}: {m}" for m in right.missing
    )
    sources = left.sources + right.sources
    if left.value is None or right.value is None or missing or not right.value:
        figure = Figure(
            None, "ratio", what, (), missing or ("a non-zero right-hand figure",), sources
        )
        return _unverifiable("", claimed, figure, what)
    ratio = left.value / right.value
    if relation == "ratio":
        verdict = numeric_verdict(ratio, expected, tolerance, approximate)
        outcome = f"{_outcome_words(verdict)} ({_band_text(tolerance, approximate)})"
    else:
        verdict = _ordering_verdict(ratio, relation, params)
        outcome = "holds" if verdict is Verdict.accurate else "does not hold"
    figure = Figure(ratio, "ratio", what, (), (), sources)
    left_text, right_text = _figure_text(left), _figure_text(right)
    comparison = (
        f"{params['left']} {left_text} against {params['right']} {right_text} "
        f"(ratio {ratio:.2f}; {options.describe()}): {claimed} {outcome}"
    )
    details = (
        f"{params['left']}: {left_text}",
        f"{params['right']}: {right_text}",
        *_zero_lines(params["left"], left),
        *_zero_lines(params["right"], right),
    )
    return Reading("", verdict, figure, f"ratio {ratio:.2f}", claimed, comparison, details)


def _ordering_verdict(ratio: float, relation: str, params: dict[str, Any]) -> Verdict:
    """greater/less: holds -> accurate; fails by no more than `approximate` (relative) -> approx."""
    holds = ratio > 1 if relation == "greater" else ratio < 1
    if holds:
        return Verdict.accurate
    band = _tolerance(params.get("approximate"))
    if band is not None and abs(ratio - 1) <= band.width(1.0) + 1e-12:
        return Verdict.approximately_accurate
    return Verdict.inaccurate


# --- threshold -----------------------------------------------------------------------------


def _threshold(params: dict[str, Any], context: _Context) -> Reading:
    options = MetricOptions.from_params(params)
    level = float(params["level"])
    direction = params.get("direction", "at_least")
    level_slack = float(params.get("level_tolerance", 0.0))
    quantifier = params["quantifier"]
    excluded = {
        context.backend.resolve_country(e["country"]): e["reason"]
        for e in params.get("exclude", ())
    }
    figures = [
        f
        for f in context.backend.per_country(params["expression"], options)
        if f.country not in excluded
    ]

    def meets(value: float) -> bool:
        return (
            value >= level - level_slack
            if direction == "at_least"
            else value <= level + level_slack
        )

    meeting = [f.country for f in figures if f.figure.value is not None and meets(f.figure.value)]
    failing = [
        f.country for f in figures if f.figure.value is not None and not meets(f.figure.value)
    ]
    lacking = [f for f in figures if f.figure.value is None]
    tolerance, approximate = _tolerances(params)
    word = "≥" if direction == "at_least" else "≤"
    level_text = f"{word} {plain(level, 6)}"
    if quantifier == "count":
        expected = int(params["expected"])
        claimed = f"{expected} meet {level_text}"

        def verdict_for(n: int) -> Verdict:
            return numeric_verdict(n, expected, tolerance, approximate)

        low, high = verdict_for(len(meeting)), verdict_for(len(meeting) + len(lacking))
        value = float(len(meeting))
    else:
        # all: exceptions are members failing the level; none: members meeting it
        exceptions = failing if quantifier == "all" else meeting
        claimed = f"{quantifier} meet {level_text}"

        def verdict_for(n: int) -> Verdict:
            return numeric_verdict(n, 0, tolerance, approximate, "at_most")

        low = verdict_for(len(exceptions) + len(lacking))
        high = verdict_for(len(exceptions))
        value = float(len(exceptions))
    verdict = bounded_verdict(low, high)
    sources = tuple(row for f in figures for row in f.figure.sources)
    missing = tuple(f"{f.country}: {'; '.join(f.figure.missing) or 'no figure'}" for f in lacking)
    description = f"{params['expression']}: {options.describe()}, level {level_text}"
    figure = Figure(value, "count", description, tuple(meeting), missing, sources)
    shown = {f.country: _member_text(f.figure, level) for f in figures}
    shown_failing = ", ".join(f"{c} {_in_words(shown[c])}" for c in failing) or "none"
    counts = (
        f"{len(meeting)} of {len(figures)} meet {level_text} ({options.describe()}); "
        f"below: {shown_failing}; no figure: {', '.join(f.country for f in lacking) or 'none'}"
    )
    if excluded:
        counts += "; excluded: " + "; ".join(f"{c} ({r})" for c, r in excluded.items())
    if verdict is Verdict.unverifiable:
        comparison = f"{counts} — the missing figures decide whether '{claimed}' holds"
    else:
        comparison = f"{counts} — '{claimed}' is {verdict.value}"
    figure_text = f"{len(meeting)} of {len(figures)} meet"
    details = tuple(f"{f.country}: {shown[f.country]}" for f in figures)
    return Reading("", verdict, figure, figure_text, claimed, comparison, details)


def _member_text(figure: Figure, level: float) -> str:
    return COUNTED_AS_ZERO if figure.only_zeros else _shown(figure.value, level)


def _in_words(text: str) -> str:
    """'1.87', or '(no figure — …)' where a number would stand."""
    return f"({text})" if text == COUNTED_AS_ZERO else text


def _shown(value: float | None, level: float) -> str:
    """Two decimals, or four where two would round a failing figure onto the level."""
    if value is None:
        return "—"
    return f"{value:.4f}" if round(value, 2) == level else f"{value:.2f}"


# --- pledge --------------------------------------------------------------------------------


def _pledge(params: dict[str, Any], context: _Context) -> Reading:
    country = context.backend.resolve_country(params["country"])
    claimed_parts = []
    if "level" in params:
        claimed_parts.append(f"{plain(params['level'], 6)} % of GDP")
    if "by" in params:
        claimed_parts.append(f"by {params['by']}")
    if "ahead_of" in params:
        claimed_parts.append(f"ahead of the {params['ahead_of']} deadline")
    claimed = f"{country}: " + " ".join(claimed_parts)
    fact = _closest_pledge(context.backend.pledges(country), params)
    if fact is None:
        figure = Figure(None, "percent", f"pledge of {country}", (), (f"a pledge by {country}",))
        return _unverifiable("", claimed, figure, f"the pledge of {country}")
    parts: list[tuple[Verdict, str]] = []
    missing: list[str] = []
    sources = list(fact.sources)
    if "level" in params:
        parts.append(_pledge_level(params, fact.level, missing))
    if "by" in params:
        parts.append(_pledge_year(int(params["by"]), fact.year, missing))
    if "ahead_of" in params:
        target = context.backend.target(params["ahead_of"])
        if target is not None:
            sources.extend(target.sources)
        parts.append(_pledge_ahead(params, fact.year, target, missing))
    verdict = max((v for v, _ in parts), key=_SEVERITY.__getitem__)
    level_text = "—" if fact.level is None else f"{plain(fact.level, 6)} % of GDP"
    shown = f"{level_text} by {fact.year if fact.year is not None else '—'}"
    figure = Figure(
        fact.level, "percent", fact.description, (country,), tuple(missing), tuple(sources)
    )
    stored = fact.description.rstrip(". ")
    comparison = f"stored pledge: {stored}; " + "; ".join(text for _, text in parts)
    return Reading("", verdict, figure, shown, claimed, comparison)


def _closest_pledge(pledges: tuple[PledgeFact, ...], params: dict[str, Any]) -> PledgeFact | None:
    """The stored pledge the claim is about: same deadline first, then nearest level, newest."""
    if not pledges:
        return None

    def closeness(fact: PledgeFact) -> tuple[bool, float]:
        same_year = "by" in params and fact.year == int(params["by"])
        claimed_level = params.get("level")
        gap = 0.0
        if claimed_level is not None and fact.level is not None:
            gap = abs(fact.level - float(claimed_level))
        return (not same_year, gap)

    best = min(closeness(f) for f in pledges)
    return max((f for f in pledges if closeness(f) == best), key=lambda f: f.announced)


def _pledge_level(
    params: dict[str, Any], level: float | None, missing: list[str]
) -> tuple[Verdict, str]:
    if level is None:
        missing.append("the pledged level")
        return Verdict.unverifiable, "pledged level unknown"
    tolerance, approximate = _tolerances(params)
    verdict = numeric_verdict(level, float(params["level"]), tolerance, approximate)
    return (
        verdict,
        f"level {plain(level, 6)} % against {plain(params['level'], 6)} % claimed: "
        f"{_outcome_words(verdict)}",
    )


def _pledge_year(claimed: int, year: int | None, missing: list[str]) -> tuple[Verdict, str]:
    if year is None:
        missing.append("the pledge's deadline")
        return Verdict.unverifiable, "deadline unknown"
    verdict = Verdict.accurate if year == claimed else Verdict.inaccurate
    return verdict, f"deadline {year} against {claimed} claimed"


def _pledge_ahead(
    params: dict[str, Any], year: int | None, target: Any, missing: list[str]
) -> tuple[Verdict, str]:
    name = params["ahead_of"]
    if target is None or target.deadline is None:
        missing.append(f"the deadline of target {name!r}")
        return Verdict.unverifiable, f"deadline of {name} unknown"
    if year is None:
        missing.append("the pledge's deadline")
        return Verdict.unverifiable, "pledge deadline unknown"
    lead = target.deadline - year
    wanted = int(params.get("years_ahead_at_least", 1))
    if lead >= wanted:
        verdict = Verdict.accurate
    elif lead > 0:
        verdict = Verdict.approximately_accurate
    else:
        verdict = Verdict.inaccurate
    return verdict, (
        f"pledge deadline {year} is {lead} year(s) before {target.description} "
        f"({target.deadline}); claimed at least {wanted}"
    )


# --- membership and treaty -----------------------------------------------------------------


def _membership(params: dict[str, Any], context: _Context) -> Reading:
    country = context.backend.resolve_country(params["country"])
    on = context.on(params)
    members = context.backend.members(params["group"], on)
    is_member = country in members.members
    expected = bool(params["expected"])
    verdict = Verdict.accurate if is_member == expected else Verdict.inaccurate
    says = "is" if is_member else "is not"
    claimed = f"{country} {'is' if expected else 'is not'} a member of {params['group']}"
    figure = Figure(float(is_member), "boolean", claimed, members.members, (), members.sources)
    comparison = f"{country} {says} a member of {params['group']} on {on.isoformat()}"
    return Reading(
        "", verdict, figure, "member" if is_member else "not a member", claimed, comparison
    )


def _treaty(params: dict[str, Any], context: _Context) -> Reading:
    on = context.on(params)
    fact = context.backend.clause(params["target"], params["clause"], on)
    expected = bool(params["expected"])
    claimed = (
        f"{params['clause']} {'applies' if expected else 'does not apply'} to {params['target']}"
    )
    if fact is None:
        figure = Figure(
            None, "boolean", claimed, (), (f"clause {params['clause']} in the treaty data",)
        )
        return _unverifiable("", claimed, figure, claimed)
    shown = {"yes": "applies", "no": "does not apply", "contested": "contested"}[fact.applies]
    if fact.applies == "contested":
        # right under one legal reading, wrong under the other: a categorical claim misleads
        verdict = Verdict.misleading
    else:
        verdict = Verdict.accurate if (fact.applies == "yes") == expected else Verdict.inaccurate
    comparison = f"{fact.clause} {shown} ({params['target']}, {on.isoformat()}): {fact.explanation}"
    if "bound" in params:
        claimed_bound = context.backend.members(params["bound"], on).members
        unbound = sorted(set(claimed_bound) - set(fact.bound))
        if unbound:
            verdict = Verdict.inaccurate
            comparison += f"; not bound: {', '.join(unbound)}"
        else:
            comparison += f"; all of {params['bound']} are bound"
    value = {"yes": 1.0, "no": 0.0}.get(fact.applies)
    figure = Figure(value, "boolean", claimed, fact.bound, (), fact.sources)
    return Reading("", verdict, figure, shown, claimed, comparison)


_EVALUATORS: dict[str, Callable[[dict[str, Any], _Context], Reading]] = {
    "count": _count,
    "share": _share,
    "value": _value,
    "comparison": _comparison,
    "threshold": _threshold,
    "pledge": _pledge,
    "membership": _membership,
    "treaty": _treaty,
}
