"""The hand-entered treaty tables: clauses, territories and sea areas, each row with a citation."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Literal

Status = Literal["covered", "not_covered", "contested"]
EuStatus = Literal["eu", "outermost", "oct", "outside"]
EU_STATUSES: tuple[str, ...] = ("eu", "outermost", "oct", "outside")
ART6_STATUSES: tuple[str, ...] = ("covered", "not_covered", "contested")


@dataclass(frozen=True)
class Clause:
    clause_id: str
    treaty: str
    article: str
    group: str
    excerpt: str
    in_force_from: date
    in_force_to: date | None
    citation: str
    note: str

    def in_force(self, on: date) -> bool:
        return self.in_force_from <= on and (self.in_force_to is None or on < self.in_force_to)


@dataclass(frozen=True)
class Box:
    lon_min: float
    lat_min: float
    lon_max: float
    lat_max: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.lon_min <= lon <= self.lon_max and self.lat_min <= lat <= self.lat_max


@dataclass(frozen=True)
class Territory:
    id: str
    name: str
    aliases: tuple[str, ...]
    sovereign: str
    kind: str  # metropolitan | special
    continent: str
    lat: float
    lon: float
    ne_a3: str  # the Natural Earth admin-0 unit(s) the territory lies in, '|'-separated
    boxes: tuple[Box, ...]  # where it lies inside that unit; empty = the rest of the unit
    area: tuple[tuple[float, float], ...]  # a (lon, lat) ring, where a box would be too coarse
    eu_status: EuStatus  # while the sovereign is an EU member
    eu_note: str
    eu_citation: str
    eu_status_from: date | None  # the EU status above holds from this date
    eu_status_before: EuStatus | None  # and this one before it
    eu_note_before: str
    art6_status: Status  # whether the place lies in Art. 6's area, party membership aside
    art6_reason: str
    art6_citation: str
    art6_until: date | None  # the Art. 6 status holds before this date
    art6_after_reason: str
    art42_7_status: Status | None  # an override where the EU status alone does not settle it
    art42_7_reason: str
    valid_until: date | None  # the row describes the place before this date (a border change)
    became: str  # the id of the territory it became part of on `valid_until`

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies in one of the row's boxes or inside its area ring."""
        if any(b.contains(lat, lon) for b in self.boxes):
            return True
        return bool(self.area) and _inside(self.area, lat, lon)

    def valid_on(self, on: date) -> bool:
        return self.valid_until is None or on < self.valid_until

    @property
    def units(self) -> tuple[str, ...]:
        """Natural Earth units the territory's boxes are looked for in: a place smaller than the
        map's resolution may fall in its neighbour's unit (Alhucemas in Morocco's)."""
        return tuple(self.ne_a3.split("|"))

    def eu_on(self, on: date) -> tuple[EuStatus, str]:
        """The EU status and its note on `on` (Mayotte became an outermost region in 2014)."""
        if self.eu_status_from is not None and on < self.eu_status_from:
            assert self.eu_status_before is not None
            return self.eu_status_before, self.eu_note_before
        return self.eu_status, self.eu_note

    def art6_on(self, on: date) -> tuple[Status, str]:
        if self.art6_until is not None and on >= self.art6_until:
            return "not_covered", self.art6_after_reason
        return self.art6_status, self.art6_reason


@dataclass(frozen=True)
class SeaArea:
    id: str
    name: str
    art6_status: Status
    reason: str
    citation: str
    ring: tuple[tuple[float, float], ...]  # (lon, lat) vertices
    status_from: date | None  # the status above holds from this date (an amended Art. 6 text)
    status_before: Status | None
    reason_before: str

    def art6_on(self, on: date) -> tuple[Status, str]:
        if self.status_from is not None and on < self.status_from:
            assert self.status_before is not None
            return self.status_before, self.reason_before
        return self.art6_status, self.reason


def _inside(ring: tuple[tuple[float, float], ...], lat: float, lon: float) -> bool:
    """Even-odd ray casting: whether (lon, lat) lies inside the ring."""
    inside = False
    previous = ring[-1]
    for current in ring:
        (x1, y1), (x2, y2) = previous, current
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        previous = current
    return inside


