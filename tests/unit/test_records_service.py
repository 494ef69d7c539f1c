"""The recorder (hoga.engine.records): batching, tails, checkpoints, purge proofs, verify."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.domain.records import Period, seal
from hoga.engine.records import Recorder, RetentionPolicy, Signer, export_csv, verify_signature
from hoga.ports.storage import AccountRecord, CustomerRecord, JournalLine, Storage

T0 = int(datetime(2024, 3, 1, 1, 0, tzinfo=UTC).timestamp()) * 1_000_000  # 10:00 KST
DAY = 86_400_000_000


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = open_storage(f"sqlite:///{tmp_path / 'r.db'}")
    with store.unit_of_work() as uow:
        for cid, acct in (("c1", "5000000001"), ("c2", "5000000002")):
            uow.customers.add(CustomerRecord(cid, cid, "mock", "active", 1))
            uow.accounts.add(AccountRecord(acct, cid, "mock", 1))
    yield store
    store.close()


@pytest.fixture
def signer(tmp_path: Path) -> Signer:
    return Signer.generate(tmp_path / "records.pem")


def make(
    storage: Storage,
    clock: ManualClock,
    *,
    signer: Signer | None = None,
    retention: RetentionPolicy | None = None,
) -> Recorder:
    # a record per API call, as these tests count records (call batches: test_records_background)
    return Recorder(storage, clock, signer=signer, retention=retention, calls_per_record=1)


def test_buffer_then_one_flush_chains_calls_tails_and_owners(storage: Storage) -> None:
    clock = ManualClock(T0)
    rec = make(storage, clock)
    rec.api_call("c1", "k1", "ka10001", "203.0.113.7", 200, 0)
    rec.on_note("5000000002", "order", _Note("접수", 7))
    rec.on_note("5000000002", "order", _Note("체결", 7))
    assert rec.pending == 3
    with storage.unit_of_work() as uow:
        uow.journal.post(
            T0,
            "5000000001",
            "deposit:x",
            [JournalLine("KRW", "cash", 5), JournalLine("KRW", "bank", -5)],
        )
        uow.incidents.add_notice(T0, "c2", None, "suspend", "s", "b", "memory")
    assert rec.flush() == 5 and rec.pending == 0
    assert rec.flush() == 0  # cursors moved: nothing chained twice
    with storage.unit_of_work() as uow:
        rows = uow.record_log.read()
    assert [(r.kind, r.customer_id) for r in rows] == [
        ("api.call", "c1"),
        ("order.event", "c2"),
        ("trade.fill", "c2"),
        ("ledger.entry", "c1"),
        ("notice.incident", "c2"),
    ]
    # the call's fields: test_records_background
    assert [c["api_id"] for c in json.loads(rows[0].payload)["calls"]] == ["ka10001"]
    assert rec.verify().ok


@dataclass(frozen=True)
class _Note:
    status: str
    ord_no: int
    at: int = T0


def test_export_is_the_customers_period_only(storage: Storage) -> None:
    clock = ManualClock(T0)
    rec = make(storage, clock)
    rec.api_call("c1", "k1", "ka10001", "ip", 200, 0)
    clock.advance(DAY)
    rec.api_call("c1", "k1", "kt10000", "ip", 200, 0)
    rec.api_call("c2", "k2", "ka10001", "ip", 200, 0)
    rows = rec.export("c1", T0 + DAY, T0 + 2 * DAY)
    assert [r["payload"]["calls"][0]["api_id"] for r in rows] == ["kt10000"]
    assert export_csv(rows).splitlines()[0] == "seq,time,at,kind,ref,payload,hash"
    assert "kt10000" in export_csv(rows)
    everything = rec.export("c1", None, None)
    assert [r["payload"]["calls"][0]["appkey"] for r in everything] == ["k1", "k1"]


def two_days(rec: Recorder, clock: ManualClock) -> None:
    """Three calls on the first day, one on the next: its first flush closes the first day."""
    for i in range(3):
        rec.api_call("c1", "k", f"ka1000{i}", "ip", 200, 0)
    rec.flush()
    clock.advance(DAY)
    rec.api_call("c1", "k", "ka10009", "ip", 200, 0)
    rec.flush()


def test_daily_checkpoint_is_signed_and_anchors_the_head(storage: Storage, signer: Signer) -> None:
    clock = ManualClock(T0)
    rec = make(storage, clock, signer=signer)
    two_days(rec, clock)
    (cp,) = rec.proofs("checkpoint")
    body = json.loads(cp["body"])
    assert cp["label"] == "2024-03-01" and (body["first_seq"], body["last_seq"]) == (1, 3)
    assert verify_signature(signer.public_hex, cp["body"], cp["signature"])
    assert not verify_signature(signer.public_hex, cp["body"] + " ", cp["signature"])
    assert rec.verify(signer.public_hex).ok
    with storage.unit_of_work() as uow:  # truncate the checkpointed tail: the verifier sees it
        uow.record_log.delete_through(4)
    report = rec.verify(signer.public_hex)
    assert [(f.seq, f.kind) for f in report.faults] == [(3, "truncated")]


def test_purge_shreds_deletes_prefix_and_signs(storage: Storage, signer: Signer) -> None:
    clock = ManualClock(T0)
    rec = make(storage, clock, signer=signer, retention=RetentionPolicy({"api": Period(1)}))
    rec.api_call("c1", "k", "ka10001", "ip", 200, 0)
    rec.record("order.event", {"ord_no": 1}, customer_id="c1")
    rec.api_call("c1", "k", "ka10002", "ip", 200, 0)
    rec.flush()
    result = rec.purge(T0 + 2 * 366 * DAY, actor="op")
    assert (result.shredded, result.deleted) == (2, 1)  # api calls shredded, the first deleted
    assert result.proof is not None
    assert verify_signature(signer.public_hex, result.proof.body, result.proof.signature)
    body = json.loads(result.proof.body)
    assert body["anchor"]["seq"] == 1 and body["shredded"]["by_kind"] == {"api.call": 2}
    report = rec.verify(signer.public_hex)
    assert report.ok, report.as_json()
    assert [r["kind"] for r in rec.export("c1", None, None)] == ["order.event"]
    assert not rec.verify("00" * 32).ok  # pinned to a different key


def test_purge_needs_a_key_and_core_classes_keep_ten_years(storage: Storage) -> None:
    with pytest.raises(ValueError):
        make(storage, ManualClock(T0)).purge()
    with pytest.raises(ValueError):
        RetentionPolicy.parse("order=5y")
    policy = RetentionPolicy.parse("api=90d; notice=3y")
    assert policy.period("api.call") == Period(0, 90) and policy.period("trade.fill") == Period(10)
    with pytest.raises(ValueError):
        RetentionPolicy.parse("api")


def test_correction_points_at_the_original(storage: Storage) -> None:
    rec = make(storage, ManualClock(T0))
    rec.record("order.event", {"ord_no": 1}, customer_id="c1")
    fix = rec.correct(1, "wrong price", {"price": 100})
    assert fix.ref == 1 and fix.kind == "correction" and fix.customer_id == "c1"
    with pytest.raises(KeyError):
        rec.correct(99, "x", {})
    assert rec.verify().ok


def test_sql_edit_is_found(storage: Storage) -> None:
    rec = make(storage, ManualClock(T0))
    for i in range(4):
        rec.api_call("c1", "k", f"ka1000{i}", "ip", 200, 0)
    rec.flush()
    engine = storage.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(text("UPDATE record_log SET payload = '{}' WHERE seq = 2"))
    report = rec.verify()
    assert [(f.seq, f.kind) for f in report.faults] == [(2, "edited")]


def _append_between_phases(rec: Recorder, other: Recorder) -> None:
    """Make ``other`` flush after ``rec`` sealed its batch and before it appends it (as another
    process sharing the database could)."""
    seal_batch = rec._seal

    def sealed_then_other(*args: object) -> object:
        out = seal_batch(*args)  # type: ignore[arg-type]
        rec._seal = seal_batch  # type: ignore[method-assign]  # once
        other.flush()
        return out

    rec._seal = sealed_then_other  # type: ignore[method-assign,assignment]


def test_an_append_between_reading_and_writing_is_chained_after(storage: Storage) -> None:
    clock = ManualClock(T0)
    mine, theirs = make(storage, clock), make(storage, clock)
    mine.flush()  # the day's checkpoint look-up is done: the next flush takes two steps
    theirs.flush()
    mine.api_call("c1", "k1", "ka10001", "203.0.113.7", 200, 0)
    theirs.api_call("c2", "k2", "ka10002", "203.0.113.8", 200, 0)
    _append_between_phases(mine, theirs)
    assert mine.flush() == 1
    with storage.unit_of_work() as uow:
        rows = uow.record_log.read()
    assert [(r.seq, r.customer_id) for r in rows] == [(1, "c2"), (2, "c1")]
    assert rows[1].prev_hash == rows[0].hash
    assert mine.verify().ok


def test_a_tail_chained_meanwhile_by_another_writer_is_not_chained_twice(
    storage: Storage,
) -> None:
    clock = ManualClock(T0)
    mine, theirs = make(storage, clock), make(storage, clock)
    mine.flush()
    with storage.unit_of_work() as uow:
        uow.journal.post(
            T0,
            "5000000001",
            "deposit:y",
            [JournalLine("KRW", "cash", 7), JournalLine("KRW", "bank", -7)],
        )
    _append_between_phases(mine, theirs)  # both read the new journal entry
    mine.flush()
    with storage.unit_of_work() as uow:
        rows = uow.record_log.read()
    assert [r.kind for r in rows].count("ledger.entry") == 1
    assert mine.verify().ok


class _SpyLock:
    """The recorder's write lock, telling when a given thread starts waiting for it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.watched: threading.Thread | None = None
        self.waiting = threading.Event()

    def __enter__(self) -> _SpyLock:
        if threading.current_thread() is self.watched:
            self.waiting.set()
        self.inner.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.release()


