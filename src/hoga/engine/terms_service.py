"""Terms versions and consent (terms art. 6 ②, 15): publication, notices, consent, objection.

:class:`TermsService` runs the rules of :mod:`hoga.domain.terms` over stored versions and
consents (``uow.compliance``). It is registered as ``ctx.services["terms"]``.

- **Publishing** (:meth:`publish`) refuses a change posted less than a month ahead unless it is
  urgent by law; every customer not known to have left is notified of a posted change with its
  effective date, their right to end the service before then, and that silence counts as consent
  (art. 15 ③). hoga's own sample terms (package data ``hoga/data/terms/ko-v1.md``) are installed
  as a ``sample`` version when no version exists (:meth:`ensure_sample`); they notify nobody.
- **Consent, objection, termination** are appended as :class:`~hoga.domain.terms.Consent` rows.
  Ending the service (:meth:`terminate`) revokes every app key and token of the customer and
  cancels their working orders (through ``services["brokerage"]`` if it runs), and is notified.
- **Effective date.** :meth:`sweep` (run lazily by :meth:`maybe_sweep` whenever a version's
  effective instant has passed, and at least every ``refresh_us`` of wall time) records a
  ``deemed`` consent for every silent customer of a version that took effect, and notifies each
  objector that the service now refuses their calls: :meth:`refusal` answers why (the API maps
  it to 8103) until they consent (withdrawing the objection) or end the service. A customer who
  objects is told this at the time of the objection.

Refusals are :class:`~hoga.domain.terms.Refused` values. Synchronous (storage is).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib import resources
from typing import Any

from hoga.domain import terms as tr
from hoga.domain.kst import kst_date
from hoga.domain.terms import Action, Consent, Refused, Standing, TermsVersion
from hoga.engine.compliance_desk import Desk, when
from hoga.engine.identity import IdentityService
from hoga.ports.clock import Clock

__all__ = ["CONSENT_PATH", "SAMPLE_LABEL", "TermsService", "sample_terms"]

log = logging.getLogger(__name__)

SAMPLE_LABEL = "ko-v1"
CONSENT_PATH = "/hoga/v1/terms/{version}/consent"
_TERMINATED = "terminated"


def sample_terms() -> str:
    """hoga's own short sample terms (Korean, package data)."""
    return resources.files("hoga").joinpath("data/terms/ko-v1.md").read_text(encoding="utf-8")


def _title(body: str, fallback: str) -> str:
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


