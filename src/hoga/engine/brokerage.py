"""The brokerage: customers' orders into the simulated exchange, with the ledger behind them.

Use cases: :meth:`Brokerage.place` (kt10000/kt10001), :meth:`Brokerage.modify` (kt10002),
:meth:`Brokerage.cancel` (kt10003), :meth:`Brokerage.deposit`, the event listener
(:meth:`Brokerage.on_events`: fills, cancels, expiries, the day roll and T+2 settlement),
:meth:`Brokerage.recover` (at start) and the account queries the account APIs build on.
Expected refusals are :class:`~hoga.engine.brokerage_book.Refusal` values, never exceptions.

Durability ("acknowledged means durable"), with group commit
(:mod:`hoga.engine.brokerage_commit`):
- A use case stages its writes (order rows, journal entries, fills, order-row changes) and its
  in-memory changes; the writes of every request of one event-loop turn are committed together
  in one transaction, in a commit thread. Nothing is answered, and no realtime note is sent,
  before the commit that holds it: :meth:`Brokerage.place_async` (the API's kt10000/kt10001)
  awaits it, the synchronous use cases flush before they return, the account queries flush
  before they read.
- A new order is validated, its row and reservation staged, and it is sent to the exchange at
  once; what the exchange does with it (fills, or a rejection that marks the row ``rejected``
  and releases the reservation) is staged by the listener into the same batch, and the answer
  waits for that commit. A crash before it loses nothing acknowledged (recovery replays only
  committed journal entries and re-enters only committed open orders). A failed commit fails
  every request of the batch (StorageError: nothing acknowledged), restores the memory and
  takes the batch's new orders off the book again (a trade the exchange already printed stays
  on the public tape).
- Everything the exchange reports later — trades against a resting customer order, cancels,
  expiries at the session end, modifications — is staged by the listener the same way (one
  work per event batch) and committed by the next group commit.
- Order numbers are drawn in memory and each batch advances the stored sequence over them.

Order numbers (spec §4.7, §10.7): one sequence (the storage's ``ord_no``; gap-free unless a
group commit failed), below ``PARTICIPANT_ID_BASE``. The exchange knows a customer order by its
*first* order number (the "root"). A modification gets a new order number whose row references
the order it modified (``orig_ord_no``) and carries the open quantity from then on (the old row
becomes ``modified``); fills after it are recorded under the new number. A cancel gets a new
order number too: a row with status ``cancel`` and ``qty`` = the cancelled quantity. Replies
report ``base_orig_ord_no`` = the root. The modification's row is written when the exchange
reports ``OrderModified`` (inside the same call), so trades before it stay on the old number and
its old reservation.

Decisions:
- Orders use the token's first account (Kiwoom order bodies carry no account number). Another
  customer's order number answers exactly like an unknown one (RC4906).
- ``mdfy_qty`` is the new open quantity (``0`` = all that is open); it may not exceed the open
  quantity. hoga does not split an order: modifying part of it modifies that part and cancels
  the rest (documented gap against Kiwoom's partial modify).
- Mock environment: KRX only; ``NXT``/``SOR`` answer RC9000 (해당업무가 제공되지 않습니다).
  Real environment: ``SOR`` is routed to KRX (the only simulated venue) and echoed; ``NXT``
  answers RC9000.
- Buy reservations: see :mod:`hoga.engine.brokerage_checks`.
- Settlement is T+2 on the exchange calendar (every day in ``always`` mode) and runs at the
  market-wide ``day_start`` event and at start-up for dates that fell due while down.
- Fill rows carry an estimate of that fill's commission and tax alone; what is charged is posted
  at settlement over all fills settling together (the ledger's rule).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from types import TracebackType

from hoga.domain.board_orders import check_price
from hoga.domain.events import (
    CancelReason,
    Event,
    OrderCancelled,
    OrderModified,
    OrderRejected,
    PhaseChanged,
    RejectReason,
    Trade,
)
from hoga.domain.kst import kst_date, kst_seconds
from hoga.domain.ledger import AccountState, Ledger, LedgerReject, LedgerResult
from hoga.domain.model import TRDE_TP, NewOrder, OrderKind, Side
from hoga.engine.brokerage_book import (
    BalanceNote,
    LiveOrder,
    Notify,
    Placed,
    Refusal,
    Status,
    journal_lines,
    progressed,
    ref_deposit,
    ref_fill,
    ref_release,
    ref_reserve,
    ref_settle,
    replay,
)
from hoga.engine.brokerage_checks import AT_PRICE, LEDGER_REFUSAL, MAX_ORDER_QTY, check_new_order
from hoga.engine.brokerage_commit import GroupCommit, Work
from hoga.engine.brokerage_queries import AccountQueries
from hoga.engine.brokerage_snapshot import read_journal
from hoga.engine.calendar import AlwaysCalendar, TradingCalendar
from hoga.engine.exchange import PARTICIPANT_ID_BASE, Exchange, MarketMode, SeqEvent
from hoga.errors import StorageError
from hoga.ports.storage import FillRecord, JournalEntry, OrderRecord, Storage

__all__ = ["MAX_ORDER_QTY", "Brokerage"]

log = logging.getLogger(__name__)

_DAY_PHASES = ("day_start", "reset")


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A new order whose row and reservation are staged: what :meth:`Brokerage._submit`
    sends once they are committed."""

    live: LiveOrder
    order: NewOrder
    exchange: str


