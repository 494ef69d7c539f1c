"""Storage contract for the record log (hash chain rows, shredding, prefix deletion, proofs,
journal and notice tails); runs on every backend of conftest.py."""

from __future__ import annotations

import pytest
from _storage_records import at_revision

from hoga.domain.records import GENESIS, Record, canonical, seal, verify_chain
from hoga.errors import StorageError
from hoga.ports.storage import AccountRecord, CustomerRecord, JournalLine, Storage


def _chain(n: int) -> list[Record]:
    out: list[Record] = []
    prev = GENESIS
    for i in range(n):
        payload = canonical({"i": i})
        rec = seal(prev, 1 + i, 100 + i, "api.call", f"c{i % 2}", payload, salt="ab")
        out.append(rec)
        prev = rec.hash
    return out


def test_append_read_and_round_trip(storage: Storage) -> None:
    recs = _chain(5)
    with storage.unit_of_work() as uow:
        uow.record_log.lock()
        assert uow.record_log.last() is None
        uow.record_log.append(recs[:3])
        uow.record_log.append(recs[3:])
        uow.record_log.append([])
    with storage.unit_of_work() as uow:
        log = uow.record_log
        assert log.read() == recs
        assert log.read(1, through=3) == recs[1:3]
        assert log.read(limit=2) == recs[:2]
        assert log.last() == recs[-1] and log.get(2) == recs[1] and log.get(9) is None
        assert log.by_customer("c0") == [recs[0], recs[2], recs[4]]
        assert log.by_customer("c1", since=101, until=103) == [recs[1]]
        assert verify_chain(log.read()) == []


def test_duplicate_seq_is_refused(storage: Storage) -> None:
    recs = _chain(2)
    with storage.unit_of_work() as uow:
        uow.record_log.append(recs)
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.record_log.append(recs[1:])


def test_shred_and_delete_keep_the_rest_verifiable(storage: Storage) -> None:
    recs = _chain(6)
    with storage.unit_of_work() as uow:
        uow.record_log.append(recs)
        assert uow.record_log.shred([1, 2, 4]) == 3
        assert uow.record_log.shred([]) == 0
    with storage.unit_of_work() as uow:
        rows = uow.record_log.read()
        assert [r.shredded for r in rows] == [True, True, False, True, False, False]
        assert rows[0].payload == "" and rows[0].customer_id == "" and rows[0].digest
        assert verify_chain(rows) == []
        assert uow.record_log.by_customer("c0") == [recs[2], recs[4]]
        assert uow.record_log.delete_through(2) == 2
    with storage.unit_of_work() as uow:
        rest = uow.record_log.read()
        assert [r.seq for r in rest] == [3, 4, 5, 6]


