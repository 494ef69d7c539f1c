"""AccountFeed builds rows only for accounts someone listens to, and its running totals stay
right across the time nobody did."""

from __future__ import annotations

from _exchange_kit import at, busiest

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.domain.model import TRDE_TP, NewOrder, Side
from hoga.engine.account_feed import AccountFeed
from hoga.engine.brokerage import Brokerage
from hoga.engine.brokerage_book import BalanceNote, OrderNote, Placed
from hoga.engine.calendar import AlwaysCalendar
from hoga.engine.exchange import Exchange
from hoga.ports.storage import AccountRecord, CustomerRecord

Row = tuple[str, str, dict[str, str], str]


def test_rows_only_while_listening_with_totals_kept_meanwhile() -> None:
    storage = open_storage("memory://")
    with storage.unit_of_work() as uow:
        uow.customers.add(CustomerRecord("alice", "alice", "mock", "active", 0))
        uow.accounts.add(AccountRecord("acct-a", "alice", "mock", 0))
    ex = Exchange(
        busiest(1), clock=ManualClock(at(10)), calendar=AlwaysCalendar(), participants=False
    )
    always: list[Row] = []
    lazy: list[Row] = []
    listening: set[str] = set()
    asked: list[str] = []

    def listens(account: str) -> bool:
        asked.append(account)
        return account in listening

    every = AccountFeed(ex, lambda *row: always.append(row))
    some = AccountFeed(ex, lambda *row: lazy.append(row), listens)

    def both(account: str, kind: str, note: OrderNote | BalanceNote) -> None:
        every.notify(account, kind, note)
        some.notify(account, kind, note)

    b = Brokerage(storage, ex, notify=both)
    ex.add_listener(b.on_events)
    b.deposit("acct-a", 100_000_000)
    code = busiest(1)[0].code
    p = ex.states[code].board.base_price
    for oid in range(2_000_000_000, 2_000_000_004):
        ex.submit(NewOrder(oid, code, Side.SELL, TRDE_TP["0"], 3, price=p))
    # nobody listens: the order is accepted and filled in three, no row is built
    first = b.place("acct-a", code=code, side=Side.BUY, trde_tp="0", qty=8, price=p)
    assert isinstance(first, Placed)
    assert lazy == [] and len(always) == 7 and set(asked) == {"acct-a"}
    # a listener comes: its rows equal those of a feed that built every row all along
    listening.add("acct-a")
    start = len(always)
    second = b.place("acct-a", code=code, side=Side.BUY, trde_tp="0", qty=4, price=p)
    assert isinstance(second, Placed)
    assert lazy == always[start:] and len(lazy) == 5
    assert [r[2]["913"] for r in lazy if r[1] == "00"] == ["접수", "체결", "체결"]
    balance = lazy[-1][2]
    assert balance["945"] == "12" and balance["930"] == "12"  # net bought today, all fills
    # and it goes away again
    listening.clear()
    done = len(lazy)
    assert b.place("acct-a", code=code, side=Side.BUY, trde_tp="0", qty=1, price=p)
    assert len(lazy) == done and len(always) > start + 5
