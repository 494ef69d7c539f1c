"""The storage contract: every backend (see conftest.py) must pass every test here."""

from __future__ import annotations

import dataclasses
import datetime
import threading

import pytest
from _storage_records import at_revision, order_record
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import make_url

from hoga.bootstrap import open_storage
from hoga.domain.model import Side
from hoga.errors import NotFoundError, StorageError
from hoga.ports.storage import (
    AccountRecord,
    ApiKeyRecord,
    CustomerRecord,
    DailyBar,
    FillRecord,
    InstrumentDay,
    JournalLine,
    MinuteBar,
    Storage,
    TokenRecord,
    TradeTick,
    UnitOfWork,
)

D1, D2, D3 = datetime.date(2026, 3, 2), datetime.date(2026, 3, 3), datetime.date(2026, 3, 4)


def _customer(cid: str = "c1", env: str = "mock") -> CustomerRecord:
    return CustomerRecord(cid, f"고객 {cid}", env, "active", 100)


_order = order_record


def _fill(exec_id: int, ord_no: int, at: int, account: str = "5000000001") -> FillRecord:
    return FillRecord(exec_id, ord_no, account, "005930", Side.BUY, 70_000, 3, at, 105, 0)


def _with_account(uow: UnitOfWork, account: str = "5000000001", cid: str = "c1") -> None:
    if uow.customers.get(cid) is None:
        uow.customers.add(_customer(cid))
    uow.accounts.add(AccountRecord(account, cid, "mock", 100))


def _cash(amount: int, other: str = "fees") -> list[JournalLine]:
    return [JournalLine("KRW", "cash", -amount), JournalLine("KRW", other, amount)]


# --- identity -------------------------------------------------------------------------------


