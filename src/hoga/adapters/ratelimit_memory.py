"""In-process rate limiter (``memory://``): the :mod:`hoga.ports.ratelimit` algorithms over dicts.

State per key: for a ``Window`` the newest ``count`` admission times, newest first; for a
``Bucket`` the theoretical arrival time. A lock makes :meth:`acquire` atomic across threads too.
Keys whose state can no longer refuse anything are swept every ``SWEEP_EVERY`` acquisitions, so
memory stays proportional to the customers active in the last window.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from hoga.ports.ratelimit import Acquired, Bucket, Check, Window

__all__ = ["SWEEP_EVERY", "MemoryRateLimiter", "open_memory_limiter"]

SWEEP_EVERY = 4096


def window_retry_at(times: list[int], limit: Window, now: int) -> int:
    """0 if ``times`` (newest first) leaves room at ``now``, else the reopening time."""
    if len(times) < limit.count:
        return 0
    oldest_that_counts = times[limit.count - 1]
    if oldest_that_counts <= now - limit.window_us:
        return 0
    return oldest_that_counts + limit.window_us


def bucket_retry_at(tat: int, limit: Bucket, now: int) -> int:
    """0 if a bucket with theoretical arrival time ``tat`` admits at ``now``, else when it will."""
    tolerance = (limit.burst - 1) * limit.interval_us
    start = max(tat, now)
    if start - now <= tolerance:
        return 0
    return start - tolerance


class MemoryRateLimiter:
    """The in-process :class:`hoga.ports.ratelimit.RateLimiter`."""

    def __init__(self) -> None:
        self._windows: dict[str, list[int]] = {}
        self._buckets: dict[str, int] = {}
        self._horizon: dict[str, int] = {}  # key → time after which its state is irrelevant
        self._lock = threading.Lock()
        self._calls = 0

    async def acquire(self, checks: Sequence[Check], now: int) -> Acquired:
        with self._lock:
            return self._acquire(checks, now)

    def _acquire(self, checks: Sequence[Check], now: int) -> Acquired:
        retry_at = 0
        refused: list[str] = []
        for check in checks:
            limit = check.limit
            if isinstance(limit, Window):
                at = window_retry_at(self._windows.get(check.key, []), limit, now)
            else:
                at = bucket_retry_at(self._buckets.get(check.key, now), limit, now)
            if at:
                refused.append(check.key)
                retry_at = max(retry_at, at)
        if refused:
            return Acquired(False, retry_at, tuple(refused))
        for check in checks:
            limit = check.limit
            if isinstance(limit, Window):
                times = self._windows.get(check.key, [])
                times = sorted([*times, now], reverse=True)[: limit.count]
                self._windows[check.key] = times
                horizon = times[0] + limit.window_us
            else:
                tat = max(self._buckets.get(check.key, now), now) + limit.interval_us
                self._buckets[check.key] = tat
                horizon = tat
            self._horizon[check.key] = max(self._horizon.get(check.key, 0), horizon)
        self._calls += 1
        if self._calls % SWEEP_EVERY == 0:
            self._sweep(now)
        return Acquired(True)

    def _sweep(self, now: int) -> None:
        stale = [key for key, horizon in self._horizon.items() if horizon <= now]
        for key in stale:
            del self._horizon[key]
            self._windows.pop(key, None)
            self._buckets.pop(key, None)

    def __len__(self) -> int:
        """Keys currently holding state (for tests of the sweep)."""
        return len(self._horizon)

    async def aclose(self) -> None:
        with self._lock:
            self._windows.clear()
            self._buckets.clear()
            self._horizon.clear()


def open_memory_limiter(url: str) -> MemoryRateLimiter:
    """``memory://`` (anything after the scheme is ignored)."""
    del url
    return MemoryRateLimiter()
