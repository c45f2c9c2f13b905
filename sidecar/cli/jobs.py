"""`sidecar jobs`: see the outbox's waiting and dead jobs, and retry them."""
from __future__ import annotations

import click

from sidecar.cli.runtime import (
    database_for,
    installation_option,
    load_config,
    print_json,
    service_errors,
)
from sidecar.jobs.outbox import list_jobs, retry
from sidecar.services.lifecycle import reopen_step_for_retry


@click.group()
def jobs() -> None:
    """Outbox jobs: see what waits or died, and retry."""


@jobs.command("list")
@click.option("--dead", is_flag=True, help="only jobs parked as dead")
@click.option("--status", type=click.Choice(["queued", "running", "done", "dead"]), default=None)
@installation_option(required=False)
@click.option("--limit", default=50, type=int, show_default=True)
def jobs_list(dead: bool, status: str | None, installation_id: str | None, limit: int) -> None:
    """List jobs, newest first: one line each, the error in words."""
    with database_for(load_config()) as database, database.session() as session:
        rows = list_jobs(session, status="dead" if dead else status, installation_id=installation_id, limit=limit)
        lines = [{"id": j.id, "kind": j.kind, "status": j.status, "attempts": j.attempts,
                  "installation_id": j.installation_id, "escalation_id": j.escalation_id,
                  "run_after": j.run_after, "error": j.last_error} for j in rows]
    if not lines:
        click.echo("no jobs" + (" parked as dead" if dead else ""), err=True)
    for line in lines:
        print_json(line)


@jobs.command("retry")
@click.argument("job_id")
def jobs_retry(job_id: str) -> None:
    """Put a dead job back in the queue now (after fixing what it failed on)."""
    with service_errors(), database_for(load_config()) as database, database.write_session() as session:
        job = retry(session, job_id)
        reopen_step_for_retry(session, job)
        result = {"id": job.id, "kind": job.kind, "status": job.status}
    print_json(result)
