"""Tick sizes (호가가격단위) as dated tables.

Invariants:
- A table is a tuple of ``(lower bound, tick)`` bands in ascending order, "이상 ~ 미만": a price
  exactly on a bound takes the tick of the band that starts there.
- Every finer tick divides every coarser one, so a price on a coarser band's grid is also on the
  finer grid below it.
- Tables are chosen by date; the stock table changed on 2023-01-25. ETF/ETN have their own ladder,
  which callers may replace (``TickRules(fund_table=...)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hoga.domain.model import Market

__all__ = [
    "FUND_TABLE",
    "KOSDAQ_2023_BEFORE",
    "KOSPI_2023_BEFORE",
    "STOCK_TABLE_2023",
    "UNIFIED_TABLE_SINCE",
    "TickRules",
    "TickTable",
]

TickTable = tuple[tuple[int, int], ...]

#: The unified KOSPI/KOSDAQ/KONEX table in force since 2023-01-25.
STOCK_TABLE_2023: TickTable = (
    (0, 1),
    (2_000, 5),
    (5_000, 10),
    (20_000, 50),
    (50_000, 100),
    (200_000, 500),
    (500_000, 1_000),
)
#: KOSPI before 2023-01-25.
KOSPI_2023_BEFORE: TickTable = (
    (0, 1),
    (1_000, 5),
    (5_000, 10),
    (10_000, 50),
    (50_000, 100),
    (100_000, 500),
    (500_000, 1_000),
)
#: KOSDAQ (and KONEX) before 2023-01-25.
KOSDAQ_2023_BEFORE: TickTable = (
    (0, 1),
    (1_000, 5),
    (5_000, 10),
    (10_000, 50),
    (50_000, 100),
)
#: ETF / ETN ladder (1 won below 2,000, 5 won from 2,000); configurable.
FUND_TABLE: TickTable = ((0, 1), (2_000, 5))

UNIFIED_TABLE_SINCE = date(2023, 1, 25)


def _tick_in(table: TickTable, price: int) -> int:
    tick = table[0][1]
    for bound, size in table:
        if price < bound:
            break
        tick = size
    return tick


@dataclass(frozen=True, slots=True)
class TickRules:
    """Tick lookups by market and trading date."""

    fund_table: TickTable = FUND_TABLE
    unified_since: date = UNIFIED_TABLE_SINCE

    def table(self, market: Market, on: date) -> TickTable:
        """The tick table for ``market`` on trading date ``on``."""
        if market in (Market.ETF, Market.ETN):
            return self.fund_table
        if on >= self.unified_since:
            return STOCK_TABLE_2023
        if market is Market.KOSPI:
            return KOSPI_2023_BEFORE
        return KOSDAQ_2023_BEFORE

    def tick(self, price: int, market: Market, on: date) -> int:
        """The tick of the band ``price`` lies in."""
        return _tick_in(self.table(market, on), price)

    def is_on_grid(self, price: int, market: Market, on: date) -> bool:
        """True when ``price`` is positive and a multiple of its band's tick."""
        return price > 0 and price % self.tick(price, market, on) == 0

    def floor(self, price: int, market: Market, on: date) -> int:
        """The highest valid price at or below ``price`` (at least the lowest tick)."""
        if price <= 0:
            return self.table(market, on)[0][1]
        return price - price % self.tick(price, market, on)

    def ceil(self, price: int, market: Market, on: date) -> int:
        """The lowest valid price at or above ``price``."""
        low = self.floor(price, market, on)
        return low if low >= price else self.up(low, market, on)

    def up(self, price: int, market: Market, on: date, steps: int = 1) -> int:
        """The valid price ``steps`` ticks above ``price`` (which must be on the grid)."""
        for _ in range(steps):
            price += self.tick(price, market, on)
        return price

    def down(self, price: int, market: Market, on: date, steps: int = 1) -> int:
        """The valid price ``steps`` ticks below ``price``; never below one tick."""
        for _ in range(steps):
            if price <= 1:
                return 1
            price -= self.tick(price - 1, market, on)
        return price
