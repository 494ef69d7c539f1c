"""Storage port, compliance: onboarding applications, the compliance log, terms and disputes, and
the hash-chained record log with its proofs (contract in :mod:`hoga.ports.storage`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from hoga.domain.disputes import Case
from hoga.domain.records import Record
from hoga.domain.terms import Consent, TermsVersion
from hoga.ports.storage_ops import NoticeRecord

if TYPE_CHECKING:
    from hoga.ports.storage import JournalEntry

__all__ = [
    "ApplicationRecord",
    "ComplianceLogRecord",
    "ComplianceRepository",
    "RecordLog",
    "RecordProof",
]


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    """An application for the Open API service (terms art. 6, 7), made before the applicant
    holds any key. ``token_hash`` is the SHA-256 hex of the applicant's application token (the
    only way to read or appeal it). ``status`` is owned by the onboarding service (``issued``,
    ``refused``, ``appealed``, ``approved``, ``appeal_rejected``); ``reason`` is a stable code
    and ``detail`` the Korean text of a refusal. Only the last 4 digits of the phone number are
    kept. ``customer_id`` is set once keys were issued."""

    id: int
    token_hash: str
    client_ip: str
    name: str
    birth_date: str
    phone_tail: str
    held_account: str
    env: str
    ai_assistant: bool
    terms_version_id: int
    status: str
    reason: str
    detail: str
    submitted_at: int
    decided_at: int | None = None
    customer_id: str | None = None
    appeal: str = ""
    appealed_at: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class ComplianceLogRecord:
    """One step of a compliance workflow or a notice sent about it, appended and never changed.
    ``topic`` is ``"terms"``, ``"case"``, ``"application"`` or ``"assistant"``; ``ref`` names the
    subject (a version label, a case or application id); ``channel`` is where a notice went
    (``""`` for a step that is not a notice). ``id`` is gap-free from 1."""

    id: int
    at: int
    topic: str
    ref: str
    customer_id: str | None
    event: str
    detail: str
    channel: str = ""


class ComplianceRepository(Protocol):
    """Terms versions and consents (:mod:`hoga.domain.terms`), disputes and objections
    (:mod:`hoga.domain.disputes`), onboarding applications, the AI-assistant opt-in of
    customers, and the compliance log. Ids come from the ``allocate_*`` methods (sequences
    ``"terms_version"``, ``"compliance_case"``, ``"onboarding_application"``)."""

    def allocate_terms_id(self) -> int: ...

    def add_terms(self, version: TermsVersion) -> None:
        """Insert; a duplicate id or label raises StorageError."""
        ...

    def terms_versions(self) -> list[TermsVersion]:
        """Every version, ordered by effective instant then id."""
        ...

    def add_consent(self, consent: Consent) -> None:
        """Append; the customer and the version must exist (StorageError otherwise)."""
        ...

    def consents(
        self, *, customer_id: str | None = None, version_id: int | None = None
    ) -> list[Consent]:
        """Consents (of one customer and/or version if given), in the order appended."""
        ...

    def allocate_case_id(self) -> int: ...

    def add_case(self, case: Case) -> None:
        """Insert; a duplicate id or an unknown customer raises StorageError."""
        ...

    def get_case(self, case_id: int) -> Case | None: ...

    def update_case(self, case: Case) -> Case:
        """Replace the stored case of ``case.id`` (NotFoundError if missing); customer, kind,
        subject, body, filing time, deadline and schedule are kept as first stored."""
        ...

    def cases(self, *, customer_id: str | None = None, open_only: bool = False) -> list[Case]:
        """Cases (of one customer; ``open_only``: state ``open``), ordered by id."""
        ...

    def allocate_application_id(self) -> int: ...

    def add_application(self, application: ApplicationRecord) -> None:
        """Insert; a duplicate id or token hash raises StorageError."""
        ...

    def get_application(self, application_id: int) -> ApplicationRecord | None: ...

    def application_by_token(self, token_hash: str) -> ApplicationRecord | None: ...

    def update_application(self, application: ApplicationRecord) -> ApplicationRecord:
        """Replace the mutable fields (status, reason, detail, decided_at, customer_id, appeal,
        appealed_at, note) of ``application.id``; NotFoundError if missing."""
        ...

    def applications(self, *, status: str | None = None) -> list[ApplicationRecord]:
        """Applications (in one status if given), ordered by id."""
        ...

    def applications_since(self, client_ip: str, since: int) -> int:
        """How many applications came from ``client_ip`` at or after ``since``."""
        ...

    def set_assistant(self, customer_id: str, enabled: bool, at: int) -> None:
        """Store the customer's AI-assistant opt-in (insert or replace; customer must exist)."""
        ...

    def assistant(self, customer_id: str) -> bool | None:
        """The customer's AI-assistant opt-in (None: never set)."""
        ...

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
        """Append with the next id (the ``"compliance_log"`` sequence)."""
        ...

    def log(
        self,
        *,
        topic: str | None = None,
        ref: str | None = None,
        customer_id: str | None = None,
    ) -> list[ComplianceLogRecord]:
        """Log rows (filtered by each given field), ordered by id."""
        ...


