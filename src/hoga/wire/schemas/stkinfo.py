"""Wire structs for 종목정보 (`/api/dostk/stkinfo`).

Field names are exactly the wire names of the spec (Appendix A of kiwoom-rest.md); a name
that is not a Python identifier (a leading digit, ``list``) keeps its wire name through
``msgspec.field(name=...)``. Every request value and every response value is a string;
``return_code``/``return_msg`` are added by :mod:`hoga.wire.envelope`.

Generated from the spec by a one-off script, then reviewed; edit freely.
"""

import msgspec

from hoga.wire.schemas.base import Request, Response

__all__ = [
    "Ka10001Request",
    "Ka10001Response",
    "Ka10002Request",
    "Ka10002Response",
    "Ka10003CntrInfrRow",
    "Ka10003Request",
    "Ka10003Response",
    "Ka10095AtnStkInfrRow",
    "Ka10095Request",
    "Ka10095Response",
    "Ka10099ListRow",
    "Ka10099Request",
    "Ka10099Response",
    "Ka10100Request",
    "Ka10100Response",
    "Ka10101ListRow",
    "Ka10101Request",
    "Ka10101Response",
]


class Ka10001Request(Request, kw_only=True, frozen=True):
    """ka10001 주식기본정보요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)


class Ka10001Response(Response, kw_only=True):
    """ka10001 주식기본정보요청 — response body (without the envelope)."""

    stk_cd: str = ""  # 종목코드
    stk_nm: str = ""  # 종목명
    setl_mm: str = ""  # 결산월
    fav: str = ""  # 액면가
    cap: str = ""  # 자본금
    flo_stk: str = ""  # 상장주식
    crd_rt: str = ""  # 신용비율
    oyr_hgst: str = ""  # 연중최고
    oyr_lwst: str = ""  # 연중최저
    mac: str = ""  # 시가총액
    mac_wght: str = ""  # 시가총액비중
    for_exh_rt: str = ""  # 외인소진률
    repl_pric: str = ""  # 대용가
    per: str = ""  # PER ([ 주의 ] PER, ROE 값들은 외부벤더사에서 제공되는 데이터이며 일주일에 한번…
    eps: str = ""  # EPS
    roe: str = ""  # ROE ([ 주의 ] PER, ROE 값들은 외부벤더사에서 제공되는 데이터이며 일주일에 한번…
    pbr: str = ""  # PBR
    ev: str = ""  # EV
    bps: str = ""  # BPS
    sale_amt: str = ""  # 매출액
    bus_pro: str = ""  # 영업이익
    cup_nga: str = ""  # 당기순이익
    hgst_250: str = msgspec.field(name="250hgst", default="")  # 250최고
    lwst_250: str = msgspec.field(name="250lwst", default="")  # 250최저
    open_pric: str = ""  # 시가
    high_pric: str = ""  # 고가
    low_pric: str = ""  # 저가
    upl_pric: str = ""  # 상한가
    lst_pric: str = ""  # 하한가
    base_pric: str = ""  # 기준가
    exp_cntr_pric: str = ""  # 예상체결가
    exp_cntr_qty: str = ""  # 예상체결수량
    hgst_pric_dt_250: str = msgspec.field(name="250hgst_pric_dt", default="")  # 250최고가일
    hgst_pric_pre_rt_250: str = msgspec.field(name="250hgst_pric_pre_rt", default="")  # 250최고가…
    lwst_pric_dt_250: str = msgspec.field(name="250lwst_pric_dt", default="")  # 250최저가일
    lwst_pric_pre_rt_250: str = msgspec.field(name="250lwst_pric_pre_rt", default="")  # 250최저가…
    cur_prc: str = ""  # 현재가
    pre_sig: str = ""  # 대비기호
    pred_pre: str = ""  # 전일대비
    flu_rt: str = ""  # 등락율
    trde_qty: str = ""  # 거래량
    trde_pre: str = ""  # 거래대비
    fav_unit: str = ""  # 액면가단위
    dstr_stk: str = ""  # 유통주식
    dstr_rt: str = ""  # 유통비율


class Ka10002Request(Request, kw_only=True, frozen=True):
    """ka10002 주식거래원요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)


