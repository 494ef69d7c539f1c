"""Incidents and the notices sent about them (see ``IncidentRepository`` in the storage port)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, or_, select, update

from hoga.adapters.sql.schema import incident_notices, incidents
from hoga.adapters.sql.trading import SqlSequenceRepository
from hoga.adapters.sql.tx import Tx
from hoga.domain.suspension import Cause, Evidence, Incident, Phase, Review, Sanction
from hoga.errors import NotFoundError
from hoga.ports.storage import NoticeRecord

__all__ = ["INCIDENT_SEQ", "NOTICE_SEQ", "SqlIncidentRepository"]

INCIDENT_SEQ = "incident"
NOTICE_SEQ = "incident_notice"
_OPEN = (Review.AWAITING.value, Review.SUBMITTED.value)


def _encode_evidence(ev: Evidence | None) -> str | None:
    if ev is None:
        return None
    doc = {
        "rule": ev.rule,
        "since": ev.since,
        "until": ev.until,
        "counters": [[k, v] for k, v in ev.counters],
        "samples": list(ev.samples),
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _decode_evidence(text: str | None) -> Evidence | None:
    if text is None:
        return None
    doc = json.loads(text)
    counters = tuple((str(k), int(v)) for k, v in doc["counters"])
    return Evidence(doc["rule"], doc["since"], doc["until"], counters, tuple(doc["samples"]))


def _row(i: Incident) -> dict[str, Any]:
    return {
        "id": i.id,
        "customer_id": i.customer_id,
        "cause": i.cause.value,
        "sanction": i.sanction.value,
        "opened_at": i.opened_at,
        "ends_at": i.ends_at,
        "deadline": i.deadline,
        "review": i.review.value,
        "phase": i.phase.value,
        "reason": i.reason,
        "evidence": _encode_evidence(i.evidence),
        "explanation": i.explanation,
        "explained_at": i.explained_at,
        "decided_at": i.decided_at,
        "ended_at": i.ended_at,
    }


def _incident(r: Any) -> Incident:
    return Incident(
        id=r.id,
        customer_id=r.customer_id,
        cause=Cause(r.cause),
        sanction=Sanction(r.sanction),
        opened_at=r.opened_at,
        ends_at=r.ends_at,
        deadline=r.deadline,
        review=Review(r.review),
        phase=Phase(r.phase),
        reason=r.reason,
        evidence=_decode_evidence(r.evidence),
        explanation=r.explanation,
        explained_at=r.explained_at,
        decided_at=r.decided_at,
        ended_at=r.ended_at,
    )


def _notice(r: Any) -> NoticeRecord:
    return NoticeRecord(
        r.id, r.at, r.customer_id, r.incident_id, r.kind, r.subject, r.body, r.channel
    )


class SqlIncidentRepository:
    def __init__(self, tx: Tx, seqs: SqlSequenceRepository) -> None:
        self._tx = tx
        self._seqs = seqs

    def allocate_id(self) -> int:
        return self._seqs.allocate(INCIDENT_SEQ)

    def add(self, incident: Incident) -> None:
        self._tx.execute(insert(incidents), _row(incident))

    def get(self, incident_id: int) -> Incident | None:
        row = self._tx.execute(select(incidents).where(incidents.c.id == incident_id)).first()
        return None if row is None else _incident(row)

    def update(self, incident: Incident) -> Incident:
        values = _row(incident)
        for kept in ("id", "customer_id", "cause", "opened_at"):
            del values[kept]
        stmt = update(incidents).where(incidents.c.id == incident.id).values(**values)
        if self._tx.execute(stmt).rowcount == 0:
            raise NotFoundError(f"incident {incident.id}")
        stored = self.get(incident.id)
        assert stored is not None
        return stored

    def by_customer(self, customer_id: str) -> list[Incident]:
        stmt = (
            select(incidents).where(incidents.c.customer_id == customer_id).order_by(incidents.c.id)
        )
        return [_incident(r) for r in self._tx.execute(stmt)]

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
        notice = NoticeRecord(
            self._seqs.allocate(NOTICE_SEQ),
            at,
            customer_id,
            incident_id,
            kind,
            subject,
            body,
            channel,
        )
        self._tx.execute(
            insert(incident_notices),
            {
                "id": notice.id,
                "at": at,
                "customer_id": customer_id,
                "incident_id": incident_id,
                "kind": kind,
                "subject": subject,
                "body": body,
                "channel": channel,
            },
        )
        return notice

    def notices(
        self, *, customer_id: str | None = None, incident_id: int | None = None
    ) -> list[NoticeRecord]:
        stmt = select(incident_notices)
        if customer_id is not None:
            stmt = stmt.where(incident_notices.c.customer_id == customer_id)
        if incident_id is not None:
            stmt = stmt.where(incident_notices.c.incident_id == incident_id)
        rows = self._tx.execute(stmt.order_by(incident_notices.c.id))
        return [_notice(r) for r in rows]

    def list(self, *, open_only: bool = False) -> list[Incident]:
        stmt = select(incidents)
        if open_only:
            stmt = stmt.where(
                or_(incidents.c.phase == Phase.IN_FORCE.value, incidents.c.review.in_(_OPEN))
            )
        return [_incident(r) for r in self._tx.execute(stmt.order_by(incidents.c.id))]
