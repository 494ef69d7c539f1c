"""Wire structs for 계좌 (`/api/dostk/acnt`): account number, realised P&L, open orders and fills.

Field names are exactly the wire names of the spec (Appendix A of kiwoom-rest.md); a name
that is not a Python identifier (a leading digit, ``list``) keeps its wire name through
``msgspec.field(name=...)``. Every request value and every response value is a string;
``return_code``/``return_msg`` are added by :mod:`hoga.wire.envelope`.

Generated from the spec by a one-off script, then reviewed; edit freely.
"""

import msgspec

from hoga.wire.schemas.base import Request, Response

__all__ = [
    "Ka00001Request",
    "Ka00001Response",
    "Ka01690DayBalRtRow",
    "Ka01690Request",
    "Ka01690Response",
    "Ka10072DtStkDivRlztPlRow",
    "Ka10072Request",
    "Ka10072Response",
    "Ka10073DtStkRlztPlRow",
    "Ka10073Request",
    "Ka10073Response",
    "Ka10074DtRlztPlRow",
    "Ka10074Request",
    "Ka10074Response",
    "Ka10075OsoRow",
    "Ka10075Request",
    "Ka10075Response",
    "Ka10076CntrRow",
    "Ka10076Request",
    "Ka10076Response",
    "Ka10077Request",
    "Ka10077Response",
    "Ka10077TdyRlztPlDtlRow",
    "Ka10085AcntPrftRtRow",
    "Ka10085Request",
    "Ka10085Response",
    "Ka10088OsopRow",
    "Ka10088Request",
    "Ka10088Response",
    "Ka10170Request",
    "Ka10170Response",
    "Ka10170TdyTrdeDiaryRow",
]


class Ka00001Request(Request, kw_only=True, frozen=True):
    """ka00001 계좌번호조회 — request body."""


class Ka00001Response(Response, kw_only=True):
    """ka00001 계좌번호조회 — response body (without the envelope)."""

    acctNo: str = ""  # 계좌번호


class Ka01690Request(Request, kw_only=True, frozen=True):
    """ka01690 일별잔고수익률 — request body."""

    qry_dt: str  # 조회일자 (8)


class Ka01690DayBalRtRow(Response, kw_only=True):
    """ka01690 `day_bal_rt` row — 일별잔고수익률."""

    cur_prc: str = ""  # 현재가
    stk_cd: str = ""  # 종목코드
    stk_nm: str = ""  # 종목명
    rmnd_qty: str = ""  # 보유 수량
    buy_uv: str = ""  # 매입 단가
    buy_wght: str = ""  # 매수비중
    evltv_prft: str = ""  # 평가손익
    prft_rt: str = ""  # 수익률
    evlt_amt: str = ""  # 평가금액
    evlt_wght: str = ""  # 평가비중


class Ka01690Response(Response, kw_only=True):
    """ka01690 일별잔고수익률 — response body (without the envelope)."""

    dt: str = ""  # 일자
    tot_buy_amt: str = ""  # 총 매입가
    tot_evlt_amt: str = ""  # 총 평가금액
    tot_evltv_prft: str = ""  # 총 평가손익
    tot_prft_rt: str = ""  # 수익률
    dbst_bal: str = ""  # 예수금
    day_stk_asst: str = ""  # 추정자산
    buy_wght: str = ""  # 현금비중
    day_bal_rt: list[Ka01690DayBalRtRow] = msgspec.field(default_factory=list)  # 일별잔고수익률


class Ka10072Request(Request, kw_only=True, frozen=True):
    """ka10072 일자별종목별실현손익요청_일자 — request body."""

    stk_cd: str = ""  # 종목코드 (6)
    strt_dt: str  # 시작일자 (8): YYYYMMDD


class Ka10072DtStkDivRlztPlRow(Response, kw_only=True):
    """ka10072 `dt_stk_div_rlzt_pl` row — 일자별종목별실현손익."""

    stk_nm: str = ""  # 종목명
    cntr_qty: str = ""  # 체결량
    buy_uv: str = ""  # 매입단가
    cntr_pric: str = ""  # 체결가
    tdy_sel_pl: str = ""  # 당일매도손익
    pl_rt: str = ""  # 손익율
    stk_cd: str = ""  # 종목코드
    tdy_trde_cmsn: str = ""  # 당일매매수수료
    tdy_trde_tax: str = ""  # 당일매매세금
    wthd_alowa: str = ""  # 인출가능금액
    loan_dt: str = ""  # 대출일
    crd_tp: str = ""  # 신용구분
    stk_cd_1: str = ""  # 종목코드1
    tdy_sel_pl_1: str = ""  # 당일매도손익1


