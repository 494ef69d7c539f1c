"""Realtime over a real ``hoga serve`` and the ``websockets`` client: account rows (00/04), every
market type a scripted scenario produces, ping timeout on the manual clock, a slow consumer.

Time moves only through the operator clock API (``--clock manual``) except in the slow-consumer
test, which needs a running market (``fast:N``) and waits on frames, never on a timer.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from _serverkit import HOGA, OP, Proc, start_server

from hoga.bootstrap import select_universe
from hoga.engine.calendar import KrxCalendar
from hoga.engine.universe import load_universe

LIMIT = 8
CODE = max(select_universe(load_universe(), LIMIT).values(), key=lambda i: (i.volume, i.code)).code
CASH = 1_000_000_000_000


@dataclass
class Customer:
    appkey: str
    secretkey: str
    account: str
    token: str = ""


@dataclass
class Server:
    proc: Proc
    customers: list[Customer]

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.proc.port}/api/dostk/websocket"

    def op(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        r = httpx.request(
            method,
            f"{self.proc.base}/operator/sim/{path}",
            json=body,
            headers={"authorization": f"Bearer {OP}"},
            timeout=60,
        )
        assert r.status_code == 200, r.text
        return r.json()

    def order(self, c: Customer, api_id: str, **body: str) -> dict[str, Any]:
        r = httpx.post(
            f"{self.proc.base}/api/dostk/ordr",
            json={"dmst_stex_tp": "KRX", "stk_cd": CODE, "cond_uv": "", **body},
            headers={"api-id": api_id, "authorization": f"Bearer {c.token}"},
            timeout=60,
        )
        out: dict[str, Any] = r.json()
        return out


def serve(tmp_path: Path, *args: str, customers: int = 1) -> Iterator[Server]:
    db = f"sqlite:///{tmp_path / 'hoga.db'}"
    made = []
    for n in range(customers):
        cmd = [*HOGA, "admin", "customer", "create", "--name", f"c{n}", "--db", db, "--json"]
        out = subprocess.run(
            [*cmd, "--cash", str(CASH)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        d = json.loads(out)
        made.append(Customer(d["appkey"], d["secretkey"], d["account"]))
    proc = start_server(db, tmp_path / "server.log", "--universe-limit", str(LIMIT), *args)
    try:
        for c in made:
            body = {"grant_type": "client_credentials", "appkey": c.appkey}
            body["secretkey"] = c.secretkey
            c.token = httpx.post(f"{proc.base}/oauth2/token", json=body, timeout=30).json()["token"]
        yield Server(proc, made)
    finally:
        proc.stop()


@pytest.fixture
def manual(tmp_path: Path) -> Iterator[Server]:
    yield from serve(tmp_path, "--clock", "manual", "--market", "always", customers=2)


@dataclass
class Client:
    """A logged-in socket whose frames are collected by a background reader."""

    ws: Any
    frames: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    echo: bool = True

    async def _read(self) -> None:
        async for text in self.ws:
            frame = json.loads(text)
            self.frames.append(frame)
            if frame["trnm"] == "PING" and self.echo:
                await self.ws.send(text)
            if frame["trnm"] == "REAL":
                self.rows.extend(frame["data"])
            self.changed.set()

    async def until(self, predicate: Any, timeout: float = 60) -> None:
        async with asyncio.timeout(timeout):
            while not predicate(self):
                self.changed.clear()
                await self.changed.wait()

    def typed(self, type_code: str) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["type"] == type_code]

    async def reg(self, types: list[str], items: list[str], grp: str = "1") -> None:
        n = sum(f["trnm"] == "REG" for f in self.frames)
        msg = {"trnm": "REG", "grp_no": grp, "refresh": "1"}
        await self.ws.send(json.dumps({**msg, "data": [{"item": items, "type": types}]}))
        await self.until(lambda c: sum(f["trnm"] == "REG" for f in c.frames) > n)
        assert [f for f in self.frames if f["trnm"] == "REG"][-1]["return_code"] == 0


async def connect(server: Server, c: Customer, *, read: bool = True, **kw: Any) -> Client:
    ws = await websockets.connect(server.ws, ping_interval=None, **kw)
    await ws.send(json.dumps({"trnm": "LOGIN", "token": c.token}))
    ack = json.loads(await ws.recv())
    assert ack["return_code"] == 0, ack
    client = Client(ws)
    if read:
        client.task = asyncio.ensure_future(client._read())
    return client


def trading_day_after(days: int) -> date:
    cal = KrxCalendar()
    d = date.today() + timedelta(days=days)
    while not cal.is_trading_day(d):
        d += timedelta(days=1)
    return d


# ---------------------------------------------------------------------------------- tests


def test_marketable_order_pushes_00_then_04_to_the_account_only(manual: Server) -> None:
    alice, bob = manual.customers

    async def go() -> None:
        a = await connect(manual, alice)
        b = await connect(manual, bob)
        await a.reg(["00", "04"], [""])
        await b.reg(["00", "04"], [""])
        out = manual.order(alice, "kt10000", ord_qty="3", ord_uv="", trde_tp="3")
        assert out["return_code"] == 0, out
        ord_no = out["ord_no"]
        await a.until(lambda c: len(c.typed("04")) >= 1 and c.rows[-1]["type"] == "04")
        kinds = [(r["type"], r["values"].get("913")) for r in a.rows]
        assert kinds[0] == ("00", "접수") and ("00", "체결") in kinds
        assert kinds.index(("00", "체결")) < kinds.index(("04", None))
        first = a.rows[0]
        assert first["name"] == "주문체결" and first["item"] == CODE
        assert first["values"]["9201"] == alice.account
        assert first["values"]["9203"] == f"{int(ord_no):07d}"
        assert first["values"]["906"] == "시장가" and first["values"]["907"] == "2"
        fills = [r["values"] for r in a.typed("00") if r["values"]["913"] == "체결"]
        assert sum(int(v["911"]) for v in fills) == 3 and fills[-1]["902"] == "0"
        bal = a.typed("04")[-1]
        assert bal["name"] == "현물잔고" and bal["values"]["930"] == "3"
        assert bal["values"]["9001"] == CODE and bal["values"]["9201"] == alice.account
        # bob's socket saw nothing of alice's account
        await b.reg(["0s"], [""], grp="2")  # a round trip: anything pushed to bob came first
        assert b.rows == []
        for c in (a, b):
            await c.ws.close()

    asyncio.run(go())
