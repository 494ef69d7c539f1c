"""Typed results of the SDK: real numbers (``int`` won/shares, ``Decimal`` rates, dates).

Each object is built from the wire struct of its api-id by a ``from_wire`` function and keeps
that struct as ``raw`` for the fields not lifted here. Conversions:

* prices carry a direction sign on the wire (``"-78800"`` = 78,800, down on the day): prices
  are returned as non-negative ``int``; ``change`` (전일대비) keeps its arithmetic sign;
* zero-padded amounts (``"000000000017534"``, ``"-00000000000084"``) become plain ``int``;
* rates become ``Decimal`` (``"+0.94"`` → ``Decimal("0.94")``);
* dates ``YYYYMMDD`` become ``date``; times ``HHMMSS`` become ``time``; minute/tick bar times
  ``YYYYMMDDHHMMSS`` become KST-aware ``datetime``; blanks become ``None`` (or 0 for amounts);
* codes lose the ``A`` prefix some account responses add (``"A005930"`` → ``"005930"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from hoga.wire.format import (
    KST,
    parse_date,
    parse_decimal,
    parse_optional_int,
    parse_time,
    plain_code,
)

__all__ = [
    "AccountEvaluation",
    "Balance",
    "Bar",
    "CancelAck",
    "Deposit",
    "EvaluationRow",
    "Fill",
    "Level",
    "ModifyAck",
    "OpenOrder",
    "OrderAck",
    "OrderBook",
    "Position",
    "Quote",
    "Side",
    "Trade",
    "amount",
    "parse_side",
    "price",
    "rate",
]

Side = Literal["buy", "sell", ""]


def amount(text: str) -> int:
    """A signed integer; blank → 0 (``"-00000000000084"`` → -84)."""
    value = parse_optional_int(text)
    return 0 if value is None else value


def price(text: str) -> int:
    """A price without its direction sign; blank → 0."""
    return abs(amount(text))


def rate(text: str) -> Decimal:
    """A rate as Decimal; blank → 0."""
    return parse_decimal(text) if text.strip() else Decimal(0)


def _date(text: str) -> date | None:
    return parse_date(text) if text.strip() else None


def _time(text: str) -> time | None:
    return parse_time(text) if text.strip() else None


def _stamp(text: str) -> datetime:
    """``YYYYMMDDHHMMSS`` or ``YYYYMMDD`` → KST datetime."""
    t = text.strip()
    d = parse_date(t[:8])
    hms = parse_time(t[8:14]) if len(t) >= 14 else time(0)
    return datetime.combine(d, hms, tzinfo=KST)


def parse_side(text: str) -> Side:
    """``"+매수"``/``"현금매수"`` → buy, ``"-매도"`` → sell; FID 907: ``"1"`` sell, ``"2"`` buy."""
    t = text.strip()
    if "매수" in t or t == "2":
        return "buy"
    if "매도" in t or t == "1":
        return "sell"
    return ""


@dataclass(frozen=True, slots=True)
class Quote:
    """ka10001 주식기본정보 — the current quote and limits of one stock."""

    code: str
    name: str
    price: int
    change: int
    change_rate: Decimal
    volume: int
    open: int
    high: int
    low: int
    base_price: int
    upper_limit: int
    lower_limit: int
    raw: Any

    @classmethod
    def from_wire(cls, r: Any) -> Quote:
        return cls(
            code=r.stk_cd,
            name=r.stk_nm,
            price=price(r.cur_prc),
            change=amount(r.pred_pre),
            change_rate=rate(r.flu_rt),
            volume=amount(r.trde_qty),
            open=price(r.open_pric),
            high=price(r.high_pric),
            low=price(r.low_pric),
            base_price=price(r.base_pric),
            upper_limit=price(r.upl_pric),
            lower_limit=price(r.lst_pric),
            raw=r,
        )


@dataclass(frozen=True, slots=True)
class Level:
    """One price level of the book."""

    price: int
    qty: int


_ORD = {1: "fpr", 2: "2th", 3: "3th", 4: "4th", 5: "5th", 6: "6th", 7: "7th", 8: "8th"}


@dataclass(frozen=True, slots=True)
class OrderBook:
    """ka10004 주식호가 — ten levels a side, best first; empty levels are left out."""

    time: time | None
    asks: tuple[Level, ...]
    bids: tuple[Level, ...]
    total_ask_qty: int
    total_bid_qty: int
    raw: Any

    @property
    def best_ask(self) -> int | None:
        return self.asks[0].price if self.asks else None

    @property
    def best_bid(self) -> int | None:
        return self.bids[0].price if self.bids else None

    @classmethod
    def from_wire(cls, r: Any) -> OrderBook:
        def side(prefix: str) -> tuple[Level, ...]:
            out = []
            for n in range(1, 11):
                tag = _ORD.get(n, f"{n}th")
                p = getattr(r, f"{prefix}_fpr_bid" if n == 1 else f"{prefix}_{tag}_pre_bid")
                q = getattr(r, f"{prefix}_fpr_req" if n == 1 else f"{prefix}_{tag}_pre_req")
                if price(p) > 0:
                    out.append(Level(price(p), amount(q)))
            return tuple(out)

        return cls(
            time=_time(r.bid_req_base_tm),
            asks=side("sel"),
            bids=side("buy"),
            total_ask_qty=amount(r.tot_sel_req),
            total_bid_qty=amount(r.tot_buy_req),
            raw=r,
        )


@dataclass(frozen=True, slots=True)
class Trade:
    """ka10003 체결정보 row: one print; ``side`` is the initiator (sign of the quantity)."""

    time: time | None
    price: int
    change: int
    change_rate: Decimal
    qty: int
    side: Side
    cumulative_volume: int
    exchange: str
    raw: Any

    @classmethod
    def from_wire(cls, r: Any) -> Trade:
        q = amount(r.cntr_trde_qty)
        return cls(
            time=_time(r.tm),
            price=price(r.cur_prc),
            change=amount(r.pred_pre),
            change_rate=rate(r.pre_rt),
            qty=abs(q),
            side="sell" if q < 0 else "buy" if q > 0 else "",
            cumulative_volume=amount(r.acc_trde_qty),
            exchange=r.stex_tp,
            raw=r,
        )


@dataclass(frozen=True, slots=True)
class Bar:
    """One chart bar (ka10079–ka10083, ka10094). ``at`` is KST (midnight for daily and up).

    ``value`` (거래대금) is in the unit the api-id uses (백만원 for daily bars), None when the
    api-id has none.
    """

    at: datetime
    open: int
    high: int
    low: int
    close: int
    volume: int
    value: int | None
    raw: Any

    @property
    def date(self) -> date:
        return self.at.date()

    @classmethod
    def from_wire(cls, r: Any) -> Bar:
        stamp = getattr(r, "cntr_tm", "") or getattr(r, "dt", "")
        value = getattr(r, "trde_prica", None)
        return cls(
            at=_stamp(stamp),
            open=price(r.open_pric),
            high=price(r.high_pric),
            low=price(r.low_pric),
            close=price(r.cur_prc),
            volume=amount(r.trde_qty),
            value=None if value is None or not value.strip() else amount(value),
            raw=r,
        )


@dataclass(frozen=True, slots=True)
class Deposit:
    """kt00001 예수금상세현황 — cash figures in won."""

    cash: int
    orderable: int
    withdrawable: int
    d1_cash: int
    d2_cash: int
    raw: Any

    @classmethod
    def from_wire(cls, r: Any) -> Deposit:
        return cls(
            cash=amount(r.entr),
            orderable=amount(r.ord_alow_amt),
            withdrawable=amount(r.pymn_alow_amt),
            d1_cash=amount(r.d1_entra),
            d2_cash=amount(r.d2_entra),
            raw=r,
        )


@dataclass(frozen=True, slots=True)
class EvaluationRow:
    """kt00004 ``stk_acnt_evlt_prst`` row."""

    code: str
    name: str
    qty: int
    avg_price: int
    price: int
    value: int
    pl: int
    pl_rate: Decimal
    purchase: int
    raw: Any

    @classmethod
    def from_wire(cls, r: Any) -> EvaluationRow:
        return cls(
            code=plain_code(r.stk_cd),
            name=r.stk_nm,
            qty=amount(r.rmnd_qty),
            avg_price=price(r.avg_prc),
            price=price(r.cur_prc),
            value=amount(r.evlt_amt),
            pl=amount(r.pl_amt),
            pl_rate=rate(r.pl_rt),
            purchase=amount(r.pur_amt),
            raw=r,
        )


@dataclass(frozen=True, slots=True)
class AccountEvaluation:
    """kt00004 계좌평가현황."""

    account_name: str
    cash: int
    d2_cash: int
    holdings_value: int
    asset_value: int
    total_purchase: int
    estimated_assets: int
    today_pl: int
    cumulative_pl: int
    holdings: tuple[EvaluationRow, ...]
    raw: Any

    @classmethod
    def from_wire(cls, r: Any) -> AccountEvaluation:
        return cls(
            account_name=r.acnt_nm,
            cash=amount(r.entr),
            d2_cash=amount(r.d2_entra),
            holdings_value=amount(r.tot_est_amt),
            asset_value=amount(r.aset_evlt_amt),
            total_purchase=amount(r.tot_pur_amt),
            estimated_assets=amount(r.prsm_dpst_aset_amt),
            today_pl=amount(r.tdy_lspft),
            cumulative_pl=amount(r.lspft),
            holdings=tuple(EvaluationRow.from_wire(x) for x in r.stk_acnt_evlt_prst),
            raw=r,
        )


@dataclass(frozen=True, slots=True)
class Position:
    """kt00018 ``acnt_evlt_remn_indv_tot`` row."""

    code: str
    name: str
    qty: int
    tradable_qty: int
    purchase_price: int
    price: int
    value: int
    pl: int
    return_rate: Decimal
    purchase_amount: int
    raw: Any

    @classmethod
    def from_wire(cls, r: Any) -> Position:
        return cls(
            code=plain_code(r.stk_cd),
            name=r.stk_nm,
            qty=amount(r.rmnd_qty),
            tradable_qty=amount(r.trde_able_qty),
            purchase_price=price(r.pur_pric),
            price=price(r.cur_prc),
            value=amount(r.evlt_amt),
            pl=amount(r.evltv_prft),
            return_rate=rate(r.prft_rt),
            purchase_amount=amount(r.pur_amt),
            raw=r,
        )


@dataclass(frozen=True, slots=True)
class Balance:
    """kt00018 계좌평가잔고내역 (every page merged)."""

    total_purchase: int
    total_value: int
    total_pl: int
    total_return: Decimal
    estimated_assets: int
    positions: tuple[Position, ...]
    raw: Any

    @classmethod
    def from_wire(cls, r: Any, rows: list[Any] | None = None) -> Balance:
        return cls(
            total_purchase=amount(r.tot_pur_amt),
            total_value=amount(r.tot_evlt_amt),
            total_pl=amount(r.tot_evlt_pl),
            total_return=rate(r.tot_prft_rt),
            estimated_assets=amount(r.prsm_dpst_aset_amt),
            positions=tuple(
                Position.from_wire(x) for x in (r.acnt_evlt_remn_indv_tot if rows is None else rows)
            ),
            raw=r,
        )


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """ka10075 미체결 row."""

    order_no: str
    code: str
    name: str
    side: Side
    qty: int
    price: int
    open_qty: int
    filled_qty: int
    status: str
    order_type: str
    time: time | None
    original_order_no: str
    raw: Any

    @classmethod
    def from_wire(cls, r: Any) -> OpenOrder:
        return cls(
            order_no=r.ord_no,
            code=plain_code(r.stk_cd),
            name=r.stk_nm,
            side=parse_side(r.io_tp_nm),
            qty=amount(r.ord_qty),
            price=price(r.ord_pric),
            open_qty=amount(r.oso_qty),
            filled_qty=amount(r.cntr_qty),
            status=r.ord_stt,
            order_type=r.trde_tp,
            time=_time(r.tm),
            original_order_no=r.orig_ord_no,
            raw=r,
        )


@dataclass(frozen=True, slots=True)
class Fill:
    """ka10076 체결 row."""

    order_no: str
    code: str
    name: str
    side: Side
    qty: int
    price: int
    fill_price: int
    fill_qty: int
    open_qty: int
    fee: int
    tax: int
    time: time | None
    raw: Any

    @classmethod
    def from_wire(cls, r: Any) -> Fill:
        return cls(
            order_no=r.ord_no,
            code=plain_code(r.stk_cd),
            name=r.stk_nm,
            side=parse_side(r.io_tp_nm),
            qty=amount(r.ord_qty),
            price=price(r.ord_pric),
            fill_price=price(r.cntr_pric),
            fill_qty=amount(r.cntr_qty),
            open_qty=amount(r.oso_qty),
            fee=amount(r.tdy_trde_cmsn),
            tax=amount(r.tdy_trde_tax),
            time=_time(r.ord_tm),
            raw=r,
        )


@dataclass(frozen=True, slots=True)
class OrderAck:
    """kt10000/kt10001 — the order number. ``recovered`` is True when the response was lost
    in transport and the order was found among open orders or fills instead (no resend)."""

    order_no: str
    exchange: str
    message: str
    recovered: bool = False


@dataclass(frozen=True, slots=True)
class ModifyAck:
    """kt10002 정정 — the new order number and the first order of the chain."""

    order_no: str
    original_order_no: str
    qty: int
    message: str


@dataclass(frozen=True, slots=True)
class CancelAck:
    """kt10003 취소."""

    order_no: str
    original_order_no: str
    qty: int
    message: str
