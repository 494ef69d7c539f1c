"""Values of the brokerage and the bridge between the pure ledger and the stored journal.

The ledger (:mod:`hoga.domain.ledger`) is pure; the brokerage keeps one
:class:`~hoga.domain.ledger.AccountState` per account in memory and persists every entry the
ledger produces as a storage journal entry. A posting's ledger account becomes the journal
``book`` by its string form (``cash``, ``cash_payable:2026-11-30``); the entry's ``ref`` names
the ledger operation and its arguments, so an account's state (reservations, positions, pending
fills — not just balances) is rebuilt by replaying the operations (:func:`replay`):

====================================================  =========================================
ref                                                   operation replayed
====================================================  =========================================
``deposit:<note>``                                    ``Ledger.deposit`` (amount = the cash line)
``withdraw:<note>``                                   ``Ledger.withdraw``
``reserve:<oid>:<side>:<code>:<market>:<qty>:<px>``   ``Ledger.reserve``
``release:<oid>:<qty>``                               ``Ledger.release``
``fill:<oid>:<qty>:<px>:<trade date>:<settles>``      ``Ledger.fill``
``settle:<date>``                                     ``Ledger.settle``
====================================================  =========================================

``<oid>`` is the exchange order id (the first order number of a modify chain). Entries with any
other ref are applied to the balances line by line. Every replayed entry is compared with the
stored lines; a difference is reported (it would mean the fee schedule or the ledger changed
under stored data).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from hoga.domain.ledger import (
    KRW,
    AccountKind,
    AccountState,
    Holding,
    Ledger,
    LedgerAccount,
    LedgerResult,
)
from hoga.domain.ledger import JournalEntry as LedgerEntry
from hoga.domain.model import FrozenValue, Market, Side, interpreted_constructors
from hoga.ports.storage import JournalEntry, JournalLine

__all__ = [
    "BalanceNote",
    "CashSummary",
    "LiveOrder",
    "Notify",
    "OrderNote",
    "Placed",
    "Refusal",
    "Status",
    "book_account",
    "journal_lines",
    "progressed",
    "ref_deposit",
    "ref_fill",
    "ref_release",
    "ref_reserve",
    "ref_settle",
    "replay",
]


class Status(enum.StrEnum):
    """``OrderRecord.status`` values the brokerage writes.

    A new order or a modification is ``accepted`` while it works (``filled_qty`` tells a partial
    fill), then ``filled``, ``cancelled`` (cancelled by its owner), ``expired`` (session end,
    IOC/FOK remainder, halt, reset) or ``rejected`` (the exchange refused it). A modified order
    becomes ``modified``: its open quantity moved to the modification's new order number. A
    cancel request is stored as its own row with status ``cancel`` (취소확인) and ``qty`` = the
    quantity cancelled.
    """

    ACCEPTED = "accepted"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REJECTED = "rejected"
    MODIFIED = "modified"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request was refused; nothing was stored or sent, or what was stored is undone.

    ``reason`` is a :class:`~hoga.domain.events.RejectReason` value or one of the brokerage's
    own: ``insufficient_cash``, ``insufficient_shares``, ``not_supported`` (e.g. NXT on the
    mock), ``no_account``. ``param`` names the request field at fault, ``detail`` explains.
    """

    reason: str
    param: str | None = None
    detail: str | None = None
    before_open: bool = False


@dataclass(frozen=True, slots=True, init=False)
class Placed(FrozenValue):
    """An acknowledged order, modification or cancel (durable when returned).

    ``base_orig_ord_no`` is the first order number of the chain (0 for a new order); ``qty`` is
    the order quantity, the modified open quantity or the cancelled quantity.
    """

    ord_no: int
    side: Side
    qty: int
    exchange: str
    base_orig_ord_no: int = 0

    def __init__(
        self, ord_no: int, side: Side, qty: int, exchange: str, base_orig_ord_no: int = 0
    ) -> None:
        self.ord_no = ord_no  # type: ignore[misc]
        self.side = side  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.exchange = exchange  # type: ignore[misc]
        self.base_orig_ord_no = base_orig_ord_no  # type: ignore[misc]


interpreted_constructors(Placed)


@dataclass(frozen=True, slots=True, init=False)
class LiveOrder(FrozenValue):
    """A customer order working on the exchange: ``root`` is its exchange order id, ``ord_no``
    the order number that currently carries it (changes with each modification)."""

    root: int
    ord_no: int
    account: str
    code: str
    market: Market
    side: Side
    trde_tp: str
    price: int
    stop_price: int
    qty: int  # of the row ord_no
    filled: int  # of the row ord_no
    open: int
    created_at: int

    def __init__(
        self,
        root: int,
        ord_no: int,
        account: str,
        code: str,
        market: Market,
        side: Side,
        trde_tp: str,
        price: int,
        stop_price: int,
        qty: int,
        filled: int,
        open: int,
        created_at: int,
    ) -> None:
        self.root = root  # type: ignore[misc]
        self.ord_no = ord_no  # type: ignore[misc]
        self.account = account  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.market = market  # type: ignore[misc]
        self.side = side  # type: ignore[misc]
        self.trde_tp = trde_tp  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.stop_price = stop_price  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.filled = filled  # type: ignore[misc]
        self.open = open  # type: ignore[misc]
        self.created_at = created_at  # type: ignore[misc]


