"""A coalition's defence spending against Russia's: historical and projected, market rates and PPP.

- Historical: SIPRI's military expenditure in current US dollars for both sides (SIPRI's
  definition for everyone: NATO's definition does not cover Russia, so the two are never mixed),
  members counted in the years they were members (1 July), estimates flagged.
- PPP: SIPRI's spending in local currency divided by the World Bank's PPP conversion factor for
  GDP (PA.NUS.PPP, local currency per international dollar). A GDP PPP prices the whole economy,
  not soldiers, fuel or munitions: it is not a military price index, so both are shown.
- Projected: `alliance.projections.project` on SIPRI's shares of GDP for both sides (the
  coalition under the chosen path, Russia's latest share held: the `current` path) with the Monte
  Carlo's bands; PPP bands scale the market-rate draws by each country's latest ratio of PPP to
  market value (its price level against the US, held: an assumption of ours).

>>> vs_russia("NATO-Europe", to=2035, draws=10_000).records()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from alliance.errors import MissingDataError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

    from alliance.projections import Projection
    from alliance.projections.baseline import Baseline

RUSSIA: Final = "RUS"
DEFAULT_COALITION: Final = "NATO-Europe"
MARKED_YEAR: Final = 2027  # the year Russia may be able to threaten NATO (the debate's own year)
BASES: Final = ("market", "ppp")
BASIS_WORDS: Final = {
    "market": "USD bn, current prices, market exchange rates",
    "ppp": "international $ bn, current prices, GDP-based PPP (World Bank PA.NUS.PPP)",
}
PPP_CAVEAT: Final = (
    "PPP: a GDP PPP converts what a currency buys across the whole economy, not what it buys in "
    "soldiers, fuel, equipment or munitions: it is not a military price index. Both market-rate "
    "and PPP figures are shown; neither is 'true' military power."
)
DEFINITION_NOTE: Final = (
    "Definitions: SIPRI's for both sides, historical and projected (NATO's definition does not "
    "cover Russia), so NATO's own figures are not mixed in."
)


@dataclass(frozen=True)
class Side:
    """One side's historical figures by year: USD bn, PPP bn, and which members were estimates."""

    name: str
    usd_bn: dict[int, float]
    ppp_bn: dict[int, float]
    estimated: dict[int, tuple[str, ...]]  # members whose figure is a SIPRI estimate
    missing: dict[int, tuple[str, ...]]  # members without a SIPRI figure (left out of the sum)


