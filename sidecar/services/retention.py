"""Retention: how long an installation keeps what its customers wrote, and the purge that enforces it.

The setting is a number of days per installation (`PUT /v1/settings/retention {"days": 90}`, kept in
installation.settings; null or absent keeps everything). The purge deletes what is older than the
window: history tickets (by their last activity), stored assessments (with their feedback), finished
escalations (resolved, by when they were resolved) with their timeline and steps, webhook
deliveries, finished outbox jobs, audit entries and watch rows. Open escalations and queued or
running jobs are never purged: work in progress must finish.

The outbox worker runs the purge once a day per installation (`retention.purge` jobs, see
sidecar.jobs.retention); `sidecar retention purge` runs it at once.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, delete, func, or_, select
from sqlalchemy.orm import Session

from sidecar.domain.statuses import AuditOutcome, EscalationStatus, JobStatus
from sidecar.errors import InvalidInput, NotFound
from sidecar.jobs.outbox import enqueue
from sidecar.services.audit import record_audit
from sidecar.services.installations import installation_settings, save_settings
from sidecar.store.db import Database
from sidecar.store.models import (
    AssessmentFeedback,
    AssessmentRecord,
    AuditEntry,
    Escalation,
    EscalationEvent,
    EscalationStep,
    HistoryEmbedding,
    HistoryTicket,
    Installation,
    Job,
    TicketWatch,
    WebhookDelivery,
    utcnow,
)
from sidecar.store.scrub import scrub_after_delete
from sidecar.store.vectors import invalidate as invalidate_vectors

MAX_DAYS = 36_500  # a hundred years: anything longer is "forever", which is null
FINISHED_ESCALATIONS = (EscalationStatus.RESOLVED,)
FINISHED_JOBS = (JobStatus.DONE, JobStatus.DEAD)
PURGE_JOB_KIND = "retention.purge"
_BATCH = 500


@dataclass
class PurgeReport:
    """What one purge of one installation deleted, per table."""

    installation_id: str
    days: int | None
    cutoff: datetime | None = None
    deleted: dict[str, int] = field(default_factory=dict)
    storage: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the CLI prints it)."""
        return {"installation_id": self.installation_id, "days": self.days,
                "cutoff": self.cutoff.isoformat() if self.cutoff else None, "deleted": dict(self.deleted),
                "storage": self.storage}


def retention_days(installation: Installation) -> int | None:
    """The installation's retention window in days, or None to keep everything."""
    return installation_settings(installation).retention_days


def retention_settings(installation: Installation) -> dict[str, Any]:
    """The retention setting as the API shows it."""
    return {"days": retention_days(installation)}


