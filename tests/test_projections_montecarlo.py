"""The Monte Carlo against cases with a known answer: no spread gives the path exactly, a normal
shock gives the normal probability and lognormal quantiles, a slip gives its binomial share, and
coalition bands are quantiles of summed draws."""

from __future__ import annotations

import csv
import dataclasses
import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.projections import montecarlo
from alliance.projections.assumptions import load_assumptions
from alliance.projections.montecarlo import MEET_TOLERANCE, QUANTILES, TARGETS
from alliance.projections.projection import Projection, entity_index, project

IMF_GDP = (
    Path(__file__).resolve().parents[1] / "src/alliance/data/observations/imf/2025-10__NGDPD.csv"
)
NO_SPREAD = {"gdp_growth_sd": 0.0, "eur_usd_sd": 0.0, "slip_probability": 0.0}


def imf_gdp(entity: str, year: int) -> float:
    with IMF_GDP.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["entity"] == entity and int(row["year"]) == year:
                return float(row["value"])
    raise LookupError((entity, year))


def at(result: Projection, entity: str, year: int) -> tuple[int, int]:
    return entity_index(result, entity), result.years.index(year)


@pytest.fixture(scope="module")
def still() -> Projection:
    changes = load_assumptions(changes=NO_SPREAD)
    return project("NATO", path="hague", draws=300, seed=3, assumptions=changes)


def test_no_spread_reproduces_the_deterministic_path_exactly(still: Projection) -> None:
    result = still.result
    for q in range(len(QUANTILES)):
        assert np.array_equal(result.quantiles[..., q], result.median_path)
    for k, target in enumerate(TARGETS):  # coalitions too: within the stated tolerance
        meets = (result.path_share >= target - MEET_TOLERANCE).astype(float)
        assert np.array_equal(result.probability[:, :, k], meets)


def test_a_coalition_of_one_on_the_line_meets_its_target() -> None:
    """Germany alone at 3.5 % from 2029: its coalition's share (a ratio of sums) meets 3.5 %."""
    chosen = load_assumptions(changes=NO_SPREAD)
    result = project("DEU", path="pledges", draws=50, seed=1, assumptions=chosen)
    coalition = entity_index(result, "DEU") + 1
    assert list(result.result.probability[coalition, :, 1]) == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]


def test_the_path_is_share_times_imf_gdp(still: Projection) -> None:
    e, t = at(still, "DEU", 2030)
    germany = next(c for c in still.baseline.countries if c.iso3 == "DEU")
    share = germany.share + (3.5 - germany.share) * (2030 - 2024) / (2035 - 2024)
    usd = share / 100 * imf_gdp("DEU", 2030)
    assert still.result.path_share[e, t] == pytest.approx(share, rel=1e-12)
    assert still.result.median_path[e, t, 0] == pytest.approx(usd, rel=1e-12)
    assert still.result.median_path[e, t, 1] == pytest.approx(usd * still.baseline.eur_usd_level)
    coalition = entity_index(still, "NATO")
    summed = still.result.median_path[:coalition, t, 0].sum()
    assert still.result.median_path[coalition, t, 0] == pytest.approx(summed, rel=1e-12)


def test_a_normal_growth_shock_gives_the_normal_probability() -> None:
    """Budgets fixed in money (elasticity 0): the share reached in 2035 is
    3.5 * exp(-S), S ~ N(0, 0.2^2 * 11) (eleven yearly shocks after Germany's 2024 figure), so
    P(share >= 2) = Phi(ln(3.5 / 2) / (0.2 * sqrt(11))) = 0.8006. With 200,000 draws the
    sampling error is sqrt(p(1 - p) / n) = 0.0009; the test allows four of them."""
    sd, draws = 0.2, 200_000
    changes = {**NO_SPREAD, "gdp_growth_sd": sd, "growth_correlation": 0.0}
    chosen = load_assumptions(changes={**changes, "budget_gdp_elasticity": 0.0})
    result = project("DEU", path="hague", draws=draws, seed=11, assumptions=chosen)
    e, t = at(result, "DEU", 2035)
    expected = NormalDist().cdf(math.log(3.5 / 2.0) / (sd * math.sqrt(11)))
    error = math.sqrt(expected * (1 - expected) / draws)
    assert abs(result.result.probability[e, t, 0] - expected) < 4 * error
    halfway = result.result.probability[e, t, 1]  # P(3.5 * exp(-S) >= 3.5) = 1/2
    assert abs(halfway - 0.5) < 4 * math.sqrt(0.25 / draws)


