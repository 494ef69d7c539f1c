"""The storage contract for compliance: terms and consents, cases, applications, opt-ins, log."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hoga.domain.disputes import Case, Kind, Milestone, State, advance, answer, file_case
from hoga.domain.terms import Action, Consent, TermsVersion
from hoga.errors import NotFoundError, StorageError
from hoga.ports.storage import ApplicationRecord, CustomerRecord, Storage

T0 = 1_800_000_000_000_000
DAY = 86_400_000_000


def _customers(storage: Storage, *ids: str) -> None:
    with storage.unit_of_work() as uow:
        for cid in ids:
            uow.customers.add(CustomerRecord(cid, cid, "mock", "active", 1))


def _terms(storage: Storage, label: str, effective: int, **kw: bool) -> TermsVersion:
    with storage.unit_of_work() as uow:
        v = TermsVersion(
            uow.compliance.allocate_terms_id(), label, "제목", "본문", T0, effective, **kw
        )
        uow.compliance.add_terms(v)
    return v


def _case(storage: Storage, customer: str, at: int = T0) -> Case:
    with storage.unit_of_work() as uow:
        c = file_case(uow.compliance.allocate_case_id(), customer, Kind.DISPUTE, "제목", "내용", at)
        assert isinstance(c, Case)
        uow.compliance.add_case(c)
    return c


def _application(app_id: int, token: str, ip: str = "10.0.0.1", at: int = T0) -> ApplicationRecord:
    return ApplicationRecord(
        app_id, token, ip, "김하나", "19900101", "5678", "1234567811", "mock", True, 1,
        "refused", "borrowed_name", "타인 명의", at,
    )  # fmt: skip


def test_terms_round_trip_in_effective_order(storage: Storage) -> None:
    b = _terms(storage, "ko-v2", T0 + 31 * DAY, urgent=True)
    a = _terms(storage, "ko-v1", T0, sample=True)
    assert (a.id, b.id) == (2, 1)
    with storage.unit_of_work() as uow:
        assert uow.compliance.terms_versions() == [a, b]
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.compliance.add_terms(replace(a, id=9))  # duplicate label


def test_consents_keep_their_order_and_need_customer_and_version(storage: Storage) -> None:
    _customers(storage, "c1", "c2")
    v = _terms(storage, "ko-v1", T0)
    rows = [
        Consent("c1", v.id, Action.OBJECTION, T0 + 2),
        Consent("c2", v.id, Action.DEEMED, T0 + 1),
        Consent("c1", v.id, Action.CONSENT, T0 + 1),
        Consent("c1", v.id, Action.TERMINATION, T0 + 3),
    ]
    with storage.unit_of_work() as uow:
        for r in rows:
            uow.compliance.add_consent(r)
    with storage.unit_of_work() as uow:
        assert uow.compliance.consents() == rows
        assert uow.compliance.consents(customer_id="c1") == [rows[0], rows[2], rows[3]]
        assert uow.compliance.consents(customer_id="c1", version_id=v.id + 1) == []
        assert uow.compliance.consents(version_id=v.id) == rows
    for bad in (Consent("nobody", v.id, Action.CONSENT, T0), Consent("c1", 99, Action.CONSENT, T0)):
        with pytest.raises(StorageError), storage.unit_of_work() as uow:
            uow.compliance.add_consent(bad)


def test_cases_round_trip_update_and_filter(storage: Storage) -> None:
    _customers(storage, "c1", "c2")
    a = _case(storage, "c1")
    b = _case(storage, "c2", T0 + 5)
    assert (a.id, b.id) == (1, 2)
    moved, got = advance(a, T0 + 14 * DAY)
    assert got == (Milestone.REMINDER, Milestone.ESCALATED)
    with storage.unit_of_work() as uow:
        assert uow.compliance.get_case(1) == a
        assert uow.compliance.get_case(3) is None
        stored = uow.compliance.update_case(replace(moved, subject="changed", customer_id="c2"))
        assert stored == moved  # identity, text and schedule are kept
    done = answer(b, "답변", T0 + DAY)
    assert isinstance(done, Case)
    with storage.unit_of_work() as uow:
        uow.compliance.update_case(done)
        assert uow.compliance.cases() == [moved, done]
        assert uow.compliance.cases(open_only=True) == [moved]
        assert uow.compliance.cases(customer_id="c2") == [done]
        assert uow.compliance.cases(customer_id="c2", open_only=True) == []
        assert done.state is State.ANSWERED
    with pytest.raises(NotFoundError), storage.unit_of_work() as uow:
        uow.compliance.update_case(replace(a, id=77))
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.compliance.add_case(replace(a, id=8, customer_id="nobody"))


def test_applications_round_trip_update_and_count(storage: Storage) -> None:
    _customers(storage, "c1")
    _terms(storage, "ko-v1", T0)
    with storage.unit_of_work() as uow:
        ids = [uow.compliance.allocate_application_id() for _ in range(3)]
        assert ids == [1, 2, 3]
        uow.compliance.add_application(_application(1, "h1"))
        uow.compliance.add_application(_application(2, "h2", at=T0 + DAY))
        uow.compliance.add_application(_application(3, "h3", ip="10.0.0.2"))
    with storage.unit_of_work() as uow:
        one = uow.compliance.get_application(1)
        assert one == _application(1, "h1") and one.ai_assistant is True
        assert uow.compliance.application_by_token("h2") == _application(2, "h2", at=T0 + DAY)
        assert uow.compliance.application_by_token("nope") is None
        assert uow.compliance.get_application(9) is None
        assert uow.compliance.applications_since("10.0.0.1", T0) == 2
        assert uow.compliance.applications_since("10.0.0.1", T0 + 1) == 1
        assert uow.compliance.applications_since("10.9.9.9", 0) == 0
        new = replace(
            _application(1, "h1"), status="issued", customer_id="c1", decided_at=T0 + 9,
            appeal="본인 계좌", appealed_at=T0 + 8, note="확인", name="changed",
        )  # fmt: skip
        stored = uow.compliance.update_application(new)
        assert stored == replace(new, name="김하나")
        assert [a.id for a in uow.compliance.applications(status="refused")] == [2, 3]
        assert [a.id for a in uow.compliance.applications()] == [1, 2, 3]
    with pytest.raises(NotFoundError), storage.unit_of_work() as uow:
        uow.compliance.update_application(_application(42, "h42"))
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.compliance.add_application(_application(4, "h1"))  # token hash is unique


def test_assistant_opt_in_upserts(storage: Storage) -> None:
    _customers(storage, "c1")
    with storage.unit_of_work() as uow:
        assert uow.compliance.assistant("c1") is None
        uow.compliance.set_assistant("c1", True, T0)
        assert uow.compliance.assistant("c1") is True
        uow.compliance.set_assistant("c1", False, T0 + 1)
    with storage.unit_of_work() as uow:
        assert uow.compliance.assistant("c1") is False
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.compliance.set_assistant("nobody", True, T0)


def test_log_appends_and_filters(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        a = uow.compliance.append_log(T0, "case", "1", "c1", "filed", "제목")
        b = uow.compliance.append_log(T0 + 1, "case", "1", "c1", "notice:filed", "접수", "memory")
        c = uow.compliance.append_log(T0 + 2, "application", "4", None, "refused", "타인 명의")
    assert (a.id, b.id, c.id, a.channel, b.channel) == (1, 2, 3, "", "memory")
    with storage.unit_of_work() as uow:
        assert uow.compliance.log() == [a, b, c]
        assert uow.compliance.log(topic="case") == [a, b]
        assert uow.compliance.log(topic="case", ref="2") == []
        assert uow.compliance.log(customer_id="c1", ref="1") == [a, b]
        assert uow.compliance.log(topic="application", ref="4") == [c]


def test_a_failed_unit_rolls_back_ids(storage: Storage) -> None:
    _customers(storage, "c1")
    with pytest.raises(StorageError), storage.unit_of_work() as uow:
        uow.compliance.append_log(T0, "case", "1", "c1", "filed", "x")
        uow.compliance.add_case(replace(_case_stub(), customer_id="nobody"))
    with storage.unit_of_work() as uow:
        assert uow.compliance.append_log(T0, "case", "1", "c1", "filed", "x").id == 1


def _case_stub() -> Case:
    c = file_case(1, "c1", Kind.OBJECTION, "s", "b", T0)
    assert isinstance(c, Case)
    return c