class Ka10072Response(Response, kw_only=True):
    """ka10072 일자별종목별실현손익요청_일자 — response body (without the envelope)."""

    dt_stk_div_rlzt_pl: list[Ka10072DtStkDivRlztPlRow] = msgspec.field(default_factory=list)


class Ka10073Request(Request, kw_only=True, frozen=True):
    """ka10073 일자별종목별실현손익요청_기간 — request body."""

    stk_cd: str = ""  # 종목코드 (6)
    strt_dt: str  # 시작일자 (8): YYYYMMDD
    end_dt: str  # 종료일자 (8): YYYYMMDD


class Ka10073DtStkRlztPlRow(Response, kw_only=True):
    """ka10073 `dt_stk_rlzt_pl` row — 일자별종목별실현손익."""

    dt: str = ""  # 일자
    tdy_htssel_cmsn: str = ""  # 당일hts매도수수료
    stk_nm: str = ""  # 종목명
    cntr_qty: str = ""  # 체결량
    buy_uv: str = ""  # 매입단가
    cntr_pric: str = ""  # 체결가
    tdy_sel_pl: str = ""  # 당일매도손익
    pl_rt: str = ""  # 손익율
    stk_cd: str = ""  # 종목코드
    tdy_trde_cmsn: str = ""  # 당일매매수수료
    tdy_trde_tax: str = ""  # 당일매매세금
    wthd_alowa: str = ""  # 인출가능금액
    loan_dt: str = ""  # 대출일
    crd_tp: str = ""  # 신용구분


class Ka10073Response(Response, kw_only=True):
    """ka10073 일자별종목별실현손익요청_기간 — response body (without the envelope)."""

    dt_stk_rlzt_pl: list[Ka10073DtStkRlztPlRow] = msgspec.field(default_factory=list)  # 일자별종목…


class Ka10074Request(Request, kw_only=True, frozen=True):
    """ka10074 일자별실현손익요청 — request body."""

    strt_dt: str  # 시작일자 (8)
    end_dt: str  # 종료일자 (8)


class Ka10074DtRlztPlRow(Response, kw_only=True):
    """ka10074 `dt_rlzt_pl` row — 일자별실현손익."""

    dt: str = ""  # 일자
    buy_amt: str = ""  # 매수금액
    sell_amt: str = ""  # 매도금액
    tdy_sel_pl: str = ""  # 당일매도손익
    tdy_trde_cmsn: str = ""  # 당일매매수수료
    tdy_trde_tax: str = ""  # 당일매매세금


class Ka10074Response(Response, kw_only=True):
    """ka10074 일자별실현손익요청 — response body (without the envelope)."""

    tot_buy_amt: str = ""  # 총매수금액
    tot_sell_amt: str = ""  # 총매도금액
    rlzt_pl: str = ""  # 실현손익
    trde_cmsn: str = ""  # 매매수수료
    trde_tax: str = ""  # 매매세금
    dt_rlzt_pl: list[Ka10074DtRlztPlRow] = msgspec.field(default_factory=list)  # 일자별실현손익


class Ka10075Request(Request, kw_only=True, frozen=True):
    """ka10075 미체결요청 — request body."""

    all_stk_tp: str  # 전체종목구분 (1): 0:전체, 1:종목
    trde_tp: str  # 매매구분 (1): 0:전체, 1:매도, 2:매수
    stk_cd: str = ""  # 종목코드 (6)
    stex_tp: str  # 거래소구분 (1): 0 : 통합, 1 : KRX, 2 : NXT


class Ka10075OsoRow(Response, kw_only=True):
    """ka10075 `oso` row — 미체결."""

    acnt_no: str = ""  # 계좌번호
    ord_no: str = ""  # 주문번호
    mang_empno: str = ""  # 관리사번
    stk_cd: str = ""  # 종목코드
    tsk_tp: str = ""  # 업무구분
    ord_stt: str = ""  # 주문상태
    stk_nm: str = ""  # 종목명
    ord_qty: str = ""  # 주문수량
    ord_pric: str = ""  # 주문가격
    oso_qty: str = ""  # 미체결수량
    cntr_tot_amt: str = ""  # 체결누계금액
    orig_ord_no: str = ""  # 원주문번호
    io_tp_nm: str = ""  # 주문구분
    trde_tp: str = ""  # 매매구분
    tm: str = ""  # 시간
    cntr_no: str = ""  # 체결번호
    cntr_pric: str = ""  # 체결가
    cntr_qty: str = ""  # 체결량
    cur_prc: str = ""  # 현재가
    sel_bid: str = ""  # 매도호가
    buy_bid: str = ""  # 매수호가
    unit_cntr_pric: str = ""  # 단위체결가
    unit_cntr_qty: str = ""  # 단위체결량
    tdy_trde_cmsn: str = ""  # 당일매매수수료
    tdy_trde_tax: str = ""  # 당일매매세금
    ind_invsr: str = ""  # 개인투자자
    stex_tp: str = ""  # 거래소구분
    stex_tp_txt: str = ""  # 거래소구분텍스트
    sor_yn: str = ""  # SOR 여부값
    stop_pric: str = ""  # 스톱가


