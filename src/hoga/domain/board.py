"""One instrument's regular board: continuous matching, call auctions, VI, halts.

The board owns a :class:`~hoga.domain.book.Book` and applies KRX rules to it. Every public
method takes ``now`` (epoch µs) and returns the events it caused, in the order they happened;
expected refusals are :class:`OrderRejected` events and change nothing. Order-type pricing and
validation live in ``board_orders.py`` (read its docstring for the documented decisions).

Phases (:class:`BoardPhase`):
- CLOSED / HALTED: new orders and modifies are rejected; cancels are always accepted.
- OPENING_AUCTION / VI_AUCTION / CLOSING_AUCTION: orders accumulate without matching (the book may
  be crossed); market orders rank at their side's price limit. Leaving an auction for a
  non-auction phase uncrosses with :func:`hoga.domain.auction.uncross` — reference = the base
  price for the open, else the last trade price — with quantity priority at a limit for the open
  and for the first uncross after a halt.
- Before the opening or closing uncross the indicative price is checked for a VI (static only
  for the open; closing-auction thresholds for the close); if one fires, the auction is extended
  as a VI auction and :meth:`Board.end_vi` later runs the uncross into the intended phase.
- CONTINUOUS: price-time priority; a trade prints at the resting order's price with the incoming
  order as aggressor. Before trading at each price level the board calls :func:`vi.check` with the
  last trade price *as it was when the incoming order arrived* (so one order sweeping several
  levels is caught) and the last single-price auction price; a hit stops matching, rests the
  remainder and starts a two-minute VI auction (``vi_until``).
- Entering the closing auction turns every resting 조건부지정가 into a market order
  (``OrderTriggered`` with price 0), keeping its time priority.
- After an uncross into continuous trading, market orders left over are re-entered in time order
  (new time priority) so they rest at the continuous market-order price; stop-limit orders whose
  condition holds are then triggered.

Stop-limit (28): accepted in any open phase and held outside the book until the last trade price
reaches the stop (buy: last ≥ stop; sell: last ≤ stop), checked in continuous trading only,
including right at entry. A triggered order gets time priority from the trigger (orders that
fire together keep their entry order) and then trades as a limit order at its price.

Modify: ``qty`` is the new *open* quantity. Lowering it at the same price keeps priority;
a price change or an increase moves the order to the back (new time priority) and re-matches it
if it is now marketable. A market order's price cannot be modified (MODIFY_NOT_ALLOWED); an
order with nothing open is MODIFY_NOT_ALLOWED, an unknown id ORDER_NOT_FOUND.

Invariants: in CONTINUOUS the book is never crossed; for every order ``filled + open +
cancelled == qty`` (``qty`` follows modifies); every resting price is on the tick grid and
inside the day's limits; within a level FIFO order equals ``seq`` order.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from hoga.domain import auction, vi
from hoga.domain.board_core import BoardCore, Why, by_seq
from hoga.domain.board_orders import (
    AUCTION_PHASES,
    BoardPhase,
    BoardStats,
    Depth,
    DepthLevel,
    OrderView,
    best_price_for,
    check_new,
    check_price,
    mid_price_for,
)
from hoga.domain.book import RestingOrder
from hoga.domain.events import (
    BookChanged,
    CancelReason,
    Event,
    OrderAccepted,
    OrderCancelled,
    OrderModified,
    OrderRejected,
    OrderTriggered,
    PhaseChanged,
    RejectReason,
    Trade,
    ViReleased,
)
from hoga.domain.model import NewOrder, OrderKind, Side, TimeInForce

__all__ = ["Board", "BoardPhase", "BoardStats", "Depth", "DepthLevel", "OrderView"]

_OPEN: Final = BoardPhase.OPENING_AUCTION
_CONT: Final = BoardPhase.CONTINUOUS
_VI: Final = BoardPhase.VI_AUCTION
_CLOSING: Final = BoardPhase.CLOSING_AUCTION
_LIMIT: Final = OrderKind.LIMIT
_MARKET: Final = OrderKind.MARKET
_BUY: Final = Side.BUY
_DAY: Final = TimeInForce.DAY
_REQUESTED: Final = CancelReason.REQUESTED
_STOP_LIMIT: Final = OrderKind.STOP_LIMIT
_NO_OPEN_QTY: Final[Why] = (RejectReason.MODIFY_NOT_ALLOWED, "the order has no open quantity")


class Board(BoardCore):
    """The regular-session board of one instrument (see the module docstring)."""

    # ------------------------------------------------------------------ queries

    @property
    def price(self) -> int:
        """The last trade's price today, else the base price (``stats`` without the rest)."""
        last = self._last
        return last if last is not None else self.base_price

    @property
    def stats(self) -> BoardStats:
        """The day's statistics and best quotes."""
        return BoardStats(
            code=self.code,
            phase=self.phase,
            base_price=self.base_price,
            limits=self.limits,
            last=self._last,
            open=self._open,
            high=self._high,
            low=self._low,
            close=self._close,
            volume=self._volume,
            turnover=self._turnover,
            trades=self._trades,
            best_bid=self._book.best_price(Side.BUY),
            best_ask=self._book.best_price(Side.SELL),
        )

    def depth(self, levels: int = 10, *, public: bool = True) -> Depth:
        """Best ``levels`` per side; ``public`` caps it at 3 during an auction (what KRX shows)."""
        if public and self.phase in AUCTION_PHASES:
            levels = min(levels, 3)
        book = self._book
        return Depth(
            bids=tuple(DepthLevel(*t) for t in book.depth(Side.BUY, levels)),
            asks=tuple(DepthLevel(*t) for t in book.depth(Side.SELL, levels)),
        )

    def indicative(self) -> tuple[int | None, int]:
        """Expected auction price and volume now; ``(None, 0)`` outside an auction."""
        if self.phase not in AUCTION_PHASES:
            return None, 0
        return auction.indicative(
            self._auction_orders(), reference=self._reference(self.phase), limits=self.limits
        )

    def open_order(self, order_id: int) -> OrderView | None:
        """The live order ``order_id`` (resting or a waiting stop), or None."""
        ro = self._live(order_id)
        return None if ro is None else self._view(ro)

    def orders(self) -> list[OrderView]:
        """Every live order, in time priority (``seq``) order."""
        live = [*self._book, *self._stops.values()]
        return [self._view(ro) for ro in sorted(live, key=by_seq)]

    # ------------------------------------------------------------------ order entry

    def submit(self, order: NewOrder, now: int) -> list[Event]:
        """Validate, price and enter a new order (see the module docstring)."""
        oid = order.order_id
        if oid in self._seen:
            return [self._reject(oid, (RejectReason.DUPLICATE_ORDER_ID, "id already used"), now)]
        otype = order.type
        kind = otype.kind
        qty = order.qty
        if self.phase is _CONT and qty > 0 and not qty % self._lot:
            # fast path: a limit or market order in continuous trading that check_new would pass
            if kind is _LIMIT:
                # _valid_price inlined: inside the limits and on the tick grid
                price = order.price
                limits = self.limits
                if limits.lower <= price <= limits.upper:
                    bands = self._bands
                    i = 0
                    while price < bands[i][0]:
                        i += 1
                    if not price % bands[i][1]:
                        return self._submit_limit(order, price, now)
            elif kind is _MARKET:
                return self._admit(order, 0, now)
        why = check_new(
            order,
            phase=self.phase,
            lot_size=self._lot,
            limits=self.limits,
            on_grid=self._on_grid,
        )
        if why is not None:
            return [self._reject(oid, why, now)]
        priced: int | Why = order.price
        if kind is OrderKind.BEST or kind is OrderKind.PRIORITY:
            priced = best_price_for(order, self._book)
        elif kind is OrderKind.MID:
            priced = mid_price_for(order, self._book, floor=self._floor, ceil=self._ceil)
        elif kind is _MARKET:
            priced = 0
        if isinstance(priced, tuple):
            return [self._reject(oid, priced, now)]
        return self._admit(order, priced, now)

    def _submit_limit(self, order: NewOrder, price: int, now: int) -> list[Event]:
        """A valid limit order in continuous trading: rest it directly unless it can trade."""
        otype = order.type
        side = order.side
        book = self._book
        # the best opposite price from the side's sorted keys (bids: +price, asks: -price)
        if side is _BUY:
            keys = book.asks._keys
            crosses = bool(keys) and -keys[-1] <= price
            book_side = book.bids
        else:
            keys = book.bids._keys
            crosses = bool(keys) and keys[-1] >= price
            book_side = book.asks
        if crosses or otype.tif is not _DAY:
            return self._admit(order, price, now)
        oid, qty = order.order_id, order.qty
        self._seen.add(oid)
        self._seq = seq = self._seq + 1
        # Positional constructor (no keywords): also a direct call when mypyc compiles the board.
        ro = RestingOrder(oid, side, otype, price, qty, seq)
        # Book.add inlined (same effect)
        level = book_side.levels.get(price)
        if level is None:
            level = book_side.level_for(price)
        tail = level.tail
        ro.prev = tail
        if tail is None:
            level.head = ro
        else:
            tail.next = ro
        level.tail = ro
        level.qty += qty
        level.count += 1
        book.orders[oid] = ro
        code = self.code
        accepted = OrderAccepted(oid, code, side, otype.trde_tp, price, qty, now)
        self._dirty = False
        if not self._stops:
            return [accepted, BookChanged(code, now)]
        ev: list[Event] = [accepted]
        self._run_stops(now, ev)
        self._dirty = False
        ev.append(BookChanged(code, now))
        return ev

    def _admit(self, order: NewOrder, price: int, now: int) -> list[Event]:
        """Accept a validated, priced order: park a stop, else enter (match / rest / cancel)."""
        oid = order.order_id
        otype = order.type
        kind = otype.kind
        self._seen.add(oid)
        self._seq += 1
        stop = kind is _STOP_LIMIT
        ro = RestingOrder(  # positional: the keyword form costs more on every order
            oid,
            order.side,
            otype,
            price,
            order.qty,
            self._seq,
            kind is _MARKET,
            order.stop_price if stop else 0,
        )
        code = self.code
        ev: list[Event] = [
            OrderAccepted(oid, code, order.side, otype.trde_tp, price, order.qty, now)
        ]
        if stop:
            self._park_stop(ro)
        else:
            self._enter(ro, now, ev)
        if self._stops:
            self._run_stops(now, ev)
        if self._dirty:
            self._dirty = False
            ev.append(BookChanged(code, now))
        return ev

    def modify(
        self, order_id: int, now: int, *, price: int | None = None, qty: int | None = None
    ) -> list[Event]:
        """Change the price and/or the open quantity of a live order."""
        why = self._check_modify(order_id, price, qty)
        if why is not None:
            return [self._reject(order_id, why, now)]
        ro = self._live(order_id)
        assert ro is not None  # checked above
        new_price = ro.price if price is None else price
        new_open = ro.open if qty is None else qty
        if new_price == ro.price and new_open == ro.open:
            return [self._reject(order_id, (RejectReason.NOTHING_TO_CHANGE, ""), now)]
        ev: list[Event] = []
        keep = new_price == ro.price and new_open < ro.open
        if keep:
            delta = ro.open - new_open
            self._take(ro, delta)
            ro.qty -= delta
        else:
            if order_id in self._book:
                self._book.remove(ro)
                self._dirty = True
            ro.qty += new_open - ro.open
            ro.open = new_open
            ro.price = new_price
            self._seq += 1
            ro.seq = self._seq
        ev.append(
            OrderModified(order_id, self.code, ro.price, ro.filled + ro.open, ro.open, keep, now)
        )
        if not keep and order_id not in self._stops:
            self._enter(ro, now, ev)
        self._run_stops(now, ev)
        return self._flush(ev, now)

    def _check_modify(self, order_id: int, price: int | None, qty: int | None) -> Why | None:
        if self.phase is BoardPhase.CLOSED:
            return RejectReason.SESSION_CLOSED, "the regular session is closed"
        if self.phase is BoardPhase.HALTED:
            return RejectReason.HALTED, "trading is halted"
        ro = self._live(order_id)
        if ro is None:
            return self._missing(order_id)
        if price is None and qty is None:
            return RejectReason.NOTHING_TO_CHANGE, "give a price or a quantity"
        if qty is not None and (qty <= 0 or qty % self._lot):
            return RejectReason.INVALID_QUANTITY, f"quantity must be a multiple of {self._lot}"
        if price is not None:
            if ro.market:
                return RejectReason.MODIFY_NOT_ALLOWED, "a market order has no price to modify"
            why = check_price(price, limits=self.limits, on_grid=self._on_grid)
            if why is not None:
                return why
            limit = self.limits.upper if ro.side is Side.BUY else self.limits.lower
            if ro.type.kind is OrderKind.CONDITIONAL and price == limit:
                return RejectReason.CONDITIONAL_AT_LIMIT, "조건부지정가 may not sit at the limit"
        return None

    def cancel(self, order_id: int, now: int, qty: int | None = None) -> list[Event]:
        """Cancel ``qty`` of the open quantity (None = all of it); priority is kept."""
        book = self._book
        ro = book.orders.get(order_id)
        if ro is not None and qty is None:  # fast path: all of a resting order
            take = ro.open
            book.remove(ro)
            ro.open = 0
            ro.cancelled += take
            self._dirty = False
            code = self.code
            return [
                OrderCancelled(order_id, code, take, _REQUESTED, now),
                BookChanged(code, now),
            ]
        if ro is None:
            ro = self._stops.get(order_id)
            if ro is None:
                reason, detail = self._missing(order_id)
                return [OrderRejected(order_id, self.code, reason, now, detail)]
        if qty is not None and (qty <= 0 or qty % self._lot):
            why = (RejectReason.INVALID_QUANTITY, f"quantity must be a multiple of {self._lot}")
            return [self._reject(order_id, why, now)]
        ev: list[Event] = []
        take = ro.open if qty is None else min(qty, ro.open)
        self._cancel(ro, take, CancelReason.REQUESTED, now, ev)
        if self._dirty:
            self._dirty = False
            ev.append(BookChanged(self.code, now))
        return ev

    def _missing(self, order_id: int) -> Why:
        if order_id in self._seen:
            return _NO_OPEN_QTY
        return RejectReason.ORDER_NOT_FOUND, f"no order {order_id}"

    # ------------------------------------------------------------------ phases

    def set_phase(self, phase: BoardPhase, now: int) -> list[Event]:
        """Move to ``phase`` (uncrossing, converting or VI-extending as the rules say)."""
        if phase is BoardPhase.HALTED:
            return self.halt(now)
        if phase is self.phase:
            return []
        ev: list[Event] = []
        self._change(self.phase, phase, now, ev, qty_priority=self.phase is _OPEN)
        return self._flush(ev, now)

    def end_vi(self, now: int) -> list[Event]:
        """End a running VI auction: uncross and continue in the phase it interrupted."""
        if self.phase is not _VI:
            return []
        ev: list[Event] = []
        self._change(_VI, self._after_vi, now, ev, qty_priority=self._vi_qty_priority)
        return self._flush(ev, now)

    def halt(self, now: int) -> list[Event]:
        """Suspend trading (orders stay; only cancels are accepted)."""
        if self.phase is BoardPhase.HALTED:
            return []
        self._pre_halt = self.phase
        self.phase = BoardPhase.HALTED
        self.vi_until = None
        return [PhaseChanged(self.code, self.phase, now)]

    def resume(self, now: int, phase: BoardPhase) -> list[Event]:
        """Lift a halt into ``phase``; an uncross here uses quantity priority at a limit."""
        if self.phase is not BoardPhase.HALTED or phase is BoardPhase.HALTED:
            return []
        ev: list[Event] = []
        self._change(self._pre_halt, phase, now, ev, qty_priority=True)
        return self._flush(ev, now)

    def start_day(self, day: date, base_price: int, now: int) -> list[Event]:
        """New trading day: expire leftovers, new limits, reset the day's statistics."""
        ev: list[Event] = []
        self._expire(now, ev)
        self._reset_day(day, base_price)
        ev.append(BookChanged(self.code, now))
        self._dirty = False
        return ev

    def expire_all(self, now: int) -> list[Event]:
        """End of day: cancel every open order (SESSION_END), stops included."""
        ev: list[Event] = []
        self._expire(now, ev)
        return self._flush(ev, now)

    def _expire(self, now: int, ev: list[Event]) -> None:
        for ro in sorted([*self._book, *self._stops.values()], key=by_seq):
            self._cancel(ro, ro.open, CancelReason.SESSION_END, now, ev)
        self._buy_stops.clear()
        self._sell_stops.clear()

    def _change(
        self, old: BoardPhase, new: BoardPhase, now: int, ev: list[Event], *, qty_priority: bool
    ) -> None:
        uncrossed = False
        if old in AUCTION_PHASES and new not in AUCTION_PHASES:
            if old is not _VI and self._auction_vi(old, new, now, ev, qty_priority):
                return
            self._uncross(now, ev, qty_priority=qty_priority, reference=self._reference(old))
            uncrossed = True
        if old is _VI and new is not _VI:
            self.vi_until = None
            ev.append(ViReleased(self.code, now))
        self.phase = new
        ev.append(PhaseChanged(self.code, new, now))
        if new is _CLOSING and old is not _CLOSING:
            self._convert_conditionals(now, ev)
        if new is BoardPhase.CLOSED:
            self._close = self._last
        elif new is _CONT:
            if uncrossed:
                self._reenter_markets(now, ev)
            self._run_stops(now, ev)

    def _reference(self, auction_phase: BoardPhase) -> int:
        """직전가격 of an uncross: the base price for the open, else the last trade price."""
        if auction_phase is _OPEN:
            return self.base_price
        return self._static_ref if self._last is None else self._last

    def _auction_vi(
        self, old: BoardPhase, new: BoardPhase, now: int, ev: list[Event], qty_priority: bool
    ) -> bool:
        price, _ = auction.indicative(
            self._auction_orders(), reference=self._reference(old), limits=self.limits
        )
        if price is None:
            return False
        closing = old is _CLOSING
        hit = vi.check(
            price,
            dynamic_reference=self._last if closing else None,
            static_reference=self._static_ref,
            vi_class=self._vi_class,
            session=vi.ViSession.CLOSING_AUCTION if closing else vi.ViSession.CONTINUOUS,
            on=self.day,
        )
        if hit is None:
            return False
        self._start_vi(hit, now, ev, after=new, qty_priority=qty_priority)
        return True

    def _uncross(self, now: int, ev: list[Event], *, qty_priority: bool, reference: int) -> None:
        result = auction.uncross(
            self._auction_orders(),
            reference=reference,
            limits=self.limits,
            quantity_priority_at_limit=qty_priority,
            lot_size=self._lot,
        )
        price = result.price
        if price is None:
            return
        orders = self._book.orders
        for fill in result.fills:
            for oid in (fill.buy_order_id, fill.sell_order_id):
                ro = orders[oid]
                self._book.reduce(ro, fill.qty)
                ro.filled += fill.qty
            self._record_trade(price, fill.qty)
            ev.append(
                Trade(self.code, price, fill.qty, fill.buy_order_id, fill.sell_order_id, None, now)
            )
        self._static_ref = price

    def _convert_conditionals(self, now: int, ev: list[Event]) -> None:
        for ro in sorted(self._book, key=by_seq):
            if ro.type.kind is OrderKind.CONDITIONAL:
                ro.market = True
                ev.append(OrderTriggered(ro.order_id, self.code, 0, now))

    def _reenter_markets(self, now: int, ev: list[Event]) -> None:
        for ro in sorted((o for o in self._book if o.market), key=by_seq):
            self._book.remove(ro)
            self._dirty = True
            self._seq += 1
            ro.seq = self._seq
            self._enter(ro, now, ev)
