"""``hoga serve``: run the API and the simulated market in one process."""

from __future__ import annotations

from typing import Annotated

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
                "one process per bus runs the market (no WebSocket front-end role yet)"
            ),
        ] = None,
    ) -> None:
        """Serve REST + WebSocket on one port, with the simulated market running.

        ``--bus redis://…`` publishes the market's event batches to Redis (topics
        ``market.<code>`` and ``market``) for other processes. Only one process per bus may run
        the market. A WebSocket-only front-end process fed by the bus is not implemented: the
        realtime hub reads book state (0C/0D/0H, cumulative figures) from its own process's
        exchange, so a front-end would need a book mirror driven by the bus first.
        """
        import uvicorn

        from hoga.api.app import create_app
        from hoga.api.ws_direct import DirectProtocol
        from hoga.bootstrap import build_context, demo_customer

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
        ctx = build_context(settings)
        extra = {"operator token": ctx.operator_token}
        if demo:
            extra.update(demo_customer(ctx))
        console = Console()
        table = Table(title="hoga is running", show_header=False)
        for key, value in banner_rows(settings, extra):
            table.add_row(key, value)
        console.print(table)
        # proxy_headers off: only hoga's own trusted-proxy setting may rewrite the client address
        uvicorn.run(
            create_app(ctx),
            host=host,
            port=port,
            log_level="warning",
            lifespan="on",
            proxy_headers=False,
            ws=DirectProtocol,  # the realtime hub writes frames to the sockets itself
            ws_per_message_deflate=False,  # one frame's bytes serve every session
        )
