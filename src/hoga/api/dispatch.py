"""Kiwoom-style dispatch: ``POST <category path>`` + ``api-id`` header → one handler.

Handlers register per api-id with :func:`handler`; each receives a :class:`Call` (the decoded
request struct, the principal, paging headers) and returns a :class:`Reply` or an
:class:`~hoga.wire.errors.ApiError`. They hold no business rules: they translate wire values,
call an engine service and format the answer.

Order of checks (each failure answers the documented error and changes nothing): body size →
``api-id`` present (1501) → known api-id (1505) → api-id belongs to the path (1504) → implemented
(1505, with a note that hoga does not serve it yet) → maintenance window (1800, HTTP 503,
:mod:`hoga.policy.maintenance`; account queries during a window get ``hoga-stale: 1``) →
authorization header (1513–1516) → token
(8005 / 8031) → suspension / termination (8103, :mod:`hoga.engine.incidents`) → rate limits
(1700, HTTP 429 + ``Retry-After``; every authenticated call's outcome is recorded for the
abnormal-load detectors) → body decoding (1511 / 1517) → handler.

This is the hot path of every REST call, so it allocates little: response headers are built once
per api-id, success envelopes once per message, and a handler may answer a pre-encoded
``msgspec.Raw`` payload (ka10001 caches its answers that way).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from hoga.api.context import AppContext, Principal
from hoga.policy.ratelimit import RequestLimiter, token_appkey
from hoga.wire import catalog
from hoga.wire.envelope import body as envelope_body
from hoga.wire.envelope import response_headers, success_message
from hoga.wire.errors import ApiError
from hoga.wire.schemas.registry import REQUEST_SCHEMAS, decode_request

__all__ = [
    "HANDLERS",
    "Call",
    "HandlerSpec",
    "Reply",
    "Result",
    "dispatch",
    "handler",
    "rate_limited",
]

log = logging.getLogger(__name__)

Kind = Literal["query", "order", "token"]


@dataclass(slots=True)  # not frozen: made per request, frozen __init__ is ~5× slower
class Call:
    api_id: str
    body: Any  # the decoded request struct of this api-id
    principal: Principal | None
    env: str
    cont_yn: bool
    next_key: str
    client_ip: str
    ctx: AppContext

    @property
    def mock(self) -> bool:
        return self.env == "mock"


@dataclass(slots=True)  # not frozen: made per request, frozen __init__ is ~5× slower
class Reply:
    payload: msgspec.Struct | msgspec.Raw | None = None  # Raw: an encoded JSON object
    msg: str | None = None  # None: the documented success message of the api-id
    cont_yn: bool = False
    next_key: str = ""


@dataclass(slots=True)  # not frozen: made per request, frozen __init__ is ~5× slower
class Result:
    """What goes back over HTTP."""

    status: int
    body: bytes
    headers: Sequence[tuple[str, str]]
    return_code: int | None = None  # None: read from the body when needed


HandlerFn = Callable[[Call], "Reply | ApiError | Awaitable[Reply | ApiError]"]


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    api_id: str
    fn: HandlerFn
    kind: Kind
    auth: bool


HANDLERS: dict[str, HandlerSpec] = {}


def handler(
    api_id: str, *, kind: Kind = "query", auth: bool = True
) -> Callable[[HandlerFn], HandlerFn]:
    """Register the decorated function as the handler of ``api_id``."""

    def register(fn: HandlerFn) -> HandlerFn:
        if api_id in HANDLERS:
            raise RuntimeError(f"two handlers for {api_id}")
        HANDLERS[api_id] = HandlerSpec(api_id, fn, kind, auth)
        return fn

    return register


_HEADERS: dict[str, tuple[tuple[str, str], ...]] = {}
_TAILS: dict[str, bytes] = {}


def _headers(api_id: str) -> tuple[tuple[str, str], ...]:
    """:func:`~hoga.wire.envelope.response_headers` of a last page, built once per api-id."""
    held = _HEADERS.get(api_id)
    if held is None:
        held = tuple(response_headers(api_id))
        if len(_HEADERS) < 4_096:  # api-ids that reach here are catalogued ones (or "")
            _HEADERS[api_id] = held
    return held


def _ok_body(msg: str, payload: msgspec.Struct | msgspec.Raw | None) -> bytes:
    """:func:`~hoga.wire.envelope.body` of a success (``return_code`` 0), the envelope keys
    encoded once per message."""
    tail = _TAILS.get(msg)
    if tail is None:
        tail = envelope_body(0, msg)[1:]
        if len(_TAILS) < 4_096:
            _TAILS[msg] = tail
    if payload is None:
        return b"{" + tail
    data = memoryview(payload) if isinstance(payload, msgspec.Raw) else _ENCODER.encode(payload)
    if len(data) <= 2:  # b"{}"
        return b"{" + tail
    return b"".join((data[:-1], b",", tail))


_ENCODER = msgspec.json.Encoder()


def _error(err: ApiError, api_id: str) -> Result:
    return Result(err.status, err.body(), _headers(api_id or ""), err.return_code)


def bearer_token(header: str | None) -> str | ApiError:
    """The token of an ``authorization`` header, or 1513–1516."""
    if header is None or not header.strip():
        return ApiError.of(1513)
    parts = header.strip().split(None, 1)
    if len(parts) != 2:
        if parts[0].lower() == "bearer":
            return ApiError.of(1516)
        return ApiError.of(1514)
    scheme, token = parts
    if scheme.lower() != "bearer":
        return ApiError.of(1515)
    return token.strip()


class _Outcome(msgspec.Struct):
    return_code: int = -1


async def dispatch(
    ctx: AppContext,
    *,
    path: str,
    api_id: str | None,
    authorization: str | None,
    cont_yn: str | None,
    next_key: str | None,
    data: bytes,
    env: str,
    client_ip: str,
) -> Result:
    """Run one REST call end to end (see the module docstring for the order of checks) and
    record it: customer, app key, api-id, address, outcome (terms art. 14, hoga.engine.records)."""
    seen: list[Principal] = []
    wall_clock = ctx.wall  # one reading of each clock serves every check of this call
    times = (wall_clock.now() if wall_clock is not None else None, ctx.clock.now())
    result = await _run(
        ctx,
        path=path,
        api_id=api_id,
        authorization=authorization,
        cont_yn=cont_yn,
        next_key=next_key,
        data=data,
        env=env,
        client_ip=client_ip,
        seen=seen,
        times=times,
    )
    records = ctx.services.get("records")
    if records is not None:
        aid = (api_id or "").strip().lower()
        who = seen[0] if seen else None
        appkey = who.appkey if who else (token_appkey(data) if aid.startswith("au") else "")
        rc = result.return_code
        if rc is None:
            try:
                rc = msgspec.json.decode(result.body, type=_Outcome).return_code
            except msgspec.DecodeError:
                rc = -1
        customer = who.customer_id if who else ""
        records.api_call(customer, appkey, aid, client_ip, result.status, rc, at=times[1])
    return result


async def _run(
    ctx: AppContext,
    *,
    path: str,
    api_id: str | None,
    authorization: str | None,
    cont_yn: str | None,
    next_key: str | None,
    data: bytes,
    env: str,
    client_ip: str,
    seen: list[Principal],
    times: tuple[int | None, int],
) -> Result:
    api_id = (api_id or "").strip()
    if not api_id:
        return _error(ApiError.of(1501), "")
    api_id = api_id.lower()
    spec = catalog.spec_for(api_id)
    if spec is None:
        return _error(ApiError.of(1505, api_id=api_id), api_id)
    if spec.path != path:
        return _error(ApiError.of(1504, api_id=api_id, uri=path), api_id)
    entry = HANDLERS.get(api_id)
    if entry is None or api_id not in REQUEST_SCHEMAS:
        return _error(not_served(api_id), api_id)
    wall, now = times
    gate = ctx.services.get("maintenance.gate")  # art. 4 ④, 12 (hoga.policy.maintenance)
    window = None if gate is None else gate.check(api_id, path, entry.kind, wall=wall, now=now)
    if window is not None and window.error is not None:  # 1800, HTTP 503, nothing processed
        err = window.error
        closed = (*_headers(api_id), *window.headers)
        return Result(err.status, err.body(), closed, err.return_code)
    principal: Principal | None = None
    incidents = ctx.services.get("incidents")  # terms art. 8/9 (hoga.engine.incidents)
    if incidents is not None:
        incidents.maybe_sweep(wall=wall, now=now)  # an ended suspension lets a token issue
    if entry.auth:
        token = bearer_token(authorization)
        if isinstance(token, ApiError):
            return _error(token, api_id)
        if ctx.auth is None:
            return _error(ApiError.of(8005), api_id)
        who = ctx.auth.authenticate(token, env, client_ip, wall=wall, now=now)
        if isinstance(who, ApiError):
            return _error(who, api_id)
        principal = who
        seen.append(who)
        barred = (
            None if incidents is None else incidents.refusal(who.customer_id, wall=wall, now=now)
        )
        if barred is not None:  # suspended / terminated (also before identity's cache expires)
            return _error(ApiError.of(8103, reason=barred), api_id)
    limited = None
    if ctx.limiter is not None:  # rate limits (terms art. 11): refused → 1700, not processed
        limited = await rate_limited(ctx.limiter, entry.kind, api_id, principal, data, client_ip)
    if incidents is not None and principal is not None:  # abnormal-load detectors
        incidents.record_call(
            principal.customer_id, api_id, entry.kind, limited is None, body=data, wall=wall
        )
    if limited is not None:
        return limited
    req = decode_request(api_id, data)
    if isinstance(req, ApiError):
        return _error(req, api_id)
    call = Call(
        api_id=api_id,
        body=req,
        principal=principal,
        env=env,
        cont_yn=(cont_yn or "").strip().upper() == "Y",
        next_key=(next_key or "").strip(),
        client_ip=client_ip,
        ctx=ctx,
    )
    try:
        out = entry.fn(call)
        if not isinstance(out, (Reply, ApiError)):
            out = await out
    except ApiError as err:
        out = err
    except Exception as exc:  # a bug: answer 1999, never leak a traceback
        log.exception("handler %s failed", api_id)
        out = ApiError.of(1999, reason=type(exc).__name__)
    if isinstance(out, ApiError):
        return _error(out, api_id)
    msg = out.msg if out.msg is not None else success_message(api_id, mock=call.mock)
    if out.cont_yn:
        headers: Sequence[tuple[str, str]] = response_headers(
            api_id, cont_yn=True, next_key=out.next_key
        )
    else:
        headers = _headers(api_id)
    if window is not None and window.headers:  # hoga-stale: 1
        headers = (*headers, *window.headers)
    return Result(200, _ok_body(msg, out.payload), headers, 0)


def not_served(api_id: str) -> ApiError:
    """The answer for a documented api-id hoga does not implement yet (see docs/coverage.md)."""
    err = ApiError.of(1505, api_id=api_id)
    msg = err.return_msg.replace("존재하지 않습니다", "hoga에서 아직 지원하지 않습니다")
    return ApiError(err.code, err.status, err.return_code, msg)


async def rate_limited(
    limiter: RequestLimiter,
    kind: Kind,
    api_id: str,
    principal: Principal | None,
    data: bytes,
    client_ip: str,
) -> Result | None:
    """None when the request fits its limits (it is then counted), else the 1700 answer: HTTP
    429 with ``Retry-After`` (whole seconds, rounded up) and ``retry-after-ms`` (exact)."""
    if principal is not None:
        customer_id, appkey = principal.customer_id, principal.appkey
    else:
        customer_id, appkey = "", token_appkey(data) if kind == "token" else ""
    decision = await limiter.check(
        kind, api_id, customer_id=customer_id, appkey=appkey, client_ip=client_ip
    )
    if decision.allowed:
        return None
    err = ApiError.of(1700, api_id=api_id)
    retry_ms = -(-decision.retry_after_us // 1_000)
    headers = (
        *_headers(api_id),
        ("retry-after", str(decision.retry_after_s)),
        ("retry-after-ms", str(retry_ms)),
    )
    return Result(err.status, err.body(), headers, err.return_code)
