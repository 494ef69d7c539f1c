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

from hoga.domain.disputes import Case
from hoga.domain.model import Side
from hoga.domain.records import Record
from hoga.domain.suspension import Incident
from hoga.domain.terms import Consent, TermsVersion

__all__ = [
    "AccountRecord",
    "AccountRepository",
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
    "OrderRecord",
    "OrderRepository",
    "OutboxNotice",
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
    "TradeTick",
    "UnitOfWork",
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
class KeyAccessRecord:
    """Access settings of an app key: the networks it may be used from (``allowed_ips``,
    normalized CIDR strings such as ``"203.0.113.7/32"`` or ``"2001:db8::/48"``; empty means
    anywhere) and whether a token only works from the IP it was issued to (``bind_token_ip``)."""

    appkey: str
    allowed_ips: tuple[str, ...]
    bind_token_ip: bool
    updated_at: int


@dataclass(frozen=True, slots=True)
class AuthThrottleRecord:
    """Failed-authentication state of one ``scope`` (``"appkey:<key>"`` or ``"ip:<address>"``):
    ``failures`` counted since ``window_start``, refusals until ``locked_until`` (0: none),
    ``level`` lockouts so far (the next lasts longer), ``last_failure``. Times are epoch µs."""

    scope: str
    failures: int
    window_start: int
    locked_until: int
    level: int
    last_failure: int


@dataclass(frozen=True, slots=True)
class SecurityRecord:
    """One security-relevant fact, appended and never changed: an authentication failure or an
    operator / customer action on access media. ``seq`` is gap-free from 1; ``actor_kind`` is
    ``"customer"``, ``"operator"`` or ``"anonymous"``; ``outcome`` ``"ok"`` or ``"refused"``."""

    seq: int
    at: int
    actor_kind: str
    actor_id: str
    appkey: str
    client_ip: str
    action: str
    outcome: str
    detail: str


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
        self, account: str, *, since: int | None = None, until: int | None = None
    ) -> list[JournalEntry]:
        """The account's entries with ``since <= at < until``, ordered by entry id; lines keep
        the order they were posted in."""
        ...

    def balance(self, account: str, asset: str, book: str) -> int:
        """Sum of the amounts posted to (``asset``, ``book``) for ``account`` (0 if none)."""
        ...

    def balances(self, account: str) -> dict[tuple[str, str], int]:
        """All non-zero sums for ``account``, keyed by (asset, book)."""
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


class KeySecurityRepository(Protocol):
    """Access settings and secrets of app keys, token origins, and failed-authentication state."""

    def access(self, appkey: str) -> KeyAccessRecord | None:
        """The key's access settings (``None``: never set — anywhere, no binding)."""
        ...

    def set_access(self, record: KeyAccessRecord) -> None:
        """Insert or replace; the app key must exist (StorageError otherwise)."""
        ...

    def set_secret_hash(self, appkey: str, secret_hash: str) -> ApiKeyRecord:
        """Replace the key's secret hash (rotation); NotFoundError if the key is missing."""
        ...

    def bind_token(self, token_hash: str, client_ip: str, expires_at: int) -> None:
        """Remember the IP a token was issued to (insert or replace)."""
        ...

    def token_ip(self, token_hash: str) -> str | None:
        """The IP the token was issued to, if it was bound."""
        ...

    def delete_bindings(self, before: int) -> int:
        """Forget bindings of tokens with ``expires_at < before``; return how many."""
        ...

    def throttle(self, scope: str) -> AuthThrottleRecord | None: ...

    def put_throttle(self, record: AuthThrottleRecord) -> None:
        """Insert or replace the state of ``record.scope``."""
        ...

    def clear_throttle(self, scope: str) -> bool:
        """Forget the scope's state; return whether it existed."""
        ...


class SecurityLogRepository(Protocol):
    """The append-only security record (who did what to access media, from where, and how it
    ended). Rows are never updated or deleted through this port."""

    def append(
        self,
        at: int,
        actor_kind: str,
        actor_id: str,
        appkey: str,
        client_ip: str,
        action: str,
        outcome: str,
        detail: str,
    ) -> SecurityRecord:
        """Append with the next sequence number (the ``"security_log"`` sequence)."""
        ...

    def read(
        self,
        after: int = 0,
        *,
        limit: int | None = None,
        appkey: str | None = None,
        actor_id: str | None = None,
    ) -> list[SecurityRecord]:
        """Records with ``seq > after`` (optionally of one app key and/or actor), by seq."""
        ...


