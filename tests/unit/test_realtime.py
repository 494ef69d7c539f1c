"""The realtime hub and sessions: queues, coalescing, overflow, account pushes, rows."""

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
from hoga.domain.events import PhaseChanged, ViReleased, ViTriggered
from hoga.domain.kst import at_kst
from hoga.engine.realtime import (
    OVERFLOW_CODE,
    RealtimeHub,
    RealtimeLimits,
    RealtimeSession,
)
from hoga.wire.ws import Reg, RegItem

START = at_kst(date(2026, 11, 26), 10 * 3600)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with manual_context(tmp_path, START, 10) as c:
        yield c


def frames(session: RealtimeSession) -> list[Any]:
    return [json.loads(f) for f in session.take()]


def reg(items: list[str], types: list[str], group: str = "1") -> Reg:
    return Reg(grp_no=group, data=[RegItem(item=items, type=types)])


def busy(ctx: AppContext) -> str:
    states = ctx.exchange.states
    return max(states, key=lambda c: (states[c].instrument.volume, c))


def test_take_packs_rows_keeps_order_and_coalesces_state_rows() -> None:
    s = RealtimeSession("k", (), RealtimeLimits(frame_bytes=200))
    row = json.dumps({"type": "0B", "name": "x", "item": "1", "values": {"10": "1" * 40}})
    s.push("0B", "1", row.encode())
    s.push("0D", "1", b'{"old":1}')
    s.send(b'{"trnm":"PING"}')
    s.push("0D", "1", b'{"new":1}')  # replaces the pending 0D in place
    s.push("0B", "1", row.encode())
    s.push("0B", "1", row.encode())
    out = frames(s)
    assert out[0] == {"trnm": "REAL", "data": [json.loads(row), {"new": 1}]}
    assert out[1] == {"trnm": "PING"}
    assert [len(f["data"]) for f in out[2:]] == [1, 1]  # two rows do not fit in 200 bytes
    assert s.take() == []


def test_overflow_ends_the_session_with_a_notice(ctx: AppContext) -> None:
    async def go() -> None:
        hub = RealtimeHub(ctx.exchange, ctx.pubsub, RealtimeLimits(max_pending=2))
        s = hub.open("k", ("acc",))
        assert (await hub.register(s, reg([""], ["00"]))).return_code == 0
        for n in range(3):
            hub.push_account("acc", "00", {"913": str(n)})
        assert s.closed
        assert s.notice is not None and json.loads(s.notice)["code"] == OVERFLOW_CODE
        assert s.take() == [] and s.pairs() == set()
        assert "k" not in hub.by_appkey

    asyncio.run(go())


def test_account_rows_reach_only_that_accounts_registered_sessions(ctx: AppContext) -> None:
    async def go() -> None:
        hub = RealtimeHub(ctx.exchange, ctx.pubsub)
        mine, other, silent = (
            hub.open("a", ("111",)),
            hub.open("b", ("222",)),
            hub.open("c", ("111",)),
        )
        for s in (mine, other):
            assert (await hub.register(s, reg([""], ["00", "04"]))).return_code == 0
        hub.push_account("111", "04", {"930": "5"}, item="005930")
        out = frames(mine)
        assert out == [
            {
                "trnm": "REAL",
                "data": [
                    {"type": "04", "name": "현물잔고", "item": "005930", "values": {"930": "5"}}
                ],
            }
        ]
        assert other.take() == [] and silent.take() == []

    asyncio.run(go())


def test_listens_while_a_session_of_the_account_or_a_tap_is_there(ctx: AppContext) -> None:
    async def go() -> None:
        hub = RealtimeHub(ctx.exchange, ctx.pubsub)
        assert not hub.listens("111")
        session = hub.open("a", ("111",))
        assert hub.listens("111") and not hub.listens("222")
        hub.close(session)
        assert not hub.listens("111")
        hub.tap_accounts(lambda *_: None)  # the relay to front ends hears every account
        assert hub.listens("222")

    asyncio.run(go())