def test_a_normal_growth_shock_gives_lognormal_spending_bands() -> None:
    """Elasticity 1: spending is the path times exp(S); its q-quantile is the path times
    exp(z_q * 0.2 * sqrt(11)). Allowed: 1 % (histogram bins are 0.24 % wide; the sampling error
    of the 5 % quantile is about 0.3 % at 200,000 draws)."""
    sd, draws = 0.2, 200_000
    changes = {**NO_SPREAD, "gdp_growth_sd": sd, "growth_correlation": 0.0}
    chosen = load_assumptions(changes={**changes, "budget_gdp_elasticity": 1.0})
    result = project("DEU", path="hague", draws=draws, seed=5, assumptions=chosen)
    e, t = at(result, "DEU", 2035)
    path = result.result.median_path[e, t, 0]
    for i, q in enumerate(QUANTILES):
        expected = path * math.exp(NormalDist().inv_cdf(q) * sd * math.sqrt(11))
        assert result.result.quantiles[e, t, 0, i] == pytest.approx(expected, rel=0.01)


def test_a_slip_gives_its_binomial_share() -> None:
    """No GDP or rate spread; a slip (probability 0.3) delivers half of the planned rise: Germany
    meets 3.5 % in 2035 in 70 % of the draws (sampling error 0.0032 at 20,000 draws)."""
    changes = {**NO_SPREAD, "slip_probability": 0.3, "slip_size_low": 0.5, "slip_size_high": 0.5}
    result = project(
        "DEU", path="hague", draws=20_000, seed=2, assumptions=load_assumptions(changes=changes)
    )
    e, t = at(result, "DEU", 2035)
    assert abs(result.result.probability[e, t, 1] - 0.7) < 4 * math.sqrt(0.21 / 20_000)
    germany = result.baseline.countries[0]
    slipped = (germany.share + 0.5 * (3.5 - germany.share)) / 100 * imf_gdp("DEU", 2030)
    assert result.result.quantiles[e, t, 0, 0] < result.result.median_path[e, t, 0]
    assert slipped > 0


COALITION = "DEU | FRA | ITA | ESP | POL"


def test_coalition_bands_are_quantiles_of_summed_draws_not_sums_of_quantiles() -> None:
    result = project(COALITION, path="hague", draws=20_000, seed=9)
    members = len(result.baseline.countries)
    e, t = at(result, COALITION, 2035)
    quantiles = result.result.quantiles[:, t, 0, :]
    summed = quantiles[:members].sum(axis=0)
    # imperfectly correlated members: the sum's tails are narrower than the summed tails
    assert quantiles[e, 0] > summed[0] * 1.01
    assert quantiles[e, 4] < summed[4] * 0.99
    assert result.result.median_path[e, t, 0] == pytest.approx(
        result.result.median_path[:members, t, 0].sum(), rel=1e-12
    )


def test_comonotonic_members_make_the_sum_of_quantiles_the_quantile_of_the_sum() -> None:
    """Correlation 1, one spread for all, no slip or rate spread: every member moves with the
    same shock, so here (and only here) the two agree, within the histogram's resolution."""
    changes = {**NO_SPREAD, "gdp_growth_sd": 0.05, "growth_correlation": 1.0}
    chosen = load_assumptions(changes=changes)
    result = project(COALITION, path="hague", draws=20_000, seed=9, assumptions=chosen)
    members = len(result.baseline.countries)
    e, t = at(result, COALITION, 2035)
    quantiles = result.result.quantiles[:, t, 0, :]
    assert quantiles[e] == pytest.approx(quantiles[:members].sum(axis=0), rel=0.004)


def test_same_seed_same_numbers_whatever_the_chunking_order() -> None:
    first = project("EU", path="trend", draws=20_000, seed=4)
    second = project("EU", path="trend", draws=20_000, seed=4)
    assert np.array_equal(first.result.quantiles, second.result.quantiles)
    assert np.array_equal(first.result.probability, second.result.probability)
    assert first.records() == second.records()


def test_an_odd_number_of_draws_and_a_single_draw_run() -> None:
    assert project("DEU", draws=8_193, seed=1).result.draws == 8_193
    single = project("DEU", draws=1, seed=1).result
    assert np.all(single.quantiles[..., 0] == single.quantiles[..., 4])


# --- properties on synthetic models (no store) ---------------------------------------------------


def synthetic_model(
    sd: float, rho: float, slip: float, elasticity: float, fx_sd: float, countries: int = 3
) -> montecarlo.Model:
    years = 6
    base = np.linspace(1.5, 4.0, countries)
    path = base[:, None] + np.linspace(0, 1.5, years)[None, :]
    gdp = np.linspace(100, 900, countries)[:, None] * 1.03 ** np.arange(years)[None, :]
    return montecarlo.Model(
        path=path,
        base_share=base,
        gdp=gdp,
        active=np.ones((countries, years), dtype=bool),
        fx_active=np.ones(years, dtype=bool),
        euro=np.arange(countries) % 2 == 0,
        growth_sd=np.full(countries, sd),
        correlation=rho,
        fx_sd=fx_sd,
        slip_probability=slip,
        slip_low=0.1,
        slip_high=0.6,
        elasticity=elasticity,
        groups=montecarlo.membership([range(countries), [0, 2]], countries),
        channels=(
            montecarlo.Channel("usd", np.ones((countries, years))),
            montecarlo.Channel("eur", np.full((countries, years), 0.9)),
            montecarlo.Channel("ppp", np.full((countries, years), 1.7)),
        ),
    )


