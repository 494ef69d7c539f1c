"""Wire structs for 시세 (`/api/dostk/mrkcond`).

Field names are exactly the wire names of the spec (Appendix A of kiwoom-rest.md); a name
that is not a Python identifier (a leading digit, ``list``) keeps its wire name through
``msgspec.field(name=...)``. Every request value and every response value is a string;
``return_code``/``return_msg`` are added by :mod:`hoga.wire.envelope`.

Generated from the spec by a one-off script, then reviewed; edit freely.
"""

import msgspec

from hoga.wire.schemas.base import Request, Response

__all__ = [
    "Ka10004Request",
    "Ka10004Response",
    "Ka10005Request",
    "Ka10005Response",
    "Ka10005StkDdwkmmRow",
    "Ka10006Request",
    "Ka10006Response",
    "Ka10007Request",
    "Ka10007Response",
    "Ka10086DalyStkpcRow",
    "Ka10086Request",
    "Ka10086Response",
    "Ka10087Request",
    "Ka10087Response",
]


class Ka10004Request(Request, kw_only=True, frozen=True):
    """ka10004 주식호가요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)


class Ka10004Response(Response, kw_only=True):
    """ka10004 주식호가요청 — response body (without the envelope)."""

    bid_req_base_tm: str = ""  # 호가잔량기준시간 (호가시간)
    sel_10th_pre_req_pre: str = ""  # 매도10차선잔량대비 (매도호가직전대비10)
    sel_10th_pre_req: str = ""  # 매도10차선잔량 (매도호가수량10)
    sel_10th_pre_bid: str = ""  # 매도10차선호가 (매도호가10)
    sel_9th_pre_req_pre: str = ""  # 매도9차선잔량대비 (매도호가직전대비9)
    sel_9th_pre_req: str = ""  # 매도9차선잔량 (매도호가수량9)
    sel_9th_pre_bid: str = ""  # 매도9차선호가 (매도호가9)
    sel_8th_pre_req_pre: str = ""  # 매도8차선잔량대비 (매도호가직전대비8)
    sel_8th_pre_req: str = ""  # 매도8차선잔량 (매도호가수량8)
    sel_8th_pre_bid: str = ""  # 매도8차선호가 (매도호가8)
    sel_7th_pre_req_pre: str = ""  # 매도7차선잔량대비 (매도호가직전대비7)
    sel_7th_pre_req: str = ""  # 매도7차선잔량 (매도호가수량7)
    sel_7th_pre_bid: str = ""  # 매도7차선호가 (매도호가7)
    sel_6th_pre_req_pre: str = ""  # 매도6차선잔량대비 (매도호가직전대비6)
    sel_6th_pre_req: str = ""  # 매도6차선잔량 (매도호가수량6)
    sel_6th_pre_bid: str = ""  # 매도6차선호가 (매도호가6)
    sel_5th_pre_req_pre: str = ""  # 매도5차선잔량대비 (매도호가직전대비5)
    sel_5th_pre_req: str = ""  # 매도5차선잔량
    sel_5th_pre_bid: str = ""  # 매도5차선호가
    sel_4th_pre_req_pre: str = ""  # 매도4차선잔량대비
    sel_4th_pre_req: str = ""  # 매도4차선잔량
    sel_4th_pre_bid: str = ""  # 매도4차선호가
    sel_3th_pre_req_pre: str = ""  # 매도3차선잔량대비
    sel_3th_pre_req: str = ""  # 매도3차선잔량
    sel_3th_pre_bid: str = ""  # 매도3차선호가
    sel_2th_pre_req_pre: str = ""  # 매도2차선잔량대비
    sel_2th_pre_req: str = ""  # 매도2차선잔량
    sel_2th_pre_bid: str = ""  # 매도2차선호가
    sel_1th_pre_req_pre: str = ""  # 매도1차선잔량대비
    sel_fpr_req: str = ""  # 매도최우선잔량
    sel_fpr_bid: str = ""  # 매도최우선호가
    buy_fpr_bid: str = ""  # 매수최우선호가
    buy_fpr_req: str = ""  # 매수최우선잔량
    buy_1th_pre_req_pre: str = ""  # 매수1차선잔량대비
    buy_2th_pre_bid: str = ""  # 매수2차선호가
    buy_2th_pre_req: str = ""  # 매수2차선잔량
    buy_2th_pre_req_pre: str = ""  # 매수2차선잔량대비
    buy_3th_pre_bid: str = ""  # 매수3차선호가
    buy_3th_pre_req: str = ""  # 매수3차선잔량
    buy_3th_pre_req_pre: str = ""  # 매수3차선잔량대비
    buy_4th_pre_bid: str = ""  # 매수4차선호가
    buy_4th_pre_req: str = ""  # 매수4차선잔량
    buy_4th_pre_req_pre: str = ""  # 매수4차선잔량대비
    buy_5th_pre_bid: str = ""  # 매수5차선호가
    buy_5th_pre_req: str = ""  # 매수5차선잔량
    buy_5th_pre_req_pre: str = ""  # 매수5차선잔량대비
    buy_6th_pre_bid: str = ""  # 매수6차선호가
    buy_6th_pre_req: str = ""  # 매수6차선잔량
    buy_6th_pre_req_pre: str = ""  # 매수6차선잔량대비
    buy_7th_pre_bid: str = ""  # 매수7차선호가
    buy_7th_pre_req: str = ""  # 매수7차선잔량
    buy_7th_pre_req_pre: str = ""  # 매수7차선잔량대비
    buy_8th_pre_bid: str = ""  # 매수8차선호가
    buy_8th_pre_req: str = ""  # 매수8차선잔량
    buy_8th_pre_req_pre: str = ""  # 매수8차선잔량대비
    buy_9th_pre_bid: str = ""  # 매수9차선호가
    buy_9th_pre_req: str = ""  # 매수9차선잔량
    buy_9th_pre_req_pre: str = ""  # 매수9차선잔량대비
    buy_10th_pre_bid: str = ""  # 매수10차선호가
    buy_10th_pre_req: str = ""  # 매수10차선잔량
    buy_10th_pre_req_pre: str = ""  # 매수10차선잔량대비
    tot_sel_req_jub_pre: str = ""  # 총매도잔량직전대비
    tot_sel_req: str = ""  # 총매도잔량
    tot_buy_req: str = ""  # 총매수잔량
    tot_buy_req_jub_pre: str = ""  # 총매수잔량직전대비
    ovt_sel_req_pre: str = ""  # 시간외매도잔량대비
    ovt_sel_req: str = ""  # 시간외매도잔량
    ovt_buy_req: str = ""  # 시간외매수잔량
    ovt_buy_req_pre: str = ""  # 시간외매수잔량대비


class Ka10005Request(Request, kw_only=True, frozen=True):
    """ka10005 주식일주월시분요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)


