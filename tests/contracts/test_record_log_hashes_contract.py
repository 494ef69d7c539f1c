"""Storage contract for ``RecordLog.hashes`` (what a checkpoint's Merkle root is computed from);
runs on every backend of conftest.py."""

from __future__ import annotations

from hoga.domain.records import GENESIS, Record, canonical, seal
from hoga.ports.storage import Storage


def _chain(n: int) -> list[Record]:
    out: list[Record] = []
    prev = GENESIS
    for i in range(n):
        rec = seal(prev, 1 + i, 100 + i, "api.call", "c", canonical({"i": i}), salt="ab")
        out.append(rec)
        prev = rec.hash
    return out


def test_hashes_by_range_and_page(storage: Storage) -> None:
    recs = _chain(7)
    with storage.unit_of_work() as uow:
        uow.record_log.append(recs)
    with storage.unit_of_work(read_only=True) as uow:
        log = uow.record_log
        every = [(r.seq, r.hash) for r in recs]
        assert log.hashes(0, 7, 100) == every
        assert log.hashes(2, 5, 100) == every[2:5]
        assert log.hashes(2, 6, 2) == every[2:4]
        assert log.hashes(7, 9, 100) == [] and log.hashes(3, 3, 100) == []
        assert all(type(s) is int and type(h) is str for s, h in log.hashes(0, 7, 100))


def test_hashes_keep_shredded_records_and_skip_deleted_ones(storage: Storage) -> None:
    recs = _chain(5)
    with storage.unit_of_work() as uow:
        uow.record_log.append(recs)
        uow.record_log.shred([2, 4])
        uow.record_log.delete_through(1)
    with storage.unit_of_work() as uow:
        assert uow.record_log.hashes(0, 5, 100) == [(r.seq, r.hash) for r in recs[1:]]
        assert uow.record_log.hashes(0, 5, 100) == [(r.seq, r.hash) for r in uow.record_log.read()]
