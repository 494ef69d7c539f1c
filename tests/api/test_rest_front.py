"""The REST fast path (hoga.api.app.RestFront) driven as a raw ASGI callable.

Every answer it gives must be the one the Starlette route behind it gives (status, headers,
body); the body cap must hold while a body streams in; chunked bodies are assembled; other
methods, paths and scopes fall through to Starlette; the client address behind a trusted proxy
is the one X-Forwarded-For names, and only then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import pytest
from _apikit import START, make_settings

from hoga.api.app import RestFront, create_app
from hoga.api.context import AppContext
from hoga.bootstrap import build_context
from hoga.clock import ManualClock
from hoga.engine.identity import IdentityService, IssuedToken, NewCustomer
from hoga.policy.access import normalize_allow_list

SAMSUNG = "005930"
STK = "/api/dostk/stkinfo"
LIMIT = 1_000
PROXY = ("10.0.0.2", 40_000)
HOME = "203.0.113.7"
STRANGER = ("192.0.2.66", 40_000)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    receives: int  # how many times the app called receive()
    raw_headers: list[tuple[bytes, bytes]] = field(default_factory=list)

    def json(self) -> Any:
        return msgspec.json.decode(self.body)


def call(
    app: Any,
    path: str,
    headers: dict[str, str],
    chunks: list[bytes] | None = None,
    *,
    method: str = "POST",
    client: tuple[str, int] = ("127.0.0.1", 50_000),
    root_path: str = "",
    disconnect: bool = False,
) -> Answer:
    """One HTTP request through ``app`` with the body delivered as ``chunks``."""
    parts = [b""] if chunks is None else chunks
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": c, "more_body": i < len(parts) - 1}
        for i, c in enumerate(parts)
    ]
    if disconnect:
        messages = [{"type": "http.disconnect"}]
    received = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        received += 1
        if received <= len(messages):
            return messages[received - 1]
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": root_path,
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": client,
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    if not sent:
        return Answer(0, {}, b"", received)
    start = sent[0]
    raw = list(start.get("headers", []))
    hdrs = {k.decode(): v.decode() for k, v in raw}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return Answer(start["status"], hdrs, body, received, raw)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    settings = make_settings(tmp_path, max_body_bytes=LIMIT, trusted_proxies="10.0.0.0/8")
    context = build_context(settings, base_clock=ManualClock(START))
    yield context
    context.storage.close()


@pytest.fixture
def front(ctx: AppContext) -> RestFront:
    return create_app(ctx, run_market=False)


def identity(ctx: AppContext) -> IdentityService:
    svc = ctx.services["identity"]
    assert isinstance(svc, IdentityService)
    return svc


def token_of(ctx: AppContext, made: NewCustomer, client_ip: str = "") -> str:
    issued = identity(ctx).issue_token(made.appkey, made.secretkey, "mock", client_ip)
    assert isinstance(issued, IssuedToken), issued
    return issued.token


def q(token: str | None = None, api_id: str | None = "ka10001", **more: str) -> dict[str, str]:
    h = {"content-type": "application/json;charset=UTF-8", "host": "testserver"}
    if api_id is not None:
        h["api-id"] = api_id
    if token is not None:
        h["authorization"] = f"Bearer {token}"
    return h | more


def body(**values: str) -> bytes:
    return msgspec.json.encode(values)


def test_fast_path_answers_exactly_as_the_starlette_route(
    ctx: AppContext, front: RestFront
) -> None:
    token = token_of(ctx, identity(ctx).create_customer("kim"))
    made = identity(ctx).create_customer("lee")
    creds = body(grant_type="client_credentials", appkey=made.appkey, secretkey="wrong")
    cases: list[tuple[str, dict[str, str], bytes]] = [
        (STK, q(token), body(stk_cd=SAMSUNG)),  # 200, return_code 0
        (STK, q(token), body(stk_cd="A" + SAMSUNG)),
        (STK, q(token, api_id=None), body(stk_cd=SAMSUNG)),  # 1501
        (STK, q(token, api_id="ka99999"), body(stk_cd=SAMSUNG)),  # 1505
        ("/api/dostk/ordr", q(token), body(stk_cd=SAMSUNG)),  # 1504
        ("/api/dostk/nosuch", q(token), body(stk_cd=SAMSUNG)),  # 1504
        (STK, q(token), b"{not json"),  # 1517
        (STK, q(token), b""),  # 1511 stk_cd
        (STK, q(token), body(stk_cd="999999")),  # 1902
        (STK, q(), body(stk_cd=SAMSUNG)),  # 1513
        (STK, q(authorization="Basic abc"), body(stk_cd=SAMSUNG)),  # 1515
        (STK, q("not-a-token"), body(stk_cd=SAMSUNG)),  # 8005
        (STK, q(token, **{"content-length": str(LIMIT + 1)}), b"{}"),  # 413 before reading
        (STK, q(token), b" " * (LIMIT + 1)),  # 413 after reading
        ("/oauth2/token", q(api_id=None), creds),  # 8001-ish refusal
        ("/oauth2/token", q(api_id=None), b"[]"),  # 1517
    ]
    for path, headers, data in cases:
        fast = call(front, path, headers, [data])
        slow = call(front.app, path, headers, [data])
        assert (fast.status, fast.headers, fast.body) == (slow.status, slow.headers, slow.body), (
            path,
            headers.get("api-id"),
            data[:40],
        )
    ok = call(front, STK, q(token), [body(stk_cd=SAMSUNG)])
    assert ok.status == 200 and ok.json()["return_code"] == 0
    assert ok.headers["api-id"] == "ka10001" and ok.headers["cont-yn"] == "N"
    assert ok.headers["content-type"] == "application/json;charset=UTF-8"
    assert ok.headers["content-length"] == str(len(ok.body))
    assert len(ok.raw_headers) == len(ok.headers)  # no header sent twice


def test_a_streamed_body_over_the_cap_is_refused_before_it_is_all_read(
    ctx: AppContext, front: RestFront
) -> None:
    token = token_of(ctx, identity(ctx).create_customer("kim"))
    chunks = [b" " * 400] * 10  # 4,000 bytes, chunked (no content-length)
    r = call(front, STK, q(token), chunks)
    assert r.status == 413 and "[1517:" in r.json()["return_msg"]
    assert r.receives == 3  # 400, 800, 1,200 > 1,000: stops there
    declared = call(front, STK, q(token, **{"content-length": "4000"}), chunks)
    assert declared.status == 413 and declared.receives == 0  # refused from the header alone
    assert declared.body == r.body


def test_a_chunked_body_is_assembled(ctx: AppContext, front: RestFront) -> None:
    token = token_of(ctx, identity(ctx).create_customer("kim"))
    data = body(stk_cd=SAMSUNG)
    r = call(front, STK, q(token), [data[:3], b"", data[3:9], data[9:]])
    assert r.status == 200 and r.json()["return_code"] == 0 and r.json()["stk_cd"] == SAMSUNG
    exact = call(front, STK, q(token), [b" " * (LIMIT - len(data)), data])  # at the cap: fine
    assert exact.status == 200 and exact.json()["stk_cd"] == SAMSUNG


def test_a_client_gone_before_its_body_gets_no_answer(front: RestFront) -> None:
    r = call(front, STK, q("x"), disconnect=True)
    assert r.status == 0 and r.receives == 1


def test_other_methods_paths_and_scopes_go_to_starlette(front: RestFront) -> None:
    get = call(front, STK, q(), method="GET")
    assert get.status == 405 and "[1504:" in get.json()["return_msg"]
    slash = call(front, STK + "/", q(), [body(stk_cd=SAMSUNG)])
    assert slash.status == 307 and slash.headers["location"].endswith(STK)
    bare = call(front, "/api/dostk/", q(), [b"{}"])
    assert bare.status == 404
    deeper = call(front, "/api/dostk/stkinfo/x", q(), [b"{}"])
    assert deeper.status == 404
    health = call(front, "/health", {}, method="GET")
    assert health.status == 200 and health.json()["status"] == "ok"
    # under a root path the Starlette route answers, with the same envelope
    mounted = call(front, "/hoga" + STK, q(api_id=None), [b"{}"], root_path="/hoga")
    assert mounted.status == 200 and "[1501:" in mounted.json()["return_msg"]


def test_the_client_address_is_the_forwarded_one_only_behind_a_trusted_proxy(
    ctx: AppContext, front: RestFront
) -> None:
    made = identity(ctx).create_customer("kim")
    allowed = normalize_allow_list([HOME])
    assert isinstance(allowed, tuple)
    identity(ctx).set_access(made.appkey, allowed, False)
    creds = body(grant_type="client_credentials", appkey=made.appkey, secretkey=made.secretkey)
    xff = {"x-forwarded-for": f"198.51.100.9, {HOME}"}
    via_proxy = call(front, "/oauth2/token", q(api_id=None, **xff), [creds], client=PROXY)
    assert via_proxy.json()["return_code"] == 0
    token = via_proxy.json()["token"]
    spoofed = call(front, "/oauth2/token", q(api_id=None, **xff), [creds], client=STRANGER)
    assert "[8050:" in spoofed.json()["return_msg"]  # X-Forwarded-For from a stranger: ignored
    direct = call(front, "/oauth2/token", q(api_id=None), [creds], client=PROXY)
    assert "[8050:" in direct.json()["return_msg"]  # the proxy itself is not allowed
    ok = call(front, STK, q(token, **xff), [body(stk_cd=SAMSUNG)], client=PROXY)
    assert ok.json()["return_code"] == 0
    refused = call(front, STK, q(token, **xff), [body(stk_cd=SAMSUNG)], client=STRANGER)
    assert "[8050:" in refused.json()["return_msg"]
    # several X-Forwarded-For headers count as one list, as in the middleware
    split = q(token) | {"x-forwarded-for": "198.51.100.9"}
    headers = [(k.encode(), v.encode()) for k, v in split.items()]
    headers.append((b"x-forwarded-for", HOME.encode()))
    both = _raw_call(front, STK, headers, body(stk_cd=SAMSUNG), PROXY)
    assert both["return_code"] == 0


def _raw_call(
    app: Any, path: str, headers: list[tuple[bytes, bytes]], data: bytes, client: Any
) -> Any:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "root_path": "",
        "headers": headers,
        "client": client,
        "query_string": b"",
    }
    asyncio.run(app(scope, receive, send))
    return msgspec.json.decode(sent[1]["body"])
