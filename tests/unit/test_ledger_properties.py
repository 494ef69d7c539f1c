"""Property tests of the brokerage ledger: balance per asset and conservation of value."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hoga.domain.ledger import (
    KRW,
    AccountKind,
    AccountState,
    Ledger,
    LedgerResult,
)
from hoga.domain.model import Market, Side

LEDGER = Ledger()
CODES = {"005930": Market.KOSPI, "035720": Market.KOSDAQ, "069500": Market.ETF}
START = date(2026, 3, 2)
OPS = st.sampled_from(
    ["deposit", "withdraw", "buy", "buy", "sell", "sell", "fill", "fill", "cancel", "settle"]
)

_CUSTOMER_CASH = (
    AccountKind.CASH,
    AccountKind.CASH_RESERVED,
    AccountKind.CASH_RECEIVABLE,
    AccountKind.CASH_PAYABLE,
)


def customer_value(state: AccountState) -> int:
    """Customer cash in every account plus holdings at cost."""
    cash = sum(state.balance(kind) for kind in _CUSTOMER_CASH)
    return cash + sum(p.cost for p in state.positions.values())


@settings(max_examples=300)
@given(st.data())
def test_entries_balance_and_value_is_conserved(data: st.DataObject) -> None:
    external = data.draw(st.integers(0, 100_000_000))  # deposits − withdrawals
    state = LEDGER.deposit(AccountState("5000000001"), external).state
    day = START
    next_order = 1
    for op in data.draw(st.lists(OPS, min_size=1, max_size=60)):
        before = state
        result: LedgerResult
        if op == "deposit":
            amount = data.draw(st.integers(1, 100_000_000))
            result = LEDGER.deposit(state, amount)
            external += amount
        elif op == "withdraw":
            amount = data.draw(st.integers(1, 50_000_000))
            result = LEDGER.withdraw(state, amount)
            if result.ok:
                external -= amount
        elif op == "buy":
            # Mostly affordable orders, sometimes one share too many (refused).
            code = data.draw(st.sampled_from(sorted(CODES)))
            price = data.draw(st.integers(1, 50_000))
            affordable = max(0, LEDGER.orderable_cash(state)) // (price + price // 5_000 + 1)
            result = LEDGER.reserve(
                state,
                order_id=next_order,
                side=Side.BUY,
                code=code,
                market=CODES[code],
                qty=data.draw(st.integers(1, affordable + 1)),
                price=price,
            )
            next_order += 1
        elif op == "sell":
            held = [c for c in sorted(CODES) if LEDGER.orderable_qty(state, c) > 0]
            code = data.draw(st.sampled_from(held or sorted(CODES)))
            result = LEDGER.reserve(
                state,
                order_id=next_order,
                side=Side.SELL,
                code=code,
                market=CODES[code],
                qty=data.draw(st.integers(1, LEDGER.orderable_qty(state, code) + 1)),
                price=data.draw(st.integers(1, 60_000)),
            )
            next_order += 1
        elif op == "fill" and state.reservations:
            res = state.reservations[data.draw(st.sampled_from(sorted(state.reservations)))]
            price = data.draw(st.integers(1, res.price if res.side is Side.BUY else 60_000))
            result = LEDGER.fill(
                state,
                order_id=res.order_id,
                qty=data.draw(st.integers(1, res.qty)),
                price=price,
                trade_date=day,
                settles=day + timedelta(days=2),
            )
        elif op == "cancel" and state.reservations:
            res = state.reservations[data.draw(st.sampled_from(sorted(state.reservations)))]
            result = LEDGER.release(state, res.order_id, data.draw(st.integers(1, res.qty)))
        else:
            day += timedelta(days=data.draw(st.integers(1, 3)))
            result = LEDGER.settle(state, day)
        state = result.state

        # Every entry sums to zero per asset, and so does the whole ledger.
        for entry in result.entries:
            assert all(total == 0 for total in entry.totals().values())
        sums: dict[str, int] = {}
        for (_, asset), value in state.balances.items():
            sums[asset] = sums.get(asset, 0) + value
        assert all(total == 0 for total in sums.values())

        # Refusals change nothing.
        if not result.ok:
            assert result.state is before and result.entries == ()

        # Cash + holdings at cost moves only by money in/out, realized P&L, fees and taxes.
        realized = LEDGER.realized_pnl(state)
        costs = LEDGER.total_fees(state) + LEDGER.total_taxes(state)
        assert customer_value(state) == external + realized - costs
        # The exchange side mirrors the trades: KRW paid in net = cost still held − realized
        # P&L, and it has handed out exactly the shares the customer holds.
        held_cost = sum(p.cost for p in state.positions.values())
        assert state.balance(AccountKind.CLEARING, KRW) == held_cost - realized

        # Never promise what is not there.
        assert state.balance(AccountKind.CASH_RESERVED) >= 0
        assert LEDGER.withdrawable_cash(state) >= 0
        assert LEDGER.orderable_cash(state) >= 0
        for code in CODES:
            assert state.balance(AccountKind.CLEARING, code) == -LEDGER.position_qty(state, code)
            assert LEDGER.orderable_qty(state, code) >= 0
            assert state.balance(AccountKind.SHARES_RESERVED, code) >= 0

    # After everything has settled, nothing dated is left and no cash is owed.
    state = LEDGER.settle(state, day + timedelta(days=3)).state
    assert state.pending == ()
    assert all(account.settles is None for account, _ in state.balances)
    assert state.balance(AccountKind.BANK) == -external
    assert LEDGER.settled_cash(state) >= 0
