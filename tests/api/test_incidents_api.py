"""Incidents over HTTP: detection through dispatch, suspension, explanations, termination."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _apikit import Api, Customer, make_settings
from starlette.testclient import TestClient

from hoga.api.app import create_app
from hoga.bootstrap import build_context
from hoga.engine.incidents import IncidentService

OP = {"authorization": "Bearer op-secret"}
ACNT = "/api/dostk/acnt"
ORDR = "/api/dostk/ordr"
STK = "/api/dostk/stkinfo"
DAY = 86_400_000_000


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    settings = make_settings(tmp_path, abnormal_identical=5, abnormal_orders=0, abnormal_refusals=0)
    ctx = build_context(settings)
    with TestClient(create_app(ctx, run_market=False)) as client:
        yield Api(ctx, client)
    ctx.storage.close()


def svc(api: Api) -> IncidentService:
    s = api.ctx.services["incidents"]
    assert isinstance(s, IncidentService)
    return s


def account(api: Api, who: Customer) -> Any:
    return api.post(ACNT, "ka00001", {}, token=who.token).json()


def token(api: Api, who: Customer) -> Any:
    body = {"grant_type": "client_credentials", "appkey": who.appkey, "secretkey": who.secretkey}
    return api.post("/oauth2/token", None, body).json()


def operator(api: Api, method: str, path: str, body: Any = None) -> Any:
    resp = api.client.request(method, f"/operator/incidents{path}", json=body, headers=OP)
    return resp.status_code, resp.json()


def suspend(api: Api, who: Customer, action: str = "suspend", **over: str) -> dict[str, Any]:
    body = {"customer_id": who.customer_id, "action": action, "reason": "감독당국 권고", **over}
    code, inc = operator(api, "POST", "", body)
    assert code == 200, inc
    return dict(inc)


def resting_buy(api: Api, who: Customer) -> str:
    ex = api.ctx.exchange
    code = sorted(ex.states.values(), key=lambda s: (-s.instrument.volume, s.code))[0].code
    board = ex.states[code].board
    price = board.limits.lower
    body = {"dmst_stex_tp": "KRX", "trde_tp": "0", "cond_uv": "", "stk_cd": code}
    got = api.post(ORDR, "kt10000", {**body, "ord_qty": "1", "ord_uv": str(price)}, token=who.token)
    assert got.json()["return_code"] == 0, got.json()
    return str(int(got.json()["ord_no"]))


def open_orders(api: Api, who: Customer) -> list[int]:
    with api.ctx.storage.unit_of_work() as uow:
        return [o.ord_no for o in uow.orders.open_orders(who.account)]


def explain(api: Api, incident: int, text: str, headers: dict[str, str]) -> Any:
    path = f"/hoga/v1/incidents/{incident}/explanation"
    return api.client.post(path, json={"explanation": text}, headers=headers)


def test_suspension_refuses_calls_and_keeps_open_orders(api: Api) -> None:
    alice, bob = api.customer(), api.customer()
    ord_no = resting_buy(api, alice)
    inc = suspend(api, alice)
    assert inc["sanction"] == "suspend" and inc["review"] == "awaiting"
    assert inc["ends_at"].startswith("2026-12-26T10:00") and inc["deadline"].startswith(
        "2026-12-07"
    )
    refused = account(api, alice)
    assert refused["return_code"] == 3 and "8103" in refused["return_msg"]
    assert "중지" in refused["return_msg"] and f"사건 {inc['id']}" in refused["return_msg"]
    denied = token(api, alice)
    assert "8002" in denied["return_msg"] and "suspended" in denied["return_msg"]
    assert account(api, bob)["return_code"] == 0  # nobody else is touched
    # the documented rule: a suspension keeps working orders, and the notice lists them
    assert open_orders(api, alice) == [int(ord_no)]
    sent = svc(api).notices(alice.customer_id)
    assert [n.kind for n in sent] == ["opened"] and ord_no in sent[0].body
    code, detail = operator(api, "GET", f"/{inc['id']}")
    assert code == 200 and [n["kind"] for n in detail["notices"]] == ["opened"]
    assert detail["notices"][0]["channel"] == "outbox"  # delivered through the outbox channels
    queued = api.ctx.services["outbox"].notices(customer_id=alice.customer_id)
    assert [(n.kind, n.body) for n in queued] == [(sent[0].kind, sent[0].body)]


def test_explanation_accepted_lifts_the_suspension(api: Api) -> None:
    alice = api.customer()
    inc = suspend(api, alice)
    bearer = {"authorization": f"Bearer {alice.token}"}
    mine = api.client.get("/hoga/v1/incidents", headers=bearer).json()
    assert mine["status"] == "suspended" and [i["id"] for i in mine["incidents"]] == [inc["id"]]
    assert explain(api, inc["id"], "   ", bearer).status_code == 409
    sent = explain(api, inc["id"], "자동매매 설정 오류였습니다", bearer)
    assert sent.status_code == 200 and sent.json()["review"] == "submitted"
    assert explain(api, inc["id"], "again", bearer).status_code == 409
    assert api.client.get("/hoga/v1/incidents").status_code == 401
    assert explain(api, 999, "x", bearer).status_code == 404
    code, done = operator(api, "POST", f"/{inc['id']}/accept")
    assert code == 200 and done["phase"] == "dismissed"
    assert account(api, alice)["return_code"] == 0
    assert token(api, alice)["return_code"] == 0
    code, again = operator(api, "POST", f"/{inc['id']}/accept")
    assert code == 409 and "not_submitted" in again["error"]


def test_deadline_extension_reject_and_one_month_expiry(api: Api) -> None:
    alice = api.customer()
    inc = suspend(api, alice)
    api.ctx.clock.advance(11 * DAY)
    # tokens live 24 h of simulated time: the app key and secret identify the customer too
    creds = {"appkey": alice.appkey, "secretkey": alice.secretkey}
    late = explain(api, inc["id"], "늦었습니다", creds)
    assert late.status_code == 409 and "not_awaiting" in late.json()["error"]
    code, ext = operator(api, "POST", f"/{inc['id']}/extend", {"days": 3})
    assert code == 200 and ext["review"] == "awaiting" and ext["deadline"].startswith("2026-12-10")
    code, err = operator(api, "POST", f"/{inc['id']}/extend", {"deadline": "2026-12-08T00:00:00"})
    assert code == 409 and "deadline_not_later" in err["error"]
    code, ext = operator(api, "POST", f"/{inc['id']}/extend", {"deadline": "2026-12-20T00:00:00"})
    assert code == 200 and ext["review"] == "awaiting" and ext["deadline"].startswith("2026-12-20")
    assert explain(api, inc["id"], "소명합니다", creds).status_code == 200
    code, no = operator(api, "POST", f"/{inc['id']}/reject")
    assert code == 200 and no["review"] == "rejected" and no["phase"] == "in_force"
    assert token(api, alice)["return_code"] != 0
    api.ctx.clock.advance(20 * DAY)  # 2026-12-26 10:00 KST and later: the month is over
    issued = token(api, alice)
    assert issued["return_code"] == 0
    assert api.post(ACNT, "ka00001", {}, token=issued["token"]).json()["return_code"] == 0
    kinds = [n.kind for n in svc(api).notices(alice.customer_id)]
    assert kinds == ["opened", "extended", "extended", "explained", "rejected", "expired"]
    code, listed = operator(api, "GET", "?open=1")
    assert code == 200 and listed == []


def test_detected_storms_escalate_to_termination(api: Api) -> None:
    alice = api.customer()
    ord_no = resting_buy(api, alice)
    query = {"stk_cd": "005930"}
    for n in range(3):
        for _ in range(5):
            api.post(STK, "ka10001", query, token=alice.token)
        incs = svc(api).incidents(alice.customer_id)
        assert len(incs) == n + 1
        assert (
            incs[-1].evidence is not None and incs[-1].evidence.rule == "identical_queries:ka10001"
        )
        assert len(incs[-1].evidence.samples) == 5
        if n < 2:
            assert incs[-1].sanction == "suspend"
            assert svc(api).lift(incs[-1].id) != incs[-1]  # operator lifts; it still counts
            alice.token = token(api, alice)["token"]
    assert incs[-1].sanction == "terminate" and svc(api).status(alice.customer_id) == "terminated"
    # keys and tokens revoked, orders cancelled, the customer told why
    assert token(api, alice)["return_code"] != 0
    assert account(api, alice)["return_code"] != 0
    assert open_orders(api, alice) == []
    last = svc(api).notices(alice.customer_id)[-1]
    assert (
        last.subject == "오픈 API 서비스 이용 해지" and ord_no in last.body and "폐기" in last.body
    )
    # the explanation still goes in, with the (revoked) app key and secret
    creds = {"appkey": alice.appkey, "secretkey": alice.secretkey}
    assert (
        explain(api, incs[-1].id, "x", {"appkey": alice.appkey, "secretkey": "no"}).status_code
        == 401
    )
    assert explain(api, incs[-1].id, "해명", creds).status_code == 200
    code, _back = operator(api, "POST", f"/{incs[-1].id}/accept")
    assert code == 200 and svc(api).status(alice.customer_id) == "active"


def test_regulator_termination_and_operator_api_errors(api: Api) -> None:
    alice = api.customer()
    assert api.client.get("/operator/incidents").status_code == 401
    inc = suspend(api, alice, "terminate")
    assert inc["sanction"] == "terminate" and inc["cause"] == "regulator"
    assert svc(api).status(alice.customer_id) == "terminated"
    code, _err = operator(api, "POST", "", {"customer_id": "nobody", "reason": "x"})
    assert code == 404
    for bad in (
        {"reason": "x"},
        {"customer_id": alice.customer_id, "reason": " "},
        {"customer_id": alice.customer_id, "reason": "x", "action": "ban"},
        {"customer_id": alice.customer_id, "reason": "x", "cause": "whim"},
    ):
        assert operator(api, "POST", "", bad)[0] == 400
    assert operator(api, "GET", "/999")[0] == 404
    assert operator(api, "POST", "/999/lift")[0] == 404
    assert operator(api, "POST", f"/{inc['id']}/extend", {})[0] == 400
    assert operator(api, "POST", "/999/extend", {"days": 1})[0] == 404
    code, lifted = operator(api, "POST", f"/{inc['id']}/lift")
    assert code == 200 and lifted["phase"] == "lifted"
    assert svc(api).status(alice.customer_id) == "active"
    code, notices = operator(api, "GET", f"/notices?customer_id={alice.customer_id}")
    assert [n["kind"] for n in notices] == ["opened", "lifted"]
    assert operator(api, "POST", "/sweep")[0] == 200
