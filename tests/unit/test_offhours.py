"""Off-hours books: closing-price trading (61/81) and the single-price session (62)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
from hoga.domain.limits import PriceLimits, price_limits
from hoga.domain.model import TRDE_TP, Market, NewOrder, OrderKind, Side
from hoga.domain.offhours import (
    ClosePriceBook,
    OffHoursOrder,
    SingleSessionBook,
    after_single_band,
    after_single_rate,
)
from hoga.domain.ticks import TickRules

B, S = Side.BUY, Side.SELL
CODE = "005930"
DAY = date(2026, 3, 3)
TICKS = TickRules()
T = 1_000


def new(
    oid: int, side: Side, qty: int, price: int = 0, tp: str = "81", code: str = CODE
) -> NewOrder:
    return NewOrder(order_id=oid, code=code, side=side, type=TRDE_TP[tp], qty=qty, price=price)


def rejected(events: list[Event], reason: RejectReason) -> bool:
    return len(events) == 1 and isinstance(events[0], OrderRejected) and events[0].reason is reason


# --- ClosePriceBook --------------------------------------------------------------------------


def test_close_book_trades_at_the_fixed_price_in_time_priority() -> None:
    book = ClosePriceBook(CODE, 70_000)
    assert book.submit(new(1, S, 100), T) == [
        OrderAccepted(1, CODE, S, "81", 70_000, 100, T),
        BookChanged(CODE, T),
    ]
    book.submit(new(2, S, 50, price=70_000), T)
    assert book.depth() == (0, 150)
    events = book.submit(new(3, B, 120), T + 1)
    assert events == [
        OrderAccepted(3, CODE, B, "81", 70_000, 120, T + 1),
        Trade(CODE, 70_000, 100, 3, 1, B, T + 1),
        Trade(CODE, 70_000, 20, 3, 2, B, T + 1),
        BookChanged(CODE, T + 1),
    ]
    assert book.depth() == (0, 30)
    assert book.order(1) is None
    assert book.order(2) == OffHoursOrder(2, S, "81", 70_000, 50, 20, 30, 0, 2)
    # a larger buy empties the sells and rests the remainder
    book.submit(new(4, B, 100), T + 2)
    assert book.depth() == (70, 0)
    view = book.order(4)
    assert view is not None
    assert (view.filled, view.open) == (30, 70)
    # a sell against resting buys: the sell is the aggressor
    events = book.submit(new(5, S, 10), T + 3)
    assert Trade(CODE, 70_000, 10, 4, 5, S, T + 3) in events


@pytest.mark.parametrize(
    ("order", "reason"),
    [
        (new(9, B, 10, code="000660"), RejectReason.UNKNOWN_INSTRUMENT),
        (new(9, B, 10, tp="0", price=70_000), RejectReason.TYPE_NOT_ALLOWED_NOW),
        (new(9, B, 10, tp="62", price=70_000), RejectReason.TYPE_NOT_ALLOWED_NOW),
        (new(9, B, 10, tp="61"), RejectReason.TYPE_NOT_ALLOWED_NOW),  # book restricted to 81
        (new(9, B, 0), RejectReason.INVALID_QUANTITY),
        (new(9, B, -5), RejectReason.INVALID_QUANTITY),
        (new(9, B, 15), RejectReason.INVALID_QUANTITY),  # lot 10
        (new(9, B, 10, price=70_100), RejectReason.INVALID_PRICE),
        (new(1, B, 10), RejectReason.DUPLICATE_ORDER_ID),
    ],
)
def test_close_book_rejects_bad_orders_and_changes_nothing(
    order: NewOrder, reason: RejectReason
) -> None:
    book = ClosePriceBook(CODE, 70_000, kind=OrderKind.POST_CLOSE, lot_size=10)
    book.submit(new(1, S, 20), T)
    before = book.orders()
    assert rejected(book.submit(order, T), reason)
    assert book.orders() == before


def test_close_book_default_accepts_both_closing_kinds_and_remembers_filled_ids() -> None:
    book = ClosePriceBook(CODE, 70_000)
    book.submit(new(1, S, 10, tp="61"), T)
    book.submit(new(2, B, 10, tp="81"), T)
    assert book.depth() == (0, 0)
    assert rejected(book.submit(new(1, B, 10), T), RejectReason.DUPLICATE_ORDER_ID)


def test_close_book_cancel() -> None:
    book = ClosePriceBook(CODE, 70_000)
    book.submit(new(1, B, 100), T)
    assert book.cancel(1, T + 1, qty=30) == [
        OrderCancelled(1, CODE, 30, CancelReason.REQUESTED, T + 1),
        BookChanged(CODE, T + 1),
    ]
    assert book.order(1) == OffHoursOrder(1, B, "81", 70_000, 100, 0, 70, 30, 1)
    assert rejected(book.cancel(1, T, qty=0), RejectReason.INVALID_QUANTITY)
    assert rejected(book.cancel(2, T), RejectReason.ORDER_NOT_FOUND)
    events = book.cancel(1, T + 2, qty=500)  # more than open: cancels what is open
    assert events[0] == OrderCancelled(1, CODE, 70, CancelReason.REQUESTED, T + 2)
    assert book.order(1) is None
    book.submit(new(3, B, 40), T)
    assert book.cancel(3, T)[0] == OrderCancelled(3, CODE, 40, CancelReason.REQUESTED, T)
    assert rejected(book.cancel(3, T), RejectReason.ORDER_NOT_FOUND)


def test_close_book_modify_decrease_keeps_priority_increase_loses_it() -> None:
    book = ClosePriceBook(CODE, 70_000)
    book.submit(new(1, B, 100), T)
    book.submit(new(2, B, 100), T)
    assert book.modify(1, T + 1, 50) == [
        OrderModified(1, CODE, 70_000, 50, 50, True, T + 1),
        BookChanged(CODE, T + 1),
    ]
    trades = [e for e in book.submit(new(3, S, 60), T + 2) if isinstance(e, Trade)]
    assert [(t.buy_order_id, t.qty) for t in trades] == [(1, 50), (2, 10)]
    # order 2 has 90 open; raising it to 200 sends it behind order 4
    book.submit(new(4, B, 30), T + 3)
    events = book.modify(2, T + 4, 200)
    assert events[0] == OrderModified(2, CODE, 70_000, 210, 200, False, T + 4)
    trades = [e for e in book.submit(new(5, S, 40), T + 5) if isinstance(e, Trade)]
    assert [(t.buy_order_id, t.qty) for t in trades] == [(4, 30), (2, 10)]


@pytest.mark.parametrize(
    ("oid", "qty", "reason"),
    [
        (9, 10, RejectReason.ORDER_NOT_FOUND),
        (1, 0, RejectReason.INVALID_QUANTITY),
        (1, 100, RejectReason.NOTHING_TO_CHANGE),
    ],
)
def test_close_book_modify_rejects(oid: int, qty: int, reason: RejectReason) -> None:
    book = ClosePriceBook(CODE, 70_000)
    book.submit(new(1, B, 100), T)
    assert rejected(book.modify(oid, T, qty), reason)
    assert book.orders() == (OffHoursOrder(1, B, "81", 70_000, 100, 0, 100, 0, 1),)


def test_expire_all() -> None:
    book = ClosePriceBook(CODE, 70_000)
    assert book.expire_all(T) == []
    book.submit(new(1, B, 100), T)
    book.submit(new(2, B, 10), T)
    assert book.expire_all(T + 9) == [
        OrderCancelled(1, CODE, 100, CancelReason.SESSION_END, T + 9),
        OrderCancelled(2, CODE, 10, CancelReason.SESSION_END, T + 9),
        BookChanged(CODE, T + 9),
    ]
    assert book.depth() == (0, 0)
    assert book.orders() == ()


# --- the single-price session band -----------------------------------------------------------


def test_after_single_band() -> None:
    limits = price_limits(10_000, Market.KOSPI, DAY, TICKS)
    assert after_single_band(10_000, limits, TICKS, Market.KOSPI, DAY) == PriceLimits(9_000, 11_000)
    # 157,500: 15,750 -> 15,700 (tick 100) -> 173,200 / 141,800
    wide = PriceLimits(1, 10_000_000)
    assert after_single_band(157_500, wide, TICKS, Market.KOSPI, DAY) == PriceLimits(
        141_800, 173_200
    )
    # 195,000: 19,500 -> 214,500 lands in the 500 band -> 214,500 stays (on the 500 grid)
    assert after_single_band(195_000, wide, TICKS, Market.KOSPI, DAY).upper == 214_500
    # 196,000: 19,600 -> 215,600 -> re-truncated to 215,500
    assert after_single_band(196_000, wide, TICKS, Market.KOSPI, DAY).upper == 215_500
    # the day's limits clip the band: base 9,000, close at the upper limit 11,700
    day_limits = price_limits(9_000, Market.KOSPI, DAY, TICKS)
    assert after_single_band(11_700, day_limits, TICKS, Market.KOSPI, DAY) == PriceLimits(
        10_530, 11_700
    )


def test_after_single_rate_is_dated() -> None:
    assert str(after_single_rate(date(2015, 6, 12))) == "0.05"
    assert str(after_single_rate(date(2015, 6, 15))) == "0.10"
    assert str(after_single_rate(date(1990, 1, 1))) == "0.05"


# --- SingleSessionBook -----------------------------------------------------------------------


def single(close: int = 10_000, lot: int = 1) -> SingleSessionBook:
    limits = price_limits(close, Market.KOSPI, DAY, TICKS)
    return SingleSessionBook(CODE, close, limits, TICKS, Market.KOSPI, DAY, lot_size=lot)


def s62(oid: int, side: Side, qty: int, price: int) -> NewOrder:
    return new(oid, side, qty, price=price, tp="62")


@pytest.mark.parametrize(
    ("order", "reason"),
    [
        (s62(9, B, 10, 0), RejectReason.INVALID_PRICE),
        (s62(9, B, 10, 10_005), RejectReason.OFF_TICK),
        (s62(9, B, 10, 11_010), RejectReason.OUTSIDE_LIMITS),
        (s62(9, B, 10, 8_990), RejectReason.OUTSIDE_LIMITS),
        (s62(9, B, 0, 10_000), RejectReason.INVALID_QUANTITY),
        (new(9, B, 10, tp="81"), RejectReason.TYPE_NOT_ALLOWED_NOW),
        (new(9, B, 10, price=10_000, tp="0"), RejectReason.TYPE_NOT_ALLOWED_NOW),
        (s62(1, B, 10, 10_000), RejectReason.DUPLICATE_ORDER_ID),
    ],
)
def test_single_book_rejects(order: NewOrder, reason: RejectReason) -> None:
    book = single()
    book.submit(s62(1, S, 10, 10_100), T)
    before = book.orders()
    assert rejected(book.submit(order, T), reason)
    assert book.orders() == before


def test_single_book_rests_then_uncrosses_at_one_price() -> None:
    book = single()
    assert book.band == PriceLimits(9_000, 11_000)
    assert book.submit(s62(1, S, 100, 9_900), T) == [
        OrderAccepted(1, CODE, S, "62", 9_900, 100, T),
        BookChanged(CODE, T),
    ]
    book.submit(s62(2, S, 100, 10_000), T)
    book.submit(s62(3, B, 150, 10_100), T)
    book.submit(s62(4, B, 50, 9_000), T)
    assert book.depth() == (((10_100, 150), (9_000, 50)), ((9_900, 100), (10_000, 100)))
    assert book.depth(1) == (((10_100, 150),), ((9_900, 100),))
    # volume 150 on [10,000, 10,100]; the last price (the close, 10,000) is in it
    assert book.indicative() == (10_000, 150)
    events = book.uncross(T + 600_000_000)
    assert events == [
        Trade(CODE, 10_000, 100, 3, 1, None, T + 600_000_000),
        Trade(CODE, 10_000, 50, 3, 2, None, T + 600_000_000),
        BookChanged(CODE, T + 600_000_000),
    ]
    assert book.last == 10_000
    assert book.order(3) is None
    assert book.order(2) == OffHoursOrder(2, S, "62", 10_000, 100, 50, 50, 0, 2)
    assert book.uncross(T + 1) == []  # nothing crosses any more
    # the next uncross uses the new last price as reference
    book.submit(s62(5, B, 50, 10_500), T + 2)
    book.submit(s62(6, S, 10, 10_300), T + 2)
    book.modify(2, T + 2, price=10_400)
    events = book.uncross(T + 3)
    assert [(e.price, e.qty) for e in events if isinstance(e, Trade)] == [
        (10_400, 10),
        (10_400, 40),
    ]
    assert book.last == 10_400


def test_single_book_modify() -> None:
    book = single()
    book.submit(s62(1, B, 100, 10_000), T)
    book.submit(s62(2, B, 100, 10_000), T)
    # decrease at the same price keeps priority
    assert book.modify(1, T + 1, qty=60) == [
        OrderModified(1, CODE, 10_000, 60, 60, True, T + 1),
        BookChanged(CODE, T + 1),
    ]
    book.submit(s62(3, S, 70, 10_000), T)
    trades = [e for e in book.uncross(T + 2) if isinstance(e, Trade)]
    assert [(t.buy_order_id, t.qty) for t in trades] == [(1, 60), (2, 10)]
    # a price change loses priority even with a smaller quantity
    book.submit(s62(4, B, 10, 10_000), T)
    events = book.modify(2, T + 3, price=10_000, qty=80)
    assert events[0] == OrderModified(2, CODE, 10_000, 90, 80, True, T + 3)
    events = book.modify(2, T + 4, price=10_010, qty=50)
    assert events[0] == OrderModified(2, CODE, 10_010, 60, 50, False, T + 4)
    book.modify(2, T + 5, price=10_000)
    book.submit(s62(5, S, 10, 10_000), T)
    trades = [e for e in book.uncross(T + 6) if isinstance(e, Trade)]
    assert [(t.buy_order_id, t.qty) for t in trades] == [(4, 10)]
    # a quantity increase alone also loses priority
    book.submit(s62(6, B, 10, 10_000), T)
    book.modify(2, T + 7, qty=51)
    book.submit(s62(7, S, 10, 10_000), T)
    trades = [e for e in book.uncross(T + 8) if isinstance(e, Trade)]
    assert [(t.buy_order_id, t.qty) for t in trades] == [(6, 10)]


@pytest.mark.parametrize(
    ("oid", "price", "qty", "reason"),
    [
        (9, 10_000, None, RejectReason.ORDER_NOT_FOUND),
        (1, None, None, RejectReason.NOTHING_TO_CHANGE),
        (1, 10_000, 100, RejectReason.NOTHING_TO_CHANGE),
        (1, 10_005, None, RejectReason.OFF_TICK),
        (1, 12_000, None, RejectReason.OUTSIDE_LIMITS),
        (1, None, 0, RejectReason.INVALID_QUANTITY),
        (1, None, 105, RejectReason.INVALID_QUANTITY),  # lot 10
    ],
)
def test_single_book_modify_rejects(
    oid: int, price: int | None, qty: int | None, reason: RejectReason
) -> None:
    book = single(lot=10)
    book.submit(s62(1, B, 100, 10_000), T)
    before = book.orders()
    assert rejected(book.modify(oid, T, price=price, qty=qty), reason)
    assert book.orders() == before


def test_single_book_cancel_and_expire() -> None:
    book = single()
    book.submit(s62(1, B, 100, 10_000), T)
    book.cancel(1, T, qty=40)
    assert book.depth() == (((10_000, 60),), ())
    assert book.expire_all(T + 1) == [
        OrderCancelled(1, CODE, 60, CancelReason.SESSION_END, T + 1),
        BookChanged(CODE, T + 1),
    ]
    assert book.indicative() == (None, 0)


# --- property: quantity is conserved ---------------------------------------------------------

ops = st.lists(
    st.tuples(
        st.sampled_from(["submit", "submit", "submit", "cancel", "modify", "uncross", "uncross"]),
        st.sampled_from([B, S]),
        st.integers(1, 12),  # target of cancel/modify; a multiple of 4 re-submits an id
        st.integers(-1, 200),  # quantity (some invalid)
        st.integers(-1, 3),  # price step of 500 from the close (3 is outside the band)
    ),
    min_size=5,
    max_size=60,
)


def _conserved(book: ClosePriceBook | SingleSessionBook, events: list[Event]) -> None:
    """Per order: accepted qty + modify deltas == filled + open + cancelled."""
    submitted: dict[int, int] = defaultdict(int)
    filled: dict[int, int] = defaultdict(int)
    cancelled: dict[int, int] = defaultdict(int)
    open_now: dict[int, int] = {}
    for e in events:
        if isinstance(e, OrderAccepted):
            submitted[e.order_id] += e.qty
            open_now[e.order_id] = e.qty
        elif isinstance(e, Trade):
            for oid in (e.buy_order_id, e.sell_order_id):
                filled[oid] += e.qty
                open_now[oid] -= e.qty
        elif isinstance(e, OrderCancelled):
            cancelled[e.order_id] += e.qty
            open_now[e.order_id] -= e.qty
        elif isinstance(e, OrderModified):
            submitted[e.order_id] += e.open_qty - open_now[e.order_id]
            open_now[e.order_id] = e.open_qty
    for oid, qty in submitted.items():
        view = book.order(oid)
        resting = 0 if view is None else view.open
        assert resting == open_now[oid] >= 0
        assert qty == filled[oid] + resting + cancelled[oid]
        if view is not None:
            assert view.qty == view.filled + view.open + view.cancelled
            assert view.filled == filled[oid]


@given(ops, st.booleans())
def test_close_book_conserves_quantity(
    script: list[tuple[str, Side, int, int, int]], end: bool
) -> None:
    book = ClosePriceBook(CODE, 70_000)
    events: list[Event] = []
    for n, (op, side, oid, qty, _) in enumerate(script):
        if op == "submit":
            events += book.submit(new(n + 1 if oid % 4 else oid, side, qty), n)
        elif op == "cancel":
            events += book.cancel(oid, n, qty if qty % 3 else None)
        elif op == "modify":
            events += book.modify(oid, n, qty)
        buy, sell = book.depth()
        assert buy == 0 or sell == 0  # it trades whenever it can
    if end:
        events += book.expire_all(len(script))
        assert book.depth() == (0, 0)
    _conserved(book, events)


@given(ops, st.booleans())
def test_single_book_conserves_quantity(
    script: list[tuple[str, Side, int, int, int]], end: bool
) -> None:
    book = single()
    events: list[Event] = []
    for n, (op, side, oid, qty, step) in enumerate(script):
        price = 10_000 + step * 500
        if op == "submit":
            events += book.submit(s62(n + 1 if oid % 4 else oid, side, qty, price), n)
        elif op == "cancel":
            events += book.cancel(oid, n, qty if qty % 3 else None)
        elif op == "modify":
            events += book.modify(oid, n, price=price if step % 2 else None, qty=qty)
        else:
            events += book.uncross(n)
            price_after, volume_after = book.indicative()
            assert (price_after, volume_after) == (None, 0)
    if end:
        events += book.expire_all(len(script))
    _conserved(book, events)
    for e in events:
        if isinstance(e, Trade):
            assert e.aggressor is None
            assert book.band.contains(e.price)