interpreted_constructors(LiveOrder)


def progressed(lo: LiveOrder, filled: int, open_qty: int) -> LiveOrder:
    """``lo`` with new filled and open quantities (``dataclasses.replace`` without its cost:
    this runs for every fill)."""
    return LiveOrder(
        lo.root,
        lo.ord_no,
        lo.account,
        lo.code,
        lo.market,
        lo.side,
        lo.trde_tp,
        lo.price,
        lo.stop_price,
        lo.qty,
        filled,
        open_qty,
        lo.created_at,
    )


@dataclass(frozen=True, slots=True)
class CashSummary:
    """Cash figures of one account (won).

    ``entr`` 예수금 (settled, reservations included); ``d1``/``d2`` the projected settled cash
    after the next one and two trading days (``d1_entra``/``d2_entra``); ``orderable``
    주문가능금액; ``withdrawable`` 출금가능금액; ``reserved`` held by open buy orders;
    ``accrued_costs`` commission and taxes of unsettled fills.
    """

    entr: int
    d1: int
    d2: int
    orderable: int
    withdrawable: int
    reserved: int
    accrued_costs: int


@dataclass(frozen=True, slots=True, init=False)
class OrderNote(FrozenValue):
    """What happened to a customer order, for realtime ``00`` (sent after the change commits).

    ``status``: ``접수`` (a new order, a modification or a cancel request was accepted; ``action``
    says which), ``확인`` (a modification or cancel took effect), ``체결`` (one fill: ``exec_*``,
    ``fee``/``tax`` estimate of that fill), ``취소`` (the exchange took the open quantity off
    without a request: IOC/FOK remainder, session end, reset), ``거부`` (the exchange refused
    the order; ``reason``). ``qty``/``price``/``open``/``filled`` are of row ``ord_no`` after it.
    """

    status: str
    action: str  # new | modify | cancel
    account: str
    ord_no: int
    orig_ord_no: int
    code: str
    side: Side
    trde_tp: str
    qty: int
    price: int
    open: int
    filled: int
    at: int
    exec_id: int = 0
    exec_price: int = 0
    exec_qty: int = 0
    fee: int = 0
    tax: int = 0
    reason: str = ""

    def __init__(
        self,
        status: str,
        action: str,
        account: str,
        ord_no: int,
        orig_ord_no: int,
        code: str,
        side: Side,
        trde_tp: str,
        qty: int,
        price: int,
        open: int,
        filled: int,
        at: int,
        exec_id: int = 0,
        exec_price: int = 0,
        exec_qty: int = 0,
        fee: int = 0,
        tax: int = 0,
        reason: str = "",
    ) -> None:
        self.status = status  # type: ignore[misc]
        self.action = action  # type: ignore[misc]
        self.account = account  # type: ignore[misc]
        self.ord_no = ord_no  # type: ignore[misc]
        self.orig_ord_no = orig_ord_no  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.side = side  # type: ignore[misc]
        self.trde_tp = trde_tp  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.open = open  # type: ignore[misc]
        self.filled = filled  # type: ignore[misc]
        self.at = at  # type: ignore[misc]
        self.exec_id = exec_id  # type: ignore[misc]
        self.exec_price = exec_price  # type: ignore[misc]
        self.exec_qty = exec_qty  # type: ignore[misc]
        self.fee = fee  # type: ignore[misc]
        self.tax = tax  # type: ignore[misc]
        self.reason = reason  # type: ignore[misc]


interpreted_constructors(OrderNote)


@dataclass(frozen=True, slots=True, init=False)
class BalanceNote(FrozenValue):
    """An account's position in ``code`` and its cash right after one fill (realtime ``04``).

    ``holding`` is None when the account never held ``code``; ``realized`` is the P&L this fill
    realized (sells), ``orderable_cash``/``entr`` the account's 주문가능금액 and 예수금 after it.
    """

    account: str
    code: str
    side: Side
    qty: int
    price: int
    at: int
    holding: Holding | None
    realized: int
    orderable_cash: int
    entr: int

    def __init__(
        self,
        account: str,
        code: str,
        side: Side,
        qty: int,
        price: int,
        at: int,
        holding: Holding | None,
        realized: int,
        orderable_cash: int,
        entr: int,
    ) -> None:
        self.account = account  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.side = side  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.at = at  # type: ignore[misc]
        self.holding = holding  # type: ignore[misc]
        self.realized = realized  # type: ignore[misc]
        self.orderable_cash = orderable_cash  # type: ignore[misc]
        self.entr = entr  # type: ignore[misc]


