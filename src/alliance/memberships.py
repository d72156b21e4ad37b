"""Named groups of states and their dated memberships: `members("NATO", on=date(2014, 1, 1))`.

Hand-entered facts live in `data/groups.csv` (group, name, description, source_url, citation) and
`data/memberships.csv` (group, iso3, joined, left, source_url, citation); every row is cited.

Date convention: `joined` is the first day of membership; `left` is the first day on which the
state is no longer a member, empty while it still is. A state is a member on day D when
joined <= D < left. The United Kingdom was an EU member until the end of 31 January 2020, so its
EU row has left = 2020-02-01.

Both files are validated when first read (known group and ISO3, dates YYYY-MM-DD, joined before
left, no overlapping rows for one state in one group, a source URL and a citation on every row);
a bad file raises InvalidFileError whose report names the file, row and column.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from alliance.countries import is_known_iso3, resolve_country
from alliance.errors import UnknownGroupError
from alliance.validation import ValidationReport

GROUPS_FILE = "groups.csv"
MEMBERSHIPS_FILE = "memberships.csv"
GROUP_COLUMNS = ("group", "name", "description", "source_url", "citation")
MEMBERSHIP_COLUMNS = ("group", "iso3", "joined", "left", "source_url", "citation")

_GROUP_ID = re.compile(r"[A-Z][A-Z0-9_]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Group:
    group: str
    name: str
    description: str
    source_url: str
    citation: str


@dataclass(frozen=True)
class Membership:
    group: str
    iso3: str
    joined: date
    left: date | None
    source_url: str
    citation: str

    def covers(self, on: date) -> bool:
        return self.joined <= on and (self.left is None or on < self.left)


@dataclass(frozen=True)
class Tables:
    groups: tuple[Group, ...]
    memberships: tuple[Membership, ...]


def load_tables(groups_file: Traversable | Path, memberships_file: Traversable | Path) -> Tables:
    """Read and validate both files; InvalidFileError with every problem of the first bad file."""
    groups = _parse_groups(groups_file)
    memberships = _parse_memberships(memberships_file, {g.group for g in groups})
    return Tables(tuple(groups), tuple(memberships))


@cache
def _shipped() -> Tables:
    data = resources.files("alliance").joinpath("data")
    return load_tables(data.joinpath(GROUPS_FILE), data.joinpath(MEMBERSHIPS_FILE))


def _read_rows(
    file: Traversable | Path, columns: tuple[str, ...], report: ValidationReport
) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(file.read_text("utf-8").splitlines())
    if tuple(reader.fieldnames or ()) != columns:
        report.add(
            "unexpected header",
            expected=",".join(columns),
            row=1,
            value=",".join(reader.fieldnames or ()),
        )
        report.raise_if_failed()
    return [
        (number, {key: (value or "").strip() for key, value in row.items() if key is not None})
        for number, row in enumerate(reader, start=2)
    ]


def _check_source(row: dict[str, str], number: int, report: ValidationReport) -> None:
    if not _URL.fullmatch(row["source_url"]):
        report.add(
            "missing or malformed source URL",
            expected="an http(s) URL",
            row=number,
            column="source_url",
            value=row["source_url"],
        )
    if not row["citation"]:
        report.add(
            "missing citation",
            expected="the publisher, title and date of the source",
            row=number,
            column="citation",
        )


def _parse_groups(file: Traversable | Path) -> list[Group]:
    report = ValidationReport.for_path(str(file))
    groups: list[Group] = []
    seen: set[str] = set()
    for number, row in _read_rows(file, GROUP_COLUMNS, report):
        group = row["group"]
        if not _GROUP_ID.fullmatch(group):
            report.add(
                "malformed group id",
                expected="upper-case letters, digits and _ (NATO)",
                row=number,
                column="group",
                value=group,
            )
        elif group in seen:
            report.add(
                "duplicate group",
                expected="each group once",
                row=number,
                column="group",
                value=group,
            )
        seen.add(group)
        for column in ("name", "description"):
            if not row[column]:
                report.add(
                    f"missing {column}", expected="a non-empty text", row=number, column=column
                )
        _check_source(row, number, report)
        groups.append(Group(**row))
    report.raise_if_failed()
    return groups


def _parse_date(
    row: dict[str, str], column: str, number: int, report: ValidationReport
) -> date | None:
    text = row[column]
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    report.add(
        "invalid date",
        expected="YYYY-MM-DD, e.g. 2024-03-07",
        row=number,
        column=column,
        value=text,
    )
    return None


def _parse_memberships(file: Traversable | Path, known_groups: set[str]) -> list[Membership]:
    report = ValidationReport.for_path(str(file))
    memberships: list[Membership] = []
    rows_of: dict[tuple[str, str], list[tuple[int, Membership]]] = {}
    for number, row in _read_rows(file, MEMBERSHIP_COLUMNS, report):
        if row["group"] not in known_groups:
            report.add(
                "unknown group",
                expected=f"one of {', '.join(sorted(known_groups))}",
                row=number,
                column="group",
                value=row["group"],
            )
        if not is_known_iso3(row["iso3"]):
            report.add(
                "unknown ISO3 code",
                expected="an upper-case ISO 3166-1 alpha-3 code",
                row=number,
                column="iso3",
                value=row["iso3"],
            )
        joined = _parse_date(row, "joined", number, report)
        left = _parse_date(row, "left", number, report) if row["left"] else None
        if joined and left and not joined < left:
            report.add(
                "left is not after joined",
                expected="joined < left",
                row=number,
                column="left",
                value=row["left"],
            )
        _check_source(row, number, report)
        if joined is None:
            continue
        membership = Membership(
            row["group"], row["iso3"], joined, left, row["source_url"], row["citation"]
        )
        _check_overlap(membership, number, rows_of, report)
        memberships.append(membership)
    report.raise_if_failed()
    return memberships


def _check_overlap(
    membership: Membership,
    number: int,
    rows_of: dict[tuple[str, str], list[tuple[int, Membership]]],
    report: ValidationReport,
) -> None:
    earlier = rows_of.setdefault((membership.group, membership.iso3), [])
    for other_number, other in earlier:
        if _overlap(membership, other):
            report.add(
                f"overlaps row {other_number} for the same state and group",
                expected="one row per period of membership",
                row=number,
                column="joined",
                value=membership.joined.isoformat(),
            )
    earlier.append((number, membership))


def _overlap(a: Membership, b: Membership) -> bool:
    a_ends_after_b_starts = a.left is None or b.joined < a.left
    b_ends_after_a_starts = b.left is None or a.joined < b.left
    return a_ends_after_b_starts and b_ends_after_a_starts


def groups() -> list[Group]:
    """Every named group, in file order."""
    return list(_shipped().groups)


def membership_rows() -> list[Membership]:
    """Every membership period, in file order."""
    return list(_shipped().memberships)


def _group_id(name: str) -> str:
    """The group id for 'NATO', 'nato', 'Arctic Council', 'arctic-council'; else an error."""
    known = [g.group for g in _shipped().groups]
    wanted = re.sub(r"[\s-]+", "_", name.strip()).upper()
    if wanted in known:
        return wanted
    raise UnknownGroupError(name, known)


def _resolve_day(on: date | None) -> date:
    return date.today() if on is None else on


def _members(group: str, on: date, rows: Iterable[Membership]) -> list[str]:
    return sorted({m.iso3 for m in rows if m.group == group and m.covers(on)})


def members(group: str, on: date | None = None) -> list[str]:
    """Sorted ISO3 codes of the group's members on `on` (default: today)."""
    return _members(_group_id(group), _resolve_day(on), _shipped().memberships)


def memberships_on(group: str, on: date | None = None) -> list[Membership]:
    """The membership rows (with dates and citations) in force on `on`, sorted by ISO3."""
    group_id, day = _group_id(group), _resolve_day(on)
    rows = [m for m in _shipped().memberships if m.group == group_id and m.covers(day)]
    return sorted(rows, key=lambda m: m.iso3)


def member_count(group: str, on: date | None = None) -> int:
    return len(members(group, on))


def is_member(country: str, group: str, on: date | None = None) -> bool:
    """Whether `country` (ISO3, ISO2 or a name) belongs to `group` on `on` (default: today)."""
    return resolve_country(country) in members(group, on)


def groups_of(country: str, on: date | None = None) -> list[str]:
    """Ids of the groups `country` (ISO3, ISO2 or a name) belongs to on `on`, in file order."""
    iso3 = resolve_country(country)
    day = _resolve_day(on)
    rows = _shipped().memberships
    return [g.group for g in _shipped().groups if iso3 in _members(g.group, day, rows)]
