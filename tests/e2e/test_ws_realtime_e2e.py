"""Realtime over a real ``hoga serve`` and the ``websockets`` client: account rows (00/04), every
market type a scripted scenario produces, ping timeout on the manual clock, a slow consumer.

Time moves only through the operator clock API (``--clock manual``) except in the slow-consumer
test, which needs a running market (``fast:N``) and waits on frames, never on a timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
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
    log: Path

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.proc.port}/api/dostk/websocket"

    # async: the sockets' readers must keep answering PINGs while the clock moves

    async def op(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with httpx.AsyncClient(timeout=60) as http:
            r = await http.request(
                method,
                f"{self.proc.base}/operator/sim/{path}",
                json=body,
                headers={"authorization": f"Bearer {OP}"},
            )
        assert r.status_code == 200, r.text
        return r.json()

    def login(self) -> None:
        """Fresh tokens (a clock jump of days expires the old ones)."""
        for c in self.customers:
            body = {"grant_type": "client_credentials", "appkey": c.appkey}
            body["secretkey"] = c.secretkey
            r = httpx.post(f"{self.proc.base}/oauth2/token", json=body, timeout=30)
            c.token = r.json()["token"]

    async def order(self, c: Customer, api_id: str, **body: str) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=60) as http:
            r = await http.post(
                f"{self.proc.base}/api/dostk/ordr",
                json={"dmst_stex_tp": "KRX", "stk_cd": CODE, "cond_uv": "", **body},
                headers={"api-id": api_id, "authorization": f"Bearer {c.token}"},
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
    log = tmp_path / "server.log"
    proc = start_server(db, log, "--universe-limit", str(LIMIT), *args)
    try:
        server = Server(proc, made, log)
        server.login()
        yield server
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
        out = await manual.order(alice, "kt10000", ord_qty="3", ord_uv="", trde_tp="3")
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


def test_scripted_market_produces_every_market_type(manual: Server) -> None:
    alice, bob = manual.customers
    day = trading_day_after(3).isoformat()

    async def go() -> None:
        c = await connect(manual, alice)
        await c.reg(["0B", "0D", "0C", "0H", "0g", "1h"], [CODE])
        await c.reg(["0s"], [""], grp="2")
        # the calendar market, the clock into the opening auction of a trading day
        await manual.op("POST", "mode", {"mode": "calendar"})
        await manual.op("POST", "clock", {"set": f"{day}T08:40:00"})
        await c.until(lambda c: any(r["values"]["215"] == "0" for r in c.typed("0s")))
        await manual.op("POST", "clock", {"advance": 60})
        manual.login()
        board = await manual.op("GET", f"instruments/{CODE}")
        assert board["phase"] == "opening_auction"
        # the simulated quotes do not cross before the open: a customer's bid at the best ask
        # makes an indicative price
        ask = str(board["asks"][0][0])
        out = await manual.order(alice, "kt10000", ord_qty="100", ord_uv=ask, trde_tp="0")
        assert out["return_code"] == 0, out
        await c.until(lambda c: bool(c.typed("0H")))
        h = c.typed("0H")[-1]
        assert h["name"] == "주식예상체결" and set(h["values"]) == {
            "20",
            "10",
            "11",
            "12",
            "15",
            "13",
            "25",
        }
        # the opening uncross and continuous trading
        await manual.op("POST", "clock", {"set": f"{day}T09:01:00"})
        for _ in range(6):
            await manual.op("POST", "clock", {"advance": 10})
        await c.until(lambda c: any(r["values"]["215"] == "3" for r in c.typed("0s")))
        await c.until(lambda c: bool(c.typed("0B") and c.typed("0D") and c.typed("0C")))
        trade = c.typed("0B")[-1]["values"]
        assert trade["20"].startswith("09") and int(trade["13"]) > 0
        book = c.typed("0D")[-1]["values"]
        assert int(book["121"]) > 0 and int(book["125"]) > 0
        # a VI: alice rests a sell at the upper limit, bob sweeps the asks up to it
        out = await manual.order(alice, "kt10000", ord_qty="10", ord_uv="", trde_tp="3")
        assert out["return_code"] == 0, out
        board = await manual.op("GET", f"instruments/{CODE}")
        upper = board["limits"]["upper"]
        out = await manual.order(alice, "kt10001", ord_qty="10", ord_uv=str(upper), trde_tp="0")
        assert out["return_code"] == 0, out
        qty = 5 * sum(q for _, q, _ in board["asks"]) + 10
        out = await manual.order(bob, "kt10000", ord_qty=str(qty), ord_uv=str(upper), trde_tp="0")
        assert out["return_code"] == 0, out
        await c.until(lambda c: bool(c.typed("1h")))
        vi = c.typed("1h")[0]["values"]
        assert vi["9001"] == CODE and vi["9068"] == "1" and vi["1225"] in ("정적", "동적")
        assert (await manual.op("GET", f"instruments/{CODE}"))["phase"] == "vi_auction"
        for _ in range(6):  # a VI auction lasts two minutes and a random end
            await manual.op("POST", "clock", {"advance": 30})
        await c.until(lambda c: any(r["values"]["9068"] == "2" for r in c.typed("1h")))
        # the operator moves the base price: limits change (0g)
        lower = (await manual.op("GET", f"instruments/{CODE}"))["limits"]["lower"]
        await manual.op("POST", f"instruments/{CODE}/base-price", {"price": lower})
        await c.until(lambda c: any(r["values"]["307"] == str(lower) for r in c.typed("0g")))
        seen = {r["type"] for r in c.rows}
        assert seen == {"0B", "0D", "0C", "0H", "0g", "1h", "0s"}
        assert all(r["item"] == CODE for r in c.rows if r["type"] != "0s")
        await c.ws.close()

    asyncio.run(go())


def test_unanswered_pings_end_the_session_on_the_manual_clock(manual: Server) -> None:
    alice, bob = manual.customers

    async def go() -> None:
        mute = await connect(manual, alice)
        mute.echo = False
        polite = await connect(manual, bob)
        for n in range(1, 6):  # 20 s per ping; the fifth unanswered one ends the session
            await manual.op("POST", "clock", {"advance": 20})
            await mute.until(lambda c, n=n: sum(f["trnm"] == "PING" for f in c.frames) >= n)
            await polite.until(lambda c, n=n: sum(f["trnm"] == "PING" for f in c.frames) >= n)
        await manual.op("POST", "clock", {"advance": 20})
        await mute.until(lambda c: any(f["trnm"] == "SYSTEM" for f in c.frames))
        assert mute.frames[-1] == {
            "trnm": "SYSTEM",
            "code": "R10002",
            "message": "사용자 프로그램으로부터 Heartbeat(연결유지) 메시지가 오지않아서 "
            "접속을 종료합니다",
        }
        assert mute.task is not None
        await asyncio.wait_for(mute.task, 30)  # the server closed the socket
        await mute.ws.close()
        await polite.until(lambda c: sum(f["trnm"] == "PING" for f in c.frames) >= 6)
        assert not any(f["trnm"] == "SYSTEM" for f in polite.frames)
        await polite.ws.close()

    asyncio.run(go())


PENDING = 64  # the slow session's queue bound (--ws-max-pending)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Server]:
    # pings every simulated hour: the slow session can only be dropped by its queue overflowing
    opts = ["--ws-max-pending", str(PENDING), "--ws-ping-interval", "3600"]
    yield from serve(tmp_path, "--clock", "fast:20", "--market", "always", *opts, customers=2)


async def logged(path: Path, text: str, timeout: float = 120) -> None:
    """Wait until the server's log holds ``text`` (polled; bounded)."""
    async with asyncio.timeout(timeout):
        while text not in path.read_text(errors="replace"):
            await asyncio.sleep(0.05)


