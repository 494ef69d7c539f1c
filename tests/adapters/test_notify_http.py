"""SMS and AlimTalk against a local HTTP provider started by the test (records every request).

The provider contract (run for both channels): a 2xx answer is a delivery with the provider's
message id; 5xx / 429 are temporary; other 4xx are permanent; no server is temporary; every
request carries the bearer key, an idempotency key and, with a secret, a valid HMAC signature.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hoga.adapters.notify_http import HttpChannel, HttpProviderConfig
from hoga.clock import ManualClock
from hoga.ports.notifier import OutboundMessage


@dataclass
class Provider:
    url: str
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200
    answer: dict[str, Any] = field(default_factory=lambda: {"messageId": "M-1"})


@pytest.fixture
def provider() -> Iterator[Provider]:
    state: dict[str, Provider] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            p = state["p"]
            p.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            data = json.dumps(p.answer).encode()
            self.send_response(p.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["p"] = Provider(f"http://127.0.0.1:{server.server_address[1]}/v1/send")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["p"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


MSG = OutboundMessage(
    "sms",
    "010-1234-5678",
    "[hoga] 점검 안내",
    "점검 안내",
    "maintenance_scheduled",
    (("scope", "orders"), ("starts_at", "2026-11-27 02:00")),
    7,
)
CLOCK = ManualClock(1_800_000_000_000_000)


def _channel(name: str, provider: Provider, **over: Any) -> HttpChannel:
    config = HttpProviderConfig(
        provider.url,
        api_key="key-1",
        api_secret="s3cret",
        sender="0215880000" if name == "sms" else "KAKAO-PROFILE",
        templates={"maintenance_scheduled": "HOGA_MAINT_01"},
        timeout_s=5,
    )
    return HttpChannel(name, replace(config, **over), clock=CLOCK)


@pytest.mark.parametrize("name", ["sms", "alimtalk"])
def test_provider_contract(provider: Provider, name: str) -> None:
    channel = _channel(name, provider)
    assert channel.name == name
    msg = replace(MSG, channel=name)
    outcome = asyncio.run(channel.send(msg))
    assert outcome.ok and outcome.reference == "M-1"
    path, headers, body = provider.requests[-1]
    assert path == "/v1/send"
    assert headers["authorization"] == "Bearer key-1"
    assert headers["idempotency-key"] == f"notice-7-{name}"
    stamp = headers["x-hoga-timestamp"]
    assert stamp == "1800000000"
    expected = hmac.new(b"s3cret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["x-hoga-signature"] == expected
    doc = json.loads(body)
    assert doc["to"] == "01012345678" and doc["ref"] == "7"
    for status, permanent in ((503, False), (429, False), (400, True), (401, True)):
        provider.status = status
        out = asyncio.run(channel.send(msg))
        assert not out.ok and out.permanent is permanent, status
    provider.status = 200
    provider.answer = {"ok": True}
    assert asyncio.run(channel.send(msg)) == asyncio.run(channel.send(msg))  # no reference
    assert asyncio.run(channel.send(replace(msg, address="없음"))).permanent


def test_sms_and_alimtalk_bodies(provider: Provider) -> None:
    asyncio.run(_channel("sms", provider).send(MSG))
    sms = json.loads(provider.requests[-1][2])
    assert sms == {
        "type": "SMS",
        "from": "0215880000",
        "to": "01012345678",
        "subject": "[hoga] 점검 안내",
        "text": "점검 안내",
        "ref": "7",
    }
    asyncio.run(_channel("sms", provider).send(replace(MSG, body="가" * 46)))
    assert json.loads(provider.requests[-1][2])["type"] == "LMS"  # 92 bytes in EUC-KR
    asyncio.run(_channel("alimtalk", provider).send(replace(MSG, channel="alimtalk")))
    talk = json.loads(provider.requests[-1][2])
    assert talk["senderKey"] == "KAKAO-PROFILE" and talk["templateCode"] == "HOGA_MAINT_01"
    assert talk["variables"] == {"scope": "orders", "starts_at": "2026-11-27 02:00"}
    count = len(provider.requests)
    out = asyncio.run(_channel("alimtalk", provider).send(replace(MSG, kind="service_change")))
    assert out.permanent and "no template" in out.detail
    assert len(provider.requests) == count  # nothing sent without a template


def test_no_secret_no_signature_and_no_server_is_temporary(provider: Provider) -> None:
    asyncio.run(_channel("sms", provider, api_secret="", api_key="").send(MSG))
    headers = provider.requests[-1][1]
    assert "x-hoga-signature" not in headers and "authorization" not in headers
    gone = _channel("sms", provider, endpoint="http://127.0.0.1:9/none", timeout_s=2)
    out = asyncio.run(gone.send(MSG))
    assert not out.ok and not out.permanent
    provider.answer = []  # type: ignore[assignment]
    assert asyncio.run(_channel("sms", provider).send(MSG)).reference == ""
