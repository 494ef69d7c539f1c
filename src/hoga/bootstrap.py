"""Wiring: builds the running system from configuration (the only importer of adapters)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hoga.ports.storage import Storage

__all__ = ["open_storage"]


def open_storage(url: str) -> Storage:
    """Open the storage named by ``url`` (``sqlite:///…``, ``postgresql://…``, ``memory://``),
    migrated to the latest schema. See :func:`hoga.adapters.open_storage`."""
    from hoga import adapters

    return adapters.open_storage(url)
