from hoga.domain.book import Book, BookSide, Level, RestingOrder
from hoga.domain.model import TRDE_TP, Side

LIMIT = TRDE_TP["0"]


def order(oid: int, side: Side, price: int, qty: int = 10) -> RestingOrder:
    return RestingOrder(oid, side, LIMIT, price=price, qty=qty, seq=oid)


def test_best_levels_are_the_highest_bid_and_lowest_ask() -> None:
    book = Book()
    for oid, side, price in [
        (1, Side.BUY, 100),
        (2, Side.BUY, 102),
        (3, Side.BUY, 101),
        (4, Side.SELL, 105),
        (5, Side.SELL, 103),
        (6, Side.SELL, 104),
    ]:
        book.add(order(oid, side, price))
    assert book.best_price(Side.BUY) == 102
    assert book.best_price(Side.SELL) == 103
    assert [lv.price for lv in book.bids] == [102, 101, 100]
    assert [lv.price for lv in book.asks] == [103, 104, 105]
    assert len(book) == 6 and len(book.bids) == 3
    assert 4 in book and 9 not in book
    assert book.get(4) is not None and book.get(9) is None


def test_empty_book_has_no_best_and_no_depth() -> None:
    book = Book()
    assert book.best_price(Side.BUY) is None
    assert book.bids.best() is None
    assert book.depth(Side.SELL, 5) == []
    assert list(book) == []


def test_level_is_fifo_and_aggregates_quantity_and_count() -> None:
    book = Book()
    first, second, third = (
        order(1, Side.BUY, 100, 5),
        order(2, Side.BUY, 100, 7),
        order(3, Side.BUY, 100, 1),
    )
    for o in (first, second, third):
        book.add(o)
    level = book.bids.levels[100]
    assert [o.order_id for o in level] == [1, 2, 3]
    assert (level.qty, level.count) == (13, 3)
    assert book.depth(Side.BUY, 10) == [(100, 13, 3)]


def test_remove_from_head_middle_and_tail_keeps_links() -> None:
    book = Book()
    orders = [order(i, Side.SELL, 100) for i in range(1, 6)]
    for o in orders:
        book.add(o)
    level = book.asks.levels[100]
    book.remove(orders[2])  # middle
    book.remove(orders[0])  # head
    book.remove(orders[4])  # tail
    assert [o.order_id for o in level] == [2, 4]
    assert level.head is orders[1] and level.tail is orders[3]
    assert orders[1].prev is None and orders[3].next is None
    assert (level.qty, level.count) == (20, 2)
    book.remove(orders[1])
    book.remove(orders[3])
    assert 100 not in book.asks.levels and len(book.asks) == 0 and len(book) == 0


def test_removing_a_level_that_is_not_the_best_drops_its_key() -> None:
    book = Book()
    deep, best = order(1, Side.BUY, 90), order(2, Side.BUY, 100)
    book.add(deep)
    book.add(best)
    book.remove(deep)
    assert [lv.price for lv in book.bids] == [100]
    book.add(order(3, Side.BUY, 95))
    assert [lv.price for lv in book.bids] == [100, 95]


def test_reduce_keeps_position_and_removes_at_zero() -> None:
    book = Book()
    a, b = order(1, Side.BUY, 100, 10), order(2, Side.BUY, 100, 10)
    book.add(a)
    book.add(b)
    book.reduce(a, 4)
    assert a.open == 6 and book.bids.levels[100].qty == 16
    assert [o.order_id for o in book.bids.levels[100]] == [1, 2]
    book.reduce(a, 6)
    assert a.open == 0 and 1 not in book
    assert [o.order_id for o in book.bids.levels[100]] == [2]


def test_depth_is_limited_and_best_first() -> None:
    book = Book()
    for i, price in enumerate([100, 99, 98, 97], start=1):
        book.add(order(i, Side.BUY, price, i))
    assert book.depth(Side.BUY, 2) == [(100, 1, 1), (99, 2, 1)]


def test_side_iteration_survives_levels_removed_meanwhile() -> None:
    side = BookSide(Side.SELL)
    for price in (10, 11, 12):
        side.level_for(price).append(order(price, Side.SELL, price))
    seen = []
    for level in side:
        seen.append(level.price)
        if level.price == 10:
            side.drop(side.levels[11])
    assert seen == [10, 12]
    assert side.level_for(12) is side.levels[12]


def test_book_iteration_is_a_snapshot() -> None:
    book = Book()
    a, b = order(1, Side.BUY, 100), order(2, Side.SELL, 101)
    book.add(a)
    book.add(b)
    for o in book:
        book.remove(o)
    assert len(book) == 0


def test_repr_and_market_flag() -> None:
    ro = RestingOrder(7, Side.BUY, TRDE_TP["3"], price=0, qty=5, seq=1, market=True)
    assert "mkt" in repr(ro) and "id=7" in repr(ro)
    assert "mkt" not in repr(order(8, Side.BUY, 100))
    assert Level(5).head is None
