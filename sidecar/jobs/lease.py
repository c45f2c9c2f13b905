"""Keeping a worker's leases alive while it holds jobs: the running one and the claimed ones not yet started.

A vendor call can outlast a lease (a slow Jira, a long Retry-After chain of timeouts). Without
renewal another worker would take the job over while the first is still writing, and both would
write. The keeper renews every lease its worker holds once a third of the lease has passed, from a
small thread that runs only while the worker holds something. Before a claimed job starts, the
worker asks `confirm`: a job whose lease may have lapsed since the last renewal is renewed first,
and skipped when another worker has taken it.

A worker that dies takes its keeper with it, so a dead worker's jobs still come back after one lease.
"""
from __future__ import annotations

import logging
import threading
import time

from sidecar.jobs import outbox
from sidecar.jobs.outbox import ClaimedJob
from sidecar.store.db import Database

log = logging.getLogger("sidecar.worker")
MAX_HOLD_SECONDS = 900.0  # a job still running after this is stuck: stop renewing and let another take it


class LeaseKeeper:
    """Renews the leases of the jobs one worker holds, every third of a lease, while it holds any."""

    def __init__(self, database: Database, *, lease_seconds: float) -> None:
        self.database = database
        self.lease_seconds = lease_seconds
        self.interval = lease_seconds / 3
        self._held: dict[str, tuple[ClaimedJob, float]] = {}  # job id -> (job, monotonic time it was taken)
        self._renewed_at: dict[str, float] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.renewals = 0  # statements run, for the benchmark

    def hold(self, jobs: list[ClaimedJob]) -> None:
        """Start keeping these freshly claimed jobs' leases."""
        now = time.monotonic()
        with self._lock:
            for job in jobs:
                self._held[job.id] = (job, now)
                self._renewed_at[job.id] = now
            if self._held and self._thread is None:
                self._wake.clear()
                self._thread = threading.Thread(target=self._run, name="sidecar-lease", daemon=True)
                self._thread.start()

    def let_go(self, job: ClaimedJob) -> None:
        """Stop keeping a job's lease (it is settled, released or lost)."""
        with self._lock:
            self._held.pop(job.id, None)
            self._renewed_at.pop(job.id, None)
        # The thread sleeps out its interval and ends then if nothing is held: a busy worker holds
        # batch after batch, and one thread for all of them costs less than one per batch.

    def confirm(self, job: ClaimedJob) -> bool:
        """True when the job's lease is surely still ours: fresh enough, or renewed now."""
        with self._lock:
            renewed = self._renewed_at.get(job.id)
        if renewed is None:
            return False
        if time.monotonic() - renewed < self.interval:
            return True  # renewed less than a third of a lease ago: nobody can have taken it
        try:
            return not self._renew([job])
        except Exception:  # the database went away for a moment: leave the job to whoever claims it next
            log.exception("job %s: renewing its lease before it started failed", job.id)
            return False

    def _renew(self, jobs: list[ClaimedJob]) -> list[ClaimedJob]:
        """Renew these leases; forget and return the ones another worker holds now."""
        started = time.monotonic()
        lost = outbox.renew(self.database, jobs, lease_seconds=self.lease_seconds)
        with self._lock:
            self.renewals += len(jobs)
            for job in jobs:
                if job.id in self._renewed_at:
                    self._renewed_at[job.id] = started
            for job in lost:
                self._held.pop(job.id, None)
                self._renewed_at.pop(job.id, None)
        for job in lost:
            log.warning("job %s (%s): lease lost to another worker", job.id, job.kind)
        return lost

    def _due(self) -> list[ClaimedJob] | None:
        """The held jobs whose renewal is due, or None when nothing is held (the thread then ends)."""
        now = time.monotonic()
        with self._lock:
            if not self._held:
                self._thread = None
                return None
            # Renewed (or claimed) less than a third of a lease ago: not yet.
            return [job for job, taken in self._held.values()
                    if now - taken < MAX_HOLD_SECONDS and now - self._renewed_at[job.id] >= self.interval * 0.9]

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            jobs = self._due()
            if jobs is None:
                return
            if not jobs:
                continue
            try:
                self._renew(jobs)
            except Exception:  # the database went away for a moment: the next round tries again
                log.exception("renewing %d job lease(s) failed", len(jobs))

    def stop(self) -> None:
        """Forget every held job and end the thread (the worker is stopping)."""
        with self._lock:
            self._held.clear()
            self._renewed_at.clear()
            self._wake.set()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5)
