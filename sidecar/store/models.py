"""SQLAlchemy models. Every row below Installation carries installation_id: tenancy is structural."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, overload

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    literal_column,
    or_,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sidecar.domain.statuses import (
    AssessmentLevel,
    EscalationMode,
    EscalationStatus,
    InboundStatus,
    JobStatus,
    StepStatus,
)

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


@overload
def stored_utc(value: datetime) -> datetime: ...


@overload
def stored_utc(value: None) -> None: ...


def stored_utc(value: datetime | None) -> datetime | None:
    """A time read back from the database, timezone-aware: SQLite hands back naive datetimes, all stored as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def stored_iso(value: datetime | None) -> str | None:
    """A stored time as ISO 8601 with its UTC offset (None stays None)."""
    value = stored_utc(value)
    return value.isoformat() if value is not None else None


class Base(DeclarativeBase):
    """Declarative base for every model."""

    # Every model here maps one table; SQLAlchemy types __table__ as any FromClause.
    __table__: ClassVar[Table]


class Installation(Base):
    """A tenant: one Zendesk subdomain or Salesforce org, owning everything below it."""

    __tablename__ = "installations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))
    api_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    shared_secret_encrypted: Mapped[str] = mapped_column(Text)
    # After a rotation the old secret keeps working until this time, so apps can be updated without a gap.
    previous_shared_secret_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    previous_shared_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    credentials_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    # Not a secret, and Slack events name only their workspace: kept in the clear so an event finds its installation.
    slack_team_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """A further credential of an installation with a scope (admin, agent or read); stored only as a hash.

    The token `sidecar installation create` prints lives on the installation itself and is always admin.
    """

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"),
                                                 index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    scope: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssessmentRecord(Base):
    """A stored assessment: the answer given for a ticket at one moment, kept for audit and learning."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_ticket", "installation_id", "ticket_source", "ticket_external_id", "created_at"),
        # Analytics count a date range with one seek per level and recommendation (services.analytics).
        Index("ix_assessments_level", "installation_id", "level", "recommendation", "created_at"),
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


class Team(Base):
    """A team tickets can be routed to (billing, platform engineering, legal...)."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("installation_id", "name", name="uq_teams_name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"),
                                                 index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    slack_channel: Mapped[str | None] = mapped_column(String(80), nullable=True)
    jira_project: Mapped[str | None] = mapped_column(String(40), nullable=True)
    jira_component: Mapped[str | None] = mapped_column(String(120), nullable=True)
    categories: Mapped[list[str]] = mapped_column(JsonType, default=list)  # assessment categories it handles
    tags: Mapped[list[str]] = mapped_column(JsonType, default=list)  # product areas, free words
    # The help-desk group names that mean this team.
    history_groups: Mapped[list[str]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Expert(Base):
    """A named person a ticket can be escalated to."""

    __tablename__ = "experts"
    __table_args__ = (UniqueConstraint("installation_id", "email", name="uq_experts_email"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"),
                                                 index=True)
    team_id: Mapped[str] = mapped_column(String(40), ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    slack_user_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    jira_account_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    categories: Mapped[list[str]] = mapped_column(JsonType, default=list)
    tags: Mapped[list[str]] = mapped_column(JsonType, default=list)
    languages: Mapped[list[str]] = mapped_column(JsonType, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    working_hours: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)  # {"days": [...], "start", "end"}
    capacity: Mapped[int] = mapped_column(Integer, default=5)
    out_of_office: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)  # [{"start", "end"}]
    aliases: Mapped[list[str]] = mapped_column(JsonType, default=list)  # assignee names/ids in history
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RoutingRule(Base):
    """An ordered, readable condition that sends matching tickets to a team."""

    __tablename__ = "routing_rules"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"),
                                                 index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[str] = mapped_column(String(40), ForeignKey("teams.id", ondelete="CASCADE"))
    conditions: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HistoryTicket(Base):
    """A past (or current) ticket or Jira issue: what routing learns from and similar-incident search finds."""

    __tablename__ = "history_tickets"
    __table_args__ = (
        UniqueConstraint("installation_id", "source", "external_id", name="uq_history_ticket"),
        Index("ix_history_created", "installation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))  # zendesk | salesforce | jira | file
    external_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="ticket")  # ticket | jira_issue
    subject: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")  # subject + customer text, what search indexes
    group_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    priority: Mapped[str | None] = mapped_column(String(40), nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    escalated: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    needs_human: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)  # the full history-format row
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HistoryEmbedding(Base):
    """A history ticket's sentence embedding, for similar-incident search (sidecar.store.vectors).

    Deleted with its ticket (and with its installation) by the database itself. `content_hash` is the
    ticket's content hash when it was embedded: a ticket whose content or model changed since is
    embedded again.
    """

    __tablename__ = "history_embeddings"
    # In id order within an installation and model, embedded_at included: the newest vectors are read
    # and the cached matrix checked from this index alone (sidecar.store.vectors).
    __table_args__ = (
        Index("ix_history_embeddings_order", "installation_id", "model", "history_ticket_id", "embedded_at"),
    )

    history_ticket_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("history_tickets.id", ondelete="CASCADE"), primary_key=True
    )
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float16, little-endian, unit length when written
    embedded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LearnedModel(Base):
    """A trained, versioned model of one installation (router, escalation...), stored as bytes."""

    __tablename__ = "learned_models"
    __table_args__ = (Index("ix_learned_models_kind", "installation_id", "kind", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(80))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ImportCursor(Base):
    """Where an incremental import stopped, so the next run resumes there."""

    __tablename__ = "import_cursors"

    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    cursor: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Escalation(Base):
    """One ticket handed to a human expert: the Jira issue, the ticket note and the Slack ping it leads to.

    `open_ticket_key` is "<source>:<ticket id>" while the escalation is open and NULL once it is
    resolved or cancelled; its unique constraint is what makes "one open escalation per ticket" hold
    even when five requests race (NULLs never collide, so a ticket can be escalated again later).
    """

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("installation_id", "open_ticket_key", name="uq_escalations_open_ticket"),
        UniqueConstraint("installation_id", "idempotency_key", name="uq_escalations_idempotency_key"),
        Index("ix_escalations_ticket", "installation_id", "ticket_source", "ticket_external_id"),
        # Analytics (services.analytics): one pass over a date range from the first index alone; one seek per
        # status, category or team; the times to acknowledge and resolve walked in order to a percentile's rank.
        Index("ix_escalations_created", "installation_id", "created_at", "status", "suggested_expert_id",
              "chosen_expert_id", "ack_seconds", "resolve_seconds"),
        Index("ix_escalations_status", "installation_id", "status", "created_at"),
        Index("ix_escalations_category", "installation_id", "category", "created_at"),
        Index("ix_escalations_team", "installation_id", "team_name", "created_at"),
        Index("ix_escalations_ack", "installation_id", "ack_seconds", "created_at"),
        Index("ix_escalations_resolve", "installation_id", "resolve_seconds", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"))
    ticket_source: Mapped[str] = mapped_column(String(20))
    ticket_external_id: Mapped[str] = mapped_column(String(100))
    open_ticket_key: Mapped[str | None] = mapped_column(String(130), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=EscalationStatus.PENDING)
    mode: Mapped[str] = mapped_column(String(20), default=EscalationMode.LIVE)  # dry_run: no Jira credentials
    link_to: Mapped[str | None] = mapped_column(String(64), nullable=True)  # an existing Jira key to join
    agent_note: Mapped[str] = mapped_column(Text, default="")
    # Who pressed Escalate: {"id", "name", "email", "verified"}; verified only when Zendesk itself signed it.
    escalated_by: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    team: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    expert: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    level: Mapped[str] = mapped_column(String(20), default=AssessmentLevel.LOW)
    context: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)  # what the templates render
    suggestion: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)  # open Jira issue like it
    jira_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    jira_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    jira_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    slack_channel: Mapped[str | None] = mapped_column(String(80), nullable=True)
    slack_ts: Mapped[str | None] = mapped_column(String(40), nullable=True)
    slack_permalink: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    jira_status: Mapped[str | None] = mapped_column(String(80), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(200), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    pinged_experts: Mapped[list[str]] = mapped_column(JsonType, default=list)  # expert ids asked (reassign, timeouts)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)  # the rolling summary
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    # The help-desk ticket's status as its webhooks last said: updates after resolution reach the ticket
    # until it is solved or closed.
    ticket_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # What analytics group and sort by, in plain columns (no JSON functions): set when the escalation is made
    # (services.escalations) and by the lifecycle (the durations). `chosen_expert_id` is who it was sent to
    # then, by the agent or the route; a later reassignment changes `expert`, not this.
    category: Mapped[str | None] = mapped_column(String(40), nullable=True)  # its assessment's strongest reason
    team_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    suggested_expert_id: Mapped[str | None] = mapped_column(String(40), nullable=True)  # the route's expert
    chosen_expert_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ack_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)  # created -> first acknowledgement
    resolve_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)  # created -> resolved (while resolved)


class EscalationEvent(Base):
    """One entry of an escalation's timeline: a Jira status change or comment, a Slack reply, an acknowledgement..."""

    __tablename__ = "escalation_events"
    __table_args__ = (Index("ix_escalation_events_escalation", "escalation_id", "at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    escalation_id: Mapped[str] = mapped_column(String(40), ForeignKey("escalations.id", ondelete="CASCADE"))
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    system: Mapped[str] = mapped_column(String(20))  # jira | slack | zendesk | salesforce | sidecar
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class WebhookDelivery(Base):
    """A webhook delivery already accepted: the same delivery again is answered 200 and not acted on twice."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("installation_id", "system", "delivery_id", name="uq_webhook_delivery"),
                      Index("ix_webhook_deliveries_status", "installation_id", "status", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"))
    system: Mapped[str] = mapped_column(String(20))
    delivery_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # queued -> acted | ignored (with the reason it was not acted on); `about` names what it concerned
    # (issue key, ticket, Slack thread), never what anyone wrote. Rows of signed content ("signed:...") only dedupe.
    status: Mapped[str] = mapped_column(String(20), default=InboundStatus.QUEUED)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    about: Mapped[str | None] = mapped_column(String(200), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TicketWatch(Base):
    """Proactive escalation state of one ticket: whether its score is above the threshold (one action per crossing)."""

    __tablename__ = "ticket_watch"

    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    ticket_source: Mapped[str] = mapped_column(String(20), primary_key=True)
    ticket_external_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    above_threshold: Mapped[bool] = mapped_column(Boolean, default=False)
    last_score: Mapped[float] = mapped_column(Float, default=0.0)
    crossings: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssessmentFeedback(Base):
    """An agent's rating of an assessment (right or wrong, with a note): training signal for `sidecar train`."""

    __tablename__ = "assessment_feedback"
    __table_args__ = (Index("ix_assessment_feedback_installation", "installation_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"))
    assessment_id: Mapped[str] = mapped_column(String(40), ForeignKey("assessments.id", ondelete="CASCADE"))
    rating: Mapped[str] = mapped_column(String(10))  # a FeedbackRating
    note: Mapped[str] = mapped_column(Text, default="")
    agent: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EscalationStep(Base):
    """One planned outbound write of an escalation (jira_issue, jira_link, ticket_note, slack_message)."""

    __tablename__ = "escalation_steps"
    __table_args__ = (UniqueConstraint("escalation_id", "name", name="uq_escalation_steps_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    escalation_id: Mapped[str] = mapped_column(String(40), ForeignKey("escalations.id", ondelete="CASCADE"))
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(40))
    system: Mapped[str] = mapped_column(String(20))  # jira | slack | zendesk | salesforce
    status: Mapped[str] = mapped_column(String(20), default=StepStatus.PLANNED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    requests: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonType, nullable=True)  # dry-run: what it'd send
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# A job that is dead or ran more than once. Written with literals, not parameters: a query uses the
# partial index only when its WHERE holds this very condition (JOB_FAILED_ONCE below).
_JOB_FAILED_ONCE = f"status = '{JobStatus.DEAD}' OR attempts > 1"


class Job(Base):
    """An outbox job: work written in the same transaction as the data it belongs to, delivered by a worker."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_due", "status", "run_after"),
        # Analytics count a date range's dead and retried jobs from this index of them alone (a few percent).
        Index("ix_jobs_failed", "installation_id", "created_at", "status", sqlite_where=text(_JOB_FAILED_ONCE),
              postgresql_where=text(_JOB_FAILED_ONCE)),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"),
                                                 index=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    run_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # A fresh token per claim: a worker's settle counts only while the job still carries its token.
    lease_token: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    escalation_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


JOB_FAILED_ONCE = or_(Job.__table__.c.status == literal_column(f"'{JobStatus.DEAD}'"),
                      Job.__table__.c.attempts > literal_column("1"))


class JiraAffected(Base):
    """The affected-customers record of a Jira issue tickets joined, updated under a row lock (never lost)."""

    __tablename__ = "jira_affected"

    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    jira_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    record: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """One outbound write (or its dry-run): when, which installation, which system, what, the result."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_installation", "installation_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    installation_id: Mapped[str] = mapped_column(String(40), ForeignKey("installations.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    system: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(20))  # an AuditOutcome
    detail: Mapped[str] = mapped_column(Text, default="")
    escalation_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    job_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
