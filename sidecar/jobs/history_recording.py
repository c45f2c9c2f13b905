"""`history.record`: an assessed ticket joins the history off the request path, many per transaction.

An assessment stores its answer and queues this job in the same transaction (two small INSERTs), so
the ticket is recorded exactly when its assessment exists. The job names the ticket, not its words:
it records the ticket as the newest stored assessment of it has it. So running a job twice, out of
order or after a newer assessment of the same ticket writes the same row (the upsert is idempotent:
an unchanged ticket is not written again), and an erasure needs no more than it already does: it
deletes the ticket's assessments and its queued jobs (the payload names the ticket), and a job that
runs after the erasure finds no assessment and writes nothing. On PostgreSQL the assessment is read
FOR SHARE, so an erasure that deletes it waits for a recording in flight and then deletes its row.

One run records up to `BATCH` queued tickets in one transaction: it claims the other due jobs of this
kind itself. Finished jobs are deleted rather than kept as `done`: one per assessment would swamp the
queue and its analytics.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from sidecar.domain.statuses import JobStatus
from sidecar.intelligence.ticket import ticket_from_mapping
from sidecar.jobs import outbox
from sidecar.jobs.context import JobContext, JobHandler
from sidecar.jobs.outbox import JOBS, ClaimedJob
from sidecar.store.history import record_ticket
from sidecar.store.models import AssessmentRecord, Escalation

log = logging.getLogger(__name__)

KIND = "history.record"
BATCH = 200  # tickets per transaction: each is a few ms of indexing, and the write lock is held meanwhile
_INSERT_JOB = insert(JOBS)
_ASSESSMENTS = AssessmentRecord.__table__
_NEWEST = (select(_ASSESSMENTS.c.ticket, _ASSESSMENTS.c.created_at)
           .where(_ASSESSMENTS.c.installation_id == bindparam("installation_id"),
                  _ASSESSMENTS.c.ticket_source == bindparam("source"),
                  _ASSESSMENTS.c.ticket_external_id == bindparam("ticket_id"))
           .order_by(_ASSESSMENTS.c.created_at.desc()).limit(1))
_ESCALATIONS = Escalation.__table__
# An escalation records its ticket at once (services/escalations.py): one made since the newest assessment
# holds a version at least as new, which this job must not replace with the assessment's older one.
_ESCALATED_SINCE = (select(_ESCALATIONS.c.id)
                    .where(_ESCALATIONS.c.installation_id == bindparam("installation_id"),
                           _ESCALATIONS.c.ticket_source == bindparam("source"),
                           _ESCALATIONS.c.ticket_external_id == bindparam("ticket_id"),
                           _ESCALATIONS.c.created_at >= bindparam("assessed_at"))
                    .limit(1))
_DONE = delete(JOBS).where(and_(JOBS.c.id == bindparam("job_id"), JOBS.c.status == JobStatus.RUNNING,
                                JOBS.c.locked_by == bindparam("worker_id"),
                                JOBS.c.lease_token == bindparam("token")))


def queue_recording(connection: Connection, *, installation_id: str, source: str, ticket_id: str) -> None:
    """Queue the recording of an assessed ticket in the caller's transaction (beside its assessment)."""
    connection.execute(_INSERT_JOB, [outbox.job_row(
        installation_id=installation_id, kind=KIND, payload={"ticket_source": source, "ticket_id": ticket_id})])


def record_assessed(session: Session, *, installation_id: str, source: str, ticket_id: str) -> bool:
    """Record the ticket as its newest assessment has it, unless an escalation since then recorded it; False
    when it has no assessment (erased, purged)."""
    newest = _NEWEST
    if session.get_bind().dialect.name == "postgresql":
        newest = newest.with_for_update(read=True)  # an erasure deleting it waits until this row is written
    key = {"installation_id": installation_id, "source": source, "ticket_id": ticket_id}
    newest_row = session.execute(newest, key).first()
    if newest_row is None:
        return False
    if session.execute(_ESCALATED_SINCE, {**key, "assessed_at": newest_row.created_at}).first() is not None:
        return True  # the escalation's own recording stands (it is as new as this assessment, or newer)
    record_ticket(session, installation_id=installation_id, ticket=ticket_from_mapping(newest_row.ticket))
    return True


class HistoryRecording:
    """Record this job's ticket and those of up to BATCH - 1 other due jobs of the kind, in one transaction."""

    def run(self, ctx: JobContext) -> None:
        """Claim more of the kind, record each ticket once, delete the jobs (held leases only)."""
        more = outbox.claim_batch(ctx.database, worker_id=ctx.job.worker_id, kinds=(KIND,), limit=BATCH - 1)
        try:
            self._record_and_delete(ctx, [ctx.job, *more])
        except Exception:
            outbox.release(ctx.database, more)  # due again at once
            if not more:
                raise
            # One bad ticket must not hold the others back: this job alone, so a failure is its own.
            log.warning("history recording of %d tickets failed; recording job %s alone", len(more) + 1, ctx.job.id)
            self._record_and_delete(ctx, [ctx.job])
        ctx.finished = True

    def _record_and_delete(self, ctx: JobContext, jobs: list[ClaimedJob]) -> None:
        with ctx.database.write_session() as session:
            self._record(session, jobs)
            for job in jobs:
                session.execute(_DONE, {"job_id": job.id, "worker_id": job.worker_id, "token": job.lease_token})
            ctx.store_audit(session)

    @staticmethod
    def _record(session: Session, jobs: list[ClaimedJob]) -> None:
        seen: set[tuple[str, str, str]] = set()
        for job in jobs:
            payload: dict[str, Any] = job.payload
            key = (job.installation_id, str(payload.get("ticket_source")), str(payload.get("ticket_id")))
            if key in seen:  # a ticket assessed several times since the last run: its newest version once
                continue
            seen.add(key)
            record_assessed(session, installation_id=key[0], source=key[1], ticket_id=key[2])

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None:
        """Nothing to tell anyone: a failed recording is retried, and a dead one leaves the job for an admin."""


HANDLERS: dict[str, JobHandler] = {KIND: HistoryRecording()}
