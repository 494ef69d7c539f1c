"""Email over SMTP (aiosmtplib): the ``"email"`` channel of the outbox.

One connection per message (notices are rare; a pool is not worth its failure modes). The
message is UTF-8 plain text with the Korean subject encoded per RFC 2047; ``Message-ID`` is
derived from the notice id, so a retried notice keeps its id and a mail system can de-duplicate
it. Outcomes: accepted → delivered (reference: the server's reply); a recipient refused with a
5xx code → permanent failure; anything else (no connection, timeout, 4xx, authentication) →
temporary failure, retried by the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from hoga.ports.notifier import DeliveryOutcome, OutboundMessage

__all__ = ["SmtpChannel", "SmtpConfig"]


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to send: ``security`` is ``"none"``, ``"starttls"`` or ``"tls"``."""

    host: str
    port: int = 25
    sender: str = "hoga@localhost"
    username: str = ""
    password: str = ""
    security: str = "none"
    timeout_s: float = 10.0
    domain: str = "hoga.local"  # right-hand side of Message-ID

    def __post_init__(self) -> None:
        if self.security not in ("none", "starttls", "tls"):
            raise ValueError(f"smtp security must be none, starttls or tls: {self.security!r}")


class SmtpChannel:
    """The ``"email"`` channel (see the module docstring)."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    @property
    def name(self) -> str:
        return "email"

    def build(self, message: OutboundMessage) -> EmailMessage:
        """The email for ``message`` (public for tests and previews)."""
        cfg = self.config
        mail = EmailMessage()
        mail["From"] = cfg.sender
        mail["To"] = message.address
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = f"<notice-{message.notice_id}.{message.kind}@{cfg.domain}>"
        mail["X-Hoga-Notice"] = f"{message.notice_id} {message.kind}"
        mail.set_content(message.body, charset="utf-8")
        return mail

    async def send(self, message: OutboundMessage) -> DeliveryOutcome:
        cfg = self.config
        if "@" not in message.address:
            return DeliveryOutcome.failed("no email address", permanent=True)
        try:
            errors, reply = await aiosmtplib.send(
                self.build(message),
                sender=cfg.sender,
                recipients=[message.address],
                hostname=cfg.host,
                port=cfg.port,
                username=cfg.username or None,
                password=cfg.password or None,
                use_tls=cfg.security == "tls",
                start_tls=cfg.security == "starttls",
                timeout=cfg.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            permanent = bool(codes) and all(code >= 500 for code in codes)
            return DeliveryOutcome.failed(f"recipient refused: {codes}", permanent=permanent)
        except aiosmtplib.SMTPResponseException as exc:
            return DeliveryOutcome.failed(f"smtp {exc.code}: {exc.message}"[:200])
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return DeliveryOutcome.failed(f"{type(exc).__name__}: {exc}"[:200])
        if errors:
            return DeliveryOutcome.failed(f"refused: {sorted(errors)}", permanent=True)
        return DeliveryOutcome.delivered(reference=reply.strip()[:200])
