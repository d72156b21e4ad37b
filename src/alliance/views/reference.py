"""Views of the reference facts and the figures: countries, groups, members, observations and
the editions they come from."""

from __future__ import annotations

from datetime import date
from typing import Final

from alliance.views import View

OBSERVATION_COLUMNS: Final = (
    "entity",
    "year",
    "value",
    "unit",
    "currency",
    "price_basis",
    "exchange_basis",
    "period",
    "definition",
    "estimate",
    "estimate_kind",
    "missing",
    "source_id",
    "edition",
    "dataset",
    "locator",
)
EDITION_COLUMNS: Final = (
    "source_id",
    "edition",
    "dataset",
    "publisher",
    "title",
    "published",
    "citation",
    "licence",
    "url",
    "origin",
    "rows",
    "sha256",
)


def countries_view(on: date) -> View:
    """Every country with its ISO codes and the groups it belongs to on `on`."""
    from alliance.countries import countries
    from alliance.memberships import groups_of

    rows = [(c.iso3, c.iso2, c.name, " ".join(groups_of(c.iso3, on))) for c in countries()]
    return View(("iso3", "iso2", "name", "groups"), rows, f"Countries and memberships on {on}")


def groups_view(on: date) -> View:
    """Every named group with its description, member count on `on` and source."""
    from alliance.memberships import groups, member_count

    rows = [
        (g.group, g.name, member_count(g.group, on), g.description, g.source_url) for g in groups()
    ]
    columns = ("group", "name", "members", "description", "source_url")
    return View(columns, rows, f"Groups and their member counts on {on}")


def members_view(group: str, on: date) -> View:
    """A group's members on a date, with the dates each joined (and left) and the citation."""
    from alliance.countries import country_name
    from alliance.memberships import memberships_on

    found = memberships_on(group, on)
    rows = [(m.iso3, country_name(m.iso3), m.joined, m.left, m.citation) for m in found]
    name = found[0].group if found else group.upper()
    title = f"{name} on {on}: {len(rows)} members"
    return View(("iso3", "name", "joined", "left", "citation"), rows, title)


def observations_view(
    indicator: str,
    countries: tuple[str, ...] = (),
    first: int | None = None,
    last: int | None = None,
    **filters: str | None,
) -> View:
    """Figures with unit, prices, definition, estimate flag, edition and source cell.

    `filters`: source, definition, edition, unit, currency, price_basis, exchange_basis, period.
    """
    from operator import itemgetter

    from alliance.observations import Query, citation_lines, resolve_entities, select

    entities = resolve_entities(countries) if countries else None
    selection = select(Query(indicator, entities, first, last, **filters))
    project = itemgetter(*(selection.columns.index(c) for c in OBSERVATION_COLUMNS))
    rows = [project(row) for row in selection.rows]
    footer = citation_lines(selection.editions)
    if not rows:
        footer.insert(0, "No figures match: the store has no data for this selection.")
    title = f"{indicator} — {len(rows)} figures (estimate = yes where the publisher marks one)"
    return View(OBSERVATION_COLUMNS, rows, title, tuple(footer), tuple(selection.editions))


def editions_view() -> View:
    """Every edition in the store: citation, licence, URL, rows and checksum."""
    from alliance.store import query

    columns, rows = query(
        f"SELECT {', '.join(EDITION_COLUMNS)} FROM editions ORDER BY source_id, edition, dataset"
    )
    editions = tuple((str(r[0]), str(r[1]), str(r[2])) for r in rows)
    title = "Sources and editions in the store"
    return View(tuple(columns), rows, title, editions=editions)
