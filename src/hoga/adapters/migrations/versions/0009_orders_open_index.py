"""Orders: one partial index of the working orders instead of indexes on status and open_qty.

``ix_orders_status`` and ``ix_orders_open_qty`` indexed every order ever placed, and each fill or
cancel of a resting order moved its entry from one place in them to another (a random page each,
in indexes that only grow). Nothing reads orders by status on a hot path, and recovery asks for
``open_qty > 0``: ``ix_orders_open`` holds exactly those orders, by order number, so it stays as
small as the book and an order leaves it when it is done.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

_OPEN = sa.text("open_qty > 0")


def upgrade() -> None:
    op.drop_index("ix_orders_status", table_name="orders")
    op.drop_index("ix_orders_open_qty", table_name="orders")
    op.create_index(
        "ix_orders_open", "orders", ["ord_no"], sqlite_where=_OPEN, postgresql_where=_OPEN
    )


def downgrade() -> None:
    op.drop_index("ix_orders_open", table_name="orders")
    op.create_index("ix_orders_open_qty", "orders", ["open_qty"])
    op.create_index("ix_orders_status", "orders", ["status"])
