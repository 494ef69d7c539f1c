"""kt10000 under concurrency: the orders of one event-loop turn share a commit; every
acknowledged order is stored; a failed commit acknowledges none of its orders."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from _apikit import make_settings

from hoga.adapters.sql.trades import SqlTradeWriter
from hoga.api.app import create_app
from hoga.api.context import AppContext
from hoga.bootstrap import build_context
from hoga.engine.brokerage import Brokerage
from hoga.engine.exchange import PARTICIPANT_ID_BASE
from hoga.errors import StorageError
from hoga.ports.storage import TradeBatch, TradeBatchIds

ORDR = "/api/dostk/ordr"
PEOPLE = 8
EACH = 5


def setup(tmp_path: Path) -> tuple[AppContext, Any, list[tuple[str, str]], str, int]:
    """Context, app, (token, account) per customer, a code and a resting price."""
    ctx = build_context(make_settings(tmp_path))
    identity = ctx.services["identity"]
    people = []
    for n in range(PEOPLE):
        made = identity.create_customer(name=f"gc{n}", env="mock", cash=100_000_000)
        issued = identity.issue_token(made.appkey, made.secretkey, "mock")
        people.append((issued.token, made.account))
    state = max(ctx.exchange.states.values(), key=lambda s: (s.instrument.volume, s.code))
    ctx.exchange.pause_participants(state.code)
    board = state.board
    price = ctx.exchange.ticks.down(board.base_price, state.instrument.market, board.day, 5)
    return ctx, create_app(ctx, run_market=False), people, state.code, price


async def burst(app: Any, people: list[tuple[str, str]], code: str, price: int) -> list[Any]:
    body = {"dmst_stex_tp": "KRX", "stk_cd": code, "ord_qty": "1", "ord_uv": str(price)}
    body |= {"trde_tp": "0", "cond_uv": ""}
    data = msgspec.json.encode(body)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hoga.test") as client:
        calls = [
            client.post(
                ORDR,
                content=data,
                headers={
                    "api-id": "kt10000",
                    "authorization": f"Bearer {token}",
                    "content-type": "application/json;charset=UTF-8",
                },
            )
            for _ in range(EACH)
            for token, _ in people
        ]
        answers = await asyncio.gather(*calls)
    return [(r.status_code, r.json()) for r in answers]


def stored(ctx: AppContext, people: list[tuple[str, str]]) -> dict[int, str]:
    with ctx.storage.unit_of_work() as uow:
        return {o.ord_no: o.account for _, a in people for o in uow.orders.by_account(a)}


def test_concurrent_orders_are_all_stored_and_share_commits(tmp_path: Path) -> None:
    ctx, app, people, code, price = setup(tmp_path)
    broker = ctx.services["brokerage"]
    assert isinstance(broker, Brokerage)
    commits = broker._group.commits
    answers = asyncio.run(burst(app, people, code, price))
    assert {(status, body["return_code"]) for status, body in answers} == {(200, 0)}
    numbers = [int(body["ord_no"]) for _, body in answers]
    assert len(set(numbers)) == PEOPLE * EACH
    rows = stored(ctx, people)
    assert set(numbers) <= set(rows)
    # each answer went to the customer whose token placed it (request order = people order)
    for n, (_, body) in enumerate(answers):
        assert rows[int(body["ord_no"])] == people[n % PEOPLE][1]
    assert broker._group.commits - commits < PEOPLE * EACH
    ctx.storage.close()


def test_a_failed_commit_answers_an_error_to_every_order_of_its_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, app, people, code, price = setup(tmp_path)
    before = stored(ctx, people)
    real = SqlTradeWriter.write
    failures = [1]

    def write(self: SqlTradeWriter, batch: TradeBatch) -> TradeBatchIds:
        if failures and batch.orders:
            failures.pop()
            raise StorageError("disk full")
        return real(self, batch)

    monkeypatch.setattr(SqlTradeWriter, "write", write)
    answers = asyncio.run(burst(app, people, code, price))
    assert all(body["return_code"] != 0 for _, body in answers)  # the burst was one batch
    assert all("ord_no" not in body for _, body in answers)
    assert stored(ctx, people) == before
    book = ctx.exchange.states[code].board.orders()
    assert [o for o in book if o.order_id < PARTICIPANT_ID_BASE] == []  # taken off again
    again = asyncio.run(burst(app, people, code, price))  # the storage is back: all pass
    assert {body["return_code"] for _, body in again} == {0}
    assert {int(body["ord_no"]) for _, body in again} <= set(stored(ctx, people))
    ctx.storage.close()
