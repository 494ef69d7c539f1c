"""Read-only units of work (``SqlStorage.unit_of_work(read_only=True)``): they read, do not wait
for a writer holding the write lock, and refuse writes; on every backend."""

from __future__ import annotations

import threading

import pytest

from hoga.adapters.sql.storage import SqlStorage
from hoga.errors import StorageError
from hoga.ports.storage import Storage


def _sql(storage: Storage) -> SqlStorage:
    assert isinstance(storage, SqlStorage)
    return storage


def test_a_read_only_unit_reads_a_committed_snapshot_while_a_writer_holds_its_lock(
    storage: Storage,
) -> None:
    store = _sql(storage)
    with store.unit_of_work() as uow:
        uow.settings.put("k", 1)
    holding, release = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def writer() -> None:
        try:
            with store.unit_of_work() as uow:
                uow.settings.put("k", 2)  # the write lock (SQLite) / the row lock (PostgreSQL)
                holding.set()
                assert release.wait(30)
        except BaseException as exc:  # surfaced below
            failed.append(exc)
            holding.set()

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert holding.wait(30)
        with store.unit_of_work(read_only=True) as uow:  # would wait 30 s if it took the lock
            assert uow.settings.get("k") == 1  # the writer has not committed
    finally:
        release.set()
        t.join(30)
    assert not failed
    with store.unit_of_work(read_only=True) as uow:
        assert uow.settings.get("k") == 2


def test_a_write_in_a_read_only_unit_fails_and_leaves_the_connection_writable(
    storage: Storage,
) -> None:
    store = _sql(storage)
    with pytest.raises(StorageError), store.unit_of_work(read_only=True) as uow:
        uow.settings.put("k", 1)
    with store.unit_of_work(read_only=True) as uow:
        assert uow.settings.get("k") is None
    for n in range(3):  # pooled connections that ran read-only units write again
        with store.unit_of_work() as uow:
            uow.settings.put("k", n)
    with store.unit_of_work() as uow:
        assert uow.settings.get("k") == 2
