"""Rate-limiter overhead: ka10001 through the full stack with the limiter off, in-process, Redis.

``python -m bench.limiter_overhead [--rounds 3] [--seconds 10] [--customers 1000]
[--redis redis://127.0.0.1:6379/15] [--ratelimit-queries N] [--update-readme] [--strict]``
(needs ``wrk`` and a Redis). See bench/README.md, section "Rate-limiter overhead"; results go to
``bench/results/limiter.json``.

Three ``bench.api_server`` processes run side by side on copies of one database (the same 1,000
customers and tokens): ``--ratelimit off``, ``memory://`` and the Redis URL. Each gets the same
wrk load (:mod:`bench.api_throughput`'s Lua script, 32 connections); rounds are interleaved
(off/memory/redis, then memory/redis/off, redis/off/memory, …: each takes each position in
turn) so that drift on the shared machine hits all three alike. Every
answer must be ``return_code`` 0 — no 429 — so the limiter is checked on every request and
refuses none: what is measured is its cost, not its refusals.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.api_throughput import CODES, STKINFO, Server, lua_script, setup_customers, wrk

__all__ = ["main", "render"]

HERE = Path(__file__).parent
RESULTS = HERE / "results"
README = HERE / "README.md"
START = "<!-- limiter-results:start -->"
END = "<!-- limiter-results:end -->"
TARGETS = {"memory": 0.05, "redis": 0.15}  # max overhead: 1 − limited / off


def _copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite database (WAL included) through the backup API."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


def _prime(server: Server, tokens: list[str], codes: list[str]) -> float:
    """Ask ka10001 once per code (builds each code's history; the first loads the calendar),
    one customer per request so that no limit is touched; returns the seconds it took."""
    t0 = time.perf_counter()
    with httpx.Client(base_url=server.url, timeout=120.0) as client:
        for i, code in enumerate(codes):
            r = client.post(
                STKINFO,
                json={"stk_cd": code},
                headers={"api-id": "ka10001", "authorization": f"Bearer {tokens[i]}"},
            )
            if r.status_code != 200 or r.json().get("return_code") != 0:
                raise RuntimeError(f"priming {code}: HTTP {r.status_code} {r.text[:200]}")
    return time.perf_counter() - t0


def _burst(server: Server, token: str, code: str, n: int) -> list[int]:
    """``n`` back-to-back ka10001 by one customer: the HTTP statuses (proof the limiter is on)."""
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        return [
            client.post(
                STKINFO,
                json={"stk_cd": code},
                headers={"api-id": "ka10001", "authorization": f"Bearer {token}"},
            ).status_code
            for _ in range(n)
        ]


async def _check_loop(url: str, calls: int, customers: int, tag: str) -> dict[str, float]:
    """``calls`` limiter checks (one awaited at a time) over ``customers`` rotating customer ids
    (fresh ones per ``tag``), a manual clock moved so that each customer is seen once per 250 ms
    (never refused)."""
    from hoga.bootstrap import open_limiter
    from hoga.clock import ManualClock, RealClock
    from hoga.config import Settings

    clock = ManualClock(RealClock().now())
    limiter = open_limiter(Settings(ratelimit=url), clock)
    assert limiter is not None
    ids = [f"bench-rl-{tag}-{i:05d}" for i in range(customers)]
    step = -(-250_000 // customers)
    refused = 0
    try:
        for i in range(min(calls, 200)):  # warm-up (connection, script load)
            await limiter.check("query", "ka10001", customer_id=ids[i], appkey="k", client_ip="")
        clock.advance(2_000_000)
        cpu0, t0 = time.process_time(), time.perf_counter()
        for i in range(calls):
            d = await limiter.check(
                "query", "ka10001", customer_id=ids[i % customers], appkey="k", client_ip=""
            )
            refused += not d.allowed
            clock.advance(step)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        await limiter.aclose()
    return {"wall_us": 1e6 * wall / calls, "cpu_us": 1e6 * cpu / calls, "refused": refused}


def check_cost(urls: dict[str, str], customers: int, reps: int = 3) -> dict[str, Any]:
    """The limiter check alone, in this process: µs per call (wall and process CPU), median
    of ``reps`` interleaved repetitions."""
    calls = {"memory": 20_000, "redis": 4_000}
    got: dict[str, list[dict[str, float]]] = {n: [] for n in urls}
    for rep in range(reps):
        for name, url in urls.items():
            tag = f"{os.getpid()}-{time.time_ns()}-{rep}"
            got[name].append(asyncio.run(_check_loop(url, calls[name], customers, tag)))
    return {
        name: {
            "calls": calls[name],
            "wall_us": round(statistics.median(r["wall_us"] for r in rs), 1),
            "cpu_us": round(statistics.median(r["cpu_us"] for r in rs), 1),
            "refused": sum(int(r["refused"]) for r in rs),
        }
        for name, rs in got.items()
    }


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    rps = [r["rps"] for r in runs]
    return {
        "rps_median": round(statistics.median(rps)),
        "rps_range": [min(rps), max(rps)],
        "p50_ms_median": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms_median": statistics.median(r["p99_ms"] for r in runs),
        "cpu_us_median": statistics.median(r["server_cpu_us_per_req"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "http_429": sum(r["http_429"] for r in runs),
        "bad": sum(r["bad"] for r in runs),
        "socket_errors": sum(r["socket_errors"] for r in runs),
        "runs": runs,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench.run import machine
    from hoga.bootstrap import select_universe
    from hoga.config import Settings
    from hoga.engine.universe import load_universe

    t_start = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="hoga-bench-rl-"))
    tokens, setup_s = setup_customers(f"sqlite:///{work / 'seed.db'}", args.customers)
    print(f"{len(tokens):,} customers + tokens in {setup_s:.1f} s", flush=True)
    universe = select_universe(load_universe(), args.universe_limit)
    codes = sorted(select_universe(universe, CODES))
    queries = [json.dumps({"stk_cd": c}) for c in codes]
    script = lua_script(STKINFO, "ka10001", tokens, queries, 0)
    per_customer = args.ratelimit_queries or Settings().ratelimit_queries
    configs = {"off": "off", "memory": "memory://", "redis": args.redis}
    if args.urls:  # diagnostics: e.g. off,off,memory:// (an A/A run: server-to-server noise)
        configs = dict(zip(configs, args.urls.split(","), strict=True))
    limit = [] if args.universe_limit is None else ["--universe-limit", str(args.universe_limit)]
    res: dict[str, Any] = {"machine": machine(), "setup_s": round(setup_s, 1)}
    res["settings"] = {
        "customers": len(tokens),
        "universe": len(universe),
        "codes_rotated": len(codes),
        "ratelimit": configs,
        "ratelimit_queries": per_customer,
        "ratelimit_window_ms": Settings().ratelimit_window_ms,
        "wrk": f"wrk -t1 -c32 -d{args.seconds}s --timeout 5s --latency -s load.lua",
        "rounds": args.rounds,
    }
    res["check_alone"] = check_cost(
        {n: configs[n] for n in TARGETS if configs[n] != "off"}, len(tokens)
    )
    print(f"limiter check alone: {res['check_alone']}", flush=True)
    servers: dict[str, Server] = {}
    try:
        for name, url in configs.items():
            db = work / f"{name}.db"
            _copy_db(work / "seed.db", db)
            extra = ["--ratelimit", url, "--ratelimit-queries", str(per_customer)]
            servers[name] = Server(
                ["--db", f"sqlite:///{db}", *limit, *extra], work / f"{name}.log"
            )
        res["startup_s"] = {n: round(s.wait("/health"), 2) for n, s in servers.items()}
        print(f"servers up: {res['startup_s']}", flush=True)
        with ThreadPoolExecutor(len(servers)) as pool:
            primed = {n: pool.submit(_prime, s, tokens, codes) for n, s in servers.items()}
            res["prime_s"] = {n: round(f.result(), 2) for n, f in primed.items()}
        print(f"primed: {res['prime_s']}", flush=True)
        for s in servers.values():
            wrk(s, script, work, 2)  # warm-up
        runs: dict[str, list[dict[str, Any]]] = {n: [] for n in servers}
        names = list(servers)
        for i in range(args.rounds):  # order rotated per round: off/memory/redis, memory/redis/off…
            for name in names[i % 3 :] + names[: i % 3]:
                r = wrk(servers[name], script, work, args.seconds)
                r["round"], r["loadavg"] = i + 1, [round(x, 2) for x in os.getloadavg()]
                runs[name].append(r)
                print(
                    f"  round {i + 1} {name:6}: {r['rps']:,} req/s, p50 {r['p50_ms']} ms,"
                    f" p99 {r['p99_ms']} ms, ok {r['ok']:,}, 429 {r['http_429']},"
                    f" other {r['bad'] - r['http_429'] + r['socket_errors']},"
                    f" load {r['loadavg'][0]}",
                    flush=True,
                )
        res["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        # after the timed rounds: one customer over its limit must be refused by both limiters
        n = per_customer + 1
        time.sleep(1.2 * res["settings"]["ratelimit_window_ms"] / 1000)  # windows emptied
        res["burst"] = {name: _burst(servers[name], tokens[-1], codes[0], n) for name in configs}
    finally:
        for s in servers.values():
            s.stop()
    for name in configs:
        res[name] = _summary(runs[name])
    off = res["off"]["rps_median"]
    res["checks"] = {}
    for name, target in TARGETS.items():
        paired = [1 - b["rps"] / a["rps"] for a, b in zip(runs["off"], runs[name], strict=True)]
        value = 1 - res[name]["rps_median"] / off
        res["checks"][name] = {
            "overhead": round(value, 4),
            "per_round": [round(x, 4) for x in paired],
            "target": target,
            "pass": value <= target,
        }
    res["no_refusals"] = all(res[n]["http_429"] == 0 for n in configs)
    res["limiters_active"] = res["burst"]["off"][-1] == 200 and all(
        res["burst"][n][-1] == 429 and 429 not in res["burst"][n][:-1] for n in TARGETS
    )
    res["pass"] = (
        res["no_refusals"]
        and res["limiters_active"]
        and all(c["pass"] for c in res["checks"].values())
    )
    res["total_s"] = round(time.perf_counter() - t_start, 1)
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return res


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render(res: dict[str, Any]) -> str:
    """The markdown results block of the "Rate-limiter overhead" section of the README."""
    m, s, c = res["machine"], res["settings"], res["checks"]
    load = " / ".join(str(x) for x in m["loadavg_at_start"])
    during = [r["loadavg"][0] for n in s["ratelimit"] for r in res[n]["runs"]]
    label = {"off": "off", "memory": "`memory://`", "redis": f"`{s['ratelimit']['redis']}`"}

    def row(name: str) -> str:
        r = res[name]
        lo, hi = r["rps_range"]
        per = ", ".join(f"{x['rps']:,}" for x in r["runs"])
        return (
            f"| {label[name]} | {r['rps_median']:,} ({lo:,}–{hi:,}; rounds {per})"
            f" | {r['p50_ms_median']:.2f} | {r['p99_ms_median']:.2f} | {r['cpu_us_median']:.0f}"
            f" | {r['requests']:,} | {r['http_429']} |"
        )

    lines = [
        f"Run {m['date']} — {m['nproc']} × {m['cpu_model']}, {m['mem_gib']} GiB, Python"
        f" {m['python']}, repo git {m['git']}, hoga from `{m['hoga_source']}`. Load average at"
        f" start {load}, 1-min load during the rounds {min(during)}–{max(during)}, at end"
        f" {res['loadavg_at_end'][0]} (shared machine). {s['customers']:,} customers, universe"
        f" {s['universe']:,} instruments with participants, {s['codes_rotated']} codes rotated,"
        f" query limit {s['ratelimit_queries']} per customer per {s['ratelimit_window_ms']} ms,"
        f" `{s['wrk']}`, {s['rounds']} interleaved rounds (order rotated each round), medians;"
        f" whole run {res['total_s']} s.",
        "",
        "| rate limiter | ka10001 req/s median (range; per round) | p50 ms | p99 ms"
        " | server CPU µs/req | requests | HTTP 429 |",
        "|---|---|---|---|---|---|---|",
        row("off"),
        row("memory"),
        row("redis"),
        "",
        "| target | overhead 1 − limited/off (per round) | verdict |",
        "|---|---|---|",
    ]
    for name in TARGETS:
        ch = c[name]
        per = ", ".join(f"{100 * x:+.1f} %" for x in ch["per_round"])
        lines.append(
            f"| {label[name]} ≤ {100 * ch['target']:g} % | {100 * ch['overhead']:+.1f} % ({per})"
            f" | **{_mark(ch['pass'])}** |"
        )
    alone = res["check_alone"]
    lines += [
        "",
        "The check alone, in one process (`RequestLimiter.check` awaited one at a time,"
        f" {s['customers']:,} rotating customers, none refused; median of 3): "
        + "; ".join(
            f"{label[n]} {a['wall_us']} µs wall, {a['cpu_us']} µs CPU per check"
            f" = {100 * a['cpu_us'] / res['off']['cpu_us_median']:.1f} % of the server CPU of"
            " one ka10001 with the limiter off"
            for n, a in alone.items()
        )
        + ".",
    ]
    burst = "; ".join(f"{label[n]} {', '.join(str(x) for x in b)}" for n, b in res["burst"].items())
    lines += [
        "",
        f"HTTP 429 during the timed rounds: {'none' if res['no_refusals'] else 'SOME'}. Answers"
        " other than HTTP 200 with `return_code` 0:"
        + ",".join(f" {label[n]} {res[n]['bad']}" for n in s["ratelimit"])
        + "; wrk socket errors (5 s timeouts):"
        + ",".join(f" {label[n]} {res[n]['socket_errors']}" for n in s["ratelimit"])
        + ". Limiter on: after the rounds, one customer"
        f" sent {s['ratelimit_queries'] + 1} ka10001 back to back — statuses {burst}"
        f" ({'as expected' if res['limiters_active'] else 'NOT as expected'}).",
    ]
    return "\n".join(lines)


def update_readme(block: str) -> None:
    text = README.read_text(encoding="utf-8")
    if START not in text:
        raise SystemExit(f"{README} has no {START} marker")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{START}\n{block}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="rate-limiter overhead on ka10001 (needs wrk)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--universe-limit", type=int, default=None)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument(
        "--ratelimit-queries",
        type=int,
        default=0,
        help="per-customer query limit (default: Settings.ratelimit_queries)",
    )
    parser.add_argument(
        "--urls",
        default="",
        help="diagnostics: three URLs instead of off,memory://,REDIS (A/A: off,off,off)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--render", action="store_true", help="README from results/limiter.json")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    if args.render:
        res = json.loads((RESULTS / "limiter.json").read_text(encoding="utf-8"))
        update_readme(render(res))
        print(render(res))
        return 0
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    res = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "limiter.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    block = render(res)
    print()
    print(block)
    if args.update_readme:
        update_readme(block)
    print(f"\nlimiter overhead targets met: {res['pass']}")
    return 0 if res["pass"] or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
