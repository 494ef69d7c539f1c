"""The notice outbox and the operations records (``NoticeRepository`` and
``OperationsRepository`` of the storage port)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update

from hoga.adapters.sql.schema import (
    maintenance_windows,
    notice_attempts,
    notice_contacts,
    notice_deliveries,
    outbox_notices,
    service_changes,
)
from hoga.adapters.sql.trading import SqlSequenceRepository
from hoga.adapters.sql.tx import Tx
from hoga.errors import NotFoundError
from hoga.ports.storage import (
    ContactRecord,
    DeliveryAttempt,
    DeliveryRecord,
    MaintenanceWindow,
    OutboxNotice,
    ServiceChange,
)

__all__ = [
    "ATTEMPT_SEQ",
    "CHANGE_SEQ",
    "DELIVERY_SEQ",
    "NOTICE_SEQ",
    "WINDOW_SEQ",
    "SqlNoticeRepository",
    "SqlOperationsRepository",
]

NOTICE_SEQ = "outbox_notice"
DELIVERY_SEQ = "notice_delivery"
ATTEMPT_SEQ = "notice_attempt"
WINDOW_SEQ = "maintenance"
CHANGE_SEQ = "service_change"


def _params_text(params: Sequence[tuple[str, str]]) -> str:
    pairs = sorted((str(k), str(v)) for k, v in params)
    return json.dumps(pairs, separators=(",", ":"), ensure_ascii=False)


def _notice(r: Any) -> OutboxNotice:
    params = tuple((str(k), str(v)) for k, v in json.loads(r.params))
    return OutboxNotice(r.id, r.at, r.customer_id, r.kind, r.subject, r.body, r.ref, params)


def _delivery(r: Any) -> DeliveryRecord:
    return DeliveryRecord(
        r.id,
        r.notice_id,
        r.channel,
        r.address,
        r.status,
        r.attempts,
        r.next_at,
        r.updated_at,
        r.detail,
    )


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _window(r: Any) -> MaintenanceWindow:
    return MaintenanceWindow(
        id=r.id,
        kind=r.kind,
        scope=_words(r.scope),
        starts_at=r.starts_at,
        ends_at=r.ends_at,
        reason=r.reason,
        created_at=r.created_at,
        created_by=r.created_by,
        cancelled_at=r.cancelled_at,
        announced_at=r.announced_at,
        reminded_at=r.reminded_at,
        reported_at=r.reported_at,
    )


def _change(r: Any) -> ServiceChange:
    return ServiceChange(
        r.id,
        r.kind,
        r.title,
        r.detail,
        _words(r.api_ids),
        r.effective_at,
        r.published_at,
        r.notified_at,
    )


class SqlNoticeRepository:
    def __init__(self, tx: Tx, seqs: SqlSequenceRepository) -> None:
        self._tx = tx
        self._seqs = seqs

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
        text = _params_text(params)
        notice_id = self._seqs.allocate(NOTICE_SEQ)
        row = {
            "id": notice_id,
            "at": at,
            "customer_id": customer_id,
            "kind": kind,
            "subject": subject,
            "body": body,
            "ref": ref,
            "params": text,
        }
        self._tx.execute(insert(outbox_notices), row)
        params_back = tuple((k, v) for k, v in json.loads(text))
        return OutboxNotice(notice_id, at, customer_id, kind, subject, body, ref, params_back)

    def get(self, notice_id: int) -> OutboxNotice | None:
        stmt = select(outbox_notices).where(outbox_notices.c.id == notice_id)
        row = self._tx.execute(stmt).first()
        return None if row is None else _notice(row)

    def find(
        self,
        *,
        customer_id: str | None = None,
        ref: str | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[OutboxNotice]:
        stmt = select(outbox_notices).where(outbox_notices.c.id > after)
        if customer_id is not None:
            stmt = stmt.where(outbox_notices.c.customer_id == customer_id)
        if ref is not None:
            stmt = stmt.where(outbox_notices.c.ref == ref)
        stmt = stmt.order_by(outbox_notices.c.id).limit(limit)
        return [_notice(r) for r in self._tx.execute(stmt)]

    def add_delivery(
        self, notice_id: int, channel: str, address: str, next_at: int
    ) -> DeliveryRecord:
        record = DeliveryRecord(
            self._seqs.allocate(DELIVERY_SEQ),
            notice_id,
            channel,
            address,
            "pending",
            0,
            next_at,
            next_at,
            "",
        )
        self._tx.execute(
            insert(notice_deliveries),
            {
                "id": record.id,
                "notice_id": notice_id,
                "channel": channel,
                "address": address,
                "status": record.status,
                "attempts": 0,
                "next_at": next_at,
                "updated_at": next_at,
                "detail": "",
            },
        )
        return record

    def delivery(self, delivery_id: int) -> DeliveryRecord | None:
        stmt = select(notice_deliveries).where(notice_deliveries.c.id == delivery_id)
        row = self._tx.execute(stmt).first()
        return None if row is None else _delivery(row)

    def deliveries(
        self, *, notice_id: int | None = None, status: str | None = None
    ) -> list[DeliveryRecord]:
        stmt = select(notice_deliveries)
        if notice_id is not None:
            stmt = stmt.where(notice_deliveries.c.notice_id == notice_id)
        if status is not None:
            stmt = stmt.where(notice_deliveries.c.status == status)
        return [_delivery(r) for r in self._tx.execute(stmt.order_by(notice_deliveries.c.id))]

    def due(self, now: int, limit: int | None = None) -> list[DeliveryRecord]:
        d = notice_deliveries.c
        stmt = (
            select(notice_deliveries)
            .where(d.status == "pending", d.next_at <= now)
            .order_by(d.next_at, d.id)
            .limit(limit)
        )
        return [_delivery(r) for r in self._tx.execute(stmt)]

    def next_due(self) -> int | None:
        d = notice_deliveries.c
        stmt = select(func.min(d.next_at)).where(d.status == "pending")
        value = self._tx.execute(stmt).scalar()
        return None if value is None else int(value)

    def record_attempt(
        self, delivery_id: int, at: int, ok: bool, detail: str, *, status: str, next_at: int
    ) -> DeliveryRecord:
        d = notice_deliveries.c
        stmt = (
            update(notice_deliveries)
            .where(d.id == delivery_id)
            .values(
                attempts=d.attempts + 1,
                status=status,
                next_at=next_at,
                detail=detail,
                updated_at=at,
            )
        )
        if self._tx.execute(stmt).rowcount == 0:
            raise NotFoundError(f"delivery {delivery_id}")
        self._tx.execute(
            insert(notice_attempts),
            {
                "id": self._seqs.allocate(ATTEMPT_SEQ),
                "delivery_id": delivery_id,
                "at": at,
                "ok": ok,
                "detail": detail,
            },
        )
        stored = self.delivery(delivery_id)
        assert stored is not None
        return stored

    def reschedule(self, delivery_id: int, next_at: int, at: int) -> DeliveryRecord:
        d = notice_deliveries.c
        stmt = (
            update(notice_deliveries)
            .where(d.id == delivery_id)
            .values(status="pending", next_at=next_at, updated_at=at)
        )
        if self._tx.execute(stmt).rowcount == 0:
            raise NotFoundError(f"delivery {delivery_id}")
        stored = self.delivery(delivery_id)
        assert stored is not None
        return stored

    def attempts(self, delivery_id: int | None = None) -> list[DeliveryAttempt]:
        stmt = select(notice_attempts)
        if delivery_id is not None:
            stmt = stmt.where(notice_attempts.c.delivery_id == delivery_id)
        rows = self._tx.execute(stmt.order_by(notice_attempts.c.id))
        return [DeliveryAttempt(r.id, r.delivery_id, r.at, bool(r.ok), r.detail) for r in rows]

    def contact(self, customer_id: str) -> ContactRecord | None:
        stmt = select(notice_contacts).where(notice_contacts.c.customer_id == customer_id)
        r = self._tx.execute(stmt).first()
        if r is None:
            return None
        return ContactRecord(r.customer_id, r.email, r.phone, _words(r.channels), r.updated_at)

    def put_contact(self, record: ContactRecord) -> None:
        values = {
            "customer_id": record.customer_id,
            "email": record.email,
            "phone": record.phone,
            "channels": " ".join(record.channels),
            "updated_at": record.updated_at,
        }
        self._tx.upsert(notice_contacts, [values], ("customer_id",))


class SqlOperationsRepository:
    def __init__(self, tx: Tx, seqs: SqlSequenceRepository) -> None:
        self._tx = tx
        self._seqs = seqs

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
        window = MaintenanceWindow(
            self._seqs.allocate(WINDOW_SEQ),
            kind,
            tuple(scope),
            starts_at,
            ends_at,
            reason,
            created_at,
            created_by,
        )
        self._tx.execute(
            insert(maintenance_windows),
            {
                "id": window.id,
                "kind": kind,
                "scope": " ".join(scope),
                "starts_at": starts_at,
                "ends_at": ends_at,
                "reason": reason,
                "created_at": created_at,
                "created_by": created_by,
            },
        )
        return window

    def window(self, window_id: int) -> MaintenanceWindow | None:
        stmt = select(maintenance_windows).where(maintenance_windows.c.id == window_id)
        row = self._tx.execute(stmt).first()
        return None if row is None else _window(row)

    def update_window(self, window: MaintenanceWindow) -> MaintenanceWindow:
        stmt = (
            update(maintenance_windows)
            .where(maintenance_windows.c.id == window.id)
            .values(
                ends_at=window.ends_at,
                cancelled_at=window.cancelled_at,
                announced_at=window.announced_at,
                reminded_at=window.reminded_at,
                reported_at=window.reported_at,
            )
        )
        if self._tx.execute(stmt).rowcount == 0:
            raise NotFoundError(f"maintenance window {window.id}")
        stored = self.window(window.id)
        assert stored is not None
        return stored

    def windows(self, *, ending_after: int | None = None) -> list[MaintenanceWindow]:
        w = maintenance_windows.c
        stmt = select(maintenance_windows)
        if ending_after is not None:
            stmt = stmt.where(w.ends_at > ending_after)
        return [_window(r) for r in self._tx.execute(stmt.order_by(w.starts_at, w.id))]

    def add_change(
        self,
        kind: str,
        title: str,
        detail: str,
        api_ids: Sequence[str],
        effective_at: int,
        published_at: int,
    ) -> ServiceChange:
        change = ServiceChange(
            self._seqs.allocate(CHANGE_SEQ),
            kind,
            title,
            detail,
            tuple(api_ids),
            effective_at,
            published_at,
        )
        self._tx.execute(
            insert(service_changes),
            {
                "id": change.id,
                "kind": kind,
                "title": title,
                "detail": detail,
                "api_ids": " ".join(api_ids),
                "effective_at": effective_at,
                "published_at": published_at,
            },
        )
        return change

    def change(self, change_id: int) -> ServiceChange | None:
        stmt = select(service_changes).where(service_changes.c.id == change_id)
        row = self._tx.execute(stmt).first()
        return None if row is None else _change(row)

    def mark_change_notified(self, change_id: int, at: int) -> ServiceChange:
        c = service_changes.c
        stmt = (
            update(service_changes)
            .where(c.id == change_id, c.notified_at.is_(None))
            .values(notified_at=at)
        )
        self._tx.execute(stmt)
        stored = self.change(change_id)
        if stored is None:
            raise NotFoundError(f"service change {change_id}")
        return stored

    def changes(self, *, effective_after: int | None = None) -> list[ServiceChange]:
        c = service_changes.c
        stmt = select(service_changes)
        if effective_after is not None:
            stmt = stmt.where(c.effective_at > effective_after)
        return [_change(r) for r in self._tx.execute(stmt.order_by(c.effective_at, c.id))]
