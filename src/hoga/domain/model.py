"""Core value types shared by every market rule.

Invariants:
- Prices are integer won and quantities integer shares (or units); no floats anywhere.
- Value objects are immutable and slotted; the only mutable object in the domain is the
  resting order owned by a book (see ``book.py``).
- Kiwoom ``trde_tp`` codes map onto an :class:`OrderKind` plus a :class:`TimeInForce` through the
  single table :data:`TRDE_TP`; nothing else interprets the codes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from types import FunctionType
from typing import Any

__all__ = [
    "TRDE_TP",
    "Board",
    "FrozenValue",
    "Instrument",
    "Market",
    "NewOrder",
    "OrderKind",
    "OrderType",
    "Side",
    "TimeInForce",
    "interpreted_constructors",
    "order_type_for",
]


class FrozenValue:
    """Base of the frozen values built on the order path (:class:`NewOrder`, the events of
    ``events.py``, the ledger's entries, reservations, positions and account states, the fee
    basis, the brokerage's and the simulated participants' values; :class:`OrderType` and
    :class:`Instrument` use it only for pickling).

    A subclass is a ``@dataclass(frozen=True, slots=True, init=False)`` with an explicit
    ``__init__`` that stores each field (``# type: ignore[misc]``: mypy sees frozen fields as
    read-only). One source, two builds (``hoga.engine.fastpath``):

    - compiled by mypyc, the class is native and that ``__init__`` stores straight into the
      object (about 0.05 µs for seven fields; the frozen ``__setattr__`` is only reached from
      outside);
    - interpreted, those stores would hit the frozen ``__setattr__``, so
      :func:`interpreted_constructors` gives the class a ``__new__`` that runs the same
      ``__init__`` on a plain twin with the same slot layout and then relabels it
      (``__class__ = cls``; CPython allows it because the layouts are identical): about 3x
      cheaper than a dataclass ``__init__`` (``object.__setattr__`` per field). The twin has
      none of the subclass's methods, so an ``__init__`` that checks or derives anything calls
      module functions, never ``self.method()``.

    Either way the result is an ordinary frozen dataclass value: ``__eq__``, ``__hash__``,
    ``repr``, ``replace``, ``fields``, ``__match_args__`` and msgspec behave as usual and assigning
    a field raises ``FrozenInstanceError``; pickling and copying rebuild through the constructor.
    """

    __slots__: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        names: tuple[str, ...] = getattr(type(self), "__match_args__")  # noqa: B009
        return type(self), tuple([getattr(self, name) for name in names])


_new = object.__new__


def interpreted_constructors(*classes: type) -> None:
    """Give each of ``classes`` whose ``__init__`` is interpreted Python the relabelling
    ``__new__`` (see :class:`FrozenValue`); compiled (native) classes are left as they are."""
    for cls in [c for c in classes if isinstance(vars(c).get("__init__"), FunctionType)]:
        _relabel(cls)


def _relabel(cls: type) -> None:
    shape = type(f"_{cls.__name__}Shape", (FrozenValue,), {"__slots__": vars(cls)["__slots__"]})
    init: Any = vars(cls)["__init__"]
    code = init.__code__
    params = ", ".join(code.co_varnames[1 : code.co_argcount])
    # The same signature as __init__, spelled out (as dataclasses builds its __init__): passing
    # *args/**kwargs through would cost more than the stores themselves.
    source = (
        f"def __new__(_cls_, {params}):\n"
        "    _value_ = _alloc_(_shape_)\n"
        f"    _init_(_value_, {params})\n"
        "    _value_.__class__ = _cls_\n"
        "    return _value_\n"
    )
    namespace: dict[str, Any] = {"__name__": cls.__module__, "_alloc_": _new, "_shape_": shape}
    namespace["_init_"] = init
    exec(source, namespace)
    new = namespace["__new__"]
    new.__defaults__ = init.__defaults__
    new.__qualname__ = f"{cls.__qualname__}.__new__"
    type.__setattr__(cls, "__new__", new)
    type.__delattr__(cls, "__init__")  # object.__init__ from now on: __new__ did the work


class Market(enum.StrEnum):
    """The listing market of an instrument (ETF and ETN trade on the KOSPI board)."""

    KOSPI = "KOSPI"
    KOSDAQ = "KOSDAQ"
    KONEX = "KONEX"
    ETF = "ETF"
    ETN = "ETN"


class Side(enum.StrEnum):
    """Order side."""

    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderKind(enum.StrEnum):
    """How an order's price is set (KRX definitions)."""

    LIMIT = "limit"  # 지정가 (보통)
    MARKET = "market"  # 시장가
    CONDITIONAL = "conditional"  # 조건부지정가: limit, becomes market at the closing auction
    BEST = "best"  # 최유리지정가: priced at the best opposite price on entry
    PRIORITY = "priority"  # 최우선지정가: priced at the best same-side price on entry
    STOP_LIMIT = "stop_limit"  # 스톱지정가: rests inactive until the last price reaches cond_uv
    MID = "mid"  # 중간가: pegged to the mid-point of the best bid and ask
    PRE_CLOSE = "pre_close"  # 장전 시간외 종가 (previous close)
    POST_CLOSE = "post_close"  # 장후 시간외 종가 (today's close)
    AFTER_SINGLE = "after_single"  # 시간외 단일가 (close ±10%, periodic uncross)


