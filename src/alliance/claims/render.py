"""Fact-check reports: JSON records, a terminal table, publishable markdown and self-contained HTML.

Sources are cited at two levels: each edition (or hand-entered table) once, as a numbered
footnote with its citation and URL; and every row used, listed under the claim with entity,
year, locator and value, so each figure can be traced to its cell.
"""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from dataclasses import asdict, fields
from typing import Any

from alliance.claims.model import ClaimReport, ClaimResult, Reading, SourceRow
from alliance.numerals import plain

BADGE_COLOURS = {
    "accurate": ("#1b7a3a", "#ffffff"),
    "approximately accurate": ("#7cb342", "#10240a"),
    "misleading": ("#f59e0b", "#2b1a00"),
    "inaccurate": ("#c62828", "#ffffff"),
    "unverifiable": ("#6b7280", "#ffffff"),
    "not checkable": ("#e5e7eb", "#1f2937"),
}
MARKDOWN_BADGES = {
    "accurate": "🟩",
    "approximately accurate": "🟨",
    "misleading": "🟧",
    "inaccurate": "🟥",
    "unverifiable": "⬜",
    "not checkable": "▫️",
}
VERDICT_RULES = (
    "accurate: the computed figure is within the tolerance the claim file states; "
    "approximately accurate: within the wider approximate band (default: twice the tolerance); "
    "misleading: outside the band as worded, but accurate or approximately accurate under another "
    "reasonable reading listed in the file; inaccurate: none of these; unverifiable: the store "
    "lacks data that could change the verdict (what is missing is listed)."
)


def label(result: ClaimResult) -> str:
    return result.verdict.value if result.verdict else "not checkable"


# --- source footnotes ----------------------------------------------------------------------


def _edition_key(row: SourceRow) -> tuple[str, str, str]:
    return (row.source, row.edition or "", row.dataset or "")


class Footnotes:
    """Numbers each edition (source, edition, dataset) once across the whole report."""

    def __init__(self, report: ClaimReport) -> None:
        self.notes: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        cited: set[tuple[str, str, str]] = set()
        for result in report.results:
            for row in result.sources:
                key = _edition_key(row)
                # the first row that carries a citation names the edition
                if key not in self.notes or (row.citation and key not in cited):
                    self.notes[key] = _edition_text(row)
                if row.citation:
                    cited.add(key)

    def number(self, row: SourceRow) -> int:
        return list(self.notes).index(_edition_key(row)) + 1

    def numbers(self, result: ClaimResult) -> list[int]:
        return sorted({self.number(row) for row in result.sources})


def _edition_text(row: SourceRow) -> str:
    parts = [row.source]
    if row.edition:
        parts.append(f"edition {row.edition}")
    if row.dataset:
        parts.append(row.dataset)
    text = ", ".join(parts)
    if row.citation:
        text += f" — {row.citation}"
    if row.url and (not row.citation or row.url not in row.citation):
        text += f" {row.url}"
    return text


def _row_text(row: SourceRow) -> str:
    subject = " ".join(str(p) for p in (row.entity, row.year) if p is not None)
    text = subject or "table"
    if row.locator:
        text += f" at {row.locator}"
    if row.value is not None:
        text += f" = {plain(row.value)}"
    if row.estimate:
        text += " (estimate)"
    return text


def rows_by_edition(result: ClaimResult) -> list[tuple[tuple[str, str, str], list[str]]]:
    """Row descriptions grouped by edition; edition-only rows (citations) add no row text."""
    grouped: OrderedDict[tuple[str, str, str], list[str]] = OrderedDict()
    for row in result.sources:
        entries = grouped.setdefault(_edition_key(row), [])
        if row.entity is not None or row.locator is not None:
            entries.append(_row_text(row))
    return list(grouped.items())


# --- JSON ----------------------------------------------------------------------------------


MIX_UP = "likely mix-up, not a reading of the words"


def reading_label(reading: Reading) -> str:
    """The reading's label, marked when it is a likely mix-up rather than a reading."""
    return f"{reading.label} ({MIX_UP})" if reading.kind == "mix-up" else reading.label


_SOURCE_FIELDS = tuple(f.name for f in fields(SourceRow))


def _source_record(row: SourceRow) -> dict[str, Any]:
    """`asdict(row)` without its deep copies (every field is a plain value): a report of
    thousands of claims cites hundreds of thousands of rows."""
    return {name: getattr(row, name) for name in _SOURCE_FIELDS}


