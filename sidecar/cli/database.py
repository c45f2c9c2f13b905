"""`sidecar db`: create, migrate and inspect the database schema."""
from __future__ import annotations

import click

from sidecar.cli.runtime import database_for, load_config
from sidecar.store.migrate import current_revision, upgrade_database


@click.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema."""
    with database_for(load_config()) as database:
        upgrade_database(database, revision)
        click.echo(f"database at revision {current_revision(database)}")


@db.command("current")
def db_current() -> None:
    """Print the schema revision the database is at."""
    with database_for(load_config()) as database:
        click.echo(current_revision(database) or "empty")
