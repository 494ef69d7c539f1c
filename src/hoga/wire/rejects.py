"""Business rejections (``return_code`` 20) and the order-reject mapping.

The order/account back end answers HTTP 200, ``return_code`` 20 and ``return_msg``
``[2000](<code>:<text>)`` (spec §4.7, §6.1). Every observed code is from the mock server and
carries the ``모의투자`` prefix; real-account wording is UNCONFIRMED, so the real text here is the
mock text without the prefix.

:data:`REJECT_REASONS` maps each ``hoga.domain.events.RejectReason`` *value* (a string; wire
must not import the domain, because the SDK depends on wire only) to either a documented error
code (int, an input problem: 1517 / 1902) or a business code (str). Codes ``RC49xx`` are hoga's
own choice for rejections Kiwoom has no observed code for; their texts are written to be clear.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hoga.wire.envelope import MOCK_PREFIX, business_message
from hoga.wire.errors import ApiError

__all__ = [
    "BUSINESS",
    "REJECT_REASONS",
    "Business",
    "business_error",
    "reject_order",
]

BUSINESS_CATEGORY = 20


@dataclass(frozen=True, slots=True)
class Business:
    """One business rejection: ``code`` (``RC4058``), real text, mock text."""

    code: str
    text: str
    mock: str
    documented: bool = True


def _b(code: str, text: str, mock: str | None = None, *, documented: bool = True) -> Business:
    return Business(code, text, mock if mock is not None else f"{MOCK_PREFIX} {text}", documented)


_ROWS = (
    # observed on the mock server (§6.1, §8)
    _b("RC4003", "호가단위 오류입니다."),
    _b("RC4007", "매매제한 종목입니다."),
    _b("RC4025", "주문가능금액을 확인하세요."),
    _b("RC4057", "장시작전"),
    _b("RC4058", "장종료"),
    _b("RC4091", "종료된 계좌입니다. 다시 신청해주시기 바랍니다."),
    _b("RC5006", "개인공매도이수전용 계좌입니다."),
    _b("RC7006", "조회실패"),
    _b("RC9000", "해당업무가 제공되지 않습니다.", "모의투자에서는 해당업무가 제공되지 않습니다."),
    _b("800033", "매도가능수량이 부족합니다."),
    # hoga's own codes: no Kiwoom observation exists for these outcomes
    _b("RC4901", "주문가격이 상한가 또는 하한가를 벗어났습니다.", documented=False),
    _b("RC4902", "현재 시간에는 주문할 수 없는 매매구분입니다.", documented=False),
    _b("RC4903", "상대호가가 없어 주문할 수 없습니다.", documented=False),
    _b("RC4904", "우선호가가 없어 주문할 수 없습니다.", documented=False),
    _b("RC4905", "전량 체결할 수 없어 주문이 거부되었습니다.", documented=False),
    _b("RC4906", "원주문번호를 확인하세요.", documented=False),
    _b("RC4907", "정정 또는 취소할 수량이 없습니다.", documented=False),
    _b("RC4908", "중복된 주문입니다.", documented=False),
    _b("RC4909", "조건부지정가 주문을 할 수 없는 시간입니다.", documented=False),
    _b("RC4910", "정정할 수 없는 주문입니다.", documented=False),
)

BUSINESS: Mapping[str, Business] = MappingProxyType({r.code: r for r in _ROWS})
"""Every business rejection code, observed and hoga-chosen."""

REJECT_REASONS: Mapping[str, int | str] = MappingProxyType(
    {
        "unknown_instrument": 1902,  # 종목 정보가 없습니다 … 종목코드=
        "unknown_order_type": 1517,  # 파라미터=trde_tp
        "invalid_quantity": 1517,  # 파라미터=ord_qty (or the modify/cancel quantity field)
        "invalid_price": 1517,  # 파라미터=ord_uv
        "off_tick": "RC4003",
        "outside_limits": "RC4901",
        "session_closed": "RC4058",  # RC4057 before the open: reject_order(before_open=True)
        "type_not_allowed_now": "RC4902",
        "halted": "RC4007",  # trading halted/restricted: the closest documented text
        "no_opposite_quote": "RC4903",
        "no_same_side_quote": "RC4904",
        "fok_unfillable": "RC4905",
        "order_not_found": "RC4906",
        "nothing_to_change": "RC4907",
        "duplicate_order_id": "RC4908",
        "conditional_at_limit": "RC4909",
        "modify_not_allowed": "RC4910",
    }
)

_PARAM_FOR = {
    "unknown_order_type": ("trde_tp", "지원하지 않는 매매구분입니다"),
    "invalid_quantity": ("ord_qty", "수량은 1 이상이어야 합니다"),
    "invalid_price": ("ord_uv", "주문단가가 올바르지 않습니다"),
}


def business_error(code: str, *, mock: bool) -> ApiError:
    """The category-20 error for business ``code``."""
    row = BUSINESS[code]
    text = row.mock if mock else row.text
    return ApiError(code, 200, BUSINESS_CATEGORY, business_message(code, text))


def reject_order(
    reason: str,
    *,
    mock: bool,
    stk_cd: str = "",
    param: str | None = None,
    detail: str | None = None,
    before_open: bool = False,
) -> ApiError:
    """The wire error for a domain ``RejectReason`` value.

    ``param`` overrides the field named by 1517 (e.g. ``mdfy_qty`` on a modify) and ``detail``
    its reason text; ``before_open`` turns a closed-session rejection into RC4057 (장시작전).
    Unknown reasons raise ``KeyError``: the table must cover every domain reason.
    """
    target = REJECT_REASONS[reason]
    if target == 1902:
        return ApiError.of(1902, stk_cd=stk_cd)
    if isinstance(target, int):
        default_param, default_reason = _PARAM_FOR[reason]
        return ApiError.of(target, param=param or default_param, reason=detail or default_reason)
    if target == "RC4058" and before_open:
        target = "RC4057"
    return business_error(target, mock=mock)