interpreted_constructors(BalanceNote)


#: ``notify(account, kind, note)`` — ``kind`` is ``"order"`` (an :class:`OrderNote`) or
#: ``"balance"`` (a :class:`BalanceNote`); called in the order things happened, after commit.
Notify = Callable[[str, str, OrderNote | BalanceNote], None]


# --- journal <-> ledger -------------------------------------------------------------------


#: ``str(LedgerAccount)`` of the accounts seen so far (a few kinds × a few settlement dates
#: per day; cleared when it grows past 10,000).
_BOOKS: dict[LedgerAccount, str] = {}


def _book(account: LedgerAccount) -> str:
    book = _BOOKS.get(account)
    if book is None:
        if len(_BOOKS) >= 10_000:
            _BOOKS.clear()
        book = _BOOKS[account] = str(account)
    return book


def journal_lines(entry: LedgerEntry) -> list[JournalLine]:
    """The storage lines of a ledger entry (book = the ledger account's string form)."""
    return [JournalLine(p.asset, _book(p.account), p.amount) for p in entry.postings]


def book_account(book: str) -> LedgerAccount:
    """The ledger account a journal ``book`` names (inverse of ``str(LedgerAccount)``)."""
    kind, _, day = book.partition(":")
    return LedgerAccount(AccountKind(kind), date.fromisoformat(day) if day else None)


def ref_deposit(note: str = "") -> str:
    return f"deposit:{note}"


def ref_reserve(oid: int, side: Side, code: str, market: Market, qty: int, price: int) -> str:
    return f"reserve:{oid}:{side.value}:{code}:{market.value}:{qty}:{price}"


def ref_release(oid: int, qty: int) -> str:
    return f"release:{oid}:{qty}"


def ref_fill(oid: int, qty: int, price: int, trade_date: date, settles: date) -> str:
    return f"fill:{oid}:{qty}:{price}:{trade_date.isoformat()}:{settles.isoformat()}"


def ref_settle(on: date) -> str:
    return f"settle:{on.isoformat()}"


# --- replay -------------------------------------------------------------------------------


def _cash_line(lines: Iterable[JournalLine]) -> int:
    return sum(ln.amount for ln in lines if ln.asset == KRW and ln.book == "cash")


def _redo(ledger: Ledger, state: AccountState, entry: JournalEntry) -> LedgerResult | None:
    kind, _, rest = entry.ref.partition(":")
    a = rest.split(":")
    if kind == "deposit":
        return ledger.deposit(state, _cash_line(entry.lines))
    if kind == "withdraw":
        return ledger.withdraw(state, -_cash_line(entry.lines))
    if kind == "reserve" and len(a) == 6:
        return ledger.reserve(
            state,
            order_id=int(a[0]),
            side=Side(a[1]),
            code=a[2],
            market=Market(a[3]),
            qty=int(a[4]),
            price=int(a[5]),
        )
    if kind == "release" and len(a) == 2:
        return ledger.release(state, int(a[0]), int(a[1]))
    if kind == "fill" and len(a) == 5:
        return ledger.fill(
            state,
            order_id=int(a[0]),
            qty=int(a[1]),
            price=int(a[2]),
            trade_date=date.fromisoformat(a[3]),
            settles=date.fromisoformat(a[4]),
        )
    if kind == "settle" and len(a) == 1:
        return ledger.settle(state, date.fromisoformat(a[0]))
    return None


def _raw(state: AccountState, lines: Sequence[JournalLine]) -> AccountState:
    balances = dict(state.balances)
    for ln in lines:
        key = (book_account(ln.book), ln.asset)
        balances[key] = balances.get(key, 0) + ln.amount
        if balances[key] == 0:
            del balances[key]
    return replace(state, balances=balances)


def _key(lines: Iterable[JournalLine]) -> list[tuple[str, str, int]]:
    return sorted((ln.asset, ln.book, ln.amount) for ln in lines)


def replay(
    ledger: Ledger,
    account: str,
    entries: Iterable[JournalEntry],
    start: AccountState | None = None,
) -> tuple[AccountState, list[str]]:
    """Rebuild ``account``'s state from its stored journal (``entries`` after ``start``, a
    snapshot's state, or all of them); also the problems found."""
    state = AccountState(account) if start is None else start
    problems: list[str] = []
    for entry in entries:
        result = _redo(ledger, state, entry)
        if result is None or not result.ok:
            if result is not None:
                problems.append(f"entry {entry.entry_id} {entry.ref!r}: {result.rejected}")
            state = _raw(state, entry.lines)
            continue
        redone = [ln for e in result.entries for ln in journal_lines(e)]
        if _key(redone) != _key(entry.lines):
            problems.append(f"entry {entry.entry_id} {entry.ref!r} replays differently")
        state = result.state
    return state, problems