@dataclass(frozen=True, slots=True)
class RecordProof:
    """A signed document about the record log (:mod:`hoga.engine.records`): a daily
    ``checkpoint`` (``label`` = the KST day it closes) or a ``purge`` proof. ``body`` is the
    canonical JSON that ``signature`` (hex Ed25519, ``""`` when unsigned) signs; ``last_seq``
    the last record it covers. ``id`` is drawn by the repository (gap-free from 1)."""

    id: int
    kind: str
    label: str
    at: int
    last_seq: int
    body: str
    signature: str


class RecordLog(Protocol):
    """The append-only record chain of :mod:`hoga.domain.records` (rows are
    :class:`~hoga.domain.records.Record`), its proofs, and read-only tails of the tables it
    chains (journal entries, incident notices). Rows are changed only by :meth:`shred` and
    removed only by :meth:`delete_through` (retention); verification finds anything else."""

    def lock(self) -> None:
        """Serialize appenders until the unit of work ends (PostgreSQL: an advisory lock;
        SQLite units of work already hold the write lock)."""
        ...

    def append(self, records: Sequence[Record]) -> None:
        """Insert sealed records (a duplicate seq raises StorageError)."""
        ...

    def last(self) -> Record | None:
        """The record with the highest seq."""
        ...

    def get(self, seq: int) -> Record | None: ...

    def read(
        self, after: int = 0, *, through: int | None = None, limit: int | None = None
    ) -> list[Record]:
        """Records with ``after < seq <= through``, ordered by seq, at most ``limit``."""
        ...

    def hashes(self, after: int, through: int, limit: int) -> list[tuple[int, str]]:
        """``(seq, hash)`` of the records with ``after < seq <= through``, ordered by seq, at
        most ``limit`` (what a checkpoint's Merkle root needs, without whole records)."""
        ...

    def by_customer(
        self, customer_id: str, *, since: int | None = None, until: int | None = None
    ) -> list[Record]:
        """The customer's records with ``since <= at < until``, ordered by seq."""
        ...

    def shred(self, seqs: Sequence[int]) -> int:
        """Blank customer, payload and salt of these records; return how many."""
        ...

    def delete_through(self, seq: int) -> int:
        """Delete every record with ``seq <= seq``; return how many."""
        ...

    def add_proof(
        self, kind: str, label: str, at: int, last_seq: int, body: str, signature: str
    ) -> RecordProof:
        """Append a proof with the next id (the ``"record_proof"`` sequence)."""
        ...

    def proofs(self, kind: str | None = None) -> list[RecordProof]:
        """Proofs (of one kind if given), ordered by id."""
        ...

    def journal_after(self, entry_id: int, limit: int) -> list[JournalEntry]:
        """Journal entries of every account with ``entry_id`` greater, by entry id."""
        ...

    def notices_after(self, notice_id: int, limit: int) -> list[NoticeRecord]:
        """Incident notices with a greater id, by id."""
        ...
