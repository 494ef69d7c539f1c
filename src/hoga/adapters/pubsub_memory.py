"""In-process pub/sub (the default ``memory://`` bus)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator

from hoga.ports.pubsub import Message

__all__ = ["MemoryPubSub", "MemorySubscription"]


class MemorySubscription:
    def __init__(self, bus: MemoryPubSub, topic: str, buffer: int) -> None:
        self._bus = bus
        self.topic = topic
        self._buffer: deque[Message] = deque()
        self._limit = buffer
        self._waiter: asyncio.Future[None] | None = None
        self._lagged = False
        self._closed = False

    @property
    def lagged(self) -> bool:
        return self._lagged

    def _push(self, message: Message) -> None:
        if len(self._buffer) >= self._limit:
            self._buffer.popleft()
            self._lagged = True
        self._buffer.append(message)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def get_nowait(self) -> Message | None:
        return self._buffer.popleft() if self._buffer else None

    async def get(self) -> Message:
        while not self._buffer:
            if self._closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._buffer.popleft()

    def __aiter__(self) -> AsyncIterator[Message]:
        return self

    async def __anext__(self) -> Message:
        return await self.get()

    async def close(self) -> None:
        self._closed = True
        self._bus._remove(self)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class MemoryPubSub:
    """Delivers synchronously into per-subscription buffers; never blocks the publisher."""

    def __init__(self) -> None:
        self._exact: dict[str, list[MemorySubscription]] = {}
        self._prefix: dict[str, list[MemorySubscription]] = {}

    def has_subscribers(self, topic: str) -> bool:
        if self._exact.get(topic):
            return True
        return any(topic.startswith(p) for p, subs in self._prefix.items() if subs)

    def publish_nowait(self, topic: str, payload: bytes) -> None:
        message = Message(topic, payload)
        for sub in self._exact.get(topic, ()):
            sub._push(message)
        if self._prefix:
            for prefix, subs in self._prefix.items():
                if topic.startswith(prefix):
                    for sub in subs:
                        sub._push(message)

    async def publish(self, topic: str, payload: bytes) -> None:
        self.publish_nowait(topic, payload)

    async def subscribe(self, topic: str, *, buffer: int = 10_000) -> MemorySubscription:
        sub = MemorySubscription(self, topic, buffer)
        if topic.endswith(".*"):
            self._prefix.setdefault(topic[:-1], []).append(sub)
        else:
            self._exact.setdefault(topic, []).append(sub)
        return sub

    def _remove(self, sub: MemorySubscription) -> None:
        for table in (self._exact, self._prefix):
            for subs in table.values():
                if sub in subs:
                    subs.remove(sub)

    async def close(self) -> None:
        for table in (self._exact, self._prefix):
            for subs in list(table.values()):
                for sub in list(subs):
                    await sub.close()
