"""Call auction: KRX golden examples, edge cases and hypothesis properties."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoga.domain.auction import (
    AuctionFill,
    AuctionOrder,
    AuctionResult,
    executable_qty,
    indicative,
    uncross,
)
from hoga.domain.limits import PriceLimits, price_limits
from hoga.domain.model import Market, Side
from hoga.domain.ticks import TickRules

B, S = Side.BUY, Side.SELL
WIDE = PriceLimits(lower=5_000, upper=10_000)


class Book:
    """Builds auction orders with increasing ids and seqs (arrival order)."""

    def __init__(self) -> None:
        self.orders: list[AuctionOrder] = []

    def add(self, side: Side, price: int | None, qty: int) -> int:
        n = len(self.orders) + 1
        self.orders.append(AuctionOrder(order_id=n, side=side, price=price, qty=qty, seq=n))
        return n


def filled(result: AuctionResult) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for f in result.fills:
        out[f.buy_order_id] += f.qty
        out[f.sell_order_id] += f.qty
    return dict(out)


# --- KRX golden examples (global.krx.co.kr …/GLB0606030102T1.jsp) -------------------------


def test_krx_max_volume_600_at_7830() -> None:
    """KRX's first example: 600 shares trade at 7,830, the unique maximum-volume price.

    Volumes: 7,800→0, 7,810→150, 7,820→350, 7,830→600, 7,840→250, 7,850→100, 7,860→0.
    The reference 7,820 is itself an order price with volume, so only volume can pick 7,830.
    """
    bk = Book()
    s7860 = bk.add(S, 7_860, 450)
    bk.add(S, 7_850, 750)
    bk.add(S, 7_840, 300)
    s1 = bk.add(S, 7_830, 150)
    s2 = bk.add(S, 7_830, 200)
    s3 = bk.add(S, 7_830, 50)
    s7820 = bk.add(S, 7_820, 200)
    s7810 = bk.add(S, 7_810, 150)
    b7850 = bk.add(B, 7_850, 100)
    b7840 = bk.add(B, 7_840, 150)
    b1 = bk.add(B, 7_830, 200)
    b2 = bk.add(B, 7_830, 150)
    b7820 = bk.add(B, 7_820, 400)
    bk.add(B, 7_810, 500)
    bk.add(B, 7_800, 650)

    assert indicative(bk.orders, reference=7_820, limits=WIDE) == (7_830, 600)
    result = uncross(bk.orders, reference=7_820, limits=WIDE)
    assert (result.price, result.volume) == (7_830, 600)
    got = filled(result)
    # every buy at or above 7,830 fills in full
    assert [got.get(o, 0) for o in (b7850, b7840, b1, b2, b7820)] == [100, 150, 200, 150, 0]
    # sells below fill in full; at 7,830 ① full, ② partly (100 of 200), ③ not at all
    assert [got.get(o, 0) for o in (s7810, s7820, s1, s2, s3, s7860)] == [
        150,
        200,
        150,
        100,
        0,
        0,
    ]
    # fills follow allocation order: best-priced sells first
    assert result.fills[0] == AuctionFill(b7850, s7810, 100)


def _four_matching_prices() -> Book:
    """KRX's second/third example book: matching prices 7,810, 7,820, 7,830 and 7,840 (300 each).

    At 7,800 only 200 sell and at 7,850 only 200 buy, so the range is [7,810, 7,840]; 7,820 and
    7,830 hold no order yet trade the same 300.
    """
    bk = Book()
    bk.add(B, 7_850, 200)
    bk.add(B, 7_840, 100)
    bk.add(S, 7_810, 100)
    bk.add(S, 7_800, 200)
    return bk


@pytest.mark.parametrize(
    ("reference", "price"),
    [
        (7_820, 7_820),  # KRX: the previous price is among the 4 matching prices -> it is used
        (7_850, 7_840),  # KRX: previous 7,850 -> the closest matching price 7,840
        (7_830, 7_830),
        (7_700, 7_810),  # all matching prices above -> the lowest
        (9_000, 7_840),  # all below -> the highest
    ],
)
def test_krx_reference_price_rule(reference: int, price: int) -> None:
    bk = _four_matching_prices()
    result = uncross(bk.orders, reference=reference, limits=WIDE)
    assert (result.price, result.volume) == (price, 300)
    assert sum(f.qty for f in result.fills) == 300


def test_tie_rule_equidistant_candidates_pick_the_reference() -> None:
    """Our documented tie rule: order prices 7,810 and 7,830 both trade 300 and are equally
    close to the reference 7,820; the reference lies inside the matching range, so it wins."""
    bk = Book()
    bk.add(B, 7_830, 300)
    bk.add(S, 7_810, 300)
    assert indicative(bk.orders, reference=7_820, limits=WIDE) == (7_820, 300)
    # moving the reference moves the price, never outside [7,810, 7,830]
    assert indicative(bk.orders, reference=7_815, limits=WIDE) == (7_815, 300)
    assert indicative(bk.orders, reference=7_900, limits=WIDE) == (7_830, 300)
    assert indicative(bk.orders, reference=7_000, limits=WIDE) == (7_810, 300)


# --- quantity priority at the limit (KRX …/GLB0602010202T2.jsp) ----------------------------

LIMIT_DAY = date(2026, 1, 5)


def _upper_limit_open() -> tuple[Book, PriceLimits, dict[str, int]]:
    """KRX's 20,150 example. Base 15,500: 30% = 4,650 (tick 10) -> upper 20,150, lower 10,850.

    Sells (13,100): 4,000/1,500/600 at 20,150, 1,700/1,500 at 20,100, 1,300/1,000 at 20,050,
    800 at 20,000, 700 at 19,950. Buys at 20,150 in arrival order: ① 1,000, ② 200, ③ 10,000,
    ④ 5,000 (16,200). Price 20,150 trades min(16,200, 13,100) = 13,100; at 20,100 only 6,400.
    """
    limits = price_limits(15_500, Market.KOSPI, LIMIT_DAY, TickRules())
    assert limits == PriceLimits(lower=10_850, upper=20_150)
    bk = Book()
    for price, qty in [
        (20_150, 4_000),
        (20_150, 1_500),
        (20_150, 600),
        (20_100, 1_700),
        (20_100, 1_500),
        (20_050, 1_300),
        (20_050, 1_000),
        (20_000, 800),
        (19_950, 700),
    ]:
        bk.add(S, price, qty)
    ids = {name: bk.add(B, 20_150, qty) for name, qty in [("1", 1_000), ("2", 200)]}
    ids |= {name: bk.add(B, 20_150, qty) for name, qty in [("3", 10_000), ("4", 5_000)]}
    return bk, limits, ids


def test_krx_quantity_priority_golden_9850_2550_550_150() -> None:
    """Derivation of 9,850 / 2,550 / 550 / 150 (largest first: ③ 10,000, ④ 5,000, ① 1,000, ② 200).

    Round 1, min(100 lots, need): 100 each -> 400 used, 12,700 left.
    Round 2, half the remaining need: ③ 9,900/2 = 4,950, ④ 4,900/2 = 2,450, ① 900/2 = 450,
    ② 100/2 = 50 -> 7,900 used, 4,800 left.
    Round 3, the rest in rank order: ③ still needs 4,950 and takes all 4,800.
    Totals: ③ 100+4,950+4,800 = 9,850; ④ 2,550; ① 550; ② 150; sum 13,100.
    """
    bk, limits, ids = _upper_limit_open()
    result = uncross(bk.orders, reference=15_500, limits=limits, quantity_priority_at_limit=True)
    assert (result.price, result.volume) == (20_150, 13_100)
    got = filled(result)
    assert [got[ids[k]] for k in "3412"] == [9_850, 2_550, 550, 150]
    assert sum(got[i] for i in range(1, 10)) == 13_100  # every sell fills in full
    # fills list the buys in rank order (largest first)
    assert result.fills[0].buy_order_id == ids["3"]


def test_same_book_without_quantity_priority_is_time_priority() -> None:
    bk, limits, ids = _upper_limit_open()
    got = filled(uncross(bk.orders, reference=15_500, limits=limits))
    assert [got[ids[k]] for k in "1234"] == [1_000, 200, 10_000, 1_900]


def test_quantity_priority_at_lower_limit_rations_sells_and_market_orders_join() -> None:
    limits = PriceLimits(lower=7_000, upper=13_000)
    bk = Book()
    small = bk.add(S, 7_000, 150)
    market = bk.add(S, None, 400)  # same price rank as 7,000, ranked by size with the rest
    big = bk.add(S, 7_000, 1_000)
    bk.add(B, 7_000, 500)
    result = uncross(bk.orders, reference=10_000, limits=limits, quantity_priority_at_limit=True)
    assert (result.price, result.volume) == (7_000, 500)
    got = filled(result)
    # round 1: 100 each (300); round 2: big 450 -> takes the last 200
    assert (got[big], got[market], got[small]) == (300, 100, 100)


def test_quantity_priority_rounds_half_up_to_the_lot() -> None:
    """Lot 10: round 1 up to 1,000 each; half of 1,150 = 57.5 lots -> 58 lots = 580."""
    limits = PriceLimits(lower=700, upper=1_300)
    bk = Book()
    a = bk.add(B, 1_300, 2_150)
    b = bk.add(B, 1_300, 2_150)
    bk.add(S, 1_300, 2_000 + 580 + 10)
    result = uncross(
        bk.orders,
        reference=1_000,
        limits=limits,
        quantity_priority_at_limit=True,
        lot_size=10,
    )
    got = filled(result)
    # equal sizes: time breaks the tie, so a is served first in each round
    assert (got[a], got[b]) == (1_000 + 580, 1_000 + 10)


def test_quantity_priority_first_round_short() -> None:
    """Fewer than 100 shares each: the largest orders get their round-1 share first."""
    limits = PriceLimits(lower=700, upper=1_300)
    bk = Book()
    small = bk.add(B, 1_300, 300)
    large = bk.add(B, 1_300, 900)
    bk.add(S, 1_000, 150)
    got = filled(
        uncross(bk.orders, reference=1_300, limits=limits, quantity_priority_at_limit=True)
    )
    assert (got[large], got[small]) == (100, 50)


def test_quantity_priority_only_for_the_limit_side() -> None:
    """At the upper limit a crowded *sell* side keeps time priority; off the limits too."""
    limits = PriceLimits(lower=700, upper=1_300)
    bk = Book()
    first = bk.add(S, 1_300, 100)
    second = bk.add(S, 1_300, 900)
    bk.add(B, 1_300, 500)
    got = filled(
        uncross(bk.orders, reference=1_300, limits=limits, quantity_priority_at_limit=True)
    )
    assert (got[first], got[second]) == (100, 400)
    bk2 = Book()
    early = bk2.add(B, 1_100, 100)
    late = bk2.add(B, 1_100, 900)
    bk2.add(S, 1_100, 500)
    got = filled(
        uncross(bk2.orders, reference=1_000, limits=limits, quantity_priority_at_limit=True)
    )
    assert (got[early], got[late]) == (100, 400)


# --- market orders, empty and degenerate books ---------------------------------------------


def test_market_orders_have_priority_over_limit_orders() -> None:
    bk = Book()
    limit_buy = bk.add(B, 10_000, 100)
    market_buy = bk.add(B, None, 100)
    bk.add(S, 8_000, 100)
    result = uncross(bk.orders, reference=9_000, limits=WIDE)
    assert result.price == 9_000  # range [8,000, 10,000] holds the reference
    assert result.fills == (AuctionFill(market_buy, 3, 100),)
    assert filled(result).get(limit_buy, 0) == 0


def test_market_orders_only_trade_at_the_reference() -> None:
    bk = Book()
    bk.add(B, None, 300)
    bk.add(S, None, 200)
    assert indicative(bk.orders, reference=7_000, limits=WIDE) == (7_000, 200)
    # a reference outside the limits is clamped into them
    assert indicative(bk.orders, reference=99_999, limits=WIDE) == (10_000, 200)


@pytest.mark.parametrize(
    "orders",
    [
        [],
        [AuctionOrder(1, B, 6_000, 10, 1)],
        [AuctionOrder(1, B, 6_000, 10, 1), AuctionOrder(2, S, 6_010, 10, 2)],
    ],
)
def test_nothing_crosses(orders: list[AuctionOrder]) -> None:
    assert indicative(orders, reference=6_000, limits=WIDE) == (None, 0)
    assert uncross(orders, reference=6_000, limits=WIDE) == AuctionResult(None, 0, ())


def test_non_positive_quantity_is_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="quantity"):
        uncross([AuctionOrder(1, B, 6_000, 0, 1)], reference=6_000, limits=WIDE)


def test_executable_qty() -> None:
    bk = _four_matching_prices()
    assert executable_qty(bk.orders, B, 7_840, limits=WIDE) == 300
    assert executable_qty(bk.orders, B, 7_850, limits=WIDE) == 200
    assert executable_qty(bk.orders, S, 7_805, limits=WIDE) == 200


# --- properties ----------------------------------------------------------------------------

LIM = PriceLimits(lower=90, upper=110)


@st.composite
def order_sets(draw: st.DrawFn) -> list[AuctionOrder]:
    n = draw(st.integers(0, 25))
    out = []
    for i in range(n):
        side = draw(st.sampled_from([B, S]))
        price = draw(st.one_of(st.none(), st.integers(LIM.lower, LIM.upper)))
        qty = draw(st.integers(1, 400))
        out.append(AuctionOrder(order_id=i + 1, side=side, price=price, qty=qty, seq=i))
    return draw(st.permutations(out))


@given(
    order_sets(),
    st.integers(80, 120),
    st.booleans(),
)
def test_uncross_properties(orders: list[AuctionOrder], reference: int, ration: bool) -> None:
    result = uncross(orders, reference=reference, limits=LIM, quantity_priority_at_limit=ration)
    assert indicative(orders, reference=reference, limits=LIM) == (result.price, result.volume)
    best = max(
        (
            min(executable_qty(orders, B, p, limits=LIM), executable_qty(orders, S, p, limits=LIM))
            for p in range(LIM.lower, LIM.upper + 1)
        ),
        default=0,
    )
    assert result.volume == best  # the price maximises volume over every price in the limits
    if result.price is None:
        assert result.volume == 0
        assert result.fills == ()
        return
    price = result.price
    assert LIM.contains(price)
    buys = executable_qty(orders, B, price, limits=LIM)
    sells = executable_qty(orders, S, price, limits=LIM)
    assert result.volume == sum(f.qty for f in result.fills) == min(buys, sells)
    by_id = {o.order_id: o for o in orders}
    got = filled(result)
    for oid, qty in got.items():
        order = by_id[oid]
        assert 0 < qty <= order.qty
        if order.price is not None:
            assert order.price >= price if order.side is B else order.price <= price
    for f in result.fills:
        assert f.qty > 0
        assert by_id[f.buy_order_id].side is B
        assert by_id[f.sell_order_id].side is S
    # the rest of the book is not crossed at the price: one side has nothing executable left
    rest = [
        AuctionOrder(o.order_id, o.side, o.price, o.qty - got.get(o.order_id, 0), o.seq)
        for o in orders
        if o.qty > got.get(o.order_id, 0)
    ]
    assert (
        min(executable_qty(rest, B, price, limits=LIM), executable_qty(rest, S, price, limits=LIM))
        == 0
    )
    # matching price rule: the reference when it trades the maximum, else the closest such price
    ref_volume = min(
        executable_qty(orders, B, reference, limits=LIM),
        executable_qty(orders, S, reference, limits=LIM),
    )
    if LIM.contains(reference) and ref_volume == best:
        assert price == reference
    else:  # every price strictly between the reference and the chosen one trades less
        lo, hi = sorted((reference, price))
        for p in range(lo + 1, hi):
            assert min(
                executable_qty(orders, B, p, limits=LIM), executable_qty(orders, S, p, limits=LIM)
            ) < best or not LIM.contains(p)


@given(order_sets(), st.integers(80, 120))
def test_time_priority_without_rationing(orders: list[AuctionOrder], reference: int) -> None:
    """Without quantity priority, an order that is not filled in full blocks every order of
    lower priority on its side (market first, then better price, then earlier)."""
    result = uncross(orders, reference=reference, limits=LIM)
    got = filled(result)
    for side, sign in ((B, -1), (S, 1)):
        mine = [o for o in orders if o.side is side]
        mine.sort(
            key=lambda o: (o.price is not None, sign * (o.price or 0), o.seq),
        )
        blocked = False
        for o in mine:
            if blocked:
                assert got.get(o.order_id, 0) == 0
            if got.get(o.order_id, 0) < o.qty:
                blocked = True
