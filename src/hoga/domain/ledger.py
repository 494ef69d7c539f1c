"""A pure double-entry brokerage ledger: cash, holdings, reservations and T+2 settlement.

Invariants:
- Won and shares are integers. The asset of a posting is ``"KRW"`` or a stock code; **every
  journal entry sums to zero per asset** (checked when the entry is built, a bug otherwise).
- One :class:`AccountState` per customer account holds the balances of its ledger accounts
  (:class:`AccountKind`, some per settlement date) plus the counterparts that make the entries
  balance: ``clearing`` (the exchange side of every fill), ``bank`` (deposits and withdrawals)
  and the broker's ``fees_payable`` / tax authority's ``*_tax_payable`` accounts.
- Settled cash (예수금, ``entr``) = ``cash`` + ``cash_reserved``. A buy order moves price × qty
  plus a commission estimate (commission on the whole order, an upper bound of the per-fill
  floored commissions) from ``cash`` to ``cash_reserved``; a sell order moves shares from
  ``shares`` to ``shares_reserved``. ``cash`` (or ``shares``) may go negative while a reservation
  is covered by unsettled sale proceeds (or bought shares), as Korean brokers allow.
- A fill releases its part of the reservation and books the trade against ``clearing`` into
  receivable / payable accounts dated with the settlement date the caller passes (the engine
  owns the calendar). Buys add to the position's cost; sells take cost out at the average price
  (``cost × qty // position qty``) and book the difference as realized P&L (before costs).
- Commission and seller's taxes are posted **at settlement**, computed by
  :class:`~hoga.domain.fees.FeeSchedule` over all fills settling that day (so per-order and
  per-day aggregation work); taxes use the settlement date. Until then they are "accrued" and
  subtracted from orderable and withdrawable cash.
- Customer cash + holdings at cost changes only by deposits, withdrawals, realized P&L, and the
  commission and taxes, which are themselves postings.
- Expected refusals (no money, no shares, unknown order) are a :class:`LedgerResult` with
  ``rejected`` set and the state unchanged; nothing is raised for them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from hoga.domain.fees import Aggregation, FeeBasis, FeeComponent, FeeSchedule
from hoga.domain.model import FrozenValue, Market, Side, interpreted_constructors
from hoga.domain.pmap import appended, assoc, dissoc

__all__ = [
    "KRW",
    "AccountKind",
    "AccountState",
    "EntryKind",
    "Holding",
    "JournalEntry",
    "Ledger",
    "LedgerAccount",
    "LedgerReject",
    "LedgerResult",
    "PendingFill",
    "Position",
    "Posting",
    "Reservation",
]

KRW = "KRW"


class AccountKind(enum.StrEnum):
    """A ledger account of one customer account; dated kinds exist per settlement date."""

    CASH = "cash"  # free settled cash
    CASH_RESERVED = "cash_reserved"  # settled cash held by open buy orders
    CASH_RECEIVABLE = "cash_receivable"  # dated: sale proceeds due
    CASH_PAYABLE = "cash_payable"  # dated: buy cost due (negative)
    SHARES = "shares"  # free settled shares
    SHARES_RESERVED = "shares_reserved"  # settled shares held by open sell orders
    SHARES_RECEIVABLE = "shares_receivable"  # dated: bought shares due
    SHARES_DELIVERABLE = "shares_deliverable"  # dated: sold shares due out (negative)
    FEES_PAYABLE = "fees_payable"  # counterpart: commission charged
    SECURITIES_TAX_PAYABLE = "securities_tax_payable"  # counterpart: transaction tax
    RURAL_TAX_PAYABLE = "rural_tax_payable"  # counterpart: rural special tax
    CLEARING = "clearing"  # counterpart: the exchange / clearing house
    BANK = "bank"  # counterpart: money in and out


_K = AccountKind
_CUSTOMER_CASH = frozenset((_K.CASH, _K.CASH_RESERVED, _K.CASH_RECEIVABLE, _K.CASH_PAYABLE))
_CUSTOMER_SHARES = frozenset(
    (_K.SHARES, _K.SHARES_RESERVED, _K.SHARES_RECEIVABLE, _K.SHARES_DELIVERABLE)
)


@dataclass(frozen=True, slots=True, init=False)
class LedgerAccount(FrozenValue):
    """A ledger account: its kind and, for dated kinds, the settlement date."""

    kind: AccountKind
    settles: date | None = None

    def __init__(self, kind: AccountKind, settles: date | None = None) -> None:
        self.kind = kind  # type: ignore[misc]
        self.settles = settles  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:  # as the dataclass's; native when compiled (every
        if type(other) is not LedgerAccount:  # balance lookup of a dated account compares keys)
            return NotImplemented
        return self.kind is other.kind and self.settles == other.settles

    def __hash__(self) -> int:
        return hash((self.kind, self.settles))

    def __str__(self) -> str:
        return self.kind if self.settles is None else f"{self.kind}:{self.settles.isoformat()}"


interpreted_constructors(LedgerAccount)


_CASH = LedgerAccount(_K.CASH)
_CASH_RESERVED = LedgerAccount(_K.CASH_RESERVED)
_SHARES = LedgerAccount(_K.SHARES)
_SHARES_RESERVED = LedgerAccount(_K.SHARES_RESERVED)
_CLEARING = LedgerAccount(_K.CLEARING)
_BANK = LedgerAccount(_K.BANK)


@dataclass(frozen=True, slots=True, init=False)
class Posting(FrozenValue):
    """``amount`` of ``asset`` (``"KRW"`` or a code) into ``account`` (negative: out of it)."""

    account: LedgerAccount
    asset: str
    amount: int

    def __init__(self, account: LedgerAccount, asset: str, amount: int) -> None:
        self.account = account  # type: ignore[misc]
        self.asset = asset  # type: ignore[misc]
        self.amount = amount  # type: ignore[misc]


interpreted_constructors(Posting)


class EntryKind(enum.StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    RESERVE = "reserve"
    RELEASE = "release"
    FILL = "fill"
    SETTLEMENT = "settlement"


@dataclass(frozen=True, slots=True, init=False)
class JournalEntry(FrozenValue):
    """Postings that sum to zero per asset; building an unbalanced entry raises ValueError."""

    kind: EntryKind
    postings: tuple[Posting, ...]
    order_id: int | None = None
    settles: date | None = None

    def __init__(
        self,
        kind: EntryKind,
        postings: tuple[Posting, ...],
        order_id: int | None = None,
        settles: date | None = None,
    ) -> None:
        self.kind = kind  # type: ignore[misc]
        self.postings = postings  # type: ignore[misc]
        self.order_id = order_id  # type: ignore[misc]
        self.settles = settles  # type: ignore[misc]
        # not self.totals(): interpreted, this runs on a method-less twin (FrozenValue)
        if any((sums := _asset_sums(postings)).values()):
            raise ValueError(f"unbalanced {kind} entry: {sums}")

    def totals(self) -> dict[str, int]:
        """The sum of the postings per asset (all zero for a valid entry)."""
        return _asset_sums(self.postings)


def _asset_sums(postings: Iterable[Posting]) -> dict[str, int]:
    sums: dict[str, int] = {}
    for p in postings:
        sums[p.asset] = sums.get(p.asset, 0) + p.amount
    return sums


class LedgerReject(enum.StrEnum):
    """Why an operation was refused; the state is unchanged."""

    INVALID_AMOUNT = "invalid_amount"
    INSUFFICIENT_CASH = "insufficient_cash"
    INSUFFICIENT_SHARES = "insufficient_shares"
    DUPLICATE_ORDER = "duplicate_order"
    ORDER_NOT_FOUND = "order_not_found"
    OVERFILL = "overfill"
    PRICE_ABOVE_RESERVATION = "price_above_reservation"


@dataclass(frozen=True, slots=True, init=False)
class Reservation(FrozenValue):
    """What an open order holds: ``held`` won (buy) or shares (sell) for ``qty`` open shares."""

    order_id: int
    side: Side
    code: str
    market: Market
    price: int
    qty: int
    held: int

    def __init__(
        self, order_id: int, side: Side, code: str, market: Market, price: int, qty: int, held: int
    ) -> None:
        self.order_id = order_id  # type: ignore[misc]
        self.side = side  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.market = market  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.held = held  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class PendingFill(FrozenValue):
    """A fill waiting for its settlement date; its costs are posted then."""

    order_id: int
    side: Side
    code: str
    market: Market
    qty: int
    price: int
    trade_date: date
    settles: date

    def __init__(
        self,
        order_id: int,
        side: Side,
        code: str,
        market: Market,
        qty: int,
        price: int,
        trade_date: date,
        settles: date,
    ) -> None:
        self.order_id = order_id  # type: ignore[misc]
        self.side = side  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.market = market  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.price = price  # type: ignore[misc]
        self.trade_date = trade_date  # type: ignore[misc]
        self.settles = settles  # type: ignore[misc]

    @property
    def amount(self) -> int:
        return self.price * self.qty

    @property
    def basis(self) -> FeeBasis:
        return FeeBasis(self.order_id, self.trade_date, self.amount)


@dataclass(frozen=True, slots=True, init=False)
class Position(FrozenValue):
    """Cost basis (won, before commission) and realized P&L of one code."""

    code: str
    market: Market
    cost: int = 0
    realized_pnl: int = 0

    def __init__(self, code: str, market: Market, cost: int = 0, realized_pnl: int = 0) -> None:
        self.code = code  # type: ignore[misc]
        self.market = market  # type: ignore[misc]
        self.cost = cost  # type: ignore[misc]
        self.realized_pnl = realized_pnl  # type: ignore[misc]


@dataclass(frozen=True, slots=True, init=False)
class Holding(FrozenValue):
    """A position as the account queries show it (보유수량, 매매가능수량, 평균단가 …)."""

    code: str
    market: Market
    qty: int  # settled + bought − sold, reserved included
    settled_qty: int
    orderable_qty: int
    avg_price: int  # cost // qty, floored; 0 without shares
    cost: int
    realized_pnl: int

    def __init__(
        self,
        code: str,
        market: Market,
        qty: int,
        settled_qty: int,
        orderable_qty: int,
        avg_price: int,
        cost: int,
        realized_pnl: int,
    ) -> None:
        self.code = code  # type: ignore[misc]
        self.market = market  # type: ignore[misc]
        self.qty = qty  # type: ignore[misc]
        self.settled_qty = settled_qty  # type: ignore[misc]
        self.orderable_qty = orderable_qty  # type: ignore[misc]
        self.avg_price = avg_price  # type: ignore[misc]
        self.cost = cost  # type: ignore[misc]
        self.realized_pnl = realized_pnl  # type: ignore[misc]


interpreted_constructors(JournalEntry, Reservation, PendingFill, Position, Holding)


@dataclass(frozen=True, slots=True)
class _Accrual:
    """The costs of the fills settling on one date, kept as fills are added (see
    :meth:`Ledger.accrued_costs`): ``total`` is commission + taxes; ``groups`` the summed
    amounts of the aggregation groups of components that do not charge per fill."""

    total: int = 0
    groups: Mapping[tuple[str, object], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, init=False)
class AccountState(FrozenValue):
    """Balances, open reservations, positions and unsettled fills of one customer account.

    Two derived values are cached on the state (not fields: not compared, not copied by
    ``dataclasses.replace``, built from the fields on first use): the balances summed over
    settlement dates per (kind, asset), and the accrued costs of the unsettled fills per
    settlement date under one fee schedule. Ledger operations hand both on to the state they
    return, updated by the entry they post, so queries cost the same however many balances or
    unsettled fills an account has."""

    account: str
    balances: Mapping[tuple[LedgerAccount, str], int] = field(default_factory=dict)
    reservations: Mapping[int, Reservation] = field(default_factory=dict)
    positions: Mapping[str, Position] = field(default_factory=dict)
    pending: Sequence[PendingFill] = ()
    _totals: dict[tuple[AccountKind, str], int] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _accruals: tuple[FeeSchedule, dict[date, _Accrual]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __init__(
        self,
        account: str,
        balances: Mapping[tuple[LedgerAccount, str], int] | None = None,
        reservations: Mapping[int, Reservation] | None = None,
        positions: Mapping[str, Position] | None = None,
        pending: Sequence[PendingFill] = (),
    ) -> None:
        self.account = account  # type: ignore[misc]
        self.balances = {} if balances is None else balances  # type: ignore[misc]
        self.reservations = {} if reservations is None else reservations  # type: ignore[misc]
        self.positions = {} if positions is None else positions  # type: ignore[misc]
        self.pending = pending  # type: ignore[misc]
        self._totals = None  # type: ignore[misc]
        self._accruals = None  # type: ignore[misc]

    def balance(self, kind: AccountKind, asset: str = KRW) -> int:
        """The balance of ``kind`` in ``asset``, summed over settlement dates."""
        return self.totals().get((kind, asset), 0)

    def totals(self) -> Mapping[tuple[AccountKind, str], int]:
        """The non-zero balances summed over settlement dates, per (kind, asset) (cached)."""
        totals = self._totals
        if totals is None:
            totals = {}
            for (account, asset), value in self.balances.items():
                key = (account.kind, asset)
                totals[key] = totals.get(key, 0) + value
            totals = {key: value for key, value in totals.items() if value}
            object.__setattr__(self, "_totals", totals)
        return totals

    def dated(self, kind: AccountKind, settles: date, asset: str = KRW) -> int:
        """The balance of a dated ``kind`` in ``asset`` for one settlement date."""
        return self.balances.get((LedgerAccount(kind, settles), asset), 0)


interpreted_constructors(AccountState)


@dataclass(frozen=True, slots=True, init=False)
class LedgerResult(FrozenValue):
    """The state after an operation, the entries it posted, or why it was refused."""

    state: AccountState
    entries: tuple[JournalEntry, ...] = ()
    rejected: LedgerReject | None = None

    def __init__(
        self,
        state: AccountState,
        entries: tuple[JournalEntry, ...] = (),
        rejected: LedgerReject | None = None,
    ) -> None:
        self.state = state  # type: ignore[misc]
        self.entries = entries  # type: ignore[misc]
        self.rejected = rejected  # type: ignore[misc]

    @property
    def ok(self) -> bool:
        return self.rejected is None


interpreted_constructors(LedgerResult)


def _move(asset: str, amount: int, source: LedgerAccount, dest: LedgerAccount) -> list[Posting]:
    if amount == 0:
        return []
    return [Posting(source, asset, -amount), Posting(dest, asset, amount)]


_Accruals = tuple[FeeSchedule, dict[date, _Accrual]]

#: Charges already computed: (id of the component, amount) -> (the component, its charge).
#: The component is kept with its charge, so its id cannot be reused while the entry lives.
_CHARGES: dict[tuple[int, int], tuple[FeeComponent, int]] = {}
_MAX_CHARGES = 16_384


def _charge(component: FeeComponent, amount: int) -> int:
    """``component.charge(amount)``, remembered (orders repeat prices and quantities)."""
    key = (id(component), amount)
    known = _CHARGES.get(key)
    if known is not None and known[0] is component:
        return known[1]
    if len(_CHARGES) >= _MAX_CHARGES:
        _CHARGES.clear()
    charge = component.charge(amount)
    _CHARGES[key] = (component, charge)
    return charge


def _apply(
    state: AccountState,
    entries: Iterable[JournalEntry],
    *,
    reservations: Mapping[int, Reservation] | None = None,
    positions: Mapping[str, Position] | None = None,
    pending: Sequence[PendingFill] | None = None,
    accruals: _Accruals | None = None,
) -> LedgerResult:
    """The state after ``entries``, with the other fields given replaced (None: unchanged).
    The cached totals are updated by the postings; the cached accruals are handed on when
    ``pending`` does not change, else replaced by ``accruals`` (None: rebuilt on first use)."""
    entries = tuple(entries)
    balances = dict(state.balances)
    totals = dict(state.totals())
    for entry in entries:
        for p in entry.postings:
            key = (p.account, p.asset)
            value = balances.get(key, 0) + p.amount
            if value:
                balances[key] = value
            else:
                del balances[key]
            total_key = (p.account.kind, p.asset)
            value = totals.get(total_key, 0) + p.amount
            if value:
                totals[total_key] = value
            else:
                del totals[total_key]
    new = AccountState(
        state.account,
        balances,
        state.reservations if reservations is None else reservations,
        state.positions if positions is None else positions,
        state.pending if pending is None else pending,
    )
    object.__setattr__(new, "_totals", totals)
    object.__setattr__(new, "_accruals", state._accruals if pending is None else accruals)
    return LedgerResult(new, entries)


@dataclass(frozen=True, slots=True)
class Ledger:
    """The ledger's operations and queries under one :class:`FeeSchedule`."""

    fees: FeeSchedule = field(default_factory=FeeSchedule.default)

    # -- cash in and out ----------------------------------------------------------------------

    def deposit(self, state: AccountState, amount: int) -> LedgerResult:
        if amount <= 0:
            return LedgerResult(state, rejected=LedgerReject.INVALID_AMOUNT)
        entry = JournalEntry(EntryKind.DEPOSIT, tuple(_move(KRW, amount, _BANK, _CASH)))
        return _apply(state, [entry])

    def withdraw(self, state: AccountState, amount: int) -> LedgerResult:
        if amount <= 0:
            return LedgerResult(state, rejected=LedgerReject.INVALID_AMOUNT)
        if amount > self.withdrawable_cash(state):
            return LedgerResult(state, rejected=LedgerReject.INSUFFICIENT_CASH)
        entry = JournalEntry(EntryKind.WITHDRAWAL, tuple(_move(KRW, amount, _CASH, _BANK)))
        return _apply(state, [entry])

    # -- orders ---------------------------------------------------------------------------------

    def buy_hold(self, price: int, qty: int) -> int:
        """Cash a buy order of ``qty`` at ``price`` holds: amount plus commission on it."""
        return price * qty + _charge(self.fees.commission_fee, price * qty)

    def reserve(
        self,
        state: AccountState,
        *,
        order_id: int,
        side: Side,
        code: str,
        market: Market,
        qty: int,
        price: int,
    ) -> LedgerResult:
        """Hold cash (buy) or shares (sell) for a new order; ``price`` is the limit, or the
        price a market order is reserved at (e.g. the upper limit)."""
        if order_id in state.reservations:
            return LedgerResult(state, rejected=LedgerReject.DUPLICATE_ORDER)
        if qty <= 0 or price <= 0:
            return LedgerResult(state, rejected=LedgerReject.INVALID_AMOUNT)
        if side is Side.BUY:
            held = self.buy_hold(price, qty)
            if held > self.orderable_cash(state):
                return LedgerResult(state, rejected=LedgerReject.INSUFFICIENT_CASH)
            postings = _move(KRW, held, _CASH, _CASH_RESERVED)
        else:
            held = qty
            if qty > self.orderable_qty(state, code):
                return LedgerResult(state, rejected=LedgerReject.INSUFFICIENT_SHARES)
            postings = _move(code, qty, _SHARES, _SHARES_RESERVED)
        reservation = Reservation(order_id, side, code, market, price, qty, held)
        positions = state.positions
        if code not in positions:
            positions = assoc(positions, code, Position(code, market))
        entry = JournalEntry(EntryKind.RESERVE, tuple(postings), order_id)
        reservations = assoc(state.reservations, order_id, reservation)
        return _apply(state, [entry], reservations=reservations, positions=positions)

    def release(self, state: AccountState, order_id: int, qty: int | None = None) -> LedgerResult:
        """Release ``qty`` open shares of an order's reservation (all of it when None)."""
        res = state.reservations.get(order_id)
        if res is None:
            return LedgerResult(state, rejected=LedgerReject.ORDER_NOT_FOUND)
        qty = res.qty if qty is None else qty
        if not 0 < qty <= res.qty:
            return LedgerResult(state, rejected=LedgerReject.INVALID_AMOUNT)
        postings, reservations = self._unhold(state, res, qty)
        entry = JournalEntry(EntryKind.RELEASE, tuple(postings), order_id)
        return _apply(state, [entry], reservations=reservations)

    def _unhold(
        self, state: AccountState, res: Reservation, qty: int
    ) -> tuple[list[Posting], Mapping[int, Reservation]]:
        remaining = res.qty - qty
        if res.side is Side.BUY:
            held = self.buy_hold(res.price, remaining)
            postings = _move(KRW, res.held - held, _CASH_RESERVED, _CASH)
        else:
            held = remaining
            postings = _move(res.code, qty, _SHARES_RESERVED, _SHARES)
        if not remaining:
            return postings, dissoc(state.reservations, res.order_id)
        kept = Reservation(res.order_id, res.side, res.code, res.market, res.price, remaining, held)
        return postings, assoc(state.reservations, res.order_id, kept)

    def fill(
        self,
        state: AccountState,
        *,
        order_id: int,
        qty: int,
        price: int,
        trade_date: date,
        settles: date,
    ) -> LedgerResult:
        """Book an execution of an order: release its hold, book the trade for ``settles``."""
        res = state.reservations.get(order_id)
        if res is None:
            return LedgerResult(state, rejected=LedgerReject.ORDER_NOT_FOUND)
        if qty <= 0 or price <= 0:
            return LedgerResult(state, rejected=LedgerReject.INVALID_AMOUNT)
        if qty > res.qty:
            return LedgerResult(state, rejected=LedgerReject.OVERFILL)
        if res.side is Side.BUY and price > res.price:
            return LedgerResult(state, rejected=LedgerReject.PRICE_ABOVE_RESERVATION)
        amount = price * qty
        position = state.positions[res.code]
        postings, reservations = self._unhold(state, res, qty)
        if res.side is Side.BUY:
            postings += _move(KRW, amount, LedgerAccount(_K.CASH_PAYABLE, settles), _CLEARING)
            postings += _move(
                res.code, qty, _CLEARING, LedgerAccount(_K.SHARES_RECEIVABLE, settles)
            )
            position = Position(
                position.code, position.market, position.cost + amount, position.realized_pnl
            )
        else:
            postings += _move(
                res.code, qty, LedgerAccount(_K.SHARES_DELIVERABLE, settles), _CLEARING
            )
            postings += _move(KRW, amount, _CLEARING, LedgerAccount(_K.CASH_RECEIVABLE, settles))
            removed = position.cost * qty // self.position_qty(state, res.code)
            position = Position(
                position.code,
                position.market,
                position.cost - removed,
                position.realized_pnl + amount - removed,
            )
        pending = PendingFill(
            order_id, res.side, res.code, res.market, qty, price, trade_date, settles
        )
        entry = JournalEntry(EntryKind.FILL, tuple(postings), order_id, settles)
        return _apply(
            state,
            [entry],
            accruals=self._accrued_with(state, pending),
            reservations=reservations,
            positions=assoc(state.positions, res.code, position),
            pending=appended(state.pending, pending),
        )

    # -- settlement -----------------------------------------------------------------------------

    def costs(self, fills: Iterable[PendingFill], settles: date) -> tuple[int, int, int]:
        """(commission, securities tax, rural tax) of the fills settling together on ``settles``."""
        fills = tuple(fills)
        commission = self.fees.commission_fee.charge_all(f.basis for f in fills)
        securities = rural = 0
        for market in Market:
            sells = [f.basis for f in fills if f.side is Side.SELL and f.market is market]
            if sells:
                taxes = self.fees.sell_taxes_all(sells, market, settles)
                securities += taxes.securities_tax
                rural += taxes.rural_tax
        return commission, securities, rural

    def settle(self, state: AccountState, on: date) -> LedgerResult:
        """Settle every fill due on or before ``on``: move dated balances into the settled
        accounts and post commission and taxes, one entry per settlement date."""
        entries = []
        for settles in sorted({f.settles for f in state.pending if f.settles <= on}):
            postings: list[Posting] = []
            for (account, asset), value in sorted(
                state.balances.items(), key=lambda item: (item[0][1], str(item[0][0]))
            ):
                if account.settles == settles:
                    target = _CASH if account.kind in _CUSTOMER_CASH else _SHARES
                    postings += _move(asset, value, account, target)
            fills = [f for f in state.pending if f.settles == settles]
            commission, securities, rural = self.costs(fills, settles)
            postings += _move(KRW, commission, _CASH, LedgerAccount(_K.FEES_PAYABLE))
            postings += _move(KRW, securities, _CASH, LedgerAccount(_K.SECURITIES_TAX_PAYABLE))
            postings += _move(KRW, rural, _CASH, LedgerAccount(_K.RURAL_TAX_PAYABLE))
            entries.append(JournalEntry(EntryKind.SETTLEMENT, tuple(postings), settles=settles))
        pending = tuple(f for f in state.pending if f.settles > on)
        cached = self._cached(state)
        accruals = None
        if cached is not None:
            accruals = (self.fees, {d: a for d, a in cached.items() if d > on})
        return _apply(state, entries, pending=pending, accruals=accruals)

    # -- accrued costs, kept per settlement date ----------------------------------------------

    def _cached(self, state: AccountState) -> dict[date, _Accrual] | None:
        """The accruals cached on ``state`` if they were built under this fee schedule."""
        cached = state._accruals
        if cached is not None and (cached[0] is self.fees or cached[0] == self.fees):
            return cached[1]
        return None

    def _accrued(self, state: AccountState) -> dict[date, _Accrual]:
        """The accruals of ``state`` per settlement date (cached; built from ``pending``)."""
        accruals = self._cached(state)
        if accruals is None:
            accruals = {}
            for f in state.pending:
                accruals[f.settles] = self._accrue(accruals.get(f.settles), f)
            object.__setattr__(state, "_accruals", (self.fees, accruals))
        return accruals

    def _accrued_with(self, state: AccountState, fill: PendingFill) -> _Accruals | None:
        """The cached accruals of ``state`` plus ``fill`` (None: nothing cached, or no tax
        row for the fill — the query that needs the costs raises then, as :meth:`costs`)."""
        cached = self._cached(state)
        if cached is None:
            return None
        try:
            added = self._accrue(cached.get(fill.settles), fill)
        except LookupError:
            return None
        return self.fees, {**cached, fill.settles: added}

    def _accrue(self, accrual: _Accrual | None, fill: PendingFill) -> _Accrual:
        """``accrual`` with one more fill settling on its date: the same sums as :meth:`costs`
        over all of them (a per-fill component adds the fill's charge; an aggregating one
        re-charges the fill's group)."""
        components = [("commission", self.fees.commission_fee)]
        if fill.side is Side.SELL:
            row = self.fees.tax_row(fill.market, fill.settles)
            components.append((f"securities:{fill.market}", row.securities_tax))
            components.append((f"rural:{fill.market}", row.rural_tax))
        total = 0 if accrual is None else accrual.total
        groups = {} if accrual is None else accrual.groups
        amount = fill.amount
        for name, component in components:
            if component.aggregation is Aggregation.FILL:
                total += _charge(component, amount)
                continue
            by_order = component.aggregation is Aggregation.ORDER
            key = (name, fill.order_id if by_order else fill.trade_date)
            was = groups.get(key, 0)
            groups = assoc(groups, key, was + amount)
            total += _charge(component, was + amount) - _charge(component, was)
        return _Accrual(total, groups)

    # -- queries --------------------------------------------------------------------------------

    def settled_cash(self, state: AccountState) -> int:
        """예수금 (``entr``): settled cash, order reservations included."""
        return state.balance(_K.CASH) + state.balance(_K.CASH_RESERVED)

    def accrued_costs(self, state: AccountState, through: date | None = None) -> int:
        """Commission and taxes of unsettled fills (settling on or before ``through``)."""
        accruals = self._accrued(state)
        return sum(a.total for d, a in accruals.items() if through is None or d <= through)

    def projected_cash(self, state: AccountState, through: date) -> int:
        """Settled cash once everything due by ``through`` has settled (``d1_entra`` when
        ``through`` is the next business day, ``d2_entra`` for the one after)."""
        due = sum(
            value
            for (account, asset), value in state.balances.items()
            if asset == KRW and account.settles is not None and account.settles <= through
        )
        return self.settled_cash(state) + due - self.accrued_costs(state, through)

    def orderable_cash(self, state: AccountState) -> int:
        """주문가능금액 (``ord_alow_amt``): settled cash + unsettled sale proceeds − reservations
        − unsettled buy payables − accrued commission and taxes."""
        return (
            state.balance(_K.CASH)
            + state.balance(_K.CASH_RECEIVABLE)
            + state.balance(_K.CASH_PAYABLE)
            - self.accrued_costs(state)
        )

    def withdrawable_cash(self, state: AccountState) -> int:
        """출금가능금액 (``pymn_alow_amt``): free settled cash − unsettled buy payables − accrued
        costs, never below 0; unsettled sale proceeds become withdrawable once settled."""
        free = state.balance(_K.CASH) + state.balance(_K.CASH_PAYABLE) - self.accrued_costs(state)
        return max(0, free)

    def position_qty(self, state: AccountState, code: str) -> int:
        """보유수량: settled shares plus bought minus sold, reserved shares included."""
        return sum(state.balance(kind, code) for kind in _CUSTOMER_SHARES)

    def orderable_qty(self, state: AccountState, code: str) -> int:
        """매매가능수량: the position less shares held by open sell orders."""
        return self.position_qty(state, code) - state.balance(_K.SHARES_RESERVED, code)

    def holding(self, state: AccountState, code: str) -> Holding | None:
        """The position in ``code`` (also with zero shares, for its realized P&L), or None."""
        position = state.positions.get(code)
        if position is None:
            return None
        qty = self.position_qty(state, code)
        return Holding(
            code=code,
            market=position.market,
            qty=qty,
            settled_qty=state.balance(_K.SHARES, code) + state.balance(_K.SHARES_RESERVED, code),
            orderable_qty=self.orderable_qty(state, code),
            avg_price=position.cost // qty if qty > 0 else 0,
            cost=position.cost,
            realized_pnl=position.realized_pnl,
        )

    def holdings(self, state: AccountState) -> tuple[Holding, ...]:
        """Every position holding shares, by code."""
        found = (self.holding(state, code) for code in sorted(state.positions))
        return tuple(h for h in found if h is not None and h.qty > 0)

    def realized_pnl(self, state: AccountState) -> int:
        """Realized P&L over all codes, before commission and taxes."""
        return sum(p.realized_pnl for p in state.positions.values())

    def total_fees(self, state: AccountState) -> int:
        """Commission posted so far."""
        return state.balance(_K.FEES_PAYABLE)

    def total_taxes(self, state: AccountState) -> int:
        """Seller's taxes posted so far (securities + rural)."""
        return state.balance(_K.SECURITIES_TAX_PAYABLE) + state.balance(_K.RURAL_TAX_PAYABLE)
