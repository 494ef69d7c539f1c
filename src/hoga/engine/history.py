"""Price history: synthetic daily bars before the snapshot, and minute bars built from trades.

Synthetic daily bars (:func:`generate_daily_bars`, cached per code by :class:`DailyHistory`)
give charts and indicators something to look at before the simulation's first day. They are
made up, deterministically:

- The series covers the KRX trading days (:class:`~hoga.engine.calendar.KrxCalendar`) of the
  ``years`` before the instrument's snapshot close date (``Instrument.close_date``, else
  :data:`SNAPSHOT_DATE`) and ends on that day with ``close == Instrument.base_price`` exactly.
- It is generated backwards from that close with ``random.Random(seed ^ crc32(code))``: same
  seed, same bars; another seed, other bars. Nothing depends on ``hash()`` or on other codes.
- Every price is on the tick grid of its day (the pre-2023-01-25 tables apply before then) and
  inside that day's price limits around the previous close. The one exception is a final close
  that is itself off the grid in the snapshot (a corporate-action-adjusted base price); it is
  kept as given.
- Daily volatility depends on kind and size (ETFs calm, large caps moderate, small KOSDAQ names
  wild); volume scatters around the snapshot volume and grows with the size of the move; the
  final bar carries the snapshot volume itself (a zero-volume final day is flat).

:class:`MinuteBarBuilder` folds live trades into 1-minute bars; ``hoga.domain.bars`` rolls those
up into N-minute bars and daily bars into weeks, months and years.
"""

from __future__ import annotations

import math
import random
import zlib
from bisect import bisect_right
from collections import deque
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from hoga.domain.bars import DailyBar, MinuteBar, Period, aggregate_daily, aggregate_minutes
from hoga.domain.limits import PriceLimits, limit_rate, price_limits
from hoga.domain.model import Instrument, Market
from hoga.domain.ticks import TickRules, TickTable
from hoga.engine.calendar import KrxCalendar, TradingCalendar

__all__ = [
    "DEFAULT_YEARS",
    "SNAPSHOT_DATE",
    "DailyHistory",
    "MinuteBarBuilder",
    "daily_volatility",
    "generate_daily_bars",
    "history_seed",
]

#: Close date assumed for an instrument whose snapshot row has none.
SNAPSHOT_DATE = date(2026, 7, 21)
DEFAULT_YEARS = 3

#: Pull of the walk back towards the snapshot price (per day, on log price), keeps it bounded.
_REVERSION = 0.004
_US_PER_MINUTE = 60_000_000
_MAX_PRICE = 10**10
_MAX_TRIES = 40


def history_seed(seed: int, code: str) -> int:
    """The per-instrument random seed: ``seed`` XOR the CRC-32 of the code (stable everywhere)."""
    return seed ^ zlib.crc32(code.encode("utf-8"))


def daily_volatility(inst: Instrument) -> float:
    """Standard deviation of the synthetic daily log return for ``inst``."""
    if inst.market is Market.ETF:
        return 0.009
    if inst.market is Market.ETN:
        return 0.016
    if inst.kind == "spac":
        return 0.008
    cap = inst.base_price * inst.listed_shares
    base = {Market.KOSPI: 0.018, Market.KOSDAQ: 0.026, Market.KONEX: 0.024}[inst.market]
    if inst.large_cap or cap >= 5_000_000_000_000:
        base *= 0.85
    elif cap < 100_000_000_000:
        base *= 1.35
    if inst.kind == "preferred":
        base *= 1.15
    return base


class _Grid:
    """A tick table prepared for fast lookups (bisect on the band bounds)."""

    __slots__ = ("bounds", "ticks")

    def __init__(self, table: TickTable) -> None:
        self.bounds = [bound for bound, _ in table]
        self.ticks = [tick for _, tick in table]

    def floor(self, p: int) -> int:
        return p - p % self.ticks[bisect_right(self.bounds, p) - 1]

    def ceil(self, p: int) -> int:
        tick = self.ticks[bisect_right(self.bounds, p) - 1]
        rest = p % tick
        return p if rest == 0 else p - rest + tick

    def nearest(self, x: float, lo: int, hi: int) -> int:
        """The grid price nearest to ``x`` clamped into ``[lo, hi]`` (both on the grid).

        Rounding down to the grid never leaves a band (bounds are on every coarser grid), and
        one tick up from there is on the grid too.
        """
        p = round(x)
        if p < lo:
            p = lo
        elif p > hi:
            p = hi
        tick = self.ticks[bisect_right(self.bounds, p) - 1]
        rest = p % tick
        if rest == 0:
            return p
        return p - rest if 2 * rest <= tick else p - rest + tick


