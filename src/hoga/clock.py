"""Implementations of the :class:`hoga.ports.clock.Clock` port.

- :class:`RealClock` is the only place in hoga that reads the wall clock.
- :class:`FastClock` runs ``factor`` times faster than real time from a chosen start; it reads
  the host's monotonic counter (through this module only).
- :class:`ManualClock` moves only when told to (``advance``/``set``/``run_until``); tests use it so
  that nothing sleeps for real.

All times are ``int`` microseconds since the Unix epoch (UTC); ``hoga.domain.kst`` converts them to
Korean time. ``make_clock`` builds one of the three from a configuration string.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import Callable
from datetime import date

from hoga.domain.kst import US_PER_SECOND, at_kst
from hoga.errors import ConfigError
from hoga.ports.clock import Clock

__all__ = [
    "DEFAULT_MANUAL_START",
    "FastClock",
    "ManualClock",
    "RealClock",
    "make_clock",
]

#: Where a manual clock starts unless told otherwise: 2026-07-22 08:00 KST, the morning after the
#: instrument snapshot's close (fixed so that runs are reproducible).
DEFAULT_MANUAL_START = at_kst(date(2026, 7, 22), 8 * 3_600)


def _wall_us() -> int:
    return time.time_ns() // 1_000


def _monotonic_us() -> int:
    return time.monotonic_ns() // 1_000


async def _sleep_us(us: int) -> None:
    await asyncio.sleep(max(us, 0) / US_PER_SECOND)


class RealClock:
    """The wall clock. ``now()`` is clamped so that it never goes backwards."""

    __slots__ = ("_last", "_source")

    def __init__(self, source: Callable[[], int] = _wall_us) -> None:
        self._source = source
        self._last = 0

    def now(self) -> int:
        t = self._source()
        self._last = max(self._last, t)
        return self._last

    async def sleep_until(self, t: int) -> None:
        """Sleep in real time until ``now() >= t`` (returns at once for a past ``t``)."""
        while (left := t - self.now()) > 0:
            await _sleep_us(left)


class FastClock:
    """Simulated time running ``factor`` times faster than real time, starting at ``start``.

    ``now() = start + (monotonic elapsed) × factor``; ``sleep_until`` sleeps the real time that
    corresponds, ``(t - now()) / factor``. ``source`` is the monotonic counter in µs (tests pass a
    fake one).
    """

    __slots__ = ("_factor", "_origin", "_source", "_start")

    def __init__(
        self,
        factor: float | int,
        start: int,
        *,
        source: Callable[[], int] = _monotonic_us,
    ) -> None:
        if not factor > 0:
            raise ValueError(f"clock factor must be positive, got {factor!r}")
        self._factor = factor
        self._start = start
        self._source = source
        self._origin = source()

    @property
    def factor(self) -> float | int:
        return self._factor

    def now(self) -> int:
        return self._start + int((self._source() - self._origin) * self._factor)

    async def sleep_until(self, t: int) -> None:
        """Sleep until simulated ``t`` (returns at once for a past ``t``)."""
        while (left := t - self.now()) > 0:
            await _sleep_us(max(int(left / self._factor), 1))


class ManualClock:
    """A clock that moves only when the caller moves it; time never goes backwards.

    ``sleep_until(t)`` parks the calling task until the clock reaches ``t``. ``advance``/``set``
    move time at once and wake every due sleeper in order of wake time (ties in the order they went
    to sleep); the woken tasks all see the new time. ``run_until`` instead steps through each
    sleeper's wake time, letting the woken tasks run (and sleep again) at their own time.
    """

    __slots__ = ("_now", "_seq", "_waiters")

    def __init__(self, start: int = DEFAULT_MANUAL_START) -> None:
        self._now = start
        self._seq = 0
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []

    def now(self) -> int:
        return self._now

    async def sleep_until(self, t: int) -> None:
        if t <= self._now:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (t, self._seq, fut))
        self._seq += 1
        await fut

    @property
    def pending(self) -> int:
        """How many sleepers are still waiting (cancelled ones included until due)."""
        return len(self._waiters)

    def next_wake(self) -> int | None:
        """The earliest wake time among the sleepers, or None when nobody sleeps."""
        return self._waiters[0][0] if self._waiters else None

    def advance(self, us: int) -> None:
        """Move the clock forward by ``us`` microseconds (``us >= 0``)."""
        if us < 0:
            raise ValueError(f"a manual clock cannot go backwards (advance by {us})")
        self.set(self._now + us)

    def set(self, t: int) -> None:
        """Move the clock to ``t`` (not before ``now()``) and wake the sleepers now due."""
        if t < self._now:
            raise ValueError(f"a manual clock cannot go backwards ({t} < {self._now})")
        self._now = t
        self._wake_due()

    async def run_until(self, t: int, *, settle: int = 8) -> None:
        """Step to ``t`` through every wake time on the way, yielding to woken tasks at each.

        At each step the clock stands exactly at the wake time, the due sleepers are woken and
        the event loop runs ``settle`` rounds so they can act and sleep again; sleepers that then
        fall due before ``t`` are honoured too. Ends with the clock at ``t``.
        """
        if t < self._now:
            raise ValueError(f"a manual clock cannot go backwards ({t} < {self._now})")
        while (wake := self.next_wake()) is not None and wake <= t:
            self.set(wake)
            for _ in range(settle):
                await asyncio.sleep(0)
        self.set(t)
        for _ in range(settle):
            await asyncio.sleep(0)

    def _wake_due(self) -> None:
        while self._waiters and self._waiters[0][0] <= self._now:
            _, _, fut = heapq.heappop(self._waiters)
            if not fut.done():
                fut.set_result(None)


def make_clock(spec: str, *, start: int | None = None) -> Clock:
    """Build a clock from a configuration string.

    - ``"real"``: the wall clock (``start`` must be None).
    - ``"fast:N"``: N times real speed (N a positive number, e.g. ``fast:60``), from ``start``
      or from the current wall-clock time.
    - ``"manual"``: a manual clock from ``start`` or :data:`DEFAULT_MANUAL_START`.

    Raises :class:`hoga.errors.ConfigError` for anything else.
    """
    kind, _, arg = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind == "real" and not arg:
        if start is not None:
            raise ConfigError("the real clock cannot start at a chosen time")
        return RealClock()
    if kind == "manual" and not arg:
        return ManualClock(DEFAULT_MANUAL_START if start is None else start)
    if kind == "fast":
        factor = _parse_factor(arg)
        return FastClock(factor, _wall_us() if start is None else start)
    raise ConfigError(f"unknown clock {spec!r}; expected 'real', 'fast:N' or 'manual'")


def _parse_factor(arg: str) -> float | int:
    text = arg.strip()
    try:
        factor: float | int = int(text)
    except ValueError:
        try:
            factor = float(text)
        except ValueError:
            raise ConfigError(f"clock factor must be a number, got {arg!r}") from None
    if not 0 < factor < float("inf"):
        raise ConfigError(f"clock factor must be positive and finite, got {arg!r}")
    return factor
