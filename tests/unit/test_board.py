"""Order entry, matching, modify and cancel on the regular board in continuous trading."""

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
from hoga.domain.model import Market

# base 10,000 on KOSPI: tick 10, limits 7,000–13,000; ViClass.OTHER: dynamic 6%, static 10%.


@pytest.fixture
def board() -> Board:
    return make_board()


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("tp", "qty", "price", "reason"),
    [
        ("0", 0, 10_000, RejectReason.INVALID_QUANTITY),
        ("0", -5, 10_000, RejectReason.INVALID_QUANTITY),
        ("0", 10, 0, RejectReason.INVALID_PRICE),
        ("0", 10, 10_005, RejectReason.OFF_TICK),
        ("0", 10, 13_010, RejectReason.OUTSIDE_LIMITS),
        ("0", 10, 6_990, RejectReason.OUTSIDE_LIMITS),
        ("61", 10, 10_000, RejectReason.TYPE_NOT_ALLOWED_NOW),
        ("62", 10, 10_000, RejectReason.TYPE_NOT_ALLOWED_NOW),
        ("81", 10, 10_000, RejectReason.TYPE_NOT_ALLOWED_NOW),
        ("5", 10, 13_000, RejectReason.CONDITIONAL_AT_LIMIT),
        ("29", 10, 10_001, RejectReason.OFF_TICK),
    ],
)
def test_invalid_orders_are_rejected_and_change_nothing(
    board: Board, tp: str, qty: int, price: int, reason: RejectReason
) -> None:
    limit(board, SELL, 5, 10_100)
    before = (book(board), board.orders())
    order = new(BUY, tp, qty, price)
    out = board.submit(order, 5)
    assert rejected(out) is reason
    assert out[0].order_id == order.order_id and out[0].detail
    assert (book(board), board.orders()) == before
    # the id was not consumed: the same id can be used for a valid order
    fixed = new(BUY, "0", 1, 9_000, oid=order.order_id)
    assert isinstance(board.submit(fixed, 6)[0], ev.OrderAccepted)


def test_conditional_sell_at_the_lower_limit_is_rejected(board: Board) -> None:
    assert rejected(place(board, SELL, "5", 1, 7_000)[1]) is RejectReason.CONDITIONAL_AT_LIMIT


def test_quantity_must_be_a_multiple_of_the_lot() -> None:
    board = make_board(lot=10)
    assert rejected(place(board, BUY, "0", 15, 10_000)[1]) is RejectReason.INVALID_QUANTITY
    assert isinstance(place(board, BUY, "0", 20, 10_000)[1][0], ev.OrderAccepted)


def test_stop_price_is_validated(board: Board) -> None:
    assert rejected(place(board, BUY, "28", 1, 10_000, stop=0)[1]) is RejectReason.INVALID_PRICE
    assert rejected(place(board, BUY, "28", 1, 10_000, stop=10_003)[1]) is RejectReason.OFF_TICK


def test_duplicate_order_id_is_rejected(board: Board) -> None:
    first = new(BUY, "0", 1, 9_000)
    board.submit(first, 1)
    board.cancel(first.order_id, 2)
    again = new(BUY, "0", 1, 9_000, oid=first.order_id)
    assert rejected(board.submit(again, 3)) is RejectReason.DUPLICATE_ORDER_ID


@pytest.mark.parametrize(
    ("phase", "reason"),
    [(BoardPhase.CLOSED, RejectReason.SESSION_CLOSED), (BoardPhase.HALTED, RejectReason.HALTED)],
)
def test_no_orders_when_closed_or_halted(phase: BoardPhase, reason: RejectReason) -> None:
    board = make_board(phase)
    assert rejected(place(board, BUY, "0", 1, 10_000)[1]) is reason


def test_off_tick_depends_on_market_and_band() -> None:
    board = make_board(base=50_000, market=Market.KOSDAQ)  # tick 100 from 50,000; 50 below
    assert rejected(place(board, BUY, "0", 1, 50_050)[1]) is RejectReason.OFF_TICK
    assert isinstance(place(board, BUY, "0", 1, 49_950)[1][0], ev.OrderAccepted)


# ---------------------------------------------------------------- limit orders


