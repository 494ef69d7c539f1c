"""Access security: key access settings (IP allow-list, token binding), token origins,
failed-authentication throttle state, and the append-only security record.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "key_access",
        sa.Column("appkey", sa.String(128), sa.ForeignKey("api_keys.appkey"), primary_key=True),
        sa.Column("allowed_ips", sa.Text, nullable=False),
        sa.Column("bind_token_ip", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "token_origins",
        sa.Column("token_hash", sa.String(128), primary_key=True),
        sa.Column("client_ip", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),
    )
    op.create_table(
        "auth_throttle",
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_start", sa.BigInteger, nullable=False),
        sa.Column("locked_until", sa.BigInteger, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("last_failure", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "security_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(128), nullable=False),
        sa.Column("appkey", sa.String(128), nullable=False),
        sa.Column("client_ip", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.CheckConstraint(
            "actor_kind IN ('customer', 'operator', 'anonymous')", name="actor_kind"
        ),
        sa.Index("ix_security_log_appkey_seq", "appkey", "seq"),
        sa.Index("ix_security_log_actor_id_seq", "actor_id", "seq"),
    )


def downgrade() -> None:
    for table in ("security_log", "auth_throttle", "token_origins", "key_access"):
        op.drop_table(table)
