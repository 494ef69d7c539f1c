"""Wire structs for 신용주문 (`/api/dostk/crdordr`).

Field names are exactly the wire names of the spec (Appendix A of kiwoom-rest.md); a name
that is not a Python identifier (a leading digit, ``list``) keeps its wire name through
``msgspec.field(name=...)``. Every request value and every response value is a string;
``return_code``/``return_msg`` are added by :mod:`hoga.wire.envelope`.

Generated from the spec by a one-off script, then reviewed; edit freely.
"""

from hoga.wire.schemas.base import Request, Response

__all__ = [
    "Kt10006Request",
    "Kt10006Response",
    "Kt10007Request",
    "Kt10007Response",
    "Kt10008Request",
    "Kt10008Response",
    "Kt10009Request",
    "Kt10009Response",
]


class Kt10006Request(Request, kw_only=True, frozen=True):
    """kt10006 신용 매수주문 — request body."""

    dmst_stex_tp: str  # 국내거래소구분 (3): KRX,NXT,SOR
    stk_cd: str  # 종목코드 (12)
    ord_qty: str  # 주문수량 (12)
    ord_uv: str = ""  # 주문단가 (12)
    trde_tp: str  # 매매구분 (2): 0:보통 , 3:시장가 , 5:조건부지정가 , 81:장마감후시간외 , 61:장시…
    cond_uv: str = ""  # 조건단가 (12)


class Kt10006Response(Response, kw_only=True):
    """kt10006 신용 매수주문 — response body (without the envelope)."""

    ord_no: str = ""  # 주문번호
    dmst_stex_tp: str = ""  # 국내거래소구분


class Kt10007Request(Request, kw_only=True, frozen=True):
    """kt10007 신용 매도주문 — request body."""

    dmst_stex_tp: str  # 국내거래소구분 (3): KRX,NXT,SOR
    stk_cd: str  # 종목코드 (12)
    ord_qty: str  # 주문수량 (12)
    ord_uv: str = ""  # 주문단가 (12)
    trde_tp: str  # 매매구분 (2): 0:보통 , 3:시장가 , 5:조건부지정가 , 81:장마감후시간외 , 61:장시…
    crd_deal_tp: str  # 신용거래구분 (2): 33:융자 , 99:융자합
    crd_loan_dt: str = ""  # 대출일 (8): YYYYMMDD(융자일경우필수)
    cond_uv: str = ""  # 조건단가 (12)


class Kt10007Response(Response, kw_only=True):
    """kt10007 신용 매도주문 — response body (without the envelope)."""

    ord_no: str = ""  # 주문번호
    dmst_stex_tp: str = ""  # 국내거래소구분


class Kt10008Request(Request, kw_only=True, frozen=True):
    """kt10008 신용 정정주문 — request body."""

    dmst_stex_tp: str  # 국내거래소구분 (3): KRX,NXT,SOR
    orig_ord_no: str  # 원주문번호 (7)
    stk_cd: str  # 종목코드 (12)
    mdfy_qty: str  # 정정수량 (12)
    mdfy_uv: str  # 정정단가 (12)
    mdfy_cond_uv: str = ""  # 정정조건단가 (12)


class Kt10008Response(Response, kw_only=True):
    """kt10008 신용 정정주문 — response body (without the envelope)."""

    ord_no: str = ""  # 주문번호
    base_orig_ord_no: str = ""  # 모주문번호
    mdfy_qty: str = ""  # 정정수량
    dmst_stex_tp: str = ""  # 국내거래소구분


class Kt10009Request(Request, kw_only=True, frozen=True):
    """kt10009 신용 취소주문 — request body."""

    dmst_stex_tp: str  # 국내거래소구분 (3): KRX,NXT,SOR
    orig_ord_no: str  # 원주문번호 (7)
    stk_cd: str  # 종목코드 (12)
    cncl_qty: str  # 취소수량 (12): '0' 입력시 잔량 전부 취소


class Kt10009Response(Response, kw_only=True):
    """kt10009 신용 취소주문 — response body (without the envelope)."""

    ord_no: str = ""  # 주문번호
    base_orig_ord_no: str = ""  # 모주문번호
    cncl_qty: str = ""  # 취소수량


REQUESTS: dict[str, type[Request]] = {
    "kt10006": Kt10006Request,
    "kt10007": Kt10007Request,
    "kt10008": Kt10008Request,
    "kt10009": Kt10009Request,
}
RESPONSES: dict[str, type[Response]] = {
    "kt10006": Kt10006Response,
    "kt10007": Kt10007Response,
    "kt10008": Kt10008Response,
    "kt10009": Kt10009Response,
}
