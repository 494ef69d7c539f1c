"""Values and order-type rules of the regular board (used by ``board.py``).

What lives here:
- :class:`BoardPhase`, the read-only views the board hands out (:class:`DepthLevel`,
  :class:`Depth`, :class:`OrderView`, :class:`BoardStats`);
- :func:`check_new`, the static validation of a new order (quantity, type, phase, price grid and
  limits) — everything that does not need the book;
- the entry-pricing rules that do need the book: :func:`best_price_for` (최유리 / 최우선),
  :func:`mid_price_for` (중간가) and :func:`market_rest_price` (where a market order's remainder
  rests during continuous trading).

Decisions (KRX semantics where documented, ours otherwise):
- Types allowed in a call auction (opening, VI, closing): limit (0), market (3), stop-limit (28,
  inactive until triggered) and 조건부지정가 (5) except during the closing auction, when its
  conversion has already happened. IOC/FOK (10/13/16/20/23/26/30/31), 최유리 (6), 최우선 (7) and
  중간가 (29) need a continuous book and are rejected ``TYPE_NOT_ALLOWED_NOW``.
- 중간가 is priced once, on entry, at the mid of the best bid and ask, rounded onto the tick grid
  toward the passive side (a buy rounds down, a sell up) and capped by the client price when one
  is given; it then rests as a limit order and is **not re-priced** when the quotes move. A mid
  needs both quotes (no bid → NO_SAME_SIDE_QUOTE / NO_OPPOSITE_QUOTE by side). Because the
  rounded mid is never better than the opposite best, a mid never takes liquidity on entry: mid
  IOC/FOK are accepted and then cancelled (IOC_REMAINDER / FOK_UNFILLED).
- Market-order remainder (DAY, continuous; spec §1.4): after walking every opposite order inside
  the limits, the rest is priced one tick better than the best order on its own side (a buy one
  tick above the best bid, a sell one tick below the best ask); with no order on its own side it
  takes the last trade price (the base price before the first trade). The result is clamped into
  the day's limits. It keeps its market flag, so a later call auction treats it as a market order.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from hoga.domain.book import Book
from hoga.domain.events import RejectReason
from hoga.domain.limits import PriceLimits
from hoga.domain.model import Board, NewOrder, OrderKind, Side, TimeInForce

__all__ = [
    "AUCTION_PHASES",
    "BoardPhase",
    "BoardStats",
    "Depth",
    "DepthLevel",
    "OrderView",
    "best_price_for",
    "check_new",
    "check_price",
    "market_rest_price",
    "mid_price_for",
]


class BoardPhase(enum.StrEnum):
    """Trading phase of one instrument's regular board."""

    CLOSED = "closed"
    OPENING_AUCTION = "opening_auction"
    CONTINUOUS = "continuous"
    VI_AUCTION = "vi_auction"
    CLOSING_AUCTION = "closing_auction"
    HALTED = "halted"


#: Phases in which orders accumulate without matching (the book may be crossed).
AUCTION_PHASES = frozenset(
    {BoardPhase.OPENING_AUCTION, BoardPhase.VI_AUCTION, BoardPhase.CLOSING_AUCTION}
)

_CONTINUOUS_ONLY_KINDS: Final = frozenset({OrderKind.BEST, OrderKind.PRIORITY, OrderKind.MID})


@dataclass(frozen=True, slots=True)
class DepthLevel:
    """One aggregated price level: price, open quantity and number of orders."""

    price: int
    qty: int
    count: int


@dataclass(frozen=True, slots=True)
class Depth:
    """Best levels of each side, best first."""

    bids: tuple[DepthLevel, ...]
    asks: tuple[DepthLevel, ...]


@dataclass(frozen=True, slots=True)
class OrderView:
    """A live order as the board sees it.

    ``price`` is the working price (for a resting market order the price it is ranked at);
    ``active`` is False for a stop-limit order still waiting for its trigger; ``seq`` is the time
    priority (lower is earlier).
    """

    order_id: int
    side: Side
    trde_tp: str
    price: int
    qty: int
    filled: int
    open: int
    cancelled: int
    market: bool
    stop_price: int
    active: bool
    seq: int


@dataclass(frozen=True, slots=True)
class BoardStats:
    """The day's statistics of one board (``None`` where nothing has traded yet)."""

    code: str
    phase: BoardPhase
    base_price: int
    limits: PriceLimits
    last: int | None
    open: int | None
    high: int | None
    low: int | None
    close: int | None
    volume: int
    turnover: int
    trades: int
    best_bid: int | None
    best_ask: int | None


