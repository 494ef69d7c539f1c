"""Account queries of the brokerage: what the account APIs (kt00001, kt00018, ka10075, …) read.

Orders, fills and cost postings come from storage; cash and holdings from the in-memory ledger
state of the account (see :class:`hoga.engine.brokerage.Brokerage`). Every method takes the
account number; callers check that the principal owns it. Every method first commits what the
brokerage has staged (:mod:`hoga.engine.brokerage_commit`), so an answer never shows a change
that is not durable yet.
"""

from __future__ import annotations

from datetime import date

from hoga.domain.ledger import AccountKind, AccountState, Holding, Ledger
from hoga.engine.brokerage_book import CashSummary
from hoga.engine.calendar import TradingCalendar
from hoga.engine.exchange import Exchange
from hoga.ports.storage import FillRecord, OrderRecord, Storage

__all__ = ["AccountQueries"]


class AccountQueries:
    """Read side of :class:`~hoga.engine.brokerage.Brokerage`."""

    storage: Storage
    exchange: Exchange
    ledger: Ledger

    @property
    def calendar(self) -> TradingCalendar:
        raise NotImplementedError

    def state(self, account: str) -> AccountState:
        raise NotImplementedError

    def _settle_pending(self) -> None:
        """Commit what is staged (the brokerage's group commit)."""

    def open_orders(self, account: str, code: str | None = None) -> list[OrderRecord]:
        """미체결: the account's working orders (of ``code``), by order number."""
        self._settle_pending()
        with self.storage.unit_of_work() as uow:
            return uow.orders.open_orders(account, code)

    def orders(
        self, account: str, *, since: int | None = None, until: int | None = None
    ) -> list[OrderRecord]:
        """Order history (new, modify and cancel rows) with ``since <= created_at < until``."""
        self._settle_pending()
        with self.storage.unit_of_work() as uow:
            return uow.orders.by_account(account, since=since, until=until)

    def order(self, account: str, ord_no: int) -> OrderRecord | None:
        """One order of ``account`` (None for an unknown number or another account's)."""
        self._settle_pending()
        with self.storage.unit_of_work() as uow:
            row = uow.orders.get(ord_no)
        return row if row is not None and row.account == account else None

    def fills(
        self, account: str, *, since: int | None = None, until: int | None = None
    ) -> list[FillRecord]:
        """체결: the account's executions with ``since <= at < until``, by execution id."""
        self._settle_pending()
        with self.storage.unit_of_work() as uow:
            return uow.fills.by_account(account, since=since, until=until)

    def holdings(self, account: str) -> tuple[Holding, ...]:
        """Positions with shares, by code (quantity, orderable, average price, cost, P&L)."""
        self._settle_pending()
        return self.ledger.holdings(self.state(account))

    def holding(self, account: str, code: str) -> Holding | None:
        self._settle_pending()
        return self.ledger.holding(self.state(account), code)

    def cash(self, account: str, today: date | None = None) -> CashSummary:
        """예수금, D+1/D+2 projections, orderable and withdrawable cash (see CashSummary)."""
        self._settle_pending()
        state = self.state(account)
        day = today or self.exchange.day
        cal = self.calendar
        d1 = cal.next_trading_day(day)
        d2 = cal.next_trading_day(d1)
        led = self.ledger
        return CashSummary(
            entr=led.settled_cash(state),
            d1=led.projected_cash(state, d1),
            d2=led.projected_cash(state, d2),
            orderable=led.orderable_cash(state),
            withdrawable=led.withdrawable_cash(state),
            reserved=state.balance(AccountKind.CASH_RESERVED),
            accrued_costs=led.accrued_costs(state),
        )

    def realized_pnl(self, account: str) -> int:
        """Realized P&L over all codes since the account opened (before costs)."""
        self._settle_pending()
        return self.ledger.realized_pnl(self.state(account))

    def costs(
        self, account: str, *, since: int | None = None, until: int | None = None
    ) -> tuple[int, int]:
        """(commission, taxes) posted at settlements with ``since <= at < until``."""
        self._settle_pending()
        fee = tax = 0
        with self.storage.unit_of_work() as uow:
            entries = uow.journal.entries(account, since=since, until=until)
        for entry in entries:
            for ln in entry.lines:
                if ln.book == "fees_payable":
                    fee += ln.amount
                elif ln.book in ("securities_tax_payable", "rural_tax_payable"):
                    tax += ln.amount
        return fee, tax
