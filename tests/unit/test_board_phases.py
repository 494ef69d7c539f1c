"""Phases of the regular board: auctions, VI, halts, the close and the day boundary."""

from datetime import date

import pytest
from _board_kit import (
    BUY,
    SELL,
    book,
    cancelled,
    kinds,
    limit,
    make_board,
    new,
    place,
    rejected,
    trades,
)

from hoga.domain import events as ev
from hoga.domain.board import Board, BoardPhase
from hoga.domain.events import CancelReason, RejectReason
from hoga.domain.vi import VI_AUCTION_US

OPEN, CONT, VI = BoardPhase.OPENING_AUCTION, BoardPhase.CONTINUOUS, BoardPhase.VI_AUCTION
CLOSING, CLOSED, HALTED = BoardPhase.CLOSING_AUCTION, BoardPhase.CLOSED, BoardPhase.HALTED


def phases(events: list[ev.Event]) -> list[str]:
    return [e.phase for e in events if isinstance(e, ev.PhaseChanged)]


def trade_last(board: Board, price: int) -> None:
    limit(board, SELL, 1, price)
    place(board, BUY, "0", 1, price)
    assert board.stats.last == price


# ---------------------------------------------------------------- opening auction


def test_opening_auction_accumulates_then_uncrosses_at_one_price() -> None:
    board = make_board(OPEN)
    a = limit(board, BUY, 10, 10_100)
    m, out = place(board, BUY, "3", 5)
    assert kinds(out) == ["OrderAccepted", "BookChanged"]
    s1 = limit(board, SELL, 8, 9_900)
    s2 = limit(board, SELL, 10, 10_000)
    assert trades(out) == [] and board.stats.trades == 0
    assert board.indicative() == (10_000, 15)
    out = board.set_phase(CONT, 100)
    assert trades(out) == [(10_000, 5, m, s1), (10_000, 3, a, s1), (10_000, 7, a, s2)]
    assert all(e.aggressor is None for e in out if isinstance(e, ev.Trade))
    assert kinds(out)[-2:] == ["PhaseChanged", "BookChanged"] and phases(out) == [CONT]
    assert board.phase is CONT and book(board) == ([], [(10_000, 3, 1)])
    assert board.stats.open == 10_000 and board.indicative() == (None, 0)


def test_market_orders_left_after_the_open_rest_at_the_continuous_price() -> None:
    board = make_board(OPEN)
    m, _ = place(board, BUY, "3", 10)
    view = board.open_order(m)
    assert view is not None and view.price == 13_000  # ranks at the upper limit in the auction
    limit(board, SELL, 4, 10_000)
    limit(board, BUY, 1, 9_000)
    board.set_phase(CONT, 100)
    view = board.open_order(m)
    assert view is not None and view.market and view.open == 6 and view.price == 9_010


def test_empty_opening_has_no_trades() -> None:
    board = make_board(OPEN)
    out = board.set_phase(CONT, 5)
    assert out == [ev.PhaseChanged("005930", CONT, 5)]
    assert board.set_phase(CONT, 6) == []


@pytest.mark.parametrize(
    ("tp", "price"), [("10", 10_000), ("23", 0), ("6", 0), ("7", 0), ("29", 0)]
)
def test_continuous_only_types_are_rejected_in_auctions(tp: str, price: int) -> None:
    board = make_board(OPEN)
    limit(board, BUY, 1, 9_000)
    limit(board, SELL, 1, 11_000)
    assert rejected(place(board, BUY, tp, 1, price)[1]) is RejectReason.TYPE_NOT_ALLOWED_NOW