@dataclass(frozen=True)
class VsRussia:
    """The comparison: history from SIPRI, projection bands from the Monte Carlo."""

    coalition: str
    path: str
    history: tuple[Side, Side]  # coalition, Russia
    projected: tuple[Projection, Projection] | None  # coalition, Russia
    to: int
    notes_extra: tuple[str, ...] = field(default_factory=tuple)
    editions: tuple[tuple[str, str, str], ...] = ()

    @property
    def title(self) -> str:
        return (
            f"{self.coalition} against Russia: defence spending, SIPRI definition, historical "
            f"and projected to {self.to} ('{Path(self.path).name}' path for {self.coalition}, "
            "Russia's share held)"
        )

    def records(self) -> list[dict[str, Any]]:
        rows = self._historical_records()
        if self.projected is not None:
            rows += self._projected_records()
        return rows

    def _historical_records(self) -> list[dict[str, Any]]:
        ours, russia = self.history
        rows = []
        for year in sorted(set(ours.usd_bn) & set(russia.usd_bn)):
            for basis in BASES:
                mine = (ours.usd_bn if basis == "market" else ours.ppp_bn).get(year)
                theirs = (russia.usd_bn if basis == "market" else russia.ppp_bn).get(year)
                rows.append(
                    {
                        "year": year,
                        "kind": "historical",
                        "basis": basis,
                        "coalition_bn": _round(mine),
                        "coalition_q05": None,
                        "coalition_q95": None,
                        "russia_bn": _round(theirs),
                        "russia_q05": None,
                        "russia_q95": None,
                        "ratio": _ratio(mine, theirs),
                        "coalition_estimates": len(ours.estimated.get(year, ())),
                        "coalition_missing": ", ".join(ours.missing.get(year, ())) or None,
                        "russia_estimate": bool(russia.estimated.get(year)),
                    }
                )
        return rows

    def _projected_records(self) -> list[dict[str, Any]]:
        assert self.projected is not None
        ours, russia = (_coalition_rows(p) for p in self.projected)
        last_history = max(self.history[1].usd_bn, default=0)
        rows = []
        for year in sorted(set(ours) & set(russia)):
            if year <= last_history:
                continue
            for basis, channel in (("market", "usd"), ("ppp", "ppp")):
                mine, theirs = ours[year], russia[year]
                rows.append(
                    {
                        "year": year,
                        "kind": "projected",
                        "basis": basis,
                        "coalition_bn": mine[f"{channel}_bn_q50"],
                        "coalition_q05": mine[f"{channel}_bn_q05"],
                        "coalition_q95": mine[f"{channel}_bn_q95"],
                        "russia_bn": theirs[f"{channel}_bn_q50"],
                        "russia_q05": theirs[f"{channel}_bn_q05"],
                        "russia_q95": theirs[f"{channel}_bn_q95"],
                        "ratio": _ratio(mine[f"{channel}_bn_q50"], theirs[f"{channel}_bn_q50"]),
                        "coalition_estimates": None,
                        "coalition_missing": None,
                        "russia_estimate": None,
                    }
                )
        return rows

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame(self.records())
        frame.attrs["title"] = self.title
        frame.attrs["notes"] = self.notes()
        return frame

    def notes(self) -> list[str]:
        russia = self.history[1]
        estimated_years = sorted(y for y, members in russia.estimated.items() if members)
        lines = [
            DEFINITION_NOTE,
            "Historical: SIPRI military expenditure, current US$ (market) and local currency / "
            "World Bank PPP factor (PPP); members as on 1 July of each year; coalition_estimates "
            "counts members whose SIPRI figure is an estimate; a member without a SIPRI figure "
            "is left out of that year's sum (coalition_missing).",
            "Russia's SIPRI figures are estimates in: "
            + (", ".join(map(str, estimated_years)) or "no year shown"),
            PPP_CAVEAT,
            "ratio: the coalition's figure over Russia's (projected: of the medians).",
            *self.notes_extra,
        ]
        if self.projected is not None:
            coalition, _ = self.projected
            lines.append(
                "Projected: q05/q95 are the 5 % and 95 % quantiles of "
                f"{coalition.result.draws:,} draws (seed {coalition.result.seed}); the "
                "coalition's are quantiles of its members' draws summed, not sums of quantiles. "
                "PPP bands: each country's market-rate draws times its latest ratio of PPP to "
                "market value, held (an assumption of ours); they therefore carry the "
                "market-rate spread of GDP, currency moves included, and are wider than the "
                "spread of spending at PPP would be."
            )
            russian = self.projected[1].baseline.countries[0]
            lines.append(
                f"Russia projected: SIPRI's {russian.base_year} share of GDP "
                f"({russian.share:.2f} %{', an estimate' if russian.estimate else ''}) held, IMF "
                f"GDP; its GDP growth drawn with a spread of {russian.growth_sd:.3f} log points a "
                "year (its own history)."
            )
        return lines

    def assumption_lines(self) -> list[str]:
        if self.projected is None:
            return []
        return self.projected[0].assumption_lines()

    def source_lines(self) -> list[str]:
        from alliance.observations import citation_lines

        used = set(self.editions)
        if self.projected is not None:
            for projection in self.projected:
                used |= set(projection.baseline.editions)
        return citation_lines(sorted(used))

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": "vs-russia",
            "title": self.title,
            "coalition": self.coalition,
            "path": self.path,
            "to": self.to,
            "marked_year": MARKED_YEAR,
            "rows": self.records(),
            "notes": self.notes(),
            "assumptions": self.assumption_lines(),
            "sources": self.source_lines(),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _ratio(mine: float | None, theirs: float | None) -> float | None:
    if mine is None or not theirs:
        return None
    return round(mine / theirs, 3)


def _coalition_rows(projection: Projection) -> dict[int, dict[str, Any]]:
    return {int(r["year"]): r for r in projection.records("coalition")}


# --- history ---------------------------------------------------------------------------------


