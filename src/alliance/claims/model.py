"""The objects a claim file becomes, and the objects a check produces.

A claim file holds statements (`Claim`), each either with a typed `check` over the store or
marked `not_checkable` with a reason. Checking a claim yields a `ClaimResult`: the verdict, the
figure under the primary reading, the figures under the alternative readings, what is missing
and every source row used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from alliance.numerals import plain

CHECK_TYPES = (
    "count",
    "share",
    "value",
    "comparison",
    "threshold",
    "pledge",
    "membership",
    "treaty",
)


class Verdict(StrEnum):
    accurate = "accurate"
    approximately_accurate = "approximately accurate"
    misleading = "misleading"
    inaccurate = "inaccurate"
    unverifiable = "unverifiable"


@dataclass(frozen=True)
class Tolerance:
    """How far a figure may be from the claimed one: `amount`, absolute or relative to it."""

    amount: float = 0.0
    relative: bool = False

    def width(self, expected: float) -> float:
        return self.amount * abs(expected) if self.relative else self.amount

    def describe(self, percent: bool = False) -> str:
        if self.relative:
            return f"±{self.amount:.0%} of the claimed figure"
        if percent:
            return f"±{plain(self.amount * 100, 6)} percentage points"
        return f"±{plain(self.amount, 6)}"


@dataclass(frozen=True)
class SourceRow:
    """One row of the store (or one hand-entered fact) that a figure was computed from."""

    source: str
    edition: str | None = None
    dataset: str | None = None
    entity: str | None = None
    year: int | None = None
    locator: str | None = None
    value: float | None = None
    indicator: str | None = None
    estimate: bool | None = None
    citation: str | None = None
    url: str | None = None

    def key(self) -> tuple[Any, ...]:
        return (self.source, self.edition, self.dataset, self.entity, self.year, self.locator)

    def describe(self) -> str:
        parts = [self.source]
        if self.edition:
            parts.append(f"edition {self.edition}")
        if self.dataset:
            parts.append(self.dataset)
        subject = " ".join(str(p) for p in (self.entity, self.year) if p is not None)
        if subject:
            parts.append(subject)
        if self.locator:
            parts.append(f"at {self.locator}")
        if self.estimate:
            parts.append("estimate")
        text = ", ".join(parts)
        if self.citation:
            text += f" — {self.citation}"
        if self.url and (not self.citation or self.url not in self.citation):
            text += f" <{self.url}>"
        return text


@dataclass(frozen=True)
class Figure:
    """A computed quantity with the rows behind it and what the store lacked for it."""

    value: float | None
    unit: str = ""
    description: str = ""
    members: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    sources: tuple[SourceRow, ...] = ()
    # members without a figure that the total counts as 0, as NATO does (Iceland: no armed forces)
    zeros: tuple[str, ...] = ()

    @property
    def only_zeros(self) -> bool:
        """Whether every member is such a zero: the value is a convention, not a figure."""
        return bool(self.zeros) and set(self.members) <= set(self.zeros)


@dataclass(frozen=True)
class NotCheckable:
    kind: str  # opinion | forecast | other
    reason: str
    context: str = ""


ALTERNATIVE_KINDS = ("reading", "mix-up")


@dataclass(frozen=True)
class Alternative:
    """Another reading: parameters that replace the primary ones. A `reading` is one the claim's
    words allow; a `mix-up` is a figure the speaker may have confused with the claimed one (it
    is reported, but never makes the claim 'misleading')."""

    label: str
    overrides: dict[str, Any]
    kind: str = "reading"  # reading | mix-up


@dataclass(frozen=True)
class Check:
    """A typed check; `params` holds the type-specific fields exactly as the file gives them."""

    type: str
    params: dict[str, Any]
    alternatives: tuple[Alternative, ...] = ()
    reading: str = ""  # how the primary reading interprets the wording


@dataclass(frozen=True)
class Claim:
    id: str
    quote: str
    speaker: str
    date: str
    url: str  # the original publication
    quote_kind: str = "verbatim"  # verbatim | translation | paraphrase
    original: str = ""
    note: str = ""
    check: Check | None = None
    not_checkable: NotCheckable | None = None
    line: int | None = None  # 1-based line of the claim in its file
    seen_at: str = ""  # where the quote was found, when not at the original publication


@dataclass(frozen=True)
class ClaimFile:
    title: str
    claims: tuple[Claim, ...]
    description: str = ""
    path: str = ""
    sources: tuple[dict[str, str], ...] = ()  # the pages the quotes were taken from


@dataclass(frozen=True)
class Reading:
    """The claim evaluated under one reading of its wording."""

    label: str
    verdict: Verdict
    figure: Figure
    figure_text: str
    claimed_text: str
    comparison: str
    details: tuple[str, ...] = ()
    kind: str = "reading"  # of an alternative: reading | mix-up (see Alternative)


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    verdict: Verdict | None  # None when not checkable
    explanation: str
    primary: Reading | None = None
    alternatives: tuple[Reading, ...] = ()

    @property
    def checkable(self) -> bool:
        return self.verdict is not None

    @property
    def missing(self) -> tuple[str, ...]:
        readings = [r for r in (self.primary, *self.alternatives) if r is not None]
        seen: dict[str, None] = {}
        for reading in readings:
            for item in reading.figure.missing:
                seen.setdefault(item, None)
        return tuple(seen)

    @property
    def sources(self) -> tuple[SourceRow, ...]:
        readings = [r for r in (self.primary, *self.alternatives) if r is not None]
        unique: dict[tuple[Any, ...], SourceRow] = {}
        for reading in readings:
            for row in reading.figure.sources:
                unique.setdefault(row.key(), row)
        return tuple(unique.values())


@dataclass(frozen=True)
class ClaimReport:
    file: ClaimFile
    results: tuple[ClaimResult, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        tally = {v.value: 0 for v in Verdict}
        tally["not checkable"] = 0
        for result in self.results:
            key = result.verdict.value if result.verdict else "not checkable"
            tally[key] += 1
        return tally
