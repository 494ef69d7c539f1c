"""Incidents, suspension and termination (terms art. 8, 9): storage, notices, consequences.

:class:`IncidentService` runs the state machine of :mod:`hoga.domain.suspension` over durable
incidents (``uow.incidents``) and keeps each customer's ``customers.status`` equal to what the
incidents imply — the identity service refuses token issue (8002) and calls (8103) for anything
but ``active``. It is registered as ``ctx.services["incidents"]``.

- **Detection.** ``record_call`` (every authenticated REST call: customer, api-id, kind,
  admitted or refused by the rate limiter, request id, body) and ``record_condition_event``
  (the condition-search service's hook) feed a :class:`LoadDetector` (the policy layer's
  :class:`hoga.policy.abnormal.AbnormalLoadDetector`, injected by bootstrap). Its evidence opens
  an abnormal-load incident; the third one that counts terminates.
- **Time.** Incidents use the application clock (simulated time): a suspension ends by itself one
  month after its notice, an unanswered explanation lapses at its deadline. :meth:`maybe_sweep`
  applies them lazily — the API calls it on every request — when the earliest due instant has
  passed, and at least every ``refresh_us`` of wall time it reloads the open incidents, so changes
  made by another process reach this one within that bound.
- **Consequences** of a status change, never silent (each sends a notice through the
  :class:`~hoga.ports.notifier.Notifier` and records it in ``incident_notices`` with the channel):
  suspension or termination closes the customer's WebSocket sessions (``ctx.services
  ["realtime"]``, if present, SYSTEM ``R10005``); termination revokes every app key and token
  (through :class:`hoga.engine.identity.IdentityService`).
- **Open orders (documented rule).** A *suspension* keeps the customer's working orders: they
  stay in the market and end by their own terms (fills, end-of-day expiry), and the suspension
  notice lists them. A *termination* cancels every working order through the brokerage
  (``ctx.services["brokerage"]``) and the notice lists what was cancelled (and any cancel the
  exchange refused).
- **Explanations.** A customer submits one through the API (see :mod:`hoga.api.routes.incidents`)
  with a bearer token that is still valid — a suspended customer's tokens are refused elsewhere
  but still identify the customer here — or, after termination revoked them, with the app key and
  secret key.

Expected refusals (unknown incident, wrong state) are :class:`~hoga.domain.suspension.Refused`
values. Synchronous: call from the event loop (consequences touch the exchange and sockets).
"""

from __future__ import annotations

import itertools
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from hoga.domain import suspension as sm
from hoga.domain.kst import kst_datetime
from hoga.domain.suspension import Cause, Evidence, Incident, Refused, Sanction, Status
from hoga.engine.identity import IdentityService, token_hash, verify_secret
from hoga.ports.clock import Clock
from hoga.ports.notifier import Notice, Notifier
from hoga.ports.storage import NoticeRecord, Storage, UnitOfWork
from hoga.wire.ws import System

__all__ = [
    "EXPLANATION_PATH",
    "IncidentPolicy",
    "IncidentService",
    "LoadDetector",
]

log = logging.getLogger(__name__)

EXPLANATION_PATH = "/hoga/v1/incidents/{id}/explanation"
_CLOSE_CODE = "R10005"


