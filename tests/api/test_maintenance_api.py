"""Maintenance windows through the real app: 1800 on closed calls (nothing stored), hoga-stale on
account queries, notices before scheduled and after emergency windows, the WebSocket refusal."""

from __future__ import annotations

import json
from typing import Any

from _apikit import Api

from hoga.ports.notifier import DeliveryOutcome, OutboundMessage

OP = {"authorization": "Bearer op-secret"}
MIN = 60_000_000


class Inbox:
    name = "email"

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    async def send(self, message: OutboundMessage) -> DeliveryOutcome:
        self.sent.append(message)
        return DeliveryOutcome.delivered("ok")


def _order(api: Api, token: str) -> Any:
    code = next(iter(api.ctx.exchange.states))
    body = {"dmst_stex_tp": "KRX", "trde_tp": "3", "stk_cd": code, "ord_qty": "1", "ord_uv": ""}
    return api.post("/api/dostk/ordr", "kt10000", body, token=token)


def test_orders_window_refuses_marks_stale_and_reports_after(api: Api) -> None:
    inbox = Inbox()
    api.ctx.services["outbox"].channels["email"] = inbox
    alice = api.customer()
    resp = api.client.post(
        "/hoga/v1/notices/contact",
        json={"email": "alice@example.com", "channels": ["email"]},
        headers=alice.auth,
    )
    assert resp.status_code == 200 and resp.json()["channels"] == ["email"]
    made = api.client.post(
        "/operator/maintenance",
        json={"kind": "emergency", "scope": ["orders"], "minutes": 30, "reason": "주문 장애"},
        headers=OP,
    )
    assert made.status_code == 200, made.text
    wid = made.json()["id"]
    with api.ctx.storage.unit_of_work() as uow:
        before = uow.sequences.current("ord_no")
    refused = _order(api, alice.token)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1800"
    doc = refused.json()
    assert doc["return_code"] == 1
    assert doc["return_msg"].startswith("서비스 점검 중입니다[1800:시스템 점검으로")
    assert "대상=주문" in doc["return_msg"]
    with api.ctx.storage.unit_of_work() as uow:
        assert uow.sequences.current("ord_no") == before
        assert uow.orders.by_account(alice.account) == []
    stale = api.post(
        "/api/dostk/acnt", "kt00018", {"qry_tp": "1", "dmst_stex_tp": "KRX"}, token=alice.token
    )
    assert stale.status_code == 200 and stale.headers["hoga-stale"] == "1"
    quote = api.post("/api/dostk/stkinfo", "ka10001", {"stk_cd": "005930"}, token=alice.token)
    assert "hoga-stale" not in quote.headers
    public = api.client.get("/hoga/v1/maintenance").json()
    assert [(w["id"], w["in_force"]) for w in public] == [(wid, True)]
    assert api.ctx.services["outbox"].notices(ref=f"maintenance:{wid}") == []  # none before
    api.ctx.clock.advance(31 * MIN)
    assert api.client.get("/hoga/v1/maintenance").json() == []
    [report] = api.ctx.services["outbox"].notices(ref=f"maintenance:{wid}")
    assert report.kind == "maintenance_emergency" and report.customer_id == alice.customer_id
    assert "사후 안내" in report.body
    flushed = api.client.post("/operator/notices/flush", headers=OP).json()["attempted"]
    assert flushed in (0, 1)  # 0: the background flush the report started got there first
    assert [m.address for m in inbox.sent] == ["alice@example.com"]
    listed = api.client.get(
        "/operator/notices", params={"ref": f"maintenance:{wid}"}, headers=OP
    ).json()
    assert listed[0]["deliveries"][0]["status"] == "delivered"
    assert listed[0]["deliveries"][0]["attempts"][0]["ok"] is True
    mine = api.client.get("/hoga/v1/notices", headers=alice.auth).json()
    assert [n["kind"] for n in mine["notices"]] == ["maintenance_emergency"]
    assert _order(api, alice.token).json()["return_code"] == 0  # open again


