"""Europe without the US: what replacing the US contribution to Europe's land defence would cost.

A transparent cost model (the formulas are in `compute` and at the top of the shipped parameter
file `data/scenarios/europe-without-us.yaml`). Its defaults reproduce Burilkov and Wolff,
"Defending Europe without the US: first estimates of what is needed" (Bruegel/Kiel, 21 Feb 2025);
each published figure is compared with the model's own result within a stated tolerance. The
model is then re-run on the store's newest GDP and defence spending, and every parameter is
swung up and down (sensitivity table, tornado chart).

>>> result = europe_without_us()
>>> result.records()[0]["model"]
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from alliance.errors import InvalidArgumentError
from alliance.numerals import plain
from alliance.scenarios.params import (
    FRACTION,
    NON_NEGATIVE,
    PERCENT,
    POSITIVE,
    ParameterSet,
    Rule,
    load,
)

if TYPE_CHECKING:
    import pandas as pd

    from alliance.coalitions import Coalition
    from alliance.metrics import AggregateResult, SourceRef
    from alliance.metrics.engine import Fetch

NAME: Final = "europe-without-us"
DEFAULT_COALITION: Final = "EU"  # the brief states both of its ratios to GDP against EU GDP
DEFAULT_SWING: Final = 0.2

RULES: Final[dict[str, Rule]] = {
    "us_troops_in_europe": NON_NEGATIVE,
    "us_reinforcements": NON_NEGATIVE,
    "european_troops_per_us_soldier": NON_NEGATIVE,
    "troops_per_brigade": POSITIVE,
    "tanks_per_brigade": NON_NEGATIVE,
    "ifvs_per_brigade": NON_NEGATIVE,
    "artillery_per_brigade": NON_NEGATIVE,
    "tank_unit_cost_eur_m": NON_NEGATIVE,
    "ifv_unit_cost_eur_m": NON_NEGATIVE,
    "artillery_unit_cost_eur_m": NON_NEGATIVE,
    "running_cost_per_soldier_eur": NON_NEGATIVE,
    "build_up_years": POSITIVE,
    "enablers_eur_bn_per_year": NON_NEGATIVE,
    "us_military_aid_ukraine_eur_bn": NON_NEGATIVE,
    "us_aid_share_replaced": FRACTION,
    "report_gdp_eur_bn": POSITIVE,
    "report_baseline_share_percent": PERCENT,
}

BRIEF: Final = "Burilkov and Wolff (Bruegel/Kiel, 21 Feb 2025)"
BRIEF_URL: Final = (
    "https://www.bruegel.org/analysis/defending-europe-without-us-first-estimates-what-needed"
)
KIEL_RELEASE_URL: Final = "https://idw-online.de/en/news?id=847851"


@dataclass(frozen=True)
class PublishedFigure:
    """A figure the brief publishes, hand-entered with where it stands, and our tolerance."""

    key: str  # the Estimate field the model computes
    label: str
    value: float
    unit: str
    tolerance: float  # relative (0.05 = 5 %) unless `absolute`
    citation: str
    absolute: bool = False

    def bounds(self) -> tuple[float, float]:
        margin = self.tolerance if self.absolute else abs(self.value) * self.tolerance
        return self.value - margin, self.value + margin

    def tolerance_text(self) -> str:
        if self.absolute:
            return f"± {plain(self.tolerance, 6)} {self.unit}"
        return f"± {self.tolerance:.0%}"


PUBLISHED: Final = (
    PublishedFigure(
        "troops",
        "Additional troops",
        300_000,
        "persons",
        0.05,
        f"{BRIEF}, summary: capacities 'equivalent to the fighting capacity of 300,000 US troops' "
        "(100,000 in Europe + up to 200,000 reinforcements)",
    ),
    PublishedFigure(
        "brigades",
        "New brigades",
        50,
        "brigades",
        0.05,
        f"{BRIEF}; Kiel press release 21 Feb 2025: 'around 50 additional brigades with a total of "
        f"300,000 soldiers' {KIEL_RELEASE_URL}",
    ),
    PublishedFigure(
        "tanks",
        "Main battle tanks",
        1_400,
        "units",
        0.05,
        f"{BRIEF}; Kiel press release 21 Feb 2025: 'at least 1,400 new main battle tanks and "
        f"2,000 infantry fighting vehicles' {KIEL_RELEASE_URL}",
    ),
    PublishedFigure(
        "ifvs",
        "Infantry fighting vehicles",
        2_000,
        "units",
        0.05,
        f"{BRIEF}; Kiel press release 21 Feb 2025: 'at least 1,400 new main battle tanks and "
        f"2,000 infantry fighting vehicles' {KIEL_RELEASE_URL}",
    ),
    PublishedFigure(
        "artillery",
        "Artillery pieces",
        700,
        "units",
        0.05,
        f"{BRIEF}, section on equipment: 700 artillery pieces (read in summaries of the brief; "
        "the sentence was not checked in the brief's own text)",
    ),
    PublishedFigure(
        "build_up_eur_bn",
        "Additional spending a year",
        250,
        "EUR bn",
        0.10,
        f"{BRIEF}, summary: 'an increase by about EUR 250 billion annually ... in the short term'",
    ),
    PublishedFigure(
        "build_up_share",
        "Additional spending, share of GDP",
        1.5,
        "% of GDP",
        0.15,
        f"Kiel press release 21 Feb 2025 (Wolff): 'around 1.5 percent of the EU's gross domestic "
        f"product' {KIEL_RELEASE_URL}",
        absolute=True,
    ),
    PublishedFigure(
        "new_share",
        "European defence spending after the increase",
        3.5,
        "% of GDP",
        0.2,
        f"{BRIEF}, summary: from 'about 2 percent of GDP' to 'around 3.5 percent of GDP'",
        absolute=True,
    ),
    PublishedFigure(
        "ukraine_share",
        "Replacing US military aid to Ukraine",
        0.12,
        "% of GDP",
        0.01,
        f"{BRIEF}, section on Ukraine: US military aid EUR 20 bn of EUR 42 bn in 2024; replacing "
        "it 'another 0.12 percent of its GDP'",
        absolute=True,
    ),
)


@dataclass(frozen=True)
class Estimate:
    """The model's outputs for one set of parameter values and one economy."""

    troops: float
    brigades: float
    tanks: float
    ifvs: float
    artillery: float
    personnel_eur_bn: float  # a year
    equipment_total_eur_bn: float  # once, over the build-up
    equipment_eur_bn: float  # a year during the build-up
    enablers_eur_bn: float
    build_up_eur_bn: float  # personnel + equipment + enablers, a year
    ukraine_eur_bn: float
    total_eur_bn: float  # build-up + Ukraine
    gdp_eur_bn: float
    baseline_share: float  # % of GDP before the increase
    build_up_share: float
    ukraine_share: float
    new_share: float  # baseline + build-up
    new_share_with_ukraine: float


