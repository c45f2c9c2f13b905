"""The transactional outbox: jobs written beside the data they belong to, claimed and settled by workers.

A job is `queued` until a worker claims it (`running`, with a lease), then `done`, or back to `queued`
with a later `run_after` (exponential backoff with jitter, or the server's Retry-After), or `dead`
after `max_attempts` or on an error no retry can fix. A worker that dies mid-job (SIGKILL, machine
lost) simply lets its lease run out; the next claim takes the job again, so nothing accepted is lost.
Handlers are idempotent (find-before-create), so running a job twice writes nothing twice.

A lease is (worker id, lease token): every claim draws a fresh token, and completing, failing,
renewing or releasing a job only counts while the row still carries this worker's id and token
(checked in the statement that records the result). A worker whose lease lapsed while a vendor was
slow, and whose job another worker took over, therefore settles nothing: its result is discarded.
The worker renews the leases it holds while it runs (`jobs/lease.py`).

Claiming: PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED`, so any number of workers on any number of
machines share the queue without blocking each other; SQLite has one writer at a time, and the
claim runs under the database's write lock, which serialises claimers across processes.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import BindParameter, CursorResult, and_, bindparam, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from sidecar.domain.statuses import JobStatus
from sidecar.errors import Conflict, NotFound
from sidecar.store.db import Database
from sidecar.store.models import Job, utcnow

DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_LEASE_SECONDS = 120.0  # longer than any job's calls (each has a 10 s read timeout) take together
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 900.0
RETRY_AFTER_CAP_SECONDS = 3600.0  # a Retry-After beyond an hour is treated as an hour


@dataclass(frozen=True)
class ClaimedJob:
    """A job a worker holds the lease on (a detached snapshot, safe to use outside any session)."""

    id: str
    installation_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    escalation_id: str | None
    worker_id: str
    lease_token: str = ""
    taken_over: bool = False  # claimed from a worker whose lease ran out: an earlier attempt may have written


def new_job_id() -> str:
    """A public job id."""
    return "job_" + secrets.token_hex(10)


def enqueue(
    session: Session,
    *,
    installation_id: str,
    kind: str,
    payload: dict[str, Any],
    escalation_id: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    run_after: datetime | None = None,
) -> Job:
    """Add a job in the caller's transaction: it exists exactly when the caller's data does."""
    job = Job(**job_row(installation_id=installation_id, kind=kind, payload=payload, escalation_id=escalation_id,
                        max_attempts=max_attempts, run_after=run_after))
    session.add(job)
    return job


def job_row(*, installation_id: str, kind: str, payload: dict[str, Any], escalation_id: str | None = None,
            max_attempts: int = DEFAULT_MAX_ATTEMPTS, run_after: datetime | None = None,
            now: datetime | None = None) -> dict[str, Any]:
    """Every column of a new queued job, for the ORM (`enqueue`) or a Core INSERT on a hot path."""
    now = now or utcnow()
    return {"id": new_job_id(), "installation_id": installation_id, "kind": kind, "payload": payload,
            "escalation_id": escalation_id, "status": JobStatus.QUEUED, "attempts": 0, "max_attempts": max_attempts,
            "run_after": run_after or now, "created_at": now, "updated_at": now, "locked_by": None,
            "locked_until": None, "lease_token": None, "last_error": None, "finished_at": None}


JOBS = Job.__table__


@lru_cache(maxsize=64)
def _claim_statements(kinds: tuple[str, ...] | None, postgresql: bool):
    """The claim's SELECT and UPDATE, built once per (kinds, dialect): a worker runs them for every job."""
    now: BindParameter[Any] = bindparam("now")
    query = (select(JOBS.c.id, JOBS.c.installation_id, JOBS.c.kind, JOBS.c.payload, JOBS.c.attempts,
                    JOBS.c.max_attempts, JOBS.c.escalation_id, JOBS.c.status)
             .where(or_(and_(JOBS.c.status == JobStatus.QUEUED, JOBS.c.run_after <= now),
                        # its worker died: the lease ran out
                        and_(JOBS.c.status == JobStatus.RUNNING, JOBS.c.locked_until < now)))
             .order_by(JOBS.c.run_after, JOBS.c.created_at).limit(bindparam("limit")))
    if kinds:
        query = query.where(JOBS.c.kind.in_(kinds))
    if postgresql:
        query = query.with_for_update(skip_locked=True)
    take = (update(JOBS).where(JOBS.c.id.in_(bindparam("job_ids", expanding=True)))
            .values(status=JobStatus.RUNNING, locked_by=bindparam("worker_id"), locked_until=bindparam("until"),
                    lease_token=bindparam("token"), attempts=JOBS.c.attempts + 1, updated_at=now))
    return query, take