def test_an_export_waits_for_a_flush_in_flight(storage: Storage) -> None:
    clock = ManualClock(T0)
    rec = make(storage, clock)
    rec.flush()  # the day's checkpoint look-up is done: the next flush takes two steps
    rec.api_call("c1", "k1", "ka10001", "203.0.113.7", 200, 0)
    sealing, release = threading.Event(), threading.Event()
    seal_batch = rec._seal

    def held_seal(*args: Any) -> Any:
        sealing.set()
        assert release.wait(10)
        return seal_batch(*args)

    rec._seal = held_seal  # type: ignore[method-assign]
    spy = _SpyLock(rec._write_lock)
    rec._write_lock = spy  # type: ignore[assignment]
    flusher = threading.Thread(target=rec.flush)
    flusher.start()
    assert sealing.wait(10) and rec.pending == 0  # the batch left the buffer, not yet stored
    found: list[list[dict[str, Any]]] = []
    exporter = threading.Thread(target=lambda: found.append(rec.export("c1", None, None)))
    spy.watched = exporter
    exporter.start()
    assert spy.waiting.wait(10)  # the export waits for the flush instead of reading now
    release.set()
    flusher.join(10)
    exporter.join(10)
    assert [r["kind"] for r in found[0]] == ["api.call"]


def test_a_consistently_rewritten_checkpointed_range_fails_its_merkle_root(
    storage: Storage,
) -> None:
    clock = ManualClock(T0)
    rec = make(storage, clock)
    two_days(rec, clock)
    assert rec.verify().ok
    with storage.unit_of_work() as uow:
        rows = uow.record_log.read()
    # a forger rewrites record 2 and re-links the chain after it: every link checks out again
    forged, prev = [], rows[0].hash
    for r in rows[1:]:
        payload = '{"api_id":"kt10000"}' if r.seq == 2 else r.payload
        s = seal(prev, r.seq, r.at, r.kind, r.customer_id, payload, salt=r.salt, ref=r.ref)
        forged.append(s)
        prev = s.hash
    engine = storage.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for s in forged:
            conn.execute(
                text(
                    "UPDATE record_log SET payload = :p, digest = :d, prev_hash = :ph, hash = :h"
                    " WHERE seq = :s"
                ),
                {"p": s.payload, "d": s.digest, "ph": s.prev_hash, "h": s.hash, "s": s.seq},
            )
    report = rec.verify()
    assert not report.ok
    assert any("do not match its root" in p for p in report.problems), report.problems