class Ka10005StkDdwkmmRow(Response, kw_only=True):
    """ka10005 `stk_ddwkmm` row — 주식일주월시분."""

    date: str = ""  # 날짜
    open_pric: str = ""  # 시가
    high_pric: str = ""  # 고가
    low_pric: str = ""  # 저가
    close_pric: str = ""  # 종가
    pre: str = ""  # 대비
    flu_rt: str = ""  # 등락률
    trde_qty: str = ""  # 거래량
    trde_prica: str = ""  # 거래대금
    cntr_str: str = ""
    for_poss: str = ""  # 외인보유
    for_wght: str = ""  # 외인비중
    for_netprps: str = ""  # 외인순매수
    orgn_netprps: str = ""  # 기관순매수
    ind_netprps: str = ""  # 개인순매수
    frgn: str = ""  # 외국계
    crd_remn_rt: str = ""  # 신용잔고율
    prm: str = ""  # 프로그램


class Ka10005Response(Response, kw_only=True):
    """ka10005 주식일주월시분요청 — response body (without the envelope)."""

    stk_ddwkmm: list[Ka10005StkDdwkmmRow] = msgspec.field(default_factory=list)  # 주식일주월시분


class Ka10006Request(Request, kw_only=True, frozen=True):
    """ka10006 주식시분요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)


class Ka10006Response(Response, kw_only=True):
    """ka10006 주식시분요청 — response body (without the envelope)."""

    date: str = ""  # 날짜
    open_pric: str = ""  # 시가
    high_pric: str = ""  # 고가
    low_pric: str = ""  # 저가
    close_pric: str = ""  # 종가
    pre: str = ""  # 대비
    flu_rt: str = ""  # 등락률
    trde_qty: str = ""  # 거래량
    trde_prica: str = ""  # 거래대금
    cntr_str: str = ""  # 체결강도


class Ka10007Request(Request, kw_only=True, frozen=True):
    """ka10007 시세표성정보요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)


