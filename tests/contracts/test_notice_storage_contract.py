"""The storage contract for the notice outbox and the operations records (every backend)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hoga.errors import NotFoundError, StorageError
from hoga.ports.storage import ContactRecord, CustomerRecord, Storage

T0 = 1_800_000_000_000_000


def _customers(storage: Storage, *ids: str) -> None:
    with storage.unit_of_work() as uow:
        for cid in ids:
            uow.customers.add(CustomerRecord(cid, cid, "mock", "active", 1))


def test_notices_round_trip_and_filter(storage: Storage) -> None:
    _customers(storage, "c1", "c2")
    with storage.unit_of_work() as uow:
        a = uow.notices.add(
            T0,
            "c1",
            "maintenance_scheduled",
            "점검",
            "본문",
            "maintenance:1",
            [("z", "2"), ("a", "1")],
        )
        b = uow.notices.add(T0 + 1, "c2", "service_change", "변경", "본문2")
        c = uow.notices.add(T0 + 2, "c1", "service_change", "변경", "본문3", "service_change:1")
    assert (a.id, b.id, c.id) == (1, 2, 3)
    assert a.params == (("a", "1"), ("z", "2"))  # sorted, as stored
    with storage.unit_of_work() as uow:
        assert uow.notices.get(1) == a
        assert uow.notices.get(99) is None
        assert uow.notices.find() == [a, b, c]
        assert uow.notices.find(customer_id="c1") == [a, c]
        assert uow.notices.find(ref="maintenance:1") == [a]
        assert uow.notices.find(after=1, limit=1) == [b]


def test_a_notice_needs_a_customer(storage: Storage) -> None:
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.notices.add(T0, "nobody", "k", "s", "b")


def test_deliveries_attempts_and_due_order(storage: Storage) -> None:
    _customers(storage, "c1")
    with storage.unit_of_work() as uow:
        n = uow.notices.add(T0, "c1", "k", "s", "b")
        d1 = uow.notices.add_delivery(n.id, "email", "a@example.com", T0 + 10)
        d2 = uow.notices.add_delivery(n.id, "sms", "01012345678", T0 + 5)
    assert (d1.status, d1.attempts, d1.next_at) == ("pending", 0, T0 + 10)
    with storage.unit_of_work() as uow:
        assert uow.notices.due(T0 + 4) == []
        assert [d.id for d in uow.notices.due(T0 + 10)] == [d2.id, d1.id]
        assert [d.id for d in uow.notices.due(T0 + 10, limit=1)] == [d2.id]
        assert uow.notices.next_due() == T0 + 5
        failed = uow.notices.record_attempt(
            d2.id, T0 + 6, False, "503", status="pending", next_at=T0 + 36
        )
        assert (failed.attempts, failed.next_at, failed.detail) == (1, T0 + 36, "503")
        done = uow.notices.record_attempt(
            d1.id, T0 + 11, True, "msg-1", status="delivered", next_at=T0 + 11
        )
        assert (done.status, done.attempts, done.updated_at) == ("delivered", 1, T0 + 11)
        assert uow.notices.next_due() == T0 + 36
        given_up = uow.notices.record_attempt(
            d2.id, T0 + 40, False, "down", status="failed", next_at=T0 + 40
        )
        assert given_up.attempts == 2
        assert uow.notices.next_due() is None
        assert uow.notices.deliveries(notice_id=n.id) == [done, given_up]
        assert uow.notices.deliveries(status="failed") == [given_up]
        attempts = uow.notices.attempts()
        assert [(x.delivery_id, x.ok, x.detail) for x in attempts] == [
            (d2.id, False, "503"),
            (d1.id, True, "msg-1"),
            (d2.id, False, "down"),
        ]
        assert [x.id for x in uow.notices.attempts(d2.id)] == [1, 3]
        again = uow.notices.reschedule(d2.id, T0 + 50, T0 + 45)
        assert (again.status, again.attempts, again.next_at) == ("pending", 2, T0 + 50)
        assert uow.notices.delivery(999) is None
        with pytest.raises(NotFoundError):
            uow.notices.reschedule(999, T0, T0)
        with pytest.raises(NotFoundError):
            uow.notices.record_attempt(999, T0, True, "", status="delivered", next_at=T0)


def test_contacts_upsert(storage: Storage) -> None:
    _customers(storage, "c1")
    rec = ContactRecord("c1", "a@example.com", "01012345678", ("alimtalk", "email"), T0)
    with storage.unit_of_work() as uow:
        assert uow.notices.contact("c1") is None
        uow.notices.put_contact(rec)
    with storage.unit_of_work() as uow:
        assert uow.notices.contact("c1") == rec
        uow.notices.put_contact(replace(rec, channels=(), updated_at=T0 + 1))
    with storage.unit_of_work() as uow:
        assert uow.notices.contact("c1") == replace(rec, channels=(), updated_at=T0 + 1)
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.notices.put_contact(replace(rec, customer_id="nobody"))


def test_windows_round_trip_update_and_filter(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        w1 = uow.operations.add_window(
            "scheduled", ["orders", "path:/api/dostk/acnt"], T0 + 100, T0 + 200, "정기", T0, "op"
        )
        w2 = uow.operations.add_window("emergency", ["all"], T0 + 50, T0 + 60, "장애", T0, "op")
    assert (w1.id, w2.id) == (1, 2)
    assert w1.scope == ("orders", "path:/api/dostk/acnt") and w1.cancelled_at is None
    with storage.unit_of_work() as uow:
        assert uow.operations.window(1) == w1
        assert uow.operations.window(9) is None
        assert uow.operations.windows() == [w2, w1]
        assert uow.operations.windows(ending_after=T0 + 60) == [w1]
        changed = replace(w1, ends_at=T0 + 150, announced_at=T0 + 1, reason="ignored", kind="x")
        stored = uow.operations.update_window(changed)
        assert stored == replace(w1, ends_at=T0 + 150, announced_at=T0 + 1)
        with pytest.raises(NotFoundError):
            uow.operations.update_window(replace(w1, id=77))
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.operations.add_window("scheduled", ["all"], T0, T0, "empty", T0, "op")


def test_service_changes(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        a = uow.operations.add_change("api_retired", "폐지", "설명", ["ka10099"], T0 + 9, T0)
        b = uow.operations.add_change("limit_changed", "한도", "", [], T0 + 5, T0)
    with storage.unit_of_work() as uow:
        assert uow.operations.change(a.id) == a and a.api_ids == ("ka10099",)
        assert uow.operations.change(99) is None
        assert uow.operations.changes() == [b, a]
        assert uow.operations.changes(effective_after=T0 + 5) == [a]
        marked = uow.operations.mark_change_notified(a.id, T0 + 1)
        assert marked.notified_at == T0 + 1
        assert uow.operations.mark_change_notified(a.id, T0 + 2).notified_at == T0 + 1
        with pytest.raises(NotFoundError):
            uow.operations.mark_change_notified(99, T0)
