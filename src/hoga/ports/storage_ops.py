"""Storage port, operations: incidents and their notices, the notice outbox with every delivery
attempt, channel choices, maintenance windows and service changes (contract in
:mod:`hoga.ports.storage`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from hoga.domain.suspension import Incident

__all__ = [
    "ContactRecord",
    "DeliveryAttempt",
    "DeliveryRecord",
    "IncidentRepository",
    "MaintenanceWindow",
    "NoticeRecord",
    "NoticeRepository",
    "OperationsRepository",
    "OutboxNotice",
    "ServiceChange",
]


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    """A notice sent to a customer (terms art. 8 ①, 9 ①: the reason of a suspension or
    termination, decisions on explanations). ``id`` is drawn by the repository (gap-free from
    1); ``incident_id`` names the incident it is about (``None`` for none); ``channel`` is where
    it went (``"memory"`` until a real channel exists)."""

    id: int
    at: int
    customer_id: str
    incident_id: int | None
    kind: str
    subject: str
    body: str
    channel: str


class IncidentRepository(Protocol):
    """Incidents of :mod:`hoga.domain.suspension` (with their evidence) and the notices sent
    about them. Incident ids come from :meth:`allocate_id`; the customer must exist."""

    def allocate_id(self) -> int:
        """Draw the next incident id (the ``"incident"`` sequence: 1, 2, 3, …)."""
        ...

    def add(self, incident: Incident) -> None:
        """Insert; a duplicate id or an unknown customer raises StorageError."""
        ...

    def get(self, incident_id: int) -> Incident | None: ...

    def update(self, incident: Incident) -> Incident:
        """Replace the stored incident of ``incident.id`` (NotFoundError if missing); the
        customer, cause and opening time are kept as first stored."""
        ...

    def by_customer(self, customer_id: str) -> list[Incident]:
        """The customer's incidents, ordered by id."""
        ...

    def add_notice(
        self,
        at: int,
        customer_id: str,
        incident_id: int | None,
        kind: str,
        subject: str,
        body: str,
        channel: str,
    ) -> NoticeRecord:
        """Append a notice with the next notice id."""
        ...

    def notices(
        self, *, customer_id: str | None = None, incident_id: int | None = None
    ) -> list[NoticeRecord]:
        """Notices (of one customer and/or incident if given), ordered by id."""
        ...

    def list(self, *, open_only: bool = False) -> list[Incident]:
        """All incidents (``open_only``: those in force or whose review awaits an explanation
        or a decision), ordered by id."""
        ...


