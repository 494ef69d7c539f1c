"""A whole KRX trading day on the manual clock, in ``calendar`` mode, with customer orders only.

One test walks 2026-07-22 from 08:00 to the next morning: the pre-open closing-price session,
the opening auction (indicative price, random end, quantity priority at a limit after a static
VI), continuous trading with a VI set off by a customer sweep, the closing auction with a
조건부지정가 turned into a market order, the post-close closing-price session, the single-price
session's ten-minute uncrosses and the roll to the next day.
"""

from __future__ import annotations

from datetime import date

from _exchange_kit import BUY, MINUTE, SELL, US, at, make, order, pick, step

from hoga.domain.board import BoardPhase
from hoga.domain.events import (
    CancelReason,
    OrderCancelled,
    OrderRejected,
    OrderTriggered,
    RejectReason,
    Trade,
    ViReleased,
    ViTriggered,
)
from hoga.domain.vi import RANDOM_END_MAX_US, VI_AUCTION_US
from hoga.engine.exchange import MarketMode

NEXT_DAY = date(2026, 7, 23)
A, B, C = "005930", "035720", "069500"  # 259,000 (large cap), 35,300, an ETF at 108,140


def _rejected(events: list[object], reason: RejectReason) -> bool:
    return len(events) == 1 and isinstance(events[0], OrderRejected) and events[0].reason is reason


