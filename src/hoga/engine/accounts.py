"""Account figures for the account APIs (계좌, ``/api/dostk/acnt``), computed from live state.

:class:`AccountService` reads the brokerage (ledger state, orders, fills, journal), the exchange
(live prices) and the market-data recorder (closes of past days) and returns plain values that
the API formats. It never changes anything; every method takes the account number, and callers
(the API) pass only the principal's own account.

Definitions (one place for every figure, so the APIs agree with each other and the ledger):

- **Price** of a code: the last trade today, else the board's base price (the previous close);
  past days use that day's daily-bar close (the latest close before it when it has none).
- **Position** figures come from :meth:`Brokerage.holdings`: 보유수량 ``qty``, 결제잔고
  ``settled_qty``, 매매가능수량 ``orderable_qty``, 매입금액 ``cost`` and 평균단가
  ``avg_price`` (``cost // qty``). 평가금액 ``eval_amt = qty × price``; 평가손익 ``pnl = eval_amt −
  cost`` (gross); the net figure ``net_pnl`` also takes off the buy commission on the cost, the
  sell commission and the seller's taxes on the evaluation (what kt00018 shows).
- **Realized P&L** of a sale: amount − the cost it takes out at the average price, exactly the
  ledger's rule (``cost × qty // position qty``), recomputed by replaying the account's fills
  in execution order; it is before costs. Σ over all sales = :meth:`Brokerage.realized_pnl`.
- **Costs** of a fill are the fill rows' estimates (commission, seller's taxes); what is posted
  at settlement (:meth:`Brokerage.costs`) may differ by rounding when several fills settle
  together.
- **Settled cash** (예수금) at a moment is the sum of the journal's ``cash`` and
  ``cash_reserved`` lines up to it; **estimated assets** (추정예탁자산) = every customer cash
  book (settled, receivable, payable) − accrued costs of unsettled fills + holdings at price.
  For now that is ``CashSummary.d2 + Σ eval_amt``.
- Rates are percentages as ``Decimal`` (0 when the base is 0); the wire rounds them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hoga.domain.kst import US_PER_DAY, at_kst, kst_date
from hoga.domain.ledger import Holding
from hoga.domain.model import Market, Side
from hoga.engine.brokerage import Brokerage
from hoga.engine.brokerage_book import CashSummary
from hoga.engine.marketdata import MarketDataRecorder
from hoga.ports.storage import FillRecord, JournalEntry, OrderRecord, Storage

__all__ = [
    "AccountService",
    "CashEvent",
    "DaySnapshot",
    "PositionView",
    "TradeView",
    "Valuation",
    "percent",
    "position_effects",
]

_CASH_BOOKS = frozenset({"cash", "cash_reserved"})
_CUSTOMER_CASH = ("cash", "cash_reserved", "cash_receivable", "cash_payable")
_MAX_PRICE = 1 << 62


def percent(part: int, whole: int) -> Decimal:
    """``part / whole × 100`` as an exact-enough Decimal (0 when ``whole`` is 0)."""
    if whole == 0:
        return Decimal(0)
    return Decimal(part) * 100 / Decimal(whole)


@dataclass(frozen=True, slots=True)
class PositionView:
    """One holding valued at a price (see the module docstring for each figure)."""

    code: str
    name: str
    market: Market
    qty: int
    settled_qty: int
    orderable_qty: int
    avg_price: int
    cost: int
    price: int
    base_price: int
    eval_amt: int
    buy_fee: int
    sell_fee: int
    sell_tax: int
    prev_buy_qty: int = 0
    prev_sell_qty: int = 0
    today_buy_qty: int = 0
    today_sell_qty: int = 0

    @property
    def pnl(self) -> int:
        """평가손익, gross: ``eval_amt − cost``."""
        return self.eval_amt - self.cost

    @property
    def net_pnl(self) -> int:
        """평가손익 net of the buy and sell commission and the seller's taxes (kt00018)."""
        return self.pnl - self.buy_fee - self.sell_fee - self.sell_tax

    @property
    def rate(self) -> Decimal:
        return percent(self.pnl, self.cost)

    @property
    def net_rate(self) -> Decimal:
        return percent(self.net_pnl, self.cost)


