"""In-process kt10000 loop: main-thread CPU per order, optionally under cProfile.

``.venv/bin/python -m bench.order_profile [--orders 6000] [--customers 1000] [--codes 200]
[--profile] [--top 40]`` builds the full application context (``build_context``, SQLite in a
temporary directory, manual clock at 10:00 KST on a trading day, participants on, the server's
GC policy), creates ``--customers`` customers with a token each, and dispatches kt10000
1-share limit buys through :func:`hoga.api.dispatch.dispatch` in ``asyncio.gather`` batches of
32 (the wrk bench's concurrency), alternating the upper price limit (marketable) and the best
bid / base price (rests) over the ``--codes`` most traded codes. The clock moves 1 ms after
each batch, so the participants act. The record flusher and the brokerage's group commits run
as in the server (worker threads).

Printed, over the measured orders after a warm-up of 1,000: main-thread CPU µs per order
(``time.thread_time``), the whole process's (``time.process_time``: the group-commit and record
threads too), wall time, the cyclic GC's share, each thread's CPU from ``/proc`` (10 ms ticks)
and how many group commits there were. ``--profile``: the top functions of cProfile (main
thread only); ``--py-spy /tmp/pyspy/bin/py-spy [--py-spy-out FILE]``: py-spy samples every
thread over the measured orders only (raw collapsed stacks, one line per stack and thread).
The profile files are kept, else the temporary directory is removed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from hoga.api.context import AppContext
from hoga.api.dispatch import dispatch
from hoga.api.routes import load_all
from hoga.bootstrap import build_context
from hoga.config import Settings
from hoga.domain.kst import at_kst
from hoga.engine.identity import IdentityService, ScryptParams
from hoga.engine.tuning import apply_gc_policy

BATCH = 32


def _thread_cpu() -> dict[str, float]:
    """CPU seconds of every live thread of this process (from ``/proc``), by thread name."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for t in threading.enumerate():
        try:
            with open(f"/proc/self/task/{t.native_id}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
        except OSError:
            continue
        name = t.name.rstrip("_0123456789") or t.name
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def _bodies(ctx, codes: list[str]) -> list[bytes]:  # type: ignore[no-untyped-def]
    out = []
    for code in codes:
        state = ctx.exchange.state(code)
        snap = ctx.exchange.snapshot(state)
        for price in (snap.upper, snap.best_bid or state.instrument.base_price):
            body = {"dmst_stex_tp": "KRX", "stk_cd": code, "ord_qty": "1", "ord_uv": str(price)}
            body |= {"trde_tp": "0", "cond_uv": ""}
            out.append(json.dumps(body, separators=(",", ":")).encode())
    return out


def setup(
    prefix: str, args: argparse.Namespace, *, cash: int
) -> tuple[Path, AppContext, list[str], list[str]]:
    """A context on SQLite in a new temporary directory (manual clock at 10:00 KST on a trading
    day, rate limits off), ``args.customers`` customers with ``cash`` and a token each (cheap
    scrypt), and the ``args.codes`` most traded codes. Also used by ``bench.query_profile``."""
    from datetime import date

    work = Path(tempfile.mkdtemp(prefix=prefix))
    settings = Settings(
        db=f"sqlite:///{work / 'p.db'}",
        clock="manual",
        clock_start=at_kst(date(2026, 11, 26), 10 * 3600),
        universe_limit=args.universe,
        operator_token="op",
        ratelimit="off",
    )
    load_all()
    ctx = build_context(settings)
    ident = IdentityService(ctx.storage, ctx.clock, scrypt=ScryptParams(n=2**4, r=8, p=1))
    tokens = []
    for i in range(args.customers):
        made = ident.create_customer(name=f"p{i:04d}", env="mock", cash=cash)
        issued = ident.issue_token(made.appkey, made.secretkey, "mock")
        tokens.append(issued.token)  # type: ignore[union-attr]
    codes = [i.code for i in sorted(ctx.universe.values(), key=lambda i: -i.volume)][: args.codes]
    return work, ctx, tokens, codes


async def _main(args: argparse.Namespace) -> None:
    work, ctx, tokens, codes = setup("hoga-order-profile-", args, cash=10**12)
    clock = ctx.clock
    ctx.exchange.sync()
    bodies = _bodies(ctx, codes)
    records = ctx.services["records"]
    records.start()
    apply_gc_policy()  # as MarketRunner.start does in the server
    n = 0

    async def one(i: int) -> int:
        res = await dispatch(
            ctx,
            path="/api/dostk/ordr",
            api_id="kt10000",
            authorization=f"Bearer {tokens[i % len(tokens)]}",
            cont_yn=None,
            next_key=None,
            data=bodies[i % len(bodies)],
            env="mock",
            client_ip="127.0.0.1",
        )
        if res.return_code and i == 1000:
            print(res.body[:300])
        return res.return_code or 0

    async def run(count: int) -> int:
        nonlocal n
        bad = 0
        for _ in range(count // BATCH):
            rcs = await asyncio.gather(*(one(n + k) for k in range(BATCH)))
            bad += sum(1 for rc in rcs if rc != 0)
            n += BATCH
            clock.advance(1000)
            ctx.exchange.sync()
        return bad

    await run(1000)
    gc_time = [0.0, 0, 0.0]
    by_gen = [0.0, 0.0, 0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_time[2] = time.thread_time()
        else:
            gc_time[0] += time.thread_time() - gc_time[2]
            by_gen[info["generation"]] += time.thread_time() - gc_time[2]
            gc_time[1] += 1

    gc.callbacks.append(on_gc)
    prof = cProfile.Profile() if args.profile else None
    spy = None
    if args.py_spy:  # sample every thread of this process over the measured orders only
        out = args.py_spy_out or str(work / "order.spy.txt")
        cmd = [args.py_spy, "record", "-r", "250", "-f", "raw", "--threads", "-o", out]
        spy = subprocess.Popen([*cmd, "-p", str(os.getpid())], stderr=subprocess.DEVNULL)
        await asyncio.sleep(1.0)  # let it attach
    t0, w0, p0 = time.thread_time(), time.perf_counter(), time.process_time()
    threads0 = _thread_cpu()
    broker = ctx.services["brokerage"]
    commits0, works0 = broker._group.commits, broker._group.committed_works
    if prof:
        prof.enable()
    bad = await run(args.orders)
    if prof:
        prof.disable()
    cpu, wall = time.thread_time() - t0, time.perf_counter() - w0
    proc = time.process_time() - p0
    threads1 = _thread_cpu()
    commits = broker._group.commits - commits0
    works = broker._group.committed_works - works0
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait()
        print("py-spy samples (raw, per thread):", args.py_spy_out or work / "order.spy.txt")
    gc.callbacks.remove(on_gc)
    done = args.orders // BATCH * BATCH
    print(
        f"orders {done}  refused {bad}  main-thread CPU {cpu / done * 1e6:.1f} µs/order"
        f"  all threads {proc / done * 1e6:.1f} µs/order"
        f"  wall {wall / done * 1e6:.1f} µs/order"
        f"  (gc: {gc_time[1]} collections, {gc_time[0] / done * 1e6:.1f} µs/order, all threads;"
        f" by generation µs/order {[round(g / done * 1e6, 1) for g in by_gen]})"
    )
    per_thread = {k: v - threads0.get(k, 0.0) for k, v in threads1.items()}
    print(
        "  CPU by thread µs/order (/proc, 10 ms ticks): "
        + ", ".join(f"{k} {v / done * 1e6:.0f}" for k, v in sorted(per_thread.items()) if v)
        + f"; group commits {commits} ({works / max(commits, 1):.1f} works each)"
    )
    await records.aclose()
    ctx.storage.close()
    if not prof and not (spy is not None and args.py_spy_out is None):
        shutil.rmtree(work, ignore_errors=True)
    if prof:
        stats = pstats.Stats(prof)
        stats.dump_stats(str(work / "order.prof"))
        print("profile:", work / "order.prof")
        stats.sort_stats(args.sort).print_stats(args.top)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--orders", type=int, default=6000)
    p.add_argument("--customers", type=int, default=1000)
    p.add_argument("--codes", type=int, default=200)
    p.add_argument("--universe", type=int, default=None)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--sort", default="tottime")
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--py-spy", default=None, help="py-spy binary: sample the measured orders")
    p.add_argument("--py-spy-out", default=None, help="where the raw samples go")
    asyncio.run(_main(p.parse_args()))


if __name__ == "__main__":
    main()
