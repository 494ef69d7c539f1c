"""Events the market emits. Matching returns these; it never calls out.

Invariants:
- Events are immutable values stamped with the ``at`` time the caller passed in (epoch
  microseconds, KST-agnostic); the engine adds a global sequence number when it publishes them.
- Every state change of a book is described by exactly one or more events, in the order they
  happened, so replaying the events of a run reproduces its state.
- Reject reasons are an enum; the wire layer maps each to a Kiwoom-style code and message.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from hoga.domain.model import Side

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


class _Value:
    """Base of the events: pickling and copying rebuild through the constructor."""

    __slots__: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), tuple([getattr(self, name) for name in self.__slots__])


def _shape(cls: type[_Value]) -> type[Any]:
    """A plain class with the slot layout of the event class ``cls``.

    Speed (events are built on every order): a frozen dataclass ``__init__`` sets each field
    through ``object.__setattr__`` (about 0.9 µs for seven fields). Each event's ``__new__``
    instead fills an instance of this twin with ordinary slot stores and then relabels it with
    ``__class__ = cls`` (the layouts are identical, so CPython allows it): about 0.3 µs. The result
    is a normal frozen dataclass instance (``__eq__``, ``__hash__``, ``repr``, ``replace``,
    ``asdict`` and msgspec all behave as before, and assigning a field still raises).
    """
    return type(f"_{cls.__name__}Shape", (_Value,), {"__slots__": cls.__slots__})


_new = object.__new__


@dataclass(frozen=True, slots=True, init=False)
class OrderAccepted(_Value):
    order_id: int
    code: str
    side: Side
    trde_tp: str
    price: int  # the working price (0 for a market order)
    qty: int
    at: int

    def __new__(
        cls, order_id: int, code: str, side: Side, trde_tp: str, price: int, qty: int, at: int
    ) -> OrderAccepted:
        o = _new(_ORDER_ACCEPTED)
        o.order_id = order_id
        o.code = code
        o.side = side
        o.trde_tp = trde_tp
        o.price = price
        o.qty = qty
        o.at = at
        o.__class__ = cls
        ev: OrderAccepted = o
        return ev


_ORDER_ACCEPTED = _shape(OrderAccepted)


@dataclass(frozen=True, slots=True, init=False)
class OrderRejected(_Value):
    order_id: int
    code: str
    reason: RejectReason
    at: int
    detail: str = ""

    def __new__(
        cls, order_id: int, code: str, reason: RejectReason, at: int, detail: str = ""
    ) -> OrderRejected:
        o = _new(_ORDER_REJECTED)
        o.order_id = order_id
        o.code = code
        o.reason = reason
        o.at = at
        o.detail = detail
        o.__class__ = cls
        ev: OrderRejected = o
        return ev


_ORDER_REJECTED = _shape(OrderRejected)


@dataclass(frozen=True, slots=True, init=False)
class OrderModified(_Value):
    order_id: int
    code: str
    price: int
    qty: int  # the new total order quantity (filled + open)
    open_qty: int
    kept_priority: bool
    at: int

    def __new__(
        cls,
        order_id: int,
        code: str,
        price: int,
        qty: int,
        open_qty: int,
        kept_priority: bool,
        at: int,
    ) -> OrderModified:
        o = _new(_ORDER_MODIFIED)
        o.order_id = order_id
        o.code = code
        o.price = price
        o.qty = qty
        o.open_qty = open_qty
        o.kept_priority = kept_priority
        o.at = at
        o.__class__ = cls
        ev: OrderModified = o
        return ev


_ORDER_MODIFIED = _shape(OrderModified)


@dataclass(frozen=True, slots=True, init=False)
class OrderCancelled(_Value):
    order_id: int
    code: str
    qty: int  # how much open quantity was cancelled
    reason: CancelReason
    at: int

    def __new__(
        cls, order_id: int, code: str, qty: int, reason: CancelReason, at: int
    ) -> OrderCancelled:
        o = _new(_ORDER_CANCELLED)
        o.order_id = order_id
        o.code = code
        o.qty = qty
        o.reason = reason
        o.at = at
        o.__class__ = cls
        ev: OrderCancelled = o
        return ev


_ORDER_CANCELLED = _shape(OrderCancelled)


@dataclass(frozen=True, slots=True, init=False)
class OrderTriggered(_Value):
    """A stop-limit order became active, or a conditional order turned into a market order."""

    order_id: int
    code: str
    price: int
    at: int

    def __new__(cls, order_id: int, code: str, price: int, at: int) -> OrderTriggered:
        o = _new(_ORDER_TRIGGERED)
        o.order_id = order_id
        o.code = code
        o.price = price
        o.at = at
        o.__class__ = cls
        ev: OrderTriggered = o
        return ev


_ORDER_TRIGGERED = _shape(OrderTriggered)


@dataclass(frozen=True, slots=True, init=False)
class Trade(_Value):
    code: str
    price: int
    qty: int
    buy_order_id: int
    sell_order_id: int
    aggressor: Side | None  # None for a trade made by an auction uncross
    at: int

    def __new__(
        cls,
        code: str,
        price: int,
        qty: int,
        buy_order_id: int,
        sell_order_id: int,
        aggressor: Side | None,
        at: int,
    ) -> Trade:
        o = _new(_TRADE)
        o.code = code
        o.price = price
        o.qty = qty
        o.buy_order_id = buy_order_id
        o.sell_order_id = sell_order_id
        o.aggressor = aggressor
        o.at = at
        o.__class__ = cls
        ev: Trade = o
        return ev


_TRADE = _shape(Trade)


@dataclass(frozen=True, slots=True, init=False)
class BookChanged(_Value):
    code: str
    at: int

    def __new__(cls, code: str, at: int) -> BookChanged:
        o = _new(_BOOK_CHANGED)
        o.code = code
        o.at = at
        o.__class__ = cls
        ev: BookChanged = o
        return ev


_BOOK_CHANGED = _shape(BookChanged)


@dataclass(frozen=True, slots=True, init=False)
class PhaseChanged(_Value):
    code: str  # "" for a market-wide change
    phase: str
    at: int

    def __new__(cls, code: str, phase: str, at: int) -> PhaseChanged:
        o = _new(_PHASE_CHANGED)
        o.code = code
        o.phase = phase
        o.at = at
        o.__class__ = cls
        ev: PhaseChanged = o
        return ev


_PHASE_CHANGED = _shape(PhaseChanged)


@dataclass(frozen=True, slots=True, init=False)
class ViTriggered(_Value):
    code: str
    static: bool  # True for a static VI, False for a dynamic one
    reference: int
    trigger_price: int
    until: int  # scheduled end of the VI auction (before its random extension)
    at: int

    def __new__(
        cls, code: str, static: bool, reference: int, trigger_price: int, until: int, at: int
    ) -> ViTriggered:
        o = _new(_VI_TRIGGERED)
        o.code = code
        o.static = static
        o.reference = reference
        o.trigger_price = trigger_price
        o.until = until
        o.at = at
        o.__class__ = cls
        ev: ViTriggered = o
        return ev


_VI_TRIGGERED = _shape(ViTriggered)


@dataclass(frozen=True, slots=True, init=False)
class ViReleased(_Value):
    code: str
    at: int

    def __new__(cls, code: str, at: int) -> ViReleased:
        o = _new(_VI_RELEASED)
        o.code = code
        o.at = at
        o.__class__ = cls
        ev: ViReleased = o
        return ev


_VI_RELEASED = _shape(ViReleased)


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
