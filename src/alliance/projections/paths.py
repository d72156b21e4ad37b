"""Paths of the share of GDP to the horizon: each a pure function of a member's baseline.

- `current`: the latest share held.
- `trend`: the latest share plus the least-squares slope of the member's shares from
  `trend_first_year` to its latest year, the slope kept within [trend_slope_min,
  trend_slope_max] pp a year and the share within [0, trend_share_max] (never pushed below a
  latest share already above the ceiling).
- `pledges`: the member's shipped national pledges (`commitments.all_pledges`): a published
  year-by-year path where there is one, else the pledge's target in its target year; linear from
  the latest figure through those points, then held. A pledge is a floor: never below the latest
  share. Members without a dated pledge hold their latest share.
- `hague`: linear from the latest share to 3.5 % (core, The Hague 2035) in 2035, then held; never
  below the latest share, so a member at or above 3.5 % holds its share.
- a CSV file (`iso3,year,percent`): the points given, linear from the latest figure, then held;
  members not in the file hold their latest share.

Every function returns one share (% of GDP) per year asked; a year up to the member's latest
figure gets the latest figure.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from alliance.errors import InvalidArgumentError
from alliance.projections.assumptions import Assumptions
from alliance.projections.baseline import CountryBaseline

HAGUE_CORE: Final = 3.5
HAGUE_YEAR: Final = 2035
NAMES: Final = ("current", "trend", "pledges", "hague")
DESCRIPTIONS: Final = {
    "current": "current: each member's latest share of GDP held",
    "trend": "trend: each member's least-squares trend in share of GDP since trend_first_year, "
    "slope and level capped (see assumptions)",
    "pledges": "pledges: the shipped national pledges (published year-by-year paths where there "
    "are any), linear from the latest figure, then held; never below the latest share",
    "hague": "hague: linear from the latest share to 3.5 % (core) in 2035, never below the latest "
    "share",
}
Point = tuple[int, float]


def through_points(
    base_year: int, base: float, points: Sequence[Point], years: Sequence[int]
) -> list[float]:
    """Linear from (base_year, base) through `points` (sorted by year, all after base_year), then
    held; the value at a point's year is the point's value exactly."""
    knots = [(base_year, base), *points]
    shares = []
    for year in years:
        if year <= base_year:
            shares.append(base)
            continue
        later = [k for k in knots if k[0] >= year]
        if not later:
            shares.append(knots[-1][1])
            continue
        end = later[0]
        start = [k for k in knots if k[0] < year][-1]
        if end[0] == year:
            shares.append(end[1])
        else:
            fraction = (year - start[0]) / (end[0] - start[0])
            shares.append(start[1] + fraction * (end[1] - start[1]))
    return shares


def current(country: CountryBaseline, years: Sequence[int]) -> list[float]:
    return [country.share for _ in years]


def trend_slope(country: CountryBaseline, assumptions: Assumptions) -> float:
    """pp a year: least squares over the member's shares since trend_first_year, capped."""
    first = int(assumptions.number("trend_first_year"))
    points = [(y, v) for y, v in country.history if first <= y <= country.base_year]
    if len(points) < 3:
        return 0.0
    mean_year = sum(y for y, _ in points) / len(points)
    mean_value = sum(v for _, v in points) / len(points)
    slope = sum((y - mean_year) * (v - mean_value) for y, v in points) / sum(
        (y - mean_year) ** 2 for y, _ in points
    )
    low, high = assumptions.number("trend_slope_min"), assumptions.number("trend_slope_max")
    return min(max(slope, low), high)


def trend(country: CountryBaseline, years: Sequence[int], assumptions: Assumptions) -> list[float]:
    slope = trend_slope(country, assumptions)
    ceiling = max(assumptions.number("trend_share_max"), country.share)
    return [
        min(max(country.share + slope * max(year - country.base_year, 0), 0.0), ceiling)
        for year in years
    ]


def pledge_points(country: CountryBaseline) -> tuple[list[Point], list[str]]:
    """The dated pledge points after the member's latest figure, and notes on pledges not used."""
    from alliance.commitments import all_pledges

    points: dict[int, float] = {}
    notes = []
    for pledge in all_pledges():
        if pledge.iso3 != country.iso3 or pledge.measure != "defence_share_gdp":
            continue
        stated = pledge.path_points or (
            ((pledge.target_year, pledge.target_percent),) if pledge.target_year else ()
        )
        if not stated:
            notes.append(
                f"{country.iso3}: pledge {pledge.pledge} ({pledge.target_percent} %) has no "
                "deadline: its latest share is held"
            )
        for year, percent in stated:
            if year > country.base_year:
                points[year] = max(points.get(year, percent), percent)
    return sorted(points.items()), notes


def pledges(country: CountryBaseline, years: Sequence[int]) -> list[float]:
    points, _ = pledge_points(country)
    floor = country.share
    return [max(v, floor) for v in through_points(country.base_year, floor, points, years)]


def hague(country: CountryBaseline, years: Sequence[int]) -> list[float]:
    if country.share >= HAGUE_CORE or country.base_year >= HAGUE_YEAR:
        return current(country, years)
    return through_points(country.base_year, country.share, [(HAGUE_YEAR, HAGUE_CORE)], years)