def test_customers_round_trip(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.customers.add(_customer("c2", "real"))
        uow.customers.add(_customer("c1"))
        assert uow.customers.get("c1") == _customer("c1")
        assert uow.customers.get("nobody") is None
        updated = uow.customers.set_status("c1", "suspended")
        assert updated == CustomerRecord("c1", "고객 c1", "mock", "suspended", 100)
        assert [c.id for c in uow.customers.list()] == ["c1", "c2"]
        with pytest.raises(NotFoundError):
            uow.customers.set_status("nobody", "active")
    with storage.unit_of_work() as uow:
        assert uow.customers.get("c1") == updated


@pytest.mark.parametrize(
    "bad", [_customer("c1"), CustomerRecord("c9", "x", "paper", "active", 1)], ids=["dup", "env"]
)
def test_customer_constraints(storage: Storage, bad: CustomerRecord) -> None:
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.customers.add(_customer("c1"))
        uow.customers.add(bad)
    with storage.unit_of_work() as uow:
        assert uow.customers.list() == []


def test_api_keys_round_trip(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.customers.add(_customer())
        uow.api_keys.add(ApiKeyRecord("kB", "h2", "c1", "mock", 20))
        uow.api_keys.add(ApiKeyRecord("kA", "h1", "c1", "mock", 20))
        uow.api_keys.add(ApiKeyRecord("k0", "h0", "c1", "mock", 10))
        assert uow.api_keys.get("kA") == ApiKeyRecord("kA", "h1", "c1", "mock", 20, None)
        assert uow.api_keys.get("zz") is None
        assert [k.appkey for k in uow.api_keys.by_customer("c1")] == ["k0", "kA", "kB"]
        assert uow.api_keys.revoke("kA", 50).revoked_at == 50
        assert uow.api_keys.revoke("kA", 60).revoked_at == 50  # first revocation kept
        with pytest.raises(NotFoundError):
            uow.api_keys.revoke("zz", 1)
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.api_keys.add(ApiKeyRecord("k9", "h", "no-such-customer", "mock", 1))


def test_tokens_round_trip(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.customers.add(_customer())
        uow.api_keys.add(ApiKeyRecord("k1", "h", "c1", "mock", 1))
        uow.api_keys.add(ApiKeyRecord("k2", "h", "c1", "mock", 1))
        for th, key, exp in [
            ("t1", "k1", 100),
            ("t2", "k1", 200),
            ("t3", "k1", 300),
            ("t4", "k2", 50),
        ]:
            uow.tokens.add(TokenRecord(th, key, 10, exp))
        assert uow.tokens.get("t1") == TokenRecord("t1", "k1", 10, 100, None)
        assert uow.tokens.get("nope") is None
        assert uow.tokens.revoke("t1", 20) == TokenRecord("t1", "k1", 10, 100, 20)
        assert uow.tokens.revoke("t1", 30).revoked_at == 20
        assert uow.tokens.revoke_all("k1", 40) == 2  # t2, t3 (t1 already revoked)
        assert uow.tokens.get("t3") == TokenRecord("t3", "k1", 10, 300, 40)
        assert uow.tokens.get("t4") == TokenRecord("t4", "k2", 10, 50, None)
        assert uow.tokens.delete_expired(before=200) == 2  # t1 (100), t4 (50)
        assert uow.tokens.get("t1") is None
        assert uow.tokens.get("t2") is not None
        with pytest.raises(NotFoundError):
            uow.tokens.revoke("t1", 1)
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.tokens.add(TokenRecord("t9", "no-such-key", 1, 2))


def test_accounts_round_trip(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.customers.add(_customer("c1"))
        uow.customers.add(_customer("c2"))
        for no, cid in [("5000000002", "c1"), ("5000000001", "c1"), ("5000000003", "c2")]:
            uow.accounts.add(AccountRecord(no, cid, "mock", 7))
        assert uow.accounts.get("5000000001") == AccountRecord("5000000001", "c1", "mock", 7)
        assert uow.accounts.get("9") is None
        assert [a.account_no for a in uow.accounts.by_customer("c1")] == [
            "5000000001",
            "5000000002",
        ]
        assert uow.accounts.by_customer("nobody") == []
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.accounts.add(AccountRecord("5000000001", "c1", "mock", 7))


# --- orders and fills -----------------------------------------------------------------------


def test_orders_round_trip(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        _with_account(uow)
        _with_account(uow, "5000000002")
        nos = [uow.orders.allocate_order_no() for _ in range(4)]
        assert nos == [1, 2, 3, 4]
        uow.orders.add(_order(1))
        uow.orders.add(_order(2, side=Side.SELL, trde_tp="28", stop_price=69_000, exchange="NXT"))
        uow.orders.add(_order(3, "5000000002", code="000660"))
        uow.orders.add(_order(4, orig_ord_no=1, trde_tp="3", price=0))
    with storage.unit_of_work() as uow:
        got = uow.orders.get(2)
        assert got == _order(2, side=Side.SELL, trde_tp="28", stop_price=69_000, exchange="NXT")
        assert got is not None and got.side is Side.SELL
        assert uow.orders.get(4) == _order(4, orig_ord_no=1, trde_tp="3", price=0)
        assert uow.orders.get(99) is None
        done = uow.orders.update(1, status="filled", filled_qty=10, open_qty=0, updated_at=5_000)
        assert done == _order(1, status="filled", filled_qty=10, open_qty=0, updated_at=5_000)
        uow.orders.update(4, status="cancelled", filled_qty=0, open_qty=0, updated_at=5_001)
        with pytest.raises(NotFoundError):
            uow.orders.update(99, status="x", filled_qty=0, open_qty=0, updated_at=1)
    with storage.unit_of_work() as uow:
        assert uow.orders.get(1) == done
        assert [o.ord_no for o in uow.orders.by_account("5000000001")] == [1, 2, 4]
        window = uow.orders.by_account("5000000001", since=1_002, until=1_004)
        assert [o.ord_no for o in window] == [2]
        assert [o.ord_no for o in uow.orders.open_orders()] == [2, 3]
        assert [o.ord_no for o in uow.orders.open_orders("5000000001")] == [2]
        assert [o.ord_no for o in uow.orders.open_orders(code="000660")] == [3]
        assert uow.orders.open_orders("5000000002", "005930") == []
        assert [o.ord_no for o in uow.orders.by_status("accepted")] == [2, 3]
        assert [o.ord_no for o in uow.orders.by_status("cancelled")] == [4]


@pytest.mark.parametrize(
    "bad",
    [
        {"qty": 0, "open_qty": 0},
        {"filled_qty": 6, "open_qty": 5},
        {"open_qty": -1},
        {"price": -1},
        {"account": "no-such-account"},
    ],
    ids=["zero-qty", "overfilled", "negative-open", "negative-price", "unknown-account"],
)
def test_order_constraints(storage: Storage, bad: dict[str, object]) -> None:
    with storage.unit_of_work() as uow:
        _with_account(uow)
        uow.orders.add(_order(1))
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.orders.add(_order(2, **bad))
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.orders.add(_order(1))  # duplicate order number
    with storage.unit_of_work() as uow:
        assert [o.ord_no for o in uow.orders.by_account("5000000001")] == [1]


def test_fills_round_trip(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        _with_account(uow)
        _with_account(uow, "5000000002")
        uow.orders.add(_order(1))
        uow.orders.add(_order(2, "5000000002"))
        uow.fills.add(_fill(11, 1, at=2_000))
        uow.fills.add(_fill(10, 1, at=1_500))
        uow.fills.add(_fill(12, 2, at=2_500, account="5000000002"))
    with storage.unit_of_work() as uow:
        assert uow.fills.by_order(1) == [_fill(10, 1, 1_500), _fill(11, 1, 2_000)]
        assert uow.fills.by_order(1)[0].side is Side.BUY
        assert uow.fills.by_order(3) == []
        assert [f.exec_id for f in uow.fills.by_account("5000000001")] == [10, 11]
        assert [f.exec_id for f in uow.fills.by_account("5000000001", since=1_600)] == [11]
        assert [f.exec_id for f in uow.fills.by_account("5000000001", until=2_000)] == [10]
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.fills.add(_fill(13, 99, at=1))  # no such order
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.fills.add(_fill(10, 1, at=1))  # duplicate exec id


# --- sequences and journal ------------------------------------------------------------------


def test_sequences(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        assert uow.sequences.current("a") == 0
        assert uow.sequences.allocate("a") == 1
        assert uow.sequences.allocate("a", 10) == 2
        assert uow.sequences.allocate("b") == 1
        assert uow.sequences.current("a") == 11
        assert uow.orders.allocate_order_no() == 1  # its own sequence
    with storage.unit_of_work() as uow:
        assert uow.sequences.allocate("a") == 12
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.sequences.allocate("a", 0)


def test_journal_round_trip(storage: Storage) -> None:
    buy = [
        JournalLine("KRW", "cash", -210_105),
        JournalLine("KRW", "fees", 105),
        JournalLine("KRW", "settlement", 210_000),
        JournalLine("005930", "holdings", 3),
        JournalLine("005930", "street", -3),
    ]
    with storage.unit_of_work() as uow:
        first = uow.journal.post(1_000, "A1", "deposit", _cash(-1_000_000, "bank"))
        second = uow.journal.post(2_000, "A1", "ord 1", buy)
        uow.journal.post(2_500, "A2", "deposit", _cash(-5, "bank"))
        assert (first.entry_id, second.entry_id) == (1, 2)
        assert second.lines == tuple(buy)
    with storage.unit_of_work() as uow:
        entries = uow.journal.entries("A1")
        assert entries == [first, second]
        assert entries[1].lines == tuple(buy)  # posted order kept
        assert uow.journal.entries("A1", since=1_001) == [second]
        assert uow.journal.entries("A1", until=2_000) == [first]
        assert uow.journal.entries("nobody") == []
        assert uow.journal.balance("A1", "KRW", "cash") == 1_000_000 - 210_105
        assert uow.journal.balance("A1", "005930", "holdings") == 3
        assert uow.journal.balance("A1", "KRW", "nothing") == 0
        assert uow.journal.balances("A1") == {
            ("005930", "holdings"): 3,
            ("005930", "street"): -3,
            ("KRW", "bank"): -1_000_000,
            ("KRW", "cash"): 1_000_000 - 210_105,
            ("KRW", "fees"): 105,
            ("KRW", "settlement"): 210_000,
        }
        uow.journal.post(3_000, "A2", "reverse", _cash(5, "bank"))
        assert uow.journal.balances("A2") == {}  # zero sums are left out


@pytest.mark.parametrize(
    "lines",
    [
        [JournalLine("KRW", "cash", -100), JournalLine("KRW", "fees", 99)],
        [JournalLine("KRW", "cash", -5), JournalLine("005930", "holdings", 5)],
        [JournalLine("KRW", "cash", 1)],
        [],
    ],
    ids=["off-by-one", "balanced-only-across-assets", "single-line", "empty"],
)
def test_journal_refuses_unbalanced_entries(storage: Storage, lines: list[JournalLine]) -> None:
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.journal.post(1, "A1", "good", _cash(10))
        uow.journal.post(2, "A1", "bad", lines)
    with storage.unit_of_work() as uow:
        assert uow.journal.entries("A1") == []
        assert uow.journal.balances("A1") == {}
        assert uow.journal.post(3, "A1", "next", _cash(1)).entry_id == 1


# --- market data ----------------------------------------------------------------------------


def test_ticks_round_trip(storage: Storage) -> None:
    ticks = [TradeTick("005930", seq, 1_000 * seq, 70_000 + seq, seq) for seq in range(1, 6)]
    with storage.unit_of_work() as uow:
        uow.ticks.add_many(ticks[3:])
        uow.ticks.add_many(iter(ticks[:3]))
        uow.ticks.add_many([])
        uow.ticks.add_many([TradeTick("000660", 1, 9_999, 1, 1)])
    with storage.unit_of_work() as uow:
        assert uow.ticks.range("005930", 0, 10**12) == ticks
        assert uow.ticks.range("005930", 2_000, 4_000) == ticks[1:3]
        assert uow.ticks.range("005930", 0, 10**12, limit=2) == ticks[:2]
        assert uow.ticks.last("005930") == ticks[-1]
        assert uow.ticks.last("nothing") is None
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.ticks.add_many([ticks[0]])


def test_bars_upsert(storage: Storage) -> None:
    minute = 60_000_000
    m1 = MinuteBar("005930", 0, 100, 110, 90, 105, 10, 1_000)
    m2 = MinuteBar("005930", minute, 105, 105, 100, 101, 5, 505)
    m2b = MinuteBar("005930", minute, 105, 120, 99, 119, 9, 999)
    d1 = DailyBar("005930", D1, 100, 130, 90, 120, 1_000, 100_000)
    d2 = DailyBar("005930", D2, 120, 121, 110, 111, 10, 1_111)
    d2b = DailyBar("005930", D2, 120, 125, 108, 124, 20, 2_222)
    with storage.unit_of_work() as uow:
        uow.bars.upsert_minutes([m2, m1, MinuteBar("000660", 0, 1, 1, 1, 1, 1, 1)])
        uow.bars.upsert_daily([d2, d1])
        uow.bars.upsert_minutes([])
    with storage.unit_of_work() as uow:
        uow.bars.upsert_minutes([m2b])
        uow.bars.upsert_daily(iter([d2b]))
    with storage.unit_of_work() as uow:
        assert uow.bars.minutes("005930", 0, 2 * minute) == [m1, m2b]
        assert uow.bars.minutes("005930", 1, 2 * minute) == [m2b]
        assert uow.bars.minutes("005930", 0, minute) == [m1]
        assert uow.bars.daily("005930", D1, D3) == [d1, d2b]
        assert uow.bars.daily("005930", D2, D2) == [d2b]
        assert uow.bars.daily("000660", D1, D3) == []


def test_instrument_days(storage: Storage) -> None:
    s1 = InstrumentDay("005930", D1, 70_000, 71_000, False)
    s2 = InstrumentDay("005930", D2, 71_000, None, True)
    s2b = InstrumentDay("005930", D2, 71_000, 72_500, False)
    other = InstrumentDay("000660", D2, 200_000, None, False)
    with storage.unit_of_work() as uow:
        for state in (s2, s1, other):
            uow.instrument_days.upsert(state)
    with storage.unit_of_work() as uow:
        assert uow.instrument_days.get("005930", D2) == s2
        uow.instrument_days.upsert(s2b)
        assert uow.instrument_days.get("005930", D2) == s2b
        assert uow.instrument_days.get("005930", D3) is None
        assert uow.instrument_days.for_day(D2) == [other, s2b]
        assert uow.instrument_days.for_day(D3) == []
        assert uow.instrument_days.latest_before("005930", D3) == s2b
        assert uow.instrument_days.latest_before("005930", D2) == s1
        assert uow.instrument_days.latest_before("005930", D1) is None


# --- events and settings --------------------------------------------------------------------


def test_event_log(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        assert uow.events.last_seq() == 0
        appended = [
            uow.events.append(10 * i, kind, f'{{"i":{i},"s":"체결"}}')
            for i, kind in enumerate(["trade", "order", "trade", "halt"], start=1)
        ]
        assert [e.seq for e in appended] == [1, 2, 3, 4]
    with storage.unit_of_work() as uow:
        assert uow.events.read() == appended
        assert uow.events.read(after=2) == appended[2:]
        assert uow.events.read(limit=1) == appended[:1]
        assert uow.events.read(kinds=["trade"]) == [appended[0], appended[2]]
        assert uow.events.read(after=1, kinds=["trade", "halt"], limit=1) == [appended[2]]
        assert uow.events.read(kinds=[]) == []
        assert uow.events.last_seq() == 4
        assert uow.events.append(50, "x", "{}").seq == 5


def test_settings(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        assert uow.settings.get("market") is None
        uow.settings.put("market", {"mode": "always", "days": [1, 2], "nested": {"ok": True}})
        uow.settings.put("clock", "manual")
        uow.settings.put("note", "장 운영 중")
        uow.settings.put("nothing", None)
    with storage.unit_of_work() as uow:
        assert uow.settings.get("market") == {
            "days": [1, 2],
            "mode": "always",
            "nested": {"ok": True},
        }
        uow.settings.put("clock", 12)
        assert uow.settings.items() == {
            "clock": 12,
            "market": {"days": [1, 2], "mode": "always", "nested": {"ok": True}},
            "note": "장 운영 중",
            "nothing": None,
        }
        assert uow.settings.delete("note") is True
        assert uow.settings.delete("note") is False
        assert "note" not in uow.settings.items()


# --- transactions, durability, migrations ---------------------------------------------------


def test_committed_work_survives_reopening(storage_url: str) -> None:
    first = open_storage(storage_url)
    with first.unit_of_work() as uow:
        _with_account(uow)
        uow.orders.add(_order(uow.orders.allocate_order_no()))
        uow.journal.post(5, "5000000001", "x", _cash(7))
        uow.events.append(5, "order", "{}")
    first.close()
    first.close()  # idempotent
    with pytest.raises(StorageError):
        first.unit_of_work().__enter__()
    second = open_storage(storage_url)
    try:
        with second.unit_of_work() as uow:
            assert uow.orders.get(1) == _order(1)
            assert uow.journal.balance("5000000001", "KRW", "fees") == 7
            assert uow.events.last_seq() == 1
            assert uow.orders.allocate_order_no() == 2
    finally:
        second.close()


def test_a_failing_unit_of_work_rolls_back_everything(storage: Storage) -> None:
    class Boom(Exception):
        pass

    with storage.unit_of_work() as uow:
        _with_account(uow)
    with pytest.raises(Boom), storage.unit_of_work() as uow:
        uow.orders.add(_order(uow.orders.allocate_order_no()))
        uow.journal.post(1, "5000000001", "x", _cash(7))
        uow.events.append(1, "order", "{}")
        uow.settings.put("k", 1)
        uow.bars.upsert_daily([DailyBar("005930", D1, 1, 1, 1, 1, 1, 1)])
        uow.customers.set_status("c1", "terminated")
        raise Boom
    with storage.unit_of_work() as uow:
        assert uow.orders.by_account("5000000001") == []
        assert uow.journal.entries("5000000001") == []
        assert uow.events.read() == []
        assert uow.settings.items() == {}
        assert uow.bars.daily("005930", D1, D1) == []
        assert uow.customers.get("c1") == _customer("c1")
        # sequences are transactional: the rolled-back numbers are handed out again
        assert uow.orders.allocate_order_no() == 1
        assert uow.sequences.current("journal_entry") == 0


def test_a_swallowed_storage_error_still_dooms_the_unit_of_work(storage: Storage) -> None:
    with pytest.raises(StorageError, match="rolled back"), storage.unit_of_work() as uow:
        uow.customers.add(_customer("c1"))
        with pytest.raises(StorageError):
            uow.customers.add(_customer("c1"))
        with pytest.raises(StorageError, match="failed earlier"):
            uow.customers.get("c1")
    with storage.unit_of_work() as uow:
        assert uow.customers.list() == []


def test_repositories_are_dead_after_their_unit_of_work(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.settings.put("a", 1)
    with pytest.raises(StorageError, match="ended"):
        uow.settings.get("a")


def test_order_numbers_are_unique_across_storages_on_one_database(storage_url: str) -> None:
    one, two = open_storage(storage_url), open_storage(storage_url)  # second open: no-op migrate
    try:
        drawn = []
        for i in range(20):
            with (one if i % 3 else two).unit_of_work() as uow:
                drawn.append(uow.orders.allocate_order_no())
        assert drawn == list(range(1, 21))
    finally:
        one.close()
        two.close()


def test_concurrent_units_of_work_in_threads_lose_nothing(storage: Storage) -> None:
    drawn: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                with storage.unit_of_work() as uow:
                    n = uow.orders.allocate_order_no()
                    uow.events.append(n, "order", str(n))
                drawn.append(n)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(drawn) == list(range(1, 101))
    with storage.unit_of_work() as uow:
        assert sorted(int(e.payload) for e in uow.events.read()) == list(range(1, 101))
        assert [e.seq for e in uow.events.read()] == list(range(1, 101))


def _head_revision() -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from hoga.adapters.sql.storage import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def test_migrations_are_idempotent_and_match_the_schema(storage_url: str) -> None:
    from hoga.adapters.sql.schema import metadata

    for _ in range(2):
        store = open_storage(storage_url)
        try:
            with store.unit_of_work() as uow:
                uow.customers.add(_customer(f"c{_}"))
            engine = store.engine  # type: ignore[attr-defined]
            with engine.connect() as conn:
                context = MigrationContext.configure(conn)
                assert context.get_current_revision() == _head_revision()
                assert compare_metadata(context, metadata) == []
        finally:
            store.close()


def test_journal_posted_before_0008_sums_the_same_without_the_lines_index(
    storage_url: str,
) -> None:
    """Migration 0008 drops the (account, asset, book) index of journal_lines; what was posted
    before it sums and replays the same after the upgrade, and new postings join it."""
    from sqlalchemy import delete, insert, inspect

    from hoga.adapters.sql.schema import journal_entries, journal_lines, sequences

    with at_revision(storage_url, "0007") as conn:
        assert "ix_journal_lines_account_asset_book" in {
            ix["name"] for ix in inspect(conn).get_indexes("journal_lines")
        }
        conn.execute(
            insert(journal_entries),
            [
                {"entry_id": 1, "at": 10, "account": "A1", "ref": "deposit"},
                {"entry_id": 2, "at": 20, "account": "A2", "ref": "deposit"},
            ],
        )
        conn.execute(
            insert(journal_lines),
            [
                {
                    "entry_id": 1,
                    "line_no": 0,
                    "account": "A1",
                    "asset": "KRW",
                    "book": "bank",
                    "amount": -700,
                },
                {
                    "entry_id": 1,
                    "line_no": 1,
                    "account": "A1",
                    "asset": "KRW",
                    "book": "cash",
                    "amount": 700,
                },
                {
                    "entry_id": 2,
                    "line_no": 0,
                    "account": "A2",
                    "asset": "KRW",
                    "book": "bank",
                    "amount": -5,
                },
                {
                    "entry_id": 2,
                    "line_no": 1,
                    "account": "A2",
                    "asset": "KRW",
                    "book": "cash",
                    "amount": 5,
                },
            ],
        )
        conn.execute(delete(sequences).where(sequences.c.name == "journal_entry"))
        conn.execute(insert(sequences), [{"name": "journal_entry", "value": 2}])
    store = open_storage(storage_url)  # upgrades to the head
    try:
        engine = store.engine  # type: ignore[attr-defined]
        with engine.connect() as conn:
            names = {ix["name"] for ix in inspect(conn).get_indexes("journal_lines")}
        assert "ix_journal_lines_account_asset_book" not in names
        with store.unit_of_work() as uow:
            assert uow.journal.balances("A1") == {("KRW", "bank"): -700, ("KRW", "cash"): 700}
            assert uow.journal.balance("A2", "KRW", "cash") == 5
            later = uow.journal.post(30, "A1", "withdrawal", _cash(200, "bank"))
            assert later.entry_id == 3
        with store.unit_of_work() as uow:
            assert uow.journal.balances("A1") == {("KRW", "bank"): -500, ("KRW", "cash"): 500}
            assert [e.entry_id for e in uow.journal.entries("A1")] == [1, 3]
            assert uow.journal.balances("A2") == {("KRW", "bank"): -5, ("KRW", "cash"): 5}
    finally:
        store.close()


def test_orders_placed_before_0009_are_found_open_through_the_partial_index(
    storage_url: str,
) -> None:
    """Migration 0009 replaces the status and open_qty indexes of orders by one partial index
    of the working orders; orders written before it are found as before, and an order leaves
    the working set when it is done."""
    from sqlalchemy import insert, inspect

    from hoga.adapters.sql.schema import accounts, customers, orders

    with at_revision(storage_url, "0008") as conn:
        conn.execute(
            insert(customers),
            [{"id": "c1", "name": "c1", "env": "mock", "status": "active", "created_at": 1}],
        )
        conn.execute(
            insert(accounts),
            [{"account_no": "A1", "customer_id": "c1", "env": "mock", "created_at": 1}],
        )
        rows = [
            order_record(n, "A1", open_qty=q, filled_qty=10 - q, status=st)
            for n, q, st in ((1, 0, "filled"), (2, 10, "accepted"), (3, 4, "partial"))
        ]
        conn.execute(
            insert(orders),
            [{**dataclasses.asdict(r), "side": r.side.value} for r in rows],
        )
    store = open_storage(storage_url)  # upgrades to the head
    try:
        engine = store.engine  # type: ignore[attr-defined]
        with engine.connect() as conn:
            names = {ix["name"] for ix in inspect(conn).get_indexes("orders")}
        assert "ix_orders_open" in names
        assert not names & {"ix_orders_status", "ix_orders_open_qty"}
        with store.unit_of_work() as uow:
            assert [o.ord_no for o in uow.orders.open_orders()] == [2, 3]
            assert [o.ord_no for o in uow.orders.by_status("partial")] == [3]
            uow.orders.update(3, status="filled", filled_qty=10, open_qty=0, updated_at=2_000)
        with store.unit_of_work() as uow:
            assert [o.ord_no for o in uow.orders.open_orders("A1")] == [2]
    finally:
        store.close()


def test_url_is_reported_without_its_password(storage_url: str) -> None:
    url = make_url(storage_url)
    if url.get_backend_name() == "postgresql":  # trust auth ignores the password
        url = url.set(password="s3cret")
    store = open_storage(url.render_as_string(hide_password=False))
    try:
        assert "s3cret" not in store.url
        assert store.url == url.render_as_string(hide_password=True)
    finally:
        store.close()
