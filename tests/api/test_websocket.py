"""The Kiwoom WebSocket through the real application (starlette TestClient, manual clock)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from _apikit import Api
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from hoga.api.ws import WsConfig, hub_for
from hoga.domain.model import TRDE_TP, NewOrder, Side
from hoga.engine.realtime import RealtimeLimits

PATH = "/api/dostk/websocket"


def busy(api: Api, n: int = 0) -> str:
    states = api.ctx.exchange.states
    ranked = sorted(states, key=lambda c: (-states[c].instrument.volume, c))
    return ranked[n]


def login(ws: WebSocketTestSession, token: str) -> dict[str, Any]:
    ws.send_json({"trnm": "LOGIN", "token": token})
    ack: dict[str, Any] = json.loads(ws.receive_text())
    return ack


def reg(ws: WebSocketTestSession, items: list[str], types: list[str], **kw: Any) -> dict[str, Any]:
    msg = {"trnm": "REG", "grp_no": "1", "refresh": "1", "data": [{"item": items, "type": types}]}
    msg.update(kw)
    ws.send_json(msg)
    return json.loads(ws.receive_text())  # type: ignore[no-any-return]


def settle(api: Api) -> None:
    """Let the app's loop run its feeds and writers."""

    async def spin() -> None:
        for _ in range(20):
            await asyncio.sleep(0)

    api.client.portal.call(spin)  # type: ignore[union-attr]


def cross(api: Api, code: str, order_id: int, qty: int = 3, side: Side = Side.BUY) -> list[Any]:
    board = api.ctx.exchange.states[code].board
    price = board.stats.best_ask if side is Side.BUY else board.stats.best_bid
    assert price is not None
    order = NewOrder(order_id, code, side, TRDE_TP["0"], qty, price)
    return api.client.portal.call(api.ctx.exchange.submit, order)  # type: ignore[union-attr]


def fence(ws: WebSocketTestSession, api: Api, code: str) -> list[dict[str, Any]]:
    """Every frame up to the ack of a harmless REG (0g on ``code``, group 99)."""
    settle(api)
    ws.send_json({"trnm": "REG", "grp_no": "99", "data": [{"item": [code], "type": ["0g"]}]})
    frames: list[dict[str, Any]] = []
    while True:
        frame = json.loads(ws.receive_text())
        if frame["trnm"] == "REG":
            assert frame["return_code"] == 0
            return frames
        frames.append(frame)


def real_rows(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for f in frames if f["trnm"] == "REAL" for row in f["data"]]


def next_real(ws: WebSocketTestSession) -> list[dict[str, Any]]:
    while True:
        frame = json.loads(ws.receive_text())
        if frame["trnm"] == "REAL":
            return frame["data"]  # type: ignore[no-any-return]


# ------------------------------------------------------------------ LOGIN


def test_login_ack_is_the_first_frame(api: Api) -> None:
    c = api.customer()
    with api.client.websocket_connect(PATH) as ws:
        ws.send_json({"trnm": "PING"})  # a PING before LOGIN is tolerated
        ws.send_json({"trnm": "LOGIN", "token": f"Bearer {c.token}"})
        assert ws.receive_text() == '{"trnm":"LOGIN","return_code":0,"return_msg":""}'


def test_bad_token_gets_the_failure_then_close(api: Api) -> None:
    api.customer()
    with api.client.websocket_connect(PATH) as ws:
        ack = login(ws, "not-a-token")
        assert ack["trnm"] == "LOGIN"
        assert ack["return_code"] == 805004
        assert "CODE=8005" in ack["return_msg"]
        with pytest.raises(WebSocketDisconnect):
            ws.receive_text()


def test_frame_before_login_gets_r10004(api: Api) -> None:
    with api.client.websocket_connect(PATH) as ws:
        ws.send_json({"trnm": "REG", "grp_no": "1", "data": []})
        notice = json.loads(ws.receive_text())
        assert notice == {"trnm": "SYSTEM", "code": "R10004", "message": notice["message"]}
        with pytest.raises(WebSocketDisconnect):
            ws.receive_text()


