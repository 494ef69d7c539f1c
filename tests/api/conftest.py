"""Fixtures for API tests (see ``_apikit.py`` for the helpers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _apikit import Api, make_settings
from starlette.testclient import TestClient

from hoga.api.app import create_app
from hoga.bootstrap import build_context


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    ctx = build_context(make_settings(tmp_path))
    app = create_app(ctx, run_market=False)
    with TestClient(app) as client:
        yield Api(ctx, client)
    ctx.storage.close()
