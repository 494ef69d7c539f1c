"""Wire structs for 차트 (`/api/dostk/chart`).

Field names are exactly the wire names of the spec (Appendix A of kiwoom-rest.md); a name
that is not a Python identifier (a leading digit, ``list``) keeps its wire name through
``msgspec.field(name=...)``. Every request value and every response value is a string;
``return_code``/``return_msg`` are added by :mod:`hoga.wire.envelope`.

Generated from the spec by a one-off script, then reviewed; edit freely.
"""

import msgspec

from hoga.wire.schemas.base import Request, Response

__all__ = [
    "Ka10079Request",
    "Ka10079Response",
    "Ka10079StkTicChartQryRow",
    "Ka10080Request",
    "Ka10080Response",
    "Ka10080StkMinPoleChartQryRow",
    "Ka10081Request",
    "Ka10081Response",
    "Ka10081StkDtPoleChartQryRow",
    "Ka10082Request",
    "Ka10082Response",
    "Ka10083Request",
    "Ka10083Response",
    "Ka10094Request",
    "Ka10094Response",
    "Ka10094StkYrPoleChartQryRow",
    "Ka20004Request",
    "Ka20004Response",
    "Ka20005Request",
    "Ka20005Response",
    "Ka20006IndsDtPoleQryRow",
    "Ka20006Request",
    "Ka20006Response",
    "Ka20007Request",
    "Ka20007Response",
    "Ka20008Request",
    "Ka20008Response",
    "Ka20019Request",
    "Ka20019Response",
]


class Ka10079Request(Request, kw_only=True, frozen=True):
    """ka10079 주식틱차트조회요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)
    tic_scope: str  # 틱범위 (2): 1:1틱, 3:3틱, 5:5틱, 10:10틱, 30:30틱
    upd_stkpc_tp: str  # 수정주가구분 (1): 0 or 1


class Ka10079StkTicChartQryRow(Response, kw_only=True):
    """ka10079 `stk_tic_chart_qry` row — 주식틱차트조회."""

    cur_prc: str = ""  # 현재가
    trde_qty: str = ""  # 거래량
    cntr_tm: str = ""  # 체결시간
    open_pric: str = ""  # 시가
    high_pric: str = ""  # 고가
    low_pric: str = ""  # 저가
    pred_pre: str = ""  # 전일대비 (현재가 - 전일종가)
    pred_pre_sig: str = ""  # 전일대비 기호 (1: 상한가, 2:상승, 3:보합, 4:하한가, 5:하락)


class Ka10079Response(Response, kw_only=True):
    """ka10079 주식틱차트조회요청 — response body (without the envelope)."""

    stk_cd: str = ""  # 종목코드
    last_tic_cnt: str = ""  # 마지막틱갯수
    stk_tic_chart_qry: list[Ka10079StkTicChartQryRow] = msgspec.field(default_factory=list)


class Ka10080Request(Request, kw_only=True, frozen=True):
    """ka10080 주식분봉차트조회요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)
    tic_scope: str  # 틱범위 (2): 1:1분, 3:3분, 5:5분, 10:10분, 15:15분, 30:30분, 45:45분, 60:60분
    upd_stkpc_tp: str  # 수정주가구분 (1): 0 or 1
    base_dt: str = ""  # 기준일자 (8): YYYYMMDD (added 2026, §4.5)


class Ka10080StkMinPoleChartQryRow(Response, kw_only=True):
    """ka10080 `stk_min_pole_chart_qry` row — 주식분봉차트조회."""

    cur_prc: str = ""  # 현재가 (종가)
    trde_qty: str = ""  # 거래량
    cntr_tm: str = ""  # 체결시간
    open_pric: str = ""  # 시가
    high_pric: str = ""  # 고가
    low_pric: str = ""  # 저가
    acc_trde_qty: str = ""
    pred_pre: str = ""  # 전일대비 (현재가 - 전일종가)
    pred_pre_sig: str = ""  # 전일대비 기호 (1: 상한가, 2:상승, 3:보합, 4:하한가, 5:하락)


class Ka10080Response(Response, kw_only=True):
    """ka10080 주식분봉차트조회요청 — response body (without the envelope)."""

    stk_cd: str = ""  # 종목코드
    stk_min_pole_chart_qry: list[Ka10080StkMinPoleChartQryRow] = msgspec.field(default_factory=list)