class TimeInForce(enum.StrEnum):
    """Order condition."""

    DAY = "day"
    IOC = "ioc"
    FOK = "fok"


class Board(enum.StrEnum):
    """Which book of an instrument an order trades in."""

    REGULAR = "regular"  # auctions and continuous trading
    PRE_CLOSE = "pre_close"  # 08:30–08:40 at the previous close
    POST_CLOSE = "post_close"  # 15:40–16:00 at today's close
    AFTER_SINGLE = "after_single"  # 16:00–18:00 single-price session


@dataclass(frozen=True, slots=True)
class OrderType(FrozenValue):
    """An order type as KRX defines it, with the Kiwoom ``trde_tp`` code that names it."""

    trde_tp: str
    kind: OrderKind
    tif: TimeInForce
    name: str

    @property
    def needs_price(self) -> bool:
        """True when the client must send a limit price."""
        return self.kind in (
            OrderKind.LIMIT,
            OrderKind.CONDITIONAL,
            OrderKind.STOP_LIMIT,
            OrderKind.AFTER_SINGLE,
        )

    @property
    def board(self) -> Board:
        return _BOARD_OF_KIND.get(self.kind, Board.REGULAR)


_BOARD_OF_KIND = {
    OrderKind.PRE_CLOSE: Board.PRE_CLOSE,
    OrderKind.POST_CLOSE: Board.POST_CLOSE,
    OrderKind.AFTER_SINGLE: Board.AFTER_SINGLE,
}

_D, _I, _F = TimeInForce.DAY, TimeInForce.IOC, TimeInForce.FOK

#: Kiwoom ``trde_tp`` → KRX order type.
TRDE_TP: dict[str, OrderType] = {
    t.trde_tp: t
    for t in (
        OrderType("0", OrderKind.LIMIT, _D, "보통"),
        OrderType("3", OrderKind.MARKET, _D, "시장가"),
        OrderType("5", OrderKind.CONDITIONAL, _D, "조건부지정가"),
        OrderType("6", OrderKind.BEST, _D, "최유리지정가"),
        OrderType("7", OrderKind.PRIORITY, _D, "최우선지정가"),
        OrderType("10", OrderKind.LIMIT, _I, "보통(IOC)"),
        OrderType("13", OrderKind.MARKET, _I, "시장가(IOC)"),
        OrderType("16", OrderKind.BEST, _I, "최유리(IOC)"),
        OrderType("20", OrderKind.LIMIT, _F, "보통(FOK)"),
        OrderType("23", OrderKind.MARKET, _F, "시장가(FOK)"),
        OrderType("26", OrderKind.BEST, _F, "최유리(FOK)"),
        OrderType("28", OrderKind.STOP_LIMIT, _D, "스톱지정가"),
        OrderType("29", OrderKind.MID, _D, "중간가"),
        OrderType("30", OrderKind.MID, _I, "중간가(IOC)"),
        OrderType("31", OrderKind.MID, _F, "중간가(FOK)"),
        OrderType("61", OrderKind.PRE_CLOSE, _D, "장시작전시간외"),
        OrderType("62", OrderKind.AFTER_SINGLE, _D, "시간외단일가"),
        OrderType("81", OrderKind.POST_CLOSE, _D, "장마감후시간외"),
    )
}


def order_type_for(trde_tp: str) -> OrderType | None:
    """The order type for a Kiwoom ``trde_tp`` code, or None for an unknown code."""
    return TRDE_TP.get(trde_tp.strip())


@dataclass(frozen=True, slots=True)
class Instrument(FrozenValue):
    """One listed instrument, as the universe snapshot describes it.

    ``base_price`` is the price the first simulated day is based on (the snapshot close);
    ``large_cap`` marks the names that follow the KOSPI200 VI thresholds; ``close_date`` is the
    trading date of the snapshot close (None when the snapshot has no close for the issue).
    """

    code: str
    isin: str
    name: str
    market: Market
    kind: str
    base_price: int
    listed_shares: int
    volume: int
    sector: str
    halted: bool = False
    lot_size: int = 1
    par_value: int = 0
    large_cap: bool = False
    close_date: date | None = None

    @property
    def is_fund(self) -> bool:
        """ETFs and ETNs follow their own tick ladder."""
        return self.market in (Market.ETF, Market.ETN)


@dataclass(frozen=True, slots=True, init=False)
class NewOrder(FrozenValue):
    """An order as it reaches a book: already numbered, typed and sized by the caller.

    ``price`` is the limit price (0 when the type takes none); ``stop_price`` is Kiwoom's
    ``cond_uv`` for a stop-limit order (0 otherwise). Validation against ticks, limits and the
    session happens in the book, which rejects with a reason instead of raising. Built once per
    order: see :class:`FrozenValue` for how construction stays cheap.
    """

    order_id: int
    code: str
    side: Side
    type: OrderType
    qty: int
    price: int = 0
    stop_price: int = 0

    def __init__(
        self,
        order_id: int,
        code: str,
        side: Side,
        type: OrderType,
        qty: int,
        price: int = 0,
        stop_price: int = 0,
    ) -> None:
        self.order_id = order_id  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.side = side  # type: ignore[misc]
        self.type = type  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.stop_price = stop_price  # type: ignore[misc]


interpreted_constructors(NewOrder)
