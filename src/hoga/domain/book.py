"""The bare order book of one instrument: price levels, FIFO queues, O(1) cancel.

This module knows nothing about order types, phases or matching rules (see ``board.py``); it
only keeps resting orders in price-time order and answers "what is best" quickly.

Structure:
- Each side is a ``dict`` of price → :class:`Level` plus a sorted list of level keys kept with
  ``bisect`` (key = price for bids, −price for asks, so the best level is always the *last*
  key and consuming the best level pops from the end in O(1)). A key is inserted only when a
  level is created and removed when it empties, so the list stays as short as the number of
  live price levels (bounded by the day's price limits).
- A level is an intrusive doubly linked list of :class:`RestingOrder` (``prev``/``next``), so
  append, pop-front and removal from the middle are all O(1) and need no tombstones.
- ``orders`` maps order id → resting order for O(1) lookup and cancel.

Invariants:
- Every order in ``orders`` sits in exactly one level, at ``order.price``, on ``order.side``.
- A level's ``qty`` is the sum of its orders' ``open`` quantities and ``count`` their number;
  both are positive while the level exists (empty levels are removed at once).
- Within a level, orders are in arrival order (the order they were added).
- The book never checks whether it is crossed: the board decides when that is allowed (during a
  call auction it is).
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator
from typing import Final

from hoga.domain.model import OrderType, Side

__all__ = ["Book", "BookSide", "Level", "RestingOrder"]

_BUY: Final = Side.BUY


class RestingOrder:
    """A live order owned by a board (mutable; the only mutable object in the domain).

    ``qty`` is the total order quantity (changed only by a modify), ``open`` what is still
    working, ``filled`` what has traded and ``cancelled`` what left without trading, so
    ``filled + open + cancelled == qty`` always holds. ``market`` marks an order that trades as a
    market order in a call auction (a market order, or a 조건부지정가 after its conversion).
    ``seq`` is the board's time-priority stamp.
    """

    __slots__ = (
        "cancelled",
        "filled",
        "market",
        "next",
        "open",
        "order_id",
        "prev",
        "price",
        "qty",
        "seq",
        "side",
        "stop_price",
        "type",
    )

    def __init__(
        self,
        order_id: int,
        side: Side,
        type: OrderType,
        price: int,
        qty: int,
        seq: int,
        market: bool = False,
        stop_price: int = 0,
    ) -> None:
        self.order_id = order_id
        self.side = side
        self.type = type
        self.price = price
        self.qty = qty
        self.open = qty
        self.filled = 0
        self.cancelled = 0
        self.seq = seq
        self.market = market
        self.stop_price = stop_price
        self.prev: RestingOrder | None = None
        self.next: RestingOrder | None = None

    def __repr__(self) -> str:
        return (
            f"RestingOrder(id={self.order_id}, {self.side} {self.open}/{self.qty}"
            f" @ {self.price}{' mkt' if self.market else ''}, seq={self.seq})"
        )


class Level:
    """One price level: a FIFO of resting orders with their total open quantity and count."""

    __slots__ = ("count", "head", "price", "qty", "tail")

    def __init__(self, price: int) -> None:
        self.price = price
        self.qty = 0
        self.count = 0
        self.head: RestingOrder | None = None
        self.tail: RestingOrder | None = None

    def __iter__(self) -> Iterator[RestingOrder]:
        node = self.head
        while node is not None:
            nxt = node.next
            yield node
            node = nxt

    def append(self, order: RestingOrder) -> None:
        order.prev = self.tail
        order.next = None
        if self.tail is None:
            self.head = order
        else:
            self.tail.next = order
        self.tail = order
        self.qty += order.open
        self.count += 1

    def unlink(self, order: RestingOrder) -> None:
        if order.prev is None:
            self.head = order.next
        else:
            order.prev.next = order.next
        if order.next is None:
            self.tail = order.prev
        else:
            order.next.prev = order.prev
        order.prev = order.next = None
        self.qty -= order.open
        self.count -= 1


class BookSide:
    """The levels of one side, best first on iteration."""

    __slots__ = ("_keys", "_sign", "levels", "side")

    def __init__(self, side: Side) -> None:
        self.side = side
        self._sign = 1 if side is Side.BUY else -1
        self.levels: dict[int, Level] = {}
        self._keys: list[int] = []

    def __iter__(self) -> Iterator[Level]:
        """Levels from the best price outwards (a snapshot of the keys: safe to mutate)."""
        sign, levels = self._sign, self.levels
        for key in reversed(self._keys.copy()):
            level = levels.get(key * sign)
            if level is not None:
                yield level

    def __len__(self) -> int:
        return len(self._keys)

    def best(self) -> Level | None:
        keys = self._keys
        return self.levels[keys[-1] * self._sign] if keys else None

    def level_for(self, price: int) -> Level:
        level = self.levels.get(price)
        if level is None:
            level = self.levels[price] = Level(price)
            key = price * self._sign
            keys = self._keys
            if not keys or key > keys[-1]:
                keys.append(key)
            else:
                insort(keys, key)
        return level

    def drop(self, level: Level) -> None:
        del self.levels[level.price]
        key = level.price * self._sign
        keys = self._keys
        if keys[-1] == key:
            keys.pop()
        else:
            keys.remove(key)


class Book:
    """Bids and asks of one instrument plus the id → order map."""

    __slots__ = ("asks", "bids", "orders")

    def __init__(self) -> None:
        self.bids = BookSide(Side.BUY)
        self.asks = BookSide(Side.SELL)
        self.orders: dict[int, RestingOrder] = {}

    def __len__(self) -> int:
        return len(self.orders)

    def __contains__(self, order_id: int) -> bool:
        return order_id in self.orders

    def side(self, side: Side) -> BookSide:
        return self.bids if side is _BUY else self.asks

    def get(self, order_id: int) -> RestingOrder | None:
        return self.orders.get(order_id)

    def best_price(self, side: Side) -> int | None:
        level = self.side(side).best()
        return None if level is None else level.price

    # add / remove / reduce run for every order and fill: they inline Level.append/unlink and
    # pick the side without a method call (same effect as the Level/BookSide methods).

    def add(self, order: RestingOrder) -> None:
        """Append ``order`` (with ``open`` > 0) at the back of its price level."""
        book_side = self.bids if order.side is _BUY else self.asks
        level = book_side.levels.get(order.price)
        if level is None:
            level = book_side.level_for(order.price)
        tail = level.tail
        order.prev = tail
        order.next = None
        if tail is None:
            level.head = order
        else:
            tail.next = order
        level.tail = order
        level.qty += order.open
        level.count += 1
        self.orders[order.order_id] = order

    def remove(self, order: RestingOrder) -> None:
        """Take ``order`` out of the book (its quantities are left as they are)."""
        book_side = self.bids if order.side is _BUY else self.asks
        level = book_side.levels[order.price]
        prev, nxt = order.prev, order.next
        if prev is None:
            level.head = nxt
        else:
            prev.next = nxt
        if nxt is None:
            level.tail = prev
        else:
            nxt.prev = prev
        order.prev = order.next = None
        level.qty -= order.open
        level.count -= 1
        if not level.count:
            book_side.drop(level)
        del self.orders[order.order_id]

    def reduce(self, order: RestingOrder, qty: int) -> None:
        """Lower ``order.open`` by ``qty`` in place (keeping priority); remove it at zero."""
        if qty >= order.open:
            self.remove(order)
            order.open = 0
            return
        (self.bids if order.side is _BUY else self.asks).levels[order.price].qty -= qty
        order.open -= qty

    def depth(self, side: Side, levels: int) -> list[tuple[int, int, int]]:
        """Up to ``levels`` (price, open qty, order count) tuples, best first."""
        out: list[tuple[int, int, int]] = []
        for level in self.side(side):
            if len(out) == levels:
                break
            out.append((level.price, level.qty, level.count))
        return out

    def __iter__(self) -> Iterator[RestingOrder]:
        """Every resting order (in no particular order)."""
        return iter(list(self.orders.values()))
