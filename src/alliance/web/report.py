"""`alliance report`: one self-contained HTML file to mail or publish.

The same sections the pages show (overview map and ranked bars, the seed question's coalition
answer, commitments, the fact-check of the shipped example) with the stylesheet inlined, charts
as inline SVG, each chart's CSV as a data: link, and the sources listed. No script, no request
to the app or anywhere else.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from alliance.web.pages_layout import stylesheet, table
from alliance.web.pages_svg import esc


def _sources_section() -> str:
    from alliance.observations import edition_record
    from alliance.views.reference import editions_view

    records = [edition_record(*key) for key in editions_view().editions]
    rows = [
        [
            f"{r.source_id} {r.edition} ({r.dataset})",
            r.citation,
            r.licence,
            f"{r.file_name} sha256 {r.sha256}",
        ]
        for r in records
    ]
    return '<h2 id="sources">Sources</h2>' + table(
        ["edition", "citation", "licence", "file and checksum"], rows, "Every edition in the store"
    )


def build_report(definition: str = "nato", year: int | None = None) -> str:
    """The report as one HTML string."""
    from alliance.claims import check_claims, load_example
    from alliance.web.pages_analysis import commitments_section, factcheck_section, seed_section
    from alliance.web.pages_overview import overview_section

    overview, shown = overview_section(definition, None, year, interactive=False)
    report = check_claims(load_example())  # the package's own file: no schema validator
    sections = [
        ("overview", f"Defence spending in Europe and North America, {shown}", overview),
        ("coalition", "EU members of NATO: their share of the alliance", seed_section(False)),
        ("commitments", f"Commitments in {shown}", commitments_section(shown, False)),
        ("factcheck", "Fact-check: the shipped example", factcheck_section(report)),
    ]
    contents = "".join(f'<li><a href="#{key}">{esc(title)}</a></li>' for key, title, _ in sections)
    body = "".join(
        f'<section id="{key}"><h1>{esc(title)}</h1>{html}</section>'
        for key, title, html in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>alliance report: Europe's collective defence in figures</title>"
        f'<style>{stylesheet()}</style></head><body><main id="main">'
        '<p class="lead">alliance report, generated '
        f"{date.today().isoformat()}. Every figure names its publisher, edition and the cell it "
        "came from; estimates are marked. Each chart's figures download as CSV.</p>"
        f'<nav aria-label="Contents"><ol>{contents}<li><a href="#sources">Sources</a></li></ol>'
        f"</nav>{body}{_sources_section()}</main></body></html>\n"
    )


def write_report(path: Path, definition: str = "nato", year: int | None = None) -> Path:
    from alliance.paths import writable_file, write_text

    expected = "a file path to write the report to"
    writable_file(path, expected)  # before the minutes of work, not after
    return write_text(path, build_report(definition, year), expected)
