"""The Kiwoom response envelope: ``return_code`` + ``return_msg``, and the response headers.

Every response body is one JSON object carrying the business fields of the api-id followed by
``return_code`` (a JSON integer, ``0`` on success) and ``return_msg`` (spec §1.2, §6.1). On an
error ``return_code`` is a small *category* and the documented 4-digit code rides inside the
message: ``"<category text>[<code>:<detail>]"`` (e.g. ``인증에 실패했습니다[8005:Token이 유효하지
않습니다]``). Back-end business rejections use category 20 and ``[2000](<RC code>:<message>)``.
The mock environment (모의투자) prefixes business texts with ``모의투자`` (§8).

Bodies are encoded compactly by msgspec (no spaces, UTF-8, keys in struct order). The business
payload is encoded first and the envelope appended, so the two envelope keys always come last,
as in the spec's examples.
"""

from __future__ import annotations

import re

import msgspec

__all__ = [
    "CONTENT_TYPE",
    "EXPOSE_HEADERS",
    "H_ACCESS_CONTROL_EXPOSE_HEADERS",
    "H_API_ID",
    "H_CONT_YN",
    "H_NEXT_KEY",
    "MOCK_PREFIX",
    "MSG_OK",
    "MSG_QUERY_OK",
    "Envelope",
    "body",
    "business_message",
    "embed",
    "mock_text",
    "ok",
    "parse_code",
    "response_headers",
    "success_message",
]

H_API_ID = "api-id"
H_CONT_YN = "cont-yn"
H_NEXT_KEY = "next-key"
H_ACCESS_CONTROL_EXPOSE_HEADERS = "access-control-expose-headers"
EXPOSE_HEADERS = "api-id,cont-yn,next-key"
CONTENT_TYPE = "application/json;charset=UTF-8"

MSG_OK = "정상적으로 처리되었습니다"
"""The normal-processing message of the docs (token issue, quotes, charts, kt10000)."""
MSG_QUERY_OK = "조회가 완료되었습니다"
"""The account-query message (kt00018; other account TRs add a period and/or a leading space)."""
MOCK_PREFIX = "모의투자"

# Success texts exactly as the spec's examples show them, by api-id (§2, §4). Anything not
# listed answers MSG_OK. The leading space of ka10075/ka10170 is in the official examples.
_REAL_SUCCESS: dict[str, str] = {
    "kt00001": "조회가 완료되었습니다.",
    "kt00004": "조회가 완료되었습니다.",
    "kt00018": MSG_QUERY_OK,
    "ka10075": " 조회가 완료되었습니다.",
    "ka10170": " 조회가 완료되었습니다.",
    "kt10000": MSG_OK,
    "kt10001": "매도주문이 완료되었습니다.",
    "kt10006": MSG_OK,
    "kt10007": "매도주문이 완료되었습니다.",
}
# Order acknowledgements observed on the mock server (§4.7, §8).
_MOCK_SUCCESS: dict[str, str] = {
    "kt10000": "모의투자 매수주문완료",
    "kt10001": "모의투자 매도주문완료",
    "kt10006": "모의투자 매수주문완료",
    "kt10007": "모의투자 매도주문완료",
}
_MODIFY_IDS = frozenset({"kt10002", "kt10008"})
_CANCEL_IDS = frozenset({"kt10003", "kt10009"})


class Envelope(msgspec.Struct, kw_only=True):
    """The two envelope keys; decoding a whole body into it ignores the business fields."""

    return_code: int = 0
    return_msg: str = ""


_ENVELOPE = msgspec.json.Encoder()


def body(return_code: int, return_msg: str, payload: msgspec.Struct | None = None) -> bytes:
    """Encode ``payload`` (a response struct, or None) followed by the envelope keys."""
    env = _ENVELOPE.encode(Envelope(return_code=return_code, return_msg=return_msg))
    if payload is None:
        return env
    data = _ENVELOPE.encode(payload)
    if data == b"{}":
        return env
    return data[:-1] + b"," + env[1:]


def ok(payload: msgspec.Struct | None = None, msg: str = MSG_OK) -> bytes:
    """A success body: ``payload`` + ``return_code`` 0 + ``msg``."""
    return body(0, msg, payload)


def mock_text(text: str, *, mock: bool) -> str:
    """``text`` with the ``모의투자`` prefix when ``mock`` (no double prefix)."""
    if not mock or text.startswith(MOCK_PREFIX):
        return text
    return f"{MOCK_PREFIX} {text}"


def success_message(api_id: str, *, mock: bool = False, buy: bool = True) -> str:
    """The success ``return_msg`` the spec documents for ``api_id``.

    ``buy`` chooses 매수/매도 for modify and cancel acknowledgements, whose request carries no
    side. The modify/cancel texts for the sell side and all mock modify/cancel texts are
    extrapolated from the documented buy-side texts (UNCONFIRMED).
    """
    if api_id in _MODIFY_IDS or api_id in _CANCEL_IDS:
        side = "매수" if buy else "매도"
        what = "정정" if api_id in _MODIFY_IDS else "취소"
        return mock_text(f"{side}{what} 주문입력이 완료되었습니다", mock=mock)
    if mock and api_id in _MOCK_SUCCESS:
        return _MOCK_SUCCESS[api_id]
    return _REAL_SUCCESS.get(api_id, MSG_OK)


def embed(category_text: str, code: int | str, detail: str | None) -> str:
    """``"<category text>[<code>:<detail>]"``, or ``"<text>[<code>]"`` without a detail."""
    if detail is None:
        return f"{category_text}[{code}]"
    return f"{category_text}[{code}:{detail}]"


def business_message(code: str, text: str) -> str:
    """A category-20 message: ``"[2000](RC4058:모의투자 장종료)"``."""
    return f"[2000]({code}:{text})"


_BRACKET = re.compile(r"\[(\d{3,4})[:\]]")
_BUSINESS = re.compile(r"^\[2000\]\(([A-Z]*\d+):")


def parse_code(return_msg: str) -> str | None:
    """The documented code inside a ``return_msg`` (``"8005"``, ``"RC4058"``), or None."""
    m = _BUSINESS.match(return_msg)
    if m:
        return m.group(1)
    m = _BRACKET.search(return_msg)
    return m.group(1) if m else None


def response_headers(
    api_id: str, *, cont_yn: bool = False, next_key: str = ""
) -> list[tuple[str, str]]:
    """The response headers of a REST answer, lower-case names (clients require them so).

    Always sends ``cont-yn`` (``Y``/``N``) and ``next-key`` (empty on the last page) plus the
    expose header some browser-based clients need to read them.
    """
    return [
        (H_API_ID, api_id),
        (H_CONT_YN, "Y" if cont_yn else "N"),
        (H_NEXT_KEY, next_key if cont_yn else ""),
        (H_ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS),
        ("content-type", CONTENT_TYPE),
    ]