class Ka10002Response(Response, kw_only=True):
    """ka10002 주식거래원요청 — response body (without the envelope)."""

    stk_cd: str = ""  # 종목코드
    stk_nm: str = ""  # 종목명
    cur_prc: str = ""  # 현재가
    flu_smbol: str = ""  # 등락부호
    base_pric: str = ""  # 기준가
    pred_pre: str = ""  # 전일대비
    flu_rt: str = ""  # 등락율
    sel_trde_ori_nm_1: str = ""  # 매도거래원명1
    sel_trde_ori_1: str = ""  # 매도거래원1
    sel_trde_qty_1: str = ""  # 매도거래량1
    buy_trde_ori_nm_1: str = ""  # 매수거래원명1
    buy_trde_ori_1: str = ""  # 매수거래원1
    buy_trde_qty_1: str = ""  # 매수거래량1
    sel_trde_ori_nm_2: str = ""  # 매도거래원명2
    sel_trde_ori_2: str = ""  # 매도거래원2
    sel_trde_qty_2: str = ""  # 매도거래량2
    buy_trde_ori_nm_2: str = ""  # 매수거래원명2
    buy_trde_ori_2: str = ""  # 매수거래원2
    buy_trde_qty_2: str = ""  # 매수거래량2
    sel_trde_ori_nm_3: str = ""  # 매도거래원명3
    sel_trde_ori_3: str = ""  # 매도거래원3
    sel_trde_qty_3: str = ""  # 매도거래량3
    buy_trde_ori_nm_3: str = ""  # 매수거래원명3
    buy_trde_ori_3: str = ""  # 매수거래원3
    buy_trde_qty_3: str = ""  # 매수거래량3
    sel_trde_ori_nm_4: str = ""  # 매도거래원명4
    sel_trde_ori_4: str = ""  # 매도거래원4
    sel_trde_qty_4: str = ""  # 매도거래량4
    buy_trde_ori_nm_4: str = ""  # 매수거래원명4
    buy_trde_ori_4: str = ""  # 매수거래원4
    buy_trde_qty_4: str = ""  # 매수거래량4
    sel_trde_ori_nm_5: str = ""  # 매도거래원명5
    sel_trde_ori_5: str = ""  # 매도거래원5
    sel_trde_qty_5: str = ""  # 매도거래량5
    buy_trde_ori_nm_5: str = ""  # 매수거래원명5
    buy_trde_ori_5: str = ""  # 매수거래원5
    buy_trde_qty_5: str = ""  # 매수거래량5


class Ka10003Request(Request, kw_only=True, frozen=True):
    """ka10003 체결정보요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)


class Ka10003CntrInfrRow(Response, kw_only=True):
    """ka10003 `cntr_infr` row — 체결정보."""

    tm: str = ""  # 시간
    cur_prc: str = ""  # 현재가
    pred_pre: str = ""  # 전일대비
    pre_rt: str = ""  # 대비율
    pri_sel_bid_unit: str = ""  # 우선매도호가단위
    pri_buy_bid_unit: str = ""  # 우선매수호가단위
    cntr_trde_qty: str = ""  # 체결거래량
    sign: str = ""  # sign
    acc_trde_qty: str = ""  # 누적거래량
    acc_trde_prica: str = ""  # 누적거래대금
    cntr_str: str = ""  # 체결강도
    stex_tp: str = ""  # 거래소구분 (KRX , NXT , 통합)


class Ka10003Response(Response, kw_only=True):
    """ka10003 체결정보요청 — response body (without the envelope)."""

    cntr_infr: list[Ka10003CntrInfrRow] = msgspec.field(default_factory=list)  # 체결정보


class Ka10095Request(Request, kw_only=True, frozen=True):
    """ka10095 관심종목정보요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)


