"""SQLAlchemy Core tables of the SQL storage (SQLite and PostgreSQL share them).

This module describes the schema at the latest migration; the migrations under
``hoga/adapters/migrations/versions`` create it (a test checks the two agree). Change both
together: add a migration, never edit an applied one.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

__all__ = [
    "account_snapshots",
    "accounts",
    "api_keys",
    "auth_throttle",
    "compliance_cases",
    "compliance_log",
    "customer_options",
    "customers",
    "daily_bars",
    "events",
    "fills",
    "incident_notices",
    "incidents",
    "instrument_days",
    "journal_entries",
    "journal_lines",
    "key_access",
    "maintenance_windows",
    "metadata",
    "minute_bars",
    "notice_attempts",
    "notice_contacts",
    "notice_deliveries",
    "onboarding_applications",
    "orders",
    "outbox_notices",
    "record_customer_days",
    "record_log",
    "record_proofs",
    "security_log",
    "sequences",
    "service_changes",
    "settings",
    "terms_consents",
    "terms_versions",
    "ticks",
    "token_origins",
    "tokens",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_ENV = "env IN ('mock', 'real')"
_SIDE = "side IN ('buy', 'sell')"

sequences = Table(
    "sequences",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("env", String(8), nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    CheckConstraint(_ENV, name="env"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("appkey", String(128), primary_key=True),
    Column("secret_hash", Text, nullable=False),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("env", String(8), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
    CheckConstraint(_ENV, name="env"),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("appkey", String(128), ForeignKey("api_keys.appkey"), nullable=False, index=True),
    Column("issued_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False, index=True),
    Column("revoked_at", BigInteger, nullable=True),
)

accounts = Table(
    "accounts",
    metadata,
    Column("account_no", String(32), primary_key=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("env", String(8), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    CheckConstraint(_ENV, name="env"),
)

orders = Table(
    "orders",
    metadata,
    Column("ord_no", BigInteger, primary_key=True, autoincrement=False),
    Column("account", String(32), ForeignKey("accounts.account_no"), nullable=False),
    Column("code", String(16), nullable=False),
    Column("side", String(4), nullable=False),
    Column("trde_tp", String(4), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("stop_price", BigInteger, nullable=False),
    Column("orig_ord_no", BigInteger, nullable=True),
    Column("status", String(32), nullable=False),
    Column("filled_qty", BigInteger, nullable=False),
    Column("open_qty", BigInteger, nullable=False),
    Column("exchange", String(8), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    CheckConstraint(_SIDE, name="side"),
    CheckConstraint("price >= 0 AND stop_price >= 0", name="prices"),
    CheckConstraint(
        "qty > 0 AND filled_qty >= 0 AND open_qty >= 0 AND filled_qty + open_qty <= qty",
        name="quantities",
    ),
    Index("ix_orders_account_ord_no", "account", "ord_no"),
    # the working orders only (migration 0009): recovery's ``open_qty > 0`` reads it, and an
    # order leaves it when it is done instead of moving inside an index of every order ever
    Index(
        "ix_orders_open",
        "ord_no",
        sqlite_where=text("open_qty > 0"),
        postgresql_where=text("open_qty > 0"),
    ),
)

fills = Table(
    "fills",
    metadata,
    Column("exec_id", BigInteger, primary_key=True, autoincrement=False),
    Column("ord_no", BigInteger, ForeignKey("orders.ord_no"), nullable=False, index=True),
    Column("account", String(32), nullable=False),
    Column("code", String(16), nullable=False),
    Column("side", String(4), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("fee", BigInteger, nullable=False),
    Column("tax", BigInteger, nullable=False),
    CheckConstraint(_SIDE, name="side"),
    CheckConstraint("qty > 0 AND price >= 0 AND fee >= 0 AND tax >= 0", name="amounts"),
    Index("ix_fills_account_exec_id", "account", "exec_id"),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("entry_id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("account", String(32), nullable=False),
    Column("ref", Text, nullable=False),
    Index("ix_journal_entries_account_entry_id", "account", "entry_id"),
)

journal_lines = Table(
    "journal_lines",
    metadata,
    Column(
        "entry_id",
        BigInteger,
        ForeignKey("journal_entries.entry_id"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("account", String(32), nullable=False),
    Column("asset", String(16), nullable=False),
    Column("book", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    # no (account, …) index: per-account reads go through journal_entries (migration 0008)
)

#: the latest ledger-state snapshot of each account (a cache of the journal: recovery replays
#: only the entries after ``entry_id``; migration 0010)
account_snapshots = Table(
    "account_snapshots",
    metadata,
    Column("account", String(32), primary_key=True),
    Column("entry_id", BigInteger, ForeignKey("journal_entries.entry_id"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("state", Text, nullable=False),
)

ticks = Table(
    "ticks",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("qty", BigInteger, nullable=False),
    Index("ix_ticks_code_at", "code", "at"),
)


def _bar_columns() -> list[Column[int]]:
    return [
        Column(name, BigInteger, nullable=False)
        for name in ("open", "high", "low", "close", "volume", "turnover")
    ]


minute_bars = Table(
    "minute_bars",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("start", BigInteger, primary_key=True, autoincrement=False),
    *_bar_columns(),
)

daily_bars = Table(
    "daily_bars",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("day", Date, primary_key=True),
    *_bar_columns(),
)

instrument_days = Table(
    "instrument_days",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("base_price", BigInteger, nullable=False),
    Column("close", BigInteger, nullable=True),
    Column("halted", Boolean, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Index("ix_events_kind_seq", "kind", "seq"),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),
)

# --- access security (migration 0002) ---

key_access = Table(
    "key_access",
    metadata,
    Column("appkey", String(128), ForeignKey("api_keys.appkey"), primary_key=True),
    Column("allowed_ips", Text, nullable=False),  # space-separated CIDR networks
    Column("bind_token_ip", Boolean, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

token_origins = Table(
    "token_origins",
    metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("client_ip", String(64), nullable=False),
    Column("expires_at", BigInteger, nullable=False, index=True),
)

auth_throttle = Table(
    "auth_throttle",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_start", BigInteger, nullable=False),
    Column("locked_until", BigInteger, nullable=False),
    Column("level", Integer, nullable=False),
    Column("last_failure", BigInteger, nullable=False),
)

security_log = Table(
    "security_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id", String(128), nullable=False),
    Column("appkey", String(128), nullable=False),
    Column("client_ip", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("detail", Text, nullable=False),
    CheckConstraint("actor_kind IN ('customer', 'operator', 'anonymous')", name="actor_kind"),
    Index("ix_security_log_appkey_seq", "appkey", "seq"),
    Index("ix_security_log_actor_id_seq", "actor_id", "seq"),
)

# --- incidents: abnormal load, suspension, termination (migration 0003) ---

incidents = Table(
    "incidents",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("cause", String(32), nullable=False),
    Column("sanction", String(16), nullable=False),
    Column("opened_at", BigInteger, nullable=False),
    Column("ends_at", BigInteger, nullable=True),
    Column("deadline", BigInteger, nullable=False),
    Column("review", String(16), nullable=False),
    Column("phase", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("evidence", Text, nullable=True),  # canonical JSON of the detection's evidence
    Column("explanation", Text, nullable=False),
    Column("explained_at", BigInteger, nullable=True),
    Column("decided_at", BigInteger, nullable=True),
    Column("ended_at", BigInteger, nullable=True),
    Index("ix_incidents_phase_review", "phase", "review"),
)

incident_notices = Table(
    "incident_notices",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), nullable=True, index=True),
    Column("kind", String(32), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("channel", String(32), nullable=False),
)

# --- notices: outbox, deliveries, attempts, contacts; maintenance, service changes (0004) ---

outbox_notices = Table(
    "outbox_notices",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(48), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("ref", String(64), nullable=False, index=True),
    Column("params", Text, nullable=False),  # canonical JSON [[name, value], …]
)

notice_deliveries = Table(
    "notice_deliveries",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("notice_id", BigInteger, ForeignKey("outbox_notices.id"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("address", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("detail", Text, nullable=False),
    CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="delivery_status"),
    Index("ix_notice_deliveries_status_next_at", "status", "next_at"),
)

notice_attempts = Table(
    "notice_attempts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column(
        "delivery_id",
        BigInteger,
        ForeignKey("notice_deliveries.id"),
        nullable=False,
        index=True,
    ),
    Column("at", BigInteger, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("detail", Text, nullable=False),
)

notice_contacts = Table(
    "notice_contacts",
    metadata,
    Column("customer_id", String(64), ForeignKey("customers.id"), primary_key=True),
    Column("email", String(200), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("channels", String(100), nullable=False),  # space-separated channel codes, in order
    Column("updated_at", BigInteger, nullable=False),
)

maintenance_windows = Table(
    "maintenance_windows",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("scope", Text, nullable=False),  # space-separated scope entries
    Column("starts_at", BigInteger, nullable=False),
    Column("ends_at", BigInteger, nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("cancelled_at", BigInteger, nullable=True),
    Column("announced_at", BigInteger, nullable=True),
    Column("reminded_at", BigInteger, nullable=True),
    Column("reported_at", BigInteger, nullable=True),
    CheckConstraint("kind IN ('scheduled', 'emergency')", name="window_kind"),
    CheckConstraint("starts_at < ends_at", name="window_span"),
)

service_changes = Table(
    "service_changes",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(24), nullable=False),
    Column("title", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("api_ids", Text, nullable=False),  # space-separated api-ids
    Column("effective_at", BigInteger, nullable=False, index=True),
    Column("published_at", BigInteger, nullable=False),
    Column("notified_at", BigInteger, nullable=True),
)

# --- compliance: terms versions and consent, disputes, onboarding (migration 0006) ---

terms_versions = Table(
    "terms_versions",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("version", String(64), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("published_at", BigInteger, nullable=False),
    Column("effective_at", BigInteger, nullable=False, index=True),
    Column("urgent", Boolean, nullable=False),
    Column("sample", Boolean, nullable=False),
)

terms_consents = Table(
    "terms_consents",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("version_id", BigInteger, ForeignKey("terms_versions.id"), nullable=False, index=True),
    Column("action", String(16), nullable=False),
    Column("at", BigInteger, nullable=False),
    CheckConstraint(
        "action IN ('consent', 'objection', 'deemed', 'termination')", name="consent_action"
    ),
)

compliance_cases = Table(
    "compliance_cases",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("filed_at", BigInteger, nullable=False),
    Column("deadline", BigInteger, nullable=False),
    Column("schedule", Text, nullable=False),  # canonical JSON [[at, milestone], ...]
    Column("state", String(16), nullable=False, index=True),
    Column("reached", Integer, nullable=False),
    Column("answer", Text, nullable=False),
    Column("answered_at", BigInteger, nullable=True),
    Column("escalated_at", BigInteger, nullable=True),
    Column("closed_at", BigInteger, nullable=True),
    CheckConstraint("kind IN ('dispute', 'objection')", name="case_kind"),
)

onboarding_applications = Table(
    "onboarding_applications",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("client_ip", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("birth_date", String(8), nullable=False),
    Column("phone_tail", String(4), nullable=False),
    Column("held_account", String(16), nullable=False),
    Column("env", String(8), nullable=False),
    Column("ai_assistant", Boolean, nullable=False),
    Column("terms_version_id", BigInteger, ForeignKey("terms_versions.id"), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("reason", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("submitted_at", BigInteger, nullable=False),
    Column("decided_at", BigInteger, nullable=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=True),
    Column("appeal", Text, nullable=False),
    Column("appealed_at", BigInteger, nullable=True),
    Column("note", Text, nullable=False),
    CheckConstraint(_ENV, name="env"),
    Index("ix_onboarding_applications_client_ip_submitted_at", "client_ip", "submitted_at"),
)

customer_options = Table(
    "customer_options",
    metadata,
    Column("customer_id", String(64), ForeignKey("customers.id"), primary_key=True),
    Column("ai_assistant", Boolean, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

compliance_log = Table(
    "compliance_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("topic", String(16), nullable=False),
    Column("ref", String(64), nullable=False),
    Column("customer_id", String(64), nullable=True, index=True),
    Column("event", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("channel", String(64), nullable=False),
    Index("ix_compliance_log_topic_ref", "topic", "ref"),
)

# --- records: the hash-chained record log and its signed proofs (migration 0005) ---

record_log = Table(
    "record_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("customer_id", String(64), nullable=False),  # "" for none (and once shredded)
    Column("payload", Text, nullable=False),  # canonical JSON text ("" once shredded)
    Column("ref", BigInteger, nullable=True),  # the seq a correction refers to
    Column("salt", String(64), nullable=False),  # "" once shredded
    Column("digest", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Which records each customer has, by KST day: the seq range of the day's records that name the
# customer (migration 0007). A customer's records are found through it instead of a per-record
# (customer_id, at) index, whose random insert per record cost more than the record itself.
record_customer_days = Table(
    "record_customer_days",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("day", Integer, primary_key=True),  # KST days since 1970-01-01
    Column("first_seq", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
)

record_proofs = Table(
    "record_proofs",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),  # checkpoint | purge
    Column("label", String(64), nullable=False),  # a checkpoint's KST day
    Column("at", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("body", Text, nullable=False),  # canonical JSON, what is signed
    Column("signature", Text, nullable=False),  # hex Ed25519 signature ("" unsigned)
    CheckConstraint("kind IN ('checkpoint', 'purge')", name="kind"),
    Index("ix_record_proofs_kind_label", "kind", "label"),
)
