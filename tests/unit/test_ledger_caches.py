"""The ledger's cached sums (balances over settlement dates, accrued costs per settlement date)
always equal a from-scratch computation over the state's fields: after reserves, fills,
releases, settlements and day rolls, under per-fill, per-order and per-day aggregation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoga.domain.fees import Aggregation, FeeComponent, FeeSchedule, Rounding
from hoga.domain.ledger import KRW, AccountKind, AccountState, Ledger, LedgerResult
from hoga.domain.model import Market, Side

CODES = {"005930": Market.KOSPI, "035720": Market.KOSDAQ, "069500": Market.ETF}
START = date(2026, 3, 2)


def _schedule(aggregation: Aggregation, unit: int, rounding: Rounding) -> FeeSchedule:
    default = FeeSchedule.default()
    taxes = tuple(
        replace(row, securities_tax=replace(row.securities_tax, aggregation=aggregation))
        for row in default.tax_rows
    )
    commission = FeeComponent("commission", Decimal("0.00015"), unit, rounding, aggregation)
    return FeeSchedule(commission, taxes)


SCHEDULES = [
    FeeSchedule.default(),
    _schedule(Aggregation.ORDER, 10, Rounding.CEILING),
    _schedule(Aggregation.DAY, 1, Rounding.HALF_UP),
]
OPS = st.sampled_from(["buy", "buy", "sell", "fill", "fill", "fill", "cancel", "settle"])


def fresh(state: AccountState) -> AccountState:
    """The same fields, nothing cached."""
    return AccountState(
        state.account, state.balances, state.reservations, state.positions, state.pending
    )


def scratch_costs(ledger: Ledger, state: AccountState, through: date | None) -> int:
    """Accrued costs the way they were computed before the cache: costs() per date."""
    dates = {f.settles for f in state.pending if through is None or f.settles <= through}
    return sum(sum(ledger.costs([f for f in state.pending if f.settles == d], d)) for d in dates)


def scratch_balance(state: AccountState, kind: AccountKind, asset: str) -> int:
    return sum(v for (a, s), v in state.balances.items() if a.kind is kind and s == asset)


def check(ledger: Ledger, state: AccountState, day: date) -> None:
    bare = fresh(state)
    for through in (None, day, day + timedelta(days=1), day + timedelta(days=2)):
        expected = scratch_costs(ledger, state, through)
        assert ledger.accrued_costs(state, through) == expected
        assert ledger.accrued_costs(bare, through) == expected
    for kind in AccountKind:
        for asset in (KRW, *CODES):
            assert state.balance(kind, asset) == scratch_balance(state, kind, asset)
            assert bare.balance(kind, asset) == state.balance(kind, asset)
    assert ledger.orderable_cash(state) == ledger.orderable_cash(bare)
    assert ledger.withdrawable_cash(state) == ledger.withdrawable_cash(bare)
    assert ledger.projected_cash(state, day + timedelta(days=2)) == ledger.projected_cash(
        bare, day + timedelta(days=2)
    )
    assert fresh(state) == state  # the caches take no part in equality


@settings(max_examples=150, deadline=None)
@given(st.data(), st.sampled_from(range(len(SCHEDULES))))
def test_cached_sums_equal_a_recomputation(data: st.DataObject, which: int) -> None:
    ledger = Ledger(SCHEDULES[which])
    state = ledger.deposit(AccountState("5000000001"), 10**9).state
    day = START
    next_order = 1
    for op in data.draw(st.lists(OPS, min_size=1, max_size=50)):
        result: LedgerResult
        if op in ("buy", "sell"):
            code = data.draw(st.sampled_from(sorted(CODES)))
            side = Side.BUY if op == "buy" else Side.SELL
            qty = data.draw(st.integers(1, 50))
            if side is Side.SELL:
                qty = min(qty, max(1, ledger.orderable_qty(state, code)))
            result = ledger.reserve(
                state,
                order_id=next_order,
                side=side,
                code=code,
                market=CODES[code],
                qty=qty,
                price=data.draw(st.integers(1_000, 90_000)),
            )
            next_order += 1
        elif op == "fill" and state.reservations:
            res = state.reservations[data.draw(st.sampled_from(sorted(state.reservations)))]
            top = res.price if res.side is Side.BUY else 90_000
            result = ledger.fill(
                state,
                order_id=res.order_id,
                qty=data.draw(st.integers(1, res.qty)),
                price=data.draw(st.integers(1_000, top)),
                trade_date=day,
                settles=day + timedelta(days=data.draw(st.sampled_from([1, 2]))),
            )
        elif op == "cancel" and state.reservations:
            res = state.reservations[data.draw(st.sampled_from(sorted(state.reservations)))]
            result = ledger.release(state, res.order_id)
        else:  # a day roll: settle what is due
            day += timedelta(days=data.draw(st.integers(1, 2)))
            result = ledger.settle(state, day)
        state = result.state
        check(ledger, state, day)


def _filled(ledger: Ledger, state: AccountState, order_id: int, settles: date) -> AccountState:
    state = ledger.reserve(
        state,
        order_id=order_id,
        side=Side.SELL,
        code="005930",
        market=Market.KOSPI,
        qty=1,
        price=70_000,
    ).state
    return ledger.fill(
        state, order_id=order_id, qty=1, price=70_000, trade_date=START, settles=settles
    ).state


def _holding() -> AccountState:
    ledger = Ledger()
    state = ledger.deposit(AccountState("5000000001"), 10**9).state
    state = ledger.reserve(
        state, order_id=1, side=Side.BUY, code="005930", market=Market.KOSPI, qty=5, price=70_000
    ).state
    state = ledger.fill(
        state, order_id=1, qty=5, price=70_000, trade_date=START, settles=START
    ).state
    return ledger.settle(state, START).state


def test_another_fee_schedule_recomputes_instead_of_reusing_the_cache() -> None:
    default, other = Ledger(), Ledger(SCHEDULES[1])
    state = _filled(default, _holding(), 2, START + timedelta(days=2))
    assert default.accrued_costs(state) == scratch_costs(default, state, None)  # cached
    assert other.accrued_costs(state) == scratch_costs(other, state, None)
    assert other.accrued_costs(state) != default.accrued_costs(state)
    # and the state the other ledger cached for still answers the first one correctly
    assert default.accrued_costs(state) == scratch_costs(default, state, None)


def test_a_fill_without_a_tax_row_is_booked_and_its_costs_raise_as_before() -> None:
    ledger = Ledger()
    state = _holding()
    assert ledger.accrued_costs(state) == 0  # cached: nothing unsettled
    too_early = date(2020, 1, 2)  # before the first tax row
    after = _filled(ledger, state, 2, too_early)
    assert after.pending[-1].settles == too_early
    with pytest.raises(LookupError):
        ledger.accrued_costs(after)
    with pytest.raises(LookupError):
        ledger.costs(after.pending, too_early)


def test_a_fill_on_a_state_without_cached_costs_builds_them_when_asked() -> None:
    ledger = Ledger()
    state = ledger.reserve(
        _holding(), order_id=2, side=Side.SELL, code="005930", market=Market.KOSPI, qty=2, price=1
    ).state
    bare = fresh(state)  # e.g. a state built elsewhere: nothing cached yet
    after = ledger.fill(
        bare, order_id=2, qty=2, price=70_000, trade_date=START, settles=START + timedelta(days=2)
    ).state
    assert ledger.accrued_costs(after) == scratch_costs(ledger, after, None) > 0


def test_remembered_charges_are_the_components_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from hoga.domain import ledger as ledger_module

    monkeypatch.setattr(ledger_module, "_CHARGES", {})
    monkeypatch.setattr(ledger_module, "_MAX_CHARGES", 3)
    floor = FeeComponent("a", Decimal("0.00015"))
    ceiling = FeeComponent("b", Decimal("0.00015"), 10, Rounding.CEILING)
    # a stale entry under the id of a component that is not the one asked about is ignored
    ledger_module._CHARGES[(id(ceiling), 70_000)] = (floor, 10)
    for amount in (70_000, 1_000_001, 70_000, 33, 70_000, 9_999_999):
        for component in (floor, ceiling):
            assert ledger_module._charge(component, amount) == component.charge(amount)
    assert len(ledger_module._CHARGES) <= 3
