"""The storage port: durable records behind a unit of work.

Everything hoga must not forget lives here: customers and their keys, tokens and accounts;
orders, fills and the ledger journal; market data (ticks, bars, per-day instrument state); the
append-only event log used for recovery and replay; access settings of app keys and the
append-only security record; incidents; the notice outbox with every delivery attempt and the
customers' channel choices; maintenance windows and service-change announcements; and small
operator settings.

Contract (every adapter passes ``tests/contracts/test_storage_contract.py``):

- **Units of work.** All reads and writes happen inside ``with storage.unit_of_work() as uow:``.
  Leaving the block normally commits everything written in it as one transaction; leaving it by
  an exception rolls all of it back and re-raises. A batch of writes is therefore one commit
  ("acknowledged means durable": return an order number only after the block has exited).
  Units of work may run in different threads or processes; writers are serialized by the
  backend. Repositories taken from a unit of work must not be used after it ends.
- **Values.** Rows are frozen, slotted dataclasses. Money and quantities are ``int`` (won,
  shares); times are ``int`` epoch microseconds (UTC); calendar days are ``datetime.date``.
  Nothing is a float.
- **Identifiers** are chosen by the caller (customer ids, account numbers, app keys) or drawn
  from durable, gap-free, transactional sequences (order numbers, journal entry ids, event
  sequence numbers): a number drawn in a unit of work that rolls back is drawn again by the next.
- **Errors.** Driver failures, constraint violations (a duplicate key, a missing parent row, a
  negative quantity) and an unbalanced journal entry raise :class:`hoga.errors.StorageError`;
  updating a row that does not exist raises :class:`hoga.errors.NotFoundError`. Lookups of a
  missing row return ``None``. A StorageError dooms its unit of work: later calls in it raise,
  and the block rolls back (raising StorageError) even if the caller caught the first error —
  validate expected outcomes before writing instead of probing with failed inserts.
- **Sequences lock.** Drawing from a sequence locks it until the unit of work ends; keep units
  of work short, and draw from several sequences in the same order everywhere.
- **Order of results.** Every list comes back in a defined order (stated per method), so that
  replays read back byte for byte what they wrote.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from hoga.domain.model import Side
from hoga.ports.storage_compliance import (
    ApplicationRecord,
    ComplianceLogRecord,
    ComplianceRepository,
    RecordLog,
    RecordProof,
)
from hoga.ports.storage_ops import (
    ContactRecord,
    DeliveryAttempt,
    DeliveryRecord,
    IncidentRepository,
    MaintenanceWindow,
    NoticeRecord,
    NoticeRepository,
    OperationsRepository,
    OutboxNotice,
    ServiceChange,
)
from hoga.ports.storage_security import (
    AuthThrottleRecord,
    KeyAccessRecord,
    KeySecurityRepository,
    SecurityLogRepository,
    SecurityRecord,
)

__all__ = [
    "AccountRecord",
    "AccountRepository",
    "AccountSnapshot",
    "ApiKeyRecord",
    "ApiKeyRepository",
    "ApplicationRecord",
    "AuthThrottleRecord",
    "BarRepository",
    "ComplianceLogRecord",
    "ComplianceRepository",
    "ContactRecord",
    "CustomerRecord",
    "CustomerRepository",
    "DailyBar",
    "DeliveryAttempt",
    "DeliveryRecord",
    "EventLog",
    "EventRecord",
    "FillRecord",
    "FillRepository",
    "IncidentRepository",
    "InstrumentDay",
    "InstrumentDayRepository",
    "JournalEntry",
    "JournalLine",
    "JournalRepository",
    "JsonValue",
    "KeyAccessRecord",
    "KeySecurityRepository",
    "MaintenanceWindow",
    "MinuteBar",
    "NoticeRecord",
    "NoticeRepository",
    "OperationsRepository",
    "OrderChange",
    "OrderRecord",
    "OrderRepository",
    "OutboxNotice",
    "Posting",
    "RecordLog",
    "RecordProof",
    "SecurityLogRepository",
    "SecurityRecord",
    "SequenceRepository",
    "ServiceChange",
    "SettingsRepository",
    "Storage",
    "TickRepository",
    "TokenRecord",
    "TokenRepository",
    "TradeBatch",
    "TradeBatchIds",
    "TradeTick",
    "TradeWriter",
    "UnitOfWork",
    "imbalance",
]

JsonValue: TypeAlias = "bool | int | str | list[JsonValue] | dict[str, JsonValue] | None"
"""A JSON document without floats (settings are stored as canonical JSON text)."""


# --- rows -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """An account holder. ``env`` is ``"mock"`` or ``"real"``; ``status`` is free text owned by
    the policy layer (e.g. ``"active"``, ``"suspended"``, ``"terminated"``)."""

    id: str
    name: str
    env: str
    status: str
    created_at: int


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """An app key issued to a customer; only a hash of the secret is kept."""

    appkey: str
    secret_hash: str
    customer_id: str
    env: str
    created_at: int
    revoked_at: int | None = None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """An access token issued to an app key; only its hash is kept."""

    token_hash: str
    appkey: str
    issued_at: int
    expires_at: int
    revoked_at: int | None = None


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """A brokerage account (``account_no`` is the 10-digit Kiwoom ``acnt_no``)."""

    account_no: str
    customer_id: str
    env: str
    created_at: int


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """An order as acknowledged to the client, with its current fill state.

    ``ord_no`` is the integer order number (the wire pads it to 7 digits). ``price`` is 0 for
    market-like orders, ``stop_price`` 0 when there is none. ``orig_ord_no`` is the order a
    modify/cancel refers to (``None`` for a new order). Invariant, enforced by the backend:
    ``qty > 0`` and ``filled_qty + open_qty <= qty`` (a cancel reduces ``open_qty``). ``status``
    is owned by the engine (e.g. ``"accepted"``, ``"filled"``, ``"cancelled"``, ``"rejected"``).
    """

    ord_no: int
    account: str
    code: str
    side: Side
    trde_tp: str
    price: int
    qty: int
    stop_price: int
    orig_ord_no: int | None
    status: str
    filled_qty: int
    open_qty: int
    created_at: int
    updated_at: int
    exchange: str = "KRX"


@dataclass(frozen=True, slots=True)
class FillRecord:
    """One execution of an order (a partial or full fill), with the fee and tax charged on it."""

    exec_id: int
    ord_no: int
    account: str
    code: str
    side: Side
    price: int
    qty: int
    at: int
    fee: int
    tax: int


@dataclass(frozen=True, slots=True)
class JournalLine:
    """One posting: ``amount`` (signed) of ``asset`` (``"KRW"`` or an instrument code) to the
    ledger account ``book`` (e.g. ``"cash"``, ``"holdings"``, ``"fees"``, ``"tax"``)."""

    asset: str
    book: str
    amount: int


def imbalance(lines: Iterable[JournalLine]) -> dict[str, int]:
    """Per asset, the non-zero sums of ``lines`` (empty when they balance, as every journal
    entry must)."""
    sums: dict[str, int] = {}
    for line in lines:
        sums[line.asset] = sums.get(line.asset, 0) + line.amount
    return {asset: total for asset, total in sorted(sums.items()) if total != 0}


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced journal entry about one brokerage account: for every asset, the amounts of
    its lines sum to zero. ``ref`` says why (an order number, a settlement, a correction)."""

    entry_id: int
    at: int
    account: str
    ref: str
    lines: tuple[JournalLine, ...]


