"""`project(...)`: a coalition's defence spending to the horizon under a path, with uncertainty.

>>> result = project("NATO", to=2035, path="hague", draws=10_000, seed=1)
>>> result.records()[0]          # the coalition, first projected year
>>> result.frame()               # every row as a DataFrame
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from alliance.projections.assumptions import Assumptions, load_assumptions
from alliance.projections.baseline import Baseline, CountryBaseline, build_baseline
from alliance.projections.montecarlo import QUANTILES, TARGETS, Channel, Draws, Model

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

DEFAULT_DRAWS: Final = 10_000
DEFAULT_SEED: Final = 2025
DEFAULT_HORIZON: Final = 2035
DETAILS: Final = ("coalition", "countries", "all")
CURRENCY_WORDS: Final = {
    "usd": "USD bn, current prices, market exchange rates",
    "eur": "EUR bn, current prices, at the drawn EUR/USD rate",
    "ppp": "international $ bn (GDP-based PPP, current prices)",
}


def check_detail(detail: str) -> None:
    from alliance.errors import InvalidArgumentError

    if detail not in DETAILS:
        raise InvalidArgumentError(
            f"Unknown detail {detail!r}: expected one of {', '.join(DETAILS)}."
        )


def _target_key(target: float) -> str:
    return f"p_meet_{target:g}".replace(".", "_")


def _band_key(channel: str, q: float) -> str:
    return f"{channel}_bn_q{round(q * 100):02d}"


@dataclass(frozen=True)
class Projection:
    """A run: baseline, path, assumptions and what the draws gave (countries, then coalition)."""

    baseline: Baseline
    assumptions: Assumptions
    path: str  # a path name or the CSV file
    path_notes: tuple[str, ...]
    channels: tuple[str, ...]
    result: Draws
    coalition_name: str

    @property
    def years(self) -> tuple[int, ...]:
        return self.baseline.years

    @property
    def entities(self) -> list[tuple[str, str, CountryBaseline | None]]:
        """(id, kind, baseline) for each country, then the coalition."""
        rows: list[tuple[str, str, CountryBaseline | None]] = [
            (c.iso3, "country", c) for c in self.baseline.countries
        ]
        return [*rows, (self.coalition_name, "coalition", None)]

    @property
    def title(self) -> str:
        return (
            f"{self.coalition_name}: defence spending to {self.baseline.horizon} under the "
            f"'{Path(self.path).name}' path, {self.result.draws:,} draws (seed {self.result.seed})"
        )

    def records(self, detail: str = "all") -> list[dict[str, Any]]:
        """One row per entity and year: the path, P(meet each target), bands per currency.

        detail: `coalition` (the coalition's rows), `countries` (each member in the horizon
        year), `all` (every row).
        """
        self._check_detail(detail)
        rows = []
        horizon = self.baseline.horizon
        for e, (entity, kind, country) in enumerate(self.entities):
            if detail == "coalition" and kind != "coalition":
                continue
            for t, year in enumerate(self.years):
                if detail == "countries" and (kind != "country" or year != horizon):
                    continue
                rows.append(self._row(e, t, entity, kind, country, year))
        return rows

    def _check_detail(self, detail: str) -> None:
        from alliance.errors import InvalidArgumentError

        check_detail(detail)
        if detail != "coalition" and not self.result.members:
            raise InvalidArgumentError(
                f"This projection summarised the coalition only, not its members: expected "
                f"detail 'coalition', or a projection run with detail={detail!r}."
            )

    def _row(
        self,
        e: int,
        t: int,
        entity: str,
        kind: str,
        country: CountryBaseline | None,
        year: int,
    ) -> dict[str, Any]:
        result = self.result
        row: dict[str, Any] = {
            "entity": entity,
            "kind": kind,
            "year": year,
            "path_percent": round(float(result.path_share[e, t]), 4),
        }
        for k, target in enumerate(TARGETS):
            row[_target_key(target)] = round(float(result.probability[e, t, k]), 4)
        for j, channel in enumerate(self.channels):
            row[f"{channel}_bn_path"] = round(float(result.median_path[e, t, j]), 3)
            for i, q in enumerate(QUANTILES):
                row[_band_key(channel, q)] = round(float(result.quantiles[e, t, j, i]), 3)
        row["projected"] = country is None or year > country.base_year
        row["baseline_year"] = country.base_year if country else None
        row["baseline_percent"] = round(country.share, 4) if country else None
        row["baseline_estimate"] = country.estimate if country else None
        row["baseline_edition"] = country.edition if country else None
        return row

    def frame(self, detail: str = "all") -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame(self.records(detail))
        frame.attrs["title"] = self.title
        frame.attrs["notes"] = self.notes()
        frame.attrs["assumptions"] = self.assumption_lines()
        frame.attrs["editions"] = list(self.baseline.editions)
        return frame

    def notes(self) -> list[str]:
        members = ", ".join(c.iso3 for c in self.baseline.countries)
        lines = [
            f"Members of {self.baseline.expression!r} on {self.baseline.on} (held to "
            f"{self.baseline.horizon}): {members}.",
            "p_meet_X: share of draws in which the share of GDP reached is at least X % (the "
            "coalition's: its summed spending over its summed GDP, US$ at market rates). Bands "
            "q05-q95: quantiles of spending over the draws; the coalition's are quantiles of the "
            "members' spending summed within each draw, not sums of the members' quantiles. "
            "*_bn_path: the path with no shock (the median of the GDP and rate draws).",
            *self.baseline.notes(),
            *self.path_notes,
        ]
        if "eur" in self.channels:
            euro = ", ".join(c.iso3 for c in self.baseline.countries if c.zone == "EUR")
            lines.append(
                f"EUR/USD: the Fed H.10 annual average of {self.baseline.eur_usd_year} "
                f"({self.baseline.eur_usd_level:.4f} EUR per USD) held as the median; drawn "
                f"with a yearly spread of {self.baseline.eur_usd_sd:.4f} log points. Euro-area "
                f"members on {self.baseline.on} ({euro or 'none'}) spend in euros, their dollars "
                "move with the rate; the others' dollars convert to euros at it."
            )
        return lines

    def assumption_lines(self) -> list[str]:
        computed = {
            "growth_correlation": self.baseline.growth_correlation,
            "eur_usd_level": self.baseline.eur_usd_level,
            "eur_usd_sd": self.baseline.eur_usd_sd,
        }
        lines = []
        for item in self.assumptions.items:
            if item.name == "gdp_growth_sd" and item.value is None:
                spreads = sorted(c.growth_sd for c in self.baseline.countries)
                text = item.line()
                lines.append(
                    f"{text} Computed: {spreads[0]:.3f} to {spreads[-1]:.3f} "
                    f"(median {spreads[len(spreads) // 2]:.3f}); per member in --format json."
                )
            else:
                lines.append(item.line(computed.get(item.name)))
        return lines

    def growth_records(self) -> list[dict[str, Any]]:
        """Each member's baseline and the spread of its GDP draws."""
        return [
            {
                "entity": c.iso3,
                "name": c.name,
                "definition": c.source,
                "baseline_year": c.base_year,
                "baseline_percent": c.share,
                "estimate": c.estimate,
                "edition": c.edition,
                "locator": c.locator,
                "currency_zone": c.zone,
                "growth_sd": round(c.growth_sd, 4),
                "growth_sd_from": c.growth_sd_from,
                "imf_last_year": c.imf_last_year,
                "imf_last_growth": round(c.imf_last_growth, 4),
            }
            for c in self.baseline.countries
        ]

    def source_lines(self) -> list[str]:
        from alliance.observations import citation_lines

        return citation_lines(list(self.baseline.editions))

    def to_dict(self, detail: str = "all") -> dict[str, Any]:
        return {
            "title": self.title,
            "path": self.path,
            "draws": self.result.draws,
            "seed": self.result.seed,
            "years": list(self.years),
            "rows": self.records(detail),
            "members": self.growth_records(),
            "assumptions": self.assumptions.records(),
            "assumption_lines": self.assumption_lines(),
            "notes": self.notes(),
            "sources": self.source_lines(),
        }

    def subtitle(self) -> str:
        definition = (
            "SIPRI's definition"
            if self.baseline.definition == "sipri"
            else "NATO's definition (SIPRI's where NATO has no figure)"
        )
        imf_last = max(c.imf_last_year for c in self.baseline.countries)
        return (
            f"Defence spending, {CURRENCY_WORDS['usd']}; share of GDP on {definition}; GDP: IMF "
            f"WEO to {imf_last}, then its last growth rate held. Bands: 5-95 % and 25-75 % of "
            f"{self.result.draws:,} draws (seed {self.result.seed}); line: the path with no shock."
        )


