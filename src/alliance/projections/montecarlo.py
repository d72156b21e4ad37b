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
the same seed gives the same numbers whatever the order chunks finish in. Within a chunk the
random numbers are drawn first, in one fixed order; the arithmetic then runs block of draws by
block (BLOCK_VALUES values an array, within the cache: a chunk touches little new memory), each
value by the same operations whatever the block, so the block size changes no number.
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

    Part = tuple[NDArray[np.float64], NDArray[np.float64]]  # values (draw, year, entity), logs

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
BLOCK_VALUES: Final = 1 << 17  # values of an array in one block of draws: 1 MiB, within the cache


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
    probability: NDArray[np.float64]  # (E, T, targets); NaN where not summarised
    quantiles: NDArray[np.float64]  # (E, T, channels, quantiles)
    members: bool = True  # False: the coalitions only (the countries' bands and odds are NaN)


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
    if groups.shape == (1, 1) and groups[0, 0] == 1:  # a coalition of one (Russia, a country)
        return values + 0.0  # a sum of one value, as numpy's sum gives it (-0 becomes 0)
    sums = [
        values.sum(axis=-1) if bool(np.all(mask == 1)) else (values * mask).sum(axis=-1)
        for mask in groups
    ]
    return np.stack(sums, axis=-1)


class _Accumulator:
    """Integer counts and extremes from the chunks, merged in any order. Axes: year, entity.

    Held for the entities from `first` on (the ones summarised): a coalition-only run does not
    allocate, zero and merge its members' bins (most of the memory a chunk touches)."""

    def __init__(self, years: int, entities: int, channels: int, first: int = 0) -> None:
        held = entities - first
        self.first = first
        self.met = np.zeros((len(TARGETS), years, held), dtype=np.int64)
        self.histogram = np.zeros((channels, years, held, HISTOGRAM_BINS), dtype=np.int64)
        self.low = np.full((channels, years, held), np.inf)
        self.high = np.full((channels, years, held), -np.inf)

    def add(self, other: _Accumulator) -> None:
        self.met += other.met
        self.histogram += other.histogram
        np.minimum(self.low, other.low, out=self.low)
        np.maximum(self.high, other.high, out=self.high)


class _Buffers(threading.local):
    """Arrays a thread reuses chunk after chunk: touching a new large array costs more than
    the arithmetic on it. Chunk-sized: the random numbers and the bins drawn; block-sized: the
    arithmetic's working arrays."""

    key: tuple[int, ...] = ()

    def get(self, years: int, countries: int, groups: int, channels: int) -> _Buffers:
        block = _block_draws(years, countries)
        key = (years, countries, groups, channels, block)
        if self.key != key:
            self.key = key
            self.normals = np.empty((CHUNK, years, countries))
            self.common = np.empty((CHUNK, years, 1))
            # (channel, year, draw, entity): a year's cells are contiguous when counted
            self.country_bins = np.empty((channels, years, CHUNK, countries), dtype=np.uint32)
            self.group_bins = np.empty((channels, years, CHUNK, groups), dtype=np.uint32)
            self.share = np.empty((block, years, countries))
            self.level = np.empty((block, years, countries))
            self.work = np.empty((block, years, countries))
            self.position = np.empty((block, years, countries))
            self.flags = np.empty((block, years, countries), dtype=np.bool_)
        return self


_BUFFERS = _Buffers()


