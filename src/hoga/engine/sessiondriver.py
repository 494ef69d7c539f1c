"""Drives every board through the day: session boundaries, auction ends, the day roll.

Two market modes (:class:`hoga.engine.exchange.MarketMode`):
- ``always``: every board trades continuously at any hour. At KST midnight the day rolls: open
  orders expire, the last price becomes the close and the new base price (carried forward when
  nothing traded), limits and statistics reset, settlement dates advance with the calendar.
- ``calendar``: the dated KRX schedule (:mod:`hoga.domain.sessions`) on the trading days of the
  exchange calendar. 08:30 starts the day (new base = previous close) with the pre-open
  closing-price session and the opening call auction; 09:00 uncrosses each board after its own
  random end (0–30 s); 15:20 starts the closing auction, 15:30 (+ random end) sets the close and
  expires the day's regular orders; 15:40–16:00 trades at the close; 16:00–18:00 is the single
  price session, uncrossed every 10 minutes. With the 2026 extended schedule switched on the
  07:00–08:00 pre-market and 16:00–20:00 after-market trade continuously on the regular board
  and their orders expire at the end of each session.

Decisions:
- The new base price of a day is the previous day's close: in ``calendar`` mode the closing
  auction's price (``stats.close``; later after-market trades do not change it), in ``always``
  mode the last trade before midnight (there is no closing auction), else the old base price.
- A board already on the day being started is left alone (so starting the exchange, or a mode
  switch, mid-day never restarts a day that has traded).
- A VI that extends the closing auction ends in CLOSED; the day's orders expire then (the
  exchange's VI timer), not at the scheduled close.
- Halted boards keep HALTED through every phase change (their orders still expire at the close
  and at the day start); :meth:`Exchange.resume` puts them into :meth:`scheduled_phase`.
- Switching mode drops the pending session timers; leaving ``calendar`` closes the off-hours books
  (their orders expire); entering it at a closed time closes the boards and expires their orders.

Timer kinds handled here: ``day`` (midnight), ``b`` (a boundary, ``code`` = ``kind:start|end``),
``open`` / ``close`` (one board's random auction end) and ``single`` (an off-hours uncross).
"""

from __future__ import annotations

import heapq
from datetime import date
from typing import TYPE_CHECKING

from hoga.domain.board import BoardPhase
from hoga.domain.events import Event, PhaseChanged
from hoga.domain.kst import US_PER_DAY, at_kst, kst_date, kst_seconds
from hoga.domain.model import OrderKind
from hoga.domain.offhours import ClosePriceBook, SingleSessionBook
from hoga.domain.sessions import RegularPhase, Schedule, SessionKind, regular_phase_at, schedule_for

if TYPE_CHECKING:
    from hoga.engine.exchange import Exchange, InstrumentState

__all__ = ["SessionDriver"]

_K = SessionKind
_PHASE = {
    RegularPhase.CLOSED: BoardPhase.CLOSED,
    RegularPhase.OPENING_AUCTION: BoardPhase.OPENING_AUCTION,
    RegularPhase.CONTINUOUS: BoardPhase.CONTINUOUS,
    RegularPhase.CLOSING_AUCTION: BoardPhase.CLOSING_AUCTION,
}
_DRIVER_TIMERS = frozenset({"day", "b", "open", "close", "single"})
_OFFHOURS = ("pre_close", "post_close", "after_single")


