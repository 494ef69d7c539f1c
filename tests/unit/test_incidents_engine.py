"""The incident service (hoga.engine.incidents): consequences, notices, sweeps, other processes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hoga.adapters.notifier_memory import MemoryNotifier
from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.domain.kst import at_kst
from hoga.domain.suspension import Cause, Evidence, Incident, Refused, Sanction
from hoga.engine.identity import IdentityService, ScryptParams
from hoga.engine.incidents import IncidentPolicy, IncidentService
from hoga.policy.abnormal import AbnormalLoadDetector, AbnormalThresholds
from hoga.ports.notifier import Notice
from hoga.ports.storage import OrderRecord, Storage

T0 = at_kst(date(2026, 11, 26), 10 * 3600)
DAY = 86_400_000_000
FAST = ScryptParams(n=2, r=1, p=1)


@dataclass
class Session:
    appkey: str
    closed_with: Any = None


@dataclass
class Hub:
    by_appkey: dict[str, Session] = field(default_factory=dict)

    def close(self, session: Session, notice: Any) -> None:
        session.closed_with = notice
        del self.by_appkey[session.appkey]


@dataclass
class Broker:
    refuse: set[int] = field(default_factory=set)
    cancelled: list[tuple[str, int, str, str | None]] = field(default_factory=list)

    def cancel(self, account: str, *, orig_ord_no: int, code: str, qty: int, **kw: Any) -> Any:
        if orig_ord_no in self.refuse:
            return Refused("nothing")
        self.cancelled.append((account, orig_ord_no, kw["env"], kw["owner"]))
        return Done(orig_ord_no)


@dataclass
class Done:
    ord_no: int


class Broken:
    def send(self, notice: Notice) -> str:
        raise RuntimeError("smtp down")


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = open_storage(f"sqlite:///{tmp_path / 'inc.db'}")
    yield store
    store.close()


@dataclass
class World:
    storage: Storage
    clock: ManualClock
    wall: ManualClock
    identity: IdentityService
    svc: IncidentService
    notifier: MemoryNotifier
    services: dict[str, Any]


def world(storage: Storage, **kw: Any) -> World:
    clock, wall = ManualClock(T0), ManualClock(T0)
    identity = IdentityService(storage, clock, wall=wall, scrypt=FAST)
    notifier = MemoryNotifier()
    services: dict[str, Any] = kw.pop("services", {})
    svc = IncidentService(
        storage,
        clock,
        kw.pop("notifier", notifier),
        identity=identity,
        wall=wall,
        services=services,
        **kw,
    )
    return World(storage, clock, wall, identity, svc, notifier, services)


def _order(account: str, ord_no: int) -> OrderRecord:
    from hoga.domain.model import Side

    return OrderRecord(
        ord_no, account, "005930", Side.BUY, "0", 50_000, 3, 0, None, "accepted", 0, 3, T0, T0
    )


def test_termination_closes_sockets_revokes_keys_cancels_orders(storage: Storage) -> None:
    hub, broker = Hub(), Broker(refuse={2})
    w = world(storage, services={"realtime": hub, "brokerage": broker})
    kim = w.identity.create_customer("kim", cash=1_000_000)
    other = w.identity.create_customer("lee")
    hub.by_appkey = {kim.appkey: Session(kim.appkey), other.appkey: Session(other.appkey)}
    with storage.unit_of_work() as uow:
        uow.orders.add(_order(kim.account, 1))
        uow.orders.add(_order(kim.account, 2))
    inc = w.svc.open(kim.customer_id, Cause.REGULATOR, sanction=Sanction.TERMINATE, reason="권고")
    assert w.svc.status(kim.customer_id) == "terminated"
    assert kim.appkey not in hub.by_appkey and other.appkey in hub.by_appkey
    assert broker.cancelled == [(kim.account, 1, "mock", kim.customer_id)]
    (notice,) = w.notifier.to(kim.customer_id)
    assert "1(005930 3주)" in notice.body and "취소하지 못한 주문: 2" in notice.body
    assert "폐기" in notice.body and notice.incident_id == inc.id
    token = w.identity.issue_token(kim.appkey, kim.secretkey, "mock")
    assert not hasattr(token, "token")  # refused: key revoked
    assert w.svc.refusal(kim.customer_id) is not None and "해지" in str(
        w.svc.refusal(kim.customer_id)
    )
    assert w.svc.refusal(other.customer_id) is None
    assert w.svc.customer_for_credentials(kim.appkey, kim.secretkey) == kim.customer_id
    assert w.svc.customer_for_credentials(kim.appkey, "wrong") is None
    assert w.svc.customer_for_credentials("nokey", "x") is None


def test_termination_without_a_brokerage_says_so(storage: Storage) -> None:
    w = world(storage)
    kim = w.identity.create_customer("kim")
    with storage.unit_of_work() as uow:
        uow.orders.add(_order(kim.account, 7))
    w.svc.open(kim.customer_id, Cause.REGULATOR, sanction=Sanction.TERMINATE, reason="x")
    assert "7(주문 서비스 없음)" in w.notifier.to(kim.customer_id)[0].body


def test_a_broken_notifier_never_undoes_the_sanction(storage: Storage) -> None:
    w = world(storage, notifier=Broken())
    kim = w.identity.create_customer("kim")
    w.svc.open(kim.customer_id, Cause.ABNORMAL_LOAD, reason="x")
    assert w.svc.status(kim.customer_id) == "suspended"
    (n,) = w.svc.notices(kim.customer_id)
    assert n.channel == "failed" and n.kind == "opened"


def test_detection_opens_incidents_and_skips_blocked_or_unknown(storage: Storage) -> None:
    det = AbnormalLoadDetector(AbnormalThresholds(identical=3, conditions=2))
    w = world(storage, detector=det)
    kim = w.identity.create_customer("kim")
    got = [w.svc.record_call(kim.customer_id, "ka10001", "query", True) for _ in range(3)]
    assert got[:2] == [None, None] and isinstance(got[2], Incident)
    assert got[2].evidence is not None and len(got[2].evidence.samples) == 3
    # suspended: nothing more is counted for this customer
    for _ in range(10):
        assert w.svc.record_call(kim.customer_id, "ka10001", "query", True) is None
        assert w.svc.record_condition_event(kim.customer_id, "register") is None
    lee = w.identity.create_customer("lee")
    assert w.svc.record_condition_event(lee.customer_id, "register") is None
    churn = w.svc.record_condition_event(lee.customer_id, "clear", "req-9")
    assert churn is not None and churn.evidence == Evidence(
        "condition_churn",
        T0,
        T0,
        (("count", 2), ("threshold", 2), ("window_s", 300)),
        ("register", "req-9"),
    )
    for _ in range(3):  # a principal without a customer row opens nothing
        assert w.svc.record_call("ghost", "ka10001", "query", True) is None
    plain = world(storage)
    assert plain.svc.record_call(kim.customer_id, "ka10001", "query", True) is None
    assert plain.svc.record_condition_event(kim.customer_id, "register") is None


def test_sweeps_expire_lapse_and_follow_other_processes(storage: Storage) -> None:
    hub = Hub()
    a = world(storage, services={"realtime": hub}, policy=IncidentPolicy(refresh_us=1_000_000))
    kim = a.identity.create_customer("kim")
    b = world(storage)  # another process on the same database
    b.clock.set(T0)
    a.svc.maybe_sweep()
    assert a.svc.refusal(kim.customer_id) is None
    hub.by_appkey[kim.appkey] = Session(kim.appkey)
    inc = b.svc.open(kim.customer_id, Cause.ABNORMAL_LOAD, reason="x")
    assert a.svc.refusal(kim.customer_id) is None  # not reloaded yet
    a.wall.advance(1_000_000)
    assert a.svc.refusal(kim.customer_id) is not None  # reloaded: blocked, socket closed here
    assert kim.appkey not in hub.by_appkey
    a.clock.set(inc.deadline)
    a.svc.maybe_sweep()  # due: the unanswered review lapses (no notice, still suspended)
    assert a.svc.get(inc.id).review == "lapsed"  # type: ignore[union-attr]
    assert [n.kind for n in a.svc.notices(kim.customer_id)] == ["opened"]
    assert inc.ends_at is not None
    a.clock.set(inc.ends_at)
    assert a.svc.refusal(kim.customer_id) is None  # expired on the way
    assert a.svc.status(kim.customer_id) == "active"
    assert [n.kind for n in a.svc.notices(kim.customer_id)] == ["opened", "expired"]
    assert a.svc.sweep() == [] and a.svc.incidents(open_only=True) == []
    assert a.svc.incidents(kim.customer_id, open_only=True) == []
    assert [i.id for i in a.svc.incidents(kim.customer_id)] == [inc.id]
    with pytest.raises(KeyError):
        a.svc.open("ghost", Cause.REGULATOR, reason="x")


def test_explanations_only_for_own_incidents(storage: Storage) -> None:
    w = world(storage)
    kim, lee = w.identity.create_customer("kim"), w.identity.create_customer("lee")
    inc = w.svc.open(kim.customer_id, Cause.ABNORMAL_LOAD, reason="x")
    out = w.svc.submit_explanation(lee.customer_id, inc.id, "not mine")
    assert isinstance(out, Refused) and out.reason == "unknown_incident"
    assert isinstance(w.svc.submit_explanation(kim.customer_id, inc.id, "mine"), Incident)
    assert w.svc.customer_for_token("nope") is None
    issued = w.identity.issue_token(lee.appkey, lee.secretkey, "mock")
    assert w.svc.customer_for_token(issued.token) == lee.customer_id  # type: ignore[union-attr]
    w.clock.advance(2 * DAY)
    assert w.svc.customer_for_token(issued.token) is None  # type: ignore[union-attr]
    assert len(w.svc.request_id().split("-")) == 2
