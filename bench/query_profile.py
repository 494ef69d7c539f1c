"""In-process ka10001 loop through the ASGI front: CPU per request, optionally under cProfile.

``.venv/bin/python -m bench.query_profile [--requests 20000] [--customers 1000] [--codes 200]
[--profile] [--top 40]`` builds the full application (``build_context`` + ``create_app``,
SQLite in a temporary directory, manual clock at 10:00 KST on a trading day, participants on,
the server's GC policy), creates ``--customers`` customers with a token each, and calls the
ASGI application (:class:`hoga.api.app.RestFront`) with ka10001 requests in ``asyncio.gather``
batches of 32 (the wrk bench's concurrency) over the ``--codes`` most traded codes, rotating
the tokens. The clock moves 1 ms after each batch, so the participants act. The record flusher
runs as in the server (a worker thread).

Printed: process CPU (all threads) and main-thread CPU µs per request over the measured
requests, after a warm-up; with ``--profile`` the top functions of cProfile (main thread).
What this leaves out is the HTTP server (uvicorn + httptools, ~40–50 µs per request here).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import shutil
import time
from typing import Any

from bench.order_profile import setup
from hoga.api.app import create_app
from hoga.engine.tuning import apply_gc_policy

BATCH = 32


async def _main(args: argparse.Namespace) -> None:
    work, ctx, raw, codes = setup("hoga-query-profile-", args, cash=10**9)
    app = create_app(ctx, run_market=False)
    clock = ctx.clock
    tokens = [f"Bearer {t}".encode() for t in raw]
    bodies = [f'{{"stk_cd":"{c}"}}'.encode() for c in codes]
    ctx.exchange.sync()
    records = ctx.services["records"]
    records.start()
    apply_gc_policy()
    n = 0
    bad = 0

    async def one(i: int) -> None:
        nonlocal bad
        body = bodies[i % len(bodies)]
        scope: dict[str, Any] = {
            "type": "http",
            "method": "POST",
            "path": "/api/dostk/stkinfo",
            "root_path": "",
            "client": ("127.0.0.1", 50000),
            "headers": [
                (b"host", b"127.0.0.1:8000"),
                (b"content-type", b"application/json;charset=UTF-8"),
                (b"api-id", b"ka10001"),
                (b"authorization", tokens[i % len(tokens)]),
                (b"content-length", str(len(body)).encode()),
            ],
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal bad
            if message["type"] != "http.response.body":
                return
            if b'"return_code":0' not in message["body"]:
                bad += 1

        await app(scope, receive, send)

    async def run(count: int) -> None:
        nonlocal n
        for _ in range(count // BATCH):
            await asyncio.gather(*(one(n + k) for k in range(BATCH)))
            n += BATCH
            clock.advance(1000)
            ctx.exchange.sync()

    for code in codes:  # first request of a code builds its history
        await one(codes.index(code))
    await run(3000)
    prof = cProfile.Profile() if args.profile else None
    p0, t0, w0 = time.process_time(), time.thread_time(), time.perf_counter()
    if prof:
        prof.enable()
    await run(args.requests)
    await asyncio.to_thread(records.flush)
    if prof:
        prof.disable()
    proc, cpu = time.process_time() - p0, time.thread_time() - t0
    wall = time.perf_counter() - w0
    done = args.requests // BATCH * BATCH
    print(
        f"requests {done}  bad {bad}  process CPU {proc / done * 1e6:.1f} µs/req"
        f"  main thread {cpu / done * 1e6:.1f} µs/req  wall {wall / done * 1e6:.1f} µs/req"
    )
    await records.aclose()
    ctx.storage.close()
    shutil.rmtree(work, ignore_errors=True)
    if prof:
        stats = pstats.Stats(prof)
        stats.dump_stats(args.dump) if args.dump else None
        stats.sort_stats(args.sort).print_stats(args.top)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--requests", type=int, default=20000)
    p.add_argument("--customers", type=int, default=1000)
    p.add_argument("--codes", type=int, default=200)
    p.add_argument("--universe", type=int, default=None)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--sort", default="tottime")
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--dump", default="", help="keep the cProfile data in this file")
    asyncio.run(_main(p.parse_args()))


if __name__ == "__main__":
    main()
