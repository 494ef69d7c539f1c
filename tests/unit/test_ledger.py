"""The brokerage ledger (hoga.domain.ledger): golden round trips and refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hoga.domain.fees import Aggregation, FeeComponent, FeeSchedule
from hoga.domain.ledger import (
    KRW,
    AccountKind,
    AccountState,
    EntryKind,
    JournalEntry,
    Ledger,
    LedgerAccount,
    LedgerReject,
    LedgerResult,
    Posting,
)
from hoga.domain.model import Market, Side

LEDGER = Ledger()
CODE = "005930"
MON, TUE, WED, THU, FRI = (date(2026, 3, d) for d in (2, 3, 4, 5, 6))
NEXT_MON = date(2026, 3, 9)


def ok(result: LedgerResult) -> AccountState:
    assert result.ok, result.rejected
    for entry in result.entries:
        assert all(v == 0 for v in entry.totals().values())
    return result.state


def funded(amount: int = 20_000_000) -> AccountState:
    return ok(LEDGER.deposit(AccountState("5000000001"), amount))


def buy(state: AccountState, order_id: int, qty: int, price: int, **kw: object) -> AccountState:
    market = kw.get("market", Market.KOSPI)
    code = kw.get("code", CODE)
    assert isinstance(market, Market) and isinstance(code, str)
    return ok(
        LEDGER.reserve(
            state, order_id=order_id, side=Side.BUY, code=code, market=market, qty=qty, price=price
        )
    )


def sell(
    state: AccountState, order_id: int, qty: int, price: int, code: str = CODE, **kw: object
) -> AccountState:
    market = kw.get("market", Market.KOSPI)
    assert isinstance(market, Market)
    return ok(
        LEDGER.reserve(
            state, order_id=order_id, side=Side.SELL, code=code, market=market, qty=qty, price=price
        )
    )


def fill(
    state: AccountState, order_id: int, qty: int, price: int, traded: date, settles: date
) -> AccountState:
    return ok(
        LEDGER.fill(
            state, order_id=order_id, qty=qty, price=price, trade_date=traded, settles=settles
        )
    )


def test_golden_buy_then_sell_round_trip() -> None:
    state = funded()
    state = buy(state, 1, 1_000, 10_000)
    assert state.balance(AccountKind.CASH_RESERVED) == 10_001_500  # amount + commission
    assert LEDGER.orderable_cash(state) == 9_998_500
    assert LEDGER.settled_cash(state) == 20_000_000

    state = fill(state, 1, 1_000, 10_000, MON, WED)
    assert state.reservations == {}
    assert LEDGER.settled_cash(state) == 20_000_000  # entr: nothing paid yet
    assert LEDGER.projected_cash(state, TUE) == 20_000_000  # d1_entra
    assert LEDGER.projected_cash(state, WED) == 9_998_500  # d2_entra: cost + 1,500 commission
    assert LEDGER.orderable_cash(state) == 9_998_500
    assert LEDGER.withdrawable_cash(state) == 9_998_500
    assert LEDGER.accrued_costs(state) == 1_500
    held = LEDGER.holding(state, CODE)
    assert held is not None
    assert (held.qty, held.settled_qty, held.orderable_qty, held.avg_price) == (
        1_000,
        0,
        1_000,
        10_000,
    )

    state = ok(LEDGER.settle(state, TUE))  # nothing due yet
    assert state.pending != ()
    result = LEDGER.settle(state, WED)
    state = ok(result)
    assert [e.kind for e in result.entries] == [EntryKind.SETTLEMENT]
    assert state.balance(AccountKind.CASH) == 9_998_500
    assert state.balance(AccountKind.SHARES, CODE) == 1_000
    assert LEDGER.total_fees(state) == 1_500
    assert LEDGER.total_taxes(state) == 0  # the buyer pays no tax

    state = sell(state, 2, 1_000, 10_500)
    assert LEDGER.orderable_qty(state, CODE) == 0
    state = fill(state, 2, 600, 10_500, THU, NEXT_MON)
    state = fill(state, 2, 400, 10_600, THU, NEXT_MON)
    assert LEDGER.holdings(state) == ()
    # Proceeds 10,540,000; commission 945 + 636; tax 3,150 + 2,120; rural 9,450 + 6,360.
    assert LEDGER.accrued_costs(state) == 1_581 + 5_270 + 15_810
    assert LEDGER.projected_cash(state, NEXT_MON) == 9_998_500 + 10_540_000 - 22_661
    state = ok(LEDGER.settle(state, NEXT_MON))
    assert state.balance(AccountKind.CASH) == 20_515_839
    assert LEDGER.total_fees(state) == 1_500 + 1_581
    assert LEDGER.total_taxes(state) == 5_270 + 15_810
    assert state.balance(AccountKind.SECURITIES_TAX_PAYABLE) == 5_270
    assert state.balance(AccountKind.RURAL_TAX_PAYABLE) == 15_810
    assert LEDGER.realized_pnl(state) == 540_000
    closed = LEDGER.holding(state, CODE)
    assert closed is not None
    assert (closed.qty, closed.avg_price, closed.cost, closed.realized_pnl) == (0, 0, 0, 540_000)
    # Every customer and counterpart balance of the code is gone; money is where it should be.
    assert state.balance(AccountKind.SHARES, CODE) == 0
    assert state.balance(AccountKind.CLEARING, CODE) == 0
    assert state.balance(AccountKind.CLEARING) == -540_000
    assert state.pending == ()


def test_golden_kospi_sale_of_ten_million_in_2026() -> None:
    state = buy(funded(), 1, 1_000, 10_000)
    state = ok(LEDGER.settle(fill(state, 1, 1_000, 10_000, MON, WED), WED))
    state = fill(sell(state, 2, 1_000, 10_000), 2, 1_000, 10_000, THU, NEXT_MON)
    before = state.balance(AccountKind.CASH)
    state = ok(LEDGER.settle(state, NEXT_MON))
    assert state.balance(AccountKind.CASH) - before == 10_000_000 - 21_500


def test_tax_rate_follows_the_settlement_date() -> None:
    state = buy(funded(), 1, 1_000, 10_000)
    state = ok(
        LEDGER.settle(
            fill(state, 1, 1_000, 10_000, date(2024, 12, 20), date(2024, 12, 24)),
            date(2024, 12, 24),
        )
    )
    state = fill(
        sell(state, 2, 1_000, 10_000), 2, 1_000, 10_000, date(2024, 12, 27), date(2025, 1, 2)
    )
    state = ok(LEDGER.settle(state, date(2025, 1, 2)))
    assert state.balance(AccountKind.SECURITIES_TAX_PAYABLE) == 0  # 2025 KOSPI: 0%
    assert state.balance(AccountKind.RURAL_TAX_PAYABLE) == 15_000


@pytest.mark.parametrize(("market", "tax"), [(Market.ETF, 0), (Market.KOSDAQ, 20_000)])
def test_market_decides_the_tax(market: Market, tax: int) -> None:
    state = buy(funded(), 1, 1_000, 10_000, market=market, code="069500")
    state = ok(LEDGER.settle(fill(state, 1, 1_000, 10_000, MON, WED), WED))
    state = fill(
        sell(state, 2, 1_000, 10_000, "069500", market=market), 2, 1_000, 10_000, THU, NEXT_MON
    )
    state = ok(LEDGER.settle(state, NEXT_MON))
    assert LEDGER.total_taxes(state) == tax
    assert state.balance(AccountKind.RURAL_TAX_PAYABLE) == 0


def test_sale_proceeds_can_be_reused_before_settlement() -> None:
    state = buy(funded(10_001_500), 1, 1_000, 10_000)
    state = ok(LEDGER.settle(fill(state, 1, 1_000, 10_000, MON, WED), WED))
    assert state.balance(AccountKind.CASH) == 0
    state = fill(sell(state, 2, 1_000, 10_000), 2, 1_000, 10_000, THU, NEXT_MON)
    assert LEDGER.withdrawable_cash(state) == 0  # proceeds not settled yet
    orderable = LEDGER.orderable_cash(state)
    assert orderable == 10_000_000 - 21_500
    # Buy again with the unsettled proceeds: free cash goes negative, entr stays 0.
    state = buy(state, 3, 997, 10_000)
    assert state.balance(AccountKind.CASH) < 0
    assert LEDGER.settled_cash(state) == 0
    refused = LEDGER.reserve(
        state, order_id=4, side=Side.BUY, code=CODE, market=Market.KOSPI, qty=1, price=10_000
    )
    assert refused.rejected is LedgerReject.INSUFFICIENT_CASH
    assert refused.state is state and refused.entries == ()


def test_shares_bought_today_can_be_sold_today() -> None:
    state = fill(buy(funded(), 1, 10, 10_000), 1, 10, 10_000, MON, WED)
    state = sell(state, 2, 10, 11_000)
    assert state.balance(AccountKind.SHARES, CODE) == -10  # covered by the receivable
    state = fill(state, 2, 10, 11_000, MON, WED)
    state = ok(LEDGER.settle(state, WED))
    assert state.balance(AccountKind.SHARES, CODE) == 0
    assert LEDGER.realized_pnl(state) == 10_000
    assert LEDGER.total_fees(state) == 15 + 16


def test_price_improvement_releases_the_unused_hold() -> None:
    state = buy(funded(), 1, 100, 10_000)
    state = fill(state, 1, 100, 9_900, MON, WED)
    assert state.balance(AccountKind.CASH_RESERVED) == 0
    assert LEDGER.orderable_cash(state) == 20_000_000 - 990_000 - 148
    held = LEDGER.holding(state, CODE)
    assert held is not None and held.avg_price == 9_900


def test_partial_fill_then_cancel_rest() -> None:
    state = buy(funded(), 1, 100, 10_000)
    state = fill(state, 1, 40, 10_000, MON, WED)
    assert state.reservations[1].qty == 60
    assert state.balance(AccountKind.CASH_RESERVED) == 600_000 + 90
    state = ok(LEDGER.release(state, 1, 20))
    assert state.reservations[1].qty == 40
    assert state.balance(AccountKind.CASH_RESERVED) == 400_000 + 60
    result = LEDGER.release(state, 1)
    state = ok(result)
    assert result.entries[0].kind is EntryKind.RELEASE
    assert state.reservations == {}
    assert state.balance(AccountKind.CASH_RESERVED) == 0
    assert LEDGER.orderable_cash(state) == 20_000_000 - 400_000 - 60


def test_sell_reservation_release() -> None:
    state = ok(LEDGER.settle(fill(buy(funded(), 1, 10, 1_000), 1, 10, 1_000, MON, WED), WED))
    state = sell(state, 2, 10, 1_000)
    state = ok(LEDGER.release(state, 2, 4))
    assert LEDGER.orderable_qty(state, CODE) == 4
    assert state.reservations[2].held == 6
    state = ok(LEDGER.release(state, 2))
    assert LEDGER.orderable_qty(state, CODE) == 10
    assert state.balance(AccountKind.SHARES_RESERVED, CODE) == 0


def test_average_price_over_several_buys() -> None:
    state = fill(buy(funded(), 1, 10, 1_000), 1, 10, 1_000, MON, WED)
    state = fill(buy(state, 2, 20, 1_300), 2, 20, 1_300, MON, WED)
    held = LEDGER.holding(state, CODE)
    assert held is not None
    assert (held.qty, held.cost, held.avg_price) == (30, 36_000, 1_200)
    state = fill(sell(state, 3, 10, 1_100), 3, 10, 1_100, TUE, THU)
    held = LEDGER.holding(state, CODE)
    assert held is not None
    assert (held.qty, held.cost, held.avg_price, held.realized_pnl) == (20, 24_000, 1_200, -1_000)
    assert [h.code for h in LEDGER.holdings(state)] == [CODE]
    assert LEDGER.holding(state, "000660") is None


def test_per_order_commission_aggregation() -> None:
    ledger = Ledger(
        FeeSchedule(
            FeeComponent("commission", Decimal("0.00015"), aggregation=Aggregation.ORDER),
            FeeSchedule.default().tax_rows,
        )
    )
    state = ok(ledger.deposit(AccountState("1"), 1_000_000))
    state = ok(
        ledger.reserve(
            state, order_id=1, side=Side.BUY, code=CODE, market=Market.KOSPI, qty=2, price=5_000
        )
    )
    for _ in range(2):
        state = ok(ledger.fill(state, order_id=1, qty=1, price=5_000, trade_date=MON, settles=WED))
    # Per fill: 0 + 0; per order: 1.5 -> 1.
    state = ok(ledger.settle(state, WED))
    assert ledger.total_fees(state) == 1


def test_deposit_and_withdraw() -> None:
    state = funded(1_000)
    result = LEDGER.withdraw(state, 400)
    state = ok(result)
    assert result.entries[0].kind is EntryKind.WITHDRAWAL
    assert state.balance(AccountKind.CASH) == 600
    assert state.balance(AccountKind.BANK) == -600
    assert LEDGER.withdraw(state, 601).rejected is LedgerReject.INSUFFICIENT_CASH
    assert LEDGER.withdraw(state, 0).rejected is LedgerReject.INVALID_AMOUNT
    assert LEDGER.deposit(state, -1).rejected is LedgerReject.INVALID_AMOUNT


def test_withdrawable_never_negative() -> None:
    state = fill(buy(funded(10_001_500), 1, 1_000, 10_000), 1, 1_000, 10_000, MON, WED)
    state = ok(LEDGER.settle(state, WED))
    state = fill(sell(state, 2, 1_000, 10_000), 2, 1_000, 10_000, THU, NEXT_MON)
    state = fill(buy(state, 3, 900, 10_000), 3, 900, 10_000, THU, NEXT_MON)
    assert LEDGER.withdrawable_cash(state) == 0


def test_refusals_leave_state_unchanged() -> None:
    state = buy(funded(), 1, 10, 1_000)
    cases = [
        LEDGER.reserve(
            state, order_id=1, side=Side.BUY, code=CODE, market=Market.KOSPI, qty=1, price=1
        ),
        LEDGER.reserve(
            state, order_id=2, side=Side.BUY, code=CODE, market=Market.KOSPI, qty=0, price=1
        ),
        LEDGER.reserve(
            state, order_id=2, side=Side.BUY, code=CODE, market=Market.KOSPI, qty=1, price=0
        ),
        LEDGER.reserve(
            state, order_id=2, side=Side.SELL, code=CODE, market=Market.KOSPI, qty=1, price=1
        ),
        LEDGER.release(state, 9),
        LEDGER.release(state, 1, 0),
        LEDGER.release(state, 1, 11),
        LEDGER.fill(state, order_id=9, qty=1, price=1_000, trade_date=MON, settles=WED),
        LEDGER.fill(state, order_id=1, qty=0, price=1_000, trade_date=MON, settles=WED),
        LEDGER.fill(state, order_id=1, qty=1, price=0, trade_date=MON, settles=WED),
        LEDGER.fill(state, order_id=1, qty=11, price=1_000, trade_date=MON, settles=WED),
        LEDGER.fill(state, order_id=1, qty=1, price=1_001, trade_date=MON, settles=WED),
    ]
    assert [c.rejected for c in cases] == [
        LedgerReject.DUPLICATE_ORDER,
        LedgerReject.INVALID_AMOUNT,
        LedgerReject.INVALID_AMOUNT,
        LedgerReject.INSUFFICIENT_SHARES,
        LedgerReject.ORDER_NOT_FOUND,
        LedgerReject.INVALID_AMOUNT,
        LedgerReject.INVALID_AMOUNT,
        LedgerReject.ORDER_NOT_FOUND,
        LedgerReject.INVALID_AMOUNT,
        LedgerReject.INVALID_AMOUNT,
        LedgerReject.OVERFILL,
        LedgerReject.PRICE_ABOVE_RESERVATION,
    ]
    assert all(c.state is state and c.entries == () and not c.ok for c in cases)


def test_sell_fill_may_be_above_the_limit() -> None:
    state = ok(LEDGER.settle(fill(buy(funded(), 1, 10, 1_000), 1, 10, 1_000, MON, WED), WED))
    state = fill(sell(state, 2, 10, 1_000), 2, 10, 1_200, THU, NEXT_MON)
    assert LEDGER.realized_pnl(state) == 2_000


def test_unbalanced_entry_is_a_bug() -> None:
    cash = LedgerAccount(AccountKind.CASH)
    with pytest.raises(ValueError, match="unbalanced"):
        JournalEntry(EntryKind.DEPOSIT, (Posting(cash, KRW, 1),))
    with pytest.raises(ValueError):
        JournalEntry(
            EntryKind.FILL,
            (Posting(cash, KRW, 1), Posting(cash, CODE, -1)),  # balanced in sum, not per asset
        )


def test_account_names() -> None:
    assert str(LedgerAccount(AccountKind.CASH)) == "cash"
    assert str(LedgerAccount(AccountKind.CASH_PAYABLE, WED)) == "cash_payable:2026-03-04"


def test_dated_balances() -> None:
    state = fill(buy(funded(), 1, 10, 1_000), 1, 10, 1_000, MON, WED)
    assert state.dated(AccountKind.CASH_PAYABLE, WED) == -10_000
    assert state.dated(AccountKind.SHARES_RECEIVABLE, WED, CODE) == 10
    assert state.dated(AccountKind.CASH_PAYABLE, THU) == 0
    assert state.balance(AccountKind.CLEARING, CODE) == -10


def test_ledger_accounts_compare_and_hash_by_kind_and_date() -> None:
    d = date(2026, 11, 27)
    a, b = LedgerAccount(AccountKind.CASH_PAYABLE, d), LedgerAccount(AccountKind.CASH_PAYABLE, d)
    assert a == b and hash(a) == hash(b) and {a: 1}[b] == 1
    assert a != LedgerAccount(AccountKind.CASH_PAYABLE, date(2026, 11, 30))
    assert a != LedgerAccount(AccountKind.CASH_RECEIVABLE, d)
    assert LedgerAccount(AccountKind.CASH) == LedgerAccount(AccountKind.CASH)
    assert a != (AccountKind.CASH_PAYABLE, d) and a != "cash_payable"  # other types: never equal
