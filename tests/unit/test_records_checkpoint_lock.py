"""The daily checkpoint is computed outside the write transaction (hoga.engine.records and
records_checkpoint): the record hashes are read in a read-only unit of work, so other writers go
on while a day's records are hashed; a short write unit adds the checkpoint if nothing changed
meanwhile, and computes it itself otherwise."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hoga.adapters.sql.records_log import SqlRecordLog
from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.domain.records import Anchor, merkle_root, seal
from hoga.engine import records_checkpoint
from hoga.engine.records import Recorder, Signer
from hoga.engine.records_checkpoint import checkpoint_body
from hoga.ports.storage import Storage

T0 = int(datetime(2024, 3, 1, 1, 0, tzinfo=UTC).timestamp()) * 1_000_000  # 10:00 KST
DAY = 86_400_000_000
WAIT = 10.0  # seconds: a deadline, never a sleep


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = open_storage(f"sqlite:///{tmp_path / 'r.db'}")  # a file: units run concurrently
    yield store
    store.close()


@pytest.fixture
def signer(tmp_path: Path) -> Signer:
    return Signer.generate(tmp_path / "records.pem")


class Gate:
    """Holds ``RecordLog.hashes`` calls made on the thread named ``name`` until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
        self.reading = threading.Event()
        self.release = threading.Event()
        self.calls: list[tuple[str, int]] = []  # (thread, after) of every page read
        original = SqlRecordLog.hashes

        def hashes(log: SqlRecordLog, after: int, through: int, limit: int) -> Any:
            self.calls.append((threading.current_thread().name, after))
            if threading.current_thread().name == name:
                self.reading.set()
                if not self.release.wait(WAIT):
                    raise TimeoutError("the gate was never opened")
            return original(log, after, through, limit)

        monkeypatch.setattr(SqlRecordLog, "hashes", hashes)


class Worker:
    """``fn`` on a named thread; :meth:`result` joins it with a deadline."""

    def __init__(self, name: str, fn: Callable[[], Any]) -> None:
        self.value: Any = None
        self.error: BaseException | None = None

        def run() -> None:
            try:
                self.value = fn()
            except BaseException as exc:  # handed to the test by result()
                self.error = exc

        self.thread = threading.Thread(target=run, name=name, daemon=True)
        self.thread.start()

    def done(self, timeout: float) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def result(self) -> Any:
        assert self.done(WAIT), f"{self.thread.name} did not finish"
        if self.error is not None:
            raise self.error
        return self.value


def _fill(rec: Recorder, n: int) -> None:
    for i in range(n):
        rec.record("order.event", {"i": i}, customer_id=f"c{i % 3}")
    assert rec.flush() == n


def _held_day(
    rec: Recorder, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, n: int, name: str
) -> tuple[Gate, Worker]:
    """``n`` records on the first day, one on the next, then the flush that closes the first
    day started on thread ``name`` and held as it reads the hashes."""
    _fill(rec, n)
    clock.advance(DAY)
    rec.record("order.event", {"next": "day"})
    gate = Gate(monkeypatch, name)
    return gate, Worker(name, rec.flush)


def _hashes(storage: Storage, first: int, last: int) -> list[str]:
    with storage.unit_of_work() as uow:
        return [r.hash for r in uow.record_log.read(first - 1, through=last)]


def _checkpoints(rec: Recorder) -> list[dict[str, Any]]:
    return [json.loads(p["body"]) for p in rec.proofs("checkpoint")]


def test_a_day_with_many_records_is_checkpointed_over_every_hash(
    storage: Storage, signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records_checkpoint, "_PAGE", 700)  # several pages of hashes
    clock = ManualClock(T0)
    rec = Recorder(storage, clock, signer=signer)
    _fill(rec, 2_500)
    clock.advance(DAY)
    rec.record("order.event", {"next": "day"})
    assert rec.flush() == 1
    (body,) = _checkpoints(rec)
    assert (body["label"], body["first_seq"], body["last_seq"], body["count"]) == (
        "2024-03-01",
        1,
        2_500,
        2_500,
    )
    hashes = _hashes(storage, 1, 2_500)
    assert body["merkle_root"] == merkle_root(hashes) and body["head_hash"] == hashes[-1]
    assert rec.verify(signer.public_hex).ok


