"""The notification port: telling a customer something (terms art. 4 ⑤, 8 ①, 9 ①).

The terms name KakaoTalk AlimTalk, email and SMS as channels. A :class:`Notifier` delivers one
:class:`Notice` over whatever channel it implements and answers the channel's name (recorded with
the notice). Delivery is best effort and synchronous; a notifier must not raise for a customer
it cannot reach — it answers a channel name that says so (e.g. ``"email:undeliverable"``). The
caller records every notice durably with the channel it answered (``"failed"`` if it raised).

Adapters: ``hoga.adapters.notifier_memory`` (records notices in memory; the default until a real
channel exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Notice", "Notifier"]


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