_GRIDS: dict[TickTable, _Grid] = {}


def _grid(table: TickTable) -> _Grid:
    grid = _GRIDS.get(table)
    if grid is None:
        grid = _GRIDS[table] = _Grid(table)
    return grid


def _first_day(last: date, years: int) -> date:
    try:
        return last.replace(year=last.year - years)
    except ValueError:  # 29 February
        return last.replace(year=last.year - years, day=28)


def generate_daily_bars(
    inst: Instrument,
    *,
    seed: int,
    years: int = DEFAULT_YEARS,
    calendar: TradingCalendar | None = None,
    end: date | None = None,
    ticks: TickRules | None = None,
) -> tuple[DailyBar, ...]:
    """Synthetic daily bars for ``inst`` over ``years`` years up to ``end`` (see module doc).

    ``end`` defaults to the instrument's close date (else :data:`SNAPSHOT_DATE`); the last bar is
    on the last trading day at or before ``end`` and closes at ``inst.base_price``.
    """
    cal = calendar if calendar is not None else KrxCalendar()
    rules = ticks if ticks is not None else TickRules()
    last = end or inst.close_date or SNAPSHOT_DATE
    days = cal.trading_days(_first_day(last, years), last)
    if not days:
        return ()
    n = len(days)
    rng = random.Random(history_seed(seed, inst.code))
    gauss, uniform = rng.gauss, rng.random
    market = inst.market
    sigma = daily_volatility(inst)
    target = math.log(inst.base_price)
    # A day's limits depend on it only through its tick table and limit rate (its "regime").
    regimes: dict[tuple[TickTable, Decimal], int] = {}
    regime: list[int] = []
    grids: list[_Grid] = []
    for d in days:
        table = rules.table(market, d)
        regime.append(regimes.setdefault((table, limit_rate(market, d)), len(regimes)))
        grids.append(_grid(table))
    memo: dict[tuple[int, int], PriceLimits] = {}

    def limits(i: int, base: int) -> PriceLimits:
        key = (base, regime[i])
        found = memo.get(key)
        if found is None:
            found = memo[key] = price_limits(base, market, days[i], rules)
        return found

    # closes[i + 1] is the close of days[i]; closes[0], the close before the first day, gives
    # the first bar its limits. Walk backwards: draw the previous close on the previous day's
    # grid, pulled towards the snapshot price, and move it closer until today's close fits.
    closes = [0] * (n + 1)
    closes[n] = inst.base_price
    day_limits: list[PriceLimits] = [PriceLimits(0, 0)] * n
    prev_grid = _grid(rules.table(market, cal.previous_trading_day(days[0])))
    for i in range(n - 1, -1, -1):
        grid = grids[i - 1] if i else prev_grid
        close = closes[i + 1]
        shock = gauss(0.0, sigma) * (2.5 if uniform() < 0.04 else 1.0)
        pull = _REVERSION * (math.log(close) - target)
        prev = grid.nearest(close * math.exp(-shock - pull), 1, _MAX_PRICE)
        lim = limits(i, prev)
        tries = 0
        while not lim.lower <= close <= lim.upper:
            if tries == _MAX_TRIES:
                raise RuntimeError(f"no previous close fits {inst.code} {close} on {days[i]}")
            tries += 1
            # halve the distance; in the end take the grid price next to the close itself
            prev = grid.nearest((prev + close) / 2 if tries < _MAX_TRIES else close, 1, _MAX_PRICE)
            lim = limits(i, prev)
        closes[i] = prev
        day_limits[i] = lim
    bars: list[DailyBar] = []
    base_volume = inst.volume if inst.volume > 0 else max(inst.listed_shares // 2_000, 100)
    lot = max(inst.lot_size, 1)
    exp, log = math.exp, math.log
    for i in range(n):
        day, prev, close, grid = days[i], closes[i], closes[i + 1], grids[i]
        final = i == n - 1
        if final and inst.volume == 0:
            bars.append(DailyBar(day, close, close, close, close, 0, 0))
            continue
        lo, hi = day_limits[i].lower, day_limits[i].upper
        # open: a small gap; wicks: exponential excursions beyond the open-close body
        open_ = grid.nearest(prev * exp((uniform() + uniform() - 1.0) * sigma * 0.6), lo, hi)
        top, bottom = max(open_, close), min(open_, close)
        wick_up = -log(1.0 - uniform()) * sigma * 0.5
        wick_down = -log(1.0 - uniform()) * sigma * 0.5
        high = grid.ceil(max(grid.nearest(top * exp(wick_up), lo, hi), top))
        low = grid.floor(min(grid.nearest(bottom * exp(-wick_down), lo, hi), bottom))
        if final:
            volume = inst.volume
        else:
            move = abs(log(close / prev)) / sigma
            noise = exp((uniform() + uniform() + uniform() - 1.5) * 0.8)
            volume = int(base_volume * noise * (0.75 + 0.25 * move))
            volume -= volume % lot
        turnover = volume * ((high + low + 2 * close) // 4)
        bars.append(DailyBar(day, open_, high, low, close, volume, turnover))
    return tuple(bars)


class DailyHistory:
    """Synthetic daily bars per code, generated on first request and cached.

    ``instruments`` maps code → :class:`Instrument` (a :class:`~hoga.engine.universe.Universe`
    fits). The calendar defaults to :class:`KrxCalendar`, whose first use loads the XKRX sessions
    (a second or two, once per process); after that one instrument's three years take about
    5 ms. Nothing is generated up front.
    """

    __slots__ = ("_cache", "_calendar", "_instruments", "_seed", "_ticks", "_years")

    def __init__(
        self,
        instruments: Mapping[str, Instrument],
        *,
        seed: int,
        years: int = DEFAULT_YEARS,
        calendar: TradingCalendar | None = None,
        ticks: TickRules | None = None,
    ) -> None:
        if years < 0:
            raise ValueError(f"years must not be negative, got {years}")
        self._instruments = instruments
        self._seed = seed
        self._years = years
        self._calendar = calendar if calendar is not None else KrxCalendar()
        self._ticks = ticks if ticks is not None else TickRules()
        self._cache: dict[str, tuple[DailyBar, ...]] = {}

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def years(self) -> int:
        return self._years

    def daily(self, code: str) -> tuple[DailyBar, ...]:
        """The daily bars of ``code``, oldest first (KeyError for an unknown code)."""
        bars = self._cache.get(code)
        if bars is None:
            bars = generate_daily_bars(
                self._instruments[code],
                seed=self._seed,
                years=self._years,
                calendar=self._calendar,
                ticks=self._ticks,
            )
            self._cache[code] = bars
        return bars

    def aggregated(self, code: str, period: Period) -> list[DailyBar]:
        """Weekly, monthly or yearly bars of ``code`` built from its daily bars."""
        return aggregate_daily(self.daily(code), period)

    def cached_codes(self) -> tuple[str, ...]:
        """Codes generated so far, in the order they were first asked for."""
        return tuple(self._cache)


class MinuteBarBuilder:
    """Folds one instrument's trades into 1-minute bars (KST minutes).

    Trades must arrive in time order. ``add`` returns the bar a trade completes by opening a
    new minute; ``roll(t)`` completes the open bar once time ``t`` has left its minute (for a
    timer at minute ends). ``maxlen`` bounds how many completed bars are kept (oldest dropped).
    Minutes without trades have no bar.
    """

    __slots__ = ("_current", "_done")

    def __init__(self, maxlen: int | None = None) -> None:
        self._done: deque[MinuteBar] = deque(maxlen=maxlen)
        self._current: MinuteBar | None = None

    @property
    def current(self) -> MinuteBar | None:
        """The bar of the minute in progress, if it has had a trade."""
        return self._current

    def add(self, t: int, price: int, qty: int) -> MinuteBar | None:
        """Record a trade of ``qty`` at ``price`` at time ``t`` (epoch µs)."""
        if price <= 0 or qty <= 0:
            raise ValueError(f"trade needs a positive price and quantity, got {price} x {qty}")
        cur = self._current
        if cur is not None and cur.covers(t):
            self._current = cur.with_trade(price, qty)
            return None
        if cur is not None and t < cur.start:
            raise ValueError(f"trade at {t} is older than the open bar at {cur.start}")
        self._current = MinuteBar.first_trade(t, price, qty)
        if cur is not None:
            self._done.append(cur)
        return cur

    def roll(self, t: int) -> MinuteBar | None:
        """Complete and return the open bar if time ``t`` is past its minute, else None."""
        cur = self._current
        if cur is None or t < cur.start + _US_PER_MINUTE:
            return None
        self._done.append(cur)
        self._current = None
        return cur

    def completed(self) -> tuple[MinuteBar, ...]:
        """Completed bars, oldest first."""
        return tuple(self._done)

    def bars(self) -> list[MinuteBar]:
        """Completed bars plus the open one, oldest first."""
        out = list(self._done)
        if self._current is not None:
            out.append(self._current)
        return out

    def aggregated(self, n: int) -> list[MinuteBar]:
        """All bars (open one included) rolled up into ``n``-minute bars."""
        return aggregate_minutes(self.bars(), n)