def _block_draws(years: int, countries: int) -> int:
    return max(1, BLOCK_VALUES // (years * countries))


@dataclass(frozen=True)
class _ChunkDraws:
    """A chunk's random numbers, drawn in one fixed order from its own generator, and what
    follows from them that is small (draw, year) or (draw, country)."""

    normals: NDArray[np.float64]  # (n, T, C) own GDP shocks, standard normal
    common: NDArray[np.float64]  # (n, T, 1) common GDP shocks, standard normal
    fx: NDArray[np.float64]  # (n, T) log EUR/USD walk
    undelivered: NDArray[np.float64]  # (n, 1, C) the slipped fraction of a rise, or 0


def _draw(model: Model, seed: int, index: int, n: int, buffers: _Buffers) -> _ChunkDraws:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index,))))
    countries, years = model.path.shape
    normals = rng.standard_normal(out=buffers.normals[:n])
    common = rng.standard_normal(out=buffers.common[:n])
    fx = np.cumsum(model.fx_sd * model.fx_active * rng.standard_normal((n, years)), axis=1)
    slipped = rng.random((n, 1, countries)) < model.slip_probability
    size = model.slip_low + (model.slip_high - model.slip_low) * rng.random((n, 1, countries))
    return _ChunkDraws(normals, common, fx, np.where(slipped, size, 0.0))


@dataclass(frozen=True)
class _Fixed:
    """What every block of a chunk uses, computed once per chunk: (T, C) arrays unless said."""

    own_spread: NDArray[np.float64]
    common_spread: NDArray[np.float64]
    rise: NDArray[np.float64]  # increases of the path over the latest share only
    path: NDArray[np.float64]
    gdp: NDArray[np.float64]
    gdp_share: NDArray[np.float64]  # gdp / 100
    dollars_per_euro: NDArray[np.float64] | None  # (n, T, 1), None without euro-area members
    eur_rate: NDArray[np.float64] | None  # (n, T, 1) EUR per USD drawn, None without eur
    eur_shift: NDArray[np.float64] | None  # log of eur_rate
    channel_scale: tuple[NDArray[np.float64], ...]  # (T, C) per channel
    bin_shift: tuple[tuple[NDArray[np.float64], NDArray[np.float64]], ...]  # per channel:
    # (countries (T, C), coalitions (T, G)) where log(value / median path) = 0 lands, in bins


BIN_SCALE: Final = HISTOGRAM_BINS / (2 * HISTOGRAM_HALF_WIDTH)


def _fixed(model: Model, draws: _ChunkDraws, log_median: NDArray[np.float64]) -> _Fixed:
    rho = model.correlation
    countries = model.path.shape[0]
    spread = np.ascontiguousarray((model.growth_sd[:, None] * model.active).T)  # (T, C)
    gdp = np.ascontiguousarray(model.gdp.T)
    names = [channel.name for channel in model.channels]
    eur_rate = eur_shift = None
    if "eur" in names:
        eur_rate = np.exp(draws.fx)[:, :, None] * model.channels[names.index("eur")].scale[0, 0]
        eur_shift = np.log(eur_rate)  # log(euros) = log(dollars) + log(rate): no second log
    with np.errstate(divide="ignore", invalid="ignore"):
        bin_shift = tuple(
            (
                np.nan_to_num((HISTOGRAM_HALF_WIDTH - log_median[j][:, :countries]) * BIN_SCALE),
                np.nan_to_num((HISTOGRAM_HALF_WIDTH - log_median[j][:, countries:]) * BIN_SCALE),
            )
            for j in range(len(names))
        )
    return _Fixed(
        own_spread=spread * np.sqrt(1 - rho),
        common_spread=spread * np.sqrt(rho),
        rise=np.maximum(model.path - model.base_share[:, None], 0).T,
        path=np.ascontiguousarray(model.path.T),
        gdp=gdp,
        gdp_share=gdp / 100,
        dollars_per_euro=np.exp(-draws.fx)[:, :, None] if model.euro.any() else None,
        eur_rate=eur_rate,
        eur_shift=eur_shift,
        channel_scale=tuple(np.ascontiguousarray(c.scale.T) for c in model.channels),
        bin_shift=bin_shift,
    )