@dataclass(frozen=True, slots=True)
class OrderChange:
    """The new fill state of a stored order row (what :meth:`OrderRepository.update` sets)."""

    ord_no: int
    status: str
    filled_qty: int
    open_qty: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class Posting:
    """A journal entry to append (:meth:`JournalRepository.post`); its entry id is drawn when
    it is written."""

    at: int
    account: str
    ref: str
    lines: tuple[JournalLine, ...]


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """An account's ledger state as it was after its journal entry ``entry_id`` (``state``: the
    brokerage's own encoding). A cache of the journal, never a record: the state is what
    replaying the account's entries up to ``entry_id`` gives, so recovery replays only the
    entries after it. ``at``: when it was taken (µs since the epoch)."""

    account: str
    entry_id: int
    at: int
    state: str


@dataclass(frozen=True, slots=True)
class TradeBatch:
    """Trading writes of many requests, written by :meth:`TradeWriter.write` in one go.

    ``order_nos`` are the order numbers the (single) writer drew in memory since its last
    batch, in order; writing advances the ``"ord_no"`` sequence over exactly them, and refuses
    (StorageError) when the sequence does not continue at ``order_nos.start`` (someone else
    drew order numbers). ``orders`` are new rows, ``changes`` fill-state updates of rows stored
    earlier or in ``orders``, ``postings`` journal entries (ids drawn in order), ``fills`` new
    executions (``exec_id`` ignored: drawn in order from the ``"exec_id"`` sequence).
    """

    order_nos: range = range(0)
    orders: Sequence[OrderRecord] = ()
    changes: Sequence[OrderChange] = ()
    postings: Sequence[Posting] = ()
    fills: Sequence[FillRecord] = ()


