"""What the bus components of a multi-process server share: :class:`Reader` (a subscription and
the task reading it, started and stopped together) and :func:`pump` (a receive loop whose wait for
the next message is bounded, so a relay's own timers — forgetting silent front ends — run even
when nothing arrives)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from hoga.ports.pubsub import Message, PubSub, Subscription

__all__ = ["Reader", "pump", "stop_reading"]

log = logging.getLogger(__name__)


class Reader:
    """A subscription to ``topic`` and the task running ``read`` over it."""

    def __init__(
        self,
        bus: PubSub,
        topic: str,
        read: Callable[[Subscription], Coroutine[Any, Any, None]],
        name: str,
    ) -> None:
        self.bus, self.topic, self.read, self.name = bus, topic, read, name
        self._sub: Subscription | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._sub = await self.bus.subscribe(self.topic)
        self._task = asyncio.get_running_loop().create_task(self.read(self._sub), name=self.name)

    async def stop(self) -> None:
        await stop_reading(self._task, self._sub)


async def stop_reading(task: asyncio.Task[None] | None, sub: Subscription | None) -> None:
    """End a reader: cancel its task and wait for it, then close its subscription."""
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if sub is not None:
        await sub.close()


async def pump(
    sub: Subscription,
    timeout_s: float,
    step: Callable[[Message | None], Awaitable[None]],
    what: str,
) -> None:
    """Forever: wait up to ``timeout_s`` for the next message of ``sub``, then ``step`` it (None:
    none came). A failing step is logged as ``what`` and the loop goes on: one bad message must
    not stop a relay."""
    while True:
        msg: Message | None = None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                msg = await sub.get()
        try:
            await step(msg)
        except Exception:
            log.exception("%s", what)
