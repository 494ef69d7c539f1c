"""The append-only event log and the operator settings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import delete, func, insert, select

from hoga.adapters.sql.schema import events, settings
from hoga.adapters.sql.trading import SqlSequenceRepository
from hoga.adapters.sql.tx import Tx
from hoga.ports.storage import EventRecord, JsonValue

__all__ = ["EVENT_SEQ", "SqlEventLog", "SqlSettingsRepository"]

EVENT_SEQ = "event"
_INSERT_EVENT = insert(events)


def _event(row: Any) -> EventRecord:
    return EventRecord(row.seq, row.at, row.kind, row.payload)


class SqlEventLog:
    def __init__(self, tx: Tx, seqs: SqlSequenceRepository) -> None:
        self._tx = tx
        self._seqs = seqs

    def append(self, at: int, kind: str, payload: str) -> EventRecord:
        record = EventRecord(self._seqs.allocate(EVENT_SEQ), at, kind, payload)
        self._tx.execute(
            _INSERT_EVENT, {"seq": record.seq, "at": at, "kind": kind, "payload": payload}
        )
        return record

    def read(
        self, after: int = 0, *, limit: int | None = None, kinds: Sequence[str] | None = None
    ) -> list[EventRecord]:
        stmt = select(events).where(events.c.seq > after)
        if kinds is not None:
            stmt = stmt.where(events.c.kind.in_(list(kinds)))
        stmt = stmt.order_by(events.c.seq).limit(limit)
        return [_event(r) for r in self._tx.execute(stmt)]

    def last_seq(self) -> int:
        value = self._tx.execute(select(func.max(events.c.seq))).scalar_one()
        return int(value or 0)


class SqlSettingsRepository:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def get(self, key: str) -> JsonValue | None:
        text = self._tx.execute(
            select(settings.c.value).where(settings.c.key == key)
        ).scalar_one_or_none()
        return None if text is None else cast(JsonValue, json.loads(text))

    def put(self, key: str, value: JsonValue) -> None:
        encoded = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        self._tx.upsert(settings, [{"key": key, "value": encoded}], ("key",))

    def delete(self, key: str) -> bool:
        return self._tx.execute(delete(settings).where(settings.c.key == key)).rowcount > 0

    def items(self) -> dict[str, JsonValue]:
        rows = self._tx.execute(select(settings).order_by(settings.c.key))
        return {r.key: cast(JsonValue, json.loads(r.value)) for r in rows}
