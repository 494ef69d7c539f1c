"""Condition search over the WebSocket (CNSRLST / CNSRREQ / CNSRCLR, REAL type 02)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import replace
from typing import Any

from _apikit import Api, Customer
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from hoga.api.ws import hub_for
from hoga.domain.model import TRDE_TP, NewOrder, Side
from hoga.engine.conditions import ConditionService

PATH = "/api/dostk/websocket"
REST = "/hoga/v1/conditions"


def service(api: Api) -> ConditionService:
    svc = api.ctx.services["conditions"]
    assert isinstance(svc, ConditionService)
    return svc


def store(api: Api, c: Customer, name: str, expr: str) -> str:
    r = api.client.post(REST, json={"name": name, "expr": expr}, headers=c.auth)
    assert r.status_code == 201, r.text
    return str(r.json()["seq"])


def login(ws: WebSocketTestSession, token: str) -> None:
    ws.send_json({"trnm": "LOGIN", "token": token})
    assert json.loads(ws.receive_text())["return_code"] == 0


def ask(ws: WebSocketTestSession, msg: dict[str, Any]) -> dict[str, Any]:
    """Send ``msg`` and return its answer (REAL frames before it are skipped)."""
    ws.send_json(msg)
    while True:
        frame: dict[str, Any] = json.loads(ws.receive_text())
        if frame["trnm"] == msg["trnm"]:
            return frame


def settle(api: Api) -> None:
    async def spin() -> None:
        for _ in range(20):
            await asyncio.sleep(0)

    api.client.portal.call(spin)  # type: ignore[union-attr]


def fence(ws: WebSocketTestSession, api: Api) -> list[dict[str, Any]]:
    """Every frame up to the answer of a harmless CNSRLST."""
    settle(api)
    ws.send_json({"trnm": "CNSRLST"})
    frames: list[dict[str, Any]] = []
    while True:
        frame = json.loads(ws.receive_text())
        if frame["trnm"] == "CNSRLST":
            return frames
        frames.append(frame)


def rows02(frames: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [r["values"] for f in frames if f["trnm"] == "REAL" for r in f["data"]]


def trade(api: Api, code: str, order_id: int, side: Side, qty: int = 1) -> None:
    board = api.ctx.exchange.states[code].board
    price = board.stats.best_ask if side is Side.BUY else board.stats.best_bid
    assert price is not None
    order = NewOrder(order_id, code, side, TRDE_TP["0"], qty, price)
    api.client.portal.call(api.ctx.exchange.submit, order)  # type: ignore[union-attr]


def liquid(api: Api) -> str:
    states = api.ctx.exchange.states
    for code in sorted(states, key=lambda c: (-states[c].instrument.volume, c)):
        s = states[code].board.stats
        if s.best_bid is not None and s.best_ask is not None:
            return code
    raise AssertionError("no two-sided book")


# ------------------------------------------------------------------ CNSRLST


def test_list_is_per_customer_and_must_come_first(api: Api) -> None:
    a, b = api.customer(), api.customer()
    seq = store(api, a, "전체", "price > 0")
    store(api, a, "급등", "rate > 5")
    store(api, b, "남의것", "price > 0")
    with api.client.websocket_connect(PATH) as ws:
        login(ws, a.token)
        early = ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "0", "stex_tp": "K"})
        assert early["return_code"] == 1 and "CNSRLST" in early["return_msg"]
        assert early["seq"] == seq and not early.get("data")
        listed = ask(ws, {"trnm": "CNSRLST"})
        assert listed == {"trnm": "CNSRLST", "return_code": 0, "return_msg": "",
                          "data": [["1", "전체"], ["2", "급등"]]}  # fmt: skip
        again = ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "0", "stex_tp": "K"})
        assert again["return_code"] == 0
    with api.client.websocket_connect(PATH) as ws:  # the rule holds per socket
        login(ws, a.token)
        r = ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "1", "stex_tp": "K"})
        assert r["return_code"] == 1


def test_request_errors(api: Api) -> None:
    a, b = api.customer(), api.customer()
    store(api, b, "b", "price > 0")
    with api.client.websocket_connect(PATH) as ws:
        login(ws, a.token)
        ask(ws, {"trnm": "CNSRLST"})
        for msg, text in [
            ({"seq": "1", "search_type": "0"}, "조건검색식이 없습니다"),  # b's seq 1 is not a's
            ({"seq": "x", "search_type": "0"}, "조건검색식이 없습니다"),
            ({"seq": "1", "search_type": "7"}, "search_type"),
            ({"seq": "1", "search_type": "0", "stex_tp": "Z"}, "stex_tp"),
        ]:
            r = ask(ws, {"trnm": "CNSRREQ", "stex_tp": "K", **msg})
            assert r["return_code"] == 1 and text in r["return_msg"], r


# ------------------------------------------------------------------ one-shot (ka10172)


def test_one_shot_search_pages_through_every_match(api: Api) -> None:
    c = api.customer()
    svc = service(api)
    svc.limits = replace(svc.limits, page=7)
    seq = store(api, c, "전부", "price > 0")
    states = api.ctx.exchange.states
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        ask(ws, {"trnm": "CNSRLST"})
        req = {"trnm": "CNSRREQ", "seq": seq, "search_type": "0", "stex_tp": "K"}
        seen: list[str] = []
        page = ask(ws, {**req, "cont_yn": "N", "next_key": ""})
        pages = 1
        while True:
            assert page["return_code"] == 0 and page["seq"] == seq
            assert len(page["data"]) <= 7
            seen += [row["9001"] for row in page["data"]]
            if page["cont_yn"] != "Y":
                assert page["next_key"] == ""
                break
            assert len(page["data"]) == 7
            page = ask(ws, {**req, "cont_yn": "Y", "next_key": page["next_key"]})
            pages += 1
    assert seen == [f"A{code}" for code in sorted(states)]
    assert pages == -(-len(states) // 7)


def test_one_shot_rows_have_the_documented_fids(api: Api) -> None:
    c = api.customer()
    code = liquid(api)
    trade(api, code, 1, Side.BUY, 2)
    seq = store(api, c, "one", f'code == "{code}"')
    s = api.ctx.exchange.states[code]
    stats = s.board.stats
    assert stats.last is not None and stats.open is not None
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        ask(ws, {"trnm": "CNSRLST"})
        r = ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "0", "stex_tp": "K"})
    assert r["cont_yn"] == "N" and len(r["data"]) == 1
    row = r["data"][0]
    assert list(row) == ["9001", "302", "10", "25", "11", "12", "13", "16", "17", "18"]
    assert row["9001"] == f"A{code}" and row["302"] == s.instrument.name
    assert row["10"] == f"{stats.last:09d}"
    change = stats.last - stats.base_price
    assert int(row["11"]) == change and len(row["11"]) == 9
    assert row["25"] in ("2", "3", "5", "1", "4")
    assert row["13"] == f"{stats.volume:09d}"
    assert row["16"] == f"{stats.open:09d}" and len(row["12"]) == 9


# ------------------------------------------------------------------ realtime (ka10173/4)


def test_realtime_pushes_insert_and_delete(api: Api) -> None:
    c = api.customer()
    code = liquid(api)
    board = api.ctx.exchange.states[code].board
    ask_px, bid_px = board.stats.best_ask, board.stats.best_bid
    assert ask_px is not None and bid_px is not None and bid_px < ask_px
    seq = store(api, c, "위로", f'code == "{code}" and price >= {ask_px}')
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        ask(ws, {"trnm": "CNSRLST"})
        r = ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "1", "stex_tp": "K"})
        # nothing matches yet: the answer still carries an empty list
        assert r == {"trnm": "CNSRREQ", "seq": seq, "return_code": 0, "return_msg": "", "data": []}
        trade(api, code, 1, Side.BUY)  # the price goes to the ask: enters
        rows = rows02(fence(ws, api))
        assert len(rows) == 1
        row = rows[0]
        assert list(row) == ["841", "9001", "843", "20", "907", "9081"]
        assert (row["841"], row["9001"], row["843"], row["907"]) == (seq, code, "I", "2")
        trade(api, code, 2, Side.BUY)  # still in: nothing new
        assert rows02(fence(ws, api)) == []
        bid_now = board.stats.best_bid
        assert bid_now is not None and bid_now < ask_px
        trade(api, code, 3, Side.SELL)  # the price drops to the bid: leaves
        rows = rows02(fence(ws, api))
        assert [(r["843"], r["907"]) for r in rows] == [("D", "1")]
        # asking again restarts: the initial list reflects the state now
        r = ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "1", "stex_tp": "K"})
        assert r["return_code"] == 0 and r["data"] == []
        trade(api, code, 4, Side.BUY)
        assert [r["843"] for r in rows02(fence(ws, api))] == ["I"]
        r = ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "1", "stex_tp": "K"})
        assert r["data"] == [{"jmcode": f"A{code}"}]
        # CNSRCLR stops the pushes
        assert ask(ws, {"trnm": "CNSRCLR", "seq": seq}) == {
            "trnm": "CNSRCLR", "seq": seq, "return_code": 0, "return_msg": ""
        }  # fmt: skip
        trade(api, code, 5, Side.SELL)
        assert rows02(fence(ws, api)) == []
        assert service(api).active(hub_for(api.ctx).by_appkey[c.appkey]) == []


def test_a_new_base_price_is_noticed_without_a_trade(api: Api) -> None:
    c = api.customer()
    code = liquid(api)
    trade(api, code, 1, Side.BUY)
    seq = store(api, c, "traded", f'code == "{code}" and volume > 0')
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        ask(ws, {"trnm": "CNSRLST"})
        r = ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "1", "stex_tp": "K"})
        assert r["data"] == [{"jmcode": f"A{code}"}]
        base = api.ctx.exchange.states[code].board.base_price
        api.client.portal.call(api.ctx.exchange.set_base_price, code, base)  # type: ignore[union-attr]
        rows = rows02(fence(ws, api))
        assert [(r["9001"], r["843"], r["907"]) for r in rows] == [(code, "D", "0")]


def test_at_most_ten_realtime_searches_per_login(api: Api) -> None:
    c = api.customer()
    seqs = [store(api, c, f"c{i}", f"price > {i}") for i in range(11)]
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        ask(ws, {"trnm": "CNSRLST"})
        for seq in seqs[:10]:
            r = ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "1", "stex_tp": "K"})
            assert r["return_code"] == 0
        session = hub_for(api.ctx).by_appkey[c.appkey]
        svc = service(api)
        before = (svc.active(session), svc.evaluations)
        r = ask(ws, {"trnm": "CNSRREQ", "seq": seqs[10], "search_type": "1", "stex_tp": "K"})
        assert r["return_code"] == 1 and "10건" in r["return_msg"] and "제11조" in r["return_msg"]
        assert (svc.active(session), svc.evaluations) == before  # nothing else changed
        # re-asking for a running one is not an 11th
        r = ask(ws, {"trnm": "CNSRREQ", "seq": seqs[0], "search_type": "1", "stex_tp": "K"})
        assert r["return_code"] == 0
        # one-shot searches do not count
        r = ask(ws, {"trnm": "CNSRREQ", "seq": seqs[10], "search_type": "0", "stex_tp": "K"})
        assert r["return_code"] == 0
        ask(ws, {"trnm": "CNSRCLR", "seq": seqs[3]})
        r = ask(ws, {"trnm": "CNSRREQ", "seq": seqs[10], "search_type": "1", "stex_tp": "K"})
        assert r["return_code"] == 0
        assert len(svc.active(session)) == 10


def test_a_trade_evaluates_only_the_searches_watching_its_code(api: Api) -> None:
    c = api.customer()
    code = liquid(api)
    states = api.ctx.exchange.states
    market = states[code].instrument.market.value
    other = next(s.instrument.market.value for s in states.values()
                 if s.instrument.market.value != market)  # fmt: skip
    everything = store(api, c, "all", "volume >= 0")
    same = store(api, c, "same", f'market == "{market}" and volume >= 0')
    elsewhere = store(api, c, "elsewhere", f'market == "{other}" and volume >= 0')
    svc = service(api)
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        ask(ws, {"trnm": "CNSRLST"})
        start = svc.evaluations
        for seq in (everything, same, elsewhere):
            ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "1", "stex_tp": "K"})
        # starting them scans the universe once each (static part, then the candidates)
        assert svc.evaluations - start > len(states)
        before = svc.evaluations
        trade(api, code, 1, Side.BUY)
        fence(ws, api)
        assert svc.evaluations - before == 2  # "all" and "same"; never the universe
        before = svc.evaluations
        for n in range(5):
            trade(api, code, 10 + n, Side.BUY)
        fence(ws, api)
        assert svc.evaluations - before == 10


def test_daily_figures_are_loaded_once_per_code_and_day(api: Api) -> None:
    c = api.customer()
    code = liquid(api)
    seq = store(api, c, "ma", f'code == "{code}" and ma(5) > 0 and high52 >= low52')
    svc = service(api)
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        ask(ws, {"trnm": "CNSRLST"})
        loads = svc.daily_loads
        r = ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "1", "stex_tp": "K"})
        assert r["data"] == [{"jmcode": f"A{code}"}]  # synthetic history gives ma(5)
        assert svc.daily_loads - loads <= 1
        loads = svc.daily_loads
        for n in range(3):
            trade(api, code, 1 + n, Side.BUY)
        fence(ws, api)
        assert svc.daily_loads == loads


def test_a_closed_socket_ends_its_searches(api: Api) -> None:
    c = api.customer()
    code = liquid(api)
    seq = store(api, c, "all", "volume >= 0")
    svc = service(api)
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        ask(ws, {"trnm": "CNSRLST"})
        ask(ws, {"trnm": "CNSRREQ", "seq": seq, "search_type": "1", "stex_tp": "K"})
        session = hub_for(api.ctx).by_appkey[c.appkey]
        assert svc.active(session) == [seq]
    settle(api)
    assert session.closed
    trade(api, code, 1, Side.BUY)  # the next event for a watched code drops it
    assert svc.active(session) == []
    before = svc.evaluations
    trade(api, code, 2, Side.BUY)
    assert svc.evaluations == before


def test_condition_search_churn_opens_an_abnormal_load_incident(api: Api) -> None:
    c = api.customer()
    seq = store(api, c, "churn", "price > 0")
    incidents = api.ctx.services["incidents"]
    limit = api.ctx.settings.abnormal_conditions
    assert incidents.incidents(c.customer_id) == []
    closed_by: list[dict[str, Any]] = []
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        assert ask(ws, {"trnm": "CNSRLST"})["return_code"] == 0
        for n in range(limit - 1):
            if n % 2 == 0:
                msg = {"trnm": "CNSRREQ", "seq": seq, "search_type": "1", "stex_tp": "K"}
            else:
                msg = {"trnm": "CNSRCLR", "seq": seq}
            assert ask(ws, msg)["return_code"] == 0
            assert incidents.incidents(c.customer_id) == []
        # the limit-th event trips the detector: the customer is suspended and the socket closed
        ws.send_json({"trnm": "CNSRCLR", "seq": seq})
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                closed_by.append(json.loads(ws.receive_text()))
    (opened,) = incidents.incidents(c.customer_id)
    assert "condition_churn" in opened.reason
    assert closed_by[-1]["trnm"] == "SYSTEM"