def test_price_time_priority_and_trades_at_the_resting_price(board: Board) -> None:
    a = limit(board, SELL, 5, 10_100)
    b = limit(board, SELL, 5, 10_000)
    c = limit(board, SELL, 5, 10_000)
    oid, out = place(board, BUY, "0", 12, 10_100, now=9)
    assert kinds(out) == ["OrderAccepted", "Trade", "Trade", "Trade", "BookChanged"]
    assert trades(out) == [(10_000, 5, oid, b), (10_000, 5, oid, c), (10_100, 2, oid, a)]
    trade = out[1]
    assert isinstance(trade, ev.Trade) and trade.aggressor is BUY and trade.at == 9
    assert book(board) == ([], [(10_100, 3, 1)])
    view = board.open_order(a)
    assert view is not None and (view.filled, view.open, view.qty) == (2, 3, 5)
    assert board.open_order(b) is None


def test_sell_aggressor_and_remainder_rests(board: Board) -> None:
    b1 = limit(board, BUY, 3, 9_900)
    b2 = limit(board, BUY, 3, 10_000)
    oid, out = place(board, SELL, "0", 10, 9_950)
    assert trades(out) == [(10_000, 3, b2, oid)]
    assert isinstance(out[1], ev.Trade) and out[1].aggressor is SELL
    assert book(board) == ([(9_900, 3, 1)], [(9_950, 7, 1)])
    assert board.open_order(b1) is not None


def test_non_crossing_limit_rests_without_trading(board: Board) -> None:
    limit(board, SELL, 5, 10_100)
    _, out = place(board, BUY, "0", 5, 10_000)
    assert kinds(out) == ["OrderAccepted", "BookChanged"]
    assert board.stats.best_bid == 10_000 and board.stats.best_ask == 10_100


def test_stats_track_the_day(board: Board) -> None:
    assert board.price == 10_000  # no trade yet: the base price
    for price in (9_900, 10_100, 10_000):
        limit(board, SELL, 5, price)
        place(board, BUY, "0", 5, price)
    s = board.stats
    assert (s.open, s.high, s.low, s.last) == (9_900, 10_100, 9_900, 10_000)
    assert (s.volume, s.turnover, s.trades) == (15, 5 * (9_900 + 10_100 + 10_000), 3)
    assert s.close is None and s.base_price == 10_000 and s.limits.upper == 13_000
    limit(board, SELL, 1, 10_050)
    place(board, BUY, "0", 1, 10_050)
    assert board.price == 10_050 == board.stats.last


# ---------------------------------------------------------------- market orders


def test_market_buy_walks_the_book_and_rests_one_tick_above_the_best_bid(board: Board) -> None:
    limit(board, BUY, 1, 9_900)
    a = limit(board, SELL, 5, 10_000)
    b = limit(board, SELL, 5, 10_100)
    oid, out = place(board, BUY, "3", 13)
    assert isinstance(out[0], ev.OrderAccepted) and out[0].price == 0
    assert trades(out) == [(10_000, 5, oid, a), (10_100, 5, oid, b)]
    assert book(board) == ([(9_910, 3, 1), (9_900, 1, 1)], [])
    view = board.open_order(oid)
    assert view is not None and view.market and view.price == 9_910


def test_market_sell_rests_one_tick_below_the_best_ask(board: Board) -> None:
    limit(board, SELL, 1, 10_100)
    b = limit(board, BUY, 2, 10_000)
    oid, out = place(board, SELL, "3", 5)
    assert trades(out) == [(10_000, 2, b, oid)]
    assert book(board) == ([], [(10_090, 3, 1), (10_100, 1, 1)])


def test_market_order_without_any_quote_rests_at_the_last_price(board: Board) -> None:
    oid, _ = place(board, BUY, "3", 5)  # no trade yet: the base price
    assert book(board) == ([(10_000, 5, 1)], [])
    board.cancel(oid, 2)
    limit(board, SELL, 1, 10_200)
    place(board, BUY, "0", 1, 10_200)
    place(board, SELL, "3", 4)
    assert book(board) == ([], [(10_200, 4, 1)])


def test_market_rest_price_is_clamped_to_the_limits(board: Board) -> None:
    limit(board, BUY, 1, 13_000)
    place(board, BUY, "3", 2)
    assert book(board)[0] == [(13_000, 3, 2)]
    board2 = make_board()
    limit(board2, SELL, 1, 7_000)
    place(board2, SELL, "3", 2)
    assert book(board2)[1] == [(7_000, 3, 2)]


