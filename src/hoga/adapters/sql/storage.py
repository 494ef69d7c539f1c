"""The SQL storage: one SQLAlchemy engine, units of work as transactions, Alembic at open.

Driver errors are translated to :class:`hoga.errors.StorageError` at this boundary: in
:meth:`SqlStorage.unit_of_work` (for everything the block's repository calls raise, and for the
commit) and when opening.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from hoga.adapters.sql.compliance import SqlComplianceRepository
from hoga.adapters.sql.identity import (
    SqlAccountRepository,
    SqlApiKeyRepository,
    SqlCustomerRepository,
    SqlTokenRepository,
)
from hoga.adapters.sql.incidents import SqlIncidentRepository
from hoga.adapters.sql.ledger import SqlJournalRepository
from hoga.adapters.sql.market import (
    SqlBarRepository,
    SqlInstrumentDayRepository,
    SqlTickRepository,
)
from hoga.adapters.sql.notices import SqlNoticeRepository, SqlOperationsRepository
from hoga.adapters.sql.records import SqlEventLog, SqlSettingsRepository
from hoga.adapters.sql.records_log import SqlRecordLog
from hoga.adapters.sql.security import SqlKeySecurityRepository, SqlSecurityLog
from hoga.adapters.sql.trades import SqlTradeWriter
from hoga.adapters.sql.trading import (
    SqlFillRepository,
    SqlOrderRepository,
    SqlSequenceRepository,
)
from hoga.adapters.sql.tx import Tx, describe
from hoga.errors import StorageError

if TYPE_CHECKING:
    from hoga.ports.storage import UnitOfWork

__all__ = ["READ_ONLY", "SqlStorage", "SqlUnitOfWork", "migrate"]

#: the execution option a read-only unit of work's connection carries (the dialect's ``begin``
#: hook reads it: :mod:`hoga.adapters.sqlite`, :mod:`hoga.adapters.postgres`)
READ_ONLY = "hoga_read_only"

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_PG_MIGRATION_LOCK = 0x686F6761  # "hoga": serializes concurrent migrations on PostgreSQL


def migrate(engine: Engine) -> None:
    """Upgrade the database behind ``engine`` to the latest schema (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open storage: {describe(exc)}") from exc


class SqlUnitOfWork:
    """Repositories bound to one open transaction."""

    def __init__(self, tx: Tx) -> None:
        self.sequences = SqlSequenceRepository(tx)
        self.customers = SqlCustomerRepository(tx)
        self.api_keys = SqlApiKeyRepository(tx)
        self.tokens = SqlTokenRepository(tx)
        self.accounts = SqlAccountRepository(tx)
        self.orders = SqlOrderRepository(tx, self.sequences)
        self.fills = SqlFillRepository(tx)
        self.journal = SqlJournalRepository(tx, self.sequences)
        self.trades = SqlTradeWriter(tx, self.sequences)
        self.ticks = SqlTickRepository(tx)
        self.bars = SqlBarRepository(tx)
        self.instrument_days = SqlInstrumentDayRepository(tx)
        self.events = SqlEventLog(tx, self.sequences)
        self.settings = SqlSettingsRepository(tx)
        self.incidents = SqlIncidentRepository(tx, self.sequences)
        self.key_security = SqlKeySecurityRepository(tx)
        self.security_log = SqlSecurityLog(tx, self.sequences)
        self.record_log = SqlRecordLog(tx, self.sequences)
        self.compliance = SqlComplianceRepository(tx, self.sequences)
        self.notices = SqlNoticeRepository(tx, self.sequences)
        self.operations = SqlOperationsRepository(tx, self.sequences)


class _WriteLock:
    """The process-wide lock of :class:`SqlStorage`'s write units (``serialize_writes``): waits
    at most ``wait_s`` (then the unit goes on without it), and a thread already holding it does
    not wait for itself."""

    __slots__ = ("_held", "_lock", "_wait_s")

    def __init__(self, wait_s: float) -> None:
        self._lock = threading.Lock()
        self._wait_s = wait_s
        self._held = threading.local()  # per thread: did each open unit take the lock?

    def __enter__(self) -> None:
        stack: list[bool] = self._held.__dict__.setdefault("stack", [])
        stack.append(not any(stack) and self._lock.acquire(timeout=self._wait_s))

    def __exit__(self, *exc: object) -> None:
        if self._held.stack.pop():
            self._lock.release()


class SqlStorage:
    """A :class:`hoga.ports.storage.Storage` over a SQLAlchemy engine.

    ``serialize`` takes a process-wide lock around every unit of work; it is needed when all
    units of work share one DBAPI connection (an in-memory SQLite database).
    ``serialize_writes`` (seconds, or None for no lock) takes one around every unit of work
    that may write (not around read-only ones): the writers of one process queue on it instead
    of on the database's own lock (SQLite files, see :mod:`hoga.adapters.sqlite`). A writer
    that waited that long for it goes on without it and meets the database's lock (its busy
    timeout), as does a thread opening a write unit inside its own: the lock never turns what
    the database would refuse into a hang.
    """

    def __init__(
        self,
        engine: Engine,
        url: str,
        *,
        serialize: bool = False,
        serialize_writes: float | None = None,
    ) -> None:
        self._engine = engine
        self._url = url
        self._lock: threading.Lock | None = threading.Lock() if serialize else None
        self._write_lock = _WriteLock(serialize_writes) if serialize_writes is not None else None
        self._closed = False

    @property
    def url(self) -> str:
        return self._url

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for adapter tests and tools)."""
        return self._engine

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[UnitOfWork]:
        """A transaction (see :meth:`hoga.ports.storage.Storage.unit_of_work`).

        ``read_only``: the block only reads; it sees one consistent snapshot and does not wait
        for writers (SQLite: a deferred transaction, which takes no write lock, instead of
        ``BEGIN IMMEDIATE``); a write in it fails with StorageError and rolls it back."""
        if self._closed:
            raise StorageError(f"storage {self._url} is closed")
        lock = self._lock or (None if read_only else self._write_lock)
        with lock or nullcontext():
            tx: Tx | None = None
            try:
                with self._engine.connect() as conn:
                    if read_only:
                        conn.execution_options(**{READ_ONLY: True})
                    with conn.begin():
                        tx = Tx(conn)
                        yield SqlUnitOfWork(tx)
                        if tx.failure is not None:
                            raise StorageError(f"unit of work rolled back after: {tx.failure}")
                        tx.end()  # the commit happens as the blocks exit
            except SQLAlchemyError as exc:
                raise StorageError(f"storage {self._url}: {describe(exc)}") from exc
            finally:
                if tx is not None:
                    tx.end()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._engine.dispose()
