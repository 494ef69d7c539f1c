"""Onboarding (terms art. 6, 7): applications, verification, refusal and appeal, key issuance.

:class:`OnboardingService` is registered as ``ctx.services["onboarding"]``.

- **Application** (:meth:`apply`, unauthenticated — the applicant has no key yet). The form is
  validated (name, ``YYYYMMDD`` birth date, phone digits, 10-digit account, environment), must
  consent to the terms version in effect (named, so a stale page cannot consent to old terms),
  and is limited to ``per_ip`` applications per client address per day of application time. The
  applicant gets an *application token* (random, 256 bits; only its SHA-256 is stored) that alone
  reads, appeals or claims the application — ids are not secrets, and a wrong token answers
  exactly like an unknown id. Only the last four digits of the phone number are kept.
- **Checks** run through the :class:`~hoga.ports.verifier.Verifier` in order: account holder,
  identity, account. The first failure refuses the application with its reason (art. 7 ①:
  borrowed name, false data; or a failed verification) and the appeal path; nothing is issued.
- **Issue.** When every check passes, a customer is created in the chosen environment with one
  app key and one account (:meth:`hoga.engine.identity.IdentityService.create_customer`), the
  consent to the terms is recorded, and the AI-assistant opt-in stored (a separate choice,
  art. 6 ③). The secret key is in the answer once and never again.
- **Appeal.** A refused applicant appeals once with a statement (:meth:`appeal`); the operator
  decides (:meth:`decide`): approved → the applicant claims the keys with the token
  (:meth:`claim`, once); rejected → the note is the final answer. Every step is recorded.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date

from hoga.domain.kst import US_PER_DAY
from hoga.domain.terms import Action, Consent, Refused
from hoga.engine.compliance_desk import Desk
from hoga.engine.identity import ENVIRONMENTS, IdentityService, NewCustomer
from hoga.engine.security_log import Actor
from hoga.engine.terms_service import TermsService
from hoga.ports.storage import ApplicationRecord
from hoga.ports.verifier import Applicant, Verifier

__all__ = [
    "APPEAL_PATH",
    "ApplicationForm",
    "OnboardingService",
    "Status",
    "Submitted",
    "application_token_hash",
    "refusal_text",
]

APPEAL_PATH = "/hoga/v1/onboarding/applications/{id}/appeal"
_PHONE = re.compile(r"^01[0-9]{8,9}$")
_ACCOUNT = re.compile(r"^[0-9]{10}$")
_BIRTH = re.compile(r"^[0-9]{8}$")
_MAX_NAME = 40
_MAX_APPEAL = 4_000


class Status:
    """Application states (strings, stored)."""

    ISSUED = "issued"
    REFUSED = "refused"
    APPEALED = "appealed"
    APPROVED = "approved"  # on appeal; keys await the applicant's claim
    APPEAL_REJECTED = "appeal_rejected"


@dataclass(frozen=True, slots=True)
class ApplicationForm:
    """What an applicant submits (see the module docstring)."""

    name: str
    birth_date: str
    phone: str
    account_no: str
    env: str
    terms_version: str
    consent: bool
    ai_assistant: bool = False


@dataclass(frozen=True, slots=True)
class Submitted:
    """An accepted application: the token (shown once) and, if issued, the credentials."""

    application: ApplicationRecord
    token: str
    credentials: NewCustomer | None


def application_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _validate(form: ApplicationForm) -> Refused | None:
    name = form.name.strip()
    if not name or len(name) > _MAX_NAME or not name.isprintable():
        return Refused("bad_name", f"이름은 1~{_MAX_NAME}자여야 합니다")
    if not _BIRTH.match(form.birth_date):
        return Refused("bad_birth_date", "생년월일은 YYYYMMDD 형식이어야 합니다")
    try:
        date(int(form.birth_date[:4]), int(form.birth_date[4:6]), int(form.birth_date[6:]))
    except ValueError:
        return Refused("bad_birth_date", "생년월일이 올바른 날짜가 아닙니다")
    if not _PHONE.match(form.phone):
        return Refused("bad_phone", "휴대전화 번호는 01로 시작하는 숫자 10~11자리여야 합니다")
    if not _ACCOUNT.match(form.account_no):
        return Refused("bad_account", "계좌번호는 숫자 10자리여야 합니다")
    if form.env not in ENVIRONMENTS:
        return Refused("bad_env", "env는 'mock' 또는 'real'이어야 합니다")
    if not form.consent:
        return Refused("consent_required", "약관에 동의해야 신청할 수 있습니다")
    return None


class OnboardingService:
    """See the module docstring."""

    def __init__(
        self,
        desk: Desk,
        verifier: Verifier,
        identity: IdentityService,
        terms: TermsService,
        *,
        cash: int = 0,
        per_ip: int = 5,
    ) -> None:
        self.desk = desk
        self.storage = desk.storage
        self.clock = desk.clock
        self.verifier = verifier
        self.identity = identity
        self.terms = terms
        self.cash = cash
        self.per_ip = per_ip

    # -- applicant --------------------------------------------------------------------------

    def apply(self, form: ApplicationForm, client_ip: str) -> Submitted | Refused:
        """Validate, verify and (if every check passes) issue keys; see the module docstring."""
        bad = _validate(form)
        if bad is not None:
            return bad
        current = self.terms.current()
        if current is None or form.terms_version != current.version:
            shown = "-" if current is None else current.version
            return Refused("terms_outdated", f"현재 시행 중인 약관({shown})에 동의해야 합니다")
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            if uow.compliance.applications_since(client_ip, now - US_PER_DAY) >= self.per_ip:
                return Refused("too_many", "같은 주소에서 하루에 신청할 수 있는 횟수를 넘었습니다")
        applicant = Applicant(form.name.strip(), form.birth_date, form.phone, form.account_no)
        verdict = None
        for check in (self.verifier.account_holder, self.verifier.identity, self.verifier.account):
            verdict = check(applicant)
            if not verdict.ok:
                break
        token = secrets.token_urlsafe(32)
        with self.storage.unit_of_work() as uow:
            app_id = uow.compliance.allocate_application_id()
            refused = verdict is not None and not verdict.ok
            record = ApplicationRecord(
                app_id, application_token_hash(token), client_ip, applicant.name, form.birth_date,
                form.phone[-4:], form.account_no, form.env, form.ai_assistant, current.id,
                Status.REFUSED if refused else Status.APPROVED,
                verdict.reason if verdict is not None and refused else "",
                verdict.detail if verdict is not None and refused else "", now,
                decided_at=now,
            )  # fmt: skip
            uow.compliance.add_application(record)
        ref = str(app_id)
        self.desk.step("application", ref, None, "submitted", f"env={form.env} ip={client_ip}")
        if record.status == Status.REFUSED:
            self.desk.step("application", ref, None, "refused", f"{record.reason}: {record.detail}")
            return Submitted(record, token, None)
        record, made = self._issue(record, client_ip)
        return Submitted(record, token, made)

    def find(self, application_id: int, token: str) -> ApplicationRecord | None:
        """The application, if ``token`` is its application token (else None, as if unknown)."""
        with self.storage.unit_of_work() as uow:
            found = uow.compliance.application_by_token(application_token_hash(token))
        return found if found is not None and found.id == application_id else None

    def appeal(self, application_id: int, token: str, text: str) -> ApplicationRecord | Refused:
        """The applicant appeals a refusal (once)."""
        app = self.find(application_id, token)
        if app is None:
            return Refused("unknown_application", "신청을 찾을 수 없습니다")
        text = text.strip()
        if not text or len(text) > _MAX_APPEAL:
            return Refused("bad_appeal", f"이의신청 내용은 1~{_MAX_APPEAL:,}자여야 합니다")
        if app.status != Status.REFUSED:
            return Refused("not_refused", f"이의신청할 수 없는 상태입니다({app.status})")
        now = self.clock.now()
        out = replace(app, status=Status.APPEALED, appeal=text, appealed_at=now)
        with self.storage.unit_of_work() as uow:
            out = uow.compliance.update_application(out)
        self.desk.step("application", str(app.id), None, "appealed", text[:200])
        self.desk.tell_operator(
            "application", str(app.id), None, "application_appealed",
            f"가입 신청 {app.id} 이의신청 접수(거절 사유 {app.reason})",
        )  # fmt: skip
        return out

    def claim(self, application_id: int, token: str, client_ip: str = "") -> Submitted | Refused:
        """Issue the keys of an application approved on appeal (once)."""
        app = self.find(application_id, token)
        if app is None:
            return Refused("unknown_application", "신청을 찾을 수 없습니다")
        if app.status != Status.APPROVED:
            return Refused("not_approved", f"발급할 수 없는 상태입니다({app.status})")
        record, made = self._issue(app, client_ip)
        return Submitted(record, token, made)

    def _issue(
        self, app: ApplicationRecord, client_ip: str
    ) -> tuple[ApplicationRecord, NewCustomer]:
        with self.storage.unit_of_work() as uow:  # mark first: a second claim finds it issued
            app = uow.compliance.update_application(replace(app, status=Status.ISSUED))
        try:
            made = self.identity.create_customer(
                app.name, app.env, self.cash, actor=Actor.anonymous(client_ip)
            )
        except Exception:
            with self.storage.unit_of_work() as uow:
                uow.compliance.update_application(replace(app, status=Status.APPROVED))
            raise
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            app = uow.compliance.update_application(replace(app, customer_id=made.customer_id))
            uow.compliance.add_consent(
                Consent(made.customer_id, app.terms_version_id, Action.CONSENT, now)
            )
            uow.compliance.set_assistant(made.customer_id, app.ai_assistant, now)
        ref = str(app.id)
        detail = f"customer={made.customer_id} env={made.env} assistant={app.ai_assistant}"
        self.desk.step("application", ref, made.customer_id, "issued", detail)
        self.desk.notify(
            made.customer_id, "application", ref, "onboarded", "오픈 API 서비스 가입 완료",
            f"오픈 API 서비스({made.env}) 가입이 완료되었습니다. App Key: {made.appkey}. "
            "Secret Key는 신청 화면에만 한 번 표시되었습니다.",
        )  # fmt: skip
        return app, made

    # -- operator ---------------------------------------------------------------------------

    def applications(self, status: str | None = None) -> list[ApplicationRecord]:
        with self.storage.unit_of_work() as uow:
            return uow.compliance.applications(status=status)

    def get(self, application_id: int) -> ApplicationRecord | None:
        with self.storage.unit_of_work() as uow:
            return uow.compliance.get_application(application_id)

    def decide(
        self, application_id: int, approve: bool, note: str, actor: str = "operator"
    ) -> ApplicationRecord | Refused:
        """Decide an appeal: approve (the applicant may claim keys) or reject (final)."""
        app = self.get(application_id)
        if app is None:
            return Refused("unknown_application", f"신청 {application_id}을(를) 찾을 수 없습니다")
        if app.status != Status.APPEALED:
            return Refused("not_appealed", f"심사할 이의신청이 없습니다({app.status})")
        if not note.strip():
            return Refused("note_required", "결정 사유를 적어야 합니다(신청인에게 안내됩니다)")
        status = Status.APPROVED if approve else Status.APPEAL_REJECTED
        out = replace(app, status=status, note=note.strip(), decided_at=self.clock.now())
        with self.storage.unit_of_work() as uow:
            out = uow.compliance.update_application(out)
        self.desk.step("application", str(app.id), None, status, f"by={actor}: {out.note}")
        return out

    # -- the AI coding assistant opt-in (art. 6 ③) ------------------------------------------

    def assistant(self, customer_id: str) -> bool:
        with self.storage.unit_of_work() as uow:
            return bool(uow.compliance.assistant(customer_id))

    def set_assistant(self, customer_id: str, enabled: bool, actor: str) -> bool | None:
        """Store the opt-in; None for an unknown customer."""
        with self.storage.unit_of_work() as uow:
            if uow.customers.get(customer_id) is None:
                return None
            uow.compliance.set_assistant(customer_id, enabled, self.clock.now())
        self.desk.step(
            "assistant", customer_id, customer_id, "opt_in" if enabled else "opt_out", actor
        )
        return enabled


def refusal_text(app: ApplicationRecord) -> str:
    """The refusal reason and how to appeal (art. 7 ①), for the applicant."""
    return (
        f"가입 신청이 거절되었습니다: {app.detail}. 이의가 있으면 신청 토큰으로 POST "
        f"{APPEAL_PATH.format(id=app.id)}에 사유를 제출할 수 있습니다."
    )
