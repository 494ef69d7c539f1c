"""Group commit pipelining: the batch staged while one commits goes to the commit thread as
soon as that one commits, before the loop answers the committed batch's requests."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from _exchange_kit import at, busiest

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.domain.model import Side
from hoga.engine.brokerage import Brokerage
from hoga.engine.brokerage_book import Placed
from hoga.engine.calendar import AlwaysCalendar
from hoga.engine.exchange import Exchange, MarketMode
from hoga.ports.storage import AccountRecord, CustomerRecord, Storage


async def _until(ok: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not ok():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.001)


def _brokerage(path: Path, *who: str) -> tuple[Brokerage, Storage, str, int]:
    """A brokerage over SQLite at ``path`` with a funded account ``acct-<w>`` per ``who``; the
    busiest code and a price five ticks under its base (a buy there rests)."""
    storage = open_storage(f"sqlite:///{path}")
    with storage.unit_of_work() as uow:
        for w in who:
            uow.customers.add(CustomerRecord(w, w, "mock", "active", 0))
            uow.accounts.add(AccountRecord(f"acct-{w}", w, "mock", 0))
    inst = busiest(1)
    ex = Exchange(
        inst, clock=ManualClock(at(10)), calendar=AlwaysCalendar(), mode=MarketMode.ALWAYS
    )
    b = Brokerage(storage, ex)
    ex.add_listener(b.on_events)
    b.recover()
    for w in who:
        b.deposit(f"acct-{w}", 10_000_000, "test")
    code = inst[0].code
    board = ex.states[code].board
    return b, storage, code, ex.ticks.down(board.base_price, board.instrument.market, board.day, 5)


def test_the_next_batch_is_committing_when_the_first_answer_comes(tmp_path: Path) -> None:
    path = tmp_path / "pipe.db"
    b, storage, code, low = _brokerage(path, "a", "b")
    for who in ("a", "b"):  # first use of each account reads storage on the caller's thread
        assert isinstance(
            b.place(f"acct-{who}", code=code, side=Side.BUY, trde_tp="0", qty=1, price=low), Placed
        )
    group = b._group

    committing: list[bool] = []  # at each answer: is a batch with the commit thread?

    async def order(who: str) -> object:
        out = await b.place_async(
            f"acct-{who}", code=code, side=Side.BUY, trde_tp="0", qty=1, price=low
        )
        committing.append(group._inflight is not None)  # right as the answer is given
        return out

    def buy(who: str) -> asyncio.Future[object]:
        return asyncio.ensure_future(order(who))

    async def scenario() -> None:
        holder = sqlite3.connect(path, isolation_level=None, timeout=30)
        holder.execute("BEGIN IMMEDIATE")  # the first commit waits for this write lock
        try:
            first = buy("a")
            await _until(lambda: group._inflight is not None)
            second = buy("b")
            await _until(lambda: group._pending is not None)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert isinstance(await first, Placed) and isinstance(await second, Placed)
        # the first answer came after the second batch was handed to the commit thread
        assert committing == [True, False]
        assert group._inflight is None and group._pending is None

    try:
        asyncio.run(scenario())
        with storage.unit_of_work() as uow:
            assert len(uow.orders.by_account("acct-a")) == len(uow.orders.by_account("acct-b")) == 2
    finally:
        storage.close()


def test_a_committed_batch_leaves_no_reference_cycle_for_the_gc(tmp_path: Path) -> None:
    """Everything a committed batch holds (its orders, journal lines, notes, waiters) is freed
    as soon as it is answered, by reference counting: a cycle through the commit job kept it
    all for the cyclic GC, whose young collections then took ~60 ms under order load."""
    b, storage, code, low = _brokerage(tmp_path / "cycles.db", "a")
    assert isinstance(
        b.place("acct-a", code=code, side=Side.BUY, trde_tp="0", qty=1, price=low), Placed
    )

    async def orders() -> None:
        for _ in range(3):  # one committed batch after another, through the commit thread
            out = await b.place_async(
                "acct-a", code=code, side=Side.BUY, trde_tp="0", qty=1, price=low
            )
            assert isinstance(out, Placed)
        await _until(lambda: b._group._inflight is None)

    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        asyncio.run(orders())
        gc.collect()
        kinds = {type(o).__name__ for o in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert b._group.commits >= 3
    assert not kinds & {"_Pending", "Future", "OrderRecord", "JournalLine", "OrderNote"}, kinds
    storage.close()
