"""The market's driver loop: keeps the exchange in step with the clock and flushes market data.

One task per process. It sleeps until the earliest exchange timer (or the next flush), then runs
everything due. Operator actions that move the clock call :meth:`MarketRunner.poke` so the loop
re-reads its deadline at once.

The loop takes the market-data queue itself but writes it from a worker thread (one write at a
time; :meth:`MarketDataRecorder.flush_begin` / ``flush_end``): a second's ticks and bars of the
whole universe take 5–20 ms to write, which would otherwise stall every request once a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from hoga.engine.exchange import Exchange
from hoga.engine.marketdata import MarketDataRecorder
from hoga.engine.tuning import apply_gc_policy, apply_switch_interval
from hoga.ports.clock import Clock
from hoga.ports.storage import Storage

__all__ = ["MarketRunner"]

log = logging.getLogger(__name__)


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
    ) -> None:
        self.exchange = exchange
        self.clock = clock
        self.recorder = recorder
        self.storage = storage
        self.flush_interval_us = flush_interval_us
        self.max_sleep_s = max_sleep_s
        self._wake = asyncio.Event()
        self._stopped = False
        self._task: asyncio.Task[None] | None = None
        self._next_flush = 0
        self._writing: asyncio.Future[None] | None = None  # the market-data write in flight

    def poke(self) -> None:
        """Re-check deadlines now (after the clock or the timers changed)."""
        self._wake.set()

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
        while not self._stopped:
            now = self.exchange.sync()
            if now >= self._next_flush:
                self._next_flush = now + self.flush_interval_us
                if self._writing is None or self._writing.done():
                    self._writing = asyncio.ensure_future(self._write())
            deadline = self.exchange.next_timer()
            if deadline is None or deadline > self._next_flush:
                deadline = self._next_flush
            sleeper = asyncio.ensure_future(self.clock.sleep_until(deadline))
            waker = asyncio.ensure_future(self._wake.wait())
            await asyncio.wait(
                {sleeper, waker}, timeout=self.max_sleep_s, return_when=asyncio.FIRST_COMPLETED
            )
            for fut in (sleeper, waker):
                if not fut.done():
                    fut.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await fut
            self._wake.clear()
        if self._writing is not None:
            await self._writing
        self.flush()

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
