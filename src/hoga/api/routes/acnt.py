"""계좌 (``/api/dostk/acnt``): cash, evaluation and orderable amounts; shared account helpers.

kt00001 예수금상세현황, kt00004 계좌평가현황, kt00005 체결잔고, kt00018 계좌평가잔고내역, kt00010
주문인출가능금액, kt00011 증거금율별주문가능수량, kt00017 계좌별당일현황. Every figure comes from
:class:`hoga.engine.accounts.AccountService` (definitions there); handlers validate the request
values (1517 naming the parameter), pick the principal's own account (isolation: nothing else is
ever read) and format (spec §1.7: kt00001/kt00018 15-character zero-padded amounts, kt00004 12
characters, kt00018 prices 12 characters, rates with two decimals).

Decisions:
- hoga accounts are cash accounts: no credit, loans, substitutes (대용), foreign currency or
  미수. Those fields are always zero (``0`` padded like their neighbours) — not estimates.
- Every order needs 100% cash, so the 증거금률 N% 주문가능금액/수량 of kt00001/kt00005/kt00010/
  kt00011 are all the cash-only figure; the margin rates read ``100``.
- ``dmst_stex_tp`` ``NXT`` is accepted where documented; hoga simulates KRX only, so holdings are
  valued at the KRX price either way.
- kt00018 평가손익/수익률 are net of the buy commission, the sell commission and the seller's
  taxes (the documented example's arithmetic: 177000 − 373500 − 388 = −196888); kt00004,
  kt00005, ka01690 and ka10085 show the gross ``evaluation − cost``.
- kt00004 투자원금: 누적 = net deposits; 당월 = the estimated assets at the end of last month
  plus this month's net deposits; 당일 = those at the end of the previous trading day plus
  today's; each 투자손익 = estimated assets now − that principal.
- kt00010 ``trde_tp`` 1 (sell) answers the orderable shares of the code as the quantities.
- kt00002/kt00015/kt00017 answer RC9000 on Kiwoom's mock server (§8); hoga serves them in both
  environments — the figures exist here.
- Paging (§1.5): lists that grow with history page by a cursor on the row key; the ``next-key``
  carries the key and a fingerprint of the request body, so a continuation with a different
  body answers 1517 (``next-key``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from hoga.api.dispatch import Call, Reply, handler
from hoga.domain.kst import kst_date
from hoga.domain.model import Side
from hoga.engine.accounts import AccountService, Valuation, percent
from hoga.engine.brokerage import Brokerage
from hoga.wire import format as fmt
from hoga.wire.errors import ApiError
from hoga.wire.rejects import business_error
from hoga.wire.schemas.acnt_deposit import (
    Kt00001Response,
    Kt00010Response,
    Kt00011Response,
    Kt00017Response,
)
from hoga.wire.schemas.acnt_orders import (
    Kt00004Response,
    Kt00004StkAcntEvltPrstRow,
    Kt00005Response,
    Kt00005StkCntrRemnRow,
    Kt00018AcntEvltRemnIndvTotRow,
    Kt00018Response,
)

__all__ = [
    "account",
    "choice",
    "code_param",
    "date_param",
    "int_param",
    "page",
    "service",
]

T = TypeVar("T")

BRANCH = "hoga"
_RATES = (20, 30, 40, 50, 60, 100)


# --- shared helpers ---


def service(call: Call) -> AccountService:
    """The account service of the app (built on first use) — brought up to the clock."""
    ctx = call.ctx
    svc = ctx.services.get("accounts")
    if not isinstance(svc, AccountService):
        broker = ctx.services.get("brokerage")
        if not isinstance(broker, Brokerage):
            raise ApiError.of(1999, reason="brokerage not running")
        svc = ctx.services["accounts"] = AccountService(broker, ctx.recorder, ctx.storage)
    svc.sync()
    return svc


def account(call: Call) -> str:
    """The principal's account (Kiwoom account bodies name none: the token's account)."""
    who = call.principal
    if who is None or not who.accounts:
        raise business_error("RC4091", mock=call.mock)
    return who.accounts[0]


def choice(value: str, param: str, allowed: Sequence[str]) -> str:
    """``value`` stripped, when it is one of ``allowed``; else 1517 naming ``param``."""
    v = value.strip()
    if v not in allowed:
        raise ApiError.of(1517, param=param, reason=f"{', '.join(allowed)} 중 하나여야 합니다")
    return v


def date_param(value: str, param: str, *, today: date | None = None) -> date:
    """A ``YYYYMMDD`` date; blank is ``today`` when given (else 1511); bad → 1517."""
    if not value.strip():
        if today is None:
            raise ApiError.of(1511, param=param)
        return today
    try:
        return fmt.parse_date(value)
    except fmt.FormatError:
        raise ApiError.of(1517, param=param, reason="YYYYMMDD 형식이어야 합니다") from None


def int_param(value: str, param: str, *, blank: int | None = None) -> int:
    """A non-negative integer; blank is ``blank`` (None: 1511); bad → 1517."""
    try:
        n = fmt.parse_optional_int(value)
    except fmt.FormatError:
        raise ApiError.of(1517, param=param, reason="숫자가 아닙니다") from None
    if n is None:
        if blank is None:
            raise ApiError.of(1511, param=param)
        return blank
    if n < 0:
        raise ApiError.of(1517, param=param, reason="음수는 허용되지 않습니다")
    return n


def code_param(svc: AccountService, value: str, param: str = "stk_cd") -> str | None:
    """The stock code of a request value (``A`` prefix and exchange suffix allowed); None when
    blank; an unknown code → 1902."""
    text = value.strip().upper()
    if not text:
        return None
    for suffix in ("_NX", "_AL"):
        text = text.removesuffix(suffix)
    code = fmt.plain_code(text)
    if not svc.known(code):
        raise ApiError.of(1902, stk_cd=value.strip())
    return code


def _fingerprint(call: Call) -> str:
    return hashlib.blake2b(msgspec.json.encode(call.body), digest_size=4).hexdigest()


def page(
    call: Call,
    rows: Sequence[T],
    key: Callable[[T], int],
    *,
    size: int,
    descending: bool = False,
) -> tuple[list[T], bool, str]:
    """One page of ``rows`` (already in answer order, ``key`` monotonic in it): the rows, whether
    more follow, and the next key. A continuation resumes at its key's row."""
    start = 0
    if call.cont_yn and call.next_key:
        k, _, fp = call.next_key.partition(".")
        if fp != _fingerprint(call) or not k.isdigit():
            raise ApiError.of(
                1517, param="next-key", reason="연속조회 키가 이 요청의 것이 아닙니다"
            )
        cursor = int(k)
        start = len(rows)
        for i, r in enumerate(rows):
            if (key(r) <= cursor) if descending else (key(r) >= cursor):
                start = i
                break
    chunk = list(rows[start : start + size])
    more = start + size < len(rows)
    next_key = f"{key(rows[start + size])}.{_fingerprint(call)}" if more else ""
    return chunk, more, next_key


