"""Shared test configuration.

``make unit`` runs the suite on pytest-xdist workers (``-n auto --dist loadfile``): each module
runs whole in one worker, so module- and session-scoped fixtures (live servers, the compiled
build) are made once. Workers take the modules that start ``hoga`` server or compiler processes
first, the longest work going out first so that no worker is left with it at the end; a
single-process run keeps the file order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")

_TESTS = Path(__file__).resolve().parent
#: Modules outside ``e2e/`` that start server or compiler processes.
_PROCESS_MODULES = {"sdk/test_sdk_server.py", "unit/test_compiled_core.py"}


def _starts_processes(path: Path) -> bool:
    rel = path.resolve().relative_to(_TESTS).as_posix()
    return rel.startswith("e2e/") or rel in _PROCESS_MODULES


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker (every worker sorts alike)
        items.sort(key=lambda item: not _starts_processes(item.path))
