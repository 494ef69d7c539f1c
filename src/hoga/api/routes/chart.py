"""차트 (`/api/dostk/chart`): stock charts ka10079–ka10083, ka10094 and sector (index) charts
ka20004–ka20008, ka20019.

Series come from :mod:`hoga.engine.charts` (stocks) and :mod:`hoga.engine.indices` (001 KOSPI,
101 KOSDAQ, 201 KOSPI200); read their docstrings for where the bars come from and how the gap
between the snapshot history and the simulated days is handled. Rows are newest first and page
like Kiwoom (§1.5): the first page is the newest rows up to ``base_dt``; ``cont-yn: Y`` with an
opaque ``next-key`` while older rows remain; a continuation resends the same body.

Rows per page: the catalogue's observed sizes (ka10079 900, ka10081 600, ka10082 300, ka10083
240, ka10094 30, ka20006 600, ka20007 300, ka20008 240, ka20019 40) and :data:`INTRADAY_PAGE`
(900) where none was observed (ka10080, ka20004, ka20005).

Formats: intraday stock rows carry direction signs on prices (as in the ka10080 example); daily
and longer rows are unsigned with a signed 전일대비 (as in the ka10081 example); index values are
×100 integers. 거래대금 is in 백만원; 거래회전율 = volume ÷ listed shares × 100. ``upd_stkpc_tp``
must be 0 or 1 (hoga has no corporate actions: adjusted and raw prices are the same).
Sector minute/tick charts cover the current trading day; a ``base_dt`` of another day answers an
empty list.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from hoga.api.dispatch import Call, Reply, handler
from hoga.api.routes.mrkcond import parse_day
from hoga.api.routes.stkinfo import charts, cursor, indices, page_reply, price, stock, ymd_of
from hoga.domain.bars import MINUTE_SCOPES, Period
from hoga.domain.kst import US_PER_DAY, at_kst
from hoga.engine.charts import ChartService, SeriesBar, page
from hoga.wire import catalog
from hoga.wire.errors import ApiError
from hoga.wire.format import rate, sign_code, signed, ymdhms
from hoga.wire.schemas import chart as c

__all__ = ["INTRADAY_PAGE", "TICK_SCOPES"]

INTRADAY_PAGE = 900
TICK_SCOPES = (1, 3, 5, 10, 30)


def _size(api_id: str) -> int:
    spec = catalog.spec_for(api_id)
    return spec.page_size if spec is not None and spec.page_size else INTRADAY_PAGE


def _scope(value: str, allowed: tuple[int, ...]) -> int:
    text = value.strip()
    if not text.isdigit() or int(text) not in allowed:
        choices = ", ".join(str(x) for x in allowed)
        raise ApiError.of(1517, param="tic_scope", reason=f"{choices} 중 하나여야 합니다")
    return int(text)


def _adjusted(value: str) -> None:
    if value.strip() not in ("0", "1"):
        raise ApiError.of(1517, param="upd_stkpc_tp", reason="0 또는 1이어야 합니다")


def _sign(bar: SeriesBar) -> str:
    return sign_code(bar.close, bar.prev_close, bar.upper, bar.lower)


# --- stock intraday ----------------------------------------------------------------------------


def _intraday_fields(bar: SeriesBar) -> dict[str, str]:
    prev = bar.prev_close
    return {
        "cur_prc": price(bar.close, prev),
        "trde_qty": str(bar.volume),
        "cntr_tm": ymdhms(bar.at),
        "open_pric": price(bar.open, prev),
        "high_pric": price(bar.high, prev),
        "low_pric": price(bar.low, prev),
        "pred_pre": signed(bar.close - prev),
        "pred_pre_sig": _sign(bar),
    }


@handler("ka10079")
def ka10079(call: Call) -> Reply:
    req: c.Ka10079Request = call.body
    svc = charts(call.ctx)
    code = _stock(svc, req.stk_cd)
    scope = _scope(req.tic_scope, TICK_SCOPES)
    _adjusted(req.upd_stkpc_tp)
    series = svc.tick_bars(code, scope)
    pg = page(series, cursor(call), _size(call.api_id))
    rows = [c.Ka10079StkTicChartQryRow(**_intraday_fields(b)) for b in pg.rows]
    last = str(series[0].trades) if series else "0"
    payload = c.Ka10079Response(
        stk_cd=req.stk_cd.strip(), last_tic_cnt=last, stk_tic_chart_qry=rows
    )
    return page_reply(call, payload, pg)


@handler("ka10080")
def ka10080(call: Call) -> Reply:
    req: c.Ka10080Request = call.body
    svc = charts(call.ctx)
    code = _stock(svc, req.stk_cd)
    scope = _scope(req.tic_scope, MINUTE_SCOPES)
    _adjusted(req.upd_stkpc_tp)
    until = svc.quotes.exchange.now + 1
    if req.base_dt.strip():
        until = min(until, at_kst(parse_day(req.base_dt, "base_dt")) + US_PER_DAY)
    after, size = cursor(call), _size(call.api_id)
    pg = page(svc.minutes(code, scope, until, after, size), after, size)
    rows = [
        c.Ka10080StkMinPoleChartQryRow(**_intraday_fields(b), acc_trde_qty=str(b.acc_volume))
        for b in pg.rows
    ]
    return page_reply(
        call, c.Ka10080Response(stk_cd=req.stk_cd.strip(), stk_min_pole_chart_qry=rows), pg
    )


def _stock(svc: ChartService, text: str) -> str:
    return stock(svc.quotes, text)


# --- stock days --------------------------------------------------------------------------------


def _day_row(bar: SeriesBar, listed: int) -> c.Ka10081StkDtPoleChartQryRow:
    turnover_rate = rate(change_rate_of(bar.volume, listed))
    return c.Ka10081StkDtPoleChartQryRow(
        cur_prc=str(bar.close),
        trde_qty=str(bar.volume),
        trde_prica=str(bar.turnover // 1_000_000),
        dt=ymd_of(bar.day),
        open_pric=str(bar.open),
        high_pric=str(bar.high),
        low_pric=str(bar.low),
        pred_pre=signed(bar.close - bar.prev_close),
        pred_pre_sig=_sign(bar),
        trde_tern_rt=turnover_rate,
    )


def change_rate_of(volume: int, listed: int) -> Decimal:
    """거래회전율: ``volume / listed * 100`` (0 without listed shares)."""
    return Decimal(volume) * 100 / Decimal(listed) if listed else Decimal(0)


_STOCK_PERIODS = {"ka10081": None, "ka10082": Period.WEEK, "ka10083": Period.MONTH}


def _stock_days(call: Call) -> Reply:
    req: c.Ka10081Request = call.body
    svc = charts(call.ctx)
    code = _stock(svc, req.stk_cd)
    until = parse_day(req.base_dt, "base_dt")
    _adjusted(req.upd_stkpc_tp)
    listed = svc.quotes.state(code).instrument.listed_shares
    pg = page(svc.daily(code, until, _STOCK_PERIODS[call.api_id]), cursor(call), _size(call.api_id))
    rows = [_day_row(b, listed) for b in pg.rows]
    stk = req.stk_cd.strip()
    if call.api_id == "ka10081":
        payload: msgspec.Struct = c.Ka10081Response(stk_cd=stk, stk_dt_pole_chart_qry=rows)
    elif call.api_id == "ka10082":
        payload = c.Ka10082Response(stk_cd=stk, stk_stk_pole_chart_qry=rows)
    else:
        payload = c.Ka10083Response(stk_cd=stk, stk_mth_pole_chart_qry=rows)
    return page_reply(call, payload, pg)


handler("ka10081")(_stock_days)
handler("ka10082")(_stock_days)
handler("ka10083")(_stock_days)


@handler("ka10094")
def ka10094(call: Call) -> Reply:
    req: c.Ka10094Request = call.body
    svc = charts(call.ctx)
    code = _stock(svc, req.stk_cd)
    until = parse_day(req.base_dt, "base_dt")
    _adjusted(req.upd_stkpc_tp)
    pg = page(svc.daily(code, until, Period.YEAR), cursor(call), _size(call.api_id))
    rows = [
        c.Ka10094StkYrPoleChartQryRow(
            cur_prc=str(b.close),
            trde_qty=str(b.volume),
            trde_prica=str(b.turnover // 1_000_000),
            dt=ymd_of(b.day),
            open_pric=str(b.open),
            high_pric=str(b.high),
            low_pric=str(b.low),
        )
        for b in pg.rows
    ]
    return page_reply(
        call, c.Ka10094Response(stk_cd=req.stk_cd.strip(), stk_yr_pole_chart_qry=rows), pg
    )


# --- sectors -----------------------------------------------------------------------------------


def _index(call: Call, text: str) -> str:
    svc = indices(call.ctx)
    d = svc.get(text)
    if d is None:
        raise ApiError.of(1517, param="inds_cd", reason=f"지원하지 않는 업종코드 {text.strip()}")
    return d.code


def _index_intraday(bar: SeriesBar) -> dict[str, str]:
    prev = bar.prev_close
    return {
        "cur_prc": str(bar.close),
        "trde_qty": str(bar.volume),
        "cntr_tm": ymdhms(bar.at),
        "open_pric": str(bar.open),
        "high_pric": str(bar.high),
        "low_pric": str(bar.low),
        "pred_pre": signed(bar.close - prev),
        "pred_pre_sig": _sign(bar),
    }


@handler("ka20004")
def ka20004(call: Call) -> Reply:
    req: c.Ka20004Request = call.body
    code = _index(call, req.inds_cd)
    scope = _scope(req.tic_scope, TICK_SCOPES)
    series = indices(call.ctx).tick_bars(code, scope)
    pg = page(series, cursor(call), _size(call.api_id))
    rows = [c.Ka10079StkTicChartQryRow(**_index_intraday(b)) for b in pg.rows]
    return page_reply(
        call, c.Ka20004Response(inds_cd=req.inds_cd.strip(), inds_tic_chart_qry=rows), pg
    )


@handler("ka20005")
def ka20005(call: Call) -> Reply:
    req: c.Ka20005Request = call.body
    code = _index(call, req.inds_cd)
    scope = _scope(req.tic_scope, MINUTE_SCOPES)
    svc = indices(call.ctx)
    series: list[SeriesBar] = []
    day = svc.quotes.exchange.day
    if not req.base_dt.strip() or parse_day(req.base_dt, "base_dt") == day:
        series = svc.minutes(code, scope, svc.quotes.exchange.now + 1)
    pg = page(series, cursor(call), _size(call.api_id))
    rows = [
        c.Ka10080StkMinPoleChartQryRow(**_index_intraday(b), acc_trde_qty=str(b.acc_volume))
        for b in pg.rows
    ]
    return page_reply(
        call, c.Ka20005Response(inds_cd=req.inds_cd.strip(), inds_min_pole_qry=rows), pg
    )


_INDEX_PERIODS = {
    "ka20006": None,
    "ka20007": Period.WEEK,
    "ka20008": Period.MONTH,
    "ka20019": Period.YEAR,
}


def _index_days(call: Call) -> Reply:
    req: c.Ka20006Request = call.body
    code = _index(call, req.inds_cd)
    until = parse_day(req.base_dt, "base_dt")
    series = indices(call.ctx).daily(code, until, _INDEX_PERIODS[call.api_id])
    pg = page(series, cursor(call), _size(call.api_id))
    rows = [
        c.Ka20006IndsDtPoleQryRow(
            cur_prc=str(b.close),
            trde_qty=str(b.volume),
            dt=ymd_of(b.day),
            open_pric=str(b.open),
            high_pric=str(b.high),
            low_pric=str(b.low),
            trde_prica=str(b.turnover // 1_000_000),
        )
        for b in pg.rows
    ]
    ind = req.inds_cd.strip()
    payload: msgspec.Struct
    if call.api_id == "ka20006":
        payload = c.Ka20006Response(inds_cd=ind, inds_dt_pole_qry=rows)
    elif call.api_id == "ka20007":
        payload = c.Ka20007Response(inds_cd=ind, inds_stk_pole_qry=rows)
    elif call.api_id == "ka20008":
        payload = c.Ka20008Response(inds_cd=ind, inds_mth_pole_qry=rows)
    else:
        payload = c.Ka20019Response(inds_cd=ind, inds_yr_pole_qry=rows)
    return page_reply(call, payload, pg)


for _api_id in _INDEX_PERIODS:
    handler(_api_id)(_index_days)
