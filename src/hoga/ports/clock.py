"""The clock port: the only way engine code learns the time.

Times are integer microseconds since the Unix epoch (UTC). Trading-day and session logic converts
them to KST itself; nothing reads the wall clock except the real-clock adapter in ``hoga.clock``.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Clock"]


class Clock(Protocol):
    """A source of time that tasks can also wait on.

    ``now()`` never goes backwards. ``sleep_until(t)`` returns once ``now() >= t`` (immediately if
    it already is); on a manual clock that happens only when someone advances the clock, so tests
    never sleep for real.
    """

    def now(self) -> int:
        """Current time in epoch microseconds."""
        ...

    async def sleep_until(self, t: int) -> None:
        """Wait until the clock reaches ``t`` (epoch microseconds)."""
        ...
