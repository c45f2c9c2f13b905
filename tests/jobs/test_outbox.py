"""The outbox: claims under a lease, backoff and Retry-After, dead jobs, lease expiry after a crash, retry."""
from __future__ import annotations

import random
from datetime import UTC, timedelta

import pytest
from sqlalchemy import update

from sidecar.clients.errors import ApiNotFound, ApiRateLimited, ApiUnavailable
from sidecar.errors import Conflict
from sidecar.jobs import outbox
from sidecar.jobs.context import JobContext, PermanentJobError
from sidecar.jobs.worker import Worker
from sidecar.store.models import AuditEntry, Job, utcnow


class Recorder:
    """A handler that fails as told, then succeeds; notes every call and every settlement."""

    def __init__(self, failures=()):
        self.failures = list(failures)
        self.calls = 0
        self.settled = []

    def run(self, ctx: JobContext) -> None:
        self.calls += 1
        ctx.audit(system="test", action="write", target=ctx.job.id, outcome="ok")
        if self.failures:
            raise self.failures.pop(0)

    def on_settled(self, ctx, *, status, error):
        self.settled.append((status, error))


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


def _enqueue(database, installation, **kwargs) -> str:
    with database.session() as session:
        return outbox.enqueue(session, installation_id=installation["id"], kind="test.kind", payload={"n": 1},
                              **kwargs).id


def _job(database, job_id) -> Job:
    with database.session() as session:
        job = session.get(Job, job_id)
        session.expunge(job)
    return job


def aware(value):
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _make_due(database, job_id) -> None:
    with database.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(run_after=utcnow() - timedelta(seconds=1)))


def worker(database, box, handler, **kwargs) -> Worker:
    return Worker(database, box=box, handlers={"test.kind": handler}, worker_id="w1", **kwargs)


def test_a_job_runs_once_and_is_done(database, box, installation):
    handler = Recorder()
    job_id = _enqueue(database, installation)
    runner = worker(database, box, handler)
    assert runner.drain() == 1
    assert runner.drain() == 0
    job = _job(database, job_id)
    assert (job.status, job.attempts, handler.calls) == ("done", 1, 1)
    with database.session() as session:
        assert session.query(AuditEntry).filter_by(job_id=job_id).count() == 1


def test_transient_failures_back_off_then_succeed(database, box, installation):
    handler = Recorder([ApiUnavailable("Jira POST /rest/api/3/issue failed: HTTP 500"), ApiUnavailable("again")])
    job_id = _enqueue(database, installation)
    runner = worker(database, box, handler)
    runner.drain()
    job = _job(database, job_id)
    assert job.status == "queued" and "HTTP 500" in job.last_error
    assert aware(job.run_after) > utcnow()  # waits: not retried in a hot loop
    assert handler.settled == [("queued", "Jira POST /rest/api/3/issue failed: HTTP 500")]
    for _ in range(2):
        _make_due(database, job_id)
        runner.drain()
    job = _job(database, job_id)
    assert (job.status, job.attempts, handler.calls) == ("done", 3, 3)


def test_retry_after_is_honoured(database, box, installation):
    handler = Recorder([ApiRateLimited("slow down", retry_after=30)])
    job_id = _enqueue(database, installation)
    before = utcnow()
    worker(database, box, handler).drain()
    wait = (aware(_job(database, job_id).run_after) - before).total_seconds()
    assert 30 <= wait <= 32


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(1)
    waits = [outbox.backoff_seconds(n, rng=rng) for n in range(1, 12)]
    assert all(waits[i] < waits[i + 2] for i in range(6))
    assert 1.0 <= waits[0] <= 2.0 and max(waits) <= outbox.BACKOFF_CAP_SECONDS
    assert len({round(outbox.backoff_seconds(3), 6) for _ in range(5)}) > 1  # jitter


def test_after_max_attempts_a_job_is_dead_with_its_error(database, box, installation):
    handler = Recorder([ApiUnavailable("down")] * 5)
    job_id = _enqueue(database, installation, max_attempts=3)
    runner = worker(database, box, handler)
    for _ in range(3):
        _make_due(database, job_id)
        runner.drain()
    job = _job(database, job_id)
    assert (job.status, job.attempts, job.last_error) == ("dead", 3, "down")
    assert handler.settled[-1] == ("dead", "down")
    _make_due(database, job_id)
    assert runner.drain() == 0  # dead jobs are never picked up again by themselves


def test_errors_no_retry_can_fix_park_the_job_at_once(database, box, installation):
    for error in (ApiNotFound("Jira has no issue ENG-9"), PermanentJobError("jira.project is not set")):
        job_id = _enqueue(database, installation)
        worker(database, box, Recorder([error])).drain()
        job = _job(database, job_id)
        assert (job.status, job.attempts) == ("dead", 1)


def test_an_unexpected_exception_is_retried_and_explained_without_internals(database, box, installation):
    job_id = _enqueue(database, installation)
    worker(database, box, Recorder([KeyError("secret-ish detail")])).drain()
    job = _job(database, job_id)
    assert job.status == "queued" and "KeyError" in job.last_error and "secret-ish" not in job.last_error


def test_a_crashed_workers_job_is_taken_again_when_its_lease_runs_out(database, box, installation):
    job_id = _enqueue(database, installation)
    claimed = outbox.claim(database, worker_id="dead-worker", lease_seconds=60)
    assert claimed.id == job_id
    assert outbox.claim(database, worker_id="w2", lease_seconds=60) is None  # leased: nobody else takes it
    with database.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(locked_until=utcnow() - timedelta(seconds=1)))
    handler = Recorder()
    assert worker(database, box, handler).drain() == 1
    job = _job(database, job_id)
    assert (job.status, job.attempts) == ("done", 2)
    # The old worker's late answer changes nothing: it no longer holds the lease.
    with database.session() as session:
        assert outbox.complete(session, claimed) is False
        assert outbox.fail(session, claimed, error="late") == "lost"
    assert _job(database, job_id).status == "done"


def test_a_dead_job_can_be_retried_with_a_fresh_budget(database, box, installation):
    job_id = _enqueue(database, installation, max_attempts=1)
    worker(database, box, Recorder([ApiUnavailable("down")])).drain()
    assert _job(database, job_id).status == "dead"
    with database.session() as session:
        outbox.retry(session, job_id)
    handler = Recorder()
    worker(database, box, handler).drain()
    assert _job(database, job_id).status == "done"
    with database.session() as session, pytest.raises(Conflict):
        outbox.retry(session, job_id)


def test_jobs_of_kinds_a_worker_does_not_handle_are_left_alone(database, box, installation):
    with database.session() as session:
        outbox.enqueue(session, installation_id=installation["id"], kind="other.kind", payload={})
    assert worker(database, box, Recorder()).drain() == 0
