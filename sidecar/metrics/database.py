"""Gauges read from the database at scrape time: escalations by status, outbox jobs, the acknowledgement SLA.

The database is the one place every process (web processes, the embedded worker, `sidecar worker`
elsewhere) writes to, so these are right whichever process answers the scrape. The queries are a few
GROUP BY counts; the answer is kept for CACHE_SECONDS so a scrape every few seconds, or several
Prometheus servers, cost the database one round of queries per window. A database that does not answer
gives `sidecar_database_up 0` and no other gauge, never a failed scrape.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import cast

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from sidecar.domain.settings import EscalationSettings
from sidecar.domain.statuses import EscalationStatus, JobStatus
from sidecar.store.db import Database
from sidecar.store.models import Escalation, Installation, Job, utcnow

log = logging.getLogger(__name__)
CACHE_SECONDS = 5.0
RETRYING = "retrying"  # a queued job that has failed before: waiting for its next attempt

# Done jobs are most rows and say nothing about health: only the other statuses are counted, through the
# (status, run_after) index.
_OPEN_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DEAD)
_JOB_STATUS = case((and_(Job.status == JobStatus.QUEUED, Job.attempts > 0), RETRYING), else_=Job.status)
_JOBS = (select(Job.kind, _JOB_STATUS, func.count()).where(Job.status.in_(_OPEN_JOB_STATUSES))
         .group_by(Job.kind, _JOB_STATUS))
_ACK_MINUTES = select(Installation.id, Installation.settings)


class DatabaseCollector(Collector):
    """A custom collector: the database gauges, cached for `cache_seconds`."""

    def __init__(self, database: Database, *, cache_seconds: float = CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.database = database
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Metric]] | None = None

    def describe(self) -> Iterable[Metric]:
        """Nothing up front: registering must not query the database."""
        return []

    def collect(self) -> Iterable[Metric]:
        """The gauges, from the cache while it is fresh, else from the database."""
        with self._lock:  # one scrape queries; those arriving meanwhile wait for its answer
            now = self.clock()
            if self._cached is None or now - self._cached[0] >= self.cache_seconds:
                self._cached = (now, self._read())
            return list(self._cached[1])

    def _read(self) -> list[Metric]:
        up = GaugeMetricFamily("sidecar_database_up", "1 when the metrics' database queries answered, else 0.")
        try:
            with self.database.engine.connect() as connection:
                gauges = [*escalation_gauges(connection), jobs_by_kind_and_status(connection)]
        except SQLAlchemyError as exc:
            log.warning("metrics: reading the database failed (%s)", type(exc).__name__)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *gauges]


def escalation_gauges(connection: Connection) -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
    """sidecar_escalations{status} (every status, zero included) and sidecar_escalations_ack_overdue, in one pass."""
    by_status = GaugeMetricFamily("sidecar_escalations", "Escalations by status.", labels=("status",))
    overdue = GaugeMetricFamily("sidecar_escalations_ack_overdue", "Open escalations unacknowledged for longer "
                                "than their installation's ack_minutes.")
    counts: dict[str, int] = {str(status): 0 for status in EscalationStatus}
    late = 0
    for status, count, overdue_count in cast(list[tuple[str, int, int | None]],
                                             connection.execute(_escalation_counts(connection)).all()):
        counts[str(status)] = count
        late += overdue_count or 0
    for status, count in sorted(counts.items()):
        by_status.add_metric([status], count)
    overdue.add_metric([], late)
    return by_status, overdue


def _escalation_counts(connection: Connection) -> Select:
    """Escalations by status with, beside each count, how many are past their installation's ack_minutes."""
    by_minutes: dict[int, list[str]] = defaultdict(list)
    for installation_id, settings in cast(list[tuple[str, dict | None]], connection.execute(_ACK_MINUTES).all()):
        by_minutes[EscalationSettings.from_mapping(settings).ack_minutes].append(installation_id)
    now = utcnow()
    # One condition per distinct ack_minutes (usually one or two), evaluated in the same scan as the counts.
    late = [and_(Escalation.installation_id.in_(ids), Escalation.created_at < now - timedelta(minutes=minutes))
            for minutes, ids in by_minutes.items()]
    waiting = and_(Escalation.acknowledged_at.is_(None), Escalation.status != EscalationStatus.RESOLVED)
    overdue = func.sum(case((and_(waiting, or_(*late)), 1), else_=0)) if late else literal(0)
    return select(Escalation.status, func.count(), overdue).group_by(Escalation.status)


def jobs_by_kind_and_status(connection: Connection) -> GaugeMetricFamily:
    """sidecar_outbox_jobs{kind,status}: queued, retrying (queued after a failure), running and dead; not done."""
    gauge = GaugeMetricFamily("sidecar_outbox_jobs", "Outbox jobs not done, by kind and status (retrying: queued "
                              "again after a failed attempt).", labels=("kind", "status"))
    for kind, status, count in cast(list[tuple[str, str, int]], connection.execute(_JOBS).all()):
        gauge.add_metric([kind, str(status)], count)
    return gauge
