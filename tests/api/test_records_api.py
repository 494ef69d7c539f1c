"""Records over HTTP (terms art. 14): a customer's export (JSON and CSV, only its own records,
by period), bad input, and the operator's verify / checkpoint / purge / correct, with every
operator POST landing in the chain itself."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from _apikit import Api, Customer, make_settings
from starlette.testclient import TestClient

from hoga.api.app import create_app
from hoga.bootstrap import build_context
from hoga.domain.model import Market
from hoga.engine.records import Recorder, Signer, verify_signature

ORDR = "/api/dostk/ordr"
RECORDS = "/hoga/v1/records"
OP = {"authorization": "Bearer op-secret"}
TODAY = "20261126"


def recorder(api: Api) -> Recorder:
    rec = api.ctx.services["records"]
    assert isinstance(rec, Recorder)
    return rec


def resting_buy(api: Api, who: Customer) -> int:
    """A limit buy 10 ticks under the best bid of a quiet stock (it rests; no fill)."""
    ex = api.ctx.exchange
    state = next(
        s
        for s in sorted(ex.states.values(), key=lambda s: s.code)
        if s.instrument.market is Market.KOSPI
        and not s.instrument.is_fund
        and s.board.stats.best_bid is not None
    )
    ex.pause_participants(state.code)
    bid = state.board.stats.best_bid
    assert bid is not None
    price = bid - 10 * ex.ticks.tick(bid, state.instrument.market, state.board.day)
    body = {"dmst_stex_tp": "KRX", "trde_tp": "0", "cond_uv": "", "stk_cd": state.code}
    body |= {"ord_qty": "1", "ord_uv": str(price)}
    data: dict[str, Any] = api.post(ORDR, "kt10000", body, token=who.token).json()
    assert data["return_code"] == 0, data
    return int(data["ord_no"])


def export(api: Api, who: Customer, query: str) -> Any:
    return api.client.get(f"{RECORDS}?{query}", headers=who.auth)


def chain(api: Api) -> list[dict[str, Any]]:
    """Every record in the store (after a flush), as ``{"seq", "kind", "payload"}``."""
    recorder(api).flush()
    with api.ctx.storage.unit_of_work() as uow:
        rows = uow.record_log.read(0)
    return [{"seq": r.seq, "kind": r.kind, "payload": json.loads(r.payload)} for r in rows]


def order_numbers(rows: list[dict[str, Any]]) -> set[int]:
    return {
        int(r["payload"]["ord_no"])
        for r in rows
        if r["kind"].startswith(("order.", "trade.")) and "ord_no" in (r["payload"] or {})
    }


@pytest.fixture
def two(api: Api) -> tuple[Customer, Customer, int, int]:
    alice, bob = api.customer(), api.customer()
    return alice, bob, resting_buy(api, alice), resting_buy(api, bob)


def test_json_export_has_the_callers_calls_and_orders_and_nobody_elses(
    api: Api, two: tuple[Customer, Customer, int, int]
) -> None:
    alice, bob, alice_order, bob_order = two
    resp = export(api, alice, f"from={TODAY}&to={TODAY}&format=json")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    rows = resp.json()
    assert isinstance(rows, list) and rows
    calls = [c for r in rows if r["kind"] == "api.call" for c in r["payload"]["calls"]]
    assert "kt10000" in {c["api_id"] for c in calls}
    assert {c["appkey"] for c in calls} == {alice.appkey}
    assert alice_order in order_numbers(rows)
    assert bob_order not in order_numbers(rows)
    assert bob.appkey not in json.dumps(rows)
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows)
    assert all(r["time"].startswith("2026-11-26T") for r in rows)

    theirs = export(api, bob, f"from={TODAY}&to={TODAY}").json()  # json is the default
    assert bob_order in order_numbers(theirs)
    assert alice_order not in order_numbers(theirs)
    assert not {r["seq"] for r in rows} & {r["seq"] for r in theirs}


def test_the_period_is_whole_kst_days(api: Api, two: tuple[Customer, ...]) -> None:
    alice = two[0]
    assert isinstance(alice, Customer)
    assert export(api, alice, "from=20261120&to=20261125").json() == []
    assert export(api, alice, "from=20261127&to=20261231").json() == []
    assert export(api, alice, "from=20261101&to=20261126").json()


def test_csv_export_has_a_header_and_the_same_records(
    api: Api, two: tuple[Customer, Customer, int, int]
) -> None:
    alice, bob, alice_order, _ = two
    resp = export(api, alice, f"from={TODAY}&to={TODAY}&format=csv")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(resp.text)))
    assert table[0] == ["seq", "time", "at", "kind", "ref", "payload", "hash"]
    body = table[1:]
    assert body
    as_json = export(api, alice, f"from={TODAY}&to={TODAY}&format=json").json()
    # the JSON export also holds the record of the CSV request itself
    assert [int(r[0]) for r in body] == [r["seq"] for r in as_json][: len(body)]
    assert as_json[len(body)]["payload"]["calls"][0]["api_id"] == "hoga-records"
    orders = [json.loads(r[5]) for r in body if r[3].startswith("order.")]
    assert alice_order in {int(o["ord_no"]) for o in orders}
    assert bob.appkey not in resp.text


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("to=20261126", "from is required"),
        ("from=20261126", "to is required"),
        ("from=2026-11-26&to=20261126", "from must be YYYYMMDD"),
        ("from=20261126&to=2026112", "to must be YYYYMMDD"),
        ("from=20261331&to=20261401", "not a calendar date"),
        ("from=20261127&to=20261126", "to must not be before from"),
        ("from=20261126&to=20261126&format=xml", "format must be 'json' or 'csv'"),
    ],
)
def test_bad_input_is_400_with_a_clear_message(api: Api, query: str, words: str) -> None:
    alice = api.customer()
    resp = export(api, alice, query)
    assert resp.status_code == 400
    assert words in resp.json()["error"]


def test_no_or_bad_token_is_401(api: Api) -> None:
    api.customer()
    resp = api.client.get(f"{RECORDS}?from={TODAY}&to={TODAY}")
    assert resp.status_code == 401
    assert "error" in resp.json()
    resp = api.client.get(
        f"{RECORDS}?from={TODAY}&to={TODAY}", headers={"authorization": "Bearer nope"}
    )
    assert resp.status_code == 401
    # the operator token is not a customer's token
    assert api.client.get(f"{RECORDS}?from={TODAY}&to={TODAY}", headers=OP).status_code == 401


def test_operator_verify_names_an_edited_row(
    api: Api, tmp_path: Path, two: tuple[Customer, ...]
) -> None:
    assert api.client.get("/operator/records/verify").status_code == 401
    clean = api.client.get("/operator/records/verify", headers=OP)
    assert clean.status_code == 200
    report = clean.json()
    assert report["ok"] is True and report["faults"] == []
    target = next(r["seq"] for r in chain(api) if r["kind"] == "api.call")
    with sqlite3.connect(tmp_path / "hoga.db") as conn:
        conn.execute(
            "UPDATE record_log SET payload = replace(payload, '\"status\":200', '\"status\":500') "
            "WHERE seq = ?",
            (target,),
        )
    report = api.client.get("/operator/records/verify", headers=OP).json()
    assert report["ok"] is False
    assert target in {f["seq"] for f in report["faults"]}
    assert all(f["seq"] >= target for f in report["faults"])


def test_verify_refuses_a_malformed_public_key(api: Api) -> None:
    resp = api.client.get("/operator/records/verify?public_key=zz", headers=OP)
    assert resp.status_code == 400
    assert "public_key" in resp.json()["error"]


def test_operator_actions_land_in_the_chain(api: Api) -> None:
    assert api.client.post("/operator/sim/clock", json={"advance": 1}, headers=OP).is_success
    assert api.client.post("/operator/incidents/sweep", headers=OP).is_success
    made = api.client.post("/operator/records/checkpoint", json={"label": "audit"}, headers=OP)
    assert made.status_code == 200
    assert made.json()["checkpoint"]["label"] == "audit"
    refused = api.client.post("/operator/records/purge", headers=OP)
    assert refused.status_code == 409
    assert "signing key" in refused.json()["error"]
    bad = api.client.post("/operator/sim/clock", json={"advance": 1.5}, headers=OP)
    assert bad.status_code == 400
    assert api.client.post("/operator/sim/clock", json={"advance": 1}).status_code == 401

    actions = [r["payload"] for r in chain(api) if r["kind"] == "operator.action"]
    seen = [(a["action"], a["detail"]["status"]) for a in actions]
    assert seen == [
        ("/operator/sim/clock", 200),
        ("/operator/incidents/sweep", 200),
        ("/operator/records/checkpoint", 200),
        ("/operator/records/purge", 409),
        ("/operator/sim/clock", 400),
    ]
    assert actions[0]["detail"]["body"] == {"advance": 1}
    assert actions[0]["detail"]["ip"] == "testclient"  # who (the token holder) and from where
    assert actions[-1]["detail"]["body"] == {"advance": "1.5"}  # floats kept as text
    proofs = api.client.get("/operator/records/proofs?kind=checkpoint", headers=OP).json()
    assert [p["label"] for p in proofs] == ["audit"]
    assert api.client.get("/operator/records/proofs?kind=x", headers=OP).status_code == 400
    # GETs are not actions
    assert api.client.get("/operator/sim/status", headers=OP).is_success
    assert len([r for r in chain(api) if r["kind"] == "operator.action"]) == len(actions)


def test_operator_correction_reaches_the_customers_export(
    api: Api, two: tuple[Customer, ...]
) -> None:
    alice = two[0]
    assert isinstance(alice, Customer)
    original = export(api, alice, f"from={TODAY}&to={TODAY}").json()[0]
    resp = api.client.post(
        f"/operator/records/{original['seq']}/correct",
        json={"reason": "wrong address", "data": {"ip": "203.0.113.9"}},
        headers=OP,
    )
    assert resp.status_code == 200
    made = resp.json()
    assert made["kind"] == "correction" and made["ref"] == original["seq"]
    rows = export(api, alice, f"from={TODAY}&to={TODAY}").json()
    fix = next(r for r in rows if r["seq"] == made["seq"])
    assert fix["ref"] == original["seq"]
    assert fix["payload"]["correction"] == {"ip": "203.0.113.9"}
    missing = api.client.post("/operator/records/999999/correct", json={"reason": "x"}, headers=OP)
    assert missing.status_code == 404
    no_reason = api.client.post(f"/operator/records/{original['seq']}/correct", headers=OP)
    assert no_reason.status_code == 400


def test_purge_with_the_signing_key_answers_a_signed_proof(tmp_path: Path) -> None:
    key = Signer.generate(tmp_path / "records.pem")
    ctx = build_context(make_settings(tmp_path, records_signing_key=str(tmp_path / "records.pem")))
    with TestClient(create_app(ctx, run_market=False)) as client:
        api = Api(ctx, client)
        alice = api.customer()
        resting_buy(api, alice)
        assert chain(api)
        nothing = client.post("/operator/records/purge", headers=OP).json()
        assert nothing == {"shredded": 0, "deleted": 0, "proof": None}
        later = client.post("/operator/records/purge", json={"now": "2038-01-01T00:00"}, headers=OP)
        assert later.status_code == 200
        out = later.json()
        assert out["shredded"] > 0 and out["deleted"] > 0
        proof = out["proof"]
        assert proof["kind"] == "purge"
        assert verify_signature(key.public_hex, proof["body"], proof["signature"])
        pinned = client.get(f"/operator/records/verify?public_key={key.public_hex}", headers=OP)
        assert pinned.json()["ok"] is True
        assert export(api, alice, f"from={TODAY}&to={TODAY}").json() == []  # destroyed
    ctx.storage.close()


def test_operations_and_compliance_operator_actions_land_in_the_chain(api: Api) -> None:
    assert api.client.post("/operator/notices/flush", headers=OP).is_success
    assert api.client.post("/operator/compliance/sweep", headers=OP).is_success
    missing = api.client.post("/operator/compliance/disputes/999/answer", json={}, headers=OP)
    assert missing.status_code >= 400
    assert api.client.post("/operator/notices/flush").status_code == 401  # not recorded

    actions = [r["payload"] for r in chain(api) if r["kind"] == "operator.action"]
    seen = [(a["action"], a["detail"]["status"]) for a in actions]
    assert seen == [
        ("/operator/notices/flush", 200),
        ("/operator/compliance/sweep", 200),
        ("/operator/compliance/disputes/999/answer", missing.status_code),
    ]
