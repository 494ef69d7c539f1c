"""The one exception tree of hoga.

Expected outcomes (a rejected order, a denied request) are values, not exceptions; these are for
conditions a caller cannot continue from: bad configuration, a storage failure, a bug.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "HogaError",
    "NotFoundError",
    "StorageError",
    "UnknownBackendError",
]


class HogaError(Exception):
    """Base of every hoga exception."""


class ConfigError(HogaError):
    """Invalid or inconsistent configuration."""


class UnknownBackendError(ConfigError):
    """A backend URL names a scheme no adapter is registered for, or its driver is missing."""


class StorageError(HogaError):
    """The storage backend failed; adapters translate driver errors into this."""


class NotFoundError(HogaError):
    """A record that must exist does not."""
