"""The one table of Kiwoom error codes → HTTP status, ``return_code`` category and message.

Documented codes (spec §6.2) are embedded in ``return_msg`` behind a category text (§6.1):
``잘못된 요청입니다[1504:해당 URI에서는 …]``. Category numbers observed: 1504 → 1, 1511/1513/1517
→ 2, 8005/8050 → 3, 1700/1634 → 5, business RC codes → 20. Where the spec has no observation
this table makes a documented choice, marked ``assumed`` in the row's note (§9 open question 1).
HTTP status is 200 for everything except 1700 (429, measured) and 1999 (500, our choice: it
reports a server fault, and clients retry 5xx).

Business rejections (category 20, ``[2000](RCxxxx:…)``) are in :mod:`hoga.wire.rejects`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hoga.wire.envelope import body, embed

__all__ = [
    "CATEGORY_TEXT",
    "ERRORS",
    "ApiError",
    "ErrorSpec",
    "error_body",
]

CATEGORY_TEXT: Mapping[int, str] = MappingProxyType(
    {
        1: "잘못된 요청입니다",
        2: "입력 값 오류입니다",  # the spec records both "입력 값 오류" and "입력 값 오류입니다"
        3: "인증에 실패했습니다",
        5: "허용된 요청 개수를 초과하였습니다",
    }
)


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One documented error code.

    ``template`` is the documented Korean message with ``{name}`` placeholders where the spec
    shows ``{?}``; ``params`` lists them in order. ``template`` None means the code is shown
    bare (``[1634]``), as observed.
    """

    code: int
    status: int
    category: int
    template: str | None
    note: str = ""

    @property
    def params(self) -> tuple[str, ...]:
        if self.template is None:
            return ()
        names = (f[1] for f in string.Formatter().parse(self.template))
        return tuple(n for n in names if n)

    def detail(self, **params: str) -> str | None:
        """The message with parameters filled in (missing ones become ``""``)."""
        if self.template is None:
            return None
        values = {name: str(params.get(name, "")) for name in self.params}
        return self.template.format(**values)


def _s(code: int, status: int, category: int, template: str | None, note: str = "") -> ErrorSpec:
    return ErrorSpec(code, status, category, template, note)


