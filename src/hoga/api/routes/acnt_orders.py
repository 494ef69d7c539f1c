"""계좌 (``/api/dostk/acnt``): open orders, fills and order history of the principal's account.

ka10075 미체결, ka10076 체결, kt00007 계좌별주문체결내역상세, kt00009 계좌별주문체결현황, ka10088
미체결 분할주문 상세. Rows come from the brokerage's order rows (a new order, each modification
and each cancel is its own row with its own order number; ``orig_ord_no`` links a modification
or cancel to the order it acted on) and fill rows.

Decisions:
- ``ord_stt`` (ka10075): ``체결`` once part of the order filled, ``확인`` for a modification's
  row, else ``접수``. ``acpt_tp`` (kt00007/kt00009): ``접수`` new, ``확인`` modification or
  cancel, ``거부`` rejected by the exchange.
- ka10075 lists newest first and pages (100 rows) by order number; ka10076 lists today's orders
  with fills, newest first, one row per order number (``cntr_pric`` = the volume-weighted
  average, floored), in one page as observed (§1.5) — its ``ord_no`` body field pages instead.
- kt00007/kt00009 page (100 rows) by order number (and fill within it); kt00009 has one row per
  fill plus one per order row without fills.
- Venue filters: hoga routes everything to KRX; ``NXT`` selects nothing, ``SOR`` the orders sent
  as SOR. Bonds (``stk_bond_tp`` 2) and markets hoga does not list (OTCBB, ECN) select nothing.
- ka10088: hoga never splits an order; the order itself is its one part (when it is the
  principal's and still open), else the list is empty — another customer's number reveals
  nothing.
"""

from __future__ import annotations

from hoga.api.dispatch import Call, Reply, handler
from hoga.api.routes.acnt import (
    account,
    choice,
    code_param,
    date_param,
    int_param,
    page,
    service,
)
from hoga.domain.model import TRDE_TP, Market, Side
from hoga.engine.accounts import AccountService
from hoga.ports.storage import FillRecord, OrderRecord
from hoga.wire import format as fmt
from hoga.wire.errors import ApiError
from hoga.wire.schemas.acnt import (
    Ka10075OsoRow,
    Ka10075Response,
    Ka10076CntrRow,
    Ka10076Response,
    Ka10088OsopRow,
    Ka10088Response,
)
from hoga.wire.schemas.acnt_orders import (
    Kt00007AcntOrdCntrPrpsDtlRow,
    Kt00007Response,
    Kt00009AcntOrdCntrPrstArrayRow,
    Kt00009Response,
)

__all__ = ["io_name", "kind_of"]

PAGE = 100
COMM = "OpenAPI"
_SIDE = {"1": Side.SELL, "2": Side.BUY}
_MARKETS = {"1": Market.KOSPI, "2": Market.KOSDAQ}


def kind_of(o: OrderRecord) -> str:
    """``new``, ``modify`` or ``cancel``."""
    if o.status == "cancel":
        return "cancel"
    return "new" if o.orig_ord_no is None else "modify"


def io_name(o: OrderRecord, *, signed: bool) -> str:
    """주문구분: ``+매수``/``-매도`` (+정정/취소; ka10075/ka10076) or ``현금매수``, ``매수정정``…"""
    side = "매수" if o.side is Side.BUY else "매도"
    extra = {"new": "", "modify": "정정", "cancel": "취소"}[kind_of(o)]
    if signed:
        return ("+" if o.side is Side.BUY else "-") + side + extra
    return f"현금{side}" if not extra else side + extra


def _type_name(o: OrderRecord) -> str:
    t = TRDE_TP.get(o.trde_tp)
    return t.name if t is not None else o.trde_tp


def _orig(o: OrderRecord) -> str:
    return fmt.ord_no(o.orig_ord_no or 0)


def _stop(o: OrderRecord) -> str:
    return str(o.stop_price) if o.stop_price else ""


def _stex(o: OrderRecord) -> tuple[str, str, str]:
    """(stex_tp, stex_tp_txt, sor_yn) of an order row."""
    if o.exchange == "SOR":
        return "0", "통합", "Y"
    return "1", "KRX", "N"


def _side_filter(value: str, param: str = "sell_tp") -> Side | None:
    return _SIDE.get(choice(value, param, ("0", "1", "2")))