class LoadDetector(Protocol):
    """What the incident service needs from a detector (see :mod:`hoga.policy.abnormal`)."""

    def observe_call(
        self,
        customer_id: str,
        api_id: str,
        kind: str,
        allowed: bool,
        at: int,
        request_id: str = "",
        body: bytes = b"",
    ) -> Evidence | None: ...

    def observe_condition(
        self, customer_id: str, event: str, at: int, request_id: str = ""
    ) -> Evidence | None: ...

    def forget(self, customer_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class IncidentPolicy:
    """Workflow parameters (``Settings.incident_*``)."""

    threshold: int = sm.TERMINATION_THRESHOLD
    explanation_days: int = sm.EXPLANATION_DAYS
    refresh_us: int = 1_000_000


def _when(t: int | None) -> str:
    return "-" if t is None else kst_datetime(t).strftime("%Y-%m-%d %H:%M KST")


class IncidentService:
    """See the module docstring."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        notifier: Notifier,
        *,
        identity: IdentityService | None = None,
        detector: LoadDetector | None = None,
        wall: Clock | None = None,
        services: Mapping[str, Any] | None = None,
        policy: IncidentPolicy | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.wall = wall or clock
        self.notifier = notifier
        self.identity = identity
        self.detector = detector
        self.services: Mapping[str, Any] = services if services is not None else {}
        self.policy = policy or IncidentPolicy()
        self._blocked: dict[str, Incident] = {}
        self._next_due: int | None = None
        self._refreshed: int | None = None
        self._tag = secrets.token_hex(3)
        self._prefix = self._tag + "-"
        self._seq = itertools.count(1)

    # -- detection hooks ------------------------------------------------------------------

    def request_id(self) -> str:
        """A fresh request id of this process (``<tag>-<n>``)."""
        return self._prefix + format(next(self._seq), "x")

    def record_call(
        self,
        customer_id: str,
        api_id: str,
        kind: str,
        allowed: bool,
        request_id: str = "",
        body: bytes = b"",
        *,
        wall: int | None = None,
    ) -> Incident | None:
        """Feed one authenticated call to the detector; the incident it caused, if any
        (``wall``: the caller's reading of the wall clock, when it has one)."""
        if self.detector is None or customer_id in self._blocked:
            return None
        rid = request_id or self.request_id()
        at = self.wall.now() if wall is None else wall
        found = self.detector.observe_call(customer_id, api_id, kind, allowed, at, rid, body)
        return None if found is None else self._detected(customer_id, found)

    def record_condition_event(
        self, customer_id: str, event: str, request_id: str = ""
    ) -> Incident | None:
        """Hook for the condition-search service: one register / clear event of a customer."""
        if self.detector is None or customer_id in self._blocked:
            return None
        found = self.detector.observe_condition(customer_id, event, self.wall.now(), request_id)
        return None if found is None else self._detected(customer_id, found)

    def _detected(self, customer_id: str, evidence: Evidence) -> Incident | None:
        counters = ", ".join(f"{k}={v}" for k, v in evidence.counters)
        reason = f"비정상적인 조회 부하({evidence.rule}: {counters})"
        try:
            return self.open(customer_id, Cause.ABNORMAL_LOAD, reason=reason, evidence=evidence)
        except KeyError:  # a principal without a customer row (stand-in authenticators)
            return None

    # -- the gate -------------------------------------------------------------------------

    def refusal(
        self, customer_id: str, *, wall: int | None = None, now: int | None = None
    ) -> str | None:
        """Why this customer's calls are refused now (None: they are not)."""
        self.maybe_sweep(wall=wall, now=now)
        inc = self._blocked.get(customer_id)
        if inc is None:
            return None
        if inc.sanction is Sanction.TERMINATE:
            return f"서비스 이용이 해지되었습니다(사건 {inc.id}: {inc.reason})"
        return (
            f"서비스 이용이 {_when(inc.ends_at)}까지 중지되었습니다(사건 {inc.id}: {inc.reason}; "
            f"소명 기한 {_when(inc.deadline)}, POST {EXPLANATION_PATH.format(id=inc.id)})"
        )

    def maybe_sweep(self, *, wall: int | None = None, now: int | None = None) -> None:
        """Apply due time-driven changes, and reload from storage every ``refresh_us``
        (``wall`` / ``now``: the caller's readings of the wall clock and simulated time)."""
        if wall is None:
            wall = self.wall.now()
        stale = self._refreshed is None or wall - self._refreshed >= self.policy.refresh_us
        due = (
            self._next_due is not None
            and (self.clock.now() if now is None else now) >= self._next_due
        )
        if stale or due:
            self.sweep()

    def sweep(self) -> list[Incident]:
        """Advance every open incident to now and apply what changed; returns the changed."""
        now = self.clock.now()
        changed: list[Incident] = []
        with self.storage.unit_of_work(read_only=True) as uow:  # usually nothing moved
            open_ = uow.incidents.list(open_only=True)
        if any(sm.advance(inc, now) != inc for inc in open_):
            with self.storage.unit_of_work() as uow:
                for inc in uow.incidents.list(open_only=True):
                    moved = sm.advance(inc, now)
                    if moved != inc:
                        changed.append(uow.incidents.update(moved))
        for customer in dict.fromkeys(i.customer_id for i in changed):
            self._settle(customer, None, "expired")
        self._reload()
        return changed

    def _reload(self) -> None:
        with self.storage.unit_of_work(read_only=True) as uow:
            open_ = uow.incidents.list(open_only=True)
        blocked: dict[str, Incident] = {}
        for inc in open_:
            if not inc.in_force:
                continue
            held = blocked.get(inc.customer_id)
            if held is None or held.sanction is Sanction.SUSPEND:
                blocked[inc.customer_id] = inc
        dues = [d for d in (sm.next_due(i) for i in open_) if d is not None]
        newly = blocked.keys() - self._blocked.keys()
        self._blocked = blocked
        self._next_due = min(dues, default=None)
        self._refreshed = self.wall.now()
        for customer in sorted(newly):  # blocked by another process: close sockets here too
            self._close_sockets(customer)

    # -- workflow -------------------------------------------------------------------------

    def open(
        self,
        customer_id: str,
        cause: Cause,
        *,
        sanction: Sanction = Sanction.SUSPEND,
        reason: str = "",
        evidence: Evidence | None = None,
    ) -> Incident:
        """Open an incident now (KeyError for an unknown customer) and apply it."""
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            if uow.customers.get(customer_id) is None:
                raise KeyError(customer_id)
            prior = uow.incidents.by_customer(customer_id)
            inc = sm.open_incident(
                uow.incidents.allocate_id(),
                customer_id,
                cause,
                now,
                prior,
                sanction=sanction,
                reason=reason,
                evidence=evidence,
                threshold=self.policy.threshold,
                explanation_days=self.policy.explanation_days,
            )
            uow.incidents.add(inc)
        if self.detector is not None:
            self.detector.forget(customer_id)
        log.warning("incident %d: %s %s (%s)", inc.id, inc.sanction, customer_id, inc.reason)
        self._settle(customer_id, inc, "opened")
        self._reload()
        return inc

    def submit_explanation(
        self, customer_id: str, incident_id: int, text: str
    ) -> Incident | Refused:
        """The customer's explanation of one of their incidents."""
        return self._step(
            incident_id,
            lambda i, now: sm.submit(i, text, now),
            owner=customer_id,
            event="explained",
        )

    def extend(self, incident_id: int, deadline: int) -> Incident | Refused:
        return self._step(incident_id, lambda i, now: sm.extend(i, deadline, now), "extended")

    def accept(self, incident_id: int) -> Incident | Refused:
        return self._step(incident_id, sm.accept, "accepted")

    def reject(self, incident_id: int) -> Incident | Refused:
        return self._step(incident_id, sm.reject, "rejected")

    def lift(self, incident_id: int) -> Incident | Refused:
        return self._step(incident_id, sm.lift, "lifted")

    def _step(
        self,
        incident_id: int,
        fn: Callable[[Incident, int], Incident | Refused],
        event: str,
        owner: str | None = None,
    ) -> Incident | Refused:
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            inc = uow.incidents.get(incident_id)
            if inc is None or (owner is not None and inc.customer_id != owner):
                return Refused("unknown_incident", f"사건 {incident_id}을(를) 찾을 수 없습니다")
            out = fn(sm.advance(inc, now), now)
            if isinstance(out, Incident):
                out = uow.incidents.update(out)
        if isinstance(out, Incident):
            self._settle(out.customer_id, out, event)
            self._reload()
        return out

    # -- reads ----------------------------------------------------------------------------

    def get(self, incident_id: int) -> Incident | None:
        with self.storage.unit_of_work() as uow:
            return uow.incidents.get(incident_id)

    def incidents(self, customer_id: str | None = None, open_only: bool = False) -> list[Incident]:
        with self.storage.unit_of_work() as uow:
            if customer_id is None:
                return uow.incidents.list(open_only=open_only)
            found = uow.incidents.by_customer(customer_id)
        if open_only:
            return [i for i in found if i.in_force or i.review in _OPEN_REVIEWS]
        return found

    def notices(
        self, customer_id: str | None = None, incident_id: int | None = None
    ) -> list[NoticeRecord]:
        with self.storage.unit_of_work() as uow:
            return uow.incidents.notices(customer_id=customer_id, incident_id=incident_id)

    def status(self, customer_id: str) -> str | None:
        with self.storage.unit_of_work() as uow:
            c = uow.customers.get(customer_id)
        return None if c is None else c.status

    def customer_for_token(self, token: str) -> str | None:
        """The customer of an unexpired, unrevoked token, whatever the customer's status."""
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            row = uow.tokens.get(token_hash(token))
            if row is None or row.revoked_at is not None or now >= row.expires_at:
                return None
            key = uow.api_keys.get(row.appkey)
        return None if key is None else key.customer_id

    def customer_for_credentials(self, appkey: str, secretkey: str) -> str | None:
        """The customer of an app key and secret (revoked keys too: they still prove who)."""
        with self.storage.unit_of_work() as uow:
            key = uow.api_keys.get(appkey)
        if key is None or not verify_secret(secretkey, key.secret_hash):
            return None
        return key.customer_id

    # -- consequences ---------------------------------------------------------------------

    def _settle(self, customer_id: str, inc: Incident | None, event: str) -> None:
        """Make the stored status match the incidents, apply consequences, send notices."""
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            customer = uow.customers.get(customer_id)
            if customer is None:
                return
            before = customer.status
            after = sm.customer_status(
                sm.advance(i, now) for i in uow.incidents.by_customer(customer_id)
            ).value
            if after != before:
                uow.customers.set_status(customer_id, after)
            orders = self._open_orders(uow, customer_id)
        lines: list[str] = []
        if after != before and after in (Status.SUSPENDED, Status.TERMINATED):
            self._close_sockets(customer_id)
        if after != before and after == Status.TERMINATED:
            lines += self._terminate(customer_id, orders)
        elif after == Status.SUSPENDED and event == "opened" and orders:
            listed = ", ".join(f"{o.ord_no}({o.code} {o.open_qty}주)" for o in orders)
            lines.append(f"미체결 주문은 유지되며 각 주문의 조건에 따라 처리됩니다: {listed}")
        self._notify(customer_id, inc, event, before, after, lines)

    @staticmethod
    def _open_orders(uow: UnitOfWork, customer_id: str) -> list[Any]:
        return [
            o
            for a in uow.accounts.by_customer(customer_id)
            for o in uow.orders.open_orders(a.account_no)
        ]

    def _appkeys(self, customer_id: str) -> list[str]:
        with self.storage.unit_of_work() as uow:
            return [k.appkey for k in uow.api_keys.by_customer(customer_id)]

    def _close_sockets(self, customer_id: str) -> None:
        hub = self.services.get("realtime")
        if hub is None:
            return
        notice = System(code=_CLOSE_CODE, message="서비스 이용이 제한되어 접속을 종료합니다")
        for appkey in self._appkeys(customer_id):
            session = hub.by_appkey.get(appkey)
            if session is not None:
                hub.close(session, notice)

    def _terminate(self, customer_id: str, orders: list[Any]) -> list[str]:
        lines = []
        if self.identity is not None:
            keys = self._appkeys(customer_id)
            for appkey in keys:
                self.identity.revoke_key(appkey)
            lines.append(f"App Key {len(keys)}개와 발급된 접근토큰이 모두 폐기되었습니다")
        broker = self.services.get("brokerage")
        with self.storage.unit_of_work() as uow:
            envs = {a.account_no: a.env for a in uow.accounts.by_customer(customer_id)}
        done: list[str] = []
        failed: list[str] = []
        for o in orders:
            if broker is None:
                failed.append(f"{o.ord_no}(주문 서비스 없음)")
                continue
            out = broker.cancel(
                o.account,
                orig_ord_no=o.ord_no,
                code=o.code,
                qty=0,
                exchange=o.exchange,
                env=envs.get(o.account, "mock"),
                owner=customer_id,
            )
            ok = hasattr(out, "ord_no")
            (done if ok else failed).append(f"{o.ord_no}({o.code} {o.open_qty}주)")
        if done:
            lines.append(f"미체결 주문을 모두 취소했습니다: {', '.join(done)}")
        if failed:
            lines.append(f"취소하지 못한 주문: {', '.join(failed)}")
        return lines

    def _notify(
        self,
        customer_id: str,
        inc: Incident | None,
        event: str,
        before: str,
        after: str,
        lines: list[str],
    ) -> None:
        subject, body = _message(inc, event, before, after)
        if not subject:
            return
        text = "\n".join([body, *lines])
        now = self.clock.now()
        incident_id = None if inc is None else inc.id
        notice = Notice(customer_id, event, subject, text, now, incident_id)
        try:
            channel = self.notifier.send(notice)
        except Exception:  # a broken channel must not undo the sanction; the record says so
            log.exception("notice to %s failed", customer_id)
            channel = "failed"
        with self.storage.unit_of_work() as uow:
            uow.incidents.add_notice(now, customer_id, incident_id, event, subject, text, channel)


_OPEN_REVIEWS = (sm.Review.AWAITING, sm.Review.SUBMITTED)


def _message(inc: Incident | None, event: str, before: str, after: str) -> tuple[str, str]:
    """Subject and body of the notice for ``event`` ("" subject: nothing to say)."""
    if inc is None:  # time-driven changes found by a sweep
        if before != after and after == Status.ACTIVE:
            return (
                "서비스 이용 재개",
                "이용 중지 기간이 끝나 오픈 API 서비스를 다시 이용할 수 있습니다.",
            )
        return "", ""
    ref = f"사건 {inc.id}"
    how = f"소명 자료는 {_when(inc.deadline)} 전까지 POST {EXPLANATION_PATH.format(id=inc.id)}"
    if event == "opened":
        if inc.sanction is Sanction.TERMINATE:
            return (
                "오픈 API 서비스 이용 해지",
                f"{ref}: {inc.reason}. 약관 제9조에 따라 서비스 이용을 해지합니다. {how}"
                "(App Key와 Secret Key로 인증)로 제출할 수 있습니다.",
            )
        return (
            "오픈 API 서비스 이용 중지",
            f"{ref}: {inc.reason}. 약관 제8조에 따라 {_when(inc.ends_at)}까지 서비스 이용을 "
            f"중지합니다. {how}로 제출할 수 있습니다.",
        )
    texts = {
        "explained": (
            "소명 자료 접수",
            f"{ref}: 소명 자료를 접수했습니다. 심사 결과를 알려드립니다.",
        ),
        "extended": (
            "소명 기한 연장",
            f"{ref}: 소명 제출 기한을 연장했습니다. {how}로 제출할 수 있습니다.",
        ),
        "accepted": ("소명 인정", f"{ref}: 소명이 인정되어 조치를 해제합니다."),
        "rejected": (
            "소명 불인정",
            f"{ref}: 소명이 인정되지 않아 조치가 {_when(inc.ends_at)}까지 유지됩니다.",
        ),
        "lifted": ("이용 중지 해제", f"{ref}: 운영자 결정으로 이용 중지를 해제합니다."),
    }
    subject, body = texts.get(event, ("", ""))
    if subject and before != after and after == Status.ACTIVE:
        body += " 오픈 API 서비스를 다시 이용할 수 있습니다."
    if event == "accepted" and inc.sanction is Sanction.TERMINATE and after == Status.ACTIVE:
        body += " 폐기된 App Key는 복구되지 않으니 새 App Key를 발급받으십시오."
    return subject, body
