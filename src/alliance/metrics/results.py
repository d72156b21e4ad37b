"""What a metric answers: results with the members counted, the figures used and their sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class SourceRef:
    """An edition whose rows fed a result."""

    source_id: str
    edition: str
    dataset: str
    series: str
    citation: str = ""
    url: str = ""


@dataclass(frozen=True)
class MemberFigure:
    """A member's contribution: numerator (and denominator) in the result's units."""

    entity: str
    numerator: float
    denominator: float | None
    estimate: bool
    locators: tuple[str, ...]


@dataclass(frozen=True)
class AggregateResult:
    expression: str
    metric: str
    year: int
    on: str  # membership date, ISO
    value: float | None
    unit: str
    definition: str
    method: str
    members: tuple[str, ...]
    with_data: tuple[str, ...]
    missing: tuple[str, ...]
    zeros: tuple[str, ...]
    estimated: tuple[str, ...]  # members whose figures the publisher marks as estimates
    sources: tuple[SourceRef, ...]
    figures: tuple[MemberFigure, ...] = field(repr=False)
    numerator: float | None = None  # for ratio metrics: the sums behind the value
    denominator: float | None = None
    period: str = ""  # a cumulative figure's span; "" for a calendar year
    notes: tuple[str, ...] = ()  # a fallback used, or the option that has the missing figures
    sums: str = ""  # for ratio metrics: what numerator and denominator sum, in which units

    @property
    def edition(self) -> str:
        return edition_text(self.sources)

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["edition"] = self.edition
        return record


@dataclass(frozen=True)
class ShareResult:
    coalition: str
    of: str
    metric: str
    year: int
    value: float | None
    of_value: float | None
    share: float | None  # fraction in [0, 1]
    unit: str
    definition: str
    members: tuple[str, ...]  # coalition members counted (those inside `of`)
    outside: tuple[str, ...]  # coalition members not in `of`, left out
    missing: tuple[str, ...]  # members of `of` without data
    estimated: tuple[str, ...]
    sources: tuple[SourceRef, ...]
    part: AggregateResult = field(repr=False)
    whole: AggregateResult = field(repr=False)

    @property
    def edition(self) -> str:
        return edition_text(self.sources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "coalition": self.coalition,
            "of": self.of,
            "metric": self.metric,
            "year": self.year,
            "definition": self.definition,
            "edition": self.edition,
            "unit": self.unit,
            "value": self.value,
            "of_value": self.of_value,
            "share": self.share,
            "members": list(self.members),
            "of_members": list(self.whole.members),
            "outside": list(self.outside),
            "missing": list(self.missing),
            "estimated": list(self.estimated),
            "membership_on": self.whole.on,
            "method": self.whole.method,
            "sources": [asdict(s) for s in self.sources],
        }


def edition_text(sources: Sequence[SourceRef]) -> str:
    """The editions used; when a result draws on several, what each one gave."""
    uses: dict[str, dict[str, None]] = {}
    for source in sources:
        uses.setdefault(f"{source.source_id} {source.edition} ({source.dataset})", {})[
            source.series
        ] = None
    if len(uses) <= 1:
        return "; ".join(uses)
    return "; ".join(f"{edition} for {', '.join(series)}" for edition, series in uses.items())


def source_lines(sources: Sequence[SourceRef], estimated: Sequence[str] = ()) -> list[str]:
    """'Source:' lines for a table or chart: one per edition used, then the estimate note."""
    seen: dict[tuple[str, str, str], SourceRef] = {}
    for ref in sources:
        seen.setdefault((ref.source_id, ref.edition, ref.dataset), ref)
    lines = []
    for (source_id, edition, dataset), ref in seen.items():
        citation = ref.citation or f"{source_id} {edition}"
        lines.append(f"Source: {citation} [{source_id} {edition}, {dataset}]")
    if estimated:
        lines.append(f"Estimates (publisher's own) used for: {', '.join(sorted(set(estimated)))}.")
    return lines
