"""Every status family the sidecar stores or answers with, one StrEnum each.

A member equals its string ("dry_run" == StepStatus.DRY_RUN), so stored rows and JSON are unchanged.
The apps' constants (zendesk_app/assets/constants.js and the escalationConstants LWC) are generated
from these classes by scripts/generate_js_constants.py; a test fails when they are out of date.
"""
from __future__ import annotations

from enum import StrEnum


class EscalationStatus(StrEnum):
    """Where an escalation is: delivering, delivered, a step dead, or resolved in Jira."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    RESOLVED = "resolved"


class EscalationMode(StrEnum):
    """Whether an escalation really writes to Jira, or records the requests it would send."""

    LIVE = "live"
    DRY_RUN = "dry_run"


class StepStatus(StrEnum):
    """How one escalation step (one outbound write) went."""

    PLANNED = "planned"
    RETRYING = "retrying"
    DONE = "done"
    DRY_RUN = "dry_run"
    SKIPPED = "skipped"
    DEAD = "dead"


class JobStatus(StrEnum):
    """Where an outbox job is; LOST is never stored: a failed attempt whose lease another worker took."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"
    LOST = "lost"


class WriteStatus(StrEnum):
    """How an idempotent outbound write went: written now, found from an earlier attempt, or planned only."""

    WRITTEN = "written"
    EXISTING = "existing"
    DRY_RUN = "dry_run"


class AuditOutcome(StrEnum):
    """The outcome of one audited outbound write."""

    OK = "ok"
    ERROR = "error"
    DRY_RUN = "dry_run"
    REFUSED = "refused"


class AssessmentLevel(StrEnum):
    """How urgent an assessment says a ticket is, lowest first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Recommendation(StrEnum):
    """What an assessment recommends doing with the ticket."""

    ESCALATE = "escalate"
    WATCH = "watch"
    NONE = "none"


class FeedbackRating(StrEnum):
    """An agent's verdict on an assessment."""

    RIGHT = "right"
    WRONG = "wrong"


class CheckStatus(StrEnum):
    """How one system answered `sidecar installation check`."""

    OK = "ok"
    FAILED = "failed"
    NOT_CONFIGURED = "not_configured"


class WebhookStatus(StrEnum):
    """How a verified webhook delivery was taken."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


class InboundStatus(StrEnum):
    """What became of an accepted inbound event (GET /v1/inbound)."""

    QUEUED = "queued"  # accepted, not worked yet
    ACTED = "acted"  # it changed an escalation or caused a write
    IGNORED = "ignored"  # not acted on; the reason says why
    UNKNOWN = "unknown"  # accepted before outcomes were recorded


# Step statuses after which a step does nothing more (dead is final too, but turns the escalation failed).
SETTLED_STEP_STATUSES = frozenset({StepStatus.DONE, StepStatus.DRY_RUN, StepStatus.SKIPPED})
