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
from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from sidecar.domain.settings import EscalationSettings
from sidecar.domain.statuses import EscalationStatus, JobStatus
from sidecar.store.db import Database
from sidecar.store.models import Escalation, Installation, Job, utcnow

log = logging.getLogger(__name__)
CACHE_SECONDS = 5.0
RETRYING = "retrying"  # a queued job that has failed before: waiting for its next attempt

_ESCALATIONS = select(Escalation.status, func.count()).group_by(Escalation.status)
_JOB_STATUS = case((and_(Job.status == JobStatus.QUEUED, Job.attempts > 0), RETRYING), else_=Job.status)
_JOBS = select(Job.kind, _JOB_STATUS, func.count()).group_by(Job.kind, _JOB_STATUS)
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
                gauges = [escalations_by_status(connection), jobs_by_kind_and_status(connection),
                          ack_overdue(connection)]
        except SQLAlchemyError as exc:
            log.warning("metrics: reading the database failed (%s)", type(exc).__name__)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *gauges]


def escalations_by_status(connection: Connection) -> GaugeMetricFamily:
    """sidecar_escalations{status}: every status, zero included."""
    gauge = GaugeMetricFamily("sidecar_escalations", "Escalations by status.", labels=("status",))
    counts: dict[str, int] = {str(status): 0 for status in EscalationStatus}
    counts.update(dict(connection.execute(_ESCALATIONS).all()))
    for status, count in sorted(counts.items()):
        gauge.add_metric([str(status)], count)
    return gauge


def jobs_by_kind_and_status(connection: Connection) -> GaugeMetricFamily:
    """sidecar_outbox_jobs{kind,status}: status queued, retrying (queued after a failure), running, done, dead."""
    gauge = GaugeMetricFamily("sidecar_outbox_jobs", "Outbox jobs by kind and status (retrying: queued again "
                              "after a failed attempt).", labels=("kind", "status"))
    for kind, status, count in cast(list[tuple[str, str, int]], connection.execute(_JOBS).all()):
        gauge.add_metric([kind, str(status)], count)
    return gauge


def ack_overdue(connection: Connection) -> GaugeMetricFamily:
    """sidecar_escalations_ack_overdue: open escalations nobody acknowledged within their installation's ack_minutes."""
    gauge = GaugeMetricFamily("sidecar_escalations_ack_overdue", "Open escalations unacknowledged for longer than "
                              "their installation's ack_minutes.")
    by_minutes: dict[int, list[str]] = defaultdict(list)
    for installation_id, settings in cast(list[tuple[str, dict | None]], connection.execute(_ACK_MINUTES).all()):
        by_minutes[EscalationSettings.from_mapping(settings).ack_minutes].append(installation_id)
    now, overdue = utcnow(), 0
    # One count per distinct ack_minutes (usually one or two), not one per installation.
    for minutes, installation_ids in by_minutes.items():
        overdue += connection.execute(select(func.count()).select_from(Escalation).where(
            Escalation.installation_id.in_(installation_ids), Escalation.acknowledged_at.is_(None),
            Escalation.status != EscalationStatus.RESOLVED,
            Escalation.created_at < now - timedelta(minutes=minutes))).scalar_one()
    gauge.add_metric([], overdue)
    return gauge
