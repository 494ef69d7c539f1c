"""Alembic environment: runs on the connection hoga hands over in ``config.attributes``.

hoga opens the transaction (and, on PostgreSQL, takes an advisory lock) before calling
``alembic.command.upgrade``; this script only runs the migrations on that connection.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from hoga.adapters.sql.schema import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):  # pragma: no cover - misuse guard
    raise RuntimeError("run hoga migrations through hoga.adapters.sql.storage.migrate()")
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
