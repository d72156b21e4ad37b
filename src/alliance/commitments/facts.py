"""The commitments as hand-entered facts: alliance targets (`data/targets.csv`) and national
pledges (`data/pledges.csv`), each with its source; an unsourced pledge is not shipped."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from alliance.errors import InvalidArgumentError


@dataclass(frozen=True)
class Target:
    target: str
    aliases: tuple[str, ...]
    name: str
    measure: str  # defence_share_gdp | equipment_share
    threshold_percent: float
    kind: str  # floor | deadline
    agreed: str
    deadline_year: int | None
    review_year: int | None
    statement: str
    source_title: str
    source_url: str
    verified_in: str
    notes: str


@dataclass(frozen=True)
class Pledge:
    iso3: str
    pledge: str
    announced: str
    measure: str
    baseline_year: int | None
    baseline_percent: float | None
    baseline_amount: float | None
    target_year: int | None
    target_percent: float
    target_amount: float | None
    currency: str
    statement: str
    source_title: str
    source_url: str
    notes: str
    # a year-by-year path (year, % of GDP) where the government published one, and its source
    path_points: tuple[tuple[int, float], ...] = ()
    path_source_title: str = ""
    path_source_url: str = ""


def _path_points(text: str) -> tuple[tuple[int, float], ...]:
    """'2025:2.4;2026:2.8' -> ((2025, 2.4), (2026, 2.8))."""
    pairs = (p.split(":") for p in filter(None, (t.strip() for t in text.split(";"))))
    return tuple((int(year), float(percent)) for year, percent in pairs)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("alliance").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def all_targets() -> tuple[Target, ...]:
    return tuple(
        Target(
            target=r["target"],
            aliases=tuple(a for a in r["aliases"].split("|") if a),
            name=r["name"],
            measure=r["measure"],
            threshold_percent=float(r["threshold_percent"]),
            kind=r["kind"],
            agreed=r["agreed"],
            deadline_year=_int(r["deadline_year"]),
            review_year=_int(r["review_year"]),
            statement=r["statement"],
            source_title=r["source_title"],
            source_url=r["source_url"],
            verified_in=r["verified_in"],
            notes=r["notes"],
        )
        for r in _rows("targets.csv")
    )


@cache
def all_pledges() -> tuple[Pledge, ...]:
    return tuple(
        Pledge(
            iso3=r["iso3"],
            pledge=r["pledge"],
            announced=r["announced"],
            measure=r["measure"],
            baseline_year=_int(r["baseline_year"]),
            baseline_percent=_float(r["baseline_percent"]),
            baseline_amount=_float(r["baseline_amount"]),
            target_year=_int(r["target_year"]),
            target_percent=float(r["target_percent"]),
            target_amount=_float(r["target_amount"]),
            currency=r["currency"],
            statement=r["statement"],
            source_title=r["source_title"],
            source_url=r["source_url"],
            notes=r["notes"],
            path_points=_path_points(r.get("path", "")),
            path_source_title=r.get("path_source_title", ""),
            path_source_url=r.get("path_source_url", ""),
        )
        for r in _rows("pledges.csv")
    )


def find_target(name: str) -> Target:
    key = name.strip().lower()
    for target in all_targets():
        if key == target.target or key in target.aliases:
            return target
    known = ", ".join(t.target for t in all_targets())
    raise InvalidArgumentError(f"Unknown target {name!r}: expected one of {known}.")


def default_target(year: int) -> Target:
    """The 2% benchmark in force in `year`: Wales to 2022, the Vilnius floor from 2023."""
    return find_target("vilnius-2023" if year >= 2023 else "wales-2014")


def pledges_for(iso3: str) -> tuple[Pledge, ...]:
    from alliance.countries import resolve_country

    code = resolve_country(iso3)
    found = tuple(p for p in all_pledges() if p.iso3 == code)
    if not found:
        with_pledges = sorted({p.iso3 for p in all_pledges()})
        raise InvalidArgumentError(
            f"No sourced pledge is shipped for {code}: pledges exist for {', '.join(with_pledges)}."
        )
    return found
