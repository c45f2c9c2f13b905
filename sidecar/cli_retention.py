"""`sidecar retention purge`: delete data older than each installation's retention window now.

The outbox worker does the same once a day (`retention.purge` jobs); this runs it at once, for one
installation or for every installation that has a window. One JSON line per installation.
"""
from __future__ import annotations

import click


@click.group(name="retention")
def retention_group() -> None:
    """Retention: purge data older than an installation's window (PUT /v1/settings/retention)."""


@retention_group.command("purge")
@click.option("--installation", "installation_id", default=None,
              help="only this installation (default: every installation with a retention window)")
def retention_purge(installation_id: str | None) -> None:
    """Delete history, assessments, finished escalations and jobs, deliveries and audit entries older than the window."""
    # Imported here: sidecar.cli registers this group, and its helpers are the ones every command uses.
    from sidecar import cli
    from sidecar.errors import ServiceError
    from sidecar.services.retention import purge_all, purge_installation

    config = cli._load_config()
    cli._require_current_schema(config)
    database = cli._database(config)
    try:
        if installation_id:
            reports = [purge_installation(database, installation_id=installation_id)]
        else:
            reports = purge_all(database)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    if not reports:
        click.echo("no installation has a retention window", err=True)
    for report in reports:
        if report.days is None:
            click.echo(f"{report.installation_id} keeps everything (no retention window): nothing purged", err=True)
        cli._print_json(report.as_dict())
