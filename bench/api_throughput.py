"""API benchmarks: ka10001 and kt10000 through the full stack vs a trivial raw-ASGI handler.

``python -m bench.api_throughput [--runs 3] [--seconds 10] [--customers 1000] [--update-readme]
[--strict]`` (needs ``wrk`` on PATH: ``apt-get install -y wrk``). See bench/README.md, section
"API benchmarks", for the method; results go to ``bench/results/api.json``.

Every load run is ``wrk -t1 -c32 -d<seconds>s --latency`` with one Lua script (generated per
run) that rotates the bearer tokens of ``--customers`` customers and a set of request bodies,
and counts answers whose body carries ``"return_code":0`` (and, apart, HTTP 429 answers). The
same script drives the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

__all__ = ["lua_script", "main", "render", "setup_customers"]

HERE = Path(__file__).parent
RESULTS = HERE / "results"
README = HERE / "README.md"
START = "<!-- api-results:start -->"
END = "<!-- api-results:end -->"
STKINFO = "/api/dostk/stkinfo"
ORDR = "/api/dostk/ordr"
TARGET_QUERY = 0.6
TARGET_ORDER = 0.35
TARGET_P99_MS = 10.0
CODES = 200  # the most traded instruments: ka10001 codes and order codes


def setup_customers(db_url: str, n: int) -> tuple[list[str], float]:
    """Create ``n`` customers (10¹² won each) and a token for each; returns the tokens and the
    seconds it took. scrypt is lowered to N=2⁴ for these keys only (the cost is stored with
    each hash; the server verifies tokens by SHA-256, never by scrypt)."""
    from hoga.bootstrap import open_storage
    from hoga.clock import RealClock
    from hoga.engine.identity import IdentityService, ScryptParams

    t0 = time.perf_counter()
    storage = open_storage(db_url)
    identity = IdentityService(storage, RealClock(), scrypt=ScryptParams(n=2**4, r=8, p=1))
    tokens = []
    for i in range(n):
        made = identity.create_customer(name=f"bench{i:04d}", env="mock", cash=10**12)
        issued = identity.issue_token(made.appkey, made.secretkey, "mock")
        assert not hasattr(issued, "reason"), issued
        tokens.append(issued.token)  # type: ignore[union-attr]
    storage.close()
    return tokens, time.perf_counter() - t0


def lua_script(path: str, api_id: str, tokens: list[str], bodies: list[str], delay_ms: int) -> str:
    """The wrk script: rotate tokens and bodies, count ``return_code`` 0, print a JSON line."""
    toks = ",".join(json.dumps(t) for t in tokens)
    bods = ",".join("[[" + b + "]]" for b in bodies)
    delay = f"function delay() return {delay_ms} end\n" if delay_ms > 0 else ""
    return f"""
