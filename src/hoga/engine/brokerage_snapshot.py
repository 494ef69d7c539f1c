"""Account snapshots: an account's ledger state after one of its journal entries, as text.

Start-up and an account's first use rebuild its :class:`~hoga.domain.ledger.AccountState` from
its journal. Without a snapshot that replays every entry the account ever had (ten years of
them under the retention rule); with one it decodes the snapshot and replays only the entries
after it (:func:`hoga.engine.brokerage_book.replay` from that state, checking each entry as
before).

A snapshot is taken (:class:`hoga.engine.brokerage_commit.GroupCommit`) from the state the
brokerage holds after a committed batch, once an account has :data:`SNAPSHOT_EVERY` entries
after its last one, and after a replay that long; the commit thread writes it after the next
batch, in a unit of work of its own, and the storage keeps it only if it is newer than the
stored one. It is a cache, never a record: a snapshot that fails to write is logged and
dropped (it never fails a batch), losing one costs start-up time only, and one that does not
decode (another format version) is ignored, so the account is replayed from its first entry.

Encoding (JSON, format :data:`VERSION`): ``{"v", "balances": [[book, asset, amount]…],
"reservations": [[order_id, side, code, market, price, qty, held]…], "positions": [[code,
market, cost, realized_pnl]…], "pending": [[order_id, side, code, market, qty, price,
trade_date, settles]…]}`` with dates in ISO form; maps in key order, so equal states encode to
equal text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hoga.domain.ledger import AccountState, Ledger, PendingFill, Position, Reservation
from hoga.domain.model import Market, Side
from hoga.engine.brokerage_book import book_account, replay
from hoga.ports.storage import AccountSnapshot, JournalEntry, JournalRepository, imbalance

__all__ = [
    "SNAPSHOT_EVERY",
    "VERSION",
    "AccountCheck",
    "check_account",
    "decode",
    "encode",
    "read_journal",
    "snapshot_of",
]

#: entries after an account's last snapshot that make it due for a new one
SNAPSHOT_EVERY = 200
VERSION = 1


def encode(state: AccountState) -> str:
    """The text of ``state`` (see the module docstring)."""
    balances = sorted(
        [str(acct), asset, amount] for (acct, asset), amount in state.balances.items() if amount
    )
    reservations = [
        [r.order_id, r.side.value, r.code, r.market.value, r.price, r.qty, r.held]
        for _, r in sorted(state.reservations.items())
    ]
    positions = [
        [p.code, p.market.value, p.cost, p.realized_pnl] for _, p in sorted(state.positions.items())
    ]
    pending = [
        [
            f.order_id,
            f.side.value,
            f.code,
            f.market.value,
            f.qty,
            f.price,
            f.trade_date.isoformat(),
            f.settles.isoformat(),
        ]
        for f in state.pending
    ]
    body = {
        "v": VERSION,
        "balances": balances,
        "reservations": reservations,
        "positions": positions,
        "pending": pending,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def decode(account: str, text: str) -> AccountState | None:
    """The state ``text`` encodes for ``account``; None when it is not a snapshot of this
    format (the caller replays the whole journal instead)."""
    try:
        body: Any = json.loads(text)
        if not isinstance(body, dict) or body.get("v") != VERSION:
            return None
        balances = {(book_account(b), a): int(n) for b, a, n in body["balances"]}
        reservations = {
            int(o): Reservation(int(o), Side(s), c, Market(m), int(p), int(q), int(h))
            for o, s, c, m, p, q, h in body["reservations"]
        }
        positions = {
            c: Position(c, Market(m), int(cost), int(pnl)) for c, m, cost, pnl in body["positions"]
        }
        pending = tuple(
            PendingFill(
                int(o),
                Side(s),
                c,
                Market(m),
                int(q),
                int(p),
                date.fromisoformat(t),
                date.fromisoformat(d),
            )
            for o, s, c, m, q, p, t, d in body["pending"]
        )
    except (ValueError, TypeError, KeyError):
        return None
    return AccountState(account, balances, reservations, positions, pending)


def snapshot_of(state: AccountState, entry_id: int, at: int) -> AccountSnapshot:
    """The snapshot of ``state`` as it was after journal entry ``entry_id``."""
    return AccountSnapshot(state.account, entry_id, at, encode(state))


def read_journal(
    journal: JournalRepository, account: str
) -> tuple[list[JournalEntry], AccountState | None]:
    """What rebuilds ``account``'s state: the entries after its snapshot and the snapshot's
    state, or every entry and None (no snapshot, or one that does not decode)."""
    snap = journal.snapshot(account)
    start = None if snap is None else decode(account, snap.state)
    if snap is None or start is None:
        return journal.entries(account), None
    return journal.entries(account, after=snap.entry_id), start


@dataclass
class AccountCheck:
    """What :func:`check_account` found for one account."""

    account: str
    entries: int = 0
    snapshot_entry_id: int | None = None
    problems: list[str] = field(default_factory=list)


def check_account(ledger: Ledger, journal: JournalRepository, account: str) -> AccountCheck:
    """Replay ``account``'s whole journal (never its snapshot) and report: entries whose lines
    do not sum to zero per asset, entries the ledger does not reproduce (as at start-up), and a
    snapshot that is not the state the journal gives up to its entry (or does not decode).
    Read-only; ``hoga admin ledger check`` runs it over every account."""
    entries = journal.entries(account)
    out = AccountCheck(account, len(entries))
    for e in entries:
        if off := imbalance(e.lines):
            out.problems.append(f"entry {e.entry_id} {e.ref!r} does not balance: {off}")
    snap = journal.snapshot(account)
    upto = entries
    if snap is not None:
        out.snapshot_entry_id = snap.entry_id
        upto = [e for e in entries if e.entry_id <= snap.entry_id]
    state, problems = replay(ledger, account, upto)
    out.problems += problems
    if snap is not None:
        taken = decode(account, snap.state)
        if taken is None:
            out.problems.append(f"snapshot after entry {snap.entry_id} does not decode")
        elif not upto or upto[-1].entry_id != snap.entry_id:
            out.problems.append(f"snapshot after entry {snap.entry_id}: no such entry")
        elif taken != state:
            out.problems.append(
                f"snapshot after entry {snap.entry_id} differs from the journal up to it"
            )
        rest = [e for e in entries if e.entry_id > snap.entry_id]
        out.problems += replay(ledger, account, rest, state)[1]
    return out