def _chunk(
    model: Model,
    log_median: NDArray[np.float64],
    seed: int,
    index: int,
    n: int,
    members: bool,
    odds: bool,
) -> _Accumulator:
    """n draws, laid out (draw, year, country): the random numbers first, then the arithmetic
    block of draws by block, in buffers the thread keeps, and the bins counted at the end.
    `members`: the countries' counts too, not only the coalitions'; `odds`: the targets met
    too, not only the bins."""
    countries, years = model.path.shape
    groups = model.groups.shape[0]
    buffers = _BUFFERS.get(years, countries, groups, len(model.channels))
    draws = _draw(model, seed, index, n, buffers)
    fixed = _fixed(model, draws, log_median)
    accumulator = _Accumulator(
        years, countries + groups, len(model.channels), 0 if members else countries
    )
    held = countries - accumulator.first  # the coalitions' first place in the accumulator
    step = _block_draws(years, countries)
    for start in range(0, n, step):
        rows = slice(start, min(start + step, n))
        _block(model, draws, fixed, rows, buffers, accumulator, members, odds)
    for j in range(len(model.channels)):
        if members:
            _count_bins(buffers.country_bins[j, :, :n], accumulator.histogram[j, :, :countries])
        _count_bins(buffers.group_bins[j, :, :n], accumulator.histogram[j, :, held:])
    return accumulator


def _block(
    model: Model,
    draws: _ChunkDraws,
    fixed: _Fixed,
    rows: slice,
    buffers: _Buffers,
    accumulator: _Accumulator,
    members: bool,
    odds: bool,
) -> None:
    """The draws `rows` of the chunk: each value computed by the same operations in the same
    order whatever the block, so that the blocks' size never changes a number. Without
    `members`, what only the countries' own figures need is skipped, without `odds` what only
    the targets met need (the GDP drawn in dollars); the bands come from the same operations
    either way."""
    countries, years = model.path.shape
    n = rows.stop - rows.start
    growth = draws.normals[rows]  # the shocks become S in place
    share, level, work = buffers.share[:n], buffers.level[:n], buffers.work[:n]
    growth *= fixed.own_spread
    growth += np.multiply(draws.common[rows], fixed.common_spread, out=work)
    for t in range(1, years):  # the random walk S: a step per year, each over every draw
        growth[:, t] += growth[:, t - 1]
    np.multiply(draws.undelivered[rows], fixed.rise, out=share)  # the undelivered part
    np.subtract(fixed.path, share, out=share)
    np.exp(growth, out=level)  # exp(S): GDP drawn over the IMF's
    _follow_gdp(share, growth, level, model.elasticity)  # the share of the IMF's GDP spent
    if members and odds:
        np.divide(share, level, out=work)  # the share of the GDP drawn
        flags = buffers.flags[:n]
        for k, target in enumerate(TARGETS):
            reached = np.greater_equal(work, target - MEET_TOLERANCE, out=flags)
            accumulator.met[k, :, :countries] += reached.sum(axis=0)
    spend = share
    spend *= fixed.gdp_share  # in US$ at the median exchange rate (the path's order of operations)
    usd = work
    if fixed.dollars_per_euro is not None:  # euro-area members' dollars move with the drawn rate
        # times 1 for the others: the same numbers as leaving them, without a masked product
        factor = np.where(model.euro, fixed.dollars_per_euro[rows], 1.0)
        np.multiply(spend, factor, out=usd)
        if odds:
            level *= factor
    else:
        np.copyto(usd, spend)
    group_usd = group_sums(usd, model.groups)
    if odds:
        level *= fixed.gdp  # GDP drawn, US$
        with np.errstate(divide="ignore", invalid="ignore"):
            group_share = 100 * group_usd / group_sums(level, model.groups)
        for k, target in enumerate(TARGETS):
            met = accumulator.met[k, :, countries - accumulator.first :]
            met += (group_share >= target - MEET_TOLERANCE).sum(axis=0)
    logs = np.log(usd, out=level) if members else level  # the GDP drawn is no longer needed
    group_logs = np.log(group_usd)
    for j, channel in enumerate(model.channels):  # usd, eur, then ppp (see build_model)
        own: Part | None
        if channel.name == "usd":
            own = (usd, logs) if members else None
            _bin(accumulator, buffers, j, rows, own, (group_usd, group_logs), fixed, None)
            continue
        if channel.name == "eur":  # every member's euros: its dollars at the drawn rate
            assert fixed.eur_rate is not None and fixed.eur_shift is not None
            rate = fixed.eur_rate[rows]
            own = (np.multiply(usd, rate, out=growth), logs) if members else None
            group = (group_usd * rate, group_logs)
            _bin(accumulator, buffers, j, rows, own, group, fixed, fixed.eur_shift[rows])
            continue
        values = np.multiply(spend, fixed.channel_scale[j], out=growth)
        group_values = group_sums(values, model.groups)
        own = (values, np.log(values, out=work)) if members else None
        group = (group_values, np.log(group_values))
        _bin(accumulator, buffers, j, rows, own, group, fixed, None)


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


