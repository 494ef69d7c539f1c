"""Realtime sessions: typed REAL messages in-process, PING echo, reconnect + re-register."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from _sdkkit import CODE, Served

from hoga.client import RealOrder, RealtimeError, RealTrade, asgi_websocket


class Scripted:
    """A fake connection: plays server frames, records what the client sends."""

    def __init__(self, frames: list[str]) -> None:
        self.frames = frames
        self.sent: list[str] = []

    async def send(self, text: str) -> None:
        self.sent.append(text)

    async def recv(self) -> str:
        if self.frames:
            return self.frames.pop(0)
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def close(self) -> None:
        return None


def test_pings_are_echoed_verbatim_and_real_frames_typed(served: Served) -> None:
    ping = '{"trnm":"PING","extra":"x"}'
    real = (
        '{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930",'
        '"values":{"20":"101500","10":"-70100","11":"-600","12":"-0.85","15":"-7","13":"900"}}]}'
    )
    conn = Scripted([ping, '{"trnm":"LOGIN","return_code":0,"return_msg":""}', ping, real])

    async def connect(_: str) -> Any:
        return conn

    async def go() -> RealTrade:
        async with served.aclient(ws_connect=connect) as c, c.realtime() as rt:
            msg = await rt.next(5)
            assert isinstance(msg, RealTrade)
            return msg

    msg = asyncio.run(go())
    assert conn.sent[0].startswith('{"trnm":"LOGIN","token":')
    assert conn.sent.count(ping) == 2
    assert (msg.price, msg.change, msg.qty, msg.side, msg.volume) == (70100, -600, 7, "sell", 900)


class DropOnce:
    """Wraps the in-process connector; the first connection dies after ``after`` frames."""

    def __init__(self, app: Any, after: int) -> None:
        self.inner = asgi_websocket(app)
        self.after = after
        self.opened = 0

    async def __call__(self, url: str) -> Any:
        conn = await self.inner(url)
        self.opened += 1
        if self.opened > 1:
            return conn
        left = [self.after]
        real_recv = conn.recv

        async def recv() -> str:
            if left[0] == 0:
                await conn.close()
                raise ConnectionError("dropped")
            left[0] -= 1
            return await real_recv()

        conn.recv = recv  # type: ignore[method-assign]
        return conn


def test_trades_and_own_orders_arrive_typed_and_survive_a_reconnect(served: Served) -> None:
    dropper = DropOnce(served.app, after=4)  # LOGIN ack, two REG acks, then the first push

    async def go() -> tuple[list[Any], int, int]:
        async with served.aclient(ws_connect=dropper) as c, c.realtime(backoff=(0.01, 0.05)) as rt:
            await rt.register([CODE], ["0B"])
            await rt.register([""], ["00"])
            await c.buy(CODE, 1)  # a market buy: a trade + our own order events
            got = [await rt.next(10)]
            while rt.logins < 2:
                await asyncio.sleep(0.01)
            await c.buy(CODE, 1)
            types = set()
            while not {"0B", "00"} <= types:
                msg = await rt.next(10)
                types.add(msg.type)
                got.append(msg)
            return got, rt.logins, rt.reconnects

    got, logins, reconnects = asyncio.run(go())
    assert logins == 2 and reconnects == 1 and dropper.opened == 2
    trades = [m for m in got if isinstance(m, RealTrade)]
    orders = [m for m in got if isinstance(m, RealOrder)]
    assert trades and all(t.item == CODE and t.price > 0 and t.qty >= 1 for t in trades)
    assert orders and all(o.code == CODE and o.side == "buy" for o in orders)


def test_condition_search_reports_what_the_server_says(served: Served) -> None:
    async def go() -> None:
        async with served.aclient() as c, c.realtime() as rt:
            try:
                got = await rt.conditions()
            except RealtimeError as exc:  # the server has no condition service yet
                assert str(exc.return_code) == "1"
            else:
                assert all(isinstance(s, str) and isinstance(n, str) for s, n in got)

    asyncio.run(go())


def test_a_refused_login_with_a_fresh_token_ends_the_session(served: Served) -> None:
    bad = '{"trnm":"LOGIN","return_code":805004,"return_msg":"[CODE=8005, MESSAGE=x]"}'

    async def connect(_: str) -> Any:
        return Scripted([bad])

    async def go() -> None:
        async with served.aclient(ws_connect=connect) as c:
            with pytest.raises(RealtimeError):
                await c.realtime().start()

    asyncio.run(go())