def _reading_record(reading: Reading) -> dict[str, Any]:
    return {
        "label": reading.label,
        "kind": reading.kind,
        "verdict": reading.verdict.value,
        "value": reading.figure.value,
        "unit": reading.figure.unit,
        "figure": reading.figure_text,
        "claimed": reading.claimed_text,
        "comparison": reading.comparison,
        "details": list(reading.details),
        "counted_as_zero": list(reading.figure.zeros),
        "description": reading.figure.description,
        "missing": list(reading.figure.missing),
    }


def to_records(report: ClaimReport) -> dict[str, Any]:
    """The whole report as JSON-ready data."""
    claims = []
    for result in report.results:
        claim = result.claim
        record: dict[str, Any] = {
            "id": claim.id,
            "quote": claim.quote,
            "quote_kind": claim.quote_kind,
            "original": claim.original or None,
            "speaker": claim.speaker,
            "date": claim.date,
            "url": claim.url,
            "seen_at": claim.seen_at or None,
            "note": claim.note or None,
            "verdict": label(result),
            "explanation": result.explanation,
            "check": None
            if claim.check is None
            else {"type": claim.check.type, **claim.check.params},
            "not_checkable": asdict(claim.not_checkable) if claim.not_checkable else None,
            "primary": _reading_record(result.primary) if result.primary else None,
            "alternatives": [_reading_record(r) for r in result.alternatives],
            "missing": list(result.missing),
            "sources": [_source_record(s) for s in result.sources],
        }
        claims.append(record)
    return {
        "title": report.file.title,
        "description": report.file.description,
        "file": report.file.path,
        "quote_sources": list(report.file.sources),
        "verdict_rules": VERDICT_RULES,
        "counts": report.counts(),
        "claims": claims,
    }


# --- terminal table ------------------------------------------------------------------------


def table_rows(report: ClaimReport) -> tuple[list[str], list[list[Any]], list[str]]:
    """Columns, rows and footer lines for the terminal table."""
    notes = Footnotes(report)
    columns = ["claim", "verdict", "figure", "claimed", "why", "sources"]
    rows = []
    for result in report.results:
        primary = result.primary
        rows.append(
            [
                f"{result.claim.id}: {_short(result.claim.quote, 70)}",
                label(result),
                primary.figure_text if primary else "—",
                primary.claimed_text if primary else "—",
                _short(result.explanation, 160)
                + "".join(
                    f" | {reading_label(alt)}: {alt.figure_text} ({alt.verdict.value})"
                    for alt in result.alternatives
                ),
                " ".join(f"[{n}]" for n in notes.numbers(result)),
            ]
        )
    footer = [f"[{i}] {text}" for i, text in enumerate(notes.notes.values(), 1)]
    footer.append("Verdicts — " + VERDICT_RULES)
    return columns, rows, footer


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- markdown ------------------------------------------------------------------------------


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def to_markdown(report: ClaimReport) -> str:
    notes = Footnotes(report)
    counts = report.counts()
    lines = [f"# {_md(report.file.title)}", ""]
    if report.file.description:
        lines += [" ".join(report.file.description.split()), ""]
    summary = ", ".join(f"{MARKDOWN_BADGES[k]} {n} {k}" for k, n in counts.items() if n)
    lines += [f"**Verdicts:** {summary}", ""]
    lines += ["| # | Claim | Verdict | Figure | Claimed | Sources |", "|---|---|---|---|---|---|"]
    for index, result in enumerate(report.results, 1):
        primary = result.primary
        refs = "".join(f"[^{n}]" for n in notes.numbers(result))
        lines.append(
            f"| {index} | “{_md(result.claim.quote)}” | {MARKDOWN_BADGES[label(result)]} "
            f"**{label(result)}** | {_md(primary.figure_text) if primary else '—'} | "
            f"{_md(primary.claimed_text) if primary else '—'} | {refs or '—'} |"
        )
    lines.append("")
    for index, result in enumerate(report.results, 1):
        lines += _markdown_claim(index, result, notes)
    lines += ["## How the verdicts are given", "", VERDICT_RULES, ""]
    if report.file.sources:
        lines += ["## Where the quotes come from", ""]
        for source in report.file.sources:
            title = source.get("title", source["url"])
            extra = f" ({source['published']})" if source.get("published") else ""
            note = f" — {source['note']}" if source.get("note") else ""
            lines.append(f"- [{_md(title)}]({source['url']}){extra}{note}")
        lines.append("")
    for number, text in enumerate(notes.notes.values(), 1):
        lines.append(f"[^{number}]: {_md(text)}")
    return "\n".join(lines).rstrip() + "\n"


