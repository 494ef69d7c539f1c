"""The REST fast path: :class:`RestFront`, the ASGI callable in front of the Starlette application.

``POST /api/dostk/<category>`` and ``POST /oauth2/token|revoke`` — every Kiwoom REST call — are
served here directly: the body is read from ``receive`` (capped at ``Settings.max_body_bytes``:
a larger one answers 1517 with HTTP 413 before it is read in full, whether it comes with a
``content-length`` or chunked), the headers are taken from the raw scope list, the client address
is resolved exactly as the trusted-proxy middleware does (:func:`hoga.api.clientip.client_of`),
:func:`~hoga.api.dispatch.dispatch` runs the call and the answer is sent from here. Starlette's
routing, middleware stack and request/response objects cost more than the rest of a cached
ka10001; the answers are byte-for-byte those the Starlette route of :func:`hoga.api.app.create_app`
gives (which stays registered, for the record and the OpenAPI document). Everything else — other
methods, other paths, a path with a trailing slash (Starlette redirects it), WebSocket, lifespan, a
non-empty ``root_path`` — goes to Starlette unchanged.

This module is on the request path of every REST call and is one of the modules the optional
mypyc build compiles (:data:`hoga.engine.fastpath.MODULES`): no async generators here.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from hoga.api.clientip import client_of, parse_trusted
from hoga.api.context import AppContext
from hoga.api.dispatch import dispatch
from hoga.wire.envelope import CONTENT_TYPE
from hoga.wire.errors import ApiError

__all__ = ["OAUTH_IDS", "TOO_LARGE", "BodyTooLarge", "RestFront", "env_for_host"]

log = logging.getLogger(__name__)

OAUTH_IDS = {"/oauth2/token": "au10001", "/oauth2/revoke": "au10002"}
_REST_PREFIX = "/api/dostk/"


class BodyTooLarge(Exception):
    pass


def env_for_host(ctx: AppContext, host: str) -> str:
    """:func:`hoga.api.app.env_for` from the ``host`` header's value."""
    envs = ctx.settings.environments
    name, _, port = host.rpartition(":") if ":" in host else (host, "", "")
    for key in (host, name, f":{port}" if port else ""):
        if key and key in envs:
            return envs[key]
    return envs.get("", "mock")


class _Disconnected(Exception):
    pass


_CT = CONTENT_TYPE.encode("latin-1")
TOO_LARGE = ApiError.of(1517, param="body", reason="요청 본문이 너무 큽니다")
_WANTED = frozenset(
    {b"api-id", b"authorization", b"cont-yn", b"next-key", b"host", b"content-length"}
)


class RestFront:
    """The ASGI application :func:`hoga.api.app.create_app` returns (see the module docstring)."""

    __slots__ = ("_encoded", "_envs", "app", "ctx", "limit", "state", "trusted")

    def __init__(self, ctx: AppContext, app: Starlette) -> None:
        self.ctx = ctx
        self.app = app  # everything but the REST calls
        self.state = app.state
        self.limit = ctx.settings.max_body_bytes
        self.trusted = parse_trusted(ctx.settings.trusted_proxies)
        self._encoded: dict[tuple[tuple[str, str], ...], list[tuple[bytes, bytes]]] = {}
        self._envs: dict[str, str] = {}  # host header -> environment (env_for_host)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and not scope.get("root_path"):
            path: str = scope["path"]
            if path in OAUTH_IDS or (
                path.startswith(_REST_PREFIX) and len(path) > 11 and "/" not in path[11:]
            ):
                await self._rest(scope, receive, send, path)
                return
        await self.app(scope, receive, send)

    async def _rest(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        found: dict[bytes, str] = {}
        forwarded: list[str] = []
        for key, value in scope["headers"]:
            if key in _WANTED:
                if key not in found:
                    found[key] = value.decode("latin-1")
            elif key == b"x-forwarded-for":
                forwarded.append(value.decode("latin-1"))
        try:
            data = await self._body(receive, found.get(b"content-length"))
        except BodyTooLarge:
            await _send(send, 413, TOO_LARGE.body(), [(b"content-type", _CT)])
            return
        except _Disconnected:
            return
        ctx = self.ctx
        host = found.get(b"host", "")
        env = self._envs.get(host)
        if env is None:
            env = env_for_host(ctx, host)
            if len(self._envs) < 1_024:  # host names are few; odd ones are just not kept
                self._envs[host] = env
        try:
            result = await dispatch(
                ctx,
                path=path,
                api_id=OAUTH_IDS.get(path) or found.get(b"api-id"),
                authorization=found.get(b"authorization"),
                cont_yn=found.get(b"cont-yn"),
                next_key=found.get(b"next-key"),
                data=data,
                env=env,
                client_ip=client_of(scope, self.trusted, forwarded),
            )
        except Exception:  # a bug: answer as Starlette's error middleware would, then re-raise
            log.exception("REST call %s failed", path)
            body_ = b"Internal Server Error"
            await _send(send, 500, body_, [(b"content-type", b"text/plain; charset=utf-8")])
            raise
        raw = result.headers
        held = self._encoded.get(raw) if type(raw) is tuple else None
        if held is None:
            held = [(b"content-type", _CT)]
            held += [
                (k.encode("latin-1"), v.encode("latin-1")) for k, v in raw if k != "content-type"
            ]
            if type(raw) is tuple and len(self._encoded) < 1_024:  # dispatch's per-api-id ones
                self._encoded[raw] = held
        headers = held
        await _send(send, result.status, result.body, headers)

    async def _body(self, receive: Receive, declared: str | None) -> bytes:
        """The request body (``limit`` checked before and while streaming, as in read_body)."""
        limit = self.limit
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge
        message = await receive()
        if message["type"] != "http.request":
            raise _Disconnected
        body: bytes = message.get("body", b"")
        if not message.get("more_body", False):
            if len(body) > limit:
                raise BodyTooLarge
            return body
        chunks = [body]
        size = len(body)
        while True:
            if size > limit:
                raise BodyTooLarge
            message = await receive()
            if message["type"] != "http.request":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        if size > limit:
            raise BodyTooLarge
        return b"".join(chunks)


async def _send(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-length", str(len(body)).encode()), *headers],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})
