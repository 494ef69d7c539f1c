"""The simulated exchange: the single writer that owns every book.

All state changes go through this object, from one thread (the event loop), so commands are
applied strictly in order. Time-driven work — session boundaries, the random end of call auctions,
VI auctions, the periodic off-hours uncross, the day roll and the simulated participants — sits in
one timer heap ordered by ``(time, sequence)``. Before any command at time ``t`` the exchange
first runs every timer due at or before ``t`` (:meth:`Exchange.advance_to`), so the state is a pure
function of the seed and the timed command sequence: the same inputs produce byte-identical event
streams.

Events leave through listeners (in-process consumers such as the market-data recorder and the
brokerage) and through the pub/sub port (``market.<code>`` per instrument, ``market`` for
market-wide phases). Order ids below :data:`PARTICIPANT_ID_BASE` belong to customers; the
simulated participants number theirs from it upwards.
"""

from __future__ import annotations

import enum
import heapq
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from hoga.domain.board import Board, BoardPhase
from hoga.domain.events import Event, OrderRejected, RejectReason
from hoga.domain.kst import US_PER_DAY, at_kst, kst_date
from hoga.domain.model import Board as BookKind
from hoga.domain.model import Instrument, NewOrder
from hoga.domain.offhours import ClosePriceBook, SingleSessionBook
from hoga.domain.ticks import TickRules
from hoga.domain.vi import RANDOM_END_MAX_US, ViClass
from hoga.engine.calendar import TradingCalendar
from hoga.engine.participants import Action, Cancel, Participant, Snapshot, profile_for
from hoga.engine.sessiondriver import SessionDriver
from hoga.ports.clock import Clock

__all__ = [
    "PARTICIPANT_ID_BASE",
    "Exchange",
    "InstrumentState",
    "MarketMode",
    "SeqEvent",
]

PARTICIPANT_ID_BASE = 1_000_000_000
#: Participant actions more than this far behind the target time are skipped, not replayed
#: (an operator jumping the clock ahead by days must not replay days of simulated flow).
CATCH_UP_US = 5_000_000

SeqEvent = tuple[int, Event]
Listener = Callable[[list[SeqEvent]], None]


class MarketMode(enum.StrEnum):
    ALWAYS = "always"  # continuous trading at any hour; the day rolls at KST midnight
    CALENDAR = "calendar"  # the real KST schedule; closed on holidays and at night


@dataclass(slots=True)
class InstrumentState:
    """Everything the exchange keeps for one instrument."""

    instrument: Instrument
    board: Board
    participant: Participant | None
    pre_close: ClosePriceBook | None = None
    post_close: ClosePriceBook | None = None
    after_single: SingleSessionBook | None = None
    halted: bool = False
    vi_timer: int | None = None  # the vi_until value a VI-end timer is scheduled for
    acting: bool = False  # a participant timer is pending
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.instrument.code


