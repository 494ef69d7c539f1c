"""Maintenance windows and service-change announcements (terms art. 4 ④⑤, 12, 16).

A **window** closes part of the service for a span of application time (``starts_at <= t <
ends_at``). Its scope is a tuple of entries (:func:`parse_scope`):

- ``all`` — every REST api-id (OAuth included) and the WebSocket;
- ``orders`` — the order api-ids (``kt10000``…, credit orders too);
- ``oauth`` — token issue and revocation (au10001 / au10002);
- ``websocket`` — LOGIN and REG on ``/api/dostk/websocket``;
- ``path:/api/dostk/<category>`` — one category path; ``api:<api-id>`` — one api-id.

What a closed call answers is decided at the boundary (:mod:`hoga.policy.maintenance`).

**Notices.** A *scheduled* window must start at least ``min_notice_us`` (24 h) after it is
created; every customer who is not terminated gets the announcement at once and a reminder
``reminder_us`` (1 h) before the start (when the announcement came earlier than that). Calling
off a window that has not started notifies those who were told. An *emergency* window starts at
once (or when given) with no advance notice — the terms allow that for the unforeseeable — and
when it ends (by its end time or :meth:`MaintenanceService.end`) every customer gets the
after-the-fact report. Notices go through the :class:`~hoga.engine.outbox.Outbox`.

**Service changes** (new or retired api-ids, changed limits) are announced with the date they
take effect (in the future) and sent to every customer at once; they stay listed.

**Time.** Application (simulated) time, like incidents. :meth:`tick` does the due work (reminders,
reports) and is cheap to call on every request; the open windows are cached and reloaded at least
every ``refresh_us`` of wall time, so windows created by another process apply within that bound.
Expected refusals are :class:`Refused` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from hoga.domain.kst import kst_datetime
from hoga.engine.outbox import Outbox
from hoga.ports.clock import Clock
from hoga.ports.storage import MaintenanceWindow, ServiceChange, Storage, UnitOfWork
from hoga.wire import catalog

__all__ = [
    "CHANGE_KINDS",
    "MaintenancePolicy",
    "MaintenanceService",
    "Refused",
    "parse_scope",
    "scope_text",
]

CHANGE_KINDS = {
    "api_added": "API 신규 제공",
    "api_retired": "API 제공 종료",
    "limit_changed": "이용 한도 변경",
    "other": "기타 변경",
}
_WORDS = {
    "all": "전체 서비스",
    "orders": "주문",
    "oauth": "접근토큰",
    "websocket": "실시간(WebSocket)",
}
_HOUR = 3_600_000_000


@dataclass(frozen=True, slots=True)
class MaintenancePolicy:
    """Notice lead times and the cache refresh (``Settings.maintenance_*``)."""

    min_notice_us: int = 24 * _HOUR
    reminder_us: int = _HOUR
    refresh_us: int = 1_000_000


@dataclass(frozen=True, slots=True)
class Refused:
    """An operator request that was refused, and why (an expected outcome)."""

    reason: str


def parse_scope(entries: Sequence[str]) -> tuple[str, ...] | Refused:
    """Normalized scope entries (see the module docstring), or why they are not valid."""
    out: list[str] = []
    for raw in entries:
        entry = raw.strip()
        kind, _, arg = entry.partition(":")
        if entry in _WORDS:
            pass
        elif kind == "path" and arg.rstrip("/") in catalog.PATHS:
            entry = f"path:{arg.rstrip('/')}"
        elif kind == "api" and catalog.spec_for(arg.lower()) is not None:
            entry = f"api:{arg.lower()}"
        else:
            return Refused(
                f"unknown scope entry {raw!r} (all, orders, oauth, websocket, "
                "path:/api/dostk/<category>, api:<api-id>)"
            )
        if entry not in out:
            out.append(entry)
    if not out:
        return Refused("a window needs a scope")
    return tuple(out)


def scope_text(scope: Sequence[str]) -> str:
    """The scope in Korean for notices and error messages."""
    return ", ".join(_WORDS.get(e, e.partition(":")[2]) for e in scope)


def _when(t: int) -> str:
    return kst_datetime(t).strftime("%Y-%m-%d %H:%M KST")


def _params(w: MaintenanceWindow) -> dict[str, str]:
    return {
        "starts_at": _when(w.starts_at),
        "ends_at": _when(w.ends_at),
        "scope": scope_text(w.scope),
        "reason": w.reason,
        "window_id": str(w.id),
    }


class MaintenanceService:
    """See the module docstring."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        outbox: Outbox,
        *,
        policy: MaintenancePolicy | None = None,
        wall: Clock | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.wall = wall or clock
        self.outbox = outbox
        self.policy = policy or MaintenancePolicy()
        self._cache: list[MaintenanceWindow] = []
        self._loaded: int | None = None
        self._next_due: int | None = None

    # -- windows -------------------------------------------------------------------------

    def schedule(
        self,
        scope: Sequence[str],
        starts_at: int,
        ends_at: int,
        reason: str,
        *,
        actor: str = "operator",
    ) -> MaintenanceWindow | Refused:
        """A scheduled window, announced to every customer now."""
        now = self.clock.now()
        parsed = parse_scope(scope)
        if isinstance(parsed, Refused):
            return parsed
        if starts_at < now + self.policy.min_notice_us:
            hours = self.policy.min_notice_us / _HOUR
            return Refused(
                f"a scheduled window must be announced at least {hours:g} h ahead; "
                "use an emergency window for the unforeseeable"
            )
        if ends_at <= starts_at:
            return Refused("a window must end after it starts")
        with self.storage.unit_of_work() as uow:
            w = uow.operations.add_window(
                "scheduled", parsed, starts_at, ends_at, reason, now, actor
            )
            self.outbox.broadcast(
                "maintenance_scheduled", _params(w), ref=f"maintenance:{w.id}", uow=uow
            )
            w = uow.operations.update_window(replace(w, announced_at=now))
        self._changed()
        return w

    def emergency(
        self,
        scope: Sequence[str],
        ends_at: int,
        reason: str,
        *,
        actor: str = "operator",
        starts_at: int | None = None,
    ) -> MaintenanceWindow | Refused:
        """An emergency window from now (or ``starts_at``); reported after it ends."""
        now = self.clock.now()
        start = now if starts_at is None else starts_at
        parsed = parse_scope(scope)
        if isinstance(parsed, Refused):
            return parsed
        if ends_at <= max(start, now):
            return Refused("a window must end after it starts (and in the future)")
        with self.storage.unit_of_work() as uow:
            w = uow.operations.add_window("emergency", parsed, start, ends_at, reason, now, actor)
        self._changed()
        return w

    def end(self, window_id: int) -> MaintenanceWindow | Refused:
        """End a window that is in force now (its report, if emergency, goes out at once)."""
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            w = uow.operations.window(window_id)
            if w is None:
                return Refused(f"no maintenance window {window_id}")
            if w.cancelled_at is not None or not w.starts_at <= now < w.ends_at:
                return Refused("only a window in force can be ended; cancel a future one")
            if now > w.starts_at:
                w = uow.operations.update_window(replace(w, ends_at=now))
            else:  # ended at its first instant: it never closed anything
                w = uow.operations.update_window(replace(w, ends_at=now + 1, cancelled_at=now))
        self._changed()
        self.tick()
        return self.window(window_id) or w

    def cancel(self, window_id: int) -> MaintenanceWindow | Refused:
        """Call off a window that has not started (those told are told it is off)."""
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            w = uow.operations.window(window_id)
            if w is None:
                return Refused(f"no maintenance window {window_id}")
            if w.cancelled_at is not None or w.starts_at <= now:
                return Refused("only a window that has not started can be cancelled")
            w = uow.operations.update_window(replace(w, cancelled_at=now))
            if w.announced_at is not None:
                told = sorted({n.customer_id for n in uow.notices.find(ref=f"maintenance:{w.id}")})
                self.outbox.broadcast(
                    "maintenance_cancelled",
                    _params(w),
                    ref=f"maintenance:{w.id}",
                    customers=told,
                    uow=uow,
                )
        self._changed()
        return w

    def window(self, window_id: int) -> MaintenanceWindow | None:
        with self.storage.unit_of_work() as uow:
            return uow.operations.window(window_id)

    def windows(self, *, current: bool = False) -> list[MaintenanceWindow]:
        """All windows, or (``current``) those not over and not cancelled, by start."""
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            found = uow.operations.windows(ending_after=now if current else None)
        return [w for w in found if not (current and w.cancelled_at is not None)]

    def active(self, *, wall: int | None = None, now: int | None = None) -> list[MaintenanceWindow]:
        """Windows in force now (cached; see the module docstring). ``wall`` / ``now``: the
        caller's reading of the wall clock / simulated time, when it has one."""
        if now is None:
            now = self.clock.now()
        self.tick(wall=wall, now=now)
        cache = self._cache
        if not cache:
            return []
        return [w for w in cache if w.starts_at <= now < w.ends_at]

    # -- time-driven work ------------------------------------------------------------------

    def tick(self, *, wall: int | None = None, now: int | None = None) -> None:
        """Reload when stale and send due reminders / reports."""
        if wall is None:
            wall = self.wall.now()
        if now is None:
            now = self.clock.now()
        stale = self._loaded is None or wall - self._loaded >= self.policy.refresh_us
        due = self._next_due is not None and now >= self._next_due
        if not (stale or due):
            return
        sent = False
        with self.storage.unit_of_work(read_only=not due) as uow:  # a reload only reads
            if due:
                sent = self._due_notices(uow, now)
            self._load(uow, now)
        self._loaded = wall
        if sent:
            self.outbox.kick()

    def _due_notices(self, uow: UnitOfWork, now: int) -> bool:
        sent = False
        for w in uow.operations.windows(ending_after=now - 366 * 24 * _HOUR):
            if w.cancelled_at is not None:
                continue
            ref = f"maintenance:{w.id}"
            remind = self._reminder_at(w)
            if remind is not None and now >= remind:
                if now < w.starts_at:  # a reminder after the start would say nothing new
                    self.outbox.broadcast("maintenance_reminder", _params(w), ref=ref, uow=uow)
                    sent = True
                uow.operations.update_window(replace(w, reminded_at=now))
            elif w.kind == "emergency" and w.reported_at is None and now >= w.ends_at:
                self.outbox.broadcast("maintenance_emergency", _params(w), ref=ref, uow=uow)
                uow.operations.update_window(replace(w, reported_at=now))
                sent = True
        return sent

    def _reminder_at(self, w: MaintenanceWindow) -> int | None:
        at = w.starts_at - self.policy.reminder_us
        if w.kind != "scheduled" or w.reminded_at is not None or w.announced_at is None:
            return None
        if w.announced_at >= at or w.cancelled_at is not None:
            return None
        return at

    def _load(self, uow: UnitOfWork, now: int) -> None:
        live = [w for w in uow.operations.windows() if w.cancelled_at is None]
        self._cache = [w for w in live if w.ends_at > now]
        dues = [t for w in live if (t := self._reminder_at(w)) is not None]
        dues += [w.ends_at for w in live if w.kind == "emergency" and w.reported_at is None]
        self._next_due = min(dues) if dues else None

    def _changed(self) -> None:
        self._loaded = None
        self._next_due = self.clock.now()
        self.tick()
        self.outbox.kick()

    # -- service changes -----------------------------------------------------------------

    def announce_change(
        self,
        kind: str,
        title: str,
        detail: str,
        api_ids: Sequence[str],
        effective_at: int,
    ) -> ServiceChange | Refused:
        """Publish a service change taking effect at ``effective_at`` and notify everyone."""
        now = self.clock.now()
        if kind not in CHANGE_KINDS:
            return Refused(f"kind must be one of {sorted(CHANGE_KINDS)}")
        if not title.strip():
            return Refused("a title is required (it is sent to customers)")
        if effective_at <= now:
            return Refused("a service change is announced in advance: effective_at must be later")
        ids = [a.strip().lower() for a in api_ids if a.strip()]
        unknown = [a for a in ids if kind != "api_added" and catalog.spec_for(a) is None]
        if unknown:
            return Refused(f"unknown api-id {unknown[0]!r}")
        with self.storage.unit_of_work() as uow:
            change = uow.operations.add_change(kind, title.strip(), detail, ids, effective_at, now)
            params = {
                "title": change.title,
                "kind_text": CHANGE_KINDS[kind],
                "api_ids": ", ".join(ids) or "-",
                "effective_at": _when(effective_at),
                "detail": detail or "-",
                "change_id": str(change.id),
            }
            self.outbox.broadcast(
                "service_change", params, ref=f"service_change:{change.id}", uow=uow
            )
            change = uow.operations.mark_change_notified(change.id, now)
        self.outbox.kick()
        return change

    def changes(self, *, upcoming: bool = False) -> list[ServiceChange]:
        """Announcements by effective date (``upcoming``: not yet in effect)."""
        with self.storage.unit_of_work() as uow:
            return uow.operations.changes(effective_after=self.clock.now() if upcoming else None)
