"""`sidecar retention purge`: delete data older than each installation's retention window now.

The outbox worker does the same once a day (`retention.purge` jobs); this runs it at once, for one
installation or for every installation that has a window. One JSON line per installation.
"""
from __future__ import annotations

import click

from sidecar.cli.runtime import (
    database_for,
    installation_option,
    load_config,
    print_json,
    service_errors,
)
from sidecar.services.retention import purge_all, purge_installation


@click.group(name="retention")
def retention_group() -> None:
    """Retention: purge data older than an installation's window (PUT /v1/settings/retention)."""


@retention_group.command("purge")
@installation_option(required=False,
                     help="only this installation (default: every installation with a retention window)")
def retention_purge(installation_id: str | None) -> None:
    """Delete history, assessments, finished escalations and jobs, deliveries and audit entries older than
    the window."""
    with service_errors(), database_for(load_config(), current_schema=True) as database:
        if installation_id:
            reports = [purge_installation(database, installation_id=installation_id)]
        else:
            reports = purge_all(database)
    if not reports:
        click.echo("no installation has a retention window", err=True)
    for report in reports:
        if report.days is None:
            click.echo(f"{report.installation_id} keeps everything (no retention window): nothing purged", err=True)
        print_json(report.as_dict())
