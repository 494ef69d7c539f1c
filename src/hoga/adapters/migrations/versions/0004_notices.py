"""Notices: the outbox, delivery attempts, channel preferences, maintenance windows.

Also the service-change announcements (terms art. 16).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_notices",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("customer_id", sa.String(64), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
    )
    op.create_index(op.f("ix_outbox_notices_customer_id"), "outbox_notices", ["customer_id"])
    op.create_index(op.f("ix_outbox_notices_ref"), "outbox_notices", ["ref"])
    op.create_table(
        "notice_deliveries",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("notice_id", sa.BigInteger, sa.ForeignKey("outbox_notices.id"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="delivery_status"),
    )
    op.create_index(op.f("ix_notice_deliveries_notice_id"), "notice_deliveries", ["notice_id"])
    op.create_index(
        "ix_notice_deliveries_status_next_at", "notice_deliveries", ["status", "next_at"]
    )
    op.create_table(
        "notice_attempts",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column(
            "delivery_id", sa.BigInteger, sa.ForeignKey("notice_deliveries.id"), nullable=False
        ),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index(op.f("ix_notice_attempts_delivery_id"), "notice_attempts", ["delivery_id"])
    op.create_table(
        "notice_contacts",
        sa.Column("customer_id", sa.String(64), sa.ForeignKey("customers.id"), primary_key=True),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("channels", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "maintenance_windows",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("starts_at", sa.BigInteger, nullable=False),
        sa.Column("ends_at", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("cancelled_at", sa.BigInteger, nullable=True),
        sa.Column("announced_at", sa.BigInteger, nullable=True),
        sa.Column("reminded_at", sa.BigInteger, nullable=True),
        sa.Column("reported_at", sa.BigInteger, nullable=True),
        sa.CheckConstraint("kind IN ('scheduled', 'emergency')", name="window_kind"),
        sa.CheckConstraint("starts_at < ends_at", name="window_span"),
    )
    op.create_index(op.f("ix_maintenance_windows_ends_at"), "maintenance_windows", ["ends_at"])
    op.create_table(
        "service_changes",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("api_ids", sa.Text, nullable=False),
        sa.Column("effective_at", sa.BigInteger, nullable=False),
        sa.Column("published_at", sa.BigInteger, nullable=False),
        sa.Column("notified_at", sa.BigInteger, nullable=True),
    )
    op.create_index(op.f("ix_service_changes_effective_at"), "service_changes", ["effective_at"])


def downgrade() -> None:
    op.drop_table("service_changes")
    op.drop_table("maintenance_windows")
    op.drop_table("notice_contacts")
    op.drop_table("notice_attempts")
    op.drop_table("notice_deliveries")
    op.drop_table("outbox_notices")
