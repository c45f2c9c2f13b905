"""`sidecar installation`: create installations (tenants), rotate their credentials, configure and check connections."""
from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from sidecar.cli.runtime import (
    database_for,
    load_config,
    print_json,
    secret_box,
    service_errors,
)
from sidecar.errors import ServiceError
from sidecar.services.connection_check import check_connections, summary
from sidecar.services.connections import (
    KEYS,
    configure,
    connections_view,
    load_connections,
    parse_assignments,
)
from sidecar.services.credentials import rotate_shared_secret
from sidecar.services.installations import (
    create_installation,
    get_installation,
    list_installations,
    rotate_api_token,
    set_credentials,
)
from sidecar.store.models import stored_iso


@click.group()
def installation() -> None:
    """Installations (tenants): one Zendesk subdomain or Salesforce org each."""


@installation.command("create")
@click.option("--name", required=True)
@click.option("--source", required=True, type=click.Choice(["zendesk", "salesforce"]))
def installation_create(name: str, source: str) -> None:
    """Create an installation; the last line is JSON with id, api_token and shared_secret (shown once)."""
    config = load_config()
    with service_errors(), database_for(config, current_schema=True) as database, database.session() as session:
        result = create_installation(session, name=name, source=source, box=secret_box(config)).as_dict()
    click.echo("Store the api_token and shared_secret now: they cannot be shown again.", err=True)
    print_json(result)


@installation.command("list")
def installation_list() -> None:
    """List installations (no secrets)."""
    with database_for(load_config()) as database, database.session() as session:
        rows = [
            {"id": i.id, "name": i.name, "source": i.source, "created_at": stored_iso(i.created_at)}
            for i in list_installations(session)
        ]
    for row in rows:
        print_json(row)


@installation.command("rotate-token")
@click.argument("installation_id")
def installation_rotate_token(installation_id: str) -> None:
    """Issue a new API token; the old one stops working at once."""
    with service_errors(), database_for(load_config()) as database, database.session() as session:
        token = rotate_api_token(session, get_installation(session, installation_id))
    print_json({"id": installation_id, "api_token": token})


@installation.command("rotate-secret")
@click.argument("installation_id")
@click.option("--overlap-hours", default=24.0, type=click.FloatRange(0, 720), show_default=True,
              help="how long the old shared secret is still accepted (0: it stops at once)")
def installation_rotate_secret(installation_id: str, overlap_hours: float) -> None:
    """Issue a new shared secret (for ZAF JWTs); the old one keeps working for the overlap."""
    config = load_config()
    with service_errors(), database_for(config) as database, database.session() as session:
        secret, expires = rotate_shared_secret(session, get_installation(session, installation_id),
                                               box=secret_box(config), overlap=timedelta(hours=overlap_hours))
    click.echo("Put the new shared_secret in the Zendesk app's settings before the old one stops working.", err=True)
    print_json({"id": installation_id, "shared_secret": secret, "previous_valid_until": stored_iso(expires)})


@installation.command("set-credentials")
@click.argument("installation_id")
@click.option("--file", "path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="JSON object of help desk credentials, e.g. {subdomain, email, api_token}")
def installation_set_credentials(installation_id: str, path: str) -> None:
    """Store help desk credentials (encrypted) for ticket_ref fetches."""
    try:
        credentials = json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{path}: not valid JSON ({exc.msg})") from None
    config = load_config()
    with service_errors(), database_for(config) as database, database.session() as session:
        set_credentials(session, get_installation(session, installation_id), credentials=credentials,
                        box=secret_box(config))
    click.echo(f"credentials stored for {installation_id}: {', '.join(sorted(credentials))}")


def _configuration_changes(assignments: tuple[str, ...], removals: tuple[str, ...]) -> dict[str, Any]:
    try:
        changes: dict[str, Any] = parse_assignments(assignments)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    changes.update({key: None for key in removals})
    if not changes:
        known = "\n  ".join(f"{name}{' (secret)' if spec.secret else ''}: {spec.description}"
                            for name, spec in KEYS.items())
        raise click.ClickException(f"give --set KEY=VALUE or --unset KEY; settings:\n  {known}")
    return changes


@installation.command("configure")
@click.argument("installation_id")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="a connection setting, e.g. jira.url=https://acme.atlassian.net (repeatable)")
@click.option("--unset", "removals", multiple=True, metavar="KEY", help="remove a setting (repeatable)")
def installation_configure(installation_id: str, assignments: tuple[str, ...], removals: tuple[str, ...]) -> None:
    """Set connection settings (zendesk.*, salesforce.*, jira.*, slack.*, llm.*); prints the result, secrets
    as set/unset."""
    changes = _configuration_changes(assignments, removals)
    config = load_config()
    try:
        with database_for(config) as database, database.session() as session:
            connections = configure(session, get_installation(session, installation_id), changes=changes,
                                    box=secret_box(config), allow_private=config.allow_private_urls)
    except ServiceError as exc:
        details = "".join(f"\n  {key}: {why}" for key, why in (exc.details or {}).items()) if isinstance(
            exc.details, dict) else ""
        raise click.ClickException(exc.message + details) from None
    if connections.cleared:
        # Said in words too: a secret that silently disappeared would look like a bug later.
        click.echo(f"cleared {', '.join(connections.cleared)}: the URL it is sent to changed; "
                   "set it again (in the same command as the URL) if the new URL should receive it", err=True)
    print_json(connections_view(connections))


@installation.command("check")
@click.argument("installation_id")
def installation_check(installation_id: str) -> None:
    """Call each configured system once (Jira myself, Slack auth.test, Zendesk current user) and say what works."""
    config = load_config()
    with service_errors(), database_for(config) as database, database.session() as session:
        record = get_installation(session, installation_id)
        connections = load_connections(record, box=secret_box(config))
        source = record.source
    results = check_connections(connections, source=source, allow_private=config.allow_private_urls)
    marks = {"ok": "ok  ", "failed": "FAIL", "not_configured": "--  "}
    for result in results:
        click.echo(f"{marks[result.status]} {result.message}")
    outcome = summary(results)
    print_json(outcome)
    if not outcome["ok"]:
        sys.exit(1)