def test_market_ioc_cancels_the_remainder(board: Board) -> None:
    a = limit(board, SELL, 4, 10_000)
    oid, out = place(board, BUY, "13", 10)
    assert trades(out) == [(10_000, 4, oid, a)]
    assert cancelled(out) == [(oid, 6, CancelReason.IOC_REMAINDER)]
    assert kinds(out)[-1] == "BookChanged" and book(board) == ([], [])


def test_market_fok_all_or_nothing(board: Board) -> None:
    limit(board, SELL, 4, 10_000)
    limit(board, SELL, 4, 10_100)
    oid, out = place(board, BUY, "23", 10)
    assert kinds(out) == ["OrderAccepted", "OrderCancelled"]
    assert cancelled(out) == [(oid, 10, CancelReason.FOK_UNFILLED)]
    assert book(board) == ([], [(10_000, 4, 1), (10_100, 4, 1)])
    oid, out = place(board, BUY, "23", 8)
    assert [t[:2] for t in trades(out)] == [(10_000, 4), (10_100, 4)]
    assert cancelled(out) == []


def test_limit_ioc_and_fok(board: Board) -> None:
    limit(board, SELL, 4, 10_000)
    limit(board, SELL, 4, 10_100)
    oid, out = place(board, BUY, "10", 6, 10_000)
    assert [t[:2] for t in trades(out)] == [(10_000, 4)]
    assert cancelled(out) == [(oid, 2, CancelReason.IOC_REMAINDER)]
    oid, out = place(board, BUY, "20", 5, 10_100)
    assert cancelled(out) == [(oid, 5, CancelReason.FOK_UNFILLED)] and trades(out) == []
    oid, out = place(board, BUY, "20", 4, 10_100)
    assert [t[:2] for t in trades(out)] == [(10_100, 4)]


def test_ioc_with_nothing_to_trade_changes_no_book(board: Board) -> None:
    limit(board, SELL, 4, 10_100)
    oid, out = place(board, BUY, "10", 6, 10_000)
    assert kinds(out) == ["OrderAccepted", "OrderCancelled"]
    assert cancelled(out) == [(oid, 6, CancelReason.IOC_REMAINDER)]


# ---------------------------------------------------------------- 최유리 / 최우선 / 중간가


def test_best_limit_takes_the_best_opposite_price_and_rests_there(board: Board) -> None:
    a = limit(board, SELL, 3, 10_000)
    limit(board, SELL, 3, 10_100)
    oid, out = place(board, BUY, "6", 5)
    assert isinstance(out[0], ev.OrderAccepted) and out[0].price == 10_000
    assert trades(out) == [(10_000, 3, oid, a)]
    assert book(board) == ([(10_000, 2, 1)], [(10_100, 3, 1)])


def test_best_limit_ioc_and_fok(board: Board) -> None:
    limit(board, BUY, 3, 10_000)
    limit(board, BUY, 3, 9_990)
    oid, out = place(board, SELL, "16", 5)
    assert [t[:2] for t in trades(out)] == [(10_000, 3)]
    assert cancelled(out) == [(oid, 2, CancelReason.IOC_REMAINDER)]
    oid, out = place(board, SELL, "26", 5)
    assert cancelled(out) == [(oid, 5, CancelReason.FOK_UNFILLED)]


def test_best_limit_needs_an_opposite_quote(board: Board) -> None:
    limit(board, BUY, 1, 9_000)
    assert rejected(place(board, BUY, "6", 1)[1]) is RejectReason.NO_OPPOSITE_QUOTE


def test_priority_limit_joins_the_best_same_side_price(board: Board) -> None:
    assert rejected(place(board, SELL, "7", 1)[1]) is RejectReason.NO_SAME_SIDE_QUOTE
    limit(board, SELL, 2, 10_200)
    limit(board, SELL, 2, 10_300)
    limit(board, BUY, 2, 9_000)
    _, out = place(board, SELL, "7", 1)
    assert isinstance(out[0], ev.OrderAccepted) and out[0].price == 10_200
    assert book(board)[1][0] == (10_200, 3, 2)


