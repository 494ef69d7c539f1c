"""The operator-controllable simulation clock.

``SimClock`` turns any base clock (normally the real one) into simulated time that an operator can
set, advance and speed up or freeze while the market runs:

    sim_now = anchor_sim + (base_now - anchor_base) × speed

``speed`` 1 is real time, N is N× faster, 0 freezes the clock (the "manual" mode: time moves only
through :meth:`SimClock.advance` / :meth:`SimClock.set`). Every change re-anchors, so time never
jumps backwards by accident; setting it backwards is refused. Sleepers are woken whenever the clock
is changed and re-check their deadline, so a task sleeping until a market timer never oversleeps an
operator's jump.

Waiting is cheap (the market runner waits up to a few hundred times a second): a sleeper is one
future, resolved either by an event-loop timer set for the real time its deadline is away
(:meth:`SimClock.real_delay`, integer arithmetic for whole speeds) or by the next change of the
clock (:meth:`SimClock.add_waiter`). No task and no ``wait_for`` per wait.
"""

from __future__ import annotations

import asyncio
from fractions import Fraction

from hoga.ports.clock import Clock

__all__ = ["SimClock"]


class SimClock:
    """Simulated time over a base clock (see the module docstring)."""

    def __init__(self, base: Clock, *, start: int | None = None, speed: Fraction | int = 1) -> None:
        if speed < 0:
            raise ValueError("clock speed cannot be negative")
        self._base = base
        self._anchor_base = base.now()
        self._anchor_sim = self._anchor_base if start is None else start
        self._speed = Fraction(speed)
        self._whole = _whole(self._speed)
        self._waiters: set[asyncio.Future[None]] = set()
        self._last = self._anchor_sim

    @property
    def speed(self) -> Fraction:
        return self._speed

    @property
    def frozen(self) -> bool:
        return self._whole == 0

    def now(self) -> int:
        elapsed = self._base.now() - self._anchor_base
        whole = self._whole  # integer speeds (1, N, 0) skip Fraction arithmetic: a hot path
        step = elapsed * whole if whole is not None else int(elapsed * self._speed)
        self._last = max(self._last, self._anchor_sim + step)
        return self._last

    def real_delay(self, t: int) -> float | None:
        """Real seconds until the clock reaches ``t`` at the current speed (rounded up to whole
        base microseconds): 0.0 when it already has, None when the clock is frozen and ``t`` is
        ahead (only a change of the clock can bring it there)."""
        left = t - self.now()
        if left <= 0:
            return 0.0
        whole = self._whole
        if whole is not None:
            if whole == 0:
                return None
            return -(-left // whole) / 1_000_000
        speed = self._speed
        return -(-left * speed.denominator // speed.numerator) / 1_000_000

    def add_waiter(self, fut: asyncio.Future[None]) -> None:
        """Resolve ``fut`` at the clock's next change (set, advance, set_speed), once."""
        self._waiters.add(fut)

    def discard_waiter(self, fut: asyncio.Future[None]) -> None:
        """Forget ``fut`` (its owner stopped waiting before the clock changed)."""
        self._waiters.discard(fut)

    def _reanchor(self, sim: int) -> None:
        self._anchor_base = self._base.now()
        self._anchor_sim = sim
        self._last = sim
        if self._waiters:
            waiters, self._waiters = self._waiters, set()
            for fut in waiters:
                _resolve(fut)

    def set(self, t: int) -> None:
        """Jump to ``t``; refused (ValueError) when ``t`` is before the current time."""
        now = self.now()
        if t < now:
            raise ValueError(f"the clock cannot go backwards ({t} < {now})")
        self._reanchor(t)

    def advance(self, us: int) -> None:
        if us < 0:
            raise ValueError("the clock cannot go backwards")
        self._reanchor(self.now() + us)

    def set_speed(self, speed: Fraction | int) -> None:
        """Run at ``speed`` × real time from now on (0 freezes the clock)."""
        if speed < 0:
            raise ValueError("clock speed cannot be negative")
        now = self.now()
        self._speed = Fraction(speed)
        self._whole = _whole(self._speed)
        self._reanchor(now)

    async def sleep_until(self, t: int) -> None:
        while (delay := self.real_delay(t)) != 0.0:
            loop = asyncio.get_running_loop()
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.add(fut)
            timer = None if delay is None else loop.call_later(delay, _resolve, fut)
            try:
                await fut
            finally:
                self._waiters.discard(fut)
                if timer is not None:
                    timer.cancel()


def _resolve(fut: asyncio.Future[None]) -> None:
    """Wake whoever awaits ``fut`` (no-op when it is done already or its loop is gone)."""
    if not fut.done() and not fut.get_loop().is_closed():
        fut.set_result(None)


def _whole(speed: Fraction) -> int | None:
    """``speed`` as an int when it is a whole number (the common case), else None."""
    return speed.numerator if speed.denominator == 1 else None
