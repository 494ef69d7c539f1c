"""Group commit of the brokerage (hoga.engine.brokerage_commit): concurrent orders share
commits, an acknowledgement always means committed, a failed commit acknowledges nothing."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from _exchange_kit import at, busiest

from hoga.adapters.sql.trades import SqlTradeWriter
from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.domain.model import TRDE_TP, NewOrder, Side
from hoga.engine.brokerage import Brokerage
from hoga.engine.brokerage_book import Placed, Refusal, replay
from hoga.engine.calendar import AlwaysCalendar
from hoga.engine.exchange import Exchange, MarketMode
from hoga.errors import StorageError
from hoga.ports.storage import AccountRecord, CustomerRecord, Storage, TradeBatch, TradeBatchIds

CASH = 10_000_000
PEOPLE = [f"p{i}" for i in range(8)]


@dataclass
class World:
    storage: Storage
    ex: Exchange
    b: Brokerage
    code: str
    notes: list[tuple[str, str, Any]]

    def price(self, steps: int = 0) -> int:
        board = self.ex.states[self.code].board
        return self.ex.ticks.down(board.base_price, board.instrument.market, board.day, steps)

    def rows(self) -> tuple[set[int], int, int]:
        """Stored order numbers, fills and journal entries (read without the brokerage)."""
        with self.storage.unit_of_work() as uow:
            orders = {o.ord_no for a in PEOPLE for o in uow.orders.by_account(f"acct-{a}")}
            fills = sum(len(uow.fills.by_account(f"acct-{a}")) for a in PEOPLE)
            entries = sum(len(uow.journal.entries(f"acct-{a}")) for a in PEOPLE)
        return orders, fills, entries


def world(tmp_path: Any) -> World:
    storage = open_storage(f"sqlite:///{tmp_path / 'gc.db'}")
    with storage.unit_of_work() as uow:
        for who in PEOPLE:
            uow.customers.add(CustomerRecord(who, who, "mock", "active", 0))
            uow.accounts.add(AccountRecord(f"acct-{who}", who, "mock", 0))
    inst = busiest(1)
    ex = Exchange(
        inst,
        clock=ManualClock(at(10)),
        calendar=AlwaysCalendar(),
        mode=MarketMode.ALWAYS,
        participants=False,
    )
    b = Brokerage(storage, ex)
    ex.add_listener(b.on_events)
    notes: list[tuple[str, str, Any]] = []
    b.notify = lambda account, kind, note: notes.append((account, kind, note))
    b.recover()
    for who in PEOPLE:
        b.deposit(f"acct-{who}", CASH, "test")
    return World(storage, ex, b, inst[0].code, notes)


def buy(w: World, who: str, qty: int = 1, steps: int = 0) -> Any:
    return w.b.place_async(
        f"acct-{who}", code=w.code, side=Side.BUY, trde_tp="0", qty=qty, price=w.price(steps)
    )


def sell(w: World, who: str, qty: int, steps: int = 0) -> Any:
    return w.b.place_async(
        f"acct-{who}", code=w.code, side=Side.SELL, trde_tp="0", qty=qty, price=w.price(steps)
    )


def test_concurrent_orders_share_commits_and_every_ack_is_stored(tmp_path: Any) -> None:
    w = world(tmp_path)
    # a resting participant sell: half of the buys below trade against it
    w.ex.submit(NewOrder(2_000_000_000, w.code, Side.SELL, TRDE_TP["0"], 40, price=w.price()))
    commits = w.b._group.commits

    async def main() -> list[Placed | Refusal]:
        orders = [buy(w, who, 1, steps=n % 2) for n in range(10) for who in PEOPLE]
        return list(await asyncio.gather(*orders))

    out = asyncio.run(main())
    acked = [o.ord_no for o in out if isinstance(o, Placed)]
    assert len(acked) == 80
    assert acked == sorted(acked) and len(set(acked)) == 80  # gap-free, in request order
    assert acked == list(range(acked[0], acked[0] + 80))
    stored, fills, _ = w.rows()
    assert set(acked) <= stored
    assert fills == 40  # each fill row is there when the order's answer came
    # one commit for the 80 orders and what the exchange did with them (not 120+)
    assert w.b._group.commits - commits == 1
    for who in PEOPLE:  # memory equals what replays from the journal
        with w.storage.unit_of_work() as uow:
            rebuilt, problems = replay(
                w.b.ledger, f"acct-{who}", uow.journal.entries(f"acct-{who}")
            )
        assert problems == []
        assert rebuilt == w.b.state(f"acct-{who}")


def test_a_failed_commit_fails_every_order_of_its_batch_and_acknowledges_none(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world(tmp_path)
    before_rows = w.rows()
    before = {who: w.b.cash(f"acct-{who}") for who in PEOPLE}
    first_no = w.b._group.peek_ord_no()
    w.notes.clear()
    tried: list[TradeBatch] = []
    real = SqlTradeWriter.write

    def write(self: SqlTradeWriter, batch: TradeBatch) -> TradeBatchIds:
        tried.append(batch)
        ids = real(self, batch)  # written, then the commit fails
        if len(tried) == 1:
            raise StorageError("disk full")
        return ids

    monkeypatch.setattr(SqlTradeWriter, "write", write)

    async def main() -> list[Any]:
        return list(await asyncio.gather(*(buy(w, who) for who in PEOPLE), return_exceptions=True))

    out = asyncio.run(main())
    assert len(tried[0].orders) == len(PEOPLE)  # all of them were in the failed batch
    assert all(isinstance(o, StorageError) for o in out), out
    assert w.rows() == before_rows  # nothing stored
    assert w.notes == []  # nothing told
    assert w.b._live == {}
    assert w.ex.states[w.code].board.orders() == []  # taken off the book again
    for who in PEOPLE:  # reservations undone in memory
        assert w.b.cash(f"acct-{who}") == before[who]
    # the numbers of the failed batch reached the exchange: the next orders get new ones,
    # and the stored sequence moves over the gap with them
    again = asyncio.run(main())
    n = len(PEOPLE)
    assert [o.ord_no for o in again] == list(range(first_no + n, first_no + 2 * n))
    assert w.rows()[0] - before_rows[0] == {o.ord_no for o in again}
    with w.storage.unit_of_work() as uow:
        assert uow.sequences.current("ord_no") == first_no + 2 * n - 1
    assert [n.ord_no for _, kind, n in w.notes if kind == "order"] == [o.ord_no for o in again]


def test_a_batch_staged_during_a_failing_commit_fails_with_it(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world(tmp_path)
    before_rows = w.rows()
    before = {who: w.b.cash(f"acct-{who}") for who in PEOPLE}
    entered, release = threading.Event(), threading.Event()
    tried: list[TradeBatch] = []

    def write(self: SqlTradeWriter, batch: TradeBatch) -> TradeBatchIds:
        tried.append(batch)
        entered.set()
        assert release.wait(30)
        raise StorageError("disk full")

    monkeypatch.setattr(SqlTradeWriter, "write", write)

    async def main() -> list[Any]:
        first = [asyncio.ensure_future(buy(w, who)) for who in PEOPLE[:4]]
        await asyncio.to_thread(entered.wait)  # the first batch is being written
        second = [asyncio.ensure_future(buy(w, who)) for who in PEOPLE[4:]]
        await asyncio.sleep(0)  # they stage on top of the batch in flight
        assert w.b._group._inflight is not None and w.b._group._pending is not None
        release.set()
        return list(await asyncio.gather(*first, *second, return_exceptions=True))

    out = asyncio.run(main())
    assert all(isinstance(o, StorageError) for o in out), out
    assert len(tried) == 1  # the second batch was never written: it was built on the first
    assert w.rows() == before_rows
    assert w.b._live == {}
    assert w.ex.states[w.code].board.orders() == []
    for who in PEOPLE:
        assert w.b.cash(f"acct-{who}") == before[who]


def test_notes_go_out_only_after_their_commit_and_carry_exec_ids(tmp_path: Any) -> None:
    w = world(tmp_path)
    seen: list[tuple[str, int, int]] = []

    def notify(account: str, kind: str, note: Any) -> None:
        if kind != "order":
            return
        with w.storage.unit_of_work() as uow:  # what the note tells is durable already
            row = uow.orders.get(note.ord_no)
            fills = uow.fills.by_order(note.ord_no)
        assert row is not None
        if note.status == "체결":
            assert (note.exec_id, note.exec_qty) in {(f.exec_id, f.qty) for f in fills}
        seen.append((note.status, note.ord_no, note.exec_qty))

    w.b.notify = notify

    async def main() -> list[Any]:
        placed = await asyncio.gather(buy(w, "p0", 5), buy(w, "p1", 5))
        w.ex.submit(NewOrder(2_000_000_001, w.code, Side.SELL, TRDE_TP["0"], 7, price=w.price()))
        assert w.b._group.pending  # the fills wait for the next commit
        await w.b.durable()
        return list(placed)

    first, second = asyncio.run(main())
    assert seen == [
        ("접수", first.ord_no, 0),
        ("접수", second.ord_no, 0),
        ("체결", first.ord_no, 5),
        ("체결", second.ord_no, 2),
    ]


def test_queries_commit_what_is_staged_before_they_read(tmp_path: Any) -> None:
    w = world(tmp_path)

    async def main() -> None:
        task = asyncio.ensure_future(buy(w, "p0", 3))
        await asyncio.sleep(0)  # the order is staged, its commit not run yet
        assert w.b._group.pending
        open_now = w.b.open_orders("acct-p0")  # flushes first: the row is there
        assert [o.qty for o in open_now] == [3]
        assert not w.b._group.pending
        placed = await task
        assert isinstance(placed, Placed) and placed.ord_no == open_now[0].ord_no

    asyncio.run(main())


def test_sync_place_commits_before_it_returns(tmp_path: Any) -> None:
    w = world(tmp_path)
    out = w.b.place("acct-p2", code=w.code, side=Side.BUY, trde_tp="0", qty=2, price=w.price())
    assert isinstance(out, Placed)
    assert not w.b._group.pending
    assert out.ord_no in w.rows()[0]


def test_a_cancelled_request_does_not_cancel_the_others_of_its_batch(tmp_path: Any) -> None:
    w = world(tmp_path)

    async def main() -> tuple[Any, Any]:
        gone = asyncio.ensure_future(buy(w, "p0"))
        kept = asyncio.ensure_future(buy(w, "p1"))
        await asyncio.sleep(0)  # both staged and waiting for the same commit
        gone.cancel()  # e.g. the client disconnected
        return await asyncio.gather(gone, kept, return_exceptions=True)

    gone, kept = asyncio.run(main())
    assert isinstance(gone, asyncio.CancelledError)
    assert isinstance(kept, Placed)
    # the cancelled request's order was committed with the batch (only its answer is lost)
    assert {kept.ord_no, kept.ord_no - 1} <= w.rows()[0]