def test_opening_at_the_limit_is_extended_by_static_vi_then_uses_quantity_priority() -> None:
    board = make_board(OPEN)
    a = limit(board, BUY, 300, 13_000)
    b = limit(board, BUY, 150, 13_000)
    s = limit(board, SELL, 200, 13_000)
    out = board.set_phase(CONT, 1_000)
    assert kinds(out) == ["ViTriggered", "PhaseChanged"]
    vt = out[0]
    assert isinstance(vt, ev.ViTriggered) and vt.static
    assert (vt.reference, vt.trigger_price, vt.until) == (10_000, 13_000, 1_000 + VI_AUCTION_US)
    assert board.phase is VI and board.vi_until == 1_000 + VI_AUCTION_US
    assert board.indicative() == (13_000, 200)
    out = board.end_vi(2_000)
    # quantity priority: 100 each in round one (time priority would give A all 200)
    assert trades(out) == [(13_000, 100, a, s), (13_000, 100, b, s)]
    assert kinds(out)[-3:] == ["ViReleased", "PhaseChanged", "BookChanged"]
    assert board.phase is CONT and board.vi_until is None
    assert board.end_vi(3_000) == []


def test_stop_orders_entered_in_the_auction_fire_after_the_open() -> None:
    board = make_board(OPEN)
    stop, out = place(board, BUY, "28", 1, 10_100, stop=10_000)
    assert kinds(out) == ["OrderAccepted"]
    limit(board, BUY, 5, 10_000)
    limit(board, SELL, 6, 10_000)
    out = board.set_phase(CONT, 9)
    assert [e.order_id for e in out if isinstance(e, ev.OrderTriggered)] == [stop]
    assert trades(out)[-1][2] == stop


def test_modify_in_an_auction_does_not_match() -> None:
    board = make_board(OPEN)
    b = limit(board, BUY, 5, 9_900)
    limit(board, SELL, 5, 10_000)
    out = board.modify(b, 2, price=10_100)
    assert kinds(out) == ["OrderModified", "BookChanged"]
    m, _ = place(board, SELL, "3", 2)
    board.modify(m, 3, qty=4)
    view = board.open_order(m)
    assert view is not None and view.price == 7_000 and view.open == 4


def test_depth_shows_three_levels_during_auctions() -> None:
    board = make_board(OPEN)
    for i in range(5):
        limit(board, BUY, 1, 9_900 - 10 * i)
    assert len(board.depth().bids) == 3
    assert len(board.depth(public=False).bids) == 5
    board.set_phase(CONT, 2)
    assert len(board.depth().bids) == 5 and len(board.depth(2).bids) == 2


# ---------------------------------------------------------------- VI in continuous trading


def test_dynamic_vi_stops_matching_and_the_vi_auction_uncrosses() -> None:
    board = make_board()
    trade_last(board, 10_000)
    a = limit(board, SELL, 5, 10_300)
    b = limit(board, SELL, 5, 10_500)
    c = limit(board, SELL, 5, 10_600)  # 6% above 10,000: triggers
    m, out = place(board, BUY, "3", 20, now=50)
    assert trades(out) == [(10_300, 5, m, a), (10_500, 5, m, b)]
    assert kinds(out)[-3:] == ["ViTriggered", "PhaseChanged", "BookChanged"]
    vt = out[-3]
    assert isinstance(vt, ev.ViTriggered) and not vt.static
    assert (vt.reference, vt.trigger_price, vt.until) == (10_000, 10_600, 50 + VI_AUCTION_US)
    assert board.phase is VI
    view = board.open_order(m)
    assert view is not None and view.open == 10 and view.price == 13_000
    # orders accumulate during the VI auction, even when they cross
    d = limit(board, SELL, 3, 10_400)
    assert board.stats.trades == 3
    assert rejected(place(board, SELL, "10", 1, 10_400)[1]) is RejectReason.TYPE_NOT_ALLOWED_NOW
    out = board.end_vi(200)
    assert trades(out) == [(10_600, 3, m, d), (10_600, 5, m, c)]
    assert kinds(out)[2:4] == ["ViReleased", "PhaseChanged"]
    view = board.open_order(m)
    assert view is not None and view.open == 2 and view.price == 10_600  # rests at the last price


def test_static_vi_before_any_trade() -> None:
    board = make_board()
    limit(board, SELL, 1, 11_000)
    _b, out = place(board, BUY, "0", 2, 11_000)
    vt = next(e for e in out if isinstance(e, ev.ViTriggered))
    assert vt.static and vt.reference == 10_000 and trades(out) == []
    assert board.phase is VI and book(board) == ([(11_000, 2, 1)], [(11_000, 1, 1)])