def test_mid_point_is_rounded_toward_the_passive_side(board: Board) -> None:
    limit(board, BUY, 1, 9_900)
    limit(board, SELL, 1, 10_100)
    _, out = place(board, BUY, "29", 1)  # mid 10,000 is on the grid
    assert isinstance(out[0], ev.OrderAccepted) and out[0].price == 10_000
    one_tick = make_board()
    limit(one_tick, BUY, 1, 9_990)
    limit(one_tick, SELL, 1, 10_000)  # mid 9,995 is off the grid: buy 9,990, sell 10,000
    _, out = place(one_tick, BUY, "29", 1)
    assert isinstance(out[0], ev.OrderAccepted) and out[0].price == 9_990
    _, out = place(one_tick, SELL, "29", 1)
    assert isinstance(out[0], ev.OrderAccepted) and out[0].price == 10_000
    assert trades(out) == []
    assert book(one_tick) == ([(9_990, 2, 2)], [(10_000, 2, 2)])


def test_mid_point_cap_and_no_repricing(board: Board) -> None:
    limit(board, BUY, 1, 9_800)
    limit(board, SELL, 1, 10_200)
    buy_id, out = place(board, BUY, "29", 1, 9_900)  # mid 10,000 capped at 9,900
    assert isinstance(out[0], ev.OrderAccepted) and out[0].price == 9_900
    sell_id, out = place(board, SELL, "29", 1, 10_150)  # mid 10,050 floored by the cap
    assert isinstance(out[0], ev.OrderAccepted) and out[0].price == 10_150
    place(board, SELL, "29", 1, 10_000)  # mid 10,030 → 10,030 ≥ cap
    limit(board, SELL, 5, 10_010)  # quotes move; pegs do not follow
    buy = board.open_order(buy_id)
    sell = board.open_order(sell_id)
    assert buy is not None and buy.price == 9_900
    assert sell is not None and sell.price == 10_150


def test_mid_point_needs_both_quotes(board: Board) -> None:
    limit(board, BUY, 1, 9_900)
    assert rejected(place(board, BUY, "29", 1)[1]) is RejectReason.NO_OPPOSITE_QUOTE
    assert rejected(place(board, SELL, "29", 1)[1]) is RejectReason.NO_SAME_SIDE_QUOTE


def test_mid_point_ioc_and_fok_never_take_liquidity(board: Board) -> None:
    limit(board, BUY, 5, 9_990)
    limit(board, SELL, 5, 10_000)
    oid, out = place(board, BUY, "30", 1)
    assert cancelled(out) == [(oid, 1, CancelReason.IOC_REMAINDER)]
    oid, out = place(board, SELL, "31", 1)
    assert cancelled(out) == [(oid, 1, CancelReason.FOK_UNFILLED)]


# ---------------------------------------------------------------- stop-limit


def test_buy_stop_triggers_when_a_trade_reaches_the_stop(board: Board) -> None:
    a = limit(board, SELL, 2, 10_200)
    b = limit(board, SELL, 5, 10_300)
    stop_id, out = place(board, BUY, "28", 4, 10_300, stop=10_200)
    assert kinds(out) == ["OrderAccepted"]  # inactive, not in the book
    view = board.open_order(stop_id)
    assert view is not None and not view.active and view.stop_price == 10_200
    assert book(board)[0] == []
    oid, out = place(board, BUY, "0", 2, 10_200, now=7)
    assert kinds(out) == ["OrderAccepted", "Trade", "OrderTriggered", "Trade", "BookChanged"]
    assert trades(out) == [(10_200, 2, oid, a), (10_300, 4, stop_id, b)]
    trig = out[2]
    assert isinstance(trig, ev.OrderTriggered) and trig.price == 10_300 and trig.at == 7


def test_sell_stop_and_trigger_at_entry(board: Board) -> None:
    limit(board, BUY, 1, 9_800)
    limit(board, SELL, 1, 9_800)  # last 9,800
    stop_id, out = place(board, SELL, "28", 3, 9_700, stop=9_850)  # already reached
    assert kinds(out) == ["OrderAccepted", "OrderTriggered", "BookChanged"]
    view = board.open_order(stop_id)
    assert view is not None and view.active and view.price == 9_700
    waiting, _ = place(board, SELL, "28", 3, 9_700, stop=9_500)
    view = board.open_order(waiting)
    assert view is not None and not view.active


