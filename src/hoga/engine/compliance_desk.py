"""What every compliance workflow shares: recording each step and notifying customers.

A :class:`Desk` appends each step to the compliance log (``uow.compliance.append_log``) and, when
a records service runs (``services["records"]``, the hash-chained record of terms art. 14), to
that record too. Notices to customers go through :func:`notify_customer`: the outbox
(``services["outbox"]``, durable with retries) when it runs, else the notifier port directly; the
channel it answered is logged with the notice (``"failed"`` if sending raised — a broken channel
never undoes the step it reports). Notices to the operator (reminders, escalations) are logged
with channel ``"operator"`` and written to the process log at WARNING.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from hoga.domain.kst import kst_datetime
from hoga.ports.clock import Clock
from hoga.ports.notifier import Notice, Notifier
from hoga.ports.storage import Storage

__all__ = ["OPERATOR_CHANNEL", "Desk", "notify_customer", "when"]

log = logging.getLogger(__name__)

OPERATOR_CHANNEL = "operator"


def when(t: int | None) -> str:
    """``YYYY-MM-DD HH:MM KST`` of an epoch-µs instant (``-`` for none)."""
    return "-" if t is None else kst_datetime(t).strftime("%Y-%m-%d %H:%M KST")


def notify_customer(services: Mapping[str, Any], notifier: Notifier, notice: Notice) -> str:
    """Send ``notice`` through the outbox if one runs, else the notifier; the channel used."""
    outbox = services.get("outbox")
    sender = outbox if outbox is not None and hasattr(outbox, "send") else notifier
    try:
        return str(sender.send(notice))
    except Exception:  # the step stands; the log says the notice failed
        log.exception("notice %s to %s failed", notice.kind, notice.customer_id)
        return "failed"


class Desk:
    """Step recording and notices for the compliance services (see the module docstring)."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        notifier: Notifier,
        services: Mapping[str, Any] | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.notifier = notifier
        self.services: Mapping[str, Any] = services if services is not None else {}

    def step(
        self, topic: str, ref: str, customer_id: str | None, event: str, detail: str = ""
    ) -> None:
        """Record one step of a workflow (compliance log, and the records service if any)."""
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            uow.compliance.append_log(now, topic, ref, customer_id, event, detail)
        self._record(topic, ref, customer_id, {"event": event, "detail": detail})

    def notify(
        self, customer_id: str, topic: str, ref: str, kind: str, subject: str, body: str
    ) -> str:
        """Send a notice to a customer and log it with the channel it went over."""
        now = self.clock.now()
        channel = notify_customer(
            self.services, self.notifier, Notice(customer_id, kind, subject, body, now)
        )
        with self.storage.unit_of_work() as uow:
            uow.compliance.append_log(
                now, topic, ref, customer_id, f"notice:{kind}", f"{subject}\n{body}", channel
            )
        self._record(topic, ref, customer_id, {"event": f"notice:{kind}", "channel": channel})
        return channel

    def tell_operator(
        self, topic: str, ref: str, customer_id: str | None, kind: str, text: str
    ) -> None:
        """A notice for the operator: logged (channel ``operator``) and written to the log."""
        log.warning("%s %s: %s", topic, ref, text)
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            uow.compliance.append_log(
                now, topic, ref, customer_id, f"notice:{kind}", text, OPERATOR_CHANNEL
            )
        self._record(
            topic, ref, customer_id, {"event": f"notice:{kind}", "channel": OPERATOR_CHANNEL}
        )

    def _record(
        self, topic: str, ref: str, customer_id: str | None, payload: dict[str, str]
    ) -> None:
        """Hand the step to the records service (``record(kind, payload, customer_id=…)``)."""
        records = self.services.get("records")
        if records is None:
            return
        try:
            records.record(
                f"compliance.{topic}", {"ref": ref, **payload}, customer_id=customer_id or ""
            )
        except Exception:  # the compliance log already holds the step
            log.exception("records service refused compliance step %s %s", topic, ref)
