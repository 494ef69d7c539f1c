"""Wire structs for 주문 (`/api/dostk/ordr`).

Field names are exactly the wire names of the spec (Appendix A of kiwoom-rest.md); a name
that is not a Python identifier (a leading digit, ``list``) keeps its wire name through
``msgspec.field(name=...)``. Every request value and every response value is a string;
``return_code``/``return_msg`` are added by :mod:`hoga.wire.envelope`.

Generated from the spec by a one-off script, then reviewed; edit freely.
"""

from hoga.wire.schemas.base import Request, Response

__all__ = [
    "Kt10000Request",
    "Kt10000Response",
    "Kt10001Request",
    "Kt10001Response",
    "Kt10002Request",
    "Kt10002Response",
    "Kt10003Request",
    "Kt10003Response",
]


class Kt10000Request(Request, kw_only=True, frozen=True):
    """kt10000 주식 매수주문 — request body."""

    dmst_stex_tp: str  # 국내거래소구분 (3): KRX,NXT,SOR
    stk_cd: str  # 종목코드 (12)
    ord_qty: str  # 주문수량 (12)
    ord_uv: str = ""  # 주문단가 (12)
    trde_tp: str  # 매매구분 (2): 0:보통 , 3:시장가 , 5:조건부지정가 , 81:장마감후시간외 , 61:장시…
    cond_uv: str = ""  # 조건단가 (12)


class Kt10000Response(Response, kw_only=True):
    """kt10000 주식 매수주문 — response body (without the envelope)."""

    ord_no: str = ""  # 주문번호
    dmst_stex_tp: str = ""  # 국내거래소구분


class Kt10001Request(Request, kw_only=True, frozen=True):
    """kt10001 주식 매도주문 — request body."""

    dmst_stex_tp: str  # 국내거래소구분 (3): KRX,NXT,SOR
    stk_cd: str  # 종목코드 (12)
    ord_qty: str  # 주문수량 (12)
    ord_uv: str = ""  # 주문단가 (12)
    trde_tp: str  # 매매구분 (2): 0:보통 , 3:시장가 , 5:조건부지정가 , 81:장마감후시간외 , 61:장시…
    cond_uv: str = ""  # 조건단가 (12)


class Kt10001Response(Response, kw_only=True):
    """kt10001 주식 매도주문 — response body (without the envelope)."""

    ord_no: str = ""  # 주문번호
    dmst_stex_tp: str = ""  # 국내거래소구분


class Kt10002Request(Request, kw_only=True, frozen=True):
    """kt10002 주식 정정주문 — request body."""

    dmst_stex_tp: str  # 국내거래소구분 (3): KRX,NXT,SOR
    orig_ord_no: str  # 원주문번호 (7)
    stk_cd: str  # 종목코드 (12)
    mdfy_qty: str  # 정정수량 (12)
    mdfy_uv: str  # 정정단가 (12)
    mdfy_cond_uv: str = ""  # 정정조건단가 (12)


class Kt10002Response(Response, kw_only=True):
    """kt10002 주식 정정주문 — response body (without the envelope)."""

    ord_no: str = ""  # 주문번호
    base_orig_ord_no: str = ""  # 모주문번호
    mdfy_qty: str = ""  # 정정수량
    dmst_stex_tp: str = ""  # 국내거래소구분


class Kt10003Request(Request, kw_only=True, frozen=True):
    """kt10003 주식 취소주문 — request body."""

    dmst_stex_tp: str  # 국내거래소구분 (3): KRX,NXT,SOR
    orig_ord_no: str  # 원주문번호 (7)
    stk_cd: str  # 종목코드 (12)
    cncl_qty: str  # 취소수량 (12): '0' 입력시 잔량 전부 취소


class Kt10003Response(Response, kw_only=True):
    """kt10003 주식 취소주문 — response body (without the envelope)."""

    ord_no: str = ""  # 주문번호
    base_orig_ord_no: str = ""  # 모주문번호
    cncl_qty: str = ""  # 취소수량


REQUESTS: dict[str, type[Request]] = {
    "kt10000": Kt10000Request,
    "kt10001": Kt10001Request,
    "kt10002": Kt10002Request,
    "kt10003": Kt10003Request,
}
RESPONSES: dict[str, type[Response]] = {
    "kt10000": Kt10000Response,
    "kt10001": Kt10001Response,
    "kt10002": Kt10002Response,
    "kt10003": Kt10003Response,
}