_ROWS = (
    _s(1501, 200, 1, "API ID가 Null이거나 값이 없습니다", "category assumed"),
    _s(1504, 200, 1, "해당 URI에서는 지원하는 API ID가 아닙니다. API ID={api_id}, URI={uri}"),
    _s(1505, 200, 1, "해당 API ID는 존재하지 않습니다. API ID={api_id}", "category assumed"),
    _s(1511, 200, 2, "필수 입력 값에 값이 존재하지 않습니다. 필수입력 파라미터={param}"),
    _s(1512, 200, 2, "Http header에 값이 설정되지 않았거나 읽을 수 없습니다", "category assumed"),
    _s(1513, 200, 2, "Http Header에 authorization 필드가 설정되어 있어야 합니다"),
    _s(
        1514,
        200,
        2,
        "입력으로 들어온 Http Header의 authorization 필드 형식이 맞지 않습니다",
        "assumed",
    ),
    _s(
        1515, 200, 2, "Http Header의 authorization 필드 내 Grant Type이 미리 정의된 형식이 아닙니다"
    ),
    _s(
        1516,
        200,
        2,
        "Http Header의 authorization 필드 내 Token이 정의되어 있지 않습니다",
        "assumed",
    ),
    _s(1517, 200, 2, "입력 값 형식이 올바르지 않습니다. 파라미터={param} 실패사유= {reason}"),
    _s(1634, 200, 5, None, "observed bare, for ka10095 with more than 100 codes"),
    _s(1687, 200, 5, "재귀 호출이 발생하여 API 호출을 제한합니다, API ID={api_id}", "assumed"),
    _s(1700, 429, 5, "허용된 요청 개수를 초과하였습니다. API ID={api_id}"),
    _s(1901, 200, 2, "시장 코드값이 존재하지 않습니다. 종목코드={stk_cd}", "category assumed"),
    _s(
        1902,
        200,
        2,
        "종목 정보가 없습니다. 입력한 종목코드 값을 확인바랍니다. 종목코드={stk_cd}",
        "assumed",
    ),
    _s(
        1999,
        500,
        1,
        "예기치 못한 에러가 발생했습니다. 실패사유={reason}",
        "status and category ours",
    ),
    _s(8001, 200, 3, "App Key와 Secret Key 검증에 실패했습니다"),
    _s(8002, 200, 3, "App Key와 Secret Key 검증에 실패했습니다. 실패사유={reason}"),
    _s(8003, 200, 3, "Access Token을 조회하는데 실패했습니다. 실패사유={reason}"),
    _s(8005, 200, 3, "Token이 유효하지 않습니다"),
    _s(8006, 200, 3, "Access Token을 생성하는데 실패했습니다. 실패사유={reason}"),
    _s(8009, 200, 3, "Access Token을 발급하는데 실패했습니다. 실패사유={reason}"),
    _s(8010, 200, 3, "Token을 발급받은 IP와 서비스를 요청한 IP가 동일하지 않습니다"),
    _s(
        8011,
        200,
        3,
        "Access Token을 발급하는데 실패했습니다. 입력값에 grant_type이 들어오지 않았습니다",
    ),
    _s(8012, 200, 3, "Access Token을 발급하는데 실패했습니다. grant_type의 값이 맞지 않습니다"),
    _s(8015, 200, 3, "Access Token을 폐기하는데 실패했습니다. 실패사유={reason}"),
    _s(
        8016, 200, 3, "Access Token을 폐기하는데 실패했습니다. 입력값에 Token이 들어오지 않았습니다"
    ),
    _s(8020, 200, 3, "입력파라미터로 appkey 또는 secretkey가 들어오지 않았습니다."),
    _s(8030, 200, 3, "투자구분(실전/모의)이 달라서 Appkey를 사용할수가 없습니다"),
    _s(8031, 200, 3, "투자구분(실전/모의)이 달라서 Token를 사용할수가 없습니다"),
    _s(8040, 200, 3, "단말기 인증에 실패했습니다"),
    _s(8050, 200, 3, "지정단말기 인증에 실패했습니다"),
    _s(8103, 200, 3, "토큰 인증 또는 단말기인증에 실패했습니다. 실패사유={reason}"),
)

ERRORS: Mapping[int, ErrorSpec] = MappingProxyType({r.code: r for r in _ROWS})
"""Every documented error code (§6.2 plus the observed 1634), keyed by code."""


class ApiError(Exception):
    """A refused request: HTTP status + ``return_code`` + ``return_msg``.

    Usable as a value (the decode functions return it) or raised. ``code`` is the documented
    code as a string (``"1511"``, ``"RC4003"``). Build documented ones with :meth:`of`.
    """

    __slots__ = ("code", "return_code", "return_msg", "status")

    def __init__(self, code: str, status: int, return_code: int, return_msg: str) -> None:
        super().__init__(return_msg)
        self.code = code
        self.status = status
        self.return_code = return_code
        self.return_msg = return_msg

    @classmethod
    def of(cls, code: int, **params: str) -> ApiError:
        """The error for documented ``code`` with its ``{?}`` parameters filled in."""
        spec = ERRORS[code]
        msg = embed(CATEGORY_TEXT[spec.category], code, spec.detail(**params))
        return cls(str(code), spec.status, spec.category, msg)

    def body(self) -> bytes:
        """The JSON response body (envelope only)."""
        return body(self.return_code, self.return_msg)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiError):
            return NotImplemented
        return (self.code, self.status, self.return_code, self.return_msg) == (
            other.code,
            other.status,
            other.return_code,
            other.return_msg,
        )

    def __hash__(self) -> int:
        return hash((self.code, self.return_msg))

    def __repr__(self) -> str:
        return f"ApiError({self.code!r}, {self.status}, {self.return_code}, {self.return_msg!r})"


def error_body(code: int, **params: str) -> tuple[int, bytes]:
    """``(HTTP status, body bytes)`` for documented error ``code``."""
    err = ApiError.of(code, **params)
    return err.status, err.body()