def check_new(
    order: NewOrder,
    *,
    phase: BoardPhase,
    lot_size: int,
    limits: PriceLimits,
    on_grid: Callable[[int], bool],
) -> tuple[RejectReason, str] | None:
    """Why ``order`` must be rejected before looking at the book, or None if it may proceed."""
    otype = order.type
    if phase is BoardPhase.CLOSED:
        return RejectReason.SESSION_CLOSED, "the regular session is closed"
    if phase is BoardPhase.HALTED:
        return RejectReason.HALTED, "trading is halted"
    if otype.board is not Board.REGULAR:
        return RejectReason.TYPE_NOT_ALLOWED_NOW, f"trde_tp {otype.trde_tp} trades on another book"
    if order.qty <= 0 or order.qty % lot_size:
        return RejectReason.INVALID_QUANTITY, f"quantity must be a positive multiple of {lot_size}"
    if phase in AUCTION_PHASES and (
        otype.tif is not TimeInForce.DAY
        or otype.kind in _CONTINUOUS_ONLY_KINDS
        or (otype.kind is OrderKind.CONDITIONAL and phase is BoardPhase.CLOSING_AUCTION)
    ):
        return RejectReason.TYPE_NOT_ALLOWED_NOW, f"{otype.name} is not accepted in {phase}"
    priced = otype.needs_price or (otype.kind is OrderKind.MID and order.price != 0)
    prices = [order.price] if priced else []
    if otype.kind is OrderKind.STOP_LIMIT:
        prices.append(order.stop_price)
    for price in prices:
        reason = check_price(price, limits=limits, on_grid=on_grid)
        if reason is not None:
            return reason
    if otype.kind is OrderKind.CONDITIONAL and order.price == (
        limits.upper if order.side is Side.BUY else limits.lower
    ):
        return RejectReason.CONDITIONAL_AT_LIMIT, "조건부지정가 may not sit at the price limit"
    return None


def check_price(
    price: int, *, limits: PriceLimits, on_grid: Callable[[int], bool]
) -> tuple[RejectReason, str] | None:
    """Why ``price`` is not a valid limit price today, or None."""
    if price <= 0:
        return RejectReason.INVALID_PRICE, "price must be positive"
    if not on_grid(price):
        return RejectReason.OFF_TICK, f"{price} is not on the tick grid"
    if not limits.contains(price):
        return (
            RejectReason.OUTSIDE_LIMITS,
            f"{price} is outside the limits {limits.lower}–{limits.upper}",
        )
    return None


def best_price_for(order: NewOrder, book: Book) -> int | tuple[RejectReason, str]:
    """The entry price of a 최유리 (best opposite) or 최우선 (best same-side) order."""
    if order.type.kind is OrderKind.BEST:
        price = book.best_price(order.side.opposite)
        if price is None:
            return RejectReason.NO_OPPOSITE_QUOTE, "최유리지정가 needs an opposite quote"
        return price
    price = book.best_price(order.side)
    if price is None:
        return RejectReason.NO_SAME_SIDE_QUOTE, "최우선지정가 needs a quote on its own side"
    return price


def mid_price_for(
    order: NewOrder,
    book: Book,
    *,
    floor: Callable[[int], int],
    ceil: Callable[[int], int],
) -> int | tuple[RejectReason, str]:
    """The entry price of a 중간가 order (see the module docstring for the rule)."""
    same = book.best_price(order.side)
    other = book.best_price(order.side.opposite)
    if other is None:
        return RejectReason.NO_OPPOSITE_QUOTE, "중간가 needs both best quotes"
    if same is None:
        return RejectReason.NO_SAME_SIDE_QUOTE, "중간가 needs both best quotes"
    total = same + other
    if order.side is Side.BUY:
        price = floor(total // 2)
        return min(price, order.price) if order.price else price
    price = ceil(-(-total // 2))
    return max(price, order.price) if order.price else price


def market_rest_price(
    side: Side,
    book: Book,
    *,
    last: int,
    limits: PriceLimits,
    up: Callable[[int], int],
    down: Callable[[int], int],
) -> int:
    """Where a continuous-trading market order's remainder rests (module docstring rule)."""
    best_same = book.best_price(side)
    if best_same is None:
        price = last
    elif side is Side.BUY:
        price = up(best_same)
    else:
        price = down(best_same)
    return min(max(price, limits.lower), limits.upper)
