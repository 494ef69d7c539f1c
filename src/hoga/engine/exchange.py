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

Decisions:
- Instruments the universe marks halted start HALTED (orders are rejected ``HALTED``; cancels
  work); their participants exist but stay quiet until :meth:`Exchange.resume`, which seeds them.
- Catching up: while :meth:`Exchange.advance_to` runs towards a target, participant actions and
  day-start seeding more than :data:`CATCH_UP_US` behind the target are skipped, so a jump of
  days costs a few timers per instrument and day, not days of flow. Session timers always run.
  The stream therefore depends on how the clock is stepped (part of the "command sequence").
- :meth:`Exchange.reset` first emits a market-wide ``reset`` phase event, then rebuilds; the
  event sequence restarts at 1 (as in a fresh exchange).
- Pausing an instrument's participants stops their flow; their resting quotes stay.

Speed (every customer command): :meth:`Exchange.submit` / :meth:`Exchange.cancel` check the timer
heap's head instead of calling :meth:`advance_to` when no timer is due, number a batch with
``enumerate`` (two events, the usual case, as a literal pair list), use the per-instrument topic
string kept on :class:`InstrumentState`, and call :meth:`_watch_vi` only when the board's
``vi_until`` moved. The GC policy for a running engine lives in :mod:`hoga.engine.tuning`.
"""

from __future__ import annotations

import enum
import heapq
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from hoga.domain.board import Board, BoardPhase
from hoga.domain.events import Event, OrderRejected, PhaseChanged, RejectReason
from hoga.domain.kst import US_PER_DAY, at_kst, kst_date
from hoga.domain.model import Board as BookKind
from hoga.domain.model import Instrument, NewOrder, OrderKind
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
    "best_quotes",
]

PARTICIPANT_ID_BASE = 1_000_000_000
#: Participant actions more than this far behind the target time are skipped, not replayed
#: (an operator jumping the clock ahead by days must not replay days of simulated flow).
CATCH_UP_US = 5_000_000

SeqEvent = tuple[int, Event]
_REGULAR: Final = BookKind.REGULAR
#: Order kinds that trade outside the regular board (checked before the board is looked up).
_OFF_BOARD_KINDS: Final = frozenset(
    {OrderKind.PRE_CLOSE, OrderKind.POST_CLOSE, OrderKind.AFTER_SINGLE}
)
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
    acting: bool = False  # a participant timer is pending (at most one per instrument)
    needs_seed: bool = False  # the participant's day-start quotes are still to be placed
    extra: dict[str, int] = field(default_factory=dict)
    topic: str = ""  # the pub/sub topic of the instrument's events (``market.<code>``)

    def __post_init__(self) -> None:
        self.topic = f"market.{self.instrument.code}"

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
        self._target: int | None = None  # the time advance_to is heading for, while it runs
        self._next_pid = [PARTICIPANT_ID_BASE]
        self.now = self.clock.now()
        self.day = kst_date(self.now)
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
            if self.with_participants:
                part = Participant(inst, profile_for(inst), seed=seed, ticks=self.ticks)
            state = InstrumentState(inst, board, part, halted=inst.halted)
            self.states[inst.code] = state
            if inst.halted:
                self.emit(board.halt(self.now), inst.code)
        self.driver = SessionDriver(self)
        self.driver.start(self.now)

    def reset(self, seed: int) -> None:
        """Throw away every book and start again from the snapshot with ``seed``, at the clock's
        current time (see the module docstring)."""
        self.emit([PhaseChanged("", "reset", self.clock.now())])
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
        self._target = target
        try:
            while timers and timers[0][0] <= target:
                t, _, kind, code = heapq.heappop(timers)
                self.now = max(self.now, t)
                if kind == "act":
                    self._act(code, t, target)
                elif kind == "vi":
                    self._end_vi(code, t)
                else:
                    self.driver.on_timer(kind, code, t)
        finally:
            self._target = None
        self.now = max(self.now, target)

    def catching_up(self, t: int) -> bool:
        """True when work at ``t`` lies more than :data:`CATCH_UP_US` behind the target."""
        return self._target is not None and self._target - t > CATCH_UP_US

    def timer_count(self, kind: str, code: str | None = None) -> int:
        """How many timers of ``kind`` (for ``code``, if given) are pending (for tests/ops)."""
        return sum(1 for x in self._timers if x[2] == kind and (code is None or x[3] == code))

    def sync(self) -> int:
        """Bring the market up to the clock's current time; returns that time."""
        now = self.clock.now()
        timers = self._timers
        if timers and timers[0][0] <= now:
            self.advance_to(now)
        elif now > self.now:  # no timer due: the same effect as advance_to, one comparison
            self.now = now
        return now

    # ------------------------------------------------------------------ events

    def emit(self, events: list[Event], code: str = "") -> None:
        """Sequence ``events`` and hand them to listeners and the bus."""
        if not events:
            return
        if code:
            self._emit_for(self.states[code], events)
            return
        batch = self._sequence(events)
        for listener in self._listeners:
            listener(batch)
        if self._publish is not None:
            self._publish("market", batch)

    def _sequence(self, events: list[Event]) -> list[SeqEvent]:
        """Number ``events`` from the next sequence number (two events, the common case of an
        order or a cancel, are paired directly: cheaper than ``enumerate``)."""
        seq = self._event_seq
        n = len(events)
        self._event_seq = seq + n
        if n == 2:
            return [(seq + 1, events[0]), (seq + 2, events[1])]
        if n == 1:
            return [(seq + 1, events[0])]
        first = seq + 1
        return [(first + i, ev) for i, ev in enumerate(events)]

    def _emit_for(self, state: InstrumentState, events: list[Event]) -> None:
        """:meth:`emit` for one instrument's non-empty ``events`` (the per-command hot path)."""
        batch = self._sequence(events)
        for listener in self._listeners:
            listener(batch)
        if self._publish is not None:
            self._publish(state.topic, batch)
        if state.participant is not None:
            state.participant.observe(events)
        until = state.board.vi_until
        if until is not None and state.vi_timer != until:
            self._watch_vi(state)

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
        board = state.board
        events = board.end_vi(t)
        if board.phase is BoardPhase.CLOSED:  # a VI that extended the closing auction
            events += board.expire_all(t)
        self.emit(events, code)

    # ------------------------------------------------------------------ participants

    def schedule_participant(self, state: InstrumentState, t: int) -> None:
        """Schedule the participant's next action unless one is already pending."""
        if state.participant is not None and not state.acting:
            state.acting = True
            self.schedule(t + state.participant.next_delay(), "act", state.code)

    def snapshot(self, state: InstrumentState) -> Snapshot:
        board = state.board
        bid, ask = best_quotes(board)
        return Snapshot(
            day=board.day,
            phase=board.phase,
            lower=board.limits.lower,
            upper=board.limits.upper,
            best_bid=bid,
            best_ask=ask,
        )

    def seed_participant(self, state: InstrumentState, t: int) -> None:
        """A new day (or base price) for ``state``'s participant: re-anchor and quote."""
        part = state.participant
        if part is None:
            return
        part.start_day(state.board.base_price)
        self.requote(state, t)

    def requote(self, state: InstrumentState, t: int) -> None:
        """Fill the participant's ladder now, or mark it to be filled at its next action."""
        part = state.participant
        if part is None:
            return
        state.needs_seed = True
        if self._can_act(state) and not self.catching_up(t):
            state.needs_seed = False
            self._apply(state, part.seed_orders(self.snapshot(state), self._next_pid), t)
        self.schedule_participant(state, t)

    @staticmethod
    def _can_act(state: InstrumentState) -> bool:
        part = state.participant
        phase = state.board.phase
        return (
            part is not None
            and not part.paused
            and not state.halted
            and phase is not BoardPhase.CLOSED
            and phase is not BoardPhase.HALTED
        )

    def _act(self, code: str, t: int, target: int) -> None:
        state = self.states[code]
        part = state.participant
        state.acting = False
        if part is None or state.board.phase is BoardPhase.CLOSED:
            return  # the next session start seeds the participant again
        if target - t <= CATCH_UP_US and self._can_act(state):
            view = self.snapshot(state)
            if state.needs_seed:
                state.needs_seed = False
                actions = part.seed_orders(view, self._next_pid)
            else:
                actions = part.act(view, self._next_pid)
            self._apply(state, actions, t)
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
        # sync() and _emit_for() inlined: this runs for every order (same effect).
        t = self.clock.now()
        timers = self._timers
        if timers and timers[0][0] <= t:
            self.advance_to(t)
        elif t > self.now:
            self.now = t
        state = self.states.get(order.code)
        if state is None or state.halted or order.type.kind in _OFF_BOARD_KINDS:
            return self._submit_other(state, order, t)
        board = state.board
        events = board.submit(order, t)
        seq = self._event_seq  # _sequence() inlined
        n = len(events)
        self._event_seq = seq + n
        if n == 2:
            batch = [(seq + 1, events[0]), (seq + 2, events[1])]
        else:
            first = seq + 1
            batch = [(first + i, ev) for i, ev in enumerate(events)]
        for listener in self._listeners:
            listener(batch)
        if self._publish is not None:
            self._publish(state.topic, batch)
        if state.participant is not None:
            state.participant.observe(events)
        until = board.vi_until
        if until is not None and state.vi_timer != until:
            self._watch_vi(state)
        return events

    def _submit_other(self, state: InstrumentState | None, order: NewOrder, t: int) -> list[Event]:
        """:meth:`submit` off the common path: unknown code, halted, or an off-hours book."""
        if state is None:
            return self._reject(order.order_id, order.code, RejectReason.UNKNOWN_INSTRUMENT, t)
        book = self._book_for(state, order.type.board)
        if book is None:
            why = f"the {order.type.board.value} session is not open"
            return self._reject(order.order_id, order.code, RejectReason.SESSION_CLOSED, t, why)
        if state.halted:
            why = f"trading in {order.code} is halted"
            return self._reject(order.order_id, order.code, RejectReason.HALTED, t, why)
        events = book.submit(order, t)
        if events:
            self._emit_for(state, events)
        return events

    def cancel(
        self, code: str, order_id: int, qty: int | None = None, kind: BookKind = BookKind.REGULAR
    ) -> list[Event]:
        t = self.clock.now()
        timers = self._timers
        if timers and timers[0][0] <= t:
            self.advance_to(t)
        elif t > self.now:
            self.now = t
        state = self.states.get(code)
        if state is None:
            return self._reject(order_id, code, RejectReason.ORDER_NOT_FOUND, t)
        if kind is _REGULAR:
            events = state.board.cancel(order_id, t, qty)  # a direct call when compiled
        else:
            book = self._book_for(state, kind)
            if book is None:
                return self._reject(order_id, code, RejectReason.ORDER_NOT_FOUND, t)
            events = book.cancel(order_id, t, qty)
        if events:
            self._emit_for(state, events)
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

    def _reject(
        self, order_id: int, code: str, reason: RejectReason, t: int, detail: str = ""
    ) -> list[Event]:
        events: list[Event] = [OrderRejected(order_id, code, reason, t, detail)]
        self.emit(events)
        return events

    @staticmethod
    def _book_for(
        state: InstrumentState, kind: BookKind
    ) -> Board | ClosePriceBook | SingleSessionBook | None:
        if kind is _REGULAR:
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
        """Lift a halt into the phase the schedule has now (an auction uncross uses quantity
        priority at a limit); the participant quotes again."""
        t = self.sync()
        state = self.states[code]
        state.halted = False
        events = state.board.resume(t, self.driver.scheduled_phase(t))
        self.emit(events, code)
        self.requote(state, t)
        return events

    def set_base_price(self, code: str, price: int) -> list[Event]:
        """Restart ``code``'s day at a new base price (open orders expire; statistics and
        limits reset; the phase is kept)."""
        if price <= 0:
            raise ValueError(f"a base price must be positive, got {price}")
        t = self.sync()
        state = self.states[code]
        board = state.board
        events = board.start_day(board.day, price, t)
        self.emit(events, code)
        self.seed_participant(state, t)
        return events

    def pause_participants(self, code: str, paused: bool = True) -> None:
        """Stop (or restart) the simulated flow of ``code``; resting quotes stay."""
        self.sync()
        part = self.states[code].participant
        if part is not None:
            part.paused = paused

    def set_mode(self, mode: MarketMode) -> None:
        """Switch between the 24/7 market and the real calendar, from the current time."""
        t = self.sync()
        if mode is self.mode:
            return
        self.mode = mode
        self.driver.switch_mode(t)

    # ------------------------------------------------------------------ queries

    def state(self, code: str) -> InstrumentState | None:
        return self.states.get(code)

    def trading_day(self) -> date:
        return self.day

    def midnight_after(self, t: int) -> int:
        return at_kst(kst_date(t)) + US_PER_DAY


def best_quotes(board: Board) -> tuple[int | None, int | None]:
    """The best bid and ask of ``board``.

    One :attr:`Board.stats` read (about 3 µs; measured cheaper than ``depth(1)``): not a hot
    spot next to a participant's decision (~50 µs), so no private book access is needed.
    """
    stats = board.stats
    return stats.best_bid, stats.best_ask
