"""Dispatch-level errors: every malformed request gets the documented answer and changes nothing."""

from __future__ import annotations

from _apikit import Api


def test_missing_api_id_is_1501(api: Api) -> None:
    r = api.post("/api/dostk/stkinfo", None, {})
    assert r.status_code == 200
    assert r.json()["return_code"] == 1
    assert "[1501:" in r.json()["return_msg"]


def test_unknown_api_id_is_1505_and_wrong_path_is_1504(api: Api) -> None:
    r = api.post("/api/dostk/stkinfo", "zz99999", {})
    assert "[1505:" in r.json()["return_msg"] and "zz99999" in r.json()["return_msg"]
    r = api.post("/api/dostk/acnt", "ka10001", {"stk_cd": "005930"})
    body = r.json()
    assert "[1504:" in body["return_msg"] and "/api/dostk/acnt" in body["return_msg"]
    assert r.headers["api-id"] == "ka10001"


def test_wrong_path_and_method(api: Api) -> None:
    r = api.client.post("/api/nothing/here", content=b"{}")
    assert r.status_code == 404
    assert isinstance(r.json()["return_code"], int)
    r = api.client.get("/api/dostk/stkinfo")
    assert r.status_code == 405


def test_oversized_body_is_refused_before_reading(api: Api) -> None:
    big = b'{"stk_cd":"' + b"0" * (api.ctx.settings.max_body_bytes + 10) + b'"}'
    r = api.post("/api/dostk/stkinfo", "ka10001", raw=big)
    assert r.status_code == 413
    assert "[1517:" in r.json()["return_msg"]


def test_authorization_header_forms(api: Api) -> None:
    from hoga.api.dispatch import HANDLERS

    if "ka10001" not in HANDLERS:  # the market-data handlers land separately
        return
    r = api.post("/api/dostk/stkinfo", "ka10001", {"stk_cd": "005930"})
    assert "[1513:" in r.json()["return_msg"]
    r = api.post(
        "/api/dostk/stkinfo",
        "ka10001",
        {"stk_cd": "005930"},
        headers={"authorization": "Basic abc"},
    )
    assert "[1515:" in r.json()["return_msg"]
    r = api.post(
        "/api/dostk/stkinfo", "ka10001", {"stk_cd": "005930"}, headers={"authorization": "Bearer"}
    )
    assert "[1516:" in r.json()["return_msg"]
    r = api.post("/api/dostk/stkinfo", "ka10001", {"stk_cd": "005930"}, token="nope")
    assert "[8005:" in r.json()["return_msg"]


def test_operator_routes_need_the_token(api: Api) -> None:
    assert api.client.get("/operator/sim/status").status_code == 401
    r = api.client.get("/operator/sim/status", headers={"authorization": "Bearer op-secret"})
    assert r.status_code == 200
    assert r.json()["mode"] == "always"
    assert r.json()["instruments"] == 40


def test_operator_clock_mode_and_instrument_controls(api: Api) -> None:
    h = {"authorization": "Bearer op-secret"}
    before = api.client.get("/operator/sim/status", headers=h).json()["time_us"]
    r = api.client.post("/operator/sim/clock", json={"advance": 90}, headers=h)
    assert r.json()["time_us"] >= before + 90_000_000
    assert (
        api.client.post("/operator/sim/clock", json={"advance": -1}, headers=h).status_code == 400
    )
    assert api.client.post("/operator/sim/clock", json={}, headers=h).status_code == 400
    r = api.client.post("/operator/sim/clock", json={"set": "2026-11-27T09:30:00"}, headers=h)
    assert r.json()["time"].startswith("2026-11-27T09:30:00")
    code = "005930"
    r = api.client.post(f"/operator/sim/instruments/{code}/halt", headers=h)
    assert r.json()["phase"] == "halted"
    r = api.client.post(f"/operator/sim/instruments/{code}/resume", headers=h)
    assert r.json()["phase"] == "continuous"
    r = api.client.post(
        f"/operator/sim/instruments/{code}/base-price", json={"price": 70_000}, headers=h
    )
    assert r.json()["base_price"] == 70_000 and r.json()["limits"]["upper"] == 91_000
    r = api.client.post(
        f"/operator/sim/instruments/{code}/base-price", json={"price": 70_001}, headers=h
    )
    assert r.status_code == 400
    r = api.client.post(
        f"/operator/sim/instruments/{code}/participants", json={"paused": True}, headers=h
    )
    assert r.json()["participants_paused"] is True
    assert api.client.get("/operator/sim/instruments/999999", headers=h).status_code == 404
    r = api.client.post("/operator/sim/mode", json={"mode": "calendar"}, headers=h)
    assert r.json()["mode"] == "calendar"
    r = api.client.post("/operator/sim/reset", json={"seed": 9}, headers=h)
    assert r.json()["seed"] == 9
