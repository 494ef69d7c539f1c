"""The books outside the regular session: closing-price trading and the single-price session.

- :class:`ClosePriceBook` — 장전 시간외 종가 (``trde_tp`` 61, 08:30–08:40, at the previous close)
  and 장후 시간외 종가 (81, 15:40–16:00, at today's close). One fixed price; an order trades at once
  against the opposite side in time priority and rests otherwise. Because it trades whenever
  it can, at most one side ever holds orders.
- :class:`SingleSessionBook` — 시간외 단일가 (62, 16:00–18:00). Limit prices on the tick grid,
  within the close ± the session rate (10% since 2015-06-15) and inside the day's limits; orders
  only rest, and :meth:`SingleSessionBook.uncross` (every 10 minutes, driven by the engine) runs
  :func:`hoga.domain.auction.uncross` with the last price (the close, then each uncross price) as
  the reference.

Decisions: the session band is computed like the daily limit — ``close × rate`` truncated to the
tick of the close's band, the upper end re-truncated to its own band — then clipped to the day's
limits. ``cancel(qty)`` cancels ``min(qty, open)``. ``modify`` takes the new *open* quantity: a
decrease at the same price keeps time priority; an increase or a new price moves the order to the
back. Which session is open is the engine's business: these books accept orders whenever asked.

Invariants: bad input (wrong instrument or order type, non-positive or off-lot quantity,
off-tick or out-of-range price, unknown or duplicate order id) is rejected with one
:class:`OrderRejected` and changes nothing; per order ``filled + open + cancelled == qty``, where
``qty`` is the submitted quantity adjusted by modifies; trades of the closing-price book carry the
incoming order's side as aggressor, auction trades carry None. Dict insertion order is time
priority (an order losing priority is re-inserted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from hoga.domain import auction
from hoga.domain.events import (
    BookChanged,
    CancelReason,
    Event,
    OrderAccepted,
    OrderCancelled,
    OrderModified,
    OrderRejected,
    RejectReason,
    Trade,
)
from hoga.domain.limits import PriceLimits
from hoga.domain.model import Market, NewOrder, OrderKind, Side
from hoga.domain.ticks import TickRules

__all__ = [
    "AFTER_SINGLE_RATES",
    "ClosePriceBook",
    "OffHoursOrder",
    "SingleSessionBook",
    "after_single_band",
    "after_single_rate",
]

#: (effective from, 시간외 단일가 band rate around the close), oldest first. The 5% row before the
#: 2015-06-15 limit reform is from secondary memory, not a primary source.
AFTER_SINGLE_RATES: tuple[tuple[date, Decimal], ...] = (
    (date(1995, 1, 1), Decimal("0.05")),
    (date(2015, 6, 15), Decimal("0.10")),
)

Depth = tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]


def after_single_rate(on: date) -> Decimal:
    """The single-price session's band rate on trading date ``on``."""
    rate = AFTER_SINGLE_RATES[0][1]
    for since, value in AFTER_SINGLE_RATES:
        if on >= since:
            rate = value
    return rate


def after_single_band(
    close: int, limits: PriceLimits, ticks: TickRules, market: Market, day: date
) -> PriceLimits:
    """Inclusive price range of the single-price session (see the module docstring)."""
    raw = int((Decimal(close) * after_single_rate(day)).to_integral_value(rounding=ROUND_FLOOR))
    amount = raw - raw % ticks.tick(close, market, day)
    upper = ticks.floor(close + amount, market, day)
    lower = max(close - amount, 1)
    return PriceLimits(lower=max(lower, limits.lower), upper=min(upper, limits.upper))


@dataclass(frozen=True, slots=True)
class OffHoursOrder:
    """A live order of an off-hours book; ``qty == filled + open + cancelled``."""

    order_id: int
    side: Side
    trde_tp: str
    price: int
    qty: int
    filled: int
    open: int
    cancelled: int
    seq: int


class _Resting:
    __slots__ = ("cancelled", "filled", "open", "order_id", "price", "seq", "side", "trde_tp")

    def __init__(self, order: NewOrder, price: int, open_qty: int, seq: int) -> None:
        self.order_id = order.order_id
        self.side = order.side
        self.trde_tp = order.type.trde_tp
        self.price = price
        self.open = open_qty
        self.filled = order.qty - open_qty
        self.cancelled = 0
        self.seq = seq

    def view(self) -> OffHoursOrder:
        total = self.filled + self.open + self.cancelled
        return OffHoursOrder(
            self.order_id,
            self.side,
            self.trde_tp,
            self.price,
            total,
            self.filled,
            self.open,
            self.cancelled,
            self.seq,
        )


Reason = tuple[RejectReason, str]


