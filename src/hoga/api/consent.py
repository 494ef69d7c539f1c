"""The terms' gate in front of every authenticated Kiwoom call (terms art. 6, 15, 18).

:class:`ConsentGate` wraps the application's authenticator: a customer who objected to the terms
in effect (and did not leave) is refused every Kiwoom call and WebSocket login with 8103 and the
way out; it also passes due dispute milestones and terms effective dates on the way. The HTTP
side of terms, disputes and onboarding is :mod:`hoga.api.routes.compliance`.

On the request path of every call: one of the modules the optional mypyc build compiles
(:data:`hoga.engine.fastpath.MODULES`).
"""

from __future__ import annotations

from hoga.api.context import Authenticator, Principal
from hoga.engine.disputes import DisputeService
from hoga.engine.terms_service import TermsService
from hoga.wire.errors import ApiError

__all__ = ["ConsentGate"]


class ConsentGate:
    """An :class:`~hoga.api.context.Authenticator` refusing barred objectors (8103)."""

    __slots__ = ("_disputes", "_inner", "_terms")

    def __init__(
        self, inner: Authenticator, terms: TermsService, disputes: DisputeService | None = None
    ) -> None:
        self._inner, self._terms, self._disputes = inner, terms, disputes

    def authenticate(
        self,
        token: str,
        env: str,
        client_ip: str,
        *,
        wall: int | None = None,
        now: int | None = None,
    ) -> Principal | ApiError:
        who = self._inner.authenticate(token, env, client_ip, wall=wall, now=now)
        if isinstance(who, ApiError):
            return who
        if self._disputes is not None:
            self._disputes.maybe_sweep(wall=wall, now=now)
        barred = self._terms.refusal(who.customer_id, wall=wall, now=now)
        return who if barred is None else ApiError.of(8103, reason=barred)
