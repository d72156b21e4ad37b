"""Claim checking: every check type and verdict on constructed claims with hand-computed figures.

The fake backend holds a handful of made-up figures (below) and evaluates coalition expressions
with the real parser of alliance.coalitions over fake group tables, so each expected verdict can
be worked out by hand from the numbers in this file.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from alliance.claims import (
    ClauseFact,
    CountryFigure,
    Figure,
    Members,
    MetricOptions,
    PledgeFact,
    SourceRow,
    TargetFact,
    Verdict,
    check_claims,
    claim_schema,
    load_claims,
    parse_claims,
    to_html,
    to_markdown,
    to_records,
)
from alliance.claims.model import Tolerance
from alliance.claims.render import table_rows
from alliance.claims.verdicts import numeric_verdict
from alliance.coalitions import coalition
from alliance.errors import ClaimFileError

FIXTURES = Path(__file__).parent / "fixtures" / "claims"

# Fake groups: Poland joins the fake NATO on 2020-01-01.
GROUPS: dict[str, list[tuple[str, date]]] = {
    "NATO": [(c, date(1949, 8, 24)) for c in ("USA", "CAN", "GBR", "NOR", "DEU", "FRA", "ISL")]
    + [("POL", date(2020, 1, 1))],
    "EU": [(c, date(1958, 1, 1)) for c in ("DEU", "FRA", "AUT")] + [("POL", date(2004, 5, 1))],
}
# GDP 2024 in billion USD (market) and billion international $ (PPP). ISL has no figure.
GDP = {
    ("market", 2024): {
        "USA": 29.0,
        "CAN": 2.2,
        "GBR": 3.6,
        "NOR": 0.5,
        "DEU": 4.7,
        "FRA": 3.2,
        "POL": 0.9,
        "ISL": 0.0,
        "AUT": 0.5,
    },
    ("ppp", 2024): {
        "USA": 29.0,
        "CAN": 2.5,
        "GBR": 4.0,
        "NOR": 0.5,
        "DEU": 6.0,
        "FRA": 4.2,
        "POL": 1.9,
        "ISL": 0.0,
        "AUT": 0.7,
    },
    # 2025: Poland missing
    ("market", 2025): {"USA": 30.0, "CAN": 2.3, "GBR": 3.7, "NOR": 0.5, "DEU": 5.0, "FRA": 3.3},
}
# Published defence shares of GDP (percent); DEU has no 2025 figure; ISL none at all.
SHARES = {
    2024: {
        "USA": 3.38,
        "CAN": 1.37,
        "GBR": 2.33,
        "NOR": 2.2,
        "DEU": 2.12,
        "FRA": 2.06,
        "POL": 4.12,
    },
    2025: {"USA": 3.22, "CAN": 1.995, "GBR": 2.40, "NOR": 3.35, "FRA": 2.05, "POL": 4.48},
}
# Hand sums (market 2024): NATO = 29+2.2+3.6+0.5+4.7+3.2+0.9+0 = 44.1; EU & NATO = 4.7+3.2+0.9 = 8.8
# share 8.8/44.1 = 0.199546. PPP: NATO = 48.1, EU & NATO = 6.0+4.2+1.9 = 12.1, share 0.251559.


def _group_members(group: str, on: date) -> list[str]:
    return sorted(c for c, joined in GROUPS[group] if joined <= on)


def _resolve(text: str) -> str:
    known = {c for rows in GROUPS.values() for c, _ in rows}
    if text.upper() in known:
        return text.upper()
    from alliance.errors import UnknownCountryError

    raise UnknownCountryError(text)


class FakeBackend:
    def resolve_country(self, text: str) -> str:
        return _resolve(text)

    def members(self, expression: str, on: date) -> Members:
        group = coalition(
            expression,
            on,
            group_members=_group_members,
            group_names=set(GROUPS),
            resolve_country=_resolve,
        )
        rows = tuple(
            SourceRow("fake-memberships", entity=c, locator=f"row {c}") for c in group.members
        )
        return Members(expression, on, group.members, rows)

    def aggregate(self, expression: str, options: MetricOptions) -> Figure:
        on = options.on or date(options.year, 7, 1)
        members = self.members(expression, on).members
        table = GDP.get((options.basis, options.year), {})
        have = [m for m in members if m in table]
        missing = tuple(f"{m}: no GDP {options.year}" for m in members if m not in table)
        rows = tuple(
            SourceRow(
                "fakebank",
                "2026-01",
                f"gdp-{options.basis}",
                m,
                options.year,
                f"line {i}",
                table[m],
            )
            for i, m in enumerate(have, 10)
        )
        unit = "billion USD" if options.basis == "market" else "billion INTL"
        value = sum(table[m] for m in have) if have else None
        return Figure(value, unit, "fake GDP", tuple(have), missing, rows)

    def per_country(self, expression: str, options: MetricOptions) -> list[CountryFigure]:
        on = options.on or date(options.year, 7, 1)
        table = SHARES.get(options.year, {})
        result = []
        for member in self.members(expression, on).members:
            value = table.get(member)
            rows = (SourceRow("fakenato", "2025-08", "shares", member, options.year, "B2", value),)
            missing = (
                () if value is not None else (f"no {options.year} figure in fakenato 2025-08",)
            )
            result.append(CountryFigure(member, Figure(value, "percent", "", (), missing, rows)))
        return result

    def pledges(self, country: str) -> tuple[PledgeFact, ...]:
        if country != "DEU":
            return ()
        row = SourceRow(
            "pledges", entity="DEU", citation="Fake citation", url="https://example.org/p"
        )
        old = SourceRow("pledges", entity="DEU", citation="Old pledge", url="https://example.org/o")
        return (
            PledgeFact("DEU", 2.0, 2024, "2 % of GDP by 2024", (old,), "2014-09-05"),
            PledgeFact("DEU", 3.5, 2029, "3.5 % of GDP by 2029", (row,), "2025-06-23"),
        )

    def target(self, name: str) -> TargetFact | None:
        if name != "hague-core":
            return None
        row = SourceRow("targets", citation="Hague declaration", url="https://example.org/h")
        return TargetFact(name, 3.5, 2035, "the Hague core target", (row,))

    def clause(self, target: str, clause: str, on: date) -> ClauseFact | None:
        if clause != "NAT-5" or target not in ("GRL", "CEUTA"):
            return None
        if target == "CEUTA":
            return ClauseFact("NAT-5", "contested", (), "south of the Tropic? no: in Africa")
        bound = tuple(self.members("NATO", on).members)
        row = SourceRow("treaties", dataset="clauses", entity="NAT-5", url="https://example.org/t")
        reason = "Greenland lies north of the Tropic of Cancer"
        return ClauseFact("NAT-5", "yes", bound, reason, (row,))


HEADER = """\
format: alliance-claims/1
title: Constructed claims
defaults:
  speaker: Test Speaker
  date: 2025-12-26
  url: https://example.org/interview
