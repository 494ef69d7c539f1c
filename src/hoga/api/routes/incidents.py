"""Incidents over HTTP: the operator's review surface and the customer's explanation (art. 8, 9).

Operator routes (``Authorization: Bearer <operator token>``; JSON; times are ISO-8601, KST when
no offset is given, or epoch µs):

- ``GET /operator/incidents`` — ``?open=1`` only open ones, ``?customer_id=C…`` one customer's;
- ``GET /operator/incidents/{id}`` — one incident with the notices sent about it;
- ``POST /operator/incidents`` with ``{"customer_id", "action": "suspend" | "terminate",
  "cause": "regulator" | "abnormal_load", "reason"}`` — a regulator's recommendation (the default
  cause) or an abnormal load the operator saw; abnormal load decides suspend/terminate itself;
- ``POST /operator/incidents/{id}/extend`` with ``{"deadline": time}`` or ``{"days": n}`` (from
  the current deadline); ``.../accept``, ``.../reject`` (the submitted explanation), ``.../lift``
  (end the sanction early);
- ``POST /operator/incidents/sweep`` — apply due expiries and lapses now;
- ``GET /operator/incidents/notices`` — notices sent (``?customer_id=``).

Customer routes (hoga's own, not Kiwoom's): ``GET /hoga/v1/incidents`` (the caller's incidents
and notices) and ``POST /hoga/v1/incidents/{id}/explanation`` with ``{"explanation": "…"}``.
They authenticate with ``Authorization: Bearer <access token>`` — a suspended customer's
unexpired tokens still work here, and only here — or, once termination revoked the tokens, with
``appkey`` and ``secretkey`` headers. Unauthenticated: HTTP 401; someone else's incident: 404.

Refusals of the state machine answer HTTP 409 ``{"error", "reason"}``; unknown incidents 404.
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
from hoga.api.context import AppContext
from hoga.api.operator import OperatorError, parse_time
from hoga.domain.kst import kst_datetime
from hoga.domain.suspension import Cause, Incident, Refused, Sanction
from hoga.engine.incidents import EXPLANATION_PATH, IncidentService
from hoga.ports.storage import NoticeRecord

__all__ = ["incident_json", "notice_json", "routes"]

_DAY_US = 86_400_000_000


def _time(t: int | None) -> str | None:
    return None if t is None else kst_datetime(t).isoformat()


def incident_json(i: Incident) -> dict[str, Any]:
    ev = i.evidence
    return {
        "id": i.id,
        "customer_id": i.customer_id,
        "cause": i.cause.value,
        "sanction": i.sanction.value,
        "review": i.review.value,
        "phase": i.phase.value,
        "reason": i.reason,
        "opened_at": _time(i.opened_at),
        "ends_at": _time(i.ends_at),
        "deadline": _time(i.deadline),
        "deadline_us": i.deadline,
        "explanation": i.explanation,
        "explained_at": _time(i.explained_at),
        "decided_at": _time(i.decided_at),
        "ended_at": _time(i.ended_at),
        "explanation_path": EXPLANATION_PATH.format(id=i.id),
        "evidence": None
        if ev is None
        else {
            "rule": ev.rule,
            "since": _time(ev.since),
            "until": _time(ev.until),
            "counters": dict(ev.counters),
            "samples": list(ev.samples),
        },
    }


def notice_json(n: NoticeRecord) -> dict[str, Any]:
    return {
        "id": n.id,
        "at": _time(n.at),
        "customer_id": n.customer_id,
        "incident_id": n.incident_id,
        "kind": n.kind,
        "subject": n.subject,
        "body": n.body,
        "channel": n.channel,
    }


def _service(ctx: AppContext) -> IncidentService:
    svc = ctx.services.get("incidents")
    if not isinstance(svc, IncidentService):
        raise OperatorError(503, "the incident service is not running")
    return svc


def _outcome(out: Incident | Refused) -> dict[str, Any]:
    if isinstance(out, Refused):
        status = 404 if out.reason == "unknown_incident" else 409
        raise OperatorError(status, f"{out.detail} ({out.reason})")
    return incident_json(out)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        decoded = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise OperatorError(400, "body is not JSON") from exc
    if not isinstance(decoded, dict):
        raise OperatorError(400, "body must be an object")
    return cast(dict[str, Any], decoded)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OperatorError(400, f"{what} must be an integer")
    return value


Handler = Callable[[Request, dict[str, Any]], Awaitable[Any]]


def _json(fn: Handler, check: Callable[[Request], str | None]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        denied = check(request)
        if denied is not None:
            return JSONResponse({"error": denied}, status_code=401)
        body: dict[str, Any] = {}
        try:
            body = await _body(request) if request.method == "POST" else {}
            body.update(request.path_params)
            response: Response = JSONResponse(await fn(request, body))
        except OperatorError as err:
            response = JSONResponse({"error": err.message}, status_code=err.status)
        ctx = getattr(request.app.state, "ctx", None)  # set by hoga.api.app.create_app
        if isinstance(ctx, AppContext):
            record_operator_post(ctx, request, body, response.status_code)
        return response

    return endpoint


def routes(ctx: AppContext) -> list[Route]:
    """The operator and customer incident routes over ``ctx``."""

    def operator(request: Request) -> str | None:
        if not is_operator(ctx, request):
            return "operator token required"
        return None

    def anyone(_: Request) -> None:
        return None

    async def listing(request: Request, _: dict[str, Any]) -> Any:
        svc = _service(ctx)
        svc.maybe_sweep()
        open_only = request.query_params.get("open", "") in ("1", "true", "yes")
        who = request.query_params.get("customer_id") or None
        return [incident_json(i) for i in svc.incidents(who, open_only)]

    async def one(_: Request, body: dict[str, Any]) -> Any:
        svc = _service(ctx)
        svc.maybe_sweep()
        inc = svc.get(_int(body["id"], "id"))
        if inc is None:
            raise OperatorError(404, f"no incident {body['id']}")
        notices = [notice_json(n) for n in svc.notices(incident_id=inc.id)]
        return {**incident_json(inc), "notices": notices}

    async def create(_: Request, body: dict[str, Any]) -> Any:
        svc = _service(ctx)
        customer = body.get("customer_id")
        if not isinstance(customer, str) or not customer:
            raise OperatorError(400, "customer_id is required")
        action = body.get("action", "suspend")
        if action not in ("suspend", "terminate"):
            raise OperatorError(400, "action must be 'suspend' or 'terminate'")
        cause = body.get("cause", "regulator")
        if cause not in ("regulator", "abnormal_load"):
            raise OperatorError(400, "cause must be 'regulator' or 'abnormal_load'")
        reason = str(body.get("reason") or "")
        if not reason.strip():
            raise OperatorError(400, "reason is required (it is sent to the customer)")
        try:
            inc = svc.open(customer, Cause(cause), sanction=Sanction(action), reason=reason)
        except KeyError as exc:
            raise OperatorError(404, f"no customer {customer}") from exc
        return incident_json(inc)

    async def extend(_: Request, body: dict[str, Any]) -> Any:
        svc = _service(ctx)
        incident_id = _int(body["id"], "id")
        if "deadline" in body:
            deadline = parse_time(body["deadline"])
        elif "days" in body:
            inc = svc.get(incident_id)
            if inc is None:
                raise OperatorError(404, f"no incident {incident_id}")
            deadline = inc.deadline + _int(body["days"], "days") * _DAY_US
        else:
            raise OperatorError(400, "give deadline or days")
        return _outcome(svc.extend(incident_id, deadline))

    def decision(name: str) -> Handler:
        async def decide(_: Request, body: dict[str, Any]) -> Any:
            svc = _service(ctx)
            incident_id = _int(body["id"], "id")
            step = {"accept": svc.accept, "reject": svc.reject, "lift": svc.lift}[name]
            return _outcome(step(incident_id))

        return decide

    async def sweep(_: Request, __: dict[str, Any]) -> Any:
        return [incident_json(i) for i in _service(ctx).sweep()]

    async def notices(request: Request, _: dict[str, Any]) -> Any:
        who = request.query_params.get("customer_id") or None
        return [notice_json(n) for n in _service(ctx).notices(customer_id=who)]

    async def customer_of(request: Request) -> str:
        svc = _service(ctx)
        header = request.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            found = svc.customer_for_token(header[7:].strip())
        else:
            appkey = request.headers.get("appkey", "").strip()
            secret = request.headers.get("secretkey", "").strip()
            found = None
            if appkey and secret:
                found = await asyncio.to_thread(svc.customer_for_credentials, appkey, secret)
        if found is None:
            raise OperatorError(401, "a valid access token (or appkey and secretkey) is required")
        return found

    async def mine(request: Request, _: dict[str, Any]) -> Any:
        customer = await customer_of(request)
        svc = _service(ctx)
        svc.maybe_sweep()
        return {
            "customer_id": customer,
            "status": svc.status(customer),
            "incidents": [incident_json(i) for i in svc.incidents(customer)],
            "notices": [notice_json(n) for n in svc.notices(customer_id=customer)],
        }

    async def explain(request: Request, body: dict[str, Any]) -> Any:
        customer = await customer_of(request)
        text = body.get("explanation")
        if not isinstance(text, str):
            raise OperatorError(400, "explanation must be a string")
        svc = _service(ctx)
        return _outcome(svc.submit_explanation(customer, _int(body["id"], "id"), text))

    base = "/operator/incidents"
    return [
        Route(base, _json(listing, operator), methods=["GET"]),
        Route(base, _json(create, operator), methods=["POST"]),
        Route(f"{base}/sweep", _json(sweep, operator), methods=["POST"]),
        Route(f"{base}/notices", _json(notices, operator), methods=["GET"]),
        Route(f"{base}/{{id:int}}", _json(one, operator), methods=["GET"]),
        Route(f"{base}/{{id:int}}/extend", _json(extend, operator), methods=["POST"]),
        *(
            Route(f"{base}/{{id:int}}/{name}", _json(decision(name), operator), methods=["POST"])
            for name in ("accept", "reject", "lift")
        ),
        Route("/hoga/v1/incidents", _json(mine, anyone), methods=["GET"]),
        Route("/hoga/v1/incidents/{id:int}/explanation", _json(explain, anyone), methods=["POST"]),
    ]