@dataclass(frozen=True, slots=True)
class TradeBatchIds:
    """The identifiers a written :class:`TradeBatch` drew: posting ``i`` got entry id
    ``first_entry_id + i``, fill ``i`` exec id ``first_exec_id + i`` (0 when there were none)."""

    first_entry_id: int
    first_exec_id: int


@dataclass(frozen=True, slots=True)
class TradeTick:
    """A print on the tape. ``seq`` is unique per ``code`` and increases with time."""

    code: str
    seq: int
    at: int
    price: int
    qty: int


@dataclass(frozen=True, slots=True)
class MinuteBar:
    """OHLCV of one minute; ``start`` is the epoch µs of the minute's first instant."""

    code: str
    start: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    turnover: int


@dataclass(frozen=True, slots=True)
class DailyBar:
    """OHLCV of one trading day (KST calendar day)."""

    code: str
    day: datetime.date
    open: int
    high: int
    low: int
    close: int
    volume: int
    turnover: int


@dataclass(frozen=True, slots=True)
class InstrumentDay:
    """Per-day state of an instrument: the base price limits are computed from, the close once
    known (``None`` before), and whether trading is halted."""

    code: str
    day: datetime.date
    base_price: int
    close: int | None
    halted: bool


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An entry of the append-only event log. ``seq`` is gap-free from 1; ``payload`` is JSON
    text written by the caller (the storage never parses it)."""

    seq: int
    at: int
    kind: str
    payload: str


# --- repositories ---------------------------------------------------------------------------


class SequenceRepository(Protocol):
    """Named durable counters (gap-free, transactional). A fresh name starts at 1."""

    def allocate(self, name: str, count: int = 1) -> int:
        """Reserve ``count`` consecutive numbers of ``name``; return the first."""
        ...

    def current(self, name: str) -> int:
        """The last number handed out for ``name`` (0 if none)."""
        ...


class CustomerRepository(Protocol):
    """Account holders, keyed by caller-chosen id."""

    def add(self, customer: CustomerRecord) -> None:
        """Insert; a duplicate id raises StorageError."""
        ...

    def get(self, customer_id: str) -> CustomerRecord | None: ...

    def set_status(self, customer_id: str, status: str) -> CustomerRecord:
        """Change the status; return the updated row (NotFoundError if missing)."""
        ...

    def list(self) -> list[CustomerRecord]:
        """All customers, ordered by id."""
        ...


class ApiKeyRepository(Protocol):
    """App keys with hashed secrets."""

    def add(self, key: ApiKeyRecord) -> None:
        """Insert; the customer must exist; a duplicate appkey raises StorageError."""
        ...

    def get(self, appkey: str) -> ApiKeyRecord | None: ...

    def revoke(self, appkey: str, at: int) -> ApiKeyRecord:
        """Set ``revoked_at`` (kept if already revoked); NotFoundError if missing."""
        ...

    def by_customer(self, customer_id: str) -> list[ApiKeyRecord]:
        """The customer's keys (revoked ones too), ordered by created_at then appkey."""
        ...


class TokenRepository(Protocol):
    """Issued access tokens, by hash."""

    def add(self, token: TokenRecord) -> None:
        """Insert; the app key must exist."""
        ...

    def get(self, token_hash: str) -> TokenRecord | None: ...

    def revoke(self, token_hash: str, at: int) -> TokenRecord:
        """Set ``revoked_at`` (kept if already revoked); NotFoundError if missing."""
        ...

    def revoke_all(self, appkey: str, at: int) -> int:
        """Revoke every live token of ``appkey``; return how many were revoked."""
        ...

    def delete_expired(self, before: int) -> int:
        """Delete tokens with ``expires_at < before``; return how many."""
        ...


class AccountRepository(Protocol):
    """Brokerage accounts."""

    def add(self, account: AccountRecord) -> None:
        """Insert; the customer must exist; a duplicate number raises StorageError."""
        ...

    def get(self, account_no: str) -> AccountRecord | None: ...

    def by_customer(self, customer_id: str) -> list[AccountRecord]:
        """The customer's accounts, ordered by account number."""
        ...


