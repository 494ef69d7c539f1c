"""Two ``hoga serve`` processes sharing one Redis limiter: one customer, hammered through both at
once, never gets more than 5 queries admitted in any one-second window.

What is provable from the client side. Each server stamps an admitted request with its wall clock
at some instant ``t`` between our send time ``s`` and our receive time ``r`` (same host, same
clock). The servers' guarantee is about the ``t``'s: any 6 admitted requests span at least 1 s.
We cannot see ``t``, but 6 admitted requests with ``max(r) − min(s) < 1 s`` would *certainly* have
their ``t``'s inside one window shorter than a second — a proven violation. So the check never
fails a correct limiter, and on localhost (latencies of milliseconds) it catches a broken one: a
per-process limiter would admit 10 within a few milliseconds. (Run with ``memory://`` instead of
Redis, this test fails.) Liveness is checked too: the customer does get ~5 per second.

The only waiting is for the children to open their ports (polled, bounded) and the bounded
hammering itself (``SECONDS`` of wall time, ``MAX_PER_WORKER`` requests per worker thread).
The Redis server: ``HOGA_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``), keys under a
fresh prefix; with ``HOGA_TEST_NO_REDIS=1`` this test is not collected.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

pytestmark = [pytest.mark.slow, pytest.mark.redis]

HOGA = [str(Path(sys.executable).with_name("hoga"))]
SECONDS = 3.0
WORKERS_PER_SERVER = 3
MAX_PER_WORKER = 600
LIMIT = 5
NS = 1_000_000_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Shot:
    server: int
    sent: int  # wall ns
    received: int  # wall ns
    status: int
    return_code: int
    retry_after: str | None


def start(db: str, url: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    args = [
        *HOGA, "serve", "--port", str(port), "--db", db, "--clock", "real",
        "--universe-limit", "3", "--market", "always", "--no-participants", "--ratelimit", url,
    ]  # fmt: skip
    with log.open("ab") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    proc.wait(timeout=30)
    raise AssertionError(f"server did not start: {log.read_text()}")


def token(base: str, appkey: str, secretkey: str) -> str:
    body = {"grant_type": "client_credentials", "appkey": appkey, "secretkey": secretkey}
    got: str = httpx.post(f"{base}/oauth2/token", json=body, timeout=10).json()["token"]
    return got


def hammer(server: int, base: str, tok: str, until: int) -> list[Shot]:
    headers = {"api-id": "ka00001", "authorization": f"Bearer {tok}"}
    shots = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for _ in range(MAX_PER_WORKER):
            sent = time.time_ns()
            if sent >= until:
                break
            resp = client.post("/api/dostk/acnt", json={}, headers=headers)
            received = time.time_ns()
            code = resp.json()["return_code"]
            shots.append(
                Shot(
                    server, sent, received, resp.status_code, code, resp.headers.get("retry-after")
                )
            )
    return shots


def tightest_six(admitted: list[Shot]) -> int:
    """The smallest ``max(received) − min(sent)`` over any LIMIT + 1 admitted requests (ns)."""
    by_sent = sorted(admitted, key=lambda s: s.sent)
    best = 10**18
    for i, first in enumerate(by_sent):
        later = sorted(s.received for s in by_sent[i + 1 :])
        if len(later) >= LIMIT:
            best = min(best, max(first.received, later[LIMIT - 1]) - first.sent)
    return best


def two_servers_one_customer(tmp_path: Path, url: str) -> None:
    prefix = f"hoga-test:{uuid.uuid4().hex}:"
    env = {**os.environ, "HOGA_OPERATOR_TOKEN": "op", "HOGA_RATELIMIT_PREFIX": prefix}
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    made = subprocess.run(
        [*HOGA, "admin", "customer", "create", "--name", "busy", "--db", db, "--json"],
        check=True, capture_output=True, env=env, timeout=60,
    )  # fmt: skip
    cust = json.loads(made.stdout)
    procs = []
    try:
        for n in range(2):
            procs.append(start(db, url, env, tmp_path / f"server{n}.log"))
        tokens = [token(base, cust["appkey"], cust["secretkey"]) for _, base in procs]
        began = time.time_ns()
        until = began + int(SECONDS * NS)
        jobs = [(n, procs[n][1], tokens[n]) for n in range(2)] * WORKERS_PER_SERVER
        with ThreadPoolExecutor(len(jobs)) as pool:
            futures = [pool.submit(hammer, n, base, tok, until) for n, base, tok in jobs]
            shots = list(itertools.chain.from_iterable(f.result() for f in futures))
    finally:
        for proc, _ in procs:
            proc.terminate()
        for proc, _ in procs:
            proc.wait(timeout=30)
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()

    admitted = [s for s in shots if s.status == 200]
    refused = [s for s in shots if s.status != 200]
    assert all(s.return_code == 0 for s in admitted)
    assert all((s.status, s.return_code) == (429, 5) for s in refused)
    assert all(s.retry_after is not None and int(s.retry_after) >= 1 for s in refused)
    assert {s.server for s in admitted} == {0, 1}, "both processes admitted some"
    assert len(refused) > 5 * len(admitted), "the hammering really exceeded the limit"
    # safety: no LIMIT + 1 admissions provably inside one second
    assert tightest_six(admitted) >= NS
    # and the total over the whole run is bounded by the sliding window
    span = max(s.received for s in shots) - began
    assert len(admitted) <= LIMIT * (span // NS + 1)
    # liveness: the customer did get its ~5 per second (not vacuously safe)
    assert len(admitted) >= LIMIT * (int(SECONDS) - 1)


if os.environ.get("HOGA_TEST_NO_REDIS") != "1":

    def test_two_processes_never_admit_more_than_five_per_second(tmp_path: Path) -> None:
        url = os.environ.get("HOGA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        two_servers_one_customer(tmp_path, url)
