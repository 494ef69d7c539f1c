"""Terms, disputes, onboarding and the assistant opt-in over HTTP (terms art. 4 ③, 6, 7, 15, 18).

JSON in and out; errors are ``{"error": "…", "reason": code}`` with HTTP 400 (bad input), 401
(no valid credential), 404 (unknown, or not yours), 409 (refused by the rules), 429 (too many
applications), 503 (service not running). Times are ISO-8601 (KST without an offset) or epoch µs.

Customer routes (``Authorization: Bearer <access token>``; a suspended or barred customer's
unexpired token still works here, so they can consent, object, end the service or file a case):

- ``GET /hoga/v1/terms`` (no token needed) — current, upcoming and posted versions; with a token
  also the caller's standing; ``GET /hoga/v1/terms/{version}`` — one version with its text;
- ``POST /hoga/v1/terms/{version}/consent`` / ``…/objection``; ``POST /hoga/v1/terms/terminate``
  with ``{"confirm": true}`` — end the service (keys revoked, working orders cancelled);
- ``GET /hoga/v1/disputes``, ``POST /hoga/v1/disputes`` with ``{"kind": "dispute" |
  "objection", "subject", "body"}``, ``GET /hoga/v1/disputes/{id}``, ``POST …/{id}/withdraw``;
- ``GET /hoga/v1/assistant``, ``POST /hoga/v1/assistant`` with ``{"enabled": bool}``.

Onboarding (no key yet, so no token; see :mod:`hoga.engine.onboarding` for the safeguards):
``POST /hoga/v1/onboarding/applications`` with ``{"name", "birth_date": "YYYYMMDD", "phone",
"account_no", "env": "mock" | "real", "terms_version", "consent": true, "ai_assistant"}`` answers
the application id, its token (once) and either the credentials (once) or the refusal reason and
appeal path; then, with ``X-Application-Token``: ``GET …/applications/{id}``, ``POST
…/{id}/appeal`` with ``{"appeal"}``, ``POST …/{id}/keys`` (claim keys approved on appeal).

Operator routes (``Authorization: Bearer <operator token>``), under ``/operator/compliance``:
``GET|POST terms`` (publish ``{"version", "title", "body", "effective", "urgent"}``), ``GET
terms/{version}`` (with consents), ``GET disputes`` (``?open=1&customer_id=``), ``GET
disputes/{id}`` (with its log), ``POST disputes/{id}/answer`` with ``{"answer"}``, ``GET
applications`` (``?status=``), ``GET applications/{id}``, ``POST applications/{id}/decide`` with
``{"approve": bool, "note"}``, ``GET|POST customers/{id}/assistant``, ``POST sweep``, ``GET log``.

:class:`~hoga.api.consent.ConsentGate` (re-exported here) wraps the application's
authenticator: a customer who objected to the terms in effect (and did not leave) is refused
every Kiwoom call and WebSocket login with 8103 and the way out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, cast

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hoga.api.audit import is_operator, record_operator_post
from hoga.api.consent import ConsentGate
from hoga.api.context import AppContext
from hoga.api.operator import parse_time
from hoga.domain.disputes import Case, Kind
from hoga.domain.kst import kst_datetime
from hoga.domain.terms import Consent, Refused, TermsVersion, posted, posted_until, upcoming
from hoga.engine.disputes import DisputeService
from hoga.engine.identity import token_hash
from hoga.engine.onboarding import ApplicationForm, OnboardingService, Submitted, refusal_text
from hoga.engine.terms_service import TermsService
from hoga.ports.storage import ApplicationRecord, ComplianceLogRecord

__all__ = ["ConsentGate", "routes"]

Handler = Callable[[Request, dict[str, Any]], Awaitable[Any]]


class Failure(Exception):
    def __init__(self, status: int, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.status, self.message, self.reason = status, message, reason


def _time(t: int | None) -> str | None:
    return None if t is None else kst_datetime(t).isoformat()


def terms_json(v: TermsVersion, *, body: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "version": v.version,
        "title": v.title,
        "published_at": _time(v.published_at),
        "effective_at": _time(v.effective_at),
        "effective_us": v.effective_at,
        "posted_until": _time(posted_until(v)),
        "urgent": v.urgent,
        "sample": v.sample,
    }
    if body:
        out["body"] = v.body
    return out


def case_json(c: Case) -> dict[str, Any]:
    return {
        "id": c.id,
        "customer_id": c.customer_id,
        "kind": c.kind.value,
        "subject": c.subject,
        "body": c.body,
        "state": c.state.value,
        "filed_at": _time(c.filed_at),
        "deadline": _time(c.deadline),
        "deadline_us": c.deadline,
        "escalated": c.escalated,
        "escalated_at": _time(c.escalated_at),
        "overdue": c.overdue,
        "answer": c.answer,
        "answered_at": _time(c.answered_at),
        "late": c.late,
        "milestones": [{"at": _time(at), "name": m.value} for at, m in c.schedule],
        "reached": [m.value for _, m in c.schedule[: c.reached]],
    }


def application_json(a: ApplicationRecord) -> dict[str, Any]:
    out = {
        "id": a.id,
        "status": a.status,
        "name": a.name,
        "env": a.env,
        "held_account": a.held_account,
        "ai_assistant": a.ai_assistant,
        "submitted_at": _time(a.submitted_at),
        "decided_at": _time(a.decided_at),
        "customer_id": a.customer_id,
        "reason": a.reason,
        "detail": a.detail,
        "appeal": a.appeal,
        "appealed_at": _time(a.appealed_at),
        "note": a.note,
    }
    if a.reason:
        out["refusal"] = refusal_text(a)
    return out


def log_json(r: ComplianceLogRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "at": _time(r.at),
        "topic": r.topic,
        "ref": r.ref,
        "customer_id": r.customer_id,
        "event": r.event,
        "detail": r.detail,
        "channel": r.channel,
    }


def consent_json(c: Consent, label: str) -> dict[str, Any]:
    return {"customer_id": c.customer_id, "version": label, "action": c.action, "at": _time(c.at)}


def _refused(out: Refused, status: int = 409) -> Failure:
    missing = out.reason.startswith("unknown_")
    return Failure(404 if missing else status, out.detail, out.reason)


def _str(body: dict[str, Any], key: str, default: str | None = None) -> str:
    value = body.get(key, default)
    if not isinstance(value, str):
        raise Failure(400, f"{key} must be a string", "bad_request")
    return value


def _bool(body: dict[str, Any], key: str, default: bool | None = None) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise Failure(400, f"{key} must be true or false", "bad_request")
    return value


def _submitted(out: Submitted) -> dict[str, Any]:
    doc = application_json(out.application)
    doc["application_token"] = out.token
    made = out.credentials
    if made is not None:
        doc["credentials"] = {
            "customer_id": made.customer_id,
            "appkey": made.appkey,
            "secretkey": made.secretkey,
            "account": made.account,
            "env": made.env,
        }
    return doc


def routes(ctx: AppContext) -> list[Route]:
    """The customer, onboarding and operator compliance routes over ``ctx``."""

    def service(name: str, kind: type[Any]) -> Any:
        svc = ctx.services.get(name)
        if not isinstance(svc, kind):
            raise Failure(503, f"the {name} service is not running", "unavailable")
        return svc

    def terms() -> TermsService:
        return cast(TermsService, service("terms", TermsService))

    def disputes() -> DisputeService:
        svc = cast(DisputeService, service("disputes", DisputeService))
        svc.maybe_sweep()
        return svc

    def onboarding() -> OnboardingService:
        return cast(OnboardingService, service("onboarding", OnboardingService))

    def bearer(request: Request) -> str:
        header = request.headers.get("authorization", "")
        return header[7:].strip() if header[:7].lower() == "bearer " else ""

    def operator_denied(request: Request) -> bool:
        return not is_operator(ctx, request)

    def customer_of(request: Request, required: bool = True) -> str | None:
        token = bearer(request)
        found = None
        if token:
            now = ctx.clock.now()
            with ctx.storage.unit_of_work() as uow:
                row = uow.tokens.get(token_hash(token))
                live = row is not None and row.revoked_at is None and now < row.expires_at
                key = uow.api_keys.get(row.appkey) if row is not None and live else None
                found = None if key is None or key.revoked_at is not None else key.customer_id
        if found is None and required:
            raise Failure(401, "a valid access token is required", "unauthorized")
        return found

    def endpoint(fn: Handler, who: str) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            try:
                if who == "operator" and operator_denied(request):
                    raise Failure(401, "operator token required", "unauthorized")
                body: dict[str, Any] = {}
                if request.method == "POST":
                    declared = request.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > ctx.settings.max_body_bytes:
                        raise Failure(413, "body too large", "too_large")
                    raw = await request.body()
                    if len(raw) > ctx.settings.max_body_bytes:
                        raise Failure(413, "body too large", "too_large")
                    if raw.strip():
                        try:
                            decoded = msgspec.json.decode(raw)
                        except msgspec.DecodeError as exc:
                            raise Failure(400, "body is not JSON", "bad_request") from exc
                        if not isinstance(decoded, dict):
                            raise Failure(400, "body must be an object", "bad_request")
                        body = decoded
                body.update(request.path_params)
                response: Response = JSONResponse(await fn(request, body))
            except Failure as err:
                doc = {"error": err.message, "reason": err.reason}
                response = JSONResponse(doc, status_code=err.status)
            if who == "operator" and response.status_code != 401:
                record_operator_post(ctx, request, body, response.status_code)
            return response

        return run

    # -- terms ----------------------------------------------------------------------------

    def version_of(label: str) -> TermsVersion:
        v = terms().version(label)
        if v is None:
            raise Failure(404, f"no terms version {label}", "unknown_version")
        return v

    async def terms_public(request: Request, _: dict[str, Any]) -> Any:
        svc = terms()
        svc.maybe_sweep()
        now = ctx.clock.now()
        versions = svc.versions()
        cur = svc.current()
        doc: dict[str, Any] = {
            "current": None if cur is None else terms_json(cur),
            "upcoming": [terms_json(v) for v in upcoming(versions, now)],
            "posted": [terms_json(v) for v in posted(versions, now)],
        }
        customer = customer_of(request, required=False)
        if customer is not None:
            doc["customer_id"] = customer
            doc["standing"] = {v.version: s.value for v, s in svc.standings(customer)}
            doc["refusal"] = svc.refusal(customer)
        return doc

    async def terms_one(_: Request, body: dict[str, Any]) -> Any:
        return terms_json(version_of(str(body["version"])), body=True)

    def act(name: str) -> Handler:
        async def run(request: Request, body: dict[str, Any]) -> Any:
            customer = customer_of(request)
            assert customer is not None
            svc = terms()
            label = str(body["version"])
            out = (svc.consent if name == "consent" else svc.object)(customer, label)
            if isinstance(out, Refused):
                raise _refused(out)
            return {**consent_json(out, label), "refusal": svc.refusal(customer)}

        return run

    async def terminate(request: Request, body: dict[str, Any]) -> Any:
        customer = customer_of(request)
        assert customer is not None
        if body.get("confirm") is not True:
            raise Failure(400, 'ending the service needs {"confirm": true}', "confirm_required")
        return {"customer_id": customer, "done": terms().terminate(customer)}

    # -- disputes -------------------------------------------------------------------------

    async def my_cases(request: Request, _: dict[str, Any]) -> Any:
        customer = customer_of(request)
        return [case_json(c) for c in disputes().cases(customer)]

    async def file_case(request: Request, body: dict[str, Any]) -> Any:
        customer = customer_of(request)
        assert customer is not None
        kind = _str(body, "kind", "dispute")
        if kind not in ("dispute", "objection"):
            raise Failure(400, "kind must be 'dispute' or 'objection'", "bad_request")
        out = disputes().file(customer, Kind(kind), _str(body, "subject"), _str(body, "body"))
        if isinstance(out, Refused):
            raise _refused(out, 400)
        return case_json(out)

    def own_case(request: Request, body: dict[str, Any]) -> Case:
        customer = customer_of(request)
        case = disputes().get(int(body["id"]))
        if case is None or case.customer_id != customer:
            raise Failure(404, f"no case {body['id']}", "unknown_case")
        return case

    async def my_case(request: Request, body: dict[str, Any]) -> Any:
        return case_json(own_case(request, body))

    async def withdraw(request: Request, body: dict[str, Any]) -> Any:
        case = own_case(request, body)
        out = disputes().withdraw(case.customer_id, case.id)
        if isinstance(out, Refused):
            raise _refused(out)
        return case_json(out)

    # -- onboarding -----------------------------------------------------------------------

    async def apply(request: Request, body: dict[str, Any]) -> Any:
        form = ApplicationForm(
            name=_str(body, "name"),
            birth_date=_str(body, "birth_date"),
            phone=_str(body, "phone").replace("-", ""),
            account_no=_str(body, "account_no").replace("-", ""),
            env=_str(body, "env", "mock"),
            terms_version=_str(body, "terms_version"),
            consent=_bool(body, "consent", False),
            ai_assistant=_bool(body, "ai_assistant", False),
        )
        client = request.client.host if request.client else ""
        out = await asyncio.to_thread(onboarding().apply, form, client)
        if isinstance(out, Refused):
            status = (
                429 if out.reason == "too_many" else 409 if out.reason == "terms_outdated" else 400
            )
            raise Failure(status, out.detail, out.reason)
        return _submitted(out)

    def application_of(request: Request, body: dict[str, Any]) -> tuple[int, str]:
        token = request.headers.get("x-application-token", "").strip()
        if not token:
            raise Failure(401, "X-Application-Token is required", "unauthorized")
        return int(body["id"]), token

    async def application(request: Request, body: dict[str, Any]) -> Any:
        app_id, token = application_of(request, body)
        found = onboarding().find(app_id, token)
        if found is None:
            raise Failure(404, f"no application {app_id}", "unknown_application")
        return application_json(found)

    async def appeal(request: Request, body: dict[str, Any]) -> Any:
        app_id, token = application_of(request, body)
        out = onboarding().appeal(app_id, token, _str(body, "appeal"))
        if isinstance(out, Refused):
            raise _refused(out)
        return application_json(out)

    async def claim(request: Request, body: dict[str, Any]) -> Any:
        app_id, token = application_of(request, body)
        client = request.client.host if request.client else ""
        out = await asyncio.to_thread(onboarding().claim, app_id, token, client)
        if isinstance(out, Refused):
            raise _refused(out)
        return _submitted(out)

    # -- the assistant opt-in -------------------------------------------------------------

    async def my_assistant(request: Request, body: dict[str, Any]) -> Any:
        customer = customer_of(request)
        assert customer is not None
        svc = onboarding()
        if request.method == "POST":
            svc.set_assistant(customer, _bool(body, "enabled"), f"customer:{customer}")
        return {"customer_id": customer, "ai_assistant": svc.assistant(customer)}

    # -- operator -------------------------------------------------------------------------

    async def op_terms(_: Request, __: dict[str, Any]) -> Any:
        svc = terms()
        svc.maybe_sweep()
        cur = svc.current()
        return {
            "current": None if cur is None else cur.version,
            "versions": [terms_json(v) for v in svc.versions()],
        }

    async def op_publish(_: Request, body: dict[str, Any]) -> Any:
        if "effective" not in body:
            raise Failure(400, "effective is required", "bad_request")
        try:
            effective = parse_time(body["effective"])
        except Exception as exc:  # OperatorError: the message says what was wrong
            raise Failure(400, str(exc), "bad_request") from exc
        out = terms().publish(
            _str(body, "version"),
            _str(body, "title", ""),
            _str(body, "body"),
            effective,
            urgent=_bool(body, "urgent", False),
            actor=_str(body, "actor", "operator"),
        )
        if isinstance(out, Refused):
            raise _refused(out)
        return terms_json(out)

    async def op_terms_one(_: Request, body: dict[str, Any]) -> Any:
        v = version_of(str(body["version"]))
        rows = terms().consents(v.version)
        return {**terms_json(v, body=True), "consents": [consent_json(c, v.version) for c in rows]}

    async def op_cases(request: Request, _: dict[str, Any]) -> Any:
        open_only = request.query_params.get("open", "") in ("1", "true", "yes")
        who = request.query_params.get("customer_id") or None
        return [case_json(c) for c in disputes().cases(who, open_only)]

    def log_of(topic: str, ref: str) -> list[dict[str, Any]]:
        with ctx.storage.unit_of_work() as uow:
            return [log_json(r) for r in uow.compliance.log(topic=topic, ref=ref)]

    async def op_case(_: Request, body: dict[str, Any]) -> Any:
        case = disputes().get(int(body["id"]))
        if case is None:
            raise Failure(404, f"no case {body['id']}", "unknown_case")
        return {**case_json(case), "log": log_of("case", str(case.id))}

    async def op_answer(_: Request, body: dict[str, Any]) -> Any:
        actor = _str(body, "actor", "operator")
        out = disputes().answer(int(body["id"]), _str(body, "answer"), actor)
        if isinstance(out, Refused):
            raise _refused(out)
        return case_json(out)

    async def op_applications(request: Request, _: dict[str, Any]) -> Any:
        status = request.query_params.get("status") or None
        return [application_json(a) for a in onboarding().applications(status)]

    async def op_application(_: Request, body: dict[str, Any]) -> Any:
        found = onboarding().get(int(body["id"]))
        if found is None:
            raise Failure(404, f"no application {body['id']}", "unknown_application")
        return {**application_json(found), "log": log_of("application", str(found.id))}

    async def op_decide(_: Request, body: dict[str, Any]) -> Any:
        out = onboarding().decide(
            int(body["id"]),
            _bool(body, "approve"),
            _str(body, "note", ""),
            _str(body, "actor", "operator"),
        )
        if isinstance(out, Refused):
            raise _refused(out)
        return application_json(out)

    async def op_assistant(request: Request, body: dict[str, Any]) -> Any:
        svc = onboarding()
        customer = str(body["customer_id"])
        if request.method == "POST":
            actor = f"operator:{_str(body, 'actor', 'operator')}"
            if svc.set_assistant(customer, _bool(body, "enabled"), actor) is None:
                raise Failure(404, f"no customer {customer}", "unknown_customer")
        return {"customer_id": customer, "ai_assistant": svc.assistant(customer)}

    async def op_sweep(_: Request, __: dict[str, Any]) -> Any:
        moved = disputes().sweep()
        effective = terms().sweep()
        return {
            "terms_effective": effective,
            "cases": [{"id": c.id, "reached": [m.value for m in ms]} for c, ms in moved],
        }

    async def op_log(request: Request, _: dict[str, Any]) -> Any:
        q = request.query_params
        with ctx.storage.unit_of_work() as uow:
            rows = uow.compliance.log(
                topic=q.get("topic") or None,
                ref=q.get("ref") or None,
                customer_id=q.get("customer_id") or None,
            )
        return [log_json(r) for r in rows]

    c, o, a = "customer", "operator", "applicant"
    v1, op = "/hoga/v1", "/operator/compliance"
    apps = f"{v1}/onboarding/applications"
    return [
        Route(f"{v1}/terms", endpoint(terms_public, c), methods=["GET"]),
        Route(f"{v1}/terms/terminate", endpoint(terminate, c), methods=["POST"]),
        Route(f"{v1}/terms/{{version}}", endpoint(terms_one, c), methods=["GET"]),
        Route(f"{v1}/terms/{{version}}/consent", endpoint(act("consent"), c), methods=["POST"]),
        Route(f"{v1}/terms/{{version}}/objection", endpoint(act("objection"), c), methods=["POST"]),
        Route(f"{v1}/disputes", endpoint(my_cases, c), methods=["GET"]),
        Route(f"{v1}/disputes", endpoint(file_case, c), methods=["POST"]),
        Route(f"{v1}/disputes/{{id:int}}", endpoint(my_case, c), methods=["GET"]),
        Route(f"{v1}/disputes/{{id:int}}/withdraw", endpoint(withdraw, c), methods=["POST"]),
        Route(f"{v1}/assistant", endpoint(my_assistant, c), methods=["GET", "POST"]),
        Route(apps, endpoint(apply, a), methods=["POST"]),
        Route(f"{apps}/{{id:int}}", endpoint(application, a), methods=["GET"]),
        Route(f"{apps}/{{id:int}}/appeal", endpoint(appeal, a), methods=["POST"]),
        Route(f"{apps}/{{id:int}}/keys", endpoint(claim, a), methods=["POST"]),
        Route(f"{op}/terms", endpoint(op_terms, o), methods=["GET"]),
        Route(f"{op}/terms", endpoint(op_publish, o), methods=["POST"]),
        Route(f"{op}/terms/{{version}}", endpoint(op_terms_one, o), methods=["GET"]),
        Route(f"{op}/disputes", endpoint(op_cases, o), methods=["GET"]),
        Route(f"{op}/disputes/{{id:int}}", endpoint(op_case, o), methods=["GET"]),
        Route(f"{op}/disputes/{{id:int}}/answer", endpoint(op_answer, o), methods=["POST"]),
        Route(f"{op}/applications", endpoint(op_applications, o), methods=["GET"]),
        Route(f"{op}/applications/{{id:int}}", endpoint(op_application, o), methods=["GET"]),
        Route(f"{op}/applications/{{id:int}}/decide", endpoint(op_decide, o), methods=["POST"]),
        Route(
            f"{op}/customers/{{customer_id}}/assistant",
            endpoint(op_assistant, o),
            methods=["GET", "POST"],
        ),
        Route(f"{op}/sweep", endpoint(op_sweep, o), methods=["POST"]),
        Route(f"{op}/log", endpoint(op_log, o), methods=["GET"]),
    ]
