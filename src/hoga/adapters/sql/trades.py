"""Group commit of trading writes: a :class:`~hoga.ports.storage.TradeBatch` in a few
statements over many rows, whatever the number of orders in it.

The rows go straight to the driver as multi-row ``INSERT … VALUES (…), (…)`` statements
(:meth:`hoga.adapters.sql.tx.Tx.insert_rows`): SQLAlchemy's per-row parameter processing cost
more than the SQLite statements themselves, and a driver ``executemany`` steps (and, with
SQLite, releases and takes back the GIL) once per row.
The sequences a batch draws from are advanced by one statement.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from hoga.adapters.sql.ledger import JOURNAL_ENTRY
from hoga.adapters.sql.schema import fills, journal_entries, journal_lines, orders
from hoga.adapters.sql.trading import ORDER_NO, SqlSequenceRepository
from hoga.adapters.sql.tx import Tx, row_groups, values_sql
from hoga.errors import NotFoundError
from hoga.ports.storage import FillRecord, OrderRecord, TradeBatch, TradeBatchIds, imbalance

__all__ = ["EXEC_ID", "SqlTradeWriter"]

#: the sequence execution ids are drawn from
EXEC_ID = "exec_id"

_ORDER_COLS = tuple(OrderRecord.__dataclass_fields__)
_FILL_COLS = tuple(FillRecord.__dataclass_fields__)
_ENTRY_COLS = ("entry_id", "at", "account", "ref")
_LINE_COLS = ("entry_id", "line_no", "account", "asset", "book", "amount")


def _insert(table: Table, cols: tuple[str, ...]) -> tuple[str, int]:
    assert set(cols) == {c.name for c in table.c}, table.name
    return f"INSERT INTO {table.name} ({', '.join(cols)})", len(cols)


_INSERT_ORDERS = _insert(orders, _ORDER_COLS)
_INSERT_FILLS = _insert(fills, _FILL_COLS)
_INSERT_ENTRIES = _insert(journal_entries, _ENTRY_COLS)
_INSERT_LINES = _insert(journal_lines, _LINE_COLS)
_ALLOCATE = (
    "INSERT INTO sequences (name, value) VALUES {values} ON CONFLICT (name)"
    " DO UPDATE SET value = sequences.value + excluded.value RETURNING name, value"
)
#: changed orders: one statement over a ``VALUES`` list (its columns are ``column1`` … on both
#: SQLite and PostgreSQL) instead of one ``UPDATE`` step per row
_CHANGE_ORDERS = (
    f"UPDATE {orders.name} SET status = v.column1, filled_qty = v.column2,"
    " open_qty = v.column3, updated_at = v.column4 FROM ({values}) AS v"
    f" WHERE {orders.name}.ord_no = v.column5"
)
_CHANGE_WIDTH = 5


def _order_row(o: OrderRecord) -> tuple[Any, ...]:
    return (
        o.ord_no,
        o.account,
        o.code,
        o.side.value,
        o.trde_tp,
        o.price,
        o.qty,
        o.stop_price,
        o.orig_ord_no,
        o.status,
        o.filled_qty,
        o.open_qty,
        o.created_at,
        o.updated_at,
        o.exchange,
    )


def _fill_row(exec_id: int, f: FillRecord) -> tuple[Any, ...]:
    return (exec_id, f.ord_no, f.account, f.code, f.side.value, f.price, f.qty, f.at, f.fee, f.tax)


class SqlTradeWriter:
    def __init__(self, tx: Tx, seqs: SqlSequenceRepository) -> None:
        self._tx = tx
        self._seqs = seqs

    def _change(self, rows: list[tuple[Any, ...]]) -> int:
        """Apply order changes (status, filled, open, updated_at, ord_no; one per order) in
        statements over :func:`row_groups` of them; how many rows they changed (-1 when the
        driver does not tell)."""
        changed = 0
        for part in row_groups(rows, _CHANGE_WIDTH):
            values = values_sql("", _CHANGE_WIDTH, len(part)).strip()
            count = self._tx.run(
                _CHANGE_ORDERS.format(values=values), [v for row in part for v in row]
            )
            changed = -1 if count < 0 or changed < 0 else changed + count
        return changed

    def _allocate(self, counts: dict[str, int]) -> dict[str, int]:
        """Advance each named sequence by its count in one statement; the first value each
        drew (as :meth:`SqlSequenceRepository.allocate`)."""
        if not counts:
            return {}
        params: list[Any] = []
        for name, count in counts.items():
            params += (name, count)
        sql = _ALLOCATE.format(values=", ".join(["(?, ?)"] * len(counts)))
        rows = self._tx.query(sql, params)
        return {name: int(last) - counts[name] + 1 for name, last in rows}

    def write(self, batch: TradeBatch) -> TradeBatchIds:
        tx = self._tx
        nos = batch.order_nos
        counts: dict[str, int] = {}
        if nos:
            counts[ORDER_NO] = len(nos)
        if batch.fills:
            counts[EXEC_ID] = len(batch.fills)
        if batch.postings:
            for p in batch.postings:
                if not p.lines:
                    raise tx.fail(f"journal entry {p.ref!r} for {p.account} has no lines")
                if off := imbalance(p.lines):
                    raise tx.fail(
                        f"journal entry {p.ref!r} for {p.account} does not balance: {off}"
                    )
            counts[JOURNAL_ENTRY] = len(batch.postings)
        firsts = self._allocate(counts)
        if nos:
            first = firsts[ORDER_NO]
            if first != nos.start:
                raise tx.fail(
                    f"order numbers {nos.start}..{nos[-1]} were drawn elsewhere"
                    f" (the sequence continues at {first})"
                )
        if batch.orders:
            tx.insert_rows(*_INSERT_ORDERS, [_order_row(o) for o in batch.orders])
        if batch.changes:
            rows = [
                (c.status, c.filled_qty, c.open_qty, c.updated_at, c.ord_no) for c in batch.changes
            ]
            changed = self._change(rows)
            if changed >= 0 and changed != len(rows):
                tx.fail(f"{len(rows) - changed} changed orders do not exist")
                raise NotFoundError("order of a change")
        first_exec = firsts.get(EXEC_ID, 0)
        if batch.fills:
            fills = [_fill_row(n, f) for n, f in enumerate(batch.fills, first_exec)]
            tx.insert_rows(*_INSERT_FILLS, fills)
        first_entry = firsts.get(JOURNAL_ENTRY, 0)
        if batch.postings:
            entries: list[tuple[Any, ...]] = []
            lines: list[tuple[Any, ...]] = []
            for entry_id, p in enumerate(batch.postings, first_entry):
                entries.append((entry_id, p.at, p.account, p.ref))
                lines.extend(
                    (entry_id, n, p.account, ln.asset, ln.book, ln.amount)
                    for n, ln in enumerate(p.lines)
                )
            tx.insert_rows(*_INSERT_ENTRIES, entries)
            tx.insert_rows(*_INSERT_LINES, lines)
        return TradeBatchIds(first_entry, first_exec)
