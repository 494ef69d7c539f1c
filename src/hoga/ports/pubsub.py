"""The pub/sub port: how market and account events leave the single writer.

Topics are dotted strings; the exchange publishes per-instrument events on ``market.<code>``,
market-wide events (phase changes) on ``market``, and account events on ``account.<number>``.
Payloads are bytes (msgspec JSON of the event), so a cross-process backend can carry them
unchanged.

Semantics every adapter keeps (checked by the contract suite):
- Messages published to a topic reach every subscription to that topic that existed before the
  publish, in publish order.
- A subscription to ``prefix.*`` receives every topic that starts with ``prefix.``.
- A slow subscriber never blocks the publisher: each subscription has a bounded buffer, and when it
  overflows the subscription is marked ``lagged`` and the oldest messages are dropped (the consumer
  decides whether to resynchronise or disconnect).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Message", "PubSub", "Subscription"]


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    payload: bytes


class Subscription(Protocol):
    """An open subscription; iterate it to receive messages, close it to stop."""

    @property
    def lagged(self) -> bool:
        """True once messages were dropped because the consumer fell behind."""
        ...

    def __aiter__(self) -> AsyncIterator[Message]: ...

    async def get(self) -> Message:
        """The next message (waits until one arrives)."""
        ...

    def get_nowait(self) -> Message | None:
        """The next buffered message, or None."""
        ...

    async def close(self) -> None: ...


class PubSub(Protocol):
    """A topic-based message bus."""

    async def publish(self, topic: str, payload: bytes) -> None:
        """Deliver ``payload`` to every current subscriber of ``topic``."""
        ...

    def publish_nowait(self, topic: str, payload: bytes) -> None:
        """Synchronous publish for the in-process writer; adapters that need I/O queue it."""
        ...

    def has_subscribers(self, topic: str) -> bool:
        """Whether anyone listens to ``topic`` (lets the writer skip encoding); may be True
        conservatively."""
        ...

    async def subscribe(self, topic: str, *, buffer: int = 10_000) -> Subscription:
        """Subscribe to ``topic`` (exact, or ``prefix.*``)."""
        ...

    async def close(self) -> None: ...