def _markdown_claim(index: int, result: ClaimResult, notes: Footnotes) -> list[str]:
    claim = result.claim
    lines = [
        f"## {index}. {MARKDOWN_BADGES[label(result)]} {label(result).capitalize()}: {claim.id}",
        "",
    ]
    lines.append(f"> “{_md(claim.quote)}”")
    if claim.original:
        lines.append(">")
        lines.append(f"> Original: “{_md(claim.original)}”")
    lines += [
        "",
        f"— {claim.speaker}, {claim.date} ([source]({claim.url}))"
        + (f", seen at <{claim.seen_at}>" if claim.seen_at else "")
        + f"; quote: {claim.quote_kind}",
        "",
    ]
    if claim.note:
        lines += [f"*Note:* {_md(claim.note)}", ""]
    lines += [f"**Verdict: {label(result)}.** {_md(result.explanation)}", ""]
    if claim.not_checkable and claim.not_checkable.context:
        lines += [f"*Context (no verdict):* {_md(claim.not_checkable.context)}", ""]
    readings = [r for r in (result.primary, *result.alternatives) if r is not None]
    if readings:
        lines += [
            "| Reading | Figure | Claimed | Verdict under this reading |",
            "|---|---|---|---|",
        ]
        for reading in readings:
            lines.append(
                f"| {_md(reading_label(reading))} | {_md(reading.figure_text)} | "
                f"{_md(reading.claimed_text)} | {MARKDOWN_BADGES[reading.verdict.value]} "
                f"{reading.verdict.value} |"
            )
        lines.append("")
        for reading in readings:
            lines.append(f"- *{_md(reading_label(reading))}:* {_md(reading.comparison)}")
        lines.append("")
    if result.missing:
        lines += ["**Missing from the store:** " + _md("; ".join(result.missing)), ""]
    grouped = rows_by_edition(result)
    if grouped:
        lines.append("**Rows used:**")
        lines.append("")
        for key, rows in grouped:
            number = list(notes.notes).index(key) + 1
            shown = "; ".join(rows) if rows else "(cited as a whole)"
            lines.append(f"- [^{number}] {_md(shown)}")
        lines.append("")
    return lines


# --- HTML ----------------------------------------------------------------------------------

_CSS = """
body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;
background:#f6f7f9;color:#1f2937;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:1.7rem;margin:0 0 6px}h2{font-size:1.2rem;margin:0 0 8px}
.lead{color:#4b5563;margin:0 0 16px}
.summary{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0 20px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92rem}
th,td{border-bottom:1px solid #e5e7eb;padding:8px 10px;text-align:left;vertical-align:top}
th{background:#111827;color:#fff;font-weight:600}
td.num{white-space:nowrap;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:999px;padding:2px 10px;font-size:.8rem;
font-weight:700;white-space:nowrap}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:18px 20px;margin:18px 0}
blockquote{margin:8px 0;padding:4px 14px;border-left:4px solid #9ca3af;color:#111827;
font-size:1.02rem}
.meta{color:#6b7280;font-size:.85rem}
.explain{margin:10px 0}
.readings td,.readings th{font-size:.85rem}
.readings th{background:#f3f4f6;color:#111827}
.rows{font-size:.8rem;color:#374151;word-break:break-word}
.missing{background:#fff7ed;border-left:4px solid #f59e0b;padding:6px 10px;font-size:.88rem}
.context{background:#f3f4f6;padding:6px 10px;font-size:.88rem}
ol.notes{font-size:.82rem;color:#374151;word-break:break-word}
sup a{text-decoration:none}
a{color:#1d4ed8}
"""


def _badge(name: str) -> str:
    background, colour = BADGE_COLOURS[name]
    return (
        f'<span class="badge" style="background:{background};color:{colour}">'
        f"{html.escape(name)}</span>"
    )


def _refs(numbers: list[int]) -> str:
    return "".join(f'<sup><a href="#note-{n}">[{n}]</a></sup>' for n in numbers)


