"""Two real processes on one Redis bus: ``hoga serve`` (the market) and ``hoga serve --role
front`` (WebSocket only). A client of the front logs in (token checked in the shared database),
gets the market's 0B rows — the very rows a client of the market gets — and the 00/04 rows of its
own order placed through the market's REST; another account's session on the front gets none.
One session per app key holds across the two processes (a LOGIN on the market ends the same
key's session on the front with R10001).

Waiting is only on frames (bounded by timeouts). The Redis server: ``HOGA_TEST_REDIS_URL``
(default ``redis://127.0.0.1:6379/15``), channels under a fresh prefix; with
``HOGA_TEST_NO_REDIS=1`` this test is not collected.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from _serverkit import HOGA, Proc, start_server
from test_ws_realtime_e2e import Client

from hoga.bootstrap import select_universe
from hoga.engine.universe import load_universe

pytestmark = [pytest.mark.slow, pytest.mark.redis]

LIMIT = 8
CODES = sorted(select_universe(load_universe(), LIMIT))


def customer(db: str, name: str) -> dict[str, Any]:
    cmd = [*HOGA, "admin", "customer", "create", "--name", name, "--db", db, "--json"]
    out = subprocess.run(
        [*cmd, "--cash", "1000000000000"], capture_output=True, text=True, timeout=60, check=True
    )
    made: dict[str, Any] = json.loads(out.stdout)
    return made


def token(base: str, who: dict[str, Any]) -> str:
    body = {"grant_type": "client_credentials", "appkey": who["appkey"]}
    r = httpx.post(f"{base}/oauth2/token", json={**body, "secretkey": who["secretkey"]}, timeout=30)
    out: str = r.json()["token"]
    return out


async def login(port: int, tok: str) -> Client:
    import websockets

    url = f"ws://127.0.0.1:{port}/api/dostk/websocket"
    ws = await websockets.connect(url, ping_interval=None)
    await ws.send(json.dumps({"trnm": "LOGIN", "token": tok}))
    ack = json.loads(await ws.recv())
    assert ack["return_code"] == 0, ack
    client = Client(ws)
    client.task = asyncio.ensure_future(client._read())
    return client


def trades(c: Client) -> set[tuple[str, str]]:
    return {(r["item"], r["values"]["13"]) for r in c.typed("0B")}


@contextmanager
def market_and_front(tmp_path: Path, url: str, db: str, clock: str) -> Iterator[tuple[Proc, Proc]]:
    """A market process and a front process on one Redis bus (a fresh channel prefix)."""
    bus = f"{url}?prefix=hoga-test-{uuid.uuid4().hex}:"
    common = ["--universe-limit", str(LIMIT), "--clock", clock, "--bus", bus]
    market = start_server(db, tmp_path / "market.log", *common, "--market", "always")
    try:
        front = start_server(db, tmp_path / "front.log", *common, "--role", "front")
        try:
            yield market, front
        finally:
            front.stop()
    finally:
        market.stop()


def front_and_market(tmp_path: Path, url: str) -> None:
    db = f"sqlite:///{tmp_path / 'hoga.db'}"
    alice, bob, carol = customer(db, "alice"), customer(db, "bob"), customer(db, "carol")
    with market_and_front(tmp_path, url, db, "fast:10") as (market, front):
        health = httpx.get(f"{front.base}/health", timeout=10).json()
        assert health["role"] == "front"
        # the front serves the WebSocket only: orders go to the market process
        assert httpx.post(f"{front.base}/api/dostk/ordr", timeout=10).status_code == 404
        ta, tb = token(market.base, alice), token(market.base, bob)
        tc = token(market.base, carol)

        async def go() -> None:
            a = await login(front.port, ta)
            b = await login(front.port, tb)
            m = await login(market.port, tc)  # carol on the market process
            await a.reg(["0B"], CODES)
            await a.reg(["00", "04"], [""], grp="2")
            await b.reg(["00", "04"], [""])
            await m.reg(["0B"], CODES)
            # the same trades reach the front's session and the market's own session
            await a.until(lambda c: bool(trades(c) & trades(m)), timeout=120)
            row = a.typed("0B")[-1]
            assert row["name"] == "주식체결" and set(row["values"]) >= {"10", "13", "20"}

            headers = {"api-id": "kt10000", "authorization": f"Bearer {ta}"}
            body = {"dmst_stex_tp": "KRX", "stk_cd": CODES[0], "ord_qty": "2"}
            body |= {"ord_uv": "", "trde_tp": "3", "cond_uv": ""}
            async with httpx.AsyncClient(timeout=60) as http:
                r = await http.post(f"{market.base}/api/dostk/ordr", json=body, headers=headers)
            out = r.json()
            assert out["return_code"] == 0, out
            await a.until(lambda c: bool(c.typed("04")), timeout=60)
            kinds = [(r["type"], r["values"].get("913")) for r in a.rows if r["type"] != "0B"]
            assert kinds[0] == ("00", "접수") and ("00", "체결") in kinds
            assert kinds.index(("00", "체결")) < kinds.index(("04", None))
            first = next(r for r in a.rows if r["type"] == "00")
            assert first["values"]["9201"] == alice["account"]
            assert first["values"]["9203"] == f"{int(out['ord_no']):07d}"
            assert a.typed("04")[-1]["values"]["930"] == "2"
            # bob's front session saw nothing of alice's account (a round trip first)
            await b.reg(["0s"], [""], grp="3")
            assert b.rows == []
            # one session per app key across the processes: bob logs in on the market, and
            # his older session on the front is ended with R10001
            m2 = await login(market.port, tb)
            await b.until(lambda c: any(f["trnm"] == "SYSTEM" for f in c.frames), timeout=30)
            notice = next(f for f in b.frames if f["trnm"] == "SYSTEM")
            assert notice["code"] == "R10001"
            assert b.task is not None
            await asyncio.wait_for(b.task, 30)  # and the front closed the socket
            assert not m2.frames or all(f["trnm"] != "SYSTEM" for f in m2.frames)
            for c in (a, m, m2):
                await c.ws.close()

        asyncio.run(go())


if os.environ.get("HOGA_TEST_NO_REDIS") != "1":

    def test_a_front_end_serves_the_markets_rows_and_the_accounts_rows(tmp_path: Path) -> None:
        front_and_market(
            tmp_path, os.environ.get("HOGA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        )
