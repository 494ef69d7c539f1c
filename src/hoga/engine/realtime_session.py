"""Realtime sessions: one logged-in WebSocket's registrations and its bounded outbound queue,
the socket writer it may have (:class:`FrameSink`), and the packing of rows into ``REAL`` frames
(see :mod:`hoga.engine.realtime` for the fan-out and the back-pressure policy)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["FrameSink", "Group", "Pair", "RealtimeLimits", "RealtimeSession", "pack"]

_STATE_TYPES = frozenset({"0C", "0D", "0E", "0H", "0g"})

Pair = tuple[str, str]  # (type, item)


@dataclass(frozen=True, slots=True)
class RealtimeLimits:
    """Per-session limits: distinct item codes registered (all groups), pending rows, frame size."""

    max_items: int = 200
    max_pending: int = 4096
    frame_bytes: int = 4096


# ------------------------------------------------------------------ sessions


class FrameSink(Protocol):
    """A socket the hub writes to synchronously (the WebSocket layer's direct writer).

    Every sink attached to one hub frames alike (the hub builds a batch's wire bytes once for
    all sessions that get the same rows).
    """

    def writable(self) -> bool:
        """Whether a write now stays within the socket's buffer bound (False: queue instead)."""
        ...

    def frame(self, payload: bytes) -> bytes:
        """The wire bytes of one text message ``payload``."""
        ...

    def write(self, data: bytes) -> None:
        """Hand wire bytes to the socket (never waits)."""
        ...

    def offer(self, data: bytes) -> bool:
        """:meth:`write` if :meth:`writable` (True), else nothing (False)."""
        ...


class RealtimeSession:
    """One logged-in WebSocket: its groups and its ordered outbound queue.

    The queue holds control frames (bytes) and REAL rows (``[key, bytes]``); :meth:`take`
    packs consecutive rows into ``REAL`` frames under ``frame_bytes`` and keeps the order.

    Without a sink the queue is drained by a writer task (:meth:`wait` / :meth:`take`). With a
    sink (:meth:`attach`) the hub drains it once per event-loop turn and writes the frames to
    the sink; while the sink is not writable (a slow consumer) the queue keeps its bound and
    :meth:`resume` (the sink drained) schedules the next drain. :meth:`wait` then only wakes
    when the session ends.
    """

    skips = True  # honours ``skip`` in RealtimeHub.fanout (the relay's stand-in does not)

    def __init__(self, appkey: str, accounts: tuple[str, ...], limits: RealtimeLimits) -> None:
        self.appkey = appkey
        self.accounts = accounts
        self.limits = limits
        self.groups: dict[str, set[Pair]] = {}
        self.closed = False
        self.notice: bytes | None = None  # the last frame before the socket closes
        self.sink: FrameSink | None = None
        self.group: Group | None = None  # with a sink: the sessions registered alike
        self._out: list[bytes | list[Any]] = []
        self._slots: dict[Pair, list[Any]] = {}
        self._rows = 0
        self._wake = asyncio.Event()
        self._ready: Callable[[RealtimeSession], None] | None = None  # the hub's drain request

    def pairs(self) -> set[Pair]:
        out: set[Pair] = set()
        for g in self.groups.values():
            out |= g
        return out

    def attach(self, sink: FrameSink) -> None:
        """Write through ``sink`` from now on (what is queued leaves at the next drain)."""
        self.sink = sink
        if self._out:
            self._signal()

    def resume(self) -> None:
        """The sink drained below its bound: drain the queue again."""
        if self._out and not self.closed:
            self._signal()

    def _signal(self) -> None:
        ready = self._ready
        if self.sink is not None and ready is not None:
            ready(self)
        else:
            self._wake.set()

    def send(self, frame: bytes) -> None:
        """Queue a control frame (ack, PING)."""
        if not self.closed:
            self._out.append(frame)
            self._signal()

    def end(self, notice: bytes | None) -> None:
        """Stop the session: pending rows are dropped, ``notice`` is the last frame sent."""
        if self.closed:
            return
        self.closed = True
        self.notice = notice
        self._out.clear()
        self._slots.clear()
        self._rows = 0
        self._wake.set()

    def push(self, type_code: str, item: str, row: bytes) -> bool:
        """Queue an encoded REAL row; False when the queue overflowed (the caller ends us)."""
        if self.closed:
            return True
        key = (type_code, item)
        if type_code in _STATE_TYPES:
            slot = self._slots.get(key)
            if slot is not None:
                slot[1] = row
                return True
        if self._rows >= self.limits.max_pending:
            return False
        entry: list[Any] = [key, row]
        if type_code in _STATE_TYPES:
            self._slots[key] = entry
        was_empty = not self._out
        self._out.append(entry)
        self._rows += 1
        if was_empty:
            self._signal()
        return True

    async def wait(self) -> None:
        await self._wake.wait()

    def drain(self) -> list[bytes | list[Any]]:
        """Everything queued, unpacked (the hub's direct drain)."""
        out, self._out = self._out, []
        self._slots.clear()
        self._rows = 0
        return out

    def take(self) -> list[bytes]:
        """Everything queued, as frames in order (rows packed into REAL frames)."""
        self._wake.clear()
        return pack(self.drain(), self.limits.frame_bytes)


_HEAD = b'{"trnm":"REAL","data":['
_TAIL = b"]}"


def _frame(rows: list[bytes]) -> bytes:
    return _HEAD + b",".join(rows) + _TAIL


def pack(out: Sequence[bytes | list[Any]], frame_bytes: int) -> list[bytes]:
    """Queue entries as frames in order: rows packed into ``REAL`` frames under
    ``frame_bytes`` (a single larger row gets a frame of its own), control frames as they are."""
    frames: list[bytes] = []
    batch: list[bytes] = []
    size = 0
    limit = frame_bytes - len(_HEAD) - len(_TAIL)
    for x in out:
        if isinstance(x, bytes):
            if batch:
                frames.append(_frame(batch))
                batch, size = [], 0
            frames.append(x)
            continue
        row: bytes = x[1]
        if batch and size + len(row) + 1 > limit:
            frames.append(_frame(batch))
            batch, size = [], 0
        batch.append(row)
        size += len(row) + 1
    if batch:
        frames.append(_frame(batch))
    return frames


class Group:
    """Sessions with a sink and the same registered pairs: a row is queued once for all of
    them and its frame bytes are built once (see :meth:`RealtimeHub.drain`)."""

    __slots__ = ("members", "pairs", "rows")

    def __init__(self, pairs: frozenset[Pair]) -> None:
        self.pairs = pairs
        self.members: set[RealtimeSession] = set()
        self.rows: list[list[Any]] = []  # [pair, row] entries of this turn
