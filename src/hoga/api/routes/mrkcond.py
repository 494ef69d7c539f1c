"""시세 (`/api/dostk/mrkcond`): ka10004, ka10005, ka10006, ka10007, ka10086, ka10087.

Values come from :mod:`hoga.engine.quotes` (live board, book, tape) and
:mod:`hoga.engine.charts` (daily bars); signs and units as in :mod:`hoga.api.routes.stkinfo`.
거래대금 fields of these APIs are in 백만원 except ka10003/ka10004 totals (won).

Fields with no meaning in the simulator get a fixed, documented value (field: value — why):

- ka10005/ka10086 for_*, orgn*, ind*, frgn, prm, crd_*: "0" — no investor breakdown.
- ka10007 lp*_req, exec_pric: "0" — no liquidity providers, no options.
- ka10007 trde_strt_dt: "" — the listing date is not loaded.
- ka10004 ovt_*_pre, ka10087 *_jub_pre: "0" — not tracked for the off-hours books.

ka10005 answers the latest :data:`DDWKMM_ROWS` daily rows in one page; ka10086 pages 20 rows
(§1.5). ka10087 answers an empty shell for ``_AL`` codes (as observed on Kiwoom).
"""

from __future__ import annotations

from datetime import date

from hoga.api.dispatch import Call, Reply, handler
from hoga.api.routes.stkinfo import (
    charts,
    cursor,
    page_reply,
    price,
    quotes,
    sign_of,
    stock,
    ymd_of,
)
from hoga.engine.charts import SeriesBar, page
from hoga.engine.quotes import BookLevel
from hoga.wire.errors import ApiError
from hoga.wire.format import (
    FormatError,
    change_rate,
    direction,
    hms,
    parse_date,
    rate,
    sign_code,
    signed,
    ymd,
)
from hoga.wire.schemas import mrkcond as m

__all__ = ["DALY_PAGE", "DDWKMM_ROWS", "parse_day"]

DDWKMM_ROWS = 30
DALY_PAGE = 20
_MN = 1_000_000


def parse_day(value: str, param: str) -> date:
    """A ``YYYYMMDD`` request value, else 1517 naming ``param`` (raised)."""
    try:
        return parse_date(value)
    except FormatError:
        raise ApiError.of(1517, param=param, reason="YYYYMMDD 형식이어야 합니다") from None


def _level(levels: tuple[BookLevel, ...], n: int) -> BookLevel | None:
    return levels[n - 1] if len(levels) >= n else None


# --- ka10004 -----------------------------------------------------------------------------------


@handler("ka10004")
def ka10004(call: Call) -> Reply:
    req: m.Ka10004Request = call.body
    svc = quotes(call.ctx)
    code = stock(svc, req.stk_cd)
    base = svc.state(code).board.base_price
    book = svc.book(code, 10)
    f: dict[str, str] = {"bid_req_base_tm": hms(book.at)}
    for n in range(10, 0, -1):
        lv = _level(book.asks, n)
        px, qty, chg = (price(lv.price, base), str(lv.qty), signed(lv.change)) if lv else ("0",) * 3
        if n == 1:
            f |= {"sel_1th_pre_req_pre": chg, "sel_fpr_req": qty, "sel_fpr_bid": px}
        else:
            f |= {
                f"sel_{n}th_pre_req_pre": chg,
                f"sel_{n}th_pre_req": qty,
                f"sel_{n}th_pre_bid": px,
            }
    for n in range(1, 11):
        lv = _level(book.bids, n)
        px, qty, chg = (price(lv.price, base), str(lv.qty), signed(lv.change)) if lv else ("0",) * 3
        if n == 1:
            f |= {"buy_fpr_bid": px, "buy_fpr_req": qty, "buy_1th_pre_req_pre": chg}
        else:
            f |= {
                f"buy_{n}th_pre_bid": px,
                f"buy_{n}th_pre_req": qty,
                f"buy_{n}th_pre_req_pre": chg,
            }
    f |= {
        "tot_sel_req_jub_pre": signed(book.total_ask_change),
        "tot_sel_req": str(book.total_ask),
        "tot_buy_req": str(book.total_bid),
        "tot_buy_req_jub_pre": signed(book.total_bid_change),
        "ovt_sel_req_pre": "0",
        "ovt_sel_req": str(book.offhours_ask),
        "ovt_buy_req": str(book.offhours_bid),
        "ovt_buy_req_pre": "0",
    }
    return Reply(m.Ka10004Response(**f))