def _bin(
    accumulator: _Accumulator,
    buffers: _Buffers,
    channel: int,
    rows: slice,
    own: Part | None,
    group: Part,
    fixed: _Fixed,
    log_shift: NDArray[np.float64] | None,
) -> None:
    """The extremes of a block's values, and the bin of log(value / median path) of each into
    the chunk's bins: the countries' (`own`, None when not summarised) and the coalitions'. The
    logs are those of the values, or of the values over exp(log_shift) (draw, year, 1) when it
    is given."""
    countries = buffers.country_bins.shape[-1]
    shifts = fixed.bin_shift[channel]
    bins = (buffers.country_bins[channel, :, rows], buffers.group_bins[channel, :, rows])
    for part, shift, cells, first in zip((own, group), shifts, bins, (0, countries), strict=True):
        if part is None:
            continue
        values, logs = part
        held = first - accumulator.first
        entities = slice(held, held + values.shape[-1])
        low, high = accumulator.low[channel, :, entities], accumulator.high[channel, :, entities]
        np.minimum(low, values.min(axis=0), out=low)
        np.maximum(high, values.max(axis=0), out=high)
        here = buffers.position[: values.shape[0]] if first == 0 else np.empty(values.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            np.multiply(logs, BIN_SCALE, out=here)
            if log_shift is not None:
                here += log_shift * BIN_SCALE
            here += shift
            np.clip(here, 0, HISTOGRAM_BINS - 1, out=here)
        into = cells.transpose(1, 0, 2)  # (draw, year, entity) as the values
        np.copyto(into, here, casting="unsafe")
        into += _entity_offsets(values.shape[-1])  # the entity's first bin in a year's counts


def _entity_offsets(entities: int) -> NDArray[np.uint32]:
    return np.arange(entities, dtype=np.uint32) * np.uint32(HISTOGRAM_BINS)


def _count_bins(cells: NDArray[np.uint32], counts: NDArray[np.int64]) -> None:
    """counts (T, K, bins) += how many of the draws' cells (T, n, K: entity * bins + bin) fall
    in each, year by year (a year's counts stay within the cache)."""
    years, _, entities = cells.shape
    for t in range(years):
        found = np.bincount(cells[t].reshape(-1), minlength=entities * HISTOGRAM_BINS)
        counts[t] += found.reshape(entities, HISTOGRAM_BINS)


def _quantiles(
    accumulator: _Accumulator, median: NDArray[np.float64], draws: int
) -> NDArray[np.float64]:
    """(channels, T, E, quantiles), interpolated within a bin, kept within the values drawn;
    NaN for the entities before the accumulator's first (not summarised)."""
    first = accumulator.first
    counts = accumulator.histogram
    low, high = accumulator.low, accumulator.high
    median = median[:, :, first:]
    cumulative = np.cumsum(counts, axis=-1)
    width = 2 * HISTOGRAM_HALF_WIDTH / HISTOGRAM_BINS
    found = []
    for q in QUANTILES:
        rank = q * draws
        index = _first_reaching(cumulative, rank)
        above = np.take_along_axis(cumulative, index[..., None], axis=-1)[..., 0]
        inside = np.take_along_axis(counts, index[..., None], axis=-1)[..., 0]
        below = above - inside
        fraction = np.where(inside > 0, (rank - below) / np.maximum(inside, 1), 0.5)
        log_ratio = -HISTOGRAM_HALF_WIDTH + (index + fraction) * width
        value = median * np.exp(log_ratio)
        found.append(np.clip(value, low, high))
    quantiles = np.full((*median.shape[:2], first + median.shape[2], len(QUANTILES)), np.nan)
    quantiles[:, :, first:] = np.stack(found, axis=-1)
    return quantiles


def _first_reaching(cumulative: NDArray[np.int64], rank: float) -> NDArray[np.int64]:
    """Per cell, the first bin whose cumulative count reaches `rank` (the last bin holds every
    draw, so one does): a binary search over the bins, not a comparison with every bin."""
    low = np.zeros(cumulative.shape[:-1], dtype=np.int64)
    high = np.full(cumulative.shape[:-1], cumulative.shape[-1] - 1, dtype=np.int64)
    while bool((low < high).any()):
        middle = (low + high) // 2
        reached = np.take_along_axis(cumulative, middle[..., None], axis=-1)[..., 0] >= rank
        high = np.where(reached, middle, high)
        low = np.where(reached, low, middle + 1)
    return low


def _merge(
    total: _Accumulator | None,
    done: tuple[Future[_Accumulator], int],
    progress: Callable[[int], None] | None,
) -> _Accumulator:
    """The chunk's counts added to the total (the first chunk's become the total)."""
    future, n = done
    found = future.result()
    if total is None:
        total = found
    else:
        total.add(found)
    if progress is not None:
        progress(n)
    return total


def run(
    model: Model,
    draws: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    *,
    members: bool = True,
    odds: bool = True,
) -> Draws:
    """`draws` draws of the model, `CHUNK` at a time on `THREADS` threads. `members=False`
    summarises the coalitions only (the countries' bands and probabilities are NaN); `odds=False`
    leaves out the probabilities of meeting the targets (NaN): the figures kept are the same, to
    the bit, for less work."""
    check_draws(draws)
    median, path_share = _paths(model)
    by_channel = np.moveaxis(median, -1, 0).transpose(0, 2, 1)  # (channels, T, E)
    with np.errstate(divide="ignore"):
        log_median = np.log(by_channel)
    total: _Accumulator | None = None
    sizes = [min(CHUNK, draws - start) for start in range(0, draws, CHUNK)]
    # At most IN_FLIGHT chunks exist at once (memory stays bounded whatever the draws); they are
    # merged in order, and integer sums make the result the same in any order anyway.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        pending: deque[tuple[Future[_Accumulator], int]] = deque()
        for index, n in enumerate(sizes):
            chunk = pool.submit(_chunk, model, log_median, seed, index, n, members, odds)
            pending.append((chunk, n))
            if len(pending) >= IN_FLIGHT:
                total = _merge(total, pending.popleft(), progress)
        while pending:
            total = _merge(total, pending.popleft(), progress)
    assert total is not None  # check_draws: at least one draw, so one chunk
    first = total.first
    probability = np.full((first + total.met.shape[2], model.path.shape[1], len(TARGETS)), np.nan)
    if odds:
        probability[first:] = np.moveaxis(total.met / draws, 0, -1).transpose(1, 0, 2)
    return Draws(
        draws=draws,
        seed=seed,
        median_path=median,
        path_share=path_share,
        probability=probability,
        quantiles=_quantiles(total, by_channel, draws).transpose(2, 1, 0, 3),
        members=members,
    )


def membership(members: Sequence[Sequence[int]], countries: int) -> NDArray[np.float64]:
    """(G, C) 0/1 matrix from each coalition's country indices."""
    matrix = np.zeros((len(members), countries))
    for row, indices in enumerate(members):
        matrix[row, list(indices)] = 1.0
    return matrix