class _WorkScope:
    """The context manager of :meth:`Brokerage._work` (a class: cheaper than a generator)."""

    __slots__ = ("group", "work")

    def __init__(self, group: GroupCommit, work: Work) -> None:
        self.group = group
        self.work = work

    def __enter__(self) -> Work:
        return self.work

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.group.stage(self.work)
        else:
            self.group.forget(self.work)


class Brokerage(AccountQueries):
    """Orders, fills and the ledger of every customer account (see the module docstring)."""

    def __init__(
        self,
        storage: Storage,
        exchange: Exchange,
        ledger: Ledger | None = None,
        notify: Notify | None = None,
    ) -> None:
        self.storage = storage
        self.exchange = exchange
        self.ledger = ledger or Ledger()
        #: realtime hook (``00``/``04`` notes, see :data:`~hoga.engine.brokerage_book.Notify`)
        self.notify = notify
        self._states: dict[str, AccountState] = {}
        self._live: dict[int, LiveOrder] = {}  # root -> live order
        self._modify: dict[int, tuple[int, list[Placed]]] = {}  # root -> (orig ord_no, out)
        self._cancel: dict[int, tuple[int, list[Placed]]] = {}
        self._settled_through: date | None = None
        self._owners: dict[str, str] = {}  # account -> customer id (never changes)
        self._group = GroupCommit(self, storage)

    # ------------------------------------------------------------------ helpers

    @property
    def calendar(self) -> TradingCalendar:
        """Settlement calendar: every day in ``always`` mode, the exchange's otherwise."""
        if self.exchange.mode is MarketMode.ALWAYS:
            return AlwaysCalendar()
        return self.exchange.calendar

    def settlement_date(self, trade_date: date) -> date:
        return self.calendar.settlement_date(trade_date, 2)

    def _work(self, at: int | None = None) -> _WorkScope:
        """A use case's :class:`~hoga.engine.brokerage_commit.Work` (``with``): staged for the
        next group commit when the block ends normally (committed before it returns when no
        event loop runs), discarded by an exception."""
        return _WorkScope(self._group, Work(self, self.exchange.clock.now() if at is None else at))

    def flush(self) -> None:
        """Commit everything staged now (StorageError if that fails; see
        :mod:`hoga.engine.brokerage_commit`)."""
        self._group.flush()

    async def durable(self) -> None:
        """Wait for the commit of everything staged so far (StorageError if it failed)."""
        await self._group.durable()

    def _settle_pending(self) -> None:
        self._group.flush()

    def _load(self, account: str) -> AccountState:
        state = self._states.get(account)
        if state is None:
            with self.storage.unit_of_work() as uow:
                entries, start = read_journal(uow.journal, account)
            state = self._states[account] = self._rebuild(account, entries, start)
        return state

    def _rebuild(
        self, account: str, entries: list[JournalEntry], start: AccountState | None = None
    ) -> AccountState:
        """Replay ``entries`` (after ``start``, a snapshot's state); due a snapshot when long."""
        state, problems = replay(self.ledger, account, entries, start)
        for problem in problems:
            log.error("ledger replay of %s: %s", account, problem)
        self._group.replayed(state, entries)
        return state

    def state(self, account: str) -> AccountState:
        """The ledger state of ``account`` (loaded from the journal on first use), after
        committing what is staged: it never shows a change that is not durable yet."""
        self._group.flush()
        return self._states.get(account) or self._load(account)

    def _owned(self, account: str, owner: str | None) -> bool:
        customer = self._owners.get(account)
        if customer is None:
            with self.storage.unit_of_work() as uow:
                rec = uow.accounts.get(account)
            if rec is None:
                return False
            customer = self._owners[account] = rec.customer_id
        return owner is None or customer == owner

    @staticmethod
    def _venue(exchange: str, env: str) -> str | Refusal:
        venue = exchange.strip().upper()
        if venue == "KRX" or (venue == "SOR" and env != "mock"):
            return venue
        if venue in ("NXT", "SOR"):
            return Refusal("not_supported", "dmst_stex_tp", f"{venue} is not available")
        return Refusal("invalid_input", "dmst_stex_tp", "KRX, NXT 또는 SOR이어야 합니다")

    # ------------------------------------------------------------------ cash

    def deposit(self, account: str, amount: int, note: str = "") -> AccountState:
        """Put ``amount`` won into ``account`` (journal ``deposit:<note>``); ValueError if not
        positive."""
        with self._work() as work:
            result = self.ledger.deposit(work.state(account), amount)
            if not result.ok:
                raise ValueError(f"cannot deposit {amount}: {result.rejected}")
            work.post(account, ref_deposit(note), result)
        self.flush()
        return self._states[account]

    # ------------------------------------------------------------------ new orders

    def place(
        self,
        account: str,
        *,
        code: str,
        side: Side,
        trde_tp: str,
        qty: int,
        price: int = 0,
        stop_price: int = 0,
        exchange: str = "KRX",
        env: str = "mock",
        owner: str | None = None,
    ) -> Placed | Refusal:
        """Validate, reserve, store (committed), submit; the acknowledgement or why not.

        ``price``/``stop_price`` are 0 when absent. ``owner`` (a customer id), when given, must
        own ``account``. Commits synchronously; :meth:`place_async` shares commits with the
        other requests of the same event-loop turn.
        """
        prep = self._prepare(
            account, code, side, trde_tp, qty, price, stop_price, exchange, env, owner
        )
        if isinstance(prep, Refusal):
            return prep
        out = self._submit(prep)
        self.flush()
        return out

    async def place_async(
        self,
        account: str,
        *,
        code: str,
        side: Side,
        trde_tp: str,
        qty: int,
        price: int = 0,
        stop_price: int = 0,
        exchange: str = "KRX",
        env: str = "mock",
        owner: str | None = None,
    ) -> Placed | Refusal:
        """:meth:`place` with group commit: the order's row, its reservation and what the
        exchange did with it (fills, or the rejection) are committed with the other requests
        of the same loop turn, and the answer waits for that commit. StorageError if the
        commit failed: nothing of the batch is acknowledged, its orders are taken off the
        book and memory is as before it (see :mod:`hoga.engine.brokerage_commit`)."""
        prep = self._prepare(
            account, code, side, trde_tp, qty, price, stop_price, exchange, env, owner
        )
        if isinstance(prep, Refusal):
            return prep
        out = self._submit(prep)
        await self._group.durable()
        return out

    def _prepare(
        self,
        account: str,
        code: str,
        side: Side,
        trde_tp: str,
        qty: int,
        price: int,
        stop_price: int,
        exchange: str,
        env: str,
        owner: str | None,
    ) -> _Prepared | Refusal:
        """Validate and reserve; the order's row and reservation are staged, not yet sent."""
        venue = self._venue(exchange, env)
        if isinstance(venue, Refusal):
            return venue
        now = self.exchange.sync()
        checked = check_new_order(self.exchange, code, side, trde_tp, qty, price, stop_price)
        if isinstance(checked, Refusal):
            return checked
        otype, price, stop_price = checked.otype, checked.price, checked.stop_price
        hold_price, inst = checked.hold_price, checked.state.instrument
        if not self._owned(account, owner):
            return Refusal("no_account")
        with self._work(now) as work:
            state = work.state(account)
            ord_no = work.next_ord_no()
            if ord_no >= PARTICIPANT_ID_BASE:  # pragma: no cover - a billion orders
                raise StorageError("order numbers exhausted")
            result = self.ledger.reserve(
                state,
                order_id=ord_no,
                price=hold_price,
                side=side,
                code=code,
                market=inst.market,
                qty=qty,
            )
            if result.rejected is not None:
                return Refusal(LEDGER_REFUSAL.get(result.rejected, result.rejected.value))
            drawn = work.new_ord_no()
            assert drawn == ord_no
            row = OrderRecord(
                ord_no,
                account,
                code,
                side,
                otype.trde_tp,
                price,
                qty,
                stop_price,
                None,
                Status.ACCEPTED,
                0,
                qty,
                now,
                now,
                venue,
            )
            work.add_order(row)
            work.post(
                account, ref_reserve(ord_no, side, code, inst.market, qty, hold_price), result
            )
            new = LiveOrder(
                ord_no,
                ord_no,
                account,
                code,
                inst.market,
                side,
                otype.trde_tp,
                price,
                stop_price,
                qty,
                0,
                qty,
                now,
            )
            work.tell(new, "접수")
        order = NewOrder(ord_no, code, side, otype, qty, price=price, stop_price=stop_price)
        return _Prepared(new, order, exchange.strip().upper())

    def _submit(self, prep: _Prepared) -> Placed | Refusal:
        """Send a staged new order to the exchange (its events are staged by the listener);
        the acknowledgement or the exchange's rejection (staged too), to be answered once
        the batch holding all of it is committed."""
        lo = prep.live
        self._group.went_live(lo)
        events = self.exchange.submit(prep.order)
        rejected = _rejection(events, lo.root)
        if rejected is not None:
            self._undo_new(lo.root, rejected)
            return Refusal(
                rejected.reason.value,
                detail=rejected.detail or None,
                before_open=self._before_open(rejected),
            )
        return Placed(lo.ord_no, lo.side, lo.qty, prep.exchange)

    def _before_open(self, ev: OrderRejected) -> bool:
        if ev.reason.value != "session_closed" or self.exchange.mode is MarketMode.ALWAYS:
            return False
        day = kst_date(ev.at)
        return self.exchange.calendar.is_trading_day(day) and kst_seconds(ev.at) < 9 * 3600

    def _undo_new(self, root: int, ev: OrderRejected) -> None:
        with self._work(ev.at) as work:
            lo = work.order(root)
            if lo is None:  # pragma: no cover - a rejection of an order already gone
                return
            open_qty = lo.open
            lo = self._release(work, lo, open_qty, Status.REJECTED)
            work.tell(lo, "거부", reason=ev.reason.value)

    def _release(self, work: Work, lo: LiveOrder, qty: int, status: Status | None) -> LiveOrder:
        """Take ``qty`` open shares off ``lo``: release them, update its row."""
        result = self.ledger.release(work.state(lo.account), lo.root, qty)
        if result.ok:
            work.post(lo.account, ref_release(lo.root, qty), result)
        else:  # pragma: no cover - the ledger and the book disagree: keep going, loudly
            log.error("release of order %s failed: %s", lo.root, result.rejected)
        lo = progressed(lo, lo.filled, lo.open - qty)
        if status is None:
            status = Status.ACCEPTED if lo.open else Status.CANCELLED
        work.change(lo.ord_no, status=status, filled_qty=lo.filled, open_qty=lo.open)
        work.live[lo.root] = lo if lo.open else None
        return lo

    # ------------------------------------------------------------------ modify / cancel

    def _target(
        self, account: str, orig_ord_no: int, code: str, owner: str | None
    ) -> LiveOrder | Refusal:
        self.flush()
        with self.storage.unit_of_work() as uow:
            row = uow.orders.get(orig_ord_no)
        if row is None or row.account != account or not self._owned(account, owner):
            return Refusal("order_not_found", "orig_ord_no")
        if row.code != code:
            return Refusal("order_not_found", "stk_cd", "원주문의 종목코드와 다릅니다")
        live = next((lo for lo in self._live.values() if lo.ord_no == orig_ord_no), None)
        if live is None or live.open == 0:
            return Refusal("nothing_to_change", "orig_ord_no")
        return live

    def modify(
        self,
        account: str,
        *,
        orig_ord_no: int,
        code: str,
        qty: int,
        price: int | None,
        exchange: str = "KRX",
        env: str = "mock",
        owner: str | None = None,
    ) -> Placed | Refusal:
        """Change the price and/or open quantity of a working order (``qty`` 0 = all that is
        open; ``price`` None or equal = keep it). The new order number is in the result."""
        venue = self._venue(exchange, env)
        if isinstance(venue, Refusal):
            return venue
        self.exchange.sync()
        lo = self._target(account, orig_ord_no, code, owner)
        if isinstance(lo, Refusal):
            return lo
        qty = qty or lo.open
        if not 0 < qty <= lo.open:
            return Refusal(
                "invalid_quantity", "mdfy_qty", f"정정가능수량({lo.open}) 이내여야 합니다"
            )
        otype = TRDE_TP[lo.trde_tp]
        if price is not None and price != lo.price:
            if otype.kind in (OrderKind.MARKET, OrderKind.BEST, OrderKind.PRIORITY):
                return Refusal(
                    "modify_not_allowed", "mdfy_uv", "시장가 주문은 가격을 정정할 수 없습니다"
                )
            st = self.exchange.states[lo.code]
            why = check_price(
                price,
                limits=st.board.limits,
                on_grid=lambda p: self.exchange.ticks.is_on_grid(p, lo.market, st.board.day),
            )
            if why is not None:
                return Refusal(why[0].value, "mdfy_uv", why[1])
        else:
            price = None
        if price is None and qty == lo.open:
            return Refusal("nothing_to_change", "mdfy_qty")
        probe, _ = self._rereserve(self.state(account), lo, qty, price)
        if probe.rejected is not None:
            return Refusal(LEDGER_REFUSAL.get(probe.rejected, probe.rejected.value))
        out: list[Placed] = []
        self._modify[lo.root] = (orig_ord_no, out)
        try:
            events = self.exchange.modify(
                lo.code, lo.root, price=price, qty=None if qty == lo.open else qty
            )
        finally:
            del self._modify[lo.root]
        self.flush()
        rejected = _rejection(events, lo.root)
        if rejected is not None or not out:
            ev = rejected or OrderRejected(lo.root, lo.code, RejectReason.NOTHING_TO_CHANGE, 0)
            return Refusal(ev.reason.value, detail=ev.detail or None)
        return replace(out[0], exchange=exchange.strip().upper())

    def _rereserve(
        self, state: AccountState, lo: LiveOrder, qty: int, price: int | None
    ) -> tuple[LedgerResult, list[str]]:
        """Release what ``lo`` holds and hold again for ``qty`` at ``price``: one result and
        the journal ref of each of its entries."""
        res = state.reservations.get(lo.root)
        if res is None:
            return LedgerResult(state, rejected=LedgerReject.ORDER_NOT_FOUND), []
        released = self.ledger.release(state, lo.root)
        hold = res.price
        if price is not None and (lo.side is Side.SELL or TRDE_TP[lo.trde_tp].kind in AT_PRICE):
            hold = price
        again = self.ledger.reserve(
            released.state,
            order_id=lo.root,
            side=lo.side,
            code=lo.code,
            market=lo.market,
            qty=qty,
            price=hold,
        )
        if not again.ok:
            return again, []
        refs = [
            ref_release(lo.root, res.qty),
            ref_reserve(lo.root, lo.side, lo.code, lo.market, qty, hold),
        ]
        return LedgerResult(again.state, released.entries + again.entries), refs

    def cancel(
        self,
        account: str,
        *,
        orig_ord_no: int,
        code: str,
        qty: int,
        exchange: str = "KRX",
        env: str = "mock",
        owner: str | None = None,
    ) -> Placed | Refusal:
        """Cancel ``qty`` of a working order's open quantity (0 = all of it)."""
        venue = self._venue(exchange, env)
        if isinstance(venue, Refusal):
            return venue
        self.exchange.sync()
        lo = self._target(account, orig_ord_no, code, owner)
        if isinstance(lo, Refusal):
            return lo
        if qty < 0 or qty > lo.open:
            return Refusal(
                "invalid_quantity", "cncl_qty", f"취소가능수량({lo.open}) 이내여야 합니다"
            )
        out: list[Placed] = []
        self._cancel[lo.root] = (orig_ord_no, out)
        try:
            events = self.exchange.cancel(lo.code, lo.root, qty or None)
        finally:
            del self._cancel[lo.root]
        self.flush()
        rejected = _rejection(events, lo.root)
        if rejected is not None or not out:
            ev = rejected or OrderRejected(lo.root, lo.code, RejectReason.NOTHING_TO_CHANGE, 0)
            return Refusal(ev.reason.value, detail=ev.detail or None)
        return replace(out[0], exchange=exchange.strip().upper())

    # ------------------------------------------------------------------ exchange events

    def on_events(self, batch: list[SeqEvent]) -> None:
        """Exchange listener: apply customer fills, cancels, modifications and the day roll."""
        live = self._live
        todo: list[Event] = []
        for _, ev in batch:
            if isinstance(ev, Trade):
                if ev.buy_order_id in live or ev.sell_order_id in live:
                    todo.append(ev)
            elif isinstance(ev, (OrderCancelled, OrderModified)):
                if ev.order_id in live:
                    todo.append(ev)
            elif (
                isinstance(ev, PhaseChanged) and not ev.code and ev.phase in ("day_start", "reset")
            ):
                todo.append(ev)
        if todo:
            try:
                self._apply(todo)
            except Exception:  # a storage failure must not stop the market; it is logged
                log.exception("applying %d customer events failed", len(todo))

    def _apply(self, events: list[Event]) -> None:
        with self._work(events[0].at if events else None) as work:
            for ev in events:
                work.at = ev.at
                if isinstance(ev, Trade):
                    for oid in (ev.buy_order_id, ev.sell_order_id):
                        lo = work.order(oid)
                        if lo is not None:
                            self._fill(work, lo, ev)
                elif isinstance(ev, OrderCancelled):
                    self._cancelled(work, ev)
                elif isinstance(ev, OrderModified):
                    self._modified(work, ev)
                elif ev.phase == "reset":  # type: ignore[union-attr]
                    for root in list(self._live):
                        lo = work.order(root)
                        if lo is not None:
                            work.tell(self._release(work, lo, lo.open, Status.EXPIRED), "취소")
                else:
                    self._settle_all(work, kst_date(ev.at))

    def _fill(self, work: Work, lo: LiveOrder, ev: Trade) -> None:
        trade_date = kst_date(ev.at)
        settles = self.settlement_date(trade_date)
        before = work.state(lo.account)
        result = self.ledger.fill(
            before,
            order_id=lo.root,
            qty=ev.qty,
            price=ev.price,
            trade_date=trade_date,
            settles=settles,
        )
        if result.ok:
            work.post(lo.account, ref_fill(lo.root, ev.qty, ev.price, trade_date, settles), result)
            fee, sec, rural = self.ledger.costs((result.state.pending[-1],), settles)
        else:  # pragma: no cover - the ledger and the book disagree: record the fill, loudly
            log.error("ledger refused fill of order %s: %s", lo.root, result.rejected)
            fee = sec = rural = 0
        fill_no = work.add_fill(
            FillRecord(
                0,
                lo.ord_no,
                lo.account,
                lo.code,
                lo.side,
                ev.price,
                ev.qty,
                ev.at,
                fee,
                sec + rural,
            )
        )
        lo = progressed(lo, lo.filled + ev.qty, lo.open - ev.qty)
        status = Status.ACCEPTED if lo.open else Status.FILLED
        work.change(lo.ord_no, status=status, filled_qty=lo.filled, open_qty=lo.open)
        work.live[lo.root] = lo if lo.open else None
        if self.notify is not None:
            work.tell_fill(lo, fill_no, ev.price, ev.qty, fee, sec + rural)
            self._tell_balance(work, lo, ev, before, result.state)

    def _tell_balance(
        self, work: Work, lo: LiveOrder, ev: Trade, before: AccountState, after: AccountState
    ) -> None:
        led = self.ledger
        held = led.holding(after, lo.code)
        was = before.positions.get(lo.code)  # led.holding(before, …).realized_pnl, cheaper
        realized = (held.realized_pnl if held else 0) - (was.realized_pnl if was else 0)
        note = BalanceNote(
            lo.account,
            lo.code,
            lo.side,
            ev.qty,
            ev.price,
            ev.at,
            held,
            realized,
            led.orderable_cash(after),
            led.settled_cash(after),
        )
        work.tell_balance(note)

    def _cancelled(self, work: Work, ev: OrderCancelled) -> None:
        lo = work.order(ev.order_id)
        if lo is None or ev.qty <= 0:
            return
        qty = min(ev.qty, lo.open)
        pending = self._cancel.get(lo.root)
        if ev.reason is CancelReason.REQUESTED and pending is not None and not pending[1]:
            orig, out = pending
            ord_no = work.new_ord_no()
            work.add_order(
                OrderRecord(
                    ord_no,
                    lo.account,
                    lo.code,
                    lo.side,
                    lo.trde_tp,
                    lo.price,
                    qty,
                    lo.stop_price,
                    orig,
                    Status.CANCEL,
                    0,
                    0,
                    ev.at,
                    ev.at,
                )
            )
            out.append(Placed(ord_no, lo.side, qty, "KRX", lo.root))
            work.tell_cancel(lo, ord_no, orig, qty)
        requested = ev.reason is CancelReason.REQUESTED
        status = None if lo.open > qty else Status.CANCELLED if requested else Status.EXPIRED
        after = self._release(work, lo, qty, status)
        if not requested:
            work.tell(after, "취소")

    def _modified(self, work: Work, ev: OrderModified) -> None:
        lo = work.order(ev.order_id)
        pending = self._modify.get(ev.order_id)
        if lo is None or pending is None or pending[1]:  # pragma: no cover - not ours
            return
        orig, out = pending
        state = work.state(lo.account)
        result, refs = self._rereserve(state, lo, ev.open_qty, ev.price)
        if result.ok:
            work.post(lo.account, refs, result)
        else:  # pragma: no cover - checked just before the exchange call
            log.error("re-reservation of order %s failed: %s", lo.root, result.rejected)
        work.change(lo.ord_no, status=Status.MODIFIED, filled_qty=lo.filled, open_qty=0)
        ord_no = work.new_ord_no()
        work.add_order(
            OrderRecord(
                ord_no,
                lo.account,
                lo.code,
                lo.side,
                lo.trde_tp,
                ev.price,
                ev.open_qty,
                lo.stop_price,
                orig,
                Status.ACCEPTED,
                0,
                ev.open_qty,
                ev.at,
                ev.at,
            )
        )
        new = replace(
            lo,
            ord_no=ord_no,
            price=ev.price,
            qty=ev.open_qty,
            filled=0,
            open=ev.open_qty,
            created_at=ev.at,
        )
        work.live[lo.root] = new
        work.tell(new, "접수", "modify", orig)
        work.tell(new, "확인", "modify", orig)
        out.append(Placed(ord_no, lo.side, ev.open_qty, "KRX", lo.root))

    def _settle_all(self, work: Work, on: date) -> None:
        for account in sorted(self._states):
            state = work.state(account)
            if not any(f.settles <= on for f in state.pending):
                continue
            result = self.ledger.settle(state, on)
            for entry in result.entries:
                assert entry.settles is not None
                work.post_lines(account, ref_settle(entry.settles), journal_lines(entry))
            work.states[account] = result.state

    # ------------------------------------------------------------------ recovery

    def recover(self) -> int:
        """At start: rebuild every account's ledger state, settle what fell due, re-enter the
        open customer orders into the books (same ids, original time order) and expire the
        ones from earlier days or that the book no longer takes. Returns how many re-entered."""
        from hoga.engine.brokerage_recovery import recover

        return recover(self)


def _rejection(events: list[Event], order_id: int) -> OrderRejected | None:
    for ev in events:
        if isinstance(ev, OrderRejected) and ev.order_id == order_id:
            return ev
    return None
