"""OAuth (au10001 ``/oauth2/token``, au10002 ``/oauth2/revoke``) and ka00001 (account number).

Handlers translate the wire to :class:`hoga.engine.identity.IdentityService` and its refusals to
the documented codes (spec §2, §6.2). Issue and revoke run in a worker thread: they read storage
and may run scrypt, which must not stall the event loop.

Refusal → code: unknown app key or wrong secret 8001; revoked key or a suspended / terminated
customer 8002 with the reason; key of the other environment 8030; grant_type other than
``client_credentials`` 8012 (missing: 8011, and missing keys 8020 / token 8016, come from the
decoder); revoking a token that is not the app key's 8015. On other calls: unknown, expired or
revoked token 8005; token of the other environment 8031; suspended customer 8103.

Access security (:mod:`hoga.policy.access`, :mod:`hoga.engine.security_log`): a key's IP
allow-list is checked at issue / revoke (before the secret) and on every call: 8050 from an
address outside it; a token bound to its issuing address answers 8010 elsewhere; after repeated
failures the app key or address is locked and answers 8002 with how long to wait, without the
secret being checked. Every refusal here is recorded with the client address.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import cast

from hoga.api.context import AppContext, Principal
from hoga.api.dispatch import Call, Reply, handler
from hoga.engine.identity import Denied, DenyReason, Identity, IdentityService
from hoga.engine.security_log import Action
from hoga.policy.access import AccessRefusal, check_call, ip_allowed
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
        case DenyReason.KEY_REVOKED | DenyReason.CUSTOMER_INACTIVE | DenyReason.THROTTLED:
            return ApiError.of(8002, reason=denied.detail)
        case DenyReason.IP_NOT_ALLOWED:
            return ApiError.of(8050)
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
        case DenyReason.IP_NOT_ALLOWED:
            return ApiError.of(8050)
        case DenyReason.TOKEN_IP:
            return ApiError.of(8010)
        case _:
            return ApiError.of(8005)


class IdentityAuthenticator:
    """The :class:`~hoga.api.context.Authenticator` over the identity service, with the key's
    address checks (8050 / 8010); refusals are recorded."""

    __slots__ = ("_identity", "_principals")

    def __init__(self, identity: IdentityService) -> None:
        self._identity = identity
        # token hash -> (identity, its principal): one Principal per cached identity
        self._principals: dict[str, tuple[Identity, Principal]] = {}

    def authenticate(
        self,
        token: str,
        env: str,
        client_ip: str,
        *,
        wall: int | None = None,
        now: int | None = None,
    ) -> Principal | ApiError:
        who = self.identify(token, env, client_ip, wall=wall, now=now)
        if isinstance(who, Denied):
            return token_error(who)
        held = self._principals.get(who.token_hash)
        if held is not None and held[0] is who:
            return held[1]
        principal = Principal(who.customer_id, who.appkey, who.env, who.accounts, who.token_hash)
        if len(self._principals) >= 50_000:
            self._principals.clear()
        self._principals[who.token_hash] = (who, principal)
        return principal

    def identify(
        self,
        token: str,
        env: str,
        client_ip: str,
        *,
        wall: int | None = None,
        now: int | None = None,
    ) -> Identity | Denied:
        """The identity behind ``token`` from ``client_ip``, or the recorded refusal."""
        who = self._identity.authenticate(token, env, client_ip, wall=wall, now=now)
        if isinstance(who, Denied):
            detail = who.reason.value + (f" ({who.detail})" if who.detail else "")
            self._identity.record_refusal(Action.TOKEN_USE, "", client_ip, detail)
            return who
        if not who.allowed_ips and who.bound_ip is None:  # no address rule to check
            return who
        decision = check_call(who.allowed_ips, who.bound_ip, client_ip)
        if decision.allowed:
            return who
        self._identity.record_refusal(
            Action.TOKEN_USE, who.appkey, client_ip, decision.detail, who.customer_id
        )
        if decision.refusal is AccessRefusal.TOKEN_IP_MISMATCH:
            return Denied(DenyReason.TOKEN_IP, decision.detail)
        return Denied(DenyReason.IP_NOT_ALLOWED, decision.detail)


def _service(ctx: AppContext) -> IdentityService:
    return cast(IdentityService, ctx.services["identity"])


@handler("au10001", kind="token", auth=False)
async def issue_token(call: Call) -> Reply | ApiError:
    req = cast(Au10001Request, call.body)
    if req.grant_type.strip().lower() != GRANT_TYPE:
        return ApiError.of(8012)
    identity = _service(call.ctx)
    out = await asyncio.to_thread(
        partial(identity.issue_token, admit_ip=ip_allowed),
        req.appkey.strip(),
        req.secretkey.strip(),
        call.env,
        call.client_ip,
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
        partial(identity.revoke_token, admit_ip=ip_allowed),
        req.appkey.strip(),
        req.secretkey.strip(),
        req.token.strip(),
        call.env,
        call.client_ip,
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