def test_other_writers_commit_while_the_checkpoint_hashes_are_read(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(T0)
    rec = Recorder(storage, clock)
    gate, flush = _held_day(rec, clock, monkeypatch, 300, "checkpoint")
    try:
        assert gate.reading.wait(WAIT)

        def write() -> None:  # another process's write: a setting and a record on the head
            with storage.unit_of_work() as uow:
                uow.settings.put("other.writer", 1)
                uow.record_log.lock()
                head = uow.record_log.last()
                assert head is not None
                other = seal(head.hash, head.seq + 1, clock.now(), "other", "", "{}", salt="ab")
                uow.record_log.append([other])

        other = Worker("other", write)
        assert other.done(WAIT), "the write waited for the checkpoint"
        other.result()
        assert not flush.done(0)  # the checkpoint was still being computed
    finally:
        gate.release.set()
    assert flush.result() == 1
    (body,) = _checkpoints(rec)  # over the head it read; the other record is the next day's
    assert (body["first_seq"], body["last_seq"], body["count"]) == (1, 300, 300)
    assert body["merkle_root"] == merkle_root(_hashes(storage, 1, 300))
    with storage.unit_of_work() as uow:
        assert [r.kind for r in uow.record_log.read(300)] == ["other", "order.event"]
        assert uow.settings.get("other.writer") == 1
    assert rec.verify().ok


def test_a_checkpoint_added_meanwhile_by_another_recorder_is_not_duplicated(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(T0)
    mine, theirs = Recorder(storage, clock), Recorder(storage, clock)
    _fill(mine, 200)
    clock.advance(DAY)
    mine.record("order.event", {"mine": 1})
    theirs.record("order.event", {"theirs": 1})
    gate = Gate(monkeypatch, "mine")
    flush = Worker("mine", mine.flush)
    try:
        assert gate.reading.wait(WAIT)
        assert Worker("theirs", theirs.flush).result() == 1  # closes 2024-03-01 itself
    finally:
        gate.release.set()
    assert flush.result() == 1
    bodies = _checkpoints(mine)
    assert [(b["label"], b["first_seq"], b["last_seq"]) for b in bodies] == [("2024-03-01", 1, 200)]
    # the draft's pages (200 hashes, then none); nothing recomputed in the write unit
    assert [a for t, a in gate.calls if t == "mine"] == [0, 200]
    assert mine.verify().ok and mine.flush() == 0


def test_a_proof_added_meanwhile_makes_the_write_unit_compute_the_checkpoint(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(T0)
    rec = Recorder(storage, clock)
    gate, flush = _held_day(rec, clock, monkeypatch, 120, "mine")
    try:
        assert gate.reading.wait(WAIT)

        def manual() -> None:  # another process closes a manual checkpoint through seq 50
            hashes = _hashes(storage, 1, 50)
            head = Anchor(50, hashes[-1])
            body, _ = checkpoint_body(
                "manual:x", clock.now(), 0, head, 50, merkle_root(hashes), None, None
            )
            with storage.unit_of_work() as uow:
                uow.record_log.add_proof("checkpoint", "manual:x", clock.now(), 50, body, "")

        Worker("other", manual).result()
    finally:
        gate.release.set()
    assert flush.result() == 1
    bodies = _checkpoints(rec)
    assert [(b["label"], b["first_seq"], b["last_seq"]) for b in bodies] == [
        ("manual:x", 1, 50),
        ("2024-03-01", 51, 120),
    ]
    assert bodies[1]["merkle_root"] == merkle_root(_hashes(storage, 51, 120))
    manual_body = rec.proofs("checkpoint")[0]["body"]
    assert bodies[1]["prev"] == hashlib.sha256(manual_body.encode()).hexdigest()
    # the draft's pages, then the write unit's own pass from the manual checkpoint on
    assert [a for t, a in gate.calls if t == "mine"] == [0, 120, 50, 120]
    assert rec.verify().ok


def test_a_manual_checkpoint_is_drafted_outside_the_write_unit(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(T0)
    rec = Recorder(storage, clock)
    _fill(rec, 40)
    gate = Gate(monkeypatch, "manual")
    done = Worker("manual", lambda: rec.checkpoint("manual:now"))
    try:
        assert gate.reading.wait(WAIT)
        other = Worker("other", lambda: _put(storage, "other.writer", 2))
        assert other.done(WAIT), "the write waited for the checkpoint"
        other.result()
    finally:
        gate.release.set()
    proof = done.result()
    assert proof is not None and proof.label == "manual:now" and proof.last_seq == 40
    assert json.loads(proof.body)["merkle_root"] == merkle_root(_hashes(storage, 1, 40))
    assert rec.checkpoint() is None  # nothing new since
    assert rec.verify().ok


def _put(storage: Storage, key: str, value: int) -> None:
    with storage.unit_of_work() as uow:
        uow.settings.put(key, value)
