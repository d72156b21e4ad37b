"""The fact-check report as a reader meets it: every schema problem listed, links that resolve
to the citations, footnotes that cite, the original publication of each quote."""

from __future__ import annotations

import pytest

from alliance.claims.loader import parse_claims
from alliance.errors import ClaimFileError

TWO_PROBLEMS = """\
format: alliance-claims/1
title: Two problems
defaults:
  speaker: Test Speaker
  date: 2025-12-26
  url: https://example.org/interview
claims:
  - id: c1
    quote: one
    check: {type: count, expression: NATO, expected: 32, colour: blue}
  - id: c2
    quote: two
    not_checkable: {kind: hunch, reason: none}
"""


def test_schema_errors_list_every_problem_with_its_place() -> None:
    with pytest.raises(ClaimFileError) as caught:
        parse_claims(TWO_PROBLEMS, "two.yaml")
    message = str(caught.value)
    assert "more problem" not in message
    assert "colour" in message and "hunch" in message
    assert message.startswith("two.yaml:10:")
    assert "13:" in message  # the second problem's line
    assert "\n" not in message  # still one line on stderr
