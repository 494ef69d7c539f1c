"""``hoga serve``: run the API and the simulated market in one process, or (``--role front``) a
WebSocket front end fed by the market process over a shared Redis bus."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hoga.config import DEFAULT_DB, Settings

__all__ = ["banner_rows", "register"]


def banner_rows(settings: Settings, extra: dict[str, str]) -> list[tuple[str, str]]:
    base = f"http://{settings.host}:{settings.port}"
    rows = [
        ("REST base URL", base),
        ("WebSocket URL", f"ws://{settings.host}:{settings.port}/api/dostk/websocket"),
        ("OpenAPI", f"{base}/openapi.json"),
        ("database", settings.db),
        ("bus", settings.bus),
        ("market", f"{settings.market} (clock {settings.clock}, seed {settings.seed})"),
    ]
    rows += list(extra.items())
    return rows


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port")] = 8000,
        db: Annotated[str, typer.Option(help="storage URL")] = DEFAULT_DB,
        seed: Annotated[int, typer.Option(help="seed of the simulated market")] = 1,
        market: Annotated[str, typer.Option(help="always | calendar")] = "always",
        clock: Annotated[str, typer.Option(help="real | fast:N | manual")] = "real",
        demo: Annotated[bool, typer.Option(help="create and print a demo customer")] = False,
        universe_limit: Annotated[
            int | None, typer.Option(help="trade only the N most traded instruments")
        ] = None,
        extended_sessions: Annotated[
            bool, typer.Option(help="use the announced 2026 extended KRX sessions")
        ] = False,
        participants: Annotated[
            bool, typer.Option(help="run the simulated market participants")
        ] = True,
        ratelimit: Annotated[
            str | None,
            typer.Option(help="rate limiter: memory:// (default), redis://host:port/db, off"),
        ] = None,
        bus: Annotated[
            str | None,
            typer.Option(
                help="event bus: memory:// (default) or redis://host:port/db[?prefix=…]; "
                "one process per bus runs the market, --role front processes serve sockets"
            ),
        ] = None,
        role: Annotated[
            str,
            typer.Option(
                help="all: the market, REST and WebSocket (default); front: WebSocket only, "
                "fed by the market process over the shared --bus"
            ),
        ] = "all",
        ws_max_pending: Annotated[
            int | None,
            typer.Option(help="rows a slow WebSocket session may have queued before it is dropped"),
        ] = None,
        ws_ping_interval: Annotated[
            float | None,
            typer.Option(help="seconds (of the simulated clock) between server PINGs"),
        ] = None,
    ) -> None:
        """Serve REST + WebSocket on one port, with the simulated market running.

        ``--bus redis://…`` publishes the market's event batches to Redis (topics
        ``market.<code>`` and ``market``) and relays ready-made realtime rows to front ends
        (:mod:`hoga.engine.realtime_relay`). Only one process per bus may run the market.
        ``--role front --bus redis://…`` (same ``--db``, ``--universe-limit`` and ``--clock``
        as the market process) runs no market: it serves only the WebSocket (and ``/health``),
        its sessions fed by the market process over the bus.
        """
        import uvicorn

        from hoga.api.app import create_app
        from hoga.api.front import create_front_app
        from hoga.api.http_protocol import GatheringProtocol
        from hoga.api.ws import WsConfig
        from hoga.api.ws_direct import DirectProtocol
        from hoga.bootstrap import build_context, build_front_context, build_relay, demo_customer
        from hoga.engine.realtime import RealtimeLimits

        if role not in ("all", "front"):
            raise typer.BadParameter("--role is all or front")
        settings = Settings.load(
            host=host,
            port=port,
            db=db,
            seed=seed,
            market=market,
            clock=clock,
            universe_limit=universe_limit,
            extended_sessions=extended_sessions,
            participants=participants,
            ratelimit=ratelimit,
            bus=bus,
        )
        limits = RealtimeLimits()
        if ws_max_pending is not None:
            limits = RealtimeLimits(limits.max_items, ws_max_pending, limits.frame_bytes)
        ws_config = WsConfig(limits=limits)
        if ws_ping_interval is not None:
            ws_config = WsConfig(ping_interval_us=int(ws_ping_interval * 1e6), limits=limits)
        extra: dict[str, str] = {}
        relay = None
        app: Any  # an ASGI application
        if role == "front":
            ctx = build_front_context(settings, limits=limits)
            app = create_front_app(ctx)
            extra["role"] = "front (WebSocket only; the market runs in another process)"
        else:
            ctx = build_context(settings)
            app = create_app(ctx)
            relay = build_relay(ctx)
            extra["operator token"] = ctx.operator_token
            if demo:
                extra.update(demo_customer(ctx))
        ctx.services["ws.config"] = ws_config
        console = Console()
        table = Table(title="hoga is running", show_header=False)
        for key, value in banner_rows(settings, extra):
            table.add_row(key, value)
        console.print(table)
        # proxy_headers off: only hoga's own trusted-proxy setting may rewrite the client address
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,  # never shown at "warning"; off saves the per-request logger call
            lifespan="on",
            proxy_headers=False,
            http=GatheringProtocol,  # one write per answer (headers and body together)
            ws=DirectProtocol,  # the realtime hub writes frames to the sockets itself
            ws_per_message_deflate=False,  # one frame's bytes serve every session
        )
        server = uvicorn.Server(config)

        async def run() -> None:
            if relay is not None:  # in the server's loop, before it accepts connections
                await relay.start()
            try:
                await server.serve()
            finally:
                if relay is not None:
                    await relay.stop()

        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            runner.run(run())