class Ka10081Request(Request, kw_only=True, frozen=True):
    """ka10081 주식일봉차트조회요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)
    base_dt: str  # 기준일자 (8): YYYYMMDD
    upd_stkpc_tp: str  # 수정주가구분 (1): 0 or 1


class Ka10081StkDtPoleChartQryRow(Response, kw_only=True):
    """ka10081 `stk_dt_pole_chart_qry` row — 주식일봉차트조회."""

    cur_prc: str = ""  # 현재가
    trde_qty: str = ""  # 거래량
    trde_prica: str = ""  # 거래대금
    dt: str = ""  # 일자
    open_pric: str = ""  # 시가
    high_pric: str = ""  # 고가
    low_pric: str = ""  # 저가
    pred_pre: str = ""  # 전일대비 (현재가 - 전일종가)
    pred_pre_sig: str = ""  # 전일대비기호 (1: 상한가, 2:상승, 3:보합, 4:하한가, 5:하락)
    trde_tern_rt: str = ""  # 거래회전율


class Ka10081Response(Response, kw_only=True):
    """ka10081 주식일봉차트조회요청 — response body (without the envelope)."""

    stk_cd: str = ""  # 종목코드
    stk_dt_pole_chart_qry: list[Ka10081StkDtPoleChartQryRow] = msgspec.field(default_factory=list)


class Ka10082Request(Request, kw_only=True, frozen=True):
    """ka10082 주식주봉차트조회요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)
    base_dt: str  # 기준일자 (8): YYYYMMDD
    upd_stkpc_tp: str  # 수정주가구분 (1): 0 or 1


class Ka10082Response(Response, kw_only=True):
    """ka10082 주식주봉차트조회요청 — response body (without the envelope)."""

    stk_cd: str = ""  # 종목코드
    stk_stk_pole_chart_qry: list[Ka10081StkDtPoleChartQryRow] = msgspec.field(default_factory=list)