def claim(database: Database, *, worker_id: str, lease_seconds: float = DEFAULT_LEASE_SECONDS,
          kinds: tuple[str, ...] | None = None) -> ClaimedJob | None:
    """Take the oldest due job under a lease, or None when nothing is due."""
    jobs = claim_batch(database, worker_id=worker_id, lease_seconds=lease_seconds, kinds=kinds, limit=1)
    return jobs[0] if jobs else None


def claim_batch(database: Database, *, worker_id: str, lease_seconds: float = DEFAULT_LEASE_SECONDS,
                kinds: tuple[str, ...] | None = None, limit: int = 1) -> list[ClaimedJob]:
    """Take up to `limit` of the oldest due jobs under one lease, in one transaction (oldest first)."""
    with database.write_connection() as connection:
        return claim_on(connection, worker_id=worker_id, lease_seconds=lease_seconds, kinds=kinds, limit=limit)


def claim_on(connection: Connection, *, worker_id: str, lease_seconds: float = DEFAULT_LEASE_SECONDS,
             kinds: tuple[str, ...] | None = None, limit: int = 1) -> list[ClaimedJob]:
    """claim_batch in the caller's write transaction (a worker's kept connection)."""
    now = utcnow()
    token = new_lease_token()
    query, take = _claim_statements(kinds or None, connection.dialect.name == "postgresql")
    rows = connection.execute(query, {"now": now, "limit": limit}).all()
    if not rows:
        return []
    connection.execute(take, {"job_ids": [row.id for row in rows], "worker_id": worker_id, "now": now,
                              "until": now + timedelta(seconds=lease_seconds), "token": token})
    return [ClaimedJob(id=row.id, installation_id=row.installation_id, kind=row.kind, payload=dict(row.payload),
                       attempts=row.attempts + 1, max_attempts=row.max_attempts, escalation_id=row.escalation_id,
                       worker_id=worker_id, lease_token=token, taken_over=row.status == JobStatus.RUNNING)
            for row in rows]


def new_lease_token() -> str:
    """A fresh lease token, drawn for every claim."""
    return secrets.token_hex(12)


# Settling only works while this worker still holds the lease it claimed (its id and that claim's
# token); a job whose lease ran out and was taken by another worker belongs to that worker now.
# Built once: a worker settles every job it runs.
_HELD = and_(JOBS.c.id == bindparam("job_id"), JOBS.c.status == JobStatus.RUNNING,
             JOBS.c.locked_by == bindparam("worker_id"), JOBS.c.lease_token == bindparam("token"))
_COMPLETE = update(JOBS).where(_HELD).values(status=JobStatus.DONE, locked_by=None, locked_until=None,
                                             lease_token=None, last_error=None, finished_at=bindparam("now"),
                                             updated_at=bindparam("now"))
_RELEASE = update(JOBS).where(_HELD).values(status=JobStatus.QUEUED, locked_by=None, locked_until=None,
                                            lease_token=None, attempts=JOBS.c.attempts - 1)
_RENEW = update(JOBS).where(_HELD).values(locked_until=bindparam("until"))


def _held(job: ClaimedJob, **values: Any) -> dict[str, Any]:
    """The parameters that name a job as held by this lease, plus the statement's own."""
    return {"job_id": job.id, "worker_id": job.worker_id, "token": job.lease_token, **values}


def release(database: Database, jobs: list[ClaimedJob]) -> None:
    """Give back claimed jobs this worker will not run after all (it is stopping): due again at once."""
    if not jobs:
        return
    with database.write_connection() as connection:
        for job in jobs:
            connection.execute(_RELEASE, _held(job))


