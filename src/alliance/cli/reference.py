"""`alliance countries`, `alliance groups`, `alliance members`: the reference facts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from alliance.cli.options import FormatOption, OnOption, OutputOption
from alliance.cli.output import OutputFormat, Table, emit
from alliance.errors import InvalidDateError


def parse_date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise InvalidDateError(text) from error


def countries_command(
    fmt: FormatOption = OutputFormat.table, output: OutputOption = None, on: OnOption = None
) -> None:
    """Every country: ISO3, ISO2, name and the groups it belongs to on a date.

    Example: alliance countries --format csv
    JSON keys: iso3, iso2, name, groups.
    """
    from alliance.countries import countries
    from alliance.memberships import groups_of

    day = parse_date(on)
    rows = [(c.iso3, c.iso2, c.name, " ".join(groups_of(c.iso3, day))) for c in countries()]
    emit(
        Table(["iso3", "iso2", "name", "groups"], rows, f"Countries and memberships on {day}"),
        fmt,
        output,
    )


def groups_command(fmt: FormatOption = OutputFormat.table, output: OutputOption = None) -> None:
    """Every named group with its description, member count today and source, then the presets
    (named expressions over the groups, such as EU-NATO = NATO & EU).

    Example: alliance groups
    JSON keys: group, kind (group or preset), name (a preset's expression), members_today,
    description, source_url.
    """
    from alliance.coalitions import presets
    from alliance.memberships import groups, member_count

    today = date.today()
    rows: list[tuple[str, str, str, int, str, str | None]] = [
        (g.group, "group", g.name, member_count(g.group, today), g.description, g.source_url)
        for g in groups()
    ]
    named = {row[0].upper() for row in rows}
    rows += [
        (p.name, "preset", p.expression, _preset_count(p.expression, today), p.description, None)
        for p in presets()
        if p.name.upper() not in named
    ]
    footer = ["A preset's name is its expression over the groups; use either in any expression."]
    columns = ["group", "kind", "name", "members_today", "description", "source_url"]
    emit(Table(columns, rows, "Groups and presets", footer), fmt, output)


def _preset_count(expression: str, day: date) -> int:
    from alliance.coalitions import coalition

    return len(coalition(expression, day).members)


def members_command(
    group: Annotated[str, typer.Argument(help="Group name, e.g. NATO, EU, JEF, NB8.")],
    on: OnOption = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Members of a group on a date (default: today), with the date each joined.

    Example: alliance members NATO --on 2014-01-01
    JSON keys: iso3, name, joined, left, citation.
    """
    from alliance.countries import country_name
    from alliance.memberships import memberships_on

    day = parse_date(on)
    found = memberships_on(group, day)
    name = found[0].group if found else group.upper()
    title = f"{name} on {day}: {len(found)} members"
    if fmt is not OutputFormat.table:
        rows = [(m.iso3, country_name(m.iso3), m.joined, m.left, m.citation) for m in found]
        emit(Table(["iso3", "name", "joined", "left", "citation"], rows, title), fmt, output)
        return
    sources = _cited_once([m.citation for m in found])
    rows = [
        (m.iso3, country_name(m.iso3), m.joined, m.left, f"[{sources[_publication(m.citation)]}]")
        for m in found
    ]
    footer = [f"[{number}] {publication}" for publication, number in sources.items()]
    footer.append("Each member's own citation (treaty, date, details): --format csv or json.")
    emit(Table(["iso3", "name", "joined", "left", "source"], rows, title, footer), fmt, output)


def _publication(citation: str) -> str:
    """The publication a citation names, without the row's own details after the colon."""
    return citation.split(": ", 1)[0]


def _cited_once(citations: list[str]) -> dict[str, int]:
    """Each publication cited by the rows, numbered in order of first use."""
    numbers: dict[str, int] = {}
    for citation in citations:
        numbers.setdefault(_publication(citation), len(numbers) + 1)
    return numbers


def register(app: typer.Typer) -> None:
    app.command("countries")(countries_command)
    app.command("groups")(groups_command)
    app.command("members")(members_command)
