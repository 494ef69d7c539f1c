"""Simulated market participants: one market maker and one taker per instrument.

Each instrument gets a :class:`Participant` with its own ``random.Random`` seeded from the market
seed and a stable hash of the code, so an instrument's behaviour does not depend on which other
instruments exist or in what order they act. The participant only *decides*; the exchange applies
its decisions through the same validation every customer order goes through, so simulated orders
obey every tick, limit, session and VI rule.

Behaviour per action (continuous trading):
- the fair value takes a log-normal step (volatility by kind and size) with a pull back toward the
  day's base price, and stays inside the price limits;
- the market maker keeps up to ``levels`` price levels on each side around the fair value: it
  cancels quotes that have drifted to the wrong side or too far away and fills missing levels;
- with some probability a taker sends a marketable IOC limit order through the best price, its
  side leaning toward the fair value.
During call auctions the maker only adds limit orders near the fair value (no IOC); when the
board is closed, halted or paused the participant does nothing.

The participant keeps track of its own working orders from the events the exchange hands it
(:meth:`Participant.observe`: fills, cancels, rejections), so acting never has to query the book
for them. Quantities are whole multiples of the instrument's lot size.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass
from datetime import date

from hoga.domain.board_orders import BoardPhase
from hoga.domain.events import Event, OrderCancelled, OrderRejected, Trade
from hoga.domain.model import (
    TRDE_TP,
    FrozenValue,
    Instrument,
    Market,
    NewOrder,
    Side,
    interpreted_constructors,
)
from hoga.domain.ticks import TickRules

__all__ = [
    "ACTIVE_VOLUME",
    "BUSY_VOLUME",
    "Action",
    "Cancel",
    "Participant",
    "Place",
    "Profile",
    "Snapshot",
    "profile_for",
    "stable_seed",
]

_LIMIT = TRDE_TP["0"]
_LIMIT_IOC = TRDE_TP["10"]


@dataclass(frozen=True, slots=True)
class Profile:
    """How an instrument's simulated flow behaves."""

    mean_interval_us: int  # mean time between actions (exponential)
    daily_sigma: float  # daily volatility of the fair value (log returns)
    lot: int  # typical quote size in shares
    take_probability: float  # chance that an action includes a taker order
    levels: int = 10


@dataclass(frozen=True, slots=True, init=False)
class Snapshot(FrozenValue):
    """What a participant sees of its board before acting (one per action: a
    :class:`~hoga.domain.model.FrozenValue`, like :class:`Place` and :class:`Cancel`)."""

    day: date
    phase: BoardPhase
    lower: int
    upper: int
    best_bid: int | None
    best_ask: int | None

    def __init__(
        self,
        day: date,
        phase: BoardPhase,
        lower: int,
        upper: int,
        best_bid: int | None,
        best_ask: int | None,
    ) -> None:
        self.day = day  # type: ignore[misc]
        self.phase = phase  # type: ignore[misc]
        self.lower = lower  # type: ignore[misc]
        self.upper = upper  # type: ignore[misc]
        self.best_bid = best_bid  # type: ignore[misc]
        self.best_ask = best_ask  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class Place(FrozenValue):
    order: NewOrder

    def __init__(self, order: NewOrder) -> None:
        self.order = order  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class Cancel(FrozenValue):
    order_id: int

    def __init__(self, order_id: int) -> None:
        self.order_id = order_id  # type: ignore[misc]


interpreted_constructors(Snapshot, Place, Cancel)


Action = Place | Cancel


def stable_seed(seed: int, code: str) -> int:
    """A per-instrument seed that is stable across runs and Python processes."""
    return (seed * 1_000_003) ^ zlib.crc32(code.encode("utf-8"))


#: Daily volume (shares) from which an instrument counts as busy / active. In the 2026-07-21
#: snapshot about 200 names trade 1,000,000+ shares a day and about 1,000 trade 150,000+.
BUSY_VOLUME = 1_000_000
ACTIVE_VOLUME = 150_000


