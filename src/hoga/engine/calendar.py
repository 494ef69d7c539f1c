"""Trading-day calendars: the real KRX one and an always-open one for the 24/7 mode.

Everything takes and returns ``datetime.date`` (KST calendar days); no pandas object leaves this
module. :class:`KrxCalendar` takes its sessions from the ``exchange_calendars`` library (XKRX:
weekends, Korean public and substitute holidays, election days, Workers' Day, the year-end
closure). Building that calendar takes a second or two, so it happens once per process, on the
first question, and the result is kept as a set of day ordinals.

Outside the range the library is asked for (:data:`KRX_FIRST_DAY` to :data:`KRX_LAST_DAY` by
default; the library itself knows lunar holidays to 2050) :class:`KrxCalendar` falls back to
"every weekday is a trading day": holidays there are unknown.
"""

from __future__ import annotations

import abc
import functools
import warnings
from datetime import date, timedelta

from hoga.errors import ConfigError

__all__ = [
    "KRX_FIRST_DAY",
    "KRX_LAST_DAY",
    "AlwaysCalendar",
    "KrxCalendar",
    "TradingCalendar",
    "make_calendar",
]

#: The default span the KRX calendar is built for; outside it, weekdays are trading days.
KRX_FIRST_DAY = date(2000, 1, 1)
KRX_LAST_DAY = date(2040, 12, 31)

_ONE_DAY = timedelta(days=1)


class TradingCalendar(abc.ABC):
    """Which KST calendar days are trading days, and arithmetic over them.

    Subclasses define :meth:`is_trading_day`; the rest is derived from it.
    """

    @abc.abstractmethod
    def is_trading_day(self, d: date) -> bool:
        """True when the market trades on ``d``."""

    def next_trading_day(self, d: date) -> date:
        """The first trading day strictly after ``d``."""
        d += _ONE_DAY
        while not self.is_trading_day(d):
            d += _ONE_DAY
        return d

    def previous_trading_day(self, d: date) -> date:
        """The last trading day strictly before ``d``."""
        d -= _ONE_DAY
        while not self.is_trading_day(d):
            d -= _ONE_DAY
        return d

    def add_trading_days(self, d: date, n: int) -> date:
        """The ``n``-th trading day after ``d`` (before it for negative ``n``).

        ``d`` itself need not be a trading day. ``n == 0`` gives ``d`` when it is a trading day,
        otherwise the next trading day.
        """
        if n == 0:
            return d if self.is_trading_day(d) else self.next_trading_day(d)
        step = self.next_trading_day if n > 0 else self.previous_trading_day
        for _ in range(abs(n)):
            d = step(d)
        return d

    def settlement_date(self, trade_date: date, days: int = 2) -> date:
        """The settlement day of a trade on ``trade_date`` (T+``days``, counted in trading days)."""
        if days < 0:
            raise ValueError(f"settlement lag must not be negative, got {days}")
        return self.add_trading_days(trade_date, days)

    def trading_days(self, start: date, end: date) -> list[date]:
        """Every trading day from ``start`` to ``end``, both inclusive, in order."""
        out: list[date] = []
        d = start
        while d <= end:
            if self.is_trading_day(d):
                out.append(d)
            d += _ONE_DAY
        return out


class AlwaysCalendar(TradingCalendar):
    """Every calendar day is a trading day (the 24/7 simulated market)."""

    def is_trading_day(self, d: date) -> bool:
        return True

    def next_trading_day(self, d: date) -> date:
        return d + _ONE_DAY

    def previous_trading_day(self, d: date) -> date:
        return d - _ONE_DAY

    def add_trading_days(self, d: date, n: int) -> date:
        return d + timedelta(days=n)

    def trading_days(self, start: date, end: date) -> list[date]:
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]

    def __repr__(self) -> str:
        return "AlwaysCalendar()"


class KrxCalendar(TradingCalendar):
    """The Korea Exchange calendar (``exchange_calendars`` XKRX), loaded lazily and cached.

    Within ``first``…``last`` a day is a trading day when XKRX has a session on it. Before
    ``first`` and after ``last`` the calendar falls back to weekdays (holidays unknown). Instances
    built with the same span share one loaded calendar; :meth:`load` forces the load up front.
    """

    __slots__ = ("_first", "_last")

    def __init__(self, first: date = KRX_FIRST_DAY, last: date = KRX_LAST_DAY) -> None:
        if last < first:
            raise ValueError(f"empty calendar span {first}..{last}")
        self._first = first
        self._last = last

    @property
    def first(self) -> date:
        """First day of the span the library answers for."""
        return self._first

    @property
    def last(self) -> date:
        """Last day of the span the library answers for; later days fall back to weekdays."""
        return self._last

    def load(self) -> None:
        """Build (or fetch from the cache) the XKRX sessions now rather than on first use."""
        _xkrx_sessions(self._first, self._last)

    def is_trading_day(self, d: date) -> bool:
        if self._first <= d <= self._last:
            return d.toordinal() in _xkrx_sessions(self._first, self._last)
        return d.weekday() < 5

    def trading_days(self, start: date, end: date) -> list[date]:
        sessions = _xkrx_sessions(self._first, self._last)
        out: list[date] = []
        first, last = self._first.toordinal(), self._last.toordinal()
        for o in range(start.toordinal(), end.toordinal() + 1):
            known = first <= o <= last
            if (known and o in sessions) or (not known and (o - 1) % 7 < 5):  # Monday = 1
                out.append(date.fromordinal(o))
        return out

    def __repr__(self) -> str:
        return f"KrxCalendar({self._first}, {self._last})"


@functools.cache
def _xkrx_sessions(first: date, last: date) -> frozenset[int]:
    """XKRX session days between ``first`` and ``last`` as ``date`` ordinals."""
    with warnings.catch_warnings():
        # exchange_calendars trips pandas deprecation warnings while building; they are the
        # library's business, and the test suite turns warnings into errors.
        warnings.simplefilter("ignore")
        import exchange_calendars

        cal = exchange_calendars.get_calendar("XKRX", start=first.isoformat(), end=last.isoformat())
        return frozenset(ts.date().toordinal() for ts in cal.sessions)


def make_calendar(spec: str) -> TradingCalendar:
    """``"krx"`` → :class:`KrxCalendar`; ``"always"`` (or ``"24/7"``) → :class:`AlwaysCalendar`."""
    kind = spec.strip().lower()
    if kind == "krx":
        return KrxCalendar()
    if kind in ("always", "24/7"):
        return AlwaysCalendar()
    raise ConfigError(f"unknown calendar {spec!r}; expected 'krx' or 'always'")
