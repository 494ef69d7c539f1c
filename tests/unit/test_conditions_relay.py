"""Condition search for the sockets of a front end (one in-memory bus stands for Redis): the
market evaluates, the front relays answers and I/D rows; closed sockets, silent fronts, a market
that restarts and a market that does not answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from _sqlite_seed import manual_context
from hoga.api.context import AppContext
from hoga.domain.kst import at_kst
from hoga.domain.model import TRDE_TP, NewOrder, Side
from hoga.engine.conditions import ConditionService, StoredCondition
from hoga.engine.conditions_relay import MSG_NO_MARKET
from hoga.engine.realtime import OVERFLOW_CODE, RealtimeHub, RealtimeLimits, RealtimeSession
from hoga.engine.realtime_relay import ANNOUNCE_US, FrontHub, RowRelay
from hoga.wire.ws import CnsrClr, CnsrLst, CnsrReq

START = at_kst(date(2026, 11, 26), 10 * 3600)


@dataclass(frozen=True)
class Who:
    customer_id: str


ME = Who("me")


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with manual_context(tmp_path, START, 10) as c:
        yield c


@dataclass
class Rig:
    svc: ConditionService
    relay: RowRelay
    front: FrontHub


@asynccontextmanager
async def rig(ctx: AppContext, limits: RealtimeLimits | None = None) -> AsyncIterator[Rig]:
    svc = ctx.services["conditions"]
    assert isinstance(svc, ConditionService)
    market = RealtimeHub(ctx.exchange, ctx.pubsub)
    relay = RowRelay(market, ctx.pubsub, ctx.clock, conditions=svc)
    await relay.start()
    front = FrontHub(ctx.exchange, ctx.pubsub, ctx.clock, limits)
    await front.start()
    try:
        yield Rig(svc, relay, front)
    finally:
        await front.stop()
        await relay.stop()
        await market.close_all()


async def turns(until: Any, limit: int = 50) -> None:
    """Let the loop run until ``until()`` holds (the bus readers are tasks)."""
    for _ in range(limit):
        if until():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")


def frames(s: RealtimeSession) -> list[dict[str, Any]]:
    return [json.loads(f) for f in s.take()]


def rows02(s: RealtimeSession) -> list[dict[str, str]]:
    return [r["values"] for f in frames(s) if f["trnm"] == "REAL" for r in f["data"]]


async def ask(r: Rig, s: RealtimeSession, msg: Any) -> dict[str, Any]:
    """The answer the socket got (queued on the session by the relay, not returned)."""
    assert await r.front.conditions.handle(s, ME, msg) is None
    got = frames(s)
    assert got[-1]["trnm"] == msg.__struct_config__.tag
    return got[-1]


def stored(svc: ConditionService, name: str, expr: str) -> str:
    made = svc.store.create(ME.customer_id, name, expr)
    assert isinstance(made, StoredCondition), made
    return str(made.seq)


def liquid(ctx: AppContext) -> str:
    states = ctx.exchange.states
    for code in sorted(states, key=lambda c: (-states[c].instrument.volume, c)):
        s = states[code].board.stats
        if s.best_bid is not None and s.best_ask is not None:
            return code
    raise AssertionError("no two-sided book")


def cross(ctx: AppContext, code: str, order_id: int, side: Side) -> None:
    s = ctx.exchange.states[code].board.stats
    price = s.best_ask if side is Side.BUY else s.best_bid
    assert price is not None
    ctx.exchange.submit(NewOrder(order_id, code, side, TRDE_TP["0"], 1, price))


def above_ask(ctx: AppContext, svc: ConditionService) -> tuple[str, str]:
    """A condition nothing meets now that a buy at the ask makes the liquid code meet."""
    code = liquid(ctx)
    board = ctx.exchange.states[code].board
    ask_px, bid_px = board.stats.best_ask, board.stats.best_bid
    assert ask_px is not None and bid_px is not None and bid_px < ask_px
    return code, stored(svc, "위로", f'code == "{code}" and price >= {ask_px}')


def test_a_front_socket_lists_searches_and_gets_realtime_rows(ctx: AppContext) -> None:
    async def go() -> None:
        async with rig(ctx) as r:
            code, seq = above_ask(ctx, r.svc)
            every = stored(r.svc, "전체", "price > 0")
            s = r.front.open("k", ())
            early = await ask(r, s, CnsrReq(seq=seq, search_type="1"))
            assert early["return_code"] == 1 and "CNSRLST" in early["return_msg"]
            listed = await ask(r, s, CnsrLst())
            assert listed["return_code"] == 0 and listed["data"] == [["1", "위로"], ["2", "전체"]]
            once = await ask(r, s, CnsrReq(seq=every, search_type="0"))
            assert once["cont_yn"] == "N" and len(once["data"]) == len(ctx.exchange.states)
            assert once["data"][0]["9001"] == f"A{min(ctx.exchange.states)}"
            started = await ask(r, s, CnsrReq(seq=seq, search_type="1"))
            assert started == {
                "trnm": "CNSRREQ", "seq": seq, "return_code": 0, "return_msg": "", "data": []
            }  # fmt: skip
            assert r.relay.conditions is not None
            stand = r.relay.conditions.sessions[(r.front.front_id, 1)]
            assert r.svc.active(stand) == [seq]

            cross(ctx, code, 1, Side.BUY)  # enters
            await turns(lambda: bool(s._out))
            row = rows02(s)
            assert [(v["841"], v["9001"], v["843"], v["907"]) for v in row] == [
                (seq, code, "I", "2")
            ]
            cross(ctx, code, 2, Side.SELL)  # leaves
            await turns(lambda: bool(s._out))
            assert [v["843"] for v in rows02(s)] == ["D"]

            cleared = await ask(r, s, CnsrClr(seq=seq))
            assert cleared == {"trnm": "CNSRCLR", "seq": seq, "return_code": 0, "return_msg": ""}
            assert r.svc.active(stand) == []
            cross(ctx, code, 3, Side.BUY)
            await ask(r, s, CnsrLst())  # a round trip: no row came before it
            assert s.take() == []

    asyncio.run(go())


def test_ten_realtime_searches_per_front_socket(ctx: AppContext) -> None:
    async def go() -> None:
        async with rig(ctx) as r:
            seqs = [stored(r.svc, f"c{i}", f"price > {i}") for i in range(11)]
            s, t = r.front.open("k", ()), r.front.open("o", ())
            for x in (s, t):
                await ask(r, x, CnsrLst())
            for seq in seqs[:10]:
                assert (await ask(r, s, CnsrReq(seq=seq, search_type="1")))["return_code"] == 0
            refused = await ask(r, s, CnsrReq(seq=seqs[10], search_type="1"))
            assert refused["return_code"] == 1 and "10건" in refused["return_msg"]
            again = await ask(r, s, CnsrReq(seq=seqs[0], search_type="1"))
            assert again["return_code"] == 0  # a running one is not an 11th
            # another socket of the same front has its own ten
            assert (await ask(r, t, CnsrReq(seq=seqs[10], search_type="1")))["return_code"] == 0
            await ask(r, s, CnsrClr(seq=seqs[3]))
            assert (await ask(r, s, CnsrReq(seq=seqs[10], search_type="1")))["return_code"] == 0

    asyncio.run(go())


def test_a_closed_front_socket_and_a_silent_front_end_their_searches(ctx: AppContext) -> None:
    async def go() -> None:
        async with rig(ctx) as r:
            seq = stored(r.svc, "전체", "price > 0")
            assert r.relay.conditions is not None
            relay = r.relay.conditions
            s, t = r.front.open("k", ()), r.front.open("o", ())
            for x in (s, t):
                await ask(r, x, CnsrLst())
                await ask(r, x, CnsrReq(seq=seq, search_type="1"))
            stand_s = relay.sessions[(r.front.front_id, 1)]
            r.front.close(s)
            await turns(lambda: (r.front.front_id, 1) not in relay.sessions)
            assert r.svc.active(stand_s) == [] and stand_s.closed
            assert len(relay.sessions) == 1
            stand_t = next(iter(relay.sessions.values()))
            relay.expire()  # heard just now: kept
            assert r.svc.active(stand_t) == [seq]
            ctx.clock.advance(3 * ANNOUNCE_US + 1)  # the front fell silent
            relay.expire()
            assert relay.sessions == {} and r.svc.active(stand_t) == []

    asyncio.run(go())


def test_after_a_market_restart_searches_resume_with_the_rows_missed(ctx: AppContext) -> None:
    async def go() -> None:
        async with rig(ctx) as r:
            code, seq = above_ask(ctx, r.svc)
            s = r.front.open("k", ())
            await ask(r, s, CnsrLst())
            assert (await ask(r, s, CnsrReq(seq=seq, search_type="1")))["data"] == []
            # the market process goes away (its searches with it) and a new one starts
            await r.relay.stop()
            cross(ctx, code, 1, Side.BUY)  # enters while nobody watches
            svc = ConditionService(ctx.storage, ctx.exchange, ctx.recorder, ctx.clock)
            market = RealtimeHub(ctx.exchange, ctx.pubsub)
            relay = RowRelay(market, ctx.pubsub, ctx.clock, conditions=svc)
            await relay.start()
            try:
                await r.front.conditions.beat()  # the front's next heartbeat
                await turns(lambda: bool(s._out))
                got = frames(s)  # no answer frame: only the row missed
                assert [f["trnm"] for f in got] == ["REAL"]
                assert [(v["9001"], v["843"]) for v in rows02_of(got)] == [(code, "I")]
                assert relay.conditions is not None
                stand = next(iter(relay.conditions.sessions.values()))
                assert svc.active(stand) == [seq]
                cross(ctx, code, 2, Side.SELL)  # the new market pushes the next change
                await turns(lambda: bool(s._out))
                assert [v["843"] for v in rows02(s)] == ["D"]
                # CNSRLST stays done for the socket
                r2 = await ask(r, s, CnsrReq(seq=seq, search_type="0"))
                assert r2["return_code"] == 0
                # a search whose condition is gone is dropped at the next restart
                await relay.stop()
                assert svc.store.delete(ME.customer_id, int(seq))
                relay = RowRelay(market, ctx.pubsub, ctx.clock, conditions=svc)
                await relay.start()
                await r.front.conditions.beat()
                socket = r.front.conditions.sockets[s]
                await turns(lambda: socket.lives == {})
                assert s.take() == []
            finally:
                await relay.stop()
                await market.close_all()

    asyncio.run(go())


def rows02_of(got: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [r["values"] for f in got if f["trnm"] == "REAL" for r in f["data"]]


def test_a_market_that_does_not_answer(ctx: AppContext) -> None:
    async def go() -> None:
        front = FrontHub(ctx.exchange, ctx.pubsub, ctx.clock)  # no market on the bus
        await front.start()
        front.conditions.timeout_s = 0.05
        s = front.open("k", ())
        for msg in (CnsrLst(), CnsrReq(seq="1", search_type="1"), CnsrClr(seq="1")):
            answer = await front.conditions.handle(s, ME, msg)
            assert answer is not None and answer.return_code == 1
            assert answer.return_msg == MSG_NO_MARKET
        await front.stop()

    asyncio.run(go())


def test_an_answer_after_the_timeout_undoes_its_realtime_search(ctx: AppContext) -> None:
    async def go() -> None:
        async with rig(ctx) as r:
            seq = stored(r.svc, "전체", "price > 0")
            s = r.front.open("k", ())
            await ask(r, s, CnsrLst())
            r.front.conditions.timeout_s = 0  # the answer comes, but too late
            late = await r.front.conditions.handle(s, ME, CnsrReq(seq=seq, search_type="1"))
            assert late is not None and late.return_code == 1
            assert r.relay.conditions is not None
            stand = r.relay.conditions.sessions[(r.front.front_id, 1)]
            await turns(lambda: r.svc.active(stand) == [])  # started, then cleared again
            assert s.take() == []  # the socket heard only the refusal (returned above)
            assert r.front.conditions.sockets[s].lives == {}
            r.front.close(s)  # a closed socket's frame is not forwarded
            assert await r.front.conditions.handle(s, ME, CnsrLst()) is not None
            assert s not in r.front.conditions.sockets

    asyncio.run(go())


def test_a_front_socket_that_cannot_keep_up_is_ended(ctx: AppContext) -> None:
    async def go() -> None:
        async with rig(ctx, RealtimeLimits(max_pending=1)) as r:
            code, seq = above_ask(ctx, r.svc)
            s = r.front.open("k", ())
            await ask(r, s, CnsrLst())
            await ask(r, s, CnsrReq(seq=seq, search_type="1"))
            cross(ctx, code, 1, Side.BUY)  # I: queued, never read
            cross(ctx, code, 2, Side.SELL)  # D: one row too many
            await turns(lambda: s.closed)
            assert s.notice is not None
            notice = json.loads(s.notice)
            assert notice["code"] == OVERFLOW_CODE and "조건검색" in notice["message"]
            assert r.relay.conditions is not None
            await turns(lambda: r.relay.conditions is not None and not r.relay.conditions.sessions)
            assert s not in r.front.conditions.sockets

    asyncio.run(go())
