"""Email over a real SMTP conversation: an aiosmtpd server started by the test on a free port."""

from __future__ import annotations

import asyncio
import email
import socket
from collections.abc import Iterator
from email import policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hoga.adapters.notify_smtp import SmtpChannel, SmtpConfig
from hoga.ports.notifier import OutboundMessage


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Recorder:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, _: Any
    ) -> str:
        if address in self.refuse:
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 queued as abc123"


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


MSG = OutboundMessage(
    "email",
    "kim@example.com",
    "[hoga] 서비스 점검 안내",
    "안녕하세요, 김하나 고객님.\n점검이 예정되어 있습니다.",
    "maintenance_scheduled",
    (("scope", "orders"),),
    42,
)


def test_a_notice_is_delivered_over_smtp_in_korean(smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    channel = SmtpChannel(SmtpConfig("127.0.0.1", port, sender="ops@hoga.test", timeout_s=5))
    assert channel.name == "email"
    outcome = asyncio.run(channel.send(MSG))
    assert outcome.ok and "abc123" in outcome.reference
    [env] = recorder.envelopes
    assert env.mail_from == "ops@hoga.test" and env.rcpt_tos == ["kim@example.com"]
    parsed = email.message_from_bytes(env.content, policy=policy.default)
    assert parsed["Subject"] == "[hoga] 서비스 점검 안내"
    assert parsed["Message-ID"] == "<notice-42.maintenance_scheduled@hoga.local>"
    assert "김하나 고객님" in parsed.get_content()  # type: ignore[attr-defined]


def test_a_refused_recipient_is_permanent(smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    recorder.refuse.add("kim@example.com")
    outcome = asyncio.run(SmtpChannel(SmtpConfig("127.0.0.1", port, timeout_s=5)).send(MSG))
    assert not outcome.ok and outcome.permanent and "550" in outcome.detail
    assert recorder.envelopes == []


def test_no_server_is_a_temporary_failure() -> None:
    outcome = asyncio.run(SmtpChannel(SmtpConfig("127.0.0.1", _free_port(), timeout_s=2)).send(MSG))
    assert not outcome.ok and not outcome.permanent


def test_no_address_is_permanent_and_bad_security_is_refused() -> None:
    channel = SmtpChannel(SmtpConfig("127.0.0.1", 1))
    from dataclasses import replace

    outcome = asyncio.run(channel.send(replace(MSG, address="")))
    assert outcome.permanent
    with pytest.raises(ValueError):
        SmtpConfig("h", security="ssl")
