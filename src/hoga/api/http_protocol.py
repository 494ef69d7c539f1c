"""One ``send`` per answer: uvicorn's HTTP/1.1 protocol with its writes gathered per loop turn.

uvicorn writes an answer in two transport writes: the status line and headers when the app sends
``http.response.start``, the body when it sends ``http.response.body``. Over a socket with
``TCP_NODELAY`` each write is its own ``send`` system call and its own TCP segment, and the client
wakes up for each — on the loopback API benchmark that pair of calls was 46 % of a raw-ASGI
app's time per request and 29 % of hoga's event loop (bench/README.md, "API benchmarks").

:class:`GatheringProtocol` (``hoga serve`` runs uvicorn's httptools protocol through it) hands
the protocol a :class:`GatheringTransport`: a write made while the loop runs a callback is kept,
and everything written during that turn goes out as one write from a callback the first write
scheduled (``loop.call_soon``). Order is kept; nothing waits longer than the rest of the current
loop turn; ``close``, ``write_eof`` and ``abort`` send or drop what is kept first, as the socket
would; size and flow-control questions are answered by the real transport plus what is kept.
A WebSocket upgrade hands the real transport to the WebSocket protocol (it writes frames itself:
:mod:`hoga.api.ws_direct`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["GatheringProtocol", "GatheringTransport"]


class GatheringTransport:
    """A transport that gathers the writes of one loop turn into one (see the module doc)."""

    __slots__ = ("_kept", "_loop", "real")

    def __init__(self, real: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.real = real
        self._loop = loop
        self._kept: list[bytes] | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        kept = self._kept
        if kept is None:
            self._kept = [bytes(data)]
            self._loop.call_soon(self.flush)
        else:
            kept.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        """Write what is kept, as one write (nothing when the socket is closing)."""
        kept, self._kept = self._kept, None
        if kept and not self.real.is_closing():
            self.real.write(kept[0] if len(kept) == 1 else b"".join(kept))

    def close(self) -> None:
        self.flush()
        self.real.close()

    def write_eof(self) -> None:
        self.flush()
        self.real.write_eof()

    def abort(self) -> None:
        self._kept = None
        self.real.abort()

    def is_closing(self) -> bool:
        return self.real.is_closing()

    def get_write_buffer_size(self) -> int:
        kept = self._kept
        return self.real.get_write_buffer_size() + (sum(map(len, kept)) if kept else 0)

    def pause_reading(self) -> None:
        self.real.pause_reading()

    def resume_reading(self) -> None:
        self.real.resume_reading()

    def is_reading(self) -> bool:
        return self.real.is_reading()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.real.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.real.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.real.get_protocol()

    def can_write_eof(self) -> bool:
        return self.real.can_write_eof()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self.real.set_write_buffer_limits(high, low)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self.real.get_write_buffer_limits()


class GatheringProtocol(HttpToolsProtocol):
    """uvicorn's httptools HTTP/1.1 protocol over a :class:`GatheringTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        gathering: Any = GatheringTransport(transport, self.loop)
        super().connection_made(gathering)

    def handle_websocket_upgrade(self) -> None:
        gathering = self.transport
        if isinstance(gathering, GatheringTransport):  # the WebSocket protocol writes directly
            gathering.flush()
            self.transport = gathering.real
        super().handle_websocket_upgrade()
