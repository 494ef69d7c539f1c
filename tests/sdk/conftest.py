"""Fixtures for SDK tests (see ``_sdkkit.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _sdkkit import Served, serve


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    s = serve(tmp_path)
    yield s
    s.ctx.storage.close()


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Served]:
    """The app with the server's rate limiter on (5 queries + 5 orders per second)."""
    s = serve(tmp_path, ratelimit="memory://")
    yield s
    s.ctx.storage.close()
