"""Claim checking: statements of fact written as data, verdicts computed from the store.

    >>> from alliance.claims import load_claims, check_claims, to_markdown
    >>> report = check_claims(load_claims("claims.yaml"))
    >>> print(to_markdown(report))

The file format is specified by `claim_schema()` (data/claims/claim.schema.json) and documented
in docs/claims.md; the verdict rules are in `alliance.claims.verdicts`.
"""

from __future__ import annotations

from alliance.claims.backend import (
    Backend,
    ClauseFact,
    CountryFigure,
    Members,
    MetricOptions,
    PledgeFact,
    TargetFact,
)
from alliance.claims.evaluate import check_claim, check_claims
from alliance.claims.loader import (
    claim_schema,
    example_path,
    load_claims,
    load_example,
    parse_claims,
)
from alliance.claims.model import (
    CHECK_TYPES,
    Claim,
    ClaimFile,
    ClaimReport,
    ClaimResult,
    Figure,
    Reading,
    SourceRow,
    Tolerance,
    Verdict,
)
from alliance.claims.render import to_html, to_markdown, to_records

__all__ = [
    "CHECK_TYPES",
    "Backend",
    "Claim",
    "ClaimFile",
    "ClaimReport",
    "ClaimResult",
    "ClauseFact",
    "CountryFigure",
    "Figure",
    "Members",
    "MetricOptions",
    "PledgeFact",
    "Reading",
    "SourceRow",
    "TargetFact",
    "Tolerance",
    "Verdict",
    "check_claim",
    "check_claims",
    "claim_schema",
    "example_path",
    "load_claims",
    "load_example",
    "parse_claims",
    "to_html",
    "to_markdown",
    "to_records",
]