def p15(n: int) -> str:
    return fmt.padded(n, 15)


def p12(n: int) -> str:
    return fmt.padded(n, 12)


def rate2(d: Decimal) -> str:
    """Two decimals, minus sign only (``"46.25"``, ``"-52.71"``)."""
    return fmt.rate(d, sign=False)


def stex(value: str) -> str:
    return choice(value, "dmst_stex_tp", ("KRX", "NXT"))


# --- kt00001 예수금상세현황 ---


@handler("kt00001")
def kt00001(call: Call) -> Reply:
    choice(call.body.qry_tp, "qry_tp", ("3", "2"))
    svc = service(call)
    acct = account(call)
    cash = svc.cash(acct)
    zero = p15(0)
    d1_buy, d2_buy = -svc.due(acct, "cash_payable", 1), -svc.due(acct, "cash_payable", 2)
    d1_sell, d2_sell = svc.receivable(acct, 1), svc.receivable(acct, 2)
    fields: dict[str, Any] = dict.fromkeys(_KT00001_ZERO, zero)
    resp = Kt00001Response(
        **fields,
        entr=p15(cash.entr),
        profa_ch=p15(cash.reserved),
        pymn_alow_amt=p15(cash.withdrawable),
        ord_alow_amt=p15(cash.orderable),
        **{f"stk_ord_alow_amt_{r}": p15(cash.orderable) for r in _RATES},
        crd_grnt_rt="0.00",
        min_ord_alow_yn=zero,
        d1_entra=p15(cash.d1),
        d1_slby_exct_amt=p15(d1_sell - d1_buy),
        d1_buy_exct_amt=p15(d1_buy),
        d1_sel_exct_amt=p15(d1_sell),
        d1_pymn_alow_amt=p15(cash.withdrawable + d1_sell),
        d2_entra=p15(cash.d2),
        d2_slby_exct_amt=p15(d2_sell - d2_buy),
        d2_buy_exct_amt=p15(d2_buy),
        d2_sel_exct_amt=p15(d2_sell),
        d2_pymn_alow_amt=p15(cash.withdrawable + d2_sell),
        stk_entr_prst=[],
    )
    return Reply(resp)


