"""Support for Ukraine: the Kiel tracker's aid by donor and coalition, and replacing the US share.

Figures are the Kiel Institute's Ukraine Support Tracker, cumulative over 24 Jan 2022 - 31 Aug
2024 (the data cut-off of the shipped edition), in euros and as a share of the donors' GDP. The
tracker counts each country's bilateral aid; aid through the EU's institutions is a donor of its
own (`EU-institutions`), never spread over the member states.

Shares of GDP divide Kiel's dollar figures by World Bank GDP in current dollars (so no exchange
rate of ours enters); by default GDP of 2021, the pre-war year Kiel itself uses. Replacing the US
share spreads the US's aid evenly over the tracker's period (our assumption: the tracker is
cumulative) and sets a year of it against a coalition's GDP of `replace_year`.

>>> ukraine(["EU", "USA"]).records()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from alliance.errors import AllianceError, InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd

    from alliance.metrics import SourceRef
    from alliance.metrics.engine import Fetch

PERIOD: Final = "24 Jan 2022 – 31 Aug 2024"
PERIOD_START: Final = date(2022, 1, 24)
PERIOD_END: Final = date(2024, 8, 31)
PERIOD_YEARS: Final = ((PERIOD_END - PERIOD_START).days + 1) / 365.25
MEMBERSHIP_YEAR: Final = 2024  # coalitions as on 1 July 2024, inside the tracker's period
EU_INSTITUTIONS: Final = "kiel:EU_INSTITUTIONS"
INSTITUTION_NAMES: Final = frozenset({"EU-INSTITUTIONS", "EU INSTITUTIONS", "EU_INSTITUTIONS"})
DEFAULT_COALITIONS: Final = ("EU", "EU-institutions", "NATO-Europe", "USA")
DEFAULT_GDP_YEAR: Final = 2021
DEFAULT_REPLACE_YEAR: Final = 2024

# Kiel's indicators in the store, in the order shown: commitments (what donors promised, Kiel's
# headline measure) by kind, then allocations (delivered or earmarked) by kind.
KINDS: Final = {
    "military_committed": "ukraine_aid_military_committed",
    "financial_committed": "ukraine_aid_financial_committed",
    "humanitarian_committed": "ukraine_aid_humanitarian_committed",
    "total_committed": "ukraine_aid_committed",
    "military_allocated": "ukraine_aid_military_allocated",
    "financial_allocated": "ukraine_aid_financial_allocated",
    "humanitarian_allocated": "ukraine_aid_humanitarian_allocated",
    "total_allocated": "ukraine_aid_allocated",
}
MEASURES: Final = ("committed", "allocated")
CURRENCIES: Final = ("EUR", "USD")


def _columns(eur: Callable[[str], float], share: Callable[[str], float | None]) -> dict[str, Any]:
    """For each measure, EUR bn by kind then % of GDP by kind: a narrow table keeps commitments."""
    columns: dict[str, Any] = {}
    for measure in MEASURES:
        kinds = [kind for kind in KINDS if kind.endswith(measure)]
        columns.update({f"{kind}_eur_bn": eur(kind) for kind in kinds})
        columns.update({f"{kind}_pct_gdp": share(kind) for kind in kinds})
    return columns


@dataclass(frozen=True)
class Donor:
    """One donor's aid (EUR bn and USD bn, by kind) and the GDP it is set against."""

    entity: str
    name: str
    eur_bn: dict[str, float]
    usd_bn: dict[str, float]
    gdp_usd_bn: float | None  # None: no World Bank GDP for the year
    gdp_note: str = ""
    locators: tuple[str, ...] = ()

    def share(self, kind: str) -> float | None:
        if not self.gdp_usd_bn:
            return None
        return self.usd_bn[kind] / self.gdp_usd_bn * 100

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"donor": self.entity, "name": self.name}
        record.update(_columns(self.eur_bn.__getitem__, self.share))
        record["gdp_usd_bn"] = self.gdp_usd_bn
        record["locators"] = " ".join(self.locators)
        return record


@dataclass(frozen=True)
class CoalitionAid:
    """A coalition's donors summed: aid and GDP over the same donors."""

    expression: str
    donors: tuple[Donor, ...]
    not_tracked: tuple[str, ...]  # members Kiel does not list
    gdp_usd_bn: float  # GDP the shares divide by
    gdp_note: str = ""

    def eur_bn(self, kind: str) -> float:
        return sum(d.eur_bn[kind] for d in self.donors)

    def usd_bn(self, kind: str) -> float:
        return sum(d.usd_bn[kind] for d in self.donors)

    def share(self, kind: str) -> float | None:
        return self.usd_bn(kind) / self.gdp_usd_bn * 100 if self.gdp_usd_bn else None

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"coalition": self.expression, "donors": len(self.donors)}
        record.update(_columns(self.eur_bn, self.share))
        record["gdp_usd_bn"] = self.gdp_usd_bn
        record["not_tracked"] = " ".join(self.not_tracked)
        return record


