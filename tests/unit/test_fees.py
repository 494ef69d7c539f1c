"""Commission and seller's taxes (hoga.domain.fees)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoga.domain.fees import (
    DEFAULT_TAX_ROWS,
    Aggregation,
    FeeBasis,
    FeeComponent,
    FeeSchedule,
    Rounding,
    TaxBreakdown,
)
from hoga.domain.model import Market

SCHEDULE = FeeSchedule.default()


def test_golden_2026_kospi_sale_of_ten_million() -> None:
    amount = 10_000_000
    commission = SCHEDULE.commission(amount)
    taxes = SCHEDULE.sell_taxes(amount, Market.KOSPI, date(2026, 1, 5))
    assert commission == 1_500
    assert taxes == TaxBreakdown(securities_tax=5_000, rural_tax=15_000)
    assert taxes.total == 20_000
    assert commission + taxes.total == 21_500


def test_tax_follows_settlement_date_not_trade_date() -> None:
    # Traded 2024-12-27, settled 2025-01-02: the 2025 rate (0% + 0.15%) applies.
    assert SCHEDULE.sell_taxes(10_000_000, Market.KOSPI, date(2025, 1, 2)) == TaxBreakdown(
        0, 15_000
    )
    # Settled 2024-12-31: still the 2024 rate (0.03% + 0.15%).
    assert SCHEDULE.sell_taxes(10_000_000, Market.KOSPI, date(2024, 12, 31)) == TaxBreakdown(
        3_000, 15_000
    )


@pytest.mark.parametrize(
    ("market", "settles", "securities", "rural"),
    [
        (Market.KOSPI, date(2023, 6, 1), 5_000, 15_000),
        (Market.KOSDAQ, date(2023, 6, 1), 20_000, 0),
        (Market.KOSDAQ, date(2024, 6, 1), 18_000, 0),
        (Market.KOSDAQ, date(2025, 6, 1), 15_000, 0),
        (Market.KOSDAQ, date(2026, 6, 1), 20_000, 0),
        (Market.KONEX, date(2023, 6, 1), 10_000, 0),
        (Market.KONEX, date(2026, 6, 1), 10_000, 0),
        (Market.ETF, date(2026, 6, 1), 0, 0),
        (Market.ETN, date(2025, 6, 1), 0, 0),
    ],
)
def test_tax_table_rows(market: Market, settles: date, securities: int, rural: int) -> None:
    assert SCHEDULE.sell_taxes(10_000_000, market, settles) == TaxBreakdown(securities, rural)


def test_settlement_before_the_table_is_a_configuration_error() -> None:
    with pytest.raises(LookupError):
        SCHEDULE.sell_taxes(1_000, Market.KOSPI, date(2022, 12, 31))


def test_commission_truncates_below_one_won_per_fill() -> None:
    assert SCHEDULE.commission(10_000_001) == 1_500
    assert SCHEDULE.commission(6_666) == 0  # 0.9999 won
    assert SCHEDULE.commission(6_667) == 1
    assert FeeSchedule.default(Decimal("0.0001")).commission(1_000_000) == 100


def test_taxes_truncate_below_one_won() -> None:
    # 0.05% of 9,999 = 4.9995 -> 4; 0.15% = 14.9985 -> 14
    assert SCHEDULE.sell_taxes(9_999, Market.KOSPI, date(2026, 3, 3)) == TaxBreakdown(4, 14)


def test_rounding_modes_and_units() -> None:
    rate = Decimal("0.00015")
    assert FeeComponent("c", rate, unit=10).charge(1_000_000) == 150
    assert FeeComponent("c", rate, unit=10).charge(999_999) == 140
    assert FeeComponent("c", rate, rounding=Rounding.CEILING).charge(10_001) == 2
    assert FeeComponent("c", rate, rounding=Rounding.HALF_UP).charge(10_000) == 2  # 1.5
    assert FeeComponent("c", rate, rounding=Rounding.HALF_UP).charge(9_999) == 1  # 1.49985


def test_invalid_component_is_a_bug() -> None:
    with pytest.raises(ValueError):
        FeeComponent("c", Decimal("0.1"), unit=0)
    with pytest.raises(ValueError):
        FeeComponent("c", Decimal("-0.1"))


def test_aggregation_levels_round_once_per_group() -> None:
    day1, day2 = date(2026, 3, 2), date(2026, 3, 3)
    bases = [
        FeeBasis(1, day1, 6_000),  # 0.9 won
        FeeBasis(1, day1, 6_000),  # 0.9 won
        FeeBasis(2, day1, 6_000),
        FeeBasis(3, day2, 6_000),
    ]
    rate = Decimal("0.00015")
    assert FeeComponent("c", rate).charge_all(bases) == 0
    assert FeeComponent("c", rate, aggregation=Aggregation.ORDER).charge_all(bases) == 1
    assert FeeComponent("c", rate, aggregation=Aggregation.DAY).charge_all(bases) == 2
    assert FeeComponent("c", rate).charge_all([]) == 0


def test_sell_taxes_all_groups_like_the_components() -> None:
    settles = date(2026, 3, 4)
    bases = [FeeBasis(1, date(2026, 3, 2), 9_999), FeeBasis(1, date(2026, 3, 2), 9_999)]
    assert SCHEDULE.sell_taxes_all(bases, Market.KOSPI, settles) == TaxBreakdown(8, 28)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_per_fill_floor_never_exceeds_the_order_level_charge(a: int, b: int) -> None:
    # The ledger relies on this to reserve a commission estimate on the whole order.
    fills = SCHEDULE.commission(a) + SCHEDULE.commission(b)
    assert fills <= SCHEDULE.commission(a + b) <= fills + 1


def test_in_force_publishes_one_row_per_market() -> None:
    rows = SCHEDULE.in_force(date(2025, 7, 1))
    assert [row.market for row in rows] == list(Market)
    kospi = rows[0]
    assert kospi.effective_from == date(2025, 1, 1)
    assert kospi.total_rate == Decimal("0.0015")
    assert SCHEDULE.in_force(date(2022, 1, 1)) == ()


def test_upcoming_lists_later_rows_by_date_then_market() -> None:
    rows = SCHEDULE.upcoming(date(2025, 6, 1))
    assert [(row.effective_from, row.market) for row in rows] == [
        (date(2026, 1, 1), Market.KOSPI),
        (date(2026, 1, 1), Market.KOSDAQ),
    ]
    assert SCHEDULE.upcoming(date(2026, 1, 1)) == ()


def test_later_listed_row_wins_on_equal_dates() -> None:
    override = FeeSchedule.from_mapping(
        {
            "taxes": [
                {"from": "2026-01-01", "market": "KOSDAQ", "securities": "0.0020"},
                {"from": "2026-01-01", "market": "KOSDAQ", "securities": "0.0010"},
            ]
        }
    )
    assert override.sell_taxes(10_000, Market.KOSDAQ, date(2026, 2, 2)).total == 10


def test_from_mapping_replaces_tables() -> None:
    config = {
        "commission": {"rate": "0.0001", "unit": 10, "rounding": "ceiling", "aggregation": "order"},
        "taxes": [
            {"from": "2030-01-01", "market": "KOSPI", "securities": "0.001", "rural": "0.002"},
        ],
    }
    schedule = FeeSchedule.from_mapping(config)
    assert schedule.commission(100_001) == 20
    assert schedule.commission_fee.aggregation is Aggregation.ORDER
    assert schedule.sell_taxes(1_000_000, Market.KOSPI, date(2030, 1, 1)) == TaxBreakdown(
        1_000, 2_000
    )
    with pytest.raises(LookupError):
        schedule.sell_taxes(1_000, Market.KOSDAQ, date(2030, 1, 1))


def test_from_mapping_defaults() -> None:
    assert FeeSchedule.from_mapping({}) == SCHEDULE
    partial = FeeSchedule.from_mapping({"commission": {"rate": "0.0002"}})
    assert partial.tax_rows == DEFAULT_TAX_ROWS
    assert partial.commission_fee == FeeComponent("commission", Decimal("0.0002"))