def _user_file(path: str | Path) -> Path | None:
    """The CSV file `path` names, None for a named path; InvalidArgumentError for neither."""
    from alliance.projections import paths

    name = str(path)
    if name in paths.NAMES:
        return None
    if Path(name).suffix.lower() == ".csv":
        return Path(name)
    raise paths.unknown_path(name)


def _shares(
    baseline: Baseline, path: str | Path, assumptions: Assumptions
) -> tuple[NDArray[np.float64], list[str]]:
    import numpy as np

    from alliance.projections import paths

    file = _user_file(path)
    user = None if file is None else paths.read_path_file(file, baseline.years[0], baseline.horizon)
    share = paths.path_function(str(path), assumptions) if user is None else user.shares
    rows = [share(c, baseline.years) for c in baseline.countries]
    return np.array(rows, dtype=float), paths.path_notes(str(path), baseline.countries, user)


def build_model(
    baseline: Baseline,
    shares: NDArray[np.float64],
    assumptions: Assumptions,
    groups: NDArray[np.float64],
    ppp_scale: NDArray[np.float64] | None = None,
    *,
    eur: bool = True,
) -> Model:
    import numpy as np

    years = np.asarray(baseline.years)
    euro = np.array([c.zone == "EUR" for c in baseline.countries])
    channels = [Channel("usd", np.ones_like(shares))]
    if eur:
        channels.append(Channel("eur", np.full_like(shares, baseline.eur_usd_level)))
    if ppp_scale is not None:
        channels.append(Channel("ppp", ppp_scale))
    return Model(
        path=shares,
        base_share=np.array([c.share for c in baseline.countries]),
        gdp=np.array([c.gdp_usd_bn for c in baseline.countries]),
        active=years[None, :] > np.array([c.base_year for c in baseline.countries])[:, None],
        fx_active=years > baseline.eur_usd_year,
        euro=euro,
        growth_sd=np.array([c.growth_sd for c in baseline.countries]),
        correlation=baseline.growth_correlation,
        fx_sd=baseline.eur_usd_sd,
        slip_probability=assumptions.number("slip_probability"),
        slip_low=assumptions.number("slip_size_low"),
        slip_high=assumptions.number("slip_size_high"),
        elasticity=assumptions.number("budget_gdp_elasticity"),
        groups=groups,
        channels=tuple(channels),
    )


