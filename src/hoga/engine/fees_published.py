"""The published fee schedule (terms art. 10): commission and seller's taxes in force on a day,
and the changes already scheduled, from the :class:`~hoga.domain.fees.FeeSchedule` the ledger
charges with (``Brokerage.ledger.fees``) — one source, so what is published is what is charged.

Rates are decimal strings (``"0.00015"``) plus percent strings (``"0.015%"``) for people;
dates are ISO; a tax row's ``total`` is securities tax + rural special tax.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hoga.domain.fees import FeeComponent, FeeSchedule, TaxRow

__all__ = ["published_fees"]


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _component(c: FeeComponent) -> dict[str, Any]:
    return {
        "name": c.name,
        "rate": str(c.rate),
        "percent": _percent(c.rate),
        "unit_won": c.unit,
        "rounding": c.rounding.value,
        "aggregation": c.aggregation.value,
    }


def _row(row: TaxRow) -> dict[str, Any]:
    return {
        "market": row.market.value,
        "effective_from": row.effective_from.isoformat(),
        "securities_tax": _component(row.securities_tax),
        "rural_tax": _component(row.rural_tax),
        "total_rate": str(row.total_rate),
        "total_percent": _percent(row.total_rate),
    }


def published_fees(schedule: FeeSchedule, on: date) -> dict[str, Any]:
    """The schedule as published on ``on``: commission (both sides, at each fill), the seller's
    taxes in force (by settlement date) and the upcoming tax rows."""
    return {
        "as_of": on.isoformat(),
        "commission": {
            **_component(schedule.commission_fee),
            "charged_on": "buy and sell, per fill; posted at settlement (T+2)",
        },
        "taxes_in_force": [_row(r) for r in schedule.in_force(on)],
        "taxes_upcoming": [_row(r) for r in schedule.upcoming(on)],
        "tax_basis": "seller only; the rate is looked up by the settlement date",
    }
