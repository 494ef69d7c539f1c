"""Group commit of the brokerage: many requests' writes in one transaction.

The brokerage is the single writer of orders, fills and their journal entries, and keeps
every account's ledger state and every working order in memory. A use case runs in a
:class:`Work`: it reads that memory and stages changes (new order rows, fill-state changes,
fills, journal postings, realtime notes, new memory values). When the work ends normally the
memory changes take effect at once (the next request sees the reservation) and the writes join
the *pending batch* of :class:`GroupCommit`; an exception discards the work.

The pending batch is written by one call of :meth:`hoga.ports.storage.TradeWriter.write` (a
few statements over many rows) in one unit of work. Inside a running event loop the batch is
handed to a single commit thread when it starts (``call_soon``), so every request that stages
work in the same loop turn shares one commit, and the loop goes on while the commit waits for
the database (e.g. for SQLite's write lock); work staged meanwhile forms the next batch, which
starts when the one in flight ends (commits stay in order). :meth:`GroupCommit.durable` waits
for the commit of everything staged so far; :meth:`GroupCommit.flush` commits synchronously
(after the one in flight). Without a running loop (tools, tests, start-up) every work is
committed before its block returns, as plain units of work would be.

Rules that keep "acknowledged means durable":

- Nothing is acknowledged before :meth:`~GroupCommit.durable` (or a synchronous flush) returned
  for the batch that holds it: order numbers, realtime notes (sent only after their commit),
  query answers (the read side flushes before it reads).
- A failed commit fails every waiter of that batch and of the batch staged after it (built on
  it) — the error is raised from ``durable`` — and puts the memory back as it was before them
  (account states, working orders); what still rests of their new orders is cancelled on the
  exchange (:meth:`GroupCommit.went_live`). Nothing of them was acknowledged, and memory
  equals the database again. What the exchange already matched stays matched there (a trade
  with a participant, or with a resting customer order whose fill was in the failed batch),
  as when a listener's unit of work failed before group commit: it is logged.
- Durability is the storage's: SQLite runs WAL with ``synchronous=NORMAL`` (hoga.adapters.sqlite),
  so a commit survives a process crash (kill -9) but a power loss may drop the last ones.
- Order numbers are drawn in memory, in order, and each batch advances the stored ``ord_no``
  sequence over every number drawn since the batch before it; the brokerage must be the only
  writer of orders (if someone else drew numbers, every batch fails loudly). The numbers of a
  failed batch are not drawn again — its orders reached the exchange, which never takes an id
  twice — so stored order numbers are gap-free unless a commit failed. Journal entry and
  execution ids are drawn when the batch is written (other writers, e.g. a new customer's
  first deposit, share those sequences).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from hoga.domain.ledger import AccountState, LedgerResult
from hoga.engine.brokerage_book import BalanceNote, LiveOrder, OrderNote, journal_lines
from hoga.engine.brokerage_snapshot import SNAPSHOT_EVERY, snapshot_of
from hoga.errors import StorageError
from hoga.ports.storage import (
    FillRecord,
    JournalEntry,
    OrderChange,
    OrderRecord,
    Posting,
    Storage,
    TradeBatch,
    TradeBatchIds,
)

if TYPE_CHECKING:
    from hoga.engine.brokerage import Brokerage

__all__ = ["GroupCommit", "Work"]

log = logging.getLogger(__name__)

Note = OrderNote | BalanceNote
#: (account, kind, note, index of the fill whose exec id the note carries or -1)
_NoteItem = tuple[str, str, Note, int]
_ORD_NO_SEQ = "ord_no"
#: a snapshot due: (the account's state, the entry it is after, when it was taken)
_Due = tuple[AccountState, int, int]


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


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

    def tell(
        self,
        lo: LiveOrder,
        status: str,
        action: str = "new",
        orig_ord_no: int = 0,
        reason: str = "",
    ) -> None:
        """Queue a realtime ``00`` note about ``lo`` (sent once this work commits)."""
        if self.b.notify is not None:
            note = self._note(lo, status, action, lo.ord_no, orig_ord_no, lo.qty, lo.open, reason)
            self.notes.append((lo.account, "order", note, -1))

    def tell_fill(self, lo: LiveOrder, fill: int, price: int, qty: int, fee: int, tax: int) -> None:
        """The ``체결`` note of this work's fill ``fill`` (it carries that fill's exec id)."""
        if self.b.notify is not None:
            note = self._note(
                lo, "체결", "new", lo.ord_no, 0, lo.qty, lo.open, "", price, qty, fee, tax
            )
            self.notes.append((lo.account, "order", note, fill))

    def tell_cancel(self, lo: LiveOrder, ord_no: int, orig_ord_no: int, qty: int) -> None:
        """``접수`` then ``확인`` of the cancel request ``ord_no`` (of ``qty`` shares)."""
        if self.b.notify is not None:
            for status in ("접수", "확인"):
                note = self._note(lo, status, "cancel", ord_no, orig_ord_no, qty, 0, "", filled=0)
                self.notes.append((lo.account, "order", note, -1))

    def _note(
        self,
        lo: LiveOrder,
        status: str,
        action: str,
        ord_no: int,
        orig_ord_no: int,
        qty: int,
        open_qty: int,
        reason: str,
        exec_price: int = 0,
        exec_qty: int = 0,
        fee: int = 0,
        tax: int = 0,
        filled: int | None = None,
    ) -> OrderNote:
        """An :class:`OrderNote` built directly (no ``dataclasses.replace``: one per order)."""
        return OrderNote(
            status,
            action,
            lo.account,
            ord_no,
            orig_ord_no,
            lo.code,
            lo.side,
            lo.trde_tp,
            qty,
            lo.price,
            open_qty,
            lo.filled if filled is None else filled,
            self.at,
            0,
            exec_price,
            exec_qty,
            fee,
            tax,
            reason,
        )

    def tell_balance(self, note: BalanceNote) -> None:
        self.notes.append((note.account, "balance", note, -1))


class _Pending:
    """Everything staged since the last commit, and how to undo it in memory."""

    def __init__(self) -> None:
        self.order_nos = range(0)  # set when the batch is handed to the writer
        self.orders: dict[int, OrderRecord] = {}
        self.changes: dict[int, OrderChange] = {}
        self.postings: list[Posting] = []
        self.fills: list[FillRecord] = []
        self.notes: list[_NoteItem] = []
        self.undo_states: dict[str, AccountState | None] = {}
        self.after: dict[str, AccountState] = {}  # each account's state at the end of the batch
        self.undo_live: dict[int, LiveOrder | None] = {}
        self.works = 0
        self.waiters: list[asyncio.Future[None]] = []  # one per waiting request
        self.job: Future[TradeBatchIds] | None = None
        self.failed: BaseException | None = None
        self.submitted: list[tuple[str, int]] = []  # new orders sent to the exchange
        self.snapshots: list[_Due] = []  # due ones, written after the batch

    def batch(self) -> TradeBatch:
        return TradeBatch(
            self.order_nos,
            list(self.orders.values()),
            list(self.changes.values()),
            self.postings,
            self.fills,
        )


class GroupCommit:
    """The pending batch of a brokerage and its commits (see the module docstring)."""

    def __init__(self, broker: Brokerage, storage: Storage) -> None:
        self.b = broker
        self.storage = storage
        self._pending: _Pending | None = None
        self._inflight: _Pending | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._scheduled = False
        #: commit in a thread (the loop goes on meanwhile) or on the loop itself
        self.threaded = True
        self._next_ord_no: int | None = None  # None: read the stored sequence first
        self._unwritten = 0  # the first drawn order number no batch handed off covers yet
        #: commits made and works they held (diagnostics)
        self.commits = 0
        self.committed_works = 0
        #: entries after an account's last snapshot that make it due for one
        self.snapshot_every = SNAPSHOT_EVERY
        self._tails: dict[str, int] = {}  # account -> entries after its last snapshot
        self._snapshots: list[_Due] = []  # due, written after the next batch

    # ------------------------------------------------------------------ order numbers

    def peek_ord_no(self) -> int:
        if self._next_ord_no is None:
            with self.storage.unit_of_work() as uow:
                self._next_ord_no = self._unwritten = uow.sequences.current(_ORD_NO_SEQ) + 1
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
        """Whether anything staged is not committed yet."""
        return self._pending is not None or self._inflight is not None

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
            b._states[account] = p.after[account] = st
        for root, lo in work.live.items():
            if root not in p.undo_live:
                p.undo_live[root] = b._live.get(root)
            if lo is None:
                b._live.pop(root, None)
            else:
                b._live[root] = lo
        for row in work.orders:
            p.orders[row.ord_no] = row
        for c in work.changes:
            stored = p.orders.get(c.ord_no)
            if stored is None:
                p.changes[c.ord_no] = c
            else:  # an order of this batch: its row is written once, as it is now
                p.orders[c.ord_no] = OrderRecord(
                    stored.ord_no,
                    stored.account,
                    stored.code,
                    stored.side,
                    stored.trde_tp,
                    stored.price,
                    stored.qty,
                    stored.stop_price,
                    stored.orig_ord_no,
                    c.status,
                    c.filled_qty,
                    c.open_qty,
                    stored.created_at,
                    c.updated_at,
                    stored.exchange,
                )
        offset = len(p.fills)
        p.fills.extend(work.fills)
        p.postings.extend(work.postings)
        for account, kind, note, fill in work.notes:
            p.notes.append((account, kind, note, fill + offset if fill >= 0 else -1))
        self._schedule()

    def went_live(self, lo: LiveOrder) -> None:
        """``lo``, staged as a new order, was sent to the exchange: it works there from now
        on, and is taken off the book again if its batch does not commit."""
        p = self._pending
        if p is None:  # committed already (no event loop: every work commits at once)
            self.b._live[lo.root] = lo
            return
        if lo.root not in p.undo_live:
            p.undo_live[lo.root] = self.b._live.get(lo.root)
        self.b._live[lo.root] = lo
        p.submitted.append((lo.code, lo.root))

    def _schedule(self) -> None:
        if self._scheduled or self._inflight is not None:
            return  # a commit in flight schedules the next one when it ends
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: commit before the use case returns
            self.flush()
            return
        self._scheduled = True
        loop.call_soon(self._start, loop)

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hand the pending batch to the commit thread (the loop goes on meanwhile)."""
        self._scheduled = False
        p = self._pending
        if p is None or self._inflight is not None:
            return
        if not self.threaded:
            try:
                self.flush()
            except Exception:  # its waiters got the error; the market goes on
                log.exception("group commit failed")
            return
        self._pending = None
        self._hand_off(p)
        self._inflight = p
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="hoga-group-commit")
        p.job = self._executor.submit(self._write, p)
        p.job.add_done_callback(lambda _: loop.call_soon_threadsafe(self._finish, p, loop))

    def _hand_off(self, p: _Pending) -> None:
        """``p`` goes to the writer: it advances the stored order-number sequence over every
        number drawn since the last batch handed off (those of a failed batch too)."""
        if self._next_ord_no is not None:
            p.order_nos = range(self._unwritten, self._next_ord_no)
            self._unwritten = self._next_ord_no
        p.snapshots, self._snapshots = self._snapshots, []

    def _write(self, p: _Pending) -> TradeBatchIds:
        with self.storage.unit_of_work() as uow:
            ids = uow.trades.write(p.batch())
        if p.snapshots:
            self._save_snapshots(p.snapshots)
        return ids

    # ------------------------------------------------------------------ snapshots

    def replayed(self, state: AccountState, entries: list[JournalEntry]) -> None:
        """``state`` was rebuilt by replaying ``entries`` (after the account's snapshot): that
        many entries follow the snapshot; when that is :attr:`snapshot_every` or more, a new
        one is due (after the last of them)."""
        self._tails[state.account] = len(entries)
        if entries and len(entries) >= self.snapshot_every:
            last = entries[-1]
            self._due(state, last.entry_id)

    def _due(self, state: AccountState, entry_id: int) -> None:
        self._tails[state.account] = 0
        self._snapshots.append((state, entry_id, self.b.exchange.clock.now()))

    def _count(self, p: _Pending, first_entry_id: int) -> None:
        """``p`` committed with entry ids from ``first_entry_id``: count each account's new
        entries; an account past :attr:`snapshot_every` is due a snapshot of its state at the
        end of ``p`` (after its last entry in ``p``)."""
        tails, every = self._tails, self.snapshot_every
        due: dict[str, int] = {}
        for i, posting in enumerate(p.postings):
            n = tails[posting.account] = tails.get(posting.account, 0) + 1
            if n >= every:
                due[posting.account] = i
        for account, i in due.items():
            state = p.after.get(account)
            if state is not None:  # (lines posted without a ledger state: not due yet)
                self._due(state, first_entry_id + i)

    def _save_snapshots(self, due: list[_Due]) -> None:
        """Encode and write due snapshots (on the commit thread: states never change) in a
        unit of work of their own: a cache, so a failure is logged and dropped, never raised
        (the account is replayed further at its next load)."""
        try:
            snapshots = [snapshot_of(state, entry_id, at) for state, entry_id, at in due]
            with self.storage.unit_of_work() as uow:
                uow.journal.save_snapshots(snapshots)
        except Exception:
            log.exception("account snapshots not written (%d)", len(due))

    def _finish(self, p: _Pending, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """On the loop: the commit of ``p`` ended; start the next one (at once: the commit
        thread writes it while the loop tells ``p``'s waiters and answers them), then tell
        ``p``'s waiters. ``loop`` None: called by a synchronous flush, which commits what is
        pending itself."""
        if self._inflight is not p:
            return  # already finished by a synchronous flush
        self._inflight = None
        job, p.job = p.job, None  # p → job → its done-callback → p: a cycle the GC had to find
        assert job is not None
        exc = job.exception()
        if exc is None:
            try:
                if loop is not None and self._pending is not None and not self._scheduled:
                    self._start(loop)
            finally:  # p is committed: its waiters are answered whatever starting the next did
                self._committed(p, job.result())
        else:
            log.error("group commit failed: %s", exc)
            self._failed(p, exc)
        if self._pending is not None:
            self._schedule()

    async def durable(self) -> None:
        """Wait until everything staged so far is committed (StorageError if its commit
        failed: then none of it happened)."""
        p = self._pending or self._inflight
        if p is None:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        p.waiters.append(waiter)  # its own future: a cancelled request cancels only itself
        if p is self._pending:
            self._schedule()
        await waiter

    # ------------------------------------------------------------------ commit

    def flush(self) -> None:
        """Commit everything staged now, in this thread (waiting for a commit in flight
        first); on failure undo it in memory, fail its waiters and raise."""
        inflight = self._inflight
        if inflight is not None:
            assert inflight.job is not None
            wait([inflight.job])
            self._finish(inflight)
            if inflight.failed is not None:
                raise StorageError(f"group commit failed: {inflight.failed}")
        p = self._pending
        if p is None:
            if self._snapshots and not _loop_running():  # (with a loop: after the next batch)
                due, self._snapshots = self._snapshots, []
                self._save_snapshots(due)
            return
        self._pending = None
        self._hand_off(p)
        try:
            ids = self._write(p)
        except BaseException as exc:
            self._failed(p, exc)
            raise
        self._committed(p, ids)

    def _committed(self, p: _Pending, ids: TradeBatchIds) -> None:
        self.commits += 1
        self.committed_works += p.works
        if p.postings:
            self._count(p, ids.first_entry_id)
        notify = self.b.notify
        if notify is not None:
            first_exec = ids.first_exec_id
            for account, kind, note, fill in p.notes:
                if fill >= 0:  # an OrderNote of a fill: nobody has it yet, its exec id is set
                    object.__setattr__(note, "exec_id", first_exec + fill)
                try:
                    notify(account, kind, note)
                except Exception:  # a push must never undo or stop the brokerage
                    log.exception("account notification failed")
        for waiter in p.waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _failed(self, p: _Pending, exc: BaseException) -> None:
        """``p`` did not commit: neither did anything staged after it (it was built on it).
        Undo all of it in memory, newest first, and fail every waiter."""
        later = self._pending
        self._pending = None
        p.failed = exc
        if p.order_nos:  # the stored sequence did not move; the numbers stay drawn (they may
            self._unwritten = p.order_nos.start  # have reached the exchange): a gap in orders
        for batch in (later, p):
            if batch is None:
                continue
            self._undo(batch)
            err = exc if isinstance(exc, StorageError) else StorageError(str(exc))
            for waiter in batch.waiters:
                if not waiter.done():
                    waiter.set_exception(err)
        for batch in (p, later):
            for code, root in batch.submitted if batch is not None else ():
                try:  # what still rests of an order nobody was told about leaves the book
                    self.b.exchange.cancel(code, root)
                except Exception:  # pragma: no cover - the exchange refuses by value
                    log.exception("taking order %s off the book failed", root)

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
