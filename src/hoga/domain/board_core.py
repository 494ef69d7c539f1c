"""Mechanics of the regular board: state, continuous matching, stop orders, bookkeeping.

:class:`BoardCore` is the base of :class:`hoga.domain.board.Board`, which adds the public
entry points and the phase rules; the rules and invariants are documented in ``board.py``.
Nothing here is public API.

Speed (the continuous-matching hot path; behaviour is the same as the plain reading of the rules):
- VI: :class:`~hoga.domain.vi.ViRates` for the board-day is built once per day; an incoming order
  computes the window of prices that trigger nothing once (``ViRates.window``), so each price level
  costs two integer comparisons, and :func:`vi.check` runs only to describe an actual hit.
- Tick grid: the tick bands that can apply inside the day's limits are kept best-first
  (``_bands``), so validating a limit price takes one or two comparisons.
- Matching walks a level's FIFO with locals, fills in place and records the trade statistics
  once per level; the taker's quantities are written back once at the end.
- Stops: with no waiting stop order, the trigger scan is skipped.
- Entry: a valid limit order in continuous trading that cannot trade rests without going through
  ``_enter``/``_match``; a whole-order cancel of a resting order skips ``_take``/``_cancel``.
- Events are built by calling their class (``Trade(...)``): a direct native call when mypyc
  compiles these modules, the relabelling ``__new__`` when interpreted (``model.FrozenValue``).
- Garbage collection (advice for the engine; the domain never touches ``gc``): every order and
  event is a GC-tracked object, so with tens of thousands of resting orders the cyclic collector's
  full passes cost about as much as matching. An engine should call ``gc.freeze()`` once after
  start-up (instruments, calendars, universe loaded) and may raise the generation thresholds
  (e.g. ``gc.set_threshold(50_000, 20, 100)``); resting orders hold no reference cycles once
  they leave the book (``prev``/``next`` are cleared). ``hoga.engine.tuning`` does this.
- Matching removes a fully filled maker from the head of its level in place (``Book.remove``
  inlined) and drops the level once it is empty; a resting limit order is built with a positional
  ``RestingOrder(...)`` call (mypyc-compatible) and linked into its level without ``Book.add``.
- Module constants are ``Final``: when mypyc compiles these modules (``hoga.engine.fastpath``) it
  binds them once instead of looking them up in the module dict on every use.
"""

from __future__ import annotations

from datetime import date
from heapq import heappop, heappush
from typing import Final

from hoga.domain import auction, vi
from hoga.domain.board_orders import BoardPhase, OrderView, market_rest_price
from hoga.domain.book import Book, RestingOrder
from hoga.domain.events import (
    BookChanged,
    CancelReason,
    Event,
    OrderCancelled,
    OrderRejected,
    OrderTriggered,
    PhaseChanged,
    RejectReason,
    Trade,
    ViTriggered,
)
from hoga.domain.limits import price_limits
from hoga.domain.model import Instrument, Side, TimeInForce
from hoga.domain.ticks import TickRules

__all__ = ["BoardCore", "Why", "by_seq"]

Why = tuple[RejectReason, str]
_CONT: Final = BoardPhase.CONTINUOUS
_VI: Final = BoardPhase.VI_AUCTION
_BUY: Final = Side.BUY
_DAY: Final = TimeInForce.DAY
_FOK: Final = TimeInForce.FOK
_IOC_REMAINDER: Final = CancelReason.IOC_REMAINDER


