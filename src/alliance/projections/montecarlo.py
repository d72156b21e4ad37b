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
+-HISTOGRAM_HALF_WIDTH (bins 0.24 % wide), interpolated within the bin and kept within the
smallest and largest value drawn, so that a case without spread gives the path exactly. Chunks
use their own generator (SeedSequence(seed, spawn_key=(chunk,))) and merge by integer sums, so
the same seed gives the same numbers whatever the order chunks finish in.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from alliance.errors import InvalidArgumentError

if TYPE_CHECKING:
    from numpy.typing import NDArray

MAX_DRAWS: Final = 1_000_000
CHUNK: Final = 8_192
HISTOGRAM_BINS: Final = 2_048
HISTOGRAM_HALF_WIDTH: Final = 2.5  # log points: values from 1/12 to 12 times the median path
QUANTILES: Final = (0.05, 0.25, 0.5, 0.75, 0.95)
TARGETS: Final = (2.0, 3.5, 5.0)
# A share meets a target within this many percentage points: a coalition's share is a ratio of
# sums, and 100 * (3.5 / 100 * GDP) / GDP need not give 3.5 to the last bit.
MEET_TOLERANCE: Final = 1e-9
THREADS: Final = 2
IN_FLIGHT: Final = 2 * THREADS


@dataclass(frozen=True)
class Channel:
    """A unit of output. `usd`: US$ at market rates (euro-area members' move with the drawn
    EUR/USD rate); `eur`: those dollars at the drawn rate, `scale` = the median EUR per USD;
    `ppp`: spending times `scale` (e.g. the IMF's GDP at PPP over GDP at market rates), no rate
    drawn."""

    name: str  # usd | eur | ppp
    scale: NDArray[np.float64]  # (C, T)


@dataclass(frozen=True)
class Model:
    """Everything the draws need, as arrays over countries (C) and years (T)."""

    path: NDArray[np.float64]  # (C, T) planned share of GDP, %
    base_share: NDArray[np.float64]  # (C,)
    gdp: NDArray[np.float64]  # (C, T) IMF path, USD bn
    active: NDArray[np.bool_]  # (C, T) year after the country's latest figure
    fx_active: NDArray[np.bool_]  # (T,) year after the latest exchange rate
    euro: NDArray[np.bool_]  # (C,) euro-area member: its dollars move with the rate
    growth_sd: NDArray[np.float64]  # (C,)
    correlation: float
    fx_sd: float
    slip_probability: float
    slip_low: float
    slip_high: float
    elasticity: float
    groups: NDArray[np.float64]  # (G, C) 0/1 membership of each coalition summed
    channels: tuple[Channel, ...]


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
    """With no shock: values (E, T, channels) and shares (E, T) for countries then coalitions.

    Computed with the operations a draw uses, in the same order, so that a draw without any
    shock gives these numbers to the last bit."""
    spend = np.ascontiguousarray(model.path.T) * np.ascontiguousarray(model.gdp.T / 100)
    values = []
    for channel in model.channels:
        if channel.name == "usd":
            scaled, groups = spend, group_sums(spend, model.groups)
        elif channel.name == "eur":  # as a draw does: dollars at the rate
            rate = channel.scale[0, 0]
            scaled, groups = spend * rate, group_sums(spend, model.groups) * rate
        else:
            scaled = spend * np.ascontiguousarray(channel.scale.T)
            groups = group_sums(scaled, model.groups)
        values.append(np.concatenate([scaled, groups], axis=-1))
    gdp = np.ascontiguousarray(model.gdp.T)
    with np.errstate(divide="ignore", invalid="ignore"):
        group_share = 100 * group_sums(spend, model.groups) / group_sums(gdp, model.groups)
    by_entity = np.stack(values, axis=-1).transpose(1, 0, 2)  # (E, T, channels)
    return by_entity, np.concatenate([model.path, group_share.T])


