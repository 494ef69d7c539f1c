"""AccountService: figures over a brokerage with in-memory storage and a quiet exchange."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from _exchange_kit import DAY, at, busiest
from hypothesis import given
from hypothesis import strategies as st

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.domain.kst import US_PER_DAY, kst_date
from hoga.domain.ledger import AccountState, Ledger
from hoga.domain.model import TRDE_TP, Market, NewOrder, Side
from hoga.engine.accounts import AccountService, percent, position_effects
from hoga.engine.brokerage import Brokerage
from hoga.engine.brokerage_book import Placed
from hoga.engine.calendar import AlwaysCalendar
from hoga.engine.exchange import PARTICIPANT_ID_BASE, Exchange
from hoga.engine.marketdata import MarketDataRecorder
from hoga.ports.storage import AccountRecord, CustomerRecord, FillRecord

CASH = 100_000_000
ACCT = "acct-alice"


@dataclass
class World:
    clock: ManualClock
    ex: Exchange
    b: Brokerage
    svc: AccountService
    code: str
    pid: int = PARTICIPANT_ID_BASE

    def quote(self, side: Side, qty: int, price: int) -> None:
        """A participant order (liquidity for the customer)."""
        self.pid += 1
        self.ex.submit(NewOrder(self.pid, self.code, side, TRDE_TP["0"], qty, price=price))

    def tick(self, price: int, steps: int) -> int:
        board = self.ex.states[self.code].board
        return self.ex.ticks.up(price, board.instrument.market, board.day, steps)

    def trade(self, side: Side, qty: int, price: int) -> None:
        self.quote(Side.SELL if side is Side.BUY else Side.BUY, qty, price)
        out = self.b.place(ACCT, code=self.code, side=side, trde_tp="0", qty=qty, price=price)
        assert isinstance(out, Placed), out


def world() -> World:
    storage = open_storage("memory://")
    clock = ManualClock(at(10))
    with storage.unit_of_work() as uow:
        uow.customers.add(CustomerRecord("alice", "Alice", "mock", "active", 0))
        uow.accounts.add(AccountRecord(ACCT, "alice", "mock", 0))
    code = next(i.code for i in busiest(40) if i.market is Market.KOSPI and not i.is_fund)
    inst = [i for i in busiest(40) if i.code == code]
    ex = Exchange(inst, clock=clock, calendar=AlwaysCalendar(), participants=False)
    recorder = MarketDataRecorder()
    ex.add_listener(recorder)
    b = Brokerage(storage, ex)
    ex.add_listener(b.on_events)
    b.deposit(ACCT, CASH, "initial")
    return World(clock, ex, b, AccountService(b, recorder, storage), code)


def test_percent() -> None:
    assert percent(5, 0) == 0
    assert percent(1, 3).quantize(Decimal("0.01")) == Decimal("33.33")
    assert percent(-50, 200) == Decimal(-25)


def test_valuation_and_realized_pnl_follow_the_ledger() -> None:
    w = world()
    base = w.ex.states[w.code].board.base_price
    p1, p2, p3 = base, w.tick(base, 2), w.tick(base, 5)
    w.trade(Side.BUY, 7, p1)
    w.trade(Side.BUY, 5, p2)
    w.trade(Side.SELL, 4, p3)
    trades = w.svc.trades(ACCT)
    assert [t.fill.side for t in trades] == [Side.BUY, Side.BUY, Side.SELL]
    cost = 7 * p1 + 5 * p2
    assert trades[2].avg_price == cost // 12
    assert trades[2].cost_out == cost * 4 // 12
    assert sum(t.pnl for t in trades) == w.b.realized_pnl(ACCT) == 4 * p3 - cost * 4 // 12
    val = w.svc.valuation(ACCT)
    [pos] = val.positions
    held = w.b.holding(ACCT, w.code)
    assert held is not None
    assert (pos.qty, pos.cost, pos.price) == (8, held.cost, p3)  # the last trade
    assert pos.eval_amt == 8 * p3 and pos.pnl == 8 * p3 - held.cost
    fees = w.b.ledger.fees
    settles = w.b.settlement_date(w.ex.day)
    tax = fees.sell_taxes(8 * p3, Market.KOSPI, settles).total
    assert pos.net_pnl == pos.pnl - fees.commission(held.cost) - fees.commission(8 * p3) - tax
    assert pos.today_buy_qty == 12 and pos.today_sell_qty == 4 and pos.prev_buy_qty == 0
    assert val.estimated_assets == w.b.cash(ACCT).d2 + 8 * p3
    assert val.total_net_pnl == pos.net_pnl and val.total_pnl == pos.pnl
    assert w.svc.receivable(ACCT, 2) == 4 * p3 and w.svc.receivable(ACCT, 1) == 0
    assert w.svc.due(ACCT, "cash_payable", 2) == -cost


def test_history_snapshots_and_cash_events() -> None:
    w = world()
    base = w.ex.states[w.code].board.base_price
    w.trade(Side.BUY, 10, base)
    first = w.svc.today
    end_of_day1 = w.svc.snapshot(ACCT, first)
    assert end_of_day1.settled_cash == CASH
    fill = w.b.fills(ACCT)[0]
    assert end_of_day1.estimated_cash == CASH - 10 * base - fill.fee
    w.clock.advance(US_PER_DAY)
    w.ex.sync()
    w.clock.advance(US_PER_DAY)
    w.ex.sync()  # day 3: day 1 settled
    assert w.svc.today == first + timedelta(days=2)
    past = w.svc.snapshot(ACCT, first)
    assert past.settled_cash == CASH  # as day 1 ended
    assert past.estimated_cash == end_of_day1.estimated_cash
    [pos] = past.positions
    assert (pos.qty, pos.cost) == (10, 10 * base)
    assert past.estimated_assets == past.estimated_cash + pos.eval_amt
    now = w.svc.snapshot(ACCT, w.svc.today)
    fee, tax = w.b.costs(ACCT)
    assert now.settled_cash == CASH - 10 * base - fee - tax == w.b.cash(ACCT).entr
    before = w.svc.snapshot(ACCT, first - timedelta(days=1))
    assert (before.settled_cash, before.positions) == (0, ())
    [deposit] = w.svc.cash_events(ACCT)
    assert (deposit.amount, deposit.note) == (CASH, "initial")
    after = w.svc.settled_cash_after(ACCT)
    assert after[deposit.entry_id] == CASH and list(after.values())[-1] == now.settled_cash
    assert w.svc.opened_on(ACCT) == kst_date(deposit.at) == first
    assert w.svc.opened_on("nobody") is None
    assert pos.price > 0 and pos.eval_amt == 10 * pos.price
    assert w.svc.trading_days(first, w.svc.today) == [first + timedelta(days=i) for i in range(3)]


def test_lookups_of_unknown_things() -> None:
    w = world()
    assert w.svc.price("ZZZZZZ") == 0 and w.svc.base_price("ZZZZZZ") == 0
    assert w.svc.name("ZZZZZZ") == "" and w.svc.market("ZZZZZZ") is None
    assert w.svc.quotes("ZZZZZZ") == (None, None)
    assert w.svc.customer_name("nobody") == "" and w.svc.customer_name("alice") == "Alice"
    assert w.svc.known(w.code) and not w.svc.known("ZZZZZZ")
    assert w.svc.orders(ACCT) == [] and w.svc.open_orders(ACCT) == []
    assert w.svc.fills_by_order(ACCT) == {}
    start, end = w.svc.day_bounds(DAY)
    assert end - start == US_PER_DAY and kst_date(start) == DAY


# --- the replay rule against the pure ledger ---------------------------------------------------

ops = st.lists(
    st.tuples(st.booleans(), st.integers(1, 50), st.integers(1_000, 90_000)), max_size=25
)


@given(ops)
def test_position_effects_match_the_ledger(steps: list[tuple[bool, int, int]]) -> None:
    ledger = Ledger()
    state = ledger.deposit(AccountState("x"), 10**15).state
    fills: list[FillRecord] = []
    realized: list[int] = []
    held = 0
    day = date(2026, 11, 26)
    for n, (buy, qty, price) in enumerate(steps, start=1):
        side = Side.BUY if buy or held < qty else Side.SELL
        state = ledger.reserve(
            state, order_id=n, side=side, code="005930", market=Market.KOSPI, qty=qty, price=price
        ).state
        before = ledger.realized_pnl(state)
        result = ledger.fill(state, order_id=n, qty=qty, price=price, trade_date=day, settles=day)
        assert result.ok
        state = result.state
        realized.append(ledger.realized_pnl(state) - before)
        held += qty if side is Side.BUY else -qty
        fills.append(FillRecord(n, n, "x", "005930", side, price, qty, n, 0, 0))
    effects = position_effects(fills)
    assert [t.pnl for t in effects] == realized
    position = state.positions.get("005930")
    cost = sum(t.amount for t in effects if t.fill.side is Side.BUY) - sum(
        t.cost_out for t in effects
    )
    assert cost == (position.cost if position else 0)
