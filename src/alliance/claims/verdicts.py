"""The verdict rules, as pure functions (documented with examples in docs/claims.md).

For one reading of a claim:

- the store lacks a figure that could change the outcome -> unverifiable;
- the computed figure is within the stated tolerance of the claimed one -> accurate;
- it is within the approximate band (the file's `approximate`, by default twice the
  tolerance) -> approximately accurate;
- otherwise -> inaccurate.

For the claim: the primary reading's verdict, except that a primary reading found inaccurate
becomes **misleading** when one of the alternative readings the file lists is accurate or
approximately accurate — the wording is true only under a reading other than the natural one.
An alternative counts only if the claim's words allow it (`kind: reading`); a figure the speaker
may have confused with the claimed one (`kind: mix-up`) is named in the explanation and leaves
the verdict 'inaccurate'.
A treaty check is misleading by itself when the clause's applicability is contested: the
categorical claim is right under one legal reading and wrong under the other.
"""

from __future__ import annotations

from collections.abc import Sequence

from alliance.claims.model import Reading, Tolerance, Verdict

HOLDS = (Verdict.accurate, Verdict.approximately_accurate)
_EPSILON = 1e-9


def distance(value: float, expected: float, relation: str = "about") -> float:
    """How far `value` falls from what the claim allows (0 when a one-sided claim holds)."""
    if relation == "at_least":
        return max(0.0, expected - value)
    if relation == "at_most":
        return max(0.0, value - expected)
    return abs(value - expected)


def numeric_verdict(
    value: float,
    expected: float,
    tolerance: Tolerance,
    approximate: Tolerance | None = None,
    relation: str = "about",
) -> Verdict:
    """accurate within `tolerance`, approximately accurate within `approximate`, else inaccurate."""
    band = approximate if approximate is not None else default_approximate(tolerance)
    gap = distance(value, expected, relation)
    slack = _EPSILON * max(1.0, abs(expected))
    if gap <= tolerance.width(expected) + slack:
        return Verdict.accurate
    if gap <= max(band.width(expected), tolerance.width(expected)) + slack:
        return Verdict.approximately_accurate
    return Verdict.inaccurate


def default_approximate(tolerance: Tolerance) -> Tolerance:
    """Without an explicit `approximate`, the approximate band is twice the tolerance."""
    return Tolerance(tolerance.amount * 2, tolerance.relative)


def bounded_verdict(low: Verdict, high: Verdict) -> Verdict:
    """The verdict when missing data leaves the outcome between two cases: known only if equal."""
    return low if low == high else Verdict.unverifiable


def overall(primary: Reading, alternatives: Sequence[Reading]) -> tuple[Verdict, str]:
    """The claim's verdict and a one-sentence reason, from its primary and alternative readings."""
    if primary.verdict is Verdict.unverifiable:
        lacking = "; ".join(primary.figure.missing) or "the figures needed"
        return Verdict.unverifiable, f"The store lacks {lacking}."
    if primary.verdict in HOLDS or primary.verdict is Verdict.misleading:
        return primary.verdict, primary.comparison
    holding = [a for a in alternatives if a.verdict in HOLDS and a.kind == "reading"]
    if holding:
        labels = ", ".join(a.label for a in holding)
        return (
            Verdict.misleading,
            f"Inaccurate as worded ({primary.comparison}); it holds only under another reading: "
            f"{labels}.",
        )
    mixed_up = [a for a in alternatives if a.verdict in HOLDS and a.kind == "mix-up"]
    if mixed_up:
        labels = "; ".join(f"{a.label} ({a.figure_text})" for a in mixed_up)
        return (
            Verdict.inaccurate,
            f"{primary.comparison}. The claimed figure matches another quantity, a likely mix-up "
            f"that the claim's words do not allow: {labels}.",
        )
    return Verdict.inaccurate, primary.comparison
