"""Incidents (abnormal load, suspension, termination) and the notices sent about them.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("customer_id", sa.String(64), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("cause", sa.String(32), nullable=False),
        sa.Column("sanction", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.BigInteger, nullable=False),
        sa.Column("ends_at", sa.BigInteger, nullable=True),
        sa.Column("deadline", sa.BigInteger, nullable=False),
        sa.Column("review", sa.String(16), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=True),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("explained_at", sa.BigInteger, nullable=True),
        sa.Column("decided_at", sa.BigInteger, nullable=True),
        sa.Column("ended_at", sa.BigInteger, nullable=True),
    )
    op.create_index(op.f("ix_incidents_customer_id"), "incidents", ["customer_id"])
    op.create_index("ix_incidents_phase_review", "incidents", ["phase", "review"])
    op.create_table(
        "incident_notices",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("customer_id", sa.String(64), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("incident_id", sa.BigInteger, sa.ForeignKey("incidents.id"), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
    )
    op.create_index(op.f("ix_incident_notices_customer_id"), "incident_notices", ["customer_id"])
    op.create_index(op.f("ix_incident_notices_incident_id"), "incident_notices", ["incident_id"])


def downgrade() -> None:
    op.drop_table("incident_notices")
    op.drop_table("incidents")
