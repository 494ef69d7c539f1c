"""The receive loop the market's relays share: each wait for the next bus message is bounded, so
the relay's own timers (forgetting silent front ends) run even when nothing arrives."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from hoga.ports.pubsub import Message, Subscription

__all__ = ["pump"]

log = logging.getLogger(__name__)


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
