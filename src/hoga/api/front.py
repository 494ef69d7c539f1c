"""The application of a WebSocket front end (``hoga serve --role front``).

It serves ``/api/dostk/websocket`` (the same protocol as the market process, :mod:`hoga.api.ws`)
and ``/health`` — nothing else: orders, queries and the operator API go to the market process.
Its realtime hub (:class:`hoga.engine.realtime_relay.FrontHub`, built by
:func:`hoga.bootstrap.build_front_context`) gets ready-made rows from the market over the shared
bus; LOGIN checks tokens in the shared database. Condition search (CNSR*) is forwarded to the
market process, which evaluates it on its data (:mod:`hoga.engine.conditions_relay`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from hoga.api import ws
from hoga.api.clientip import TrustedProxies
from hoga.api.context import AppContext
from hoga.engine.realtime_relay import FrontHub

__all__ = ["create_front_app"]


def create_front_app(ctx: AppContext) -> Starlette:
    """The front end's application over ``ctx`` (its hub starts and stops with it)."""
    hub = ctx.services["realtime"]
    if not isinstance(hub, FrontHub):
        raise TypeError("a front end's context has a FrontHub (hoga.bootstrap.build_front_context)")

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "time": ctx.clock.now(), "role": "front"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            await ctx.pubsub.close()

    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            WebSocketRoute("/api/dostk/websocket", ws.endpoint(ctx)),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(TrustedProxies, trusted=ctx.settings.trusted_proxies)
    app.state.ctx = ctx
    return app
