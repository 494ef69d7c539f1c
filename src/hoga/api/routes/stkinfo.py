"""종목정보 (`/api/dostk/stkinfo`): ka10001, ka10002, ka10003, ka10095, ka10099, ka10100, ka10101.

Handlers translate wire values and format what :mod:`hoga.engine.quotes` computes from the live
exchange; this module also holds the small helpers the market-data route modules share (service
lookup, stock-code resolution, paging headers).

Units and signs: prices carry the direction sign versus the base price (§1.7); 전일대비 is
arithmetically signed; 시가총액/자본금 are in 억원; 상장주식/유통주식 in 천주 (Kiwoom's HTS units).
``stk_cd`` echoes the request (suffix included); ``_NX``/``_AL`` codes answer the KRX book
(hoga simulates one exchange).

Fields with no meaning in the simulator get a fixed, documented value (field: value — why):

- per, eps, roe, pbr, ev, bps, sale_amt, bus_pro, cup_nga: "0" — no fundamentals data.
- crd_rt, for_exh_rt, repl_pric: "0" — no credit, foreign-ownership or collateral data.
- setl_mm: "12" — fiscal year end unknown.
- dstr_stk / dstr_rt: the listed shares / "100.00" — no free-float data.
- ka10002 members: one member, code "999" "hoga모의", with the day's volume on both sides —
  the simulator has no brokers.
- ka10095 ELW/option fields (prty, gear, pl_qutr, … law): "" — no derivatives.
- ka10099/ka10100 regDay, companyClassName: "" — not in the snapshot.
- ka10099/ka10100 auditInfo, orderWarning, nxtEnable: "정상", "0", "N" — KRX only,
  no designations.
- ka10099/ka10100 state: "증거금40%|담보대출|신용가능" (KOSPI, KOSDAQ) or "증거금100%"
  (others), with "|거래정지" appended when halted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast

import msgspec

from hoga.api.context import AppContext
from hoga.api.dispatch import Call, Reply, handler
from hoga.domain.model import Market, Side
from hoga.engine.charts import ChartService, Page, decode_key, encode_key
from hoga.engine.indices import INDICES, IndexService
from hoga.engine.quotes import Listing, Quote, QuoteService
from hoga.wire.errors import ApiError
from hoga.wire.format import change_rate, direction, hms, padded, rate, sign_code, signed, ymd
from hoga.wire.schemas import stkinfo as s

__all__ = [
    "LIST_PAGE",
    "charts",
    "cursor",
    "indices",
    "page_reply",
    "price",
    "quotes",
    "sign_of",
    "stock",
    "ymd_of",
]

#: Rows per page of ka10099 (a whole market rarely fits a single answer).
LIST_PAGE = 500
_EOK = 100_000_000

_MARKET_CODES = {
    Market.KOSPI: ("0", "거래소"),
    Market.KOSDAQ: ("10", "코스닥"),
    Market.ETF: ("8", "ETF"),
    Market.ETN: ("60", "ETN"),
    Market.KONEX: ("50", "코넥스"),
}
_LIST_MARKETS = {"0": Market.KOSPI, "10": Market.KOSDAQ, "8": Market.ETF, "60": Market.ETN}
_LIST_MARKETS["50"] = Market.KONEX
#: Documented ka10099 markets hoga does not list (answered with an empty list).
_EMPTY_MARKETS = frozenset({"2", "3", "4", "5", "7", "9", "30", "70", "80", "90"})


# --- shared helpers ----------------------------------------------------------------------------


def quotes(ctx: AppContext) -> QuoteService:
    """The quote service of ``ctx`` (built on first use), synced to the clock."""
    svc = ctx.services.get("quotes")
    if not isinstance(svc, QuoteService):
        svc = ctx.services["quotes"] = QuoteService(
            ctx.exchange, ctx.recorder, ctx.storage, ctx.universe
        )
    svc.sync()
    return svc


def charts(ctx: AppContext) -> ChartService:
    svc = ctx.services.get("charts")
    if not isinstance(svc, ChartService):
        svc = ctx.services["charts"] = ChartService(quotes(ctx))
    svc.quotes.sync()
    return svc


def indices(ctx: AppContext) -> IndexService:
    svc = ctx.services.get("indices")
    if not isinstance(svc, IndexService):
        svc = ctx.services["indices"] = IndexService(quotes(ctx))
    svc.quotes.sync()
    return svc


def stock(svc: QuoteService, text: str) -> str:
    """The instrument code ``text`` names, else ApiError 1902 (raised)."""
    code = svc.resolve(text)
    if code is None:
        raise ApiError.of(1902, stk_cd=text.strip())
    return code


def cursor(call: Call) -> int | None:
    """The paging cursor of a continuation call; 1517 for a next-key we did not make."""
    if not call.cont_yn or not call.next_key:
        return None
    try:
        return decode_key(call.api_id, call.next_key)
    except ValueError:
        raise ApiError.of(
            1517, param="next-key", reason="이 조회의 연속조회키가 아닙니다"
        ) from None


def page_reply(call: Call, payload: msgspec.Struct, pg: Page) -> Reply:
    """``payload`` with the continuation headers of page ``pg``."""
    if pg.next_key is None:
        return Reply(payload)
    return Reply(payload, cont_yn=True, next_key=encode_key(call.api_id, pg.next_key))


def price(p: int | None, base: int) -> str:
    """A price with its direction sign; ``"0"`` when there is none."""
    return "0" if p is None or p == 0 else direction(p, base)


def _eok(won: int) -> str:
    return str(won // _EOK)


def _thousands(shares: int) -> str:
    return str(shares // 1_000)


# --- ka10001 -----------------------------------------------------------------------------------


_KA10001_CACHE = 20_000  # formatted answers kept (keyed by the request's stk_cd text)


@handler("ka10001")
def ka10001(call: Call) -> Reply:
    """주식기본정보. The encoded answer is cached per ``stk_cd`` text under the quote's
    :meth:`~hoga.engine.quotes.QuoteService.version`: repeated requests between two trades of the
    instrument cost a dictionary lookup. The market's cap total moves with every trade in the
    market, so a cached answer is reused while 시가총액비중 (``mac_wght``, two decimals) computed
    from the new total is the same text. Nothing is cached during call auctions."""
    req: s.Ka10001Request = call.body
    svc = quotes(call.ctx)
    code = stock(svc, req.stk_cd)
    version = svc.version(code)
    total = svc.market_cap_total(svc.state(code).instrument.market)
    answers = svc.answers
    slot = ("ka10001", req.stk_cd)
    if version is not None:
        held = answers.get(slot)
        if held is not None and held[0] == version:
            entry = cast(_Ka10001Entry, held[1])
            if entry.total == total:
                return Reply(entry.raw)
            if _weight(entry.cap, total) == entry.weight:
                answers[slot] = (version, _Ka10001Entry(total, entry.cap, entry.weight, entry.raw))
                return Reply(entry.raw)
    q = svc.quote(code)
    payload = _ka10001(req, q, total)
    if version is None:
        return Reply(payload)
    if len(answers) >= _KA10001_CACHE:
        answers.clear()
    raw = msgspec.Raw(_ENCODER.encode(payload))
    answers[slot] = (version, _Ka10001Entry(total, q.market_cap, payload.mac_wght, raw))
    return Reply(raw)


@dataclass(frozen=True, slots=True)
class _Ka10001Entry:
    total: int  # the market's cap total the answer was made with
    cap: int  # the instrument's market cap then
    weight: str  # mac_wght
    raw: msgspec.Raw  # the encoded Ka10001Response


_ENCODER = msgspec.json.Encoder()


def _weight(cap: int, total: int) -> str:
    """시가총액비중: ``cap`` in percent of ``total``, two decimals (half up), unsigned; exact
    integer arithmetic (it runs whenever the market's cap total moved)."""
    if not total or cap <= 0:
        return "0.00"
    hundredths = (cap * 20_000 + total) // (2 * total)  # round(cap * 100 / total, 2) half up
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _ka10001(req: s.Ka10001Request, q: Quote, total: int) -> s.Ka10001Response:
    inst, base = q.instrument, q.base
    trde_pre = Decimal(q.volume) * 100 / Decimal(q.prev_volume) if q.prev_volume else Decimal(0)
    exp = q.exp_price if q.in_auction else None
    return s.Ka10001Response(
        stk_cd=req.stk_cd.strip(),
        stk_nm=inst.name,
        setl_mm="12",
        fav=str(inst.par_value),
        cap=_eok(inst.par_value * inst.listed_shares),
        flo_stk=_thousands(inst.listed_shares),
        crd_rt="0",
        oyr_hgst=price(q.year.high, base),
        oyr_lwst=price(q.year.low, base),
        mac=_eok(q.market_cap),
        mac_wght=_weight(q.market_cap, total),
        for_exh_rt="0",
        repl_pric="0",
        per="0",
        eps="0",
        roe="0",
        pbr="0",
        ev="0",
        bps="0",
        sale_amt="0",
        bus_pro="0",
        cup_nga="0",
        hgst_250=price(q.d250.high, base),
        lwst_250=price(q.d250.low, base),
        open_pric=price(q.open, base),
        high_pric=price(q.high, base),
        low_pric=price(q.low, base),
        upl_pric=price(q.limits.upper, base),
        lst_pric=price(q.limits.lower, base),
        base_pric=str(base),
        exp_cntr_pric=price(exp, base),
        exp_cntr_qty=str(q.exp_qty if exp is not None else 0),
        hgst_pric_dt_250=ymd_of(q.d250.high_day),
        hgst_pric_pre_rt_250=rate(change_rate(q.price, q.d250.high)),
        lwst_pric_dt_250=ymd_of(q.d250.low_day),
        lwst_pric_pre_rt_250=rate(change_rate(q.price, q.d250.low)),
        cur_prc=direction(q.price, base),
        pre_sig=sign_of(q),
        pred_pre=signed(q.change),
        flu_rt=rate(change_rate(q.price, base)),
        trde_qty=str(q.volume),
        trde_pre=rate(trde_pre, sign=False),
        fav_unit="원",
        dstr_stk=_thousands(inst.listed_shares),
        dstr_rt="100.00",
    )


def ymd_of(day: date | None) -> str:
    """``YYYYMMDD`` of a date, ``""`` for None."""
    return "" if day is None else day.strftime("%Y%m%d")


# --- ka10002 -----------------------------------------------------------------------------------


@handler("ka10002")
def ka10002(call: Call) -> Reply:
    req: s.Ka10002Request = call.body
    svc = quotes(call.ctx)
    q = svc.quote(stock(svc, req.stk_cd))
    vol = str(q.volume)
    return Reply(
        s.Ka10002Response(
            stk_cd=req.stk_cd.strip(),
            stk_nm=q.instrument.name,
            cur_prc=direction(q.price, q.base),
            flu_smbol=sign_of(q),
            base_pric=str(q.base),
            pred_pre=signed(q.change),
            flu_rt=rate(change_rate(q.price, q.base)),
            sel_trde_ori_nm_1="hoga모의",
            sel_trde_ori_1="999",
            sel_trde_qty_1=vol,
            buy_trde_ori_nm_1="hoga모의",
            buy_trde_ori_1="999",
            buy_trde_qty_1=vol,
        )
    )


# --- ka10003 -----------------------------------------------------------------------------------


@handler("ka10003")
def ka10003(call: Call) -> Reply:
    req: s.Ka10003Request = call.body
    svc = quotes(call.ctx)
    code = stock(svc, req.stk_cd)
    q = svc.quote(code)
    base = q.base
    rows = []
    for t in svc.tape(code):
        qty = f"-{t.qty}" if t.aggressor is Side.SELL else f"+{t.qty}"
        rows.append(
            s.Ka10003CntrInfrRow(
                tm=hms(t.at),
                cur_prc=direction(t.price, base),
                pred_pre=signed(t.price - base),
                pre_rt=rate(change_rate(t.price, base)),
                pri_sel_bid_unit=price(q.best_ask, base),
                pri_buy_bid_unit=price(q.best_bid, base),
                cntr_trde_qty=qty if t.aggressor is not None else str(t.qty),
                sign=sign_code(t.price, base, q.limits.upper, q.limits.lower),
                acc_trde_qty=str(t.cum_volume),
                acc_trde_prica=str(t.cum_turnover),
                cntr_str=rate(t.strength, sign=False),
                stex_tp="KRX",
            )
        )
    return Reply(s.Ka10003Response(cntr_infr=rows))


# --- ka10095 -----------------------------------------------------------------------------------

_MAX_WATCH = 100


def watch_row(svc: QuoteService, text: str) -> s.Ka10095AtnStkInfrRow:
    code = svc.resolve(text)
    if code is None:
        return s.Ka10095AtnStkInfrRow(stk_cd=text)
    q = svc.quote(code)
    base, inst = q.base, q.instrument
    depth = svc.state(code).board.depth(5)
    asks = [price(x.price, base) for x in depth.asks] + ["0"] * (5 - len(depth.asks))
    bids = [price(x.price, base) for x in depth.bids] + ["0"] * (5 - len(depth.bids))
    exp = q.exp_price if q.in_auction else None
    return s.Ka10095AtnStkInfrRow(
        stk_cd=text,
        stk_nm=inst.name,
        cur_prc=direction(q.price, base),
        base_pric=str(base),
        pred_pre=signed(q.change),
        pred_pre_sig=sign_of(q),
        flu_rt=rate(change_rate(q.price, base)),
        trde_qty=str(q.volume),
        trde_prica=str(q.turnover // 1_000_000),
        cntr_qty=str(q.last_qty),
        cntr_str=rate(q.strength, sign=False),
        pred_trde_qty_pre=signed(q.volume - q.prev_volume),
        sel_bid=price(q.best_ask, base),
        buy_bid=price(q.best_bid, base),
        sel_1th_bid=asks[0],
        sel_2th_bid=asks[1],
        sel_3th_bid=asks[2],
        sel_4th_bid=asks[3],
        sel_5th_bid=asks[4],
        buy_1th_bid=bids[0],
        buy_2th_bid=bids[1],
        buy_3th_bid=bids[2],
        buy_4th_bid=bids[3],
        buy_5th_bid=bids[4],
        upl_pric=price(q.limits.upper, base),
        lst_pric=price(q.limits.lower, base),
        open_pric=price(q.open, base),
        high_pric=price(q.high, base),
        low_pric=price(q.low, base),
        close_pric=direction(q.price, base),
        cntr_tm=hms(q.last_at) if q.last_at is not None else "",
        exp_cntr_pric=price(exp, base),
        exp_cntr_qty=str(q.exp_qty if exp is not None else 0),
        cap=_eok(inst.par_value * inst.listed_shares),
        fav=str(inst.par_value),
        mac=_eok(q.market_cap),
        stkcnt=_thousands(inst.listed_shares),
        bid_tm=hms(q.at),
        dt=ymd(q.at),
        pri_sel_req=str(depth.asks[0].qty if depth.asks else 0),
        pri_buy_req=str(depth.bids[0].qty if depth.bids else 0),
        pri_sel_cnt=str(depth.asks[0].count if depth.asks else 0),
        pri_buy_cnt=str(depth.bids[0].count if depth.bids else 0),
        tot_sel_req=str(sum(x.qty for x in depth.asks)),
        tot_buy_req=str(sum(x.qty for x in depth.bids)),
        tot_sel_cnt=str(sum(x.count for x in depth.asks)),
        tot_buy_cnt=str(sum(x.count for x in depth.bids)),
    )


@handler("ka10095")
def ka10095(call: Call) -> Reply:
    req: s.Ka10095Request = call.body
    codes = [c.strip() for c in req.stk_cd.split("|") if c.strip()]
    if len(codes) > _MAX_WATCH:
        raise ApiError.of(1634)
    svc = quotes(call.ctx)
    return Reply(s.Ka10095Response(atn_stk_infr=[watch_row(svc, c) for c in codes]))


# --- ka10099 / ka10100 -------------------------------------------------------------------------


def _listing_fields(listing: Listing, halted: bool) -> dict[str, str]:
    inst = listing.instrument
    market_code, market_name = _MARKET_CODES[inst.market]
    if inst.market in (Market.KOSPI, Market.KOSDAQ):
        state = "증거금40%|담보대출|신용가능"
    else:
        state = "증거금100%"
    if halted:
        state += "|거래정지"
    return {
        "code": inst.code,
        "name": inst.name,
        "listCount": padded(inst.listed_shares, 16),
        "auditInfo": "정상",
        "regDay": "",
        "lastPrice": padded(listing.base, 8),
        "state": state,
        "marketCode": market_code,
        "marketName": market_name,
        "upName": inst.sector,
        "upSizeName": listing.size_class,
        "companyClassName": "",
        "orderWarning": "0",
        "nxtEnable": "N",
    }


@handler("ka10099")
def ka10099(call: Call) -> Reply:
    req: s.Ka10099Request = call.body
    tp = req.mrkt_tp.strip()
    svc = quotes(call.ctx)
    if tp in _EMPTY_MARKETS:
        codes: list[str] = []
    elif tp == "6":  # 리츠종목
        codes = [c for c in svc.codes(Market.KOSPI) if svc.state(c).instrument.kind == "reit"]
    elif tp in _LIST_MARKETS:
        codes = svc.codes(_LIST_MARKETS[tp])
    else:
        raise ApiError.of(1517, param="mrkt_tp", reason=f"알 수 없는 시장구분 {tp}")
    start = cursor(call) or 0
    if start < 0 or start > len(codes):
        raise ApiError.of(1517, param="next-key", reason="범위를 벗어난 연속조회키입니다")
    chunk = codes[start : start + LIST_PAGE]
    rows = [s.Ka10099ListRow(**_listing_fields(svc.listing(c), svc.state(c).halted)) for c in chunk]
    end = start + len(chunk)
    more = end < len(codes)
    key = encode_key(call.api_id, end) if more else ""
    return Reply(s.Ka10099Response(items=rows), cont_yn=more, next_key=key)


@handler("ka10100")
def ka10100(call: Call) -> Reply:
    req: s.Ka10100Request = call.body
    svc = quotes(call.ctx)
    code = stock(svc, req.stk_cd)
    return Reply(s.Ka10100Response(**_listing_fields(svc.listing(code), svc.state(code).halted)))


# --- ka10101 -----------------------------------------------------------------------------------

_SECTOR_GROUPS = frozenset({"0", "1", "2", "4", "7"})


@handler("ka10101")
def ka10101(call: Call) -> Reply:
    req: s.Ka10101Request = call.body
    tp = req.mrkt_tp.strip()
    if tp not in _SECTOR_GROUPS:
        raise ApiError.of(1517, param="mrkt_tp", reason=f"알 수 없는 시장구분 {tp}")
    rows = [
        s.Ka10101ListRow(marketCode=d.group, code=d.code, name=d.name, group="1")
        for d in INDICES.values()
        if d.group == tp
    ]
    return Reply(s.Ka10101Response(items=rows))


def sign_of(q: Quote) -> str:
    """대비기호 of a quote (상한/하한 aware)."""
    return sign_code(q.price, q.base, q.limits.upper, q.limits.lower)
