"""The ASGI application: Kiwoom REST paths, OAuth, operator routes, OpenAPI document.

Routes:
- ``POST /api/dostk/{category}`` — every REST api-id (see :mod:`hoga.api.dispatch`);
- ``POST /oauth2/token`` (au10001) and ``POST /oauth2/revoke`` (au10002), which need no
  ``api-id`` header;
- ``GET /openapi.json`` — the OpenAPI 3.1 document generated from the wire schemas;
- ``GET /health``;
- ``/operator/...`` — the operator control surface (see :mod:`hoga.api.operator`);
- ``/hoga/v1/keys…`` — the customer's key management (see :mod:`hoga.api.routes.keys`).

The client address is the connection's peer, or ``X-Forwarded-For`` behind a trusted proxy
(``Settings.trusted_proxies``, off by default; :mod:`hoga.api.clientip`).

Request bodies are capped at ``Settings.max_body_bytes``: a larger one answers 1517 with HTTP 413
before it is read in full.

**Fast path.** :func:`create_app` returns a :class:`RestFront`: a plain ASGI callable in front of
the Starlette application. ``POST /api/dostk/<category>`` and ``POST /oauth2/token|revoke`` —
every Kiwoom REST call — are served by it directly: it reads the body from ``receive`` (same cap,
same 413 answer, whether the body comes with a ``content-length`` or chunked), takes the headers
from the raw scope list, resolves the client address exactly as the trusted-proxy middleware
does (:func:`hoga.api.clientip.client_of`), calls :func:`~hoga.api.dispatch.dispatch` and sends
the answer itself. Starlette's routing, middleware stack and request/response objects cost more
than the rest of a cached ka10001; the answers are byte-for-byte those the Starlette route
gives (which stays registered, for the record and the OpenAPI document). Everything else —
other methods, other paths, a path with a trailing slash (Starlette redirects it), WebSocket,
lifespan, a non-empty ``root_path`` — goes to Starlette unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Message, Receive, Scope, Send

from hoga.api import operator, ws
from hoga.api.clientip import TrustedProxies, client_of, parse_trusted
from hoga.api.context import AppContext
from hoga.api.dispatch import Result, dispatch
from hoga.api.routes import compliance, incidents, load_all, operations
from hoga.api.routes.conditions import routes as condition_routes
from hoga.api.routes.keys import routes as key_routes
from hoga.api.routes.records import routes as record_routes
from hoga.wire.envelope import CONTENT_TYPE, body
from hoga.wire.errors import ApiError
from hoga.wire.openapi import openapi_document

__all__ = ["RestFront", "create_app", "env_for", "env_for_host"]

log = logging.getLogger(__name__)

_OAUTH_IDS = {"/oauth2/token": "au10001", "/oauth2/revoke": "au10002"}
_REST_PREFIX = "/api/dostk/"


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes (checked while streaming)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def env_for(ctx: AppContext, request: Request) -> str:
    """Which environment (mock / real) the request targets: by host name, then port."""
    return env_for_host(ctx, request.headers.get("host", ""))


def env_for_host(ctx: AppContext, host: str) -> str:
    """:func:`env_for` from the ``host`` header's value."""
    envs = ctx.settings.environments
    name, _, port = host.rpartition(":") if ":" in host else (host, "", "")
    for key in (host, name, f":{port}" if port else ""):
        if key and key in envs:
            return envs[key]
    return envs.get("", "mock")


def _reply(result: Result) -> Response:
    resp = Response(result.body, status_code=result.status, media_type=CONTENT_TYPE)
    for name, value in result.headers:
        resp.headers[name] = value
    return resp


class _Disconnected(Exception):
    pass


_CT = CONTENT_TYPE.encode("latin-1")
_TOO_LARGE = ApiError.of(1517, param="body", reason="요청 본문이 너무 큽니다")
_WANTED = frozenset(
    {b"api-id", b"authorization", b"cont-yn", b"next-key", b"host", b"content-length"}
)


class RestFront:
    """The ASGI application :func:`create_app` returns (see the module docstring)."""

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
            if path in _OAUTH_IDS or (
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
            await _send(send, 413, _TOO_LARGE.body(), [(b"content-type", _CT)])
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
                api_id=_OAUTH_IDS.get(path) or found.get(b"api-id"),
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


def create_app(ctx: AppContext, *, run_market: bool = True) -> RestFront:
    """The application over ``ctx``; with ``run_market`` the lifespan runs the market loop."""
    load_all()

    async def rest(request: Request) -> Response:  # what RestFront does, for other scopes
        path = request.url.path
        api_id = _OAUTH_IDS.get(path) or request.headers.get("api-id")
        try:
            data = await read_body(request, ctx.settings.max_body_bytes)
        except BodyTooLarge:
            return Response(_TOO_LARGE.body(), status_code=413, media_type=CONTENT_TYPE)
        client = request.client.host if request.client else ""
        result = await dispatch(
            ctx,
            path=path,
            api_id=api_id,
            authorization=request.headers.get("authorization"),
            cont_yn=request.headers.get("cont-yn"),
            next_key=request.headers.get("next-key"),
            data=data,
            env=env_for(ctx, request),
            client_ip=client,
        )
        return _reply(result)

    async def openapi(_: Request) -> Response:
        return JSONResponse(openapi_document())

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "time": ctx.clock.now()})

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        err = ApiError.of(1504, api_id=request.headers.get("api-id", ""), uri=request.url.path)
        return Response(
            body(err.return_code, err.return_msg), status_code=status, media_type=CONTENT_TYPE
        )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        warm: asyncio.Task[None] | None = None
        delivering: asyncio.Task[None] | None = None
        if (records := ctx.services.get("records")) is not None:
            records.start()  # flushes every Settings.records_flush_ms
        if run_market:
            ctx.runner.start()
            # building the exchange calendar takes seconds of pandas work; do it now, off the
            # event loop, instead of inside the first request that needs a trading-day lookup
            load = getattr(ctx.calendar, "load", None)
            if load is not None:
                warm = asyncio.create_task(asyncio.to_thread(load))
            if (outbox := ctx.services.get("outbox")) is not None:
                delivering = asyncio.create_task(outbox.run(), name="hoga-outbox")
        try:
            yield
        finally:
            if run_market:
                await ctx.runner.stop()
            if ctx.limiter is not None:
                await ctx.limiter.aclose()
            if (records := ctx.services.get("records")) is not None:
                await records.aclose()  # flush the record buffer (hoga.engine.records)
            if warm is not None:
                await warm
            if delivering is not None:
                delivering.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await delivering

    routes = [
        Route("/api/dostk/{category}", rest, methods=["POST"]),
        Route("/oauth2/token", rest, methods=["POST"]),
        Route("/oauth2/revoke", rest, methods=["POST"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        WebSocketRoute("/api/dostk/websocket", ws.endpoint(ctx)),
        *operator.routes(ctx),
        *key_routes(ctx, env_for),  # /hoga/v1/keys…
        *condition_routes(ctx),  # /hoga/v1/conditions…
        *incidents.routes(ctx),  # /operator/incidents…, /hoga/v1/incidents…
        *operations.routes(ctx),  # maintenance, service changes, notices, fees
        *compliance.routes(ctx),  # terms, disputes, onboarding (/hoga/v1/…, /operator/compliance…)
        *record_routes(ctx, env_for),  # /hoga/v1/records (export), /operator/records…
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error},
    )
    app.add_middleware(TrustedProxies, trusted=ctx.settings.trusted_proxies)
    app.state.ctx = ctx
    return RestFront(ctx, app)