_KT00001_ZERO = (
    "bncr_profa_ch",
    "nxdy_bncr_sell_exct",
    "crd_grnta_ch",
    "crd_grnt_ch",
    "add_grnt_ch",
    "etc_profa",
    "uncl_stk_amt",
    "shrts_prica",
    "crd_set_grnta",
    "chck_ina_amt",
    "etc_chck_ina_amt",
    "crd_grnt_ruse",
    "knx_asset_evltv",
    "elwdpst_evlta",
    "crd_ls_rght_frcs_amt",
    "lvlh_join_amt",
    "lvlh_trns_alowa",
    "repl_amt",
    "remn_repl_evlta",
    "trst_remn_repl_evlta",
    "bncr_remn_repl_evlta",
    "profa_repl",
    "crd_grnta_repl",
    "crd_grnt_repl",
    "add_grnt_repl",
    "rght_repl_amt",
    "wrap_pymn_alow_amt",
    "bncr_buy_alowa",
    "ch_uncla",
    "ch_uncla_dlfe",
    "ch_uncla_tot",
    "crd_int_npay",
    "int_npay_amt_dlfe",
    "int_npay_amt_tot",
    "etc_loana",
    "etc_loana_dlfe",
    "etc_loan_tot",
    "nrpy_loan",
    "loan_sum",
    "ls_sum",
    "mdstrm_usfe",
    "loan_remn_evlt_amt",
    "dpst_grntl_remn",
    "sell_grntl_remn",
    "d1_out_rep_mor",
    "d2_out_rep_mor",
    "fc_stk_krw_repl_set_amt",
)


# --- kt00004 계좌평가현황 ---