def compute(values: Mapping[str, float], gdp_eur_bn: float, baseline_share: float) -> Estimate:
    """The cost model: every output from the parameters, GDP (EUR bn) and baseline (% of GDP)."""
    v = values
    troops = (v["us_troops_in_europe"] + v["us_reinforcements"]) * v[
        "european_troops_per_us_soldier"
    ]
    brigades = troops / v["troops_per_brigade"]
    tanks = brigades * v["tanks_per_brigade"]
    ifvs = brigades * v["ifvs_per_brigade"]
    artillery = brigades * v["artillery_per_brigade"]
    equipment_total = (
        tanks * v["tank_unit_cost_eur_m"]
        + ifvs * v["ifv_unit_cost_eur_m"]
        + artillery * v["artillery_unit_cost_eur_m"]
    ) / 1e3
    equipment = equipment_total / v["build_up_years"]
    personnel = troops * v["running_cost_per_soldier_eur"] / 1e9
    build_up = personnel + equipment + v["enablers_eur_bn_per_year"]
    ukraine = v["us_military_aid_ukraine_eur_bn"] * v["us_aid_share_replaced"]
    build_up_share = build_up / gdp_eur_bn * 100
    ukraine_share = ukraine / gdp_eur_bn * 100
    return Estimate(
        troops=troops,
        brigades=brigades,
        tanks=tanks,
        ifvs=ifvs,
        artillery=artillery,
        personnel_eur_bn=personnel,
        equipment_total_eur_bn=equipment_total,
        equipment_eur_bn=equipment,
        enablers_eur_bn=v["enablers_eur_bn_per_year"],
        build_up_eur_bn=build_up,
        ukraine_eur_bn=ukraine,
        total_eur_bn=build_up + ukraine,
        gdp_eur_bn=gdp_eur_bn,
        baseline_share=baseline_share,
        build_up_share=build_up_share,
        ukraine_share=ukraine_share,
        new_share=baseline_share + build_up_share,
        new_share_with_ukraine=baseline_share + build_up_share + ukraine_share,
    )