class Ka10007Response(Response, kw_only=True):
    """ka10007 시세표성정보요청 — response body (without the envelope)."""

    stk_nm: str = ""  # 종목명
    stk_cd: str = ""  # 종목코드
    date: str = ""  # 날짜
    tm: str = ""  # 시간
    pred_close_pric: str = ""  # 전일종가
    pred_trde_qty: str = ""  # 전일거래량
    upl_pric: str = ""  # 상한가
    lst_pric: str = ""  # 하한가
    pred_trde_prica: str = ""  # 전일거래대금
    flo_stkcnt: str = ""  # 상장주식수
    cur_prc: str = ""  # 현재가
    smbol: str = ""  # 부호
    flu_rt: str = ""  # 등락률
    pred_rt: str = ""  # 전일비
    open_pric: str = ""  # 시가
    high_pric: str = ""  # 고가
    low_pric: str = ""  # 저가
    cntr_qty: str = ""  # 체결량
    trde_qty: str = ""  # 거래량
    trde_prica: str = ""  # 거래대금
    exp_cntr_pric: str = ""  # 예상체결가
    exp_cntr_qty: str = ""  # 예상체결량
    exp_sel_pri_bid: str = ""  # 예상매도우선호가
    exp_buy_pri_bid: str = ""  # 예상매수우선호가
    trde_strt_dt: str = ""  # 거래시작일
    exec_pric: str = ""  # 행사가격
    hgst_pric: str = ""  # 최고가
    lwst_pric: str = ""  # 최저가
    hgst_pric_dt: str = ""  # 최고가일
    lwst_pric_dt: str = ""  # 최저가일
    sel_1bid: str = ""  # 매도1호가
    sel_2bid: str = ""  # 매도2호가
    sel_3bid: str = ""  # 매도3호가
    sel_4bid: str = ""  # 매도4호가
    sel_5bid: str = ""  # 매도5호가
    sel_6bid: str = ""  # 매도6호가
    sel_7bid: str = ""  # 매도7호가
    sel_8bid: str = ""  # 매도8호가
    sel_9bid: str = ""  # 매도9호가
    sel_10bid: str = ""  # 매도10호가
    buy_1bid: str = ""  # 매수1호가
    buy_2bid: str = ""  # 매수2호가
    buy_3bid: str = ""  # 매수3호가
    buy_4bid: str = ""  # 매수4호가
    buy_5bid: str = ""  # 매수5호가
    buy_6bid: str = ""  # 매수6호가
    buy_7bid: str = ""  # 매수7호가
    buy_8bid: str = ""  # 매수8호가
    buy_9bid: str = ""  # 매수9호가
    buy_10bid: str = ""  # 매수10호가
    sel_1bid_req: str = ""  # 매도1호가잔량
    sel_2bid_req: str = ""  # 매도2호가잔량
    sel_3bid_req: str = ""  # 매도3호가잔량
    sel_4bid_req: str = ""  # 매도4호가잔량
    sel_5bid_req: str = ""  # 매도5호가잔량
    sel_6bid_req: str = ""  # 매도6호가잔량
    sel_7bid_req: str = ""  # 매도7호가잔량
    sel_8bid_req: str = ""  # 매도8호가잔량
    sel_9bid_req: str = ""  # 매도9호가잔량
    sel_10bid_req: str = ""  # 매도10호가잔량
    buy_1bid_req: str = ""  # 매수1호가잔량
    buy_2bid_req: str = ""  # 매수2호가잔량
    buy_3bid_req: str = ""  # 매수3호가잔량
    buy_4bid_req: str = ""  # 매수4호가잔량
    buy_5bid_req: str = ""  # 매수5호가잔량
    buy_6bid_req: str = ""  # 매수6호가잔량
    buy_7bid_req: str = ""  # 매수7호가잔량
    buy_8bid_req: str = ""  # 매수8호가잔량
    buy_9bid_req: str = ""  # 매수9호가잔량
    buy_10bid_req: str = ""  # 매수10호가잔량
    sel_1bid_jub_pre: str = ""  # 매도1호가직전대비
    sel_2bid_jub_pre: str = ""  # 매도2호가직전대비
    sel_3bid_jub_pre: str = ""  # 매도3호가직전대비
    sel_4bid_jub_pre: str = ""  # 매도4호가직전대비
    sel_5bid_jub_pre: str = ""  # 매도5호가직전대비
    sel_6bid_jub_pre: str = ""  # 매도6호가직전대비
    sel_7bid_jub_pre: str = ""  # 매도7호가직전대비
    sel_8bid_jub_pre: str = ""  # 매도8호가직전대비
    sel_9bid_jub_pre: str = ""  # 매도9호가직전대비
    sel_10bid_jub_pre: str = ""  # 매도10호가직전대비
    buy_1bid_jub_pre: str = ""  # 매수1호가직전대비
    buy_2bid_jub_pre: str = ""  # 매수2호가직전대비
    buy_3bid_jub_pre: str = ""  # 매수3호가직전대비
    buy_4bid_jub_pre: str = ""  # 매수4호가직전대비
    buy_5bid_jub_pre: str = ""  # 매수5호가직전대비
    buy_6bid_jub_pre: str = ""  # 매수6호가직전대비
    buy_7bid_jub_pre: str = ""  # 매수7호가직전대비
    buy_8bid_jub_pre: str = ""  # 매수8호가직전대비
    buy_9bid_jub_pre: str = ""  # 매수9호가직전대비
    buy_10bid_jub_pre: str = ""  # 매수10호가직전대비
    sel_1bid_cnt: str = ""  # 매도1호가건수
    sel_2bid_cnt: str = ""  # 매도2호가건수
    sel_3bid_cnt: str = ""  # 매도3호가건수
    sel_4bid_cnt: str = ""  # 매도4호가건수
    sel_5bid_cnt: str = ""  # 매도5호가건수
    buy_1bid_cnt: str = ""  # 매수1호가건수
    buy_2bid_cnt: str = ""  # 매수2호가건수
    buy_3bid_cnt: str = ""  # 매수3호가건수
    buy_4bid_cnt: str = ""  # 매수4호가건수
    buy_5bid_cnt: str = ""  # 매수5호가건수
    lpsel_1bid_req: str = ""  # LP매도1호가잔량
    lpsel_2bid_req: str = ""  # LP매도2호가잔량
    lpsel_3bid_req: str = ""  # LP매도3호가잔량
    lpsel_4bid_req: str = ""  # LP매도4호가잔량
    lpsel_5bid_req: str = ""  # LP매도5호가잔량
    lpsel_6bid_req: str = ""  # LP매도6호가잔량
    lpsel_7bid_req: str = ""  # LP매도7호가잔량
    lpsel_8bid_req: str = ""  # LP매도8호가잔량
    lpsel_9bid_req: str = ""  # LP매도9호가잔량
    lpsel_10bid_req: str = ""  # LP매도10호가잔량
    lpbuy_1bid_req: str = ""  # LP매수1호가잔량
    lpbuy_2bid_req: str = ""  # LP매수2호가잔량
    lpbuy_3bid_req: str = ""  # LP매수3호가잔량
    lpbuy_4bid_req: str = ""  # LP매수4호가잔량
    lpbuy_5bid_req: str = ""  # LP매수5호가잔량
    lpbuy_6bid_req: str = ""  # LP매수6호가잔량
    lpbuy_7bid_req: str = ""  # LP매수7호가잔량
    lpbuy_8bid_req: str = ""  # LP매수8호가잔량
    lpbuy_9bid_req: str = ""  # LP매수9호가잔량
    lpbuy_10bid_req: str = ""  # LP매수10호가잔량
    tot_buy_req: str = ""  # 총매수잔량
    tot_sel_req: str = ""  # 총매도잔량
    tot_buy_cnt: str = ""  # 총매수건수
    tot_sel_cnt: str = ""  # 총매도건수


