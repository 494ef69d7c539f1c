"""Group commit of the brokerage: many requests' writes in one transaction.

The brokerage is the single writer of orders, fills and their journal entries, and keeps
every account's ledger state and every working order in memory. A use case runs in a
:class:`Work`: it reads that memory and stages changes (new order rows, fill-state changes,
fills, journal postings, realtime notes, new memory values). When the work ends normally the
memory changes take effect at once (the next request sees the reservation) and the writes join
the *pending batch* of :class:`GroupCommit`; an exception discards the work.

The pending batch is written by :meth:`GroupCommit.flush`: one unit of work, a few statements
over many rows (:meth:`hoga.ports.storage.TradeWriter.write`). Inside a running event loop
the flush is scheduled with ``call_soon`` when a batch starts, so every request that stages
work in the same loop turn shares one commit; :meth:`GroupCommit.durable` waits for the commit
of everything staged so far. Without a running loop (tools, tests, start-up) every work is
committed before its block returns, as plain units of work would be.

Rules that keep "acknowledged means durable":

- Nothing is acknowledged before :meth:`~GroupCommit.durable` (or a synchronous flush) returned
  for the batch that holds it: order numbers, realtime notes (sent only after their commit),
  query answers (the read side flushes before it reads).
- A failed commit fails every waiter of that batch (the error is raised from ``durable``) and
  puts the memory back as it was before the batch: account states, working orders and the
  in-memory order-number counter. Nothing of the batch was acknowledged, and memory equals the
  database again.
- Order numbers are drawn in memory (gap-free, in order) and the batch advances the stored
  ``ord_no`` sequence over exactly them; if another writer drew numbers meanwhile the batch
  fails and the counter is read again. Journal entry and execution ids are drawn when the
  batch is written (other writers, e.g. a new customer's first deposit, share those sequences).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hoga.domain.ledger import AccountState, LedgerResult
from hoga.engine.brokerage_book import BalanceNote, LiveOrder, OrderNote, journal_lines
from hoga.errors import StorageError
from hoga.ports.storage import (
    FillRecord,
    OrderChange,
    OrderRecord,
    Posting,
    Storage,
    TradeBatch,
)

if TYPE_CHECKING:
    from hoga.engine.brokerage import Brokerage

__all__ = ["GroupCommit", "Work"]

log = logging.getLogger(__name__)

Note = OrderNote | BalanceNote
#: (account, kind, note, index of the fill whose exec id the note carries or -1)
_NoteItem = tuple[str, str, Note, int]
_ORD_NO_SEQ = "ord_no"


class Work:
    """One use case's reads of memory and staged changes (see the module docstring)."""

    def __init__(self, broker: Brokerage, at: int) -> None:
        self.b = broker
        self.at = at
        self.states: dict[str, AccountState] = {}
        self.live: dict[int, LiveOrder | None] = {}
        self.notes: list[_NoteItem] = []
        self.orders: list[OrderRecord] = []
        self.changes: list[OrderChange] = []
        self.postings: list[Posting] = []
        self.fills: list[FillRecord] = []
        self.ord_nos = 0  # how many order numbers this work drew

    def state(self, account: str) -> AccountState:
        if account in self.states:
            return self.states[account]
        return self.b._load(account)

    def order(self, root: int) -> LiveOrder | None:
        return self.live[root] if root in self.live else self.b._live.get(root)

    def post(self, account: str, ref: str | list[str], result: LedgerResult) -> None:
        """Stage ``result``'s entries (``ref`` for all, or one ref per entry)."""
        refs = ref if isinstance(ref, list) else [ref] * len(result.entries)
        for entry, one in zip(result.entries, refs, strict=True):
            if entry.postings:
                self.postings.append(Posting(self.at, account, one, tuple(journal_lines(entry))))
        self.states[account] = result.state

    def post_lines(self, account: str, ref: str, lines: list[Any]) -> None:
        self.postings.append(Posting(self.at, account, ref, tuple(lines)))

    def next_ord_no(self) -> int:
        """The order number :meth:`new_ord_no` would draw now (nothing drawn)."""
        return self.b._group.peek_ord_no()

    def new_ord_no(self) -> int:
        self.ord_nos += 1
        return self.b._group.draw_ord_no()

    def add_order(self, row: OrderRecord) -> None:
        self.orders.append(row)

    def change(self, ord_no: int, *, status: str, filled_qty: int, open_qty: int) -> None:
        self.changes.append(OrderChange(ord_no, status, filled_qty, open_qty, self.at))

    def add_fill(self, fill: FillRecord) -> int:
        """Stage a fill (its exec id is drawn at commit); returns its index in this work."""
        self.fills.append(fill)
        return len(self.fills) - 1

    def tell(self, lo: LiveOrder, status: str, action: str = "new", **change: Any) -> None:
        """Queue a realtime ``00`` note about ``lo`` (sent once this work commits);
        ``fill=i`` makes it carry the exec id of this work's fill ``i``."""
        if self.b.notify is None:
            return
        fill = change.pop("fill", -1)
        note = OrderNote(
            status,
            action,
            lo.account,
            lo.ord_no,
            0,
            lo.code,
            lo.side,
            lo.trde_tp,
            lo.qty,
            lo.price,
            lo.open,
            lo.filled,
            self.at,
        )
        self.notes.append((lo.account, "order", replace(note, **change) if change else note, fill))

    def tell_balance(self, note: BalanceNote) -> None:
        self.notes.append((note.account, "balance", note, -1))


