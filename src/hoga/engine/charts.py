"""Chart series for the chart APIs: tick, minute, daily, weekly, monthly and yearly bars.

Every series is a list of :class:`SeriesBar`, newest first, each with an integer paging ``key``
that strictly decreases along the list: ``YYYYMMDD`` for day-based bars, the epoch-µs start for
minute bars, the bucket ordinal for tick bars. :func:`page` cuts a series after a cursor (the key
of the last row already sent) and :func:`encode_key` / :func:`decode_key` turn that cursor into
Kiwoom's opaque ``next-key`` and back.

Where the data comes from (documented decisions):
- Daily bars: the synthetic history up to each instrument's snapshot close date (2026-07-21),
  then every day the simulated market recorded (storage), then today's live bar. The calendar
  gap between the snapshot and the first simulated day (e.g. 2026-07-22 … 2026-11-25 when the
  market starts on 2026-11-26) is *not* filled with invented bars: the series jumps from the
  snapshot close to the first recorded day, exactly as a chart does across a trading halt. The
  first simulated day's base price is the snapshot close, so prices connect.
- Weekly / monthly / yearly bars roll the daily bars up (:func:`hoga.domain.bars.aggregate_daily`)
  and are labelled with their first trading day.
- Minute bars: the recorder's 1-minute bars (stored plus the open minute) of every recorded day,
  rolled up into ``scope``-minute bars from KST midnight; ``acc_volume`` restarts each day.
- Tick bars: today's trade ticks (the recorder is flushed first), grouped ``scope`` trades per bar
  counted from the day's first trade, so bar boundaries do not move while paging.
- ``prev_close`` of a daily bar is the previous bar's close (the oldest bar uses its own open);
  of an intraday bar the day's base price. ``upper``/``lower`` are that day's price limits (for
  the 상한/하한 sign codes), None for rolled-up periods.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hoga.domain import bars as dbars
from hoga.domain.kst import US_PER_DAY, at_kst, kst_date
from hoga.domain.limits import price_limits
from hoga.domain.ticks import TickRules
from hoga.engine.quotes import QuoteService
from hoga.ports.storage import DailyBar

__all__ = [
    "FIRST_DAY",
    "ChartService",
    "Page",
    "SeriesBar",
    "day_key",
    "decode_key",
    "encode_key",
    "page",
    "with_prev_closes",
]

#: The oldest date a daily query reaches back to.
FIRST_DAY = date(1990, 1, 1)


@dataclass(frozen=True, slots=True)
class SeriesBar:
    key: int
    day: date
    at: int  # epoch µs: bar start (minutes), last trade (ticks), KST midnight (days)
    open: int
    high: int
    low: int
    close: int
    volume: int
    turnover: int
    prev_close: int
    upper: int | None = None
    lower: int | None = None
    acc_volume: int = 0
    trades: int = 0  # tick bars: how many trades the bar holds


@dataclass(frozen=True, slots=True)
class Page:
    rows: tuple[SeriesBar, ...]
    next_key: int | None  # None: this is the last page


def day_key(d: date) -> int:
    return d.year * 10_000 + d.month * 100 + d.day


def page(series: Sequence[SeriesBar], after: int | None, size: int) -> Page:
    """Up to ``size`` rows of newest-first ``series`` with ``key < after`` (all when None)."""
    if size <= 0:
        raise ValueError(f"page size must be positive, got {size}")
    start = 0
    if after is not None:
        start = len(series)
        for i, bar in enumerate(series):
            if bar.key < after:
                start = i
                break
    rows = tuple(series[start : start + size])
    more = start + size < len(series)
    return Page(rows, rows[-1].key if more and rows else None)


_PREFIX = "hoga1"


def encode_key(api_id: str, key: int) -> str:
    """The opaque ``next-key`` for cursor ``key`` of ``api_id``."""
    raw = f"{_PREFIX}:{api_id}:{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_key(api_id: str, text: str) -> int:
    """The cursor in a ``next-key`` made by :func:`encode_key`; ValueError when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("not a next-key of this server") from exc
    prefix, _, rest = raw.partition(":")
    owner, _, key = rest.partition(":")
    if prefix != _PREFIX or owner != api_id or not key.lstrip("-").isdigit():
        raise ValueError("not a next-key of this query")
    return int(key)


def with_prev_closes(bars: Sequence[DailyBar]) -> list[tuple[DailyBar, int]]:
    """Each bar with the previous bar's close (the first with its own open), oldest first."""
    out: list[tuple[DailyBar, int]] = []
    prev: int | None = None
    for bar in bars:
        out.append((bar, bar.open if prev is None else prev))
        prev = bar.close
    return out