def _ring(text: str) -> tuple[tuple[float, float], ...]:
    pairs = (pair.split() for pair in filter(None, (p.strip() for p in text.split(";"))))
    return tuple((float(lon), float(lat)) for lon, lat in pairs)


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Åland' == 'aland' == 'ALAND'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def _rows(name: str) -> list[dict[str, str]]:
    path = resources.files("alliance") / "data" / "treaties" / name
    with path.open("r", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _boxes(text: str) -> tuple[Box, ...]:
    boxes = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        lon_min, lat_min, lon_max, lat_max = (float(v) for v in part.split())
        boxes.append(Box(lon_min, lat_min, lon_max, lat_max))
    return tuple(boxes)


@cache
def clauses() -> tuple[Clause, ...]:
    return tuple(
        Clause(
            clause_id=row["clause_id"],
            treaty=row["treaty"],
            article=row["article"],
            group=row["group"],
            excerpt=row["excerpt"],
            in_force_from=date.fromisoformat(row["in_force_from"]),
            in_force_to=_date(row["in_force_to"]),
            citation=row["citation"],
            note=row["note"],
        )
        for row in _rows("clauses.csv")
    )


def clause(clause_id: str) -> Clause:
    return next(c for c in clauses() if c.clause_id == clause_id)


def article_6_text(on: date) -> Clause:
    """The text of Art. 6 in force on `on`: as signed in 1949, or as amended from 1952-02-18
    (the latest text before 1949-08-24, when neither was in force)."""
    texts = sorted(
        (c for c in clauses() if c.clause_id.startswith("nat-6")), key=lambda c: c.in_force_from
    )
    return next(
        (c for c in texts if c.in_force(on)), texts[0] if on < texts[0].in_force_from else texts[-1]
    )


@cache
def territories() -> tuple[Territory, ...]:
    return tuple(_territory(row) for row in _rows("territories.csv"))


def _territory(row: dict[str, str]) -> Territory:
    return Territory(
        id=row["id"],
        name=row["name"],
        aliases=tuple(a for a in row["aliases"].split("|") if a),
        sovereign=row["sovereign"],
        kind=row["kind"],
        continent=row["continent"],
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        ne_a3=row["ne_a3"],
        boxes=_boxes(row["bbox"]),
        area=_ring(row["area"]),
        eu_status=row["eu_status"],  # type: ignore[arg-type]
        eu_note=row["eu_note"],
        eu_citation=row["eu_citation"],
        eu_status_from=_date(row["eu_status_from"]),
        eu_status_before=row["eu_status_before"] or None,  # type: ignore[arg-type]
        eu_note_before=row["eu_note_before"],
        art6_status=row["art6_status"],  # type: ignore[arg-type]
        art6_reason=row["art6_reason"],
        art6_citation=row["art6_citation"],
        art6_until=_date(row["art6_until"]),
        art6_after_reason=row["art6_after_reason"],
        art42_7_status=row["art42_7_status"] or None,  # type: ignore[arg-type]
        art42_7_reason=row["art42_7_reason"],
        valid_until=_date(row["valid_until"]),
        became=row["became"],
    )


def territory(territory_id: str) -> Territory:
    return next(t for t in territories() if t.id == territory_id)


@cache
def territory_index() -> dict[str, Territory]:
    """Normalised id, name and aliases -> territory (names win over aliases on a clash)."""
    index: dict[str, Territory] = {}
    for item in territories():
        for key in item.aliases:
            index.setdefault(normalise(key), item)
    for item in territories():
        index[normalise(item.name)] = item
        index[normalise(item.id)] = item
    return index


def metropolitan(iso3: str) -> Territory | None:
    return next(
        (t for t in territories() if t.sovereign == iso3 and t.kind == "metropolitan"), None
    )


def current(item: Territory, on: date) -> Territory:
    """The row that describes `item`'s place on `on` (East Germany -> Germany from 1990-10-03)."""
    while not item.valid_on(on) and item.became:
        item = territory(item.became)
    return item


@cache
def sea_areas() -> tuple[SeaArea, ...]:
    return tuple(
        SeaArea(
            id=row["id"],
            name=row["name"],
            art6_status=row["art6_status"],  # type: ignore[arg-type]
            reason=row["reason"],
            citation=row["citation"],
            ring=_ring(row["polygon"]),
            status_from=_date(row["status_from"]),
            status_before=row["status_before"] or None,  # type: ignore[arg-type]
            reason_before=row["reason_before"],
        )
        for row in _rows("sea_areas.csv")
    )
