"""The condition search engine: the store, one-shot searches, realtime watching, edge cases."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from _sqlite_seed import manual_context
from hoga.api.context import AppContext
from hoga.domain.conditions import ConditionError, parse
from hoga.domain.kst import at_kst
from hoga.domain.model import TRDE_TP, NewOrder, Side
from hoga.engine.conditions import (
    KEY_PREFIX,
    ConditionLimits,
    ConditionService,
    Refusal,
    StoredCondition,
    facts_of,
    search_row,
)
from hoga.engine.realtime import RealtimeLimits, RealtimeSession
from hoga.wire.ws import CnsrClr, CnsrLst, CnsrReq

START = at_kst(date(2026, 11, 26), 10 * 3600)


@dataclass(frozen=True)
class Who:
    customer_id: str


ME = Who("me")


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with manual_context(tmp_path, START, 12) as c:
        yield c


def fresh(ctx: AppContext, **kw: Any) -> ConditionService:
    return ConditionService(ctx.storage, ctx.exchange, ctx.recorder, ctx.clock, **kw)


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


def session(**kw: Any) -> RealtimeSession:
    return RealtimeSession("app", (), RealtimeLimits(**kw))


def handle(svc: ConditionService, s: RealtimeSession, msg: Any) -> Any:
    return asyncio.run(svc.handle(s, ME, msg))


def stored(svc: ConditionService, name: str, expr: str) -> str:
    made = svc.store.create(ME.customer_id, name, expr)
    assert isinstance(made, StoredCondition), made
    return str(made.seq)


# ------------------------------------------------------------------ the store


def test_store_round_trip_and_refusals(ctx: AppContext) -> None:
    store = fresh(ctx).store
    made = store.create("me", "  이름  ", "  price > 1 ")
    assert made == StoredCondition(1, "이름", "price > 1", ctx.clock.now())
    assert store.get("me", 1) == made and store.get("me", 2) is None
    assert store.list("you") == []
    bad = store.create("me", "x", "price >")
    assert isinstance(bad, Refusal) and bad.code == "invalid_expression"
    assert bad.error is not None and bad.error.pos == 7
    assert isinstance(store.create("me", "", "price > 1"), Refusal)
    assert store.create("me", "이름", "price > 2") == Refusal(
        "duplicate_name", "a condition named '이름' exists already"
    )
    assert store.delete("me", 1) and not store.delete("me", 1)


def test_store_reads_damaged_documents_defensively(ctx: AppContext) -> None:
    store = fresh(ctx).store
    with ctx.storage.unit_of_work() as uow:
        uow.settings.put(KEY_PREFIX + "a", "junk")
        uow.settings.put(KEY_PREFIX + "b", {"next": "x", "items": "y"})
        uow.settings.put(
            KEY_PREFIX + "c",
            {"next": 5, "items": [7, {"seq": 4, "name": "n", "expr": "e", "at": 1}]},
        )
    assert store.list("a") == [] and store.list("b") == []
    assert store.list("c") == [StoredCondition(4, "n", "e", 1)]
    made = store.create("b", "first", "price > 1")
    assert isinstance(made, StoredCondition) and made.seq == 1
    made = store.create("c", "next", "price > 1")
    assert isinstance(made, StoredCondition) and made.seq == 5


def test_numbers_stay_within_three_characters(ctx: AppContext) -> None:
    store = fresh(ctx, limits=ConditionLimits(stored=5)).store
    with ctx.storage.unit_of_work() as uow:
        uow.settings.put(KEY_PREFIX + "me", {"next": 1000, "items": []})
    r = store.create("me", "x", "price > 1")
    assert isinstance(r, Refusal) and r.code == "limit"


# ------------------------------------------------------------------ searching


def test_search_in_code_order_from_a_start(ctx: AppContext) -> None:
    svc = fresh(ctx)
    expr = parse("price > 0")
    assert not isinstance(expr, ConditionError)
    codes = sorted(ctx.exchange.states)
    assert [s.code for s in svc.search(expr)] == codes
    assert [s.code for s in svc.search(expr, codes[5])] == codes[5:]


def test_rows_fall_back_to_plain_digits_when_too_wide(ctx: AppContext) -> None:
    f = facts_of(ctx.exchange.states[liquid(ctx)])
    wide = type(f)(**{**{k: getattr(f, k) for k in f.__slots__}, "volume": 12_345_678_901})
    assert search_row(wide)["13"] == "12345678901"
    assert search_row(f)["16"] == f"{f.open or 0:09d}"


def test_a_stored_formula_that_no_longer_parses(ctx: AppContext) -> None:
    svc = fresh(ctx)
    with ctx.storage.unit_of_work() as uow:
        item = {"seq": 1, "name": "old", "expr": "price >>> 1", "at": 0}
        uow.settings.put(KEY_PREFIX + "me", {"next": 2, "items": [item]})
    s = session()
    handle(svc, s, CnsrLst())
    r = handle(svc, s, CnsrReq(seq="1", search_type="0"))
    assert r.return_code == 1 and "해석할 수 없습니다" in r.return_msg


# ------------------------------------------------------------------ realtime


def test_static_conditions_are_not_watched(ctx: AppContext) -> None:
    svc = fresh(ctx)
    code = liquid(ctx)
    market = ctx.exchange.states[code].instrument.market.value
    seq = stored(svc, "static", f'market == "{market}"')
    s = session()
    handle(svc, s, CnsrLst())
    r = handle(svc, s, CnsrReq(seq=seq, search_type="1"))
    assert {"jmcode": f"A{code}"} in r.data
    before = svc.evaluations
    cross(ctx, code, 1, Side.BUY)
    assert svc.evaluations == before
    assert s.take() == []


def test_phase_changes_without_a_new_day_evaluate_nothing(ctx: AppContext) -> None:
    svc = fresh(ctx)
    code = liquid(ctx)
    seq = stored(svc, "all", "volume >= 0")
    s = session()
    handle(svc, s, CnsrLst())
    handle(svc, s, CnsrReq(seq=seq, search_type="1"))
    before = svc.evaluations
    ctx.exchange.halt(code)
    ctx.exchange.resume(code)
    assert svc.evaluations == before


def test_overflow_ends_the_session_through_the_hook(ctx: AppContext) -> None:
    ended: list[RealtimeSession] = []
    svc = fresh(ctx, on_overflow=ended.append)
    code = liquid(ctx)
    ask = ctx.exchange.states[code].board.stats.best_ask
    seq = stored(svc, "up", f'code == "{code}" and price >= {ask}')
    s = session(max_pending=1)
    handle(svc, s, CnsrLst())
    handle(svc, s, CnsrReq(seq=seq, search_type="1"))
    cross(ctx, code, 1, Side.BUY)  # I: queued
    assert ended == []
    cross(ctx, code, 2, Side.SELL)  # D: the queue is full
    assert ended == [s]
    assert svc.active(s) == []
    frames = [json.loads(f) for f in s.take()]
    assert [r["values"]["843"] for f in frames for r in f["data"]] == ["I"]


def test_overflow_without_a_hook_only_drops_the_searches(ctx: AppContext) -> None:
    svc = fresh(ctx)
    code = liquid(ctx)
    ask = ctx.exchange.states[code].board.stats.best_ask
    seq = stored(svc, "up", f'code == "{code}" and price >= {ask}')
    s = session(max_pending=0)
    handle(svc, s, CnsrLst())
    handle(svc, s, CnsrReq(seq=seq, search_type="1"))
    cross(ctx, code, 1, Side.BUY)
    assert svc.active(s) == []


def test_a_failing_update_is_logged_not_raised(
    ctx: AppContext, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = fresh(ctx)
    code = liquid(ctx)
    seq = stored(svc, "all", "volume >= 0")
    s = session()
    handle(svc, s, CnsrLst())
    handle(svc, s, CnsrReq(seq=seq, search_type="1"))

    def boom(*_: object) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(svc, "matches", boom)
    with caplog.at_level(logging.ERROR, logger="hoga.engine.conditions"):
        cross(ctx, code, 1, Side.BUY)
    assert "condition search update" in caplog.text


def test_closed_sessions_are_pruned_on_the_next_frame(ctx: AppContext) -> None:
    svc = fresh(ctx)
    seq = stored(svc, "all", "volume >= 0")
    old, new = session(), session()
    handle(svc, old, CnsrLst())
    handle(svc, old, CnsrReq(seq=seq, search_type="1"))
    assert svc.active(old) == [seq]
    old.end(None)
    handle(svc, new, CnsrLst())
    assert svc.active(old) == []
    r = handle(svc, new, CnsrClr(seq="42"))  # clearing what is not running is fine
    assert (r.seq, r.return_code) == ("42", 0)


def test_daily_stats_are_cached_per_code_and_day(ctx: AppContext) -> None:
    svc = fresh(ctx)
    code = liquid(ctx)
    day = ctx.exchange.states[code].board.day
    first = svc.daily(code, day)
    assert svc.daily(code, day) is first and svc.daily_loads == 1
    assert first.prev_close is not None  # synthetic history before the first simulated day
    svc.daily(code, date(2026, 11, 27))
    assert svc.daily_loads == 2
