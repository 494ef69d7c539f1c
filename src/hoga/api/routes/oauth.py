"""OAuth (au10001 ``/oauth2/token``, au10002 ``/oauth2/revoke``) and ka00001 (account number).

Handlers translate the wire to :class:`hoga.engine.identity.IdentityService` and its refusals to
the documented codes (spec §2, §6.2). Issue and revoke run in a worker thread: they read storage
and may run scrypt, which must not stall the event loop.

Refusal → code: unknown app key or wrong secret 8001; revoked key or a suspended / terminated
customer 8002 with the reason; key of the other environment 8030; grant_type other than
``client_credentials`` 8012 (missing: 8011, and missing keys 8020 / token 8016, come from the
decoder); revoking a token that is not the app key's 8015. On other calls: unknown, expired or
revoked token 8005; token of the other environment 8031; suspended customer 8103.
"""

from __future__ import annotations

import asyncio
from typing import cast

from hoga.api.context import AppContext, Principal
from hoga.api.dispatch import Call, Reply, handler
from hoga.engine.identity import Denied, DenyReason, IdentityService
from hoga.wire.errors import ApiError
from hoga.wire.format import ymdhms
from hoga.wire.schemas.acnt import Ka00001Response
from hoga.wire.schemas.oauth import Au10001Request, Au10001Response, Au10002Request

__all__ = [
    "GRANT_TYPE",
    "TOKEN_TYPE",
    "IdentityAuthenticator",
    "account_number",
    "credential_error",
    "issue_token",
    "revoke_token",
    "token_error",
]

GRANT_TYPE = "client_credentials"
TOKEN_TYPE = "bearer"  # as documented (a real capture shows "Bearer"; clients accept both)


def credential_error(denied: Denied) -> ApiError:
    """The au10001 / au10002 answer for a refusal."""
    match denied.reason:
        case DenyReason.KEY_ENV:
            return ApiError.of(8030)
        case DenyReason.KEY_REVOKED | DenyReason.CUSTOMER_INACTIVE:
            return ApiError.of(8002, reason=denied.detail)
        case DenyReason.TOKEN_UNKNOWN:
            return ApiError.of(8015, reason="유효하지 않은 Token입니다")
        case _:
            return ApiError.of(8001)


def token_error(denied: Denied) -> ApiError:
    """The answer for a refused bearer token on any other call."""
    match denied.reason:
        case DenyReason.TOKEN_ENV:
            return ApiError.of(8031)
        case DenyReason.CUSTOMER_INACTIVE:
            return ApiError.of(8103, reason=denied.detail)
        case _:
            return ApiError.of(8005)


class IdentityAuthenticator:
    """The :class:`~hoga.api.context.Authenticator` over the identity service."""

    __slots__ = ("_identity",)

    def __init__(self, identity: IdentityService) -> None:
        self._identity = identity

    def authenticate(self, token: str, env: str, client_ip: str) -> Principal | ApiError:
        who = self._identity.authenticate(token, env, client_ip)
        if isinstance(who, Denied):
            return token_error(who)
        return Principal(who.customer_id, who.appkey, who.env, who.accounts, who.token_hash)


def _service(ctx: AppContext) -> IdentityService:
    return cast(IdentityService, ctx.services["identity"])


@handler("au10001", kind="token", auth=False)
async def issue_token(call: Call) -> Reply | ApiError:
    req = cast(Au10001Request, call.body)
    if req.grant_type.strip().lower() != GRANT_TYPE:
        return ApiError.of(8012)
    identity = _service(call.ctx)
    out = await asyncio.to_thread(
        identity.issue_token, req.appkey.strip(), req.secretkey.strip(), call.env, call.client_ip
    )
    if isinstance(out, Denied):
        return credential_error(out)
    body = Au10001Response(
        expires_dt=ymdhms(out.expires_at), token_type=TOKEN_TYPE, token=out.token
    )
    return Reply(body)


@handler("au10002", kind="token", auth=False)
async def revoke_token(call: Call) -> Reply | ApiError:
    req = cast(Au10002Request, call.body)
    identity = _service(call.ctx)
    out = await asyncio.to_thread(
        identity.revoke_token,
        req.appkey.strip(),
        req.secretkey.strip(),
        req.token.strip(),
        call.env,
    )
    if isinstance(out, Denied):
        return credential_error(out)
    return Reply()


@handler("ka00001")
def account_number(call: Call) -> Reply:
    """The account bound to the token (one per customer and environment)."""
    principal = call.principal
    account = principal.accounts[0] if principal is not None and principal.accounts else ""
    return Reply(Ka00001Response(acctNo=account))
