"""One worker process on several threads: each thread a worker of its own, every job run once."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from sidecar.jobs import outbox
from sidecar.jobs.context import JobContext
from sidecar.jobs.pool import WorkerPool
from sidecar.jobs.worker import Worker
from sidecar.store.models import Job


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


class Chain:
    """A handler whose jobs each queue a next one until `depth`, and note which thread's worker ran them."""

    def __init__(self, database, depth: int, pause: float = 0.0):
        self.database = database
        self.depth = depth
        self.pause = pause
        self.ran: list[tuple[str, str]] = []  # (job id, worker id)
        self._lock = threading.Lock()

    def run(self, ctx: JobContext) -> None:
        time.sleep(self.pause)  # a vendor's answer: the other threads run meanwhile
        with self._lock:
            self.ran.append((ctx.job.id, ctx.job.worker_id))
        with ctx.writing() as connection:
            if not ctx.finish(connection):
                return
        step = ctx.job.payload["step"]
        if step < self.depth:
            with self.database.session() as session:
                outbox.enqueue(session, installation_id=ctx.job.installation_id, kind="test.kind",
                               payload={"step": step + 1})

    def on_settled(self, ctx, *, status, error):
        pass


def _pool(database, box, handler, threads: int, **kwargs) -> WorkerPool:
    return WorkerPool(lambda worker_id: Worker(database, box=box, handlers={"test.kind": handler}, worker_id=worker_id,
                                               claim_batch=2, **kwargs), threads=threads, worker_id="proc",
                      poll_seconds=0.2)


def _enqueue(database, installation, count: int) -> None:
    with database.session() as session:
        for _ in range(count):
            outbox.enqueue(session, installation_id=installation["id"], kind="test.kind", payload={"step": 1})


def test_the_threads_share_the_queue_and_drain_waits_for_the_jobs_their_jobs_queue(database, box, installation):
    _enqueue(database, installation, 6)
    handler = Chain(database, depth=3, pause=0.02)
    pool = _pool(database, box, handler, threads=3)
    assert pool.drain() == 18  # 6 chains of 3: the last steps are queued while other threads still work
    job_ids = [job_id for job_id, _ in handler.ran]
    assert len(job_ids) == len(set(job_ids)) == 18  # no job ran twice
    assert {worker_id for _, worker_id in handler.ran} == {"proc:t0", "proc:t1", "proc:t2"}  # each its own lease
    with database.session() as session:
        assert session.scalars(select(Job.status)).all() == ["done"] * 18
        assert session.scalars(select(Job.attempts)).all() == [1] * 18
    assert database.engine.pool.checkedout() == 0  # drained: every thread gave its connections back


def test_one_thread_keeps_the_process_id(database, box, installation):
    _enqueue(database, installation, 2)
    handler = Chain(database, depth=1)
    assert _pool(database, box, handler, threads=1).drain() == 2
    assert {worker_id for _, worker_id in handler.ran} == {"proc"}


def test_a_running_pool_works_on_every_thread_and_stops_when_told(database, box, installation):
    handler = Chain(database, depth=2, pause=0.05)
    pool = _pool(database, box, handler, threads=3)
    stop = threading.Event()
    runner = threading.Thread(target=pool.run, args=(stop,))
    runner.start()
    try:
        _enqueue(database, installation, 6)
        deadline = time.monotonic() + 20
        while len(handler.ran) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        runner.join(10)
    assert not runner.is_alive()
    assert len(handler.ran) == len({job_id for job_id, _ in handler.ran}) == 12
    assert len({worker_id for _, worker_id in handler.ran}) > 1
    assert database.engine.pool.checkedout() == 0


def test_threads_are_bounded():
    with pytest.raises(ValueError):
        WorkerPool(lambda worker_id: None, threads=0)  # type: ignore[arg-type, return-value]
