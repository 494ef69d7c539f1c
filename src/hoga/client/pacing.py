"""Client-side pacing: stay under the server's per-customer limits so 1700 never happens.

The server admits at most ``limit`` queries (and, separately, ``limit`` orders) per customer in
any sliding ``window`` (5 per second by default, terms art. 11). A :class:`Pacer` enforces the
same rule on the client side, conservatively:

* a request holds a slot from the moment it is admitted until ``window`` after its **response**
  arrives (the server saw it somewhere in between, so counting from the response is safe for any
  network delay);
* a request still in flight holds its slot;
* a new request is admitted only while fewer than ``limit`` slots are held.

So for any server-side window, every request the server counted in it still holds a client slot
when the next one is admitted — the client never sends a sixth. The price is the round-trip time:
the achieved rate is ``limit / (window + latency)``, a few percent under 5/s on a LAN.

One :class:`Pacing` (a query pacer and an order pacer) is shared by every client of the same
customer in the process: :meth:`Pacing.shared` keeps one per key (the SDK uses ``base_url`` +
app key). Several app keys of one customer share the server's budget; pass the same
``Pacing`` instance to their clients. Pacers are thread-safe (a lock around bookkeeping, never
held while sleeping) and loop-agnostic, so threads and asyncio tasks can share one.

``clock`` and ``sleep`` are injectable: tests run the pacer on the same manual clock as the
server's limiter.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import ClassVar

__all__ = ["Pacer", "Pacing"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """At most ``limit`` requests held in any ``window`` seconds (see the module docstring).

    ``poll`` is how long to wait when every slot is held by requests still in flight (their
    release time is unknown). ``limit`` 0 switches pacing off (``Retry-After`` blocks still apply).
    """

    def __init__(
        self,
        limit: int = 5,
        window: float = 1.0,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        poll: float = 0.005,
    ) -> None:
        if limit < 0 or window <= 0:
            raise ValueError("limit must be >= 0 and window > 0")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self.poll = poll
        self._lock = threading.Lock()
        self._in_flight = 0
        self._done: deque[float] = deque()  # response times, oldest first
        self._blocked_until = 0.0
        self.admitted = 0

    def try_acquire(self) -> float:
        """Take a slot and return 0, or return how long to wait before trying again."""
        with self._lock:
            now = self.clock()
            if now < self._blocked_until:
                return self._blocked_until - now
            if self.limit == 0:
                return 0.0
            while self._done and self._done[0] + self.window <= now:
                self._done.popleft()
            if self._in_flight + len(self._done) < self.limit:
                self._in_flight += 1
                self.admitted += 1
                return 0.0
            if self._done:
                return max(self._done[0] + self.window - now, 1e-6)
            return self.poll

    def release(self) -> None:
        """Give back a slot taken by :meth:`try_acquire` once the response (or failure) is in."""
        if self.limit == 0:
            return
        with self._lock:
            self._in_flight -= 1
            self._done.append(self.clock())

    def block(self, seconds: float) -> None:
        """Admit nothing for ``seconds`` (the server said ``Retry-After``)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self.clock() + seconds)

    async def acquire(self) -> None:
        """Wait for a slot (asyncio; any loop)."""
        while (wait := self.try_acquire()) > 0:
            await self.sleep(wait)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """``async with pacer.slot(): send()`` — acquire, then release when the body is in."""
        await self.acquire()
        try:
            yield
        finally:
            self.release()


class Pacing:
    """The query pacer and the order pacer of one customer (5/s each by default)."""

    _registry: ClassVar[dict[str, Pacing]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        queries: int = 5,
        orders: int = 5,
        window: float = 1.0,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        poll: float = 0.005,
    ) -> None:
        self.queries = Pacer(queries, window, clock=clock, sleep=sleep, poll=poll)
        self.orders = Pacer(orders, window, clock=clock, sleep=sleep, poll=poll)
        self.sleep = sleep

    @classmethod
    def off(cls) -> Pacing:
        """No client-side pacing (the server's 1700 + ``Retry-After`` still applies)."""
        return cls(0, 0)

    @classmethod
    def shared(cls, key: str) -> Pacing:
        """The process-wide default :class:`Pacing` for ``key`` (created on first use)."""
        with cls._registry_lock:
            found = cls._registry.get(key)
            if found is None:
                found = cls._registry[key] = cls()
            return found
