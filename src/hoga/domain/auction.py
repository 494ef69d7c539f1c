"""Call auction (단일가매매): price determination and allocation.

The single price (KRX, global.krx.co.kr …/GLB0606030102T1.jsp):

1. At a price ``p`` the executable buys are market buys and limit buys at ``p`` or higher; the
   executable sells are market sells and limit sells at ``p`` or lower. The volume at ``p`` is
   ``min(buys, sells)``. A market buy counts as priced at the upper limit and a market sell at the
   lower limit.
2. The auction trades the **maximum volume**. Because executable buys never grow and executable
   sells never shrink as the price rises, the prices that reach the maximum form one closed range
   ``[lo, hi]`` (KRX calls every tick in it a *matching price*; its example lists 7,810, 7,820,
   7,830 and 7,840 although no order rests at 7,820 or 7,830). ``lo`` and ``hi`` are always
   order prices (limit prices present, or a limit for market orders) inside the day's limits.
3. Among the matching prices the **reference** (직전가격, the base price for the open) wins when it
   is one of them, else the matching price closest to it. With a range that is simply
   ``clamp(reference, lo, hi)``.
4. **Tie rule (undocumented by KRX; our decision):** two matching prices equally close to the
   reference, one above and one below, cannot both exist without the reference lying inside
   ``[lo, hi]`` — so the reference itself is chosen, which trades the same maximum volume. Every
   chosen price is therefore unique and inside the limits (when ``reference`` lies outside the
   limits, the range end nearest to it is chosen).

Allocation is price-time priority on each side: market orders first (in time order), then limit
orders by price, then time. The side whose executable quantity equals the volume fills in full;
the other side fills in priority order until the volume is used up.

Exception (``quantity_priority_at_limit``, used for the opening price and the first price after a
halt): when the price is the **upper** limit, the buys at that price (market buys included, which
KRX treats as the same price rank and the same moment) share what is left by **quantity
priority**; at the **lower** limit the sells do. Orders are ranked largest first (time breaks
ties) and served in rounds, each round in that rank until the volume runs out:
``min(100 × lot, need)`` each, then half of each one's remaining need (rounded half up to a whole
lot, KRX's 4사5입), then the rest of each need. KRX's example at 20,150 allocates 13,100 shares
to buys of 10,000 / 5,000 / 1,000 / 200 as 9,850 / 2,550 / 550 / 150 (see the tests).

Invariants: ``volume == sum(fill.qty) ==`` each side's allocation; no order gets more than its
``qty``; a buy fills only if its limit is at or above the price, a sell at or below; after the
uncross one side has nothing executable left at the price, so the rest of the book is not
crossed there. Pure functions, integers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hoga.domain.limits import PriceLimits
from hoga.domain.model import Side

__all__ = [
    "FIRST_ROUND_LOTS",
    "AuctionFill",
    "AuctionOrder",
    "AuctionResult",
    "executable_qty",
    "indicative",
    "uncross",
]

#: Quantity-priority round 1 gives each order up to this many lots.
FIRST_ROUND_LOTS = 100


@dataclass(frozen=True, slots=True)
class AuctionOrder:
    """One order taking part in an uncross.

    ``price`` None is a market order: priced at the limit (upper for a buy, lower for a sell)
    for price discovery, with priority over every limit order. ``seq`` is time priority, lower
    is earlier. ``qty`` (the open quantity) must be positive.
    """

    order_id: int
    side: Side
    price: int | None
    qty: int
    seq: int


@dataclass(frozen=True, slots=True)
class AuctionFill:
    """Quantity matched between one buy and one sell at the auction price."""

    buy_order_id: int
    sell_order_id: int
    qty: int


@dataclass(frozen=True, slots=True)
class AuctionResult:
    """Outcome of an uncross: the price (None when nothing crosses), the volume and the fills."""

    price: int | None
    volume: int
    fills: tuple[AuctionFill, ...]


def _eff(order: AuctionOrder, limits: PriceLimits) -> int:
    """The price an order counts at for discovery (market orders at their side's limit)."""
    if order.price is not None:
        return order.price
    return limits.upper if order.side is Side.BUY else limits.lower


def _executes_at(order: AuctionOrder, price: int, limits: PriceLimits) -> bool:
    eff = _eff(order, limits)
    return eff >= price if order.side is Side.BUY else eff <= price


def executable_qty(
    orders: Sequence[AuctionOrder], side: Side, price: int, *, limits: PriceLimits
) -> int:
    """Total quantity on ``side`` that would execute at ``price``."""
    return sum(o.qty for o in orders if o.side is side and _executes_at(o, price, limits))


def _discover(
    orders: Sequence[AuctionOrder], reference: int, limits: PriceLimits
) -> tuple[int | None, int]:
    for o in orders:
        if o.qty <= 0:
            raise ValueError(f"auction order {o.order_id} has quantity {o.qty}")
    candidates = sorted({p for p in (_eff(o, limits) for o in orders) if limits.contains(p)})
    buys = sorted(((_eff(o, limits), o.qty) for o in orders if o.side is Side.BUY), reverse=True)
    sells = sorted((_eff(o, limits), o.qty) for o in orders if o.side is Side.SELL)
    demand: dict[int, int] = {}
    total = i = 0
    for price in reversed(candidates):
        while i < len(buys) and buys[i][0] >= price:
            total += buys[i][1]
            i += 1
        demand[price] = total
    volumes: list[tuple[int, int]] = []
    total = i = 0
    for price in candidates:
        while i < len(sells) and sells[i][0] <= price:
            total += sells[i][1]
            i += 1
        volumes.append((price, min(demand[price], total)))
    best = max((v for _, v in volumes), default=0)
    if best == 0:
        return None, 0
    matching = [p for p, v in volumes if v == best]
    return min(max(reference, matching[0]), matching[-1]), best


def indicative(
    orders: Sequence[AuctionOrder], *, reference: int, limits: PriceLimits
) -> tuple[int | None, int]:
    """Expected price and quantity if the auction ended now (``(None, 0)`` if nothing crosses).

    Uses exactly the price rule of :func:`uncross` (see the module docstring).
    """
    return _discover(orders, reference, limits)


def _by_quantity(
    group: list[AuctionOrder], left: int, lot: int
) -> tuple[list[tuple[AuctionOrder, int]], int]:
    """Quantity-priority rounds over ``group`` sharing ``left``; returns allocations, rest."""
    ranked = sorted(group, key=lambda o: (-o.qty, o.seq))
    got = [0] * len(ranked)

    def first(need: int) -> int:
        return min(FIRST_ROUND_LOTS * lot, need)

    def half(need: int) -> int:
        return (need // lot + 1) // 2 * lot

    def rest(need: int) -> int:
        return need

    for share in (first, half, rest):
        for k, order in enumerate(ranked):
            give = min(share(order.qty - got[k]), left)
            got[k] += give
            left -= give
    return list(zip(ranked, got, strict=True)), left


def _allocate(
    queue: list[AuctionOrder],
    volume: int,
    ration_at: int | None,
    limits: PriceLimits,
    lot: int,
) -> list[tuple[AuctionOrder, int]]:
    """Give ``volume`` to ``queue`` (already in price-time priority order)."""
    group = [o for o in queue if _eff(o, limits) == ration_at]
    head = [o for o in queue if _eff(o, limits) != ration_at]
    out: list[tuple[AuctionOrder, int]] = []
    left = volume
    for order in head:
        give = min(order.qty, left)
        out.append((order, give))
        left -= give
    rationed, left = _by_quantity(group, left, lot)
    out.extend(rationed)
    return [(o, q) for o, q in out if q > 0]


def _pair(
    buys: list[tuple[AuctionOrder, int]], sells: list[tuple[AuctionOrder, int]]
) -> tuple[AuctionFill, ...]:
    fills: list[AuctionFill] = []
    i = j = 0
    b_left = buys[0][1]
    s_left = sells[0][1]
    while True:
        qty = min(b_left, s_left)
        fills.append(AuctionFill(buys[i][0].order_id, sells[j][0].order_id, qty))
        b_left -= qty
        s_left -= qty
        if b_left == 0:
            i += 1
            if i == len(buys):
                return tuple(fills)
            b_left = buys[i][1]
        if s_left == 0:
            j += 1
            s_left = sells[j][1]


def uncross(
    orders: Sequence[AuctionOrder],
    *,
    reference: int,
    limits: PriceLimits,
    quantity_priority_at_limit: bool = False,
    lot_size: int = 1,
) -> AuctionResult:
    """Run the auction over ``orders``: the single price, the volume and the fills.

    ``reference`` is the immediately preceding price (the base price for the open);
    ``quantity_priority_at_limit`` turns on KRX's quantity-priority allocation when the price is a
    limit; ``lot_size`` is the trading unit for its rounds. See the module docstring for the
    rules and invariants. Raises ValueError for an order with a non-positive quantity (a caller
    bug: books never hold one).
    """
    price, volume = _discover(orders, reference, limits)
    if price is None:
        return AuctionResult(None, 0, ())
    buys = sorted(
        (o for o in orders if o.side is Side.BUY and _executes_at(o, price, limits)),
        key=lambda o: (o.price is not None, -_eff(o, limits), o.seq),
    )
    sells = sorted(
        (o for o in orders if o.side is Side.SELL and _executes_at(o, price, limits)),
        key=lambda o: (o.price is not None, _eff(o, limits), o.seq),
    )
    ration = quantity_priority_at_limit
    buy_ration = limits.upper if ration and price == limits.upper else None
    sell_ration = limits.lower if ration and price == limits.lower else None
    fills = _pair(
        _allocate(buys, volume, buy_ration, limits, lot_size),
        _allocate(sells, volume, sell_ration, limits, lot_size),
    )
    return AuctionResult(price, volume, fills)
