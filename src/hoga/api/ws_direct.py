"""Direct socket writes for the realtime fan-out (uvicorn's sans-I/O WebSocket protocol).

``hoga serve`` runs uvicorn with :class:`DirectProtocol` (and without permessage-deflate): the
protocol puts itself in the connection's ASGI scope (extension ``hoga.direct``) so
:mod:`hoga.api.ws` can attach a :class:`DirectSink` to the session. The realtime hub then writes
prebuilt frames straight to the transport, synchronously, the way ``websockets.broadcast`` does
— instead of one ``await send_text`` per frame through Starlette and uvicorn — as long as the
transport's write buffer is under its high-water mark (uvicorn's ``writable`` flag); above it the
session queues (bounded) and :meth:`DirectProtocol.resume_writing` asks for the next drain.

Any other server, or a connection that negotiated an extension, falls back to the ordinary
writer task of :mod:`hoga.api.ws`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

__all__ = ["EXTENSION", "DirectProtocol", "DirectSink", "direct_sink", "text_frame"]

EXTENSION = "hoga.direct"
ABORT_AFTER_S = 10.0  # a closed session's socket is dropped if its buffer has not drained by then


def text_frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented server text frame (RFC 6455 §5.2) carrying ``payload``."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return b"\x81\x7e" + n.to_bytes(2, "big") + payload
    return b"\x81\x7f" + n.to_bytes(8, "big") + payload


class DirectProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol, exposed to the app and telling it when the
    transport's buffer drained (see the module docstring)."""

    on_drain: Callable[[], None] | None = None
    held = False  # above the high-water mark, closing or closed: the hub queues instead

    def pause_writing(self) -> None:
        self.held = True
        super().pause_writing()

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope: Any = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"][EXTENSION] = self

    def resume_writing(self) -> None:
        super().resume_writing()
        if not self.close_sent and not self.disconnected:
            self.held = False
            if self.on_drain is not None:
                self.on_drain()

    def connection_lost(self, exc: Exception | None) -> None:
        self.on_drain = None
        self.held = True
        super().connection_lost(exc)


class DirectSink:
    """A :class:`hoga.engine.realtime.FrameSink` over a :class:`DirectProtocol` connection."""

    frame = staticmethod(text_frame)

    def __init__(self, protocol: DirectProtocol) -> None:
        self.protocol = protocol
        self.transport = protocol.transport

    def writable(self) -> bool:
        return not self.protocol.held

    def write(self, data: bytes) -> None:
        if not self.protocol.held and not self.transport.is_closing():
            self.transport.write(data)

    def offer(self, data: bytes) -> bool:
        if self.protocol.held:
            return False
        if not self.transport.is_closing():
            self.transport.write(data)
        return True

    def close(self, notice: bytes | None, code: int = 1000) -> None:
        """Write ``notice`` (never waiting for a slow reader), the close frame, and end the
        connection: at the peer's close reply, or by abort after :data:`ABORT_AFTER_S`."""
        p = self.protocol
        p.on_drain = None
        p.held = True
        if p.close_sent or p.disconnected:
            return
        if notice is not None:
            self.transport.write(text_frame(notice))
        p.conn.send_close(code, "")
        self.transport.write(b"".join(p.conn.data_to_send()))
        p.close_sent = True
        p.queue.put_nowait({"type": "websocket.disconnect", "code": code})
        if p.read_paused:  # read on, so the peer's close reply is seen
            p.read_paused = False
            self.transport.resume_reading()
        p.close_timer = asyncio.get_running_loop().call_later(ABORT_AFTER_S, self.transport.abort)


def direct_sink(scope: Any) -> DirectSink | None:
    """The direct sink of a connection served by :class:`DirectProtocol` with no extension
    negotiated (frames are written as they are), else None."""
    protocol = scope.get("extensions", {}).get(EXTENSION)
    if not isinstance(protocol, DirectProtocol) or protocol.conn.extensions:
        return None
    return DirectSink(protocol)
