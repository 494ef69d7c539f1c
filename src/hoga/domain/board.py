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
from heapq import heappop, heappush

from hoga.domain import auction, vi
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
    market_rest_price,
    mid_price_for,
)
from hoga.domain.book import Book, RestingOrder
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
    ViTriggered,
)
from hoga.domain.limits import price_limits
from hoga.domain.model import Instrument, NewOrder, OrderKind, Side, TimeInForce
from hoga.domain.ticks import TickRules

__all__ = ["Board", "BoardPhase"]

_Why = tuple[RejectReason, str]
_OPEN = BoardPhase.OPENING_AUCTION
_CONT = BoardPhase.CONTINUOUS
_VI = BoardPhase.VI_AUCTION
_CLOSING = BoardPhase.CLOSING_AUCTION


class Board:
    """The regular-session board of one instrument (see the module docstring)."""

    def __init__(
        self,
        instrument: Instrument,
        *,
        day: date,
        base_price: int,
        ticks: TickRules,
        vi_class: vi.ViClass,
    ) -> None:
        self.instrument = instrument
        self.code = instrument.code
        self._market = instrument.market
        self._lot = instrument.lot_size
        self._ticks = ticks
        self._vi_class = vi_class
        self.phase = BoardPhase.CLOSED
        self.vi_until: int | None = None
        self._book = Book()
        self._stops: dict[int, RestingOrder] = {}
        self._buy_stops: list[tuple[int, int, int]] = []  # (stop, seq, id): fires at last >= stop
        self._sell_stops: list[tuple[int, int, int]] = []  # (-stop, seq, id): last <= stop
        self._seen: set[int] = set()
        self._seq = 0
        self._dirty = False
        self._pre_halt = BoardPhase.CLOSED
        self._reset_day(day, base_price)

    def _reset_day(self, day: date, base_price: int) -> None:
        self.day = day
        self.base_price = base_price
        self.limits = price_limits(base_price, self._market, day, self._ticks)
        self._static_ref = base_price
        self._after_vi = _CONT
        self._vi_qty_priority = False
        self._last: int | None = None
        self._open: int | None = None
        self._high: int | None = None
        self._low: int | None = None
        self._close: int | None = None
        self._volume = 0
        self._turnover = 0
        self._trades = 0
        self._seen.clear()

    # ------------------------------------------------------------------ queries

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
        return [self._view(ro) for ro in sorted(live, key=_seq)]

    def _view(self, ro: RestingOrder) -> OrderView:
        return OrderView(
            order_id=ro.order_id,
            side=ro.side,
            trde_tp=ro.type.trde_tp,
            price=ro.price,
            qty=ro.qty,
            filled=ro.filled,
            open=ro.open,
            cancelled=ro.cancelled,
            market=ro.market,
            stop_price=ro.stop_price,
            active=ro.order_id not in self._stops,
            seq=ro.seq,
        )

    def _live(self, order_id: int) -> RestingOrder | None:
        ro = self._book.get(order_id)
        return self._stops.get(order_id) if ro is None else ro

    # ------------------------------------------------------------------ order entry

    def submit(self, order: NewOrder, now: int) -> list[Event]:
        """Validate, price and enter a new order (see the module docstring)."""
        oid = order.order_id
        if oid in self._seen:
            return [self._reject(oid, (RejectReason.DUPLICATE_ORDER_ID, "id already used"), now)]
        why = check_new(
            order,
            phase=self.phase,
            lot_size=self._lot,
            limits=self.limits,
            on_grid=self._on_grid,
        )
        if why is not None:
            return [self._reject(oid, why, now)]
        kind = order.type.kind
        price: int | _Why = order.price
        if kind is OrderKind.BEST or kind is OrderKind.PRIORITY:
            price = best_price_for(order, self._book)
        elif kind is OrderKind.MID:
            price = mid_price_for(order, self._book, floor=self._floor, ceil=self._ceil)
        elif kind is OrderKind.MARKET:
            price = 0
        if isinstance(price, tuple):
            return [self._reject(oid, price, now)]
        self._seen.add(oid)
        self._seq += 1
        stop = kind is OrderKind.STOP_LIMIT
        ro = RestingOrder(
            oid,
            order.side,
            order.type,
            price=price,
            qty=order.qty,
            seq=self._seq,
            market=kind is OrderKind.MARKET,
            stop_price=order.stop_price if stop else 0,
        )
        ev: list[Event] = [
            OrderAccepted(oid, self.code, order.side, order.type.trde_tp, price, order.qty, now)
        ]
        if stop:
            self._park_stop(ro)
        else:
            self._enter(ro, now, ev)
        self._run_stops(now, ev)
        return self._flush(ev, now)

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

    def _check_modify(self, order_id: int, price: int | None, qty: int | None) -> _Why | None:
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
        ro = self._live(order_id)
        if ro is None:
            return [self._reject(order_id, self._missing(order_id), now)]
        if qty is not None and (qty <= 0 or qty % self._lot):
            why = (RejectReason.INVALID_QUANTITY, f"quantity must be a multiple of {self._lot}")
            return [self._reject(order_id, why, now)]
        ev: list[Event] = []
        take = ro.open if qty is None else min(qty, ro.open)
        self._cancel(ro, take, CancelReason.REQUESTED, now, ev)
        return self._flush(ev, now)

    def _missing(self, order_id: int) -> _Why:
        if order_id in self._seen:
            return RejectReason.MODIFY_NOT_ALLOWED, "the order has no open quantity"
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
        for ro in sorted([*self._book, *self._stops.values()], key=_seq):
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

    def _start_vi(
        self, hit: vi.ViCheck, now: int, ev: list[Event], *, after: BoardPhase, qty_priority: bool
    ) -> None:
        self.phase = _VI
        self.vi_until = now + vi.VI_AUCTION_US
        self._after_vi = after
        self._vi_qty_priority = qty_priority
        ev.append(
            ViTriggered(self.code, hit.static, hit.reference, hit.trigger_price, self.vi_until, now)
        )
        ev.append(PhaseChanged(self.code, _VI, now))

    def _auction_orders(self) -> list[auction.AuctionOrder]:
        return [
            auction.AuctionOrder(
                ro.order_id, ro.side, None if ro.market else ro.price, ro.open, ro.seq
            )
            for ro in self._book
        ]

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
        for ro in sorted(self._book, key=_seq):
            if ro.type.kind is OrderKind.CONDITIONAL:
                ro.market = True
                ev.append(OrderTriggered(ro.order_id, self.code, 0, now))

    def _reenter_markets(self, now: int, ev: list[Event]) -> None:
        for ro in sorted((o for o in self._book if o.market), key=_seq):
            self._book.remove(ro)
            self._dirty = True
            self._seq += 1
            ro.seq = self._seq
            self._enter(ro, now, ev)

    # ------------------------------------------------------------------ matching

    def _enter(self, ro: RestingOrder, now: int, ev: list[Event]) -> None:
        """An active order arrives: match it if continuous, then rest or cancel the rest."""
        tif = ro.type.tif
        if self.phase is _CONT:
            if tif is TimeInForce.FOK and self._fillable(ro) < ro.open:
                self._cancel(ro, ro.open, CancelReason.FOK_UNFILLED, now, ev)
                return
            self._match(ro, now, ev)
        if not ro.open:
            return
        if tif is not TimeInForce.DAY:  # only IOC can be left over here
            self._cancel(ro, ro.open, CancelReason.IOC_REMAINDER, now, ev)
            return
        if ro.market:
            if self.phase is _CONT:
                ro.price = market_rest_price(
                    ro.side,
                    self._book,
                    last=self._static_ref if self._last is None else self._last,
                    limits=self.limits,
                    up=self._up,
                    down=self._down,
                )
            else:
                ro.price = self.limits.upper if ro.side is Side.BUY else self.limits.lower
        self._book.add(ro)
        self._dirty = True

    def _crosses(self, ro: RestingOrder, price: int) -> bool:
        if ro.market:
            return True
        return price <= ro.price if ro.side is Side.BUY else price >= ro.price

    def _vi_check(self, price: int, reference: int | None) -> vi.ViCheck | None:
        return vi.check(
            price,
            dynamic_reference=reference,
            static_reference=self._static_ref,
            vi_class=self._vi_class,
            session=vi.ViSession.CONTINUOUS,
            on=self.day,
        )

    def _fillable(self, ro: RestingOrder) -> int:
        """How much of ``ro`` would trade now (stopping where a VI would fire)."""
        total = 0
        reference = self._last
        for level in self._book.side(ro.side.opposite):
            if not self._crosses(ro, level.price) or self._vi_check(level.price, reference):
                break
            total += level.qty
            if total >= ro.open:
                break
        return total

    def _match(self, taker: RestingOrder, now: int, ev: list[Event]) -> None:
        opposite = self._book.side(taker.side.opposite)
        reference = self._last
        while taker.open:
            level = opposite.best()
            if level is None or not self._crosses(taker, level.price):
                return
            hit = self._vi_check(level.price, reference)
            if hit is not None:
                self._start_vi(hit, now, ev, after=_CONT, qty_priority=False)
                return
            price = level.price
            maker = level.head
            while maker is not None and taker.open:
                nxt = maker.next
                self._fill(taker, maker, price, min(taker.open, maker.open), now, ev=ev)
                maker = nxt

    def _fill(
        self,
        taker: RestingOrder,
        maker: RestingOrder,
        price: int,
        qty: int,
        now: int,
        *,
        ev: list[Event],
    ) -> None:
        self._book.reduce(maker, qty)
        maker.filled += qty
        taker.open -= qty
        taker.filled += qty
        self._record_trade(price, qty)
        buy, sell = (taker, maker) if taker.side is Side.BUY else (maker, taker)
        ev.append(Trade(self.code, price, qty, buy.order_id, sell.order_id, taker.side, now))

    def _record_trade(self, price: int, qty: int) -> None:
        self._last = price
        high, low = self._high, self._low
        if self._open is None:
            self._open = price
        self._high = price if high is None or price > high else high
        self._low = price if low is None or price < low else low
        self._volume += qty
        self._turnover += price * qty
        self._trades += 1
        self._dirty = True

    # ------------------------------------------------------------------ stops

    def _park_stop(self, ro: RestingOrder) -> None:
        self._stops[ro.order_id] = ro
        if ro.side is Side.BUY:
            heappush(self._buy_stops, (ro.stop_price, ro.seq, ro.order_id))
        else:
            heappush(self._sell_stops, (-ro.stop_price, ro.seq, ro.order_id))

    def _run_stops(self, now: int, ev: list[Event]) -> None:
        while self.phase is _CONT and self._last is not None:
            fired = self._pop_triggered(self._last)
            if not fired:
                return
            for ro in fired:
                self._seq += 1
                ro.seq = self._seq
                ev.append(OrderTriggered(ro.order_id, self.code, ro.price, now))
                self._enter(ro, now, ev)

    def _pop_triggered(self, last: int) -> list[RestingOrder]:
        fired: list[RestingOrder] = []
        stops = self._stops
        buys, sells = self._buy_stops, self._sell_stops
        while buys and buys[0][0] <= last:
            ro = stops.pop(heappop(buys)[2], None)
            if ro is not None:
                fired.append(ro)
        while sells and -sells[0][0] >= last:
            ro = stops.pop(heappop(sells)[2], None)
            if ro is not None:
                fired.append(ro)
        fired.sort(key=_seq)
        return fired

    # ------------------------------------------------------------------ helpers

    def _take(self, ro: RestingOrder, qty: int) -> None:
        """Lower ``ro.open`` by ``qty`` wherever it lives (book, stops or in flight)."""
        oid = ro.order_id
        if oid in self._stops:
            ro.open -= qty
            if not ro.open:
                del self._stops[oid]
        elif oid in self._book:
            self._book.reduce(ro, qty)
            self._dirty = True
        else:
            ro.open -= qty

    def _cancel(
        self, ro: RestingOrder, qty: int, reason: CancelReason, now: int, ev: list[Event]
    ) -> None:
        self._take(ro, qty)
        ro.cancelled += qty
        ev.append(OrderCancelled(ro.order_id, self.code, qty, reason, now))

    def _reject(self, order_id: int, why: _Why, now: int) -> OrderRejected:
        return OrderRejected(order_id, self.code, why[0], now, why[1])

    def _flush(self, ev: list[Event], now: int) -> list[Event]:
        if self._dirty:
            self._dirty = False
            ev.append(BookChanged(self.code, now))
        return ev

    def _on_grid(self, price: int) -> bool:
        return self._ticks.is_on_grid(price, self._market, self.day)

    def _up(self, price: int) -> int:
        return self._ticks.up(price, self._market, self.day)

    def _down(self, price: int) -> int:
        return self._ticks.down(price, self._market, self.day)

    def _floor(self, price: int) -> int:
        return self._ticks.floor(price, self._market, self.day)

    def _ceil(self, price: int) -> int:
        return self._ticks.ceil(price, self._market, self.day)


def _seq(ro: RestingOrder) -> int:
    return ro.seq
