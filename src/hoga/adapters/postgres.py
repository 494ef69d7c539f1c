"""PostgreSQL storage through psycopg 3: ``postgresql://user:pass@host:port/db``.

Query parameters go to libpq, e.g. ``?options=-csearch_path%3Dhoga`` to keep hoga's tables in a
schema of their own. Each unit of work is one transaction on a pooled connection (READ
COMMITTED; ``READ ONLY`` for a read-only unit of work); concurrent writers share fsyncs through
the server's group commit, but allocations from the same named sequence serialize on its row
until commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event, make_url

from hoga.adapters.sql.storage import READ_ONLY, SqlStorage, migrate
from hoga.errors import StorageError

__all__ = ["open_postgres"]

_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}


def open_postgres(url: str) -> SqlStorage:
    """Open and migrate the PostgreSQL database named by ``url``."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in _SCHEMES:
        raise StorageError(f"not a PostgreSQL URL: {url}")
    parsed = make_url(f"postgresql+psycopg://{rest}")
    engine = create_engine(parsed, pool_pre_ping=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    storage = SqlStorage(engine, make_url(url).render_as_string(hide_password=True))
    try:
        migrate(engine)
    except Exception:
        storage.close()
        raise
    return storage
