"""Market data kept from the exchange's event stream: the tape, minute bars and daily bars.

The recorder is an exchange listener. It keeps, per instrument, the most recent trades (for
trade-history queries) and the current minute and day bars in memory, and queues every completed
tick and bar for the storage port; :meth:`MarketDataRecorder.flush` writes the queue in one unit of
work (the runtime calls it about once a second), so intraday ticks and minute bars survive a
restart. The runtime splits it: :meth:`~MarketDataRecorder.flush_begin` takes the queue where
the market runs and :meth:`~MarketDataRecorder.flush_end` writes it from a worker thread, so the
event loop is not held for the storage write; batches still reach storage in order.
Synthetic daily history (before the market ran) comes from
:class:`hoga.engine.history.DailyHistory`; :meth:`MarketDataRecorder.daily_bars` merges both.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from hoga.domain.events import Trade
from hoga.domain.kst import kst_date, kst_minute_start
from hoga.domain.model import FrozenValue, Instrument, Side, interpreted_constructors
from hoga.engine.exchange import SeqEvent
from hoga.engine.history import DailyHistory
from hoga.ports.storage import DailyBar, MinuteBar, Storage, TradeTick

__all__ = ["MarketDataRecorder", "TapeEntry", "carried_bases"]

TAPE_LENGTH = 200
_Batch = tuple[list[TradeTick], list[MinuteBar], list[DailyBar]]


@dataclass(frozen=True, slots=True, init=False)
class TapeEntry(FrozenValue):
    at: int
    price: int
    qty: int
    aggressor: Side | None
    cum_volume: int

    def __init__(
        self,
        at: int,
        price: int,
        qty: int,
        aggressor: Side | None,
        cum_volume: int,
    ) -> None:
        self.at = at  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.aggressor = aggressor  # type: ignore[misc]
        self.cum_volume = cum_volume  # type: ignore[misc]


interpreted_constructors(TapeEntry)


class MarketDataRecorder:
    """Listens to trades; serves recent ticks and bars; persists them in batches."""

    def __init__(self, history: DailyHistory | None = None) -> None:
        self.history = history
        self.tapes: dict[str, deque[TapeEntry]] = {}
        self._minute: dict[str, MinuteBar] = {}
        self._day: dict[str, DailyBar] = {}
        self._volume: dict[str, int] = {}
        self._counter: dict[str, int] = {}
        self._ticks: list[TradeTick] = []
        self._minutes: list[MinuteBar] = []
        self._dirty_days: set[str] = set()
        self._closed_days: list[DailyBar] = []
        self._write_lock = threading.Lock()  # one batch at a time, in the order taken

    # ------------------------------------------------------------------ listening

    def __call__(self, batch: list[SeqEvent]) -> None:
        for _, ev in batch:
            if type(ev) is Trade:
                self._trade(ev)

    def _trade(self, ev: Trade) -> None:
        code, at, price, qty = ev.code, ev.at, ev.price, ev.qty
        n = self._counter.get(code, 0) + 1
        self._counter[code] = n
        self._ticks.append(TradeTick(code, at * 1_000 + n % 1_000, at, price, qty))
        day = kst_date(at)
        bar = self._day.get(code)
        if bar is not None and bar.day != day:
            self._closed_days.append(bar)
            bar = None
            self._volume[code] = 0
        cum = self._volume.get(code, 0) + qty
        self._volume[code] = cum
        tape = self.tapes.get(code)
        if tape is None:
            tape = self.tapes[code] = deque(maxlen=TAPE_LENGTH)
        tape.append(TapeEntry(at, price, qty, ev.aggressor, cum))
        value = price * qty
        if bar is None:
            bar = DailyBar(code, day, price, price, price, price, qty, value)
        else:  # a new bar per trade (quotes compare bars by identity); no replace(): per trade
            high, low = bar.high, bar.low
            bar = DailyBar(
                code,
                day,
                bar.open,
                price if price > high else high,
                price if price < low else low,
                price,
                bar.volume + qty,
                bar.turnover + value,
            )
        self._day[code] = bar
        self._dirty_days.add(code)
        start = kst_minute_start(at)
        minute = self._minute.get(code)
        if minute is not None and minute.start != start:
            self._minutes.append(minute)
            minute = None
        if minute is None:
            minute = MinuteBar(code, start, price, price, price, price, qty, value)
        else:
            high, low = minute.high, minute.low
            minute = MinuteBar(
                code,
                start,
                minute.open,
                price if price > high else high,
                price if price < low else low,
                price,
                minute.volume + qty,
                minute.turnover + value,
            )
        self._minute[code] = minute

    # ------------------------------------------------------------------ persistence

    def pending(self) -> int:
        return len(self._ticks) + len(self._minutes) + len(self._dirty_days)

    def flush(self, storage: Storage) -> int:
        """Write queued ticks, finished and current bars in one unit of work; returns rows."""
        with self._write_lock:
            return self._write(storage, self._drain())

    def flush_begin(self) -> _Batch:
        """The first half of a flush done in two threads: take the queue (call it where the
        market runs; it holds the write lock until :meth:`flush_end`, so batches reach
        storage in the order they were taken, whoever flushes)."""
        self._write_lock.acquire()
        try:
            return self._drain()
        except BaseException:
            self._write_lock.release()
            raise

    def flush_end(self, storage: Storage, batch: _Batch) -> int:
        """The second half: write ``batch`` (any thread) and release the write lock."""
        try:
            return self._write(storage, batch)
        finally:
            self._write_lock.release()

    def _drain(self) -> _Batch:
        ticks, self._ticks = self._ticks, []
        minutes, self._minutes = self._minutes, []
        minutes += [self._minute[c] for c in self._dirty_days if c in self._minute]
        days = self._closed_days + [self._day[c] for c in self._dirty_days]
        self._closed_days = []
        self._dirty_days = set()
        return ticks, minutes, days

    @staticmethod
    def _write(storage: Storage, batch: _Batch) -> int:
        ticks, minutes, days = batch
        if not (ticks or minutes or days):
            return 0
        with storage.unit_of_work() as uow:
            if ticks:
                uow.ticks.add_many(ticks)
            if minutes:
                uow.bars.upsert_minutes(minutes)
            if days:
                uow.bars.upsert_daily(days)
        return len(ticks) + len(minutes) + len(days)

    # ------------------------------------------------------------------ queries

    def tape(self, code: str) -> list[TapeEntry]:
        """Recent trades, newest first."""
        return list(reversed(self.tapes.get(code, ())))

    def today(self, code: str) -> DailyBar | None:
        return self._day.get(code)

    def current_minute(self, code: str) -> MinuteBar | None:
        return self._minute.get(code)

    def minute_bars(self, storage: Storage, code: str, since: int, until: int) -> list[MinuteBar]:
        """Minute bars in ``[since, until)`` from storage plus the unflushed ones."""
        with storage.unit_of_work() as uow:
            stored = {b.start: b for b in uow.bars.minutes(code, since, until)}
        for bar in [*self._minutes, self._minute.get(code)]:
            if bar is not None and bar.code == code and since <= bar.start < until:
                stored[bar.start] = bar
        return [stored[k] for k in sorted(stored)]

    def daily_bars(self, storage: Storage, code: str, first: date, last: date) -> list[DailyBar]:
        """Daily bars from synthetic history, then stored days, then today, oldest first."""
        merged: dict[date, DailyBar] = {}
        if self.history is not None:
            for h in self.history.daily(code):
                if first <= h.date <= last:
                    merged[h.date] = DailyBar(
                        code, h.date, h.open, h.high, h.low, h.close, h.volume, h.turnover
                    )
        with storage.unit_of_work() as uow:
            for bar in uow.bars.daily(code, first, last):
                merged[bar.day] = bar
        today = self._day.get(code)
        if today is not None and first <= today.day <= last:
            merged[today.day] = today
        return [merged[d] for d in sorted(merged)]


def carried_bases(
    storage: Storage, instruments: Iterable[Instrument], day: date, *, lookback_days: int = 400
) -> dict[str, int]:
    """Base prices for trading day ``day`` from the market's own recorded history.

    For each instrument with a recorded daily bar before ``day``, the close of the latest one
    (the KRX rule: the base price is the previous close). Instruments that never traded in this
    database keep their snapshot price (not in the result). A restart in the middle of a day
    therefore comes back with the same base price and limits it had.
    """
    first = day - timedelta(days=lookback_days)
    last = day - timedelta(days=1)
    out: dict[str, int] = {}
    with storage.unit_of_work() as uow:
        for inst in instruments:
            bars = uow.bars.daily(inst.code, first, last)
            if bars:
                out[inst.code] = bars[-1].close
    return out
