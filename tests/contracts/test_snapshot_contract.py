"""Account snapshots in the journal repository (SQLite and PostgreSQL): the latest one per
account, kept only when newer, refused after another account's entry; the entries after one."""

from __future__ import annotations

import pytest
from _storage_records import at_revision

from hoga.bootstrap import open_storage
from hoga.errors import StorageError
from hoga.ports.storage import AccountSnapshot, JournalLine, Storage


def _cash(amount: int) -> list[JournalLine]:
    return [JournalLine("KRW", "cash", amount), JournalLine("KRW", "bank", -amount)]


def _posted(storage: Storage) -> dict[str, list[int]]:
    """Three entries of A1 and two of B1, interleaved; their ids per account."""
    ids: dict[str, list[int]] = {"A1": [], "B1": []}
    with storage.unit_of_work() as uow:
        for n, account in enumerate(("A1", "B1", "A1", "B1", "A1"), 1):
            ids[account].append(uow.journal.post(n, account, f"deposit:{n}", _cash(n)).entry_id)
    return ids


def test_snapshot_round_trip_and_the_entries_after_it(storage: Storage) -> None:
    ids = _posted(storage)
    a1, a2, a3 = ids["A1"]
    with storage.unit_of_work() as uow:
        assert uow.journal.snapshot("A1") is None
        uow.journal.save_snapshots([AccountSnapshot("A1", a2, 100, '{"v":1,"x":"한"}')])
    with storage.unit_of_work() as uow:
        assert uow.journal.snapshot("A1") == AccountSnapshot("A1", a2, 100, '{"v":1,"x":"한"}')
        assert uow.journal.snapshot("B1") is None
        assert [e.entry_id for e in uow.journal.entries("A1", after=a2)] == [a3]
        assert [e.entry_id for e in uow.journal.entries("A1", after=0)] == [a1, a2, a3]
        assert [e.entry_id for e in uow.journal.entries("A1", after=a2, since=1)] == [a3]
        assert uow.journal.entries("A1", after=a3) == []
        # the lines come with the entries after the snapshot as with every entry
        assert uow.journal.entries("A1", after=a2)[0].lines == tuple(_cash(5))


def test_only_a_newer_snapshot_replaces_the_stored_one(storage: Storage) -> None:
    ids = _posted(storage)
    a1, a2, a3 = ids["A1"]
    with storage.unit_of_work() as uow:
        uow.journal.save_snapshots([AccountSnapshot("A1", a2, 1, "second")])
    with storage.unit_of_work() as uow:  # older and equal: nothing changes
        uow.journal.save_snapshots(
            [AccountSnapshot("A1", a1, 2, "first"), AccountSnapshot("A1", a2, 3, "again")]
        )
    with storage.unit_of_work() as uow:
        assert uow.journal.snapshot("A1") == AccountSnapshot("A1", a2, 1, "second")
        uow.journal.save_snapshots(
            [AccountSnapshot("A1", a3, 4, "third"), AccountSnapshot("B1", ids["B1"][0], 5, "b")]
        )
    with storage.unit_of_work() as uow:
        assert uow.journal.snapshot("A1") == AccountSnapshot("A1", a3, 4, "third")
        assert uow.journal.snapshot("B1") == AccountSnapshot("B1", ids["B1"][0], 5, "b")


@pytest.mark.parametrize("entry", ["other account", "missing"])
def test_a_snapshot_after_an_entry_not_of_its_account_is_refused(
    storage: Storage, entry: str
) -> None:
    ids = _posted(storage)
    entry_id = ids["B1"][0] if entry == "other account" else max(ids["A1"]) + 100
    with pytest.raises(StorageError, match="no such entry"), storage.unit_of_work() as uow:
        uow.journal.save_snapshots(
            [AccountSnapshot("A1", ids["A1"][0], 1, "ok"), AccountSnapshot("A1", entry_id, 2, "x")]
        )
    with storage.unit_of_work() as uow:  # the unit of work rolled back: not even the first
        assert uow.journal.snapshot("A1") is None


def test_journal_posted_before_0010_replays_and_takes_snapshots(storage_url: str) -> None:
    """Migration 0010 adds the snapshot table to a journal written before it."""
    from sqlalchemy import insert

    from hoga.adapters.sql.schema import journal_entries, journal_lines

    with at_revision(storage_url, "0009") as conn:  # (the journal does not refer to accounts)
        conn.execute(
            insert(journal_entries), [{"entry_id": 7, "at": 1, "account": "A1", "ref": "r"}]
        )
        conn.execute(
            insert(journal_lines),
            [
                {
                    "entry_id": 7,
                    "line_no": n,
                    "account": "A1",
                    "asset": "KRW",
                    "book": b,
                    "amount": v,
                }
                for n, (b, v) in enumerate((("cash", 10), ("bank", -10)))
            ],
        )
    store = open_storage(storage_url)  # upgrades to the head
    try:
        with store.unit_of_work() as uow:
            assert uow.journal.snapshot("A1") is None
            assert [e.entry_id for e in uow.journal.entries("A1")] == [7]
            uow.journal.save_snapshots([AccountSnapshot("A1", 7, 2, "s")])
        with store.unit_of_work() as uow:
            assert uow.journal.snapshot("A1") == AccountSnapshot("A1", 7, 2, "s")
            assert uow.journal.entries("A1", after=7) == []
    finally:
        store.close()
