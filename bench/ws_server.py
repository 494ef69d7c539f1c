"""The hoga server of :mod:`bench.ws_fanout`: ``hoga serve`` plus a trade-time tap.

``python -m bench.ws_server --port P --db sqlite:///… --universe-limit N --trades FILE
--probe-codes A,B,…`` runs what ``hoga serve --ratelimit off --market always --clock fast:1``
runs (the same :func:`hoga.bootstrap.build_context`, :func:`hoga.api.app.create_app`,
``WsConfig`` and uvicorn settings: uvloop, httptools, hoga's ``DirectProtocol``, no
permessage-deflate; operator token from ``HOGA_OPERATOR_TOKEN``), minus the banner, and adds one
exchange listener: for every ``Trade`` event of a probe code it appends
``<code> <cumulative volume after that trade> <time.monotonic_ns()>`` to ``--trades``.

Exchange listeners are called synchronously with each batch of sequenced events as the
exchange emits it, right after the board has matched the order; the tap is put first in the
listener list (before the market-data recorder and the brokerage), so its time is the moment
the exchange produced the trade. ``CLOCK_MONOTONIC`` is system-wide on Linux, so the driver
and the client processes compare it with their own ``time.monotonic()``. The cumulative volume
is the board's after the batch minus the quantities of the batch's later trades of that code,
i.e. exactly FID 13 of that trade's 0B row — the key the driver joins on.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from typing import IO, Any

__all__ = ["main", "trade_tap"]


def trade_tap(exchange: Any, codes: set[str], out: IO[str]) -> Callable[[list[Any]], None]:
    """The listener: one line per trade of ``codes`` (see the module docstring)."""
    from hoga.domain.events import Trade

    def tap(batch: list[Any]) -> None:
        trades = [ev for _, ev in batch if type(ev) is Trade and ev.code in codes]
        if not trades:
            return
        ns = time.monotonic_ns()
        later: dict[str, int] = {}
        lines = []
        for ev in reversed(trades):
            volume = exchange.states[ev.code].board.stats.volume - later.get(ev.code, 0)
            later[ev.code] = later.get(ev.code, 0) + ev.qty
            lines.append(f"{ev.code} {volume} {ns}\n")
        out.write("".join(reversed(lines)))

    return tap


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="hoga server for bench.ws_fanout")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--universe-limit", type=int, default=None)
    p.add_argument("--trades", required=True, help="file the probe trades are appended to")
    p.add_argument("--probe-codes", default="")
    args = p.parse_args(argv)
    import uvicorn

    from hoga.api.app import create_app
    from hoga.api.ws import WsConfig
    from hoga.api.ws_direct import DirectProtocol
    from hoga.bootstrap import build_context
    from hoga.config import Settings
    from hoga.engine.realtime import RealtimeLimits

    settings = Settings.load(
        host="127.0.0.1",
        port=args.port,
        db=args.db,
        market="always",
        clock="fast:1",
        universe_limit=args.universe_limit,
        participants=True,
        ratelimit="off",
    )
    ctx = build_context(settings)
    app = create_app(ctx)
    ctx.services["ws.config"] = WsConfig(limits=RealtimeLimits())
    out = open(args.trades, "a", encoding="ascii", buffering=1)  # noqa: SIM115 - whole process
    codes = {c for c in args.probe_codes.split(",") if c}
    # first in the list: timed before the recorder and the brokerage handle the batch
    ctx.exchange._listeners.insert(0, trade_tap(ctx.exchange, codes, out))
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        lifespan="on",
        proxy_headers=False,
        ws=DirectProtocol,
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(config)
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(server.serve())


if __name__ == "__main__":
    main()
