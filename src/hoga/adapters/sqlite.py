"""SQLite storage: ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``,
``sqlite:///:memory:``.

Every connection runs in WAL mode with ``synchronous=NORMAL`` (durable across a process crash;
a power loss may drop the last commits — see the perf notes), a busy timeout and foreign keys
on. Units of work begin with ``BEGIN IMMEDIATE`` so writers in other threads or processes wait
for the write lock up front instead of failing on a lock upgrade. Within one process, write
units also take a process-wide lock before ``BEGIN IMMEDIATE``: SQLite's busy handler polls
with growing sleeps (1, 2, 5, 10, 15, 20, 25 ms …), so a writer that found the database locked
by another thread (the group commit, the record flush, the market-data writer) kept sleeping
for milliseconds after the lock was free; a thread lock hands it over at once. Other processes
(the CLI next to a running server) still meet the busy timeout, and so does a writer that
waited the busy timeout for the thread lock, or opens a write unit inside its own.

A read-only unit of work (``unit_of_work(read_only=True)``) begins a deferred transaction
instead, with ``PRAGMA query_only`` on for its duration: it reads one snapshot without waiting
for the write lock (WAL readers never wait for the writer), and a write in it fails.

An in-memory database lives in one connection shared by every unit of work (``StaticPool``);
units of work are then serialized by a lock, and the data is gone when the storage closes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.pool import StaticPool

from hoga.adapters.sql.storage import READ_ONLY, SqlStorage, migrate
from hoga.errors import StorageError

__all__ = ["BUSY_TIMEOUT_MS", "WRITE_LOCK_WAIT_S", "open_sqlite"]

BUSY_TIMEOUT_MS = 30_000
#: how long a write unit waits for the process's write lock before it goes on without it
WRITE_LOCK_WAIT_S = BUSY_TIMEOUT_MS / 1000


def open_sqlite(url: str, *, display_url: str | None = None) -> SqlStorage:
    """Open (creating if needed) and migrate the SQLite database named by ``url``."""
    parsed = make_url(url)
    if parsed.drivername not in {"sqlite", "sqlite+pysqlite"}:
        raise StorageError(f"not a SQLite URL: {url}")
    memory = parsed.database in {None, "", ":memory:"}
    engine = _engine(parsed.set(drivername="sqlite+pysqlite").render_as_string(), memory=memory)
    wait = None if memory else WRITE_LOCK_WAIT_S
    storage = SqlStorage(engine, display_url or url, serialize=memory, serialize_writes=wait)
    try:
        migrate(engine)
    except Exception:
        storage.close()
        raise
    return storage


def _engine(url: str, *, memory: bool) -> Engine:
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        try:
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql("PRAGMA query_only=ON")  # off again as the transaction ends
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    def _end(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("PRAGMA query_only=OFF")

    event.listen(engine, "commit", _end)
    event.listen(engine, "rollback", _end)

    return engine
