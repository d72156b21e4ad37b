"""Who is bound to help whom: a place and a date -> each clause, whether it applies, who is bound.

Article 5 of the North Atlantic Treaty reaches what Article 6 defines; Article 42(7) TEU reaches
armed aggression on a Member State's territory. Each answer is 'yes', 'no' or 'contested', with
the reason in words, so that a reader can check it against the clause and the territory's row.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, Literal

from alliance.errors import AllianceError, UnknownPlaceError
from alliance.numerals import plain
from alliance.treaties import geo
from alliance.treaties.capacity import Capacity, capacities_of
from alliance.treaties.tables import (
    Clause,
    Territory,
    article_6_text,
    clause,
    current,
    metropolitan,
    normalise,
    territories,
    territory_index,
)

Applies = Literal["yes", "no", "contested"]
PlaceKind = Literal["territory", "country", "sea"]
NAT_ART5 = "nat-5"
TEU_42_7 = "teu-42-7"
NAT_ART6_1949 = "nat-6-1949"
FORMER_STATES = {"DDR": "the German Democratic Republic"}  # sovereigns of rows before a change
_APPLIES_OF_STATUS: dict[str, Applies] = {
    "covered": "yes",
    "not_covered": "no",
    "contested": "contested",
}
AT_SEA_42_7 = (
    "Art. 42(7) speaks of armed aggression 'on its territory'. Forces, vessels and aircraft at "
    "sea outside a Member State's territorial sea are not its territory, although an attack on "
    "them may be an armed attack on the flag State (UN General Assembly Resolution 3314, Art. "
    "3(d)); whether the clause reaches them has never been settled"
)
CAVEAT_42_7 = (
    "Does not prejudice 'the specific character of the security and defence policy of certain "
    "Member States' (the neutral or non-aligned Austria, Ireland, Malta, Cyprus); for NATO "
    "members NATO 'remains the foundation of their collective defence'."
)
CAVEAT_5 = (
    "Each Party takes 'such action as it deems necessary, including the use of armed force': "
    "the form of assistance is each Ally's decision, and invoking Art. 5 is a decision of the "
    "North Atlantic Council by consensus."
)


@dataclass(frozen=True)
class Place:
    """What the target resolved to."""

    query: str
    name: str
    kind: PlaceKind
    lat: float | None
    lon: float | None
    sovereign: str | None  # ISO3; None at sea
    territory_id: str | None
    sea_area: str | None  # id of the sea area, at sea
    how: str  # how the target was resolved


@dataclass(frozen=True)
class ClauseResult:
    clause_id: str
    treaty: str
    article: str
    applies: Applies
    reason: str
    bound: tuple[str, ...]  # the states bound to assist, ISO3, sorted
    attacked: str | None  # the state attacked, ISO3, when known
    caveat: str
    citation: str
    capacity: tuple[Capacity, ...] = ()


@dataclass(frozen=True)
class ObligationsResult:
    target: str
    on: date
    place: Place
    clauses: tuple[ClauseResult, ...]

    def clause(self, clause_id: str) -> ClauseResult:
        return next(c for c in self.clauses if c.clause_id == clause_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "on": self.on.isoformat(),
            "place": asdict(self.place),
            "clauses": [
                {key: value for key, value in asdict(c).items() if key != "capacity"}
                | {"bound": list(c.bound)}
                for c in self.clauses
            ],
            "capacity": {c.clause_id: [asdict(k) for k in c.capacity] for c in self.clauses},
        }


# --- resolving the target ----------------------------------------------------------------------


def resolve_place(target: str | tuple[float, float], on: date | None = None) -> Place:
    """What `target` is on `on` (default: today): territories whose borders changed are
    answered as they were then (East Germany before 1990-10-03)."""
    day = on or date.today()
    if isinstance(target, tuple):
        lat, lon = (float(v) for v in target)
        geo.check_point(lat, lon)
        return _place_at(f"{plain(lat, 6)},{plain(lon, 6)}", lat, lon, day)
    return _place_named(target, day)


def _place_named(text: str, on: date) -> Place:
    found = territory_index().get(normalise(text))
    if found is not None:
        now = current(found, on)
        if now is found:
            return _territory_place(text, found, "territory table")
        assert found.valid_until is not None
        how = f"{found.name} became part of {now.name} on {found.valid_until.isoformat()}"
        return _territory_place(text, now, how)
    from alliance.countries import country_name, resolve_country

    try:
        iso3 = resolve_country(text)
    except AllianceError:
        raise UnknownPlaceError(text, _suggestions(text)) from None
    home = metropolitan(iso3)
    if home is not None:
        return _territory_place(text, home, f"country {iso3}: its metropolitan territory")
    return Place(text, country_name(iso3), "country", None, None, iso3, None, None, "country")


def _suggestions(text: str) -> list[str]:
    from alliance.countries import countries

    names = [t.name for t in territories()] + [c.name for c in countries()]
    by_key = {normalise(n): n for n in names}
    close = difflib.get_close_matches(normalise(text), list(by_key), n=4, cutoff=0.6)
    return [by_key[k] for k in close]


def _territory_place(query: str, item: Territory, how: str) -> Place:
    return Place(
        query, item.name, "territory", item.lat, item.lon, item.sovereign, item.id, None, how
    )


def _place_at(query: str, lat: float, lon: float, on: date) -> Place:
    unit = geo.unit_at(lat, lon)
    if unit is not None:
        item = geo.territory_in_unit(unit, lat, lon, on)
        how = f"on land: Natural Earth unit {unit.name}"
        if item is not None:
            return Place(
                query, item.name, "territory", lat, lon, item.sovereign, item.id, None, how
            )
        return Place(query, unit.name, "country", lat, lon, unit.iso3, None, None, how)
    item = geo.territory_near_point(lat, lon, on)
    if item is not None:
        how = f"within {geo.SMALL_ISLAND_KM:g} km of {item.name}'s reference point"
        return Place(query, item.name, "territory", lat, lon, item.sovereign, item.id, None, how)
    area = geo.sea_area_at(lat, lon)
    name = area.name if area is not None else _open_sea_name(lat)
    return Place(query, name, "sea", lat, lon, None, None, area.id if area else None, "at sea")


def _open_sea_name(lat: float) -> str:
    if lat < geo.TROPIC_OF_CANCER:
        return "open sea south of the Tropic of Cancer"
    if lat >= geo.ARCTIC_CIRCLE:
        return "Arctic waters"
    return "open sea outside the Mediterranean and the North Atlantic area"


# --- the clauses ---------------------------------------------------------------------------------


def obligations(
    target: str | tuple[float, float],
    on: date | None = None,
    *,
    with_capacity: bool = True,
    definition: str = "sipri",
) -> ObligationsResult:
    """Which clauses apply if `target` (a place name or code, or a (lat, lon) point) is attacked
    on `on` (default: today), who is bound, and what the states bound bring."""
    day = on or date.today()
    place = resolve_place(target, day)
    results = [_article_5(place, day), _article_42_7(place, day)]
    if with_capacity:
        bound = [r.bound if r.applies != "no" else () for r in results]
        results = [
            _with(r, found) if r.applies != "no" else r
            for r, found in zip(results, capacities_of(bound, definition, day.year), strict=True)
        ]
    label = target if isinstance(target, str) else place.query
    return ObligationsResult(label, day, place, tuple(results))


def _with(result: ClauseResult, capacity: tuple[Capacity, ...]) -> ClauseResult:
    return replace(result, capacity=capacity)


def _result(
    item: Clause,
    applies: Applies,
    reason: str,
    bound: list[str],
    attacked: str | None,
    caveat: str,
) -> ClauseResult:
    kept = tuple(sorted(s for s in bound if s != attacked)) if applies != "no" else ()
    return ClauseResult(
        item.clause_id,
        item.treaty,
        item.article,
        applies,
        reason,
        kept,
        attacked,
        caveat if applies != "no" else "",
        item.citation,
    )


def _membership(iso3: str, group: str, on: date) -> tuple[bool, str]:
    """Whether `iso3` is a member on `on`, and a phrase saying when it joined or left."""
    from alliance.memberships import membership_rows

    rows = [m for m in membership_rows() if m.group == group and m.iso3 == iso3]
    for row in rows:
        if row.joined <= on and (row.left is None or on < row.left):
            return True, f"a member since {row.joined.isoformat()}"
    later = sorted(r.joined for r in rows if r.joined > on)
    if later:
        return False, f"it joined only on {later[0].isoformat()}"
    ended = sorted(r.left for r in rows if r.left is not None and r.left <= on)
    if ended:
        return False, f"it left on {ended[-1].isoformat()}, its first day outside"
    return False, "it has never been a member"


def _members(group: str, on: date) -> list[str]:
    from alliance.memberships import members

    return members(group, on)


def _whose(place: Place, sovereign: str) -> str:
    """'Sweden' or 'Hawaii is territory of the United States, which': the subject of a reason."""
    state = _name(sovereign)
    return state if place.name == state else f"{place.name} is territory of {state}, which"


def _name(iso3: str) -> str:
    from alliance.countries import country_name

    try:
        return country_name(iso3)
    except AllianceError:
        return FORMER_STATES.get(iso3, iso3)


def _not_in_force(item: Clause, on: date) -> ClauseResult | None:
    if item.in_force(on):
        return None
    reason = (
        f"{item.treaty} {item.article} was not in force on {on.isoformat()}: "
        f"in force from {item.in_force_from.isoformat()}"
    )
    return _result(item, "no", reason, [], None, "")


def _territory(place: Place) -> Territory | None:
    if place.territory_id is None:
        return None
    return next(t for t in territories() if t.id == place.territory_id)


def _former(item: Territory | None, on: date) -> str | None:
    if item is not None and item.art6_until is not None and on >= item.art6_until:
        return item.art6_after_reason
    return None


def _article_5(place: Place, on: date) -> ClauseResult:
    item = clause(NAT_ART5)
    if (stopped := _not_in_force(item, on)) is not None:
        return stopped
    answer = _article_5_in_force(item, place, on)
    cited = dict.fromkeys((item.citation + " " + article_6_text(on).citation).split())
    return replace(answer, citation=" ".join(cited))


def _article_5_in_force(item: Clause, place: Place, on: date) -> ClauseResult:
    if place.kind == "sea":
        return _article_5_at_sea(item, place, on)
    land = _territory(place)
    if (gone := _former(land, on)) is not None:
        return _result(item, "no", gone, [], None, "")
    if land is not None and not land.sovereign:  # no single state's territory (Berlin to 1990)
        status, why = land.art6_on(on)
        return _result(item, _APPLIES_OF_STATUS[status], why, _members("NATO", on), None, CAVEAT_5)
    sovereign = place.sovereign or ""
    member, when = _membership(sovereign, "NATO", on)
    if not member:
        reason = (
            f"{_whose(place, sovereign)} is not a party to the North Atlantic Treaty on "
            f"{on.isoformat()} ({when})"
        )
        if land is not None and land.valid_until is not None:
            reason += f"; {land.art6_reason}"
        return _result(item, "no", reason, [], sovereign, "")
    if land is None:
        reason = f"{place.name} is not in the territories table; Art. 6 not assessed"
        return _result(item, "contested", reason, _members("NATO", on), sovereign, CAVEAT_5)
    status, why = land.art6_on(on)
    cited = why if why.startswith("Art. 6") else f"Art. 6: {why}"
    reason = f"{cited} ({_name(sovereign)}: {when})"
    return _result(
        item, _APPLIES_OF_STATUS[status], reason, _members("NATO", on), sovereign, CAVEAT_5
    )


def _near_territory(place: Place, on: date) -> tuple[Territory, float] | None:
    """The territory whose coast lies within 12 nautical miles of a point at sea."""
    assert place.lat is not None and place.lon is not None
    near = geo.nearest_unit(place.lat, place.lon, geo.TERRITORIAL_SEA_KM)
    if near is None:
        return None
    unit, km = near
    item = geo.territory_in_unit(unit, place.lat, place.lon, on)
    return (item, km) if item is not None else None


def _at_sea_prefix(on: date) -> tuple[str, str]:
    """How the Art. 6 text in force reaches the sea, and why the territorial sea counts."""
    text = article_6_text(on)
    if text.clause_id == NAT_ART6_1949:
        return (
            f"At sea, Art. 6 as signed in 1949 (in force until {_long(text.in_force_to)}) covers "
            "the Parties' vessels and aircraft only in the North Atlantic area north of the "
            "Tropic of Cancer: ",
            "so an attack there is an attack 'on the territory' of a Party",
        )
    return (
        "At sea, Art. 6 as amended in 1951 covers the Parties' forces, vessels and aircraft in or "
        "over their territories, the Mediterranean Sea and the North Atlantic area north of the "
        "Tropic of Cancer: ",
        "so they are 'in or over these territories'",
    )


def _long(day: date | None) -> str:
    return f"{day.day} {day:%B} {day.year}" if day is not None else "today"


def _article_5_at_sea(item: Clause, place: Place, on: date) -> ClauseResult:
    bound = _members("NATO", on)
    prefix, territorial = _at_sea_prefix(on)
    near = _near_territory(place, on)
    if near is not None:
        land, km = near
        status, _ = land.art6_on(on)
        if _membership(land.sovereign, "NATO", on)[0] and status == "covered":
            reason = (
                f"{prefix}{km:.0f} km off {land.name}, inside the 12-nautical-mile territorial "
                f"sea, which is part of the Party's territory, {territorial}"
            )
            return _result(item, "yes", reason, bound, None, CAVEAT_5)
    from alliance.treaties.tables import sea_areas

    area = next((a for a in sea_areas() if a.id == place.sea_area), None)
    if area is not None:
        status, why = area.art6_on(on)
        reason = f"{prefix}{area.name}: {why}"
        return _result(item, _APPLIES_OF_STATUS[status], reason, bound, None, CAVEAT_5)
    assert place.lat is not None
    if place.lat < geo.TROPIC_OF_CANCER:
        reason = (
            f"{prefix}this point lies at {place.lat:.2f}°, south of the Tropic of Cancer "
            "(23°26'N), and outside the Mediterranean, so the Treaty does not reach it"
        )
        return _result(item, "no", reason, [], None, "")
    if place.lat >= geo.ARCTIC_CIRCLE:
        reason = (
            f"{prefix}Arctic waters: the Treaty does not define 'the North Atlantic area'; "
            "waters beyond the Greenland, Norwegian and Barents Seas are read by some as part of "
            "it, by others as the Arctic Ocean outside it"
        )
        return _result(item, "contested", reason, bound, None, CAVEAT_5)
    reason = (
        f"{prefix}this point is north of the Tropic but outside the Mediterranean and the North "
        "Atlantic area (e.g. the Pacific, the Indian Ocean, the Red Sea or the Gulf)"
    )
    return _result(item, "no", reason, [], None, "")


def _article_42_7(place: Place, on: date) -> ClauseResult:
    item = clause(TEU_42_7)
    if (stopped := _not_in_force(item, on)) is not None:
        return stopped
    if place.kind == "sea":
        return _article_42_7_at_sea(item, place, on)
    land = _territory(place)
    if (gone := _former(land, on)) is not None:
        return _result(item, "no", gone, [], None, "")
    sovereign = place.sovereign or ""
    member, when = _membership(sovereign, "EU", on)
    if not member:
        reason = (
            f"{_whose(place, sovereign)} is not an EU Member State on {on.isoformat()} ({when})"
        )
        return _result(item, "no", reason, [], sovereign, "")
    bound = _members("EU", on)
    if land is None:
        reason = f"territory of {_name(sovereign)}, an EU Member State"
        return _result(item, "yes", reason, bound, sovereign, CAVEAT_42_7)
    if land.art42_7_status is not None:
        applies = _APPLIES_OF_STATUS[land.art42_7_status]
        return _result(item, applies, land.art42_7_reason, bound, sovereign, CAVEAT_42_7)
    applies, reason = _eu_reading(land, sovereign, on)
    return _result(item, applies, reason, bound, sovereign, CAVEAT_42_7)


def _eu_reading(land: Territory, sovereign: str, on: date) -> tuple[Applies, str]:
    state = _name(sovereign)
    status, note = land.eu_on(on)
    if status in ("eu", "outermost"):
        return "yes", (
            f"armed aggression on {land.name} is aggression on the territory of {state}, a "
            f"Member State, and {_treaties_apply(note)}"
        )
    return "contested", (
        f"Reading 1 (applies): Art. 42(7) speaks of aggression on the Member State's territory, "
        f"and {land.name} is {state}'s sovereign territory. Reading 2 (does not apply): the "
        f"Treaties do not apply there as they do in the Union ({note}), and the clause "
        "may follow the Treaties' territorial scope (Art. 52 TEU, Art. 355 TFEU)"
    )


def _treaties_apply(note: str) -> str:
    """'the Treaties apply (Art. 52 TEU)' once, not 'the Treaties apply there: the Treaties...'."""
    return note if note.startswith("the Treaties apply") else f"the Treaties apply there: {note}"


def subject(place: Place) -> str:
    """The place as the subject of a sentence: 'the Norwegian Sea', 'Svalbard'."""
    if place.kind == "sea" and place.name[:1].isupper() and not place.name.startswith("Arctic"):
        return f"the {place.name}"
    return place.name


def _article_42_7_at_sea(item: Clause, place: Place, on: date) -> ClauseResult:
    bound = _members("EU", on)
    near = _near_territory(place, on)
    if near is None:
        return _result(item, "contested", AT_SEA_42_7, bound, None, CAVEAT_42_7)
    land, km = near
    inside = f"{km:.0f} km off {land.name}, inside the territorial sea of {land.name}"
    if not _membership(land.sovereign, "EU", on)[0]:
        reason = (
            f"{inside}, territory of {_name(land.sovereign)}, not an EU Member State: {AT_SEA_42_7}"
        )
        return _result(item, "contested", reason, bound, None, CAVEAT_42_7)
    applies, why = _eu_reading(land, land.sovereign, on)
    if applies == "yes":
        why = (
            f"the territorial sea is part of the territory of {_name(land.sovereign)}, a Member "
            "State (UNCLOS Art. 2)"
        )
    return _result(item, applies, f"{inside}: {why}", bound, land.sovereign, CAVEAT_42_7)
