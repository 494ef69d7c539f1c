"""The journal: balanced entries, checked here before anything is written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import and_, func, insert, select

from hoga.adapters.sql.schema import account_snapshots, journal_entries, journal_lines
from hoga.adapters.sql.trading import SqlSequenceRepository
from hoga.adapters.sql.tx import Tx, window
from hoga.ports.storage import AccountSnapshot, JournalEntry, JournalLine, imbalance

__all__ = ["JOURNAL_ENTRY", "SqlJournalRepository", "grouped_entries"]

JOURNAL_ENTRY = "journal_entry"
_INSERT_ENTRY = insert(journal_entries)
_INSERT_LINES = insert(journal_lines)
#: an entry's lines beside it: per-account reads go through the entries' account index
_ENTRY_LINES = journal_entries.join(
    journal_lines, journal_lines.c.entry_id == journal_entries.c.entry_id
)
_ENTRY_ACCOUNT = "SELECT account FROM journal_entries WHERE entry_id = ?"
#: a newer snapshot replaces the stored one; an older or equal one changes nothing
_SAVE_SNAPSHOT = (
    "INSERT INTO account_snapshots (account, entry_id, at, state) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (account) DO UPDATE SET entry_id = excluded.entry_id, at = excluded.at,"
    " state = excluded.state WHERE account_snapshots.entry_id < excluded.entry_id"
)


class SqlJournalRepository:
    def __init__(self, tx: Tx, seqs: SqlSequenceRepository) -> None:
        self._tx = tx
        self._seqs = seqs

    def post(self, at: int, account: str, ref: str, lines: Sequence[JournalLine]) -> JournalEntry:
        if not lines:
            raise self._tx.fail(f"journal entry {ref!r} for {account} has no lines")
        if off := imbalance(lines):
            raise self._tx.fail(f"journal entry {ref!r} for {account} does not balance: {off}")
        entry_id = self._seqs.allocate(JOURNAL_ENTRY)
        self._tx.execute(
            _INSERT_ENTRY, {"entry_id": entry_id, "at": at, "account": account, "ref": ref}
        )
        self._tx.execute(
            _INSERT_LINES,
            [
                {
                    "entry_id": entry_id,
                    "line_no": n,
                    "account": account,
                    "asset": line.asset,
                    "book": line.book,
                    "amount": line.amount,
                }
                for n, line in enumerate(lines)
            ],
        )
        return JournalEntry(entry_id, at, account, ref, tuple(lines))

    def entries(
        self,
        account: str,
        *,
        since: int | None = None,
        until: int | None = None,
        after: int = 0,
    ) -> list[JournalEntry]:
        e, ln = journal_entries.c, journal_lines.c
        stmt = (
            select(e.entry_id, e.at, e.account, e.ref, ln.asset, ln.book, ln.amount)
            .select_from(_ENTRY_LINES)
            .where(and_(e.account == account, e.entry_id > after, window(e.at, since, until)))
            .order_by(e.entry_id, ln.line_no)
        )
        return grouped_entries(self._tx.execute(stmt).all())

    def snapshot(self, account: str) -> AccountSnapshot | None:
        s = account_snapshots.c
        stmt = select(s.account, s.entry_id, s.at, s.state).where(s.account == account)
        row = self._tx.execute(stmt).first()
        return None if row is None else AccountSnapshot(row[0], int(row[1]), int(row[2]), row[3])

    def save_snapshots(self, snapshots: Sequence[AccountSnapshot]) -> None:
        tx = self._tx
        for snap in snapshots:
            owner = tx.query(_ENTRY_ACCOUNT, [snap.entry_id])
            if not owner or owner[0][0] != snap.account:
                raise tx.fail(
                    f"snapshot of {snap.account} after entry {snap.entry_id}:"
                    " no such entry of that account"
                )
            tx.run(_SAVE_SNAPSHOT, [snap.account, snap.entry_id, snap.at, snap.state])

    def balance(self, account: str, asset: str, book: str) -> int:
        return self.balances(account).get((asset, book), 0)

    def balances(self, account: str) -> dict[tuple[str, str], int]:
        e, ln = journal_entries.c, journal_lines.c
        stmt = (
            select(ln.asset, ln.book, func.sum(ln.amount))
            .select_from(_ENTRY_LINES)
            .where(e.account == account)
            .group_by(ln.asset, ln.book)
            .order_by(ln.asset, ln.book)
        )
        sums = {(r[0], r[1]): int(r[2]) for r in self._tx.execute(stmt)}
        return {key: total for key, total in sums.items() if total != 0}


def grouped_entries(rows: Iterable[Sequence[Any]]) -> list[JournalEntry]:
    """Journal entries from joined rows ``(entry_id, at, account, ref, asset, book, amount)``
    in entry and line order."""
    return [
        JournalEntry(
            entry_id,
            (group := list(grouped))[0][1],
            group[0][2],
            group[0][3],
            tuple(JournalLine(r[4], r[5], r[6]) for r in group),
        )
        for entry_id, grouped in groupby(rows, key=itemgetter(0))
    ]
