"""Journal: no ``(account, asset, book)`` index on ``journal_lines``.

That index took a random b-tree insert per journal line: every order posts several lines to
different (asset, book) groups of its account, so each group's end soon sat on a leaf page of its
own and every group commit dirtied one page per line, more as the table grew (the order
benchmark lost a third of its throughput within a minute). Nothing on the order path reads it:
account states are rebuilt from the account's entries (the ``(account, entry_id)`` index of
``journal_entries``), and the per-account sums now go through the same index and the lines'
primary key.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.drop_index("ix_journal_lines_account_asset_book", table_name="journal_lines")


def downgrade() -> None:
    op.create_index(
        "ix_journal_lines_account_asset_book", "journal_lines", ["account", "asset", "book"]
    )