def test_proofs(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        a = uow.record_log.add_proof("checkpoint", "2024-03-01", 5, 10, '{"a":1}', "ff")
        b = uow.record_log.add_proof("purge", "", 6, 4, '{"b":1}', "")
        assert (a.id, b.id) == (1, 2)
    with storage.unit_of_work() as uow:
        assert uow.record_log.proofs() == [a, b]
        assert uow.record_log.proofs("purge") == [b]
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.record_log.add_proof("other", "", 1, 1, "{}", "")


def test_tails_of_journal_and_notices(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.customers.add(CustomerRecord("c1", "n", "mock", "active", 1))
        uow.accounts.add(AccountRecord("5000000001", "c1", "mock", 1))
        uow.accounts.add(AccountRecord("5000000002", "c1", "mock", 1))
        for i, acct in enumerate(["5000000001", "5000000002", "5000000001"]):
            lines = [JournalLine("KRW", "cash", 10 + i), JournalLine("KRW", "bank", -10 - i)]
            uow.journal.post(50 + i, acct, f"r{i}", lines)
        uow.incidents.add_notice(7, "c1", None, "k", "s", "b", "memory")
        uow.incidents.add_notice(8, "c1", None, "k2", "s2", "b2", "memory")
    with storage.unit_of_work() as uow:
        entries = uow.record_log.journal_after(0, 2)
        assert [(e.entry_id, e.account, e.ref, e.at) for e in entries] == [
            (1, "5000000001", "r0", 50),
            (2, "5000000002", "r1", 51),
        ]
        assert entries[0].lines == (JournalLine("KRW", "cash", 10), JournalLine("KRW", "bank", -10))
        assert [e.entry_id for e in uow.record_log.journal_after(2, 10)] == [3]
        notices = uow.record_log.notices_after(1, 10)
        assert [(n.id, n.kind) for n in notices] == [(2, "k2")]


# --- hashes (what a checkpoint's Merkle root is computed from)


def test_hashes_by_range_and_page(storage: Storage) -> None:
    recs = _chain(7)
    with storage.unit_of_work() as uow:
        uow.record_log.append(recs)
    with storage.unit_of_work(read_only=True) as uow:
        log = uow.record_log
        every = [(r.seq, r.hash) for r in recs]
        assert log.hashes(0, 7, 100) == every
        assert log.hashes(2, 5, 100) == every[2:5]
        assert log.hashes(2, 6, 2) == every[2:4]
        assert log.hashes(7, 9, 100) == [] and log.hashes(3, 3, 100) == []
        assert all(type(s) is int and type(h) is str for s, h in log.hashes(0, 7, 100))


def test_hashes_keep_shredded_records_and_skip_deleted_ones(storage: Storage) -> None:
    recs = _chain(5)
    with storage.unit_of_work() as uow:
        uow.record_log.append(recs)
        uow.record_log.shred([2, 4])
        uow.record_log.delete_through(1)
    with storage.unit_of_work() as uow:
        assert uow.record_log.hashes(0, 5, 100) == [(r.seq, r.hash) for r in recs[1:]]
        assert uow.record_log.hashes(0, 5, 100) == [(r.seq, r.hash) for r in uow.record_log.read()]


_DAY = 86_400_000_000
_KST_MIDNIGHT = 1_767_193_200_000_000  # 2026-01-01 00:00 KST


def _spread(plan: list[tuple[int, str]]) -> list[Record]:
    """A chain with the given (at, customer) per record, in this order (seq 1, 2, …)."""
    out: list[Record] = []
    prev = GENESIS
    for i, (at, customer) in enumerate(plan):
        rec = seal(prev, 1 + i, at, "api.call", customer, canonical({"i": i}), salt="ab")
        out.append(rec)
        prev = rec.hash
    return out


def test_a_customers_records_across_kst_days_and_batches(storage: Storage) -> None:
    """by_customer finds a customer's records over several KST days, across appends and among
    other customers' records, cut exactly at since/until, each once — also when a record's time
    is earlier than the one before it across midnight (the days' seq ranges overlap)."""
    m = _KST_MIDNIGHT
    plan = [
        (m - 10, "a"),  # day 0 (the KST day before)
        (m - 5, "b"),
        (m + 1, "a"),  # day 1
        (m - 1, "a"),  # day 0 again, after a day-1 record: overlapping ranges
        (m + 2, "b"),
        (m + 3, ""),  # no customer
        (m + _DAY + 7, "a"),  # day 2
        (m + 3 * _DAY, "a"),  # day 4 (none on day 3)
    ]
    recs = _spread(plan)
    with storage.unit_of_work() as uow:
        uow.record_log.append(recs[:4])
        uow.record_log.append(recs[4:7])
        uow.record_log.append(recs[7:])
    with storage.unit_of_work() as uow:
        log = uow.record_log
        a = [recs[i] for i in (0, 2, 3, 6, 7)]
        assert log.by_customer("a") == a
        assert log.by_customer("b") == [recs[1], recs[4]]
        assert log.by_customer("nobody") == [] and log.by_customer("") == []
        assert log.by_customer("a", since=m) == [recs[2], recs[6], recs[7]]
        assert log.by_customer("a", until=m) == [recs[0], recs[3]]
        assert log.by_customer("a", since=m - 1, until=m + _DAY + 7) == [recs[2], recs[3]]
        assert log.by_customer("a", since=m + _DAY, until=m + 4 * _DAY) == [recs[6], recs[7]]
        assert log.by_customer("a", since=m + 2 * _DAY, until=m + 3 * _DAY) == []
        assert log.delete_through(3) == 3
        assert log.by_customer("a") == [recs[3], recs[6], recs[7]]
        assert log.delete_through(8) == 5
        assert log.by_customer("a") == [] and log.by_customer("b") == []


def test_many_customers_in_one_append(storage: Storage) -> None:
    """One append naming more customers than one statement's parameters allow."""
    plan = [(_KST_MIDNIGHT + i, f"c{i % 700}") for i in range(2_100)]
    recs = _spread(plan)
    with storage.unit_of_work() as uow:
        uow.record_log.append(recs[:1_000])
        uow.record_log.append(recs[1_000:])
    with storage.unit_of_work() as uow:
        assert uow.record_log.by_customer("c5") == [recs[5], recs[705], recs[1_405]]
        assert uow.record_log.by_customer("c699") == [recs[699], recs[1_399], recs[2_099]]


def test_records_written_before_the_day_index_are_found_after_the_upgrade(
    storage_url: str,
) -> None:
    """Migration 0007 indexes the records already in the log by customer and KST day."""
    from sqlalchemy import insert

    from hoga.adapters import open_storage
    from hoga.adapters.sql.schema import record_log

    m = _KST_MIDNIGHT
    recs = _spread([(m - 1, "a"), (m + 1, "b"), (m + 2, "a"), (m + _DAY, "a"), (m + 5, "")])
    with at_revision(storage_url, "0006") as conn:
        conn.execute(insert(record_log), [r._asdict() for r in recs])
    store = open_storage(storage_url)  # upgrades to the head
    try:
        with store.unit_of_work() as uow:
            log = uow.record_log
            assert log.by_customer("a") == [recs[0], recs[2], recs[3]]
            assert log.by_customer("a", since=m, until=m + _DAY) == [recs[2]]
            assert log.by_customer("b") == [recs[1]]
            assert verify_chain(log.read()) == []
    finally:
        store.close()
