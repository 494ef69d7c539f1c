"""The market's driver loop: keeps the exchange in step with the clock and flushes market data.

One task per process. It sleeps until the earliest exchange timer (or the next flush), then runs
everything due. Operator actions that move the clock call :meth:`MarketRunner.poke` so the loop
re-reads its deadline at once; a sleep never lasts longer than ``max_sleep_s`` (real seconds).

Waking up is cheap, as the loop wakes for every participant timer (hundreds a second over the whole
universe). Over a :class:`SimClock` (the server's clock) the loop waits on one future that a
change of the clock, :meth:`MarketRunner.poke` and an event-loop timer can each resolve; any other
clock (tests' manual clock, the real and fast clocks) is awaited through its ``sleep_until`` in
one task, raced against the same poke future.

Coalescing: while a :class:`SimClock` runs (speed > 0), the loop wakes ``coalesce_s`` real seconds
after the earliest deadline, so the timers due within that slack run in one wake-up. A timer then
runs at most the slack late in real time, and never more than :data:`MAX_LATE_US` late in simulated
time (at a high speed a few real milliseconds are simulated seconds, and participant work more than
:data:`hoga.engine.exchange.CATCH_UP_US` behind is skipped). What a timer does is unchanged: the
exchange runs each timer with its own timestamp, in order, and every customer command first runs
the timers due before it (:meth:`Exchange.advance_to`). A frozen clock (speed 0) or any other clock
is never coalesced: a manual advance to a timer wakes the loop for exactly that timer.

The loop takes the market-data queue itself but writes it from a worker thread (one write at a
time; :meth:`MarketDataRecorder.flush_begin` / ``flush_end``): a second's ticks and bars of the
whole universe take 5–20 ms to write, which would otherwise stall every request once a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from hoga.engine.exchange import CATCH_UP_US, Exchange
from hoga.engine.marketdata import MarketDataRecorder
from hoga.engine.simclock import SimClock
from hoga.engine.tuning import apply_gc_policy, apply_switch_interval
from hoga.ports.clock import Clock
from hoga.ports.storage import Storage

__all__ = ["MAX_LATE_US", "MarketRunner"]

log = logging.getLogger(__name__)

#: The most simulated time coalescing may delay a timer: well inside the exchange's catch-up window.
MAX_LATE_US = CATCH_UP_US // 10


class MarketRunner:
    """Runs ``exchange`` against ``clock`` until stopped."""

    def __init__(
        self,
        exchange: Exchange,
        clock: Clock,
        *,
        recorder: MarketDataRecorder | None = None,
        storage: Storage | None = None,
        flush_interval_us: int = 1_000_000,
        max_sleep_s: float = 0.25,
        coalesce_s: float = 0.004,
    ) -> None:
        self.exchange = exchange
        self.clock = clock
        self.recorder = recorder
        self.storage = storage
        self.flush_interval_us = flush_interval_us
        self.max_sleep_s = max_sleep_s
        self.coalesce_s = coalesce_s
        self.wakeups = 0  # loop iterations since construction (for tests and measurements)
        self._poked = False  # a poke since the loop last read its deadlines
        self._waiter: asyncio.Future[None] | None = None  # what the sleeping loop awaits
        self._stopped = False
        self._task: asyncio.Task[None] | None = None
        self._next_flush = 0
        self._writing: asyncio.Future[None] | None = None  # the market-data write in flight

    def poke(self) -> None:
        """Re-check deadlines now (after the clock or the timers changed)."""
        self._poked = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def step(self) -> None:
        """Run everything due at the clock's current time and flush if it is time to."""
        now = self.exchange.sync()
        if now >= self._next_flush:
            self.flush()
            self._next_flush = now + self.flush_interval_us

    def flush(self) -> None:
        if self.recorder is not None and self.storage is not None:
            try:
                self.recorder.flush(self.storage)
            except Exception:  # a storage hiccup must not stop the market
                log.exception("market data flush failed")

    async def _write(self) -> None:
        recorder, storage = self.recorder, self.storage
        if recorder is None or storage is None:
            return
        batch = recorder.flush_begin()
        try:
            await asyncio.to_thread(recorder.flush_end, storage, batch)
        except Exception:  # a storage hiccup must not stop the market
            log.exception("market data flush failed")

    async def run(self) -> None:
        sim = self.clock if isinstance(self.clock, SimClock) else None
        while not self._stopped:
            self.wakeups += 1
            now = self.exchange.sync()
            if now >= self._next_flush:
                self._next_flush = now + self.flush_interval_us
                if self._writing is None or self._writing.done():
                    self._writing = asyncio.ensure_future(self._write())
            deadline = self.exchange.next_timer()
            if deadline is None or deadline > self._next_flush:
                deadline = self._next_flush
            if self._poked:
                await asyncio.sleep(0)  # re-read at once, but let the loop run
            elif sim is not None:
                await self._sleep_sim(sim, deadline)
            else:
                await self._sleep(deadline)
            self._poked = False
        if self._writing is not None:
            await self._writing
        self.flush()

    async def _sleep_sim(self, clock: SimClock, deadline: int) -> None:
        """Wait for ``deadline`` (plus the coalescing slack while the clock runs), a change of the
        clock, a poke or ``max_sleep_s``, whichever comes first: one future, one timer."""
        delay = clock.real_delay(deadline)  # None: frozen, only a change moves it
        if delay is None:
            delay = self.max_sleep_s
        elif delay > 0:  # the clock runs: coalesce the timers due within the slack
            latest = clock.real_delay(deadline + MAX_LATE_US) or 0.0
            delay = min(delay + self.coalesce_s, latest, self.max_sleep_s)
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiter = waiter
        clock.add_waiter(waiter)
        timer = loop.call_later(delay, _resolve, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            clock.discard_waiter(waiter)
            self._waiter = None

    async def _sleep(self, deadline: int) -> None:
        """Any other clock: its ``sleep_until`` in a task, raced against a poke and
        ``max_sleep_s``; exact, never coalesced."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiter = waiter
        sleeper = asyncio.ensure_future(self.clock.sleep_until(deadline))
        try:
            await asyncio.wait(
                {sleeper, waiter}, timeout=self.max_sleep_s, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            self._waiter = None
            if not sleeper.done():
                sleeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sleeper

    def start(self) -> asyncio.Task[None]:
        """Start the loop; applies the engine's GC policy first (:mod:`hoga.engine.tuning`: the
        exchange is built and seeded by now, so its long-lived objects are frozen)."""
        apply_gc_policy()
        apply_switch_interval()
        self._task = asyncio.get_running_loop().create_task(self.run(), name="hoga-market")
        return self._task

    async def stop(self) -> None:
        self._stopped = True
        self.poke()
        if self._task is not None:
            await self._task


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
