"""The recorder's background flush (hoga.engine.records): sealing on the event loop in slices,
the write in a worker thread, and what happens around it (another writer, failures, close);
and API calls, which the flush writes as one ``api.call`` record per customer and span (1 s by
default) or per ``calls_per_record`` calls."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.domain.records import canonical
from hoga.engine import records as records_module
from hoga.engine.records import Recorder
from hoga.engine.records_buffer import call_parts
from hoga.ports.storage import CustomerRecord, Storage

T0 = int(datetime(2024, 3, 1, 1, 0, tzinfo=UTC).timestamp()) * 1_000_000  # 10:00 KST
SLICE = records_module._SLICE


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = open_storage(f"sqlite:///{tmp_path / 'bg.db'}")
    with store.unit_of_work() as uow:
        for cid in ("c1", "c2"):
            uow.customers.add(CustomerRecord(cid, cid, "mock", "active", 1))
    yield store
    store.close()


def recorder(storage: Storage, clock: ManualClock) -> Recorder:
    rec = Recorder(storage, clock, flush_interval_us=5_000, calls_per_record=1)
    rec.flush()  # the day's checkpoint look-up is done: later flushes take the sliced path
    return rec


def stored(storage: Storage) -> list[Any]:
    with storage.unit_of_work() as uow:
        return uow.record_log.read()


async def until(check: Any, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


async def background(rec: Recorder, storage: Storage, n: int, expect: int, what: str) -> None:
    """``n`` calls buffered, the background flush started, ``expect`` records stored, closed."""
    calls(rec, n)
    rec.start()
    await until(lambda: len(stored(storage)) == expect, what)
    await rec.aclose()


def calls(rec: Recorder, n: int, customer: str = "c1") -> None:
    for i in range(n):
        rec.api_call(customer, "k1", "ka10001", f"203.0.113.{i % 250}", 200, 0)


def test_the_background_flush_seals_in_slices_on_the_loop_between_other_work(
    storage: Storage,
) -> None:
    clock = ManualClock(T0)
    rec = recorder(storage, clock)
    n = 2 * SLICE + 5
    seal_batch = rec._seal
    sealed_on: list[tuple[int, int, int]] = []  # (thread, records, loop turns so far)
    turns = [0]

    def spy(*args: Any) -> Any:
        out = seal_batch(*args)
        sealed_on.append((threading.get_ident(), len(out), turns[0]))
        return out

    rec._seal = spy  # type: ignore[method-assign]

    async def scenario() -> None:
        async def ticker() -> None:
            while True:
                turns[0] += 1
                await asyncio.sleep(0)

        tick = asyncio.create_task(ticker())
        calls(rec, n)
        rec.start()
        await until(lambda: len(stored(storage)) == n, "the records")
        await rec.aclose()
        tick.cancel()

    asyncio.run(scenario())
    loop_thread = threading.get_ident()  # asyncio.run runs the loop on this thread
    sealed_on = sealed_on[:3]  # (then aclose's final flush, in a worker thread, finds nothing)
    assert [size for _, size, _ in sealed_on] == [SLICE, SLICE, 5]
    assert {thread for thread, _, _ in sealed_on} == {loop_thread}
    seen = [t for _, _, t in sealed_on]
    assert seen[0] < seen[1] < seen[2]  # the loop ran other tasks between the slices
    rows = stored(storage)
    assert [r.seq for r in rows] == list(range(1, n + 1))
    assert [r.payload for r in rows][:2] != [rows[0].payload] * 2  # the calls, in order
    assert rec.verify().ok


def test_a_record_appended_by_another_writer_while_sealing_is_chained_first(
    storage: Storage,
) -> None:
    clock = ManualClock(T0)
    mine, theirs = recorder(storage, clock), recorder(storage, clock)
    seal_batch = mine._seal
    meddled = [False]

    def meddle(*args: Any) -> Any:
        if not meddled[0]:  # after mine read the head, before it appends
            meddled[0] = True
            theirs.api_call("c2", "k2", "ka10002", "203.0.113.8", 200, 0)
            threading.Thread(target=theirs.flush).start()
            deadline = time.monotonic() + 10
            while not stored(storage):
                assert time.monotonic() < deadline
                time.sleep(0.005)
        return seal_batch(*args)

    mine._seal = meddle  # type: ignore[method-assign]

    asyncio.run(background(mine, storage, 3, 4, "both writers' records"))
    rows = stored(storage)
    assert [r.customer_id for r in rows] == ["c2", "c1", "c1", "c1"]
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert mine.verify().ok


def test_a_failed_write_keeps_the_batch_for_the_next_flush_and_writes_it_once(
    storage: Storage,
) -> None:
    clock = ManualClock(T0)
    rec = recorder(storage, clock)
    append = rec._append
    failures = [0]

    def flaky(*args: Any) -> int:
        if failures[0] == 0:
            failures[0] += 1
            raise OSError("disk unplugged")
        return append(*args)

    rec._append = flaky  # type: ignore[method-assign]

    asyncio.run(background(rec, storage, 4, 4, "the records after the retry"))
    assert failures[0] == 1
    assert [r.seq for r in stored(storage)] == [1, 2, 3, 4]
    assert rec.pending == 0 and rec.verify().ok


def test_a_blocking_flush_on_the_loop_during_a_background_flush_is_refused(
    storage: Storage,
) -> None:
    clock = ManualClock(T0)
    rec = recorder(storage, clock)
    seal_batch = rec._seal
    sealing = asyncio.Event()

    def spy(*args: Any) -> Any:
        sealing.set()
        return seal_batch(*args)

    rec._seal = spy  # type: ignore[method-assign]
    refused: list[str] = []

    async def scenario() -> None:
        calls(rec, 2 * SLICE)  # two slices: the loop turns between them
        rec.start()
        await sealing.wait()
        with pytest.raises(RuntimeError) as err:
            rec.flush()  # would wait for a lock only this loop can release
        refused.append(str(err.value))
        await until(lambda: len(stored(storage)) == 2 * SLICE, "the records")
        await rec.aclose()

    asyncio.run(scenario())
    assert "event loop" in refused[0]
    assert len(stored(storage)) == 2 * SLICE and rec.verify().ok


def test_close_during_a_flush_in_flight_writes_everything_exactly_once(
    storage: Storage,
) -> None:
    clock = ManualClock(T0)
    rec = recorder(storage, clock)
    append = rec._append
    entered, release = threading.Event(), threading.Event()

    def slow(*args: Any) -> int:
        entered.set()
        assert release.wait(10)
        return append(*args)

    rec._append = slow  # type: ignore[method-assign]

    async def scenario() -> None:
        calls(rec, 3)
        rec.start()
        await until(entered.is_set, "the write to start")
        calls(rec, 2, customer="c2")  # buffered while the first batch is being written
        closing = asyncio.create_task(rec.aclose())
        await asyncio.sleep(0.02)
        assert not closing.done()  # close waits for the write in flight
        release.set()
        await closing

    asyncio.run(scenario())
    rows = stored(storage)
    assert [r.customer_id for r in rows] == ["c1", "c1", "c1", "c2", "c2"]
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rec.verify().ok


# --- API calls gathered per customer -------------------------------------------------------


MS = 1_000


def calls_of(record: Any) -> list[dict[str, Any]]:
    payload = json.loads(record.payload)
    assert record.payload == canonical(payload)  # the stored text is the canonical one
    assert set(payload) == {"calls"}
    calls: list[dict[str, Any]] = payload["calls"]
    return calls


def test_a_customers_calls_in_one_span_are_one_record_in_arrival_order(
    storage: Storage,
) -> None:
    clock = ManualClock(T0)
    rec = Recorder(storage, clock)
    rec.api_call("c1", "k1", "ka10001", "203.0.113.7", 200, 0)
    clock.advance(10 * MS)
    rec.api_call("c2", "k2", "ka10002", "203.0.113.8", 200, 0)
    clock.advance(10 * MS)
    rec.api_call("c1", "k1", "kt10000", "203.0.113.7", 429, 1700)
    rec.api_call("", "", "ka10001", "198.51.100.1", 401, 8005)  # no customer: batched apart
    assert rec.pending == 3  # open batches count as not written
    assert rec.flush() == 3 and rec.pending == 0
    rows = stored(storage)
    assert [(r.kind, r.customer_id, r.at) for r in rows] == [
        ("api.call", "c1", T0),  # dated by its first call
        ("api.call", "c2", T0 + 10 * MS),
        ("api.call", "", T0 + 20 * MS),
    ]
    assert calls_of(rows[0]) == [
        {
            "api_id": "ka10001",
            "appkey": "k1",
            "at": T0,
            "ip": "203.0.113.7",
            "rc": 0,
            "status": 200,
        },
        {
            "api_id": "kt10000",
            "appkey": "k1",
            "at": T0 + 20 * MS,
            "ip": "203.0.113.7",
            "rc": 1700,
            "status": 429,
        },
    ]
    assert [c["api_id"] for c in calls_of(rows[1])] == ["ka10002"]
    assert calls_of(rows[2])[0]["rc"] == 8005
    assert rec.verify().ok
    mine = rec.export("c1", None, None)
    assert [len(r["payload"]["calls"]) for r in mine] == [2]
    assert "k2" not in json.dumps(mine)


def test_a_full_batch_becomes_a_record_at_once_and_the_rest_follows(storage: Storage) -> None:
    clock = ManualClock(T0)
    rec = Recorder(storage, clock, calls_per_record=4)
    for i in range(10):
        rec.api_call("c1", "k1", "ka10001", "ip", 200, 0, at=T0 + i)
    assert rec.pending == 3  # two full records buffered, one batch of two open
    assert rec.flush() == 3
    got = [[c["at"] - T0 for c in calls_of(r)] for r in stored(storage)]
    assert got == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_the_background_flush_keeps_a_young_batch_open_and_writes_it_once_due(
    storage: Storage,
) -> None:
    clock = ManualClock(T0)
    rec = Recorder(storage, clock, flush_interval_us=5_000, call_span_us=1_000_000)
    rec.flush()  # the day's checkpoint look-up is done

    async def main() -> tuple[int, list[Any]]:
        rec.start()
        rec.api_call("c1", "k1", "ka10001", "ip", 200, 0)
        clock.advance(400 * MS)
        rec.api_call("c1", "k1", "ka10002", "ip", 200, 0)
        await asyncio.sleep(0.1)  # ~20 background flushes: the batch is younger than its span
        young = len(stored(storage))
        clock.advance(600 * MS)  # the first call is 1 s old now
        rec.api_call("c2", "k2", "ka10003", "ip", 200, 0)  # c2's batch is new: stays open
        deadline = time.monotonic() + 10
        while not stored(storage):
            assert time.monotonic() < deadline, "the due batch was not written"
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.05)
        written = stored(storage)
        await rec.aclose()  # writes what is still open
        return young, written

    young, written = asyncio.run(main())
    assert young == 0
    assert [(r.customer_id, [c["api_id"] for c in calls_of(r)]) for r in written] == [
        ("c1", ["ka10001", "ka10002"])
    ]
    assert [r.customer_id for r in stored(storage)] == ["c1", "c2"]
    assert rec.pending == 0 and rec.verify().ok


def test_a_call_after_its_batch_was_written_opens_a_new_one(storage: Storage) -> None:
    clock = ManualClock(T0)
    rec = Recorder(storage, clock)
    rec.api_call("c1", "k1", "ka10001", "ip", 200, 0)
    assert rec.flush() == 1
    rec.api_call("c1", "k1", "ka10002", "ip", 200, 0)
    assert rec.flush() == 1
    assert [[c["api_id"] for c in calls_of(r)] for r in stored(storage)] == [
        ["ka10001"],
        ["ka10002"],
    ]


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@given(
    appkey=_text,
    api_id=_text,
    ip=_text,
    status=st.integers(0, 999),
    rc=st.integers(-(2**40), 2**40),
    at=st.integers(0, 2**62),
)
def test_call_parts_around_the_time_make_the_canonical_call(
    appkey: str, api_id: str, ip: str, status: int, rc: int, at: int
) -> None:
    head, tail = call_parts(appkey, api_id, ip, status, rc)
    whole = {"api_id": api_id, "appkey": appkey, "at": at, "ip": ip, "rc": rc, "status": status}
    assert head + str(at) + tail == canonical(whole)