def to_html(report: ClaimReport) -> str:
    """One self-contained page: inline CSS, no scripts, no external fonts or images."""
    notes = Footnotes(report)
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(report.file.title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{esc(report.file.title)}</h1>",
    ]
    if report.file.description:
        parts.append(f'<p class="lead">{esc(report.file.description)}</p>')
    parts.append('<div class="summary">')
    parts += [f"{_badge(k)}&nbsp;{n}" for k, n in report.counts().items() if n]
    parts.append("</div>")
    parts.append(
        "<table><thead><tr><th>#</th><th>Claim</th><th>Verdict</th><th>Figure</th>"
        "<th>Claimed</th><th>Sources</th></tr></thead><tbody>"
    )
    for index, result in enumerate(report.results, 1):
        primary = result.primary
        parts.append(
            f'<tr><td>{index}</td><td><a href="#claim-{esc(result.claim.id)}">'
            f"“{esc(result.claim.quote)}”</a></td><td>{_badge(label(result))}</td>"
            f'<td class="num">{esc(primary.figure_text) if primary else "—"}</td>'
            f'<td class="num">{esc(primary.claimed_text) if primary else "—"}</td>'
            f"<td>{_refs(notes.numbers(result)) or '—'}</td></tr>"
        )
    parts.append("</tbody></table>")
    for index, result in enumerate(report.results, 1):
        parts.append(_html_claim(index, result, notes))
    parts.append(
        f'<div class="card"><h2>How the verdicts are given</h2><p>{esc(VERDICT_RULES)}</p>'
    )
    if report.file.sources:
        parts.append("<h2>Where the quotes come from</h2><ul>")
        for source in report.file.sources:
            title = esc(source.get("title", source["url"]))
            extra = f" ({esc(source['published'])})" if source.get("published") else ""
            note = f" — {esc(source['note'])}" if source.get("note") else ""
            parts.append(f'<li><a href="{esc(source["url"])}">{title}</a>{extra}{note}</li>')
        parts.append("</ul>")
    parts.append("</div>")
    parts.append('<div class="card"><h2>Sources</h2><ol class="notes">')
    for number, text in enumerate(notes.notes.values(), 1):
        parts.append(f'<li id="note-{number}">{_linkify(text)}</li>')
    parts.append("</ol></div></main></body></html>")
    return "\n".join(parts) + "\n"


_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]}"  # sentence punctuation after a URL, not part of it


def _linkify(text: str) -> str:
    """Escape `text` and link its URLs; punctuation that ends the sentence stays outside."""
    parts, position = [], 0
    for match in _URL.finditer(text):
        url = match.group()
        while url and url[-1] in _TRAILING and not (url[-1] == ")" and "(" in url):
            url = url[:-1]
        parts.append(html.escape(text[position : match.start()]))
        parts.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
        position = match.start() + len(url)
    parts.append(html.escape(text[position:]))
    return "".join(parts)


def _html_claim(index: int, result: ClaimResult, notes: Footnotes) -> str:
    esc = html.escape
    claim = result.claim
    parts = [
        f'<section class="card" id="claim-{esc(claim.id)}">',
        f"<h2>{index}. {_badge(label(result))} <code>{esc(claim.id)}</code></h2>",
        f"<blockquote>“{esc(claim.quote)}”</blockquote>",
    ]
    if claim.original:
        parts.append(f'<p class="meta">Original: “{esc(claim.original)}”</p>')
    parts.append(
        f'<p class="meta">{esc(claim.speaker)}, {esc(claim.date)} · '
        f'<a href="{esc(claim.url)}">source</a>'
        + (
            f' (seen at <a href="{esc(claim.seen_at)}">{esc(claim.seen_at)}</a>)'
            if claim.seen_at
            else ""
        )
        + f" · quote: {esc(claim.quote_kind)}</p>"
    )
    if claim.note:
        parts.append(f'<p class="meta">Note: {esc(claim.note)}</p>')
    parts.append(
        f'<p class="explain"><strong>Verdict: {esc(label(result))}.</strong> '
        f"{esc(result.explanation)}</p>"
    )
    if claim.not_checkable and claim.not_checkable.context:
        parts.append(
            f'<p class="context"><strong>Context (no verdict):</strong> '
            f"{esc(claim.not_checkable.context)}</p>"
        )
    readings = [r for r in (result.primary, *result.alternatives) if r is not None]
    if readings:
        parts.append(
            '<table class="readings"><thead><tr><th>Reading</th><th>Figure</th><th>Claimed</th>'
            "<th>Verdict under this reading</th><th>How it compares</th></tr></thead><tbody>"
        )
        for reading in readings:
            parts.append(
                f"<tr><td>{esc(reading_label(reading))}</td>"
                f'<td class="num">{esc(reading.figure_text)}</td>'
                f'<td class="num">{esc(reading.claimed_text)}</td>'
                f"<td>{_badge(reading.verdict.value)}</td><td>{esc(reading.comparison)}</td></tr>"
            )
        parts.append("</tbody></table>")
    if result.missing:
        parts.append(
            f'<p class="missing"><strong>Missing from the store:</strong> '
            f"{esc('; '.join(result.missing))}</p>"
        )
    grouped = rows_by_edition(result)
    if grouped:
        parts.append('<p class="rows"><strong>Rows used:</strong></p><ul class="rows">')
        for key, rows in grouped:
            number = list(notes.notes).index(key) + 1
            shown = "; ".join(rows) if rows else "(cited as a whole)"
            parts.append(f"<li>{_refs([number])} {esc(shown)}</li>")
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)
