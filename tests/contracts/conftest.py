"""Backends the contract suites run against.

Storage contracts run once per backend: SQLite (a fresh file per test) and PostgreSQL (a fresh
schema per test, dropped afterwards). The PostgreSQL server comes from ``HOGA_TEST_POSTGRES_URL``
(CI: ``postgresql://postgres@127.0.0.1:5432/test``); without it the local server at
127.0.0.1:5432, database ``test``, is tried as user ``postgres`` then ``root``. An unreachable
server FAILS the PostgreSQL tests. Developers without PostgreSQL set ``HOGA_TEST_NO_POSTGRES=1``,
which leaves the PostgreSQL cases out of the run (they are not collected, not skipped).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import make_url

from _sqlite_seed import seeded_sqlite_url
from hoga.bootstrap import open_storage
from hoga.ports.storage import Storage

_LOCAL_CANDIDATES = (
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)


def storage_backends() -> list[Any]:
    """Backend names the storage contract runs on in this session."""
    if os.environ.get("HOGA_TEST_NO_POSTGRES") == "1":
        return ["sqlite"]
    return ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "storage_backend" in metafunc.fixturenames:
        metafunc.parametrize("storage_backend", storage_backends())


@pytest.fixture(scope="session")
def postgres_base_url() -> str:
    """A reachable PostgreSQL URL, or the session fails (never skips)."""
    configured = os.environ.get("HOGA_TEST_POSTGRES_URL")
    candidates = (configured,) if configured else _LOCAL_CANDIDATES
    errors = []
    for url in candidates:
        try:
            with psycopg.connect(url, connect_timeout=5):
                return url
        except psycopg.Error as exc:
            errors.append(f"{url}: {exc}".strip())
    pytest.fail(
        "PostgreSQL is unreachable (set HOGA_TEST_POSTGRES_URL, or HOGA_TEST_NO_POSTGRES=1 to "
        "leave PostgreSQL out):\n" + "\n".join(errors)
    )


def _schema_url(base: str, schema: str) -> str:
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def storage_url(
    storage_backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A URL naming an empty database of ``storage_backend``, private to this test."""
    if storage_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'hoga.db'}"
        return
    base: str = request.getfixturevalue("postgres_base_url")
    schema = f"hoga_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield _schema_url(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def storage(storage_backend: str, storage_url: str) -> Iterator[Storage]:
    """An opened, migrated, empty storage; closed after the test. On SQLite the file starts as
    a copy of one migrated once per process (``_sqlite_seed``); tests that need the empty
    database ask for ``storage_url`` instead."""
    if storage_backend == "sqlite":
        storage_url = seeded_sqlite_url(Path(make_url(storage_url).database or ""))
    store = open_storage(storage_url)
    try:
        yield store
    finally:
        store.close()