# --- ka10005 / ka10006 -------------------------------------------------------------------------


def _day_fields(bar: SeriesBar) -> dict[str, str]:
    prev = bar.prev_close
    return {
        "date": ymd_of(bar.day),
        "open_pric": price(bar.open, prev),
        "high_pric": price(bar.high, prev),
        "low_pric": price(bar.low, prev),
        "close_pric": direction(bar.close, prev),
        "flu_rt": rate(change_rate(bar.close, prev)),
        "trde_qty": str(bar.volume),
    }


@handler("ka10005")
def ka10005(call: Call) -> Reply:
    req: m.Ka10005Request = call.body
    svc = charts(call.ctx)
    code = stock(svc.quotes, req.stk_cd)
    q = svc.quotes.quote(code)
    rows = []
    for bar in svc.daily(code, q.day)[:DDWKMM_ROWS]:
        today = bar.day == q.day
        rows.append(
            m.Ka10005StkDdwkmmRow(
                **_day_fields(bar),
                pre=signed(bar.close - bar.prev_close),
                trde_prica=str(bar.turnover // _MN),
                cntr_str=rate(q.strength, sign=False) if today else "0.00",
                for_poss="0",
                for_wght="0",
                for_netprps="0",
                orgn_netprps="0",
                ind_netprps="0",
                frgn="0",
                crd_remn_rt="0",
                prm="0",
            )
        )
    return Reply(m.Ka10005Response(stk_ddwkmm=rows))


@handler("ka10006")
def ka10006(call: Call) -> Reply:
    req: m.Ka10006Request = call.body
    svc = quotes(call.ctx)
    q = svc.quote(stock(svc, req.stk_cd))
    base = q.base
    return Reply(
        m.Ka10006Response(
            date=ymd(q.at),
            open_pric=price(q.open, base),
            high_pric=price(q.high, base),
            low_pric=price(q.low, base),
            close_pric=direction(q.price, base),
            pre=signed(q.change),
            flu_rt=rate(change_rate(q.price, base)),
            trde_qty=str(q.volume),
            trde_prica=str(q.turnover // _MN),
            cntr_str=rate(q.strength, sign=False),
        )
    )


# --- ka10007 -----------------------------------------------------------------------------------


@handler("ka10007")
def ka10007(call: Call) -> Reply:
    req: m.Ka10007Request = call.body
    svc = quotes(call.ctx)
    code = stock(svc, req.stk_cd)
    q = svc.quote(code)
    book = svc.book(code, 10)
    base, inst = q.base, q.instrument
    exp = q.exp_price if q.in_auction else None
    f: dict[str, str] = {
        "stk_nm": inst.name,
        "stk_cd": req.stk_cd.strip(),
        "date": ymd(q.at),
        "tm": hms(q.at),
        "pred_close_pric": str(base),
        "pred_trde_qty": str(q.prev_volume),
        "upl_pric": price(q.limits.upper, base),
        "lst_pric": price(q.limits.lower, base),
        "pred_trde_prica": str(q.prev_turnover // _MN),
        "flo_stkcnt": str(inst.listed_shares // 1_000),
        "cur_prc": direction(q.price, base),
        "smbol": sign_of(q),
        "flu_rt": rate(change_rate(q.price, base)),
        "pred_rt": signed(q.change),
        "open_pric": price(q.open, base),
        "high_pric": price(q.high, base),
        "low_pric": price(q.low, base),
        "cntr_qty": str(q.last_qty),
        "trde_qty": str(q.volume),
        "trde_prica": str(q.turnover // _MN),
        "exp_cntr_pric": price(exp, base),
        "exp_cntr_qty": str(q.exp_qty if exp is not None else 0),
        "exp_sel_pri_bid": price(q.best_ask if exp is not None else None, base),
        "exp_buy_pri_bid": price(q.best_bid if exp is not None else None, base),
        "trde_strt_dt": "",
        "exec_pric": "0",
        "hgst_pric": price(q.d250.high, base),
        "lwst_pric": price(q.d250.low, base),
        "hgst_pric_dt": ymd_of(q.d250.high_day),
        "lwst_pric_dt": ymd_of(q.d250.low_day),
        "tot_buy_req": str(book.total_bid),
        "tot_sel_req": str(book.total_ask),
        "tot_buy_cnt": str(sum(x.count for x in book.bids)),
        "tot_sel_cnt": str(sum(x.count for x in book.asks)),
    }
    for side, levels in (("sel", book.asks), ("buy", book.bids)):
        for n in range(1, 11):
            lv = _level(levels, n)
            f[f"{side}_{n}bid"] = price(lv.price, base) if lv else "0"
            f[f"{side}_{n}bid_req"] = str(lv.qty) if lv else "0"
            f[f"{side}_{n}bid_jub_pre"] = signed(lv.change) if lv else "0"
            f[f"lp{side}_{n}bid_req"] = "0"
            if n <= 5:
                f[f"{side}_{n}bid_cnt"] = str(lv.count) if lv else "0"
    return Reply(m.Ka10007Response(**f))


# --- ka10086 -----------------------------------------------------------------------------------


@handler("ka10086")
def ka10086(call: Call) -> Reply:
    req: m.Ka10086Request = call.body
    svc = charts(call.ctx)
    code = stock(svc.quotes, req.stk_cd)
    until = parse_day(req.qry_dt, "qry_dt")
    if req.indc_tp.strip() not in ("0", "1"):
        raise ApiError.of(1517, param="indc_tp", reason="0 또는 1이어야 합니다")
    pg = page(svc.daily(code, until), cursor(call), DALY_PAGE)
    rows = [
        m.Ka10086DalyStkpcRow(
            **_day_fields(bar),
            pred_rt=signed(bar.close - bar.prev_close),
            amt_mn=str(bar.turnover // _MN),
            crd_rt="0",
            ind="0",
            orgn="0",
            for_qty="0",
            frgn="0",
            prm="0",
            for_rt="0",
            for_poss="0",
            for_wght="0",
            for_netprps="0",
            orgn_netprps="0",
            ind_netprps="0",
            crd_remn_rt="0",
        )
        for bar in pg.rows
    ]
    return page_reply(call, m.Ka10086Response(daly_stkpc=rows), pg)


# --- ka10087 -----------------------------------------------------------------------------------


@handler("ka10087")
def ka10087(call: Call) -> Reply:
    req: m.Ka10087Request = call.body
    svc = quotes(call.ctx)
    code = stock(svc, req.stk_cd)
    if req.stk_cd.strip().upper().endswith("_AL"):
        return Reply(m.Ka10087Response())
    state = svc.state(code)
    last, _, bids, asks = svc.after_single(code, 5)
    book = svc.book(code, 10)
    close = state.after_single.close if state.after_single is not None else state.board.base_price
    f: dict[str, str] = {"bid_req_base_tm": hms(book.at)}
    for side, levels in (("sel", asks), ("buy", bids)):
        for n in range(1, 6):
            px, qty = levels[n - 1] if len(levels) >= n else (0, 0)
            f[f"ovt_sigpric_{side}_bid_{n}"] = price(px, close)
            f[f"ovt_sigpric_{side}_bid_qty_{n}"] = str(qty)
            f[f"ovt_sigpric_{side}_bid_jub_pre_{n}"] = "0"
        f[f"ovt_sigpric_{side}_bid_tot_req"] = str(sum(q for _, q in levels))
    today = svc.recorder.today(code)
    off_volume = max((today.volume if today else 0) - state.board.stats.volume, 0)
    cur = last if last is not None else close
    f |= {
        "sel_bid_tot_req_jub_pre": signed(book.total_ask_change),
        "sel_bid_tot_req": str(book.total_ask),
        "buy_bid_tot_req": str(book.total_bid),
        "buy_bid_tot_req_jub_pre": signed(book.total_bid_change),
        "ovt_sel_bid_tot_req_jub_pre": "0",
        "ovt_sel_bid_tot_req": str(book.offhours_ask),
        "ovt_buy_bid_tot_req": str(book.offhours_bid),
        "ovt_buy_bid_tot_req_jub_pre": "0",
        "ovt_sigpric_cur_prc": direction(cur, close),
        "ovt_sigpric_pred_pre_sig": sign_code(cur, close),
        "ovt_sigpric_pred_pre": signed(cur - close),
        "ovt_sigpric_flu_rt": rate(change_rate(cur, close)),
        "ovt_sigpric_acc_trde_qty": str(off_volume),
    }
    return Reply(m.Ka10087Response(**f))
