"""Condition search on a front end: ``hoga serve`` (the market, manual clock, so only our own
order trades) and ``hoga serve --role front`` on one Redis bus. A client of the front lists its
conditions (made through the market's REST, kept in the shared database), runs a one-shot search,
starts a realtime one, gets the ``I`` row of the trade its own order made through the market,
clears it, and meets the 10-per-login limit — the wire behaviour of a single process.

Waiting is only on frames (bounded by timeouts). The Redis server: ``HOGA_TEST_REDIS_URL``
(default ``redis://127.0.0.1:6379/15``), channels under a fresh prefix; with
``HOGA_TEST_NO_REDIS=1`` this test is not collected.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_ws_front_e2e import customer, login, market_and_front, token
from test_ws_realtime_e2e import Client

from hoga.bootstrap import select_universe
from hoga.engine.universe import load_universe

pytestmark = [pytest.mark.slow, pytest.mark.redis]

LIMIT = 8
CODE = max(select_universe(load_universe(), LIMIT).values(), key=lambda i: (i.volume, i.code)).code


async def ask(c: Client, msg: dict[str, Any], timeout: float = 30) -> dict[str, Any]:
    """Send ``msg`` and return its answer (the next frame of its kind)."""
    n = sum(f["trnm"] == msg["trnm"] for f in c.frames)
    await c.ws.send(json.dumps(msg))
    await c.until(lambda c: sum(f["trnm"] == msg["trnm"] for f in c.frames) > n, timeout)
    return [f for f in c.frames if f["trnm"] == msg["trnm"]][-1]


def rows02(c: Client) -> list[dict[str, str]]:
    return [r["values"] for r in c.typed("02")]


def conditions_on_a_front(tmp_path: Path, url: str) -> None:
    db = f"sqlite:///{tmp_path / 'hoga.db'}"
    alice = customer(db, "alice")
    with market_and_front(tmp_path, url, db, "manual") as (market, front):
        tok = token(market.base, alice)
        auth = {"authorization": f"Bearer {tok}"}

        def store(http: httpx.Client, name: str, expr: str) -> str:
            r = http.post(
                f"{market.base}/hoga/v1/conditions",
                json={"name": name, "expr": expr},
                headers=auth,
            )
            assert r.status_code == 201, r.text
            return str(r.json()["seq"])

        with httpx.Client(timeout=30) as http:
            every = store(http, "전체", "price > 0")

        async def go() -> None:
            a = await login(front.port, tok)
            early = await ask(a, {"trnm": "CNSRREQ", "seq": every, "search_type": "0"})
            assert early["return_code"] == 1 and "CNSRLST" in early["return_msg"]
            listed = await ask(a, {"trnm": "CNSRLST"})
            assert listed == {"trnm": "CNSRLST", "return_code": 0, "return_msg": "",
                              "data": [[every, "전체"]]}  # fmt: skip
            once = await ask(a, {"trnm": "CNSRREQ", "seq": every, "search_type": "0"})
            assert once["return_code"] == 0 and once["cont_yn"] == "N"
            assert len(once["data"]) == LIMIT
            row = next(r for r in once["data"] if r["9001"] == f"A{CODE}")
            volume = int(row["13"])

            # a realtime search that CODE enters with the next trade
            with httpx.Client(timeout=30) as http:
                traded = store(http, "체결", f'code == "{CODE}" and volume > {volume}')
                more = [store(http, f"c{i}", f"price > {i}") for i in range(10)]
            listed = await ask(a, {"trnm": "CNSRLST"})
            assert [seq for seq, _ in listed["data"]] == [every, traded, *more]
            started = await ask(a, {"trnm": "CNSRREQ", "seq": traded, "search_type": "1"})
            assert started == {"trnm": "CNSRREQ", "seq": traded, "return_code": 0,
                               "return_msg": "", "data": []}  # fmt: skip

            headers = {"api-id": "kt10000", **auth}
            body = {"dmst_stex_tp": "KRX", "stk_cd": CODE, "ord_qty": "2"}
            body |= {"ord_uv": "", "trde_tp": "3", "cond_uv": ""}
            async with httpx.AsyncClient(timeout=30) as http:
                r = await http.post(f"{market.base}/api/dostk/ordr", json=body, headers=headers)
                assert r.json()["return_code"] == 0, r.text
                await a.until(lambda c: bool(rows02(c)), timeout=30)
                got = rows02(a)
                assert [(v["841"], v["9001"], v["843"]) for v in got] == [(traded, CODE, "I")]
                assert set(got[0]) == {"841", "9001", "843", "20", "907", "9081"}

                cleared = await ask(a, {"trnm": "CNSRCLR", "seq": traded})
                assert cleared == {"trnm": "CNSRCLR", "seq": traded, "return_code": 0,
                                   "return_msg": ""}  # fmt: skip
                r = await http.post(f"{market.base}/api/dostk/ordr", json=body, headers=headers)
                assert r.json()["return_code"] == 0, r.text

            # ten realtime searches per login; the eleventh is refused
            for seq in [every, *more[:9]]:
                got_ = await ask(a, {"trnm": "CNSRREQ", "seq": seq, "search_type": "1"})
                assert got_["return_code"] == 0 and len(got_["data"]) == LIMIT
            eleventh = await ask(a, {"trnm": "CNSRREQ", "seq": more[9], "search_type": "1"})
            assert eleventh["return_code"] == 1 and "10건" in eleventh["return_msg"]
            assert rows02(a) == got[:1]  # nothing after the CNSRCLR
            await a.ws.close()

        asyncio.run(go())


if os.environ.get("HOGA_TEST_NO_REDIS") != "1":

    def test_condition_search_on_a_front_end(tmp_path: Path) -> None:
        conditions_on_a_front(
            tmp_path, os.environ.get("HOGA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        )
