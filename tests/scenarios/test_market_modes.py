"""Whole-day behaviour around the edges: day rolls, modes, operator controls, clock jumps."""

from __future__ import annotations

import time
from datetime import date

from _exchange_kit import (
    BUY,
    MINUTE,
    SELL,
    US,
    at,
    busiest,
    make,
    order,
    pick,
    step,
)

from hoga.domain.board import BoardPhase
from hoga.domain.events import (
    CancelReason,
    OrderAccepted,
    OrderCancelled,
    OrderRejected,
    PhaseChanged,
    RejectReason,
    Trade,
    ViReleased,
)
from hoga.engine.exchange import PARTICIPANT_ID_BASE, MarketMode

A, B = "005930", "035720"


def _reason(events: list[object]) -> RejectReason | None:
    ev = events[0]
    return ev.reason if isinstance(ev, OrderRejected) else None


def test_calendar_day_roll_skips_a_weekend_and_a_holiday() -> None:
    fri, holiday, tue = date(2026, 8, 14), date(2026, 8, 17), date(2026, 8, 18)
    ex, clock, rec = make(
        busiest(4), mode=MarketMode.CALENDAR, start=at(15, day=fri), participants=True
    )
    codes = list(ex.states)
    step(ex, clock, at(15, 31, day=fri), US)
    assert all(ex.states[c].board.phase is BoardPhase.CLOSED for c in codes)
    closes = {c: ex.states[c].board.stats.close for c in codes}
    assert all(closes.values())  # the participants traded, so every board has a close
    started = time.perf_counter()
    clock.set(at(10, day=holiday))
    ex.sync()
    assert time.perf_counter() - started < 2
    assert _reason(ex.submit(order(1, codes[0], BUY, "0", 1, closes[codes[0]] or 0))) is (
        RejectReason.SESSION_CLOSED
    )
    assert ex.states[codes[0]].board.day == fri
    step(ex, clock, at(8, 30, day=tue), MINUTE)
    for c in codes:
        board = ex.states[c].board
        assert (board.day, board.base_price) == (tue, closes[c])
        assert board.phase is BoardPhase.OPENING_AUCTION
    assert [e.phase for e in rec.of(PhaseChanged, "") if isinstance(e, PhaseChanged)].count(
        "opening_auction_start"
    ) == 1  # none on Saturday, Sunday or the holiday


def test_non_trading_day_rejects_orders() -> None:
    saturday = date(2026, 7, 25)
    ex, _, _ = make(pick(A), mode=MarketMode.CALENDAR, start=at(10, day=saturday))
    assert ex.states[A].board.phase is BoardPhase.CLOSED
    for tp in ("0", "61", "81", "62"):
        assert _reason(ex.submit(order(1, A, BUY, tp, 1, 259_000))) is RejectReason.SESSION_CLOSED


def test_always_mode_rolls_the_day_at_midnight() -> None:
    ex, clock, rec = make(pick(A, B), start=at(23, 58), participants=False)
    a = ex.states[A].board
    assert a.phase is BoardPhase.CONTINUOUS
    ex.submit(order(1, A, SELL, "0", 5, 260_000))
    ex.submit(order(2, A, BUY, "0", 3, 260_000))
    ex.submit(order(3, A, BUY, "0", 4, 255_000))  # left resting over midnight
    step(ex, clock, at(0, 0, 1, day=date(2026, 7, 23)), 10 * US)
    assert a.day == date(2026, 7, 23) and ex.trading_day() == a.day
    assert a.base_price == 260_000  # the last trade becomes the close and the new base
    assert a.limits.upper == 338_000 and a.stats.volume == 0
    assert ex.states[B].board.base_price == 35_300  # nothing traded: the base carries over
    gone = [e for e in rec.of(OrderCancelled, A) if isinstance(e, OrderCancelled)]
    assert [(e.order_id, e.qty, e.reason) for e in gone] == [
        (1, 2, CancelReason.SESSION_END),
        (3, 4, CancelReason.SESSION_END),
    ]
    assert "day_start" in [e.phase for e in rec.of(PhaseChanged, "") if isinstance(e, PhaseChanged)]
    assert isinstance(ex.submit(order(4, A, BUY, "0", 1, 260_000))[0], OrderAccepted)


