"""Compliance: terms versions and consent, disputes and objections, onboarding applications.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

_CUSTOMER = "customers.id"


def upgrade() -> None:
    op.create_table(
        "terms_versions",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("published_at", sa.BigInteger, nullable=False),
        sa.Column("effective_at", sa.BigInteger, nullable=False),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("sample", sa.Boolean, nullable=False),
        sa.UniqueConstraint("version", name=op.f("uq_terms_versions_version")),
    )
    op.create_index(op.f("ix_terms_versions_effective_at"), "terms_versions", ["effective_at"])
    op.create_table(
        "terms_consents",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("customer_id", sa.String(64), sa.ForeignKey(_CUSTOMER), nullable=False),
        sa.Column("version_id", sa.BigInteger, sa.ForeignKey("terms_versions.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.CheckConstraint(
            "action IN ('consent', 'objection', 'deemed', 'termination')", name="consent_action"
        ),
    )
    op.create_index(op.f("ix_terms_consents_customer_id"), "terms_consents", ["customer_id"])
    op.create_index(op.f("ix_terms_consents_version_id"), "terms_consents", ["version_id"])
    op.create_table(
        "compliance_cases",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("customer_id", sa.String(64), sa.ForeignKey(_CUSTOMER), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("filed_at", sa.BigInteger, nullable=False),
        sa.Column("deadline", sa.BigInteger, nullable=False),
        sa.Column("schedule", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reached", sa.Integer, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("answered_at", sa.BigInteger, nullable=True),
        sa.Column("escalated_at", sa.BigInteger, nullable=True),
        sa.Column("closed_at", sa.BigInteger, nullable=True),
        sa.CheckConstraint("kind IN ('dispute', 'objection')", name="case_kind"),
    )
    op.create_index(op.f("ix_compliance_cases_customer_id"), "compliance_cases", ["customer_id"])
    op.create_index(op.f("ix_compliance_cases_state"), "compliance_cases", ["state"])
    op.create_table(
        "onboarding_applications",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("client_ip", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("birth_date", sa.String(8), nullable=False),
        sa.Column("phone_tail", sa.String(4), nullable=False),
        sa.Column("held_account", sa.String(16), nullable=False),
        sa.Column("env", sa.String(8), nullable=False),
        sa.Column("ai_assistant", sa.Boolean, nullable=False),
        sa.Column(
            "terms_version_id", sa.BigInteger, sa.ForeignKey("terms_versions.id"), nullable=False
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("submitted_at", sa.BigInteger, nullable=False),
        sa.Column("decided_at", sa.BigInteger, nullable=True),
        sa.Column("customer_id", sa.String(64), sa.ForeignKey(_CUSTOMER), nullable=True),
        sa.Column("appeal", sa.Text, nullable=False),
        sa.Column("appealed_at", sa.BigInteger, nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.CheckConstraint("env IN ('mock', 'real')", name="env"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_onboarding_applications_token_hash")),
    )
    op.create_index(
        op.f("ix_onboarding_applications_status"), "onboarding_applications", ["status"]
    )
    op.create_index(
        "ix_onboarding_applications_client_ip_submitted_at",
        "onboarding_applications",
        ["client_ip", "submitted_at"],
    )
    op.create_table(
        "customer_options",
        sa.Column("customer_id", sa.String(64), sa.ForeignKey(_CUSTOMER), primary_key=True),
        sa.Column("ai_assistant", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "compliance_log",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("topic", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=True),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
    )
    op.create_index(op.f("ix_compliance_log_customer_id"), "compliance_log", ["customer_id"])
    op.create_index("ix_compliance_log_topic_ref", "compliance_log", ["topic", "ref"])


def downgrade() -> None:
    op.drop_table("compliance_log")
    op.drop_table("customer_options")
    op.drop_table("onboarding_applications")
    op.drop_table("compliance_cases")
    op.drop_table("terms_consents")
    op.drop_table("terms_versions")
