"""Price bars (OHLCV) and their aggregation into longer periods.

Invariants:
- Prices are integer won, volume integer shares, turnover integer won; ``low <= open, close <=
  high`` in every bar these functions build (given well-formed input).
- A :class:`MinuteBar` is keyed by ``start``, the epoch-µs start of its KST minute; an N-minute
  bar starts at the N-minute boundary counted from KST midnight (N divides a day, so a bucket
  never spans two days — 1, 3, 5, 10, 15, 30, 45 and 60 all do). Kiwoom's minute charts
  (ka10080, ``tic_scope``) use these sizes.
- A :class:`DailyBar` is keyed by its trading ``date``. Weekly (ISO week), monthly and yearly bars
  (ka10082/ka10083/ka10094) are labelled with the date of the first trading day in the period.
- Aggregation expects bars in ascending time order and merges consecutive bars of one bucket:
  open of the first, close of the last, extreme high and low, summed volume and turnover.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from hoga.domain.kst import SECONDS_PER_DAY, US_PER_SECOND, kst_minute_start, kst_seconds

__all__ = [
    "MINUTE_SCOPES",
    "DailyBar",
    "MinuteBar",
    "Period",
    "aggregate_daily",
    "aggregate_minutes",
]

#: Minute-chart sizes Kiwoom offers (ka10080 ``tic_scope``).
MINUTE_SCOPES = (1, 3, 5, 10, 15, 30, 45, 60)

_US_PER_MINUTE = 60 * US_PER_SECOND


@dataclass(frozen=True, slots=True)
class DailyBar:
    """One trading day's open, high, low, close, volume and turnover (거래대금)."""

    date: dt.date
    open: int
    high: int
    low: int
    close: int
    volume: int
    turnover: int


@dataclass(frozen=True, slots=True)
class MinuteBar:
    """One KST minute (or N minutes) of trading, starting at epoch µs ``start``."""

    start: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    turnover: int

    @classmethod
    def first_trade(cls, t: int, price: int, qty: int) -> MinuteBar:
        """The bar opened by a trade of ``qty`` at ``price`` at time ``t``."""
        return cls(kst_minute_start(t), price, price, price, price, qty, price * qty)

    def covers(self, t: int) -> bool:
        """True when time ``t`` falls in this bar's one-minute window."""
        return self.start <= t < self.start + _US_PER_MINUTE

    def with_trade(self, price: int, qty: int) -> MinuteBar:
        """This bar updated with one more trade (same minute)."""
        return replace(
            self,
            high=max(self.high, price),
            low=min(self.low, price),
            close=price,
            volume=self.volume + qty,
            turnover=self.turnover + price * qty,
        )


class Period(enum.StrEnum):
    """Periods daily bars roll up into."""

    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


_B = TypeVar("_B", DailyBar, MinuteBar)


def _merge(first: _B, last: _B, high: int, low: int, volume: int, turnover: int) -> _B:
    return replace(first, high=high, low=low, close=last.close, volume=volume, turnover=turnover)


def _group(bars: Iterable[_B], key: Callable[[_B], Hashable]) -> list[_B]:
    out: list[_B] = []
    run: list[_B] = []
    current: Hashable = None
    for bar in bars:
        k = key(bar)
        if run and k != current:
            out.append(_combine(run))
            run = []
        current = k
        run.append(bar)
    if run:
        out.append(_combine(run))
    return out


def _combine(run: list[_B]) -> _B:
    return _merge(
        run[0],
        run[-1],
        max(b.high for b in run),
        min(b.low for b in run),
        sum(b.volume for b in run),
        sum(b.turnover for b in run),
    )


def aggregate_minutes(bars: Iterable[MinuteBar], n: int) -> list[MinuteBar]:
    """Roll 1-minute bars up into ``n``-minute bars starting on KST ``n``-minute boundaries.

    ``n`` must divide the 1,440 minutes of a day. Each result keeps the ``start`` of its first
    input bar rounded down to the bucket boundary.
    """
    if n <= 0 or (SECONDS_PER_DAY // 60) % n:
        raise ValueError(f"bar size must divide a day into whole bars, got {n} minutes")
    width = n * _US_PER_MINUTE

    def bucket(bar: MinuteBar) -> int:
        return bar.start - (kst_seconds(bar.start) * US_PER_SECOND) % width

    return [replace(b, start=bucket(b)) for b in _group(bars, bucket)]


def _period_key(period: Period) -> Callable[[DailyBar], Hashable]:
    if period is Period.WEEK:
        return lambda b: b.date.isocalendar()[:2]
    if period is Period.MONTH:
        return lambda b: (b.date.year, b.date.month)
    return lambda b: b.date.year


def aggregate_daily(bars: Iterable[DailyBar], period: Period) -> list[DailyBar]:
    """Roll daily bars up into weekly, monthly or yearly bars (labelled by their first day)."""
    return _group(bars, _period_key(period))