claims:
"""


def _check(check_yaml: str) -> Any:
    """Check one claim given as the YAML lines of its `check` mapping; return its result."""
    body = "\n".join("      " + line for line in check_yaml.strip().splitlines())
    text = HEADER + f"  - id: c1\n    quote: constructed\n    check:\n{body}\n"
    report = check_claims(parse_claims(text), FakeBackend())
    return report.results[0]


# --- verdict rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "tolerance", "approximate", "relation", "verdict"),
    [
        (0.26, 0.25, Tolerance(0.02), None, "about", Verdict.accurate),
        (0.29, 0.25, Tolerance(0.02), None, "about", Verdict.approximately_accurate),  # 2x band
        (0.30, 0.25, Tolerance(0.02), None, "about", Verdict.inaccurate),
        (0.30, 0.25, Tolerance(0.02), Tolerance(0.05), "about", Verdict.approximately_accurate),
        (110, 100, Tolerance(0.1, relative=True), None, "about", Verdict.accurate),
        (125, 100, Tolerance(0.1, relative=True), None, "about", Verdict.inaccurate),
        (40, 30, Tolerance(0), None, "at_least", Verdict.accurate),
        (29, 30, Tolerance(0), Tolerance(2), "at_least", Verdict.approximately_accurate),
        (31, 30, Tolerance(0), None, "at_most", Verdict.inaccurate),
    ],
)
def test_numeric_verdict_bands(
    value: float,
    expected: float,
    tolerance: Tolerance,
    approximate: Tolerance | None,
    relation: str,
    verdict: Verdict,
) -> None:
    assert numeric_verdict(value, expected, tolerance, approximate, relation) is verdict


# --- count --------------------------------------------------------------------------------------


def test_count_accurate_at_the_claim_date() -> None:
    result = _check("type: count\nexpression: EU & NATO\nexpected: 3")
    assert result.verdict is Verdict.accurate
    assert result.primary.figure.value == 3
    assert result.primary.figure.members == ("DEU", "FRA", "POL")


def test_count_depends_on_the_date() -> None:
    # Before Poland joins the fake NATO, EU & NATO has two members: 3 claimed is inaccurate.
    result = _check("type: count\nexpression: EU & NATO\non: 2019-06-01\nexpected: 3")
    assert result.primary.figure.value == 2
    assert result.verdict is Verdict.inaccurate


def test_count_within_an_explicit_approximate_band() -> None:
    result = _check(
        "type: count\nexpression: EU & NATO\non: 2019-06-01\nexpected: 3\n"
        "approximate: {absolute: 1}"
    )
    assert result.verdict is Verdict.approximately_accurate


def test_count_lists_membership_rows_as_sources() -> None:
    result = _check("type: count\nexpression: EU & NATO\nexpected: 3")
    assert {row.entity for row in result.sources} == {"DEU", "FRA", "POL"}


# --- share and alternative readings -------------------------------------------------------------


SHARE = """\
type: share
part: EU & NATO
of: NATO
metric: gdp
year: 2024
expected: {expected}
tolerance: {{absolute: {tolerance}}}
approximate: {{absolute: {approximate}}}
"""


def test_share_accurate_with_the_hand_computed_figure() -> None:
    result = _check(SHARE.format(expected=0.20, tolerance=0.01, approximate=0.02))
    assert result.primary.figure.value == pytest.approx(8.8 / 44.1)
    assert result.verdict is Verdict.accurate
    assert result.primary.figure_text == "20.0 %"


def test_share_approximately_accurate() -> None:
    # |0.1995 - 0.23| = 0.0305: outside 0.02, inside 0.04
    result = _check(SHARE.format(expected=0.23, tolerance=0.02, approximate=0.04))
    assert result.verdict is Verdict.approximately_accurate


def test_share_inaccurate_without_alternatives() -> None:
    # |0.1995 - 0.25| = 0.0505 > 0.05
    result = _check(SHARE.format(expected=0.25, tolerance=0.025, approximate=0.05))
    assert result.verdict is Verdict.inaccurate


def test_share_misleading_when_only_another_reading_holds() -> None:
    text = SHARE.format(expected=0.25, tolerance=0.025, approximate=0.05) + (
        "alternatives:\n  - label: GDP at PPP\n    basis: ppp\n"
    )
    result = _check(text)
    assert result.verdict is Verdict.misleading
    (ppp,) = result.alternatives
    assert ppp.label == "GDP at PPP"
    assert ppp.figure.value == pytest.approx(12.1 / 48.1)
    assert ppp.verdict is Verdict.accurate
    assert "GDP at PPP" in result.explanation


def test_alternative_reading_reported_but_primary_decides_when_it_holds() -> None:
    text = SHARE.format(expected=0.20, tolerance=0.01, approximate=0.02) + (
        "alternatives:\n  - label: GDP at PPP\n    basis: ppp\n"
    )
    result = _check(text)
    assert result.verdict is Verdict.accurate
    assert result.alternatives[0].verdict is Verdict.inaccurate  # 0.2516 vs 0.20


def test_share_unverifiable_names_what_is_missing() -> None:
    result = _check(
        SHARE.format(expected=0.2, tolerance=0.02, approximate=0.04).replace(
            "year: 2024", "year: 2025"
        )
    )
    assert result.verdict is Verdict.unverifiable
    assert any("POL" in m for m in result.missing)
    assert result.primary.figure.value is None


def test_every_source_row_of_every_reading_is_reported() -> None:
    text = SHARE.format(expected=0.25, tolerance=0.025, approximate=0.05) + (
        "alternatives:\n  - label: GDP at PPP\n    basis: ppp\n"
    )
    result = _check(text)
    datasets = {(row.dataset, row.entity) for row in result.sources}
    for basis in ("market", "ppp"):
        for country in ("USA", "CAN", "GBR", "NOR", "DEU", "FRA", "POL", "ISL"):
            assert (f"gdp-{basis}", country) in datasets


# --- value --------------------------------------------------------------------------------------


def test_value_with_relative_tolerance() -> None:
    # DEU 4.7 vs 5.0 claimed, tolerance 5 % (0.25): gap 0.3 inside the default 2x band (0.5)
    result = _check(
        "type: value\nsubject: DEU\nmetric: gdp\nyear: 2024\nexpected: 5.0\nunit: billion USD\n"
        "tolerance: {relative: 0.05}"
    )
    assert result.primary.figure.value == pytest.approx(4.7)
    assert result.verdict is Verdict.approximately_accurate


def test_value_converts_between_scales_of_one_currency() -> None:
    result = _check(
        "type: value\nsubject: DEU | FRA\nmetric: gdp\nyear: 2024\nexpected: 7900\n"
        "unit: million USD\ntolerance: {absolute: 1}"
    )
    assert result.primary.figure.value == pytest.approx(7900.0)
    assert result.verdict is Verdict.accurate


def test_value_in_a_unit_of_another_quantity_is_a_file_error() -> None:
    with pytest.raises(ClaimFileError, match="unit 'persons'"):
        _check(
            "type: value\nsubject: DEU\nmetric: gdp\nyear: 2024\nexpected: 5\nunit: persons\n"
            "tolerance: {absolute: 1}"
        )


# --- comparison ---------------------------------------------------------------------------------


def test_comparison_greater_and_less() -> None:
    # NATO - USA - CAN = 3.6 + 0.5 + 4.7 + 3.2 + 0.9 + 0 = 12.9 against USA 29.0
    greater = _check(
        "type: comparison\nleft: NATO - USA - CAN\nright: USA\nmetric: gdp\n"
        "year: 2024\nrelation: greater"
    )
    less = _check(
        "type: comparison\nleft: NATO - USA - CAN\nright: USA\nmetric: gdp\n"
        "year: 2024\nrelation: less"
    )
    assert greater.verdict is Verdict.inaccurate
    assert less.verdict is Verdict.accurate
    assert less.primary.figure.value == pytest.approx(12.9 / 29.0)


def test_comparison_ratio_with_tolerance() -> None:
    # 12.9 / 29.0 = 0.4448: 0.45 claimed within 0.01
    result = _check(
        "type: comparison\nleft: NATO - USA - CAN\nright: USA\nmetric: gdp\n"
        "year: 2024\nrelation: ratio\nexpected: 0.45\ntolerance: {absolute: 0.01}"
    )
    assert result.verdict is Verdict.accurate


def test_comparison_ordering_nearly_holds_within_approximate_band() -> None:
    # FRA 3.2 vs GBR 3.6: ratio 0.889, 11 % short of "greater", inside a 15 % band
    result = _check(
        "type: comparison\nleft: FRA\nright: GBR\nmetric: gdp\nyear: 2024\n"
        "relation: greater\napproximate: {relative: 0.15}"
    )
    assert result.verdict is Verdict.approximately_accurate


# --- threshold ----------------------------------------------------------------------------------

THRESHOLD = """\
type: threshold
expression: NATO
metric: defence_share_gdp
year: {year}
level: {level}
quantifier: {quantifier}
exclude:
  - {{country: ISL, reason: no armed forces}}
