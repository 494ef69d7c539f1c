"""Initial schema: identity, orders and fills, journal, market data, events, settings.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_ENV = "env IN ('mock', 'real')"
_SIDE = "side IN ('buy', 'sell')"


def _bars() -> list[sa.Column[int]]:
    return [
        sa.Column(name, sa.BigInteger, nullable=False)
        for name in ("open", "high", "low", "close", "volume", "turnover")
    ]


def upgrade() -> None:
    op.create_table(
        "sequences",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("env", sa.String(8), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.CheckConstraint(_ENV, name="env"),
    )
    op.create_table(
        "api_keys",
        sa.Column("appkey", sa.String(128), primary_key=True),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("customer_id", sa.String(64), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("env", sa.String(8), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("revoked_at", sa.BigInteger, nullable=True),
        sa.CheckConstraint(_ENV, name="env"),
    )
    op.create_index(op.f("ix_api_keys_customer_id"), "api_keys", ["customer_id"])
    op.create_table(
        "tokens",
        sa.Column("token_hash", sa.String(128), primary_key=True),
        sa.Column("appkey", sa.String(128), sa.ForeignKey("api_keys.appkey"), nullable=False),
        sa.Column("issued_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.Column("revoked_at", sa.BigInteger, nullable=True),
    )
    op.create_index(op.f("ix_tokens_appkey"), "tokens", ["appkey"])
    op.create_index(op.f("ix_tokens_expires_at"), "tokens", ["expires_at"])
    op.create_table(
        "accounts",
        sa.Column("account_no", sa.String(32), primary_key=True),
        sa.Column("customer_id", sa.String(64), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("env", sa.String(8), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.CheckConstraint(_ENV, name="env"),
    )
    op.create_index(op.f("ix_accounts_customer_id"), "accounts", ["customer_id"])
    _orders_and_fills()
    _journal()
    _market()
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_events_kind_seq", "events", ["kind", "seq"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def _orders_and_fills() -> None:
    op.create_table(
        "orders",
        sa.Column("ord_no", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("account", sa.String(32), sa.ForeignKey("accounts.account_no"), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("trde_tp", sa.String(4), nullable=False),
        sa.Column("price", sa.BigInteger, nullable=False),
        sa.Column("qty", sa.BigInteger, nullable=False),
        sa.Column("stop_price", sa.BigInteger, nullable=False),
        sa.Column("orig_ord_no", sa.BigInteger, nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("filled_qty", sa.BigInteger, nullable=False),
        sa.Column("open_qty", sa.BigInteger, nullable=False),
        sa.Column("exchange", sa.String(8), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.CheckConstraint(_SIDE, name="side"),
        sa.CheckConstraint("price >= 0 AND stop_price >= 0", name="prices"),
        sa.CheckConstraint(
            "qty > 0 AND filled_qty >= 0 AND open_qty >= 0 AND filled_qty + open_qty <= qty",
            name="quantities",
        ),
    )
    op.create_index("ix_orders_account_ord_no", "orders", ["account", "ord_no"])
    op.create_index("ix_orders_status", "orders", ["status"])
    op.create_index("ix_orders_open_qty", "orders", ["open_qty"])
    op.create_table(
        "fills",
        sa.Column("exec_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("ord_no", sa.BigInteger, sa.ForeignKey("orders.ord_no"), nullable=False),
        sa.Column("account", sa.String(32), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("price", sa.BigInteger, nullable=False),
        sa.Column("qty", sa.BigInteger, nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("fee", sa.BigInteger, nullable=False),
        sa.Column("tax", sa.BigInteger, nullable=False),
        sa.CheckConstraint(_SIDE, name="side"),
        sa.CheckConstraint("qty > 0 AND price >= 0 AND fee >= 0 AND tax >= 0", name="amounts"),
    )
    op.create_index(op.f("ix_fills_ord_no"), "fills", ["ord_no"])
    op.create_index("ix_fills_account_exec_id", "fills", ["account", "exec_id"])


def _journal() -> None:
    op.create_table(
        "journal_entries",
        sa.Column("entry_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("account", sa.String(32), nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_journal_entries_account_entry_id", "journal_entries", ["account", "entry_id"]
    )
    op.create_table(
        "journal_lines",
        sa.Column(
            "entry_id",
            sa.BigInteger,
            sa.ForeignKey("journal_entries.entry_id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("account", sa.String(32), nullable=False),
        sa.Column("asset", sa.String(16), nullable=False),
        sa.Column("book", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "ix_journal_lines_account_asset_book", "journal_lines", ["account", "asset", "book"]
    )


def _market() -> None:
    op.create_table(
        "ticks",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("price", sa.BigInteger, nullable=False),
        sa.Column("qty", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_ticks_code_at", "ticks", ["code", "at"])
    op.create_table(
        "minute_bars",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("start", sa.BigInteger, primary_key=True, autoincrement=False),
        *_bars(),
    )
    op.create_table(
        "daily_bars",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        *_bars(),
    )
    op.create_table(
        "instrument_days",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("base_price", sa.BigInteger, nullable=False),
        sa.Column("close", sa.BigInteger, nullable=True),
        sa.Column("halted", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "settings",
        "events",
        "instrument_days",
        "daily_bars",
        "minute_bars",
        "ticks",
        "journal_lines",
        "journal_entries",
        "fills",
        "orders",
        "accounts",
        "tokens",
        "api_keys",
        "customers",
        "sequences",
    ):
        op.drop_table(table)