@dataclass(frozen=True, slots=True)
class OutboxNotice:
    """A notice accepted by the outbox (terms art. 4 ⑤, 12, 15, 16), kept for good.

    ``id`` is drawn by the repository (the ``"outbox_notice"`` sequence, gap-free from 1);
    ``kind`` is the template code (``"maintenance_scheduled"``, ``"service_change"``, …);
    ``subject`` and ``body`` are the rendered Korean text; ``ref`` names what it is about
    (``"maintenance:3"``, ``"service_change:2"``, ``"incident:5"``; ``""`` for nothing);
    ``params`` are the template variables as sorted (name, value) pairs."""

    id: int
    at: int
    customer_id: str
    kind: str
    subject: str
    body: str
    ref: str
    params: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One channel's delivery of one notice. ``status`` is ``"pending"`` (to be tried at
    ``next_at``), ``"delivered"`` or ``"failed"`` (gave up; an operator may retry it);
    ``attempts`` counts the attempts so far; ``detail`` is the last attempt's detail (the
    provider's reference when delivered)."""

    id: int
    notice_id: int
    channel: str
    address: str
    status: str
    attempts: int
    next_at: int
    updated_at: int
    detail: str


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One delivery attempt, appended and never changed (``id`` gap-free from 1)."""

    id: int
    delivery_id: int
    at: int
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """Where a customer wants notices: addresses and the chosen ``channels`` (codes of
    :data:`hoga.ports.notifier.CHANNELS`, in the customer's order; empty: the notice box
    only — every notice is also readable through the API)."""

    customer_id: str
    email: str
    phone: str
    channels: tuple[str, ...]
    updated_at: int


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    """A maintenance window (terms art. 4 ④, 12): ``kind`` ``"scheduled"`` or
    ``"emergency"``; ``scope`` the parts it closes (``"all"``, ``"orders"``, ``"websocket"``,
    ``"path:/api/dostk/…"``, ``"api:<api-id>"``); ``starts_at <= t < ends_at`` is inside.
    ``cancelled_at`` is set when a window is called off; the ``*_at`` notice stamps record when
    the advance announcement, the reminder and the after-the-fact report went out."""

    id: int
    kind: str
    scope: tuple[str, ...]
    starts_at: int
    ends_at: int
    reason: str
    created_at: int
    created_by: str
    cancelled_at: int | None = None
    announced_at: int | None = None
    reminded_at: int | None = None
    reported_at: int | None = None


@dataclass(frozen=True, slots=True)
class ServiceChange:
    """A service-change announcement (terms art. 16): ``kind`` ``"api_added"``,
    ``"api_retired"``, ``"limit_changed"`` or ``"other"``; the ``api_ids`` it concerns; when it
    takes effect; when it was published and when its notices were queued (``None``: not yet)."""

    id: int
    kind: str
    title: str
    detail: str
    api_ids: tuple[str, ...]
    effective_at: int
    published_at: int
    notified_at: int | None = None


class NoticeRepository(Protocol):
    """The notice outbox: notices, their per-channel deliveries, every delivery attempt, and the
    customers' contact choices. Notices and attempts are append-only; a delivery changes only
    through :meth:`record_attempt` and :meth:`reschedule`."""

    def add(
        self,
        at: int,
        customer_id: str,
        kind: str,
        subject: str,
        body: str,
        ref: str = "",
        params: Sequence[tuple[str, str]] = (),
    ) -> OutboxNotice:
        """Append a notice with the next id; the customer must exist (StorageError)."""
        ...

    def get(self, notice_id: int) -> OutboxNotice | None: ...

    def find(
        self,
        *,
        customer_id: str | None = None,
        ref: str | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[OutboxNotice]:
        """Notices with ``id > after`` (of one customer and/or ref), ordered by id."""
        ...

    def add_delivery(
        self, notice_id: int, channel: str, address: str, next_at: int
    ) -> DeliveryRecord:
        """Append a pending delivery (0 attempts) of an existing notice, due at ``next_at``."""
        ...

    def delivery(self, delivery_id: int) -> DeliveryRecord | None: ...

    def deliveries(
        self, *, notice_id: int | None = None, status: str | None = None
    ) -> list[DeliveryRecord]:
        """Deliveries (of one notice and/or in one status), ordered by id."""
        ...

    def due(self, now: int, limit: int | None = None) -> list[DeliveryRecord]:
        """Pending deliveries with ``next_at <= now``, ordered by (next_at, id)."""
        ...

    def next_due(self) -> int | None:
        """The earliest ``next_at`` of a pending delivery (None: nothing pending)."""
        ...

    def record_attempt(
        self, delivery_id: int, at: int, ok: bool, detail: str, *, status: str, next_at: int
    ) -> DeliveryRecord:
        """Append an attempt and update the delivery (attempts + 1, status, next_at, detail,
        updated_at = at); NotFoundError if the delivery is missing."""
        ...

    def reschedule(self, delivery_id: int, next_at: int, at: int) -> DeliveryRecord:
        """Make a delivery pending again at ``next_at`` (attempts kept); NotFoundError."""
        ...

    def attempts(self, delivery_id: int | None = None) -> list[DeliveryAttempt]:
        """Attempts (of one delivery), ordered by id."""
        ...

    def contact(self, customer_id: str) -> ContactRecord | None: ...

    def put_contact(self, record: ContactRecord) -> None:
        """Insert or replace; the customer must exist (StorageError otherwise)."""
        ...


class OperationsRepository(Protocol):
    """Maintenance windows and service-change announcements. Ids are drawn by the repository
    (sequences ``"maintenance"`` and ``"service_change"``, gap-free from 1)."""

    def add_window(
        self,
        kind: str,
        scope: Sequence[str],
        starts_at: int,
        ends_at: int,
        reason: str,
        created_at: int,
        created_by: str,
    ) -> MaintenanceWindow:
        """Append a window with the next id (``starts_at < ends_at``, else StorageError)."""
        ...

    def window(self, window_id: int) -> MaintenanceWindow | None: ...

    def update_window(self, window: MaintenanceWindow) -> MaintenanceWindow:
        """Replace the stored window of ``window.id`` (NotFoundError if missing); kind, scope,
        start, reason and creation are kept as first stored."""
        ...

    def windows(self, *, ending_after: int | None = None) -> list[MaintenanceWindow]:
        """Windows (with ``ends_at > ending_after`` if given; cancelled ones too), ordered by
        (starts_at, id)."""
        ...

    def add_change(
        self,
        kind: str,
        title: str,
        detail: str,
        api_ids: Sequence[str],
        effective_at: int,
        published_at: int,
    ) -> ServiceChange:
        """Append an announcement with the next id."""
        ...

    def change(self, change_id: int) -> ServiceChange | None: ...

    def mark_change_notified(self, change_id: int, at: int) -> ServiceChange:
        """Set ``notified_at`` (kept if already set); NotFoundError if missing."""
        ...

    def changes(self, *, effective_after: int | None = None) -> list[ServiceChange]:
        """Announcements (taking effect strictly after ``effective_after`` if given), ordered
        by (effective_at, id)."""
        ...