@dataclass(frozen=True)
class UserPath:
    """A path read from a CSV file: points per member."""

    file: str
    points: dict[str, list[Point]]

    def shares(self, country: CountryBaseline, years: Sequence[int]) -> list[float]:
        given = [p for p in self.points.get(country.iso3, []) if p[0] > country.base_year]
        if not given:
            return current(country, years)
        return through_points(country.base_year, country.share, given, years)


CSV_COLUMNS: Final = ("iso3", "year", "percent")


def read_path_file(path: Path, first_year: int, last_year: int) -> UserPath:
    """A user's `iso3,year,percent` file, every problem reported with its line and column."""
    from alliance.paths import file_errors
    from alliance.validation import ValidationReport

    report = ValidationReport.for_path(path)

    def bad(row: int, column: str | None, problem: str, value: str, expected: str) -> None:
        report.add(f"{problem}: got {value!r}, expected {expected}", row=row, column=column)

    with file_errors(path, "read", "a CSV file with columns iso3,year,percent"):
        raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        bad(1, None, "not UTF-8 text", raw[:20].decode("latin-1"), "a UTF-8 CSV file")
        report.raise_if_failed()
    lines = list(csv.reader(text.splitlines()))
    if not lines or [c.strip().lower() for c in lines[0]] != list(CSV_COLUMNS):
        bad(1, None, "wrong header", ",".join(lines[0]) if lines else "", "iso3,year,percent")
        report.raise_if_failed()
    points: dict[str, dict[int, float]] = {}
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(CSV_COLUMNS):
            bad(number, None, f"{len(cells)} fields", ",".join(cells), "3 fields")
            continue
        try:
            iso3, year, percent = _path_row(cells, first_year, last_year)
        except _RowProblem as problem:
            shown = cells[CSV_COLUMNS.index(problem.column)].strip()
            bad(number, problem.column, problem.problem, shown, problem.expected)
            continue
        if year in points.setdefault(iso3, {}):
            bad(number, "year", "duplicate", str(year), f"one row per iso3 and year ({iso3})")
            continue
        points[iso3][year] = percent
    if not report.problems and not points:
        bad(2, None, "no rows", "", "at least one iso3,year,percent row")
    report.raise_if_failed()
    return UserPath(str(path), {k: sorted(v.items()) for k, v in points.items()})


class _RowProblem(Exception):
    def __init__(self, column: str, problem: str, expected: str) -> None:
        super().__init__(problem)
        self.column, self.problem, self.expected = column, problem, expected


def _path_row(cells: Sequence[str], first_year: int, last_year: int) -> tuple[str, int, float]:
    """(iso3, year, percent) of a row; _RowProblem names the column at fault."""
    from alliance.countries import resolve_country
    from alliance.errors import AllianceError

    code, year_text, percent_text = (c.strip() for c in cells)
    try:
        iso3 = resolve_country(code)
    except AllianceError:
        raise _RowProblem("iso3", "unknown country", "an ISO3 code such as DEU") from None
    try:
        year = int(year_text)
    except ValueError:
        raise _RowProblem("year", "not a year", "a whole year") from None
    if not first_year <= year <= last_year:
        raise _RowProblem("year", "year outside the projection", f"{first_year} to {last_year}")
    try:
        percent = float(percent_text)
    except ValueError:
        percent = math.nan
    if not 0 <= percent <= 100:
        raise _RowProblem("percent", "not a share of GDP", "a percentage from 0 to 100")
    return iso3, year, percent


ShareFunction = Callable[[CountryBaseline, Sequence[int]], list[float]]


def path_function(name: str, assumptions: Assumptions) -> ShareFunction:
    """The share function of a named path; InvalidArgumentError for an unknown name."""
    functions: dict[str, ShareFunction] = {
        "current": current,
        "trend": lambda country, years: trend(country, years, assumptions),
        "pledges": pledges,
        "hague": hague,
    }
    if name not in functions:
        raise unknown_path(name)
    return functions[name]


def unknown_path(name: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"Unknown path {name!r}: expected one of {', '.join(NAMES)}, or a CSV file "
        "(iso3,year,percent, named *.csv)."
    )


def path_notes(name: str, countries: Sequence[CountryBaseline], user: UserPath | None) -> list[str]:
    """What the path did member by member, where it is not obvious."""
    if user is not None:
        held = [c.iso3 for c in countries if c.iso3 not in user.points]
        extra = sorted(set(user.points) - {c.iso3 for c in countries})
        notes = [f"path: the points of {user.file}, linear from each latest figure, then held"]
        if held:
            notes.append(f"Not in {user.file} (latest share held): {', '.join(held)}")
        if extra:
            notes.append(f"In {user.file} but not members (ignored): {', '.join(extra)}")
        early = [
            f"{c.iso3} {year}"
            for c in countries
            for year, _ in user.points.get(c.iso3, [])
            if year <= c.base_year
        ]
        if early:
            notes.append(
                f"Points at or before the member's latest figure (ignored): {', '.join(early)}"
            )
        return notes
    notes = [f"path: {DESCRIPTIONS[name]}"]
    if name == "pledges":
        without = []
        for country in countries:
            points, pledge_notes = pledge_points(country)
            notes += pledge_notes
            if not points and not pledge_notes:
                without.append(country.iso3)
        if without:
            notes.append(f"No dated pledge shipped (latest share held): {', '.join(without)}")
    return notes