def group_sums(values: NDArray[np.float64], groups: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each coalition's sum over its members (last axis), row by row: the same additions, in the
    same order, whatever the leading axes (draws, years)."""
    sums = [
        values.sum(axis=-1) if bool(np.all(mask == 1)) else (values * mask).sum(axis=-1)
        for mask in groups
    ]
    return np.stack(sums, axis=-1)


class _Accumulator:
    """Integer counts and extremes from the chunks, merged in any order. Axes: year, entity."""

    def __init__(self, years: int, entities: int, channels: int) -> None:
        self.met = np.zeros((len(TARGETS), years, entities), dtype=np.int64)
        self.histogram = np.zeros((channels, years, entities, HISTOGRAM_BINS), dtype=np.int64)
        self.low = np.full((channels, years, entities), np.inf)
        self.high = np.full((channels, years, entities), -np.inf)

    def add(self, other: _Accumulator) -> None:
        self.met += other.met
        self.histogram += other.histogram
        np.minimum(self.low, other.low, out=self.low)
        np.maximum(self.high, other.high, out=self.high)


class _Buffers(threading.local):
    """Arrays a thread reuses chunk after chunk: touching a new large array costs more than
    the arithmetic on it."""

    shape: tuple[int, int, int] = (0, 0, 0)

    def get(self, shape: tuple[int, int, int]) -> _Buffers:
        if self.shape != shape:
            self.shape = shape
            self.growth = np.empty(shape)
            self.common = np.empty((*shape[:2], 1))
            self.share = np.empty(shape)
            self.level = np.empty(shape)
            self.work = np.empty(shape)
            self.flags = np.empty(shape, dtype=np.bool_)
            self.position = np.empty(shape)
            self.bins = np.empty(shape, dtype=np.int64)
        return self


_BUFFERS = _Buffers()


def _chunk(
    model: Model, log_median: NDArray[np.float64], seed: int, index: int, n: int
) -> _Accumulator:
    """n draws, laid out (draw, year, country): sums over countries and the walk over years run
    on contiguous memory, in buffers the thread keeps."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index,))))
    countries, years = model.path.shape
    buffers = _BUFFERS.get((CHUNK, years, countries))
    growth, share, level, work = (
        b[:n] for b in (buffers.growth, buffers.share, buffers.level, buffers.work)
    )
    rho = model.correlation
    spread = np.ascontiguousarray((model.growth_sd[:, None] * model.active).T)  # (T, C)
    rng.standard_normal(out=growth)
    growth *= spread * np.sqrt(1 - rho)
    common = rng.standard_normal(out=buffers.common[:n])
    growth += common * (spread * np.sqrt(rho))
    for t in range(1, years):  # the random walk S: a step per year, each over every draw
        growth[:, t] += growth[:, t - 1]
    fx = np.cumsum(model.fx_sd * model.fx_active * rng.standard_normal((n, years)), axis=1)
    slipped = rng.random((n, 1, countries)) < model.slip_probability
    size = model.slip_low + (model.slip_high - model.slip_low) * rng.random((n, 1, countries))
    rise = np.maximum(model.path - model.base_share[:, None], 0).T  # (T, C): increases only
    np.multiply(np.where(slipped, size, 0.0), rise, out=share)  # the undelivered part
    np.subtract(np.ascontiguousarray(model.path.T), share, out=share)
    np.exp(growth, out=level)  # exp(S): GDP drawn over the IMF's
    _follow_gdp(share, growth, level, model.elasticity)  # the share of the IMF's GDP spent
    accumulator = _Accumulator(years, log_median.shape[-1], len(model.channels))
    np.divide(share, level, out=work)  # the share of the GDP drawn
    flags = buffers.flags[:n]
    for k, target in enumerate(TARGETS):
        reached = np.greater_equal(work, target - MEET_TOLERANCE, out=flags)
        accumulator.met[k, :, :countries] = reached.sum(axis=0)
    gdp = np.ascontiguousarray(model.gdp.T)
    spend = share
    spend *= gdp / 100  # in US$ at the median exchange rate (the path's order of operations)
    usd = work
    np.copyto(usd, spend)
    if model.euro.any():  # euro-area members' dollars move with the drawn rate
        dollars_per_euro = np.exp(-fx)[:, :, None]
        np.multiply(usd, dollars_per_euro, out=usd, where=model.euro)
        np.multiply(level, dollars_per_euro, out=level, where=model.euro)
    level *= gdp  # GDP drawn, US$
    group_usd = group_sums(usd, model.groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        group_share = 100 * group_usd / group_sums(level, model.groups)
    for k, target in enumerate(TARGETS):
        accumulator.met[k, :, countries:] = (group_share >= target - MEET_TOLERANCE).sum(axis=0)
    logs = np.log(usd, out=level)  # the GDP drawn is no longer needed
    group_logs = np.log(group_usd)
    position, bins = buffers.position[:n], buffers.bins[:n]
    for j, channel in enumerate(model.channels):  # usd, eur, then ppp (see build_model)
        if channel.name == "usd":
            parts = ((usd, logs, 0), (group_usd, group_logs, countries))
            _histogram(accumulator, j, parts, log_median[j], None, position, bins)
            continue
        if channel.name == "eur":  # every member's euros: its dollars at the drawn rate
            rate = np.exp(fx)[:, :, None] * channel.scale[0, 0]
            values = np.multiply(usd, rate, out=growth)
            parts = ((values, logs, 0), (group_usd * rate, group_logs, countries))
            shift = np.log(rate)  # log(euros) = log(dollars) + log(rate): no second log
            _histogram(accumulator, j, parts, log_median[j], shift, position, bins)
            continue
        values = np.multiply(spend, np.ascontiguousarray(channel.scale.T), out=growth)
        group_values = group_sums(values, model.groups)
        parts = (
            (values, np.log(values, out=work), 0),
            (group_values, np.log(group_values), countries),
        )
        _histogram(accumulator, j, parts, log_median[j], None, position, bins)
    return accumulator


def _follow_gdp(
    share: NDArray[np.float64],
    growth: NDArray[np.float64],
    level: NDArray[np.float64],
    elasticity: float,
) -> None:
    """share *= exp(elasticity * S), with level = exp(S); growth (S) is used as scratch."""
    if elasticity == 0:
        return
    if elasticity == 1:
        share *= level
    elif elasticity == 0.5:
        share *= np.sqrt(level, out=growth)
    else:
        growth *= elasticity
        share *= np.exp(growth, out=growth)


def _histogram(
    accumulator: _Accumulator,
    channel: int,
    parts: tuple[tuple[NDArray[np.float64], NDArray[np.float64], int], ...],
    log_median: NDArray[np.float64],
    log_shift: NDArray[np.float64] | None,
    position: NDArray[np.float64],
    bins: NDArray[np.int64],
) -> None:
    """Count log(value / median path) into the bins of each (year, entity). `parts` are
    (values, logs, first entity) for the countries and for the coalitions; the logs are those of
    the values, or of the values over exp(log_shift) (draw, year) when it is given. `position`
    and `bins` are scratch of the countries' shape."""
    scale = HISTOGRAM_BINS / (2 * HISTOGRAM_HALF_WIDTH)
    years, entities = log_median.shape
    cell = np.arange(years * entities, dtype=np.int64).reshape(years, entities) * HISTOGRAM_BINS
    counts = np.zeros(years * entities * HISTOGRAM_BINS, dtype=np.int64)
    for values, logs, start in parts:
        stop = start + values.shape[-1]
        accumulator.low[channel, :, start:stop] = values.min(axis=0)
        accumulator.high[channel, :, start:stop] = values.max(axis=0)
        here = position if values.shape == position.shape else np.empty(values.shape)
        into = bins if values.shape == bins.shape else np.empty(values.shape, dtype=np.int64)
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = np.nan_to_num((HISTOGRAM_HALF_WIDTH - log_median[:, start:stop]) * scale)
            np.multiply(logs, scale, out=here)
            if log_shift is not None:
                here += log_shift * scale
            here += shift
            np.clip(here, 0, HISTOGRAM_BINS - 1, out=here)
            np.copyto(into, here, casting="unsafe")
        into += cell[:, start:stop]
        counts += np.bincount(into.reshape(-1), minlength=counts.size)
    accumulator.histogram[channel] = counts.reshape(years, entities, HISTOGRAM_BINS)


def _quantiles(
    accumulator: _Accumulator, median: NDArray[np.float64], draws: int
) -> NDArray[np.float64]:
    """(channels, T, E, quantiles), interpolated within a bin, kept within the values drawn."""
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


def _merge(
    total: _Accumulator,
    done: tuple[Future[_Accumulator], int],
    progress: Callable[[int], None] | None,
) -> None:
    future, n = done
    total.add(future.result())
    if progress is not None:
        progress(n)


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
    by_channel = np.moveaxis(median, -1, 0).transpose(0, 2, 1)  # (channels, T, E)
    with np.errstate(divide="ignore"):
        log_median = np.log(by_channel)
    total = _Accumulator(years, entities, len(model.channels))
    sizes = [min(CHUNK, draws - start) for start in range(0, draws, CHUNK)]
    # At most IN_FLIGHT chunks exist at once (memory stays bounded whatever the draws); they are
    # merged in order, and integer sums make the result the same in any order anyway.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        pending: deque[tuple[Future[_Accumulator], int]] = deque()
        for index, n in enumerate(sizes):
            pending.append((pool.submit(_chunk, model, log_median, seed, index, n), n))
            if len(pending) >= IN_FLIGHT:
                _merge(total, pending.popleft(), progress)
        while pending:
            _merge(total, pending.popleft(), progress)
    return Draws(
        draws=draws,
        seed=seed,
        median_path=median,
        path_share=path_share,
        probability=np.moveaxis(total.met / draws, 0, -1).transpose(1, 0, 2),
        quantiles=_quantiles(total, by_channel, draws).transpose(2, 1, 0, 3),
    )


def membership(members: Sequence[Sequence[int]], countries: int) -> NDArray[np.float64]:
    """(G, C) 0/1 matrix from each coalition's country indices."""
    matrix = np.zeros((len(members), countries))
    for row, indices in enumerate(members):
        matrix[row, list(indices)] = 1.0
    return matrix