def check_days(days: object) -> int | None:
    """A valid window (whole days, 1..MAX_DAYS) or None; InvalidInput naming `days` otherwise."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days must be a whole number from 1 to {MAX_DAYS}, or null to keep everything",
                           details={"days": [f"Must be a whole number from 1 to {MAX_DAYS}, or null."]})
    return days


def set_retention(session: Session, *, installation: Installation, days: Any) -> dict[str, Any]:
    """Set (or with None remove) the window; with a window, make sure a purge is scheduled (the first one at once)."""
    days = check_days(days)
    save_settings(session, installation, installation_settings(installation).updated(retention_days=days))
    if days is not None:
        schedule_purge(session, installation_id=installation.id, run_after=utcnow())
    session.flush()
    return retention_settings(installation)


def schedule_purge(session: Session, *, installation_id: str, run_after: datetime,
                   exclude_job_id: str | None = None) -> bool:
    """Queue the installation's next purge unless one is already queued or running; True when queued now."""
    waiting = select(Job.id).where(Job.installation_id == installation_id, Job.kind == PURGE_JOB_KIND,
                                   Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
    if exclude_job_id:
        waiting = waiting.where(Job.id != exclude_job_id)
    if session.scalar(waiting.limit(1)) is not None:
        return False
    enqueue(session, installation_id=installation_id, kind=PURGE_JOB_KIND, payload={}, run_after=run_after)
    return True


def purge_installation(database: Database, *, installation_id: str, now: datetime | None = None,
                       scrub: bool = True) -> PurgeReport:
    """Delete the installation's data older than its window (nothing when it keeps everything)."""
    with database.write_session() as session:
        installation = session.get(Installation, installation_id)
        if installation is None:
            raise NotFound(f"no installation {installation_id!r}")
        days = retention_days(installation)
        report = PurgeReport(installation_id=installation_id, days=days)
        if days is None:
            return report
        report.cutoff = (now or utcnow()) - timedelta(days=days)
        report.deleted = _purge(session, installation_id, report.cutoff)
        if any(report.deleted.values()):
            record_audit(session, installation_id=installation_id, system="sidecar", action="retention_purge",
                         target=f"older than {days} days", outcome=AuditOutcome.OK,
                         detail=json.dumps({k: v for k, v in report.deleted.items() if v}))
    if report.deleted.get("history_embeddings"):
        invalidate_vectors(installation_id)
    if scrub and any(report.deleted.values()):
        touched = {name for name, count in report.deleted.items() if count}
        report.storage = scrub_after_delete(database, tables=touched,
                                            history_changed=bool(report.deleted.get("history_tickets"))).as_dict()
    return report


def purge_all(database: Database, *, now: datetime | None = None) -> list[PurgeReport]:
    """Purge every installation that has a retention window."""
    with database.session() as session:
        installations = [i.id for i in session.scalars(select(Installation).order_by(Installation.created_at))
                         if retention_days(i) is not None]
    return [purge_installation(database, installation_id=i, now=now) for i in installations]


def _purge(session: Session, installation_id: str, cutoff: datetime) -> dict[str, int]:
    deleted: dict[str, int] = {}

    def run(name: str, statement: Executable) -> None:
        # A DML statement: its result is a CursorResult, which SQLAlchemy's types do not say.
        result = cast(CursorResult[Any], session.execute(statement))
        deleted[name] = deleted.get(name, 0) + max(result.rowcount or 0, 0)

    # Finished escalations first, their timeline and steps with them (explicitly: counts are exact and
    # nothing depends on the database enforcing ON DELETE CASCADE).
    escalation_ids = list(session.scalars(select(Escalation.id).where(
        Escalation.installation_id == installation_id, Escalation.status.in_(FINISHED_ESCALATIONS),
        func.coalesce(Escalation.resolved_at, Escalation.updated_at, Escalation.created_at) < cutoff)))
    deleted["escalations"] = deleted["escalation_events"] = deleted["escalation_steps"] = 0
    for start in range(0, len(escalation_ids), _BATCH):
        chunk = escalation_ids[start:start + _BATCH]
        run("escalation_events", delete(EscalationEvent).where(EscalationEvent.escalation_id.in_(chunk)))
        run("escalation_steps", delete(EscalationStep).where(EscalationStep.escalation_id.in_(chunk)))
        run("escalations", delete(Escalation).where(Escalation.id.in_(chunk)))
    old_assessments = select(AssessmentRecord.id).where(AssessmentRecord.installation_id == installation_id,
                                                        AssessmentRecord.created_at < cutoff)
    run("assessment_feedback", delete(AssessmentFeedback).where(
        AssessmentFeedback.installation_id == installation_id,
        or_(AssessmentFeedback.created_at < cutoff, AssessmentFeedback.assessment_id.in_(old_assessments))))
    run("assessments", delete(AssessmentRecord).where(AssessmentRecord.installation_id == installation_id,
                                                      AssessmentRecord.created_at < cutoff))
    # A ticket's last activity: when it last changed, else when it was opened, else when we stored it.
    last_activity = func.coalesce(HistoryTicket.updated_at, HistoryTicket.resolved_at, HistoryTicket.created_at,
                                  HistoryTicket.imported_at)
    old_tickets = select(HistoryTicket.id).where(HistoryTicket.installation_id == installation_id,
                                                 last_activity < cutoff)
    run("history_embeddings", delete(HistoryEmbedding).where(HistoryEmbedding.installation_id == installation_id,
                                                             HistoryEmbedding.history_ticket_id.in_(old_tickets)))
    run("history_tickets", delete(HistoryTicket).where(HistoryTicket.installation_id == installation_id,
                                                       last_activity < cutoff))
    run("ticket_watch", delete(TicketWatch).where(TicketWatch.installation_id == installation_id,
                                                  TicketWatch.updated_at < cutoff))
    run("webhook_deliveries", delete(WebhookDelivery).where(WebhookDelivery.installation_id == installation_id,
                                                            WebhookDelivery.received_at < cutoff))
    run("jobs", delete(Job).where(Job.installation_id == installation_id, Job.status.in_(FINISHED_JOBS),
                                  func.coalesce(Job.finished_at, Job.updated_at) < cutoff))
    run("audit_log", delete(AuditEntry).where(AuditEntry.installation_id == installation_id, AuditEntry.at < cutoff))
    return deleted
