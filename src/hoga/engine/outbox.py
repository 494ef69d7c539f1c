"""The notice outbox (terms art. 4 ⑤, 12, 15, 16): nothing is lost, every attempt is recorded.

A notice is accepted by writing it to storage (``uow.notices``) together with one *delivery* per
channel the customer chose (``ContactRecord.channels``, addresses from the same record); that
commit is the acknowledgement. Delivery happens afterwards: :meth:`Outbox.flush` takes the due
deliveries, sends each over its :class:`~hoga.ports.notifier.Channel` and appends a
``DeliveryAttempt`` whatever happened. A temporary failure (channel down, timeout, 5xx) is
retried with exponential back-off (:class:`RetryPolicy`: 30 s, 60 s, 120 s, … capped at 1 h, by
the application clock); a permanent failure, or ``max_attempts`` failures, marks the delivery
``failed`` — still recorded, and an operator may :meth:`Outbox.retry` it. A channel that is not
configured counts as down (the operator may configure it later; nothing is dropped).

Every notice is also readable through the API (the customer's notice box), so a customer with no
channel chosen still receives it there.

Crash safety: before a delivery is sent its ``next_at`` moves ``lease_us`` ahead; a process that
dies mid-send leaves it to be retried after the lease (providers get an idempotency key).

The outbox is a :class:`~hoga.ports.notifier.Notifier` too (answers ``"outbox"``): the incident
service hands it notices with their own subject and body. Notices of the kinds in
:mod:`hoga.engine.notice_templates` are rendered from Korean templates.

Running deliveries: :meth:`flush` (tests, the operator API, the CLI) and :meth:`kick` (called on
API traffic: starts one background flush when something is due); :meth:`run` is a loop for a
process that wants deliveries without traffic.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hoga.engine.notice_templates import render
from hoga.ports.clock import Clock
from hoga.ports.notifier import CHANNELS, Channel, DeliveryOutcome, Notice, OutboundMessage
from hoga.ports.storage import (
    ContactRecord,
    DeliveryAttempt,
    DeliveryRecord,
    OutboxNotice,
    Storage,
    UnitOfWork,
)

__all__ = ["ContactRefused", "Outbox", "RetryPolicy"]

log = logging.getLogger(__name__)

_BARRED = ("terminated",)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Back-off after the n-th failed attempt: ``first_us × factor^(n-1)``, at most ``max_us``;
    ``max_attempts`` attempts in all before a delivery is marked failed."""

    first_us: int = 30_000_000
    factor: int = 2
    max_us: int = 3_600_000_000
    max_attempts: int = 12
    lease_us: int = 300_000_000
    batch: int = 200

    def delay(self, attempts: int) -> int:
        """The wait before the next attempt after ``attempts`` failed ones (>= 1)."""
        return int(min(self.first_us * self.factor ** max(attempts - 1, 0), self.max_us))


@dataclass(frozen=True, slots=True)
class ContactRefused:
    """Why contact settings were refused (an expected outcome, not an exception)."""

    reason: str


