"""Condition search through the SDK against the in-process server (ka10171–ka10174).

Conditions are stored with the REST API ``/hoga/v1/conditions``; the SDK lists them (CNSRLST),
runs one-shot searches over every page, follows realtime searches (initial list, then
``ConditionEvent`` I/D when a trade moves an instrument in or out), clears them, surfaces the
10-search limit as a :class:`RealtimeError`, and restores a search after a reconnect.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx
import pytest
from _sdkkit import BASE, Served

from hoga.client import AsyncClient, ConditionEvent, RealtimeError, asgi_websocket
from hoga.client.realtime import Realtime, condition_codes
from hoga.engine.conditions import ConditionService

REST = "/hoga/v1/conditions"


async def store(served: Served, c: AsyncClient, name: str, expr: str) -> str:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=served.app), base_url=BASE
    ) as http:
        headers = {"authorization": f"Bearer {await c.token()}"}
        r = await http.post(REST, json={"name": name, "expr": expr}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["seq"])


def service(served: Served) -> ConditionService:
    svc = served.ctx.services["conditions"]
    assert isinstance(svc, ConditionService)
    return svc


def liquid(served: Served) -> tuple[str, int, int]:
    """The most traded code with a two-sided book, its best ask and best bid."""
    states = served.ctx.exchange.states
    for code in sorted(states, key=lambda c: (-states[c].instrument.volume, c)):
        s = states[code].board.stats
        if s.best_bid is not None and s.best_ask is not None and s.best_bid < s.best_ask:
            return code, s.best_ask, s.best_bid
    raise AssertionError("no two-sided book")


async def fence(rt: Realtime) -> None:
    """Let the server deliver what it owes, then round-trip a CNSRLST (pushes come first)."""
    for _ in range(20):
        await asyncio.sleep(0)
    await rt.conditions()


async def nothing_queued(rt: Realtime) -> bool:
    await fence(rt)
    try:
        await rt.next(0)  # returns at once if a message is queued
    except TimeoutError:
        return True
    return False


def test_list_and_one_shot_search_over_every_page(served: Served) -> None:
    svc = service(served)
    svc.limits = replace(svc.limits, page=7)
    states = served.ctx.exchange.states
    code, _, _ = liquid(served)

    async def go() -> None:
        async with served.aclient() as c, c.realtime() as rt:
            assert await rt.conditions() == []  # none stored yet: an empty list, not an error
            every = await store(served, c, "전부", "price > 0")
            none = await store(served, c, "없음", "price < 0")
            one = await store(served, c, "하나", f'code == "{code}"')
            assert await rt.conditions() == [(every, "전부"), (none, "없음"), (one, "하나")]
            rows = await rt.condition_search(every)
            assert condition_codes(rows) == sorted(states)  # 40 codes over 6 pages of 7
            assert len(states) > 7 * 5
            assert await rt.condition_search(none) == []
            rows = await rt.condition_search(int(one))  # a number is accepted too
            assert [r["9001"] for r in rows] == [f"A{code}"]
            assert rows[0]["302"] == states[code].instrument.name
            with pytest.raises(RealtimeError) as err:
                await rt.condition_search("99")
            assert str(err.value.return_code) == "1" and "seq=99" in str(err.value)

    asyncio.run(go())


def test_search_without_listing_first_lists_by_itself(served: Served) -> None:
    async def go() -> None:
        async with served.aclient() as c:
            seq = await store(served, c, "all", "price > 0")
            async with c.realtime() as rt:  # no rt.conditions() call
                assert len(await rt.condition_search(seq)) == len(served.ctx.exchange.states)
            async with c.realtime() as rt:
                assert await rt.condition_subscribe(seq) == sorted(served.ctx.exchange.states)

    asyncio.run(go())


def test_realtime_search_reports_entries_and_exits_until_cleared(served: Served) -> None:
    code, ask, bid = liquid(served)

    async def go() -> None:
        async with served.aclient() as c, c.realtime() as rt:
            seq = await store(served, c, "위로", f'code == "{code}" and price >= {ask}')
            await rt.conditions()
            assert await rt.condition_subscribe(seq) == []
            await c.buy(code, 1)  # a market buy trades at the ask: enters
            msg = await rt.next(10)
            assert isinstance(msg, ConditionEvent)
            assert (msg.type, msg.seq, msg.code, msg.inserted, msg.side) == (
                "02", seq, code, True, "buy"
            )  # fmt: skip
            assert msg.time is not None and msg.values["843"] == "I"
            await c.buy(code, 1)  # still in: nothing new
            assert await nothing_queued(rt)
            await c.sell(code, 1)  # a market sell trades at the bid: leaves
            msg = await rt.next(10)
            assert isinstance(msg, ConditionEvent)
            assert (msg.code, msg.inserted, msg.side) == (code, False, "sell")
            assert served.ctx.exchange.states[code].board.stats.last == bid
            await c.buy(code, 1)
            msg = await rt.next(10)
            assert isinstance(msg, ConditionEvent) and msg.inserted
            assert await rt.condition_subscribe(seq) == [code]  # restart: the list now
            await rt.condition_clear(seq)
            await c.sell(code, 1)
            assert await nothing_queued(rt)
            assert service(served).active(served_session(served, c)) == []

    asyncio.run(go())


def served_session(served: Served, c: AsyncClient) -> Any:
    from hoga.api.ws import hub_for

    return hub_for(served.ctx).by_appkey[c.appkey]


def test_the_tenth_realtime_search_is_the_last(served: Served) -> None:
    async def go() -> None:
        async with served.aclient() as c, c.realtime() as rt:
            seqs = [await store(served, c, f"c{i}", f"price > {i}") for i in range(11)]
            for seq in seqs[:10]:
                assert await rt.condition_subscribe(seq)
            with pytest.raises(RealtimeError) as err:
                await rt.condition_subscribe(seqs[10])
            assert str(err.value.return_code) == "1"
            assert f"seq={seqs[10]}" in str(err.value) and "10건" in str(err.value)
            assert seqs[10] not in rt._conds  # not re-sent after a reconnect either
            assert await rt.condition_subscribe(seqs[0])  # restarting one is not an 11th
            assert await rt.condition_search(seqs[10])  # one-shot searches do not count
            await rt.condition_clear(seqs[3])
            assert await rt.condition_subscribe(seqs[10])
            assert len(service(served).active(served_session(served, c))) == 10

    asyncio.run(go())


class HeldDrop:
    """In-process connector: the first connection dies after ``after`` frames; the second
    connection waits for ``release``."""

    def __init__(self, app: Any, after: int) -> None:
        self.inner = asgi_websocket(app)
        self.after = after
        self.opened = 0
        self.redialing = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, url: str) -> Any:
        self.opened += 1
        if self.opened > 1:
            self.redialing.set()
            await self.release.wait()
            return await self.inner(url)
        conn = await self.inner(url)
        left = [self.after]
        real_recv = conn.recv

        async def recv() -> str:
            if left[0] == 0:
                await conn.close()
                raise ConnectionError("dropped")
            left[0] -= 1
            return str(await real_recv())

        conn.recv = recv
        return conn


def test_a_realtime_search_survives_a_reconnect_without_losing_a_change(served: Served) -> None:
    code, ask, _ = liquid(served)

    async def go() -> None:
        dialer = HeldDrop(served.app, after=3)  # LOGIN, CNSRLST and CNSRREQ answers, then gone
        async with served.aclient(ws_connect=dialer) as c:
            seq = await store(served, c, "위로", f'code == "{code}" and price >= {ask}')
            async with c.realtime(backoff=(0.0, 0.0)) as rt:
                await rt.conditions()
                assert await rt.condition_subscribe(seq) == []
                await dialer.redialing.wait()
                await c.buy(code, 1)  # enters while the SDK is disconnected
                dialer.release.set()
                msg = await rt.next(10)  # made up from the re-sent search's initial list
                assert isinstance(msg, ConditionEvent)
                assert (msg.seq, msg.code, msg.inserted, msg.time) == (seq, code, True, None)
                assert rt.logins == 2 and rt.reconnects == 1
                await c.sell(code, 1)  # the restored search pushes as before
                msg = await rt.next(10)
                assert isinstance(msg, ConditionEvent)
                assert (msg.code, msg.inserted, msg.side) == (code, False, "sell")
                assert msg.time is not None

    asyncio.run(go())


def test_the_blocking_client_does_the_same(served: Served) -> None:
    from starlette.testclient import TestClient

    code, _, _ = liquid(served)
    with served.client() as c:
        with TestClient(served.app, base_url=BASE) as tc:
            headers = {"authorization": f"Bearer {c.token()}"}
            r = tc.post(REST, json={"name": "하나", "expr": f'code == "{code}"'}, headers=headers)
            assert r.status_code == 201, r.text
        seq = str(r.json()["seq"])
        with c.realtime() as rt:
            assert rt.conditions() == [(seq, "하나")]
            assert condition_codes(rt.condition_search(seq)) == [code]
            assert rt.condition_subscribe(seq) == [code]
            rt.condition_clear(seq)
