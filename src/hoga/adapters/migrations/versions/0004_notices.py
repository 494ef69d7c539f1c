"""Notices: the outbox, delivery attempts, channel preferences, maintenance windows.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Reserved in the chain; its owner adds the tables here."""


def downgrade() -> None:
    """Reserved in the chain; its owner drops the tables here."""
