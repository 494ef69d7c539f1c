"""IP allow-lists (8050), token binding (8010) and the client address over HTTP and WebSocket.

The client address comes from the ASGI scope: Starlette's TestClient lets a test choose it
(``client=(host, port)``). Behind a trusted proxy it comes from ``X-Forwarded-For``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from _apikit import START, make_settings
from starlette.testclient import TestClient

from hoga.api.app import create_app
from hoga.api.context import AppContext
from hoga.bootstrap import build_context
from hoga.clock import ManualClock
from hoga.engine.identity import IdentityService, NewCustomer
from hoga.policy.access import normalize_allow_list

HOME = "203.0.113.7"
OFFICE6 = "2001:db8:10::5"
STRANGER = "192.0.2.66"
PROXY = "10.0.0.2"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    settings = make_settings(tmp_path, trusted_proxies="10.0.0.0/8")
    context = build_context(settings, base_clock=ManualClock(START))
    yield context
    context.storage.close()


def client(ctx: AppContext, host: str) -> TestClient:
    return TestClient(create_app(ctx, run_market=False), client=(host, 40_000))


def identity(ctx: AppContext) -> IdentityService:
    svc = ctx.services["identity"]
    assert isinstance(svc, IdentityService)
    return svc


def customer(ctx: AppContext, allowed: list[str], bind: bool = False) -> NewCustomer:
    made = identity(ctx).create_customer("kim")
    norm = normalize_allow_list(allowed)
    assert isinstance(norm, tuple)
    identity(ctx).set_access(made.appkey, norm, bind)
    return made


def token_call(c: TestClient, made: NewCustomer, **headers: str) -> Any:
    body = {"grant_type": "client_credentials", "appkey": made.appkey, "secretkey": made.secretkey}
    return c.post("/oauth2/token", content=msgspec.json.encode(body), headers=headers).json()


def account_call(c: TestClient, token: str, **headers: str) -> Any:
    h = {"api-id": "ka00001", "authorization": f"Bearer {token}", **headers}
    return c.post("/api/dostk/acnt", content=b"{}", headers=h).json()


def code_of(body: Any) -> str:
    msg = body["return_msg"]
    return msg[msg.index("[") + 1 : msg.index(":")] if "[" in msg else str(body["return_code"])


def test_allow_list_of_ipv4_and_ipv6_networks_at_issue(ctx: AppContext) -> None:
    made = customer(ctx, ["203.0.113.0/24", "2001:db8:10::/48"])
    for host in (HOME, OFFICE6, "::ffff:203.0.113.200"):
        with client(ctx, host) as c:
            assert token_call(c, made)["return_code"] == 0, host
    for host in (STRANGER, "2001:db8:11::1", "testclient"):
        with client(ctx, host) as c:
            body = token_call(c, made)
        assert code_of(body) == "8050" and body["return_code"] == 3, host
        assert "지정단말기 인증에 실패했습니다" in body["return_msg"]


def test_allow_list_applies_to_calls_with_an_existing_token_at_once(ctx: AppContext) -> None:
    made = identity(ctx).create_customer("kim")
    with client(ctx, STRANGER) as c:
        token = token_call(c, made)["token"]
        assert account_call(c, token)["return_code"] == 0
        identity(ctx).set_access(made.appkey, ("203.0.113.0/24",), False)
        assert code_of(account_call(c, token)) == "8050"
    with client(ctx, HOME) as c:
        assert account_call(c, token)["return_code"] == 0


def test_revoke_from_outside_the_list_is_8050(ctx: AppContext) -> None:
    made = customer(ctx, ["203.0.113.0/24"])
    with client(ctx, HOME) as c:
        token = token_call(c, made)["token"]
    body = {"appkey": made.appkey, "secretkey": made.secretkey, "token": token}
    with client(ctx, STRANGER) as c:
        out = c.post("/oauth2/revoke", content=msgspec.json.encode(body)).json()
    assert code_of(out) == "8050"


def test_token_bound_to_its_issuing_ip_is_8010_elsewhere(ctx: AppContext) -> None:
    made = customer(ctx, [], bind=True)
    with client(ctx, HOME) as c:
        token = token_call(c, made)["token"]
        assert account_call(c, token)["return_code"] == 0
    with client(ctx, "203.0.113.8") as c:
        body = account_call(c, token)
        assert code_of(body) == "8010"
        assert "Token을 발급받은 IP와 서비스를 요청한 IP가 동일하지 않습니다" in body["return_msg"]
        other = token_call(c, made)["token"]  # a token of its own works here
        assert other != token and account_call(c, other)["return_code"] == 0
    identity(ctx).set_access(made.appkey, (), False)
    with client(ctx, "203.0.113.8") as c:
        assert account_call(c, token)["return_code"] == 0  # binding off: released at once


def test_websocket_login_checks_the_address_too(ctx: AppContext) -> None:
    made = customer(ctx, [], bind=True)
    with client(ctx, HOME) as c:
        token = token_call(c, made)["token"]
    with client(ctx, STRANGER) as c, c.websocket_connect("/api/dostk/websocket") as ws:
        ws.send_text(msgspec.json.encode({"trnm": "LOGIN", "token": token}).decode())
        reply = ws.receive_json()
    assert reply["trnm"] == "LOGIN" and reply["return_code"] != 0
    assert "8010" in reply["return_msg"]


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(ctx: AppContext) -> None:
    made = customer(ctx, ["203.0.113.0/24"])
    with client(ctx, STRANGER) as c:  # not a proxy of ours: the header is a lie
        assert code_of(token_call(c, made, **{"x-forwarded-for": HOME})) == "8050"
    with client(ctx, PROXY) as c:  # our proxy: the header names the client
        assert token_call(c, made, **{"x-forwarded-for": HOME})["return_code"] == 0
        spoofed = f"{HOME}, {STRANGER}"  # the proxy appended the real peer
        assert code_of(token_call(c, made, **{"x-forwarded-for": spoofed})) == "8050"
    with ctx.storage.unit_of_work() as uow:
        ips = [r.client_ip for r in uow.security_log.read(appkey=made.appkey)]
    assert ips == [STRANGER, STRANGER]


def test_without_trusted_proxies_the_header_is_never_read(tmp_path: Path) -> None:
    ctx = build_context(make_settings(tmp_path), base_clock=ManualClock(START))
    try:
        made = customer(ctx, ["203.0.113.0/24"])
        with client(ctx, PROXY) as c:
            assert code_of(token_call(c, made, **{"x-forwarded-for": HOME})) == "8050"
    finally:
        ctx.storage.close()


def test_refused_calls_are_recorded_with_customer_and_address(ctx: AppContext) -> None:
    made = customer(ctx, [], bind=True)
    with client(ctx, HOME) as c:
        token = token_call(c, made)["token"]
    with client(ctx, STRANGER) as c:
        account_call(c, token)
        account_call(c, "not-a-token")
    with ctx.storage.unit_of_work() as uow:
        rows = uow.security_log.read()
    assert [(r.actor_kind, r.actor_id, r.appkey, r.client_ip, r.action) for r in rows] == [
        ("customer", made.customer_id, made.appkey, STRANGER, "token.use"),
        ("anonymous", "", "", STRANGER, "token.use"),
    ]
    assert rows[1].detail == "token_invalid" and token not in repr(rows)