def test_scheduled_window_is_announced_reminded_and_closes_at_its_start(api: Api) -> None:
    alice = api.customer()
    now = api.ctx.clock.now()
    too_soon = api.client.post(
        "/operator/maintenance",
        json={
            "kind": "scheduled",
            "scope": ["all"],
            "starts_at": now + 60 * MIN,
            "ends_at": now + 120 * MIN,
            "reason": "정기 점검",
        },
        headers=OP,
    )
    assert too_soon.status_code == 409
    start = now + 48 * 60 * MIN
    made = api.client.post(
        "/operator/maintenance",
        json={
            "kind": "scheduled",
            "scope": ["path:/api/dostk/stkinfo", "websocket"],
            "starts_at": start,
            "ends_at": start + 120 * MIN,
            "reason": "정기 점검",
        },
        headers=OP,
    ).json()
    box = api.ctx.services["outbox"]
    [announce] = box.notices(ref=f"maintenance:{made['id']}")
    assert announce.kind == "maintenance_scheduled" and announce.at == now  # before the start
    quote = api.post("/api/dostk/stkinfo", "ka10001", {"stk_cd": "005930"}, token=alice.token)
    assert quote.json()["return_code"] == 0
    api.ctx.clock.advance(47 * 60 * MIN)  # one hour before: the reminder
    api.client.get("/hoga/v1/maintenance")
    kinds = [n.kind for n in box.notices(ref=f"maintenance:{made['id']}")]
    assert kinds == ["maintenance_scheduled", "maintenance_reminder"]
    api.ctx.clock.advance(60 * MIN)
    quote = api.post("/api/dostk/stkinfo", "ka10001", {"stk_cd": "005930"}, token=alice.token)
    assert quote.status_code == 503 and "[1800:" in quote.json()["return_msg"]
    with api.client.websocket_connect("/api/dostk/websocket") as ws:
        ws.send_text(json.dumps({"trnm": "LOGIN", "token": alice.token}))
        frame = json.loads(ws.receive_text())
    assert frame["trnm"] == "SYSTEM" and frame["code"] == "R10009"
    ended = api.client.post(f"/operator/maintenance/{made['id']}/end", headers=OP)
    assert ended.status_code == 200
    fresh = api.customer()  # alice's token expired during the two simulated days
    quote = api.post("/api/dostk/stkinfo", "ka10001", {"stk_cd": "005930"}, token=fresh.token)
    assert quote.json()["return_code"] == 0, quote.text


def test_cancel_and_service_changes(api: Api) -> None:
    alice = api.customer()
    now = api.ctx.clock.now()
    made = api.client.post(
        "/operator/maintenance",
        json={
            "kind": "scheduled",
            "scope": ["orders"],
            "starts_at": now + 30 * 60 * MIN,
            "minutes": 60,
            "reason": "정기",
        },
        headers=OP,
    ).json()
    assert api.client.post(f"/operator/maintenance/{made['id']}/cancel", headers=OP).json()[
        "cancelled_at"
    ]
    kinds = [n.kind for n in api.ctx.services["outbox"].notices(customer_id=alice.customer_id)]
    assert kinds == ["maintenance_scheduled", "maintenance_cancelled"]
    assert api.client.post("/operator/maintenance/99/end", headers=OP).status_code == 404
    assert (
        api.client.post(
            "/operator/maintenance",
            json={"scope": ["nope"], "minutes": 5, "kind": "emergency", "reason": "x"},
            headers=OP,
        ).status_code
        == 409
    )
    change = api.client.post(
        "/operator/service-changes",
        json={
            "kind": "api_retired",
            "title": "ka10099 제공 종료",
            "api_ids": ["ka10099"],
            "effective_at": now + 40 * 24 * 60 * MIN,
        },
        headers=OP,
    )
    assert change.status_code == 200, change.text
    listed = api.client.get("/hoga/v1/service-changes").json()
    assert [c["title"] for c in listed] == ["ka10099 제공 종료"]
    [sent] = api.ctx.services["outbox"].notices(ref=f"service_change:{listed[0]['id']}")
    assert "ka10099" in sent.body and sent.customer_id == alice.customer_id
    past = api.client.post(
        "/operator/service-changes",
        json={"kind": "other", "title": "x", "effective_at": now - 1},
        headers=OP,
    )
    assert past.status_code == 409
    assert api.client.get("/operator/maintenance").status_code == 401