class SessionDriver:
    """Session logic of one :class:`Exchange` (see the module docstring)."""

    def __init__(self, exchange: Exchange) -> None:
        self.ex = exchange
        self._begun: date | None = None

    # ------------------------------------------------------------------ helpers

    def _always(self) -> bool:
        return self.ex.mode.value == "always"

    def schedule_of(self, day: date) -> Schedule:
        return schedule_for(day, extended=self.ex.extended_sessions)

    def _states(self) -> list[InstrumentState]:
        return list(self.ex.states.values())

    def _emit(self, state: InstrumentState, events: list[Event]) -> None:
        self.ex.emit(events, state.code)

    def _market_event(self, phase: str, t: int) -> None:
        self.ex.emit([PhaseChanged("", phase, t)])

    def scheduled_phase(self, t: int) -> BoardPhase:
        """The phase the regular boards should be in at ``t`` under the current mode."""
        if self._always():
            return BoardPhase.CONTINUOUS
        day = kst_date(t)
        if not self.ex.calendar.is_trading_day(day):
            return BoardPhase.CLOSED
        schedule = self.schedule_of(day)
        secs = kst_seconds(t)
        active = schedule.active_at(secs)
        if _K.PRE_MARKET in active or _K.AFTER_MARKET in active:
            return BoardPhase.CONTINUOUS
        return _PHASE[regular_phase_at(schedule, secs)]

    # ------------------------------------------------------------------ entering a mode

    def start(self, t: int) -> None:
        self._enter(t)

    def switch_mode(self, t: int) -> None:
        ex = self.ex
        ex._timers[:] = [x for x in ex._timers if x[2] not in _DRIVER_TIMERS]
        heapq.heapify(ex._timers)
        if self._always():
            for which in _OFFHOURS:
                self._end_books(t, which)
        self._enter(t)

    def _enter(self, t: int) -> None:
        day = kst_date(t)
        self.ex.day = day
        self.ex.schedule(at_kst(day) + US_PER_DAY, "day")
        phase = self.scheduled_phase(t)
        if phase is not BoardPhase.CLOSED:
            self._begin_day(day, t)
        for state in self._states():
            self._set_phase(state, phase, t)
            if phase is BoardPhase.CLOSED:
                self._emit(state, state.board.expire_all(t))
            else:
                self.ex.seed_participant(state, t)
        if not self._always() and self.ex.calendar.is_trading_day(day):
            self._schedule_boundaries(day, t)
            self._open_offhours(day, t)

    def _schedule_boundaries(self, day: date, after: int) -> None:
        midnight = at_kst(day)
        for b in self.schedule_of(day).boundaries():
            at = midnight + b.seconds * 1_000_000
            if at > after:
                self.ex.schedule(at, "b", f"{b.kind.value}:{'start' if b.starts else 'end'}")

    def _open_offhours(self, day: date, t: int) -> None:
        active = self.schedule_of(day).active_at(kst_seconds(t))
        if _K.PRE_CLOSE_PRICE in active:
            self._start_close_books(t, pre=True)
        if _K.POST_CLOSE_PRICE in active:
            self._start_close_books(t, pre=False)
        if _K.AFTER_SINGLE in active:
            self._start_single(day, t)

    # ------------------------------------------------------------------ timers

    def on_timer(self, kind: str, code: str, t: int) -> None:
        if kind == "day":
            self._midnight(t)
        elif kind == "b":
            name, edge = code.split(":")
            self._boundary(SessionKind(name), edge == "start", t)
        elif kind == "open":
            self._set_phase(self.ex.states[code], BoardPhase.CONTINUOUS, t)
        elif kind == "close":
            state = self.ex.states[code]
            self._set_phase(state, BoardPhase.CLOSED, t)
            if state.board.phase is not BoardPhase.VI_AUCTION:
                self._emit(state, state.board.expire_all(t))
        elif kind == "single":
            for state in self._states():
                if state.after_single is not None:
                    self._emit(state, state.after_single.uncross(t))

    def _midnight(self, t: int) -> None:
        day = kst_date(t)
        self.ex.day = day
        self.ex.schedule(at_kst(day) + US_PER_DAY, "day")
        self._market_event("day_start", t)
        if self._always():
            self._begin_day(day, t)
            for state in self._states():
                self.ex.seed_participant(state, t)
        elif self.ex.calendar.is_trading_day(day):
            self._schedule_boundaries(day, t - 1)

    def close_of(self, state: InstrumentState) -> int:
        """The price the next day is based on (see the module docstring)."""
        stats = state.board.stats
        if self._always():
            return stats.last or stats.close or stats.base_price
        return stats.close or stats.last or stats.base_price

    def _begin_day(self, day: date, t: int) -> None:
        """Start trading day ``day`` on every board: new base price = the previous close."""
        if self._begun == day:
            return
        self._begun = day
        for state in self._states():
            board = state.board
            if board.day == day:
                continue
            events = board.start_day(day, self.close_of(state), t)  # expires leftovers
            if board.phase is BoardPhase.VI_AUCTION:  # a VI running over midnight ends with it
                events += board.end_vi(t)
            self._emit(state, events)

    def _set_phase(self, state: InstrumentState, phase: BoardPhase, t: int) -> None:
        if state.halted:
            return
        self._emit(state, state.board.set_phase(phase, t))

    def _all_phase(self, phase: BoardPhase, t: int) -> None:
        for state in self._states():
            self._set_phase(state, phase, t)

    def _boundary(self, kind: SessionKind, starts: bool, t: int) -> None:
        day = kst_date(t)
        self._market_event(f"{kind.value}_{'start' if starts else 'end'}", t)
        if kind in (_K.PRE_MARKET, _K.AFTER_MARKET):
            if starts:
                if kind is _K.PRE_MARKET:
                    self._begin_day(day, t)
                self._all_phase(BoardPhase.CONTINUOUS, t)
                for state in self._states():
                    self.ex.seed_participant(state, t)
            else:
                for state in self._states():
                    self._emit(state, state.board.expire_all(t))
                self._all_phase(BoardPhase.CLOSED, t)
        elif kind is _K.PRE_CLOSE_PRICE:
            if starts:
                self._begin_day(day, t)
                self._start_close_books(t, pre=True)
            else:
                self._end_books(t, "pre_close")
        elif kind is _K.OPENING_AUCTION and starts:
            self._begin_day(day, t)
            self._all_phase(BoardPhase.OPENING_AUCTION, t)
            for state in self._states():
                self.ex.seed_participant(state, t)
        elif kind is _K.CONTINUOUS and starts:
            for state in self._states():
                self.ex.schedule(t + self.ex.jitter(), "open", state.code)
        elif kind is _K.CLOSING_AUCTION:
            if starts:
                self._all_phase(BoardPhase.CLOSING_AUCTION, t)
            else:
                for state in self._states():
                    self.ex.schedule(t + self.ex.jitter(), "close", state.code)
        elif kind is _K.POST_CLOSE_PRICE:
            if starts:
                self._start_close_books(t, pre=False)
            else:
                self._end_books(t, "post_close")
        elif kind is _K.AFTER_SINGLE:
            if starts:
                self._start_single(day, t)
            else:
                self._end_books(t, "after_single")

    # ------------------------------------------------------------------ off-hours books

    def _start_close_books(self, t: int, *, pre: bool) -> None:
        for state in self._states():
            board = state.board
            inst = state.instrument
            if pre:
                state.pre_close = ClosePriceBook(
                    inst.code, board.base_price, kind=OrderKind.PRE_CLOSE, lot_size=inst.lot_size
                )
            else:
                state.post_close = ClosePriceBook(
                    inst.code,
                    self.close_of(state),
                    kind=OrderKind.POST_CLOSE,
                    lot_size=inst.lot_size,
                )

    def _start_single(self, day: date, t: int) -> None:
        for state in self._states():
            board = state.board
            inst = state.instrument
            state.after_single = SingleSessionBook(
                inst.code,
                self.close_of(state),
                board.limits,
                self.ex.ticks,
                inst.market,
                day,
                lot_size=inst.lot_size,
            )
        for secs in self.schedule_of(day).after_single_uncross_times():
            at = at_kst(day) + secs * 1_000_000
            if at > t:
                self.ex.schedule(at, "single")

    def _end_books(self, t: int, which: str) -> None:
        for state in self._states():
            book = getattr(state, which)
            if book is None:
                continue
            if isinstance(book, SingleSessionBook):
                self._emit(state, book.uncross(t))
            self._emit(state, book.expire_all(t))
            setattr(state, which, None)
