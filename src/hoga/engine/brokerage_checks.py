"""The static checks of a new order, before anything is reserved or stored.

:func:`check_new_order` looks at the instrument's current state on the exchange (limits, tick
grid, lot size) and the order's own fields; it answers either the normalised prices and the
price a buy or sell reservation holds, or the :class:`~hoga.engine.brokerage_book.Refusal` that
names the offending wire field. It reads the exchange and changes nothing.

Buy reservations: a limit / stop-limit / after-hours single-price order holds its own price;
every other type (market, conditional, best, priority, mid, closing-price) holds the day's upper
limit. A sell holds shares (priced at its limit when it has one, else the upper limit).
"""

from __future__ import annotations

from dataclasses import dataclass

from hoga.domain.board_orders import check_price
from hoga.domain.ledger import LedgerReject
from hoga.domain.model import (
    FrozenValue,
    OrderKind,
    OrderType,
    Side,
    interpreted_constructors,
    order_type_for,
)
from hoga.engine.brokerage_book import Refusal
from hoga.engine.exchange import Exchange, InstrumentState

__all__ = ["AT_PRICE", "LEDGER_REFUSAL", "MAX_ORDER_QTY", "Checked", "check_new_order"]

#: The largest quantity one order may carry (Kiwoom's ``ord_qty`` has 12 digits; amounts must
#: stay well inside 64-bit integers).
MAX_ORDER_QTY = 1_000_000_000
#: Order kinds whose buy reservation holds cash at the order price (others at the upper limit).
AT_PRICE = frozenset({OrderKind.LIMIT, OrderKind.STOP_LIMIT, OrderKind.AFTER_SINGLE})

#: The refusal reason of a reservation the ledger refuses.
LEDGER_REFUSAL = {
    LedgerReject.INSUFFICIENT_CASH: "insufficient_cash",
    LedgerReject.INSUFFICIENT_SHARES: "insufficient_shares",
}


@dataclass(frozen=True, slots=True, init=False)
class Checked(FrozenValue):
    """A new order that passed the static checks, with its prices normalised."""

    state: InstrumentState
    otype: OrderType
    price: int  # 0 for an order that takes no price
    stop_price: int  # 0 unless a stop-limit order
    hold_price: int  # the price its reservation holds cash or shares at

    def __init__(
        self, state: InstrumentState, otype: OrderType, price: int, stop_price: int, hold_price: int
    ) -> None:
        self.state = state  # type: ignore[misc]
        self.otype = otype  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.stop_price = stop_price  # type: ignore[misc]
        self.hold_price = hold_price  # type: ignore[misc]


interpreted_constructors(Checked)


def check_new_order(
    exchange: Exchange,
    code: str,
    side: Side,
    trde_tp: str,
    qty: int,
    price: int,
    stop_price: int,
) -> Checked | Refusal:
    """Instrument, order type, quantity, price and stop price of a new order, or why not."""
    st = exchange.state(code)
    if st is None:
        return Refusal("unknown_instrument", "stk_cd")
    otype = order_type_for(trde_tp)
    if otype is None:
        return Refusal("unknown_order_type", "trde_tp")
    inst = st.instrument
    if not 0 < qty <= MAX_ORDER_QTY or qty % inst.lot_size:
        return Refusal("invalid_quantity", "ord_qty", f"1~{MAX_ORDER_QTY} 사이여야 합니다")
    board = st.board

    def on_grid(p: int) -> bool:
        return exchange.ticks.is_on_grid(p, inst.market, board.day)

    priced = otype.needs_price or (otype.kind is OrderKind.MID and price > 0)
    if not priced:
        price = 0
    elif otype.board.value == "regular":
        why = check_price(price, limits=board.limits, on_grid=on_grid)
        if why is not None:
            return Refusal(why[0].value, "ord_uv", why[1])
    elif price <= 0 or not on_grid(price):
        return Refusal("invalid_price" if price <= 0 else "off_tick", "ord_uv")
    if otype.kind is OrderKind.STOP_LIMIT:
        why = check_price(stop_price, limits=board.limits, on_grid=on_grid)
        if why is not None:
            return Refusal(why[0].value, "cond_uv", why[1])
    else:
        stop_price = 0
    hold_price = price if side is Side.SELL and price else board.limits.upper
    if side is Side.BUY and otype.kind in AT_PRICE:
        hold_price = price
    return Checked(st, otype, price, stop_price, hold_price)