class _Pending:
    """Everything staged since the last commit, and how to undo it in memory."""

    def __init__(self) -> None:
        self.ord_start = 0
        self.ord_count = 0
        self.orders: dict[int, OrderRecord] = {}
        self.changes: dict[int, OrderChange] = {}
        self.postings: list[Posting] = []
        self.fills: list[FillRecord] = []
        self.notes: list[_NoteItem] = []
        self.undo_states: dict[str, AccountState | None] = {}
        self.undo_live: dict[int, LiveOrder | None] = {}
        self.works = 0
        self.future: asyncio.Future[None] | None = None

    def batch(self) -> TradeBatch:
        return TradeBatch(
            range(self.ord_start, self.ord_start + self.ord_count),
            list(self.orders.values()),
            list(self.changes.values()),
            self.postings,
            self.fills,
        )


def _retrieve(fut: asyncio.Future[None]) -> None:
    if not fut.cancelled():
        fut.exception()  # a failure every waiter gave up on is not "never retrieved"


class GroupCommit:
    """The pending batch of a brokerage and its commits (see the module docstring)."""

    def __init__(self, broker: Brokerage, storage: Storage) -> None:
        self.b = broker
        self.storage = storage
        self._pending: _Pending | None = None
        self._scheduled = False
        self._next_ord_no: int | None = None  # None: read the stored sequence first
        #: commits made and works they held (diagnostics)
        self.commits = 0
        self.committed_works = 0

    # ------------------------------------------------------------------ order numbers

    def peek_ord_no(self) -> int:
        if self._next_ord_no is None:
            with self.storage.unit_of_work() as uow:
                self._next_ord_no = uow.sequences.current(_ORD_NO_SEQ) + 1
        return self._next_ord_no

    def draw_ord_no(self) -> int:
        n = self.peek_ord_no()
        self._next_ord_no = n + 1
        return n

    def forget(self, work: Work) -> None:
        """A work ended by an exception: give its order numbers back (they were the last)."""
        if work.ord_nos and self._next_ord_no is not None:
            self._next_ord_no -= work.ord_nos

    # ------------------------------------------------------------------ staging

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def stage(self, work: Work) -> None:
        """Make ``work``'s memory changes take effect and add its writes to the pending batch;
        commit now when no event loop runs (raising what the commit raises)."""
        staged = work.orders or work.changes or work.postings or work.fills or work.notes
        if not (staged or work.states or work.live):
            return
        b = self.b
        p = self._pending
        if p is None:
            p = self._pending = _Pending()
        p.works += 1
        for account, st in work.states.items():
            if account not in p.undo_states:
                p.undo_states[account] = b._states.get(account)
            b._states[account] = st
        for root, lo in work.live.items():
            if root not in p.undo_live:
                p.undo_live[root] = b._live.get(root)
            if lo is None:
                b._live.pop(root, None)
            else:
                b._live[root] = lo
        if work.ord_nos:
            if not p.ord_count:
                assert self._next_ord_no is not None
                p.ord_start = self._next_ord_no - work.ord_nos
            p.ord_count += work.ord_nos
        for row in work.orders:
            p.orders[row.ord_no] = row
        for c in work.changes:
            stored = p.orders.get(c.ord_no)
            if stored is None:
                p.changes[c.ord_no] = c
            else:
                p.orders[c.ord_no] = replace(
                    stored,
                    status=c.status,
                    filled_qty=c.filled_qty,
                    open_qty=c.open_qty,
                    updated_at=c.updated_at,
                )
        offset = len(p.fills)
        p.fills.extend(work.fills)
        p.postings.extend(work.postings)
        for account, kind, note, fill in work.notes:
            p.notes.append((account, kind, note, fill + offset if fill >= 0 else -1))
        self._schedule()

    def _schedule(self) -> None:
        if self._scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: commit before the use case returns
            self.flush()
            return
        self._scheduled = True
        loop.call_soon(self._flush_soon)

    def _flush_soon(self) -> None:
        self._scheduled = False
        try:
            self.flush()
        except Exception:  # its waiters got the error; the market goes on
            log.exception("group commit failed")

    async def durable(self) -> None:
        """Wait until everything staged so far is committed (StorageError if its commit
        failed: then none of it happened)."""
        p = self._pending
        if p is None:
            return
        if p.future is None:
            p.future = asyncio.get_running_loop().create_future()
            p.future.add_done_callback(_retrieve)
        self._schedule()
        await asyncio.shield(p.future)

    # ------------------------------------------------------------------ commit

    def flush(self) -> None:
        """Commit the pending batch now (nothing if there is none); on failure undo it in
        memory, fail its waiters and raise."""
        p = self._pending
        if p is None:
            return
        self._pending = None
        try:
            with self.storage.unit_of_work() as uow:
                ids = uow.trades.write(p.batch())
        except BaseException as exc:
            self._undo(p)
            if p.future is not None and not p.future.done():
                err = exc if isinstance(exc, StorageError) else StorageError(str(exc))
                p.future.set_exception(err)
            raise
        self.commits += 1
        self.committed_works += p.works
        notify = self.b.notify
        if notify is not None:
            for account, kind, note, fill in p.notes:
                told = note
                if fill >= 0 and isinstance(note, OrderNote):
                    told = replace(note, exec_id=ids.first_exec_id + fill)
                try:
                    notify(account, kind, told)
                except Exception:  # a push must never undo or stop the brokerage
                    log.exception("account notification failed")
        if p.future is not None and not p.future.done():
            p.future.set_result(None)

    def _undo(self, p: _Pending) -> None:
        b = self.b
        for account, st in p.undo_states.items():
            if st is None:
                b._states.pop(account, None)
            else:
                b._states[account] = st
        for root, lo in p.undo_live.items():
            if lo is None:
                b._live.pop(root, None)
            else:
                b._live[root] = lo
        self._next_ord_no = None  # read the stored sequence again
