"""What the API shows of an escalation beside its row: each step with its job, the timeline, the drafted reply.

`EscalationSchema` (sidecar.schemas.escalations) dumps an `EscalationView`: the row's columns are read
through `row`; what needs the session (steps and their jobs, events) is gathered here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.domain.statuses import EscalationStatus, JobStatus, StepStatus
from sidecar.services.escalations import STEP_DESCRIPTIONS, steps_of
from sidecar.services.timeline import events_of
from sidecar.store.models import Escalation, EscalationEvent, EscalationStep, Job


@dataclass(frozen=True)
class StepView:
    """One step of an escalation with what its job says: the job's id, and when a retry is due."""

    step: EscalationStep
    description: str
    job_id: str | None
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class EscalationView:
    """An escalation row with its steps, timeline and drafted reply, as EscalationSchema dumps it."""

    row: Escalation
    steps: list[StepView]
    timeline: list[EscalationEvent]
    drafted_reply: str | None

    @property
    def time_to_acknowledge_seconds(self) -> float | None:
        """Seconds from the escalation to its acknowledgement (None until acknowledged), as the lifecycle stored it."""
        return _tenths(self.row.ack_seconds)

    @property
    def time_to_resolve_seconds(self) -> float | None:
        """Seconds from the escalation to its resolution (None until resolved), as the lifecycle stored it."""
        return _tenths(self.row.resolve_seconds)


def escalation_view(session: Session, escalation: Escalation) -> EscalationView:
    """The escalation with its steps (each with its job), its timeline and its drafted reply."""
    jobs = {job.payload.get("step"): job for job in session.scalars(
        select(Job).where(Job.escalation_id == escalation.id).order_by(Job.created_at))}
    steps = [_step_view(step, jobs.get(step.name)) for step in steps_of(session, escalation.id)]
    return EscalationView(row=escalation, steps=steps, timeline=events_of(session, escalation.id),
                          drafted_reply=_drafted_reply(session, escalation))


def _step_view(step: EscalationStep, job: Job | None) -> StepView:
    # A retry is due only while the job waits in the queue for a step that is retrying.
    retry_due = job is not None and job.status == JobStatus.QUEUED and step.status == StepStatus.RETRYING
    return StepView(step=step, description=STEP_DESCRIPTIONS[step.name], job_id=job.id if job else None,
                    next_attempt_at=job.run_after if retry_due and job is not None else None)


def _drafted_reply(session: Session, escalation: Escalation) -> str | None:
    """The customer reply drafted when the escalation was last resolved (None while it is open)."""
    if escalation.status != EscalationStatus.RESOLVED:
        return None
    data = session.scalar(select(EscalationEvent.data).where(
        EscalationEvent.escalation_id == escalation.id, EscalationEvent.kind == "resolved")
        .order_by(EscalationEvent.at.desc()).limit(1))
    return (data or {}).get("drafted_reply")


def _tenths(seconds: float | None) -> float | None:
    return round(seconds, 1) if seconds is not None else None
