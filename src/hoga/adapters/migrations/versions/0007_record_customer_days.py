"""Records: find a customer's records by KST day instead of a per-record index.

The ``(customer_id, at)`` index on ``record_log`` took one random b-tree insert per record (with
many customers active, every flush dirtied a leaf page per customer, and the cost grew with the
table); ``record_customer_days`` keeps, per customer and KST day, the seq range of the records
that name the customer, written once per flush and customer. Existing records are indexed here.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

_KST_US = 9 * 3_600_000_000
_DAY_US = 86_400_000_000


def upgrade() -> None:
    op.create_table(
        "record_customer_days",
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Integer, primary_key=True),
        sa.Column("first_seq", sa.BigInteger, nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO record_customer_days (customer_id, day, first_seq, last_seq)"
        f" SELECT customer_id, CAST((at + {_KST_US}) / {_DAY_US} AS INTEGER), MIN(seq), MAX(seq)"
        " FROM record_log WHERE customer_id <> ''"
        f" GROUP BY customer_id, CAST((at + {_KST_US}) / {_DAY_US} AS INTEGER)"
    )
    op.drop_index("ix_record_log_customer_id_at", table_name="record_log")


def downgrade() -> None:
    op.create_index("ix_record_log_customer_id_at", "record_log", ["customer_id", "at"])
    op.drop_table("record_customer_days")
