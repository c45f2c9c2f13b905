"""One worker process running its jobs on several threads (`SIDECAR_WORKER_THREADS`).

A job mostly waits: for the vendor's answer, and on PostgreSQL for the commit's WAL flush. Threads
let the waits of different jobs overlap, so one process delivers several times as fast. Each thread
is a `Worker` of its own, exactly as if it were another worker process: its own id (the process's id
and the thread's number), its own claims and lease tokens, its own lease keeper, its own kept
database connections and vendor clients. Nothing that decides exactly-once is shared, so the fences
that already make several worker processes safe (a lease per claim, checked by every settle; the
escalation's row lock while its status is worked out; the job's lock before the escalation's) make
the threads safe too. Two steps of one escalation may run at once, as they may on two workers.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

from sidecar.config import MAX_WORKER_THREADS
from sidecar.jobs.worker import Worker

log = logging.getLogger("sidecar.worker")
# At most at once per thread: its reading and writing connections, a failed job's settle, a lease renewal.
CONNECTIONS_PER_THREAD = 4
FIRST_BACKOFF_SECONDS = 0.005  # an idle thread's first wait while others work; doubled up to the poll interval


class WorkerPool:
    """Runs jobs on `threads` Workers of one process; `run` and `drain` as a single Worker's."""

    def __init__(self, make_worker: Callable[[str], Worker], *, threads: int = 1, worker_id: str | None = None,
                 poll_seconds: float = 1.0) -> None:
        if not 1 <= threads <= MAX_WORKER_THREADS:
            raise ValueError(f"threads must be 1 to {MAX_WORKER_THREADS}, not {threads}")
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        # One thread keeps the process's id (as a single Worker would); more get the thread's number.
        self.workers = [make_worker(self.worker_id if threads == 1 else f"{self.worker_id}:t{n}")
                        for n in range(threads)]
        self.poll_seconds = poll_seconds
        self._changed = threading.Condition()
        self._busy = 0  # threads inside run_once: a job they settle may queue follow-ups for the others

    @property
    def lease_renewals(self) -> int:
        """Lease renewal statements run by all threads (the benchmark reports them)."""
        return sum(worker.leases.renewals for worker in self.workers)

    def _run_once(self, worker: Worker) -> bool:
        with self._changed:
            self._busy += 1
        worked = False
        try:
            # Connections are kept while other threads work: their settles queue more jobs soon, and
            # a connection given back beyond the pool's size is closed (a new one costs a server process).
            worked = worker.run_once(release_when_idle=False)
            return worked
        finally:
            with self._changed:
                self._busy -= 1
                idle = self._busy == 0
                if idle:
                    self._changed.notify_all()  # waiting threads: nobody can make jobs due now
            if not worked and idle:
                worker.connections.release()  # nothing due and nobody working: hold nothing

    def _lane(self, worker: Worker, stop: threading.Event, *, counts: list[int] | None = None, index: int = 0,
              max_jobs: int = 0) -> None:
        """One thread's loop: run jobs while some are due; `counts` given: drain (return when none is due)."""
        draining = counts is not None
        backoff = FIRST_BACKOFF_SECONDS
        try:
            while not stop.is_set() and (counts is None or sum(counts) < max_jobs):
                try:
                    worked = self._run_once(worker)
                except Exception:  # the database went away for a moment: wait and try again
                    if draining:
                        raise
                    log.exception("worker %s: claiming a job failed", worker.worker_id)
                    worked = False
                if worked:
                    if counts is not None:
                        counts[index] += 1
                    backoff = FIRST_BACKOFF_SECONDS
                    continue
                with self._changed:
                    if draining and self._busy == 0:
                        return  # nothing due and nobody running a job that could make something due
                    # Other threads at work will queue the next steps: look again soon, then less and less
                    # often (a claim that finds nothing is a round trip; waking on every settle cost more
                    # in empty claims than the threads gained). Nobody at work: the poll interval.
                    if not stop.is_set():
                        self._changed.wait(backoff if self._busy else self.poll_seconds)
                backoff = min(2 * backoff, self.poll_seconds)
        finally:
            worker.give_back()

    def drain(self, *, max_jobs: int = 10_000) -> int:
        """Run due jobs on every thread until none is due (benchmarks, tests); how many ran."""
        counts = [0] * len(self.workers)
        never = threading.Event()
        self._on_threads(lambda worker, index: self._lane(worker, never, counts=counts, index=index,
                                                          max_jobs=max_jobs))
        return sum(counts)

    def run(self, stop: threading.Event) -> None:
        """Run until `stop` is set: every thread works while jobs are due, otherwise sleeps up to poll_seconds."""
        log.info("worker %s started (%d thread(s))", self.worker_id, len(self.workers))
        watcher = threading.Thread(target=self._wake_at, args=(stop,), name="sidecar-worker-stop", daemon=True)
        watcher.start()
        self._on_threads(lambda worker, _index: self._lane(worker, stop))
        log.info("worker %s stopped", self.worker_id)

    def _wake_at(self, stop: threading.Event) -> None:
        stop.wait()
        with self._changed:
            self._changed.notify_all()  # idle threads stop now rather than after their poll

    def _on_threads(self, lane: Callable[[Worker, int], None]) -> None:
        """Run `lane` for every worker, the first on the calling thread; wait for all, then raise what one raised."""
        errors: list[BaseException] = []

        def guarded(worker: Worker, index: int) -> None:
            try:
                lane(worker, index)
            except BaseException as exc:  # handed to the caller, as a single Worker's drain would raise it
                errors.append(exc)

        threads = [threading.Thread(target=guarded, args=(worker, index), name=f"sidecar-worker-{index}", daemon=True)
                   for index, worker in enumerate(self.workers[1:], start=1)]
        for thread in threads:
            thread.start()
        guarded(self.workers[0], 0)
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
