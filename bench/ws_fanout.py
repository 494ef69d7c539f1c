"""WebSocket fan-out: 1,000 hoga sessions on 0B of 100 instruments vs ``websockets.broadcast``.

``python -m bench.ws_fanout [--rates 10,25,50,100] [--seconds 10] [--runs 2] [--py-spy PATH]
[--update-readme]`` — about three minutes. See bench/README.md, section "WebSocket fan-out";
results go to ``bench/results/ws.json``.

Three processes on the same 2 cores: the server (``hoga serve`` or :mod:`bench.ws_baseline`),
the clients (:mod:`bench.ws_clients`, 1,000 connections) and this driver, which for hoga also
places the orders that make the trades (open loop at a fixed rate, REST kt10000).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.api_throughput import _frame, _free_port, setup_customers

__all__ = ["main"]

HERE = Path(__file__).parent
RESULTS = HERE / "results"
README = HERE / "README.md"
START = "<!-- ws-results:start -->"
END = "<!-- ws-results:end -->"
OPERATOR = "bench-operator"
TARGET_RATIO = 0.8
TARGET_P99_MS = 50.0
KEPT_UP_MS = 1000.0  # probe p99 above this: rows are queueing, the server is saturated
ORDR = "/api/dostk/ordr"


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clients:
    """The :mod:`bench.ws_clients` child: READY, then one WINDOW → RESULT exchange per run."""

    def __init__(self, url: str, mode: str, n: int, tokens: str = "", codes: str = "") -> None:
        cmd = [sys.executable, "-m", "bench.ws_clients", "--url", url, "--mode", mode]
        cmd += ["--n", str(n), "--tokens", tokens, "--codes", codes]
        self.proc = subprocess.Popen(
            cmd, cwd=HERE.parent, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def ready(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("READY"):
            raise RuntimeError(f"clients: {line!r}")
        return line

    def window(self, t0: float, t1: float) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"WINDOW {t0} {t1}\n")
        self.proc.stdin.flush()

    def result(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("RESULT "):
            raise RuntimeError(f"clients: {line!r}")
        r: dict[str, Any] = json.loads(line[7:])
        return r

    def stop(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.write("QUIT\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def _stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ------------------------------------------------------------------ baseline


class Baseline:
    """The :mod:`bench.ws_baseline` server and its own client process; idle between runs."""

    def __init__(self, n: int, work: Path) -> None:
        port = _free_port()
        cmd = [sys.executable, "-m", "bench.ws_baseline", "--port", str(port)]
        self.cmd = " ".join(cmd[1:])
        self.server = subprocess.Popen(
            cmd, cwd=HERE.parent, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.server.stdout is not None
        if self.server.stdout.readline().strip() != "LISTENING":
            raise RuntimeError("baseline server did not start")
        self.clients = Clients(f"ws://127.0.0.1:{port}", "baseline", n)
        self.clients.ready()

    def measure(self, seconds: float) -> dict[str, Any]:
        assert self.server.stdin is not None and self.server.stdout is not None
        warm = 1.0
        start = time.monotonic() + 0.2
        t0, t1 = start + warm, start + warm + seconds
        self.server.stdin.write(f"RUN {start} {t1}\n")
        self.server.stdin.flush()
        self.clients.window(t0, t1)
        cpu0 = _cpu(self.server.pid)
        r = self.clients.result()
        cpu = _cpu(self.server.pid) - cpu0
        sent = self.server.stdout.readline().split()
        lat = r.pop("lat")
        r.pop("samples")
        r["sent"] = int(sent[1]) if len(sent) == 2 else None
        r["rows_per_s"] = round(r["rows"] / seconds)
        r["frames_per_s"] = round(r["frames"] / seconds)
        r["server_cpu_pct"] = round(100 * cpu / (warm + seconds + 0.7), 1)
        r["fairness"] = round(r["min_rows"] / max(r["max_rows"], 1), 3)
        r["p50_ms"] = round(1000 * _pct(lat, 0.5), 2)
        r["p99_ms"] = round(1000 * _pct(lat, 0.99), 2)
        r["load_avg"] = os.getloadavg()[0]
        print(
            f"  baseline: {r['rows_per_s']:,} msgs/s, server CPU {r['server_cpu_pct']} %,"
            f" clients CPU {r['client_cpu_pct']} %, p99 {r['p99_ms']} ms (saturated),"
            f" load {r['load_avg']:.1f}",
            flush=True,
        )
        time.sleep(1.5)  # let the buffered tail drain before the next measurement
        return r

    def stop(self) -> None:
        self.clients.stop()
        if self.server.poll() is None:
            assert self.server.stdin is not None
            self.server.stdin.write("QUIT\n")
            self.server.stdin.flush()
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _stop(self.server)


# ------------------------------------------------------------------ hoga


class Orders:
    """Open-loop 1-share marketable buys (limit at the upper price limit, so each takes the
    best ask: one trade of one share, as participants are paused), round-robin over the codes,
    rotating the customers' tokens. ``sent[code]`` keeps the submit times in order."""

    def __init__(self, url: str, tokens: list[str], codes: list[str], upper: dict[str, int]):
        self.url, self.tokens, self.codes, self.upper = url, tokens, codes, upper
        self.sent: dict[str, list[float]] = {c: [] for c in codes}
        self.answered: dict[str, list[float]] = {c: [] for c in codes}  # REST reply times
        self.k = 0
        self.bad: list[str] = []
        self.rest_ms: list[float] = []
        self.late = 0

    async def _one(self, client: httpx.AsyncClient, code: str, token: str) -> None:
        body = {"dmst_stex_tp": "KRX", "stk_cd": code, "ord_qty": "1"}
        body |= {"ord_uv": str(self.upper[code]), "trde_tp": "0", "cond_uv": ""}
        headers = {"api-id": "kt10000", "authorization": f"Bearer {token}"}
        t = time.monotonic()
        k = len(self.sent[code])
        self.sent[code].append(t)
        self.answered[code].append(float("nan"))
        try:
            r = await client.post(ORDR, json=body, headers=headers)
            if r.status_code != 200 or r.json().get("return_code") != 0:
                self.bad.append(r.text[:200])
        except httpx.HTTPError as exc:
            self.bad.append(repr(exc)[:200])
        self.answered[code][k] = time.monotonic()
        self.rest_ms.append(1000 * (self.answered[code][k] - t))

    async def run(self, rate: float, seconds: float) -> None:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(base_url=self.url, timeout=30.0, limits=limits) as client:
            start = time.monotonic()
            tasks: set[asyncio.Task[None]] = set()
            n = int(rate * seconds)
            for i in range(n):
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif delay < -0.01:
                    self.late += 1
                code = self.codes[self.k % len(self.codes)]
                token = self.tokens[self.k % len(self.tokens)]
                self.k += 1
                task = asyncio.create_task(self._one(client, code, token))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.wait(tasks)


