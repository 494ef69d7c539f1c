"""ka10001's answer cache (hoga.api.routes.stkinfo): a cached answer is always the answer a
fresh computation gives, while the market trades around it."""

from __future__ import annotations

from typing import Any

from _apikit import Api

from hoga.engine.quotes import QuoteService

STK = "/api/dostk/stkinfo"


def ask(api: Api, token: str, code: str) -> Any:
    r = api.post(STK, "ka10001", {"stk_cd": code}, token=token)
    assert r.status_code == 200 and r.json()["return_code"] == 0, r.text
    return r.json()


def step(api: Api, us: int) -> None:
    api.ctx.clock.advance(us)
    api.ctx.exchange.sync()


def test_cached_answers_are_the_fresh_answers_while_the_market_moves(api: Api) -> None:
    token = api.customer().token
    codes = sorted(api.ctx.universe)[:12]
    ask(api, token, codes[0])
    svc = api.ctx.services["quotes"]
    assert isinstance(svc, QuoteService)
    reused = 0  # answers served from the cache although the market's cap total had moved
    for _ in range(6):
        step(api, 15_000_000)
        for code in codes:
            market = svc.state(code).instrument.market
            first = ask(api, token, code)
            version, total = svc.version(code), svc.market_cap_total(market)
            step(api, 300_000)  # others trade meanwhile
            again = ask(api, token, code)
            moved = svc.market_cap_total(market) != total
            reused += version is not None and svc.version(code) == version and moved
            svc.answers.clear()
            fresh = ask(api, token, code)
            assert again == fresh
            assert first["stk_nm"] == fresh["stk_nm"]
    assert reused > 0