def test_fok_counts_only_what_trades_before_a_vi() -> None:
    board = make_board()
    trade_last(board, 10_000)
    limit(board, SELL, 5, 10_500)
    limit(board, SELL, 5, 10_600)
    oid, out = place(board, BUY, "20", 8, 10_600)
    assert cancelled(out) == [(oid, 8, CancelReason.FOK_UNFILLED)]
    assert board.phase is CONT and board.stats.trades == 1


def test_ioc_remainder_is_cancelled_when_a_vi_fires() -> None:
    board = make_board()
    trade_last(board, 10_000)
    limit(board, SELL, 5, 10_600)
    oid, out = place(board, BUY, "10", 5, 10_600)
    assert cancelled(out) == [(oid, 5, CancelReason.IOC_REMAINDER)] and board.phase is VI


def test_stops_do_not_fire_during_a_vi() -> None:
    board = make_board()
    trade_last(board, 10_000)
    limit(board, SELL, 1, 10_100)
    limit(board, SELL, 1, 10_800)  # 6.9% above 10,100
    stop, _ = place(board, BUY, "28", 1, 10_900, stop=10_050)
    s2, _ = place(board, BUY, "28", 1, 10_900, stop=10_050)
    # the buy trades at 10,100, fires both stops; the first one hits the VI at 10,800
    out = place(board, BUY, "0", 1, 10_100)[1]
    assert [e.order_id for e in out if isinstance(e, ev.OrderTriggered)] == [stop, s2]
    assert board.phase is VI
    assert book(board)[0] == [(10_900, 2, 2)]


def test_vi_running_into_the_closing_auction_merges_with_it() -> None:
    board = make_board()
    trade_last(board, 10_000)
    cond, _ = place(board, BUY, "5", 2, 9_000)
    limit(board, SELL, 1, 10_600)
    place(board, BUY, "0", 1, 10_600)
    assert board.phase is VI
    out = board.set_phase(CLOSING, 99)
    assert kinds(out) == ["ViReleased", "PhaseChanged", "OrderTriggered"]
    assert board.vi_until is None and board.end_vi(100) == []
    view = board.open_order(cond)
    assert view is not None and view.market


# ---------------------------------------------------------------- closing auction


def test_conditional_orders_become_market_orders_at_the_closing_auction() -> None:
    board = make_board()
    trade_last(board, 10_000)
    c, _ = place(board, BUY, "5", 5, 9_900)
    s = limit(board, SELL, 5, 10_000)
    x, out = place(board, SELL, "0", 1, 9_950)
    assert trades(out) == []  # a plain limit during continuous
    out = board.set_phase(CLOSING, 10)
    assert kinds(out) == ["PhaseChanged", "OrderTriggered"]
    trig = out[1]
    assert isinstance(trig, ev.OrderTriggered) and (trig.order_id, trig.price) == (c, 0)
    assert rejected(place(board, BUY, "5", 1, 9_900)[1]) is RejectReason.TYPE_NOT_ALLOWED_NOW
    assert rejected(board.modify(c, 11, price=9_800)) is RejectReason.MODIFY_NOT_ALLOWED
    assert board.indicative() == (10_000, 5)
    out = board.set_phase(CLOSED, 20)
    assert trades(out) == [(10_000, 1, c, x), (10_000, 4, c, s)]
    assert board.stats.close == 10_000 and board.phase is CLOSED


def test_closing_auction_extended_by_vi_then_closes() -> None:
    board = make_board()
    trade_last(board, 10_000)
    board.set_phase(CLOSING, 10)
    b = limit(board, BUY, 5, 10_400)  # 4% above the last price: closing-auction VI
    s = limit(board, SELL, 5, 10_400)
    out = board.set_phase(CLOSED, 20)
    assert kinds(out) == ["ViTriggered", "PhaseChanged"] and board.phase is VI
    vt = out[0]
    assert isinstance(vt, ev.ViTriggered) and not vt.static
    out = board.end_vi(30)
    assert trades(out) == [(10_400, 5, b, s)]
    assert phases(out) == [CLOSED] and board.stats.close == 10_400