@dataclass(frozen=True)
class Economy:
    """The GDP and defence spending a run is set against, with where they come from."""

    label: str
    year: int | None
    gdp_eur_bn: float
    baseline_share: float  # % of GDP
    note: str
    sources: tuple[SourceRef, ...] = ()


def report_economy(parameters: ParameterSet) -> Economy:
    gdp = parameters["report_gdp_eur_bn"]
    share = parameters["report_baseline_share_percent"]
    return Economy(
        label="brief's basis",
        year=None,
        gdp_eur_bn=gdp,
        baseline_share=share,
        note=f"Brief's basis: EU GDP EUR {gdp:,.0f} bn (implied by the brief's own ratios), "
        f"defence spending {plain(share, 6)} % of GDP (the brief's 'about 2 percent').",
    )


def _yearly_coalitions(coalition: str, years: Sequence[int]) -> tuple[dict[int, Coalition], Fetch]:
    """The coalition of each year, and a fetch that reads each kind of figure once for all their
    members: finding the newest covered year asks up to six years, each a store query per series
    and a hint's probe (bench/RESULTS.md, scenario europe-without-us)."""
    from alliance.coalitions import coalition_in_year
    from alliance.metrics.engine import Prefetched

    groups = {year: coalition_in_year(coalition, year) for year in years}
    return groups, Prefetched([member for group in groups.values() for member in group.members])


def _total(
    group: Coalition, metric: str, year: int, fetch: Fetch, source: str | None = None
) -> AggregateResult:
    """`aggregate` without its notes: their probe of another source for the members without a
    figure is a store query for a line this model never shows."""
    from alliance.metrics import metric_spec
    from alliance.metrics.engine import aggregate_members

    return aggregate_members(metric_spec(metric, source=source), group, year, None, fetch)


def _newest_spending_year(groups: Mapping[int, Coalition], fetch: Fetch, lookback: int = 5) -> int:
    """The newest year whose NATO spending covers as many members as any recent year does.

    A newest edition that lacks a large member (NATO's 2025 transcription has no Germany) would
    otherwise turn "today" into a different coalition.
    """
    covered: dict[int, int] = {}
    for year in sorted(groups, reverse=True):
        result = _total(groups[year], "defence_share_gdp", year, fetch)
        if result.value is not None:
            covered[year] = len(result.with_data)
        if len(covered) == lookback:
            break
    if not covered:
        coalition = groups[max(groups)].expression
        raise InvalidArgumentError(
            f"No NATO defence spending in the store for any member of {coalition!r}: expected a "
            "coalition with NATO members, e.g. EU or NATO-Europe."
        )
    most = max(covered.values())
    return max(year for year, count in covered.items() if count == most)


def _euro_per_dollar(year: int) -> tuple[float, SourceRef]:
    from alliance.metrics import SourceRef
    from alliance.observations import edition_record, observation_records

    rows = observation_records("exchange_rate", entities=["fed:EURO_AREA"], years=[year])
    if not rows or rows[0]["value"] is None:
        raise InvalidArgumentError(
            f"No EUR/USD rate in the store for {year}: expected a year the Fed series covers."
        )
    row = rows[0]
    record = edition_record(row["source_id"], row["edition"], row["dataset"])
    ref = SourceRef(
        row["source_id"], row["edition"], row["dataset"], "EUR per USD", record.citation, record.url
    )
    return float(row["value"]), ref


def store_economy(coalition: str = DEFAULT_COALITION, year: int | None = None) -> Economy:
    """The coalition's GDP (IMF WEO, newest edition) and defence share of GDP (NATO) in `year`.

    Default year: the newest with NATO spending figures for the coalition. GDP in euros at the
    Fed's average EUR/USD rate of that year.
    """
    years = [year] if year else list(range(datetime.date.today().year, 2013, -1))
    groups, fetch = _yearly_coalitions(coalition, years)
    year = year or _newest_spending_year(groups, fetch)
    spending = _total(groups[year], "defence_share_gdp", year, fetch)
    gdp = _total(groups[year], "gdp", year, fetch, source="imf")
    if spending.value is None or gdp.value is None:
        raise InvalidArgumentError(
            f"No GDP or NATO defence spending for {coalition!r} in {year}: expected a year "
            "the store covers (NATO's tables start in 2014)."
        )
    rate, rate_ref = _euro_per_dollar(year)
    parts = [
        f"Today: {coalition} in {year}: GDP USD {gdp.value:,.0f} bn (IMF WEO, "
        f"{len(gdp.with_data)} of {len(gdp.members)} members) = EUR {gdp.value * rate:,.0f} bn "
        f"at {rate:.4f} EUR per USD (Fed); defence spending {spending.value:.2f} % of GDP "
        f"(NATO definition, {len(spending.with_data)} members with NATO figures)."
    ]
    if spending.missing:
        parts.append(f"No NATO figures (not in the spending share): {', '.join(spending.missing)}.")
    if gdp.missing:
        parts.append(f"No IMF GDP: {', '.join(gdp.missing)}.")
    if spending.estimated:
        parts.append(f"NATO estimates for {year}: {len(spending.estimated)} members.")
    return Economy(
        label=f"{coalition} {year} (store)",
        year=year,
        gdp_eur_bn=gdp.value * rate,
        baseline_share=spending.value,
        note=" ".join(parts),
        sources=(*spending.sources, *gdp.sources, rate_ref),
    )


