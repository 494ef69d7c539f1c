"""A server process for the API benchmarks (started by :mod:`bench.api_throughput`).

``python -m bench.api_server --port P --db sqlite:///…`` is ``hoga serve`` minus the banner:
:func:`hoga.bootstrap.build_context` + :func:`hoga.api.app.create_app` with the market running
(always mode, real clock, participants on, the whole universe unless ``--universe-limit``), rate
limits **off** unless ``--ratelimit URL`` (``memory://``, ``redis://…``; per-customer query limit
``--ratelimit-queries``, default ``Settings.ratelimit_queries``), served by uvicorn with uvloop +
httptools through hoga's :class:`~hoga.api.http_protocol.GatheringProtocol` (as ``hoga serve``:
one write per answer), one worker, no access log.

``python -m bench.api_server --floor TOKENS.json --db sqlite:///… --port P`` serves
:mod:`bench.api_floor` (the durable-acknowledgement floor) on stock uvicorn.

``python -m bench.api_server --baseline --port P`` serves :mod:`bench.api_baseline` on stock
uvicorn (its httptools protocol: headers and body as two writes); ``--http gathering`` serves it
through hoga's protocol instead, for the same-server comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

__all__ = ["main"]

UVICORN: dict[str, Any] = {
    "host": "127.0.0.1",
    "loop": "uvloop",
    "http": "httptools",
    "access_log": False,
    "proxy_headers": False,  # as `hoga serve`: only hoga's trusted-proxy setting applies
    "log_level": "warning",
    "workers": 1,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="server for bench.api_throughput")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", default="")
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument(
        "--floor", default="", help="serve bench.api_floor; a JSON file of the bearer tokens"
    )
    parser.add_argument(
        "--http",
        choices=("stock", "gathering"),
        default=None,
        help="uvicorn's httptools protocol or hoga's (default: stock for --baseline, else hoga's)",
    )
    parser.add_argument("--floor-inline", action="store_true", help="floor: commit on the loop")
    parser.add_argument("--universe-limit", type=int, default=None)
    parser.add_argument("--ratelimit", default="off", help="off | memory:// | redis://…")
    parser.add_argument("--ratelimit-queries", type=int, default=None)
    parser.add_argument(
        "--compiled", action="store_true", help="the mypyc-built core when built (as make run)"
    )
    args = parser.parse_args(argv)
    import uvicorn

    if args.compiled:  # before anything imports the compiled modules
        from hoga.engine import fastpath

        on = fastpath.enable()
        reason = "" if on else f" ({fastpath.status().get('reason', '')})"
        print(f"hoga core: {'compiled' if on else 'pure'}{reason}", flush=True)
    elif not args.baseline:
        print("hoga core: pure", flush=True)

    options = dict(UVICORN)
    if (args.http or ("stock" if args.baseline or args.floor else "gathering")) == "gathering":
        from hoga.api.http_protocol import GatheringProtocol

        options["http"] = GatheringProtocol
    if args.floor:
        import json
        from pathlib import Path

        from bench.api_floor import FloorApp

        tokens = set(json.loads(Path(args.floor).read_text(encoding="utf-8")))
        path = args.db.removeprefix("sqlite:///")
        app = FloorApp(path, tokens, inline=args.floor_inline)
        uvicorn.run(app, port=args.port, lifespan="on", **options)
        return
    if args.baseline:
        from bench.api_baseline import app

        uvicorn.run(app, port=args.port, lifespan="on", **options)
        return
    from hoga.api.app import create_app
    from hoga.bootstrap import build_context
    from hoga.config import Settings

    settings = Settings(
        db=args.db,
        port=args.port,
        market="always",
        clock="real",
        participants=True,
        universe_limit=args.universe_limit,
        ratelimit=args.ratelimit,
        operator_token="bench-operator",
    )
    if args.ratelimit_queries is not None:
        settings = dataclasses.replace(settings, ratelimit_queries=args.ratelimit_queries)
    ctx = build_context(settings)
    uvicorn.run(create_app(ctx), port=args.port, lifespan="on", **options)


if __name__ == "__main__":
    main()
