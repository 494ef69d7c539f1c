"""What a call gets during a maintenance window (terms art. 4 ④, 12): the decision at the edge.

**Closed calls.** A REST call whose api-id a window in force covers (see
:mod:`hoga.engine.maintenance` for scopes) is refused before authentication, rate limiting or
the handler — nothing is processed or stored — with hoga's documented code **1800**:

- HTTP **503**, ``Retry-After`` (whole seconds until the window ends) and the usual
  ``api-id`` / ``cont-yn`` / ``next-key`` headers;
- body ``{"return_code": 1, "return_msg": "서비스 점검 중입니다[1800:시스템 점검으로 해당
  서비스를 일시 중단합니다. 대상={scope}, 종료예정={end}]"}``. The bracketed code follows
  Kiwoom's convention (``return_code`` is a non-zero category, the code sits in ``return_msg``),
  so clients that parse ``[NNNN:…]`` see 1800; 1800 is not in Kiwoom's table (hoga's choice),
  and HTTP 503 tells generic clients to retry later (a refused order is never executed).

**WebSocket.** During a window covering ``websocket`` (or ``all``) a LOGIN is answered with
``{"trnm":"SYSTEM","code":"R10009","message":"서비스 점검 중입니다. 대상=…, 종료예정=…"}``
and the socket closes; a REG on an open session gets the same SYSTEM frame and registers nothing.

**Possibly stale data.** While any window is in force, account queries
(``/api/dostk/acnt``: balances, deposits, order and fill history, trade journal — art. 12 says
they may lag during maintenance) that are not themselves closed carry the response header
``hoga-stale: 1``. Other responses carry no such header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hoga.domain.kst import kst_datetime
from hoga.engine.maintenance import MaintenanceService, scope_text
from hoga.ports.storage import MaintenanceWindow
from hoga.wire.catalog import ACNT
from hoga.wire.envelope import embed
from hoga.wire.errors import ApiError
from hoga.wire.ws import System

__all__ = [
    "MAINTENANCE_CODE",
    "MAINTENANCE_TEXT",
    "STALE_HEADER",
    "STALE_PATHS",
    "WS_MAINTENANCE_CODE",
    "GateDecision",
    "MaintenanceGate",
    "covers",
    "refusal",
]

MAINTENANCE_CODE = 1800
MAINTENANCE_TEXT = "서비스 점검 중입니다"
WS_MAINTENANCE_CODE = "R10009"
STALE_HEADER = "hoga-stale"
STALE_PATHS = frozenset({ACNT})


def covers(scope: Sequence[str], *, api_id: str, path: str, kind: str) -> bool:
    """Whether ``scope`` closes a REST call (``kind`` query / order / token) or, with
    ``api_id == "websocket"``, the WebSocket."""
    for entry in scope:
        if entry == "all":
            return True
        if api_id == "websocket":
            if entry == "websocket":
                return True
            continue
        if (
            (entry == "orders" and kind == "order")
            or (entry == "oauth" and kind == "token")
            or entry in (f"path:{path}", f"api:{api_id}")
        ):
            return True
    return False


def _until(w: MaintenanceWindow) -> str:
    return kst_datetime(w.ends_at).strftime("%Y-%m-%d %H:%M KST")


def refusal(window: MaintenanceWindow) -> ApiError:
    """The 1800 answer for a call closed by ``window``."""
    detail = (
        "시스템 점검으로 해당 서비스를 일시 중단합니다. "
        f"대상={scope_text(window.scope)}, 종료예정={_until(window)}"
    )
    msg = embed(MAINTENANCE_TEXT, MAINTENANCE_CODE, detail)
    return ApiError(str(MAINTENANCE_CODE), 503, 1, msg)


@dataclass(frozen=True, slots=True)
class GateDecision:
    """``error`` set: refuse with it (and ``headers``); else proceed and add ``headers``."""

    error: ApiError | None
    headers: tuple[tuple[str, str], ...] = ()


_PROCEED = GateDecision(None)


class MaintenanceGate:
    """The maintenance check of the REST dispatcher and the WebSocket (module docstring)."""

    def __init__(self, service: MaintenanceService) -> None:
        self.service = service

    def check(
        self, api_id: str, path: str, kind: str, *, wall: int | None = None, now: int | None = None
    ) -> GateDecision:
        """Proceed, refuse (1800) or mark stale; ``wall`` / ``now`` as in ``active``."""
        active = self.service.active(wall=wall, now=now)
        if not active:
            return _PROCEED
        for w in active:
            if covers(w.scope, api_id=api_id, path=path, kind=kind):
                left_us = w.ends_at - (self.service.clock.now() if now is None else now)
                retry = str(max(1, -(-left_us // 1_000_000)))
                return GateDecision(refusal(w), (("retry-after", retry),))
        if path in STALE_PATHS:
            return GateDecision(None, ((STALE_HEADER, "1"),))
        return _PROCEED

    def websocket(self) -> System | None:
        """The SYSTEM frame refusing LOGIN / REG now, or None when the WebSocket is open."""
        for w in self.service.active():
            if covers(w.scope, api_id="websocket", path="", kind=""):
                text = f"{MAINTENANCE_TEXT}. 대상={scope_text(w.scope)}, 종료예정={_until(w)}"
                return System(code=WS_MAINTENANCE_CODE, message=text)
        return None