def test_same_app_key_ends_the_older_session(api: Api) -> None:
    c = api.customer()
    code = busy(api)
    with api.client.websocket_connect(PATH) as old:
        assert login(old, c.token)["return_code"] == 0
        assert reg(old, [code], ["0B"])["return_code"] == 0
        with api.client.websocket_connect(PATH) as new:
            assert login(new, c.token)["return_code"] == 0
            notice = json.loads(old.receive_text())
            assert notice["trnm"] == "SYSTEM"
            assert notice["code"] == "R10001"
            with pytest.raises(WebSocketDisconnect):
                old.receive_text()
            assert reg(new, [code], ["0B"])["return_code"] == 0
            cross(api, code, 1)
            assert next_real(new)[0]["type"] == "0B"


# ------------------------------------------------------------------ PING


def test_echoed_pings_keep_the_session(api: Api) -> None:
    api.ctx.services["ws.config"] = WsConfig(ping_interval_us=1_000_000, max_missed_pings=2)
    c = api.customer()
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        for n in range(5):
            api.client.portal.call(api.ctx.clock.advance, 1_000_000)  # type: ignore[union-attr]
            ping = ws.receive_text()
            assert json.loads(ping) == {"trnm": "PING"}
            ws.send_text(ping if n % 2 else '{"trnm":"PING","extra":1}')
            settle(api)
        assert reg(ws, [busy(api)], ["0B"])["return_code"] == 0


def test_missed_pings_end_with_r10002(api: Api) -> None:
    api.ctx.services["ws.config"] = WsConfig(ping_interval_us=1_000_000, max_missed_pings=2)
    c = api.customer()
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        for _ in range(2):
            api.client.portal.call(api.ctx.clock.advance, 1_000_000)  # type: ignore[union-attr]
            assert json.loads(ws.receive_text()) == {"trnm": "PING"}
        api.client.portal.call(api.ctx.clock.advance, 1_000_000)  # type: ignore[union-attr]
        notice = json.loads(ws.receive_text())
        assert notice["trnm"] == "SYSTEM"
        assert notice["code"] == "R10002"
        with pytest.raises(WebSocketDisconnect):
            ws.receive_text()
    assert c.appkey not in hub_for(api.ctx).by_appkey


# ------------------------------------------------------------------ REG / REMOVE


def test_reg_errors(api: Api) -> None:
    api.ctx.services["ws.config"] = WsConfig(limits=RealtimeLimits(max_items=3))
    c = api.customer()
    codes = [busy(api, n) for n in range(4)]
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        assert reg(ws, [codes[0]], ["ZZ"])["return_code"] == 1
        assert reg(ws, ["999999"], ["0B"])["return_code"] == 1
        assert reg(ws, [codes[0]], ["02"])["return_code"] == 1  # condition pushes: no REG
        over = reg(ws, codes, ["0B"])
        assert over == {"trnm": "REG", "return_code": 1, "return_msg": "등록 종목수 초과"}
        assert reg(ws, codes[:3], ["0B", "0D"])["return_code"] == 0
        assert reg(ws, [codes[3]], ["0B"], grp_no="2")["return_code"] == 1  # limit spans groups
        ws.send_json(
            {"trnm": "REMOVE", "grp_no": "1", "data": [{"item": [codes[0]], "type": ["X"]}]}
        )
        assert json.loads(ws.receive_text())["return_code"] == 1


def test_refresh_semantics(api: Api) -> None:
    c = api.customer()
    a, b = busy(api, 0), busy(api, 1)
    hub = hub_for(api.ctx)
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        session = hub.by_appkey[c.appkey]
        assert reg(ws, [a], ["0B"])["return_code"] == 0
        assert reg(ws, [f"{b}_NX"], ["0B"])["return_code"] == 0  # refresh 1 keeps a
        assert session.pairs() == {("0B", a), ("0B", b)}
        assert reg(ws, [b], ["0D"], refresh="0")["return_code"] == 0  # replaces group 1
        assert session.pairs() == {("0D", b)}
        assert reg(ws, [a], ["0B"], grp_no=2, refresh=1)["return_code"] == 0
        assert set(hub.feeds) == {a, b}
        ws.send_json(
            {
                "trnm": "REMOVE",
                "grp_no": "1",
                "refresh": "",
                "data": [{"item": [b], "type": ["0D"]}],
            }
        )
        assert json.loads(ws.receive_text()) == {
            "trnm": "REMOVE",
            "return_code": 0,
            "return_msg": "",
        }
        assert session.pairs() == {("0B", a)}
        assert set(hub.feeds) == {a}
        ws.send_json({"trnm": "REG", "grp_no": "2", "refresh": "0"})  # no data: clears group 2
        assert json.loads(ws.receive_text())["return_code"] == 0
        assert session.pairs() == set()
        assert hub.feeds == {}
        assert reg(ws, [], ["00", "04"])["return_code"] == 0  # account types: item [] or [""]
        assert session.pairs() == {("00", ""), ("04", "")}


