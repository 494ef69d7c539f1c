"""Wire structs for OAuth (`/oauth2/token` au10001, `/oauth2/revoke` au10002), spec §2."""

from hoga.wire.schemas.base import Request, Response

__all__ = [
    "Au10001Request",
    "Au10001Response",
    "Au10002Request",
    "Au10002Response",
]


class Au10001Request(Request, kw_only=True, frozen=True):
    """au10001 접근토큰 발급 — request body."""

    grant_type: str  # grant_type: client_credentials
    appkey: str  # 앱키
    secretkey: str  # 시크릿키


class Au10001Response(Response, kw_only=True):
    """au10001 접근토큰 발급 — response body (without the envelope)."""

    expires_dt: str = ""  # 만료일: YYYYMMDDHHMMSS, KST
    token_type: str = "bearer"  # 토큰타입
    token: str = ""  # 접근토큰


class Au10002Request(Request, kw_only=True, frozen=True):
    """au10002 접근토큰폐기 — request body."""

    appkey: str  # 앱키
    secretkey: str  # 시크릿키
    token: str  # 접근토큰


class Au10002Response(Response, kw_only=True):
    """au10002 접근토큰폐기 — response body: the envelope only."""


REQUESTS: dict[str, type[Request]] = {"au10001": Au10001Request, "au10002": Au10002Request}
RESPONSES: dict[str, type[Response]] = {"au10001": Au10001Response, "au10002": Au10002Response}
