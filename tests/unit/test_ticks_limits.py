from datetime import date

import pytest

from hoga.domain.limits import PriceLimits, limit_rate, price_limits
from hoga.domain.model import Market
from hoga.domain.ticks import FUND_TABLE, TickRules

TODAY = date(2026, 7, 22)
OLD = date(2022, 12, 1)
RULES = TickRules()


@pytest.mark.parametrize(
    ("price", "tick"),
    [
        (1, 1),
        (1_999, 1),
        (2_000, 5),
        (4_995, 5),
        (5_000, 10),
        (19_990, 10),
        (20_000, 50),
        (49_950, 50),
        (50_000, 100),
        (199_900, 100),
        (200_000, 500),
        (499_500, 500),
        (500_000, 1_000),
        (3_000_000, 1_000),
    ],
)
def test_unified_tick_table_band_edges(price: int, tick: int) -> None:
    for market in (Market.KOSPI, Market.KOSDAQ, Market.KONEX):
        assert RULES.tick(price, market, TODAY) == tick


@pytest.mark.parametrize(
    ("market", "price", "tick"),
    [
        (Market.KOSPI, 1_000, 5),
        (Market.KOSPI, 10_000, 50),
        (Market.KOSPI, 100_000, 500),
        (Market.KOSPI, 600_000, 1_000),
        (Market.KOSDAQ, 100_000, 100),
        (Market.KOSDAQ, 999, 1),
        (Market.KONEX, 60_000, 100),
    ],
)
def test_pre_2023_tables(market: Market, price: int, tick: int) -> None:
    assert RULES.tick(price, market, OLD) == tick
    assert RULES.tick(price, market, date(2023, 1, 24)) == tick


def test_fund_ladder_is_its_own_configurable_table() -> None:
    assert RULES.tick(1_999, Market.ETF, TODAY) == 1
    assert RULES.tick(2_000, Market.ETN, OLD) == 5
    assert RULES.tick(300_000, Market.ETF, TODAY) == 5
    flat = TickRules(fund_table=((0, 5),))
    assert flat.tick(1_000, Market.ETF, TODAY) == 5
    assert FUND_TABLE[0] == (0, 1)


def test_grid_helpers() -> None:
    k = Market.KOSPI
    assert RULES.is_on_grid(204_500, k, TODAY)
    assert not RULES.is_on_grid(204_700, k, TODAY)
    assert not RULES.is_on_grid(0, k, TODAY)
    assert RULES.floor(204_700, k, TODAY) == 204_500
    assert RULES.floor(-5, k, TODAY) == 1
    assert RULES.ceil(204_700, k, TODAY) == 205_000
    assert RULES.ceil(204_500, k, TODAY) == 204_500
    assert RULES.up(199_900, k, TODAY) == 200_000
    assert RULES.up(200_000, k, TODAY, steps=2) == 201_000
    assert RULES.down(200_000, k, TODAY) == 199_900
    assert RULES.down(2, k, TODAY, steps=5) == 1


@pytest.mark.parametrize(
    ("base", "on", "lower", "upper"),
    [
        (9_940, TODAY, 6_960, 12_920),  # KRX's own example
        (157_500, TODAY, 110_300, 204_500),  # the upper limit straddles into the 500 band
        (9_750, TODAY, 6_830, 12_670),  # valid under the 2023 table (tick 10)
        (9_750, OLD, 6_830, 12_650),  # the broker FAQ example under the old table
    ],
)
def test_krx_worked_limit_examples(base: int, on: date, lower: int, upper: int) -> None:
    assert price_limits(base, Market.KOSPI, on, RULES) == PriceLimits(lower, upper)


def test_naive_percentage_check_is_not_the_rule() -> None:
    limits = price_limits(9_940, Market.KOSDAQ, TODAY, RULES)
    assert abs(12_922 - 9_940) / 9_940 <= 0.30
    assert not limits.contains(12_922)
    assert limits.contains(12_920) and limits.contains(6_960) and not limits.contains(6_959)


def test_limit_rates_are_dated_and_konex_is_15_percent() -> None:
    assert str(limit_rate(Market.KOSPI, TODAY)) == "0.30"
    assert str(limit_rate(Market.KOSPI, date(2015, 6, 12))) == "0.15"
    assert str(limit_rate(Market.KONEX, TODAY)) == "0.15"
    assert price_limits(10_000, Market.KONEX, TODAY, RULES) == PriceLimits(8_500, 11_500)


def test_tiny_and_invalid_bases() -> None:
    assert price_limits(1, Market.KOSPI, TODAY, RULES) == PriceLimits(1, 1)
    with pytest.raises(ValueError, match="positive"):
        price_limits(0, Market.KOSPI, TODAY, RULES)