@settings(max_examples=25, deadline=None)
@given(
    sd=st.floats(0, 0.3),
    rho=st.floats(0, 1),
    slip=st.floats(0, 1),
    elasticity=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
    fx_sd=st.floats(0, 0.2),
    draws=st.integers(1, 3_000),
    seed=st.integers(0, 2**32),
)
def test_bands_are_ordered_and_probabilities_fall_with_the_target(
    sd: float, rho: float, slip: float, elasticity: float, fx_sd: float, draws: int, seed: int
) -> None:
    result = montecarlo.run(synthetic_model(sd, rho, slip, elasticity, fx_sd), draws, seed)
    bands = result.quantiles
    assert np.all(np.isfinite(bands)) and np.all(bands > 0)
    assert np.all(np.diff(bands, axis=-1) >= 0)  # q05 <= q25 <= ... <= q95
    probability = result.probability
    assert np.all((probability >= 0) & (probability <= 1))
    assert np.all(np.diff(probability, axis=-1) <= 0)  # P(2 %) >= P(3.5 %) >= P(5 %)
    again = montecarlo.run(synthetic_model(sd, rho, slip, elasticity, fx_sd), draws, seed)
    assert np.array_equal(again.quantiles, bands)


@pytest.mark.parametrize("block_values", [1, 6 * 5 * 7, 10**9])
def test_blocks_of_any_size_give_the_same_numbers(
    block_values: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk's arithmetic runs block of draws by block; one draw a block, a few, or the whole
    chunk in one must give the same bits (draws over two chunks, the second one partial)."""
    model = synthetic_model(0.05, 0.4, 0.3, 0.7, 0.04, countries=5)
    reference = montecarlo.run(model, 9_000, 11)
    monkeypatch.setattr(montecarlo, "BLOCK_VALUES", block_values)
    blocked = montecarlo.run(model, 9_000, 11)
    for name in ("median_path", "path_share", "probability", "quantiles"):
        assert getattr(blocked, name).tobytes() == getattr(reference, name).tobytes(), name


def test_a_coalition_only_run_gives_the_coalitions_figures_to_the_bit() -> None:
    model = synthetic_model(0.05, 0.4, 0.3, 0.5, 0.04, countries=5)
    full = montecarlo.run(model, 5_000, 3)
    only = montecarlo.run(model, 5_000, 3, members=False)
    countries = 5
    for name in ("probability", "quantiles"):
        assert (
            getattr(only, name)[countries:].tobytes() == getattr(full, name)[countries:].tobytes()
        )
        assert np.isnan(getattr(only, name)[:countries]).all()  # not summarised: not a number
    assert np.array_equal(only.median_path, full.median_path)


def test_leaving_out_the_eur_channel_gives_the_other_channels_to_the_bit() -> None:
    """vs_russia shows dollars and PPP only, so it leaves the EUR bands out (project(eur=False));
    the dollars and PPP must not move, members summarised or not."""
    model = synthetic_model(0.05, 0.4, 0.3, 0.5, 0.04, countries=5)
    usd_ppp = dataclasses.replace(model, channels=(model.channels[0], model.channels[2]))
    for members in (True, False):
        full = montecarlo.run(model, 9_000, 7, members=members)
        fewer = montecarlo.run(usd_ppp, 9_000, 7, members=members)
        for name in ("quantiles", "median_path"):
            kept = getattr(full, name)[:, :, [0, 2]]
            assert getattr(fewer, name).tobytes() == kept.tobytes(), (name, members)
        assert fewer.probability.tobytes() == full.probability.tobytes()


@pytest.mark.parametrize("members", [True, False])
def test_leaving_out_the_odds_gives_the_bands_to_the_bit(members: bool) -> None:
    """vs_russia shows no probability of meeting a target (project(odds=False)): its bands must
    be those of a full run, for the countries and for either coalition."""
    model = synthetic_model(0.05, 0.4, 0.3, 0.7, 0.04, countries=5)
    full = montecarlo.run(model, 9_000, 5, members=members)
    bands = montecarlo.run(model, 9_000, 5, members=members, odds=False)
    assert bands.quantiles.tobytes() == full.quantiles.tobytes()
    assert bands.median_path.tobytes() == full.median_path.tobytes()
    assert np.isnan(bands.probability).all()
    assert not np.isnan(full.probability[0 if members else 5 :]).any()


def test_a_projection_of_the_coalition_only_refuses_the_members_rows() -> None:
    from alliance.errors import InvalidArgumentError

    coalition = project("NATO - USA", path="hague", draws=2_000, seed=4, detail="coalition")
    everyone = project("NATO - USA", path="hague", draws=2_000, seed=4)
    assert coalition.records("coalition") == everyone.records("coalition")
    for detail in ("countries", "all"):
        with pytest.raises(InvalidArgumentError, match="coalition only"):
            coalition.records(detail)
    with pytest.raises(InvalidArgumentError, match="Unknown detail"):
        project("NATO", draws=10, detail="members")