"""


def test_threshold_all_unverifiable_when_a_missing_member_decides() -> None:
    # 2025: everyone with a figure meets 2 % once CAN 1.995 rounds to 2.00; DEU has no figure.
    result = _check(
        THRESHOLD.format(year=2025, level=2.0, quantifier="all") + "level_tolerance: 0.005"
    )
    assert result.verdict is Verdict.unverifiable
    assert result.missing == ("DEU: no 2025 figure in fakenato 2025-08",)
    assert "ISL" not in result.primary.figure.members
    assert "excluded: ISL (no armed forces)" in result.primary.comparison


def test_threshold_all_inaccurate_when_one_is_below_even_with_missing_data() -> None:
    # Without the rounding allowance CAN 1.995 is below 2: 'all' is false whatever DEU spends.
    result = _check(THRESHOLD.format(year=2025, level=2.0, quantifier="all"))
    assert result.verdict is Verdict.inaccurate
    assert "below: CAN 1.9950" in result.primary.comparison


def test_threshold_all_with_complete_data() -> None:
    # 2024: CAN 1.37 is the only one below 2
    result = _check(THRESHOLD.format(year=2024, level=2.0, quantifier="all"))
    assert result.verdict is Verdict.inaccurate
    result = _check(THRESHOLD.format(year=2024, level=1.3, quantifier="all"))
    assert result.verdict is Verdict.accurate


def test_threshold_all_approximately_with_one_exception_allowed() -> None:
    result = _check(
        THRESHOLD.format(year=2024, level=2.0, quantifier="all") + "approximate: {absolute: 1}"
    )
    assert result.verdict is Verdict.approximately_accurate


def test_threshold_none_and_count() -> None:
    assert _check(THRESHOLD.format(year=2024, level=5.0, quantifier="none")).verdict is (
        Verdict.accurate
    )
    # 2024: six of seven meet 2 % (all but CAN)
    counted = _check(THRESHOLD.format(year=2024, level=2.0, quantifier="count") + "expected: 6")
    assert counted.verdict is Verdict.accurate
    assert counted.primary.figure.value == 6
    # 2025 with DEU missing: 5 meet (CAN below), 5 or 6 possible -> 6 claimed is undecided
    undecided = _check(THRESHOLD.format(year=2025, level=2.0, quantifier="count") + "expected: 6")
    assert undecided.verdict is Verdict.unverifiable


# --- pledge -------------------------------------------------------------------------------------


def test_pledge_level_and_deadline() -> None:
    assert _check("type: pledge\ncountry: DEU\nlevel: 3.5\nby: 2029").verdict is Verdict.accurate
    assert _check("type: pledge\ncountry: DEU\nlevel: 3.0\nby: 2029").verdict is Verdict.inaccurate
    assert _check("type: pledge\ncountry: DEU\nlevel: 3.5\nby: 2030").verdict is Verdict.inaccurate


def test_pledge_ahead_of_target_deadline() -> None:
    well_ahead = _check("type: pledge\ncountry: DEU\nahead_of: hague-core\nyears_ahead_at_least: 3")
    assert well_ahead.verdict is Verdict.accurate
    assert "6 year(s) before" in well_ahead.primary.comparison
    not_that_far = _check(
        "type: pledge\ncountry: DEU\nahead_of: hague-core\nyears_ahead_at_least: 7"
    )
    assert not_that_far.verdict is Verdict.approximately_accurate
    cited = {row.citation for row in well_ahead.sources}
    assert {"Fake citation", "Hague declaration"} <= cited


def test_pledge_picks_the_stored_pledge_the_claim_is_about() -> None:
    old = _check("type: pledge\ncountry: DEU\nlevel: 2.0\nby: 2024")
    assert old.verdict is Verdict.accurate
    assert {r.citation for r in old.sources} == {"Old pledge"}
    # no deadline given: the nearest level wins
    assert _check("type: pledge\ncountry: DEU\nlevel: 3.4").primary.figure.value == 3.5
    # a claimed level no pledge has: the same-deadline pledge is compared, and fails on level
    wrong = _check("type: pledge\ncountry: DEU\nlevel: 2.0\nby: 2029")
    assert wrong.verdict is Verdict.inaccurate
    assert "level 3.5 % against 2 % claimed" in wrong.primary.comparison


def test_pledge_unknown_to_the_store_is_unverifiable() -> None:
    result = _check("type: pledge\ncountry: FRA\nlevel: 3.5\nby: 2030")
    assert result.verdict is Verdict.unverifiable
    assert result.missing == ("a pledge by FRA",)
    unknown_target = _check("type: pledge\ncountry: DEU\nahead_of: nowhere")
    assert unknown_target.verdict is Verdict.unverifiable


# --- membership and treaty ----------------------------------------------------------------------


def test_membership_at_a_date() -> None:
    member = "type: membership\ncountry: POL\ngroup: NATO\nexpected: true\non: {on}"
    assert _check(member.format(on="2025-01-01")).verdict is Verdict.accurate
    assert _check(member.format(on="2019-01-01")).verdict is Verdict.inaccurate


def test_treaty_clause_applicability() -> None:
    claim = "type: treaty\ntarget: GRL\nclause: NAT-5\nexpected: {expected}"
    assert _check(claim.format(expected="true")).verdict is Verdict.accurate
    assert _check(claim.format(expected="false")).verdict is Verdict.inaccurate
    bound = _check(claim.format(expected="true") + "\nbound: EU & NATO")
    assert bound.verdict is Verdict.accurate
    unbound = _check(claim.format(expected="true") + "\nbound: EU")  # AUT is not in NATO
    assert unbound.verdict is Verdict.inaccurate
    assert "AUT" in unbound.primary.comparison
    missing = _check("type: treaty\ntarget: GRL\nclause: TEU-42-7\nexpected: true")
    assert missing.verdict is Verdict.unverifiable


def test_treaty_claim_on_a_contested_clause_is_misleading() -> None:
    for expected in ("true", "false"):
        result = _check(f"type: treaty\ntarget: CEUTA\nclause: NAT-5\nexpected: {expected}")
        assert result.verdict is Verdict.misleading
        assert result.primary.figure_text == "contested"


# --- not checkable ------------------------------------------------------------------------------


def test_not_checkable_statements_get_no_verdict() -> None:
    text = HEADER + (
        "  - id: forecast\n    quote: Putin will never try\n"
        "    not_checkable: {kind: forecast, reason: a prediction about future decisions}\n"
    )
    report = check_claims(parse_claims(text), FakeBackend())
    (result,) = report.results
    assert result.verdict is None
    assert result.primary is None
    assert "forecast" in result.explanation
    assert report.counts()["not checkable"] == 1


# --- claim-file errors with line and column -----------------------------------------------------


def _error(text: str) -> ClaimFileError:
    with pytest.raises(ClaimFileError) as caught:
        parse_claims(text, "bad.yaml")
    return caught.value


def test_unknown_check_type_points_at_its_value() -> None:
    error = _error(HEADER + "  - id: a\n    quote: q\n    check:\n      type: guess\n")
    assert (error.line, error.column) == (11, 13)
    assert "unknown check type 'guess'" in str(error)
    assert str(error).startswith("bad.yaml:11:13:")


def test_malformed_yaml_points_at_the_problem() -> None:
    error = _error(HEADER + "  - id: a\n    quote: q\n    - stray item\n")
    assert "not valid YAML" in str(error)
    assert (error.line, error.column) == (10, 5)
    unclosed = _error(HEADER + "  - id: a\n    quote: [unclosed\n")
    assert unclosed.line == 10  # the end of the text


def test_unknown_field_points_at_the_field() -> None:
    error = _error(
        HEADER + "  - id: a\n    quote: q\n    check:\n      type: count\n"
        "      expression: NATO\n      expected: 3\n      expectd: 4\n"
    )
    assert (error.line, error.column) == (14, 7)
    assert "expectd" in str(error)


def test_missing_required_field_and_bad_date() -> None:
    error = _error(
        HEADER + "  - id: a\n    quote: q\n    check:\n      type: count\n      expected: 3\n"
    )
    assert "'expression' is a required property" in str(error)
    assert error.line == 11
    error = _error(
        HEADER + "  - id: a\n    quote: q\n    date: 26.12.2025\n"
        "    not_checkable: {kind: opinion, reason: r}\n"
    )
    assert error.line == 10 and "does not match" in str(error)


def test_claim_needs_exactly_one_of_check_or_not_checkable() -> None:
    error = _error(HEADER + "  - id: a\n    quote: q\n")
    assert "exactly one of `check` or `not_checkable`" in str(error)


def test_duplicate_ids_and_missing_speaker() -> None:
    claim = "  - id: a\n    quote: q\n    not_checkable: {kind: opinion, reason: r}\n"
    error = _error(HEADER + claim + claim)
    assert "duplicate claim id 'a'" in str(error) and error.line == 11
    no_defaults = "format: alliance-claims/1\ntitle: T\nclaims:\n" + claim
    assert "has no speaker" in str(_error(no_defaults))


def test_fixture_files(tmp_path: Path) -> None:
    valid = load_claims(FIXTURES / "valid.yaml")
    assert [c.id for c in valid.claims] == ["eu-in-nato", "quarter", "never"]
    with pytest.raises(ClaimFileError) as caught:
        load_claims(FIXTURES / "unknown-type.yaml")
    error = caught.value
    assert (error.line, error.column) == (9, 19)
    with pytest.raises(ClaimFileError, match="Cannot read"):
        load_claims(tmp_path / "absent.yaml")


def test_schema_is_valid_json_schema() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(claim_schema())


# --- renderers ----------------------------------------------------------------------------------


@pytest.fixture
def report() -> Any:
    return check_claims(load_claims(FIXTURES / "valid.yaml"), FakeBackend())


def test_markdown_is_a_fact_check_table_with_footnoted_sources(report: Any) -> None:
    text = to_markdown(report)
    assert "| # | Claim | Verdict | Figure | Claimed | Sources |" in text
    assert "🟩 **accurate**" in text  # eu-in-nato
    assert "🟧 **misleading**" in text  # quarter: market 20 %, PPP 25 %
    assert "▫️ **not checkable**" in text
    footnotes = re.findall(r"^\[\^(\d+)\]: (.+)$", text, flags=re.M)
    assert [n for n, _ in footnotes] == [str(i) for i in range(1, len(footnotes) + 1)]
    assert any("fakebank, edition 2026-01, gdp-ppp" in t for _, t in footnotes)
    assert "POL 2024 at line 16 = 0.9" in text  # a row of the market reading


def test_html_is_self_contained_with_coloured_badges(report: Any) -> None:
    page = to_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert "src=" not in page
    assert 'style="background:#1b7a3a' in page and 'style="background:#f59e0b' in page
    assert 'id="note-1"' in page and 'href="#note-1"' in page


def test_html_escapes_quotes() -> None:
    text = HEADER + (
        "  - id: x\n    quote: '<b>bold</b> & more'\n"
        "    not_checkable: {kind: opinion, reason: r}\n"
    )
    page = to_html(check_claims(parse_claims(text), FakeBackend()))
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt; &amp; more" in page


def test_json_records_carry_figures_readings_and_sources(report: Any) -> None:
    records = json.loads(json.dumps(to_records(report)))
    quarter = next(c for c in records["claims"] if c["id"] == "quarter")
    assert quarter["verdict"] == "misleading"
    assert quarter["primary"]["value"] == pytest.approx(8.8 / 44.1)
    assert quarter["alternatives"][0]["value"] == pytest.approx(12.1 / 48.1)
    assert {s["dataset"] for s in quarter["sources"]} == {"gdp-market", "gdp-ppp"}
    assert records["counts"]["not checkable"] == 1


def test_terminal_table_rows(report: Any) -> None:
    columns, rows, footer = table_rows(report)
    assert columns[1] == "verdict"
    assert [r[1] for r in rows] == ["accurate", "misleading", "not checkable"]
    assert footer[0].startswith("[1] ")


# --- the shipped example against the store, cross-checked with the reference files -------------

EU_NATO_IMF = (
    "Belgium", "Bulgaria", "Croatia", "Czech Republic", "Denmark", "Estonia", "Finland", "France",
    "Germany", "Greece", "Hungary", "Italy", "Latvia", "Lithuania", "Luxembourg", "Netherlands",
    "Poland", "Portugal", "Romania", "Slovak Republic", "Slovenia", "Spain", "Sweden",
)  # fmt: skip
OTHER_NATO_IMF = (
    "Albania", "Canada", "Iceland", "Montenegro", "North Macedonia", "Norway",
    "Türkiye, Republic of", "United Kingdom", "United States",
)  # fmt: skip


def _imf_share(path: Path) -> float:
    """EU members of NATO as a share of NATO's 2024 GDP, read straight from an IMF export."""
    import pandas as pd

    frame = pd.read_excel(path, engine="calamine", na_values=["no data"])
    by_name = {str(n).strip(): v for n, v in zip(frame.iloc[:, 0], frame[2024], strict=True)}
    part = sum(by_name[n] for n in EU_NATO_IMF)
    return float(part / (part + sum(by_name[n] for n in OTHER_NATO_IMF)))


