"""SQLAlchemy models. Every row below Installation carries installation_id: tenancy is structural."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base for every model."""


class Installation(Base):
    """A tenant: one Zendesk subdomain or Salesforce org, owning everything below it."""

    __tablename__ = "installations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))
    api_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    shared_secret_encrypted: Mapped[str] = mapped_column(Text)
    credentials_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssessmentRecord(Base):
    """A stored assessment: the answer given for a ticket at one moment, kept for audit and learning."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_ticket", "installation_id", "ticket_source", "ticket_external_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    installation_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("installations.id", ondelete="CASCADE"), index=True
    )
    ticket_source: Mapped[str] = mapped_column(String(20))
    ticket_external_id: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(20))
    recommendation: Mapped[str] = mapped_column(String(20))
    model_version: Mapped[str] = mapped_column(String(80))
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    ticket: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
