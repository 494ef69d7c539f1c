"""Customer REST API for condition formulas (조건검색식), hoga's own (Kiwoom has none: its
conditions are made in the HTS). JSON in and out; every route needs the customer's access
token (``Authorization: Bearer <token>`` from au10001) and sees only that customer's conditions.

Routes (under ``/hoga/v1/conditions``; ``{seq}`` is the condition's number, as in CNSRLST):

- ``GET ""`` → ``200 {"conditions": [{"seq", "name", "expr", "created_at"}, …]}``.
- ``POST ""`` with ``{"name": str, "expr": str}`` → ``201`` the stored condition. Refusals:
  ``400 invalid_expression`` (with ``position``, 0-based, and ``detail``: the message, the text
  and a caret), ``400 invalid_name``, ``409 duplicate_name``, ``409 limit``.
- ``POST /check`` with ``{"expr": str}`` → ``200 {"ok": true, "canonical": str}`` or the same
  ``400 invalid_expression`` (nothing is stored).
- ``GET /{seq}`` → ``200`` one condition; ``DELETE /{seq}`` → ``200 {"deleted": seq}``; both
  ``404 not_found`` for a number the customer does not have.
- ``GET /{seq}/matches`` → ``200 {"seq", "count", "matches": [{"code", "name", "price",
  "rate", "volume"}, …]}``: a one-shot search now, in code order (``rate`` is a string).

Errors: ``{"error": {"code": str, "message": str, …}}``; ``401 unauthorized`` for a missing or
invalid token (``message`` carries the Kiwoom code, e.g. 8005); ``400 bad_request`` for a body
that is not the expected JSON object. The language: ``docs/conditions.md`` and
:mod:`hoga.domain.conditions`. The Kiwoom dispatch limits (rate limits) do not apply here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hoga.api.context import AppContext, Principal
from hoga.domain.conditions import ConditionError, parse, to_text
from hoga.engine.conditions import ConditionService, Refusal, StoredCondition, facts_of
from hoga.wire.errors import ApiError
from hoga.wire.format import change_rate, rate

__all__ = ["PREFIX", "routes"]

PREFIX = "/hoga/v1/conditions"
_STATUS = {"invalid_expression": 400, "invalid_name": 400, "duplicate_name": 409, "limit": 409}

Handler = Callable[[Request, Principal, ConditionService], Awaitable[Response]]


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status)


def _expr_error(source: str, err: ConditionError) -> JSONResponse:
    return _error(
        400, "invalid_expression", err.message, position=err.pos, detail=err.render(source)
    )


def _public(c: StoredCondition) -> dict[str, Any]:
    return {"seq": c.seq, "name": c.name, "expr": c.expr, "created_at": c.created_at}


class _BadBody(Exception):
    pass


async def _body(request: Request, *keys: str) -> dict[str, str]:
    try:
        data = msgspec.json.decode(await request.body())
    except msgspec.DecodeError as exc:
        raise _BadBody("the body must be a JSON object") from exc
    if not isinstance(data, dict):
        raise _BadBody("the body must be a JSON object")
    out: dict[str, str] = {}
    for key in keys:
        value = data.get(key)
        if not isinstance(value, str):
            raise _BadBody(f"{key!r} must be a string")
        out[key] = value
    return out


def _seq(request: Request) -> int | None:
    raw = request.path_params["seq"]
    return int(raw) if raw.isdigit() and len(raw) <= 6 else None


def routes(ctx: AppContext) -> list[Route]:
    """The condition routes over ``ctx`` (``ctx.services["conditions"]``)."""

    def guarded(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            from hoga.api.app import env_for  # app.py imports this module

            service = ctx.services.get("conditions")
            if not isinstance(service, ConditionService):
                return _error(503, "unavailable", "condition search is not running")
            header = request.headers.get("authorization", "")
            scheme, _, token = header.strip().partition(" ")
            if scheme.lower() != "bearer" or not token.strip() or ctx.auth is None:
                return _error(401, "unauthorized", "send Authorization: Bearer <access token>")
            client = request.client.host if request.client else ""
            who = ctx.auth.authenticate(token.strip(), env_for(ctx, request), client)
            if isinstance(who, ApiError):
                return _error(401, "unauthorized", who.return_msg)
            try:
                return await fn(request, who, service)
            except _BadBody as exc:
                return _error(400, "bad_request", str(exc))

        return endpoint

    async def list_all(request: Request, who: Principal, svc: ConditionService) -> Response:
        items = [_public(c) for c in svc.store.list(who.customer_id)]
        return JSONResponse({"conditions": items})

    async def create(request: Request, who: Principal, svc: ConditionService) -> Response:
        body = await _body(request, "name", "expr")
        made = svc.store.create(who.customer_id, body["name"], body["expr"])
        if isinstance(made, Refusal):
            if made.error is not None:
                return _expr_error(body["expr"].strip(), made.error)
            return _error(_STATUS[made.code], made.code, made.message)
        return JSONResponse(_public(made), 201)

    async def check(request: Request, who: Principal, svc: ConditionService) -> Response:
        source = (await _body(request, "expr"))["expr"]
        parsed = parse(source)
        if isinstance(parsed, ConditionError):
            return _expr_error(source, parsed)
        return JSONResponse({"ok": True, "canonical": to_text(parsed)})

    def one(fn: Callable[[StoredCondition, Principal, ConditionService], Response]) -> Handler:
        async def handle(request: Request, who: Principal, svc: ConditionService) -> Response:
            seq = _seq(request)
            found = None if seq is None else svc.store.get(who.customer_id, seq)
            if found is None:
                return _error(404, "not_found", f"no condition {request.path_params['seq']}")
            return fn(found, who, svc)

        return handle

    def show(c: StoredCondition, who: Principal, svc: ConditionService) -> Response:
        return JSONResponse(_public(c))

    def delete(c: StoredCondition, who: Principal, svc: ConditionService) -> Response:
        svc.store.delete(who.customer_id, c.seq)
        return JSONResponse({"deleted": c.seq})

    def matches(c: StoredCondition, who: Principal, svc: ConditionService) -> Response:
        parsed = parse(c.expr)
        if isinstance(parsed, ConditionError):  # stored before a language change
            return _expr_error(c.expr, parsed)
        rows = []
        for state in svc.search(parsed):
            f = facts_of(state)
            pct = rate(change_rate(f.price, f.base))
            rows.append(
                {"code": f.code, "name": f.name, "price": f.price, "rate": pct, "volume": f.volume}
            )
        return JSONResponse({"seq": c.seq, "count": len(rows), "matches": rows})

    return [
        Route(PREFIX, guarded(list_all), methods=["GET"]),
        Route(PREFIX, guarded(create), methods=["POST"]),
        Route(f"{PREFIX}/check", guarded(check), methods=["POST"]),
        Route(PREFIX + "/{seq}", guarded(one(show)), methods=["GET"]),
        Route(PREFIX + "/{seq}", guarded(one(delete)), methods=["DELETE"]),
        Route(PREFIX + "/{seq}/matches", guarded(one(matches)), methods=["GET"]),
    ]