local tokens = {{{toks}}}
local bodies = {{{bods}}}
local threads = {{}}
local n = 0
ok, bad, limited = 0, 0, 0
function setup(thread) table.insert(threads, thread) end
function request()
  n = n + 1
  local h = {{["Content-Type"] = "application/json;charset=UTF-8", ["api-id"] = "{api_id}",
    ["authorization"] = "Bearer " .. tokens[(n % #tokens) + 1]}}
  -- the body shifts by one every round of tokens, so each customer goes through every body
  -- (the same body over and over is what the abnormal-load detector calls identical queries)
  return wrk.format("POST", "{path}", h, bodies[((n + math.floor(n / #tokens)) % #bodies) + 1])
end
function response(status, headers, body)
  if status == 429 then limited = limited + 1 end
  if status == 200 and string.find(body, '"return_code":0', 1, true) then ok = ok + 1
  else bad = bad + 1; if bad <= 2 then io.stderr:write(status .. " " .. body .. "\\n") end end
end
{delay}function done(summary, latency, requests)
  local o, b, l = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); b = b + t:get("bad"); l = l + t:get("limited")
  end
  local e = summary.errors
  io.write(string.format('JSON{{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"ok":%d,"bad":%d,"http_429":%d,"socket_errors":%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, o, b, l,
    e.connect + e.read + e.write + e.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """A ``bench.api_server`` child process."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "bench.api_server", "--port", str(self.port), *args]
        self.cmd = " ".join(cmd[1:])
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=HERE.parent, stdout=self._log, stderr=subprocess.STDOUT
        )
        self.started = time.perf_counter()

    def wait(self, path: str, timeout: float = 120.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.cmd}")
            try:
                if httpx.get(self.url + path, timeout=1.0).status_code < 500:
                    return time.perf_counter() - self.started
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {timeout} s: {self.cmd}")

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def main_thread_cpu_seconds(self) -> float:
        """CPU of the server's main thread (the event loop); the rest is worker threads
        (record and market-data writes, token issue)."""
        path = f"/proc/{self.proc.pid}/task/{self.proc.pid}/stat"
        with open(path, encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def wrk(
    server: Server, script: str, work: Path, seconds: int, connections: int = 32
) -> dict[str, Any]:
    """One wrk run; the parsed JSON line plus req/s and the server's CPU per request."""
    lua = work / "load.lua"
    lua.write_text(script, encoding="utf-8")
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency"]
    cmd += ["-s", str(lua), server.url + "/"]
    cpu0, main0 = server.cpu_seconds(), server.main_thread_cpu_seconds()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    cpu = server.cpu_seconds() - cpu0
    main = server.main_thread_cpu_seconds() - main0
    line = next(x for x in out.stdout.splitlines() if x.startswith("JSON"))
    r: dict[str, Any] = json.loads(line[4:])
    r["rps"] = round(r["requests"] / (r["duration_us"] / 1e6))
    r["p50_ms"] = round(r["p50_us"] / 1000, 2)
    r["p99_ms"] = round(r["p99_us"] / 1000, 2)
    r["server_cpu_us_per_req"] = round(1e6 * cpu / max(r["requests"], 1), 1)
    r["main_thread_cpu_us_per_req"] = round(1e6 * main / max(r["requests"], 1), 1)
    r["errors_sample"] = out.stderr.strip()[:300]
    return r


def series(
    server: Server, script: str, work: Path, runs: int, seconds: int, label: str
) -> dict[str, Any]:
    wrk(server, script, work, 2)  # warm-up
    rounds = []
    for i in range(runs):
        r = wrk(server, script, work, seconds)
        print(
            f"  {label} run {i + 1}: {r['rps']:,} req/s, p50 {r['p50_ms']} ms,"
            f" p99 {r['p99_ms']} ms, ok {r['ok']:,}, bad {r['bad']:,}",
            flush=True,
        )
        rounds.append(r)
    rps = [r["rps"] for r in rounds]
    return {
        "rps_median": round(statistics.median(rps)),
        "rps_range": [min(rps), max(rps)],
        "p50_ms_median": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms_median": statistics.median(r["p99_ms"] for r in rounds),
        "runs": rounds,
    }


def half_load(
    server: Server, script_for: Any, work: Path, seconds: int, target: float, runs: int
) -> dict[str, Any]:
    """``runs`` runs at about ``target`` req/s: ``connections`` connections (32 to start with),
    each waiting ``delay`` ms (wrk's ``delay()`` hook, whole milliseconds) before its next
    request. Calibrated first (up to four tries, until within 10 % of the target): the delay is
    corrected from the achieved rate, and when the correction rounds to the same delay, the
    number of connections instead. The result is the median of the measured runs at that
    setting, like every other row (one 10 s run puts the 1 % tail on ~700 requests, which one
    pause of the process can decide)."""
    delay = max(1, round(32_000 / target) - 1)
    connections = 32
    tries: list[dict[str, Any]] = []
    for _ in range(4):
        r = wrk(server, script_for(delay), work, seconds, connections)
        r["delay_ms"], r["connections"] = delay, connections
        tries.append(r)
        print(
            f"  half load, calibrating ({connections} connections, delay {delay} ms):"
            f" {r['rps']:,} req/s (target {target:,.0f}), p99 {r['p99_ms']} ms",
            flush=True,
        )
        if abs(r["rps"] / target - 1) <= 0.1:
            break
        corrected = max(1, round(delay * r["rps"] / target))
        if corrected != delay:
            delay = corrected
        else:
            connections = max(1, round(connections * target / max(r["rps"], 1)))
    rounds = []
    for i in range(runs):
        r = wrk(server, script_for(delay), work, seconds, connections)
        print(
            f"  half load run {i + 1} ({connections} connections, delay {delay} ms):"
            f" {r['rps']:,} req/s,"
            f" p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms",
            flush=True,
        )
        rounds.append(r)

    def median(key: str) -> Any:
        return statistics.median(x[key] for x in rounds)

    return {
        "rps": round(median("rps")),
        "p50_ms": median("p50_ms"),
        "p99_ms": median("p99_ms"),
        "p99_ms_runs": [x["p99_ms"] for x in rounds],
        "server_cpu_us_per_req": median("server_cpu_us_per_req"),
        "main_thread_cpu_us_per_req": median("main_thread_cpu_us_per_req"),
        "delay_ms": delay,
        "connections": connections,
        "target_rps": round(target),
        "runs": rounds,
        "calibration": tries,
    }


def profile(
    spy_bin: str, server: Server, script: str, work: Path, seconds: int, name: str
) -> dict[str, Any]:
    """py-spy (``--py-spy PATH``) samples the server during one wrk run: the top functions by
    inclusive and by self share of the samples (``file:function``)."""
    out = work / f"{name}.txt"
    cmd = [spy_bin, "record", "-r", "250", "-f", "raw", "-o", str(out), "--nonblocking"]
    cmd += ["--full-filenames"]
    cmd += ["-d", str(seconds + 1), "--pid", str(server.proc.pid)]
    spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    r = wrk(server, script, work, seconds)
    spy.wait()
    incl: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in out.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = [_frame(f) for f in stack.split(";")]
        for f in set(frames):
            incl[f] = incl.get(f, 0) + n
        own[frames[-1]] = own.get(frames[-1], 0) + n

    def top(d: dict[str, int], k: int = 60) -> list[tuple[str, float]]:
        ranked = sorted(d.items(), key=lambda kv: -kv[1])[:k]
        return [(f, round(100 * v / max(total, 1), 1)) for f, v in ranked]

    return {"rps": r["rps"], "samples": total, "inclusive": top(incl), "self": top(own)}


def _frame(text: str) -> str:
    """``func (path/to/file.py:12)`` → ``file.py:func`` (path from ``hoga/`` when inside it)."""
    m = re.match(r"(.*) \((.*?):\d+\)$", text.strip())
    if not m:
        return text.strip()
    func, path = m.groups()
    short = path.split("/hoga/", 1)[1] if "/hoga/" in path else path.rsplit("/", 1)[-1]
    return f"{short}:{func}"


def ledger_counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {
            t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("orders", "fills", "journal_entries", "journal_lines")
        }
    finally:
        con.close()


def _price(text: str) -> int:
    return abs(int(text.lstrip("+-") or "0"))


def order_bodies(server: Server, token: str, codes: list[str]) -> list[str]:
    """Two 1-share limit buys per code: at the upper price limit (marketable: it takes the best
    ask when there is one) and at the current price (matches or rests)."""
    out = []
    with httpx.Client(base_url=server.url, timeout=120.0) as client:
        for code in codes:
            resp = client.post(
                STKINFO,
                json={"stk_cd": code},
                headers={"api-id": "ka10001", "authorization": f"Bearer {token}"},
            ).json()
            for price in (_price(resp["upl_pric"]), _price(resp["cur_prc"])):
                if price:
                    body = {"dmst_stex_tp": "KRX", "stk_cd": code, "ord_qty": "1"}
                    body |= {"ord_uv": str(price), "trde_tp": "0", "cond_uv": ""}
                    out.append(json.dumps(body, separators=(",", ":")))
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench.run import machine
    from hoga.bootstrap import select_universe
    from hoga.engine.universe import load_universe

    work = Path(tempfile.mkdtemp(prefix="hoga-bench-api-"))
    db = work / "bench.db"
    if args.core == "compiled":  # as `make run`: build the mypyc core if needed (best effort)
        build = [sys.executable, "tools/build_compiled.py", "--best-effort"]
        subprocess.run(build, cwd=HERE.parent, check=False, capture_output=True)
    tokens, setup_s = setup_customers(f"sqlite:///{db}", args.customers)
    print(f"{len(tokens):,} customers + tokens in {setup_s:.1f} s ({db})", flush=True)
    universe = select_universe(load_universe(), args.universe_limit)
    codes = sorted(select_universe(universe, CODES))
    queries = [json.dumps({"stk_cd": c}) for c in codes]

    def script(path: str, api_id: str, bodies: list[str], delay: int = 0) -> str:
        return lua_script(path, api_id, tokens, bodies, delay)

    res: dict[str, Any] = {"machine": machine(), "setup_s": round(setup_s, 1)}
    res["settings"] = {
        "customers": len(tokens),
        "universe": len(universe),
        "codes_rotated": len(codes),
        "ratelimit": "off",
        "wrk": f"wrk -t1 -c32 -d{args.seconds}s --timeout 5s --latency -s load.lua",
        "runs": args.runs,
    }
    ka = script(STKINFO, "ka10001", queries)
    # the trivial app on stock uvicorn (the targets' baseline), then through hoga's HTTP
    # protocol: how much of the full stack's ratio comes from the server layer rather than
    # from hoga's own work
    for key, http, label in (
        ("baseline", "stock", "baseline"),
        ("baseline_gathering", "gathering", "baseline, hoga's protocol"),
    ):
        base = Server(["--baseline", "--http", http], work / f"{key}.log")
        try:
            base.wait("/")
            res[f"server_{key}"] = base.cmd
            print(f"{label} (raw ASGI)", flush=True)
            res[key] = series(base, ka, work, args.runs, args.seconds, label)
        finally:
            base.stop()
    limit = [] if args.universe_limit is None else ["--universe-limit", str(args.universe_limit)]
    core = ["--compiled"] if args.core == "compiled" else []
    full = Server(["--db", f"sqlite:///{db}", *limit, *core], work / "full.log")
    try:
        res["startup_s"] = round(full.wait("/health"), 2)
        said = (work / "full.log").read_text(errors="replace").splitlines()
        cores = [ln.split(":", 1)[1].strip() for ln in said if ln.startswith("hoga core:")]
        res["core"] = cores[0] if cores else "unknown"
        res["server_full"] = full.cmd
        print(f"full stack up in {res['startup_s']} s", flush=True)
        t0 = time.perf_counter()
        orders = order_bodies(full, tokens[0], codes[:1])
        res["first_ka10001_s"] = round(time.perf_counter() - t0, 2)
        orders = order_bodies(full, tokens[0], codes)  # primes every code's history cache
        res["prime_s"] = round(time.perf_counter() - t0, 2)
        print(
            f"first ka10001 answered after {res['first_ka10001_s']} s; all {len(codes)}"
            f" codes primed after {res['prime_s']} s",
            flush=True,
        )
        res["ka10001"] = series(full, ka, work, args.runs, args.seconds, "ka10001")
        target = res["ka10001"]["rps_median"] / 2
        res["ka10001_half_load"] = half_load(
            full,
            lambda d: script(STKINFO, "ka10001", queries, d),
            work,
            args.seconds,
            target,
            args.runs,
        )
        before = ledger_counts(db)
        kt = script(ORDR, "kt10000", orders)
        res["kt10000"] = series(full, kt, work, args.runs, args.seconds, "kt10000")
        time.sleep(1.5)  # let the market runner flush
        after = ledger_counts(db)
        res["ledger_delta"] = {k: after[k] - before[k] for k in after}
        if args.py_spy:
            print("profiling (py-spy)", flush=True)
            res["profile"] = {
                "ka10001": profile(args.py_spy, full, ka, work, args.seconds, "ka10001"),
                "kt10000": profile(args.py_spy, full, kt, work, args.seconds, "kt10000"),
            }
    finally:
        full.stop()
    b = res["baseline"]["rps_median"]
    q, o = res["ka10001"]["rps_median"], res["kt10000"]["rps_median"]
    half = res["ka10001_half_load"]
    res["checks"] = {
        "ka10001_ratio": {
            "value": round(q / b, 3),
            "target": TARGET_QUERY,
            "pass": q / b >= TARGET_QUERY,
        },
        "ka10001_p99_half_load_ms": {
            "value": half["p99_ms"],
            "target": TARGET_P99_MS,
            "pass": half["p99_ms"] < TARGET_P99_MS,
        },
        "kt10000_ratio": {
            "value": round(o / b, 3),
            "target": TARGET_ORDER,
            "pass": o / b >= TARGET_ORDER,
        },
    }
    res["pass"] = all(c["pass"] for c in res["checks"].values())
    g = res["baseline_gathering"]["rps_median"]
    res["same_protocol_ratios"] = {"ka10001": round(q / g, 3), "kt10000": round(o / g, 3)}
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return res


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render(res: dict[str, Any]) -> str:
    """The markdown results block of the API section of the README."""
    m, s, c = res["machine"], res["settings"], res["checks"]
    b, q, o, h = res["baseline"], res["ka10001"], res["kt10000"], res["ka10001_half_load"]
    g = res.get("baseline_gathering")
    same = res.get("same_protocol_ratios")

    def row(name: str, r: dict[str, Any]) -> str:
        cpu = statistics.median(x["server_cpu_us_per_req"] for x in r["runs"])
        main = statistics.median(x.get("main_thread_cpu_us_per_req", cpu) for x in r["runs"])
        return (
            f"| {name} | {r['rps_median']:,} ({r['rps_range'][0]:,}–{r['rps_range'][1]:,})"
            f" | {r['p50_ms_median']} | {r['p99_ms_median']} | {cpu} | {main} |"
        )

    led = res["ledger_delta"]
    lines = [
        f"Run {m['date']} — {m['nproc']} × {m['cpu_model']}, {m['mem_gib']} GiB, Python"
        f" {m['python']}, repo git {m['git']}, hoga from `{m['hoga_source']}`, load average at"
        f" start {' / '.join(str(x) for x in m['loadavg_at_start'])}. {s['customers']:,}"
        f" customers (setup {res['setup_s']} s), universe {s['universe']:,} instruments with"
        f" participants (server up in {res['startup_s']} s), domain core"
        f" {res.get('core', 'pure')}, {s['codes_rotated']} codes rotated,"
        f" rate limits {s['ratelimit']}, `{s['wrk']}`, median of {s['runs']} runs.",
        "",
        "| load | req/s median (range) | p50 ms | p99 ms | server CPU µs/req"
        " | of which main thread |",
        "|---|---|---|---|---|---|",
        row("baseline: raw ASGI on stock uvicorn, same Lua script", b),
        *(
            [row("raw ASGI on hoga's HTTP protocol (same-server reference)", g)]
            if g is not None
            else []
        ),
        row("ka10001 full stack", q),
        row("kt10000 limit buys full stack", o),
        f"| ka10001 at half load (target {h['target_rps']:,} req/s;"
        f" {h.get('connections', 32)} conns, delay"
        f" {h['delay_ms']} ms; p99 per run {', '.join(str(x) for x in h.get('p99_ms_runs', []))})"
        f" | {h['rps']:,} | {h['p50_ms']} | {h['p99_ms']}"
        f" | {h['server_cpu_us_per_req']} | {h.get('main_thread_cpu_us_per_req', '')} |",
        "",
        "| target | result | verdict |",
        "|---|---|---|",
        f"| ka10001 ≥ {TARGET_QUERY} × baseline | {c['ka10001_ratio']['value']}×"
        f" | **{_mark(c['ka10001_ratio']['pass'])}** |",
        f"| ka10001 p99 < {TARGET_P99_MS:g} ms at half load"
        f" | {c['ka10001_p99_half_load_ms']['value']} ms"
        f" | **{_mark(c['ka10001_p99_half_load_ms']['pass'])}** |",
        f"| kt10000 ≥ {TARGET_ORDER} × baseline | {c['kt10000_ratio']['value']}×"
        f" | **{_mark(c['kt10000_ratio']['pass'])}** |",
        "",
        *(
            [
                "The targets are ratios to the raw ASGI app on stock uvicorn (its httptools"
                " protocol writes headers and body apart); the full stack runs, as `hoga serve`"
                " does, on hoga's protocol, which writes each answer at once. Against the same"
                f" raw app on hoga's protocol the ratios are ka10001 {same['ka10001']}×,"
                f" kt10000 {same['kt10000']}×.",
                "",
            ]
            if same
            else []
        ),
        f"kt10000 answers: {sum(r['ok'] for r in o['runs']):,} accepted (`return_code` 0),"
        f" {sum(r['bad'] for r in o['runs']):,} other; rows added during the order runs"
        f" (warm-ups included): orders {led['orders']:,}, fills {led['fills']:,},"
        f" journal entries {led['journal_entries']:,} ({led['journal_lines']:,} lines).",
        "",
        f"Cold path: the first ka10001 after start answered after {res['first_ka10001_s']} s,"
        f" all {s['codes_rotated']} codes after {res['prime_s']} s (history generated on first"
        " use of a code, XKRX calendar loaded on the first).",
    ]
    for name, prof in res.get("profile", {}).items():
        hoga_frames = [(f, p) for f, p in prof["inclusive"] if _ours(f)][:12]
        own = [(f, p) for f, p in prof["self"]][:8]
        lines += [
            "",
            f"py-spy, {name} ({prof['samples']:,} samples at {prof['rps']:,} req/s) — inclusive:"
            f" {'; '.join(f'`{f}` {p} %' for f, p in hoga_frames)}. Self:"
            f" {'; '.join(f'`{f}` {p} %' for f, p in own)}.",
        ]
    return "\n".join(lines)


_FRAMEWORK = (
    "<frozen",
    "api_server.py",
    "Middleware",
    "Router",
    "Route.",
    "Starlette",
    "Server.run",
    "Runner.run",
    "RequestResponseCycle",
    "request_response",
    "wrap_app",
    "asyncio_run",
    "main.py:run",
)


def _ours(frame: str) -> bool:
    """True for frames below the ASGI server and Starlette's routing."""
    return not any(x in frame for x in _FRAMEWORK)


def update_readme(block: str) -> None:
    text = README.read_text(encoding="utf-8")
    if START not in text:
        raise SystemExit(f"{README} has no {START} marker")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{START}\n{block}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="API benchmarks (needs wrk)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--universe-limit", type=int, default=None)
    parser.add_argument(
        "--core",
        choices=("compiled", "pure"),
        default="compiled",
        help="the server's domain core: the mypyc build as `make run` serves (default), or pure",
    )
    parser.add_argument("--py-spy", default="", help="py-spy binary: profile the server")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--render", action="store_true", help="README from results/api.json")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    if args.render:
        res = json.loads((RESULTS / "api.json").read_text(encoding="utf-8"))
        update_readme(render(res))
        print(render(res))
        return 0
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    res = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "api.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    block = render(res)
    print()
    print(block)
    if args.update_readme:
        update_readme(block)
    print(f"\nall API targets met: {res['pass']}")
    return 0 if res["pass"] or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