# ------------------------------------------------------------------ REAL


def test_trade_pushes_0b(api: Api) -> None:
    c = api.customer()
    code = busy(api)
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        assert reg(ws, [code], ["0B"])["return_code"] == 0
        events = cross(api, code, 7, qty=4)
        trades = [e for e in events if type(e).__name__ == "Trade"]
        assert trades
        rows = next_real(ws)
        board = api.ctx.exchange.states[code].board
        base = board.base_price
        first = rows[0]
        assert first["type"] == "0B"
        assert first["name"] == "주식체결"
        assert first["item"] == code
        v = first["values"]
        assert all(isinstance(x, str) for x in v.values())
        t = trades[0]
        assert v["10"].lstrip("+-") == str(t.price)
        assert v["10"][0] == ("+" if t.price > base else "-" if t.price < base else v["10"][0])
        assert v["15"] == f"+{t.qty}"
        assert v["11"] == (f"+{t.price - base}" if t.price > base else str(t.price - base))
        if len(trades) == 1:
            assert v["13"] == str(board.stats.volume)


def test_book_change_pushes_ten_levels(api: Api) -> None:
    c = api.customer()
    code = busy(api)
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        assert reg(ws, [code], ["0D"])["return_code"] == 0
        board = api.ctx.exchange.states[code].board
        bid = board.stats.best_bid
        assert bid is not None
        order = NewOrder(9, code, Side.BUY, TRDE_TP["0"], 11, bid)
        api.client.portal.call(api.ctx.exchange.submit, order)  # type: ignore[union-attr]
        rows = next_real(ws)
        assert [r["type"] for r in rows] == ["0D"]  # coalesced: one row per code per drain
        v = rows[0]["values"]
        depth = board.depth(10)
        assert len(depth.asks) == 10 and len(depth.bids) == 10
        for n in range(10):
            assert v[str(41 + n)].lstrip("+-") == str(depth.asks[n].price)
            assert v[str(51 + n)].lstrip("+-") == str(depth.bids[n].price)
            assert v[str(61 + n)] == str(depth.asks[n].qty)
            assert v[str(71 + n)] == str(depth.bids[n].qty)
        assert v["121"] == str(sum(lv.qty for lv in depth.asks))
        assert v["125"] == str(sum(lv.qty for lv in depth.bids))


def test_frames_stay_under_4k_and_unregistered_items_stay_silent(api: Api) -> None:
    c = api.customer()
    codes = [busy(api, n) for n in range(3)]
    quiet = busy(api, 3)
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        assert reg(ws, codes, ["0B", "0C", "0D"])["return_code"] == 0
        api.client.portal.call(api.ctx.clock.advance, 1)  # type: ignore[union-attr]
        for n in range(12):
            cross(api, codes[n % 3], 100 + n, side=Side.BUY if n % 2 else Side.SELL)
        cross(api, quiet, 200)
        settle(api)
        ws.send_json({"trnm": "REG", "grp_no": "99", "data": [{"item": [quiet], "type": ["0g"]}]})
        texts = []
        while True:
            text = ws.receive_text()
            if json.loads(text)["trnm"] == "REG":
                break
            texts.append(text)
        assert all(len(t.encode()) <= 4096 for t in texts)
        rows = real_rows([json.loads(t) for t in texts])
        assert {r["item"] for r in rows} <= set(codes)
        assert sum(r["type"] == "0B" for r in rows) >= 12


def test_registrations_do_not_survive_a_reconnect(api: Api) -> None:
    c = api.customer()
    code = busy(api)
    hub = hub_for(api.ctx)
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        assert reg(ws, [code], ["0B"])["return_code"] == 0
        assert code in hub.feeds
    settle(api)
    assert hub.feeds == {}
    assert c.appkey not in hub.by_appkey
    with api.client.websocket_connect(PATH) as ws:
        login(ws, c.token)
        cross(api, code, 3)
        assert real_rows(fence(ws, api, busy(api, 1))) == []
