"""Run the SDK against an in-process ASGI application (tests, notebooks, the docs' examples).

* REST: pass ``transport=httpx.ASGITransport(app)`` to :class:`~hoga.client.AsyncClient` or to
  :class:`~hoga.client.Client` (the sync client runs its async core on a private event-loop
  thread, so it takes the same async transport);
* WebSocket: pass ``ws_connect=asgi_websocket(app)``; it speaks the ASGI WebSocket protocol to
  ``app`` directly, in the caller's event loop — no socket, no server.

Only the standard library and the ASGI message shapes are used; nothing here imports a server.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from hoga.client.realtime import WsConnect, WsConnection
from hoga.wire.catalog import WEBSOCKET

__all__ = ["ASGIWebSocket", "asgi_websocket"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]


class ASGIWebSocket:
    """One WebSocket connection to an ASGI app (implements :class:`~.realtime.WsConnection`)."""

    def __init__(self, app: ASGIApp, path: str = WEBSOCKET) -> None:
        self._app = app
        self._path = path
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    async def open(self) -> ASGIWebSocket:
        scope: Scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "http_version": "1.1",
            "path": self._path,
            "raw_path": self._path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"inprocess")],
            "client": ("127.0.0.1", 50000),
            "server": ("inprocess", 80),
            "subprotocols": [],
            "state": {},
        }
        self._task = asyncio.create_task(self._serve(scope))
        await self._to_app.put({"type": "websocket.connect"})
        first = await self._from_app.get()
        if first["type"] != "websocket.accept":
            raise ConnectionError(f"WebSocket refused: {first!r}")
        return self

    async def _serve(self, scope: Scope) -> None:
        try:
            await self._app(scope, self._to_app.get, self._from_app.put)
        finally:
            await self._from_app.put({"type": "websocket.close", "code": 1006})

    async def send(self, text: str) -> None:
        if self._closed:
            raise ConnectionError("WebSocket closed")
        await self._to_app.put({"type": "websocket.receive", "text": text})

    async def recv(self) -> str:
        while True:
            msg = await self._from_app.get()
            if msg["type"] == "websocket.send":
                text = msg.get("text")
                return text if text is not None else bytes(msg.get("bytes") or b"").decode()
            if msg["type"] == "websocket.close":
                self._closed = True
                await self._from_app.put(msg)  # every later recv fails too
                raise ConnectionError(f"WebSocket closed ({msg.get('code', 1000)})")

    async def close(self) -> None:
        if self._task is None:
            return
        self._closed = True
        await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
        try:
            await asyncio.wait_for(asyncio.shield(self._task), 5)
        except (TimeoutError, Exception):
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task


def asgi_websocket(app: Any, path: str = WEBSOCKET) -> WsConnect:
    """A ``ws_connect`` that opens WebSockets to the in-process ASGI ``app`` (URL ignored)."""

    async def connect(_url: str) -> WsConnection:
        return await ASGIWebSocket(app, path).open()

    return connect
