"""Start-up recovery of the brokerage: ledger states, due settlements, open orders.

Steps (:func:`recover`):

1. Every account's :class:`~hoga.domain.ledger.AccountState` is rebuilt by replaying its journal
   (:func:`hoga.engine.brokerage_book.replay`) after its snapshot, if it has one
   (:mod:`hoga.engine.brokerage_snapshot`); settlements that fell due while the server was
   down are run and posted.
2. Every stored order with open quantity is a working order. Its exchange id is the first order
   number of its modify chain (walk ``orig_ord_no``). Orders from an earlier trading day, of an
   instrument the exchange no longer lists, or that the book refuses now (e.g. the session is
   closed) are expired: the reservation is released and the row marked ``expired``.
3. The others are re-entered into the books with their ids, open quantity, price and stop price,
   in their original time priority: the order number that last took a new priority (a new
   order, or a modification that changed the price or raised the quantity) decides.

Gaps: a stop-limit order that had already triggered rests as an untriggered stop again (it
re-triggers at once if its condition still holds); 최유리/최우선/중간가 orders are re-priced
against the book at re-entry because the row keeps the client's price, not the working one.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from hoga.domain.events import OrderRejected
from hoga.domain.kst import kst_date
from hoga.domain.model import TRDE_TP, Market, NewOrder
from hoga.engine.brokerage_book import LiveOrder, Status
from hoga.engine.brokerage_snapshot import read_journal
from hoga.ports.storage import OrderRecord

if TYPE_CHECKING:
    from hoga.engine.brokerage import Brokerage

__all__ = ["recover"]


def _chain(row: OrderRecord, rows: dict[int, OrderRecord]) -> list[OrderRecord]:
    """``row`` and the rows it modified, newest first, ending with the new order."""
    out = [row]
    while out[-1].orig_ord_no is not None and out[-1].orig_ord_no in rows:
        out.append(rows[out[-1].orig_ord_no])
    return out


def _priority(chain: list[OrderRecord]) -> int:
    """The order number whose time priority the live order carries."""
    for newer, older in itertools.pairwise(chain):
        kept = newer.price == older.price and newer.qty < older.qty - older.filled_qty
        if not kept:
            return newer.ord_no
    return chain[-1].ord_no


def recover(b: Brokerage) -> int:
    """Run the recovery (see the module docstring); returns how many orders were re-entered."""
    with b.storage.unit_of_work() as uow:
        records = [a for c in uow.customers.list() for a in uow.accounts.by_customer(c.id)]
        accounts = [a.account_no for a in records]
        b._owners.update((a.account_no, a.customer_id) for a in records)
        journals = {a: read_journal(uow.journal, a) for a in accounts}
        open_rows = uow.orders.open_orders()
        rows: dict[int, OrderRecord] = {}
        pending = [r.orig_ord_no for r in open_rows if r.orig_ord_no is not None]
        while pending:
            n = pending.pop()
            if n in rows:
                continue
            got = uow.orders.get(n)
            if got is not None:
                rows[n] = got
                if got.orig_ord_no is not None:
                    pending.append(got.orig_ord_no)
    for account in accounts:
        b._states[account] = b._rebuild(account, *journals[account])
    with b._work() as work:
        b._settle_all(work, b.exchange.day)
    b.flush()
    chains = sorted((_chain(r, rows) for r in open_rows), key=_priority)
    entered = 0
    for chain in chains:
        row, root = chain[0], chain[-1].ord_no
        st = b.exchange.state(row.code)
        lo = LiveOrder(
            root,
            row.ord_no,
            row.account,
            row.code,
            st.instrument.market if st is not None else _market_of(b, row.account, root),
            row.side,
            row.trde_tp,
            row.price,
            row.stop_price,
            row.qty,
            row.filled_qty,
            row.open_qty,
            row.created_at,
        )
        b._live[root] = lo
        if st is None or kst_date(row.created_at) < b.exchange.day:
            _expire(b, lo)
            continue
        events = b.exchange.submit(
            NewOrder(
                root,
                row.code,
                row.side,
                TRDE_TP[row.trde_tp],
                lo.open,
                price=row.price,
                stop_price=row.stop_price,
            )
        )
        if any(isinstance(ev, OrderRejected) and ev.order_id == root for ev in events):
            _expire(b, lo)
        else:
            entered += 1
    b.flush()
    return entered


def _market_of(b: Brokerage, account: str, root: int) -> Market:
    res = b._states.get(account)
    found = None if res is None else res.reservations.get(root)
    return found.market if found is not None else Market.KOSPI


def _expire(b: Brokerage, lo: LiveOrder) -> None:
    current = b._live.get(lo.root)
    if current is None:  # traded away while re-entering
        return
    with b._work() as work:
        b._release(work, current, current.open, Status.EXPIRED)
