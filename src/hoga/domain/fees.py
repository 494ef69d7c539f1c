"""Commission and seller's taxes as dated, replaceable data.

Invariants:
- Amounts are integer won; rates are ``Decimal``; nothing here touches a float.
- Every charge is one :class:`FeeComponent`: a rate, a rounding unit in won, a rounding mode and an
  aggregation level. The default is *floor to 1 won, per fill*: a fill of 10,000,001 won at
  0.015% pays ``floor(1,500.00015) = 1,500`` won. Brokers differ (1 or 10 won, per fill, order or
  day); all of that is data on the component, never a branch in the callers.
- The buyer pays commission only; the seller pays commission plus the transaction taxes.
- Seller's taxes are looked up by **settlement date** (the transfer date), not the trade date: a
  sale executed 2024-12-27 settled 2025-01-02 and paid the 2025 rate. The caller passes the
  settlement date (the engine owns the calendar).
- The tax table is one row per (market, effective-from settlement date): securities transaction
  tax plus, on KOSPI, the rural special tax (농어촌특별세). ETF and ETN are rows with zero rates,
  not special cases. A settlement date before the first row for its market is a configuration
  error and raises ``LookupError``.
- A :class:`FeeSchedule` value holds the commission component and the tax rows; build your own
  (or :meth:`FeeSchedule.from_mapping` from configuration) to replace the defaults.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from hoga.domain.model import FrozenValue, Market, interpreted_constructors

__all__ = [
    "DEFAULT_COMMISSION_RATE",
    "DEFAULT_TAX_ROWS",
    "Aggregation",
    "FeeBasis",
    "FeeComponent",
    "FeeSchedule",
    "Rounding",
    "TaxBreakdown",
    "TaxRow",
]

#: Kiwoom online (HTS/MTS) commission per side, exchange and depository fees included.
DEFAULT_COMMISSION_RATE = Decimal("0.00015")


class Rounding(enum.StrEnum):
    """How a raw charge is brought onto the rounding unit."""

    FLOOR = "floor"  # truncate (the default for statements)
    CEILING = "ceiling"
    HALF_UP = "half_up"


class Aggregation(enum.StrEnum):
    """Which amounts are added up before a charge is rounded once."""

    FILL = "fill"  # each execution separately (the default)
    ORDER = "order"  # all fills of one order
    DAY = "day"  # all fills of one trade date


_DECIMAL_ROUNDING = {
    Rounding.FLOOR: ROUND_FLOOR,
    Rounding.CEILING: ROUND_CEILING,
    Rounding.HALF_UP: ROUND_HALF_UP,
}


@dataclass(frozen=True, slots=True, init=False)
class FeeBasis(FrozenValue):
    """One fill's contribution to a charge: the traded amount plus what it aggregates by."""

    order_id: int
    trade_date: date
    amount: int

    def __init__(self, order_id: int, trade_date: date, amount: int) -> None:
        self.order_id = order_id  # type: ignore[misc]
        self.trade_date = trade_date  # type: ignore[misc]
        self.amount = amount  # type: ignore[misc]


interpreted_constructors(FeeBasis)


@dataclass(frozen=True, slots=True)
class FeeComponent:
    """One charge: ``round(amount × rate)`` to ``unit`` won by ``rounding``, per ``aggregation``."""

    name: str
    rate: Decimal
    unit: int = 1
    rounding: Rounding = Rounding.FLOOR
    aggregation: Aggregation = Aggregation.FILL

    def __post_init__(self) -> None:
        if self.unit <= 0 or self.rate < 0:
            raise ValueError(f"fee {self.name!r}: unit must be > 0 and rate >= 0")

    def charge(self, amount: int) -> int:
        """The charge on one aggregated ``amount`` of won."""
        units = (Decimal(amount) * self.rate / self.unit).to_integral_value(
            rounding=_DECIMAL_ROUNDING[self.rounding]
        )
        return int(units) * self.unit

    def charge_all(self, bases: Iterable[FeeBasis]) -> int:
        """The total charge on several fills, rounding once per aggregation group."""
        groups: dict[object, int] = {}
        for index, basis in enumerate(bases):
            key = _GROUP_KEY[self.aggregation](index, basis)
            groups[key] = groups.get(key, 0) + basis.amount
        return sum(self.charge(amount) for amount in groups.values())


_GROUP_KEY: dict[Aggregation, Callable[[int, FeeBasis], object]] = {
    Aggregation.FILL: lambda index, basis: index,
    Aggregation.ORDER: lambda index, basis: basis.order_id,
    Aggregation.DAY: lambda index, basis: basis.trade_date,
}


@dataclass(frozen=True, slots=True)
class TaxRow:
    """The seller's taxes for ``market`` on sales settling on or after ``effective_from``."""

    effective_from: date
    market: Market
    securities_tax: FeeComponent
    rural_tax: FeeComponent

    @property
    def total_rate(self) -> Decimal:
        return self.securities_tax.rate + self.rural_tax.rate