def test_close_without_trades() -> None:
    board = make_board(CLOSING)
    limit(board, BUY, 1, 9_000)
    out = board.set_phase(CLOSED, 5)
    assert kinds(out) == ["PhaseChanged"] and board.stats.close is None


# ---------------------------------------------------------------- halts


def test_halt_keeps_orders_and_accepts_only_cancels() -> None:
    board = make_board()
    a = limit(board, BUY, 5, 9_900)
    out = board.halt(10)
    assert out == [ev.PhaseChanged("005930", HALTED, 10)]
    assert board.halt(11) == [] and board.set_phase(HALTED, 12) == []
    assert rejected(place(board, BUY, "0", 1, 9_900)[1]) is RejectReason.HALTED
    assert rejected(board.modify(a, 13, qty=1)) is RejectReason.HALTED
    assert cancelled(board.cancel(a, 14, qty=1)) == [(a, 1, CancelReason.REQUESTED)]
    assert board.resume(15, HALTED) == []
    out = board.resume(16, CONT)
    assert kinds(out) == ["PhaseChanged"] and board.phase is CONT
    assert board.resume(17, CONT) == []


def test_set_phase_halted_is_a_halt() -> None:
    board = make_board()
    assert phases(board.set_phase(HALTED, 1)) == [HALTED] and board.phase is HALTED


def test_first_uncross_after_a_halt_uses_quantity_priority() -> None:
    board = make_board(base=12_000)  # upper limit 15,600; opening auction reference 12,000
    board.set_phase(CLOSED, 1)
    board.set_phase(OPEN, 2)
    a = limit(board, BUY, 300, 12_500)
    b = limit(board, BUY, 150, 12_500)
    s = limit(board, SELL, 200, 12_500)
    board.halt(3)
    out = board.resume(4, CONT)  # 12,500 is inside the static band: no VI
    assert trades(out) == [(12_500, 200, a, s)]  # not at a limit: time priority
    assert b in {v.order_id for v in board.orders()}


def test_quantity_priority_after_a_halt_at_the_limit() -> None:
    board = make_board(VI)
    a = limit(board, BUY, 300, 13_000)
    b = limit(board, BUY, 150, 13_000)
    s = limit(board, SELL, 200, 13_000)
    board.halt(3)
    out = board.resume(4, CONT)
    assert trades(out) == [(13_000, 100, a, s), (13_000, 100, b, s)]
    assert "ViReleased" in kinds(out)


# ---------------------------------------------------------------- day boundary


def test_expire_all_cancels_every_open_order() -> None:
    board = make_board()
    a = limit(board, BUY, 5, 9_900)
    s, _ = place(board, SELL, "28", 3, 9_000, stop=9_500)
    b = limit(board, SELL, 2, 10_100)
    board.set_phase(CLOSED, 50)
    out = board.expire_all(60)
    assert cancelled(out) == [
        (a, 5, CancelReason.SESSION_END),
        (s, 3, CancelReason.SESSION_END),
        (b, 2, CancelReason.SESSION_END),
    ]
    assert kinds(out)[-1] == "BookChanged" and board.orders() == []
    assert board.expire_all(61) == []


def test_start_day_resets_limits_stats_and_ids() -> None:
    board = make_board()
    trade_last(board, 10_000)
    leftover = new(BUY, "0", 1, 9_000)
    board.submit(leftover, 5)
    board.set_phase(CLOSED, 6)
    assert board.stats.close == 10_000
    out = board.start_day(date(2026, 7, 23), 20_000, 7)
    assert cancelled(out) == [(leftover.order_id, 1, CancelReason.SESSION_END)]
    assert kinds(out)[-1] == "BookChanged" and kinds(out).count("BookChanged") == 1
    s = board.stats
    assert (s.base_price, s.limits.lower, s.limits.upper) == (20_000, 14_000, 26_000)
    assert (s.last, s.open, s.close, s.volume, s.turnover, s.trades) == (None, None, None, 0, 0, 0)
    assert board.day == date(2026, 7, 23)
    board.set_phase(OPEN, 8)
    again = new(BUY, "0", 1, 20_000, oid=leftover.order_id)
    assert isinstance(board.submit(again, 9)[0], ev.OrderAccepted)
