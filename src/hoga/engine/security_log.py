"""The security record and the brute-force throttle (terms art. 17: audit of every access).

**Records.** Every authentication failure (token issue / revoke with bad credentials, a refused
address, a dead token) and every action on access media by an operator or a customer (customer
created, key added / rotated / revoked, access settings changed) appends one row to the
``security_log`` repository: when (``at``, *wall* time in epoch µs — the real moment, not the
simulated market clock), who (:class:`Actor`: ``customer`` with its id, ``operator`` with its
name, or ``anonymous``), the app key concerned, the client address, the action, the outcome
(``ok`` / ``refused``) and a detail. Rows are only appended; a later issue chains them by hash.
Secrets and tokens never appear in a record.

**Throttle.** Failed secret checks are counted per app key and per client address
(:class:`ThrottlePolicy`, durable in ``key_security`` so every server process sees the same
counts). After ``max_failures`` failures within ``window_us`` the scope is locked for
``base_lock_us``, doubling with each further lockout up to ``max_lock_us``; while either scope of
an attempt is locked, au10001 / au10002 answer 8002 (실패사유: how long to wait) **without
checking the secret** (no scrypt run). Attempts refused during a lockout are recorded but do not
extend it. A correct secret clears the key's count (not the address's: one good key must not
launder guesses at others); a scope untouched for ``forget_us`` starts afresh. Unknown app keys
count only against the address, so strangers cannot create state for arbitrary key names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hoga.ports.clock import Clock
from hoga.ports.storage import AuthThrottleRecord, SecurityRecord, Storage, UnitOfWork

__all__ = [
    "ANONYMOUS",
    "OK",
    "REFUSED",
    "Action",
    "Actor",
    "SecurityLog",
    "ThrottlePolicy",
    "address_scope",
    "key_scope",
    "record",
]

OK = "ok"
REFUSED = "refused"


class Action(enum.StrEnum):
    TOKEN_ISSUE = "token.issue"  # au10001
    TOKEN_REVOKE = "token.revoke"  # au10002
    TOKEN_USE = "token.use"  # a call with a bearer token
    CUSTOMER_CREATE = "customer.create"
    KEY_ADD = "key.add"
    KEY_ROTATE = "key.rotate"
    KEY_REVOKE = "key.revoke"
    KEY_ACCESS = "key.access"  # allow-list / token binding changed
    KEY_LIST = "key.list"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted: ``kind`` is ``customer`` / ``operator`` / ``anonymous``; ``ip`` where from."""

    kind: str
    id: str = ""
    ip: str = ""

    @classmethod
    def customer(cls, customer_id: str, ip: str = "") -> Actor:
        return cls("customer", customer_id, ip)

    @classmethod
    def operator(cls, name: str, ip: str = "") -> Actor:
        return cls("operator", name, ip)

    @classmethod
    def anonymous(cls, ip: str = "") -> Actor:
        return cls("anonymous", "", ip)


ANONYMOUS = Actor.anonymous()


def record(
    uow: UnitOfWork,
    at: int,
    actor: Actor,
    action: Action,
    outcome: str,
    *,
    appkey: str = "",
    detail: str = "",
) -> SecurityRecord:
    """Append one record in ``uow`` (so it commits with the change it describes)."""
    return uow.security_log.append(
        at, actor.kind, actor.id, appkey, actor.ip, str(action), outcome, detail
    )


class SecurityLog:
    """Records in their own unit of work, timed by ``wall``; and reading them back."""

    def __init__(self, storage: Storage, wall: Clock) -> None:
        self._storage = storage
        self._wall = wall

    def record(
        self, actor: Actor, action: Action, outcome: str, *, appkey: str = "", detail: str = ""
    ) -> SecurityRecord:
        with self._storage.unit_of_work() as uow:
            return record(
                uow, self._wall.now(), actor, action, outcome, appkey=appkey, detail=detail
            )

    def read(
        self,
        after: int = 0,
        *,
        limit: int | None = None,
        appkey: str | None = None,
        actor_id: str | None = None,
    ) -> list[SecurityRecord]:
        with self._storage.unit_of_work() as uow:
            return uow.security_log.read(after, limit=limit, appkey=appkey, actor_id=actor_id)


def key_scope(appkey: str) -> str:
    return f"appkey:{appkey}"


def address_scope(client_ip: str) -> str:
    return f"ip:{client_ip or '?'}"


_MINUTE = 60 * 1_000_000


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """Back-off after repeated failures (see the module docstring). ``max_failures`` 0: off."""

    max_failures: int = 5
    window_us: int = 15 * _MINUTE
    base_lock_us: int = _MINUTE
    max_lock_us: int = 60 * _MINUTE
    forget_us: int = 24 * 60 * _MINUTE

    def locked_for(self, state: AuthThrottleRecord | None, now: int) -> int:
        """µs until ``state`` admits attempts again (0: now)."""
        if state is None or self.max_failures <= 0:
            return 0
        return max(0, state.locked_until - now)

    def after_failure(
        self, scope: str, state: AuthThrottleRecord | None, now: int
    ) -> AuthThrottleRecord:
        """The state of ``scope`` after one more failure at ``now``."""
        if state is None or now - state.last_failure >= self.forget_us:
            state = AuthThrottleRecord(scope, 0, now, 0, 0, now)
        failures, start = state.failures, state.window_start
        if now - start >= self.window_us:
            failures, start = 0, now
        failures += 1
        if self.max_failures <= 0 or failures < self.max_failures:
            return AuthThrottleRecord(scope, failures, start, state.locked_until, state.level, now)
        lock = min(self.base_lock_us << min(state.level, 32), self.max_lock_us)
        return AuthThrottleRecord(scope, 0, now, now + lock, state.level + 1, now)
