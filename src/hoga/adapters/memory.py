"""``memory://``: a throwaway store — SQLite in memory (one shared connection), not a separate
implementation, so it behaves exactly like the durable backends and passes the same contract."""

from __future__ import annotations

from hoga.adapters.sql.storage import SqlStorage
from hoga.adapters.sqlite import open_sqlite

__all__ = ["open_memory"]


def open_memory(url: str) -> SqlStorage:
    """Open an empty in-memory store (``url`` is kept only for display)."""
    return open_sqlite("sqlite:///:memory:", display_url=url)