def _sipri(indicator: str, entities: Sequence[str], **filters: str | None) -> list[dict[str, Any]]:
    from alliance.observations import observation_records

    return [
        r
        for r in observation_records(
            indicator, source="sipri", entities=entities, years=None, **filters
        )
        if r["value"] is not None and r["value"] == r["value"]
    ]


def _ppp_factors(entities: Sequence[str]) -> tuple[dict[tuple[str, int], float], set[Any]]:
    from alliance.observations import observation_records

    records = observation_records("ppp_conversion_factor", source="wb", entities=entities)
    factors = {
        (r["entity"], int(r["year"])): float(r["value"]) for r in records if r["value"] is not None
    }
    return factors, {(r["source_id"], r["edition"], r["dataset"]) for r in records}


@dataclass(frozen=True)
class _Figures:
    usd_bn: dict[tuple[str, int], float]
    lcu: dict[tuple[str, int], float]
    estimate: dict[tuple[str, int], bool]
    ppp_factor: dict[tuple[str, int], float]
    editions: set[Any]


def _figures(entities: Sequence[str]) -> _Figures:
    # One selection for both currencies: the edition rule chooses per kind of figure (currency
    # included), so each currency's rows are those a selection of it alone gives. Current
    # prices for both: the PPP factor converts current local currency.
    spending = _sipri("defence_expenditure", entities, price_basis="current", period="calendar")
    usd = [r for r in spending if r["currency"] == "USD"]
    lcu = [r for r in spending if r["currency"] == "LCU"]
    factors, wb_editions = _ppp_factors(entities)
    scale = {"million": 1e-3, "billion": 1.0, "unit": 1e-9}
    return _Figures(
        usd_bn={(r["entity"], int(r["year"])): float(r["value"]) * scale[r["unit"]] for r in usd},
        lcu={(r["entity"], int(r["year"])): float(r["value"]) * scale[r["unit"]] for r in lcu},
        estimate={(r["entity"], int(r["year"])): r["estimate"] is True for r in usd},
        ppp_factor=factors,
        editions={(r["source_id"], r["edition"], r["dataset"]) for r in usd + lcu} | wb_editions,
    )


def ppp_ratio(figures: _Figures, entity: str, year: int) -> float | None:
    """International $ per market-rate US$ for `entity`'s spending in `year`: LCU/PPP over USD."""
    usd = figures.usd_bn.get((entity, year))
    lcu = figures.lcu.get((entity, year))
    factor = figures.ppp_factor.get((entity, year))
    if not usd or lcu is None or not factor:
        return None
    return lcu / factor / usd


def _side(name: str, members_by_year: Mapping[int, Sequence[str]], figures: _Figures) -> Side:
    usd_bn: dict[int, float] = {}
    ppp_bn: dict[int, float] = {}
    estimated: dict[int, tuple[str, ...]] = {}
    missing: dict[int, tuple[str, ...]] = {}
    for year, members in members_by_year.items():
        have = [m for m in members if (m, year) in figures.usd_bn]
        if not have:
            continue
        usd_bn[year] = sum(figures.usd_bn[(m, year)] for m in have)
        spending = [m for m in have if figures.usd_bn[(m, year)] > 0]  # Iceland: no forces
        ratios = {m: ppp_ratio(figures, m, year) for m in spending}
        if all(r is not None for r in ratios.values()):
            ppp_bn[year] = sum(figures.usd_bn[(m, year)] * (ratios[m] or 0.0) for m in spending)
        estimated[year] = tuple(m for m in have if figures.estimate.get((m, year)))
        missing[year] = tuple(m for m in members if m not in have)
    return Side(name, usd_bn, ppp_bn, estimated, missing)


def history(coalition: str, years: Sequence[int]) -> tuple[Side, Side, _Figures]:
    """Both sides' SIPRI figures in `years` (members on 1 July of each year), and the figures
    read: every year of every member's and Russia's, which the projection's PPP ratios reuse."""
    from alliance.coalitions import coalition_in_year

    members = {year: coalition_in_year(coalition, year).members for year in years}
    everyone = sorted({m for ms in members.values() for m in ms} | {RUSSIA})
    figures = _figures(everyone)
    ours = _side(coalition, members, figures)
    if not ours.usd_bn:
        raise MissingDataError(
            f"No member of {coalition!r} has a SIPRI figure in {years[0]}-{years[-1]}: expected "
            "a coalition of countries SIPRI covers, e.g. NATO, EU or NATO-Europe."
        )
    russia = _side("Russia", {year: (RUSSIA,) for year in years}, figures)
    return ours, russia, figures


