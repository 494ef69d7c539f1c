"""Rate limits over HTTP (terms art. 11): 1700 / HTTP 429 / Retry-After, and nothing processed.

The application runs on a manual *wall* clock (the base of the simulated clock), which is the
clock the limiter reads, so time moves only when a test advances it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _apikit import START, Api, Customer, make_settings
from starlette.testclient import TestClient

from hoga.api.app import create_app
from hoga.bootstrap import build_context
from hoga.clock import ManualClock
from hoga.engine.brokerage import Brokerage

SEC = 1_000_000
ACNT = "/api/dostk/acnt"
ORDR = "/api/dostk/ordr"
LIMITED = "허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다. API ID={}]"


@dataclass
class Limited:
    api: Api
    wall: ManualClock

    def query(self, who: Customer, token: str | None = None) -> Any:
        return self.api.post(ACNT, "ka00001", {}, token=token or who.token)


@pytest.fixture
def rl(tmp_path: Path) -> Iterator[Limited]:
    wall = ManualClock(START)
    ctx = build_context(make_settings(tmp_path, ratelimit="memory://"), base_clock=wall)
    with TestClient(create_app(ctx, run_market=False)) as client:
        yield Limited(Api(ctx, client), wall)
    ctx.storage.close()


def assert_1700(resp: Any, api_id: str, retry_after: str = "1") -> None:
    assert resp.status_code == 429
    assert resp.json() == {"return_code": 5, "return_msg": LIMITED.format(api_id)}
    assert resp.headers["retry-after"] == retry_after
    assert resp.headers["api-id"] == api_id


def test_the_sixth_query_in_a_second_is_refused_with_429(rl: Limited) -> None:
    c = rl.api.customer()
    for _ in range(5):
        rl.wall.advance(10_000)
        assert rl.query(c).json()["return_code"] == 0
    rl.wall.advance(10_000)
    r = rl.query(c)
    assert_1700(r, "ka00001")
    assert r.headers["retry-after-ms"] == "950"  # the first (at 10 ms) leaves at 1010 ms
    rl.wall.advance(949_999)
    assert rl.query(c).status_code == 429
    rl.wall.advance(1)
    assert rl.query(c).json()["return_code"] == 0


def test_the_window_slides_rather_than_resetting(rl: Limited) -> None:
    """Five at 0.9 s, then at 1.1 s: a fixed one-second window would admit five more."""
    c = rl.api.customer()
    rl.wall.advance(900_000)
    for _ in range(5):
        assert rl.query(c).status_code == 200
    rl.wall.advance(200_000)
    assert_1700(rl.query(c), "ka00001")
    rl.wall.advance(800_000)
    assert rl.query(c).status_code == 200


def test_extra_app_keys_share_the_customers_budget(rl: Limited) -> None:
    c = rl.api.customer()
    appkey, secretkey = rl.api.ctx.services["identity"].add_key(c.customer_id)
    issued = rl.api.post(
        "/oauth2/token",
        None,
        {"grant_type": "client_credentials", "appkey": appkey, "secretkey": secretkey},
    )
    second = issued.json()["token"]
    for i in range(5):
        assert rl.query(c, token=(c.token, second)[i % 2]).status_code == 200
    assert_1700(rl.query(c, token=second), "ka00001")
    other = rl.api.customer()  # someone else is not affected
    assert rl.query(other).status_code == 200


def quiet_bid(api: Api) -> tuple[str, int]:
    """A code whose participants are paused and a price well below its best bid."""
    ex = api.ctx.exchange
    ranked = sorted(ex.states.values(), key=lambda s: (-s.instrument.volume, s.code))
    state = next(
        s for s in ranked if ex.ticks.tick(s.board.base_price, s.instrument.market, s.board.day) > 1
    )
    ex.pause_participants(state.code)
    bid = state.board.depth(1, public=False).bids[0].price
    return state.code, ex.ticks.down(bid, state.instrument.market, state.board.day, 5)


def test_an_order_over_the_limit_is_not_placed_and_may_be_resent(rl: Limited) -> None:
    api = rl.api
    code, price = quiet_bid(api)
    c = api.customer()
    broker: Brokerage = api.ctx.services["brokerage"]
    body = {
        "dmst_stex_tp": "KRX",
        "trde_tp": "0",
        "cond_uv": "",
        "stk_cd": code,
        "ord_qty": "1",
        "ord_uv": str(price),
    }
    for _ in range(5):
        r = api.post(ORDR, "kt10000", body, token=c.token)
        assert r.json()["return_code"] == 0, r.json()
    placed = [o.ord_no for o in broker.open_orders(c.account)]
    with api.ctx.storage.unit_of_work() as uow:
        seq = uow.sequences.current("ord_no")
    assert_1700(api.post(ORDR, "kt10000", body, token=c.token), "kt10000")
    assert [o.ord_no for o in broker.open_orders(c.account)] == placed  # nothing placed
    with api.ctx.storage.unit_of_work() as uow:
        assert uow.sequences.current("ord_no") == seq  # no order number spent
    assert rl.query(c).status_code == 200  # queries have their own budget
    rl.wall.advance(SEC)
    r = api.post(ORDR, "kt10000", body, token=c.token)  # the same request, resent
    assert r.json()["return_code"] == 0
    assert len(broker.open_orders(c.account)) == 6


def test_token_issuance_has_its_own_limit(rl: Limited) -> None:
    c = rl.api.customer()  # issued one token already
    body = {"grant_type": "client_credentials", "appkey": c.appkey, "secretkey": c.secretkey}
    for _ in range(4):
        assert rl.api.post("/oauth2/token", None, body).json()["return_code"] == 0
    assert_1700(rl.api.post("/oauth2/token", None, body), "au10001")
    assert rl.query(c).status_code == 200  # the customer's queries are unaffected


def test_switched_off(tmp_path: Path) -> None:
    ctx = build_context(make_settings(tmp_path, ratelimit="off"), base_clock=ManualClock(START))
    assert ctx.limiter is None
    with TestClient(create_app(ctx, run_market=False)) as client:
        api = Api(ctx, client)
        c = api.customer()
        for _ in range(20):
            assert api.post(ACNT, "ka00001", {}, token=c.token).status_code == 200
    ctx.storage.close()
