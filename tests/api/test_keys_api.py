"""The customer's key-management API (/hoga/v1/keys) and ``hoga admin key …``: several keys,
rotation, revocation, access settings, isolation between customers, and the records written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from _apikit import START, Api, Customer, make_settings
from starlette.testclient import TestClient
from typer.testing import CliRunner

from hoga.api.app import create_app
from hoga.bootstrap import build_context
from hoga.cli.admin import app as admin_app
from hoga.clock import ManualClock

BASE = "/hoga/v1/keys"
IP = "198.51.100.23"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    ctx = build_context(make_settings(tmp_path), base_clock=ManualClock(START))
    with TestClient(create_app(ctx, run_market=False), client=(IP, 50_000)) as client:
        yield Api(ctx, client)
    ctx.storage.close()


def call(api: Api, who: Customer | str, method: str, path: str = "", body: Any = None) -> Any:
    token = who if isinstance(who, str) else who.token
    data = b"" if body is None else msgspec.json.encode(body)
    return api.client.request(
        method, BASE + path, content=data, headers={"authorization": f"Bearer {token}"}
    )


def token(api: Api, appkey: str, secretkey: str) -> Any:
    body = {"grant_type": "client_credentials", "appkey": appkey, "secretkey": secretkey}
    return api.post("/oauth2/token", None, body).json()


def works(api: Api, tok: str) -> bool:
    return bool(api.post("/api/dostk/acnt", "ka00001", {}, token=tok).json()["return_code"] == 0)


def test_key_lifecycle_over_http(api: Api) -> None:
    kim = api.customer()
    listed = call(api, kim, "GET").json()
    assert listed["return_code"] == 0
    assert [k["appkey"] for k in listed["keys"]] == [kim.appkey]

    added = call(api, kim, "POST")
    assert added.status_code == 201
    k2, s2 = added.json()["appkey"], added.json()["secretkey"]
    t2 = token(api, k2, s2)["token"]
    assert works(api, kim.token) and works(api, t2)  # both keys work
    assert api.post("/api/dostk/acnt", "ka00001", {}, token=t2).json()["acctNo"] == kim.account

    rotated = call(api, kim, "POST", f"/{k2}/rotate").json()
    s2b = rotated["secretkey"]
    assert rotated["appkey"] == k2 and s2b != s2
    assert "[8001:" in token(api, k2, s2)["return_msg"]  # old secret fails at once
    assert token(api, k2, s2b)["token"] == t2  # tokens live on after a plain rotation

    one = call(api, kim, "GET", f"/{k2}").json()["key"]
    assert one["appkey"] == k2 and one["revoked_at"] is None and one["env"] == "mock"

    assert call(api, kim, "POST", f"/{k2}/revoke").json()["return_code"] == 0
    assert not works(api, t2)  # its tokens are dead at once
    assert "[8002:" in token(api, k2, s2b)["return_msg"]
    assert works(api, kim.token)
    keys = {k["appkey"]: k for k in call(api, kim, "GET").json()["keys"]}
    assert keys[k2]["revoked_at"] is not None and keys[kim.appkey]["revoked_at"] is None
    assert call(api, kim, "POST", f"/{k2}/rotate").status_code == 409


def test_rotation_can_end_tokens(api: Api) -> None:
    kim = api.customer()
    out = call(api, kim, "POST", f"/{kim.appkey}/rotate", {"revoke_tokens": True}).json()
    assert out["return_code"] == 0 and not works(api, kim.token)
    assert token(api, kim.appkey, out["secretkey"])["return_code"] == 0


def test_access_settings_over_http(api: Api) -> None:
    kim = api.customer()
    body = {"allowed_ips": ["198.51.100.0/24", "2001:db8::/32"], "bind_token_ip": True}
    out = call(api, kim, "PUT", f"/{kim.appkey}/access", body).json()
    assert out["key"]["allowed_ips"] == ["198.51.100.0/24", "2001:db8::/32"]
    assert out["key"]["bind_token_ip"] is True
    assert works(api, kim.token)  # the caller is inside the list
    fence = {"allowed_ips": ["203.0.113.0/24"]}
    assert call(api, kim, "PUT", f"/{kim.appkey}/access", fence).json()["return_code"] == 0
    assert "[8050:" in call(api, kim, "GET").json()["return_msg"]  # locked itself out, at once


@pytest.mark.parametrize(
    "body",
    [
        {"allowed_ips": ["nope"]},
        {"allowed_ips": "198.51.100.1"},
        {"allowed_ips": [f"10.0.0.{i}" for i in range(11)]},
        {"bind_token_ip": "yes"},
        [1, 2],
    ],
)
def test_bad_access_bodies_are_1517(api: Api, body: Any) -> None:
    kim = api.customer()
    resp = call(api, kim, "PUT", f"/{kim.appkey}/access", body)
    assert resp.status_code == 400 and "[1517:" in resp.json()["return_msg"]
    key = call(api, kim, "GET", f"/{kim.appkey}").json()["key"]
    assert key["allowed_ips"] == [] and key["bind_token_ip"] is False  # nothing changed


def test_bad_json_and_rotate_flag(api: Api) -> None:
    kim = api.customer()
    h = {"authorization": f"Bearer {kim.token}"}
    resp = api.client.post(f"{BASE}/{kim.appkey}/rotate", content=b"{", headers=h)
    assert resp.status_code == 400
    resp = call(api, kim, "POST", f"/{kim.appkey}/rotate", {"revoke_tokens": 1})
    assert resp.status_code == 400
    big = {"allowed_ips": ["1.1.1.1"] * 1000}
    assert call(api, kim, "PUT", f"/{kim.appkey}/access", big).status_code == 413


def test_customers_touch_only_their_own_keys(api: Api) -> None:
    kim, lee = api.customer(), api.customer()
    for method, path in (
        ("GET", f"/{lee.appkey}"),
        ("POST", f"/{lee.appkey}/rotate"),
        ("POST", f"/{lee.appkey}/revoke"),
        ("PUT", f"/{lee.appkey}/access"),
        ("GET", "/not-a-key"),
    ):
        resp = call(api, kim, method, path, {} if method == "PUT" else None)
        assert resp.status_code == 404, (method, path)
    assert works(api, lee.token)
    assert [k["appkey"] for k in call(api, kim, "GET").json()["keys"]] == [kim.appkey]


def test_authentication_errors(api: Api) -> None:
    assert "[1513:" in api.client.get(BASE).json()["return_msg"]
    assert "[8005:" in call(api, "bogus", "GET").json()["return_msg"]


def test_key_limit_is_409(api: Api) -> None:
    kim = api.customer()
    for _ in range(9):
        assert call(api, kim, "POST").status_code == 201
    resp = call(api, kim, "POST")
    assert resp.status_code == 409 and "at most 10" in resp.json()["return_msg"]


def test_customer_actions_are_recorded_with_address(api: Api) -> None:
    kim = api.customer()
    k2 = call(api, kim, "POST").json()["appkey"]
    call(api, kim, "POST", f"/{k2}/rotate")
    call(api, kim, "PUT", f"/{k2}/access", {"allowed_ips": ["198.51.100.0/24"]})
    call(api, kim, "POST", f"/{k2}/revoke")
    with api.ctx.storage.unit_of_work() as uow:
        rows = uow.security_log.read(actor_id=kim.customer_id)
    assert [(r.action, r.appkey, r.client_ip, r.actor_kind) for r in rows] == [
        ("key.add", k2, IP, "customer"),
        ("key.rotate", k2, IP, "customer"),
        ("key.access", k2, IP, "customer"),
        ("key.revoke", k2, IP, "customer"),
    ]
    assert "198.51.100.0/24" in rows[2].detail


# --- hoga admin key … ------------------------------------------------------------------------


def admin(db: str, *args: str) -> Any:
    return CliRunner().invoke(admin_app, [*args, "--db", db])


def test_admin_key_commands_and_records(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'admin.db'}"
    made = json.loads(
        admin(db, "customer", "create", "--name", "kim", "--json", "--actor", "ops1").stdout
    )
    cid = made["customer_id"]
    added = admin(db, "key", "add", cid, "--json", "--actor", "ops1")
    assert added.exit_code == 0
    k2 = json.loads(added.stdout)["appkey"]
    rotated = admin(db, "key", "rotate", k2, "--json", "--revoke-tokens", "--actor", "ops1")
    assert json.loads(rotated.stdout)["appkey"] == k2
    set_ = admin(db, "key", "access", k2, "--allow", "2001:db8::/48", "--allow", "203.0.113.7")
    assert set_.exit_code == 0, set_.output
    bind = admin(db, "key", "access", k2, "--bind", "--json", "--actor", "ops1")
    assert json.loads(bind.stdout)["allowed_ips"] == ["203.0.113.7/32", "2001:db8::/48"]
    assert json.loads(bind.stdout)["bind_token_ip"] is True  # the list was kept
    assert admin(db, "key", "access", k2, "--allow", "10.0.0.1/8").exit_code != 0
    cleared = json.loads(admin(db, "key", "access", k2, "--clear", "--json").stdout)
    assert cleared["allowed_ips"] == [] and cleared["bind_token_ip"] is True
    keys = json.loads(admin(db, "key", "list", cid, "--json").stdout)
    assert {k["appkey"] for k in keys} == {made["appkey"], k2}
    assert admin(db, "key", "revoke", k2, "--actor", "ops1").exit_code == 0
    assert admin(db, "key", "rotate", k2).exit_code == 1
    assert admin(db, "key", "rotate", "nope").exit_code == 1
    assert admin(db, "key", "access", "nope").exit_code == 1
    assert admin(db, "key", "add", "C99999999").exit_code == 1
    table = admin(db, "key", "list", cid)
    assert table.exit_code == 0 and k2[:10] in table.stdout
    log = json.loads(admin(db, "key", "log", "--json", "--actor", "ops1").stdout)
    assert [(r["actor_kind"], r["action"]) for r in log] == [
        ("operator", "customer.create"),
        ("operator", "key.add"),
        ("operator", "key.rotate"),
        ("operator", "key.access"),
        ("operator", "key.revoke"),
    ]
    everything = json.loads(admin(db, "key", "log", "--json", "--appkey", k2).stdout)
    actions = [r["action"] for r in everything]  # --allow and --clear by the OS user
    assert actions == ["key.add", "key.rotate", *["key.access"] * 3, "key.revoke"]
    assert all(r["actor_kind"] == "operator" and r["actor_id"] for r in everything)
    assert admin(db, "key", "log").exit_code == 0