class Ka10075Response(Response, kw_only=True):
    """ka10075 미체결요청 — response body (without the envelope)."""

    oso: list[Ka10075OsoRow] = msgspec.field(default_factory=list)  # 미체결


class Ka10076Request(Request, kw_only=True, frozen=True):
    """ka10076 체결요청 — request body."""

    stk_cd: str = ""  # 종목코드 (6)
    qry_tp: str  # 조회구분 (1): 0:전체, 1:종목
    sell_tp: str  # 매도수구분 (1): 0:전체, 1:매도, 2:매수
    ord_no: str = ""  # 주문번호 (10): 검색 기준 값으로 입력한 주문번호 보다 과거에 체결된 내역이 …
    stex_tp: str  # 거래소구분 (1): 0 : 통합, 1 : KRX, 2 : NXT


class Ka10076CntrRow(Response, kw_only=True):
    """ka10076 `cntr` row — 체결."""

    ord_no: str = ""  # 주문번호
    stk_nm: str = ""  # 종목명
    io_tp_nm: str = ""  # 주문구분
    ord_pric: str = ""  # 주문가격
    ord_qty: str = ""  # 주문수량
    cntr_pric: str = ""  # 체결가
    cntr_qty: str = ""  # 체결량
    oso_qty: str = ""  # 미체결수량
    tdy_trde_cmsn: str = ""  # 당일매매수수료
    tdy_trde_tax: str = ""  # 당일매매세금
    ord_stt: str = ""  # 주문상태
    trde_tp: str = ""  # 매매구분
    orig_ord_no: str = ""  # 원주문번호
    ord_tm: str = ""  # 주문시간
    stk_cd: str = ""  # 종목코드
    stex_tp: str = ""  # 거래소구분 (0 : 통합, 1 : KRX, 2 : NXT)
    stex_tp_txt: str = ""  # 거래소구분텍스트
    sor_yn: str = ""  # SOR 여부값
    stop_pric: str = ""  # 스톱가


class Ka10076Response(Response, kw_only=True):
    """ka10076 체결요청 — response body (without the envelope)."""

    cntr: list[Ka10076CntrRow] = msgspec.field(default_factory=list)  # 체결


class Ka10077Request(Request, kw_only=True, frozen=True):
    """ka10077 당일실현손익상세요청 — request body."""

    stk_cd: str  # 종목코드 (6)


class Ka10077TdyRlztPlDtlRow(Response, kw_only=True):
    """ka10077 `tdy_rlzt_pl_dtl` row — 당일실현손익상세."""

    stk_nm: str = ""  # 종목명
    cntr_qty: str = ""  # 체결량
    buy_uv: str = ""  # 매입단가
    cntr_pric: str = ""  # 체결가
    tdy_sel_pl: str = ""  # 당일매도손익
    pl_rt: str = ""  # 손익율
    tdy_trde_cmsn: str = ""  # 당일매매수수료
    tdy_trde_tax: str = ""  # 당일매매세금
    stk_cd: str = ""  # 종목코드


class Ka10077Response(Response, kw_only=True):
    """ka10077 당일실현손익상세요청 — response body (without the envelope)."""

    tdy_rlzt_pl: str = ""  # 당일실현손익
    tdy_rlzt_pl_dtl: list[Ka10077TdyRlztPlDtlRow] = msgspec.field(default_factory=list)  # 당일실현…


class Ka10085Request(Request, kw_only=True, frozen=True):
    """ka10085 계좌수익률요청 — request body."""

    stex_tp: str  # 거래소구분 (1): 0 : 통합, 1 : KRX, 2 : NXT


class Ka10085AcntPrftRtRow(Response, kw_only=True):
    """ka10085 `acnt_prft_rt` row — 계좌수익률."""

    dt: str = ""  # 일자
    stk_cd: str = ""  # 종목코드
    stk_nm: str = ""  # 종목명
    cur_prc: str = ""  # 현재가
    pur_pric: str = ""  # 매입가
    pur_amt: str = ""  # 매입금액
    rmnd_qty: str = ""  # 보유수량
    tdy_sel_pl: str = ""  # 당일매도손익
    tdy_trde_cmsn: str = ""  # 당일매매수수료
    tdy_trde_tax: str = ""  # 당일매매세금
    crd_tp: str = ""  # 신용구분
    loan_dt: str = ""  # 대출일
    setl_remn: str = ""  # 결제잔고
    clrn_alow_qty: str = ""  # 청산가능수량
    crd_amt: str = ""  # 신용금액
    crd_int: str = ""  # 신용이자
    expr_dt: str = ""  # 만기일


