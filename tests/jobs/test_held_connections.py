"""A busy worker keeps one reading and one writing connection across its jobs and gives them back when idle."""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from sidecar.jobs import outbox
from sidecar.jobs.connections import HeldConnections
from sidecar.jobs.context import JobContext
from sidecar.jobs.worker import Worker
from sidecar.store.models import Job


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


class ReadsAndWrites:
    """A handler that reads and writes through the job's context, and notes how many connections are out."""

    def __init__(self, database):
        self.database = database
        self.checked_out: list[int] = []

    def run(self, ctx: JobContext) -> None:
        with ctx.reading() as connection:
            connection.execute(select(func.count()).select_from(Job.__table__)).scalar_one()
        with ctx.writing() as connection:
            ctx.finish(connection)
        self.checked_out.append(self.database.engine.pool.checkedout())

    def on_settled(self, ctx, *, status, error):
        pass


def _enqueue(database, installation, count: int) -> list[str]:
    with database.session() as session:
        return [outbox.enqueue(session, installation_id=installation["id"], kind="test.kind", payload={}).id
                for _ in range(count)]


def test_a_burst_of_jobs_takes_two_connections_from_the_pool_and_gives_them_back(database, installation, box):
    _enqueue(database, installation, 6)
    checkouts = []

    def count(*_args) -> None:
        checkouts.append(1)

    event.listen(database.engine, "checkout", count)
    try:
        handler = ReadsAndWrites(database)
        worker = Worker(database, box=box, handlers={"test.kind": handler}, worker_id="w1", claim_batch=4)
        assert worker.drain() == 6
    finally:
        event.remove(database.engine, "checkout", count)
    # One reading and one writing connection for all six jobs and both claims (before: two or more per job).
    assert handler.checked_out == [2] * 6
    assert len(checkouts) == 2
    assert database.engine.pool.checkedout() == 0  # drained: nothing held
    with database.session() as session:
        assert session.scalars(select(Job.status)).all() == ["done"] * 6


def test_an_idle_worker_holds_no_connection(database, installation, box):
    worker = Worker(database, box=box, handlers={"test.kind": ReadsAndWrites(database)}, worker_id="w1")
    assert worker.run_once() is False
    assert database.engine.pool.checkedout() == 0


def test_reads_run_outside_any_transaction(database):
    held = HeldConnections(database)
    try:
        with held.reading() as connection:
            connection.execute(select(func.count()).select_from(Job.__table__)).scalar_one()
            driver = connection.connection.driver_connection
            # psycopg sends no BEGIN in autocommit; sqlite3 begins nothing when its isolation_level is None.
            assert driver.autocommit if connection.dialect.name == "postgresql" else driver.isolation_level is None
    finally:
        held.release()


def test_a_failed_write_rolls_back_and_the_next_one_runs_on_a_sound_connection(database, installation):
    (job_id,) = _enqueue(database, installation, 1)
    held = HeldConnections(database)
    try:
        with pytest.raises(RuntimeError):
            with held.writing() as connection:
                connection.execute(Job.__table__.update().where(Job.id == job_id).values(status="dead"))
                raise RuntimeError("the step failed half-way")
        with held.writing() as connection:
            assert connection.execute(select(Job.status).where(Job.id == job_id)).scalar_one() == "queued"
    finally:
        held.release()
    assert database.engine.pool.checkedout() == 0
