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
    """Every named group with its description, member count today and source.

    Example: alliance groups
    JSON keys: group, name, members_today, description, source_url.
    """
    from alliance.memberships import groups, member_count

    rows = [
        (g.group, g.name, member_count(g.group, date.today()), g.description, g.source_url)
        for g in groups()
    ]
    emit(Table(["group", "name", "members_today", "description", "source_url"], rows), fmt, output)


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
    rows = [(m.iso3, country_name(m.iso3), m.joined, m.left, m.citation) for m in found]
    name = found[0].group if found else group.upper()
    title = f"{name} on {day}: {len(rows)} members"
    emit(Table(["iso3", "name", "joined", "left", "citation"], rows, title), fmt, output)


def register(app: typer.Typer) -> None:
    app.command("countries")(countries_command)
    app.command("groups")(groups_command)
    app.command("members")(members_command)