def test_market_phase_rows(ctx: AppContext) -> None:
    async def go() -> None:
        hub = RealtimeHub(ctx.exchange, ctx.pubsub)
        s = hub.open("k", ())
        assert (await hub.register(s, reg([""], ["0s"]))).return_code == 0
        assert "" in hub.feeds
        open_at = at_kst(date(2026, 11, 26), 8 * 3600 + 30 * 60)
        ctx.exchange.emit([PhaseChanged("", "opening_auction_start", open_at)])
        ctx.exchange.emit([PhaseChanged("", "day_start", open_at)])  # no 0s code: not pushed
        ctx.exchange.emit([PhaseChanged("", "continuous_start", open_at + 1_800_000_000)])
        for _ in range(5):
            await asyncio.sleep(0)
        rows = [r for f in frames(s) for r in f["data"]]
        assert [r["values"] for r in rows] == [
            {"215": "0", "20": "083000", "214": "003000"},
            {"215": "3", "20": "090000", "214": "000000"},
        ]
        await hub.close_all()
        assert hub.feeds == {}

    asyncio.run(go())


def test_vi_rows_for_all_and_for_one_code_without_duplicates(ctx: AppContext) -> None:
    async def go() -> None:
        hub = RealtimeHub(ctx.exchange, ctx.pubsub)
        code = busy(ctx)
        both, one = hub.open("a", ()), hub.open("b", ())
        assert (await hub.register(both, reg(["", code], ["1h"]))).return_code == 0
        assert (await hub.register(one, reg([code], ["1h"]))).return_code == 0
        base = ctx.exchange.states[code].board.base_price
        trig = ViTriggered(code, True, base, base * 11 // 10, START + 120_000_000, START)
        ctx.exchange.emit([trig], code)
        ctx.exchange.emit([ViReleased(code, START + 150_000_000)], code)
        rows_both = [r for f in frames(both) for r in f["data"]]
        rows_one = [r for f in frames(one) for r in f["data"]]
        assert len(rows_both) == 2 and len(rows_one) == 2
        first, second = rows_one
        assert first["values"]["9068"] == "1" and first["values"]["1225"] == "정적"
        assert first["values"]["1221"] == str(base * 11 // 10)
        assert first["values"]["1490"] == "1" and first["values"]["9069"] == "1"
        assert second["values"]["9068"] == "2" and second["values"]["1224"] == "100230"
        await hub.close_all()

    asyncio.run(go())


def test_base_price_change_pushes_0g_and_0a(ctx: AppContext) -> None:
    async def go() -> None:
        hub = RealtimeHub(ctx.exchange, ctx.pubsub)
        code = busy(ctx)
        s = hub.open("k", ())
        assert (await hub.register(s, reg([code], ["0g", "0A"]))).return_code == 0
        ctx.exchange.set_base_price(code, 10_000)
        for _ in range(5):
            await asyncio.sleep(0)
        rows = {r["type"]: r["values"] for f in frames(s) for r in f["data"]}
        board = ctx.exchange.states[code].board
        assert rows["0g"]["307"] == "10000"
        assert rows["0g"]["305"] == str(board.limits.upper)
        assert rows["0A"]["10"] == "10000" and rows["0A"]["25"] == "3"
        await hub.close_all()

    asyncio.run(go())


def test_codes_are_normalised_and_sector_codes_checked(ctx: AppContext) -> None:
    async def go() -> None:
        hub = RealtimeHub(ctx.exchange, ctx.pubsub)
        code = busy(ctx)
        s = hub.open("k", ())
        ack = await hub.register(s, reg([f"A{code}", f"{code}_AL"], ["0B"]))
        assert ack.return_code == 0 and s.pairs() == {("0B", code)}
        assert (await hub.register(s, reg(["001"], ["0J", "0U"]))).return_code == 0
        assert (await hub.register(s, reg(["1"], ["0J"]))).return_code == 1
        assert (await hub.register(s, Reg(data=[RegItem(item=[code])]))).return_code == 1
        assert set(hub.feeds) == {code}  # sectors have no feed yet
        await hub.close_all()

    asyncio.run(go())


class FakeSink:
    """A FrameSink that records wire bytes; ``open`` says whether it takes writes."""

    def __init__(self) -> None:
        self.open = True
        self.wire: list[bytes] = []

    def writable(self) -> bool:
        return self.open

    def frame(self, payload: bytes) -> bytes:
        return b"<" + payload + b">"

    def write(self, data: bytes) -> None:
        self.wire.append(data)

    def offer(self, data: bytes) -> bool:
        if self.open:
            self.write(data)
        return self.open


def test_direct_drain_writes_once_per_turn_and_shares_the_bytes(ctx: AppContext) -> None:
    async def go() -> None:
        hub = RealtimeHub(ctx.exchange, ctx.pubsub)
        code = busy(ctx)
        sinks = [FakeSink(), FakeSink()]
        sessions = [hub.open(k, ()) for k in ("a", "b")]
        for s, sink in zip(sessions, sinks, strict=True):
            assert (await hub.register(s, reg([code], ["0g", "0A"]))).return_code == 0
            hub.attach(s, sink)
        ctx.exchange.set_base_price(code, 10_000)
        for _ in range(5):
            await asyncio.sleep(0)
        (a,), (b,) = sinks[0].wire, sinks[1].wire  # one write per session for the turn
        assert a is b  # built once for both
        frame = json.loads(a[1:-1])
        assert [r["type"] for r in frame["data"]] == ["0g", "0A"]
        assert sessions[0].take() == []  # nothing left queued
        await hub.close_all()

    asyncio.run(go())


def test_a_held_sink_queues_then_resumes_or_overflows(ctx: AppContext) -> None:
    async def go() -> None:
        hub = RealtimeHub(ctx.exchange, ctx.pubsub, RealtimeLimits(max_pending=3))
        s = hub.open("k", ("acc",))
        assert (await hub.register(s, reg([""], ["00"]))).return_code == 0
        sink = FakeSink()
        hub.attach(s, sink)
        sink.open = False  # the socket's buffer is above its bound
        for n in range(3):
            hub.push_account("acc", "00", {"913": str(n)})
        await asyncio.sleep(0)
        assert sink.wire == [] and not s.closed  # queued, within the bound
        sink.open = True
        s.resume()  # the buffer drained
        await asyncio.sleep(0)
        (wire,) = sink.wire
        assert [r["values"]["913"] for r in json.loads(wire[1:-1])["data"]] == ["0", "1", "2"]
        sink.open = False
        for n in range(4):  # one more than the bound: the documented drop
            hub.push_account("acc", "00", {"913": str(n)})
        assert s.closed and s.notice is not None
        assert json.loads(s.notice)["code"] == OVERFLOW_CODE and "k" not in hub.by_appkey

    asyncio.run(go())


def test_a_group_member_that_is_held_queues_while_the_others_get_the_bytes(
    ctx: AppContext,
) -> None:
    async def go() -> None:
        hub = RealtimeHub(ctx.exchange, ctx.pubsub)
        code = busy(ctx)
        sinks = [FakeSink() for _ in range(3)]
        sessions = [hub.open(k, ()) for k in ("a", "b", "c")]
        for s, sink in zip(sessions, sinks, strict=True):
            assert (await hub.register(s, reg(["", code], ["1h"]))).return_code == 0
            hub.attach(s, sink)
        sinks[2].open = False  # c is a slow consumer
        base = ctx.exchange.states[code].board.base_price
        trig = ViTriggered(code, True, base, base * 11 // 10, START + 120_000_000, START)
        ctx.exchange.emit([trig], code)
        ctx.exchange.emit([ViReleased(code, START + 150_000_000)], code)
        await asyncio.sleep(0)
        (a,), (b,) = sinks[0].wire, sinks[1].wire
        assert a is b and sinks[2].wire == []
        rows = json.loads(a[1:-1])["data"]  # every VI once, though both items are registered
        assert [(r["item"], r["values"]["9068"]) for r in rows] == [("", "1"), ("", "2")]
        held = [r for f in sessions[2].take() for r in json.loads(f)["data"]]
        assert held == rows  # kept in c's own queue, in order
        await hub.close_all()

    asyncio.run(go())