class _OffHoursBook:
    """Shared bookkeeping: order registry, time priority, cancel, expiry, views."""

    _kinds: frozenset[OrderKind] = frozenset()

    def __init__(self, code: str, lot_size: int) -> None:
        self.code = code
        self.lot_size = lot_size
        self._orders: dict[int, _Resting] = {}
        self._seen: set[int] = set()
        self._seq = 0

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _reject(self, order_id: int, reason: Reason, now: int) -> list[Event]:
        return [OrderRejected(order_id, self.code, reason[0], now, reason[1])]

    def _check_qty(self, qty: int) -> Reason | None:
        if qty <= 0 or qty % self.lot_size:
            return (
                RejectReason.INVALID_QUANTITY,
                f"quantity must be a positive multiple of {self.lot_size}",
            )
        return None

    def _check_new(self, order: NewOrder) -> Reason | None:
        if order.code != self.code:
            return RejectReason.UNKNOWN_INSTRUMENT, f"this book trades {self.code}"
        if order.order_id in self._seen:
            return RejectReason.DUPLICATE_ORDER_ID, f"order {order.order_id} already exists"
        if order.type.kind not in self._kinds:
            return RejectReason.TYPE_NOT_ALLOWED_NOW, f"{order.type.name} does not trade here"
        return self._check_qty(order.qty)

    def _accept(self, order: NewOrder, price: int, now: int) -> OrderAccepted:
        self._seen.add(order.order_id)
        return OrderAccepted(
            order.order_id, self.code, order.side, order.type.trde_tp, price, order.qty, now
        )

    def _rest(self, order: NewOrder, price: int, open_qty: int) -> None:
        self._orders[order.order_id] = _Resting(order, price, open_qty, self._next_seq())

    def _reprioritise(self, resting: _Resting) -> None:
        del self._orders[resting.order_id]
        resting.seq = self._next_seq()
        self._orders[resting.order_id] = resting

    def _modified(self, r: _Resting, open_qty: int, kept: bool, now: int) -> list[Event]:
        return [
            OrderModified(r.order_id, self.code, r.price, r.filled + open_qty, open_qty, kept, now),
            BookChanged(self.code, now),
        ]

    def _take(self, r: _Resting, qty: int) -> None:
        r.open -= qty
        r.filled += qty
        if r.open == 0:
            del self._orders[r.order_id]

    def order(self, order_id: int) -> OffHoursOrder | None:
        """The live order ``order_id`` (None once it is fully filled, cancelled or unknown)."""
        resting = self._orders.get(order_id)
        return None if resting is None else resting.view()

    def orders(self) -> tuple[OffHoursOrder, ...]:
        """Every live order in time priority."""
        return tuple(r.view() for r in self._orders.values())

    def cancel(self, order_id: int, now: int, qty: int | None = None) -> list[Event]:
        """Cancel ``qty`` (all when None; at most what is open) of a live order."""
        resting = self._orders.get(order_id)
        if resting is None:
            return self._reject(order_id, (RejectReason.ORDER_NOT_FOUND, "no live order"), now)
        if qty is not None:
            reason = self._check_qty(qty)
            if reason is not None:
                return self._reject(order_id, reason, now)
        gone = resting.open if qty is None else min(qty, resting.open)
        resting.open -= gone
        resting.cancelled += gone
        if resting.open == 0:
            del self._orders[order_id]
        return [
            OrderCancelled(order_id, self.code, gone, CancelReason.REQUESTED, now),
            BookChanged(self.code, now),
        ]

    def expire_all(self, now: int) -> list[Event]:
        """Session end: cancel every live order (``SESSION_END``), in time priority."""
        events: list[Event] = [
            OrderCancelled(r.order_id, self.code, r.open, CancelReason.SESSION_END, now)
            for r in self._orders.values()
        ]
        self._orders.clear()
        if events:
            events.append(BookChanged(self.code, now))
        return events


class ClosePriceBook(_OffHoursBook):
    """장전/장후 시간외 종가: every trade at one fixed ``price``, in time priority.

    ``kind`` restricts the book to PRE_CLOSE (61) or POST_CLOSE (81) orders; None accepts both.
    The order's own ``price`` must be 0 (Kiwoom sends none) or equal to the fixed price.
    """

    def __init__(
        self,
        code: str,
        price: int,
        *,
        kind: OrderKind | None = None,
        lot_size: int = 1,
    ) -> None:
        super().__init__(code, lot_size)
        self.price = price
        self._kinds = (
            frozenset({OrderKind.PRE_CLOSE, OrderKind.POST_CLOSE})
            if kind is None
            else frozenset({kind})
        )

    def submit(self, order: NewOrder, now: int) -> list[Event]:
        """Accept, trade against the opposite side in time priority, rest the remainder."""
        reason = self._check_new(order)
        if reason is None and order.price not in (0, self.price):
            reason = RejectReason.INVALID_PRICE, f"orders here trade only at {self.price}"
        if reason is not None:
            return self._reject(order.order_id, reason, now)
        events: list[Event] = [self._accept(order, self.price, now)]
        left = order.qty
        for resting in list(self._orders.values()):
            if left == 0 or resting.side is order.side:
                break
            qty = min(left, resting.open)
            buy, sell = (
                (order.order_id, resting.order_id)
                if order.side is Side.BUY
                else (resting.order_id, order.order_id)
            )
            events.append(Trade(self.code, self.price, qty, buy, sell, order.side, now))
            self._take(resting, qty)
            left -= qty
        if left:
            self._rest(order, self.price, left)
        events.append(BookChanged(self.code, now))
        return events

    def modify(self, order_id: int, now: int, qty: int) -> list[Event]:
        """Set a live order's open quantity to ``qty`` (a decrease keeps time priority)."""
        resting = self._orders.get(order_id)
        if resting is None:
            return self._reject(order_id, (RejectReason.ORDER_NOT_FOUND, "no live order"), now)
        reason = self._check_qty(qty)
        if reason is None and qty == resting.open:
            reason = RejectReason.NOTHING_TO_CHANGE, "quantity unchanged"
        if reason is not None:
            return self._reject(order_id, reason, now)
        kept = qty < resting.open
        if not kept:
            self._reprioritise(resting)
        resting.open = qty
        return self._modified(resting, qty, kept, now)

    def depth(self) -> tuple[int, int]:
        """Total open quantity: (buy, sell)."""
        buy = sum(r.open for r in self._orders.values() if r.side is Side.BUY)
        sell = sum(r.open for r in self._orders.values() if r.side is Side.SELL)
        return buy, sell


