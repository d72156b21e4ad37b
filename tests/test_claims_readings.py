"""An alternative reading counts only if the claim's words allow it: a figure the speaker may
have confused with the claimed one (kind: mix-up) is reported, never turns 'inaccurate' into
'misleading' (docs/claims.md, "Alternative readings")."""

from __future__ import annotations

from typing import Any

import pytest

from alliance.claims import check_claims, load_claims
from alliance.claims.loader import example_path, parse_claims
from alliance.claims.model import Verdict
from test_claims import HEADER, SHARE, _check  # hand-made figures: market 20 %, PPP 25 %


def test_a_mix_up_that_holds_does_not_rescue_an_inaccurate_claim() -> None:
    text = SHARE.format(expected=0.25, tolerance=0.025, approximate=0.05) + (
        "alternatives:\n  - label: GDP at PPP\n    basis: ppp\n    kind: mix-up\n"
    )
    result = _check(text)
    assert result.verdict is Verdict.inaccurate
    (ppp,) = result.alternatives
    assert ppp.kind == "mix-up" and ppp.verdict is Verdict.accurate
    assert "likely mix-up" in result.explanation and "GDP at PPP" in result.explanation


def test_a_reading_the_words_allow_still_makes_it_misleading() -> None:
    text = SHARE.format(expected=0.25, tolerance=0.025, approximate=0.05) + (
        "alternatives:\n  - label: GDP at PPP\n    basis: ppp\n    kind: reading\n"
    )
    assert _check(text).verdict is Verdict.misleading


def test_an_unknown_kind_is_refused_with_its_line() -> None:
    from alliance.errors import ClaimFileError

    text = SHARE.format(expected=0.25, tolerance=0.025, approximate=0.05) + (
        "alternatives:\n  - label: GDP at PPP\n    basis: ppp\n    kind: rescue\n"
    )
    body = "\n".join("      " + line for line in text.strip().splitlines())
    with pytest.raises(ClaimFileError, match=r"kind\.yaml:\d+:\d+: .*rescue"):
        parse_claims(HEADER + f"  - id: c1\n    quote: q\n    check:\n{body}\n", "kind.yaml")


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    report = check_claims(load_claims(example_path()))
    return {r.claim.id: r for r in report.results}


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ["quarter-of-economic-output", "three-quarters-outside-eu"])
def test_the_gdp_claims_are_inaccurate_and_name_the_defence_share_as_a_mix_up(
    example: dict[str, Any], claim_id: str
) -> None:
    result = example[claim_id]
    assert result.verdict is Verdict.inaccurate
    defence = next(a for a in result.alternatives if "defence" in a.label)
    assert defence.kind == "mix-up" and defence.verdict in (
        Verdict.accurate,
        Verdict.approximately_accurate,
    )
    assert "likely mix-up" in result.explanation
    ppp = next(a for a in result.alternatives if "purchasing power" in a.label)
    assert ppp.kind == "reading"
