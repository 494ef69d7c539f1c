"""Shared helpers for the board tests (not a test module)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date

from hoga.domain import events as ev
from hoga.domain.board import Board, BoardPhase
from hoga.domain.model import TRDE_TP, Instrument, Market, NewOrder, Side
from hoga.domain.ticks import TickRules
from hoga.domain.vi import ViClass

DAY = date(2026, 7, 22)
BUY, SELL = Side.BUY, Side.SELL
_ids = itertools.count(1)


def instrument(*, market: Market = Market.KOSPI, lot: int = 1, base: int = 10_000) -> Instrument:
    return Instrument(
        code="005930",
        isin="KR7005930003",
        name="TEST",
        market=market,
        kind="stock",
        base_price=base,
        listed_shares=1_000_000,
        volume=0,
        sector="",
        lot_size=lot,
    )


def make_board(
    phase: BoardPhase = BoardPhase.CONTINUOUS,
    *,
    base: int = 10_000,
    lot: int = 1,
    vi_class: ViClass = ViClass.OTHER,
    market: Market = Market.KOSPI,
) -> Board:
    board = Board(
        instrument(market=market, lot=lot, base=base),
        day=DAY,
        base_price=base,
        ticks=TickRules(),
        vi_class=vi_class,
    )
    if phase is not BoardPhase.CLOSED:
        board.set_phase(phase, 0)
    return board


def new(
    side: Side, tp: str, qty: int, price: int = 0, *, stop: int = 0, oid: int | None = None
) -> NewOrder:
    return NewOrder(
        order_id=next(_ids) if oid is None else oid,
        code="005930",
        side=side,
        type=TRDE_TP[tp],
        qty=qty,
        price=price,
        stop_price=stop,
    )


def place(
    board: Board, side: Side, tp: str, qty: int, price: int = 0, *, stop: int = 0, now: int = 1
) -> tuple[int, list[ev.Event]]:
    order = new(side, tp, qty, price, stop=stop)
    return order.order_id, board.submit(order, now)


def limit(board: Board, side: Side, qty: int, price: int, now: int = 1) -> int:
    oid, out = place(board, side, "0", qty, price, now=now)
    assert isinstance(out[0], ev.OrderAccepted), out
    return oid


def trades(events: Sequence[ev.Event]) -> list[tuple[int, int, int, int]]:
    """(price, qty, buy id, sell id) of every trade."""
    return [
        (e.price, e.qty, e.buy_order_id, e.sell_order_id) for e in events if isinstance(e, ev.Trade)
    ]


def kinds(events: Sequence[ev.Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def rejected(events: Sequence[ev.Event]) -> ev.RejectReason:
    assert len(events) == 1 and isinstance(events[0], ev.OrderRejected), events
    return events[0].reason


def cancelled(events: Sequence[ev.Event]) -> list[tuple[int, int, ev.CancelReason]]:
    return [(e.order_id, e.qty, e.reason) for e in events if isinstance(e, ev.OrderCancelled)]


def book(board: Board) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
    d = board.depth(50, public=False)
    return (
        [(lv.price, lv.qty, lv.count) for lv in d.bids],
        [(lv.price, lv.qty, lv.count) for lv in d.asks],
    )
