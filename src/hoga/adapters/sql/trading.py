"""Sequences, orders and fills."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Executable,
    Select,
    Table,
    and_,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hoga.adapters.sql.schema import fills, orders, sequences
from hoga.adapters.sql.tx import Tx, window
from hoga.domain.model import Side
from hoga.errors import NotFoundError
from hoga.ports.storage import FillRecord, OrderRecord

__all__ = ["ORDER_NO", "SqlFillRepository", "SqlOrderRepository", "SqlSequenceRepository"]

ORDER_NO = "ord_no"


def _allocate_statement(insert_: Callable[[Table], Any]) -> Executable:
    # One atomic statement: the row lock it takes is held to commit, so concurrent
    # allocations serialize and a rolled-back allocation is handed out again.
    count = bindparam("seq_count", type_=BigInteger)
    return (  # type: ignore[no-any-return]
        insert_(sequences)
        .values(name=bindparam("seq_name"), value=count)
        .on_conflict_do_update(index_elements=["name"], set_={"value": sequences.c.value + count})
        .returning(sequences.c.value)
    )


# Statements built once: building and cache-keying a statement per call costs more than the
# SQLite commit itself.
_ALLOCATE = {
    "postgresql": _allocate_statement(pg_insert),
    "sqlite": _allocate_statement(sqlite_insert),
}
_INSERT_ORDER = insert(orders)
_GET_ORDER = select(orders).where(orders.c.ord_no == bindparam("key"))
_UPDATE_ORDER = update(orders).where(orders.c.ord_no == bindparam("key")).returning(*orders.c)
_INSERT_FILL = insert(fills)


class SqlSequenceRepository:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def allocate(self, name: str, count: int = 1) -> int:
        if count < 1:
            raise self._tx.fail(f"sequence {name!r}: count must be positive, got {count}")
        stmt = _ALLOCATE[self._tx.dialect]
        last: int = self._tx.execute(stmt, {"seq_name": name, "seq_count": count}).scalar_one()
        return last - count + 1

    def current(self, name: str) -> int:
        stmt = select(sequences.c.value).where(sequences.c.name == name)
        value: int | None = self._tx.execute(stmt).scalar_one_or_none()
        return value or 0


def _order(row: Any) -> OrderRecord:
    return OrderRecord(
        ord_no=row.ord_no,
        account=row.account,
        code=row.code,
        side=Side(row.side),
        trde_tp=row.trde_tp,
        price=row.price,
        qty=row.qty,
        stop_price=row.stop_price,
        orig_ord_no=row.orig_ord_no,
        status=row.status,
        filled_qty=row.filled_qty,
        open_qty=row.open_qty,
        created_at=row.created_at,
        updated_at=row.updated_at,
        exchange=row.exchange,
    )


def _fill(row: Any) -> FillRecord:
    return FillRecord(
        exec_id=row.exec_id,
        ord_no=row.ord_no,
        account=row.account,
        code=row.code,
        side=Side(row.side),
        price=row.price,
        qty=row.qty,
        at=row.at,
        fee=row.fee,
        tax=row.tax,
    )


class SqlOrderRepository:
    def __init__(self, tx: Tx, seqs: SqlSequenceRepository) -> None:
        self._tx = tx
        self._seqs = seqs

    def allocate_order_no(self) -> int:
        return self._seqs.allocate(ORDER_NO)

    def add(self, order: OrderRecord) -> None:
        values = {f: getattr(order, f) for f in OrderRecord.__dataclass_fields__}
        values["side"] = str(order.side)
        self._tx.execute(_INSERT_ORDER, values)

    def get(self, ord_no: int) -> OrderRecord | None:
        row = self._tx.execute(_GET_ORDER, {"key": ord_no}).first()
        return None if row is None else _order(row)

    def update(
        self, ord_no: int, *, status: str, filled_qty: int, open_qty: int, updated_at: int
    ) -> OrderRecord:
        params = {
            "key": ord_no,
            "status": status,
            "filled_qty": filled_qty,
            "open_qty": open_qty,
            "updated_at": updated_at,
        }
        row = self._tx.execute(_UPDATE_ORDER, params).first()
        if row is None:
            raise NotFoundError(f"order {ord_no}")
        return _order(row)

    def by_account(
        self, account: str, *, since: int | None = None, until: int | None = None
    ) -> list[OrderRecord]:
        where = and_(orders.c.account == account, window(orders.c.created_at, since, until))
        return self._list(select(orders).where(where))

    def open_orders(self, account: str | None = None, code: str | None = None) -> list[OrderRecord]:
        stmt = select(orders).where(orders.c.open_qty > 0)
        if account is not None:
            stmt = stmt.where(orders.c.account == account)
        if code is not None:
            stmt = stmt.where(orders.c.code == code)
        return self._list(stmt)

    def by_status(self, status: str) -> list[OrderRecord]:
        return self._list(select(orders).where(orders.c.status == status))

    def _list(self, stmt: Select[Any]) -> list[OrderRecord]:
        return [_order(r) for r in self._tx.execute(stmt.order_by(orders.c.ord_no))]


class SqlFillRepository:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(self, fill: FillRecord) -> None:
        values = {f: getattr(fill, f) for f in FillRecord.__dataclass_fields__}
        values["side"] = str(fill.side)
        self._tx.execute(_INSERT_FILL, values)

    def by_order(self, ord_no: int) -> list[FillRecord]:
        stmt = select(fills).where(fills.c.ord_no == ord_no).order_by(fills.c.exec_id)
        return [_fill(r) for r in self._tx.execute(stmt)]

    def by_account(
        self, account: str, *, since: int | None = None, until: int | None = None
    ) -> list[FillRecord]:
        where = and_(fills.c.account == account, window(fills.c.at, since, until))
        stmt = select(fills).where(where).order_by(fills.c.exec_id)
        return [_fill(r) for r in self._tx.execute(stmt)]
