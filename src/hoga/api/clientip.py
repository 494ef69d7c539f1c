"""Where a request comes from: a pure-ASGI middleware (HTTP and WebSocket scopes) that replaces
``scope["client"]`` with the address named by ``X-Forwarded-For`` when — and only when — the
connection comes from a trusted proxy (``Settings.trusted_proxies``; empty by default, so the
header is ignored and the peer address is the client). The rule is
:func:`hoga.policy.access.client_address`. Run uvicorn without its own proxy-header handling
(``proxy_headers=False``) or with the same trusted list, so the header is read once.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from hoga.policy.access import client_address

__all__ = ["TrustedProxies", "parse_trusted"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def parse_trusted(text: str) -> tuple[str, ...]:
    """Addresses / networks from a comma- or space-separated setting."""
    return tuple(part for part in re.split(r"[,\s]+", text) if part)


class TrustedProxies:
    def __init__(self, app: ASGIApp, trusted: str = "") -> None:
        self.app = app
        self.trusted = parse_trusted(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.trusted and scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            peer, port = (str(client[0]), int(client[1])) if client else ("", 0)
            values = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"]
            address = client_address(peer, ", ".join(values) or None, self.trusted)
            if address != peer:
                scope = dict(scope)
                scope["client"] = (address, port)
        await self.app(scope, receive, send)
