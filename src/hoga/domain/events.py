"""Events the market emits. Matching returns these; it never calls out.

Invariants:
- Events are immutable values stamped with the ``at`` time the caller passed in (epoch
  microseconds, KST-agnostic); the engine adds a global sequence number when it publishes them.
- Every state change of a book is described by exactly one or more events, in the order they
  happened, so replaying the events of a run reproduces its state.
- Reject reasons are an enum; the wire layer maps each to a Kiwoom-style code and message.

Speed (two or three events are built per order): each event is a frozen slotted dataclass with an
explicit ``__init__``; :class:`hoga.domain.model.FrozenValue` explains how the same class is a
cheap native constructor when mypyc compiles this module and a relabelling ``__new__`` when it
is interpreted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hoga.domain.model import FrozenValue, Side, interpreted_constructors

__all__ = [
    "BookChanged",
    "CancelReason",
    "Event",
    "OrderAccepted",
    "OrderCancelled",
    "OrderModified",
    "OrderRejected",
    "OrderTriggered",
    "PhaseChanged",
    "RejectReason",
    "Trade",
    "ViReleased",
    "ViTriggered",
]


class RejectReason(enum.StrEnum):
    """Why an order, modify or cancel was refused; nothing changed."""

    UNKNOWN_INSTRUMENT = "unknown_instrument"
    UNKNOWN_ORDER_TYPE = "unknown_order_type"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_PRICE = "invalid_price"
    OFF_TICK = "off_tick"
    OUTSIDE_LIMITS = "outside_limits"
    SESSION_CLOSED = "session_closed"
    TYPE_NOT_ALLOWED_NOW = "type_not_allowed_now"
    HALTED = "halted"
    NO_OPPOSITE_QUOTE = "no_opposite_quote"
    NO_SAME_SIDE_QUOTE = "no_same_side_quote"
    FOK_UNFILLABLE = "fok_unfillable"
    ORDER_NOT_FOUND = "order_not_found"
    NOTHING_TO_CHANGE = "nothing_to_change"
    DUPLICATE_ORDER_ID = "duplicate_order_id"
    CONDITIONAL_AT_LIMIT = "conditional_at_limit"
    MODIFY_NOT_ALLOWED = "modify_not_allowed"


class CancelReason(enum.StrEnum):
    """Why resting quantity left the book without trading."""

    REQUESTED = "requested"  # the owner cancelled
    IOC_REMAINDER = "ioc_remainder"
    FOK_UNFILLED = "fok_unfilled"
    SESSION_END = "session_end"  # an off-hours session or the day ended
    NO_LIQUIDITY = "no_liquidity"  # a market order with nothing left to trade against
    HALT = "halt"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True, init=False)
class OrderAccepted(FrozenValue):
    order_id: int
    code: str
    side: Side
    trde_tp: str
    price: int  # the working price (0 for a market order)
    qty: int
    at: int

    def __init__(
        self, order_id: int, code: str, side: Side, trde_tp: str, price: int, qty: int, at: int
    ) -> None:
        self.order_id = order_id  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.side = side  # type: ignore[misc]
        self.trde_tp = trde_tp  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.at = at  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class OrderRejected(FrozenValue):
    order_id: int
    code: str
    reason: RejectReason
    at: int
    detail: str = ""

    def __init__(
        self, order_id: int, code: str, reason: RejectReason, at: int, detail: str = ""
    ) -> None:
        self.order_id = order_id  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.reason = reason  # type: ignore[misc]
        self.at = at  # type: ignore[misc]
        self.detail = detail  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class OrderModified(FrozenValue):
    order_id: int
    code: str
    price: int
    qty: int  # the new total order quantity (filled + open)
    open_qty: int
    kept_priority: bool
    at: int

    def __init__(
        self,
        order_id: int,
        code: str,
        price: int,
        qty: int,
        open_qty: int,
        kept_priority: bool,
        at: int,
    ) -> None:
        self.order_id = order_id  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.open_qty = open_qty  # type: ignore[misc]
        self.kept_priority = kept_priority  # type: ignore[misc]
        self.at = at  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class OrderCancelled(FrozenValue):
    order_id: int
    code: str
    qty: int  # how much open quantity was cancelled
    reason: CancelReason
    at: int

    def __init__(self, order_id: int, code: str, qty: int, reason: CancelReason, at: int) -> None:
        self.order_id = order_id  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.reason = reason  # type: ignore[misc]
        self.at = at  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class OrderTriggered(FrozenValue):
    """A stop-limit order became active, or a conditional order turned into a market order."""

    order_id: int
    code: str
    price: int
    at: int

    def __init__(self, order_id: int, code: str, price: int, at: int) -> None:
        self.order_id = order_id  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.at = at  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class Trade(FrozenValue):
    code: str
    price: int
    qty: int
    buy_order_id: int
    sell_order_id: int
    aggressor: Side | None  # None for a trade made by an auction uncross
    at: int

    def __init__(
        self,
        code: str,
        price: int,
        qty: int,
        buy_order_id: int,
        sell_order_id: int,
        aggressor: Side | None,
        at: int,
    ) -> None:
        self.code = code  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.buy_order_id = buy_order_id  # type: ignore[misc]
        self.sell_order_id = sell_order_id  # type: ignore[misc]
        self.aggressor = aggressor  # type: ignore[misc]
        self.at = at  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class BookChanged(FrozenValue):
    code: str
    at: int

    def __init__(self, code: str, at: int) -> None:
        self.code = code  # type: ignore[misc]
        self.at = at  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class PhaseChanged(FrozenValue):
    code: str  # "" for a market-wide change
    phase: str
    at: int

    def __init__(self, code: str, phase: str, at: int) -> None:
        self.code = code  # type: ignore[misc]
        self.phase = phase  # type: ignore[misc]
        self.at = at  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class ViTriggered(FrozenValue):
    code: str
    static: bool  # True for a static VI, False for a dynamic one
    reference: int
    trigger_price: int
    until: int  # scheduled end of the VI auction (before its random extension)
    at: int

    def __init__(
        self, code: str, static: bool, reference: int, trigger_price: int, until: int, at: int
    ) -> None:
        self.code = code  # type: ignore[misc]
        self.static = static  # type: ignore[misc]
        self.reference = reference  # type: ignore[misc]
        self.trigger_price = trigger_price  # type: ignore[misc]
        self.until = until  # type: ignore[misc]
        self.at = at  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class ViReleased(FrozenValue):
    code: str
    at: int

    def __init__(self, code: str, at: int) -> None:
        self.code = code  # type: ignore[misc]
        self.at = at  # type: ignore[misc]


Event = (
    OrderAccepted
    | OrderRejected
    | OrderModified
    | OrderCancelled
    | OrderTriggered
    | Trade
    | BookChanged
    | PhaseChanged
    | ViTriggered
    | ViReleased
)

interpreted_constructors(
    OrderAccepted,
    OrderRejected,
    OrderModified,
    OrderCancelled,
    OrderTriggered,
    Trade,
    BookChanged,
    PhaseChanged,
    ViTriggered,
    ViReleased,
)
