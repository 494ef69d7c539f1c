"""Exchange commands, routing to the right book, the bus, and the closing-auction VI fix."""

from __future__ import annotations

import pytest
from _exchange_kit import BUY, MINUTE, SELL, US, at, make, order, pick, step

from hoga.domain.board import BoardPhase
from hoga.domain.events import (
    CancelReason,
    OrderAccepted,
    OrderCancelled,
    OrderModified,
    OrderRejected,
    RejectReason,
    ViReleased,
    ViTriggered,
)
from hoga.domain.model import Board as BookKind
from hoga.domain.vi import RANDOM_END_MAX_US, VI_AUCTION_US
from hoga.engine.calendar import AlwaysCalendar
from hoga.engine.exchange import Exchange, MarketMode, SeqEvent

A = "005930"


def _reason(events: list[object]) -> RejectReason | None:
    ev = events[0]
    return ev.reason if isinstance(ev, OrderRejected) else None


def test_commands_on_the_regular_board() -> None:
    ex, _, rec = make(pick(A), participants=False)
    assert isinstance(ex.submit(order(1, A, BUY, "0", 10, 258_000))[0], OrderAccepted)
    assert isinstance(ex.modify(A, 1, price=258_500, qty=8)[0], OrderModified)
    cancelled = ex.cancel(A, 1, 3)
    assert isinstance(cancelled[0], OrderCancelled) and cancelled[0].qty == 3
    assert ex.states[A].board.open_order(1) is not None
    assert _reason(ex.submit(order(2, "999999", BUY, "0", 1, 1_000))) is (
        RejectReason.UNKNOWN_INSTRUMENT
    )
    assert _reason(ex.cancel("999999", 1)) is RejectReason.ORDER_NOT_FOUND
    assert _reason(ex.modify("999999", 1, qty=1)) is RejectReason.ORDER_NOT_FOUND
    seqs = [s for s, _ in rec.items]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert ex.state(A) is ex.states[A] and ex.state("999999") is None


def test_off_hours_books_open_only_in_their_session() -> None:
    ex, clock, _ = make(pick(A), mode=MarketMode.CALENDAR, start=at(8, 35), participants=False)
    assert isinstance(ex.submit(order(1, A, BUY, "61", 5))[0], OrderAccepted)
    pre = BookKind.PRE_CLOSE
    assert _reason(ex.modify(A, 1, price=1, kind=pre)) is RejectReason.NOTHING_TO_CHANGE
    assert isinstance(ex.modify(A, 1, qty=3, kind=pre)[0], OrderModified)
    assert isinstance(ex.cancel(A, 1, kind=pre)[0], OrderCancelled)
    for tp in ("81", "62"):
        assert _reason(ex.submit(order(2, A, BUY, tp, 1, 259_000))) is RejectReason.SESSION_CLOSED
    assert _reason(ex.cancel(A, 1, kind=BookKind.POST_CLOSE)) is RejectReason.ORDER_NOT_FOUND
    step(ex, clock, at(16, 1), 10 * MINUTE)
    assert isinstance(ex.submit(order(3, A, BUY, "62", 5, 259_000))[0], OrderAccepted)
    single = BookKind.AFTER_SINGLE
    assert isinstance(ex.modify(A, 3, price=259_500, kind=single)[0], OrderModified)
    assert _reason(ex.submit(order(4, A, BUY, "61", 1))) is RejectReason.SESSION_CLOSED


def test_the_bus_gets_per_instrument_and_market_topics() -> None:
    seen: list[tuple[str, list[SeqEvent]]] = []
    clock = make([])[1]
    ex = Exchange(
        pick(A),
        clock=clock,
        calendar=AlwaysCalendar(),
        participants=False,
        publish=lambda topic, batch: seen.append((topic, batch)),
    )
    ex.submit(order(1, A, BUY, "0", 1, 259_000))
    ex.submit(order(2, "999999", BUY, "0", 1, 1))
    assert [t for t, _ in seen][-2:] == [f"market.{A}", "market"]


def test_set_base_price_must_be_positive() -> None:
    ex, _, _ = make(pick(A), participants=False)
    with pytest.raises(ValueError, match="positive"):
        ex.set_base_price(A, 0)


def test_a_vi_in_the_closing_auction_extends_it_and_orders_expire_after() -> None:
    ex, clock, rec = make(pick(A), mode=MarketMode.CALENDAR, start=at(15), participants=False)
    board = ex.states[A].board
    ex.submit(order(1, A, SELL, "0", 1, 259_000))
    ex.submit(order(2, A, BUY, "0", 1, 259_000))  # last = 259,000
    step(ex, clock, at(15, 21), MINUTE)
    assert board.phase is BoardPhase.CLOSING_AUCTION
    ex.submit(order(3, A, BUY, "0", 10, 266_000))  # +2.7%: beyond the 2% closing band
    ex.submit(order(4, A, SELL, "0", 5, 266_000))
    ex.submit(order(5, A, BUY, "0", 3, 250_000))  # will not trade
    step(ex, clock, at(15, 30) + RANDOM_END_MAX_US, US)
    assert board.phase is BoardPhase.VI_AUCTION
    hit = rec.of(ViTriggered, A)
    assert len(hit) == 1 and isinstance(hit[0], ViTriggered)
    assert not rec.of(OrderCancelled, A)  # the day's orders wait for the VI uncross
    until = hit[0].until
    assert until == hit[0].at + VI_AUCTION_US
    step(ex, clock, until + RANDOM_END_MAX_US, US)
    assert board.phase is BoardPhase.CLOSED and len(rec.of(ViReleased, A)) == 1
    assert board.stats.close == 266_000
    gone = {
        (e.order_id, e.qty, e.reason)
        for e in rec.of(OrderCancelled, A)
        if isinstance(e, OrderCancelled)
    }
    assert gone == {(3, 5, CancelReason.SESSION_END), (5, 3, CancelReason.SESSION_END)}
    step(ex, clock, at(15, 40), MINUTE)
    post = ex.states[A].post_close
    assert post is not None and post.price == 266_000