# --- incidents (abnormal load, suspension, termination) ------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    """A notice sent to a customer (terms art. 8 ①, 9 ①: the reason of a suspension or
    termination, decisions on explanations). ``id`` is drawn by the repository (gap-free from
    1); ``incident_id`` names the incident it is about (``None`` for none); ``channel`` is where
    it went (``"memory"`` until a real channel exists)."""

    id: int
    at: int
    customer_id: str
    incident_id: int | None
    kind: str
    subject: str
    body: str
    channel: str


class IncidentRepository(Protocol):
    """Incidents of :mod:`hoga.domain.suspension` (with their evidence) and the notices sent
    about them. Incident ids come from :meth:`allocate_id`; the customer must exist."""

    def allocate_id(self) -> int:
        """Draw the next incident id (the ``"incident"`` sequence: 1, 2, 3, …)."""
        ...

    def add(self, incident: Incident) -> None:
        """Insert; a duplicate id or an unknown customer raises StorageError."""
        ...

    def get(self, incident_id: int) -> Incident | None: ...

    def update(self, incident: Incident) -> Incident:
        """Replace the stored incident of ``incident.id`` (NotFoundError if missing); the
        customer, cause and opening time are kept as first stored."""
        ...

    def by_customer(self, customer_id: str) -> list[Incident]:
        """The customer's incidents, ordered by id."""
        ...

    def add_notice(
        self,
        at: int,
        customer_id: str,
        incident_id: int | None,
        kind: str,
        subject: str,
        body: str,
        channel: str,
    ) -> NoticeRecord:
        """Append a notice with the next notice id."""
        ...

    def notices(
        self, *, customer_id: str | None = None, incident_id: int | None = None
    ) -> list[NoticeRecord]:
        """Notices (of one customer and/or incident if given), ordered by id."""
        ...

    def list(self, *, open_only: bool = False) -> list[Incident]:
        """All incidents (``open_only``: those in force or whose review awaits an explanation
        or a decision), ordered by id."""
        ...


# --- notices: outbox, deliveries, contacts; maintenance windows, service changes ------------


