"""The transaction handle shared by the repositories of one unit of work.

Every statement goes through :meth:`Tx.execute`, which translates driver errors into
:class:`hoga.errors.StorageError`. The first error dooms the unit of work: later calls fail and
the block rolls back even if the caller swallowed the error, so SQLite (which would carry on
after a failed statement) and PostgreSQL (which would not) behave the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, CursorResult, Executable, Table, and_, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from hoga.errors import StorageError

__all__ = ["MAX_PARAMS", "Tx", "describe", "row_groups", "values_sql", "window"]

#: parameters per statement of :meth:`Tx.insert_rows` (SQLite's historical default limit, 999)
MAX_PARAMS = 999


@cache
def values_sql(head: str, width: int, rows: int, tail: str = "") -> str:
    """``head`` (``INSERT INTO t (a, b, …)``) followed by ``rows`` groups of ``width`` ``?``
    and ``tail`` (e.g. an ``ON CONFLICT`` clause)."""
    one = f"({', '.join('?' * width)})"
    return f"{head} VALUES {', '.join([one] * rows)}{tail}"


def row_groups(rows: Sequence[Sequence[Any]], width: int) -> Iterator[Sequence[Sequence[Any]]]:
    """``rows`` (``width`` values each) in consecutive groups of a power-of-two size, largest
    first, of at most :data:`MAX_PARAMS` parameters: the multi-row statements built over them
    come in a handful of shapes, all kept prepared by the driver."""
    most = 1 << ((MAX_PARAMS // width).bit_length() - 1)
    done, total = 0, len(rows)
    while done < total:
        n = min(most, 1 << ((total - done).bit_length() - 1))
        yield rows[done : done + n]
        done += n


def describe(exc: BaseException) -> str:
    """One line naming the driver error under a SQLAlchemy exception."""
    orig = getattr(exc, "orig", None) or exc
    first = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {first[0] if first else ''}"


def window(column: Any, since: int | None, until: int | None) -> ColumnElement[bool]:
    """``since <= column < until``, either bound optional."""
    clauses: list[ColumnElement[bool]] = [true()]
    if since is not None:
        clauses.append(column >= since)
    if until is not None:
        clauses.append(column < until)
    return and_(*clauses)


class Tx:
    """The connection of an open unit of work (``None`` once it has ended)."""

    def __init__(self, conn: Connection) -> None:
        self._conn: Connection | None = conn
        self.failure: StorageError | None = None

    @property
    def dialect(self) -> str:
        return self._live().dialect.name

    def execute(self, stmt: Executable, params: Any = None) -> CursorResult[*tuple[Any, ...]]:
        conn = self._live()
        try:
            return conn.execute(stmt, params)
        except SQLAlchemyError as exc:
            raise self.fail(describe(exc)) from exc

    @contextmanager
    def _driver(self, sql: str) -> Iterator[tuple[Any, str]]:
        """A driver cursor and ``sql`` in the driver's parameter style (``?`` rewritten to
        ``%s`` where needed); a driver error dooms the unit of work."""
        conn = self._live()
        if conn.dialect.paramstyle != "qmark":
            sql = sql.replace("?", "%s")
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            yield cursor, sql
        except conn.dialect.loaded_dbapi.Error as exc:
            raise self.fail(describe(exc)) from exc
        finally:
            cursor.close()

    def many(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> int:
        """Run one driver-level statement over many rows (``?`` placeholders, rewritten for
        the driver's parameter style) without SQLAlchemy's per-row processing; the summed row
        count (-1 when the driver does not tell)."""
        with self._driver(sql) as (cursor, stmt):
            cursor.executemany(stmt, rows)
            return int(cursor.rowcount)

    def insert_rows(
        self, head: str, width: int, rows: Sequence[Sequence[Any]], tail: str = ""
    ) -> None:
        """Insert ``rows`` (``width`` values each) with ``head`` (``INSERT INTO t (a, b, …)``)
        and ``tail`` after the values (an upsert's ``ON CONFLICT …``; then no two rows of one
        call may share a key) as multi-row ``INSERT … VALUES (…), (…)`` statements of a
        power-of-two number of rows (largest first, at most :data:`MAX_PARAMS` parameters: a
        handful of statement shapes, all kept prepared by the driver). Unlike :meth:`many`,
        the driver steps once per statement, not per row — with SQLite each step releases and
        takes back the GIL, and each take-back may wait a whole switch interval while the event
        loop runs."""
        for part in row_groups(rows, width):
            self.query(values_sql(head, width, len(part), tail), [v for row in part for v in row])

    def run(self, sql: str, params: Sequence[Any]) -> int:
        """Run one driver-level statement (``?`` placeholders, as :meth:`many`) that returns no
        rows; the row count (-1 when the driver does not tell)."""
        with self._driver(sql) as (cursor, stmt):
            cursor.execute(stmt, params)
            return int(cursor.rowcount)

    def query(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run one driver-level statement (``?`` placeholders, as :meth:`many`) and return all
        its rows, without SQLAlchemy's statement and result processing."""
        with self._driver(sql) as (cursor, stmt):
            cursor.execute(stmt, params)
            return list(cursor.fetchall()) if cursor.description else []

    def fail(self, message: str) -> StorageError:
        """Record a failure (dooming the unit of work) and return the error to raise."""
        self.failure = StorageError(message)
        return self.failure

    def end(self) -> None:
        self._conn = None

    def _live(self) -> Connection:
        if self._conn is None:
            raise StorageError("the unit of work has ended; open a new one")
        if self.failure is not None:
            raise StorageError(f"the unit of work failed earlier ({self.failure}); it rolls back")
        return self._conn

    def upsert(self, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> None:
        """Insert ``rows``; on a key conflict overwrite the other columns (last write wins)."""
        if not rows:
            return
        stmt = pg_insert(table) if self.dialect == "postgresql" else sqlite_insert(table)
        others = {c.name: stmt.excluded[c.name] for c in table.c if c.name not in keys}
        self.execute(stmt.on_conflict_do_update(index_elements=keys, set_=others), rows)
