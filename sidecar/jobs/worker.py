"""The outbox worker: claims due jobs, runs their handler, settles them (done, retry later, or dead).

`sidecar worker` runs one in the foreground; `sidecar serve` starts one beside the web processes, so
the embedded default is a whole system. Any number may run against PostgreSQL (see outbox.claim).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from collections import OrderedDict, deque
from collections.abc import Mapping

from sidecar.clients.errors import ApiError
from sidecar.clients.url_policy import private_urls_allowed
from sidecar.domain.statuses import JobStatus
from sidecar.jobs import outbox
from sidecar.jobs.connections import HeldConnections
from sidecar.jobs.context import JobContext, JobHandler, PermanentJobError
from sidecar.jobs.lease import LeaseKeeper
from sidecar.jobs.outbox import ClaimedJob
from sidecar.jobs.registry import all_handlers
from sidecar.store.crypto import SecretBox
from sidecar.store.db import Database

log = logging.getLogger("sidecar.worker")
# Jobs claimed in one transaction: each claim is a commit (a WAL flush on PostgreSQL). The price: the
# claimed ones wait behind the running job (their leases kept) even when another worker is idle.
CLAIM_BATCH = 16


def classify(exc: BaseException) -> tuple[bool, float | None, str]:
    """(permanent?, retry_after, message in words) for a handler's exception."""
    if isinstance(exc, PermanentJobError):
        return True, None, str(exc)
    if isinstance(exc, ApiError):
        # 401/403/404/400: the same request will fail the same way until someone fixes something.
        return (not exc.transient), exc.retry_after, exc.message
    return False, None, f"unexpected {type(exc).__name__} in the sidecar (see the worker log)"


class Worker:
    """Claims and runs jobs until stopped."""

    def __init__(
        self,
        database: Database,
        *,
        box: SecretBox,
        handlers: Mapping[str, JobHandler] | None = None,
        worker_id: str | None = None,
        lease_seconds: float = outbox.DEFAULT_LEASE_SECONDS,
        poll_seconds: float = 1.0,
        templates_dir: str | None = None,
        claim_batch: int = CLAIM_BATCH,
        allow_private_urls: bool | None = None,
    ) -> None:
        if handlers is None:
            handlers = all_handlers()
        self.database = database
        self.box = box
        self.handlers = dict(handlers)
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.templates_dir = templates_dir
        self.clients: OrderedDict = OrderedDict()
        self.claim_batch = claim_batch
        # The outbound URL switch: the caller's Config (`sidecar worker`, `serve`), else the environment.
        self.allow_private_urls = private_urls_allowed(allow_private_urls)
        self._claimed: deque[ClaimedJob] = deque()
        self.leases = LeaseKeeper(database, lease_seconds=lease_seconds)
        # Kept while jobs keep coming (no ping, no BEGIN per read on PostgreSQL); given back when none is due.
        self.connections = HeldConnections(database)

    def _next_job(self, *, release_when_idle: bool) -> ClaimedJob | None:
        if not self._claimed:
            # A few at a time: one claiming transaction instead of one per job. The lease keeper renews
            # the leases of those not started yet as well as the running one's.
            with self.connections.writing() as connection:
                batch = outbox.claim_on(connection, worker_id=self.worker_id, lease_seconds=self.lease_seconds,
                                        kinds=tuple(self.handlers), limit=self.claim_batch)
            if not batch:
                if release_when_idle:
                    self.connections.release()  # idle: hold nothing until work comes again
                return None
            self.leases.hold(batch)
            self._claimed.extend(batch)
        while self._claimed:
            job = self._claimed.popleft()
            if self.leases.confirm(job):
                return job
            log.warning("job %s (%s): its lease passed to another worker before it started", job.id, job.kind)
            self.leases.let_go(job)
        return None

    def run_once(self, *, release_when_idle: bool = True) -> bool:
        """Run one due job (claimed now or in the last batch); False when none was due.

        When none was due the kept connections go back to the pool, unless the caller keeps them
        (a thread of a WorkerPool whose other threads are still busy: more jobs are coming).
        """
        job = self._next_job(release_when_idle=release_when_idle)
        if job is None:
            return False
        try:
            self._run(job)
        finally:
            self.leases.let_go(job)
        return True

    def _run(self, job: ClaimedJob) -> None:
        handler = self.handlers[job.kind]
        ctx = JobContext(self.database, self.box, job, templates_dir=self.templates_dir, clients=self.clients,
                         allow_private_urls=self.allow_private_urls, connections=self.connections)
        try:
            handler.run(ctx)
        except Exception as exc:  # every failure is settled on the job, never lost
            permanent, retry_after, message = classify(exc)
            if not isinstance(exc, (ApiError, PermanentJobError)):
                log.exception("job %s (%s) failed unexpectedly", job.id, job.kind)
            else:
                log.warning("job %s (%s) attempt %d failed: %s", job.id, job.kind, job.attempts, message)
            with self.database.write_session() as session:
                status = outbox.fail(session, job, error=message, permanent=permanent, retry_after=retry_after)
                if status == JobStatus.LOST:
                    ctx.note_discarded(session)
                ctx.store_audit(session)
            if status != JobStatus.LOST:
                self._settled(handler, ctx, status=status, error=message)
            return
        if not ctx.finished:
            with self.database.write_session() as session:
                ctx.finish(session)
        log.info("job %s (%s) done after %d attempt(s)", job.id, job.kind, job.attempts)

    def _settled(self, handler: JobHandler, ctx: JobContext, *, status: str, error: str | None) -> None:
        try:
            handler.on_settled(ctx, status=status, error=error)
        except Exception:  # the job is settled already; a failing status note must not undo that
            log.exception("job %s: recording its status failed", ctx.job.id)

    def drain(self, *, max_jobs: int = 10_000) -> int:
        """Run due jobs until none is due (tests, `sidecar jobs run`); returns how many ran."""
        ran = 0
        try:
            while ran < max_jobs and self.run_once():
                ran += 1
        finally:
            self.give_back()
        return ran

    def give_back(self) -> None:
        """Release what was claimed but not started and stop renewing leases."""
        outbox.release(self.database, list(self._claimed))  # claimed but not started: due again at once
        self._claimed.clear()
        self.leases.stop()
        self.connections.release()

    def run(self, stop: threading.Event) -> None:
        """Run until `stop` is set: work while jobs are due, otherwise sleep up to poll_seconds."""
        log.info("worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # the database went away for a moment: wait and try again
                log.exception("worker %s: claiming a job failed", self.worker_id)
                worked = False
            if not worked:
                stop.wait(self.poll_seconds)
        self.give_back()
        log.info("worker %s stopped", self.worker_id)


def start_worker_thread(worker: Worker) -> tuple[threading.Thread, threading.Event]:
    """Run a worker in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), name="sidecar-worker", daemon=True)
    thread.start()
    return thread, stop
