"""Compliance: terms versions and consent, disputes and objections, onboarding applications.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Reserved in the chain; its owner adds the tables here."""


def downgrade() -> None:
    """Reserved in the chain; its owner drops the tables here."""
