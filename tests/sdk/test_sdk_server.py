"""The SDK against a real ``hoga serve`` process: REST, WebSocket, and pacing with limits on."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hoga.bootstrap import select_universe
from hoga.client import AsyncClient, Client, Pacing, RealTrade
from hoga.engine.universe import load_universe

pytestmark = pytest.mark.slow
HOGA = str(Path(sys.executable).with_name("hoga"))


@dataclass
class Live:
    base: str
    appkey: str
    secretkey: str


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("sdk-live")
    db = f"sqlite:///{tmp / 'hoga.db'}"
    made = json.loads(
        subprocess.run(
            [HOGA, "admin", "customer", "create", "--name", "sdk", "--db", db, "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    )
    port = _port()
    env = {**os.environ, "HOGA_RATELIMIT": "memory://", "HOGA_OPERATOR_TOKEN": "op"}
    args = [HOGA, "serve", "--port", str(port), "--db", db, "--universe-limit", "20"]
    log = (tmp / "serve.log").open("wb")
    proc = subprocess.Popen(
        [*args, "--clock", "fast:10"], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield Live(base, made["appkey"], made["secretkey"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def busiest() -> str:
    universe = select_universe(load_universe(), 20)
    return max(universe.values(), key=lambda i: (i.volume, i.code)).code


def test_rest_and_orders_over_a_real_socket(live: Live) -> None:
    code = busiest()
    with Client(base_url=live.base, appkey=live.appkey, secretkey=live.secretkey) as c:
        q = c.quote(code)
        assert q.price > 0
        px = q.lower_limit + (q.base_price - q.lower_limit) // 2
        book = c.order_book(code)
        tick = min(b.price - a.price for a, b in zip(book.bids[1:], book.bids, strict=False))
        px -= px % tick
        ack = c.buy(code, 1, px)
        assert ack.order_no in {o.order_no for o in c.open_orders(code)}
        c.cancel(ack.order_no, code)
        assert c.stats.rate_limited == 0


def test_realtime_trades_over_a_real_websocket(live: Live) -> None:
    code = busiest()

    async def go() -> RealTrade:
        async with (
            AsyncClient(
                base_url=live.base,
                appkey=live.appkey,
                secretkey=live.secretkey,
                revoke_on_close=False,
            ) as c,
            c.realtime() as rt,
        ):
            await rt.register([code], ["0B"])
            while True:
                msg = await rt.next(90)
                if isinstance(msg, RealTrade):
                    return msg

    msg = asyncio.run(go())
    assert msg.item == code and msg.price > 0 and msg.qty > 0


def test_pacing_under_the_live_limiter(live: Live) -> None:
    code = busiest()
    tasks, calls = 20, 2

    async def go() -> tuple[int, float]:
        pacing = Pacing()
        clients = [
            AsyncClient(
                base_url=live.base,
                appkey=live.appkey,
                secretkey=live.secretkey,
                pacing=pacing,
                revoke_on_close=False,
            )
            for _ in range(2)
        ]
        for c in clients:
            await c.token()
        t0 = time.monotonic()

        async def worker(i: int) -> None:
            for _ in range(calls):
                await clients[i % 2].quote(code)

        await asyncio.gather(*(worker(i) for i in range(tasks)))
        elapsed = time.monotonic() - t0
        refused = sum(c.stats.rate_limited for c in clients)
        for c in clients:
            await c.aclose()
        return refused, elapsed

    refused, elapsed = asyncio.run(go())
    assert refused == 0
    rate = tasks * calls / elapsed
    assert 3.5 <= rate <= 5.2, rate
