"""Redis pub/sub (``redis://host:port/db[?prefix=…]``): the bus shared by several processes.

Semantics as :mod:`hoga.adapters.pubsub_memory` (the port's contract), with these mechanics:
- Topics map to channels ``<prefix><topic>`` (``prefix`` from the URL, default ``hoga:``);
  ``prefix.*`` subscriptions become ``PSUBSCRIBE <prefix>prefix.*`` (glob characters in the
  topic are escaped). One Redis subscription per distinct channel or pattern is shared by the
  process's local subscriptions; :meth:`RedisPubSub.subscribe` returns once Redis confirmed it,
  so every later publish reaches it.
- Publishing: :meth:`RedisPubSub.publish_nowait` (the exchange's synchronous single writer)
  appends to one in-process queue; one background task sends the queue in order, in pipelined
  batches, on one connection — Redis delivers a connection's publishes in order, so per-topic
  order holds. :meth:`RedisPubSub.publish` goes through the same queue and returns once its
  message was sent. The queue is bounded (``max_queue``): while Redis is unreachable the oldest
  queued messages are dropped and counted (``dropped``), and every local subscription is marked
  ``lagged`` (consumers resynchronise as after any overflow).
- Receiving: one reader task reads the subscription connection and appends to each local
  subscription's bounded buffer (drop oldest, ``lagged``) — it never waits for a consumer. A
  lost connection marks every local subscription ``lagged``; redis-py re-subscribes on
  reconnect.
- :meth:`RedisPubSub.has_subscribers` is always True: subscribers may live in other processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hoga.ports.pubsub import Message

__all__ = ["RedisPubSub", "RedisSubscription", "open_redis_bus"]

log = logging.getLogger(__name__)

_GLOB = str.maketrans({c: f"\\{c}" for c in "*?[]\\"})


class RedisSubscription:
    """One local subscription (a bounded buffer fed by the bus's reader task)."""

    def __init__(self, bus: RedisPubSub, key: tuple[bool, str], topic: str, buffer: int) -> None:
        self._bus = bus
        self.key = key  # (is_pattern, channel or pattern)
        self.topic = topic
        self._buffer: deque[Message] = deque()
        self._limit = buffer
        self._waiter: asyncio.Future[None] | None = None
        self._lagged = False
        self._closed = False

    @property
    def lagged(self) -> bool:
        return self._lagged

    def _mark_lagged(self) -> None:
        self._lagged = True

    def _push(self, message: Message) -> None:
        if len(self._buffer) >= self._limit:
            self._buffer.popleft()
            self._lagged = True
        self._buffer.append(message)
        self._wake()

    def _wake(self) -> None:
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
        if self._closed:
            return
        self._closed = True
        self._wake()
        await self._bus._remove(self)


_Item = tuple[str, bytes, "asyncio.Future[None] | None"]


class RedisPubSub:
    """The Redis bus (see the module docstring)."""

    def __init__(
        self, client: aioredis.Redis, *, prefix: str = "hoga:", max_queue: int = 100_000
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.max_queue = max_queue
        self.dropped = 0
        self._queue: deque[_Item] = deque()
        self._publisher: asyncio.Task[None] | None = None
        self._more: asyncio.Event | None = None
        self._pubsub: Any = None  # redis.asyncio.client.PubSub, made on first subscribe
        self._reader: asyncio.Task[None] | None = None
        self._local: dict[tuple[bool, str], list[RedisSubscription]] = {}
        self._acks: dict[tuple[bool, str], deque[asyncio.Future[None]]] = {}
        self._lock = asyncio.Lock()
        self._closed = False

    # ------------------------------------------------------------------ publishing

    def has_subscribers(self, topic: str) -> bool:
        return True

    def publish_nowait(self, topic: str, payload: bytes) -> None:
        self._enqueue(topic, payload, None)

    async def publish(self, topic: str, payload: bytes) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._enqueue(topic, payload, done)
        await done

    def _enqueue(self, topic: str, payload: bytes, done: asyncio.Future[None] | None) -> None:
        if self._closed:  # shutting down: the market may still emit; nobody listens
            self.dropped += 1
            return
        if len(self._queue) >= self.max_queue:
            _, _, lost = self._queue.popleft()
            self.dropped += 1
            if lost is not None and not lost.done():
                lost.set_exception(ConnectionError("dropped: the Redis publish queue is full"))
            self._all_lagged()
        self._queue.append((self.prefix + topic, payload, done))
        self._kick()

    def _kick(self) -> None:
        if self._publisher is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop yet (start-up): sent by the first publish in one
                return
            self._more = asyncio.Event()
            self._publisher = loop.create_task(self._publish_loop(), name="hoga-bus-publish")
        assert self._more is not None
        self._more.set()

    async def _publish_loop(self) -> None:
        assert self._more is not None
        while True:
            await self._more.wait()
            self._more.clear()
            while self._queue:
                batch = list(self._queue)
                try:
                    async with self.client.pipeline(transaction=False) as pipe:
                        for channel, payload, _ in batch:
                            pipe.publish(channel, payload)
                        await pipe.execute()
                except (RedisError, OSError) as exc:
                    log.warning("redis publish failed (%s); retrying", exc)
                    self._all_lagged()
                    await asyncio.sleep(0.2)
                    continue
                for item in batch:  # overflow may have dropped some meanwhile
                    if self._queue and self._queue[0] is item:
                        self._queue.popleft()
                    done = item[2]
                    if done is not None and not done.done():
                        done.set_result(None)

    # ------------------------------------------------------------------ subscribing

    async def subscribe(self, topic: str, *, buffer: int = 10_000) -> RedisSubscription:
        pattern = topic.endswith(".*")
        name = self.prefix + (topic[:-1].translate(_GLOB) + "*" if pattern else topic)
        key = (pattern, name)
        sub = RedisSubscription(self, key, topic, buffer)
        async with self._lock:
            if self._pubsub is None:
                self._pubsub = self.client.pubsub()
            subs = self._local.setdefault(key, [])
            subs.append(sub)
            if len(subs) == 1:
                await self._confirm(key)
        return sub

    async def _confirm(self, key: tuple[bool, str]) -> None:
        """(P)SUBSCRIBE and wait for Redis's confirmation (read by the reader task)."""
        pattern, name = key
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._acks.setdefault(key, deque()).append(ack)
        if pattern:
            await self._pubsub.psubscribe(name)
        else:
            await self._pubsub.subscribe(name)
        if self._reader is None:
            self._reader = asyncio.get_running_loop().create_task(
                self._read_loop(), name="hoga-bus-read"
            )
        await ack

    async def _read_loop(self) -> None:
        ps = self._pubsub
        while True:
            try:
                msg = await ps.get_message(timeout=None)
            except (RedisError, OSError) as exc:
                log.warning("redis subscription connection lost (%s); reconnecting", exc)
                self._all_lagged()
                await asyncio.sleep(0.2)
                continue
            if msg is None:
                continue
            kind = msg["type"]
            if kind in ("message", "pmessage"):
                pattern = kind == "pmessage"
                name = msg["pattern" if pattern else "channel"]
                subs = self._local.get((pattern, name.decode()))
                if subs:
                    channel: str = msg["channel"].decode()
                    message = Message(channel[len(self.prefix) :], msg["data"])
                    for sub in list(subs):
                        sub._push(message)
            elif kind in ("subscribe", "psubscribe"):
                key = (kind == "psubscribe", msg["channel"].decode())
                waiting = self._acks.get(key)
                if waiting:
                    ack = waiting.popleft()
                    if not ack.done():
                        ack.set_result(None)

    def _all_lagged(self) -> None:
        for subs in self._local.values():
            for sub in subs:
                sub._mark_lagged()

    async def _remove(self, sub: RedisSubscription) -> None:
        async with self._lock:
            subs = self._local.get(sub.key)
            if subs is None or sub not in subs:
                return
            subs.remove(sub)
            if subs:
                return
            del self._local[sub.key]
            if self._pubsub is not None and not self._closed:
                pattern, name = sub.key
                with contextlib.suppress(RedisError, OSError):
                    if pattern:
                        await self._pubsub.punsubscribe(name)
                    else:
                        await self._pubsub.unsubscribe(name)

    async def close(self) -> None:
        """Send what is queued (briefly), close every subscription and the connections."""
        if self._publisher is not None and self._queue:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    while self._queue:
                        await asyncio.sleep(0.01)
        for subs in list(self._local.values()):
            for sub in list(subs):
                await sub.close()
        self._closed = True
        for task in (self._publisher, self._reader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()
        with contextlib.suppress(RedisError, OSError):
            await self.client.aclose()


def open_redis_bus(url: str) -> RedisPubSub:
    """A Redis bus from ``redis://host:port/db[?prefix=…]`` (other query items go to redis-py)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    prefix = query.pop("prefix", ["hoga:"])[0]
    rest = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    return RedisPubSub(aioredis.Redis.from_url(rest), prefix=prefix)