def test_always_mode_midnight_ends_a_running_vi() -> None:
    ex, clock, rec = make(pick(A), start=at(23, 59), participants=False)
    ex.submit(order(1, A, SELL, "0", 1, 259_000))
    ex.submit(order(2, A, BUY, "0", 1, 259_000))  # last = 259,000
    ex.submit(order(3, A, SELL, "0", 1, 270_000))
    ex.submit(order(4, A, BUY, "0", 1, 270_000))  # +4.2%: dynamic VI
    a = ex.states[A].board
    assert a.phase is BoardPhase.VI_AUCTION
    step(ex, clock, at(0, 0, 5, day=date(2026, 7, 23)), US)
    assert a.phase is BoardPhase.CONTINUOUS and a.vi_until is None
    assert len(rec.of(ViReleased, A)) == 1
    step(ex, clock, at(0, 5, day=date(2026, 7, 23)), 10 * US)  # the stale VI timer is harmless
    assert len(rec.of(ViReleased, A)) == 1 and a.phase is BoardPhase.CONTINUOUS


def test_set_mode_both_ways() -> None:
    ex, clock, rec = make(pick(A, B), mode=MarketMode.CALENDAR, start=at(16, 30))
    a = ex.states[A]
    assert a.board.phase is BoardPhase.CLOSED and a.after_single is not None
    ex.submit(order(1, A, BUY, "62", 1, 259_000))
    ex.set_mode(MarketMode.ALWAYS)
    assert a.board.phase is BoardPhase.CONTINUOUS and a.after_single is None
    assert _reason(ex.submit(order(2, A, BUY, "62", 1, 259_000))) is RejectReason.SESSION_CLOSED
    assert len(a.board.depth(10).bids) == 10  # participants quote at once
    assert ex.timer_count("single") == 0 and ex.timer_count("b") == 0
    step(ex, clock, at(16, 31), US)
    assert rec.trades(A) or rec.trades(B)
    ex.set_mode(MarketMode.ALWAYS)  # no-op
    assert ex.timer_count("day") == 1
    ex.set_mode(MarketMode.CALENDAR)
    assert a.board.phase is BoardPhase.CLOSED and not a.board.orders()
    assert a.after_single is not None  # 16:31 is inside the single-price session
    assert _reason(ex.submit(order(3, A, BUY, "0", 1, 259_000))) is RejectReason.SESSION_CLOSED
    step(ex, clock, at(8, 30, 1, day=date(2026, 7, 23)), 10 * MINUTE)
    assert a.board.phase is BoardPhase.OPENING_AUCTION
    assert a.board.day == date(2026, 7, 23)
    assert ex.timer_count("act", A) == 1


def test_halt_and_resume() -> None:
    ex, clock, _ = make(pick(A), participants=False)
    ex.submit(order(1, A, BUY, "0", 5, 258_000))
    ex.halt(A)
    assert ex.states[A].board.phase is BoardPhase.HALTED
    assert _reason(ex.submit(order(2, A, SELL, "0", 5, 258_000))) is RejectReason.HALTED
    assert _reason(ex.modify(A, 1, price=257_500)) is RejectReason.HALTED
    step(ex, clock, at(8, 5), MINUTE)
    assert ex.states[A].board.phase is BoardPhase.HALTED
    ex.cancel(A, 1, 2)  # cancels still work
    ex.resume(A)
    assert ex.states[A].board.phase is BoardPhase.CONTINUOUS
    fills = ex.submit(order(3, A, SELL, "0", 3, 258_000))
    assert [(t.qty, t.buy_order_id) for t in fills if isinstance(t, Trade)] == [(3, 1)]


def test_universe_halted_instruments_start_halted_and_resume_with_flow() -> None:
    from hoga.engine.universe import load_universe

    halted = next(i for i in load_universe().values() if i.halted)
    ex, clock, rec = make([*pick(A), halted])
    state = ex.states[halted.code]
    assert state.halted and state.board.phase is BoardPhase.HALTED
    assert not state.board.orders()
    assert _reason(ex.submit(order(1, halted.code, BUY, "0", 1, halted.base_price))) is (
        RejectReason.HALTED
    )
    rec.clear()
    step(ex, clock, at(8, 10), 5 * US)
    assert not rec.of(OrderAccepted, halted.code) and not rec.of(OrderRejected, halted.code)
    ex.resume(halted.code)
    assert state.board.phase is BoardPhase.CONTINUOUS
    assert state.board.depth(10).bids and state.board.depth(10).asks