@dataclass(frozen=True)
class Replacement:
    """What taking over the US's aid would cost a coalition, a year, as % of its GDP."""

    coalition: str
    kind: str  # military_allocated or total_allocated
    us_eur_bn_per_year: float
    us_pct_gdp: float | None
    own_eur_bn_per_year: float
    own_pct_gdp: float | None
    year: int

    @property
    def multiple(self) -> float | None:
        """The coalition's aid would have to be this many times what it gave."""
        if not self.own_eur_bn_per_year:
            return None
        return (self.own_eur_bn_per_year + self.us_eur_bn_per_year) / self.own_eur_bn_per_year

    def record(self) -> dict[str, Any]:
        return {**asdict(self), "multiple": self.multiple}


@dataclass(frozen=True)
class UkraineSupport:
    coalitions: tuple[CoalitionAid, ...]
    replacements: tuple[Replacement, ...]
    gdp_year: int
    replace_year: int
    sources: tuple[SourceRef, ...] = field(repr=False)

    @property
    def title(self) -> str:
        return (
            f"Aid to Ukraine, {PERIOD}, cumulative (Kiel Ukraine Support Tracker): commitments "
            f"and allocations, military, financial and humanitarian, EUR bn and % of "
            f"{self.gdp_year} GDP"
        )

    def records(self) -> list[dict[str, Any]]:
        return [c.record() for c in self.coalitions]

    def donor_records(self) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for group in self.coalitions:
            for donor in group.donors:
                seen.setdefault(donor.entity, {"coalition": group.expression, **donor.record()})
        return list(seen.values())

    def replacement_records(self) -> list[dict[str, Any]]:
        return [r.record() for r in self.replacements]

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.records())

    def donor_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.donor_records())

    def replacement_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.replacement_records())

    def assumption_lines(self) -> list[str]:
        lines = [
            f"Period: {PERIOD}, cumulative (Kiel's data cut-off 31 Aug 2024), not a calendar "
            "year. Coalitions as on 1 July 2024.",
            "Bilateral aid as Kiel counts it; aid through the EU's institutions is its own donor "
            "(EU-institutions), set against the GDP of the EU's member states.",
            f"Shares of GDP: Kiel's USD figures / World Bank GDP, current USD, {self.gdp_year}"
            f"{' (the pre-war year Kiel itself uses)' if self.gdp_year == 2021 else ''}.",
            "Committed: what donors promised; allocated: what was delivered or earmarked for "
            "delivery (Kiel's two measures). Each total is military + financial + humanitarian.",
            f"Replacing the US (our assumption): the US's allocations spread evenly over the "
            f"{PERIOD_YEARS:.2f} years of the period, set against {self.replace_year} GDP.",
        ]
        for group in self.coalitions:
            if group.not_tracked:
                lines.append(
                    f"Not in Kiel's tracker (left out of {group.expression}'s aid and GDP): "
                    f"{', '.join(group.not_tracked)}."
                )
            if group.gdp_note:
                lines.append(group.gdp_note)
        return lines

    def source_lines(self) -> list[str]:
        from alliance.metrics import source_lines

        return source_lines(self.sources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": "ukraine",
            "title": self.title,
            "period": PERIOD,
            "gdp_year": self.gdp_year,
            "replace_year": self.replace_year,
            "coalitions": self.records(),
            "donors": self.donor_records(),
            "replace_us": self.replacement_records(),
            "assumptions": self.assumption_lines(),
            "sources": self.source_lines(),
        }


def _kiel_figures() -> tuple[dict[tuple[str, str, str], float], dict[str, set[str]], set[Any]]:
    """(entity, kind, currency) -> value; locators per entity; editions used."""
    from alliance.observations import observation_records

    values: dict[tuple[str, str, str], float] = {}
    locators: dict[str, set[str]] = {}
    used = set()
    for kind, indicator in KINDS.items():
        # Both currencies in one read: the edition rule chooses per currency all the same.
        rows = observation_records(indicator, source="kiel")
        # The newest cumulative total per donor: the one whose span ends last.
        for row in sorted(rows, key=lambda row: (row["year"], row["edition"])):
            if row["value"] is None or row["currency"] not in CURRENCIES:
                continue
            values[(row["entity"], kind, row["currency"])] = float(row["value"])
            locators.setdefault(row["entity"], set()).add(f"{row['dataset']}:{row['locator']}")
            used.add((row["source_id"], row["edition"], row["dataset"]))
    return values, locators, used


def _members(expression: str) -> tuple[str, ...]:
    if expression.strip().upper() in INSTITUTION_NAMES:
        return (EU_INSTITUTIONS,)
    from alliance.coalitions import coalition_in_year

    return coalition_in_year(expression, MEMBERSHIP_YEAR).members


def _gdp_fetch(expressions: Sequence[str]) -> Fetch:
    """A fetch that reads GDP once for every member of every coalition asked (and the EU's, for
    EU-institutions): each coalition asks for two years, and its hints probe other sources. A
    coalition that does not resolve is left out here and refused in its turn."""
    from alliance.metrics.engine import Prefetched

    entities: set[str] = set(_members("EU"))
    for expression in expressions:
        try:
            entities.update(_members(expression))
        except AllianceError:
            continue
    return Prefetched(sorted(entities - {EU_INSTITUTIONS}))