@dataclass(frozen=True, slots=True)
class TaxBreakdown:
    """Seller's taxes on one sale (or one settlement batch), in won."""

    securities_tax: int
    rural_tax: int

    @property
    def total(self) -> int:
        return self.securities_tax + self.rural_tax


def _row(effective_from: date, market: Market, securities: str, rural: str = "0") -> TaxRow:
    return TaxRow(
        effective_from,
        market,
        FeeComponent("securities_tax", Decimal(securities)),
        FeeComponent("rural_tax", Decimal(rural)),
    )


def _year(effective_from: date, kospi: str, kosdaq: str) -> tuple[TaxRow, ...]:
    return (
        _row(effective_from, Market.KOSPI, kospi, "0.0015"),
        _row(effective_from, Market.KOSDAQ, kosdaq),
    )


#: Default seller's tax rows (effective from the settlement date). Sources: spec §2.
DEFAULT_TAX_ROWS: tuple[TaxRow, ...] = (
    *_year(date(2023, 1, 1), "0.0005", "0.0020"),
    _row(date(2023, 1, 1), Market.KONEX, "0.0010"),
    _row(date(2023, 1, 1), Market.ETF, "0"),
    _row(date(2023, 1, 1), Market.ETN, "0"),
    *_year(date(2024, 1, 1), "0.0003", "0.0018"),
    *_year(date(2025, 1, 1), "0", "0.0015"),
    *_year(date(2026, 1, 1), "0.0005", "0.0020"),
)


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Commission plus the dated seller's-tax table: the whole cost model of a trade."""

    commission_fee: FeeComponent
    tax_rows: tuple[TaxRow, ...]

    @classmethod
    def default(cls, commission_rate: Decimal = DEFAULT_COMMISSION_RATE) -> FeeSchedule:
        """0.015% commission floored to 1 won per fill, and :data:`DEFAULT_TAX_ROWS`."""
        return cls(FeeComponent("commission", commission_rate), DEFAULT_TAX_ROWS)

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> FeeSchedule:
        """Build from plain configuration data (e.g. parsed TOML or JSON).

        Shape: ``{"commission": {"rate": "0.00015", "unit": 1, "rounding": "floor",
        "aggregation": "fill"}, "taxes": [{"from": "2026-01-01", "market": "KOSPI",
        "securities": "0.0005", "rural": "0.0015"}, ...]}``. Either key may be left out to keep
        the default; ``rural`` defaults to 0. Malformed data raises ``ValueError``/``KeyError``.
        """
        default = cls.default()
        commission = default.commission_fee
        if "commission" in config:
            spec = config["commission"]
            commission = FeeComponent(
                "commission",
                Decimal(str(spec["rate"])),
                int(spec.get("unit", 1)),
                Rounding(spec.get("rounding", Rounding.FLOOR)),
                Aggregation(spec.get("aggregation", Aggregation.FILL)),
            )
        rows = default.tax_rows
        if "taxes" in config:
            rows = tuple(
                _row(
                    date.fromisoformat(str(item["from"])),
                    Market(item["market"]),
                    str(item["securities"]),
                    str(item.get("rural", "0")),
                )
                for item in config["taxes"]
            )
        return cls(commission, rows)

    def commission(self, amount: int) -> int:
        """Commission on one fill of ``amount`` won (either side)."""
        return self.commission_fee.charge(amount)

    def tax_row(self, market: Market, settlement_date: date) -> TaxRow:
        """The tax row in force for ``market`` on ``settlement_date``."""
        candidates = [
            row
            for row in self.tax_rows
            if row.market is market and row.effective_from <= settlement_date
        ]
        if not candidates:
            raise LookupError(f"no tax row for {market} settling {settlement_date}")
        # The latest effective date wins; among equal dates, the row listed last.
        return max(reversed(candidates), key=lambda row: row.effective_from)

    def sell_taxes(self, amount: int, market: Market, settlement_date: date) -> TaxBreakdown:
        """Seller's taxes on one sale of ``amount`` won settling on ``settlement_date``."""
        row = self.tax_row(market, settlement_date)
        return TaxBreakdown(row.securities_tax.charge(amount), row.rural_tax.charge(amount))

    def sell_taxes_all(
        self, bases: Iterable[FeeBasis], market: Market, settlement_date: date
    ) -> TaxBreakdown:
        """Seller's taxes on several sales of one market settling together."""
        row = self.tax_row(market, settlement_date)
        items = tuple(bases)
        return TaxBreakdown(row.securities_tax.charge_all(items), row.rural_tax.charge_all(items))

    def in_force(self, on: date) -> tuple[TaxRow, ...]:
        """The row in force on ``on`` for every market that has one, in :class:`Market` order."""
        rows = []
        for market in Market:
            try:
                rows.append(self.tax_row(market, on))
            except LookupError:
                continue
        return tuple(rows)

    def upcoming(self, after: date) -> tuple[TaxRow, ...]:
        """Rows taking effect strictly after ``after``, by date then market."""
        order = {market: index for index, market in enumerate(Market)}
        later = (row for row in self.tax_rows if row.effective_from > after)
        return tuple(sorted(later, key=lambda row: (row.effective_from, order[row.market])))
