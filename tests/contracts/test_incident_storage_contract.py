"""The storage contract for incidents and their notices (every backend, see conftest.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hoga.domain.suspension import (
    Cause,
    Evidence,
    Incident,
    Phase,
    Review,
    Sanction,
    open_incident,
)
from hoga.errors import NotFoundError, StorageError
from hoga.ports.storage import CustomerRecord, Storage

T0 = 1_800_000_000_000_000
EV = Evidence("identical_queries", T0 - 60_000_000, T0, (("calls", 240), ("distinct", 1)), ("a1",))


def _customers(storage: Storage, *ids: str) -> None:
    with storage.unit_of_work() as uow:
        for cid in ids:
            uow.customers.add(CustomerRecord(cid, cid, "mock", "active", 1))


def _new(storage: Storage, customer: str, at: int = T0, **kw: object) -> Incident:
    with storage.unit_of_work() as uow:
        inc = open_incident(
            uow.incidents.allocate_id(),
            customer,
            Cause.ABNORMAL_LOAD,
            at,
            **kw,  # type: ignore[arg-type]
        )
        uow.incidents.add(inc)
    return inc


def test_incidents_round_trip_with_evidence(storage: Storage) -> None:
    _customers(storage, "c1", "c2")
    a = _new(storage, "c1", evidence=EV, reason="1700 연속")
    b = _new(storage, "c2", at=T0 + 5)
    c = _new(storage, "c1", at=T0 + 9)
    assert (a.id, b.id, c.id) == (1, 2, 3)
    with storage.unit_of_work() as uow:
        assert uow.incidents.get(1) == a
        assert uow.incidents.get(1).evidence == EV  # type: ignore[union-attr]
        assert uow.incidents.get(2) == b and b.evidence is None
        assert uow.incidents.get(99) is None
        assert uow.incidents.by_customer("c1") == [a, c]
        assert uow.incidents.by_customer("nobody") == []
        assert uow.incidents.list() == [a, b, c]


def test_update_keeps_identity_and_filters_open(storage: Storage) -> None:
    _customers(storage, "c1", "c2")
    a = _new(storage, "c1", evidence=EV)
    b = _new(storage, "c1")
    done = replace(
        a,
        customer_id="c2",  # ignored: who and why stay as first stored
        review=Review.ACCEPTED,
        phase=Phase.DISMISSED,
        explanation="설명",
        explained_at=T0 + 1,
        decided_at=T0 + 2,
        ended_at=T0 + 2,
        deadline=T0 + 99,
        sanction=Sanction.TERMINATE,
        ends_at=None,
        evidence=None,
    )
    with storage.unit_of_work() as uow:
        stored = uow.incidents.update(done)
    assert stored == replace(done, customer_id="c1")
    lapsed_lifted = replace(b, review=Review.LAPSED, phase=Phase.LIFTED, ended_at=T0 + 3)
    with storage.unit_of_work() as uow:
        uow.incidents.update(lapsed_lifted)
        assert uow.incidents.list(open_only=True) == []
        uow.incidents.update(replace(lapsed_lifted, review=Review.SUBMITTED))
        assert [i.id for i in uow.incidents.list(open_only=True)] == [b.id]
        uow.incidents.update(replace(lapsed_lifted, phase=Phase.IN_FORCE))
        assert [i.id for i in uow.incidents.list(open_only=True)] == [b.id]
    with pytest.raises(NotFoundError), storage.unit_of_work() as uow:
        uow.incidents.update(replace(a, id=77))


def test_incident_constraints(storage: Storage) -> None:
    _customers(storage, "c1")
    a = _new(storage, "c1")
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.incidents.add(a)  # duplicate id
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.incidents.add(replace(a, id=5, customer_id="ghost"))
    with storage.unit_of_work() as uow:
        assert uow.incidents.list() == [a]


def test_notices_append_in_order(storage: Storage) -> None:
    _customers(storage, "c1", "c2")
    a = _new(storage, "c1")
    with storage.unit_of_work() as uow:
        n1 = uow.incidents.add_notice(T0, "c1", a.id, "suspended", "이용 중지", "본문", "memory")
        n2 = uow.incidents.add_notice(T0 + 1, "c2", None, "other", "제목", "", "memory")
        n3 = uow.incidents.add_notice(T0 + 2, "c1", None, "lifted", "해제", "b", "email")
    assert (n1.id, n2.id, n3.id) == (1, 2, 3)
    assert n1.incident_id == a.id and n2.incident_id is None
    with storage.unit_of_work() as uow:
        assert uow.incidents.notices() == [n1, n2, n3]
        assert uow.incidents.notices(customer_id="c1") == [n1, n3]
        assert uow.incidents.notices(incident_id=a.id) == [n1]
        assert uow.incidents.notices(customer_id="c2", incident_id=a.id) == []
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.incidents.add_notice(T0, "c1", 404, "x", "x", "x", "memory")


def test_ids_roll_back_with_their_unit_of_work(storage: Storage) -> None:
    _customers(storage, "c1")
    with pytest.raises(RuntimeError), storage.unit_of_work() as uow:
        uow.incidents.allocate_id()
        raise RuntimeError
    assert _new(storage, "c1").id == 1
