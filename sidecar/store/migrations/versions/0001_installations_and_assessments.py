"""Installations (tenants) and stored assessments.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "installations",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("api_token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("shared_secret_encrypted", sa.Text(), nullable=False),
        sa.Column("credentials_encrypted", sa.Text(), nullable=True),
        sa.Column("settings", json_type, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "installation_id",
            sa.String(40),
            sa.ForeignKey("installations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ticket_source", sa.String(20), nullable=False),
        sa.Column("ticket_external_id", sa.String(100), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("recommendation", sa.String(20), nullable=False),
        sa.Column("model_version", sa.String(80), nullable=False),
        sa.Column("result", json_type, nullable=False),
        sa.Column("ticket", json_type, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_assessments_installation_id", "assessments", ["installation_id"])
    op.create_index(
        "ix_assessments_ticket",
        "assessments",
        ["installation_id", "ticket_source", "ticket_external_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_table("assessments")
    op.drop_table("installations")
