"""Records over HTTP (terms art. 14): the customer's export and the operator's chain tools.

Customer route (hoga's own, not Kiwoom's; ``Authorization: Bearer <access token>`` from au10001,
the key's address checks apply; counts as one query against the customer's rate limits):

- ``GET /hoga/v1/records?from=YYYYMMDD&to=YYYYMMDD&format=json|csv`` — the caller's own records
  (API calls, order events and fills, ledger entries, notices, corrections…) dated from the start
  of ``from`` to the end of ``to`` (KST days, both inclusive), by sequence number. ``json`` (the
  default) answers a JSON list of ``{"seq", "time", "at", "kind", "ref", "payload", "hash"}``;
  ``csv`` the same columns with a header row (``text/csv``, ``payload`` as canonical JSON).
  Bad input answers HTTP 400 ``{"error": "…"}``; a missing or invalid token HTTP 401.

Operator routes (``Authorization: Bearer <operator token>``; JSON):

- ``GET /operator/records/verify[?public_key=HEX]`` — the verification report: ``ok``, ``count``,
  ``head``, ``anchor``, ``faults`` (each ``{"seq", "position", "kind", "detail"}``), ``problems``;
- ``GET /operator/records/proofs[?kind=checkpoint|purge]`` — checkpoints and purge proofs to keep
  outside hoga (``{"id", "kind", "label", "body", "signature"}``);
- ``POST /operator/records/checkpoint`` with optional ``{"label"}`` — close a checkpoint now
  (``{"checkpoint": proof | null}``; null when nothing is new);
- ``POST /operator/records/purge`` with optional ``{"now": time}`` — destroy what is past
  retention and answer the signed proof; HTTP 409 when the server has no signing key
  (``Settings.records_signing_key``);
- ``POST /operator/records/{seq}/correct`` with ``{"reason", "data": {…}}`` — a correction record
  pointing at ``seq`` (404 when there is no such record).

Every operator POST is itself recorded (``operator.action``). Without the recorder
(``ctx.services["records"]``) every route answers HTTP 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any, cast

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hoga.api.audit import is_operator
from hoga.api.context import AppContext
from hoga.api.dispatch import bearer_token, rate_limited
from hoga.api.operator import OperatorError, parse_time
from hoga.domain.kst import at_kst
from hoga.engine.records import Recorder, export_csv
from hoga.ports.storage import RecordProof
from hoga.wire.errors import ApiError

__all__ = ["CUSTOMER_PATH", "OPERATOR_BASE", "parse_day", "routes"]

CUSTOMER_PATH = "/hoga/v1/records"
OPERATOR_BASE = "/operator/records"
_API_ID = "hoga-records"

EnvOf = Callable[[AppContext, Request], str]
Handler = Callable[[Request, dict[str, Any], Recorder], Awaitable[Any]]


def parse_day(value: str | None, name: str) -> date:
    """A ``YYYYMMDD`` query parameter as a date; OperatorError 400 naming ``name`` otherwise."""
    if value is None or not value.strip():
        raise OperatorError(400, f"{name} is required (YYYYMMDD, a KST date)")
    text = value.strip()
    if len(text) != 8 or not text.isdigit():
        raise OperatorError(400, f"{name} must be YYYYMMDD (a KST date), got {value!r}")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise OperatorError(400, f"{name} is not a calendar date: {value!r}") from exc


def _recorder(ctx: AppContext) -> Recorder:
    svc = ctx.services.get("records")
    if not isinstance(svc, Recorder):
        raise OperatorError(503, "the recorder is not running")
    return svc


def _error(err: OperatorError) -> Response:
    return JSONResponse({"error": err.message}, status_code=err.status)


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


def _proof(p: RecordProof) -> dict[str, Any]:
    return {"id": p.id, "kind": p.kind, "label": p.label, "body": p.body, "signature": p.signature}


def routes(ctx: AppContext, env_of: EnvOf) -> list[Route]:
    """The customer's export and the operator's record routes over ``ctx`` (``env_of`` tells a
    request's environment, as for the key routes)."""

    async def export(request: Request) -> Response:
        try:
            recorder = _recorder(ctx)
        except OperatorError as err:
            return _error(err)
        token = bearer_token(request.headers.get("authorization"))
        if isinstance(token, ApiError):
            return JSONResponse({"error": f"{token.return_msg} ({token.code})"}, 401)
        if ctx.auth is None:
            return JSONResponse({"error": "authentication is not available"}, 503)
        client_ip = request.client.host if request.client else ""
        who = ctx.auth.authenticate(token, env_of(ctx, request), client_ip)
        if isinstance(who, ApiError):
            return JSONResponse({"error": f"{who.return_msg} ({who.code})"}, 401)
        if ctx.limiter is not None:
            limited = await rate_limited(ctx.limiter, "query", _API_ID, who, b"", client_ip)
            if limited is not None:
                resp = Response(limited.body, limited.status, media_type="application/json")
                for name, value in limited.headers:
                    resp.headers[name] = value
                return resp
        query = request.query_params
        try:
            first = parse_day(query.get("from"), "from")
            last = parse_day(query.get("to"), "to")
            if last < first:
                raise OperatorError(400, "to must not be before from")
            fmt = (query.get("format") or "json").strip().lower()
            if fmt not in ("json", "csv"):
                raise OperatorError(400, f"format must be 'json' or 'csv', got {fmt!r}")
        except OperatorError as err:
            recorder.api_call(who.customer_id, who.appkey, _API_ID, client_ip, err.status, 1517)
            return _error(err)
        since, until = at_kst(first), at_kst(last + timedelta(days=1))
        rows = await asyncio.to_thread(recorder.export, who.customer_id, since, until)
        recorder.api_call(who.customer_id, who.appkey, _API_ID, client_ip, 200, 0)
        if fmt == "json":
            return JSONResponse(rows)
        name = f"records-{who.customer_id}-{first:%Y%m%d}-{last:%Y%m%d}.csv"
        return Response(
            export_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    def operator(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if not is_operator(ctx, request):
                return JSONResponse({"error": "operator token required"}, status_code=401)
            try:
                recorder = _recorder(ctx)
            except OperatorError as err:
                return _error(err)
            body: dict[str, Any] = {}
            try:
                body = await _body(request) if request.method == "POST" else {}
                body.update(request.path_params)
                response: Response = JSONResponse(await fn(request, body, recorder))
            except OperatorError as err:
                response = _error(err)
            if request.method == "POST":
                detail = {"body": body, "status": response.status_code}
                recorder.operator_action("token", request.url.path, detail)
            return response

        return endpoint

    async def verify(request: Request, _: dict[str, Any], rec: Recorder) -> Any:
        key = request.query_params.get("public_key") or None
        if key is not None:
            try:
                if len(bytes.fromhex(key)) != 32:
                    raise ValueError
            except ValueError as exc:
                raise OperatorError(400, "public_key must be 64 hex digits (Ed25519)") from exc
        report = await asyncio.to_thread(rec.verify, key)
        return report.as_json()

    async def proofs(request: Request, _: dict[str, Any], rec: Recorder) -> Any:
        kind = request.query_params.get("kind") or None
        if kind not in (None, "checkpoint", "purge"):
            raise OperatorError(400, "kind must be 'checkpoint' or 'purge'")
        return await asyncio.to_thread(rec.proofs, kind)

    async def checkpoint(_: Request, body: dict[str, Any], rec: Recorder) -> Any:
        label = body.get("label")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            raise OperatorError(400, "label must be a non-empty string")
        proof = await asyncio.to_thread(rec.checkpoint, label)
        return {"checkpoint": None if proof is None else _proof(proof)}

    async def purge(_: Request, body: dict[str, Any], rec: Recorder) -> Any:
        if rec.signer is None:
            raise OperatorError(
                409,
                "purging needs the operator's Ed25519 signing key: set records_signing_key "
                "(HOGA_RECORDS_SIGNING_KEY) to a key made by 'hoga admin records keygen' "
                "and restart",
            )
        now = parse_time(body["now"]) if "now" in body else None
        out = await asyncio.to_thread(lambda: rec.purge(now, actor="operator"))
        return {
            "shredded": out.shredded,
            "deleted": out.deleted,
            "proof": None if out.proof is None else _proof(out.proof),
        }

    async def correct(_: Request, body: dict[str, Any], rec: Recorder) -> Any:
        seq = int(body["seq"])
        reason = body.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise OperatorError(400, "reason is required")
        data = body.get("data", {})
        if not isinstance(data, dict):
            raise OperatorError(400, "data must be an object")
        try:
            made = await asyncio.to_thread(rec.correct, seq, reason, data)
        except KeyError as exc:
            raise OperatorError(404, f"no record {seq}") from exc
        except TypeError as exc:  # a float in data
            raise OperatorError(400, f"data: {exc} (use integers or strings)") from exc
        return {"seq": made.seq, "kind": made.kind, "ref": made.ref, "hash": made.hash}

    return [
        Route(CUSTOMER_PATH, export, methods=["GET"]),
        Route(f"{OPERATOR_BASE}/verify", operator(verify), methods=["GET"]),
        Route(f"{OPERATOR_BASE}/proofs", operator(proofs), methods=["GET"]),
        Route(f"{OPERATOR_BASE}/checkpoint", operator(checkpoint), methods=["POST"]),
        Route(f"{OPERATOR_BASE}/purge", operator(purge), methods=["POST"]),
        Route(f"{OPERATOR_BASE}/{{seq:int}}/correct", operator(correct), methods=["POST"]),
    ]
