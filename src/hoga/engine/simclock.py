"""The operator-controllable simulation clock.

``SimClock`` turns any base clock (normally the real one) into simulated time that an operator can
set, advance and speed up or freeze while the market runs:

    sim_now = anchor_sim + (base_now - anchor_base) × speed

``speed`` 1 is real time, N is N× faster, 0 freezes the clock (the "manual" mode: time moves only
through :meth:`SimClock.advance` / :meth:`SimClock.set`). Every change re-anchors, so time never
jumps backwards by accident; setting it backwards is refused. Sleepers are woken whenever the clock
is changed and re-check their deadline, so a task sleeping until a market timer never oversleeps an
operator's jump.
"""

from __future__ import annotations

import asyncio
import contextlib
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
        self._changed: asyncio.Event | None = None
        self._last = self._anchor_sim

    @property
    def speed(self) -> Fraction:
        return self._speed

    @property
    def frozen(self) -> bool:
        return self._speed == 0

    def now(self) -> int:
        elapsed = self._base.now() - self._anchor_base
        whole = self._whole  # integer speeds (1, N, 0) skip Fraction arithmetic: a hot path
        step = elapsed * whole if whole is not None else int(elapsed * self._speed)
        self._last = max(self._last, self._anchor_sim + step)
        return self._last

    def _reanchor(self, sim: int) -> None:
        self._anchor_base = self._base.now()
        self._anchor_sim = sim
        self._last = sim
        if self._changed is not None:
            self._changed.set()
            self._changed = None

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
        while (left := t - self.now()) > 0:
            if self._changed is None:
                self._changed = asyncio.Event()
            changed = self._changed
            if self._speed == 0:
                await changed.wait()
                continue
            real = max(1, int(left / self._speed))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), real / 1_000_000)


def _whole(speed: Fraction) -> int | None:
    """``speed`` as an int when it is a whole number (the common case), else None."""
    return speed.numerator if speed.denominator == 1 else None