class ChartService:
    """Builds chart series for one instrument at a time (see the module docstring)."""

    def __init__(self, quotes: QuoteService, ticks: TickRules | None = None) -> None:
        self.quotes = quotes
        self.ticks = ticks if ticks is not None else quotes.exchange.ticks

    # ------------------------------------------------------------------ days

    def daily(self, code: str, until: date, period: dbars.Period | None = None) -> list[SeriesBar]:
        """Daily (or rolled-up) bars up to ``until``, newest first."""
        bars = self.quotes.daily(code, FIRST_DAY, until)
        market = self.quotes.state(code).instrument.market
        if period is not None:
            rolled = dbars.aggregate_daily(
                (
                    dbars.DailyBar(b.day, b.open, b.high, b.low, b.close, b.volume, b.turnover)
                    for b in bars
                ),
                period,
            )
            bars = [
                DailyBar(code, r.date, r.open, r.high, r.low, r.close, r.volume, r.turnover)
                for r in rolled
            ]
        out: list[SeriesBar] = []
        for bar, prev in with_prev_closes(bars):
            upper = lower = None
            if period is None and prev > 0:
                lim = price_limits(prev, market, bar.day, self.ticks)
                upper, lower = lim.upper, lim.lower
            out.append(
                SeriesBar(
                    day_key(bar.day),
                    bar.day,
                    at_kst(bar.day),
                    bar.open,
                    bar.high,
                    bar.low,
                    bar.close,
                    bar.volume,
                    bar.turnover,
                    prev,
                    upper,
                    lower,
                )
            )
        out.reverse()
        return out

    # ------------------------------------------------------------------ intraday

    def recorded_days(self, code: str, until: date) -> list[tuple[date, int]]:
        """Days the simulated market recorded for ``code`` up to ``until`` with each day's base
        price (the previous daily close), newest first."""
        state = self.quotes.state(code)
        today = state.board.day
        first = state.instrument.close_date or until
        bars = self.quotes.daily(code, first - timedelta(days=400), until)
        out: list[tuple[date, int]] = []
        prev: int | None = None
        history_end = state.instrument.close_date
        for bar in bars:
            recorded = history_end is None or bar.day > history_end
            if recorded and bar.day != today:
                out.append((bar.day, prev if prev is not None else bar.open))
            prev = bar.close
        if today <= until:
            out.append((today, state.board.base_price))
        out.reverse()
        return out

    def minutes(
        self, code: str, scope: int, until: int, after: int | None, want: int
    ) -> list[SeriesBar]:
        """``scope``-minute bars starting before ``until``, newest first, at least ``want`` rows
        with ``key < after`` when that many exist (older days are read only as needed)."""
        recorder, storage = self.quotes.recorder, self.quotes.storage
        market = self.quotes.state(code).instrument.market
        out: list[SeriesBar] = []
        counted = 0
        for day, base in self.recorded_days(code, kst_date(until)):
            start = at_kst(day)
            ones = recorder.minute_bars(storage, code, start, min(start + US_PER_DAY, until))
            rolled = dbars.aggregate_minutes(
                (
                    dbars.MinuteBar(b.start, b.open, b.high, b.low, b.close, b.volume, b.turnover)
                    for b in ones
                ),
                scope,
            )
            lim = price_limits(base, market, day, self.ticks) if base > 0 else None
            acc = 0
            day_rows: list[SeriesBar] = []
            for b in rolled:
                acc += b.volume
                day_rows.append(
                    SeriesBar(
                        b.start,
                        day,
                        b.start,
                        b.open,
                        b.high,
                        b.low,
                        b.close,
                        b.volume,
                        b.turnover,
                        base,
                        lim.upper if lim else None,
                        lim.lower if lim else None,
                        acc,
                    )
                )
            day_rows.reverse()
            out += day_rows
            counted += sum(1 for r in day_rows if after is None or r.key < after)
            if counted > want:
                break
        return out

    def tick_bars(self, code: str, scope: int) -> list[SeriesBar]:
        """Today's trades in groups of ``scope``, newest first (see the module docstring)."""
        quotes = self.quotes
        state = quotes.state(code)
        day = state.board.day
        quotes.recorder.flush(quotes.storage)
        start = at_kst(day)
        with quotes.storage.unit_of_work() as uow:
            ticks = uow.ticks.range(code, start, start + US_PER_DAY)
        base = state.board.base_price
        lim = state.board.limits
        out: list[SeriesBar] = []
        acc = 0
        for n in range(0, len(ticks), scope):
            group = ticks[n : n + scope]
            prices = [t.price for t in group]
            volume = sum(t.qty for t in group)
            acc += volume
            out.append(
                SeriesBar(
                    n // scope,
                    day,
                    group[-1].at,
                    prices[0],
                    max(prices),
                    min(prices),
                    prices[-1],
                    volume,
                    sum(t.price * t.qty for t in group),
                    base,
                    lim.upper,
                    lim.lower,
                    acc,
                    len(group),
                )
            )
        out.reverse()
        return out
