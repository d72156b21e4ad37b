"""`alliance obligations`: if this place is attacked on this date, which clauses apply and who is
bound (North Atlantic Treaty Art. 5/6, TEU Art. 42(7))."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alliance.cli.options import FormatOption, OnOption, OutputOption, chart_callback
from alliance.cli.output import OutputFormat, Table, emit

if TYPE_CHECKING:
    from alliance.treaties import ObligationsResult
    from alliance.treaties.capacity import Capacity


def _capacity_lines(result: ObligationsResult) -> list[str]:
    lines = []
    for item in result.clauses:
        for figure in item.capacity:
            if figure.value is None:
                lines.append(f"{item.article} {figure.metric}: {figure.note}")
                continue
            text = (
                f"{item.article} — states bound, {figure.metric} {figure.year}: "
                f"{figure.value:,.1f} {figure.unit}"
            )
            if figure.value_without_usa is not None and figure.value_without_usa != figure.value:
                text += f"; without the United States {figure.value_without_usa:,.1f}"
            text += f" ({figure.definition}; {figure.edition})"
            if figure.missing:
                text += f"; no data for {', '.join(figure.missing)}"
            lines.append(text)
    return lines


DEFINITIONS = ("sipri", "nato")  # of the defence spending summed over the states bound
METRIC_WORDS = {"gdp": "GDP", "defence": "defence spending", "personnel": "personnel"}
PUBLISHERS = {"wb": "World Bank", "imf": "IMF", "sipri": "SIPRI", "nato": "NATO"}


def _publishers(edition: str) -> str:
    """'wb 2026-02-24 (NY.GDP.MKTP.CD)' -> 'World Bank'; several editions -> each publisher."""
    ids = dict.fromkeys(part.split()[0] for part in edition.split(";") if part.strip())
    return ", ".join(PUBLISHERS.get(i, i) for i in ids)


def _years_note(capacity: tuple[Capacity, ...], asked: int) -> str:
    """Which year each figure is of: 'GDP and personnel of 1989 (World Bank); defence spending:
    no figure from 1982 to 1989'."""
    from alliance.treaties.capacity import YEARS_BACK

    groups: dict[tuple[int | None, str], list[str]] = {}
    for figure in capacity:
        key = (figure.year, _publishers(figure.edition) if figure.year else "")
        groups.setdefault(key, []).append(METRIC_WORDS.get(figure.metric, figure.metric))
    parts = []
    for (year, publishers), metrics in groups.items():
        what = " and ".join(metrics)
        if year is None:
            parts.append(f"{what}: no figure from {asked - YEARS_BACK + 1} to {asked}")
            continue
        latest = "" if year == asked else ", latest available"
        parts.append(f"{what} of {year} ({publishers}{latest})")
    return "; ".join(parts)


def _years_lines(result: ObligationsResult) -> list[str]:
    notes = {
        c.article: _years_note(c.capacity, result.on.year) for c in result.clauses if c.capacity
    }
    if len(set(notes.values())) == 1:
        (note,) = set(notes.values())
        return [f"Figures of the states bound, for {result.on.isoformat()}: {note}"]
    return [f"Figures of the states bound, {article}: {note}" for article, note in notes.items()]


def _table(result: ObligationsResult) -> Table:
    rows = [
        (f"{c.treaty} {c.article}", c.applies, c.reason, len(c.bound), " ".join(c.bound))
        for c in result.clauses
    ]
    place = result.place
    from alliance.treaties.resolve import subject

    title = f"If {subject(place)} is attacked on {result.on.isoformat()} ({place.how})"
    footer = _capacity_lines(result) + _years_lines(result)
    footer += [f"Caveat, {c.article}: {c.caveat}" for c in result.clauses if c.caveat]
    footer += [f"Source, {c.article}: {c.citation}" for c in result.clauses]
    return Table(["clause", "applies", "why", "states bound", "bound"], rows, title, footer)


def obligations_command(
    target: Annotated[
        str | None,
        typer.Argument(help="A country or territory: name, ISO code or territory id."),
    ] = None,
    on: OnOption = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="A point instead of a place: LAT,LON in decimal degrees."),
    ] = None,
    definition: Annotated[
        str,
        typer.Option("--definition", help="Defence spending definition for capacity: sipri|nato."),
    ] = "sipri",
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart", help="Also draw a map: .png, .svg or .html.", callback=chart_callback
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Which collective-defence clauses apply if TARGET (or the point --at LAT,LON) is attacked
    on a date, the states bound, and their combined GDP, defence spending and personnel.

    Example: alliance obligations Svalbard --on 2024-03-07 --chart svalbard.png
    JSON keys: target, on, place, clauses (treaty, article, applies, reason, bound, ...),
    capacity (per clause).
    """
    from alliance.coalitions import parse_date
    from alliance.errors import InvalidArgumentError
    from alliance.treaties import obligations, parse_point

    if (target is None) == (at is None):
        raise InvalidArgumentError("Give either a TARGET place or --at LAT,LON, not both.")
    if at is not None and not at.strip():
        raise InvalidArgumentError(
            "--at is empty: expected LAT,LON in decimal degrees, e.g. --at 69.5,5.0."
        )
    if target is not None and not target.strip():
        raise InvalidArgumentError(
            "The place is empty: expected a country or territory (Norway, NO, svalbard)."
        )
    if definition.lower() not in DEFINITIONS:
        raise InvalidArgumentError(
            f"Unknown definition {definition!r}: expected {' or '.join(DEFINITIONS)}."
        )
    day = parse_date(on) if on else None
    place = parse_point(at) if at is not None else str(target)
    result = obligations(place, day, definition=definition.lower())
    if fmt is OutputFormat.json:
        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if output is None:
            typer.echo(text, nl=False)
        else:
            from alliance.paths import write_text

            write_text(output, text, "a file path to write the output to")
    else:
        emit(_table(result), fmt, output)
    if chart is not None:
        from alliance.treaties.maps import render_map

        typer.echo(f"Map written to {render_map(result, chart)}", err=True)


def register(app: typer.Typer) -> None:
    app.command("obligations")(obligations_command)