@handler("kt00004")
def kt00004(call: Call) -> Reply:
    choice(call.body.qry_tp, "qry_tp", ("0", "1"))
    stex(call.body.dmst_stex_tp)
    svc = service(call)
    acct = account(call)
    val = svc.valuation(acct)
    who = call.principal
    today = val.day
    prev = svc.brokerage.calendar.previous_trading_day(today)
    month_end = today.replace(day=1) - timedelta(days=1)
    snaps = svc.snapshots(acct, [month_end, prev])
    month_start, day_start = snaps[month_end], snaps[prev]
    events = svc.cash_events(acct)
    net_all = sum(e.amount for e in events)
    net_month = sum(e.amount for e in events if kst_date(e.at) >= today.replace(day=1))
    net_today = sum(e.amount for e in events if kst_date(e.at) == today)
    assets = val.estimated_assets
    base_today = day_start.estimated_assets + net_today
    base_month = month_start.estimated_assets + net_month
    rows = [
        Kt00004StkAcntEvltPrstRow(
            stk_cd=fmt.a_code(p.code),
            stk_nm=p.name,
            rmnd_qty=p12(p.qty),
            avg_prc=p12(p.avg_price),
            cur_prc=p12(p.price),
            evlt_amt=p12(p.eval_amt),
            pl_amt=p12(p.pnl),
            pl_rt=fmt.rate(p.rate, places=4, sign=False),
            loan_dt="",
            pur_amt=p12(p.cost),
            setl_remn=p12(p.settled_qty),
            pred_buyq=p12(p.prev_buy_qty),
            pred_sellq=p12(p.prev_sell_qty),
            tdy_buyq=p12(p.today_buy_qty),
            tdy_sellq=p12(p.today_sell_qty),
        )
        for p in val.positions
    ]
    resp = Kt00004Response(
        acnt_nm=svc.customer_name(who.customer_id) if who is not None else "",
        brch_nm=BRANCH,
        entr=p12(val.cash.entr),
        d2_entra=p12(val.cash.d2),
        tot_est_amt=p12(val.total_eval),
        aset_evlt_amt=p12(val.cash.entr + val.total_eval),
        tot_pur_amt=p12(val.total_cost),
        prsm_dpst_aset_amt=p12(assets),
        tot_grnt_sella=p12(0),
        tdy_lspft_amt=p12(base_today),
        invt_bsamt=p12(base_month),
        lspft_amt=p12(net_all),
        tdy_lspft=p12(assets - base_today),
        lspft2=p12(assets - base_month),
        lspft=p12(assets - net_all),
        tdy_lspft_rt=rate2(percent(assets - base_today, base_today)),
        lspft_ratio=rate2(percent(assets - base_month, base_month)),
        lspft_rt=rate2(percent(assets - net_all, net_all)),
        stk_acnt_evlt_prst=rows,
    )
    return Reply(resp)


# --- kt00005 체결잔고 ---


@handler("kt00005")
def kt00005(call: Call) -> Reply:
    stex(call.body.dmst_stex_tp)
    svc = service(call)
    val = svc.valuation(account(call))
    cash = val.cash
    zero = p15(0)
    rows = [
        Kt00005StkCntrRemnRow(
            crd_tp="00",
            loan_dt="",
            expr_dt="",
            stk_cd=fmt.a_code(p.code),
            stk_nm=p.name,
            setl_remn=p15(p.settled_qty),
            cur_qty=p15(p.qty),
            cur_prc=p15(p.price),
            buy_uv=p15(p.avg_price),
            pur_amt=p15(p.cost),
            evlt_amt=p15(p.eval_amt),
            evltv_prft=p15(p.pnl),
            pl_rt=rate2(p.rate),
        )
        for p in val.positions
    ]
    resp = Kt00005Response(
        entr=p15(cash.entr),
        entr_d1=p15(cash.d1),
        entr_d2=p15(cash.d2),
        pymn_alow_amt=p15(cash.withdrawable),
        uncl_stk_amt=zero,
        repl_amt=zero,
        rght_repl_amt=zero,
        ord_alowa=p15(cash.orderable),
        ch_uncla=zero,
        crd_int_npay_gold=zero,
        etc_loana=zero,
        nrpy_loan=zero,
        profa_ch=p15(cash.reserved),
        repl_profa=zero,
        stk_buy_tot_amt=p15(val.total_cost),
        evlt_amt_tot=p15(val.total_eval),
        tot_pl_tot=p15(val.total_pnl),
        tot_pl_rt=rate2(percent(val.total_pnl, val.total_cost)),
        tot_re_buy_alowa=p15(cash.orderable),
        **{f"ord_alow_amt_{r}": p15(cash.orderable) for r in _RATES},
        crd_loan_tot=zero,
        crd_loan_ls_tot=zero,
        crd_grnt_rt="0.00",
        dpst_grnt_use_amt_amt=zero,
        grnt_loan_amt=zero,
        stk_cntr_remn=rows,
    )
    return Reply(resp)


# --- kt00018 계좌평가잔고내역 ---