def profile_for(instrument: Instrument) -> Profile:
    """The flow profile of an instrument, from its kind and its own daily volume.

    Busy names (:data:`BUSY_VOLUME`) act about every 2 s, active ones (:data:`ACTIVE_VOLUME`)
    every ~8 s, the rest every ~40 s. Only the instrument itself counts, so its flow does not
    change with the set of instruments the exchange trades.
    """
    volume = instrument.volume
    if volume >= BUSY_VOLUME:
        interval = 2_000_000
    elif volume >= ACTIVE_VOLUME:
        interval = 8_000_000
    else:
        interval = 40_000_000
    if instrument.market in (Market.ETF, Market.ETN):
        sigma = 0.008
    elif instrument.large_cap:
        sigma = 0.018
    elif instrument.market is Market.KOSPI:
        sigma = 0.025
    else:
        sigma = 0.035
    actions_per_day = max(1.0, 86_400_000_000 / interval)
    typical = instrument.volume / actions_per_day / 3 if instrument.volume else 1.0
    lot = max(1, min(int(typical), max(1, 50_000_000 // max(instrument.base_price, 1))))
    return Profile(interval, sigma, lot, 0.35 if volume >= ACTIVE_VOLUME else 0.25)


class Participant:
    """The simulated flow of one instrument (see the module docstring)."""

    __slots__ = (
        "_anchor",
        "_fair",
        "_ladders",
        "_left",
        "_lot_size",
        "_own",
        "_rng",
        "_step_sigma",
        "code",
        "market",
        "paused",
        "profile",
        "ticks",
    )

    def __init__(
        self, instrument: Instrument, profile: Profile, *, seed: int, ticks: TickRules
    ) -> None:
        self.code = instrument.code
        self.market = instrument.market
        self.profile = profile
        self.ticks = ticks
        self.paused = False
        self._rng = random.Random(stable_seed(seed, instrument.code))
        self._fair = float(instrument.base_price)
        self._anchor = instrument.base_price
        actions_per_day = 86_400_000_000 / profile.mean_interval_us
        self._step_sigma = profile.daily_sigma / math.sqrt(actions_per_day)
        self._lot_size = max(1, instrument.lot_size)
        self._own: dict[int, tuple[Side, int]] = {}  # working order id -> (side, price)
        self._left: dict[int, int] = {}  # working order id -> open quantity
        self._ladders: tuple[tuple[int, int, int, int, date], dict[Side, set[int]]] | None = None

    @property
    def own_orders(self) -> dict[int, tuple[Side, int]]:
        """This participant's working orders: id -> (side, price)."""
        return self._own

    def observe(self, events: list[Event]) -> None:
        """Follow fills, cancels and rejections of this participant's own resting orders."""
        left = self._left
        if not left:
            return
        for ev in events:
            if isinstance(ev, Trade):
                self._reduce(ev.buy_order_id, ev.qty)
                self._reduce(ev.sell_order_id, ev.qty)
            elif isinstance(ev, OrderCancelled):
                self._reduce(ev.order_id, ev.qty)
            elif isinstance(ev, OrderRejected):
                self.forget(ev.order_id)

    def _reduce(self, order_id: int, qty: int) -> None:
        left = self._left.get(order_id)
        if left is None:
            return
        if left > qty:
            self._left[order_id] = left - qty
        else:
            self.forget(order_id)

    def next_delay(self) -> int:
        """Microseconds until this participant's next action."""
        return 1 + int(self._rng.expovariate(1.0) * self.profile.mean_interval_us)

    def start_day(self, base_price: int) -> None:
        """A new trading day: the fair value re-anchors at the new base price."""
        self._anchor = base_price
        self._fair = float(base_price)
        self._own.clear()
        self._left.clear()

    def forget(self, order_id: int) -> None:
        self._own.pop(order_id, None)
        self._left.pop(order_id, None)

    def _qty(self) -> int:
        lots = max(1, int(self.profile.lot * self._rng.uniform(0.3, 2.5)) // self._lot_size)
        return lots * self._lot_size

    def _order(self, order_id: int, side: Side, price: int, *, ioc: bool = False) -> Place:
        qty = self._qty()
        if not ioc:
            self._own[order_id] = (side, price)
            self._left[order_id] = qty
        typ = _LIMIT_IOC if ioc else _LIMIT
        return Place(NewOrder(order_id, self.code, side, typ, qty, price=price))

    def seed_orders(self, view: Snapshot, next_id: list[int]) -> list[Action]:
        """The initial quotes: ``levels`` levels on each side of the anchor."""
        return self._requote(view, next_id, limit=10_000)

    def act(self, view: Snapshot, next_id: list[int]) -> list[Action]:
        """Decide this action's orders. ``next_id[0]`` is the next free order id (advanced here)."""
        if self.paused or view.phase in (BoardPhase.CLOSED, BoardPhase.HALTED):
            return []
        self._step(view.lower, view.upper)
        if view.phase is not BoardPhase.CONTINUOUS:
            return self._requote(view, next_id, limit=2, cancel=False)
        actions = self._requote(view, next_id, limit=3)
        if self._rng.random() < self.profile.take_probability:
            actions.append(self._take(view, next_id))
        return actions

    def _step(self, lower: int, upper: int) -> None:
        shock = self._rng.gauss(0.0, self._step_sigma)
        pull = 0.002 * math.log(self._anchor / self._fair)
        fair = self._fair * math.exp(shock + pull)
        span = upper - lower
        self._fair = min(max(fair, lower + 0.1 * span), upper - 0.1 * span)

    def _grid(self, price: float, lower: int, upper: int, day: date) -> int:
        p = self.ticks.floor(int(price), self.market, day)
        return min(max(p, lower), upper)

    def _requote(
        self, view: Snapshot, next_id: list[int], *, limit: int, cancel: bool = True
    ) -> list[Action]:
        ticks, market = self.ticks, self.market
        day, lower, upper = view.day, view.lower, view.upper
        best_bid, best_ask = view.best_bid, view.best_ask
        center = self._grid(self._fair, lower, upper, day)
        top_bid = center if center < upper else ticks.down(center, market, day)
        if best_ask is not None and top_bid >= best_ask:
            top_bid = ticks.down(best_ask, market, day)
        top_ask = ticks.up(top_bid, market, day)
        if best_bid is not None and top_ask <= best_bid:
            top_ask = ticks.up(best_bid, market, day)
        key = (top_bid, top_ask, lower, upper, day)
        if self._ladders is not None and self._ladders[0] == key:
            wanted = self._ladders[1]  # the fair value rarely moves a whole tick per action
        else:
            levels = self.profile.levels
            wanted = {
                Side.BUY: set(self._ladder(top_bid, -1, levels, lower, upper, day)),
                Side.SELL: set(self._ladder(top_ask, 1, levels, lower, upper, day)),
            }
            self._ladders = (key, wanted)
        actions: list[Action] = []
        have: dict[Side, set[int]] = {Side.BUY: set(), Side.SELL: set()}
        stale: list[int] = []
        for oid, (side, price) in self._own.items():
            if price in wanted[side]:
                have[side].add(price)
            else:
                stale.append(oid)
        if cancel:
            for oid in stale[:limit]:
                self.forget(oid)
                actions.append(Cancel(oid))
        missing = [
            (side, p) for side in (Side.BUY, Side.SELL) for p in sorted(wanted[side] - have[side])
        ]
        if len(missing) > limit:
            missing = self._rng.sample(missing, limit)
        for side, price in missing:
            actions.append(self._order(next_id[0], side, price))
            next_id[0] += 1
        return actions

    def _ladder(
        self, top: int, direction: int, levels: int, lower: int, upper: int, day: date
    ) -> list[int]:
        out: list[int] = []
        price = top
        for _ in range(levels):
            if price < lower or price > upper:
                break
            out.append(price)
            nxt = (
                self.ticks.up(price, self.market, day)
                if direction > 0
                else self.ticks.down(price, self.market, day)
            )
            if nxt == price:
                break
            price = nxt
        return out

    def _take(self, view: Snapshot, next_id: list[int]) -> Action:
        day, lower, upper = view.day, view.lower, view.upper
        best_bid, best_ask = view.best_bid, view.best_ask
        mid = self._fair
        lean = 0.5
        if best_bid is not None and best_ask is not None:
            book_mid = (best_bid + best_ask) / 2
            lean = 0.5 + max(-0.3, min(0.3, (mid - book_mid) / max(book_mid, 1) * 50))
        side = Side.BUY if self._rng.random() < lean else Side.SELL
        steps = 1 + int(self._rng.random() * 3)
        if side is Side.BUY:
            ref = best_ask if best_ask is not None else self._grid(mid, lower, upper, day)
            price = min(self.ticks.up(ref, self.market, day, steps - 1), upper)
        else:
            ref = best_bid if best_bid is not None else self._grid(mid, lower, upper, day)
            price = max(self.ticks.down(ref, self.market, day, steps - 1), lower)
        oid = next_id[0]
        next_id[0] += 1
        return self._order(oid, side, price, ioc=True)
