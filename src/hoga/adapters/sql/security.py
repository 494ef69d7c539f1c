"""Key access settings, secret rotation, token origins, throttle state and the security record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from hoga.adapters.sql.identity import identity_changed
from hoga.adapters.sql.schema import (
    api_keys,
    auth_throttle,
    key_access,
    security_log,
    token_origins,
)
from hoga.adapters.sql.trading import SqlSequenceRepository
from hoga.adapters.sql.tx import Tx
from hoga.errors import NotFoundError
from hoga.ports.storage import (
    ApiKeyRecord,
    AuthThrottleRecord,
    KeyAccessRecord,
    SecurityRecord,
)

__all__ = ["SECURITY_SEQ", "SqlKeySecurityRepository", "SqlSecurityLog"]

SECURITY_SEQ = "security_log"
_GET_ACCESS = select(key_access).where(key_access.c.appkey == bindparam("key"))  # built once


def _throttle(row: Any) -> AuthThrottleRecord:
    return AuthThrottleRecord(
        row.scope, row.failures, row.window_start, row.locked_until, row.level, row.last_failure
    )


def _record(row: Any) -> SecurityRecord:
    return SecurityRecord(
        row.seq,
        row.at,
        row.actor_kind,
        row.actor_id,
        row.appkey,
        row.client_ip,
        row.action,
        row.outcome,
        row.detail,
    )


class SqlKeySecurityRepository:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def access(self, appkey: str) -> KeyAccessRecord | None:
        row = self._tx.execute(_GET_ACCESS, {"key": appkey}).first()
        if row is None:
            return None
        ips = tuple(row.allowed_ips.split())
        return KeyAccessRecord(row.appkey, ips, bool(row.bind_token_ip), row.updated_at)

    def set_access(self, record: KeyAccessRecord) -> None:
        values = {
            "appkey": record.appkey,
            "allowed_ips": " ".join(record.allowed_ips),
            "bind_token_ip": record.bind_token_ip,
            "updated_at": record.updated_at,
        }
        self._tx.upsert(key_access, [values], ("appkey",))
        identity_changed(self._tx)  # cached identities carry the access settings

    def set_secret_hash(self, appkey: str, secret_hash: str) -> ApiKeyRecord:
        stmt = (
            update(api_keys)
            .where(api_keys.c.appkey == appkey)
            .values(secret_hash=secret_hash)
            .returning(*api_keys.c)
        )
        row = self._tx.execute(stmt).first()
        if row is None:
            raise NotFoundError(f"api key {appkey!r}")
        return ApiKeyRecord(
            row.appkey, row.secret_hash, row.customer_id, row.env, row.created_at, row.revoked_at
        )

    def bind_token(self, token_hash: str, client_ip: str, expires_at: int) -> None:
        values = {"token_hash": token_hash, "client_ip": client_ip, "expires_at": expires_at}
        self._tx.upsert(token_origins, [values], ("token_hash",))

    def token_ip(self, token_hash: str) -> str | None:
        stmt = select(token_origins.c.client_ip).where(token_origins.c.token_hash == token_hash)
        value = self._tx.execute(stmt).scalar_one_or_none()
        return None if value is None else str(value)

    def delete_bindings(self, before: int) -> int:
        stmt = delete(token_origins).where(token_origins.c.expires_at < before)
        return self._tx.execute(stmt).rowcount

    def throttle(self, scope: str) -> AuthThrottleRecord | None:
        row = self._tx.execute(select(auth_throttle).where(auth_throttle.c.scope == scope)).first()
        return None if row is None else _throttle(row)

    def put_throttle(self, record: AuthThrottleRecord) -> None:
        values = {
            "scope": record.scope,
            "failures": record.failures,
            "window_start": record.window_start,
            "locked_until": record.locked_until,
            "level": record.level,
            "last_failure": record.last_failure,
        }
        self._tx.upsert(auth_throttle, [values], ("scope",))

    def clear_throttle(self, scope: str) -> bool:
        stmt = delete(auth_throttle).where(auth_throttle.c.scope == scope)
        return self._tx.execute(stmt).rowcount > 0


class SqlSecurityLog:
    def __init__(self, tx: Tx, seqs: SqlSequenceRepository) -> None:
        self._tx = tx
        self._seqs = seqs

    def append(
        self,
        at: int,
        actor_kind: str,
        actor_id: str,
        appkey: str,
        client_ip: str,
        action: str,
        outcome: str,
        detail: str,
    ) -> SecurityRecord:
        record = SecurityRecord(
            self._seqs.allocate(SECURITY_SEQ),
            at,
            actor_kind,
            actor_id,
            appkey,
            client_ip,
            action,
            outcome,
            detail,
        )
        self._tx.execute(
            insert(security_log),
            {
                "seq": record.seq,
                "at": at,
                "actor_kind": actor_kind,
                "actor_id": actor_id,
                "appkey": appkey,
                "client_ip": client_ip,
                "action": action,
                "outcome": outcome,
                "detail": detail,
            },
        )
        return record

    def read(
        self,
        after: int = 0,
        *,
        limit: int | None = None,
        appkey: str | None = None,
        actor_id: str | None = None,
    ) -> list[SecurityRecord]:
        stmt = select(security_log).where(security_log.c.seq > after)
        if appkey is not None:
            stmt = stmt.where(security_log.c.appkey == appkey)
        if actor_id is not None:
            stmt = stmt.where(security_log.c.actor_id == actor_id)
        stmt = stmt.order_by(security_log.c.seq).limit(limit)
        return [_record(r) for r in self._tx.execute(stmt)]
