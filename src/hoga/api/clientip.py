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

__all__ = ["TrustedProxies", "client_of", "parse_trusted"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def parse_trusted(text: str) -> tuple[str, ...]:
    """Addresses / networks from a comma- or space-separated setting."""
    return tuple(part for part in re.split(r"[,\s]+", text) if part)


def client_of(scope: Scope, trusted: tuple[str, ...], forwarded: list[str] | None = None) -> str:
    """The client address of an HTTP/WebSocket ``scope``: the peer, or what ``X-Forwarded-For``
    names when the peer is one of the ``trusted`` proxies. ``forwarded``: the header's values
    when the caller already collected them (else they are read from the scope)."""
    client = scope.get("client")
    peer = str(client[0]) if client else ""
    if not trusted:
        return peer
    if forwarded is None:
        forwarded = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"]
    return client_address(peer, ", ".join(forwarded) or None, trusted)


class TrustedProxies:
    def __init__(self, app: ASGIApp, trusted: str = "") -> None:
        self.app = app
        self.trusted = parse_trusted(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.trusted and scope["type"] in ("http", "websocket"):
            address = client_of(scope, self.trusted)
            client = scope.get("client")
            if address != (str(client[0]) if client else ""):
                scope = dict(scope)
                scope["client"] = (address, int(client[1]) if client else 0)
        await self.app(scope, receive, send)
