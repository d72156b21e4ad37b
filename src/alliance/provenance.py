"""Where figures come from: one `Edition` record per source file that fed the store."""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Final

from alliance.errors import InvalidArgumentError

EDITION_COLUMNS: Final[dict[str, str]] = {
    "source_id": "VARCHAR",
    "edition": "VARCHAR",
    "dataset": "VARCHAR",
    "publisher": "VARCHAR",
    "title": "VARCHAR",
    "published": "VARCHAR",  # ISO date or YYYY-MM as the publisher states it; null if unknown
    "url": "VARCHAR",
    "licence": "VARCHAR",
    "citation": "VARCHAR",
    "file_name": "VARCHAR",
    "sha256": "VARCHAR",
    "origin": "VARCHAR",  # shipped | imported
    "notes": "VARCHAR",
}


@dataclass(frozen=True)
class Edition:
    """One edition of one source: the file its figures came from and how to cite it."""

    source_id: str
    edition: str
    dataset: str
    publisher: str
    title: str
    published: str | None
    url: str
    licence: str
    citation: str
    file_name: str
    sha256: str
    origin: str = "shipped"
    notes: str = ""

    def record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Edition:
        names = {f.name for f in fields(cls)}
        # NaN (a missing CSV cell read by pandas) becomes None.
        values: dict[str, Any] = {
            k: (None if v != v else v) for k, v in record.items() if k in names
        }
        return cls(**values)

    def with_origin(self, origin: str) -> Edition:
        return Edition(**{**self.record(), "origin": origin})


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# An edition id names a file in the imports folder and sorts against other editions as text (the
# newest answers by default), so it is a date a publisher could have released on (a year alone
# for an IMF export dated only by its footer), optionally followed by `+suffix` (the `+<sha8>` of
# a modified copy): no path, quote or other character.
MAX_EDITION_LENGTH: Final = 40
EDITION_FORMAT: Final = (
    "YYYY-MM, YYYY-MM-DD or YYYY (a real date from 1900 on), optionally followed by +suffix of "
    f"letters, digits, '.', '_', '+' or '-', at most {MAX_EDITION_LENGTH} characters in all "
    "(e.g. 2025-04, 2024-08-31, 2026-02-24+3a179cd0)"
)
_EDITION_ID: Final = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?(?:\+[A-Za-z0-9][A-Za-z0-9._+-]*)?"
)


def edition_problem(edition: str, limit: int = MAX_EDITION_LENGTH) -> str | None:
    """Why `edition` is not an acceptable edition id (see EDITION_FORMAT); None if it is.
    `limit` is the longest accepted (a stored id may carry a `+<sha8>` beyond the user's)."""
    if len(edition) > limit:
        return f"it is {len(edition)} characters long"
    match = _EDITION_ID.fullmatch(edition)
    if match is None:
        return "it is not a date with an optional +suffix"
    year, month, day = match.group("year", "month", "day")
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return "it is not a real date"
    if int(year) < 1900:
        return "its year is before 1900"
    return None


def checked_edition_id(edition: str, what: str = "Edition", limit: int = MAX_EDITION_LENGTH) -> str:
    """`edition` if it is an acceptable edition id, else InvalidArgumentError saying what is."""
    problem = edition_problem(edition, limit)
    if problem is None:
        return edition
    shown = edition if len(edition) <= MAX_EDITION_LENGTH else edition[:MAX_EDITION_LENGTH] + "…"
    raise InvalidArgumentError(
        f"{what} {shown!r} is refused ({problem}): expected {EDITION_FORMAT}."
    )
