"""`sidecar experts`: load teams, experts and routing rules from a YAML file."""
from __future__ import annotations

from pathlib import Path

import click
import yaml

from sidecar.cli.runtime import (
    database_for,
    installation_option,
    load_config,
    print_json,
)
from sidecar.errors import ServiceError
from sidecar.services.directory import load_directory
from sidecar.services.installations import get_installation


@click.group()
def experts() -> None:
    """Teams, experts and routing rules."""


@experts.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@installation_option()
def experts_load(path: str, installation_id: str) -> None:
    """Apply an experts file (YAML): upsert teams by name, experts by email, replace rules if given."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise click.ClickException(f"{path}: not valid YAML ({exc})") from None
    try:
        with database_for(load_config()) as database, database.session() as session:
            summary = load_directory(session, installation=get_installation(session, installation_id),
                                     document=document).as_dict()
    except ServiceError as exc:
        problems = (exc.details or {}).get("problems") if isinstance(exc.details, dict) else None
        raise click.ClickException(exc.message + ("".join(f"\n  {p}" for p in problems) if problems else "")) from None
    click.echo(f"created {len(summary['created'])}, updated {len(summary['updated'])}, "
               f"unchanged {len(summary['unchanged'])}; rules {summary['rules']}")
    print_json(summary)
