"""The hash-chained record log (terms art. 14), its proofs, and tails of the chained tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import and_, delete, insert, select, text, update

from hoga.adapters.sql.ledger import grouped_entries
from hoga.adapters.sql.schema import (
    incident_notices,
    record_customer_days,
    record_log,
    record_proofs,
)
from hoga.adapters.sql.trading import SqlSequenceRepository
from hoga.adapters.sql.tx import Tx, window
from hoga.domain.records import Record
from hoga.ports.storage import JournalEntry, NoticeRecord, RecordProof

__all__ = ["PROOF_SEQ", "SqlRecordLog"]

PROOF_SEQ = "record_proof"
_PG_RECORDS_LOCK = 0x686F6772  # "hogr": one appender at a time on PostgreSQL
_FIELDS = Record._fields  # a Record is the row itself, in column order
_INSERT_HEAD = f"INSERT INTO record_log ({', '.join(_FIELDS)})"
_DAYS_HEAD = "INSERT INTO record_customer_days (customer_id, day, first_seq, last_seq)"
_DAYS_TAIL = (
    " ON CONFLICT (customer_id, day) DO UPDATE SET"
    " first_seq = CASE WHEN excluded.first_seq < record_customer_days.first_seq"
    " THEN excluded.first_seq ELSE record_customer_days.first_seq END,"
    " last_seq = CASE WHEN excluded.last_seq > record_customer_days.last_seq"
    " THEN excluded.last_seq ELSE record_customer_days.last_seq END"
)
_KST_US = 9 * 3_600_000_000
_DAY_US = 86_400_000_000
# the journal's next entries with their lines, in entry and line order (one driver statement:
# the tail runs after every flush)
_JOURNAL_AFTER = (
    "SELECT e.entry_id, e.at, e.account, e.ref, l.asset, l.book, l.amount"
    " FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.entry_id"
    " WHERE e.entry_id IN"
    " (SELECT entry_id FROM journal_entries WHERE entry_id > ? ORDER BY entry_id LIMIT ?)"
    " ORDER BY e.entry_id, l.line_no"
)
_HASHES = "SELECT seq, hash FROM record_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?"


def _record(row: Any) -> Record:
    return Record(
        row.seq,
        row.at,
        row.kind,
        row.customer_id,
        row.payload,
        row.ref,
        row.salt,
        row.digest,
        row.prev_hash,
        row.hash,
    )


def _proof(row: Any) -> RecordProof:
    return RecordProof(row.id, row.kind, row.label, row.at, row.last_seq, row.body, row.signature)


class SqlRecordLog:
    def __init__(self, tx: Tx, seqs: SqlSequenceRepository) -> None:
        self._tx = tx
        self._seqs = seqs

    def lock(self) -> None:
        if self._tx.dialect == "postgresql":
            self._tx.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_RECORDS_LOCK})

    def append(self, records: Sequence[Record]) -> None:
        # straight to the driver, many rows per statement (SQLAlchemy's per-row work cost more
        # than the row; an executemany would step, and release the GIL, once per row)
        self._tx.insert_rows(_INSERT_HEAD, len(_FIELDS), records)
        spans: dict[tuple[str, int], list[int]] = {}  # (customer, KST day) -> [first, last]
        for r in records:
            if r.customer_id:
                key = (r.customer_id, (r.at + _KST_US) // _DAY_US)
                span = spans.get(key)
                if span is None:
                    spans[key] = [r.seq, r.seq]
                elif r.seq > span[1]:
                    span[1] = r.seq
                elif r.seq < span[0]:
                    span[0] = r.seq
        rows = [(c, d, first, last) for (c, d), (first, last) in spans.items()]
        self._tx.insert_rows(_DAYS_HEAD, 4, rows, _DAYS_TAIL)

    def last(self) -> Record | None:
        stmt = select(record_log).order_by(record_log.c.seq.desc()).limit(1)
        row = self._tx.execute(stmt).first()
        return None if row is None else _record(row)

    def get(self, seq: int) -> Record | None:
        row = self._tx.execute(select(record_log).where(record_log.c.seq == seq)).first()
        return None if row is None else _record(row)

    def read(
        self, after: int = 0, *, through: int | None = None, limit: int | None = None
    ) -> list[Record]:
        stmt = select(record_log).where(record_log.c.seq > after)
        if through is not None:
            stmt = stmt.where(record_log.c.seq <= through)
        stmt = stmt.order_by(record_log.c.seq).limit(limit)
        return [_record(r) for r in self._tx.execute(stmt)]

    def hashes(self, after: int, through: int, limit: int) -> list[tuple[int, str]]:
        # driver level, rows as the driver returns them (integer, text): a checkpoint reads a
        # whole day of hashes
        return cast(list[tuple[int, str]], self._tx.query(_HASHES, [after, through, limit]))

    def by_customer(
        self, customer_id: str, *, since: int | None = None, until: int | None = None
    ) -> list[Record]:
        d = record_customer_days.c
        days = select(d.first_seq, d.last_seq).where(d.customer_id == customer_id)
        if since is not None:
            days = days.where(d.day >= (since + _KST_US) // _DAY_US)
        if until is not None:
            days = days.where(d.day <= (until - 1 + _KST_US) // _DAY_US)
        merged: list[list[int]] = []  # the days' seq ranges, overlapping ones joined
        for first, last in sorted((int(r[0]), int(r[1])) for r in self._tx.execute(days)):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        c = record_log.c
        out: list[Record] = []
        for first, last in merged:
            stmt = (
                select(record_log)
                .where(
                    and_(
                        c.seq >= first,
                        c.seq <= last,
                        c.customer_id == customer_id,
                        window(c.at, since, until),
                    )
                )
                .order_by(c.seq)
            )
            out.extend(_record(r) for r in self._tx.execute(stmt))
        return out

    def shred(self, seqs: Sequence[int]) -> int:
        if not seqs:
            return 0
        stmt = (
            update(record_log)
            .where(record_log.c.seq.in_(list(seqs)))
            .values(customer_id="", payload="", salt="")
        )
        return self._tx.execute(stmt).rowcount

    def delete_through(self, seq: int) -> int:
        days = record_customer_days
        self._tx.execute(delete(days).where(days.c.last_seq <= seq))
        return self._tx.execute(delete(record_log).where(record_log.c.seq <= seq)).rowcount

    def add_proof(
        self, kind: str, label: str, at: int, last_seq: int, body: str, signature: str
    ) -> RecordProof:
        proof = RecordProof(
            self._seqs.allocate(PROOF_SEQ), kind, label, at, last_seq, body, signature
        )
        values = {f: getattr(proof, f) for f in RecordProof.__dataclass_fields__}
        self._tx.execute(insert(record_proofs), values)
        return proof

    def proofs(self, kind: str | None = None) -> list[RecordProof]:
        stmt = select(record_proofs)
        if kind is not None:
            stmt = stmt.where(record_proofs.c.kind == kind)
        return [_proof(r) for r in self._tx.execute(stmt.order_by(record_proofs.c.id))]

    def journal_after(self, entry_id: int, limit: int) -> list[JournalEntry]:
        return grouped_entries(self._tx.query(_JOURNAL_AFTER, [entry_id, limit]))

    def notices_after(self, notice_id: int, limit: int) -> list[NoticeRecord]:
        n = incident_notices.c
        stmt = select(incident_notices).where(n.id > notice_id).order_by(n.id).limit(limit)
        return [
            NoticeRecord(
                r.id, r.at, r.customer_id, r.incident_id, r.kind, r.subject, r.body, r.channel
            )
            for r in self._tx.execute(stmt)
        ]