def test_stops_fire_in_entry_order_and_cascade(board: Board) -> None:
    limit(board, SELL, 1, 10_000)
    limit(board, SELL, 1, 10_100)
    limit(board, SELL, 5, 10_200)
    s1, _ = place(board, BUY, "28", 1, 10_100, stop=10_000)
    s2, _ = place(board, BUY, "28", 1, 10_200, stop=10_000)
    s3, _ = place(board, BUY, "28", 1, 10_200, stop=10_100)
    cancelled_stop, _ = place(board, BUY, "28", 1, 10_200, stop=10_000)
    board.cancel(cancelled_stop, 2)
    oid, out = place(board, BUY, "0", 1, 10_000)
    fired = [e.order_id for e in out if isinstance(e, ev.OrderTriggered)]
    assert fired == [s1, s2, s3]
    assert [(t[0], t[2]) for t in trades(out)] == [
        (10_000, oid),
        (10_100, s1),
        (10_200, s2),
        (10_200, s3),
    ]


def test_stop_modify_and_partial_cancel_stay_inactive(board: Board) -> None:
    stop_id, _ = place(board, SELL, "28", 10, 9_500, stop=9_600)
    out = board.modify(stop_id, 2, price=9_400, qty=12)
    assert isinstance(out[0], ev.OrderModified) and not out[0].kept_priority
    out = board.modify(stop_id, 3, qty=6)
    assert isinstance(out[0], ev.OrderModified) and out[0].kept_priority
    assert cancelled(board.cancel(stop_id, 4, qty=2)) == [(stop_id, 2, CancelReason.REQUESTED)]
    view = board.open_order(stop_id)
    assert view is not None and not view.active
    assert (view.price, view.qty, view.open, view.cancelled) == (9_400, 6, 4, 2)
    out = board.cancel(stop_id, 5)
    assert kinds(out) == ["OrderCancelled"]  # the visible book did not change
    assert board.open_order(stop_id) is None


# ---------------------------------------------------------------- modify


def test_quantity_decrease_keeps_priority(board: Board) -> None:
    a = limit(board, BUY, 10, 10_000)
    b = limit(board, BUY, 10, 10_000)
    out = board.modify(a, 2, qty=4)
    assert kinds(out) == ["OrderModified", "BookChanged"]
    mod = out[0]
    assert isinstance(mod, ev.OrderModified)
    assert (mod.price, mod.qty, mod.open_qty, mod.kept_priority) == (10_000, 4, 4, True)
    oid, out = place(board, SELL, "0", 5, 10_000)
    assert trades(out) == [(10_000, 4, a, oid), (10_000, 1, b, oid)]


def test_quantity_increase_and_price_change_lose_priority(board: Board) -> None:
    a = limit(board, BUY, 10, 10_000)
    b = limit(board, BUY, 10, 10_000)
    c = limit(board, BUY, 10, 9_990)
    out = board.modify(a, 2, qty=11)
    assert isinstance(out[0], ev.OrderModified) and not out[0].kept_priority
    out = board.modify(c, 3, price=10_000)
    assert isinstance(out[0], ev.OrderModified) and out[0].price == 10_000
    _oid, out = place(board, SELL, "0", 30, 10_000)
    assert [t[2] for t in trades(out)] == [b, a, c]


def test_modify_to_a_marketable_price_trades(board: Board) -> None:
    s = limit(board, SELL, 5, 10_100)
    b = limit(board, BUY, 8, 10_000)
    board.cancel(b, 2, qty=1)
    out = board.modify(b, 3, price=10_100)
    assert kinds(out) == ["OrderModified", "Trade", "BookChanged"]
    assert trades(out) == [(10_100, 5, b, s)]
    view = board.open_order(b)
    assert view is not None
    assert (view.qty, view.filled, view.open, view.cancelled) == (8, 5, 2, 1)


def test_modify_a_market_order_quantity(board: Board) -> None:
    oid, _ = place(board, BUY, "3", 5)
    assert rejected(board.modify(oid, 2, price=10_000)) is RejectReason.MODIFY_NOT_ALLOWED
    out = board.modify(oid, 3, qty=7)
    assert isinstance(out[0], ev.OrderModified) and not out[0].kept_priority
    view = board.open_order(oid)
    assert view is not None and view.market and view.open == 7


