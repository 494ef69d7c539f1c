"""Realtime 00/04 rows from the brokerage's notes (AccountFeed over a real brokerage)."""

from __future__ import annotations

from _exchange_kit import at, busiest

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.domain.model import TRDE_TP, NewOrder, Side
from hoga.engine.account_feed import AccountFeed
from hoga.engine.brokerage import Brokerage
from hoga.engine.brokerage_book import Placed
from hoga.engine.calendar import AlwaysCalendar
from hoga.engine.exchange import Exchange
from hoga.ports.storage import AccountRecord, CustomerRecord
from hoga.wire.realtime import REALTIME_TYPES

Row = tuple[str, str, dict[str, str], str]


def setup() -> tuple[Exchange, Brokerage, list[Row], str, int]:
    storage = open_storage("memory://")
    with storage.unit_of_work() as uow:
        uow.customers.add(CustomerRecord("alice", "alice", "mock", "active", 0))
        uow.accounts.add(AccountRecord("acct-a", "alice", "mock", 0))
    ex = Exchange(
        busiest(1), clock=ManualClock(at(10)), calendar=AlwaysCalendar(), participants=False
    )
    rows: list[Row] = []
    b = Brokerage(storage, ex)
    b.notify = AccountFeed(ex, lambda *row: rows.append(row)).notify
    ex.add_listener(b.on_events)
    b.deposit("acct-a", 10_000_000)
    code = busiest(1)[0].code
    board = ex.states[code].board
    return ex, b, rows, code, board.base_price


def test_fills_push_00_then_04_in_order_with_documented_fids() -> None:
    ex, b, rows, code, p = setup()
    ex.submit(NewOrder(2_000_000_000, code, Side.SELL, TRDE_TP["0"], 3, price=p))
    ex.submit(NewOrder(2_000_000_001, code, Side.SELL, TRDE_TP["0"], 2, price=p))
    got = b.place("acct-a", code=code, side=Side.BUY, trde_tp="3", qty=5)
    assert isinstance(got, Placed)
    kinds = [(r[1], r[2].get("913")) for r in rows]
    assert kinds == [("00", "접수"), ("00", "체결"), ("04", None), ("00", "체결"), ("04", None)]
    for account, type_code, values, item in rows:
        assert account == "acct-a" and item == code
        assert list(values) == list(REALTIME_TYPES[type_code].fids)
        assert all(isinstance(v, str) for v in values.values())
    accepted, first, bal1, second, bal2 = (r[2] for r in rows)
    assert accepted["9203"] == f"{got.ord_no:07d}" and accepted["902"] == "5"
    assert accepted["905"] == "+매수" and accepted["906"] == "시장가" and accepted["907"] == "2"
    assert accepted["909"] == "" and accepted["903"] == "0"
    assert (first["911"], first["902"], first["903"]) == ("3", "2", str(3 * p))
    assert (second["911"], second["902"], second["903"]) == ("2", "0", str(5 * p))
    assert second["910"] == second["914"] == str(p) and int(second["938"]) >= int(first["938"])
    assert (bal1["930"], bal1["931"], bal1["945"], bal1["946"]) == ("3", str(p), "3", "2")
    assert (bal2["930"], bal2["932"], bal2["945"]) == ("5", str(5 * p), "5")


def test_modify_cancel_and_rejection_notes() -> None:
    ex, b, rows, code, p = setup()
    low = ex.ticks.down(p, ex.states[code].board.instrument.market, ex.day, 2)
    first = b.place("acct-a", code=code, side=Side.BUY, trde_tp="0", qty=10, price=low)
    assert isinstance(first, Placed)
    mod = b.modify("acct-a", orig_ord_no=first.ord_no, code=code, qty=6, price=None)
    assert isinstance(mod, Placed)
    can = b.cancel("acct-a", orig_ord_no=mod.ord_no, code=code, qty=0)
    assert isinstance(can, Placed)
    seen = [(v["913"], v["905"], v["9203"], v["904"]) for _, _, v, _ in rows]
    m, c, o = f"{mod.ord_no:07d}", f"{can.ord_no:07d}", f"{first.ord_no:07d}"
    assert seen == [
        ("접수", "+매수", o, "0000000"),
        ("접수", "매수정정", m, o),
        ("확인", "매수정정", m, o),
        ("접수", "매수취소", c, m),
        ("확인", "매수취소", c, m),
    ]
    rows.clear()
    ioc = b.place("acct-a", code=code, side=Side.BUY, trde_tp="10", qty=1, price=low)
    assert isinstance(ioc, Placed)
    assert [(v["913"], v["902"]) for _, _, v, _ in rows] == [("접수", "1"), ("취소", "0")]


def test_sell_realizes_pnl_in_04() -> None:
    ex, b, rows, code, p = setup()
    ex.submit(NewOrder(2_000_000_000, code, Side.SELL, TRDE_TP["0"], 4, price=p))
    b.place("acct-a", code=code, side=Side.BUY, trde_tp="3", qty=4)
    up = ex.ticks.up(p, ex.states[code].board.instrument.market, ex.day, 1)
    ex.submit(NewOrder(2_000_000_002, code, Side.BUY, TRDE_TP["0"], 4, price=up))
    rows.clear()
    b.place("acct-a", code=code, side=Side.SELL, trde_tp="0", qty=4, price=up)
    bal = [v for _, t, v, _ in rows if t == "04"][-1]
    assert bal["930"] == "0" and bal["946"] == "1" and bal["945"] == "0"
    assert bal["950"] == bal["990"] == str(4 * (up - p))
    assert bal["991"].startswith("+")