@pytest.fixture(scope="module")
def example() -> Any:
    from alliance.claims import example_path

    report = check_claims(load_claims(example_path()))
    return {r.claim.id: r for r in report.results}


@pytest.mark.slow
def test_example_eu_members_of_nato(example: Any) -> None:
    result = example["eu-states-in-nato"]
    assert result.verdict is Verdict.accurate
    assert len(result.primary.figure.members) == 23
    assert not {"AUT", "IRL", "CYP", "MLT"} & set(result.primary.figure.members)


@pytest.mark.slow
def test_example_quarter_matches_the_imf_files(example: Any) -> None:
    from conftest import reference_file

    market = _imf_share(reference_file("imf/imf-dm-export-20251119_MER.xls"))
    ppp = _imf_share(reference_file("imf/imf-dm-export-20251119_PPP.xls"))
    result = example["quarter-of-economic-output"]
    assert result.primary.figure.value == pytest.approx(market, rel=1e-9)
    assert result.alternatives[0].figure.value == pytest.approx(ppp, rel=1e-9)
    # 33 % at market rates and 40 % at PPP: neither is about a quarter
    assert result.primary.verdict is Verdict.inaccurate
    assert result.alternatives[0].verdict is Verdict.inaccurate
    complement = example["three-quarters-outside-eu"]
    assert complement.primary.figure.value == pytest.approx(1 - market, rel=1e-9)