def _venue_ok(o: OrderRecord, venue: str) -> bool:
    """kt00007/kt00009 ``dmst_stex_tp``: ``%`` all, else the order's venue."""
    return venue in ("%", o.exchange)


def _avg(fills: list[FillRecord]) -> int:
    qty = sum(f.qty for f in fills)
    return sum(f.price * f.qty for f in fills) // qty if qty else 0


def _acpt(o: OrderRecord) -> str:
    if o.status == "rejected":
        return "거부"
    return "접수" if kind_of(o) == "new" else "확인"


# --- ka10075 미체결 ---


@handler("ka10075")
def ka10075(call: Call) -> Reply:
    b = call.body
    all_stk = choice(b.all_stk_tp, "all_stk_tp", ("0", "1"))
    side = _side_filter(b.trde_tp, "trde_tp")
    stex_tp = choice(b.stex_tp, "stex_tp", ("0", "1", "2"))
    svc = service(call)
    code = code_param(svc, b.stk_cd)
    if all_stk == "1" and code is None:
        raise ApiError.of(1511, param="stk_cd")
    acct = account(call)
    fills = svc.fills_by_order(acct)
    rows = [
        o
        for o in reversed(svc.open_orders(acct))
        if (all_stk == "0" or o.code == code)
        and (side is None or o.side is side)
        and stex_tp != "2"
    ]
    chunk, more, key = page(call, rows, lambda o: o.ord_no, size=PAGE, descending=True)
    out = [_oso_row(svc, acct, o, fills.get(o.ord_no, [])) for o in chunk]
    return Reply(Ka10075Response(oso=out), cont_yn=more, next_key=key)


def _oso_row(
    svc: AccountService, acct: str, o: OrderRecord, fills: list[FillRecord]
) -> Ka10075OsoRow:
    base = svc.base_price(o.code)
    bid, ask = svc.quotes(o.code)
    last = fills[-1] if fills else None
    stex_tp, stex_txt, sor = _stex(o)
    stt = "체결" if o.filled_qty else "확인" if kind_of(o) == "modify" else "접수"
    return Ka10075OsoRow(
        acnt_no=acct,
        ord_no=fmt.ord_no(o.ord_no),
        mang_empno="",
        stk_cd=o.code,
        tsk_tp="",
        ord_stt=stt,
        stk_nm=svc.name(o.code),
        ord_qty=str(o.qty),
        ord_pric=str(o.price),
        oso_qty=str(o.open_qty),
        cntr_tot_amt=str(sum(f.price * f.qty for f in fills)),
        orig_ord_no=_orig(o),
        io_tp_nm=io_name(o, signed=True),
        trde_tp=_type_name(o),
        tm=fmt.hms(o.created_at),
        cntr_no=str(last.exec_id) if last else "",
        cntr_pric=str(_avg(fills)),
        cntr_qty=str(o.filled_qty),
        cur_prc=fmt.direction(svc.price(o.code), base),
        sel_bid=fmt.direction(ask, base) if ask is not None else "0",
        buy_bid=fmt.direction(bid, base) if bid is not None else "0",
        unit_cntr_pric=str(last.price) if last else "",
        unit_cntr_qty=str(last.qty) if last else "",
        tdy_trde_cmsn=str(sum(f.fee for f in fills)),
        tdy_trde_tax=str(sum(f.tax for f in fills)),
        ind_invsr="",
        stex_tp=stex_tp,
        stex_tp_txt=stex_txt,
        sor_yn=sor,
        stop_pric=_stop(o),
    )


# --- ka10076 체결 ---