@dataclass(frozen=True, slots=True)
class OutboxNotice:
    """A notice accepted by the outbox (terms art. 4 ⑤, 12, 15, 16), kept for good.

    ``id`` is drawn by the repository (the ``"outbox_notice"`` sequence, gap-free from 1);
    ``kind`` is the template code (``"maintenance_scheduled"``, ``"service_change"``, …);
    ``subject`` and ``body`` are the rendered Korean text; ``ref`` names what it is about
    (``"maintenance:3"``, ``"service_change:2"``, ``"incident:5"``; ``""`` for nothing);
    ``params`` are the template variables as sorted (name, value) pairs."""

    id: int
    at: int
    customer_id: str
    kind: str
    subject: str
    body: str
    ref: str
    params: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One channel's delivery of one notice. ``status`` is ``"pending"`` (to be tried at
    ``next_at``), ``"delivered"`` or ``"failed"`` (gave up; an operator may retry it);
    ``attempts`` counts the attempts so far; ``detail`` is the last attempt's detail (the
    provider's reference when delivered)."""

    id: int
    notice_id: int
    channel: str
    address: str
    status: str
    attempts: int
    next_at: int
    updated_at: int
    detail: str


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One delivery attempt, appended and never changed (``id`` gap-free from 1)."""

    id: int
    delivery_id: int
    at: int
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """Where a customer wants notices: addresses and the chosen ``channels`` (codes of
    :data:`hoga.ports.notifier.CHANNELS`, in the customer's order; empty: the notice box
    only — every notice is also readable through the API)."""

    customer_id: str
    email: str
    phone: str
    channels: tuple[str, ...]
    updated_at: int


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    """A maintenance window (terms art. 4 ④, 12): ``kind`` ``"scheduled"`` or
    ``"emergency"``; ``scope`` the parts it closes (``"all"``, ``"orders"``, ``"websocket"``,
    ``"path:/api/dostk/…"``, ``"api:<api-id>"``); ``starts_at <= t < ends_at`` is inside.
    ``cancelled_at`` is set when a window is called off; the ``*_at`` notice stamps record when
    the advance announcement, the reminder and the after-the-fact report went out."""

    id: int
    kind: str
    scope: tuple[str, ...]
    starts_at: int
    ends_at: int
    reason: str
    created_at: int
    created_by: str
    cancelled_at: int | None = None
    announced_at: int | None = None
    reminded_at: int | None = None
    reported_at: int | None = None


@dataclass(frozen=True, slots=True)
class ServiceChange:
    """A service-change announcement (terms art. 16): ``kind`` ``"api_added"``,
    ``"api_retired"``, ``"limit_changed"`` or ``"other"``; the ``api_ids`` it concerns; when it
    takes effect; when it was published and when its notices were queued (``None``: not yet)."""

    id: int
    kind: str
    title: str
    detail: str
    api_ids: tuple[str, ...]
    effective_at: int
    published_at: int
    notified_at: int | None = None


class NoticeRepository(Protocol):
    """The notice outbox: notices, their per-channel deliveries, every delivery attempt, and the
    customers' contact choices. Notices and attempts are append-only; a delivery changes only
    through :meth:`record_attempt` and :meth:`reschedule`."""

    def add(
        self,
        at: int,
        customer_id: str,
        kind: str,
        subject: str,
        body: str,
        ref: str = "",
        params: Sequence[tuple[str, str]] = (),
    ) -> OutboxNotice:
        """Append a notice with the next id; the customer must exist (StorageError)."""
        ...

    def get(self, notice_id: int) -> OutboxNotice | None: ...

    def find(
        self,
        *,
        customer_id: str | None = None,
        ref: str | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[OutboxNotice]:
        """Notices with ``id > after`` (of one customer and/or ref), ordered by id."""
        ...

    def add_delivery(
        self, notice_id: int, channel: str, address: str, next_at: int
    ) -> DeliveryRecord:
        """Append a pending delivery (0 attempts) of an existing notice, due at ``next_at``."""
        ...

    def delivery(self, delivery_id: int) -> DeliveryRecord | None: ...

    def deliveries(
        self, *, notice_id: int | None = None, status: str | None = None
    ) -> list[DeliveryRecord]:
        """Deliveries (of one notice and/or in one status), ordered by id."""
        ...

    def due(self, now: int, limit: int | None = None) -> list[DeliveryRecord]:
        """Pending deliveries with ``next_at <= now``, ordered by (next_at, id)."""
        ...

    def next_due(self) -> int | None:
        """The earliest ``next_at`` of a pending delivery (None: nothing pending)."""
        ...

    def record_attempt(
        self, delivery_id: int, at: int, ok: bool, detail: str, *, status: str, next_at: int
    ) -> DeliveryRecord:
        """Append an attempt and update the delivery (attempts + 1, status, next_at, detail,
        updated_at = at); NotFoundError if the delivery is missing."""
        ...

    def reschedule(self, delivery_id: int, next_at: int, at: int) -> DeliveryRecord:
        """Make a delivery pending again at ``next_at`` (attempts kept); NotFoundError."""
        ...

    def attempts(self, delivery_id: int | None = None) -> list[DeliveryAttempt]:
        """Attempts (of one delivery), ordered by id."""
        ...

    def contact(self, customer_id: str) -> ContactRecord | None: ...

    def put_contact(self, record: ContactRecord) -> None:
        """Insert or replace; the customer must exist (StorageError otherwise)."""
        ...


class OperationsRepository(Protocol):
    """Maintenance windows and service-change announcements. Ids are drawn by the repository
    (sequences ``"maintenance"`` and ``"service_change"``, gap-free from 1)."""

    def add_window(
        self,
        kind: str,
        scope: Sequence[str],
        starts_at: int,
        ends_at: int,
        reason: str,
        created_at: int,
        created_by: str,
    ) -> MaintenanceWindow:
        """Append a window with the next id (``starts_at < ends_at``, else StorageError)."""
        ...

    def window(self, window_id: int) -> MaintenanceWindow | None: ...

    def update_window(self, window: MaintenanceWindow) -> MaintenanceWindow:
        """Replace the stored window of ``window.id`` (NotFoundError if missing); kind, scope,
        start, reason and creation are kept as first stored."""
        ...

    def windows(self, *, ending_after: int | None = None) -> list[MaintenanceWindow]:
        """Windows (with ``ends_at > ending_after`` if given; cancelled ones too), ordered by
        (starts_at, id)."""
        ...

    def add_change(
        self,
        kind: str,
        title: str,
        detail: str,
        api_ids: Sequence[str],
        effective_at: int,
        published_at: int,
    ) -> ServiceChange:
        """Append an announcement with the next id."""
        ...

    def change(self, change_id: int) -> ServiceChange | None: ...

    def mark_change_notified(self, change_id: int, at: int) -> ServiceChange:
        """Set ``notified_at`` (kept if already set); NotFoundError if missing."""
        ...

    def changes(self, *, effective_after: int | None = None) -> list[ServiceChange]:
        """Announcements (taking effect strictly after ``effective_after`` if given), ordered
        by (effective_at, id)."""
        ...


# --- compliance: terms versions and consent, disputes, onboarding (migration 0006) ----------


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    """An application for the Open API service (terms art. 6, 7), made before the applicant
    holds any key. ``token_hash`` is the SHA-256 hex of the applicant's application token (the
    only way to read or appeal it). ``status`` is owned by the onboarding service (``issued``,
    ``refused``, ``appealed``, ``approved``, ``appeal_rejected``); ``reason`` is a stable code
    and ``detail`` the Korean text of a refusal. Only the last 4 digits of the phone number are
    kept. ``customer_id`` is set once keys were issued."""

    id: int
    token_hash: str
    client_ip: str
    name: str
    birth_date: str
    phone_tail: str
    held_account: str
    env: str
    ai_assistant: bool
    terms_version_id: int
    status: str
    reason: str
    detail: str
    submitted_at: int
    decided_at: int | None = None
    customer_id: str | None = None
    appeal: str = ""
    appealed_at: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class ComplianceLogRecord:
    """One step of a compliance workflow or a notice sent about it, appended and never changed.
    ``topic`` is ``"terms"``, ``"case"``, ``"application"`` or ``"assistant"``; ``ref`` names the
    subject (a version label, a case or application id); ``channel`` is where a notice went
    (``""`` for a step that is not a notice). ``id`` is gap-free from 1."""

    id: int
    at: int
    topic: str
    ref: str
    customer_id: str | None
    event: str
    detail: str
    channel: str = ""


class ComplianceRepository(Protocol):
    """Terms versions and consents (:mod:`hoga.domain.terms`), disputes and objections
    (:mod:`hoga.domain.disputes`), onboarding applications, the AI-assistant opt-in of
    customers, and the compliance log. Ids come from the ``allocate_*`` methods (sequences
    ``"terms_version"``, ``"compliance_case"``, ``"onboarding_application"``)."""

    def allocate_terms_id(self) -> int: ...

    def add_terms(self, version: TermsVersion) -> None:
        """Insert; a duplicate id or label raises StorageError."""
        ...

    def terms_versions(self) -> list[TermsVersion]:
        """Every version, ordered by effective instant then id."""
        ...

    def add_consent(self, consent: Consent) -> None:
        """Append; the customer and the version must exist (StorageError otherwise)."""
        ...

    def consents(
        self, *, customer_id: str | None = None, version_id: int | None = None
    ) -> list[Consent]:
        """Consents (of one customer and/or version if given), in the order appended."""
        ...

    def allocate_case_id(self) -> int: ...

    def add_case(self, case: Case) -> None:
        """Insert; a duplicate id or an unknown customer raises StorageError."""
        ...

    def get_case(self, case_id: int) -> Case | None: ...

    def update_case(self, case: Case) -> Case:
        """Replace the stored case of ``case.id`` (NotFoundError if missing); customer, kind,
        subject, body, filing time, deadline and schedule are kept as first stored."""
        ...

    def cases(self, *, customer_id: str | None = None, open_only: bool = False) -> list[Case]:
        """Cases (of one customer; ``open_only``: state ``open``), ordered by id."""
        ...

    def allocate_application_id(self) -> int: ...

    def add_application(self, application: ApplicationRecord) -> None:
        """Insert; a duplicate id or token hash raises StorageError."""
        ...

    def get_application(self, application_id: int) -> ApplicationRecord | None: ...

    def application_by_token(self, token_hash: str) -> ApplicationRecord | None: ...

    def update_application(self, application: ApplicationRecord) -> ApplicationRecord:
        """Replace the mutable fields (status, reason, detail, decided_at, customer_id, appeal,
        appealed_at, note) of ``application.id``; NotFoundError if missing."""
        ...

    def applications(self, *, status: str | None = None) -> list[ApplicationRecord]:
        """Applications (in one status if given), ordered by id."""
        ...

    def applications_since(self, client_ip: str, since: int) -> int:
        """How many applications came from ``client_ip`` at or after ``since``."""
        ...

    def set_assistant(self, customer_id: str, enabled: bool, at: int) -> None:
        """Store the customer's AI-assistant opt-in (insert or replace; customer must exist)."""
        ...

    def assistant(self, customer_id: str) -> bool | None:
        """The customer's AI-assistant opt-in (None: never set)."""
        ...

    def append_log(
        self,
        at: int,
        topic: str,
        ref: str,
        customer_id: str | None,
        event: str,
        detail: str,
        channel: str = "",
    ) -> ComplianceLogRecord:
        """Append with the next id (the ``"compliance_log"`` sequence)."""
        ...

    def log(
        self,
        *,
        topic: str | None = None,
        ref: str | None = None,
        customer_id: str | None = None,
    ) -> list[ComplianceLogRecord]:
        """Log rows (filtered by each given field), ordered by id."""
        ...


