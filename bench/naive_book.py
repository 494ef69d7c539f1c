"""The baseline: a naive price-time-priority order book with no rules at all (perf-ceilings §2).

heapq price index plus a dict of levels, a ``deque`` per level (FIFO time priority), a dict
from order id to order for O(1) cancel, orders as ``@dataclass(slots=True)``. Cancelled orders
are flagged and dropped lazily from the front of their level; stale heap keys are dropped lazily
too. No validation, no events, no tick grid: trades are appended as tuples
``(price, qty, buy_id, sell_id)`` and the caller drains them.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass

__all__ = ["NaiveBook"]


@dataclass(slots=True)
class _Order:
    oid: int
    side: int  # 0 buy, 1 sell
    price: int
    qty: int
    live: bool = True


class NaiveBook:
    """One instrument's book (see the module docstring)."""

    def __init__(self) -> None:
        self.levels: tuple[dict[int, deque[_Order]], dict[int, deque[_Order]]] = ({}, {})
        # bids keyed by -price, asks by price: the heap top is always the best price
        self.heaps: tuple[list[int], list[int]] = ([], [])
        self.orders: dict[int, _Order] = {}
        self.trades: list[tuple[int, int, int, int]] = []

    def _best(self, side: int) -> tuple[int, deque[_Order]] | None:
        heap, levels = self.heaps[side], self.levels[side]
        while heap:
            price = -heap[0] if side == 0 else heap[0]
            level = levels.get(price)
            if level is not None:
                while level and not level[0].live:
                    level.popleft()
                if level:
                    return price, level
                del levels[price]
            heapq.heappop(heap)
        return None

    def _take(self, oid: int, side: int, qty: int, limit: int | None) -> int:
        """Match ``qty`` against the opposite side up to ``limit`` (None: any price)."""
        opp = 1 - side
        trades, orders = self.trades, self.orders
        while qty:
            best = self._best(opp)
            if best is None:
                break
            price, level = best
            if limit is not None and (price > limit if side == 0 else price < limit):
                break
            while qty and level:
                maker = level[0]
                if not maker.live:
                    level.popleft()
                    continue
                fill = maker.qty if maker.qty < qty else qty
                maker.qty -= fill
                qty -= fill
                if side == 0:
                    trades.append((price, fill, oid, maker.oid))
                else:
                    trades.append((price, fill, maker.oid, oid))
                if not maker.qty:
                    maker.live = False
                    level.popleft()
                    del orders[maker.oid]
        return qty

    def limit(self, oid: int, side: int, price: int, qty: int) -> None:
        """A limit order: match what crosses, rest the remainder."""
        qty = self._take(oid, side, qty, price)
        if qty:
            order = _Order(oid, side, price, qty)
            self.orders[oid] = order
            levels = self.levels[side]
            level = levels.get(price)
            if level is None:
                level = levels[price] = deque()
                heapq.heappush(self.heaps[side], -price if side == 0 else price)
            level.append(order)

    def market(self, oid: int, side: int, qty: int) -> None:
        """A market IOC order: sweep, drop the remainder."""
        self._take(oid, side, qty, None)

    def cancel(self, oid: int) -> None:
        order = self.orders.pop(oid, None)
        if order is not None:
            order.live = False

    def resting(self) -> int:
        return len(self.orders)

    def level_counts(self) -> tuple[int, int]:
        """Non-empty price levels per side (bids, asks)."""
        return tuple(  # type: ignore[return-value]
            sum(1 for q in lv.values() if any(o.live for o in q)) for lv in self.levels
        )