@handler("ka10076")
def ka10076(call: Call) -> Reply:
    b = call.body
    qry = choice(b.qry_tp, "qry_tp", ("0", "1"))
    side = _side_filter(b.sell_tp)
    stex_tp = choice(b.stex_tp, "stex_tp", ("0", "1", "2"))
    before = int_param(b.ord_no, "ord_no", blank=0)
    svc = service(call)
    code = code_param(svc, b.stk_cd)
    if qry == "1" and code is None:
        raise ApiError.of(1511, param="stk_cd")
    acct = account(call)
    since, until = svc.day_bounds(svc.today)
    today: dict[int, list[FillRecord]] = {}
    for f in svc.fills(acct):
        if since <= f.at < until:
            today.setdefault(f.ord_no, []).append(f)
    rows = []
    for ord_no in sorted(today, reverse=True):
        o = svc.order(acct, ord_no)
        if o is None or (before and ord_no >= before) or stex_tp == "2":
            continue
        if (qry == "1" and o.code != code) or (side is not None and o.side is not side):
            continue
        fills = today[ord_no]
        stex_code, stex_txt, sor = _stex(o)
        rows.append(
            Ka10076CntrRow(
                ord_no=fmt.ord_no(o.ord_no),
                stk_nm=svc.name(o.code),
                io_tp_nm=io_name(o, signed=True),
                ord_pric=str(o.price),
                ord_qty=str(o.qty),
                cntr_pric=str(_avg(fills)),
                cntr_qty=str(sum(f.qty for f in fills)),
                oso_qty=str(o.open_qty),
                tdy_trde_cmsn=str(sum(f.fee for f in fills)),
                tdy_trde_tax=str(sum(f.tax for f in fills)),
                ord_stt="체결",
                trde_tp=_type_name(o),
                orig_ord_no=_orig(o),
                ord_tm=fmt.hms(o.created_at),
                stk_cd=o.code,
                stex_tp=stex_code,
                stex_tp_txt=stex_txt,
                sor_yn=sor,
                stop_pric=_stop(o),
            )
        )
    return Reply(Ka10076Response(cntr=rows))


# --- kt00007 / kt00009 order history ---


def _history(call: Call, svc: AccountService, acct: str) -> list[OrderRecord]:
    """The day's order rows after the filters kt00007 and kt00009 share."""
    b = call.body
    day = date_param(b.ord_dt, "ord_dt", today=svc.today)
    bond = choice(b.stk_bond_tp, "stk_bond_tp", ("0", "1", "2"))
    side = _side_filter(b.sell_tp)
    venue = choice(b.dmst_stex_tp, "dmst_stex_tp", ("%", "KRX", "NXT", "SOR"))
    code = code_param(svc, b.stk_cd)
    int_param(b.fr_ord_no, "fr_ord_no", blank=0)
    if bond == "2":
        return []
    return [
        o
        for o in svc.orders(acct, day)
        if (code is None or o.code == code)
        and (side is None or o.side is side)
        and _venue_ok(o, venue)
    ]


@handler("kt00007")
def kt00007(call: Call) -> Reply:
    b = call.body
    qry = choice(b.qry_tp, "qry_tp", ("1", "2", "3", "4"))
    svc = service(call)
    acct = account(call)
    rows = _history(call, svc, acct)
    if qry == "3":
        rows = [o for o in rows if o.open_qty > 0]
    elif qry == "4":
        rows = [o for o in rows if o.filled_qty > 0]
    desc = qry == "2"
    start = int_param(b.fr_ord_no, "fr_ord_no", blank=0)
    if start:
        rows = [o for o in rows if (o.ord_no <= start if desc else o.ord_no >= start)]
    if desc:
        rows.reverse()
    fills = svc.fills_by_order(acct)
    chunk, more, key = page(call, rows, lambda o: o.ord_no, size=PAGE, descending=desc)
    out = []
    for o in chunk:
        kind = kind_of(o)
        confirmed = kind != "new"
        out.append(
            Kt00007AcntOrdCntrPrpsDtlRow(
                ord_no=fmt.ord_no(o.ord_no),
                stk_cd=fmt.a_code(o.code),
                trde_tp=_type_name(o),
                crd_tp="보통매매",
                ord_qty=fmt.padded(o.qty, 10),
                ord_uv=fmt.padded(o.price, 10),
                cnfm_qty=fmt.padded(o.qty if confirmed else 0, 10),
                acpt_tp=_acpt(o),
                rsrv_tp="",
                ord_tm=fmt.hms_colon(o.created_at),
                ori_ord=_orig(o),
                stk_nm=svc.name(o.code),
                io_tp_nm=io_name(o, signed=False),
                loan_dt="",
                cntr_qty=fmt.padded(o.filled_qty, 10),
                cntr_uv=fmt.padded(_avg(fills.get(o.ord_no, [])), 10),
                ord_remnq=fmt.padded(o.open_qty, 10),
                comm_ord_tp=COMM,
                mdfy_cncl={"new": "", "modify": "정정", "cancel": "취소"}[kind],
                cnfm_tm=fmt.hms_colon(o.updated_at) if confirmed else "",
                dmst_stex_tp=o.exchange,
                cond_uv=_stop(o),
            )
        )
    return Reply(Kt00007Response(acnt_ord_cntr_prps_dtl=out), cont_yn=more, next_key=key)


