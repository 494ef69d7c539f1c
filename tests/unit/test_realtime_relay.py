"""The realtime relay between processes (one in-memory bus stands for Redis): a front hub's
sessions get the market's rows and their account's rows; silent fronts are forgotten."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from _sqlite_seed import manual_context
from hoga.api.context import AppContext
from hoga.domain.events import ViReleased, ViTriggered
from hoga.domain.kst import at_kst
from hoga.engine.realtime import RealtimeHub, RealtimeSession
from hoga.engine.realtime_relay import ANNOUNCE_US, FrontHub, RowRelay
from hoga.wire.ws import Reg, RegItem

START = at_kst(date(2026, 11, 26), 10 * 3600)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with manual_context(tmp_path, START, 10) as c:
        yield c


def rows(session: RealtimeSession) -> list[Any]:
    return [r for f in session.take() for r in json.loads(f)["data"]]


def reg(items: list[str], types: list[str]) -> Reg:
    return Reg(grp_no="1", data=[RegItem(item=items, type=types)])


async def turns(until: Any, limit: int = 50) -> None:
    """Let the loop run until ``until()`` holds (the bus and the feeds are tasks)."""
    for _ in range(limit):
        if until():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")


async def started(ctx: AppContext) -> tuple[RealtimeHub, RowRelay, FrontHub]:
    """The market's hub with its row relay, and a front's hub, all started."""
    market = RealtimeHub(ctx.exchange, ctx.pubsub)
    relay = RowRelay(market, ctx.pubsub, ctx.clock)
    await relay.start()
    front = FrontHub(ctx.exchange, ctx.pubsub, ctx.clock)
    await front.start()
    return market, relay, front


def test_front_sessions_get_market_rows_and_their_account_rows(ctx: AppContext) -> None:
    async def go() -> None:
        market, relay, front = await started(ctx)
        states = ctx.exchange.states
        code = max(states, key=lambda c: (states[c].instrument.volume, c))
        s = front.open("k", ("111",))
        other = front.open("o", ("222",))
        assert (await front.register(s, reg([code], ["0g"]))).return_code == 0
        assert (await front.register(s, reg([""], ["00"]))).return_code == 0
        assert (await front.register(s, reg(["", code], ["1h"]))).return_code == 0
        assert (await front.register(other, reg([code], ["1h"]))).return_code == 0
        assert (await front.register(other, reg([""], ["00"]))).return_code == 0
        # the market learns the front's pairs and runs a feed for the code
        await turns(lambda: code in market.feeds and relay.fronts)
        assert relay.session.pairs() == {("0g", code), ("00", ""), ("1h", ""), ("1h", code)}
        assert front.feeds == {}  # a front runs no feed of its own

        ctx.exchange.set_base_price(code, 10_000)
        await turns(lambda: any(x for x in s._out if not isinstance(x, bytes)))
        got = rows(s)
        assert [r["type"] for r in got] == ["0g"] and got[0]["values"]["307"] == "10000"

        base = states[code].board.base_price
        ctx.exchange.emit([ViTriggered(code, True, base, base * 11 // 10, START, START)], code)
        ctx.exchange.emit([ViReleased(code, START + 1)], code)
        await turns(lambda: len(other._out) == 2 and len(s._out) == 2)
        assert [r["values"]["9068"] for r in rows(s)] == ["1", "2"]  # once, not per item
        assert [r["values"]["9068"] for r in rows(other)] == ["1", "2"]

        market.push_account("111", "00", {"913": "체결"}, item=code)
        await turns(lambda: bool(s._out))
        assert rows(s) == [
            {"type": "00", "name": "주문체결", "item": code, "values": {"913": "체결"}}
        ]
        assert other.take() == []
        await front.stop()
        await relay.stop()
        await market.close_all()

    asyncio.run(go())


def test_a_silent_front_is_forgotten(ctx: AppContext) -> None:
    async def go() -> None:
        market = RealtimeHub(ctx.exchange, ctx.pubsub)
        relay = RowRelay(market, ctx.pubsub, ctx.clock)
        await relay.start()
        front = FrontHub(ctx.exchange, ctx.pubsub, ctx.clock)
        code = next(iter(ctx.exchange.states))
        s = front.open("k", ())  # not started: announces, but never beats again
        assert (await front.register(s, reg([code], ["0B"]))).return_code == 0
        await turns(lambda: code in market.feeds)
        ctx.clock.advance(3 * ANNOUNCE_US + 1)
        await relay.apply()
        assert relay.fronts == {} and market.feeds == {}
        await relay.stop()

    asyncio.run(go())


def test_one_session_per_app_key_across_the_market_and_a_front(ctx: AppContext) -> None:
    async def go() -> None:
        market, relay, front = await started(ctx)
        first = market.open("k", ("111",))
        other = market.open("o", ("222",))
        ctx.clock.advance(1)
        second = front.open("k", ("111",))  # the same key logs in on the front: newer
        await turns(lambda: first.closed)
        assert first.notice is not None and b"R10001" in first.notice
        assert not second.closed and not other.closed
        assert market.by_appkey.get("k") is None and front.by_appkey["k"] is second
        ctx.clock.advance(1)
        third = market.open("k", ("111",))  # and back on the market
        await turns(lambda: second.closed)
        assert second.notice is not None and b"R10001" in second.notice
        assert not third.closed and front.by_appkey.get("k") is None
        # an older login heard late ends nothing (e.g. announced while a bus link was down)
        await relay.logins.heard("elsewhere", "k", 0)
        assert not third.closed
        await front.stop()
        await relay.stop()
        await market.close_all()

    asyncio.run(go())
