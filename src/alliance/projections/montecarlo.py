"""The Monte Carlo: draws x countries x years in numpy, in chunks of draws, seeded.

The model (also at the top of data/projections/assumptions.yaml), for country c and year t after
its latest figure:

    S[c,t]  = sum of yearly GDP shocks sd_c * (sqrt(rho) * z_common + sqrt(1 - rho) * z_own)
    R[t]    = sum of yearly EUR/USD shocks eur_usd_sd * z_fx (from the latest Fed year)
    s[c,t]  = s0 + (1 - f_c) * max(path - s0, 0) + min(path - s0, 0); f_c = 0, or with probability
              slip_probability f_c ~ Uniform(slip_size_low, slip_size_high), once per draw
    spending in the country's currency = s/100 * GDP_imf * exp(elasticity * S)
    share reached = s * exp((elasticity - 1) * S);  GDP drawn = GDP_imf * exp(S)

Euro-area members' spending is in euros, converted to dollars at the drawn rate; the others' is
in dollars (their growth history includes their currency's moves against the dollar), converted
to euros at the drawn rate. PPP values (optional) divide by the IMF's price level (GDP at market
rates over GDP at PPP), which no exchange-rate draw moves.

Coalition figures are sums over members within each draw; quantiles come from those sums.
Quantiles are read from a histogram of log(value / median path) with HISTOGRAM_BINS bins over
+-HISTOGRAM_HALF_WIDTH (resolution below 0.15 %), interpolated within the bin and kept within the
smallest and largest value drawn, so that a case without spread gives the path exactly. Chunks
use their own generator (SeedSequence(seed, spawn_key=(chunk,))) and merge by integer sums, so
the same seed gives the same numbers whatever the order chunks finish in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from alliance.errors import InvalidArgumentError

if TYPE_CHECKING:
    from numpy.typing import NDArray

MAX_DRAWS: Final = 1_000_000
CHUNK: Final = 8_192
HISTOGRAM_BINS: Final = 4_096
HISTOGRAM_HALF_WIDTH: Final = 3.0  # log points: values from 1/20 to 20 times the median path
QUANTILES: Final = (0.05, 0.25, 0.5, 0.75, 0.95)
TARGETS: Final = (2.0, 3.5, 5.0)
THREADS: Final = 2


@dataclass(frozen=True)
class Channel:
    """A unit of output: value = s/100 * GDP * exp(elasticity*S) * scale[c,t] * exp(fx_power[c]*R)."""

    name: str  # usd | eur | ppp
    scale: NDArray[np.float64]  # (C, T)
    fx_power: NDArray[np.float64]  # (C,) -1, 0 or +1


@dataclass(frozen=True)
class Model:
    """Everything the draws need, as arrays over countries (C) and years (T)."""

    path: NDArray[np.float64]  # (C, T) planned share of GDP, %
    base_share: NDArray[np.float64]  # (C,)
    gdp: NDArray[np.float64]  # (C, T) IMF path, USD bn
    active: NDArray[np.bool_]  # (C, T) year after the country's latest figure
    fx_active: NDArray[np.bool_]  # (T,) year after the latest exchange rate
    growth_sd: NDArray[np.float64]  # (C,)
    correlation: float
    fx_sd: float
    slip_probability: float
    slip_low: float
    slip_high: float
    elasticity: float
    groups: NDArray[np.float64]  # (G, C) 0/1 membership of each coalition summed
    channels: tuple[Channel, ...]
    usd_gdp_scale: NDArray[np.float64]  # (C, T) GDP in USD (market) at the median rate
    usd_fx_power: NDArray[np.float64]  # (C,)


@dataclass(frozen=True)
class Draws:
    """What the draws give, per entity (countries, then coalitions) and year."""

    draws: int
    seed: int
    median_path: NDArray[np.float64]  # (E, T, channels): the path with no shock
    path_share: NDArray[np.float64]  # (E, T) planned share, %
    probability: NDArray[np.float64]  # (E, T, targets)
    quantiles: NDArray[np.float64]  # (E, T, channels, quantiles)


def check_draws(draws: int) -> None:
    if not 1 <= draws <= MAX_DRAWS:
        raise InvalidArgumentError(
            f"--draws {draws} is outside what is run: expected a whole number from 1 to "
            f"{MAX_DRAWS:,} (the cap keeps a run within memory and a few minutes)."
        )


def _paths(model: Model) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """With no shock: values (E, T, channels) and shares (E, T) for countries then coalitions."""
    spend = model.path / 100 * model.gdp
    values = np.stack([spend * ch.scale for ch in model.channels], axis=-1)
    groups = np.einsum("gc,ctk->gtk", model.groups, values)
    usd = spend * model.usd_gdp_scale
    gdp = model.gdp * model.usd_gdp_scale
    with np.errstate(divide="ignore", invalid="ignore"):
        group_share = 100 * (model.groups @ usd) / (model.groups @ gdp)
    return np.concatenate([values, groups]), np.concatenate([model.path, group_share])


class _Accumulator:
    """Integer counts and extremes from the chunks, merged in any order."""

    def __init__(self, entities: int, years: int, channels: int) -> None:
        self.met = np.zeros((entities, years, len(TARGETS)), dtype=np.int64)
        self.histogram = np.zeros((entities, years, channels, HISTOGRAM_BINS), dtype=np.int64)
        self.low = np.full((entities, years, channels), np.inf)
        self.high = np.full((entities, years, channels), -np.inf)

    def add(self, other: _Accumulator) -> None:
        self.met += other.met
        self.histogram += other.histogram
        np.minimum(self.low, other.low, out=self.low)
        np.maximum(self.high, other.high, out=self.high)


def _chunk(model: Model, median: NDArray[np.float64], seed: int, index: int, n: int) -> _Accumulator:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index,))))
    countries, years = model.path.shape
    rho = model.correlation
    shocks = rng.standard_normal((n, countries, years))
    shocks *= np.sqrt(1 - rho)
    shocks += np.sqrt(rho) * rng.standard_normal((n, 1, years))
    shocks *= (model.growth_sd[:, None] * model.active)[None]
    growth = np.cumsum(shocks, axis=2, out=shocks)  # S
    fx = np.cumsum(model.fx_sd * model.fx_active * rng.standard_normal((n, years)), axis=1)
    slipped = rng.random((n, countries)) < model.slip_probability
    size = model.slip_low + (model.slip_high - model.slip_low) * rng.random((n, countries))
    delivered = 1 - np.where(slipped, size, 0.0)
    rise = model.path - model.base_share[:, None]
    share = delivered[:, :, None] * np.maximum(rise, 0)[None]
    share += model.base_share[:, None] + np.minimum(rise, 0)
    spend = share / 100 * model.gdp[None] * np.exp(model.elasticity * growth)
    reached = share * np.exp((model.elasticity - 1) * growth)
    usd_rate = np.exp(model.usd_fx_power[None, :, None] * fx[:, None, :])
    usd = spend * model.usd_gdp_scale[None] * usd_rate
    gdp_usd = model.gdp[None] * model.usd_gdp_scale[None] * np.exp(growth) * usd_rate
    group_share = 100 * np.einsum("gc,nct->ngt", model.groups, usd) / np.einsum(
        "gc,nct->ngt", model.groups, gdp_usd
    )
    targets = np.asarray(TARGETS)
    accumulator = _Accumulator(median.shape[0], years, len(model.channels))
    for k, target in enumerate(targets):
        accumulator.met[:countries, :, k] = (reached >= target).sum(axis=0)
        accumulator.met[countries:, :, k] = (group_share >= target).sum(axis=0)
    for j, channel in enumerate(model.channels):
        rate = np.exp(channel.fx_power[None, :, None] * fx[:, None, :])
        values = spend * channel.scale[None] * rate
        every = np.concatenate([values, np.einsum("gc,nct->ngt", model.groups, values)], axis=1)
        _histogram(accumulator, j, every, median[:, :, j])
    return accumulator


def _histogram(
    accumulator: _Accumulator, channel: int, values: NDArray[np.float64], median: NDArray[np.float64]
) -> None:
    """Count log(value / median path) into the bins of each (entity, year)."""
    accumulator.low[:, :, channel] = values.min(axis=0)
    accumulator.high[:, :, channel] = values.max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(values / median[None])
    ratio = np.nan_to_num(ratio, nan=0.0, posinf=HISTOGRAM_HALF_WIDTH, neginf=-HISTOGRAM_HALF_WIDTH)
    scale = HISTOGRAM_BINS / (2 * HISTOGRAM_HALF_WIDTH)
    bins = np.clip(((ratio + HISTOGRAM_HALF_WIDTH) * scale).astype(np.int64), 0, HISTOGRAM_BINS - 1)
    cells = median.size
    bins += (np.arange(cells, dtype=np.int64) * HISTOGRAM_BINS).reshape(median.shape)[None]
    counts = np.bincount(bins.ravel(), minlength=cells * HISTOGRAM_BINS)
    accumulator.histogram[:, :, channel] = counts.reshape(*median.shape, HISTOGRAM_BINS)


def _quantiles(
    accumulator: _Accumulator, median: NDArray[np.float64], draws: int
) -> NDArray[np.float64]:
    """(E, T, channels, quantiles), interpolated within a bin, kept within the values drawn."""
    counts = accumulator.histogram
    cumulative = np.cumsum(counts, axis=-1)
    width = 2 * HISTOGRAM_HALF_WIDTH / HISTOGRAM_BINS
    found = []
    for q in QUANTILES:
        rank = q * draws
        index = np.argmax(cumulative >= rank, axis=-1)
        above = np.take_along_axis(cumulative, index[..., None], axis=-1)[..., 0]
        inside = np.take_along_axis(counts, index[..., None], axis=-1)[..., 0]
        below = above - inside
        fraction = np.where(inside > 0, (rank - below) / np.maximum(inside, 1), 0.5)
        log_ratio = -HISTOGRAM_HALF_WIDTH + (index + fraction) * width
        value = median * np.exp(log_ratio)
        found.append(np.clip(value, accumulator.low, accumulator.high))
    return np.stack(found, axis=-1)


def run(
    model: Model,
    draws: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> Draws:
    """`draws` draws of the model, `CHUNK` at a time on `THREADS` threads."""
    check_draws(draws)
    median, path_share = _paths(model)
    entities, years = path_share.shape
    total = _Accumulator(entities, years, len(model.channels))
    sizes = [min(CHUNK, draws - start) for start in range(0, draws, CHUNK)]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [
            pool.submit(_chunk, model, median, seed, index, n) for index, n in enumerate(sizes)
        ]
        for future, n in zip(futures, sizes, strict=True):
            total.add(future.result())
            if progress is not None:
                progress(n)
    return Draws(
        draws=draws,
        seed=seed,
        median_path=median,
        path_share=path_share,
        probability=total.met / draws,
        quantiles=_quantiles(total, median, draws),
    )


def membership(members: Sequence[Sequence[int]], countries: int) -> NDArray[np.float64]:
    """(G, C) 0/1 matrix from each coalition's country indices."""
    matrix = np.zeros((len(members), countries))
    for row, indices in enumerate(members):
        matrix[row, list(indices)] = 1.0
    return matrix