# --- records (terms art. 14): the hash-chained record log and its signed proofs ---------------


@dataclass(frozen=True, slots=True)
class RecordProof:
    """A signed document about the record log (:mod:`hoga.engine.records`): a daily
    ``checkpoint`` (``label`` = the KST day it closes) or a ``purge`` proof. ``body`` is the
    canonical JSON that ``signature`` (hex Ed25519, ``""`` when unsigned) signs; ``last_seq``
    the last record it covers. ``id`` is drawn by the repository (gap-free from 1)."""

    id: int
    kind: str
    label: str
    at: int
    last_seq: int
    body: str
    signature: str


class RecordLog(Protocol):
    """The append-only record chain of :mod:`hoga.domain.records` (rows are
    :class:`~hoga.domain.records.Record`), its proofs, and read-only tails of the tables it
    chains (journal entries, incident notices). Rows are changed only by :meth:`shred` and
    removed only by :meth:`delete_through` (retention); verification finds anything else."""

    def lock(self) -> None:
        """Serialize appenders until the unit of work ends (PostgreSQL: an advisory lock;
        SQLite units of work already hold the write lock)."""
        ...

    def append(self, records: Sequence[Record]) -> None:
        """Insert sealed records (a duplicate seq raises StorageError)."""
        ...

    def last(self) -> Record | None:
        """The record with the highest seq."""
        ...

    def get(self, seq: int) -> Record | None: ...

    def read(self, after: int = 0, *, through: int | None = None, limit: int | None = None) -> (
        list[Record]
    ):
        """Records with ``after < seq <= through``, ordered by seq, at most ``limit``."""
        ...

    def by_customer(
        self, customer_id: str, *, since: int | None = None, until: int | None = None
    ) -> list[Record]:
        """The customer's records with ``since <= at < until``, ordered by seq."""
        ...

    def shred(self, seqs: Sequence[int]) -> int:
        """Blank customer, payload and salt of these records; return how many."""
        ...

    def delete_through(self, seq: int) -> int:
        """Delete every record with ``seq <= seq``; return how many."""
        ...

    def add_proof(
        self, kind: str, label: str, at: int, last_seq: int, body: str, signature: str
    ) -> RecordProof:
        """Append a proof with the next id (the ``"record_proof"`` sequence)."""
        ...

    def proofs(self, kind: str | None = None) -> list[RecordProof]:
        """Proofs (of one kind if given), ordered by id."""
        ...

    def journal_after(self, entry_id: int, limit: int) -> list[JournalEntry]:
        """Journal entries of every account with ``entry_id`` greater, by entry id."""
        ...

    def notices_after(self, notice_id: int, limit: int) -> list[NoticeRecord]:
        """Incident notices with a greater id, by id."""
        ...


# --- unit of work and storage ---------------------------------------------------------------


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

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """Begin a transaction: commit on normal exit, roll back (and re-raise) on exception."""
        ...

    def close(self) -> None:
        """Release connections. Idempotent; the storage must not be used afterwards."""
        ...