class BoardCore:
    """State and matching mechanics shared by the board (see ``board.py``)."""

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
        self.limits = limits = price_limits(base_price, self._market, day, self._ticks)
        self._vi_rates = vi.rates(self._vi_class, vi.ViSession.CONTINUOUS, on=day)
        self._vi_dyn: int | None = None  # the (dynamic, static) references _vi_win is for
        self._vi_static = base_price
        self._vi_win = self._vi_rates.window(None, base_price)
        bands = [band for band in self._ticks.table(self._market, day) if band[0] <= limits.upper]
        while len(bands) > 1 and bands[1][0] <= limits.lower:
            del bands[0]
        self._bands = tuple(reversed(bands))  # (bound, tick), highest first; last bound <= lower
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

    # ------------------------------------------------------------------ matching

    def _enter(self, ro: RestingOrder, now: int, ev: list[Event]) -> None:
        """An active order arrives: match it if continuous, then rest or cancel the rest."""
        tif = ro.type.tif
        if self.phase is _CONT:
            if tif is _FOK and self._fillable(ro) < ro.open:
                self._cancel(ro, ro.open, CancelReason.FOK_UNFILLED, now, ev)
                return
            self._match(ro, now, ev)
        if not ro.open:
            return
        if tif is not _DAY:  # only IOC can be left over here
            self._cancel(ro, ro.open, _IOC_REMAINDER, now, ev)
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
                ro.price = self.limits.upper if ro.side is _BUY else self.limits.lower
        self._book.add(ro)
        self._dirty = True

    def _crosses(self, ro: RestingOrder, price: int) -> bool:
        if ro.market:
            return True
        return price <= ro.price if ro.side is _BUY else price >= ro.price

    def _vi_window(self, reference: int | None) -> tuple[int, int]:
        """The VI window for a dynamic ``reference`` (memoised: it rarely changes per order)."""
        static = self._static_ref
        if reference != self._vi_dyn or static != self._vi_static:
            self._vi_dyn = reference
            self._vi_static = static
            self._vi_win = self._vi_rates.window(reference, static)
        return self._vi_win

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
        low, high = self._vi_window(self._last)
        for level in self._book.side(ro.side.opposite):
            price = level.price
            if not self._crosses(ro, price) or not low < price < high:
                break
            total += level.qty
            if total >= ro.open:
                break
        return total

    def _match(self, taker: RestingOrder, now: int, ev: list[Event]) -> None:
        """Trade ``taker`` against the opposite side in price-time order (continuous phase).

        Each level is checked against the VI window computed from the last price as it was on
        arrival; a hit starts a VI auction and stops matching.
        """
        book = self._book
        buy = taker.side is _BUY
        opposite = book.asks if buy else book.bids
        level = opposite.best()
        if level is None:
            return
        price = level.price
        market, limit = taker.market, taker.price
        if not market and (price > limit if buy else price < limit):
            return
        reference = self._last
        low, high = self._vi_window(reference)
        code, aggressor, tid = self.code, taker.side, taker.order_id
        orders = book.orders
        left = taker.open
        hit: vi.ViCheck | None = None
        while True:
            if not low < price < high:
                hit = self._vi_check(price, reference)
                break
            maker = level.head
            done = count = 0
            while maker is not None:
                nxt = maker.next
                open_ = maker.open
                if left < open_:
                    qty = left
                    maker.open = open_ - qty
                    level.qty -= qty
                else:
                    # Book.remove of the level's head, inlined (an emptied level is dropped below)
                    qty = open_
                    level.head = nxt
                    if nxt is None:
                        level.tail = None
                    else:
                        nxt.prev = None
                    maker.next = None
                    level.qty -= qty
                    level.count -= 1
                    del orders[maker.order_id]
                    maker.open = 0
                maker.filled += qty
                left -= qty
                done += qty
                count += 1
                if buy:
                    ev.append(Trade(code, price, qty, tid, maker.order_id, aggressor, now))
                else:
                    ev.append(Trade(code, price, qty, maker.order_id, tid, aggressor, now))
                if not left:
                    break
                maker = nxt
            if not level.count:
                opposite.drop(level)
            self._record_trades(price, done, count)
            if not left:
                break
            level = opposite.best()
            if level is None:
                break
            price = level.price
            if not market and (price > limit if buy else price < limit):
                break
        taker.filled += taker.open - left
        taker.open = left
        if hit is not None:
            self._start_vi(hit, now, ev, after=_CONT, qty_priority=False)

    def _record_trade(self, price: int, qty: int) -> None:
        self._record_trades(price, qty, 1)

    def _record_trades(self, price: int, qty: int, count: int) -> None:
        """Statistics for ``count`` trades of ``qty`` shares in total, all at ``price``."""
        self._last = price
        high, low = self._high, self._low
        if self._open is None:
            self._open = price
        self._high = price if high is None or price > high else high
        self._low = price if low is None or price < low else low
        self._volume += qty
        self._turnover += price * qty
        self._trades += count
        self._dirty = True

    # ------------------------------------------------------------------ stops

    def _park_stop(self, ro: RestingOrder) -> None:
        self._stops[ro.order_id] = ro
        if ro.side is _BUY:
            heappush(self._buy_stops, (ro.stop_price, ro.seq, ro.order_id))
        else:
            heappush(self._sell_stops, (-ro.stop_price, ro.seq, ro.order_id))

    def _run_stops(self, now: int, ev: list[Event]) -> None:
        stops = self._stops
        while stops and self.phase is _CONT and self._last is not None:
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
        fired.sort(key=by_seq)
        return fired

    # ------------------------------------------------------------------ helpers

    def _take(self, ro: RestingOrder, qty: int) -> None:
        """Lower ``ro.open`` by ``qty`` wherever it lives (book, stops or in flight)."""
        oid = ro.order_id
        if oid in self._stops:
            ro.open -= qty
            if not ro.open:
                del self._stops[oid]
        elif oid in self._book.orders:
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

    def _reject(self, order_id: int, why: Why, now: int) -> OrderRejected:
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


def by_seq(ro: RestingOrder) -> int:
    return ro.seq
