"""Where figures come from: one `Edition` record per source file that fed the store."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Final

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
