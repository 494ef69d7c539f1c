"""API calls in the record chain (hoga.engine.records): a customer's calls gathered into one
``api.call`` record per span (1 s by default) or per ``calls_per_record`` calls."""

from __future__ import annotations

import asyncio
import json
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
from hoga.engine.records import Recorder
from hoga.engine.records_buffer import call_parts
from hoga.ports.storage import CustomerRecord, Storage

T0 = int(datetime(2024, 3, 1, 1, 0, tzinfo=UTC).timestamp()) * 1_000_000  # 10:00 KST
MS = 1_000


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = open_storage(f"sqlite:///{tmp_path / 'calls.db'}")
    with store.unit_of_work() as uow:
        for cid in ("c1", "c2"):
            uow.customers.add(CustomerRecord(cid, cid, "mock", "active", 1))
    yield store
    store.close()


def stored(storage: Storage) -> list[Any]:
    with storage.unit_of_work() as uow:
        return uow.record_log.read()


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
