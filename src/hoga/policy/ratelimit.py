"""Rate-limit policy (terms art. 11): which limits a request must fit in, and the decision.

Limits (all configuration, see :class:`RatePolicy` / ``Settings.ratelimit_*``):

- **queries** — at most ``queries`` query api-ids per customer in any ``window`` (default 5 / 1 s);
- **orders** — at most ``orders`` order api-ids per customer in any ``window`` (default 5 / 1 s);
- **tokens** — token calls per app key and api-id (issue au10001 and revoke au10002 each have
  their own budget; per client IP when the body names no app key);
- **per TR** (optional, off by default) — a GCRA bucket per (app key, api-id) reproducing
  Kiwoom's measured ~1 request/s with a burst of 2 (spec kiwoom-rest §6.4).

Budgets are keyed by **customer**, not app key, so extra keys do not multiply them. Query and
order budgets use the exact sliding window of :mod:`hoga.ports.ratelimit` (no one-second window
ever admits more than the limit). A request is checked against all its limits atomically: a
refused one is recorded nowhere and was not processed, so it is safe to resend — orders included.

Time comes from the clock given here. Bootstrap passes the **base** (wall) clock of the simulated
clock, not the simulated time itself: "5 per second" means real seconds, and simulated time can
be frozen (``--clock manual``) or run N× faster. Tests hand in a manual base clock.

The policy never raises for a refusal: :meth:`RequestLimiter.check` returns a :class:`Decision`.
If the backend fails (Redis down) it fails **closed** — a refusal with a one-second retry, logged —
because admitting unmetered could break the per-customer guarantee across processes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import msgspec

from hoga.errors import StorageError
from hoga.ports.clock import Clock
from hoga.ports.ratelimit import Bucket, Check, RateLimiter, Window

__all__ = [
    "ALLOW",
    "FIVE_PER_SECOND",
    "US_PER_SECOND",
    "Decision",
    "RatePolicy",
    "RequestLimiter",
    "retry_after_seconds",
    "token_appkey",
]

log = logging.getLogger(__name__)

US_PER_SECOND = 1_000_000
FIVE_PER_SECOND = Window(5, US_PER_SECOND)


@dataclass(frozen=True, slots=True)
class Decision:
    """Allow, or deny with the wait (µs) after which the same request would be admitted.

    ``rule`` names the limit that refused (``"query"``, ``"order"``, ``"token"``, ``"tr"``,
    ``"unavailable"``; several joined by ``+``), for logs and abnormal-load counting.
    """

    allowed: bool
    retry_after_us: int = 0
    rule: str = ""

    @property
    def retry_after_s(self) -> int:
        """``Retry-After`` in whole seconds: rounded up, at least 1 (HTTP allows no fraction)."""
        return retry_after_seconds(self.retry_after_us)


ALLOW = Decision(True)


def retry_after_seconds(us: int) -> int:
    """Whole seconds to wait, rounded up, never below 1."""
    return max(1, -(-us // US_PER_SECOND))


@dataclass(frozen=True, slots=True)
class RatePolicy:
    """The configured limits; ``None`` switches one off."""

    queries: Window | None = FIVE_PER_SECOND
    orders: Window | None = FIVE_PER_SECOND
    tokens: Window | None = FIVE_PER_SECOND
    per_tr: Bucket | None = None
    prefix: str = "hoga:rl:"


class _AppKeyOnly(msgspec.Struct):
    appkey: str = ""


def token_appkey(data: bytes) -> str:
    """The ``appkey`` of a token request body, or ``""`` when there is none or it is malformed."""
    try:
        return msgspec.json.decode(data, type=_AppKeyOnly).appkey
    except msgspec.DecodeError:
        return ""


class RequestLimiter:
    """Decides per request whether it fits the customer's limits (see the module docstring)."""

    def __init__(self, backend: RateLimiter, clock: Clock, policy: RatePolicy) -> None:
        self.backend = backend
        self.clock = clock
        self.policy = policy

    def checks(
        self, kind: str, api_id: str, *, customer_id: str, appkey: str, client_ip: str
    ) -> list[tuple[str, Check]]:
        """The (rule, check) pairs a request of ``kind`` must pass."""
        p = self.policy
        who = f"c:{customer_id}" if customer_id else f"ip:{client_ip}"
        out: list[tuple[str, Check]] = []
        if kind == "token":
            subject = f"k:{appkey}" if appkey else f"ip:{client_ip}"
            if p.tokens is not None:
                out.append(("token", Check(f"{p.prefix}t:{api_id}:{subject}", p.tokens)))
        elif kind == "order":
            if p.orders is not None:
                out.append(("order", Check(f"{p.prefix}o:{who}", p.orders)))
        elif p.queries is not None:
            out.append(("query", Check(f"{p.prefix}q:{who}", p.queries)))
        if p.per_tr is not None and kind != "token":
            tr_subject = f"k:{appkey}" if appkey else who
            out.append(("tr", Check(f"{p.prefix}tr:{tr_subject}:{api_id}", p.per_tr)))
        return out

    async def check(
        self,
        kind: str,
        api_id: str,
        *,
        customer_id: str = "",
        appkey: str = "",
        client_ip: str = "",
    ) -> Decision:
        """Admit (and record) the request, or say how long to wait. Never raises for a refusal."""
        ruled = self.checks(
            kind, api_id, customer_id=customer_id, appkey=appkey, client_ip=client_ip
        )
        if not ruled:
            return ALLOW
        now = self.clock.now()
        try:
            got = await self.backend.acquire([c for _, c in ruled], now)
        except StorageError:
            log.exception("rate limiter backend failed; refusing %s", api_id)
            return Decision(False, US_PER_SECOND, "unavailable")
        if got.admitted:
            return ALLOW
        full = set(got.refused)
        rule = "+".join(rule for rule, c in ruled if c.key in full)
        return Decision(False, got.retry_at - now, rule)

    async def aclose(self) -> None:
        await self.backend.aclose()
