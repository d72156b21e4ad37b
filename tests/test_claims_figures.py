"""A member with no figure that NATO counts as 0 in its totals (Iceland: no armed forces) is
never shown as a bare 0 in a claim's figures, details or rows: it says 'no figure — counted as 0
as in NATO's totals' and cites the rule. Checked over the real store (shipped NATO tables)."""

from __future__ import annotations

import json

import pytest

from alliance.claims import check_claims, parse_claims, to_markdown, to_records
from alliance.claims.format import COUNTED_AS_ZERO
from alliance.claims.model import ClaimResult
from alliance.claims.store_backend import StoreBackend
from alliance.metrics import NO_ARMED_FORCES

NORDIC = "NATO & (DNK | FIN | ISL | NOR | SWE)"
# NATO, Defence Expenditure of NATO Countries (2014-2024), Table 2, 2024e, US$ million
DENMARK_2024_USD_M = 9_940

CLAIMS = f"""
format: alliance-claims/1
title: Iceland's figures
defaults:
  speaker: A test
  date: 2025-01-01
  url: https://example.org/
claims:
  - id: nordic-billion
    quote: "Every Nordic Ally spends at least a billion dollars on defence."
    check:
      type: threshold
      expression: "{NORDIC}"
      metric: defence
      definition: nato
      year: 2024
      on: 2024-07-01
      level: 1.0
      quantifier: all
  - id: iceland-nothing
    quote: "Iceland spends nothing on defence."
    check:
      type: value
      subject: ISL
      metric: defence
      definition: nato
      year: 2024
      expected: 0
      unit: million USD
      tolerance: {{absolute: 1}}
  - id: denmark-share
    quote: "Denmark spends about half of what Denmark and Iceland spend together."
    check:
      type: share
      part: DNK
      of: DNK | ISL
      metric: defence
      definition: nato
      year: 2024
      expected: 1.0
      tolerance: {{absolute: 0.001}}
"""


@pytest.fixture(scope="module")
def results() -> dict[str, ClaimResult]:
    report = check_claims(parse_claims(CLAIMS, "iceland.yaml"), StoreBackend())
    return {r.claim.id: r for r in report.results}


def _texts(result: ClaimResult) -> list[str]:
    assert result.primary is not None
    reading = result.primary
    return [reading.figure_text, reading.comparison, result.explanation, *reading.details]


def test_threshold_names_iceland_as_no_figure_counted_as_zero(results) -> None:  # type: ignore[no-untyped-def]
    result = results["nordic-billion"]
    assert result.primary is not None
    details = dict(line.split(": ", 1) for line in result.primary.details)
    assert details["ISL"] == COUNTED_AS_ZERO
    assert details["DNK"] == f"{DENMARK_2024_USD_M / 1000:.2f}"
    assert f"below: ISL ({COUNTED_AS_ZERO})" in result.primary.comparison
    # counted as 0, as NATO counts it: below a billion, so 'all' fails
    assert result.verdict is not None and result.verdict.value == "inaccurate"
    assert not any("ISL 0" in text or "ISL: 0" in text for text in _texts(result))


def test_value_of_iceland_alone_is_no_figure(results) -> None:  # type: ignore[no-untyped-def]
    result = results["iceland-nothing"]
    assert result.primary is not None
    assert result.primary.figure_text == COUNTED_AS_ZERO
    assert result.primary.comparison.startswith(COUNTED_AS_ZERO)
    (row,) = [r for r in result.sources if r.entity == "ISL"]
    assert row.value is None and NO_ARMED_FORCES["ISL"] in (row.citation or "")


def test_share_says_which_member_of_the_whole_is_counted_as_zero(results) -> None:  # type: ignore[no-untyped-def]
    result = results["denmark-share"]
    assert result.primary is not None
    assert result.primary.figure_text == "100.0 %"
    assert f"DNK | ISL, ISL: {COUNTED_AS_ZERO}" in result.primary.details
    assert result.primary.figure.value == pytest.approx(1.0)


def test_reports_show_no_bare_zero_for_iceland(results) -> None:  # type: ignore[no-untyped-def]
    report = check_claims(parse_claims(CLAIMS, "iceland.yaml"), StoreBackend())
    markdown = to_markdown(report)
    assert "ISL 2024 = 0" not in markdown and "ISL 0.00" not in markdown
    assert COUNTED_AS_ZERO in markdown
    record = to_records(report)
    json.dumps(record)
    by_id = {c["id"]: c for c in record["claims"]}
    reading = by_id["iceland-nothing"]["primary"]
    assert reading["figure"] == COUNTED_AS_ZERO and reading["counted_as_zero"] == ["ISL"]
