"""Daily price limits (가격제한폭) with the KRX truncation procedure.

Invariants:
- The limit is an amount: ``base × rate`` truncated to the tick of the base price's band.
- ``upper = base + amount`` re-truncated to the tick of the band it lands in (only the upper limit
  can need this); ``lower = base − amount`` is always on the grid.
- Both limits are inclusive. Rates are dated data: ±15% before 2015-06-15, ±30% since; KONEX ±15%.
- Exempt instruments (liquidation trading) get ``PriceLimits(None, None)``-like wide bounds from
  the caller; this module only computes limited ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from hoga.domain.model import Market
from hoga.domain.ticks import TickRules

__all__ = ["LIMIT_RATES", "PriceLimits", "limit_rate", "price_limits"]

#: (effective from, rate for KOSPI/KOSDAQ/ETF/ETN, rate for KONEX), newest last.
LIMIT_RATES: tuple[tuple[date, Decimal, Decimal], ...] = (
    (date(1995, 1, 1), Decimal("0.15"), Decimal("0.15")),
    (date(2015, 6, 15), Decimal("0.30"), Decimal("0.15")),
)


@dataclass(frozen=True, slots=True)
class PriceLimits:
    """Inclusive lower and upper limit prices for one trading day."""

    lower: int
    upper: int

    def contains(self, price: int) -> bool:
        return self.lower <= price <= self.upper


def limit_rate(market: Market, on: date) -> Decimal:
    """The daily limit rate for ``market`` on trading date ``on``."""
    rate = LIMIT_RATES[0]
    for row in LIMIT_RATES:
        if on >= row[0]:
            rate = row
    return rate[2] if market is Market.KONEX else rate[1]


def price_limits(base: int, market: Market, on: date, ticks: TickRules) -> PriceLimits:
    """The day's limits for base price ``base`` (KRX procedure, see module docstring)."""
    if base <= 0:
        raise ValueError(f"base price must be positive, got {base}")
    base_tick = ticks.tick(base, market, on)
    raw = (Decimal(base) * limit_rate(market, on)).to_integral_value(rounding=ROUND_FLOOR)
    amount = int(raw) - int(raw) % base_tick
    upper = ticks.floor(base + amount, market, on)
    lower = max(base - amount, 1)
    return PriceLimits(lower=lower, upper=upper)