def sipri_years() -> list[int]:
    from alliance.store import shared_connection

    row = (
        shared_connection()
        .execute(
            "SELECT min(year), max(year) FROM observations WHERE source_id = 'sipri' AND "
            "indicator = 'defence_expenditure' AND entity = ? AND value IS NOT NULL",
            [RUSSIA],
        )
        .fetchone()
    )
    if row is None or row[0] is None:
        raise MissingDataError("No SIPRI figure for Russia in the store: import SIPRI's workbook.")
    return list(range(int(row[0]), int(row[1]) + 1))


# --- projection ------------------------------------------------------------------------------


def _ppp_scale_function(figures_by_entity: _Figures) -> Any:
    """For `project(ppp_scale=...)`: each country's latest PPP ratio, held over the years."""
    import numpy as np

    def scale(baseline: Baseline) -> NDArray[np.float64]:
        rows = []
        for country in baseline.countries:
            years = sorted(
                (y for (e, y) in figures_by_entity.usd_bn if e == country.iso3), reverse=True
            )
            ratio = next(
                (r for r in (ppp_ratio(figures_by_entity, country.iso3, y) for y in years) if r),
                None,
            )
            if ratio is None and all(
                figures_by_entity.usd_bn[(country.iso3, y)] == 0 for y in years
            ):
                ratio = 1.0  # no spending to convert (Iceland): any ratio gives zero
            if ratio is None:
                raise MissingDataError(
                    f"No PPP ratio for {country.iso3}: expected SIPRI spending in local currency "
                    "and US$ and a World Bank PPP factor for the same year."
                )
            rows.append(np.full(len(baseline.years), ratio))
        return np.array(rows)

    return scale


def vs_russia(
    coalition: str = DEFAULT_COALITION,
    *,
    to: int = 2035,
    path: str | Path = "current",
    draws: int = 10_000,
    seed: int = 2025,
    assumptions: Path | str | None = None,
    project: bool = True,
) -> VsRussia:
    """`coalition`'s SIPRI defence spending against Russia's, to `to` (project=False: history)."""
    years = sipri_years()
    ours, russia, figures = history(coalition, years)
    projected = None
    if project:  # numpy and the projection's modules are loaded only here
        from alliance.projections.baseline import build_baselines
        from alliance.projections.projection import check_run, project_baseline, resolve_assumptions

        check_run("coalition", draws, path)
        chosen = resolve_assumptions(assumptions)
        sides = build_baselines([coalition, RUSSIA], to, chosen, definition="sipri")  # one read
        # The projected members (the coalition of the last year, and Russia) are among those
        # whose figures the history read, and a country's rows do not depend on who else is asked.
        scale = _ppp_scale_function(figures)
        run = partial(
            project_baseline,
            assumptions=chosen,
            draws=draws,
            seed=seed,
            ppp_scale=scale,
            detail="coalition",  # only the sides' sums are compared
            eur=False,  # in dollars and PPP
            odds=False,  # bands only
        )
        projected = (run(sides[0], path=path), run(sides[1], path="current"))
    return VsRussia(
        coalition=coalition,
        path=str(path),
        history=(ours, russia),
        projected=projected,
        to=to,
        notes_extra=tuple(_path_notes(str(path), project)),
        editions=tuple(sorted(figures.editions)),
    )


def _path_notes(path: str, projected: bool) -> list[str]:
    if not projected or path in ("current", "trend"):
        return []
    return [
        f"The '{Path(path).name}' path's levels (The Hague's 3.5 %, national pledges, a file's "
        "points) are stated on NATO's definition; here they are applied to SIPRI's shares, the "
        "only definition covering Russia: an approximation (in 2024 SIPRI's shares of the allies "
        "differ from NATO's by up to about 0.4 points either way)."
    ]