class Ka10083Request(Request, kw_only=True, frozen=True):
    """ka10083 주식월봉차트조회요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)
    base_dt: str  # 기준일자 (8): YYYYMMDD
    upd_stkpc_tp: str  # 수정주가구분 (1): 0 or 1


class Ka10083Response(Response, kw_only=True):
    """ka10083 주식월봉차트조회요청 — response body (without the envelope)."""

    stk_cd: str = ""  # 종목코드
    stk_mth_pole_chart_qry: list[Ka10081StkDtPoleChartQryRow] = msgspec.field(default_factory=list)


class Ka10094Request(Request, kw_only=True, frozen=True):
    """ka10094 주식년봉차트조회요청 — request body."""

    stk_cd: str  # 종목코드 (20): 거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)
    base_dt: str  # 기준일자 (8): YYYYMMDD
    upd_stkpc_tp: str  # 수정주가구분 (1): 0 or 1


class Ka10094StkYrPoleChartQryRow(Response, kw_only=True):
    """ka10094 `stk_yr_pole_chart_qry` row — 주식년봉차트조회."""

    cur_prc: str = ""  # 현재가
    trde_qty: str = ""  # 거래량
    trde_prica: str = ""  # 거래대금
    dt: str = ""  # 일자
    open_pric: str = ""  # 시가
    high_pric: str = ""  # 고가
    low_pric: str = ""  # 저가


class Ka10094Response(Response, kw_only=True):
    """ka10094 주식년봉차트조회요청 — response body (without the envelope)."""

    stk_cd: str = ""  # 종목코드
    stk_yr_pole_chart_qry: list[Ka10094StkYrPoleChartQryRow] = msgspec.field(default_factory=list)


class Ka20004Request(Request, kw_only=True, frozen=True):
    """ka20004 업종틱차트조회요청 — request body."""

    inds_cd: str  # 업종코드 (3): 001:종합(KOSPI), 002:대형주, 003:중형주, 004:소형주 101:종합(KOSD…
    tic_scope: str  # 틱범위 (2): 1:1틱, 3:3틱, 5:5틱, 10:10틱, 30:30틱


class Ka20004Response(Response, kw_only=True):
    """ka20004 업종틱차트조회요청 — response body (without the envelope)."""

    inds_cd: str = ""  # 업종코드
    inds_tic_chart_qry: list[Ka10079StkTicChartQryRow] = msgspec.field(default_factory=list)


class Ka20005Request(Request, kw_only=True, frozen=True):
    """ka20005 업종분봉조회요청 — request body."""

    inds_cd: str  # 업종코드 (3): 001:종합(KOSPI), 002:대형주, 003:중형주, 004:소형주 101:종합(KOSD…
    tic_scope: str  # 틱범위 (2): 1:1틱, 3:3틱, 5:5틱, 10:10틱, 30:30틱
    base_dt: str = ""  # 기준일자 (8): YYYYMMDD (added 2026, §4.5)


class Ka20005Response(Response, kw_only=True):
    """ka20005 업종분봉조회요청 — response body (without the envelope)."""

    inds_cd: str = ""  # 업종코드
    inds_min_pole_qry: list[Ka10080StkMinPoleChartQryRow] = msgspec.field(default_factory=list)


class Ka20006Request(Request, kw_only=True, frozen=True):
    """ka20006 업종일봉조회요청 — request body."""

    inds_cd: str  # 업종코드 (3): 001:종합(KOSPI), 002:대형주, 003:중형주, 004:소형주 101:종합(KOSD…
    base_dt: str  # 기준일자 (8): YYYYMMDD


class Ka20006IndsDtPoleQryRow(Response, kw_only=True):
    """ka20006 `inds_dt_pole_qry` row — 업종일봉조회."""

    cur_prc: str = ""  # 현재가 (지수 값은 소수점 제거 후 100배 값으로 반환)
    trde_qty: str = ""  # 거래량
    dt: str = ""  # 일자
    open_pric: str = ""  # 시가 (지수 값은 소수점 제거 후 100배 값으로 반환)
    high_pric: str = ""  # 고가 (지수 값은 소수점 제거 후 100배 값으로 반환)
    low_pric: str = ""  # 저가 (지수 값은 소수점 제거 후 100배 값으로 반환)
    trde_prica: str = ""  # 거래대금


class Ka20006Response(Response, kw_only=True):
    """ka20006 업종일봉조회요청 — response body (without the envelope)."""

    inds_cd: str = ""  # 업종코드
    inds_dt_pole_qry: list[Ka20006IndsDtPoleQryRow] = msgspec.field(default_factory=list)  # 업종일…


class Ka20007Request(Request, kw_only=True, frozen=True):
    """ka20007 업종주봉조회요청 — request body."""

    inds_cd: str  # 업종코드 (8): 001:종합(KOSPI), 002:대형주, 003:중형주, 004:소형주 101:종합(KOSD…
    base_dt: str  # 기준일자 (3): YYYYMMDD


class Ka20007Response(Response, kw_only=True):
    """ka20007 업종주봉조회요청 — response body (without the envelope)."""

    inds_cd: str = ""  # 업종코드
    inds_stk_pole_qry: list[Ka20006IndsDtPoleQryRow] = msgspec.field(default_factory=list)


class Ka20008Request(Request, kw_only=True, frozen=True):
    """ka20008 업종월봉조회요청 — request body."""

    inds_cd: str  # 업종코드 (3): 001:종합(KOSPI), 002:대형주, 003:중형주, 004:소형주 101:종합(KOSD…
    base_dt: str  # 기준일자 (8): YYYYMMDD


class Ka20008Response(Response, kw_only=True):
    """ka20008 업종월봉조회요청 — response body (without the envelope)."""

    inds_cd: str = ""  # 업종코드
    inds_mth_pole_qry: list[Ka20006IndsDtPoleQryRow] = msgspec.field(default_factory=list)


class Ka20019Request(Request, kw_only=True, frozen=True):
    """ka20019 업종년봉조회요청 — request body."""

    inds_cd: str  # 업종코드 (3): 001:종합(KOSPI), 002:대형주, 003:중형주, 004:소형주 101:종합(KOSD…
    base_dt: str  # 기준일자 (8): YYYYMMDD


class Ka20019Response(Response, kw_only=True):
    """ka20019 업종년봉조회요청 — response body (without the envelope)."""

    inds_cd: str = ""  # 업종코드
    inds_yr_pole_qry: list[Ka20006IndsDtPoleQryRow] = msgspec.field(default_factory=list)  # 업종년…


REQUESTS: dict[str, type[Request]] = {
    "ka10079": Ka10079Request,
    "ka10080": Ka10080Request,
    "ka10081": Ka10081Request,
    "ka10082": Ka10082Request,
    "ka10083": Ka10083Request,
    "ka10094": Ka10094Request,
    "ka20004": Ka20004Request,
    "ka20005": Ka20005Request,
    "ka20006": Ka20006Request,
    "ka20007": Ka20007Request,
    "ka20008": Ka20008Request,
    "ka20019": Ka20019Request,
}
RESPONSES: dict[str, type[Response]] = {
    "ka10079": Ka10079Response,
    "ka10080": Ka10080Response,
    "ka10081": Ka10081Response,
    "ka10082": Ka10082Response,
    "ka10083": Ka10083Response,
    "ka10094": Ka10094Response,
    "ka20004": Ka20004Response,
    "ka20005": Ka20005Response,
    "ka20006": Ka20006Response,
    "ka20007": Ka20007Response,
    "ka20008": Ka20008Response,
    "ka20019": Ka20019Response,
}
