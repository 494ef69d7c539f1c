"""The rate-limiter port: atomic, all-or-nothing admission against several limits at once.

A request is checked against a handful of **keyed limits** (the customer's query budget, the
customer's order budget, the (app key, api-id) profile, …). :meth:`RateLimiter.acquire` admits it
only if *every* limit has room, and then records it against every one of them; if any limit is
full nothing is recorded, so a refused request costs the caller nothing and may be resent.

Two kinds of limit (both exact, both in integer microseconds):

``Window(count, window_us)`` — a sliding-window log. Admitted requests of one key, sorted by time
   ``a₀ ≤ a₁ ≤ …``, always satisfy ``a[i + count] − a[i] ≥ window_us``: no half-open window
   ``[t, t + window_us)`` ever holds more than ``count`` of them. A request at ``now`` is admitted
   iff fewer than ``count`` recorded admissions are newer than ``now − window_us`` — the greedy
   rule, so it also admits everything that constraint allows (no needless refusal). Only the
   ``count`` newest admissions can matter, so that is all an adapter keeps (O(count) per key).
   *Why not a fixed window*: it admits 2·count across a boundary. *Why not GCRA/token bucket for
   this*: with a burst of ``count`` it admits up to 2·count − 1 in one window, and with a burst of
   1 it refuses a legitimate burst.

``Bucket(interval_us, burst)`` — GCRA (a token bucket without a drip): one request per
   ``interval_us`` sustained, up to ``burst`` back to back. State is one theoretical arrival time
   ``tat``; admit iff ``max(tat, now) − now ≤ (burst − 1)·interval_us``, then
   ``tat := max(tat, now) + interval_us``. Used for the optional per-TR profile that mimics
   Kiwoom's measured "~1 request/s, burst 2" (spec kiwoom-rest §6.4).

Time is **passed in** (``now``, epoch µs): adapters never read a clock. The caller's clock decides,
so a manual clock drives the limiter in tests, and the Redis adapter is given the same time as the
in-process one. Processes sharing a Redis must therefore have synchronised clocks; a skew of ``s``
between two processes can shorten the observed window by at most ``s`` (see the Redis adapter).

Adapters (one contract suite, ``tests/contracts/test_ratelimit_contract.py``): in-process
``memory://`` and ``redis://host:port/db`` (one Lua script, atomic across processes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Acquired", "Bucket", "Check", "Limit", "RateLimiter", "Window"]


@dataclass(frozen=True, slots=True)
class Window:
    """At most ``count`` admissions in any half-open window of ``window_us`` microseconds."""

    count: int
    window_us: int

    def __post_init__(self) -> None:
        if self.count < 1 or self.window_us < 1:
            raise ValueError(f"a window needs count ≥ 1 and window_us ≥ 1, got {self}")


@dataclass(frozen=True, slots=True)
class Bucket:
    """GCRA: one admission per ``interval_us`` sustained, ``burst`` of them back to back."""

    interval_us: int
    burst: int

    def __post_init__(self) -> None:
        if self.interval_us < 1 or self.burst < 1:
            raise ValueError(f"a bucket needs interval_us ≥ 1 and burst ≥ 1, got {self}")


Limit = Window | Bucket


@dataclass(frozen=True, slots=True)
class Check:
    """One keyed limit a request must fit in. Keys are opaque strings; callers namespace them."""

    key: str
    limit: Limit


@dataclass(frozen=True, slots=True)
class Acquired:
    """The outcome of :meth:`RateLimiter.acquire`.

    ``retry_at`` (epoch µs) is 0 when admitted; when refused it is the earliest time at which the
    same request would be admitted if nothing else arrived meanwhile (the latest of the full
    limits' reopening times), always ``> now``. ``refused`` lists the keys of the full limits, in
    the order of the checks.
    """

    admitted: bool
    retry_at: int = 0
    refused: tuple[str, ...] = ()


class RateLimiter(Protocol):
    """Keyed limits shared by every process that uses the same backend."""

    async def acquire(self, checks: Sequence[Check], now: int) -> Acquired:
        """Admit one request against every check at once, atomically (see the module docstring).

        All or nothing: admitted → recorded under every key; refused → nothing recorded. An empty
        ``checks`` admits. ``now`` should not go backwards for one caller; an older ``now`` than
        recorded admissions is handled conservatively (they still count). A backend failure
        raises :class:`hoga.errors.StorageError`.
        """
        ...

    async def aclose(self) -> None:
        """Release connections (idempotent)."""
        ...