class Ka10095AtnStkInfrRow(Response, kw_only=True):
    """ka10095 `atn_stk_infr` row — 관심종목정보."""

    stk_cd: str = ""  # 종목코드
    stk_nm: str = ""  # 종목명
    cur_prc: str = ""  # 현재가
    base_pric: str = ""  # 기준가
    pred_pre: str = ""  # 전일대비
    pred_pre_sig: str = ""  # 전일대비기호
    flu_rt: str = ""  # 등락율
    trde_qty: str = ""  # 거래량
    trde_prica: str = ""  # 거래대금
    cntr_qty: str = ""  # 체결량
    cntr_str: str = ""  # 체결강도
    pred_trde_qty_pre: str = ""  # 전일거래량대비
    sel_bid: str = ""  # 매도호가
    buy_bid: str = ""  # 매수호가
    sel_1th_bid: str = ""  # 매도1차호가
    sel_2th_bid: str = ""  # 매도2차호가
    sel_3th_bid: str = ""  # 매도3차호가
    sel_4th_bid: str = ""  # 매도4차호가
    sel_5th_bid: str = ""  # 매도5차호가
    buy_1th_bid: str = ""  # 매수1차호가
    buy_2th_bid: str = ""  # 매수2차호가
    buy_3th_bid: str = ""  # 매수3차호가
    buy_4th_bid: str = ""  # 매수4차호가
    buy_5th_bid: str = ""  # 매수5차호가
    upl_pric: str = ""  # 상한가
    lst_pric: str = ""  # 하한가
    open_pric: str = ""  # 시가
    high_pric: str = ""  # 고가
    low_pric: str = ""  # 저가
    close_pric: str = ""  # 종가
    cntr_tm: str = ""  # 체결시간
    exp_cntr_pric: str = ""  # 예상체결가
    exp_cntr_qty: str = ""  # 예상체결량
    cap: str = ""  # 자본금
    fav: str = ""  # 액면가
    mac: str = ""  # 시가총액
    stkcnt: str = ""  # 주식수
    bid_tm: str = ""  # 호가시간
    dt: str = ""  # 일자
    pri_sel_req: str = ""  # 우선매도잔량
    pri_buy_req: str = ""  # 우선매수잔량
    pri_sel_cnt: str = ""  # 우선매도건수
    pri_buy_cnt: str = ""  # 우선매수건수
    tot_sel_req: str = ""  # 총매도잔량
    tot_buy_req: str = ""  # 총매수잔량
    tot_sel_cnt: str = ""  # 총매도건수
    tot_buy_cnt: str = ""  # 총매수건수
    prty: str = ""  # 패리티
    gear: str = ""  # 기어링
    pl_qutr: str = ""  # 손익분기
    cap_support: str = ""  # 자본지지
    elwexec_pric: str = ""  # ELW행사가
    cnvt_rt: str = ""  # 전환비율
    elwexpr_dt: str = ""  # ELW만기일
    cntr_engg: str = ""  # 미결제약정
    cntr_pred_pre: str = ""  # 미결제전일대비
    theory_pric: str = ""  # 이론가
    innr_vltl: str = ""  # 내재변동성
    delta: str = ""  # 델타
    gam: str = ""  # 감마
    theta: str = ""  # 쎄타
    vega: str = ""  # 베가
    law: str = ""  # 로


class Ka10095Response(Response, kw_only=True):
    """ka10095 관심종목정보요청 — response body (without the envelope)."""

    atn_stk_infr: list[Ka10095AtnStkInfrRow] = msgspec.field(default_factory=list)  # 관심종목정보