class Outbox:
    """See the module docstring."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        channels: Mapping[str, Channel] | Iterable[Channel] = (),
        *,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        if isinstance(channels, Mapping):
            self.channels: dict[str, Channel] = dict(channels)
        else:
            self.channels = {c.name: c for c in channels}
        self.retry_policy = retry or RetryPolicy()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[int] | None = None

    # -- accepting notices -----------------------------------------------------------------

    def send(self, notice: Notice) -> str:
        """Notifier port: accept ``notice`` (its own subject and body) durably."""
        ref = "" if notice.incident_id is None else f"incident:{notice.incident_id}"
        with self.storage.unit_of_work() as uow:
            self._accept(
                uow,
                notice.at,
                notice.customer_id,
                notice.kind,
                notice.subject,
                notice.body,
                ref,
                (),
            )
        return "outbox"

    def enqueue(
        self, customer_id: str, kind: str, params: Mapping[str, str], *, ref: str = ""
    ) -> OutboxNotice:
        """Render template ``kind`` with ``params`` and accept it for one customer."""
        with self.storage.unit_of_work() as uow:
            return self._enqueue(uow, customer_id, kind, params, ref)

    def broadcast(
        self,
        kind: str,
        params: Mapping[str, str],
        *,
        ref: str = "",
        customers: Sequence[str] | None = None,
        uow: UnitOfWork | None = None,
    ) -> list[OutboxNotice]:
        """Accept ``kind`` for every customer that is not terminated (or for ``customers``),
        in one unit of work (``uow``, to share the caller's); ``{customer}`` renders as each
        customer's name."""
        if uow is None:
            with self.storage.unit_of_work() as own:
                return self.broadcast(kind, params, ref=ref, customers=customers, uow=own)
        if customers is None:
            targets = [c.id for c in uow.customers.list() if c.status not in _BARRED]
        else:
            targets = list(customers)
        return [self._enqueue(uow, c, kind, params, ref) for c in targets]

    def _enqueue(
        self, uow: UnitOfWork, customer_id: str, kind: str, params: Mapping[str, str], ref: str
    ) -> OutboxNotice:
        customer = uow.customers.get(customer_id)
        values = {
            "customer_id": customer_id,
            "customer": customer.name if customer else "",
            **params,
        }
        subject, body = render(kind, values)
        pairs = tuple(sorted(values.items()))
        return self._accept(uow, self.clock.now(), customer_id, kind, subject, body, ref, pairs)

    def _accept(
        self,
        uow: UnitOfWork,
        at: int,
        customer_id: str,
        kind: str,
        subject: str,
        body: str,
        ref: str,
        params: Sequence[tuple[str, str]],
    ) -> OutboxNotice:
        notice = uow.notices.add(at, customer_id, kind, subject, body, ref, params)
        contact = uow.notices.contact(customer_id)
        if contact is not None:
            for channel in contact.channels:
                address = contact.email if channel == "email" else contact.phone
                uow.notices.add_delivery(notice.id, channel, address, at)
        return notice

    # -- contacts --------------------------------------------------------------------------

    def set_contact(
        self, customer_id: str, *, email: str, phone: str, channels: Sequence[str]
    ) -> ContactRecord | ContactRefused:
        """Record where ``customer_id`` wants notices (channels in order of preference)."""
        chosen = tuple(dict.fromkeys(c.strip().lower() for c in channels if c.strip()))
        unknown = [c for c in chosen if c not in CHANNELS]
        if unknown:
            return ContactRefused(f"unknown channel {unknown[0]!r}; choose from {CHANNELS}")
        email, phone = email.strip(), "".join(ch for ch in phone if ch.isdigit())
        if "email" in chosen and ("@" not in email or len(email) > 200):
            return ContactRefused("the email channel needs an email address")
        if {"sms", "alimtalk"} & set(chosen) and not 9 <= len(phone) <= 15:
            return ContactRefused("sms and alimtalk need a phone number (9-15 digits)")
        record = ContactRecord(customer_id, email, phone, chosen, self.clock.now())
        with self.storage.unit_of_work() as uow:
            if uow.customers.get(customer_id) is None:
                return ContactRefused(f"no customer {customer_id}")
            uow.notices.put_contact(record)
        return record

    def contact(self, customer_id: str) -> ContactRecord | None:
        with self.storage.unit_of_work() as uow:
            return uow.notices.contact(customer_id)

    # -- reading ---------------------------------------------------------------------------

    def notices(
        self,
        *,
        customer_id: str | None = None,
        ref: str | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[OutboxNotice]:
        with self.storage.unit_of_work() as uow:
            return uow.notices.find(customer_id=customer_id, ref=ref, after=after, limit=limit)

    def deliveries(
        self, *, notice_id: int | None = None, status: str | None = None
    ) -> list[DeliveryRecord]:
        with self.storage.unit_of_work() as uow:
            return uow.notices.deliveries(notice_id=notice_id, status=status)

    def attempts(self, delivery_id: int | None = None) -> list[DeliveryAttempt]:
        with self.storage.unit_of_work() as uow:
            return uow.notices.attempts(delivery_id)

    def next_due(self) -> int | None:
        with self.storage.unit_of_work() as uow:
            return uow.notices.next_due()

    def retry(self, delivery_id: int) -> DeliveryRecord | None:
        """Make a delivery due now again (an operator's retry of a failed one)."""
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            if uow.notices.delivery(delivery_id) is None:
                return None
            return uow.notices.reschedule(delivery_id, now, now)

    # -- delivering ------------------------------------------------------------------------

    async def flush(self) -> int:
        """Attempt every delivery due now (one flush at a time); the number attempted."""
        async with self._lock:
            now = self.clock.now()
            policy = self.retry_policy
            work: list[tuple[DeliveryRecord, OutboxNotice]] = []
            with self.storage.unit_of_work() as uow:
                for d in uow.notices.due(now, policy.batch):
                    notice = uow.notices.get(d.notice_id)
                    assert notice is not None
                    uow.notices.reschedule(d.id, now + policy.lease_us, now)  # the lease
                    work.append((d, notice))
            for delivery, notice in work:
                outcome = await self._attempt(delivery, notice)
                self._record(delivery, outcome)
            return len(work)

    async def _attempt(self, d: DeliveryRecord, notice: OutboxNotice) -> DeliveryOutcome:
        channel = self.channels.get(d.channel)
        if channel is None:
            return DeliveryOutcome.failed(f"channel {d.channel!r} is not configured")
        message = OutboundMessage(
            d.channel, d.address, notice.subject, notice.body, notice.kind, notice.params, notice.id
        )
        try:
            return await channel.send(message)
        except Exception as exc:  # a channel bug must not stop the others; retried later
            log.exception("channel %s raised", d.channel)
            return DeliveryOutcome.failed(f"{type(exc).__name__}: {exc}"[:200])

    def _record(self, d: DeliveryRecord, outcome: DeliveryOutcome) -> None:
        at = self.clock.now()
        attempts = d.attempts + 1
        if outcome.ok:
            status, next_at = "delivered", at
            detail = outcome.reference or outcome.detail or "ok"
        elif outcome.permanent or attempts >= self.retry_policy.max_attempts:
            status, next_at, detail = "failed", at, outcome.detail
        else:
            status, detail = "pending", outcome.detail
            next_at = at + self.retry_policy.delay(attempts)
        with self.storage.unit_of_work() as uow:
            uow.notices.record_attempt(d.id, at, outcome.ok, detail, status=status, next_at=next_at)

    def kick(self) -> None:
        """Start one background :meth:`flush` if something is due and none is running (call
        from the event loop; does nothing outside one)."""
        if self._task is not None and not self._task.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        due = self.next_due()
        if due is None or due > self.clock.now():
            return
        self._task = loop.create_task(self.flush(), name="hoga-outbox-flush")

    async def run(self, idle_us: int = 60_000_000) -> None:
        """Deliver forever: sleep until the next due delivery (at most ``idle_us``), flush; after
        a storage failure wait a second before trying again."""
        while True:
            pause = 0
            try:
                await self.flush()
                due = self.next_due()
            except Exception:
                log.exception("outbox flush failed")
                due, pause = None, 1_000_000
            now = self.clock.now()
            wake = now + idle_us if due is None else min(due, now + idle_us)
            await self.clock.sleep_until(max(wake, now + pause))