@dataclass(frozen=True)
class Check:
    """A published figure beside the model's own result."""

    figure: PublishedFigure
    model: float
    today: float

    @property
    def within(self) -> bool:
        low, high = self.figure.bounds()
        return low <= self.model <= high

    def record(self) -> dict[str, Any]:
        return {
            "figure": self.figure.label,
            "unit": self.figure.unit,
            "published": float(self.figure.value),
            "model": self.model,
            "tolerance": self.figure.tolerance_text(),
            "within": self.within,
            "today": self.today,
            "citation": self.figure.citation,
        }


@dataclass(frozen=True)
class SensitivityRow:
    """One parameter swung down and up, everything else at its value."""

    parameter: str
    unit: str
    base: float
    low: float
    high: float
    total_low: float  # EUR bn a year, build-up + Ukraine
    total_high: float
    share_low: float  # % of GDP after the increase, Ukraine included
    share_high: float

    @property
    def range(self) -> float:
        return abs(self.share_high - self.share_low)

    def record(self) -> dict[str, Any]:
        return {**asdict(self), "range": self.range}


def sensitivity(
    parameters: ParameterSet, economy: Economy, swing: float = DEFAULT_SWING
) -> tuple[SensitivityRow, ...]:
    """Every parameter at (1 - swing) and (1 + swing) times its value, widest effect first.

    A fraction is capped at 1 and a percentage at 100, as the parameter file allows.
    """
    if not 0 < swing < 1:
        raise InvalidArgumentError(f"Swing {swing!r}: expected a fraction between 0 and 1.")
    base = parameters.values()
    rows = []
    for p in parameters.parameters:
        check = RULES[p.name][0]
        low = p.value * (1 - swing)
        high = p.value * (1 + swing)
        if not check(high):
            high = p.value
        ends = []
        for value in (low, high):
            values = {**base, p.name: value}
            gdp, share = economy.gdp_eur_bn, economy.baseline_share
            if economy.year is None:  # the brief's basis: GDP and baseline are parameters
                gdp, share = values["report_gdp_eur_bn"], values["report_baseline_share_percent"]
            ends.append(compute(values, gdp, share))
        rows.append(
            SensitivityRow(
                p.name,
                p.unit,
                p.value,
                low,
                high,
                ends[0].total_eur_bn,
                ends[1].total_eur_bn,
                ends[0].new_share_with_ukraine,
                ends[1].new_share_with_ukraine,
            )
        )
    return tuple(sorted(rows, key=lambda r: -r.range))


