"""OAuth over HTTP: au10001 issue, au10002 revoke, ka00001, environments and stored secrets."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _apikit import START, Api, make_settings
from starlette.testclient import TestClient

from hoga.api.app import create_app
from hoga.bootstrap import build_context, demo_customer
from hoga.clock import ManualClock
from hoga.engine.identity import IdentityService, NewCustomer

HOUR = 3_600 * 1_000_000
OK = "정상적으로 처리되었습니다"
REAL = {"host": "real.local"}


@pytest.fixture
def wall() -> ManualClock:
    """The wall clock of the app under test: it times the rate limits and how long a verified
    token is trusted without a storage check; it moves only when a test moves it."""
    return ManualClock(START)


@pytest.fixture
def api(tmp_path: Path, wall: ManualClock) -> Iterator[Api]:
    """Overrides the shared fixture: mock on the default host, real on ``real.local``."""
    settings = make_settings(tmp_path, environments={"": "mock", "real.local": "real"})
    ctx = build_context(settings, base_clock=wall)
    with TestClient(create_app(ctx, run_market=False)) as client:
        yield Api(ctx, client)
    ctx.storage.close()


@dataclass
class OAuth:
    """Calls a well-behaved client makes. It waits a second of wall time before each OAuth call
    (token calls are rate limited per app key on the wall clock); queries do not move the wall,
    so a test can watch what happens while it stands still."""

    api: Api
    wall: ManualClock

    def token(self, appkey: Any, secretkey: Any, **over: Any) -> Any:
        body = {"grant_type": "client_credentials", "appkey": appkey, "secretkey": secretkey}
        headers = over.pop("headers", None)
        body.update(over)
        self.wall.advance(1_000_000)
        sent = {k: v for k, v in body.items() if v is not None}
        return self.api.post("/oauth2/token", None, sent, headers=headers)

    def revoke(self, appkey: str, secretkey: str, token: str, **kw: Any) -> Any:
        body = {"appkey": appkey, "secretkey": secretkey, "token": token}
        self.wall.advance(1_000_000)
        return self.api.post("/oauth2/revoke", None, body, **kw)

    def account(self, token: str, **kw: Any) -> Any:
        return self.api.post("/api/dostk/acnt", "ka00001", {}, token=token, **kw).json()


@pytest.fixture
def oa(api: Api, wall: ManualClock) -> OAuth:
    return OAuth(api, wall)


def identity(api: Api) -> IdentityService:
    service = api.ctx.services["identity"]
    assert isinstance(service, IdentityService)
    return service


def code(resp: Any) -> str | None:
    m = re.search(r"\[(\d{4})[:\]]", resp.json()["return_msg"])
    return m.group(1) if m else None


# --- au10001 --------------------------------------------------------------------------------


def test_issue_body_has_the_documented_shape(api: Api, oa: OAuth) -> None:
    c = api.customer()
    r = oa.token(c.appkey, c.secretkey)
    assert r.status_code == 200
    assert r.headers["api-id"] == "au10001"
    assert r.headers["content-type"] == "application/json;charset=UTF-8"
    body = r.json()
    assert list(body) == ["expires_dt", "token_type", "token", "return_code", "return_msg"]
    assert r.content.startswith(b'{"expires_dt":"20261127100000","token_type":"bearer","token":"')
    assert r.content.endswith(f'"return_code":0,"return_msg":"{OK}"}}'.encode())
    assert re.fullmatch(r"[A-Za-z0-9_-]{86}", body["token"])
    assert body["return_code"] == 0 and isinstance(body["return_code"], int)
    assert oa.account(body["token"])["acctNo"] == c.account


def test_same_token_while_valid_then_a_new_one(api: Api, oa: OAuth) -> None:
    c = api.customer()
    first = oa.token(c.appkey, c.secretkey).json()
    assert first["token"] == c.token
    api.ctx.clock.advance(24 * HOUR - 1_000_000)
    again = oa.token(c.appkey, c.secretkey).json()
    assert (again["token"], again["expires_dt"]) == (first["token"], first["expires_dt"])
    assert oa.account(c.token)["return_code"] == 0
    api.ctx.clock.advance(1_000_000)  # exactly 24 h after issue: expired
    gone = oa.account(c.token)
    assert gone["return_code"] == 3 and "[8005:" in gone["return_msg"]
    fresh = oa.token(c.appkey, c.secretkey).json()
    assert fresh["token"] != c.token
    assert fresh["expires_dt"] == "20261128100000"
    assert oa.account(fresh["token"])["acctNo"] == c.account


def test_wrong_or_unknown_credentials_are_8001(api: Api, oa: OAuth) -> None:
    c = api.customer()
    for appkey, secret in ((c.appkey, c.secretkey + "x"), ("nosuchkey", c.secretkey)):
        r = oa.token(appkey, secret)
        assert r.status_code == 200
        assert r.json() == {
            "return_code": 3,
            "return_msg": "인증에 실패했습니다[8001:App Key와 Secret Key 검증에 실패했습니다]",
        }
    other = api.customer()
    assert code(oa.token(c.appkey, other.secretkey)) == "8001"


def test_missing_fields_and_wrong_grant_type(api: Api, oa: OAuth) -> None:
    c = api.customer()
    assert code(oa.token(c.appkey, c.secretkey, grant_type=None)) == "8011"
    assert code(oa.token(c.appkey, c.secretkey, grant_type="")) == "8011"
    assert code(oa.token(c.appkey, c.secretkey, grant_type="password")) == "8012"
    assert code(oa.token(None, c.secretkey)) == "8020"
    assert code(oa.token(c.appkey, None)) == "8020"
    assert code(oa.token(" ", c.secretkey)) == "8020"
    assert code(api.post("/oauth2/token", None, raw=b"")) == "8011"
    # tolerated: case of grant_type, surrounding blanks
    ok = oa.token(f" {c.appkey} ", c.secretkey, grant_type="Client_Credentials")
    assert ok.json()["token"] == c.token


def test_malformed_json_and_wrong_types(api: Api, oa: OAuth) -> None:
    c = api.customer()
    for raw in (b"{not json", b"[]", b'"text"'):
        r = api.post("/oauth2/token", None, raw=raw)
        assert r.status_code == 200
        assert r.json()["return_code"] == 2
        assert "[1517:" in r.json()["return_msg"] and "body" in r.json()["return_msg"]
    r = oa.token(c.appkey, ["list"])
    assert code(r) == "1517" and "secretkey" in r.json()["return_msg"]
    assert code(oa.token(c.appkey, c.secretkey, grant_type=True)) == "1517"
    assert code(oa.token(12345, c.secretkey)) == "8001"  # a number reads as its text


def test_oauth_paths_ignore_api_id_and_authorization(api: Api, oa: OAuth) -> None:
    c = api.customer()
    r = api.post(
        "/oauth2/token",
        "ka10001",
        {"grant_type": "client_credentials", "appkey": c.appkey, "secretkey": c.secretkey},
        token="garbage",
    )
    assert r.json()["token"] == c.token


# --- au10002 --------------------------------------------------------------------------------


def test_revoke_ends_the_token_at_once(api: Api, oa: OAuth) -> None:
    c = api.customer()
    assert oa.account(c.token)["return_code"] == 0  # now in the verification cache
    r = oa.revoke(c.appkey, c.secretkey, c.token)
    assert r.content == f'{{"return_code":0,"return_msg":"{OK}"}}'.encode()
    assert r.headers["api-id"] == "au10002"
    after = oa.account(c.token)
    assert after == {
        "return_code": 3,
        "return_msg": "인증에 실패했습니다[8005:Token이 유효하지 않습니다]",
    }
    assert oa.revoke(c.appkey, c.secretkey, c.token).json()["return_code"] == 0  # idempotent
    fresh = oa.token(c.appkey, c.secretkey).json()["token"]
    assert fresh != c.token
    assert oa.account(fresh)["acctNo"] == c.account


def test_revoke_refusals(api: Api, oa: OAuth) -> None:
    a, b = api.customer(), api.customer()
    assert code(oa.revoke(a.appkey, "wrong", a.token)) == "8001"
    r = oa.revoke(a.appkey, a.secretkey, b.token)  # someone else's token
    assert code(r) == "8015"
    assert oa.account(b.token)["return_code"] == 0
    assert code(oa.revoke(a.appkey, a.secretkey, "no-such-token")) == "8015"
    r = api.post("/oauth2/revoke", None, {"appkey": a.appkey, "secretkey": a.secretkey})
    assert code(r) == "8016"
    r = api.post("/oauth2/revoke", None, {"appkey": a.appkey, "token": a.token})
    assert code(r) == "8020"
    assert oa.account(a.token)["return_code"] == 0


def test_revoked_key_refuses_issue_and_ends_its_tokens(api: Api, oa: OAuth) -> None:
    c = api.customer()
    assert oa.account(c.token)["return_code"] == 0
    assert identity(api).revoke_key(c.appkey)
    assert "[8005:" in oa.account(c.token)["return_msg"]
    r = oa.token(c.appkey, c.secretkey)
    assert code(r) == "8002" and "폐기된 App Key" in r.json()["return_msg"]


# --- ka00001 and isolation ------------------------------------------------------------------


def test_account_number_is_the_tokens_own(api: Api, oa: OAuth) -> None:
    a, b = api.customer(), api.customer()
    assert a.account != b.account
    for c in (a, b):
        body = oa.account(c.token)
        assert body == {"acctNo": c.account, "return_code": 0, "return_msg": OK}
        assert re.fullmatch(r"\d{10}", body["acctNo"]) and body["acctNo"].endswith("11")
    r = api.post("/api/dostk/acnt", "ka00001", {})
    assert code(r) == "1513"
    assert "[8005:" in oa.account(a.token + "x")["return_msg"]


# --- environments ---------------------------------------------------------------------------


def _real_customer(api: Api, oa: OAuth) -> tuple[NewCustomer, str]:
    made = identity(api).create_customer(name="real1", env="real", cash=1_000)
    r = oa.token(made.appkey, made.secretkey, headers=REAL)
    assert r.json()["return_code"] == 0
    return made, r.json()["token"]


def test_environments_do_not_mix(api: Api, oa: OAuth) -> None:
    mock = api.customer()
    real, real_token = _real_customer(api, oa)
    assert real.account.startswith("5") and mock.account.startswith("8")
    r = oa.token(mock.appkey, mock.secretkey, headers=REAL)
    assert r.json() == {
        "return_code": 3,
        "return_msg": "인증에 실패했습니다"
        "[8030:투자구분(실전/모의)이 달라서 Appkey를 사용할수가 없습니다]",
    }
    assert code(oa.token(real.appkey, real.secretkey)) == "8030"
    assert "[8031:" in oa.account(real_token)["return_msg"]
    assert "[8031:" in oa.account(mock.token, headers=REAL)["return_msg"]
    assert oa.account(real_token, headers=REAL)["acctNo"] == real.account
    assert oa.account(mock.token)["acctNo"] == mock.account
    r = oa.revoke(real.appkey, real.secretkey, real_token)
    assert code(r) == "8030"
    assert (
        oa.revoke(real.appkey, real.secretkey, real_token, headers=REAL).json()["return_code"] == 0
    )


def test_suspension_and_outside_revocation_apply_within_a_second(
    api: Api, oa: OAuth, wall: ManualClock
) -> None:
    a, b = api.customer(), api.customer()
    assert oa.account(a.token)["return_code"] == 0
    assert oa.account(b.token)["return_code"] == 0
    with api.ctx.storage.unit_of_work() as uow:  # as the policy layer or another process would
        uow.customers.set_status(a.customer_id, "suspended")
        uow.api_keys.revoke(b.appkey, START)
        uow.tokens.revoke_all(b.appkey, START)
    assert oa.account(a.token)["return_code"] == 0  # trusted from the cache for now
    wall.advance(1_000_001)
    r = oa.account(a.token)
    assert r["return_code"] == 3 and "[8103:" in r["return_msg"] and "suspended" in r["return_msg"]
    assert "[8005:" in oa.account(b.token)["return_msg"]
    assert code(oa.token(a.appkey, a.secretkey)) == "8002"
    assert code(oa.token(b.appkey, b.secretkey)) == "8002"


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


def test_demo_banner_rows_work(api: Api, oa: OAuth) -> None:
    for _ in range(2):  # a second start rotates the key; the rows must still work
        rows = demo_customer(api.ctx)
        token = oa.token(rows["demo app key"], rows["demo secret key"]).json()["token"]
        assert oa.account(token)["acctNo"] == rows["demo account"]
