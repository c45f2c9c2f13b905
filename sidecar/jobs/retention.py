"""`retention.purge`: the daily purge of one installation's data older than its retention window.

The first job is queued when an admin sets a window (sidecar.services.retention.set_retention). Each
run queues the next one a day later, whatever its outcome, so the chain never breaks; an installation
whose window was removed runs once more, finds nothing to do and stops.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sidecar.domain.statuses import JobStatus
from sidecar.errors import NotFound
from sidecar.jobs.context import JobContext, JobHandler, PermanentJobError
from sidecar.services.retention import PURGE_JOB_KIND, purge_installation, retention_days, schedule_purge
from sidecar.store.models import Installation, utcnow

log = logging.getLogger(__name__)
PURGE_INTERVAL = timedelta(days=1)


class RetentionPurge:
    """Delete what is older than the installation's window, then queue tomorrow's run."""

    def run(self, ctx: JobContext) -> None:
        """Purge (skipped when the installation keeps everything) and schedule the next purge."""
        try:
            report = purge_installation(ctx.database, installation_id=ctx.job.installation_id)
        except NotFound:
            raise PermanentJobError("the installation no longer exists") from None
        if report.days is not None:
            log.info("retention purge of %s: %s", ctx.job.installation_id,
                     {k: v for k, v in report.deleted.items() if v} or "nothing older than the window")
        self._schedule_next(ctx)

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None:
        """A purge that failed for good still keeps the daily chain going."""
        if status == JobStatus.DEAD:
            self._schedule_next(ctx)

    @staticmethod
    def _schedule_next(ctx: JobContext) -> None:
        with ctx.database.write_session() as session:
            installation = session.get(Installation, ctx.job.installation_id)
            if installation is None or retention_days(installation) is None:
                return
            schedule_purge(session, installation_id=installation.id, run_after=utcnow() + PURGE_INTERVAL,
                           exclude_job_id=ctx.job.id)


HANDLERS: dict[str, JobHandler] = {PURGE_JOB_KIND: RetentionPurge()}
