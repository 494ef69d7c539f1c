"""The notification port: telling a customer something (terms art. 4 ⑤, 8 ①, 9 ①, 12, 15, 16).

Two levels, both Protocols:

- :class:`Notifier` — the simple, synchronous hand-off the incident service uses: deliver one
  :class:`Notice` and answer the channel name it went over (recorded with the notice). It must
  not raise for a customer it cannot reach; it answers a channel name that says so (e.g.
  ``"email:undeliverable"``). The outbox (:mod:`hoga.engine.outbox`) is itself a Notifier: it
  accepts the notice durably and answers ``"outbox"``; delivery happens later, with retries.
- :class:`Channel` — one delivery route of the outbox (email over SMTP, SMS and KakaoTalk
  AlimTalk through a provider's HTTP API). ``send`` delivers one :class:`OutboundMessage` to one
  address and answers a :class:`DeliveryOutcome`. A channel that is down, refuses, or times out
  is an *expected* outcome: it is returned (``ok=False``), never raised. ``permanent=True`` says
  a retry cannot help (a rejected address, a missing template); otherwise the outbox retries
  with back-off. ``reference`` is the provider's id of the accepted message, if any.

Channel names are stable codes: ``"email"``, ``"sms"``, ``"alimtalk"`` (:data:`CHANNELS`).

Adapters: ``hoga.adapters.notifier_memory`` (records notices / messages in memory),
``hoga.adapters.notify_smtp`` (email, aiosmtplib), ``hoga.adapters.notify_http`` (SMS and
AlimTalk over a provider's HTTP API, httpx). Every channel passes
``tests/adapters/test_notify_http.py``'s provider contract or the SMTP conversation test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "CHANNELS",
    "Channel",
    "DeliveryOutcome",
    "Notice",
    "Notifier",
    "OutboundMessage",
]

#: The delivery channels the terms name (art. 4 ⑤), by stable code.
CHANNELS: tuple[str, ...] = ("email", "sms", "alimtalk")


@dataclass(frozen=True, slots=True)
class Notice:
    """One message to one customer: ``kind`` is a stable code (``"suspended"``,
    ``"terminated"``, ``"lifted"``, …), ``subject`` and ``body`` are for people (Korean), ``at``
    is epoch µs and ``incident_id`` the incident it is about, if any."""

    customer_id: str
    kind: str
    subject: str
    body: str
    at: int
    incident_id: int | None = None


class Notifier(Protocol):
    """Delivers notices to customers."""

    def send(self, notice: Notice) -> str:
        """Deliver ``notice``; return the channel it went over (never raises for delivery)."""
        ...


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One rendered message for one address of one channel.

    ``address`` is an email address (``"email"``) or a phone number in digits (``"sms"``,
    ``"alimtalk"``). ``kind`` is the notice kind (AlimTalk maps it to a registered template
    code); ``params`` are the template's variables as sorted (name, value) pairs, so providers
    that substitute variables themselves get them too. ``notice_id`` lets a provider de-duplicate
    a retried message.
    """

    channel: str
    address: str
    subject: str
    body: str
    kind: str
    params: tuple[tuple[str, str], ...] = ()
    notice_id: int = 0


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """How one attempt ended: ``ok``; else ``permanent`` (do not retry) and ``detail`` (why,
    short, recorded); ``reference`` is the provider's message id when it gave one."""

    ok: bool
    detail: str = ""
    permanent: bool = False
    reference: str = ""

    @classmethod
    def delivered(cls, reference: str = "", detail: str = "") -> DeliveryOutcome:
        return cls(True, detail, False, reference)

    @classmethod
    def failed(cls, detail: str, *, permanent: bool = False) -> DeliveryOutcome:
        return cls(False, detail, permanent, "")


class Channel(Protocol):
    """One delivery route of the outbox (see the module docstring)."""

    @property
    def name(self) -> str:
        """The channel code (one of :data:`CHANNELS`)."""
        ...

    async def send(self, message: OutboundMessage) -> DeliveryOutcome:
        """Try to deliver ``message`` once; never raises for a delivery failure."""
        ...
