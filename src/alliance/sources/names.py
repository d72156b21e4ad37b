"""Publisher country names -> entity ids, through one explicit table per publisher.

Each `names/<kind>.csv` has columns `name,entity,note`. `entity` is an ISO3 code, an ISO 3166-3
code for a former state, or `<kind>:<CODE>` for an aggregate; an empty entity means the row is
deliberately skipped (a region header, say) and `note` says why. Names are matched after
stripping surrounding whitespace and footnote asterisks. An unmapped name is a problem in the
report, never a guess.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from alliance.validation import ValidationReport

SKIP = ""


@cache
def name_map(kind: str) -> dict[str, str]:
    text = resources.files("alliance.sources").joinpath("names", f"{kind}.csv").read_text("utf-8")
    return {row["name"].strip(): row["entity"].strip() for row in csv.DictReader(text.splitlines())}


def clean_name(raw: str) -> str:
    return raw.replace("\xa0", " ").strip().rstrip("*").strip()


def resolve(
    raw: str,
    kind: str,
    report: ValidationReport,
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
) -> str | None:
    """The entity for `raw`, `SKIP` for a deliberately skipped row, or None (problem recorded)."""
    name = clean_name(raw)
    mapping = name_map(kind)
    if name in mapping:
        return mapping[name]
    report.add(
        f"country name {name!r} is not in the {kind} name table",
        expected=f"a name listed in alliance/sources/names/{kind}.csv",
        sheet=sheet,
        row=row,
        column=column,
        value=raw,
    )
    return None
