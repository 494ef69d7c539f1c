"""Storage port, access security: app-key access settings, the brute-force throttle and the
append-only security record (see :mod:`hoga.ports.storage` for the contract)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from hoga.ports.storage import ApiKeyRecord

__all__ = [
    "AuthThrottleRecord",
    "KeyAccessRecord",
    "KeySecurityRepository",
    "SecurityLogRepository",
    "SecurityRecord",
]


@dataclass(frozen=True, slots=True)
class KeyAccessRecord:
    """Access settings of an app key: the networks it may be used from (``allowed_ips``,
    normalized CIDR strings such as ``"203.0.113.7/32"`` or ``"2001:db8::/48"``; empty means
    anywhere) and whether a token only works from the IP it was issued to (``bind_token_ip``)."""

    appkey: str
    allowed_ips: tuple[str, ...]
    bind_token_ip: bool
    updated_at: int


@dataclass(frozen=True, slots=True)
class AuthThrottleRecord:
    """Failed-authentication state of one ``scope`` (``"appkey:<key>"`` or ``"ip:<address>"``):
    ``failures`` counted since ``window_start``, refusals until ``locked_until`` (0: none),
    ``level`` lockouts so far (the next lasts longer), ``last_failure``. Times are epoch µs."""

    scope: str
    failures: int
    window_start: int
    locked_until: int
    level: int
    last_failure: int


@dataclass(frozen=True, slots=True)
class SecurityRecord:
    """One security-relevant fact, appended and never changed: an authentication failure or an
    operator / customer action on access media. ``seq`` is gap-free from 1; ``actor_kind`` is
    ``"customer"``, ``"operator"`` or ``"anonymous"``; ``outcome`` ``"ok"`` or ``"refused"``."""

    seq: int
    at: int
    actor_kind: str
    actor_id: str
    appkey: str
    client_ip: str
    action: str
    outcome: str
    detail: str


class KeySecurityRepository(Protocol):
    """Access settings and secrets of app keys, token origins, and failed-authentication state."""

    def access(self, appkey: str) -> KeyAccessRecord | None:
        """The key's access settings (``None``: never set — anywhere, no binding)."""
        ...

    def set_access(self, record: KeyAccessRecord) -> None:
        """Insert or replace; the app key must exist (StorageError otherwise)."""
        ...

    def set_secret_hash(self, appkey: str, secret_hash: str) -> ApiKeyRecord:
        """Replace the key's secret hash (rotation); NotFoundError if the key is missing."""
        ...

    def bind_token(self, token_hash: str, client_ip: str, expires_at: int) -> None:
        """Remember the IP a token was issued to (insert or replace)."""
        ...

    def token_ip(self, token_hash: str) -> str | None:
        """The IP the token was issued to, if it was bound."""
        ...

    def delete_bindings(self, before: int) -> int:
        """Forget bindings of tokens with ``expires_at < before``; return how many."""
        ...

    def throttle(self, scope: str) -> AuthThrottleRecord | None: ...

    def put_throttle(self, record: AuthThrottleRecord) -> None:
        """Insert or replace the state of ``record.scope``."""
        ...

    def clear_throttle(self, scope: str) -> bool:
        """Forget the scope's state; return whether it existed."""
        ...


class SecurityLogRepository(Protocol):
    """The append-only security record (who did what to access media, from where, and how it
    ended). Rows are never updated or deleted through this port."""

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
        """Append with the next sequence number (the ``"security_log"`` sequence)."""
        ...

    def read(
        self,
        after: int = 0,
        *,
        limit: int | None = None,
        appkey: str | None = None,
        actor_id: str | None = None,
    ) -> list[SecurityRecord]:
        """Records with ``seq > after`` (optionally of one app key and/or actor), by seq."""
        ...
