"""Simulated participants: full books at start, orders on the grid and in limits, flow rates,
prices that stay sane, lot sizes, and halted instruments."""

from __future__ import annotations

import dataclasses

from _exchange_kit import MINUTE, US, Recorder, at, make, step

from hoga.clock import ManualClock
from hoga.domain.board import BoardPhase
from hoga.domain.events import OrderAccepted, OrderRejected
from hoga.domain.model import Side
from hoga.domain.ticks import TickRules
from hoga.engine.calendar import AlwaysCalendar
from hoga.engine.exchange import PARTICIPANT_ID_BASE, Exchange
from hoga.engine.participants import ACTIVE_VOLUME, BUSY_VOLUME, Participant, profile_for
from hoga.engine.universe import load_universe

TICKS = TickRules()


def test_every_instrument_of_the_universe_gets_a_full_two_sided_book() -> None:
    universe = list(load_universe().values())
    rec = Recorder()
    clock = ManualClock(at(10))
    ex = Exchange(universe, clock=clock, calendar=AlwaysCalendar(), seed=1, publish=rec.publish)
    assert not rec.of(OrderRejected)  # every simulated order passed validation
    halted = 0
    for state in ex.states.values():
        board, inst = state.board, state.instrument
        if inst.halted:
            halted += 1
            assert board.phase is BoardPhase.HALTED and not board.orders()
            continue
        assert board.phase is BoardPhase.CONTINUOUS
        depth = board.depth(10)
        lower, upper = board.limits.lower, board.limits.upper
        assert depth.bids and depth.asks, inst.code
        assert depth.bids[0].price < depth.asks[0].price
        prices = [lv.price for lv in (*depth.bids, *depth.asks)]
        assert all(lower <= p <= upper for p in prices)
        assert all(TICKS.is_on_grid(p, inst.market, board.day) for p in prices)
        # ten levels a side, unless the price limit leaves fewer ticks
        assert (
            len(depth.bids) == 10
            or TICKS.down(depth.bids[-1].price, inst.market, board.day) < lower
        )
        assert (
            len(depth.asks) == 10 or TICKS.up(depth.asks[-1].price, inst.market, board.day) > upper
        )
        # quoted around the base price
        base_tick = TICKS.tick(inst.base_price, inst.market, board.day)
        assert abs(depth.bids[0].price - inst.base_price) <= 2 * base_tick, inst.code
    assert halted == 118


def _traded_codes(rec: Recorder) -> set[str]:
    return {t.code for t in rec.trades()}


def test_busy_names_trade_within_a_minute() -> None:
    busy = [i for i in load_universe().values() if i.volume >= BUSY_VOLUME and not i.halted]
    chosen = sorted(busy, key=lambda i: i.code)[::10][:15]
    ex, clock, rec = make(chosen, start=at(10))
    step(ex, clock, at(10, 1), US)
    assert _traded_codes(rec) == {i.code for i in chosen}


def test_slow_names_trade_within_about_ten_minutes() -> None:
    slow = [i for i in load_universe().values() if i.volume < ACTIVE_VOLUME and not i.halted]
    chosen = sorted(slow, key=lambda i: i.code)[::100][:15]
    assert all(profile_for(i).mean_interval_us == 40 * US for i in chosen)
    ex, clock, rec = make(chosen, start=at(10))
    step(ex, clock, at(10, 1), 5 * US)
    assert len(_traded_codes(rec)) < len(chosen)  # slower: not everyone within a minute
    step(ex, clock, at(10, 12), 5 * US)
    assert _traded_codes(rec) == {i.code for i in chosen}


def test_prices_stay_sane_over_an_hour() -> None:
    universe = load_universe()
    chosen = [universe[c] for c in ("005930", "035720", "069500", "028300", "247540")]
    ex, clock, rec = make(chosen, start=at(10))
    step(ex, clock, at(11), 2 * US)
    for inst in chosen:
        board = ex.states[inst.code].board
        trades = rec.trades(inst.code)
        assert len(trades) > 30, inst.code
        span = board.limits.upper - board.limits.lower
        for t in trades:  # no drift toward the limits: within a quarter of the band
            assert abs(t.price - inst.base_price) < span / 8, (inst.code, t.price)
        depth = board.depth(10)
        assert len(depth.bids) >= 5 and len(depth.asks) >= 5
        assert depth.bids[0].price < depth.asks[0].price


def test_participants_respect_lot_sizes() -> None:
    inst = dataclasses.replace(load_universe()["035720"], lot_size=10)
    ex, clock, rec = make([inst], start=at(10))
    step(ex, clock, at(10, 2), US)
    accepted = [e for e in rec.of(OrderAccepted) if isinstance(e, OrderAccepted)]
    assert accepted and all(e.qty % 10 == 0 for e in accepted)
    assert not rec.of(OrderRejected)


def test_participant_orders_are_numbered_from_the_base() -> None:
    ex, clock, rec = make([load_universe()["005930"]], start=at(10))
    step(ex, clock, at(10) + MINUTE, US)
    ids = [e.order_id for e in rec.of(OrderAccepted) if isinstance(e, OrderAccepted)]
    assert ids and min(ids) >= PARTICIPANT_ID_BASE and ids == sorted(ids)


def test_participant_follows_its_orders_from_events() -> None:
    ex, clock, _ = make([load_universe()["005930"]], start=at(10))
    state = ex.states["005930"]
    part = state.participant
    assert isinstance(part, Participant)
    step(ex, clock, at(10, 3), US)
    own = part.own_orders
    live = {o.order_id for o in state.board.orders()}
    assert set(own) == live  # what it believes rests is exactly what rests
    for oid, (side, price) in own.items():
        view = state.board.open_order(oid)
        assert view is not None and (view.side, view.price) == (side, price)
    assert {s for s, _ in own.values()} == {Side.BUY, Side.SELL}