class OrderRepository(Protocol):
    """Orders by order number. Order numbers come from :meth:`allocate_order_no`."""

    def allocate_order_no(self) -> int:
        """Draw the next order number (the ``"ord_no"`` sequence: 1, 2, 3, …)."""
        ...

    def add(self, order: OrderRecord) -> None:
        """Insert; the account must exist; a duplicate ord_no or a broken quantity invariant
        raises StorageError."""
        ...

    def get(self, ord_no: int) -> OrderRecord | None: ...

    def update(
        self, ord_no: int, *, status: str, filled_qty: int, open_qty: int, updated_at: int
    ) -> OrderRecord:
        """Set the fill state; return the updated row (NotFoundError if missing)."""
        ...

    def by_account(
        self, account: str, *, since: int | None = None, until: int | None = None
    ) -> list[OrderRecord]:
        """The account's orders with ``since <= created_at < until``, ordered by ord_no."""
        ...

    def open_orders(self, account: str | None = None, code: str | None = None) -> list[OrderRecord]:
        """Orders with ``open_qty > 0`` (of one account and/or code if given), by ord_no."""
        ...

    def by_status(self, status: str) -> list[OrderRecord]:
        """Orders in ``status``, ordered by ord_no."""
        ...


class FillRepository(Protocol):
    """Executions; ``exec_id`` is unique (the caller draws it, e.g. from a sequence)."""

    def add(self, fill: FillRecord) -> None:
        """Insert; the order must exist."""
        ...

    def by_order(self, ord_no: int) -> list[FillRecord]:
        """Fills of one order, ordered by exec_id."""
        ...

    def by_account(
        self, account: str, *, since: int | None = None, until: int | None = None
    ) -> list[FillRecord]:
        """The account's fills with ``since <= at < until``, ordered by exec_id."""
        ...


class JournalRepository(Protocol):
    """The double-entry ledger journal (append-only)."""

    def post(self, at: int, account: str, ref: str, lines: Sequence[JournalLine]) -> JournalEntry:
        """Append an entry with the next entry id. Refuses (StorageError) an entry with no
        lines or whose lines do not sum to zero for every asset."""
        ...

    def entries(
        self,
        account: str,
        *,
        since: int | None = None,
        until: int | None = None,
        after: int = 0,
    ) -> list[JournalEntry]:
        """The account's entries with ``since <= at < until`` and an entry id above ``after``,
        ordered by entry id; lines keep the order they were posted in."""
        ...

    def snapshot(self, account: str) -> AccountSnapshot | None:
        """The account's latest snapshot (None when it has none)."""
        ...

    def save_snapshots(self, snapshots: Sequence[AccountSnapshot]) -> None:
        """Keep each snapshot as its account's latest unless a stored one is as new or newer
        (a higher or equal entry id). Refuses (StorageError) a snapshot after an entry that is
        not the account's."""
        ...

    def balance(self, account: str, asset: str, book: str) -> int:
        """Sum of the amounts posted to (``asset``, ``book``) for ``account`` (0 if none)."""
        ...

    def balances(self, account: str) -> dict[tuple[str, str], int]:
        """All non-zero sums for ``account``, keyed by (asset, book)."""
        ...


class TradeWriter(Protocol):
    """Group commit of trading writes: one call per batch of many orders, fills and postings
    (statements over many rows instead of one per row)."""

    def write(self, batch: TradeBatch) -> TradeBatchIds:
        """Write ``batch`` in this unit of work, in the order: order-number check, new orders,
        changes, fills, postings. Refuses (StorageError, dooming the unit of work) what the
        single-row methods refuse — a duplicate or broken order row, an unbalanced or empty
        posting, a fill of an unknown order — and an order-number sequence that does not
        continue at ``batch.order_nos.start``; a change of a missing order raises
        NotFoundError (and dooms it too)."""
        ...


class TickRepository(Protocol):
    """Trade prints."""

    def add_many(self, ticks: Iterable[TradeTick]) -> None:
        """Insert; a duplicate (code, seq) raises StorageError."""
        ...

    def range(
        self, code: str, since: int, until: int, *, limit: int | None = None
    ) -> list[TradeTick]:
        """Ticks of ``code`` with ``since <= at < until``, ordered by seq, at most ``limit``."""
        ...

    def last(self, code: str) -> TradeTick | None:
        """The tick of ``code`` with the highest seq."""
        ...


