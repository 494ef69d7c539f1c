"""Adapters, chosen by URL through one explicit registry (imported only by ``hoga.bootstrap``).

Storage schemes:

- ``sqlite:///path/to.db`` (relative), ``sqlite:////abs/path.db``, ``sqlite:///:memory:``
- ``postgresql://user[:password]@host[:port]/db`` (also ``postgres://``,
  ``postgresql+psycopg://``), needs the ``psycopg`` driver
- ``memory://`` — SQLite in memory, gone when closed (for tests and demos)

Each backend module is imported only when its scheme is opened, so a missing optional driver
costs nothing until it is asked for, and then fails with the ``pip install`` hint.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hoga.errors import UnknownBackendError

if TYPE_CHECKING:
    from hoga.ports.storage import Storage

__all__ = ["STORAGE_BACKENDS", "StorageBackend", "open_storage"]


@dataclass(frozen=True, slots=True)
class StorageBackend:
    """Where a scheme's opener lives and which driver it needs."""

    module: str  # relative to this package
    opener: str
    driver: str  # top-level module the opener needs
    pip_hint: str


_SQLITE = StorageBackend("sqlite", "open_sqlite", "sqlite3", "a Python built with sqlite3")
_POSTGRES = StorageBackend("postgres", "open_postgres", "psycopg", "pip install 'psycopg[binary]'")

STORAGE_BACKENDS: dict[str, StorageBackend] = {
    "sqlite": _SQLITE,
    "sqlite+pysqlite": _SQLITE,
    "postgresql": _POSTGRES,
    "postgres": _POSTGRES,
    "postgresql+psycopg": _POSTGRES,
    "memory": StorageBackend("memory", "open_memory", "sqlite3", "a Python built with sqlite3"),
}


def open_storage(url: str) -> Storage:
    """Open (and migrate) the storage named by ``url``.

    Raises :class:`hoga.errors.UnknownBackendError` for an unregistered scheme or a missing
    driver, :class:`hoga.errors.StorageError` when the database cannot be opened.
    """
    scheme, sep, _ = url.partition("://")
    backend = STORAGE_BACKENDS.get(scheme.lower()) if sep else None
    if backend is None:
        known = ", ".join(f"{s}://" for s in sorted(STORAGE_BACKENDS))
        raise UnknownBackendError(f"unknown storage URL {url!r}; use one of: {known}")
    _require("sqlalchemy", scheme, "pip install 'sqlalchemy>=2' alembic")
    _require("alembic", scheme, "pip install alembic")
    _require(backend.driver, scheme, backend.pip_hint)
    module = importlib.import_module(f"{__name__}.{backend.module}")
    opener: Callable[[str], Storage] = getattr(module, backend.opener)
    return opener(url)


def _require(module: str, scheme: str, hint: str) -> None:
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise UnknownBackendError(
            f"the {scheme}:// storage needs the {module!r} module, which is not installed: {hint}"
        ) from exc