def _kt00018_rows(val: Valuation) -> list[Kt00018AcntEvltRemnIndvTotRow]:
    total = val.total_eval
    return [
        Kt00018AcntEvltRemnIndvTotRow(
            stk_cd=fmt.a_code(p.code),
            stk_nm=p.name,
            evltv_prft=p15(p.net_pnl),
            prft_rt=rate2(p.net_rate),
            pur_pric=p15(p.avg_price),
            pred_close_pric=p12(p.base_price),
            rmnd_qty=p15(p.qty),
            trde_able_qty=p15(p.orderable_qty),
            cur_prc=p12(p.price),
            pred_buyq=p15(p.prev_buy_qty),
            pred_sellq=p15(p.prev_sell_qty),
            tdy_buyq=p15(p.today_buy_qty),
            tdy_sellq=p15(p.today_sell_qty),
            pur_amt=p15(p.cost),
            pur_cmsn=p15(p.buy_fee),
            evlt_amt=p15(p.eval_amt),
            sell_cmsn=p15(p.sell_fee),
            tax=p15(p.sell_tax),
            sum_cmsn=p15(p.buy_fee + p.sell_fee),
            poss_rt=rate2(percent(p.eval_amt, total)),
            crd_tp="00",
            crd_tp_nm="",
            crd_loan_dt="",
        )
        for p in val.positions
    ]


@handler("kt00018")
def kt00018(call: Call) -> Reply:
    choice(call.body.qry_tp, "qry_tp", ("1", "2"))
    stex(call.body.dmst_stex_tp)
    svc = service(call)
    val = svc.valuation(account(call))
    rows = _kt00018_rows(val)  # 합산 = 개별: one lot per code (no credit)
    chunk, more, key = page(call, list(enumerate(rows)), lambda r: r[0], size=_KT00018_PAGE)
    net = val.total_net_pnl
    zero = p15(0)
    resp = Kt00018Response(
        tot_pur_amt=p15(val.total_cost),
        tot_evlt_amt=p15(val.total_eval),
        tot_evlt_pl=p15(net),
        tot_prft_rt=rate2(percent(net, val.total_cost)),
        prsm_dpst_aset_amt=p15(val.estimated_assets),
        tot_loan_amt=zero,
        tot_crd_loan_amt=zero,
        tot_crd_ls_amt=zero,
        acnt_evlt_remn_indv_tot=[r for _, r in chunk],
    )
    return Reply(resp, cont_yn=more, next_key=key)


_KT00018_PAGE = 100


# --- kt00010 주문인출가능금액 / kt00011 증거금율별주문가능수량 ---


def _max_qty(svc: AccountService, cash: int, price: int) -> int:
    """The most shares a buy at ``price`` can hold with ``cash`` (commission included)."""
    if price <= 0 or cash <= 0:
        return 0
    fees = svc.brokerage.ledger.fees
    lo, hi = 0, cash // price
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid * price + fees.commission(mid * price) <= cash:
            lo = mid
        else:
            hi = mid - 1
    return lo


@handler("kt00010")
def kt00010(call: Call) -> Reply:
    b = call.body
    side = choice(b.trde_tp, "trde_tp", ("1", "2"))
    svc = service(call)
    code = code_param(svc, b.stk_cd)
    if code is None:
        raise ApiError.of(1511, param="stk_cd")
    price = int_param(b.uv, "uv")
    qty = int_param(b.trde_qty, "trde_qty", blank=0)
    int_param(b.io_amt, "io_amt", blank=0)
    int_param(b.exp_buy_unp, "exp_buy_unp", blank=0)
    acct = account(call)
    cash = svc.cash(acct)
    if side == "2":
        alowq = _max_qty(svc, cash.orderable, price)
    else:
        held = svc.brokerage.holding(acct, code)
        alowq = held.orderable_qty if held is not None else 0
    pur = price * qty
    cmsn = svc.brokerage.ledger.fees.commission(pur)
    zero = p15(0)
    fields: dict[str, str] = {}
    for r in (20, 30, 40, 50, 60, 100):
        fields[f"profa_{r}ord_alow_amt"] = p15(cash.orderable)
        fields[f"profa_{r}ord_alowq"] = p15(alowq)
    resp = Kt00010Response(
        **fields,
        profa_rdex_60ord_alow_amt=p15(cash.orderable),
        profa_rdex_60ord_alowq=p15(alowq),
        pred_reu_alowa=zero,
        tdy_reu_alowa=zero,
        entr=p15(cash.entr),
        repl_amt=zero,
        uncla=zero,
        ord_pos_repl=zero,
        ord_alowa=p15(cash.orderable),
        wthd_alowa=p15(cash.withdrawable),
        nxdy_wthd_alowa=p15(cash.withdrawable + svc.receivable(acct, 1)),
        pur_amt=p15(pur),
        cmsn=p15(cmsn),
        pur_exct_amt=p15(pur + cmsn if side == "2" else pur - cmsn),
        d2entra=p15(cash.d2),
        profa_rdex_aplc_tp="0",
    )
    return Reply(resp)


