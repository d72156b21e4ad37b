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


def _example_report():  # type: ignore[no-untyped-def]
    from alliance.claims import check_claims, load_claims
    from alliance.claims.loader import example_path

    return check_claims(load_claims(example_path()))


@pytest.mark.slow
def test_html_links_resolve_to_the_cited_urls() -> None:
    import re

    from alliance.claims import to_html

    report = _example_report()
    page = to_html(report)
    cited = " ".join(
        f"{row.citation or ''} {row.url or ''}" for r in report.results for row in r.sources
    )
    cited += " " + " ".join(s.get("url", "") for s in report.file.sources)
    cited += " " + " ".join(f"{r.claim.url} {r.claim.seen_at}" for r in report.results)
    links = set(re.findall(r'href="(https?://[^"]+)"', page))
    assert links
    for link in links:
        url = link.replace("&amp;", "&")
        assert not url.endswith((".", ",", ";", ":", ")")), url
        assert url in cited, url


@pytest.mark.slow
def test_every_footnote_cites_a_publication() -> None:
    from alliance.claims.render import Footnotes

    for text in Footnotes(_example_report()).notes.values():
        assert " — " in text or "http" in text, text


AGGREGATORS = ("?search=", "rss.", "/rss", "groundnews", "news.google")


def test_quotes_cite_the_original_publication_and_keep_the_aggregator_as_seen_at() -> None:
    from alliance.claims import load_claims
    from alliance.claims.loader import example_path

    claims = {c.id: c for c in load_claims(example_path()).claims}
    for claim in claims.values():
        assert not any(mark in claim.url for mark in AGGREGATORS), (claim.id, claim.url)
    two_percent = claims["all-allies-two-percent"]
    assert "rss.aubry.org" in two_percent.seen_at


@pytest.mark.slow
def test_the_report_shows_seen_at_beside_the_source() -> None:
    from alliance.claims import to_html, to_markdown

    report = _example_report()
    assert "seen at" in to_markdown(report) and "seen at" in to_html(report)
