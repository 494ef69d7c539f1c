"""Records: the hash-chained append-only record log, checkpoints and purge proofs.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Reserved in the chain; its owner adds the tables here."""


def downgrade() -> None:
    """Reserved in the chain; its owner drops the tables here."""