def resolve_assumptions(assumptions: Assumptions | Path | str | None) -> Assumptions:
    if isinstance(assumptions, Assumptions):
        return assumptions
    return load_assumptions(None if assumptions is None else Path(assumptions))


def project(
    expression: str = "NATO",
    *,
    to: int = DEFAULT_HORIZON,
    path: str | Path = "current",
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    assumptions: Assumptions | Path | str | None = None,
    definition: str = "nato",
    on: date | None = None,
    ppp_scale: Callable[[Baseline], NDArray[np.float64]] | None = None,
    progress: Callable[[int], None] | None = None,
    detail: str = "all",
    eur: bool = True,
    odds: bool = True,
) -> Projection:
    """Project `expression`'s members and their sum to `to` under `path` with `draws` draws.

    `path`: current, trend, pledges, hague, or a CSV file (iso3,year,percent). `assumptions`: a
    YAML file of overrides or an Assumptions. `ppp_scale` adds PPP bands (see vs_russia).
    `detail`: the rows the result must give (DETAILS); `coalition` summarises the coalition
    only (the same figures for it, in less time), `countries` and `all` every member too.
    `eur=False` leaves out the EUR bands and `odds=False` the probabilities of meeting the
    targets (NaN), which vs_russia does not show: the other figures are the same to the bit, in
    less time.
    """
    check_run(detail, draws, path)
    chosen = resolve_assumptions(assumptions)
    baseline = build_baseline(expression, to, chosen, definition=definition, on=on)
    return project_baseline(
        baseline,
        chosen,
        path=path,
        draws=draws,
        seed=seed,
        ppp_scale=ppp_scale,
        progress=progress,
        detail=detail,
        eur=eur,
        odds=odds,
    )


def check_run(detail: str, draws: int, path: str | Path) -> None:
    """What `project` refuses before any work: an unknown detail or path, draws out of range."""
    from alliance.projections import montecarlo

    check_detail(detail)
    montecarlo.check_draws(draws)
    _user_file(path)


def project_baseline(
    baseline: Baseline,
    assumptions: Assumptions,
    *,
    path: str | Path = "current",
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    ppp_scale: Callable[[Baseline], NDArray[np.float64]] | None = None,
    progress: Callable[[int], None] | None = None,
    detail: str = "all",
    eur: bool = True,
    odds: bool = True,
) -> Projection:
    """`project` from a baseline already built (`build_baselines` builds several from one read
    of the store) with the assumptions it was built with."""
    from alliance.projections import montecarlo

    check_run(detail, draws, path)
    shares, notes = _shares(baseline, path, assumptions)
    groups = montecarlo.membership([range(len(baseline.countries))], len(baseline.countries))
    scale = ppp_scale(baseline) if ppp_scale is not None else None
    model = build_model(baseline, shares, assumptions, groups, scale, eur=eur)
    result = montecarlo.run(model, draws, seed, progress, members=detail != "coalition", odds=odds)
    return Projection(
        baseline=baseline,
        assumptions=assumptions,
        path=str(path),
        path_notes=tuple(notes),
        channels=tuple(ch.name for ch in model.channels),
        result=result,
        coalition_name=baseline.expression,
    )


def entity_index(projection: Projection, entity: str) -> int:
    ids = [e for e, _, _ in projection.entities]
    return ids.index(entity)


def band_columns(channel: str) -> Sequence[str]:
    return [_band_key(channel, q) for q in QUANTILES]