@dataclass(frozen=True, slots=True)
class Valuation:
    """The account now: cash figures and every holding at its live price."""

    account: str
    day: date
    cash: CashSummary
    positions: tuple[PositionView, ...]

    @property
    def total_cost(self) -> int:
        return sum(p.cost for p in self.positions)

    @property
    def total_eval(self) -> int:
        return sum(p.eval_amt for p in self.positions)

    @property
    def total_pnl(self) -> int:
        return self.total_eval - self.total_cost

    @property
    def total_net_pnl(self) -> int:
        return sum(p.net_pnl for p in self.positions)

    @property
    def estimated_assets(self) -> int:
        """추정예탁자산: D+2 cash plus the holdings at price."""
        return self.cash.d2 + self.total_eval


@dataclass(frozen=True, slots=True)
class TradeView:
    """One fill with what it did to the position (sales: cost taken out and realized P&L)."""

    fill: FillRecord
    day: date
    name: str
    avg_price: int  # the position's average price just before the fill
    cost_out: int  # sales: the cost the sale took out (0 for buys)

    @property
    def amount(self) -> int:
        return self.fill.price * self.fill.qty

    @property
    def pnl(self) -> int:
        """Realized P&L before costs (0 for buys)."""
        return self.amount - self.cost_out if self.fill.side is Side.SELL else 0


@dataclass(frozen=True, slots=True)
class CashEvent:
    """A deposit (``amount`` > 0) or a withdrawal (< 0) from the journal."""

    entry_id: int
    at: int
    amount: int
    note: str


@dataclass(frozen=True, slots=True)
class DaySnapshot:
    """The account at the end of one day, valued at that day's prices."""

    day: date
    settled_cash: int
    estimated_cash: int  # every customer cash book less accrued costs (D+2 view)
    positions: tuple[PositionView, ...]

    @property
    def total_cost(self) -> int:
        return sum(p.cost for p in self.positions)

    @property
    def total_eval(self) -> int:
        return sum(p.eval_amt for p in self.positions)

    @property
    def estimated_assets(self) -> int:
        return self.estimated_cash + self.total_eval


@dataclass(slots=True)
class _Pos:
    qty: int = 0
    cost: int = 0


def position_effects(
    fills: Iterable[FillRecord], name: Callable[[str], str] = lambda code: ""
) -> list[TradeView]:
    """Replay fills (in execution order) through the ledger's position rule: a buy adds its
    amount to the code's cost, a sale takes out ``cost × qty // position qty`` — the realized
    P&L of the sale is its amount less that."""
    positions: dict[str, _Pos] = {}
    out: list[TradeView] = []
    for f in fills:
        pos = positions.setdefault(f.code, _Pos())
        avg = pos.cost // pos.qty if pos.qty > 0 else 0
        cost_out = 0
        if f.side is Side.BUY:
            pos.cost += f.price * f.qty
            pos.qty += f.qty
        else:
            cost_out = pos.cost * f.qty // pos.qty if pos.qty > 0 else 0
            pos.cost -= cost_out
            pos.qty -= f.qty
        out.append(TradeView(f, kst_date(f.at), name(f.code), avg, cost_out))
    return out


class _Closes:
    """Daily closes of past days, one bar read per code."""

    def __init__(self, svc: AccountService, first: date, last: date) -> None:
        self.svc = svc
        self.first = first - timedelta(days=400)
        self.last = last
        self.bars: dict[str, list[tuple[date, int]]] = {}

    def on(self, code: str, day: date) -> int:
        """The close of ``day`` (the latest before it); the base price when none is known."""
        if code not in self.bars:
            got = self.svc.recorder.daily_bars(self.svc.storage, code, self.first, self.last)
            self.bars[code] = [(b.day, b.close) for b in got]
        bars = self.bars[code]
        i = bisect_right(bars, (day, _MAX_PRICE))
        return bars[i - 1][1] if i else self.svc.base_price(code)


