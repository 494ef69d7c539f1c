"""The storage registry: schemes, missing drivers, and error translation at open."""

from __future__ import annotations

import sys

import pytest

from hoga.adapters import STORAGE_BACKENDS, open_storage
from hoga.adapters.postgres import open_postgres
from hoga.bootstrap import open_storage as bootstrap_open_storage
from hoga.errors import StorageError, UnknownBackendError


@pytest.mark.parametrize("url", ["mysql://x/y", "hoga.db", "", "redis://localhost:6379"])
def test_unknown_schemes_are_refused_with_the_known_ones_listed(url: str) -> None:
    with pytest.raises(UnknownBackendError) as info:
        open_storage(url)
    message = str(info.value)
    assert repr(url) in message
    assert "sqlite://" in message and "postgresql://" in message and "memory://" in message


def test_every_registered_backend_names_an_importable_opener() -> None:
    import importlib

    for backend in STORAGE_BACKENDS.values():
        module = importlib.import_module(f"hoga.adapters.{backend.module}")
        assert callable(getattr(module, backend.opener))


def test_a_missing_driver_gives_the_pip_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg -> ImportError
    with pytest.raises(UnknownBackendError, match=r"pip install 'psycopg\[binary\]'"):
        open_storage("postgresql://u@127.0.0.1:1/db")


def test_missing_sqlalchemy_is_reported_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "alembic", None)
    with pytest.raises(UnknownBackendError, match="pip install alembic"):
        open_storage("memory://")


def test_bootstrap_opens_through_the_registry() -> None:
    store = bootstrap_open_storage("MEMORY://")
    try:
        with store.unit_of_work() as uow:
            assert uow.sequences.allocate("x") == 1
    finally:
        store.close()


def test_unreachable_postgres_is_a_storage_error_without_the_password() -> None:
    with pytest.raises(StorageError, match="cannot open storage") as info:
        open_storage("postgresql://user:s3cret@127.0.0.1:1/nodb?connect_timeout=2")
    assert "s3cret" not in str(info.value)


def test_open_postgres_refuses_other_urls() -> None:
    with pytest.raises(StorageError, match="not a PostgreSQL URL"):
        open_postgres("sqlite:///x.db")