def test_a_slow_consumer_is_dropped_and_others_keep_receiving(running: Server) -> None:
    alice, bob = running.customers
    codes = sorted(select_universe(load_universe(), LIMIT))
    log = running.log

    async def volume() -> int:
        total = 0
        for code in codes:
            total += int((await running.op("GET", f"instruments/{code}"))["volume"])
        return total

    async def go() -> None:
        # the slow client never reads after its REG: a 4 KiB receive buffer and a one-message
        # client queue, so the server's socket buffer fills, then the session's queue (PENDING
        # rows), and the documented policy ends the session (SYSTEM H10001, then close)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", running.proc.port))
        slow = await connect(running, alice, read=False, max_queue=1, sock=sock)
        msg = {"trnm": "REG", "grp_no": "1", "refresh": "1"}
        await slow.ws.send(json.dumps({**msg, "data": [{"item": codes, "type": ["0B", "0D"]}]}))
        fast = await connect(running, bob)
        await fast.reg(["0B"], codes)
        await logged(log, f"realtime session {alice.appkey[:6]}… dropped")
        # the exchange and the other session went on: more trades, pushed to the fast one
        before, traded = len(fast.rows), await volume()
        await fast.until(lambda c: len(c.rows) >= before + 50)
        assert await volume() > traded
        assert not any(f["trnm"] == "SYSTEM" for f in fast.frames)
        # the slow one now reads what it was sent: rows, the notice last, then the close
        frames: list[dict[str, Any]] = []
        async with asyncio.timeout(60):
            with contextlib.suppress(websockets.ConnectionClosed):
                async for text in slow.ws:
                    frames.append(json.loads(text))
        notice = frames[-1]
        assert notice["trnm"] == "SYSTEM" and notice["code"] == "H10001", notice
        assert all(f["trnm"] in ("REAL", "REG", "PING") for f in frames[:-1])
        assert slow.ws.close_code == 1000
        await fast.ws.close()

    asyncio.run(go())