@pytest.mark.parametrize(
    ("price", "qty", "reason"),
    [
        (None, None, RejectReason.NOTHING_TO_CHANGE),
        (10_000, 10, RejectReason.NOTHING_TO_CHANGE),
        (None, 0, RejectReason.INVALID_QUANTITY),
        (10_005, None, RejectReason.OFF_TICK),
        (14_000, None, RejectReason.OUTSIDE_LIMITS),
    ],
)
def test_invalid_modifies(
    board: Board, price: int | None, qty: int | None, reason: RejectReason
) -> None:
    a = limit(board, BUY, 10, 10_000)
    assert rejected(board.modify(a, 2, price=price, qty=qty)) is reason


def test_modify_conditional_to_the_limit_is_rejected(board: Board) -> None:
    oid, _ = place(board, BUY, "5", 1, 10_000)
    assert rejected(board.modify(oid, 2, price=13_000)) is RejectReason.CONDITIONAL_AT_LIMIT
    assert isinstance(board.modify(oid, 3, price=12_990)[0], ev.OrderModified)


def test_modify_and_cancel_of_unknown_or_finished_orders(board: Board) -> None:
    assert rejected(board.modify(999_999, 1, qty=1)) is RejectReason.ORDER_NOT_FOUND
    assert rejected(board.cancel(999_999, 1)) is RejectReason.ORDER_NOT_FOUND
    s = limit(board, SELL, 1, 10_000)
    place(board, BUY, "0", 1, 10_000)
    assert rejected(board.modify(s, 1, qty=1)) is RejectReason.MODIFY_NOT_ALLOWED
    assert rejected(board.cancel(s, 1)) is RejectReason.MODIFY_NOT_ALLOWED


# ---------------------------------------------------------------- cancel


def test_cancel_partial_keeps_priority_and_full_removes(board: Board) -> None:
    a = limit(board, SELL, 10, 10_000)
    b = limit(board, SELL, 10, 10_000)
    out = board.cancel(a, 5, qty=4)
    assert kinds(out) == ["OrderCancelled", "BookChanged"]
    assert cancelled(out) == [(a, 4, CancelReason.REQUESTED)]
    oid, out = place(board, BUY, "0", 7, 10_000)
    assert trades(out) == [(10_000, 6, oid, a), (10_000, 1, oid, b)]
    assert cancelled(board.cancel(b, 6, qty=50)) == [(b, 9, CancelReason.REQUESTED)]
    assert book(board) == ([], [])


def test_cancel_quantity_must_be_a_positive_lot_multiple() -> None:
    board = make_board(lot=10)
    a = limit(board, SELL, 20, 10_000)
    assert rejected(board.cancel(a, 1, qty=5)) is RejectReason.INVALID_QUANTITY
    assert rejected(board.cancel(a, 1, qty=0)) is RejectReason.INVALID_QUANTITY


def test_orders_lists_live_orders_in_time_priority(board: Board) -> None:
    a = limit(board, SELL, 1, 10_100)
    s, _ = place(board, BUY, "28", 1, 10_000, stop=10_500)
    b = limit(board, BUY, 1, 9_000)
    assert [v.order_id for v in board.orders()] == [a, s, b]
    assert [v.active for v in board.orders()] == [True, False, True]
    assert [v.trde_tp for v in board.orders()] == ["0", "28", "0"]


def test_modify_is_rejected_after_the_close_but_cancel_works(board: Board) -> None:
    a = limit(board, BUY, 5, 9_900)
    board.set_phase(BoardPhase.CLOSED, 2)
    assert rejected(board.modify(a, 3, qty=1)) is RejectReason.SESSION_CLOSED
    assert cancelled(board.cancel(a, 4)) == [(a, 5, CancelReason.REQUESTED)]


def test_cancelled_sell_stop_never_fires(board: Board) -> None:
    gone, _ = place(board, SELL, "28", 1, 9_700, stop=9_900)
    live, _ = place(board, SELL, "28", 1, 9_700, stop=9_800)
    board.cancel(gone, 2)
    limit(board, BUY, 1, 9_800)
    out = place(board, SELL, "0", 1, 9_800)[1]
    assert [e.order_id for e in out if isinstance(e, ev.OrderTriggered)] == [live]