class Ka10085Response(Response, kw_only=True):
    """ka10085 계좌수익률요청 — response body (without the envelope)."""

    acnt_prft_rt: list[Ka10085AcntPrftRtRow] = msgspec.field(default_factory=list)  # 계좌수익률


class Ka10088Request(Request, kw_only=True, frozen=True):
    """ka10088 미체결 분할주문 상세 — request body."""

    ord_no: str  # 주문번호 (20)


class Ka10088OsopRow(Response, kw_only=True):
    """ka10088 `osop` row — 미체결분할주문리스트."""

    stk_cd: str = ""  # 종목코드
    acnt_no: str = ""
    stk_nm: str = ""  # 종목명
    ord_no: str = ""  # 주문번호
    ord_qty: str = ""  # 주문수량
    ord_pric: str = ""  # 주문가격
    osop_qty: str = ""  # 미체결수량
    io_tp_nm: str = ""  # 주문구분
    trde_tp: str = ""  # 매매구분
    sell_tp: str = ""  # 매도/수 구분
    cntr_qty: str = ""  # 체결량
    ord_stt: str = ""  # 주문상태
    cur_prc: str = ""  # 현재가
    stex_tp: str = ""  # 거래소구분 (0 : 통합, 1 : KRX, 2 : NXT)
    stex_tp_txt: str = ""  # 거래소구분텍스트 (통합,KRX,NXT)


class Ka10088Response(Response, kw_only=True):
    """ka10088 미체결 분할주문 상세 — response body (without the envelope)."""

    osop: list[Ka10088OsopRow] = msgspec.field(default_factory=list)  # 미체결분할주문리스트


class Ka10170Request(Request, kw_only=True, frozen=True):
    """ka10170 당일매매일지요청 — request body."""

    base_dt: str = ""  # 기준일자 (8): YYYYMMDD(공백입력시 금일데이터,최근 2개월까지 제공)
    ottks_tp: str  # 단주구분 (1): 1:당일매수에 대한 당일매도,2:당일매도 전체
    ch_crd_tp: str  # 현금신용구분 (1): 0:전체, 1:현금매매만, 2:신용매매만


class Ka10170TdyTrdeDiaryRow(Response, kw_only=True):
    """ka10170 `tdy_trde_diary` row — 당일매매일지."""

    stk_nm: str = ""  # 종목명
    buy_avg_pric: str = ""  # 매수평균가
    buy_qty: str = ""  # 매수수량
    sel_avg_pric: str = ""  # 매도평균가
    sell_qty: str = ""  # 매도수량
    cmsn_alm_tax: str = ""  # 수수료_제세금
    pl_amt: str = ""  # 손익금액
    sell_amt: str = ""  # 매도금액
    buy_amt: str = ""  # 매수금액
    prft_rt: str = ""  # 수익률
    stk_cd: str = ""  # 종목코드


class Ka10170Response(Response, kw_only=True):
    """ka10170 당일매매일지요청 — response body (without the envelope)."""

    tot_sell_amt: str = ""  # 총매도금액
    tot_buy_amt: str = ""  # 총매수금액
    tot_cmsn_tax: str = ""  # 총수수료_세금
    tot_exct_amt: str = ""  # 총정산금액
    tot_pl_amt: str = ""  # 총손익금액
    tot_prft_rt: str = ""  # 총수익률
    tdy_trde_diary: list[Ka10170TdyTrdeDiaryRow] = msgspec.field(default_factory=list)  # 당일매매…


REQUESTS: dict[str, type[Request]] = {
    "ka00001": Ka00001Request,
    "ka01690": Ka01690Request,
    "ka10072": Ka10072Request,
    "ka10073": Ka10073Request,
    "ka10074": Ka10074Request,
    "ka10075": Ka10075Request,
    "ka10076": Ka10076Request,
    "ka10077": Ka10077Request,
    "ka10085": Ka10085Request,
    "ka10088": Ka10088Request,
    "ka10170": Ka10170Request,
}
RESPONSES: dict[str, type[Response]] = {
    "ka00001": Ka00001Response,
    "ka01690": Ka01690Response,
    "ka10072": Ka10072Response,
    "ka10073": Ka10073Response,
    "ka10074": Ka10074Response,
    "ka10075": Ka10075Response,
    "ka10076": Ka10076Response,
    "ka10077": Ka10077Response,
    "ka10085": Ka10085Response,
    "ka10088": Ka10088Response,
    "ka10170": Ka10170Response,
}
