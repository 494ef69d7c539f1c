"""Helpers for the exchange tests: small universes, a recording listener, order builders."""

from __future__ import annotations

import hashlib
from datetime import date

import msgspec

from hoga.clock import ManualClock
from hoga.domain.events import Event, PhaseChanged, Trade
from hoga.domain.kst import at_kst
from hoga.domain.model import TRDE_TP, Instrument, NewOrder, Side
from hoga.domain.sessions import hms
from hoga.engine.calendar import AlwaysCalendar, KrxCalendar, TradingCalendar
from hoga.engine.exchange import Exchange, MarketMode, SeqEvent
from hoga.engine.universe import load_universe

US = 1_000_000
MINUTE = 60 * US
BUY, SELL = Side.BUY, Side.SELL
DAY = date(2026, 7, 22)  # a Wednesday, the day after the universe snapshot


def at(hours: int, minutes: int = 0, seconds: int = 0, day: date = DAY) -> int:
    return at_kst(day, hms(hours, minutes, seconds))


def pick(*codes: str) -> list[Instrument]:
    universe = load_universe()
    return [universe[c] for c in codes]


def busiest(n: int, *, offset: int = 0) -> list[Instrument]:
    """``n`` tradable instruments by traded volume (ties by code), skipping ``offset``."""
    ranked = sorted(
        (i for i in load_universe().values() if not i.halted), key=lambda i: (-i.volume, i.code)
    )
    return ranked[offset : offset + n]


class Recorder:
    """An exchange listener that keeps every (seq, event) and its msgspec JSON bytes."""

    def __init__(self) -> None:
        self.items: list[SeqEvent] = []
        self.blob = bytearray()

    def __call__(self, batch: list[SeqEvent]) -> None:
        for item in batch:
            self.items.append(item)
            self.blob += msgspec.json.encode(item)
            self.blob += b"\n"

    def publish(self, _topic: str, batch: list[SeqEvent]) -> None:
        """The same, as the exchange's pub/sub hook (sees the start-up events too)."""
        self(batch)

    @property
    def events(self) -> list[Event]:
        return [ev for _, ev in self.items]

    def digest(self) -> str:
        return hashlib.sha256(self.blob).hexdigest()

    def of(self, kind: type, code: str | None = None) -> list[Event]:
        return [
            ev
            for ev in self.events
            if isinstance(ev, kind) and (code is None or getattr(ev, "code", None) == code)
        ]

    def trades(self, code: str | None = None) -> list[Trade]:
        return [ev for ev in self.of(Trade, code) if isinstance(ev, Trade)]

    def phases(self, code: str) -> list[str]:
        return [ev.phase for ev in self.of(PhaseChanged, code) if isinstance(ev, PhaseChanged)]

    def clear(self) -> None:
        self.items.clear()
        self.blob.clear()


def order(
    oid: int, code: str, side: Side, tp: str, qty: int, price: int = 0, stop: int = 0
) -> NewOrder:
    return NewOrder(oid, code, side, TRDE_TP[tp], qty, price=price, stop_price=stop)


_KRX = KrxCalendar()


def make(
    instruments: list[Instrument],
    *,
    mode: MarketMode = MarketMode.ALWAYS,
    start: int | None = None,
    seed: int = 7,
    participants: bool = True,
    calendar: TradingCalendar | None = None,
) -> tuple[Exchange, ManualClock, Recorder]:
    clock = ManualClock(at(8) if start is None else start)
    if calendar is None:
        calendar = _KRX if mode is MarketMode.CALENDAR else AlwaysCalendar()
    ex = Exchange(
        instruments,
        clock=clock,
        calendar=calendar,
        seed=seed,
        mode=mode,
        participants=participants,
    )
    rec = Recorder()
    ex.add_listener(rec)
    return ex, clock, rec


def step(ex: Exchange, clock: ManualClock, until: int, every: int = US) -> None:
    """Move the clock to ``until`` in steps of ``every``, syncing the exchange at each."""
    while clock.now() < until:
        clock.set(min(until, clock.now() + every))
        ex.sync()
