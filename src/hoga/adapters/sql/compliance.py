"""Terms versions and consents, disputes, onboarding applications, assistant opt-ins and the
compliance log (see ``ComplianceRepository`` in the storage port)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from sqlalchemy import func, insert, select, update

from hoga.adapters.sql.schema import (
    compliance_cases,
    compliance_log,
    customer_options,
    onboarding_applications,
    terms_consents,
    terms_versions,
)
from hoga.adapters.sql.trading import SqlSequenceRepository
from hoga.adapters.sql.tx import Tx
from hoga.domain.disputes import Case, Kind, Milestone, State
from hoga.domain.terms import Action, Consent, TermsVersion
from hoga.errors import NotFoundError
from hoga.ports.storage import ApplicationRecord, ComplianceLogRecord

__all__ = ["SqlComplianceRepository"]

_TERMS_SEQ = "terms_version"
_CONSENT_SEQ = "terms_consent"
_CASE_SEQ = "compliance_case"
_APPLICATION_SEQ = "onboarding_application"
_LOG_SEQ = "compliance_log"
_APP_MUTABLE = (
    "status",
    "reason",
    "detail",
    "decided_at",
    "customer_id",
    "appeal",
    "appealed_at",
    "note",
)
_APP_FIELDS = tuple(f.name for f in dataclasses.fields(ApplicationRecord))


def _terms(r: Any) -> TermsVersion:
    return TermsVersion(
        r.id,
        r.version,
        r.title,
        r.body,
        r.published_at,
        r.effective_at,
        urgent=bool(r.urgent),
        sample=bool(r.sample),
    )


def _case_row(c: Case) -> dict[str, Any]:
    return {
        "id": c.id,
        "customer_id": c.customer_id,
        "kind": c.kind.value,
        "subject": c.subject,
        "body": c.body,
        "filed_at": c.filed_at,
        "deadline": c.deadline,
        "schedule": json.dumps([[at, m.value] for at, m in c.schedule], separators=(",", ":")),
        "state": c.state.value,
        "reached": c.reached,
        "answer": c.answer,
        "answered_at": c.answered_at,
        "escalated_at": c.escalated_at,
        "closed_at": c.closed_at,
    }


def _case(r: Any) -> Case:
    marks = tuple((int(at), Milestone(m)) for at, m in json.loads(r.schedule))
    return Case(
        r.id,
        r.customer_id,
        Kind(r.kind),
        r.subject,
        r.body,
        r.filed_at,
        r.deadline,
        marks,
        state=State(r.state),
        reached=r.reached,
        answer=r.answer,
        answered_at=r.answered_at,
        escalated_at=r.escalated_at,
        closed_at=r.closed_at,
    )


def _application(r: Any) -> ApplicationRecord:
    values = {name: getattr(r, name) for name in _APP_FIELDS}
    values["ai_assistant"] = bool(values["ai_assistant"])
    return ApplicationRecord(**values)


def _log(r: Any) -> ComplianceLogRecord:
    return ComplianceLogRecord(
        r.id, r.at, r.topic, r.ref, r.customer_id, r.event, r.detail, r.channel
    )


class SqlComplianceRepository:
    def __init__(self, tx: Tx, seqs: SqlSequenceRepository) -> None:
        self._tx = tx
        self._seqs = seqs

    # -- terms --

    def allocate_terms_id(self) -> int:
        return self._seqs.allocate(_TERMS_SEQ)

    def add_terms(self, version: TermsVersion) -> None:
        self._tx.execute(
            insert(terms_versions),
            {
                "id": version.id,
                "version": version.version,
                "title": version.title,
                "body": version.body,
                "published_at": version.published_at,
                "effective_at": version.effective_at,
                "urgent": version.urgent,
                "sample": version.sample,
            },
        )

    def terms_versions(self) -> list[TermsVersion]:
        stmt = select(terms_versions).order_by(terms_versions.c.effective_at, terms_versions.c.id)
        return [_terms(r) for r in self._tx.execute(stmt)]

    def add_consent(self, consent: Consent) -> None:
        self._tx.execute(
            insert(terms_consents),
            {
                "seq": self._seqs.allocate(_CONSENT_SEQ),
                "customer_id": consent.customer_id,
                "version_id": consent.version_id,
                "action": consent.action.value,
                "at": consent.at,
            },
        )

    def consents(
        self, *, customer_id: str | None = None, version_id: int | None = None
    ) -> list[Consent]:
        stmt = select(terms_consents)
        if customer_id is not None:
            stmt = stmt.where(terms_consents.c.customer_id == customer_id)
        if version_id is not None:
            stmt = stmt.where(terms_consents.c.version_id == version_id)
        rows = self._tx.execute(stmt.order_by(terms_consents.c.seq))
        return [Consent(r.customer_id, r.version_id, Action(r.action), r.at) for r in rows]

    # -- disputes and objections --

    def allocate_case_id(self) -> int:
        return self._seqs.allocate(_CASE_SEQ)

    def add_case(self, case: Case) -> None:
        self._tx.execute(insert(compliance_cases), _case_row(case))

    def get_case(self, case_id: int) -> Case | None:
        stmt = select(compliance_cases).where(compliance_cases.c.id == case_id)
        row = self._tx.execute(stmt).first()
        return None if row is None else _case(row)

    def update_case(self, case: Case) -> Case:
        values = _case_row(case)
        for kept in ("id", "customer_id", "kind", "subject", "body", "filed_at", "deadline"):
            del values[kept]
        del values["schedule"]
        stmt = update(compliance_cases).where(compliance_cases.c.id == case.id).values(**values)
        if self._tx.execute(stmt).rowcount == 0:
            raise NotFoundError(f"case {case.id}")
        stored = self.get_case(case.id)
        assert stored is not None
        return stored

    def cases(self, *, customer_id: str | None = None, open_only: bool = False) -> list[Case]:
        stmt = select(compliance_cases)
        if customer_id is not None:
            stmt = stmt.where(compliance_cases.c.customer_id == customer_id)
        if open_only:
            stmt = stmt.where(compliance_cases.c.state == State.OPEN.value)
        return [_case(r) for r in self._tx.execute(stmt.order_by(compliance_cases.c.id))]

    # -- onboarding --

    def allocate_application_id(self) -> int:
        return self._seqs.allocate(_APPLICATION_SEQ)

    def add_application(self, application: ApplicationRecord) -> None:
        self._tx.execute(insert(onboarding_applications), dataclasses.asdict(application))

    def get_application(self, application_id: int) -> ApplicationRecord | None:
        stmt = select(onboarding_applications).where(onboarding_applications.c.id == application_id)
        row = self._tx.execute(stmt).first()
        return None if row is None else _application(row)

    def application_by_token(self, token_hash: str) -> ApplicationRecord | None:
        stmt = select(onboarding_applications).where(
            onboarding_applications.c.token_hash == token_hash
        )
        row = self._tx.execute(stmt).first()
        return None if row is None else _application(row)

    def update_application(self, application: ApplicationRecord) -> ApplicationRecord:
        values = {k: getattr(application, k) for k in _APP_MUTABLE}
        stmt = (
            update(onboarding_applications)
            .where(onboarding_applications.c.id == application.id)
            .values(**values)
        )
        if self._tx.execute(stmt).rowcount == 0:
            raise NotFoundError(f"application {application.id}")
        stored = self.get_application(application.id)
        assert stored is not None
        return stored

    def applications(self, *, status: str | None = None) -> list[ApplicationRecord]:
        stmt = select(onboarding_applications)
        if status is not None:
            stmt = stmt.where(onboarding_applications.c.status == status)
        rows = self._tx.execute(stmt.order_by(onboarding_applications.c.id))
        return [_application(r) for r in rows]

    def applications_since(self, client_ip: str, since: int) -> int:
        t = onboarding_applications
        stmt = select(func.count()).where(t.c.client_ip == client_ip, t.c.submitted_at >= since)
        return int(self._tx.execute(stmt).scalar_one())

    # -- AI assistant opt-in --

    def set_assistant(self, customer_id: str, enabled: bool, at: int) -> None:
        row = {"customer_id": customer_id, "ai_assistant": enabled, "updated_at": at}
        self._tx.upsert(customer_options, [row], ["customer_id"])

    def assistant(self, customer_id: str) -> bool | None:
        stmt = select(customer_options.c.ai_assistant).where(
            customer_options.c.customer_id == customer_id
        )
        row = self._tx.execute(stmt).first()
        return None if row is None else bool(row[0])

    # -- log --

    def append_log(
        self,
        at: int,
        topic: str,
        ref: str,
        customer_id: str | None,
        event: str,
        detail: str,
        channel: str = "",
    ) -> ComplianceLogRecord:
        rec = ComplianceLogRecord(
            self._seqs.allocate(_LOG_SEQ), at, topic, ref, customer_id, event, detail, channel
        )
        self._tx.execute(insert(compliance_log), dataclasses.asdict(rec))
        return rec

    def log(
        self,
        *,
        topic: str | None = None,
        ref: str | None = None,
        customer_id: str | None = None,
    ) -> list[ComplianceLogRecord]:
        stmt = select(compliance_log)
        if topic is not None:
            stmt = stmt.where(compliance_log.c.topic == topic)
        if ref is not None:
            stmt = stmt.where(compliance_log.c.ref == ref)
        if customer_id is not None:
            stmt = stmt.where(compliance_log.c.customer_id == customer_id)
        return [_log(r) for r in self._tx.execute(stmt.order_by(compliance_log.c.id))]
