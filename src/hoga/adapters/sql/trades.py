"""Group commit of trading writes: a :class:`~hoga.ports.storage.TradeBatch` in a few
statements over many rows (``executemany``), whatever the number of orders in it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, update

from hoga.adapters.sql.ledger import JOURNAL_ENTRY, imbalance
from hoga.adapters.sql.schema import fills, journal_entries, journal_lines, orders
from hoga.adapters.sql.trading import ORDER_NO, SqlSequenceRepository
from hoga.adapters.sql.tx import Tx
from hoga.errors import NotFoundError
from hoga.ports.storage import OrderRecord, TradeBatch, TradeBatchIds

__all__ = ["EXEC_ID", "SqlTradeWriter"]

#: the sequence execution ids are drawn from
EXEC_ID = "exec_id"

_ORDER_FIELDS = tuple(OrderRecord.__dataclass_fields__)
_INSERT_ORDERS = insert(orders)
_CHANGE_ORDERS = update(orders).where(orders.c.ord_no == bindparam("key"))
_INSERT_FILLS = insert(fills)
_INSERT_ENTRIES = insert(journal_entries)
_INSERT_LINES = insert(journal_lines)


def _order_row(order: OrderRecord) -> dict[str, Any]:
    row = {f: getattr(order, f) for f in _ORDER_FIELDS}
    row["side"] = str(order.side)
    return row


class SqlTradeWriter:
    def __init__(self, tx: Tx, seqs: SqlSequenceRepository) -> None:
        self._tx = tx
        self._seqs = seqs

    def write(self, batch: TradeBatch) -> TradeBatchIds:
        tx = self._tx
        nos = batch.order_nos
        if nos:
            first = self._seqs.allocate(ORDER_NO, len(nos))
            if first != nos.start:
                raise tx.fail(
                    f"order numbers {nos.start}..{nos[-1]} were drawn elsewhere"
                    f" (the sequence continues at {first})"
                )
        if batch.orders:
            tx.execute(_INSERT_ORDERS, [_order_row(o) for o in batch.orders])
        if batch.changes:
            params = [
                {
                    "key": c.ord_no,
                    "status": c.status,
                    "filled_qty": c.filled_qty,
                    "open_qty": c.open_qty,
                    "updated_at": c.updated_at,
                }
                for c in batch.changes
            ]
            changed = tx.execute(_CHANGE_ORDERS, params).rowcount
            if changed >= 0 and changed != len(params):
                tx.fail(f"{len(params) - changed} changed orders do not exist")
                raise NotFoundError("order of a change")
        first_exec = 0
        if batch.fills:
            first_exec = self._seqs.allocate(EXEC_ID, len(batch.fills))
            rows = []
            for n, fill in enumerate(batch.fills, first_exec):
                row = {f: getattr(fill, f) for f in fill.__dataclass_fields__}
                row["exec_id"] = n
                row["side"] = str(fill.side)
                rows.append(row)
            tx.execute(_INSERT_FILLS, rows)
        first_entry = 0
        if batch.postings:
            for p in batch.postings:
                if not p.lines:
                    raise tx.fail(f"journal entry {p.ref!r} for {p.account} has no lines")
                if off := imbalance(p.lines):
                    raise tx.fail(
                        f"journal entry {p.ref!r} for {p.account} does not balance: {off}"
                    )
            first_entry = self._seqs.allocate(JOURNAL_ENTRY, len(batch.postings))
            entries = []
            lines: list[dict[str, Any]] = []
            for entry_id, p in enumerate(batch.postings, first_entry):
                entries.append(
                    {"entry_id": entry_id, "at": p.at, "account": p.account, "ref": p.ref}
                )
                lines.extend(
                    {
                        "entry_id": entry_id,
                        "line_no": n,
                        "account": p.account,
                        "asset": ln.asset,
                        "book": ln.book,
                        "amount": ln.amount,
                    }
                    for n, ln in enumerate(p.lines)
                )
            tx.execute(_INSERT_ENTRIES, entries)
            tx.execute(_INSERT_LINES, lines)
        return TradeBatchIds(first_entry, first_exec)