class Exchange:
    """The simulated KRX exchange (see the module docstring)."""

    def __init__(
        self,
        instruments: Iterable[Instrument],
        *,
        clock: Clock,
        calendar: TradingCalendar,
        seed: int = 1,
        mode: MarketMode = MarketMode.ALWAYS,
        extended_sessions: bool = False,
        participants: bool = True,
        ticks: TickRules | None = None,
        publish: Callable[[str, list[SeqEvent]], None] | None = None,
    ) -> None:
        self.clock = clock
        self.calendar = calendar
        self.ticks = ticks or TickRules()
        self.mode = mode
        self.extended_sessions = extended_sessions
        self.with_participants = participants
        self._instruments = list(instruments)
        self._publish = publish
        self._listeners: list[Listener] = []
        self.seed = seed
        self._build(seed)

    # ------------------------------------------------------------------ setup

    def _build(self, seed: int) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._timers: list[tuple[int, int, str, str]] = []
        self._timer_seq = 0
        self._event_seq = 0
        self._next_pid = [PARTICIPANT_ID_BASE]
        self.now = self.clock.now()
        self.day = kst_date(self.now)
        ranked = sorted(self._instruments, key=lambda i: (-i.volume, i.code))
        rank = {inst.code: n for n, inst in enumerate(ranked)}
        self.states: dict[str, InstrumentState] = {}
        for inst in self._instruments:
            board = Board(
                inst,
                day=self.day,
                base_price=inst.base_price,
                ticks=self.ticks,
                vi_class=ViClass.LARGE if inst.large_cap else ViClass.OTHER,
            )
            part = None
            if self.with_participants and not inst.halted:
                part = Participant(
                    inst, profile_for(inst, rank[inst.code]), seed=seed, ticks=self.ticks
                )
            self.states[inst.code] = InstrumentState(inst, board, part, halted=inst.halted)
        self.driver = SessionDriver(self)
        self.driver.start(self.now)

    def reset(self, seed: int) -> None:
        """Throw away every book and start again from the snapshot with ``seed``."""
        self._build(seed)

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener`` with every batch of sequenced events, in order."""
        self._listeners.append(listener)

    # ------------------------------------------------------------------ timers

    def schedule(self, t: int, kind: str, code: str = "") -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, (t, self._timer_seq, kind, code))

    def next_timer(self) -> int | None:
        return self._timers[0][0] if self._timers else None

    def jitter(self) -> int:
        """A random auction extension in [0, 30 s] from the exchange's seeded generator."""
        return self._rng.randrange(RANDOM_END_MAX_US + 1)

    def advance_to(self, target: int) -> None:
        """Run every timer due at or before ``target``, in order; time never goes back."""
        timers = self._timers
        while timers and timers[0][0] <= target:
            t, _, kind, code = heapq.heappop(timers)
            self.now = max(self.now, t)
            if kind == "act":
                self._act(code, t, target)
            elif kind == "vi":
                self._end_vi(code, t)
            else:
                self.driver.on_timer(kind, code, t)
        self.now = max(self.now, target)

    def sync(self) -> int:
        """Bring the market up to the clock's current time; returns that time."""
        now = self.clock.now()
        self.advance_to(now)
        return now

    # ------------------------------------------------------------------ events

    def emit(self, events: list[Event], code: str = "") -> None:
        """Sequence ``events`` and hand them to listeners and the bus."""
        if not events:
            return
        batch: list[SeqEvent] = []
        for ev in events:
            self._event_seq += 1
            batch.append((self._event_seq, ev))
        for listener in self._listeners:
            listener(batch)
        if self._publish is not None:
            self._publish(f"market.{code}" if code else "market", batch)
        if code:
            self._watch_vi(self.states[code])

    def _watch_vi(self, state: InstrumentState) -> None:
        until = state.board.vi_until
        if until is not None and state.vi_timer != until:
            state.vi_timer = until
            self.schedule(until + self.jitter(), "vi", state.code)

    def _end_vi(self, code: str, t: int) -> None:
        state = self.states[code]
        if state.vi_timer is None or state.board.vi_until != state.vi_timer:
            return
        state.vi_timer = None
        self.emit(state.board.end_vi(t), code)

    # ------------------------------------------------------------------ participants

    def schedule_participant(self, state: InstrumentState, t: int) -> None:
        if state.participant is not None:
            state.acting = True
            self.schedule(t + state.participant.next_delay(), "act", state.code)

    def snapshot(self, state: InstrumentState) -> Snapshot:
        board = state.board
        stats = board.stats
        return Snapshot(
            day=board.day,
            phase=board.phase,
            lower=board.limits.lower,
            upper=board.limits.upper,
            best_bid=stats.best_bid,
            best_ask=stats.best_ask,
        )

    def seed_participant(self, state: InstrumentState, t: int) -> None:
        part = state.participant
        if part is None:
            return
        part.start_day(state.board.base_price)
        self._apply(state, part.seed_orders(self.snapshot(state), self._next_pid), t)
        if not state.acting:
            self.schedule_participant(state, t)

    def _act(self, code: str, t: int, target: int) -> None:
        state = self.states[code]
        part = state.participant
        state.acting = False
        if part is None or state.board.phase is BoardPhase.CLOSED:
            return
        if target - t <= CATCH_UP_US and not state.halted:
            board = state.board
            still = {oid for oid in part.own_orders if board.open_order(oid) is not None}
            self._apply(state, part.act(self.snapshot(state), still, self._next_pid), t)
        self.schedule_participant(state, max(t, target - CATCH_UP_US))

    def _apply(self, state: InstrumentState, actions: list[Action], t: int) -> None:
        board = state.board
        events: list[Event] = []
        for action in actions:
            if isinstance(action, Cancel):
                events += board.cancel(action.order_id, t)
            else:
                events += board.submit(action.order, t)
        self.emit(events, state.code)

    # ------------------------------------------------------------------ commands

    def submit(self, order: NewOrder) -> list[Event]:
        """Enter ``order`` now; returns the events it caused (already emitted)."""
        t = self.sync()
        state = self.states.get(order.code)
        if state is None:
            return self._reject(order.order_id, order.code, RejectReason.UNKNOWN_INSTRUMENT, t)
        book = self._book_for(state, order.type.board)
        if book is None:
            return self._reject(order.order_id, order.code, RejectReason.SESSION_CLOSED, t)
        if state.halted:
            return self._reject(order.order_id, order.code, RejectReason.HALTED, t)
        events = book.submit(order, t)
        self.emit(events, state.code)
        return events

    def cancel(
        self, code: str, order_id: int, qty: int | None = None, kind: BookKind = BookKind.REGULAR
    ) -> list[Event]:
        t = self.sync()
        state = self.states.get(code)
        book = None if state is None else self._book_for(state, kind)
        if state is None or book is None:
            return self._reject(order_id, code, RejectReason.ORDER_NOT_FOUND, t)
        events = book.cancel(order_id, t, qty)
        self.emit(events, code)
        return events

    def modify(
        self,
        code: str,
        order_id: int,
        *,
        price: int | None = None,
        qty: int | None = None,
        kind: BookKind = BookKind.REGULAR,
    ) -> list[Event]:
        t = self.sync()
        state = self.states.get(code)
        book = None if state is None else self._book_for(state, kind)
        if state is None or book is None:
            return self._reject(order_id, code, RejectReason.ORDER_NOT_FOUND, t)
        if isinstance(book, (Board, SingleSessionBook)):
            events = book.modify(order_id, t, price=price, qty=qty)
        elif qty is None:
            return self._reject(order_id, code, RejectReason.NOTHING_TO_CHANGE, t)
        else:
            events = book.modify(order_id, t, qty)
        self.emit(events, code)
        return events

    def _reject(self, order_id: int, code: str, reason: RejectReason, t: int) -> list[Event]:
        events: list[Event] = [OrderRejected(order_id, code, reason, t)]
        self.emit(events)
        return events

    @staticmethod
    def _book_for(
        state: InstrumentState, kind: BookKind
    ) -> Board | ClosePriceBook | SingleSessionBook | None:
        if kind is BookKind.REGULAR:
            return state.board
        if kind is BookKind.PRE_CLOSE:
            return state.pre_close
        if kind is BookKind.POST_CLOSE:
            return state.post_close
        return state.after_single

    # ------------------------------------------------------------------ operator controls

    def halt(self, code: str) -> list[Event]:
        t = self.sync()
        state = self.states[code]
        state.halted = True
        events = state.board.halt(t)
        self.emit(events, code)
        return events

    def resume(self, code: str) -> list[Event]:
        t = self.sync()
        state = self.states[code]
        state.halted = False
        events = state.board.resume(t, self.driver.scheduled_phase(t))
        self.emit(events, code)
        return events

    def set_base_price(self, code: str, price: int) -> list[Event]:
        """Restart ``code``'s day at a new base price (open orders expire; statistics reset)."""
        t = self.sync()
        state = self.states[code]
        board = state.board
        phase = board.phase
        events = board.start_day(board.day, price, t)
        events += board.set_phase(phase, t) if phase is not BoardPhase.CLOSED else []
        self.emit(events, code)
        if state.participant is not None and phase is not BoardPhase.CLOSED:
            self.seed_participant(state, t)
        return events

    def pause_participants(self, code: str, paused: bool = True) -> None:
        part = self.states[code].participant
        if part is not None:
            part.paused = paused

    def set_mode(self, mode: MarketMode) -> None:
        """Switch between the 24/7 market and the real calendar, from the current time."""
        t = self.sync()
        self.mode = mode
        self.driver.switch_mode(t)

    # ------------------------------------------------------------------ queries

    def state(self, code: str) -> InstrumentState | None:
        return self.states.get(code)

    def trading_day(self) -> date:
        return self.day

    def midnight_after(self, t: int) -> int:
        return at_kst(kst_date(t)) + US_PER_DAY
