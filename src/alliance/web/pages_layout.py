"""The page shell and the pieces every page uses: navigation, charts with their captions and
downloads, tables, numbers. Plain strings with html.escape: no template engine to install.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final, ParamSpec
from urllib.parse import quote

from alliance.web.pages_svg import esc

STATIC_DIR: Final = Path(__file__).parent / "static"
NAV: Final = (
    ("overview", "/", "Overview"),
    ("country", "/country", "Country"),
    ("coalitions", "/coalitions", "Coalitions"),
    ("commitments", "/commitments", "Commitments"),
    ("obligations", "/obligations", "Obligations"),
    ("scenarios", "/scenarios", "Scenarios"),
    ("projections", "/projections", "Projections"),
    ("factcheck", "/factcheck", "Fact-check"),
    ("sources", "/sources", "Sources"),
)


def page(title: str, active: str, body: str) -> str:
    """A full page served by the app: the stylesheet and script come from /static."""
    links = "".join(
        f'<li><a href="{href}"{" aria-current=page" if key == active else ""}>{label}</a></li>'
        for key, href, label in NAV
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · alliance</title>"
        '<link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/static/app.css">'
        '<script src="/static/app.js" defer></script></head><body>'
        '<a class="skip" href="#main">Skip to content</a>'
        '<header class="site"><a class="brand" href="/">alliance</a>'
        f'<nav aria-label="Pages"><ul>{links}</ul></nav></header>'
        f'<main id="main" tabindex="-1">{body}</main>'
        '<footer class="site"><p>Every figure names its publisher, edition and the cell it came '
        'from. JSON API: <a href="/docs">/docs</a>. Data and method: '
        '<a href="/sources">Sources</a>.</p></footer></body></html>\n'
    )


def stylesheet() -> str:
    return (STATIC_DIR / "app.css").read_text(encoding="utf-8")


def fmt(value: float | None, digits: int = 2, missing: str = "—") -> str:
    if value is None:
        return missing
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def percent(fraction: float | None, digits: int = 1) -> str:
    return "—" if fraction is None else f"{fraction * 100:.{digits}f} %"


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue()


def csv_href(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The CSV as a data: URL, so the download works in the self-contained report too."""
    return "data:text/csv;charset=utf-8," + quote(csv_text(columns, rows))


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    caption: str = "",
    numeric: Sequence[int] = (),
    raw: Sequence[int] = (),
) -> str:
    """A table; cells in columns `raw` are trusted HTML (already escaped), the rest escaped."""
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    body = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            text = cell if index in raw else esc("—" if cell is None else cell)
            cls = ' class="num"' if index in numeric else ""
            cells.append(f"<td{cls}>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap" tabindex="0"><table>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def chart(
    chart_id: str,
    title: str,
    subtitle: str,
    svg: str,
    sources: Sequence[str],
    data: tuple[Sequence[str], Sequence[Sequence[Any]]],
    notes: Sequence[str] = (),
    interactive: bool = True,
) -> str:
    """A chart with title, units and definition, its source lines, and downloads: SVG and PNG
    (drawn in the browser from the SVG with the caption, see app.js) and the CSV behind it."""
    columns, rows = data
    foot = "".join(f"<li>{esc(line)}</li>" for line in [*notes, *sources])
    buttons = (
        f'<button type="button" data-download="svg" data-name="{esc(chart_id)}">SVG</button>'
        f'<button type="button" data-download="png" data-name="{esc(chart_id)}">PNG</button>'
        if interactive
        else ""
    )
    return (
        f'<figure class="chart" id="{esc(chart_id)}"><figcaption>'
        f'<h3 class="chart-title">{esc(title)}</h3><p class="chart-sub">{esc(subtitle)}</p>'
        f'</figcaption><div class="chart-body">{svg}</div><ul class="chart-sources">{foot}</ul>'
        f'<div class="downloads" role="group" aria-label="Download {esc(title)}">'
        f"<span>Download:</span>{buttons}"
        f'<a href="{csv_href(columns, rows)}" download="{esc(chart_id)}.csv">CSV</a></div>'
        "</figure>"
    )


def error_box(message: str) -> str:
    return f'<div class="error" role="alert"><strong>Cannot answer:</strong> {esc(message)}</div>'


Args = ParamSpec("Args")


def section_or_error(
    build: Callable[Args, str], *args: Args.args, **kwargs: Args.kwargs
) -> tuple[str, int]:
    """A page's results section and status 200, or the refusal in an error box and 400."""
    from alliance.errors import AllianceError

    try:
        return build(*args, **kwargs), 200
    except AllianceError as error:
        return error_box(str(error)), 400


def options(values: Iterable[tuple[str, str]], selected: str) -> str:
    return "".join(
        f'<option value="{esc(v)}"{" selected" if v == selected else ""}>{esc(label)}</option>'
        for v, label in values
    )
