"""Operations over HTTP: maintenance windows, service changes, notices, published fees.

Operator routes (``Authorization: Bearer <operator token>``; JSON; times ISO-8601, KST when no
offset is given, or epoch µs):

- ``GET /operator/maintenance`` (``?current=1``: not over, not cancelled);
  ``POST /operator/maintenance`` with ``{"kind": "scheduled" | "emergency", "scope": [...],
  "starts_at", "ends_at" | "minutes", "reason"}`` (an emergency starts now unless
  ``starts_at``); ``POST /operator/maintenance/{id}/end`` and ``.../cancel``;
- ``GET /operator/service-changes``; ``POST /operator/service-changes`` with ``{"kind":
  "api_added" | "api_retired" | "limit_changed" | "other", "title", "detail", "api_ids",
  "effective_at"}`` (published and sent to every customer);
- ``GET /operator/notices`` (``?customer_id=``, ``?ref=``) with each notice's deliveries and
  attempts; ``POST /operator/notices/flush`` (deliver what is due now);
  ``POST /operator/notices/deliveries/{id}/retry``;
- ``GET /operator/fees`` (``?on=YYYY-MM-DD``).

Public routes (no authentication; published information): ``GET /hoga/v1/maintenance``
(windows not over), ``GET /hoga/v1/service-changes`` (``?upcoming=1``), ``GET /hoga/v1/fees``
(``?on=``). Customer routes (``Authorization: Bearer <access token>``): ``GET
/hoga/v1/notices`` (the customer's notice box, ``?after=`` id), ``GET /hoga/v1/notices/contact``
and ``POST /hoga/v1/notices/contact`` with ``{"email", "phone", "channels": ["email", "sms",
"alimtalk"]}``. Refusals answer HTTP 409 (operator) or 400 (customer) ``{"error"}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, cast

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hoga.api.audit import is_operator, record_operator_post
from hoga.api.context import AppContext
from hoga.api.operator import OperatorError, parse_time
from hoga.domain.kst import kst_date, kst_datetime
from hoga.engine.fees_published import published_fees
from hoga.engine.maintenance import MaintenanceService, Refused
from hoga.engine.outbox import ContactRefused, Outbox
from hoga.ports.storage import (
    ContactRecord,
    DeliveryRecord,
    MaintenanceWindow,
    OutboxNotice,
    ServiceChange,
)

__all__ = ["routes", "window_json"]

Handler = Callable[[Request, dict[str, Any]], Awaitable[Any]]
_MINUTE = 60_000_000


def _t(t: int | None) -> str | None:
    return None if t is None else kst_datetime(t).isoformat()


def window_json(w: MaintenanceWindow) -> dict[str, Any]:
    return {
        "id": w.id,
        "kind": w.kind,
        "scope": list(w.scope),
        "starts_at": _t(w.starts_at),
        "ends_at": _t(w.ends_at),
        "reason": w.reason,
        "created_at": _t(w.created_at),
        "created_by": w.created_by,
        "cancelled_at": _t(w.cancelled_at),
        "announced_at": _t(w.announced_at),
        "reminded_at": _t(w.reminded_at),
        "reported_at": _t(w.reported_at),
    }


def _change_json(c: ServiceChange) -> dict[str, Any]:
    return {
        "id": c.id,
        "kind": c.kind,
        "title": c.title,
        "detail": c.detail,
        "api_ids": list(c.api_ids),
        "effective_at": _t(c.effective_at),
        "published_at": _t(c.published_at),
        "notified_at": _t(c.notified_at),
    }


def _notice_json(n: OutboxNotice) -> dict[str, Any]:
    return {
        "id": n.id,
        "at": _t(n.at),
        "customer_id": n.customer_id,
        "kind": n.kind,
        "subject": n.subject,
        "body": n.body,
        "ref": n.ref,
    }


def _delivery_json(d: DeliveryRecord, box: Outbox) -> dict[str, Any]:
    attempts = [{"at": _t(a.at), "ok": a.ok, "detail": a.detail} for a in box.attempts(d.id)]
    return {
        "id": d.id,
        "channel": d.channel,
        "address": d.address,
        "status": d.status,
        "attempts": attempts,
        "next_at": _t(d.next_at) if d.status == "pending" else None,
        "detail": d.detail,
    }


def _contact_json(c: ContactRecord | None, customer_id: str) -> dict[str, Any]:
    if c is None:
        return {"customer_id": customer_id, "email": "", "phone": "", "channels": []}
    return {
        "customer_id": c.customer_id,
        "email": c.email,
        "phone": c.phone,
        "channels": list(c.channels),
        "updated_at": _t(c.updated_at),
    }


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


def _done(out: Any, status: int = 409) -> Any:
    if isinstance(out, Refused | ContactRefused):
        raise OperatorError(status, out.reason)
    return out


def _strings(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OperatorError(400, f"{what} must be a list of strings")
    return cast(list[str], value)


def routes(ctx: AppContext) -> list[Route]:
    """The operator, public and customer operations routes over ``ctx``."""

    def maintenance() -> MaintenanceService:
        svc = ctx.services.get("maintenance")
        if not isinstance(svc, MaintenanceService):
            raise OperatorError(503, "the maintenance service is not running")
        return svc

    def outbox() -> Outbox:
        box = ctx.services.get("outbox")
        if not isinstance(box, Outbox):
            raise OperatorError(503, "the notice outbox is not running")
        return box

    def operator(request: Request) -> None:
        if not is_operator(ctx, request):
            raise OperatorError(401, "operator token required")

    def customer(request: Request) -> str:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        found = None
        incidents = ctx.services.get("incidents")
        if token and incidents is not None:
            found = incidents.customer_for_token(token)
        if found is None:
            raise OperatorError(401, "a valid access token is required")
        return cast(str, found)

    def endpoint(fn: Handler, guard: Callable[[Request], Any] | None) -> Callable[..., Any]:
        async def run(request: Request) -> Response:
            body: dict[str, Any] = {}
            try:
                if guard is not None:
                    guard(request)
                body = await _body(request) if request.method == "POST" else {}
                body.update(request.path_params)
                response: Response = JSONResponse(await fn(request, body))
            except OperatorError as err:
                response = JSONResponse({"error": err.message}, status_code=err.status)
            if guard is operator and response.status_code != 401:
                record_operator_post(ctx, request, body, response.status_code)
            return response

        return run

    # -- maintenance ----------------------------------------------------------------------

    async def list_windows(request: Request, _: dict[str, Any]) -> Any:
        current = request.query_params.get("current", "") in ("1", "true", "yes")
        return [window_json(w) for w in maintenance().windows(current=current)]

    async def create_window(_: Request, body: dict[str, Any]) -> Any:
        svc = maintenance()
        kind = body.get("kind", "scheduled")
        scope = _strings(body.get("scope", ["all"]), "scope")
        reason = str(body.get("reason") or "").strip()
        if not reason:
            raise OperatorError(400, "reason is required (it is sent to customers)")
        start = parse_time(body["starts_at"]) if "starts_at" in body else None
        if "ends_at" in body:
            end = parse_time(body["ends_at"])
        elif isinstance(body.get("minutes"), int) and not isinstance(body["minutes"], bool):
            end = (start if start is not None else svc.clock.now()) + body["minutes"] * _MINUTE
        else:
            raise OperatorError(400, "give ends_at or minutes")
        if kind == "scheduled":
            if start is None:
                raise OperatorError(400, "a scheduled window needs starts_at")
            out = svc.schedule(scope, start, end, reason)
        elif kind == "emergency":
            out = svc.emergency(scope, end, reason, starts_at=start)
        else:
            raise OperatorError(400, "kind must be 'scheduled' or 'emergency'")
        return window_json(_done(out))

    def window_step(name: str) -> Handler:
        async def step(_: Request, body: dict[str, Any]) -> Any:
            svc = maintenance()
            fn = svc.end if name == "end" else svc.cancel
            out = fn(int(body["id"]))
            if isinstance(out, Refused) and out.reason.startswith("no maintenance"):
                raise OperatorError(404, out.reason)
            return window_json(_done(out))

        return step

    async def public_windows(_: Request, __: dict[str, Any]) -> Any:
        svc = maintenance()
        active = {w.id for w in svc.active()}
        return [{**window_json(w), "in_force": w.id in active} for w in svc.windows(current=True)]

    # -- service changes ------------------------------------------------------------------

    async def list_changes(request: Request, _: dict[str, Any]) -> Any:
        upcoming = request.query_params.get("upcoming", "") in ("1", "true", "yes")
        return [_change_json(c) for c in maintenance().changes(upcoming=upcoming)]

    async def create_change(_: Request, body: dict[str, Any]) -> Any:
        if "effective_at" not in body:
            raise OperatorError(400, "effective_at is required")
        out = maintenance().announce_change(
            str(body.get("kind", "other")),
            str(body.get("title") or ""),
            str(body.get("detail") or ""),
            _strings(body.get("api_ids", []), "api_ids"),
            parse_time(body["effective_at"]),
        )
        return _change_json(_done(out))

    # -- notices --------------------------------------------------------------------------

    async def list_notices(request: Request, _: dict[str, Any]) -> Any:
        box = outbox()
        q = request.query_params
        found = box.notices(customer_id=q.get("customer_id") or None, ref=q.get("ref") or None)
        return [
            {
                **_notice_json(n),
                "deliveries": [_delivery_json(d, box) for d in box.deliveries(notice_id=n.id)],
            }
            for n in found
        ]

    async def flush(_: Request, __: dict[str, Any]) -> Any:
        return {"attempted": await outbox().flush()}

    async def retry(_: Request, body: dict[str, Any]) -> Any:
        box = outbox()
        d = box.retry(int(body["id"]))
        if d is None:
            raise OperatorError(404, f"no delivery {body['id']}")
        return _delivery_json(d, box)

    async def my_notices(request: Request, _: dict[str, Any]) -> Any:
        who = customer(request)
        after = request.query_params.get("after", "0")
        box = outbox()
        found = box.notices(customer_id=who, after=int(after) if after.isdigit() else 0)
        return {"customer_id": who, "notices": [_notice_json(n) for n in found]}

    async def get_contact(request: Request, _: dict[str, Any]) -> Any:
        who = customer(request)
        return _contact_json(outbox().contact(who), who)

    async def set_contact(request: Request, body: dict[str, Any]) -> Any:
        who = customer(request)
        out = outbox().set_contact(
            who,
            email=str(body.get("email") or ""),
            phone=str(body.get("phone") or ""),
            channels=_strings(body.get("channels", []), "channels"),
        )
        return _contact_json(_done(out, 400), who)

    # -- fees -----------------------------------------------------------------------------

    async def fees(request: Request, _: dict[str, Any]) -> Any:
        brokerage = ctx.services.get("brokerage")
        if brokerage is None:
            raise OperatorError(503, "the brokerage is not running")
        raw = request.query_params.get("on")
        try:
            on = date.fromisoformat(raw) if raw else kst_date(ctx.clock.now())
        except ValueError as exc:
            raise OperatorError(400, "on must be a date (YYYY-MM-DD)") from exc
        return published_fees(brokerage.ledger.fees, on)

    op, m = operator, "/operator/maintenance"
    return [
        Route(m, endpoint(list_windows, op), methods=["GET"]),
        Route(m, endpoint(create_window, op), methods=["POST"]),
        Route(f"{m}/{{id:int}}/end", endpoint(window_step("end"), op), methods=["POST"]),
        Route(f"{m}/{{id:int}}/cancel", endpoint(window_step("cancel"), op), methods=["POST"]),
        Route("/operator/service-changes", endpoint(list_changes, op), methods=["GET"]),
        Route("/operator/service-changes", endpoint(create_change, op), methods=["POST"]),
        Route("/operator/notices", endpoint(list_notices, op), methods=["GET"]),
        Route("/operator/notices/flush", endpoint(flush, op), methods=["POST"]),
        Route("/operator/notices/deliveries/{id:int}/retry", endpoint(retry, op), methods=["POST"]),
        Route("/operator/fees", endpoint(fees, op), methods=["GET"]),
        Route("/hoga/v1/maintenance", endpoint(public_windows, None), methods=["GET"]),
        Route("/hoga/v1/service-changes", endpoint(list_changes, None), methods=["GET"]),
        Route("/hoga/v1/fees", endpoint(fees, None), methods=["GET"]),
        Route("/hoga/v1/notices", endpoint(my_notices, None), methods=["GET"]),
        Route("/hoga/v1/notices/contact", endpoint(get_contact, None), methods=["GET"]),
        Route("/hoga/v1/notices/contact", endpoint(set_contact, None), methods=["POST"]),
    ]