def test_a_whole_calendar_day() -> None:
    ex, clock, rec = make(pick(A, B, C), mode=MarketMode.CALENDAR, participants=False)
    a, b, c = (ex.states[x].board for x in (A, B, C))

    # 08:00: nothing is open yet.
    assert _rejected(ex.submit(order(1, A, BUY, "0", 10, 259_000)), RejectReason.SESSION_CLOSED)
    assert _rejected(ex.submit(order(2, A, BUY, "61", 10)), RejectReason.SESSION_CLOSED)
    assert a.phase is BoardPhase.CLOSED

    # 08:30: the pre-open closing-price session trades at the previous close.
    step(ex, clock, at(8, 30), MINUTE)
    assert a.phase is b.phase is c.phase is BoardPhase.OPENING_AUCTION
    ex.submit(order(3, A, BUY, "61", 10))
    fills = [e for e in ex.submit(order(4, A, SELL, "61", 4)) if isinstance(e, Trade)]
    assert [(f.price, f.qty, f.buy_order_id, f.sell_order_id) for f in fills] == [
        (259_000, 4, 3, 4)
    ]

    # Opening auction: orders accumulate (crossed) and an indicative price shows.
    ex.submit(order(10, A, BUY, "0", 20, 260_000))
    ex.submit(order(11, A, SELL, "0", 8, 258_000))
    ex.submit(order(12, A, SELL, "0", 20, 259_500))
    assert not rec.trades(A)[1:]  # only the 61 trade so far
    assert a.indicative() == (259_500, 20)
    # B: two buys at the upper limit (the smaller first) against a smaller sell.
    upper_b = b.limits.upper
    ex.submit(order(20, B, BUY, "0", 10, upper_b))
    ex.submit(order(21, B, BUY, "0", 50, upper_b))
    ex.submit(order(22, B, SELL, "0", 30, upper_b))

    # 08:40 the pre-open session ends: its leftover expires.
    step(ex, clock, at(8, 40, 1), MINUTE)
    assert ex.states[A].pre_close is None
    left = [e for e in rec.of(OrderCancelled, A) if isinstance(e, OrderCancelled)]
    assert [(e.order_id, e.qty, e.reason) for e in left] == [(3, 6, CancelReason.SESSION_END)]
    assert _rejected(ex.submit(order(5, A, BUY, "61", 1)), RejectReason.SESSION_CLOSED)

    # 09:00 + a random end of at most 30 s: each board uncrosses on its own.
    step(ex, clock, at(9) - 1, MINUTE)
    assert a.phase is BoardPhase.OPENING_AUCTION
    step(ex, clock, at(9) + RANDOM_END_MAX_US, US)
    assert a.phase is BoardPhase.CONTINUOUS
    opening = rec.trades(A)[1:]
    assert {t.price for t in opening} == {259_500}
    assert sum(t.qty for t in opening) == 20
    assert all(t.aggressor is None and at(9) <= t.at <= at(9) + RANDOM_END_MAX_US for t in opening)
    assert a.stats.open == 259_500

    # B's opening price would be +30%: a static VI extends its auction by 2 min + random end.
    assert b.phase is BoardPhase.VI_AUCTION
    vi_b = rec.of(ViTriggered, B)
    assert len(vi_b) == 1 and isinstance(vi_b[0], ViTriggered) and vi_b[0].static
    until = vi_b[0].until
    assert until == vi_b[0].at + VI_AUCTION_US
    step(ex, clock, until + RANDOM_END_MAX_US, US)
    released = rec.of(ViReleased, B)
    assert len(released) == 1 and until <= released[0].at <= until + RANDOM_END_MAX_US
    assert b.phase is BoardPhase.CONTINUOUS
    # ... and uncrosses with quantity priority at the limit: the larger buy fills first.
    assert [(t.price, t.qty, t.buy_order_id) for t in rec.trades(B)] == [(upper_b, 30, 21)]

    # Continuous trading: a customer market order sweeps A's book into a dynamic VI (3%).
    step(ex, clock, at(10), MINUTE)
    for oid, price in ((30, 260_000), (31, 262_000), (32, 268_000), (33, 270_000)):
        ex.submit(order(oid, A, SELL, "0", 5, price))
    sweep = ex.submit(order(34, A, BUY, "3", 28))  # 8 left over from the open at 259,500
    assert [(t.price, t.qty) for t in sweep if isinstance(t, Trade)] == [
        (259_500, 8),
        (260_000, 5),
        (262_000, 5),
    ]
    hit = [e for e in sweep if isinstance(e, ViTriggered)]
    assert len(hit) == 1 and not hit[0].static and hit[0].reference == 259_500
    assert a.phase is BoardPhase.VI_AUCTION
    until = hit[0].until
    assert until == at(10) + VI_AUCTION_US
    step(ex, clock, until + RANDOM_END_MAX_US, US)
    released = rec.of(ViReleased, A)
    assert len(released) == 1 and until <= released[0].at <= until + RANDOM_END_MAX_US
    vi_fills = [t for t in rec.trades(A) if t.at == released[0].at]
    assert sum(t.qty for t in vi_fills) == 10 and all(t.aggressor is None for t in vi_fills)
    last = a.stats.last
    assert last is not None

    # Closing auction: a resting 조건부지정가 becomes a market order at 15:20.
    step(ex, clock, at(15), 10 * MINUTE)
    bid = last - 5 * 500
    ex.submit(order(40, A, BUY, "5", 7, bid))
    ex.submit(order(41, A, SELL, "0", 7, last))
    assert [t.qty for t in rec.trades(A) if t.buy_order_id == 40] == []
    step(ex, clock, at(15, 20), MINUTE)
    assert a.phase is BoardPhase.CLOSING_AUCTION
    triggered = rec.of(OrderTriggered, A)
    assert [(e.order_id, e.price) for e in triggered if isinstance(e, OrderTriggered)] == [(40, 0)]
    assert _rejected(ex.submit(order(42, A, BUY, "5", 1, bid)), RejectReason.TYPE_NOT_ALLOWED_NOW)
    step(ex, clock, at(15, 30) + RANDOM_END_MAX_US, US)
    assert a.phase is b.phase is c.phase is BoardPhase.CLOSED
    closing = [t for t in rec.trades(A) if t.buy_order_id == 40]
    assert [(t.price, t.qty) for t in closing] == [(last, 7)]
    assert at(15, 30) <= closing[0].at <= at(15, 30) + RANDOM_END_MAX_US
    assert a.stats.close == last
    close_a, close_b = last, b.stats.close
    assert close_b == upper_b and c.stats.close is None

    # 15:40-16:00 post-close session at today's close.
    assert _rejected(ex.submit(order(50, A, BUY, "81", 5)), RejectReason.SESSION_CLOSED)
    step(ex, clock, at(15, 40), MINUTE)
    ex.submit(order(50, A, BUY, "81", 5))
    post = [t for t in ex.submit(order(51, A, SELL, "81", 3)) if isinstance(t, Trade)]
    assert [(t.price, t.qty) for t in post] == [(close_a, 3)]
    assert _rejected(ex.submit(order(52, A, BUY, "0", 1, close_a)), RejectReason.SESSION_CLOSED)

    # 16:00-18:00 single-price session: orders rest, uncross every 10 minutes.
    step(ex, clock, at(16, 5), MINUTE)
    assert ex.states[A].post_close is None
    ex.submit(order(60, A, BUY, "62", 10, close_a + 1_000))
    ex.submit(order(61, A, SELL, "62", 10, close_a + 500))
    assert _rejected(
        ex.submit(order(62, A, BUY, "62", 1, close_a * 12 // 10)), RejectReason.OUTSIDE_LIMITS
    )
    step(ex, clock, at(16, 10) - 1, MINUTE)
    assert not [t for t in rec.trades(A) if t.buy_order_id == 60]
    step(ex, clock, at(16, 10), MINUTE)
    single = [t for t in rec.trades(A) if t.buy_order_id == 60]
    assert len(single) == 1 and single[0].qty == 10 and single[0].at == at(16, 10)
    assert close_a + 500 <= single[0].price <= close_a + 1_000
    step(ex, clock, at(16, 12), MINUTE)
    ex.submit(order(63, A, BUY, "62", 4, close_a + 1_500))
    ex.submit(order(64, A, SELL, "62", 4, close_a + 1_500))
    step(ex, clock, at(16, 20), MINUTE)
    assert [t.at for t in rec.trades(A) if t.buy_order_id == 63] == [at(16, 20)]
    step(ex, clock, at(17, 55), 10 * MINUTE)
    ex.submit(order(65, A, BUY, "62", 2, close_a - 5_000))
    step(ex, clock, at(18, 1), MINUTE)
    expired = [e for e in rec.of(OrderCancelled, A) if isinstance(e, OrderCancelled)]
    assert (65, 2, CancelReason.SESSION_END) in [(e.order_id, e.qty, e.reason) for e in expired]
    assert _rejected(ex.submit(order(66, A, BUY, "62", 1, close_a)), RejectReason.SESSION_CLOSED)
    assert a.stats.close == close_a  # off-hours trades never move the regular close

    # The next trading day starts at 08:30 with base price = yesterday's close.
    step(ex, clock, at(8, 29, day=NEXT_DAY), 30 * MINUTE)
    assert a.base_price == 259_000 and a.phase is BoardPhase.CLOSED
    step(ex, clock, at(8, 30, day=NEXT_DAY), MINUTE)
    assert a.day == b.day == c.day == NEXT_DAY
    assert (a.base_price, b.base_price, c.base_price) == (close_a, close_b, 108_140)
    assert a.stats.volume == 0 and a.stats.close is None
    assert a.limits.upper > close_a and ex.states[A].pre_close is not None
    assert ex.states[A].pre_close.price == close_a
