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
from typing import Any

__all__ = [
    "TRDE_TP",
    "Board",
    "Instrument",
    "Market",
    "NewOrder",
    "OrderKind",
    "OrderType",
    "Side",
    "TimeInForce",
    "order_type_for",
]


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
class OrderType:
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
class Instrument:
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


class _Shaped:
    """Base of :class:`NewOrder`: pickling and copying rebuild through the constructor."""

    __slots__: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), tuple([getattr(self, name) for name in self.__slots__])


_new = object.__new__


@dataclass(frozen=True, slots=True, init=False)
class NewOrder(_Shaped):
    """An order as it reaches a book: already numbered, typed and sized by the caller.

    ``price`` is the limit price (0 when the type takes none); ``stop_price`` is Kiwoom's
    ``cond_uv`` for a stop-limit order (0 otherwise). Validation against ticks, limits and the
    session happens in the book, which rejects with a reason instead of raising.

    Speed (one is built per order): ``__new__`` fills a plain twin with the same slot layout and
    relabels it (``__class__ = NewOrder``), as the events do (``events.py`` explains the trick);
    the result is an ordinary frozen dataclass instance.
    """

    order_id: int
    code: str
    side: Side
    type: OrderType
    qty: int
    price: int = 0
    stop_price: int = 0

    def __new__(
        cls,
        order_id: int,
        code: str,
        side: Side,
        type: OrderType,
        qty: int,
        price: int = 0,
        stop_price: int = 0,
    ) -> NewOrder:
        o = _new(_NEW_ORDER)
        o.order_id = order_id
        o.code = code
        o.side = side
        o.type = type
        o.qty = qty
        o.price = price
        o.stop_price = stop_price
        o.__class__ = cls
        order: NewOrder = o
        return order


_NEW_ORDER: type[Any] = type("_NewOrderShape", (_Shaped,), {"__slots__": NewOrder.__slots__})
