"""Property tests: random order flow in continuous trading keeps the board's invariants."""

from __future__ import annotations

from collections import defaultdict

from _board_kit import BUY, SELL, make_board, new
from hypothesis import given, settings
from hypothesis import strategies as st

from hoga.domain import events as ev
from hoga.domain.board import Board, BoardPhase, OrderView
from hoga.domain.model import Side
from hoga.domain.ticks import TickRules

TYPES = ["0", "0", "0", "3", "5", "6", "7", "10", "13", "16", "20", "23", "26", "28", "29", "30"]
_price = st.integers(-14, 14).map(lambda k: 10_000 + 50 * k)  # ±7%: VIs happen now and then

OPS = st.one_of(
    st.tuples(
        st.just("submit"),
        st.sampled_from([BUY, SELL]),
        st.sampled_from(TYPES),
        st.integers(1, 30),
        _price,
        _price,
    ),
    st.tuples(
        st.just("modify"),
        st.integers(0, 60),
        st.one_of(st.none(), _price),
        st.one_of(st.none(), st.integers(1, 30)),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 60), st.one_of(st.none(), st.integers(1, 30))),
    st.tuples(st.just("end_vi")),
)


def _rank(view: OrderView) -> tuple[int, int]:
    """Smaller is better: price priority then time priority."""
    price = -view.price if view.side is Side.BUY else view.price
    return price, view.seq


class Ledger:
    """What the event stream says about each order."""

    def __init__(self) -> None:
        self.total: dict[int, int] = {}
        self.filled: dict[int, int] = defaultdict(int)
        self.cancelled: dict[int, int] = defaultdict(int)

    def apply(self, events: list[ev.Event], open_before: int = 0) -> None:
        for e in events:
            if isinstance(e, ev.OrderAccepted):
                self.total[e.order_id] = e.qty
            elif isinstance(e, ev.OrderModified):
                self.total[e.order_id] += e.open_qty - open_before
            elif isinstance(e, ev.Trade):
                self.filled[e.buy_order_id] += e.qty
                self.filled[e.sell_order_id] += e.qty
            elif isinstance(e, ev.OrderCancelled):
                self.cancelled[e.order_id] += e.qty


def _check_priority(snapshot: list[OrderView], events: list[ev.Event]) -> None:
    remaining = {v.order_id: v.open for v in snapshot}
    by_id = {v.order_id: v for v in snapshot}
    for e in events:
        if not isinstance(e, ev.Trade):
            continue
        if e.aggressor is not None:
            maker_id = e.sell_order_id if e.aggressor is Side.BUY else e.buy_order_id
            maker = by_id.get(maker_id)
            if maker is not None:
                for other in snapshot:
                    if (
                        other.side is maker.side
                        and other.order_id != maker_id
                        and _rank(other) < _rank(maker)
                    ):
                        assert remaining[other.order_id] == 0, (other, maker, e)
        for oid in (e.buy_order_id, e.sell_order_id):
            if oid in remaining:
                remaining[oid] -= e.qty


def _check_board(board: Board, ledger: Ledger) -> None:
    stats = board.stats
    if board.phase is BoardPhase.CONTINUOUS and stats.best_bid and stats.best_ask:
        assert stats.best_bid < stats.best_ask
    ticks = TickRules()
    live = {v.order_id: v for v in board.orders()}
    for view in live.values():
        assert ticks.is_on_grid(view.price, board.instrument.market, board.day)
        assert board.limits.contains(view.price)
        assert view.open > 0
        assert view.filled + view.open + view.cancelled == view.qty
    for oid, total in ledger.total.items():
        view = live.get(oid)
        open_qty = 0 if view is None else view.open
        assert ledger.filled[oid] + ledger.cancelled[oid] + open_qty == total, oid
        if view is not None:
            assert view.filled == ledger.filled[oid] and view.qty == total
    for side in (BUY, SELL):
        for level in board._book.side(side):
            seqs = [o.seq for o in level]
            assert seqs == sorted(seqs)
            assert level.qty == sum(o.open for o in level)


@settings(max_examples=300)
@given(st.lists(OPS, max_size=60))
def test_random_order_flow_keeps_the_invariants(ops: list[tuple[object, ...]]) -> None:
    board = make_board()
    ledger = Ledger()
    ids: list[int] = []
    for now, op in enumerate(ops, start=1):
        snapshot = [v for v in board.orders() if v.active]
        kind = op[0]
        open_before = 0
        if kind == "submit":
            _, side, tp, qty, price, stop = op
            assert isinstance(side, Side) and isinstance(tp, str)
            assert isinstance(qty, int) and isinstance(price, int) and isinstance(stop, int)
            order = new(side, tp, qty, price, stop=stop)
            ids.append(order.order_id)
            out = board.submit(order, now)
        elif kind == "modify" and ids:
            _, pick, price, qty = op
            assert isinstance(pick, int)
            oid = ids[pick % len(ids)]
            before = board.open_order(oid)
            open_before = 0 if before is None else before.open
            snapshot = [v for v in snapshot if v.order_id != oid]
            out = board.modify(
                oid,
                now,
                price=price if isinstance(price, int) else None,
                qty=qty,  # type: ignore[arg-type]
            )
        elif kind == "cancel" and ids:
            _, pick, qty = op
            assert isinstance(pick, int)
            out = board.cancel(ids[pick % len(ids)], now, qty)  # type: ignore[arg-type]
        else:
            out = board.end_vi(now)
        ledger.apply(out, open_before)
        if out and isinstance(out[-1], ev.BookChanged):
            assert sum(isinstance(e, ev.BookChanged) for e in out) == 1
        _check_priority(snapshot, out)
        _check_board(board, ledger)
