"""The notice outbox: durable acceptance, channel choice, retries with back-off, attempts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from hoga.bootstrap import open_storage
from hoga.clock import ManualClock
from hoga.engine.outbox import ContactRefused, Outbox, RetryPolicy
from hoga.ports.notifier import DeliveryOutcome, Notice, OutboundMessage
from hoga.ports.storage import CustomerRecord, Storage

S = 1_000_000


class FlakyChannel:
    """A channel that fails (temporarily, or permanently) until told otherwise."""

    def __init__(self, name: str) -> None:
        self._name = name
        self.up = True
        self.permanent = False
        self.raises = False
        self.sent: list[OutboundMessage] = []

    @property
    def name(self) -> str:
        return self._name

    async def send(self, message: OutboundMessage) -> DeliveryOutcome:
        if self.raises:
            raise RuntimeError("bug")
        if not self.up:
            return DeliveryOutcome.failed("503 down", permanent=self.permanent)
        self.sent.append(message)
        return DeliveryOutcome.delivered(reference=f"ref-{len(self.sent)}")


@pytest.fixture
def storage() -> Iterator[Storage]:
    store = open_storage("memory://")
    with store.unit_of_work() as uow:
        uow.customers.add(CustomerRecord("c1", "김하나", "mock", "active", 1))
        uow.customers.add(CustomerRecord("c2", "이둘", "mock", "active", 1))
        uow.customers.add(CustomerRecord("c3", "삼", "mock", "terminated", 1))
    yield store
    store.close()


def run(coro: object) -> int:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_channel_down_is_retried_with_back_off_then_delivered(storage: Storage) -> None:
    clock = ManualClock()
    t0 = clock.now()
    email = FlakyChannel("email")
    email.up = False
    box = Outbox(storage, clock, [email], retry=RetryPolicy(first_us=30 * S, factor=2))
    assert isinstance(
        box.set_contact("c1", email="a@example.com", phone="", channels=["email"]), object
    )
    notice = box.enqueue("c1", "service_change", {"title": "ka10099 폐지"}, ref="service_change:1")
    assert "김하나 고객님" in notice.body and "ka10099 폐지" in notice.subject
    assert run(box.flush()) == 1  # attempt 1 fails
    [d] = box.deliveries(notice_id=notice.id)
    assert (d.status, d.attempts, d.next_at) == ("pending", 1, t0 + 30 * S)
    clock.advance(29 * S)
    assert run(box.flush()) == 0  # not due yet
    clock.advance(1 * S)
    assert run(box.flush()) == 1  # attempt 2 fails: back-off doubles
    [d] = box.deliveries(notice_id=notice.id)
    assert (d.attempts, d.next_at) == (2, clock.now() + 60 * S)
    email.up = True
    clock.advance(60 * S)
    assert run(box.flush()) == 1
    [d] = box.deliveries(notice_id=notice.id)
    assert (d.status, d.attempts, d.detail) == ("delivered", 3, "ref-1")
    assert [(a.ok, a.detail) for a in box.attempts(d.id)] == [
        (False, "503 down"),
        (False, "503 down"),
        (True, "ref-1"),
    ]
    assert [m.address for m in email.sent] == ["a@example.com"]
    assert email.sent[0].notice_id == notice.id and email.sent[0].kind == "service_change"
    assert box.next_due() is None


def test_permanent_failures_and_exhausted_retries_are_failed_and_retryable(
    storage: Storage,
) -> None:
    clock = ManualClock()
    sms, talk = FlakyChannel("sms"), FlakyChannel("alimtalk")
    sms.up, sms.permanent = False, True
    talk.raises = True
    box = Outbox(storage, clock, {"sms": sms, "alimtalk": talk}, retry=RetryPolicy(max_attempts=2))
    box.set_contact("c2", email="", phone="010-1234-5678", channels=["sms", "alimtalk"])
    n = box.enqueue("c2", "maintenance_reminder", {"starts_at": "x"})
    run(box.flush())
    by_channel = {d.channel: d for d in box.deliveries(notice_id=n.id)}
    assert by_channel["sms"].status == "failed" and by_channel["sms"].address == "01012345678"
    assert by_channel["alimtalk"].status == "pending"  # a raising channel counts as down
    assert box.attempts(by_channel["alimtalk"].id)[0].detail == "RuntimeError: bug"
    clock.advance(RetryPolicy().first_us)
    run(box.flush())
    assert {d.channel: d.status for d in box.deliveries(notice_id=n.id)}["alimtalk"] == "failed"
    sms.up = True
    again = box.retry(by_channel["sms"].id)
    assert again is not None and again.status == "pending"
    assert box.retry(999) is None
    run(box.flush())
    assert {d.channel: d.status for d in box.deliveries(notice_id=n.id)}["sms"] == "delivered"
    assert len(box.attempts()) == 4


def test_unconfigured_channel_keeps_the_delivery_pending(storage: Storage) -> None:
    clock = ManualClock()
    box = Outbox(storage, clock)
    box.set_contact("c1", email="a@example.com", phone="", channels=["email"])
    n = box.enqueue("c1", "maintenance_cancelled", {})
    run(box.flush())
    [d] = box.deliveries(notice_id=n.id)
    assert d.status == "pending" and "not configured" in box.attempts(d.id)[0].detail


def test_broadcast_skips_terminated_and_incident_notices_pass_through(storage: Storage) -> None:
    clock = ManualClock()
    box = Outbox(storage, clock)
    sent = box.broadcast("maintenance_scheduled", {"scope": "orders"}, ref="maintenance:1")
    assert sorted(n.customer_id for n in sent) == ["c1", "c2"]
    assert box.notices(ref="maintenance:1") == sorted(sent, key=lambda n: n.id)
    assert box.send(Notice("c1", "suspended", "중지", "본문", clock.now(), 7)) == "outbox"
    [inc] = box.notices(ref="incident:7")
    assert (inc.kind, inc.subject, inc.body) == ("suspended", "중지", "본문")
    assert box.notices(customer_id="c1", after=sent[0].id) == [inc]


def test_contact_choices_are_validated(storage: Storage) -> None:
    box = Outbox(storage, ManualClock())
    assert isinstance(box.set_contact("c1", email="", phone="", channels=["fax"]), ContactRefused)
    assert isinstance(
        box.set_contact("c1", email="x", phone="", channels=["email"]), ContactRefused
    )
    assert isinstance(box.set_contact("c1", email="", phone="12", channels=["sms"]), ContactRefused)
    assert isinstance(box.set_contact("zz", email="", phone="", channels=[]), ContactRefused)
    rec = box.set_contact("c1", email=" a@b.kr ", phone="", channels=["Email", "email"])
    assert not isinstance(rec, ContactRefused)
    assert rec.channels == ("email",) and rec.email == "a@b.kr"
    assert box.contact("c1") == rec


def test_back_off_is_capped() -> None:
    p = RetryPolicy(first_us=10, factor=3, max_us=100)
    assert [p.delay(n) for n in (1, 2, 3, 4)] == [10, 30, 90, 100]


def test_kick_starts_one_background_flush() -> None:
    store = open_storage("memory://")
    with store.unit_of_work() as uow:
        uow.customers.add(CustomerRecord("c1", "n", "mock", "active", 1))
    clock = ManualClock()
    email = FlakyChannel("email")
    box = Outbox(store, clock, [email])
    box.kick()  # outside a loop: nothing
    box.set_contact("c1", email="a@b.kr", phone="", channels=["email"])
    box.enqueue("c1", "maintenance_cancelled", {})

    async def main() -> None:
        box.kick()
        box.kick()  # one at a time
        task = box._task
        assert task is not None
        await task
        box.kick()  # nothing due any more

    asyncio.run(main())
    assert len(email.sent) == 1
    store.close()
