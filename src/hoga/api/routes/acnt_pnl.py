"""계좌 (``/api/dostk/acnt``): realized P&L, daily balances and the transaction history.

ka10072/ka10073 일자별종목별실현손익 (one day / a period), ka10074 일자별실현손익, ka10077
당일실현손익상세, ka10170 당일매매일지, ka10085 계좌수익률, ka01690 일별잔고수익률, kt00002
일별추정예탁자산현황, kt00015 위탁종합거래내역. Figures come from
:class:`hoga.engine.accounts.AccountService`.

Decisions:
- 당일매도손익 (``tdy_sel_pl``) is the realized P&L before costs (amount − cost out at the
  average price: the ledger's rule); the row's commission and taxes are their own columns, and
  ka10074 ``rlzt_pl`` is their sum, which over all days equals the ledger's realized P&L.
  ka10170 ``pl_amt`` is after costs, as its documented example computes (0 − 174 = −174).
- Commission and taxes per row are the fill rows' estimates (see AccountService).
- ka10072/ka10073/ka10077 rows carry the sales (and their costs); ka10074 days carry every
  fill's commission. ``stk_cd_1``/``tdy_sel_pl_1`` of ka10072 are undocumented duplicates and
  are left blank.
- ka10170 ``ottks_tp`` 1 lists codes both bought and sold that day (매수 = that day's buys),
  2 every code sold (매수 = the cost of the shares sold). 수수료_제세금 = the sales' commission
  and taxes plus the commission on the cost sold; 손익 = realized − that; 수익률 on the cost
  sold. Credit trades (``ch_crd_tp`` 2) never exist here.
- Lists are newest first (days) except kt00015 (oldest first, like a statement); long ones page
  (100 rows). Amounts of the ka api-ids are plain numbers (the ka10170 example); kt00002 and
  kt00015 pad to 15 characters like the other kt account api-ids (their padding is
  undocumented).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from hoga.api.dispatch import Call, Reply, handler
from hoga.api.routes.acnt import (
    account,
    choice,
    code_param,
    date_param,
    p15,
    page,
    rate2,
    service,
)
from hoga.domain.kst import kst_date
from hoga.domain.model import Side
from hoga.engine.accounts import AccountService, TradeView, percent
from hoga.wire import format as fmt
from hoga.wire.errors import ApiError
from hoga.wire.schemas.acnt import (
    Ka01690DayBalRtRow,
    Ka01690Response,
    Ka10072DtStkDivRlztPlRow,
    Ka10072Response,
    Ka10073DtStkRlztPlRow,
    Ka10073Response,
    Ka10074DtRlztPlRow,
    Ka10074Response,
    Ka10077Response,
    Ka10077TdyRlztPlDtlRow,
    Ka10085AcntPrftRtRow,
    Ka10085Response,
    Ka10170Response,
    Ka10170TdyTrdeDiaryRow,
)
from hoga.wire.schemas.acnt_deposit import Kt00002DalyPrsmDpstAsetAmtPrstRow, Kt00002Response
from hoga.wire.schemas.acnt_orders import Kt00015Response, Kt00015TrstOvrlTrdePrpsArrayRow

__all__ = ["Realized", "realized_by"]

PAGE = 100


@dataclass(frozen=True, slots=True)
class Realized:
    """Sales (and costs) of one group of fills: a code on a day, a day, …"""

    day: date
    code: str
    name: str
    sell_qty: int
    sell_amt: int
    cost_out: int
    pnl: int
    fee: int
    tax: int
    buy_qty: int
    buy_amt: int
    sell_fee: int

    @property
    def sell_avg(self) -> int:
        return self.sell_amt // self.sell_qty if self.sell_qty else 0

    @property
    def buy_uv(self) -> int:
        """매입단가 of what was sold: cost out ÷ quantity sold (floored)."""
        return self.cost_out // self.sell_qty if self.sell_qty else 0

    @property
    def buy_avg(self) -> int:
        return self.buy_amt // self.buy_qty if self.buy_qty else 0

    @property
    def rate(self) -> str:
        return rate2(percent(self.pnl, self.cost_out))


def realized_by(
    trades: list[TradeView], key: Callable[[TradeView], tuple[date, str]]
) -> list[Realized]:
    """Group ``trades`` by ``key`` (day, code) into :class:`Realized`, in key order."""
    groups: dict[tuple[date, str], list[TradeView]] = {}
    for t in trades:
        groups.setdefault(key(t), []).append(t)
    out = []
    for (day, code), ts in sorted(groups.items()):
        sells = [t for t in ts if t.fill.side is Side.SELL]
        buys = [t for t in ts if t.fill.side is Side.BUY]
        out.append(
            Realized(
                day=day,
                code=code,
                name=ts[0].name,
                sell_qty=sum(t.fill.qty for t in sells),
                sell_amt=sum(t.amount for t in sells),
                cost_out=sum(t.cost_out for t in sells),
                pnl=sum(t.pnl for t in sells),
                fee=sum(t.fill.fee for t in ts),
                tax=sum(t.fill.tax for t in ts),
                buy_qty=sum(t.fill.qty for t in buys),
                buy_amt=sum(t.amount for t in buys),
                sell_fee=sum(t.fill.fee for t in sells),
            )
        )
    return out


def _period(start: str, end: str, names: tuple[str, str]) -> tuple[date, date]:
    first = date_param(start, names[0])
    last = date_param(end, names[1])
    if last < first:
        raise ApiError.of(1517, param=names[1], reason="종료일자가 시작일자보다 앞섭니다")
    return first, last


def _sales(
    svc: AccountService, acct: str, first: date, last: date, code: str | None
) -> list[Realized]:
    trades = [
        t
        for t in svc.trades_between(acct, first, last)
        if t.fill.side is Side.SELL and (code is None or t.fill.code == code)
    ]
    return realized_by(trades, lambda t: (t.day, t.fill.code))


# --- ka10072 / ka10073 일자별종목별실현손익 ---


@handler("ka10072")
def ka10072(call: Call) -> Reply:
    b = call.body
    svc = service(call)
    day = date_param(b.strt_dt, "strt_dt")
    code = code_param(svc, b.stk_cd)
    acct = account(call)
    wthd = str(svc.cash(acct).withdrawable)
    rows = [
        Ka10072DtStkDivRlztPlRow(
            stk_nm=r.name,
            cntr_qty=str(r.sell_qty),
            buy_uv=str(r.buy_uv),
            cntr_pric=str(r.sell_avg),
            tdy_sel_pl=str(r.pnl),
            pl_rt=r.rate,
            stk_cd=r.code,
            tdy_trde_cmsn=str(r.fee),
            tdy_trde_tax=str(r.tax),
            wthd_alowa=wthd,
            loan_dt="",
            crd_tp="00",
            stk_cd_1="",
            tdy_sel_pl_1="",
        )
        for r in _sales(svc, acct, day, day, code)
    ]
    chunk, more, key = page(call, list(enumerate(rows)), lambda r: r[0], size=PAGE)
    return Reply(
        Ka10072Response(dt_stk_div_rlzt_pl=[r for _, r in chunk]), cont_yn=more, next_key=key
    )


@handler("ka10073")
def ka10073(call: Call) -> Reply:
    b = call.body
    svc = service(call)
    first, last = _period(b.strt_dt, b.end_dt, ("strt_dt", "end_dt"))
    code = code_param(svc, b.stk_cd)
    acct = account(call)
    wthd = str(svc.cash(acct).withdrawable)
    sales = sorted(_sales(svc, acct, first, last, code), key=lambda r: (-r.day.toordinal(), r.code))
    n = len(sales)
    rows = [
        (
            n - 1 - i,
            Ka10073DtStkRlztPlRow(
                dt=r.day.strftime("%Y%m%d"),
                tdy_htssel_cmsn=str(r.sell_fee),
                stk_nm=r.name,
                cntr_qty=str(r.sell_qty),
                buy_uv=str(r.buy_uv),
                cntr_pric=str(r.sell_avg),
                tdy_sel_pl=str(r.pnl),
                pl_rt=r.rate,
                stk_cd=r.code,
                tdy_trde_cmsn=str(r.fee),
                tdy_trde_tax=str(r.tax),
                wthd_alowa=wthd,
                loan_dt="",
                crd_tp="00",
            ),
        )
        for i, r in enumerate(sales)
    ]
    chunk, more, key = page(call, rows, lambda r: r[0], size=PAGE, descending=True)
    return Reply(Ka10073Response(dt_stk_rlzt_pl=[r for _, r in chunk]), cont_yn=more, next_key=key)


# --- ka10074 일자별실현손익 ---


@handler("ka10074")
def ka10074(call: Call) -> Reply:
    b = call.body
    svc = service(call)
    first, last = _period(b.strt_dt, b.end_dt, ("strt_dt", "end_dt"))
    acct = account(call)
    days = realized_by(svc.trades_between(acct, first, last), lambda t: (t.day, ""))
    days.reverse()
    rows = [
        (
            int(d.day.strftime("%Y%m%d")),
            Ka10074DtRlztPlRow(
                dt=d.day.strftime("%Y%m%d"),
                buy_amt=str(d.buy_amt),
                sell_amt=str(d.sell_amt),
                tdy_sel_pl=str(d.pnl),
                tdy_trde_cmsn=str(d.fee),
                tdy_trde_tax=str(d.tax),
            ),
        )
        for d in days
    ]
    chunk, more, key = page(call, rows, lambda r: r[0], size=PAGE, descending=True)
    resp = Ka10074Response(
        tot_buy_amt=str(sum(d.buy_amt for d in days)),
        tot_sell_amt=str(sum(d.sell_amt for d in days)),
        rlzt_pl=str(sum(d.pnl for d in days)),
        trde_cmsn=str(sum(d.fee for d in days)),
        trde_tax=str(sum(d.tax for d in days)),
        dt_rlzt_pl=[r for _, r in chunk],
    )
    return Reply(resp, cont_yn=more, next_key=key)


# --- ka10077 당일실현손익상세 ---


@handler("ka10077")
def ka10077(call: Call) -> Reply:
    svc = service(call)
    code = code_param(svc, call.body.stk_cd)
    acct = account(call)
    today = svc.today
    sells = [
        t
        for t in svc.trades_between(acct, today, today)
        if t.fill.side is Side.SELL and t.fill.code == code
    ]
    rows = [
        Ka10077TdyRlztPlDtlRow(
            stk_nm=t.name,
            cntr_qty=str(t.fill.qty),
            buy_uv=str(t.cost_out // t.fill.qty),
            cntr_pric=str(t.fill.price),
            tdy_sel_pl=str(t.pnl),
            pl_rt=rate2(percent(t.pnl, t.cost_out)),
            tdy_trde_cmsn=str(t.fill.fee),
            tdy_trde_tax=str(t.fill.tax),
            stk_cd=t.fill.code,
        )
        for t in reversed(sells)
    ]
    total = sum(t.pnl for t in sells)
    return Reply(Ka10077Response(tdy_rlzt_pl=str(total), tdy_rlzt_pl_dtl=rows))


# --- ka10170 당일매매일지 ---


@handler("ka10170")
def ka10170(call: Call) -> Reply:
    b = call.body
    ottks = choice(b.ottks_tp, "ottks_tp", ("1", "2"))
    crd = choice(b.ch_crd_tp, "ch_crd_tp", ("0", "1", "2"))
    svc = service(call)
    day = date_param(b.base_dt, "base_dt", today=svc.today)
    acct = account(call)
    groups = realized_by(svc.trades_between(acct, day, day), lambda t: (t.day, t.fill.code))
    fees = svc.brokerage.ledger.fees
    picked = [g for g in groups if crd != "2" and g.sell_qty > 0 and (ottks == "2" or g.buy_qty)]
    rows = []
    sums = [0, 0, 0, 0, 0]  # sell, buy, costs, pl, cost out
    for g in picked:
        costs = g.sell_fee + g.tax + fees.commission(g.cost_out)
        if ottks == "1":
            buy_qty, buy_amt, buy_avg = g.buy_qty, g.buy_amt, g.buy_avg
        else:
            buy_qty, buy_amt, buy_avg = g.sell_qty, g.cost_out, g.buy_uv
        pl = g.pnl - costs
        for i, v in enumerate((g.sell_amt, buy_amt, costs, pl, g.cost_out)):
            sums[i] += v
        rows.append(
            Ka10170TdyTrdeDiaryRow(
                stk_nm=g.name,
                buy_avg_pric=str(buy_avg),
                buy_qty=str(buy_qty),
                sel_avg_pric=str(g.sell_avg),
                sell_qty=str(g.sell_qty),
                cmsn_alm_tax=str(costs),
                pl_amt=str(pl),
                sell_amt=str(g.sell_amt),
                buy_amt=str(buy_amt),
                prft_rt=rate2(percent(pl, g.cost_out)),
                stk_cd=g.code,
            )
        )
    sell, buy, costs, pl, cost_out = sums
    resp = Ka10170Response(
        tot_sell_amt=str(sell),
        tot_buy_amt=str(buy),
        tot_cmsn_tax=str(costs),
        tot_exct_amt=str(sell - buy - costs),
        tot_pl_amt=str(pl),
        tot_prft_rt=rate2(percent(pl, cost_out)),
        tdy_trde_diary=rows,
    )
    return Reply(resp)


# --- ka10085 계좌수익률 / ka01690 일별잔고수익률 / kt00002 일별추정예탁자산 ---


@handler("ka10085")
def ka10085(call: Call) -> Reply:
    choice(call.body.stex_tp, "stex_tp", ("0", "1", "2"))
    svc = service(call)
    acct = account(call)
    val = svc.valuation(acct)
    today = {r.code: r for r in _sales(svc, acct, val.day, val.day, None)}
    day_costs = {
        r.code: r
        for r in realized_by(
            svc.trades_between(acct, val.day, val.day), lambda t: (t.day, t.fill.code)
        )
    }
    rows = []
    for p in val.positions if call.body.stex_tp.strip() != "2" else ():
        sold = today.get(p.code)
        costs = day_costs.get(p.code)
        rows.append(
            Ka10085AcntPrftRtRow(
                dt=val.day.strftime("%Y%m%d"),
                stk_cd=p.code,
                stk_nm=p.name,
                cur_prc=str(p.price),
                pur_pric=str(p.avg_price),
                pur_amt=str(p.cost),
                rmnd_qty=str(p.qty),
                tdy_sel_pl=str(sold.pnl if sold else 0),
                tdy_trde_cmsn=str(costs.fee if costs else 0),
                tdy_trde_tax=str(costs.tax if costs else 0),
                crd_tp="00",
                loan_dt="",
                setl_remn=str(p.settled_qty),
                clrn_alow_qty=str(p.orderable_qty),
                crd_amt="0",
                crd_int="0",
                expr_dt="",
            )
        )
    return Reply(Ka10085Response(acnt_prft_rt=rows))


@handler("ka01690")
def ka01690(call: Call) -> Reply:
    svc = service(call)
    day = date_param(call.body.qry_dt, "qry_dt")
    if day > svc.today:
        raise ApiError.of(1517, param="qry_dt", reason="미래 일자는 조회할 수 없습니다")
    snap = svc.snapshot(account(call), day)
    cost, value = snap.total_cost, snap.total_eval
    rows = [
        Ka01690DayBalRtRow(
            cur_prc=str(p.price),
            stk_cd=p.code,
            stk_nm=p.name,
            rmnd_qty=str(p.qty),
            buy_uv=str(p.avg_price),
            buy_wght=rate2(percent(p.cost, cost)),
            evltv_prft=str(p.pnl),
            prft_rt=rate2(p.rate),
            evlt_amt=str(p.eval_amt),
            evlt_wght=rate2(percent(p.eval_amt, value)),
        )
        for p in snap.positions
    ]
    assets = snap.estimated_assets
    resp = Ka01690Response(
        dt=day.strftime("%Y%m%d"),
        tot_buy_amt=str(cost),
        tot_evlt_amt=str(value),
        tot_evltv_prft=str(value - cost),
        tot_prft_rt=rate2(percent(value - cost, cost)),
        dbst_bal=str(snap.settled_cash),
        day_stk_asst=str(assets),
        buy_wght=rate2(percent(snap.estimated_cash, assets)),
        day_bal_rt=rows,
    )
    return Reply(resp)


@handler("kt00002")
def kt00002(call: Call) -> Reply:
    b = call.body
    svc = service(call)
    first, last = _period(b.start_dt, b.end_dt, ("start_dt", "end_dt"))
    acct = account(call)
    opened = svc.opened_on(acct)
    days = [] if opened is None else svc.trading_days(max(first, opened), min(last, svc.today))
    days.reverse()
    keyed = [(int(d.strftime("%Y%m%d")), d) for d in days]
    chunk, more, key = page(call, keyed, lambda r: r[0], size=PAGE, descending=True)
    zero = p15(0)
    rows = []
    snaps = svc.snapshots(acct, [d for _, d in chunk])
    for _, d in chunk:
        snap = snaps[d]
        rows.append(
            Kt00002DalyPrsmDpstAsetAmtPrstRow(
                dt=d.strftime("%Y%m%d"),
                entr=p15(snap.settled_cash),
                grnt_use_amt=zero,
                crd_loan=zero,
                ls_grnt=zero,
                repl_amt=zero,
                prsm_dpst_aset_amt=p15(snap.estimated_assets),
                prsm_dpst_aset_amt_bncr_skip=p15(snap.estimated_assets),
            )
        )
    return Reply(Kt00002Response(daly_prsm_dpst_aset_amt_prst=rows), cont_yn=more, next_key=key)


# --- kt00015 위탁종합거래내역 ---

_CASH_TP = {"0", "1", "6", "7", "M"}
_TRADE_TP = {"0": None, "3": None, "4": Side.BUY, "5": Side.SELL}
_TP = ("0", "1", "2", "3", "4", "5", "6", "7", "A", "B", "C", "F", "M", "G", "H", "I", "J")


@handler("kt00015")
def kt00015(call: Call) -> Reply:
    b = call.body
    svc = service(call)
    first, last = _period(b.strt_dt, b.end_dt, ("strt_dt", "end_dt"))
    tp = choice(b.tp.upper(), "tp", _TP)
    gds = choice(b.gds_tp, "gds_tp", ("0", "1", "2", "3", "4"))
    venue = choice(b.dmst_stex_tp, "dmst_stex_tp", ("%", "KRX", "NXT"))
    code = code_param(svc, b.stk_cd)
    acct = account(call)
    every = _statement(svc, acct)
    if gds not in ("0", "1") or b.crnc_cd.strip().upper() not in ("", "KRW"):
        every = []
    rows = []
    for i, row in enumerate(every):
        day = kst_date(row.at)
        if not first <= day <= last:
            continue
        if row.trade is None:
            wanted = tp in _CASH_TP and code is None
            if tp == "6":
                wanted = wanted and row.amount > 0
            elif tp == "7":
                wanted = wanted and row.amount < 0
        else:
            side = row.trade.fill.side
            wanted = (
                tp in _TRADE_TP
                and (_TRADE_TP[tp] is None or _TRADE_TP[tp] is side)
                and venue != "NXT"
                and (code is None or row.trade.fill.code == code)
            )
        if wanted:
            rows.append((i, row))
    chunk, more, key = page(call, rows, lambda r: r[0], size=PAGE)
    out = [_statement_row(i, r) for i, r in chunk]
    return Reply(
        Kt00015Response(acnt_no=acct, trst_ovrl_trde_prps_array=out), cont_yn=more, next_key=key
    )


@dataclass(frozen=True, slots=True)
class _Line:
    at: int
    amount: int  # cash rows: signed amount
    balance: int  # 예수금 after it
    trade: TradeView | None = None
    held: int = 0  # shares of the code after a trade


def _statement(svc: AccountService, acct: str) -> list[_Line]:
    """Deposits, withdrawals and fills in time order, with the settled cash at each."""
    entries = svc.journal(acct)
    after = svc.settled_cash_after(acct)
    cash = {e.entry_id: e for e in svc.cash_events(acct)}
    lines: list[_Line] = []
    for e in entries:
        if e.entry_id in cash:
            lines.append(_Line(e.at, cash[e.entry_id].amount, after[e.entry_id]))
    held: dict[str, int] = {}
    balance = seen = 0
    for t in svc.trades(acct):  # fills and entries are both in time order: one merge pass
        f = t.fill
        while seen < len(entries) and entries[seen].at <= f.at:
            balance = after[entries[seen].entry_id]
            seen += 1
        held[f.code] = held.get(f.code, 0) + (f.qty if f.side is Side.BUY else -f.qty)
        lines.append(_Line(f.at, 0, balance, t, held[f.code]))
    lines.sort(key=lambda ln: (ln.at, ln.trade is not None))
    return lines


def _statement_row(i: int, r: _Line) -> Kt00015TrstOvrlTrdePrpsArrayRow:
    zero = p15(0)
    t = r.trade
    base = {
        "trde_dt": fmt.ymd(r.at),
        "trde_no": str(i + 1),
        "loan_amt_rpya": zero,
        "fc_trde_amt": zero,
        "fc_exct_amt": zero,
        "entra_remn": p15(r.balance),
        "crnc_cd": "KRW",
        "rpy_diffa": zero,
        "fc_trde_tax": zero,
        "dly_sum": zero,
        "fc_entra": zero,
        "mdia_tp_nm": "OpenAPI",
        "int_ls_usfe": zero,
        "fc_cmsn": zero,
        "fc_dly_sum": zero,
        "proc_tm": fmt.hms(r.at),
        "incm_resi_tax": zero,
        "uncl_ocr": zero,
        "rpym_sum": zero,
        "txon_base_pric": zero,
        "frgn_pay_txam": zero,
        "fc_uncl_ocr": zero,
        "rpym_sum_fr": zero,
        "prcsr": "",
        "proc_brch": "hoga",
    }
    if t is None:
        inflow = r.amount > 0
        return Kt00015TrstOvrlTrdePrpsArrayRow(
            **base,
            rmrk_nm="입금" if inflow else "출금",
            exct_amt=p15(abs(r.amount)),
            trde_ocr_tp="1",
            trde_kind_nm="입출금",
            trde_amt=p15(abs(r.amount)),
            trde_agri_tax=zero,
            io_tp="1" if inflow else "2",
            io_tp_nm="입금" if inflow else "출금",
            cmsn=zero,
            vlbl_nowrm=zero,
            trde_qty_jwa_cnt=zero,
            trde_unit=zero,
            tax_sum_cmsn=zero,
            trde_prtc_tp="입출금",
        )
    f = t.fill
    buy = f.side is Side.BUY
    exct = t.amount + f.fee if buy else t.amount - f.fee - f.tax
    return Kt00015TrstOvrlTrdePrpsArrayRow(
        **base,
        rmrk_nm="장내매수" if buy else "장내매도",
        crd_deal_tp_nm="보통매매",
        exct_amt=p15(exct),
        trde_kind_nm="매매",
        stk_nm=t.name,
        trde_amt=p15(t.amount),
        trde_agri_tax=p15(f.tax),
        io_tp="2" if buy else "1",
        io_tp_nm="매수" if buy else "매도",
        orig_deal_no=fmt.ord_no(f.ord_no),
        stk_cd=fmt.a_code(f.code),
        trde_qty_jwa_cnt=p15(f.qty),
        cmsn=p15(f.fee),
        vlbl_nowrm=p15(r.held),
        stex_cd="KRX",
        stex_nm="한국거래소",
        trde_unit=p15(f.price),
        cntr_dt=fmt.ymd(f.at),
        tax_sum_cmsn=p15(f.fee + f.tax),
        trde_stle="보통",
        trde_prtc_tp="매매",
    )
