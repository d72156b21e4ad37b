"""What a claim check asks of the store, as one small interface.

`Backend` is the seam between the verdict logic and the data: the checks call only these
methods, so tests run them on hand-made figures and `StoreBackend` runs them on the real store
(alliance.coalitions, .metrics, .commitments, .treaties). A method returns a `Figure` whose
`value` is None and whose `missing` says what is absent when the store cannot answer; it raises
only for input errors (an expression that does not parse, an unknown country).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from alliance.claims.model import Figure, SourceRow

METRIC_OPTION_NAMES = ("metric", "year", "basis", "prices", "definition", "source", "edition", "on")


@dataclass(frozen=True)
class MetricOptions:
    """Which figure: metric, year and the choices that change its value."""

    metric: str
    year: int
    basis: str = "market"  # market | ppp (GDP and amounts)
    prices: str = "current"  # current | constant
    definition: str = "nato"  # nato | sipri (defence expenditure)
    source: str | None = None
    edition: str | None = None
    on: date | None = None  # membership date; default: 1 July of `year`

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> MetricOptions:
        chosen = {k: params[k] for k in METRIC_OPTION_NAMES if k in params}
        if isinstance(chosen.get("on"), str):
            chosen["on"] = date.fromisoformat(chosen["on"])
        return cls(**chosen)

    def describe(self) -> str:
        words = {
            "gdp": "GDP",
            "defence": "defence expenditure",
            "defence_share_gdp": "defence expenditure as % of GDP",
            "personnel": "military personnel",
            "population": "population",
        }
        text = f"{words.get(self.metric, self.metric)} {self.year}"
        if self.metric in ("gdp", "defence"):
            text += ", PPP" if self.basis == "ppp" else ", market exchange rates"
            text += f", {self.prices} prices"
        if self.metric in ("defence", "defence_share_gdp", "personnel"):
            text += f", {self.definition.upper()} definition"
        if self.source:
            text += f", source {self.source}"
        if self.edition:
            text += f" edition {self.edition}"
        return text


@dataclass(frozen=True)
class PledgeFact:
    country: str
    level: float | None  # percent of GDP
    year: int | None  # by when
    description: str
    sources: tuple[SourceRow, ...] = ()
    announced: str = ""  # ISO date


@dataclass(frozen=True)
class TargetFact:
    name: str
    level: float | None  # percent of GDP
    deadline: int | None  # year
    description: str
    sources: tuple[SourceRow, ...] = ()


@dataclass(frozen=True)
class ClauseFact:
    clause: str
    applies: str  # yes | no | contested
    bound: tuple[str, ...]
    explanation: str
    sources: tuple[SourceRow, ...] = ()


@dataclass(frozen=True)
class CountryFigure:
    country: str
    figure: Figure


@dataclass(frozen=True)
class Members:
    expression: str
    on: date
    members: tuple[str, ...]
    sources: tuple[SourceRow, ...] = field(default_factory=tuple)


class Backend(Protocol):
    def resolve_country(self, text: str) -> str: ...

    def members(self, expression: str, on: date) -> Members: ...

    def aggregate(self, expression: str, options: MetricOptions) -> Figure: ...

    def per_country(self, expression: str, options: MetricOptions) -> list[CountryFigure]: ...

    def pledges(self, country: str) -> tuple[PledgeFact, ...]: ...

    def target(self, name: str) -> TargetFact | None: ...

    def clause(self, target: str, clause: str, on: date) -> ClauseFact | None: ...