def _gdp(
    entities: Sequence[str], year: int, fetch: Fetch
) -> tuple[dict[str, float], set[SourceRef]]:
    """World Bank GDP, current USD bn, per entity with a figure."""
    from alliance.metrics import aggregate

    if not entities:
        return {}, set()
    result = aggregate(list(entities), "gdp", year, source="wb", fetch=fetch)
    return {f.entity: f.numerator for f in result.figures}, set(result.sources)


def _coalition_aid(
    expression: str,
    figures: dict[tuple[str, str, str], float],
    locators: dict[str, set[str]],
    year: int,
    sources: set[SourceRef],
    fetch: Fetch,
) -> CoalitionAid:
    from alliance.countries import country_name

    members = _members(expression)
    tracked = [m for m in members if (m, "total_allocated", "EUR") in figures]
    not_tracked = tuple(m for m in members if m not in tracked)
    if not tracked:
        raise InvalidArgumentError(
            f"No member of {expression!r} is a donor in Kiel's tracker: expected a coalition "
            "such as EU, EU-institutions, NATO-Europe or USA."
        )
    institutions = tracked == [EU_INSTITUTIONS]
    gdp_members = _members("EU") if institutions else tuple(tracked)
    gdp, refs = _gdp(gdp_members, year, fetch)
    sources.update(refs)
    donors = tuple(
        Donor(
            entity=m,
            name="EU institutions" if m == EU_INSTITUTIONS else country_name(m),
            eur_bn={k: figures.get((m, k, "EUR"), 0.0) for k in KINDS},
            usd_bn={k: figures.get((m, k, "USD"), 0.0) for k in KINDS},
            gdp_usd_bn=sum(gdp.values()) if institutions else gdp.get(m),
            locators=tuple(sorted(locators.get(m, ()))),
        )
        for m in tracked
    )
    no_gdp = [m for m in gdp_members if m not in gdp]
    note = f"No World Bank GDP for {year}: {', '.join(no_gdp)} (left out)." if no_gdp else ""
    if institutions:
        note = f"EU-institutions set against the GDP of the EU's members in {year}. {note}"
        counted = list(donors)
    else:
        counted = [d for d in donors if d.gdp_usd_bn is not None]
    return CoalitionAid(
        expression=expression,
        donors=tuple(counted),
        not_tracked=not_tracked,
        gdp_usd_bn=sum(gdp.values()),
        gdp_note=note.strip(),
    )


def _replacements(
    groups: Sequence[CoalitionAid],
    figures: dict[tuple[str, str, str], float],
    locators: dict[str, set[str]],
    year: int,
    sources: set[SourceRef],
    fetch: Fetch,
) -> tuple[Replacement, ...]:
    rows = []
    for group in groups:
        if "USA" in {d.entity for d in group.donors}:
            continue
        at_year = _coalition_aid(group.expression, figures, locators, year, sources, fetch)
        for kind in ("military_allocated", "total_allocated"):
            us_eur = figures[("USA", kind, "EUR")] / PERIOD_YEARS
            us_usd = figures[("USA", kind, "USD")] / PERIOD_YEARS
            own_usd = at_year.usd_bn(kind) / PERIOD_YEARS
            gdp = at_year.gdp_usd_bn
            rows.append(
                Replacement(
                    coalition=group.expression,
                    kind=kind,
                    us_eur_bn_per_year=us_eur,
                    us_pct_gdp=us_usd / gdp * 100 if gdp else None,
                    own_eur_bn_per_year=at_year.eur_bn(kind) / PERIOD_YEARS,
                    own_pct_gdp=own_usd / gdp * 100 if gdp else None,
                    year=year,
                )
            )
    return tuple(rows)


def ukraine(
    coalitions: Sequence[str] = DEFAULT_COALITIONS,
    *,
    gdp_year: int = DEFAULT_GDP_YEAR,
    replace_year: int = DEFAULT_REPLACE_YEAR,
) -> UkraineSupport:
    """Kiel's aid for each coalition (and its donors), and the cost of replacing the US."""
    from alliance.metrics import SourceRef, cited_sources

    figures, locators, used = _kiel_figures()
    if not figures:
        raise InvalidArgumentError("No Kiel Ukraine Support Tracker figures in the store.")
    sources: set[SourceRef] = {SourceRef(s, e, d, "aid to Ukraine") for s, e, d in used}
    expressions = coalitions or DEFAULT_COALITIONS
    fetch = _gdp_fetch(expressions)
    groups = tuple(
        _coalition_aid(expression, figures, locators, gdp_year, sources, fetch)
        for expression in expressions
    )
    replacements = _replacements(groups, figures, locators, replace_year, sources, fetch)
    return UkraineSupport(
        coalitions=groups,
        replacements=replacements,
        gdp_year=gdp_year,
        replace_year=replace_year,
        sources=cited_sources(dict.fromkeys(sorted(sources, key=str))),
    )
