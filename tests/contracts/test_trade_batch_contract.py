"""The trade writer contract (group commit of orders, changes, fills and postings): every
storage backend (see conftest.py) must pass every test here."""

from __future__ import annotations

import pytest
from _storage_records import order_record

from hoga.domain.model import Side
from hoga.errors import NotFoundError, StorageError
from hoga.ports.storage import (
    AccountRecord,
    CustomerRecord,
    FillRecord,
    JournalEntry,
    JournalLine,
    OrderChange,
    OrderRecord,
    Posting,
    Storage,
    TradeBatch,
    TradeBatchIds,
    UnitOfWork,
)

ACCT = "5000000001"


_order = order_record


def _fill(ord_no: int, at: int, qty: int = 3) -> FillRecord:
    return FillRecord(0, ord_no, ACCT, "005930", Side.BUY, 70_000, qty, at, 105, 0)


def _lines(amount: int) -> tuple[JournalLine, ...]:
    return (JournalLine("KRW", "cash", -amount), JournalLine("KRW", "cash_reserved", amount))


def _setup(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.customers.add(CustomerRecord("c1", "고객", "mock", "active", 1))
        uow.accounts.add(AccountRecord(ACCT, "c1", "mock", 1))


def _write(storage: Storage, batch: TradeBatch) -> TradeBatchIds:
    with storage.unit_of_work() as uow:
        return uow.trades.write(batch)


def _rows(uow: UnitOfWork) -> tuple[list[OrderRecord], list[FillRecord], list[JournalEntry]]:
    return (
        uow.orders.by_account(ACCT),
        uow.fills.by_account(ACCT),
        uow.journal.entries(ACCT),
    )


def test_a_batch_writes_everything_and_draws_ids_in_order(storage: Storage) -> None:
    _setup(storage)
    with storage.unit_of_work() as uow:  # ids drawn elsewhere before: the batch continues
        assert uow.sequences.allocate("exec_id") == 1
        uow.journal.post(1, ACCT, "deposit:", list(_lines(5)))
    first = TradeBatch(
        order_nos=range(1, 4),
        orders=[_order(1), _order(2), _order(3, side=Side.SELL, orig_ord_no=1)],
        changes=[OrderChange(2, "filled", 10, 0, 2_000)],
        postings=[
            Posting(1_001, ACCT, "reserve:1", _lines(700)),
            Posting(1_002, ACCT, "x", _lines(9)),
        ],
        fills=[_fill(2, 1_500, 4), _fill(2, 1_600, 6)],
    )
    assert _write(storage, first) == TradeBatchIds(first_entry_id=2, first_exec_id=2)
    second = TradeBatch(
        order_nos=range(4, 5),
        orders=[_order(4)],
        changes=[OrderChange(1, "cancelled", 0, 0, 3_000), OrderChange(4, "accepted", 3, 7, 3_001)],
        fills=[_fill(4, 3_001)],
    )
    assert _write(storage, second) == TradeBatchIds(first_entry_id=0, first_exec_id=4)
    with storage.unit_of_work() as uow:
        orders, fills, entries = _rows(uow)
        assert uow.sequences.current("ord_no") == 4
        assert uow.orders.allocate_order_no() == 5  # the single-row API continues after them
    assert orders == [
        _order(1, status="cancelled", open_qty=0, updated_at=3_000),
        _order(2, status="filled", filled_qty=10, open_qty=0, updated_at=2_000),
        _order(3, side=Side.SELL, orig_ord_no=1),
        _order(4, filled_qty=3, open_qty=7, updated_at=3_001),
    ]
    assert [(f.exec_id, f.ord_no, f.qty, f.at) for f in fills] == [
        (2, 2, 4, 1_500),
        (3, 2, 6, 1_600),
        (4, 4, 3, 3_001),
    ]
    assert fills[0] == FillRecord(2, 2, ACCT, "005930", Side.BUY, 70_000, 4, 1_500, 105, 0)
    assert [(e.entry_id, e.at, e.ref, e.lines) for e in entries[1:]] == [
        (2, 1_001, "reserve:1", _lines(700)),
        (3, 1_002, "x", _lines(9)),
    ]


def test_an_empty_batch_writes_nothing(storage: Storage) -> None:
    _setup(storage)
    assert _write(storage, TradeBatch()) == TradeBatchIds(0, 0)
    with storage.unit_of_work() as uow:
        assert _rows(uow) == ([], [], [])
        assert uow.sequences.current("ord_no") == 0


@pytest.mark.parametrize(
    "batch",
    [
        TradeBatch(order_nos=range(2, 3), orders=[_order(2)]),  # the sequence is at 0: 1 is next
        TradeBatch(order_nos=range(1, 3), orders=[_order(1), _order(1)]),  # duplicate row
        TradeBatch(order_nos=range(1, 2), orders=[_order(1, filled_qty=9, open_qty=9)]),
        TradeBatch(order_nos=range(1, 2), orders=[_order(1, account="nobody")]),
        TradeBatch(order_nos=range(1, 2), orders=[_order(1)], fills=[_fill(7, 1)]),
        TradeBatch(postings=[Posting(1, ACCT, "bad", (JournalLine("KRW", "cash", 5),))]),
        TradeBatch(postings=[Posting(1, ACCT, "empty", ())]),
    ],
    ids=["sequence", "dup", "quantities", "account", "fill-order", "imbalance", "no-lines"],
)
def test_a_bad_batch_fails_whole(storage: Storage, batch: TradeBatch) -> None:
    _setup(storage)
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.journal.post(1, ACCT, "ok", list(_lines(1)))  # rolled back with the batch
        uow.trades.write(batch)
    with storage.unit_of_work() as uow:
        assert _rows(uow) == ([], [], [])
        assert uow.sequences.current("ord_no") == 0
        assert uow.sequences.current("exec_id") == 0


def test_a_change_of_a_missing_order_fails_the_batch(storage: Storage) -> None:
    _setup(storage)
    batch = TradeBatch(
        order_nos=range(1, 2),
        orders=[_order(1)],
        changes=[OrderChange(1, "filled", 10, 0, 5), OrderChange(99, "filled", 1, 0, 5)],
    )
    with pytest.raises(NotFoundError), storage.unit_of_work() as uow:
        uow.trades.write(batch)
    with storage.unit_of_work() as uow:
        assert _rows(uow) == ([], [], [])


def test_changes_of_many_orders_span_several_statements_and_each_lands_on_its_order(
    storage: Storage,
) -> None:
    """300 changed orders (statements of 128, 128, 32, 8 and 4 rows): each row gets its own
    status, quantities and time, and orders without a change stay as they were."""
    _setup(storage)
    n = 310
    _write(
        storage, TradeBatch(order_nos=range(1, n + 1), orders=[_order(i) for i in range(1, n + 1)])
    )
    changes = [
        OrderChange(i, "filled" if i % 2 else "accepted", i % 10, 10 - i % 10, 10_000 + i)
        for i in range(1, 301)
    ]
    _write(storage, TradeBatch(changes=list(reversed(changes))))
    with storage.unit_of_work() as uow:
        rows = {o.ord_no: o for o in uow.orders.by_account(ACCT)}
    for c in changes:
        o = rows[c.ord_no]
        assert (o.status, o.filled_qty, o.open_qty, o.updated_at) == (
            c.status,
            c.filled_qty,
            c.open_qty,
            c.updated_at,
        )
    assert all(rows[i] == _order(i) for i in range(301, n + 1))
    with pytest.raises(NotFoundError), storage.unit_of_work() as uow:  # one missing in a chunk
        uow.trades.write(TradeBatch(changes=[*changes[:200], OrderChange(999, "filled", 1, 0, 5)]))