class Ka10099Request(Request, kw_only=True, frozen=True):
    """ka10099 종목정보 리스트 — request body."""

    mrkt_tp: str  # 시장구분 (2): 0:코스피,10:코스닥,3:ELW,8:ETF,30:K-OTC,50:코넥스,5:신주인 수권,4…


class Ka10099ListRow(Response, kw_only=True):
    """ka10099 `list` row — 종목리스트."""

    code: str = ""  # 종목코드 (단축코드)
    name: str = ""  # 종목명
    listCount: str = ""  # 상장주식수
    auditInfo: str = ""  # 감리구분
    regDay: str = ""  # 상장일
    lastPrice: str = ""  # 전일종가
    state: str = ""  # 종목상태
    marketCode: str = ""  # 시장구분코드
    marketName: str = ""  # 시장명
    upName: str = ""  # 업종명
    upSizeName: str = ""  # 회사크기분류
    companyClassName: str = ""  # 회사분류 (코스닥만 존재함)
    orderWarning: str = ""  # 투자유의종목여부 (0: 해당없음, 2: 정리매매, 3: 단기과열, 4: 투자위험,…
    nxtEnable: str = ""  # NXT가능여부 (Y: 가능)


class Ka10099Response(Response, kw_only=True):
    """ka10099 종목정보 리스트 — response body (without the envelope)."""

    items: list[Ka10099ListRow] = msgspec.field(name="list", default_factory=list)  # 종목리스트


class Ka10100Request(Request, kw_only=True, frozen=True):
    """ka10100 종목정보 조회 — request body."""

    stk_cd: str  # 종목코드 (6)


class Ka10100Response(Response, kw_only=True):
    """ka10100 종목정보 조회 — response body (without the envelope)."""

    code: str = ""  # 종목코드 (단축코드)
    name: str = ""  # 종목명
    listCount: str = ""  # 상장주식수
    auditInfo: str = ""  # 감리구분
    regDay: str = ""  # 상장일
    lastPrice: str = ""  # 전일종가
    state: str = ""  # 종목상태
    marketCode: str = ""  # 시장구분코드
    marketName: str = ""  # 시장명
    upName: str = ""  # 업종명
    upSizeName: str = ""  # 회사크기분류
    companyClassName: str = ""  # 회사분류 (코스닥만 존재함)
    orderWarning: str = ""  # 투자유의종목여부 (0: 해당없음, 2: 정리매매, 3: 단기과열, 4: 투자위험,…
    nxtEnable: str = ""  # NXT가능여부 (Y: 가능)


class Ka10101Request(Request, kw_only=True, frozen=True):
    """ka10101 업종코드 리스트 — request body."""

    mrkt_tp: str  # 시장구분 (1): 0:코스피(거래소),1:코스닥,2:KOSPI200,4:KOSPI100,7:KRX100( 통합지…


class Ka10101ListRow(Response, kw_only=True):
    """ka10101 `list` row — 업종코드리스트."""

    marketCode: str = ""  # 시장구분코드
    code: str = ""  # 코드
    name: str = ""  # 업종명
    group: str = ""  # 그룹


class Ka10101Response(Response, kw_only=True):
    """ka10101 업종코드 리스트 — response body (without the envelope)."""

    items: list[Ka10101ListRow] = msgspec.field(name="list", default_factory=list)  # 업종코드리스트


REQUESTS: dict[str, type[Request]] = {
    "ka10001": Ka10001Request,
    "ka10002": Ka10002Request,
    "ka10003": Ka10003Request,
    "ka10095": Ka10095Request,
    "ka10099": Ka10099Request,
    "ka10100": Ka10100Request,
    "ka10101": Ka10101Request,
}
RESPONSES: dict[str, type[Response]] = {
    "ka10001": Ka10001Response,
    "ka10002": Ka10002Response,
    "ka10003": Ka10003Response,
    "ka10095": Ka10095Response,
    "ka10099": Ka10099Response,
    "ka10100": Ka10100Response,
    "ka10101": Ka10101Response,
}
