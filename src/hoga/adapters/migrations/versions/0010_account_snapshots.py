"""Account snapshots: the latest ledger state of each account, so start-up replays only the
journal entries after it instead of every entry an account ever had.

A snapshot is a cache of the journal (one row per account, replaced as the account moves on),
not a record: dropping the table loses nothing but start-up time.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "account_snapshots",
        sa.Column("account", sa.String(32), primary_key=True),
        sa.Column(
            "entry_id", sa.BigInteger, sa.ForeignKey("journal_entries.entry_id"), nullable=False
        ),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("account_snapshots")
