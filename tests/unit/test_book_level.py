"""Level.append/unlink (the reference FIFO operations) agree with Book.add/remove (inlined)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hoga.domain.book import Book, Level, RestingOrder
from hoga.domain.model import TRDE_TP, Side


def _order(oid: int, qty: int) -> RestingOrder:
    return RestingOrder(oid, Side.BUY, TRDE_TP["0"], price=100, qty=qty, seq=oid)


@given(
    qtys=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=12),
    removals=st.lists(st.integers(min_value=0, max_value=11), max_size=12),
)
def test_level_methods_match_the_book(qtys: list[int], removals: list[int]) -> None:
    level = Level(100)
    book = Book()
    mine = [_order(i, q) for i, q in enumerate(qtys)]
    theirs = [_order(i, q) for i, q in enumerate(qtys)]
    for a, b in zip(mine, theirs, strict=True):
        level.append(a)
        book.add(b)
    for index in removals:
        if index < len(mine) and index in book:
            level.unlink(mine[index])
            book.remove(theirs[index])
        booked = book.bids.levels.get(100)
        assert [o.order_id for o in level] == ([o.order_id for o in booked] if booked else [])
        assert level.count == (booked.count if booked else 0)
        assert level.qty == (booked.qty if booked else 0)
    if level.count == 0:
        assert level.head is None and level.tail is None
        assert book.best_price(Side.BUY) is None