def test_pause_participants_stops_their_flow() -> None:
    ex, clock, rec = make(pick(A, B))
    step(ex, clock, at(8, 1), US)
    ex.pause_participants(A)
    rec.clear()
    step(ex, clock, at(8, 6), US)
    assert not rec.of(OrderAccepted, A) and not rec.trades(A)
    assert rec.of(OrderAccepted, B)
    assert ex.states[A].board.depth(10).bids  # quotes stay
    ex.pause_participants(A, False)
    step(ex, clock, at(8, 8), US)
    assert rec.of(OrderAccepted, A)


def test_set_base_price_changes_limits_and_requotes() -> None:
    ex, _, _ = make(pick(A))
    board = ex.states[A].board
    ex.submit(order(1, A, BUY, "0", 1, board.limits.lower))
    with_old = board.limits
    ex.set_base_price(A, 200_000)
    assert board.base_price == 200_000 and board.limits != with_old
    assert board.limits.upper == 260_000 and board.limits.lower == 140_000
    assert board.open_order(1) is None  # open orders expired
    depth = board.depth(10)
    assert len(depth.bids) == len(depth.asks) == 10
    assert 195_000 <= depth.bids[0].price < depth.asks[0].price <= 205_000
    assert _reason(ex.submit(order(2, A, BUY, "0", 1, 300_000))) is RejectReason.OUTSIDE_LIMITS


def test_reset_restores_the_initial_state() -> None:
    ex, clock, rec = make(pick(A, B), seed=3)
    step(ex, clock, at(8, 2), US)
    ex.submit(order(1, A, BUY, "0", 1, 259_000))
    ex.halt(B)
    ex.set_mode(MarketMode.CALENDAR)
    ex.set_mode(MarketMode.ALWAYS)
    ex.reset(3)
    fresh, fresh_clock, fresh_rec = make(pick(A, B), seed=3, start=clock.now())
    for code in (A, B):
        assert ex.states[code].board.orders() == fresh.states[code].board.orders()
        assert ex.states[code].board.stats == fresh.states[code].board.stats
    assert not ex.states[B].halted
    rec.clear()
    step(ex, clock, at(8, 4), US)
    step(fresh, fresh_clock, at(8, 4), US)
    assert rec.blob == fresh_rec.blob and rec.items


def test_one_participant_timer_per_instrument_on_every_path() -> None:
    ex, clock, _ = make(busiest(5), start=at(23, 59, 30))
    codes = list(ex.states)

    def check() -> None:
        for code in codes:
            assert ex.timer_count("act", code) == 1, code

    check()
    step(ex, clock, at(0, 0, 30, day=date(2026, 7, 23)), US)  # day roll re-seeds
    check()
    ex.set_base_price(codes[0], 100_000)
    ex.halt(codes[1])
    ex.resume(codes[1])
    check()
    ex.set_mode(MarketMode.CALENDAR)  # 00:00:30: closed; the pending timers run out
    step(ex, clock, at(0, 5, day=date(2026, 7, 23)), 10 * US)
    assert ex.timer_count("act") == 0
    ex.set_mode(MarketMode.ALWAYS)
    check()
    ex.reset(9)
    check()


def test_jumping_days_ahead_does_not_replay_the_flow() -> None:
    ex, clock, rec = make(busiest(300), start=at(10))
    step(ex, clock, at(10, 0, 10), US)
    rec.clear()
    started = time.perf_counter()
    clock.set(at(10, day=date(2026, 7, 29)))
    ex.sync()
    assert time.perf_counter() - started < 5
    assert ex.trading_day() == date(2026, 7, 29)
    flow = [e for e in rec.of(OrderAccepted) if isinstance(e, OrderAccepted) and e.order_id >= 0]
    assert len(flow) < 300 * 60  # at most a few seconds of flow per instrument
    for state in list(ex.states.values())[:20]:
        assert state.board.day == date(2026, 7, 29)
        assert state.board.depth(10).bids and state.board.depth(10).asks
    assert all(e.order_id >= PARTICIPANT_ID_BASE for e in flow)
