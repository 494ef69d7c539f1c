"""SQLite-specific behaviour: connection settings, paths, in-memory sharing, two processes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hoga.adapters import sqlite as sqlite_adapter
from hoga.adapters.sql.storage import SqlStorage
from hoga.adapters.sqlite import BUSY_TIMEOUT_MS, open_sqlite
from hoga.bootstrap import open_storage
from hoga.domain.model import Side
from hoga.errors import StorageError
from hoga.ports.storage import AccountRecord, CustomerRecord, JournalLine, OrderRecord

ACCOUNT = "5000000001"
WRITES_PER_PROCESS = 150


def test_connections_use_wal_normal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    store = open_sqlite(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with store.engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
            }
        assert pragma == {
            "journal_mode": "wal",
            "synchronous": 1,  # NORMAL
            "busy_timeout": BUSY_TIMEOUT_MS,
            "foreign_keys": 1,
        }
    finally:
        store.close()


def test_relative_path_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_storage("sqlite:///rel.db")
    store.close()
    assert (tmp_path / "rel.db").exists()


def test_an_unopenable_file_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot open storage"):
        open_storage(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")


def test_driver_errors_in_a_unit_of_work_become_storage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_sqlite(f"sqlite:///{tmp_path / 'x.db'}")

    def broken() -> None:
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("disk I/O error"))

    monkeypatch.setattr(store.engine, "connect", broken)
    try:
        with pytest.raises(StorageError, match="disk I/O error"), store.unit_of_work():
            pass
    finally:
        store.close()


def test_open_sqlite_refuses_other_urls() -> None:
    with pytest.raises(StorageError, match="not a SQLite URL"):
        open_sqlite("postgresql://x@y/z")


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://", "memory://"])
def test_memory_database_is_shared_by_units_of_work_and_threads(url: str) -> None:
    store = open_storage(url)
    try:
        assert store.url == url
        with store.unit_of_work() as uow:
            uow.settings.put("a", 1)

        def bump(n: int) -> None:
            for _ in range(n):
                with store.unit_of_work() as uow:
                    value = uow.settings.get("a")
                    assert isinstance(value, int)
                    uow.settings.put("a", value + 1)

        threads = [threading.Thread(target=bump, args=(50,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        with store.unit_of_work() as uow:
            assert uow.settings.get("a") == 201  # serialized: no lost update
    finally:
        store.close()
    fresh = open_storage(url)  # a new in-memory store starts empty
    try:
        with fresh.unit_of_work() as uow:
            assert uow.settings.items() == {}
    finally:
        fresh.close()


def _writer(url: str, go: Event) -> None:
    """Child process: wait for the start signal, then commit WRITES_PER_PROCESS units of work."""
    store = open_storage(url)
    try:
        go.wait(timeout=60)
        for i in range(WRITES_PER_PROCESS):
            with store.unit_of_work() as uow:
                ord_no = uow.orders.allocate_order_no()
                uow.orders.add(
                    OrderRecord(
                        ord_no,
                        ACCOUNT,
                        "005930",
                        Side.BUY,
                        "0",
                        100,
                        1,
                        0,
                        None,
                        "accepted",
                        0,
                        1,
                        i,
                        i,
                    )
                )
                uow.journal.post(
                    i,
                    ACCOUNT,
                    f"ord {ord_no}",
                    [JournalLine("KRW", "cash", -1), JournalLine("KRW", "held", 1)],
                )
                uow.events.append(i, "order", f'{{"ord_no":{ord_no}}}')
    finally:
        store.close()


def test_two_processes_writing_one_file_lose_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    store = open_storage(url)
    with store.unit_of_work() as uow:
        uow.customers.add(CustomerRecord("c1", "c", "mock", "active", 0))
        uow.accounts.add(AccountRecord(ACCOUNT, "c1", "mock", 0))
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(url, go)) for _ in range(2)]
    for p in procs:
        p.start()
    go.set()
    for p in procs:
        p.join(timeout=120)
    try:
        assert [p.exitcode for p in procs] == [0, 0]
        total = 2 * WRITES_PER_PROCESS
        with store.unit_of_work() as uow:
            orders = uow.orders.by_account(ACCOUNT)
            assert [o.ord_no for o in orders] == list(range(1, total + 1))
            assert len(uow.journal.entries(ACCOUNT)) == total
            assert uow.journal.balance(ACCOUNT, "KRW", "held") == total
            assert [e.seq for e in uow.events.read()] == list(range(1, total + 1))
        with store.engine.connect() as conn:  # type: ignore[attr-defined]
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        store.close()


# --- the process's write lock ------------------------------------------------------------------


def _no_busy_wait(monkeypatch: pytest.MonkeyPatch, path: Path) -> SqlStorage:
    """A file storage whose connections never wait for SQLite's lock (busy timeout 0): any
    write that meets another one at the database fails at once."""
    monkeypatch.setattr(sqlite_adapter, "BUSY_TIMEOUT_MS", 0)
    return open_sqlite(f"sqlite:///{path}")


def _write_while_held(store: SqlStorage, tag: str) -> tuple[list[str], list[BaseException]]:
    """A thread holds a write unit of ``store``; meanwhile another thread writes through it
    too. What got written (``first``/``second``) and what the second writer raised."""
    holding, asked = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        with store.unit_of_work() as uow:
            uow.settings.put(f"{tag}first", 1)
            holding.set()
            assert asked.wait(5)
            time.sleep(0.1)  # the second writer is at the lock by now

    def second() -> None:
        assert holding.wait(5)
        asked.set()
        try:
            with store.unit_of_work() as uow:
                uow.settings.put(f"{tag}second", 2)
        except BaseException as exc:  # reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    with store.unit_of_work(read_only=True) as uow:
        written = [k for k in ("first", "second") if uow.settings.get(tag + k) is not None]
    return written, errors


def _assert_second_refused(written: list[str], errors: list[BaseException]) -> None:
    assert written == ["first"]
    assert len(errors) == 1 and "locked" in str(errors[0])


def test_writers_of_one_process_queue_on_the_write_lock_not_on_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _no_busy_wait(monkeypatch, tmp_path / "x.db")
    try:
        written, errors = _write_while_held(store, "locked.")
        assert (written, errors) == (["first", "second"], [])
        # the same two writers without the process lock meet the database's: refused at once
        bare = SqlStorage(store.engine, "bare")
        _assert_second_refused(*_write_while_held(bare, "bare."))
    finally:
        store.close()


def test_a_write_unit_inside_a_write_unit_gets_the_database_answer_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _no_busy_wait(monkeypatch, tmp_path / "x.db")
    try:
        with store.unit_of_work() as outer:
            outer.settings.put("outer", 1)
            with pytest.raises(StorageError, match="locked"), store.unit_of_work() as inner:
                inner.settings.put("inner", 1)
            with store.unit_of_work(read_only=True) as reader:  # readers never wait
                assert reader.settings.get("outer") is None  # not committed yet
        with store.unit_of_work(read_only=True) as uow:
            assert (uow.settings.get("outer"), uow.settings.get("inner")) == (1, None)
    finally:
        store.close()


def test_a_writer_that_waited_too_long_for_the_lock_meets_the_database_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _no_busy_wait(monkeypatch, tmp_path / "x.db")
    try:
        short = SqlStorage(store.engine, "short wait", serialize_writes=0.02)
        _assert_second_refused(*_write_while_held(short, "short."))
        # the lock was given back by both: a later write goes through
        with short.unit_of_work() as uow:
            uow.settings.put("later", 3)
        with short.unit_of_work(read_only=True) as uow:
            assert uow.settings.get("later") == 3
    finally:
        store.close()
