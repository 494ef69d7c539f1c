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

**Fast path.** :func:`create_app` returns a :class:`~hoga.api.rest.RestFront`: a plain ASGI
callable in front of the Starlette application that serves every Kiwoom REST call itself, with
the same answers byte for byte as the ``rest`` route here (which stays registered, for the record
and the OpenAPI document); everything else goes to Starlette (see :mod:`hoga.api.rest`).
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

from hoga.api import operator, ws
from hoga.api.clientip import TrustedProxies
from hoga.api.context import AppContext
from hoga.api.dispatch import Result, dispatch
from hoga.api.rest import OAUTH_IDS, TOO_LARGE, BodyTooLarge, RestFront, env_for_host
from hoga.api.routes import compliance, incidents, load_all, operations
from hoga.api.routes.conditions import routes as condition_routes
from hoga.api.routes.keys import routes as key_routes
from hoga.api.routes.records import routes as record_routes
from hoga.wire.envelope import CONTENT_TYPE, body
from hoga.wire.errors import ApiError
from hoga.wire.openapi import openapi_document

__all__ = ["RestFront", "create_app", "env_for", "env_for_host"]

log = logging.getLogger(__name__)


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


def _reply(result: Result) -> Response:
    resp = Response(result.body, status_code=result.status, media_type=CONTENT_TYPE)
    for name, value in result.headers:
        resp.headers[name] = value
    return resp


def create_app(ctx: AppContext, *, run_market: bool = True) -> RestFront:
    """The application over ``ctx``; with ``run_market`` the lifespan runs the market loop."""
    load_all()

    async def rest(request: Request) -> Response:  # what RestFront does, for other scopes
        path = request.url.path
        api_id = OAUTH_IDS.get(path) or request.headers.get("api-id")
        try:
            data = await read_body(request, ctx.settings.max_body_bytes)
        except BodyTooLarge:
            return Response(TOO_LARGE.body(), status_code=413, media_type=CONTENT_TYPE)
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