@handler("kt00011")
def kt00011(call: Call) -> Reply:
    b = call.body
    svc = service(call)
    code = code_param(svc, b.stk_cd)
    if code is None:
        raise ApiError.of(1511, param="stk_cd")
    price = int_param(b.uv, "uv", blank=0) or svc.price(code)
    cash = svc.cash(account(call))
    alowq = _max_qty(svc, cash.orderable, price)
    zero = p15(0)
    fields: dict[str, str] = {}
    for r in ("20", "30", "40", "50", "60", "100", "min"):
        prefix = "min_" if r == "min" else f"profa_{r}"
        fields[f"{prefix}ord_alow_amt"] = p15(cash.orderable)
        fields[f"{prefix}ord_alowq"] = p15(alowq)
        fields[f"{prefix}pred_reu_amt"] = zero
        fields[f"{prefix}tdy_reu_amt"] = zero
    resp = Kt00011Response(
        stk_profa_rt="100",
        profa_rt="100",
        aplc_rt="100",
        **fields,
        entr=p15(cash.entr),
        repl_amt=zero,
        uncla=zero,
        ord_pos_repl=zero,
        ord_alowa=p15(cash.orderable),
    )
    return Reply(resp)


# --- kt00017 계좌별당일현황 ---


@handler("kt00017")
def kt00017(call: Call) -> Reply:
    svc = service(call)
    acct = account(call)
    val = svc.valuation(acct)
    today = val.day
    trades = svc.trades_between(acct, today, today)
    events = [e for e in svc.cash_events(acct) if kst_date(e.at) == today]
    buys = [t for t in trades if t.fill.side is Side.BUY]
    sells = [t for t in trades if t.fill.side is Side.SELL]
    zero = p15(0)
    fields: dict[str, str] = dict.fromkeys(_KT00017_ZERO, zero)
    resp = Kt00017Response(
        **fields,
        d2_entra=p15(val.cash.d2),
        gnrl_stk_evlt_amt_d2=p15(val.total_eval),
        ina_amt=p15(sum(e.amount for e in events if e.amount > 0)),
        outa=p15(-sum(e.amount for e in events if e.amount < 0)),
        sell_amt=p15(sum(t.amount for t in sells)),
        buy_amt=p15(sum(t.amount for t in buys)),
        cmsn=p15(sum(t.fill.fee for t in trades)),
        tax=p15(sum(t.fill.tax for t in trades)),
    )
    return Reply(resp)


_KT00017_ZERO = (
    "crd_int_npay_gold",
    "etc_loana",
    "dpst_grnt_use_amt_d2",
    "crd_stk_evlt_amt_d2",
    "crd_loan_d2",
    "crd_loan_evlta_d2",
    "crd_ls_grnt_d2",
    "crd_ls_evlta_d2",
    "inq_amt",
    "outq_amt",
    "stk_pur_cptal_loan_amt",
    "rp_evlt_amt",
    "bd_evlt_amt",
    "elsevlt_amt",
    "crd_int_amt",
    "sel_prica_grnt_loan_int_amt_amt",
    "dvida_amt",
)
