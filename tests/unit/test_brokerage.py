"""The brokerage engine over in-memory storage and a participant-free exchange."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from _exchange_kit import DAY, at, busiest

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.domain.kst import US_PER_DAY, kst_date
from hoga.domain.ledger import AccountKind
from hoga.domain.model import TRDE_TP, NewOrder, Side
from hoga.engine.brokerage import Brokerage
from hoga.engine.brokerage_book import Placed, Refusal, replay
from hoga.engine.calendar import AlwaysCalendar, KrxCalendar
from hoga.engine.exchange import Exchange, MarketMode
from hoga.ports.storage import AccountRecord, CustomerRecord, Storage

CASH = 10_000_000


@dataclass
class World:
    storage: Storage
    clock: ManualClock
    ex: Exchange
    b: Brokerage
    code: str

    def restart(self) -> World:
        """A new exchange and brokerage over the same storage (a process restart)."""
        ex, b = build(self.storage, self.clock, self.ex.mode)
        return World(self.storage, self.clock, ex, b, self.code)


def build(storage: Storage, clock: ManualClock, mode: MarketMode) -> tuple[Exchange, Brokerage]:
    cal = KrxCalendar() if mode is MarketMode.CALENDAR else AlwaysCalendar()
    ex = Exchange(busiest(2), clock=clock, calendar=cal, mode=mode, participants=False)
    b = Brokerage(storage, ex)
    ex.add_listener(b.on_events)
    b.recover()
    return ex, b


def world(mode: MarketMode = MarketMode.ALWAYS, start: int | None = None) -> World:
    storage = open_storage("memory://")
    clock = ManualClock(at(10) if start is None else start)
    with storage.unit_of_work() as uow:
        for who in ("alice", "bob"):
            uow.customers.add(CustomerRecord(who, who, "mock", "active", 0))
            uow.accounts.add(AccountRecord(f"acct-{who}", who, "mock", 0))
    ex, b = build(storage, clock, mode)
    for who in ("alice", "bob"):
        b.deposit(f"acct-{who}", CASH, "test")
    return World(storage, clock, ex, b, busiest(1)[0].code)


def price(w: World, steps: int = 0) -> int:
    board = w.ex.states[w.code].board
    return w.ex.ticks.down(board.base_price, board.instrument.market, board.day, steps)


def placed(out: Placed | Refusal) -> Placed:
    assert isinstance(out, Placed), out
    return out


def test_resting_buys_hold_cash_and_sells_need_shares() -> None:
    w = world()
    p = price(w)
    buy = placed(w.b.place("acct-alice", code=w.code, side=Side.BUY, trde_tp="0", qty=10, price=p))
    assert w.b.open_orders("acct-alice")[0].ord_no == buy.ord_no
    # bob has no shares yet: selling is refused before anything is stored
    refused = w.b.place("acct-bob", code=w.code, side=Side.SELL, trde_tp="0", qty=1, price=p)
    assert refused == Refusal("insufficient_shares")
    sell_first = placed(
        w.b.place("acct-bob", code=w.code, side=Side.BUY, trde_tp="0", qty=4, price=p)
    )
    assert sell_first.qty == 4
    assert w.b.cash("acct-bob").reserved == w.b.ledger.buy_hold(p, 4)


def test_cross_customer_trade_and_replay_matches_memory() -> None:
    w = world()
    p = price(w)
    a1 = placed(w.b.place("acct-alice", code=w.code, side=Side.BUY, trde_tp="0", qty=6, price=p))
    b1 = placed(w.b.place("acct-bob", code=w.code, side=Side.BUY, trde_tp="0", qty=2, price=p))
    c = placed(w.b.cancel("acct-bob", orig_ord_no=b1.ord_no, code=w.code, qty=0))
    assert c.base_orig_ord_no == b1.ord_no and c.qty == 2
    assert w.b.cash("acct-bob").reserved == 0
    m = placed(
        w.b.modify("acct-alice", orig_ord_no=a1.ord_no, code=w.code, qty=4, price=price(w, 1))
    )
    assert (m.base_orig_ord_no, m.qty) == (a1.ord_no, 4)
    state = w.b.state("acct-alice")
    with w.storage.unit_of_work() as uow:
        rebuilt, problems = replay(w.b.ledger, "acct-alice", uow.journal.entries("acct-alice"))
    assert problems == []
    assert rebuilt == state
    assert state.reservations[a1.ord_no].qty == 4


def test_customer_to_customer_fill_settles_t_plus_2() -> None:
    w = world()
    p = price(w)
    # bob buys 500 from a resting sell of a non-customer (participant) id
    w.ex.submit(NewOrder(2_000_000_000, w.code, Side.SELL, TRDE_TP["0"], 500, price=p))
    got = placed(w.b.place("acct-bob", code=w.code, side=Side.BUY, trde_tp="3", qty=500))
    [fill] = w.b.fills("acct-bob")
    assert (fill.ord_no, fill.qty, fill.price) == (got.ord_no, 500, p)
    # now bob sells 5 into alice's resting buy: both customers fill in one batch
    a = placed(w.b.place("acct-alice", code=w.code, side=Side.BUY, trde_tp="0", qty=500, price=p))
    s = placed(w.b.place("acct-bob", code=w.code, side=Side.SELL, trde_tp="0", qty=500, price=p))
    assert w.b.order("acct-alice", a.ord_no).status == "filled"  # type: ignore[union-attr]
    assert w.b.order("acct-bob", s.ord_no).status == "filled"  # type: ignore[union-attr]
    assert w.b.order("acct-alice", s.ord_no) is None  # isolation of the query
    held = w.b.holding("acct-alice", w.code)
    assert held is not None and held.qty == 500 and held.settled_qty == 0
    bob = w.b.cash("acct-bob")
    assert bob.entr == CASH
    w.clock.advance(2 * US_PER_DAY)
    w.ex.sync()
    bob = w.b.cash("acct-bob")
    fee_one = w.b.ledger.fees.commission(500 * p)
    fee, tax = w.b.costs("acct-bob")
    assert fee == 2 * fee_one > 0  # both fills settle on the same day (ETF: no tax)
    assert w.b.costs("acct-bob", until=w.clock.now() - US_PER_DAY) == (0, 0)
    assert bob.entr == CASH - fee - tax
    assert w.b.realized_pnl("acct-bob") == 0
    held = w.b.holding("acct-alice", w.code)
    assert held is not None and held.settled_qty == 500
    assert w.b.state("acct-alice").balance(AccountKind.CLEARING, w.code) == -500


def test_recovery_re_enters_open_orders_and_expires_old_ones() -> None:
    w = world()
    p = price(w)
    first = placed(
        w.b.place("acct-alice", code=w.code, side=Side.BUY, trde_tp="0", qty=3, price=price(w, 2))
    )
    second = placed(
        w.b.place("acct-bob", code=w.code, side=Side.BUY, trde_tp="0", qty=7, price=price(w, 2))
    )
    mod = placed(w.b.modify("acct-alice", orig_ord_no=first.ord_no, code=w.code, qty=2, price=p))
    w2 = w.restart()
    live = {o.order_id: o for o in w2.ex.states[w.code].board.orders()}
    assert set(live) == {first.ord_no, second.ord_no}
    assert (live[first.ord_no].price, live[first.ord_no].open) == (p, 2)
    assert w2.b.state("acct-alice") == w.b.state("acct-alice")
    # the recovered order is cancellable under its newest number
    c = placed(w2.b.cancel("acct-alice", orig_ord_no=mod.ord_no, code=w.code, qty=0))
    assert c.base_orig_ord_no == first.ord_no
    # a restart on a later day expires what is left and releases it
    w2.clock.advance(US_PER_DAY)
    w3 = w2.restart()
    assert w3.ex.states[w.code].board.orders() == []
    assert w3.b.open_orders("acct-bob") == []
    assert w3.b.cash("acct-bob").reserved == 0
    assert w3.b.order("acct-bob", second.ord_no).status == "expired"  # type: ignore[union-attr]


def test_reset_expires_customer_orders() -> None:
    w = world()
    placed(w.b.place("acct-alice", code=w.code, side=Side.BUY, trde_tp="0", qty=3, price=price(w)))
    w.ex.reset(3)
    assert w.b.open_orders("acct-alice") == []
    assert w.b.cash("acct-alice").orderable == CASH


def test_calendar_mode_settles_on_krx_business_days() -> None:
    friday = at(10, day=DAY.replace(day=24))
    w = world(MarketMode.CALENDAR, start=friday)
    assert w.b.settlement_date(kst_date(friday)) == DAY.replace(day=28)  # Tue after the weekend
    cash = w.b.cash("acct-alice")
    assert (cash.entr, cash.d1, cash.d2) == (CASH, CASH, CASH)


def test_session_closed_rejection_after_storing() -> None:
    w = world(MarketMode.CALENDAR, start=at(20))
    out = w.b.place("acct-alice", code=w.code, side=Side.BUY, trde_tp="0", qty=1, price=price(w))
    assert isinstance(out, Refusal) and out.reason == "session_closed"
    [row] = w.b.orders("acct-alice")
    assert row.status == "rejected"
    assert w.b.cash("acct-alice").reserved == 0


def test_refusals_and_deposit_checks() -> None:
    w = world()
    b = w.b
    assert b.place(
        "acct-nobody", code=w.code, side=Side.BUY, trde_tp="0", qty=1, price=price(w)
    ) == Refusal("no_account")
    assert b.place(
        "acct-alice", code=w.code, side=Side.BUY, trde_tp="0", qty=1, price=price(w), owner="bob"
    ) == Refusal("no_account")
    out = b.place("acct-alice", code=w.code, side=Side.BUY, trde_tp="28", qty=1, price=price(w))
    assert isinstance(out, Refusal) and out.param == "cond_uv"
    out = b.place(
        "acct-alice",
        code=w.code,
        side=Side.BUY,
        trde_tp="0",
        qty=1,
        price=price(w),
        exchange="SOR",
        env="real",
    )
    assert isinstance(out, Placed) and out.exchange == "SOR"
    assert (
        b.place(
            "acct-alice",
            code=w.code,
            side=Side.BUY,
            trde_tp="0",
            qty=1,
            price=1,
            exchange="NXT",
            env="real",
        ).reason
        == "not_supported"
    )  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="cannot deposit"):
        b.deposit("acct-alice", 0)
    assert b.modify("acct-bob", orig_ord_no=out.ord_no, code=w.code, qty=0, price=None) == Refusal(
        "order_not_found", "orig_ord_no"
    )