class TermsService:
    """See the module docstring."""

    def __init__(
        self,
        desk: Desk,
        *,
        identity: IdentityService | None = None,
        wall: Clock | None = None,
        refresh_us: int = 1_000_000,
    ) -> None:
        self.desk = desk
        self.storage = desk.storage
        self.clock = desk.clock
        self.wall = wall or desk.clock
        self.identity = identity
        self.refresh_us = refresh_us
        self._barred: dict[str, TermsVersion] = {}
        self._next_due: int | None = None
        self._refreshed: int | None = None

    @property
    def services(self) -> Mapping[str, Any]:
        return self.desk.services

    # -- versions ---------------------------------------------------------------------------

    def ensure_sample(self) -> TermsVersion | None:
        """Install the sample terms, effective now, if no version exists (else None)."""
        if self.versions():
            return None
        out = self.publish(SAMPLE_LABEL, "", sample_terms(), self.clock.now(), sample=True)
        return out if isinstance(out, TermsVersion) else None

    def publish(
        self,
        label: str,
        title: str,
        body: str,
        effective_at: int,
        *,
        urgent: bool = False,
        sample: bool = False,
        actor: str = "operator",
    ) -> TermsVersion | Refused:
        """Post a new version (see :func:`hoga.domain.terms.publish`) and notify customers."""
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            prior = uow.compliance.terms_versions()
            out = tr.publish(
                uow.compliance.allocate_terms_id(),
                label,
                title or _title(body, label),
                body,
                effective_at,
                now,
                prior,
                urgent=urgent,
                sample=sample,
            )
            if isinstance(out, Refused):
                return out
            uow.compliance.add_terms(out)
            customers = [c.id for c in uow.customers.list() if c.status != _TERMINATED]
        detail = f"by={actor} effective={when(out.effective_at)} urgent={out.urgent}"
        self.desk.step("terms", out.version, None, "published", detail)
        if not out.sample:
            subject, body_text = _posted_notice(out)
            for customer in customers:
                self.desk.notify(customer, "terms", out.version, "terms_posted", subject, body_text)
        self._reload()
        return out

    def versions(self) -> list[TermsVersion]:
        with self.storage.unit_of_work() as uow:
            return uow.compliance.terms_versions()

    def version(self, label: str) -> TermsVersion | None:
        return next((v for v in self.versions() if v.version == label), None)

    def current(self) -> TermsVersion | None:
        return tr.current(self.versions(), self.clock.now())

    # -- customers --------------------------------------------------------------------------

    def consents(self, label: str | None = None, customer_id: str | None = None) -> list[Consent]:
        version_id = None
        if label is not None:
            v = self.version(label)
            if v is None:
                return []
            version_id = v.id
        with self.storage.unit_of_work() as uow:
            return uow.compliance.consents(customer_id=customer_id, version_id=version_id)

    def standings(self, customer_id: str) -> list[tuple[TermsVersion, Standing]]:
        """The customer's standing on the current version and every upcoming one."""
        now = self.clock.now()
        versions = self.versions()
        wanted = [v for v in (tr.current(versions, now), *tr.upcoming(versions, now)) if v]
        mine = self.consents(customer_id=customer_id)
        return [(v, tr.standing(v, mine, now)) for v in wanted]

    def consent(self, customer_id: str, label: str) -> Consent | Refused:
        """Consent to a version (withdraws an earlier objection)."""
        return self._act(customer_id, label, Action.CONSENT)

    def object(self, customer_id: str, label: str) -> Consent | Refused:
        """Object to a version before it takes effect."""
        return self._act(customer_id, label, Action.OBJECTION)

    def _act(self, customer_id: str, label: str, action: Action) -> Consent | Refused:
        now = self.clock.now()
        v = self.version(label)
        if v is None:
            return Refused("unknown_version", f"약관 버전 {label}을(를) 찾을 수 없습니다")
        if action is Action.OBJECTION:
            late = tr.may_object(v, now)
            if late is not None:
                return late
        row = Consent(customer_id, v.id, action, now)
        with self.storage.unit_of_work() as uow:
            uow.compliance.add_consent(row)
        self.desk.step("terms", v.version, customer_id, action.value)
        if action is Action.OBJECTION:
            self.desk.notify(
                customer_id, "terms", v.version, "terms_objection", "약관 변경 이의 접수",
                f"{v.version} 변경에 대한 이의를 접수했습니다. 시행일({when(v.effective_at)}) "
                "전까지 서비스를 해지할 수 있으며(POST /hoga/v1/terms/terminate), 해지하지 않고 "
                "시행일이 지나면 동의하실 때까지 오픈 API 호출이 거절됩니다. 동의: "
                f"POST {CONSENT_PATH.format(version=v.version)}",
            )  # fmt: skip
        elif self._barred.get(customer_id) is not None:
            self.desk.notify(
                customer_id, "terms", v.version, "terms_consent", "약관 동의 접수",
                f"{v.version}에 동의하셨습니다. 오픈 API 서비스를 다시 이용할 수 있습니다.",
            )  # fmt: skip
        self._reload()
        return row

    def terminate(self, customer_id: str) -> list[str]:
        """End the customer's service (art. 15 ④): keys and tokens revoked, working orders
        cancelled; recorded against the latest published version. What was done, in Korean."""
        now = self.clock.now()
        versions = self.versions()
        target = max(versions, key=lambda v: v.effective_at, default=None)
        with self.storage.unit_of_work() as uow:
            if target is not None:
                uow.compliance.add_consent(Consent(customer_id, target.id, Action.TERMINATION, now))
            keys = [k.appkey for k in uow.api_keys.by_customer(customer_id) if k.revoked_at is None]
            accounts = {a.account_no: a.env for a in uow.accounts.by_customer(customer_id)}
            orders = [o for a in accounts for o in uow.orders.open_orders(a)]
        lines = []
        if self.identity is not None:
            for appkey in keys:
                self.identity.revoke_key(appkey)
            lines.append(f"App Key {len(keys)}개와 발급된 접근토큰을 모두 폐기했습니다")
        broker: Any = self.services.get("brokerage")
        cancelled = []
        for o in orders if broker is not None else []:
            out = broker.cancel(
                o.account, orig_ord_no=o.ord_no, code=o.code, qty=0, exchange=o.exchange,
                env=accounts.get(o.account, "mock"), owner=customer_id,
            )  # fmt: skip
            if hasattr(out, "ord_no"):
                cancelled.append(str(o.ord_no))
        if cancelled:
            lines.append(f"미체결 주문을 취소했습니다: {', '.join(cancelled)}")
        ref = target.version if target is not None else "-"
        self.desk.step("terms", ref, customer_id, "termination", "; ".join(lines))
        self.desk.notify(
            customer_id, "terms", ref, "service_terminated", "오픈 API 서비스 해지",
            "요청에 따라 오픈 API 서비스 이용계약을 해지했습니다. " + " ".join(lines),
        )  # fmt: skip
        self._reload()
        return lines

    # -- the gate and time ------------------------------------------------------------------

    def refusal(
        self, customer_id: str, *, wall: int | None = None, now: int | None = None
    ) -> str | None:
        """Why this customer's calls are refused now (None: they are not)."""
        self.maybe_sweep(wall=wall, now=now)
        v = self._barred.get(customer_id)
        if v is None:
            return None
        return (
            f"약관 {v.version} 변경에 이의를 제기하여 {when(v.effective_at)}부터 서비스 이용이 "
            f"제한되었습니다. 동의: POST {CONSENT_PATH.format(version=v.version)}, "
            "해지: POST /hoga/v1/terms/terminate"
        )

    def maybe_sweep(self, *, wall: int | None = None, now: int | None = None) -> None:
        """Sweep when a version took effect, and reload every ``refresh_us`` of wall time
        (``wall`` / ``now``: the caller's readings of the wall clock and simulated time)."""
        if wall is None:
            wall = self.wall.now()
        stale = self._refreshed is None or wall - self._refreshed >= self.refresh_us
        due = (
            self._next_due is not None
            and (self.clock.now() if now is None else now) >= self._next_due
        )
        if stale or due:
            self.sweep()

    def sweep(self) -> list[str]:
        """Settle every version that took effect: deemed consents, objector notices."""
        now = self.clock.now()
        done: list[str] = []
        with self.storage.unit_of_work(read_only=True) as uow:
            settled = {r.ref for r in uow.compliance.log(topic="terms") if r.event == "effective"}
            versions = uow.compliance.terms_versions()
        for v in versions:
            if v.effective_at > now or v.version in settled or v.sample:
                continue
            self._settle(v)
            done.append(v.version)
        self._reload()
        return done

    def _settle(self, v: TermsVersion) -> None:
        with self.storage.unit_of_work() as uow:
            rows = uow.compliance.consents(version_id=v.id)
            customers = [c for c in uow.customers.list() if c.created_at < v.effective_at]
            said: dict[str, list[Consent]] = {}
            for r in rows:
                said.setdefault(r.customer_id, []).append(r)
            objectors = []
            for c in customers:
                st = tr.standing(v, said.get(c.id, []), v.effective_at)
                if st is Standing.DEEMED and c.status != _TERMINATED:
                    uow.compliance.add_consent(Consent(c.id, v.id, Action.DEEMED, v.effective_at))
                elif st is Standing.OBJECTED:
                    objectors.append(c.id)
        self.desk.step("terms", v.version, None, "effective", f"objectors={len(objectors)}")
        for customer in objectors:
            self.desk.notify(
                customer, "terms", v.version, "terms_barred", "약관 변경 시행: 서비스 이용 제한",
                f"{v.version}이(가) {when(v.effective_at)}부터 시행되었습니다. 변경에 이의를 "
                "제기하셨으므로 동의하실 때까지 오픈 API 호출이 거절됩니다. 동의: POST "
                f"{CONSENT_PATH.format(version=v.version)}, 해지: POST /hoga/v1/terms/terminate",
            )  # fmt: skip

    def _reload(self) -> None:
        now = self.clock.now()
        with self.storage.unit_of_work(read_only=True) as uow:
            versions = uow.compliance.terms_versions()
            cur = tr.current(versions, now)
            rows = [] if cur is None else uow.compliance.consents(version_id=cur.id)
        by_customer: dict[str, list[Consent]] = {}
        for r in rows:
            by_customer.setdefault(r.customer_id, []).append(r)
        self._barred = {
            c: cur
            for c, acts in by_customer.items()
            if cur is not None and tr.barred(cur, acts, now)
        }
        self._next_due = tr.next_due(versions, now)
        self._refreshed = self.wall.now()


def _posted_notice(v: TermsVersion) -> tuple[str, str]:
    day = kst_date(v.effective_at).isoformat()
    urgent = " 법령 개정에 따른 긴급 변경입니다." if v.urgent else ""
    return (
        f"약관 변경 안내({v.version}, {day} 시행)",
        f"오픈 API 서비스 이용약관이 변경되어 {day}부터 시행됩니다({v.title}).{urgent} "
        "변경 내용은 GET /hoga/v1/terms/" + v.version + "에서 확인할 수 있습니다. 고객은 "
        "변경 내용이 게시·통지된 후부터 시행일 전 영업일까지 계약을 해지할 수 있으며, 이의를 "
        "제기하지 않으면 변경에 승인한 것으로 봅니다. 이의: POST /hoga/v1/terms/"
        f"{v.version}/objection",
    )