@pytest.mark.slow
def test_example_all_allies_two_percent_is_unverifiable_for_germany(example: Any) -> None:
    import pandas as pd

    from conftest import reference_file

    path = reference_file(
        "nato/def-exp-2025_share-of-real-GDP_2014-2025e__transcribed_by_Datavisualiatie-UGent"
        "_project-dv26-2.csv"
    )
    published = pd.read_csv(path).set_index("country")["2025e"]
    allies = published.drop(["NATO Europe and Canada", "NATO Total"])
    assert allies.drop("Germany").min() >= 2.0 and pd.isna(allies["Germany"])
    result = example["all-allies-two-percent"]
    assert result.verdict is Verdict.unverifiable
    assert [m.split(":")[0] for m in result.primary.figure.missing] == ["DEU"]
    assert result.primary.figure.value == 0  # no ally with a 2025 figure is below 2 %
    assert len(result.primary.figure.members) == len(allies) - 1


@pytest.mark.slow
def test_example_pledges_and_opinions(example: Any) -> None:
    assert example["germany-3-5-by-2029"].verdict is Verdict.accurate
    assert example["ahead-of-hague-deadline"].verdict is Verdict.accurate
    for claim_id in ("russia-from-2027", "putin-will-never-try", "arctic-and-north-atlantic"):
        assert example[claim_id].verdict is None


def _cli(*args: str) -> Any:
    import subprocess
    import sys

    code = (
        "import sys; from alliance.cli.app import main; "
        "sys.argv = ['alliance', *sys.argv[1:]]; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_cli_refuses_a_bad_file_with_exit_code_2() -> None:
    done = _cli("check", str(FIXTURES / "unknown-type.yaml"))
    assert done.returncode == 2
    assert "unknown-type.yaml:9:19: unknown check type 'guess'" in done.stderr


@pytest.mark.slow
def test_cli_example_as_json(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = _cli("check", "--example", "--format", "json", "--output", str(out))
    assert done.returncode == 0, done.stderr
    records = json.loads(out.read_text(encoding="utf-8"))
    assert records["counts"]["not checkable"] == 3