def _op(client: httpx.Client, method: str, path: str, **kw: Any) -> Any:
    r = client.request(method, "/operator/sim" + path, **kw)
    r.raise_for_status()
    return r.json()


def hoga_sweep(
    args: argparse.Namespace, work: Path, tokens: list[str], base: Baseline
) -> dict[str, Any]:
    from hoga.bootstrap import select_universe
    from hoga.engine.universe import load_universe

    codes = sorted(select_universe(load_universe(), args.instruments))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [str(Path(sys.executable).parent / "hoga"), "serve", "--port", str(port)]
    cmd += ["--db", f"sqlite:///{work / 'bench.db'}", "--universe-limit", str(args.instruments)]
    cmd += ["--ratelimit", "off", "--market", "always", "--clock", "fast:1"]
    env = dict(os.environ, HOGA_OPERATOR_TOKEN=OPERATOR)
    log = (work / "hoga.log").open("w")
    server = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    op = httpx.Client(base_url=url, timeout=60.0, headers={"authorization": f"Bearer {OPERATOR}"})
    out: dict[str, Any] = {"cmd": "hoga " + " ".join(cmd[1:]), "codes": len(codes)}
    clients: Clients | None = None
    try:
        t_start = time.monotonic()
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"hoga serve exited {server.returncode}, see {log.name}")
            try:
                _op(op, "GET", "/status")
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        out["server_up_s"] = round(time.monotonic() - t_start, 2)
        probes = codes[:: max(1, len(codes) // args.probes)][: args.probes]
        for code in probes:
            _op(op, "POST", f"/instruments/{code}/participants", json={"paused": True})
        _op(op, "POST", "/clock", json={"speed": "0"})  # frozen while 1,000 sessions log in
        time.sleep(0.5)
        volume, upper = {}, {}
        for code in probes:
            st = _op(op, "GET", f"/instruments/{code}")
            volume[code] = int(st["volume"])
            upper[code] = int(st["limits"]["upper"])
        tok = work / "tokens.json"
        tok.write_text(json.dumps(tokens[: args.sessions]), encoding="utf-8")
        ws = f"ws://127.0.0.1:{port}/api/dostk/websocket"
        t_conn = time.monotonic()
        clients = Clients(ws, "hoga", args.sessions, str(tok), ",".join(codes))
        clients.ready()
        out["login_reg_s"] = round(time.monotonic() - t_conn, 2)
        print(f"  {args.sessions:,} sessions logged in + REG in {out['login_reg_s']} s", flush=True)
        orders = Orders(url, tokens, probes, upper)
        steps = []
        for rate in args.speeds:
            _op(op, "POST", "/clock", json={"speed": f"{rate:g}"})
            for rep in range(args.runs):
                step = _step(args, server.pid, clients, orders, volume, rate)
                step["run"] = rep + 1
                _op(op, "POST", "/clock", json={"speed": "0"})  # hoga quiet during the baseline
                time.sleep(2.0)
                step["baseline"] = base.measure(args.seconds)  # paired, right after
                _op(op, "POST", "/clock", json={"speed": f"{rate:g}"})
                steps.append(step)
                if step["open"] < args.sessions:
                    break
            if steps[-1]["open"] < args.sessions:
                break
        out["steps"] = steps
        out["order_errors"] = orders.bad[:5]
        out["order_errors_n"] = len(orders.bad)
        final = {c: int(_op(op, "GET", f"/instruments/{c}")["volume"]) for c in probes}
        out["probe_codes"] = probes
        out["probe_volume_mismatch"] = sum(
            1 for c in probes if final[c] - volume[c] != len(orders.sent[c])
        )
        if args.py_spy and steps:
            good = [s for s in steps if s["kept_up"]] or steps
            rate = good[-1]["rate"]
            _op(op, "POST", "/clock", json={"speed": f"{rate:g}"})
            out["profile"] = _profile(args, server.pid, clients, orders, volume, rate, work)
    finally:
        if clients is not None:
            clients.stop()
        op.close()
        _stop(server)
        log.close()
    return out


def _step(
    args: argparse.Namespace,
    pid: int,
    clients: Clients,
    orders: Orders,
    volume: dict[str, int],
    speed: float,
) -> dict[str, Any]:
    """One measurement at clock ``speed``: probe buys at ``args.probe_rate`` during a 2 s
    warm-up + ``args.seconds``; rows counted by every client inside the window."""
    warm, dur = 2.0, float(args.seconds)
    t0 = time.monotonic() + warm
    clients.window(t0, t0 + dur)
    cpu0 = _cpu(pid)
    before = {c: len(v) for c, v in orders.sent.items()}
    asyncio.run(orders.run(args.probe_rate, warm + dur))
    r = clients.result()
    cpu = _cpu(pid) - cpu0
    n_orders = sum(len(v) - before[c] for c, v in orders.sent.items())
    lat = []
    after = []  # receipt - REST reply: < 0 when the push beat the order's answer
    unmatched = 0
    for code, vol, t in r.pop("samples"):
        if code not in volume:
            continue
        idx = vol - volume[code] - 1
        sent = orders.sent[code]
        if 0 <= idx < len(sent):
            lat.append(1000 * (t - sent[idx]))
            if orders.answered[code][idx] == orders.answered[code][idx]:  # not NaN
                after.append(1000 * (t - orders.answered[code][idx]))
        else:
            unmatched += 1
    r.pop("lat")
    r["rate"] = speed
    r["rows_per_s"] = round(r["rows"] / dur)
    r["trades_per_s"] = round(r["max_rows"] / dur, 1)  # what one fully served session got
    r["frames_per_s"] = round(r["frames"] / dur)
    r["rows_per_frame"] = round(r["rows"] / max(r["frames"], 1), 2)
    r["row_bytes_avg"] = round(r["bytes"] / max(r["rows"], 1))
    r["server_cpu_pct"] = round(100 * cpu / (warm + dur + 0.5), 1)
    r["fairness"] = round(r["min_rows"] / max(r["max_rows"], 1), 3)
    r["latency_samples"] = len(lat)
    r["unmatched_rows"] = unmatched
    r["p50_ms"] = round(_pct(lat, 0.5), 2)
    r["p99_ms"] = round(_pct(lat, 0.99), 2)
    r["max_ms"] = round(max(lat), 2) if lat else None
    r["after_rest_p50_ms"] = round(_pct(after, 0.5), 2)
    r["after_rest_p99_ms"] = round(_pct(after, 0.99), 2)
    r["orders"] = n_orders
    rest = orders.rest_ms[-n_orders:] if n_orders else []
    r["rest_p50_ms"] = round(_pct(rest, 0.5), 2)
    r["rest_p99_ms"] = round(_pct(rest, 0.99), 2)
    r["load_avg"] = os.getloadavg()[0]
    r["kept_up"] = bool(lat) and r["p99_ms"] < KEPT_UP_MS and r["open"] == args.sessions
    print(
        f"  hoga speed {speed:g}: {r['trades_per_s']:g} trades/s, {r['rows_per_s']:,} rows/s,"
        f" {r['frames_per_s']:,} frames/s ({r['rows_per_frame']} rows/frame), probe p50"
        f" {r['p50_ms']} ms p99 {r['p99_ms']} ms (REST p50 {r['rest_p50_ms']} ms; push − REST"
        f" reply p50 {r['after_rest_p50_ms']} p99 {r['after_rest_p99_ms']} ms), server CPU"
        f" {r['server_cpu_pct']} %, clients {r['client_cpu_pct']} %, open {r['open']},"
        f" load {r['load_avg']:.1f}{'' if r['kept_up'] else ' — backlogged'}",
        flush=True,
    )
    return r


def _profile(
    args: argparse.Namespace,
    pid: int,
    clients: Clients,
    orders: Orders,
    volume: dict[str, int],
    rate: float,
    work: Path,
) -> dict[str, Any]:
    raw = work / "hoga-spy.txt"
    cmd = [args.py_spy, "record", "-r", "250", "-f", "raw", "-o", str(raw), "--nonblocking"]
    cmd += ["--full-filenames", "-d", str(args.seconds + 2), "--pid", str(pid)]
    spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    step = _step(args, pid, clients, orders, volume, rate)
    spy.wait()
    prof = _spy_top(raw)
    prof["rate"] = rate
    prof["rows_per_s"] = step["rows_per_s"]
    return prof


def _spy_top(raw: Path, k: int = 40) -> dict[str, Any]:
    """Top functions of a ``py-spy -f raw`` file: inclusive and self share of all samples."""
    incl: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = [_frame(f) for f in stack.split(";")]
        for f in set(frames):
            incl[f] = incl.get(f, 0) + n
        own[frames[-1]] = own.get(frames[-1], 0) + n

    def top(d: dict[str, int]) -> list[tuple[str, float]]:
        ranked = sorted(d.items(), key=lambda kv: -kv[1])[:k]
        return [(f, round(100 * v / max(total, 1), 1)) for f, v in ranked]

    return {"samples": total, "inclusive": top(incl), "self": top(own)}


# ------------------------------------------------------------------ report


def verdicts(res: dict[str, Any]) -> dict[str, Any]:
    """Throughput: hoga's capacity (the best median rows/s of any clock speed; beyond the
    speed where it keeps up, the rows queue and that figure is the saturated rate, like the
    baseline's) over the median of all baseline runs. Latency: the median probe p99 at the
    highest speed whose runs all kept up (probe p99 < 1 s, no session lost)."""
    steps = res["hoga"].get("steps", [])
    base_all = [s["baseline"]["rows_per_s"] for s in steps]
    base = statistics.median(base_all) if base_all else 0
    by_rate: dict[float, list[dict[str, Any]]] = {}
    for s in steps:
        by_rate.setdefault(s["rate"], []).append(s)
    med = {r: statistics.median(s["rows_per_s"] for s in ss) for r, ss in by_rate.items()}
    top = max(med, key=lambda r: med[r]) if med else None
    rows = med[top] if top is not None else 0
    kept = [r for r, ss in by_rate.items() if all(s["kept_up"] for s in ss)]
    lat_rate = max(kept) if kept else min(by_rate) if by_rate else None
    ss = by_rate.get(lat_rate, []) if lat_rate is not None else []
    p99 = statistics.median(s["p99_ms"] for s in ss) if ss else float("nan")
    ratio = rows / base if base else 0.0
    p99_by = {r: statistics.median(s["p99_ms"] for s in ss) for r, ss in sorted(by_rate.items())}
    return {
        "p99_ms_by_speed": {f"{r:g}": round(v, 2) for r, v in p99_by.items()},
        "baseline_rows_per_s_median": round(base),
        "baseline_rows_per_s_range": [min(base_all), max(base_all)] if base_all else [],
        "best_rate": top,
        "rows_per_s": round(rows),
        "latency_rate": lat_rate,
        "ratio": {"value": round(ratio, 3), "target": TARGET_RATIO, "pass": ratio >= TARGET_RATIO},
        "p99_ms": {"value": round(p99, 2), "target": TARGET_P99_MS, "pass": p99 < TARGET_P99_MS},
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench.run import machine

    work = Path(tempfile.mkdtemp(prefix="hoga-bench-ws-"))
    tokens, setup_s = setup_customers(f"sqlite:///{work / 'bench.db'}", args.sessions)
    print(f"{len(tokens):,} customers + tokens in {setup_s:.1f} s ({work})", flush=True)
    res: dict[str, Any] = {"machine": machine(), "setup_s": round(setup_s, 1)}
    res["settings"] = {
        "sessions": args.sessions,
        "instruments": args.instruments,
        "seconds": args.seconds,
        "warm_up_s": 2,
        "runs": args.runs,
        "clock_speeds": args.speeds,
        "probe_codes": args.probes,
        "probe_orders_per_s": args.probe_rate,
    }
    print("baseline: websockets broadcast() server + clients", flush=True)
    base = Baseline(args.sessions, work)
    try:
        res["baseline_cmd"] = base.cmd
        res["hoga"] = hoga_sweep(args, work, tokens, base)
    finally:
        base.stop()
    res["verdict"] = verdicts(res)
    return res


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--speeds", default="0.25,0.5,1,2")
    p.add_argument("--probes", type=int, default=10)
    p.add_argument("--probe-rate", type=float, default=5.0)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--sessions", type=int, default=1000)
    p.add_argument("--instruments", type=int, default=100)
    p.add_argument("--py-spy", default="")
    p.add_argument("--update-readme", action="store_true")
    args = p.parse_args(argv)
    args.speeds = [float(x) for x in args.speeds.split(",")]
    res = run(args)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ws.json").write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    v = res["verdict"]
    print(json.dumps(v))
    if args.update_readme:
        update_readme(render(res))


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _at_kept(v: dict[str, Any], h: dict[str, Any]) -> str:
    """Rows and frames ratios (medians) at the highest speed that kept up."""
    ss = [s for s in h.get("steps", []) if s["rate"] == v["latency_rate"]]
    if not ss:
        return ""
    base = v["baseline_rows_per_s_median"] or 1
    rows = statistics.median(s["rows_per_s"] for s in ss)
    frames = statistics.median(s["frames_per_s"] for s in ss)
    return (
        f"at speed {v['latency_rate']:g} (kept up) {rows:,.0f} rows/s = {rows / base:.2f}×,"
        f" frames/s {frames / base:.2f}×"
    )


def _by_speed(v: dict[str, Any]) -> str:
    by = v.get("p99_ms_by_speed", {})
    return ", ".join(f"{k}: {x:g} ms" for k, x in by.items()) or "—"


def _us(cpu_pct: float, per_s: float) -> str:
    """Server CPU µs per delivered row/message (CPU over warm-up + window, so an upper bound)."""
    return f"{cpu_pct * 1e4 / per_s:.1f}" if per_s else "—"


def render(res: dict[str, Any]) -> str:
    """The README block between the ws-results markers."""
    m, st, h, v = res["machine"], res["settings"], res["hoga"], res["verdict"]
    lines = [
        f"Run {m['date']} — {m['nproc']} × {m['cpu_model']}, Python {m['python']}, repo git"
        f" {m['git']}, hoga from `{m['hoga_source']}`, load average at start"
        f" {' / '.join(str(x) for x in m['loadavg_at_start'])}. {st['sessions']:,} sessions"
        f" × 0B of {st['instruments']} instruments (probe codes {st['probe_codes']},"
        f" {st['probe_orders_per_s']:g} probe buys/s), {st['warm_up_s']} s warm-up"
        f" + {st['seconds']} s per step, each step followed by a baseline run; server up in"
        f" {h.get('server_up_s')} s, 1,000 LOGIN +"
        f" REG in {h.get('login_reg_s')} s.",
        "",
        "| clock speed | trades/s (per session) | rows/s delivered | frames/s | rows/frame"
        " | bytes/row | probe p50 / p99 ms | REST p50 / p99 ms | push − REST reply p50 / p99 ms"
        " | server CPU % (µs/row) | clients CPU % | sessions open | load"
        " | baseline msgs/s, CPU % (µs/msg) | ratio rows, frames |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in h.get("steps", []):
        b = s["baseline"]
        lines.append(
            f"| {s['rate']:g} | {s['trades_per_s']:g} | {s['rows_per_s']:,} |"
            f" {s['frames_per_s']:,} | {s['rows_per_frame']} | {s['row_bytes_avg']} |"
            f" {s['p50_ms']} / {s['p99_ms']} | {s['rest_p50_ms']} / {s['rest_p99_ms']} |"
            f" {s.get('after_rest_p50_ms', '—')} / {s.get('after_rest_p99_ms', '—')} |"
            f" {s['server_cpu_pct']}"
            f" ({_us(s['server_cpu_pct'], s['rows_per_s'])}) | {s['client_cpu_pct']} |"
            f" {s['open']} | {s['load_avg']:.1f} | {b['rows_per_s']:,}, {b['server_cpu_pct']}"
            f" ({_us(b['server_cpu_pct'], b['rows_per_s'])}) |"
            f" {s['rows_per_s'] / max(b['rows_per_s'], 1):.2f},"
            f" {s['frames_per_s'] / max(b['frames_per_s'], 1):.2f} |"
        )
    r, p = v["ratio"], v["p99_ms"]
    lines += [
        "",
        "| target | result | verdict |",
        "|---|---|---|",
        f"| rows/s ≥ {r['target']} × `websockets.broadcast()` | {v['rows_per_s']:,} rows/s"
        f" (best clock speed, {v['best_rate']:g}) / baseline median"
        f" {v['baseline_rows_per_s_median']:,}"
        f" msgs/s (range {v['baseline_rows_per_s_range'][0]:,}–"
        f"{v['baseline_rows_per_s_range'][1]:,}) = {r['value']}×; {_at_kept(v, h)}"
        f" | **{_mark(r['pass'])}** |",
        f"| trade-to-push p99 < {p['target']:g} ms | {p['value']} ms (probe submit → receipt,"
        f" highest speed that kept up: {v['latency_rate']:g}; median p99 by speed:"
        f" {_by_speed(v)}) | **{_mark(p['pass'])}** |",
    ]
    prof = h.get("profile")
    if prof:
        root = prof["inclusive"][0][1] if prof["inclusive"] else 0
        below = [(f, x) for f, x in prof["inclusive"] if x < root]  # skip the startup frames
        incl = "; ".join(f"`{f}` {x} %" for f, x in below[:14])
        own = "; ".join(f"`{f}` {x} %" for f, x in prof["self"][:10])
        lines += [
            "",
            f"py-spy, hoga at speed {prof['rate']:g} ({prof['samples']:,} samples,"
            f" {prof['rows_per_s']:,} rows/s) — inclusive: {incl}. Self: {own}.",
        ]
    return "\n".join(lines)


def update_readme(text: str) -> None:
    """Replace the block between the ws-results markers (only that block)."""
    readme = README.read_text(encoding="utf-8")
    if START not in readme or END not in readme:
        raise SystemExit(f"{README}: add the {START} / {END} markers first")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(head + START + "\n" + text + "\n" + END + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
