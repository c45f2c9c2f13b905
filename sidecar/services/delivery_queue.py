"""The delivery queue as an admin sees it: an installation's outbox jobs by state, and retrying a dead one.

`retrying` is not a stored status: it is a queued job that has already failed at least once and waits out
its backoff (run_after still ahead). A job retried by hand is due at once, so it shows as `queued`.
The console and GET /v1/jobs both read the queue here, and both retry through `retry_job`,
which is the CLI's `sidecar jobs retry` plus an audit entry saying who asked.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, not_, select
from sqlalchemy.orm import Session

from sidecar.domain.statuses import AuditOutcome, JobStatus
from sidecar.errors import InvalidInput
from sidecar.jobs.outbox import retry
from sidecar.schemas.jobs import JOB_STATES
from sidecar.services.audit import record_audit
from sidecar.services.lifecycle import reopen_step_for_retry
from sidecar.store.models import Job, stored_utc, utcnow

RETRYING = "retrying"


def job_state(job: Job, now: datetime | None = None) -> str:
    """The job's state for people: its status, or `retrying` for a queued job waiting out a backoff."""
    waiting = (stored_utc(job.run_after) or utcnow()) > (now or utcnow())
    if job.status == JobStatus.QUEUED and job.attempts > 0 and waiting:
        return RETRYING
    return job.status


def job_view(job: Job) -> dict[str, Any]:
    """A job as JobSchema dumps it (its state in place of the stored status)."""
    return {"id": job.id, "kind": job.kind, "state": job_state(job), "attempts": job.attempts,
            "max_attempts": job.max_attempts, "escalation_id": job.escalation_id, "run_after": job.run_after,
            "created_at": job.created_at, "updated_at": job.updated_at, "finished_at": job.finished_at,
            "last_error": job.last_error}


@dataclass(frozen=True)
class QueuePage:
    """One page of jobs, newest first, and whether more follow."""

    items: list[Job]
    more: bool


def list_queue(session: Session, *, installation_id: str, state: str | None = None, kind: str | None = None,
               limit: int = 50, offset: int = 0) -> QueuePage:
    """The installation's jobs, newest first, filtered by state (JOB_STATES) and kind, one page at a time."""
    query = select(Job).where(Job.installation_id == installation_id)
    if state is not None and state not in JOB_STATES:
        raise InvalidInput(f"state must be one of {', '.join(JOB_STATES)}", details={"state": state})
    now = utcnow()
    retrying = and_(Job.status == JobStatus.QUEUED, Job.attempts > 0, Job.run_after > now)
    if state == RETRYING:
        query = query.where(retrying)
    elif state == JobStatus.QUEUED:
        query = query.where(Job.status == JobStatus.QUEUED, not_(retrying))
    elif state:
        query = query.where(Job.status == state)
    if kind:
        query = query.where(Job.kind == kind)
    rows = list(session.scalars(query.order_by(Job.created_at.desc(), Job.id).offset(offset).limit(limit + 1)))
    return QueuePage(items=rows[:limit], more=len(rows) > limit)


def retry_job(session: Session, *, installation_id: str, job_id: str, actor: str) -> Job:
    """Put a dead (or waiting) job of the installation back in the queue now, reopen its step, and audit it."""
    job = retry(session, job_id, installation_id=installation_id)
    reopen_step_for_retry(session, job)
    record_audit(session, installation_id=installation_id, system="sidecar", action="job.retry", target=job.id,
                 outcome=AuditOutcome.OK, detail=f"{job.kind} put back in the queue by {actor}",
                 escalation_id=job.escalation_id, job_id=job.id)
    session.flush()
    return job
