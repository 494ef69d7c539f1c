"""The customer's key-management API (terms art. 5 ②): several app keys, secret rotation,
revocation, IP allow-lists and token binding — JSON over HTTP under ``/hoga/v1/keys``.

Every route needs ``Authorization: Bearer <access token>`` of the customer (from au10001 with
any of its live keys; the key's own address checks apply, 8050 / 8010) and counts as one query
against the customer's rate limits (1700 / HTTP 429). A customer sees and changes only its own
keys: another customer's app key answers 404 like an unknown one.

- ``GET /hoga/v1/keys`` — the customer's keys: ``{"keys": [key, …]}``;
- ``POST /hoga/v1/keys`` — a new key in the customer's environment: ``{"appkey", "secretkey"}``
  (the secret is shown once; at most 10 live keys, else HTTP 409);
- ``GET /hoga/v1/keys/{appkey}`` — one key;
- ``POST /hoga/v1/keys/{appkey}/rotate`` with optional ``{"revoke_tokens": bool}`` — a new secret
  (the old one stops working at once): ``{"appkey", "secretkey"}``;
- ``POST /hoga/v1/keys/{appkey}/revoke`` — revoke the key and its tokens (at once);
- ``PUT /hoga/v1/keys/{appkey}/access`` with ``{"allowed_ips": ["203.0.113.7", "2001:db8::/48"],
  "bind_token_ip": bool}`` — the allow-list (≤ 10 entries, empty = anywhere) and token binding.

A key is ``{"appkey", "env", "created_at", "revoked_at", "allowed_ips", "bind_token_ip"}``
(times epoch µs). Answers carry the Kiwoom envelope (``return_code`` 0 / ``return_msg``); errors
are Kiwoom errors: authentication 1513–1516 / 8005 / 8031 / 8050 / 8010 / 8103 (HTTP 200 as on
Kiwoom), bad input 1517 (HTTP 400), unknown key 1517 (HTTP 404), revoked key 8002 (HTTP 409).
Every change is recorded (:mod:`hoga.engine.security_log`) with the customer and address.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, cast

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hoga.api.context import AppContext, Principal
from hoga.api.dispatch import bearer_token, rate_limited
from hoga.engine.identity import Denied, IdentityService, KeyInfo
from hoga.engine.security_log import Actor
from hoga.policy.access import normalize_allow_list
from hoga.wire.envelope import CONTENT_TYPE
from hoga.wire.errors import ApiError

__all__ = ["BASE", "routes"]

BASE = "/hoga/v1/keys"
_API_ID = "hoga-keys"
_OK = "정상적으로 처리되었습니다"

EnvOf = Callable[[AppContext, Request], str]
Handler = Callable[[Request, Principal, IdentityService, Actor], Awaitable[Response]]


def _json(status: int, payload: dict[str, Any]) -> Response:
    body = msgspec.json.encode({"return_code": 0, "return_msg": _OK, **payload})
    return Response(body, status_code=status, media_type=CONTENT_TYPE)


def _error(err: ApiError, status: int | None = None) -> Response:
    return Response(err.body(), status_code=status or err.status, media_type=CONTENT_TYPE)


def _bad(param: str, reason: str, status: int = 400) -> Response:
    return _error(ApiError.of(1517, param=param, reason=reason), status)


def _key(info: KeyInfo) -> dict[str, Any]:
    return {
        "appkey": info.appkey,
        "env": info.env,
        "created_at": info.created_at,
        "revoked_at": info.revoked_at,
        "allowed_ips": list(info.allowed_ips),
        "bind_token_ip": info.bind_token_ip,
    }


async def _body(request: Request, limit: int) -> dict[str, Any] | Response:
    data = await request.body()
    if len(data) > limit:
        return _bad("body", "요청 본문이 너무 큽니다", 413)
    if not data.strip():
        return {}
    try:
        value = msgspec.json.decode(data)
    except msgspec.DecodeError:
        return _bad("body", "JSON 형식이 아닙니다")
    if not isinstance(value, dict):
        return _bad("body", "JSON 객체가 필요합니다")
    return cast(dict[str, Any], value)


def _own(identity: IdentityService, principal: Principal, appkey: str) -> KeyInfo | None:
    info = identity.key(appkey)
    return info if info is not None and info.customer_id == principal.customer_id else None


def _not_found(appkey: str) -> Response:
    return _bad("appkey", f"고객의 App Key가 아닙니다({appkey[:8]}…)", 404)


async def list_keys(
    request: Request, who: Principal, identity: IdentityService, actor: Actor
) -> Response:
    keys = await asyncio.to_thread(identity.keys, who.customer_id)
    return _json(200, {"keys": [_key(k) for k in keys]})


async def add_key(
    request: Request, who: Principal, identity: IdentityService, actor: Actor
) -> Response:
    out = await asyncio.to_thread(identity.new_key, who.customer_id, actor=actor)
    if isinstance(out, Denied):
        return _bad("appkey", out.detail, 409)
    appkey, secretkey = out
    return _json(201, {"appkey": appkey, "secretkey": secretkey})


async def get_key(
    request: Request, who: Principal, identity: IdentityService, actor: Actor
) -> Response:
    appkey = request.path_params["appkey"]
    info = await asyncio.to_thread(_own, identity, who, appkey)
    return _not_found(appkey) if info is None else _json(200, {"key": _key(info)})


async def rotate_key(
    request: Request, who: Principal, identity: IdentityService, actor: Actor
) -> Response:
    appkey = request.path_params["appkey"]
    body = await _body(request, 4096)
    if isinstance(body, Response):
        return body
    revoke_tokens = body.get("revoke_tokens", False)
    if not isinstance(revoke_tokens, bool):
        return _bad("revoke_tokens", "true 또는 false")
    if await asyncio.to_thread(_own, identity, who, appkey) is None:
        return _not_found(appkey)
    out = await asyncio.to_thread(
        identity.rotate_secret, appkey, actor=actor, revoke_tokens=revoke_tokens
    )
    if out is None:
        return _not_found(appkey)
    if isinstance(out, Denied):
        return _error(ApiError.of(8002, reason=out.detail), 409)
    return _json(200, {"appkey": appkey, "secretkey": out})


async def revoke_key(
    request: Request, who: Principal, identity: IdentityService, actor: Actor
) -> Response:
    appkey = request.path_params["appkey"]
    if await asyncio.to_thread(_own, identity, who, appkey) is None:
        return _not_found(appkey)
    await asyncio.to_thread(identity.revoke_key, appkey, actor=actor)
    return _json(200, {"appkey": appkey})


async def set_access(
    request: Request, who: Principal, identity: IdentityService, actor: Actor
) -> Response:
    appkey = request.path_params["appkey"]
    body = await _body(request, 4096)
    if isinstance(body, Response):
        return body
    entries, bind = body.get("allowed_ips", []), body.get("bind_token_ip", False)
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        return _bad("allowed_ips", "문자열 목록이 필요합니다")
    if not isinstance(bind, bool):
        return _bad("bind_token_ip", "true 또는 false")
    allowed = normalize_allow_list(entries)
    if isinstance(allowed, str):
        return _bad("allowed_ips", allowed)
    if await asyncio.to_thread(_own, identity, who, appkey) is None:
        return _not_found(appkey)
    await asyncio.to_thread(identity.set_access, appkey, allowed, bind, actor=actor)
    info = await asyncio.to_thread(identity.key, appkey)
    assert info is not None
    return _json(200, {"key": _key(info)})


def routes(ctx: AppContext, env_of: EnvOf) -> list[Route]:
    """The key-management routes over ``ctx`` (``env_of`` tells a request's environment)."""

    def guarded(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            identity = ctx.services.get("identity")
            token = bearer_token(request.headers.get("authorization"))
            if isinstance(token, ApiError):
                return _error(token)
            if ctx.auth is None or not isinstance(identity, IdentityService):
                return _error(ApiError.of(8005))
            client_ip = request.client.host if request.client else ""
            who = ctx.auth.authenticate(token, env_of(ctx, request), client_ip)
            if isinstance(who, ApiError):
                return _error(who)
            if ctx.limiter is not None:
                limited = await rate_limited(ctx.limiter, "query", _API_ID, who, b"", client_ip)
                if limited is not None:
                    resp = Response(limited.body, limited.status, media_type=CONTENT_TYPE)
                    for name, value in limited.headers:
                        resp.headers[name] = value
                    return resp
            return await fn(request, who, identity, Actor.customer(who.customer_id, client_ip))

        return endpoint

    return [
        Route(BASE, guarded(list_keys), methods=["GET"]),
        Route(BASE, guarded(add_key), methods=["POST"]),
        Route(BASE + "/{appkey}", guarded(get_key), methods=["GET"]),
        Route(BASE + "/{appkey}/rotate", guarded(rotate_key), methods=["POST"]),
        Route(BASE + "/{appkey}/revoke", guarded(revoke_key), methods=["POST"]),
        Route(BASE + "/{appkey}/access", guarded(set_access), methods=["PUT"]),
    ]