class SingleSessionBook(_OffHoursBook):
    """시간외 단일가: limit orders rest; :meth:`uncross` trades them at one price."""

    _kinds = frozenset({OrderKind.AFTER_SINGLE})

    def __init__(
        self,
        code: str,
        close: int,
        limits: PriceLimits,
        ticks: TickRules,
        market: Market,
        day: date,
        *,
        lot_size: int = 1,
    ) -> None:
        super().__init__(code, lot_size)
        self.close = close
        self.last = close
        self.band = after_single_band(close, limits, ticks, market, day)
        self._ticks = ticks
        self._market = market
        self._day = day

    def _check_price(self, price: int) -> Reason | None:
        if price <= 0:
            return RejectReason.INVALID_PRICE, "price must be positive"
        if not self._ticks.is_on_grid(price, self._market, self._day):
            return RejectReason.OFF_TICK, f"{price} is not on the tick grid"
        if not self.band.contains(price):
            return (
                RejectReason.OUTSIDE_LIMITS,
                f"{price} is outside {self.band.lower}–{self.band.upper}",
            )
        return None

    def submit(self, order: NewOrder, now: int) -> list[Event]:
        """Validate and rest the order until the next uncross."""
        reason = self._check_new(order) or self._check_price(order.price)
        if reason is not None:
            return self._reject(order.order_id, reason, now)
        accepted = self._accept(order, order.price, now)
        self._rest(order, order.price, order.qty)
        return [accepted, BookChanged(self.code, now)]

    def modify(
        self, order_id: int, now: int, price: int | None = None, qty: int | None = None
    ) -> list[Event]:
        """Change the price and/or the open quantity of a live order.

        A decrease at the same price keeps time priority; anything else goes to the back.
        """
        resting = self._orders.get(order_id)
        if resting is None:
            return self._reject(order_id, (RejectReason.ORDER_NOT_FOUND, "no live order"), now)
        new_price = resting.price if price is None else price
        new_qty = resting.open if qty is None else qty
        reason = self._check_qty(new_qty) or self._check_price(new_price)
        if reason is None and (new_price, new_qty) == (resting.price, resting.open):
            reason = RejectReason.NOTHING_TO_CHANGE, "price and quantity unchanged"
        if reason is not None:
            return self._reject(order_id, reason, now)
        kept = new_price == resting.price and new_qty < resting.open
        if not kept:
            self._reprioritise(resting)
        resting.price = new_price
        resting.open = new_qty
        return self._modified(resting, new_qty, kept, now)

    def _auction_orders(self) -> list[auction.AuctionOrder]:
        return [
            auction.AuctionOrder(r.order_id, r.side, r.price, r.open, r.seq)
            for r in self._orders.values()
        ]

    def indicative(self) -> tuple[int | None, int]:
        """Expected price and quantity if the session uncrossed now."""
        return auction.indicative(self._auction_orders(), reference=self.last, limits=self.band)

    def uncross(self, now: int) -> list[Event]:
        """Trade everything that crosses at one price (reference: the last price)."""
        result = auction.uncross(
            self._auction_orders(), reference=self.last, limits=self.band, lot_size=self.lot_size
        )
        if result.price is None:
            return []
        events: list[Event] = []
        price = result.price
        for fill in result.fills:
            buy, sell = fill.buy_order_id, fill.sell_order_id
            events.append(Trade(self.code, price, fill.qty, buy, sell, None, now))
            self._take(self._orders[fill.buy_order_id], fill.qty)
            self._take(self._orders[fill.sell_order_id], fill.qty)
        self.last = price
        events.append(BookChanged(self.code, now))
        return events

    def depth(self, levels: int = 10) -> Depth:
        """Best ``levels`` price levels per side as ``(price, open qty)``, best first."""
        sides: dict[Side, dict[int, int]] = {Side.BUY: {}, Side.SELL: {}}
        for r in self._orders.values():
            level = sides[r.side]
            level[r.price] = level.get(r.price, 0) + r.open
        bids = sorted(sides[Side.BUY].items(), reverse=True)[:levels]
        asks = sorted(sides[Side.SELL].items())[:levels]
        return tuple(bids), tuple(asks)