@handler("kt00009")
def kt00009(call: Call) -> Reply:
    b = call.body
    mrkt = choice(b.mrkt_tp, "mrkt_tp", ("0", "1", "2", "3", "4"))
    qry = choice(b.qry_tp, "qry_tp", ("0", "1"))
    svc = service(call)
    acct = account(call)
    orders = _history(call, svc, acct)
    if mrkt != "0":
        orders = [o for o in orders if svc.market(o.code) is _MARKETS.get(mrkt)]
    start = int_param(b.fr_ord_no, "fr_ord_no", blank=0)
    fills = svc.fills_by_order(acct)
    rows: list[tuple[int, OrderRecord, FillRecord | None]] = []
    for o in orders:
        if o.ord_no < start:
            continue
        mine = fills.get(o.ord_no, [])
        if not mine and qry == "0":
            rows.append((o.ord_no << 20, o, None))
        rows.extend(((o.ord_no << 20) + i + 1, o, f) for i, f in enumerate(mine))
    sells = sum(f.price * f.qty for _, o, f in rows if f is not None and o.side is Side.SELL)
    buys = sum(f.price * f.qty for _, o, f in rows if f is not None and o.side is Side.BUY)
    chunk, more, key = page(call, rows, lambda r: r[0], size=PAGE)
    out = []
    for _, o, f in chunk:
        kind = kind_of(o)
        out.append(
            Kt00009AcntOrdCntrPrstArrayRow(
                stk_bond_tp="1",
                ord_no=fmt.ord_no(o.ord_no),
                stk_cd=fmt.a_code(o.code),
                trde_tp=_type_name(o),
                io_tp_nm=io_name(o, signed=False),
                ord_qty=fmt.padded(o.qty, 10),
                ord_uv=fmt.padded(o.price, 10),
                cnfm_qty=fmt.padded(o.qty if kind != "new" else 0, 10),
                rsrv_oppo="",
                cntr_no=str(f.exec_id) if f else "",
                acpt_tp=_acpt(o),
                orig_ord_no=_orig(o),
                stk_nm=svc.name(o.code),
                setl_tp="삼일결제",
                crd_deal_tp="보통매매",
                cntr_qty=fmt.padded(f.qty if f else 0, 10),
                cntr_uv=fmt.padded(f.price if f else 0, 10),
                comm_ord_tp=COMM,
                mdfy_cncl_tp={"new": "", "modify": "정정", "cancel": "취소"}[kind],
                cntr_tm=fmt.hms_colon(f.at) if f else "",
                dmst_stex_tp=o.exchange,
                cond_uv=_stop(o),
            )
        )
    resp = Kt00009Response(
        sell_grntl_engg_amt=fmt.padded(sells, 15),
        buy_engg_amt=fmt.padded(buys, 15),
        engg_amt=fmt.padded(sells + buys, 15),
        acnt_ord_cntr_prst_array=out,
    )
    return Reply(resp, cont_yn=more, next_key=key)


# --- ka10088 미체결 분할주문 상세 ---


@handler("ka10088")
def ka10088(call: Call) -> Reply:
    n = int_param(call.body.ord_no, "ord_no")
    svc = service(call)
    acct = account(call)
    o = svc.order(acct, n)
    rows = []
    if o is not None and o.open_qty > 0:
        stex_tp, stex_txt, _ = _stex(o)
        rows.append(
            Ka10088OsopRow(
                stk_cd=o.code,
                acnt_no=acct,
                stk_nm=svc.name(o.code),
                ord_no=fmt.ord_no(o.ord_no),
                ord_qty=str(o.qty),
                ord_pric=str(o.price),
                osop_qty=str(o.open_qty),
                io_tp_nm=io_name(o, signed=True),
                trde_tp=_type_name(o),
                sell_tp="1" if o.side is Side.SELL else "2",
                cntr_qty=str(o.filled_qty),
                ord_stt="체결" if o.filled_qty else "접수",
                cur_prc=fmt.direction(svc.price(o.code), svc.base_price(o.code)),
                stex_tp=stex_tp,
                stex_tp_txt=stex_txt,
            )
        )
    return Reply(Ka10088Response(osop=rows))