class BarRepository(Protocol):
    """Minute and daily OHLCV bars, upserted (the last write of a key wins)."""

    def upsert_minutes(self, bars: Iterable[MinuteBar]) -> None: ...

    def minutes(self, code: str, since: int, until: int) -> list[MinuteBar]:
        """Bars with ``since <= start < until``, ordered by start."""
        ...

    def upsert_daily(self, bars: Iterable[DailyBar]) -> None: ...

    def daily(self, code: str, first: datetime.date, last: datetime.date) -> list[DailyBar]:
        """Bars with ``first <= day <= last``, ordered by day."""
        ...


class InstrumentDayRepository(Protocol):
    """Per-day instrument state, upserted."""

    def upsert(self, state: InstrumentDay) -> None: ...

    def get(self, code: str, day: datetime.date) -> InstrumentDay | None: ...

    def for_day(self, day: datetime.date) -> list[InstrumentDay]:
        """Every instrument's state on ``day``, ordered by code."""
        ...

    def latest_before(self, code: str, day: datetime.date) -> InstrumentDay | None:
        """The state of ``code`` on the latest day strictly before ``day`` (previous close)."""
        ...


class EventLog(Protocol):
    """Append-only log of market and engine events, read back in order for recovery/replay."""

    def append(self, at: int, kind: str, payload: str) -> EventRecord:
        """Append with the next sequence number."""
        ...

    def read(
        self, after: int = 0, *, limit: int | None = None, kinds: Sequence[str] | None = None
    ) -> list[EventRecord]:
        """Events with ``seq > after`` (optionally only ``kinds``), ordered by seq."""
        ...

    def last_seq(self) -> int:
        """The highest seq appended (0 if none)."""
        ...


class SettingsRepository(Protocol):
    """Small operator settings (market mode, clock, …) as JSON values by key."""

    def get(self, key: str) -> JsonValue | None:
        """The value, or ``None`` if unset (a stored JSON ``null`` also reads as ``None``)."""
        ...

    def put(self, key: str, value: JsonValue) -> None:
        """Insert or replace."""
        ...

    def delete(self, key: str) -> bool:
        """Remove; return whether the key existed."""
        ...

    def items(self) -> dict[str, JsonValue]:
        """All settings (insertion order = key order)."""
        ...


class UnitOfWork(Protocol):
    """One transaction and the repositories bound to it (attributes, not methods)."""

    @property
    def sequences(self) -> SequenceRepository: ...
    @property
    def customers(self) -> CustomerRepository: ...
    @property
    def api_keys(self) -> ApiKeyRepository: ...
    @property
    def tokens(self) -> TokenRepository: ...
    @property
    def accounts(self) -> AccountRepository: ...
    @property
    def orders(self) -> OrderRepository: ...
    @property
    def fills(self) -> FillRepository: ...
    @property
    def journal(self) -> JournalRepository: ...
    @property
    def trades(self) -> TradeWriter: ...
    @property
    def ticks(self) -> TickRepository: ...
    @property
    def bars(self) -> BarRepository: ...
    @property
    def instrument_days(self) -> InstrumentDayRepository: ...
    @property
    def events(self) -> EventLog: ...
    @property
    def settings(self) -> SettingsRepository: ...
    @property
    def incidents(self) -> IncidentRepository: ...
    @property
    def key_security(self) -> KeySecurityRepository: ...
    @property
    def security_log(self) -> SecurityLogRepository: ...
    @property
    def record_log(self) -> RecordLog: ...
    @property
    def compliance(self) -> ComplianceRepository: ...
    @property
    def notices(self) -> NoticeRepository: ...
    @property
    def operations(self) -> OperationsRepository: ...


class Storage(Protocol):
    """A durable store opened from a URL (see ``hoga.bootstrap.open_storage``); its schema is
    migrated to the latest version when it is opened.

    The API is synchronous: a SQLite commit costs tens of microseconds, so the engine may call it
    directly or from a writer thread. Batch writes into one unit of work to share one commit.
    """

    @property
    def url(self) -> str:
        """The URL it was opened with, password masked."""
        ...

    def unit_of_work(self, *, read_only: bool = False) -> AbstractContextManager[UnitOfWork]:
        """Begin a transaction: commit on normal exit, roll back (and re-raise) on exception.
        ``read_only``: the block only reads (one consistent snapshot, never waiting for
        writers); a write in it fails."""
        ...

    def close(self) -> None:
        """Release connections. Idempotent; the storage must not be used afterwards."""
        ...