@dataclass(frozen=True)
class EuropeWithoutUS:
    """A run: parameters, the brief's basis, today's basis, the checks and the sensitivity."""

    parameters: ParameterSet
    report_economy: Economy
    report: Estimate
    today_economy: Economy
    today: Estimate
    checks: tuple[Check, ...]
    swing: float
    sensitivity: tuple[SensitivityRow, ...] = field(repr=False)

    @property
    def title(self) -> str:
        return (
            f"Europe without the US: EUR {self.report.build_up_eur_bn:,.0f} bn a year more "
            f"(brief: EUR 250 bn); {self.today_economy.label}: "
            f"{self.today.baseline_share:.2f} % -> {self.today.new_share:.2f} % of GDP"
        )

    def records(self) -> list[dict[str, Any]]:
        """Published figures beside the model's (brief's basis) and today's."""
        return [check.record() for check in self.checks]

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.records())

    def parameter_records(self) -> list[dict[str, Any]]:
        return [p.record() for p in self.parameters.parameters]

    def sensitivity_records(self) -> list[dict[str, Any]]:
        return [row.record() for row in self.sensitivity]

    def sensitivity_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.sensitivity_records())

    def source_lines(self) -> list[str]:
        from alliance.metrics import source_lines

        report = self.parameters.report
        lines = [f"Model: {report.get('citation', BRIEF)} {report.get('url', BRIEF_URL)}"]
        lines.append(f"Parameters: {' + '.join(self.parameters.files)}")
        return lines + source_lines(self.today_economy.sources)

    def assumption_lines(self) -> list[str]:
        lines = []
        for p in self.parameters.parameters:
            origin = "" if p.origin == "default" else f" (set in {p.origin})"
            why = f" Why: {p.reason}" if p.reason else ""
            value = plain(p.value, 6)
            lines.append(f"{p.name} = {value} {p.unit} [{p.kind}]{origin}: {p.source}{why}")
        return lines

    def notes(self) -> list[str]:
        r = self.report
        return [
            f"Model, brief's basis: {r.troops:,.0f} troops in {r.brigades:,.1f} brigades; "
            f"personnel EUR {r.personnel_eur_bn:,.1f} bn + equipment EUR {r.equipment_eur_bn:,.1f}"
            f" bn (EUR {r.equipment_total_eur_bn:,.1f} bn over the build-up) + enablers "
            f"EUR {r.enablers_eur_bn:,.1f} bn = EUR {r.build_up_eur_bn:,.1f} bn a year; "
            f"Ukraine EUR {r.ukraine_eur_bn:,.1f} bn a year.",
            "The brief does not break its EUR 250 bn down: the enablers line is our assumption, "
            "set so that the default total matches it (a calibration, not evidence).",
            self.report_economy.note,
            self.today_economy.note,
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": NAME,
            "title": self.title,
            "figures": self.records(),
            "report_basis": asdict(self.report),
            "today_basis": {"label": self.today_economy.label, **asdict(self.today)},
            "today_year": self.today_economy.year,
            "parameters": self.parameter_records(),
            "parameter_files": list(self.parameters.files),
            "sensitivity": {"swing": self.swing, "rows": self.sensitivity_records()},
            "notes": self.notes(),
            "sources": self.source_lines(),
        }


def europe_without_us(
    params: Path | None = None,
    *,
    coalition: str = DEFAULT_COALITION,
    year: int | None = None,
    swing: float = DEFAULT_SWING,
) -> EuropeWithoutUS:
    """Run the model on the brief's basis and on the store's `coalition` in `year` (newest)."""
    parameters = load(NAME, RULES, params)
    values = parameters.values()
    on_report = report_economy(parameters)
    report = compute(values, on_report.gdp_eur_bn, on_report.baseline_share)
    on_today = store_economy(coalition, year)
    today = compute(values, on_today.gdp_eur_bn, on_today.baseline_share)
    checks = tuple(Check(f, getattr(report, f.key), getattr(today, f.key)) for f in PUBLISHED)
    return EuropeWithoutUS(
        parameters=parameters,
        report_economy=on_report,
        report=report,
        today_economy=on_today,
        today=today,
        checks=checks,
        swing=swing,
        sensitivity=sensitivity(parameters, on_report, swing),
    )


def _short(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return plain(value, 3)


def draw_tornado(result: EuropeWithoutUS, path: Path) -> Path:
    """The sensitivity as a tornado chart (.png, .svg or .html) with its sources."""
    from alliance.chart_layout import ChartText
    from alliance.scenarios.tornado import Bar, tornado_chart

    bars = [
        Bar(
            f"{row.parameter.replace('_', ' ')} ({_short(row.base)})",
            row.share_low,
            row.share_high,
            _short(row.low),
            _short(row.high),
        )
        for row in result.sensitivity
    ]
    base = result.report.new_share_with_ukraine
    text = ChartText(
        title="Europe without the US: which assumption moves the bill most?",
        subtitle=(
            "European defence spending after the build-up, incl. replacing US military aid to "
            f"Ukraine, % of GDP (brief's basis). Each parameter {result.swing:.0%} lower (blue) "
            "and higher (red), the others at their defaults; numbers at the bar ends are the "
            "values used."
        ),
        sources=[
            f"Model: {BRIEF}, {BRIEF_URL}; parameters: data/scenarios/europe-without-us.yaml "
            "(sourced, derived and our assumptions, each cited there).",
        ],
        notes=[result.notes()[1], result.report_economy.note],
    )
    return tornado_chart(bars, base, "% of GDP", path, text)
