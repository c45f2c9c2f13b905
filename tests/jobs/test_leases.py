"""Leases are (worker, token): fenced settles, renewal, a taken-over job searching first, batch leases kept."""
from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import update

from sidecar.jobs import outbox
from sidecar.jobs.context import JobContext
from sidecar.jobs.lease import LeaseKeeper
from sidecar.jobs.worker import Worker
from sidecar.jobs.writes import first_attempt
from sidecar.store.models import AuditEntry, Job, utcnow


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


class Recorder:
    """A handler that notes the jobs it ran."""

    def __init__(self):
        self.ran = []

    def run(self, ctx: JobContext) -> None:
        self.ran.append(ctx.job.id)

    def on_settled(self, ctx, *, status, error):
        pass


def _enqueue(database, installation, count: int = 1) -> list[str]:
    with database.session() as session:
        return [outbox.enqueue(session, installation_id=installation["id"], kind="test.kind", payload={}).id
                for _ in range(count)]


def _lapse(database, job_id: str) -> None:
    with database.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(locked_until=utcnow() - timedelta(seconds=1)))


def test_the_same_worker_reclaiming_a_lapsed_job_fences_its_earlier_claim(database, installation):
    (job_id,) = _enqueue(database, installation)
    earlier = outbox.claim(database, worker_id="w1", lease_seconds=60)
    _lapse(database, job_id)
    later = outbox.claim(database, worker_id="w1", lease_seconds=60)  # same worker id, new token
    assert later.id == job_id and later.lease_token != earlier.lease_token and later.taken_over
    with database.session() as session:
        assert outbox.complete(session, earlier) is False
        assert outbox.complete(session, later) is True


def test_a_taken_over_job_is_never_a_first_attempt(database, installation, box):
    (job_id,) = _enqueue(database, installation)
    fresh = outbox.claim(database, worker_id="w1", lease_seconds=60)
    assert first_attempt(SimpleNamespace(job=fresh))
    _lapse(database, job_id)
    taken = outbox.claim(database, worker_id="w2", lease_seconds=60)
    assert taken.taken_over and not first_attempt(SimpleNamespace(job=taken))
    # Even with an attempt count that says "first" (the claim was given back meanwhile), it searches.
    assert not first_attempt(SimpleNamespace(job=SimpleNamespace(attempts=1, taken_over=True)))


def test_renewing_extends_a_held_lease_and_reports_a_lost_one(database, installation):
    first, second = _enqueue(database, installation, 2)
    jobs = outbox.claim_batch(database, worker_id="w1", lease_seconds=1, limit=2)
    _lapse(database, second)
    taken = outbox.claim(database, worker_id="w2", lease_seconds=60)
    assert taken.id == second
    lost = outbox.renew(database, jobs, lease_seconds=60)
    assert [job.id for job in lost] == [second]
    with database.session() as session:
        assert session.get(Job, first).locked_until.replace(tzinfo=None) > (utcnow() + timedelta(seconds=50)) \
            .replace(tzinfo=None)


def test_the_keeper_renews_while_a_job_is_held_and_stops_when_none_is(database, installation):
    _enqueue(database, installation)
    job = outbox.claim(database, worker_id="w1", lease_seconds=0.3)
    keeper = LeaseKeeper(database, lease_seconds=0.3)
    keeper.hold([job])
    time.sleep(0.8)  # well past the first lease
    assert keeper.renewals >= 2
    assert outbox.claim(database, worker_id="w2", lease_seconds=60) is None  # still held
    keeper.let_go(job)
    time.sleep(0.3)
    assert keeper._thread is None
    with database.session() as session:
        assert outbox.complete(session, job) is True


def test_a_claimed_job_whose_lease_passed_on_before_it_started_is_skipped(database, installation, box):
    first, second = _enqueue(database, installation, 2)
    handler = Recorder()
    worker = Worker(database, box=box, handlers={"test.kind": handler}, worker_id="w1", claim_batch=2,
                    lease_seconds=60)
    assert worker.run_once()  # claims both, runs the first
    _lapse(database, second)
    worker.leases._renewed_at[second] -= 3600  # as if the keeper had not renewed it for an hour
    assert outbox.claim(database, worker_id="w2", lease_seconds=60).id == second
    assert worker.run_once() is False
    assert handler.ran == [first]


def test_a_late_failure_is_discarded_and_audited(database, installation, box):
    (job_id,) = _enqueue(database, installation)
    job = outbox.claim(database, worker_id="w1", lease_seconds=60)
    _lapse(database, job_id)
    outbox.claim(database, worker_id="w2", lease_seconds=60)

    class Failing(Recorder):
        def run(self, ctx):
            raise RuntimeError("slow and then broken")

    worker = Worker(database, box=box, handlers={"test.kind": Failing()}, worker_id="w1")
    worker._run(job)
    with database.session() as session:
        assert session.get(Job, job_id).locked_by == "w2"
        entry = session.query(AuditEntry).filter(AuditEntry.action == "late_result_discarded").one()
        assert (entry.system, entry.outcome, entry.job_id) == ("outbox", "refused", job_id)
