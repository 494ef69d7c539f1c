"""OAuth over HTTP: au10001 issue, au10002 revoke, ka00001, environments and stored secrets."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _apikit import START, Api, make_settings
from starlette.testclient import TestClient

from hoga.api.app import create_app
from hoga.bootstrap import build_context
from hoga.clock import ManualClock
from hoga.engine.identity import IdentityService, NewCustomer

HOUR = 3_600 * 1_000_000
OK = "정상적으로 처리되었습니다"
REAL = {"host": "real.local"}


@pytest.fixture
def envs(tmp_path: Path) -> Iterator[tuple[Api, ManualClock]]:
    """An app serving mock on the default host and real on ``real.local``, with a wall clock
    the test moves (it bounds how long a verified token is trusted without a storage check)."""
    wall = ManualClock(START)
    settings = make_settings(tmp_path, environments={"": "mock", "real.local": "real"})
    ctx = build_context(settings, base_clock=wall)
    with TestClient(create_app(ctx, run_market=False)) as client:
        yield Api(ctx, client), wall
    ctx.storage.close()


def identity(api: Api) -> IdentityService:
    service = api.ctx.services["identity"]
    assert isinstance(service, IdentityService)
    return service


def token_req(api: Api, appkey: Any, secretkey: Any, **over: Any) -> Any:
    body = {"grant_type": "client_credentials", "appkey": appkey, "secretkey": secretkey}
    headers = over.pop("headers", None)
    body.update(over)
    return api.post(
        "/oauth2/token", None, {k: v for k, v in body.items() if v is not None}, headers=headers
    )


def revoke_req(api: Api, appkey: str, secretkey: str, token: str, **kw: Any) -> Any:
    body = {"appkey": appkey, "secretkey": secretkey, "token": token}
    return api.post("/oauth2/revoke", None, body, **kw)


def account_of(api: Api, token: str, **kw: Any) -> Any:
    return api.post("/api/dostk/acnt", "ka00001", {}, token=token, **kw).json()


def code(resp: Any) -> str | None:
    m = re.search(r"\[(\d{4})[:\]]", resp.json()["return_msg"])
    return m.group(1) if m else None


# --- au10001 --------------------------------------------------------------------------------


def test_issue_body_has_the_documented_shape(api: Api) -> None:
    c = api.customer()
    r = token_req(api, c.appkey, c.secretkey)
    assert r.status_code == 200
    assert r.headers["api-id"] == "au10001"
    assert r.headers["content-type"] == "application/json;charset=UTF-8"
    body = r.json()
    assert list(body) == ["expires_dt", "token_type", "token", "return_code", "return_msg"]
    assert r.content.startswith(b'{"expires_dt":"20261127100000","token_type":"bearer","token":"')
    assert r.content.endswith(f'"return_code":0,"return_msg":"{OK}"}}'.encode())
    assert re.fullmatch(r"[A-Za-z0-9_-]{86}", body["token"])
    assert body["return_code"] == 0 and isinstance(body["return_code"], int)
    assert account_of(api, body["token"])["acctNo"] == c.account


def test_same_token_while_valid_then_a_new_one(api: Api) -> None:
    c = api.customer()
    first = token_req(api, c.appkey, c.secretkey).json()
    assert first["token"] == c.token
    api.ctx.clock.advance(24 * HOUR - 1_000_000)
    again = token_req(api, c.appkey, c.secretkey).json()
    assert (again["token"], again["expires_dt"]) == (first["token"], first["expires_dt"])
    assert account_of(api, c.token)["return_code"] == 0
    api.ctx.clock.advance(1_000_000)  # exactly 24 h after issue: expired
    gone = account_of(api, c.token)
    assert gone["return_code"] == 3 and "[8005:" in gone["return_msg"]
    fresh = token_req(api, c.appkey, c.secretkey).json()
    assert fresh["token"] != c.token
    assert fresh["expires_dt"] == "20261128100000"
    assert account_of(api, fresh["token"])["acctNo"] == c.account


def test_wrong_or_unknown_credentials_are_8001(api: Api) -> None:
    c = api.customer()
    for appkey, secret in ((c.appkey, c.secretkey + "x"), ("nosuchkey", c.secretkey)):
        r = token_req(api, appkey, secret)
        assert r.status_code == 200
        assert r.json() == {
            "return_code": 3,
            "return_msg": "인증에 실패했습니다[8001:App Key와 Secret Key 검증에 실패했습니다]",
        }
    other = api.customer()
    assert code(token_req(api, c.appkey, other.secretkey)) == "8001"


def test_missing_fields_and_wrong_grant_type(api: Api) -> None:
    c = api.customer()
    assert code(token_req(api, c.appkey, c.secretkey, grant_type=None)) == "8011"
    assert code(token_req(api, c.appkey, c.secretkey, grant_type="")) == "8011"
    assert code(token_req(api, c.appkey, c.secretkey, grant_type="password")) == "8012"
    assert code(token_req(api, None, c.secretkey)) == "8020"
    assert code(token_req(api, c.appkey, None)) == "8020"
    assert code(token_req(api, " ", c.secretkey)) == "8020"
    assert code(api.post("/oauth2/token", None, raw=b"")) == "8011"
    # tolerated: case of grant_type, surrounding blanks
    ok = token_req(api, f" {c.appkey} ", c.secretkey, grant_type="Client_Credentials")
    assert ok.json()["token"] == c.token


def test_malformed_json_and_wrong_types(api: Api) -> None:
    c = api.customer()
    for raw in (b"{not json", b"[]", b'"text"'):
        r = api.post("/oauth2/token", None, raw=raw)
        assert r.status_code == 200
        assert r.json()["return_code"] == 2
        assert "[1517:" in r.json()["return_msg"] and "body" in r.json()["return_msg"]
    r = token_req(api, c.appkey, ["list"])
    assert code(r) == "1517" and "secretkey" in r.json()["return_msg"]
    assert code(token_req(api, c.appkey, c.secretkey, grant_type=True)) == "1517"
    assert code(token_req(api, 12345, c.secretkey)) == "8001"  # a number reads as its text


def test_oauth_paths_ignore_api_id_and_authorization(api: Api) -> None:
    c = api.customer()
    r = api.post(
        "/oauth2/token",
        "ka10001",
        {"grant_type": "client_credentials", "appkey": c.appkey, "secretkey": c.secretkey},
        token="garbage",
    )
    assert r.json()["token"] == c.token


# --- au10002 --------------------------------------------------------------------------------


def test_revoke_ends_the_token_at_once(api: Api) -> None:
    c = api.customer()
    assert account_of(api, c.token)["return_code"] == 0  # now in the verification cache
    r = revoke_req(api, c.appkey, c.secretkey, c.token)
    assert r.content == f'{{"return_code":0,"return_msg":"{OK}"}}'.encode()
    assert r.headers["api-id"] == "au10002"
    after = account_of(api, c.token)
    assert after == {
        "return_code": 3,
        "return_msg": "인증에 실패했습니다[8005:Token이 유효하지 않습니다]",
    }
    assert revoke_req(api, c.appkey, c.secretkey, c.token).json()["return_code"] == 0  # idempotent
    fresh = token_req(api, c.appkey, c.secretkey).json()["token"]
    assert fresh != c.token
    assert account_of(api, fresh)["acctNo"] == c.account


def test_revoke_refusals(api: Api) -> None:
    a, b = api.customer(), api.customer()
    assert code(revoke_req(api, a.appkey, "wrong", a.token)) == "8001"
    r = revoke_req(api, a.appkey, a.secretkey, b.token)  # someone else's token
    assert code(r) == "8015"
    assert account_of(api, b.token)["return_code"] == 0
    assert code(revoke_req(api, a.appkey, a.secretkey, "no-such-token")) == "8015"
    r = api.post("/oauth2/revoke", None, {"appkey": a.appkey, "secretkey": a.secretkey})
    assert code(r) == "8016"
    r = api.post("/oauth2/revoke", None, {"appkey": a.appkey, "token": a.token})
    assert code(r) == "8020"
    assert account_of(api, a.token)["return_code"] == 0


def test_revoked_key_refuses_issue_and_ends_its_tokens(api: Api) -> None:
    c = api.customer()
    assert account_of(api, c.token)["return_code"] == 0
    assert identity(api).revoke_key(c.appkey)
    assert "[8005:" in account_of(api, c.token)["return_msg"]
    r = token_req(api, c.appkey, c.secretkey)
    assert code(r) == "8002" and "폐기된 App Key" in r.json()["return_msg"]


# --- ka00001 and isolation ------------------------------------------------------------------


def test_account_number_is_the_tokens_own(api: Api) -> None:
    a, b = api.customer(), api.customer()
    assert a.account != b.account
    for c in (a, b):
        body = account_of(api, c.token)
        assert body == {"acctNo": c.account, "return_code": 0, "return_msg": OK}
        assert re.fullmatch(r"\d{10}", body["acctNo"]) and body["acctNo"].endswith("11")
    r = api.post("/api/dostk/acnt", "ka00001", {})
    assert code(r) == "1513"
    assert "[8005:" in account_of(api, a.token + "x")["return_msg"]


# --- environments ---------------------------------------------------------------------------


def _real_customer(api: Api) -> tuple[NewCustomer, str]:
    made = identity(api).create_customer(name="real1", env="real", cash=1_000)
    r = token_req(api, made.appkey, made.secretkey, headers=REAL)
    assert r.json()["return_code"] == 0
    return made, r.json()["token"]


def test_environments_do_not_mix(envs: tuple[Api, ManualClock]) -> None:
    api, _ = envs
    mock = api.customer()
    real, real_token = _real_customer(api)
    assert real.account.startswith("5") and mock.account.startswith("8")
    r = token_req(api, mock.appkey, mock.secretkey, headers=REAL)
    assert r.json() == {
        "return_code": 3,
        "return_msg": "인증에 실패했습니다"
        "[8030:투자구분(실전/모의)이 달라서 Appkey를 사용할수가 없습니다]",
    }
    assert code(token_req(api, real.appkey, real.secretkey)) == "8030"
    assert "[8031:" in account_of(api, real_token)["return_msg"]
    assert "[8031:" in account_of(api, mock.token, headers=REAL)["return_msg"]
    assert account_of(api, real_token, headers=REAL)["acctNo"] == real.account
    assert account_of(api, mock.token)["acctNo"] == mock.account
    r = revoke_req(api, real.appkey, real.secretkey, real_token)
    assert code(r) == "8030"
    assert (
        revoke_req(api, real.appkey, real.secretkey, real_token, headers=REAL).json()["return_code"]
        == 0
    )


def test_suspension_and_outside_revocation_apply_within_a_second(
    envs: tuple[Api, ManualClock],
) -> None:
    api, wall = envs
    a, b = api.customer(), api.customer()
    assert account_of(api, a.token)["return_code"] == 0
    assert account_of(api, b.token)["return_code"] == 0
    with api.ctx.storage.unit_of_work() as uow:  # as the policy layer or another process would
        uow.customers.set_status(a.customer_id, "suspended")
        uow.api_keys.revoke(b.appkey, START)
        uow.tokens.revoke_all(b.appkey, START)
    assert account_of(api, a.token)["return_code"] == 0  # trusted from the cache for now
    wall.advance(1_000_001)
    r = account_of(api, a.token)
    assert r["return_code"] == 3 and "[8103:" in r["return_msg"] and "suspended" in r["return_msg"]
    assert "[8005:" in account_of(api, b.token)["return_msg"]
    assert code(token_req(api, a.appkey, a.secretkey)) == "8002"
    assert code(token_req(api, b.appkey, b.secretkey)) == "8002"


# --- storage --------------------------------------------------------------------------------


def test_secrets_and_tokens_are_never_stored_in_plaintext(api: Api, tmp_path: Path) -> None:
    c = api.customer()
    db = sqlite3.connect(tmp_path / "hoga.db")
    try:
        (stored,) = db.execute(
            "select secret_hash from api_keys where appkey = ?", (c.appkey,)
        ).fetchone()
        hashes = [h for (h,) in db.execute("select token_hash from tokens")]
    finally:
        db.close()
    assert stored.startswith("scrypt$16384$8$1$") and c.secretkey not in stored
    assert hashes == [hashlib.sha256(c.token.encode()).hexdigest()]
    for f in tmp_path.iterdir():  # database, WAL and shared-memory files
        if f.name.startswith("hoga.db"):
            data = f.read_bytes()
            assert c.secretkey.encode() not in data
            assert c.token.encode() not in data
