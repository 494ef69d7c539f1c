"""SMS and KakaoTalk AlimTalk through a provider's HTTP API (httpx): ``"sms"``, ``"alimtalk"``.

Korean providers differ in paths and field names but share the shape: an authenticated ``POST``
of JSON naming the sender, the recipient's phone number and the text (AlimTalk: also the Kakao
sender profile key and a template code registered with Kakao in advance, whose text must match
the registered one). hoga speaks that shape to a configurable ``endpoint``:

- headers: ``Authorization: Bearer <api_key>``; with an ``api_secret`` also ``X-Hoga-Timestamp``
  (epoch seconds) and ``X-Hoga-Signature`` = hex HMAC-SHA256(secret, timestamp + "." + body);
  ``Idempotency-Key: notice-<id>-<channel>`` so a retried notice is not sent twice;
- SMS body: ``{"from": sender, "to": phone, "text": body, "subject": subject, "ref": id}``;
  texts over 90 bytes (EUC-KR) are sent as LMS (``"type": "LMS"``), shorter as ``"SMS"``;
- AlimTalk body: ``{"senderKey", "templateCode", "to", "text", "variables": {…}, "ref"}``; a
  notice kind without a template code is a permanent failure (the operator registers one).

Answers: 2xx → delivered (reference: ``id`` / ``messageId`` of a JSON answer, if any); 408,
429 and 5xx → temporary; other 4xx → permanent; no connection / timeout → temporary. Providers
with another shape take a ``payload`` function (``OutboundMessage -> dict``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from hoga.clock import RealClock
from hoga.ports.clock import Clock
from hoga.ports.notifier import DeliveryOutcome, OutboundMessage

__all__ = ["HttpChannel", "HttpProviderConfig", "alimtalk_payload", "sms_payload"]

_SMS_BYTES = 90


@dataclass(frozen=True, slots=True)
class HttpProviderConfig:
    """One provider endpoint. ``sender`` is the registered calling number (SMS) or the Kakao
    sender profile key (AlimTalk); ``templates`` maps notice kinds to AlimTalk template codes."""

    endpoint: str
    api_key: str = ""
    api_secret: str = ""
    sender: str = ""
    templates: Mapping[str, str] = field(default_factory=dict)
    timeout_s: float = 10.0


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def sms_payload(config: HttpProviderConfig, message: OutboundMessage) -> dict[str, Any]:
    """The SMS / LMS request body (see the module docstring)."""
    size = len(message.body.encode("euc-kr", errors="replace"))
    return {
        "type": "SMS" if size <= _SMS_BYTES else "LMS",
        "from": config.sender,
        "to": _digits(message.address),
        "subject": message.subject,
        "text": message.body,
        "ref": str(message.notice_id),
    }


def alimtalk_payload(config: HttpProviderConfig, message: OutboundMessage) -> dict[str, Any]:
    """The AlimTalk request body (raises KeyError for a kind without a template code)."""
    return {
        "senderKey": config.sender,
        "templateCode": config.templates[message.kind],
        "to": _digits(message.address),
        "text": message.body,
        "variables": dict(message.params),
        "ref": str(message.notice_id),
    }


Payload = Callable[[HttpProviderConfig, OutboundMessage], dict[str, Any]]


class HttpChannel:
    """A channel over a provider's HTTP API (``name`` ``"sms"`` or ``"alimtalk"``)."""

    def __init__(
        self,
        name: str,
        config: HttpProviderConfig,
        *,
        payload: Payload | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._name = name
        self.config = config
        self._payload = payload or (alimtalk_payload if name == "alimtalk" else sms_payload)
        self._transport = transport
        self._clock: Clock = clock or RealClock()  # signature timestamps (wall time)

    @property
    def name(self) -> str:
        return self._name

    def headers(self, body: bytes, message: OutboundMessage) -> dict[str, str]:
        cfg = self.config
        out = {
            "content-type": "application/json; charset=utf-8",
            "idempotency-key": f"notice-{message.notice_id}-{self._name}",
        }
        if cfg.api_key:
            out["authorization"] = f"Bearer {cfg.api_key}"
        if cfg.api_secret:
            stamp = str(self._clock.now() // 1_000_000)
            mac = hmac.new(cfg.api_secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
            out["x-hoga-timestamp"] = stamp
            out["x-hoga-signature"] = mac.hexdigest()
        return out

    async def send(self, message: OutboundMessage) -> DeliveryOutcome:
        if not _digits(message.address):
            return DeliveryOutcome.failed("no phone number", permanent=True)
        try:
            doc = self._payload(self.config, message)
        except KeyError as exc:
            return DeliveryOutcome.failed(f"no template for {exc.args[0]!r}", permanent=True)
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            async with httpx.AsyncClient(
                transport=self._transport, timeout=self.config.timeout_s
            ) as client:
                resp = await client.post(
                    self.config.endpoint, content=body, headers=self.headers(body, message)
                )
        except httpx.HTTPError as exc:
            return DeliveryOutcome.failed(f"{type(exc).__name__}: {exc}"[:200])
        status = resp.status_code
        if 200 <= status < 300:
            return DeliveryOutcome.delivered(reference=_reference(resp), detail=str(status))
        temporary = status in (408, 429) or status >= 500
        return DeliveryOutcome.failed(f"HTTP {status}: {resp.text[:120]}", permanent=not temporary)


def _reference(resp: httpx.Response) -> str:
    try:
        doc = resp.json()
    except ValueError:
        return ""
    if isinstance(doc, dict):
        for key in ("messageId", "message_id", "id", "groupId"):
            if key in doc:
                return str(doc[key])[:120]
    return ""
