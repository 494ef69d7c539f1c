"""Sources the recorder (:mod:`hoga.engine.records`) pulls into the chain at flush time: the
rows of other tables — the ledger journal, the security record (authentication failures and
actions on keys or by operators), incident notices and outbox notices.

Each source is a *tail*: ``(uow, after) -> rows with a greater id, in id order`` (at most
``TAIL_PAGE`` per flush). The recorder keeps one cursor per tail in ``settings`` under the
:data:`TAILS` key; the mapping's order is the order tails are chained in a flush.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hoga.ports.storage import UnitOfWork

__all__ = ["TAILS", "TAIL_PAGE", "Tail", "Tailed"]

TAIL_PAGE = 500


@dataclass(frozen=True, slots=True)
class Tailed:
    """A row of a chained table: its ``id`` (the tail's cursor), time, record kind, customer
    (or ``account`` to resolve it from) and payload."""

    id: int
    at: int
    kind: str
    payload: dict[str, Any]
    customer_id: str = ""
    account: str = ""


Tail = Callable[[UnitOfWork, int], list[Tailed]]
"""(uow, after) -> the rows with a greater id, in id order."""


def _journal(uow: UnitOfWork, after: int) -> list[Tailed]:
    return [
        Tailed(
            e.entry_id,
            e.at,
            "ledger.entry",
            {
                "entry_id": e.entry_id,
                "ref": e.ref,
                "lines": [[ln.asset, ln.book, ln.amount] for ln in e.lines],
            },
            account=e.account,
        )
        for e in uow.record_log.journal_after(after, TAIL_PAGE)
    ]


def _security(uow: UnitOfWork, after: int) -> list[Tailed]:
    out = []
    for r in uow.security_log.read(after, limit=TAIL_PAGE):
        customer = r.actor_id if r.actor_kind == "customer" else ""
        if not customer and r.appkey:
            key = uow.api_keys.get(r.appkey)
            customer = key.customer_id if key is not None else ""
        payload = {"security_seq": r.seq, "actor": [r.actor_kind, r.actor_id], "ip": r.client_ip}
        payload |= {"appkey": r.appkey, "action": r.action, "outcome": r.outcome}
        kind = "operator.action" if r.actor_kind == "operator" else "security.event"
        out.append(Tailed(r.seq, r.at, kind, payload | {"detail": r.detail}, customer))
    return out


def _incident_notices(uow: UnitOfWork, after: int) -> list[Tailed]:
    return [
        Tailed(
            n.id,
            n.at,
            "notice.incident",
            {"notice_id": n.id, "incident_id": n.incident_id, "kind": n.kind, "subject": n.subject},
            n.customer_id,
        )
        for n in uow.record_log.notices_after(after, TAIL_PAGE)
    ]


def _outbox(uow: UnitOfWork, after: int) -> list[Tailed]:
    return [
        Tailed(
            n.id,
            n.at,
            "notice.outbox",
            {"notice_id": n.id, "kind": n.kind, "subject": n.subject, "ref": n.ref},
            n.customer_id,
        )
        for n in uow.notices.find(after=after, limit=TAIL_PAGE)
    ]


#: cursor setting -> tail; the order is the order tails are chained in a flush.
TAILS: dict[str, Tail] = {
    "records.tail.journal": _journal,
    "records.tail.security": _security,
    "records.tail.incident_notices": _incident_notices,
    "records.tail.outbox": _outbox,
}