class AccountService:
    """Read-only account figures (see the module docstring)."""

    def __init__(
        self, brokerage: Brokerage, recorder: MarketDataRecorder, storage: Storage
    ) -> None:
        self.brokerage = brokerage
        self.exchange = brokerage.exchange
        self.recorder = recorder
        self.storage = storage

    # ------------------------------------------------------------------ basics

    def sync(self) -> date:
        """Bring the exchange (and the brokerage listening to it) up to the clock; today."""
        self.exchange.sync()
        return self.exchange.day

    @property
    def today(self) -> date:
        return self.exchange.day

    def known(self, code: str) -> bool:
        return code in self.exchange.states

    def name(self, code: str) -> str:
        st = self.exchange.states.get(code)
        return st.instrument.name if st is not None else ""

    def market(self, code: str) -> Market | None:
        st = self.exchange.states.get(code)
        return st.instrument.market if st is not None else None

    def price(self, code: str) -> int:
        """The live price: last trade today, else the base price (0 for an unknown code)."""
        st = self.exchange.states.get(code)
        if st is None:
            return 0
        last = st.board.stats.last
        return last if last is not None else st.board.base_price

    def base_price(self, code: str) -> int:
        st = self.exchange.states.get(code)
        return st.board.base_price if st is not None else 0

    def quotes(self, code: str) -> tuple[int | None, int | None]:
        """Best bid and ask now."""
        st = self.exchange.states.get(code)
        if st is None:
            return None, None
        stats = st.board.stats
        return stats.best_bid, stats.best_ask

    def day_bounds(self, day: date) -> tuple[int, int]:
        """``[start, end)`` of a KST day in epoch microseconds."""
        start = at_kst(day)
        return start, start + US_PER_DAY

    def cash(self, account: str) -> CashSummary:
        return self.brokerage.cash(account)

    def settlement_days(self, n: int) -> date:
        """The ``n``-th trading day after today (1: D+1, 2: D+2)."""
        day = self.today
        for _ in range(n):
            day = self.brokerage.calendar.next_trading_day(day)
        return day

    def due(self, account: str, kind: str, n: int) -> int:
        """Unsettled ``cash_receivable`` (> 0) or ``cash_payable`` (< 0) won settling by D+n."""
        through = self.settlement_days(n)
        return sum(
            v
            for (a, asset), v in self.brokerage.state(account).balances.items()
            if asset == "KRW" and a.kind == kind and a.settles is not None and a.settles <= through
        )

    def receivable(self, account: str, n: int) -> int:
        """Sale proceeds settling by D+n."""
        return self.due(account, "cash_receivable", n)

    def customer_name(self, customer_id: str) -> str:
        with self.storage.unit_of_work() as uow:
            rec = uow.customers.get(customer_id)
        return rec.name if rec is not None else ""

    # ------------------------------------------------------------------ orders and fills

    def orders(self, account: str, day: date | None = None) -> list[OrderRecord]:
        """Order rows (new, modify, cancel) created on ``day`` (all days when None)."""
        if day is None:
            return self.brokerage.orders(account)
        since, until = self.day_bounds(day)
        return self.brokerage.orders(account, since=since, until=until)

    def open_orders(self, account: str) -> list[OrderRecord]:
        return self.brokerage.open_orders(account)

    def order(self, account: str, ord_no: int) -> OrderRecord | None:
        return self.brokerage.order(account, ord_no)

    def fills(self, account: str) -> list[FillRecord]:
        return self.brokerage.fills(account)

    def fills_by_order(self, account: str) -> dict[int, list[FillRecord]]:
        out: dict[int, list[FillRecord]] = {}
        for f in self.fills(account):
            out.setdefault(f.ord_no, []).append(f)
        return out

    def trades(self, account: str) -> list[TradeView]:
        """Every fill of the account with its position effect, in execution order."""
        return position_effects(self.fills(account), self.name)

    def trades_between(self, account: str, first: date, last: date) -> list[TradeView]:
        return [t for t in self.trades(account) if first <= t.day <= last]

    # ------------------------------------------------------------------ valuation

    def _view(
        self, h: Holding, price: int, base: int, day_trades: Iterable[TradeView] = ()
    ) -> PositionView:
        fees = self.brokerage.ledger.fees
        eval_amt = h.qty * price
        settles = self.brokerage.settlement_date(self.today)
        counts = {"pb": 0, "ps": 0, "tb": 0, "ts": 0}
        prev = self.brokerage.calendar.previous_trading_day(self.today)
        for t in day_trades:
            if t.fill.code != h.code:
                continue
            side = "b" if t.fill.side is Side.BUY else "s"
            if t.day == self.today:
                counts["t" + side] += t.fill.qty
            elif t.day == prev:
                counts["p" + side] += t.fill.qty
        return PositionView(
            code=h.code,
            name=self.name(h.code),
            market=h.market,
            qty=h.qty,
            settled_qty=h.settled_qty,
            orderable_qty=h.orderable_qty,
            avg_price=h.avg_price,
            cost=h.cost,
            price=price,
            base_price=base,
            eval_amt=eval_amt,
            buy_fee=fees.commission(h.cost),
            sell_fee=fees.commission(eval_amt),
            sell_tax=fees.sell_taxes(eval_amt, h.market, settles).total if eval_amt else 0,
            prev_buy_qty=counts["pb"],
            prev_sell_qty=counts["ps"],
            today_buy_qty=counts["tb"],
            today_sell_qty=counts["ts"],
        )

    def valuation(self, account: str) -> Valuation:
        """Cash and every holding at its live price, now."""
        today = self.sync()
        prev = self.brokerage.calendar.previous_trading_day(today)
        recent = self.trades_between(account, prev, today)
        views = tuple(
            self._view(h, self.price(h.code), self.base_price(h.code), recent)
            for h in self.brokerage.holdings(account)
        )
        return Valuation(account, today, self.cash(account), views)

    # ------------------------------------------------------------------ history

    def journal(self, account: str) -> list[JournalEntry]:
        self.brokerage.flush()  # what is staged for the next group commit first
        with self.storage.unit_of_work() as uow:
            return uow.journal.entries(account)

    def cash_events(self, account: str) -> list[CashEvent]:
        """Deposits and withdrawals, in journal order."""
        out: list[CashEvent] = []
        for e in self.journal(account):
            kind, _, note = e.ref.partition(":")
            if kind in ("deposit", "withdraw"):
                amount = sum(ln.amount for ln in e.lines if ln.asset == "KRW" and ln.book == "cash")
                out.append(CashEvent(e.entry_id, e.at, amount, note))
        return out

    def settled_cash_after(self, account: str) -> dict[int, int]:
        """예수금 right after each journal entry, by entry id."""
        out: dict[int, int] = {}
        total = 0
        for e in self.journal(account):
            total += sum(
                ln.amount for ln in e.lines if ln.asset == "KRW" and ln.book in _CASH_BOOKS
            )
            out[e.entry_id] = total
        return out

    def snapshot(self, account: str, day: date) -> DaySnapshot:
        """The account at the end of ``day`` (now, for today), valued at that day's prices."""
        return self.snapshots(account, [day])[day]

    def snapshots(self, account: str, days: Iterable[date]) -> dict[date, DaySnapshot]:
        """:meth:`snapshot` of several days in one pass over the journal and the fills."""
        today = self.sync()
        wanted = sorted(set(days))
        out: dict[date, DaySnapshot] = {}
        past = [d for d in wanted if d < today]
        if past:
            out.update(self._past(account, past))
        if len(out) < len(wanted):
            val = self.valuation(account)
            for d in wanted:
                if d >= today:
                    out[d] = DaySnapshot(d, val.cash.entr, val.cash.d2, val.positions)
        return out

    def _past(self, account: str, days: list[date]) -> dict[date, DaySnapshot]:
        entries = self.journal(account)
        trades = self.trades(account)
        closes = _Closes(self, days[0], days[-1])
        out: dict[date, DaySnapshot] = {}
        settled = estimated = ei = ti = 0
        positions: dict[str, _Pos] = {}
        costs: list[tuple[date, int]] = []  # (settlement date, estimated fee + tax) per fill
        for day in days:
            until = at_kst(day + timedelta(days=1))
            while ei < len(entries) and entries[ei].at < until:
                for ln in entries[ei].lines:
                    if ln.asset == "KRW" and ln.book in _CASH_BOOKS:
                        settled += ln.amount
                    if ln.asset == "KRW" and ln.book.partition(":")[0] in _CUSTOMER_CASH:
                        estimated += ln.amount
                ei += 1
            while ti < len(trades) and trades[ti].fill.at < until:
                t = trades[ti]
                pos = positions.setdefault(t.fill.code, _Pos())
                if t.fill.side is Side.BUY:
                    pos.qty += t.fill.qty
                    pos.cost += t.amount
                else:
                    pos.qty -= t.fill.qty
                    pos.cost -= t.cost_out
                costs.append((self.brokerage.settlement_date(t.day), t.fill.fee + t.fill.tax))
                ti += 1
            accrued = sum(c for settles, c in costs if settles > day)
            views = []
            for code in sorted(positions):
                pos = positions[code]
                if pos.qty <= 0:
                    continue
                market = self.market(code) or Market.KOSPI
                avg = pos.cost // pos.qty
                h = Holding(code, market, pos.qty, pos.qty, pos.qty, avg, pos.cost, 0)
                price = closes.on(code, day)
                views.append(self._view(h, price, price))
            out[day] = DaySnapshot(day, settled, estimated - accrued, tuple(views))
        return out

    def trading_days(self, first: date, last: date) -> list[date]:
        return self.brokerage.calendar.trading_days(first, last)

    def opened_on(self, account: str) -> date | None:
        """The day of the account's first journal entry (None: nothing posted yet)."""
        entries = self.journal(account)
        return kst_date(entries[0].at) if entries else None