def renew(database: Database, jobs: list[ClaimedJob], *, lease_seconds: float) -> list[ClaimedJob]:
    """Extend the leases of held jobs by `lease_seconds` from now; returns the jobs whose lease was lost."""
    until = utcnow() + timedelta(seconds=lease_seconds)
    lost = []
    with database.write_connection() as connection:
        for job in jobs:  # a worker holds a handful at most: one short statement each
            if connection.execute(_RENEW, _held(job, until=until)).rowcount != 1:
                lost.append(job)
    return lost


_EXISTS = select(JOBS.c.id).where(JOBS.c.id == bindparam("job_id"))


def exists(session: Session | Connection, job_id: str) -> bool:
    """True while the job's row exists (an erasure or an installation's deletion removes it)."""
    return session.execute(_EXISTS, {"job_id": job_id}).first() is not None


def complete(session: Session | Connection, job: ClaimedJob) -> bool:
    """Mark a held job done, in the caller's transaction (session or connection); False if the lease was lost."""
    result = session.execute(_COMPLETE, _held(job, now=utcnow()))
    return cast(CursorResult[Any], result).rowcount == 1  # an UPDATE's result: a CursorResult


def backoff_seconds(attempts: int, *, retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """Seconds until the next attempt: the server's Retry-After when it gave one, else capped exponential
    with jitter."""
    uniform = (rng or random).uniform  # the given generator (tests), else the module's
    if retry_after is not None:
        # A little jitter on top, so a burst of jobs told "30 s" does not return as one burst.
        return min(retry_after, RETRY_AFTER_CAP_SECONDS) + uniform(0, 1.0)
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * (2 ** max(attempts - 1, 0)))
    return uniform(ceiling / 2, ceiling)  # "equal jitter": never sooner than half the step


def fail(
    session: Session,
    job: ClaimedJob,
    *,
    error: str,
    permanent: bool = False,
    retry_after: float | None = None,
) -> JobStatus:
    """Settle a failed attempt: back to the queue after a backoff, or dead. Returns the new status."""
    now = utcnow()
    dead = permanent or job.attempts >= job.max_attempts
    values: dict[str, Any] = {"locked_by": None, "locked_until": None, "lease_token": None, "last_error": error[:4000],
                              "updated_at": now}
    if dead:
        values.update(status=JobStatus.DEAD, finished_at=now)
    else:
        delay = backoff_seconds(job.attempts, retry_after=retry_after)
        values.update(status=JobStatus.QUEUED, run_after=now + timedelta(seconds=delay))
    result = session.execute(update(JOBS).where(_HELD).values(**values), _held(job))
    if cast(CursorResult[Any], result).rowcount != 1:  # an UPDATE's result: a CursorResult
        return JobStatus.LOST
    return JobStatus.DEAD if dead else JobStatus.QUEUED


def retry(session: Session, job_id: str, *, installation_id: str | None = None) -> Job:
    """Put a dead (or waiting) job back in the queue now, with a fresh attempt budget."""
    job = session.get(Job, job_id)
    if job is None or (installation_id and job.installation_id != installation_id):
        raise NotFound(f"no job {job_id!r}")
    if job.status in (JobStatus.RUNNING, JobStatus.DONE):
        raise Conflict(f"job {job_id} is {job.status}; only dead or queued jobs can be retried",
                       code="job_not_retryable")
    now = utcnow()
    job.status = JobStatus.QUEUED
    job.run_after = now
    job.max_attempts = max(job.max_attempts, job.attempts + DEFAULT_MAX_ATTEMPTS)
    job.updated_at = now
    job.finished_at = None
    session.flush()
    return job


def list_jobs(session: Session, *, status: str | None = None, installation_id: str | None = None,
              escalation_id: str | None = None, limit: int = 100) -> list[Job]:
    """Jobs, newest first, filtered by status / installation / escalation."""
    query = select(Job)
    if status:
        query = query.where(Job.status == status)
    if installation_id:
        query = query.where(Job.installation_id == installation_id)
    if escalation_id:
        query = query.where(Job.escalation_id == escalation_id)
    return list(session.scalars(query.order_by(Job.created_at.desc(), Job.id).limit(limit)))
