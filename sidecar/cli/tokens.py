"""`sidecar token`: scoped API tokens of an installation (create, list, revoke)."""
from __future__ import annotations

import click

from sidecar.cli.runtime import (
    database_for,
    installation_option,
    load_config,
    print_json,
    service_errors,
)
from sidecar.services.credentials import create_token, list_tokens, revoke_token
from sidecar.services.installations import get_installation
from sidecar.store.models import stored_iso


@click.group()
def token() -> None:
    """Scoped API tokens: admin (everything), agent (assess, escalate, feedback, read), read."""


@token.command("create")
@installation_option()
@click.option("--scope", required=True, type=click.Choice(["admin", "agent", "read"]))
@click.option("--name", default="", help="what the token is for, e.g. 'Salesforce Named Credential'")
def token_create(installation_id: str, scope: str, name: str) -> None:
    """Make a scoped token; the last line is JSON with its id and api_token (shown once)."""
    config = load_config()
    with service_errors(), database_for(config, current_schema=True) as database, database.session() as session:
        made = create_token(session, installation=get_installation(session, installation_id), scope=scope,
                            name=name).as_dict()
    click.echo("Store the api_token now: it cannot be shown again.", err=True)
    print_json(made)


@token.command("list")
@installation_option()
def token_list(installation_id: str) -> None:
    """List an installation's scoped tokens (never their values)."""
    with database_for(load_config()) as database, database.session() as session:
        rows = [{"id": t.id, "scope": t.scope, "name": t.name, "created_at": stored_iso(t.created_at)}
                for t in list_tokens(session, installation_id=installation_id)]
    for row in rows:
        print_json(row)


@token.command("revoke")
@installation_option()
@click.argument("token_id")
def token_revoke(installation_id: str, token_id: str) -> None:
    """Revoke a scoped token; it stops working at once."""
    with service_errors(), database_for(load_config()) as database, database.session() as session:
        revoke_token(session, installation_id=installation_id, token_id=token_id)
    print_json({"id": token_id, "revoked": True})