class Ka10086Request(Request, kw_only=True, frozen=True):
    """ka10086 일별주가요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)
    qry_dt: str  # 조회일자 (8): YYYYMMDD
    indc_tp: str  # 표시구분 (1): 0:수량, 1:금액(백만원)


class Ka10086DalyStkpcRow(Response, kw_only=True):
    """ka10086 `daly_stkpc` row — 일별주가."""

    date: str = ""  # 날짜
    open_pric: str = ""  # 시가
    high_pric: str = ""  # 고가
    low_pric: str = ""  # 저가
    close_pric: str = ""  # 종가
    pred_rt: str = ""  # 전일비
    flu_rt: str = ""  # 등락률
    trde_qty: str = ""  # 거래량
    amt_mn: str = ""  # 금액(백만)
    crd_rt: str = ""  # 신용비
    ind: str = ""  # 개인
    orgn: str = ""  # 기관
    for_qty: str = ""  # 외인수량
    frgn: str = ""  # 외국계
    prm: str = ""  # 프로그램
    for_rt: str = ""  # 외인비
    for_poss: str = ""  # 외인보유
    for_wght: str = ""  # 외인비중
    for_netprps: str = ""  # 외인순매수
    orgn_netprps: str = ""  # 기관순매수
    ind_netprps: str = ""  # 개인순매수
    crd_remn_rt: str = ""  # 신용잔고율


class Ka10086Response(Response, kw_only=True):
    """ka10086 일별주가요청 — response body (without the envelope)."""

    daly_stkpc: list[Ka10086DalyStkpcRow] = msgspec.field(default_factory=list)  # 일별주가


class Ka10087Request(Request, kw_only=True, frozen=True):
    """ka10087 시간외단일가요청 — request body."""

    stk_cd: str  # 종목코드 (6)


class Ka10087Response(Response, kw_only=True):
    """ka10087 시간외단일가요청 — response body (without the envelope)."""

    bid_req_base_tm: str = ""  # 호가잔량기준시간
    ovt_sigpric_sel_bid_jub_pre_5: str = ""  # 시간외단일가_매도호가직전대비5
    ovt_sigpric_sel_bid_jub_pre_4: str = ""  # 시간외단일가_매도호가직전대비4
    ovt_sigpric_sel_bid_jub_pre_3: str = ""  # 시간외단일가_매도호가직전대비3
    ovt_sigpric_sel_bid_jub_pre_2: str = ""  # 시간외단일가_매도호가직전대비2
    ovt_sigpric_sel_bid_jub_pre_1: str = ""  # 시간외단일가_매도호가직전대비1
    ovt_sigpric_sel_bid_qty_5: str = ""  # 시간외단일가_매도호가수량5
    ovt_sigpric_sel_bid_qty_4: str = ""  # 시간외단일가_매도호가수량4
    ovt_sigpric_sel_bid_qty_3: str = ""  # 시간외단일가_매도호가수량3
    ovt_sigpric_sel_bid_qty_2: str = ""  # 시간외단일가_매도호가수량2
    ovt_sigpric_sel_bid_qty_1: str = ""  # 시간외단일가_매도호가수량1
    ovt_sigpric_sel_bid_5: str = ""  # 시간외단일가_매도호가5
    ovt_sigpric_sel_bid_4: str = ""  # 시간외단일가_매도호가4
    ovt_sigpric_sel_bid_3: str = ""  # 시간외단일가_매도호가3
    ovt_sigpric_sel_bid_2: str = ""  # 시간외단일가_매도호가2
    ovt_sigpric_sel_bid_1: str = ""  # 시간외단일가_매도호가1
    ovt_sigpric_buy_bid_1: str = ""  # 시간외단일가_매수호가1
    ovt_sigpric_buy_bid_2: str = ""
    ovt_sigpric_buy_bid_3: str = ""
    ovt_sigpric_buy_bid_4: str = ""
    ovt_sigpric_buy_bid_5: str = ""
    ovt_sigpric_buy_bid_qty_1: str = ""
    ovt_sigpric_buy_bid_qty_2: str = ""
    ovt_sigpric_buy_bid_qty_3: str = ""
    ovt_sigpric_buy_bid_qty_4: str = ""
    ovt_sigpric_buy_bid_qty_5: str = ""
    ovt_sigpric_buy_bid_jub_pre_1: str = ""
    ovt_sigpric_buy_bid_jub_pre_2: str = ""
    ovt_sigpric_buy_bid_jub_pre_3: str = ""
    ovt_sigpric_buy_bid_jub_pre_4: str = ""
    ovt_sigpric_buy_bid_jub_pre_5: str = ""
    ovt_sigpric_sel_bid_tot_req: str = ""
    ovt_sigpric_buy_bid_tot_req: str = ""
    sel_bid_tot_req_jub_pre: str = ""
    sel_bid_tot_req: str = ""  # 매도호가총잔량
    buy_bid_tot_req: str = ""  # 매수호가총잔량
    buy_bid_tot_req_jub_pre: str = ""
    ovt_sel_bid_tot_req_jub_pre: str = ""
    ovt_sel_bid_tot_req: str = ""
    ovt_buy_bid_tot_req: str = ""
    ovt_buy_bid_tot_req_jub_pre: str = ""
    ovt_sigpric_cur_prc: str = ""  # 시간외단일가_현재가
    ovt_sigpric_pred_pre_sig: str = ""
    ovt_sigpric_pred_pre: str = ""
    ovt_sigpric_flu_rt: str = ""  # 시간외단일가_등락률
    ovt_sigpric_acc_trde_qty: str = ""


REQUESTS: dict[str, type[Request]] = {
    "ka10004": Ka10004Request,
    "ka10005": Ka10005Request,
    "ka10006": Ka10006Request,
    "ka10007": Ka10007Request,
    "ka10086": Ka10086Request,
    "ka10087": Ka10087Request,
}
RESPONSES: dict[str, type[Response]] = {
    "ka10004": Ka10004Response,
    "ka10005": Ka10005Response,
    "ka10006": Ka10006Response,
    "ka10007": Ka10007Response,
    "ka10086": Ka10086Response,
    "ka10087": Ka10087Response,
}
