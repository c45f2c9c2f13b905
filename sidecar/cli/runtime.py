"""What every `sidecar` command shares: configuration, the database and secret box, JSON output, options."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from sidecar.config import Config, ConfigError
from sidecar.errors import ServiceError
from sidecar.store.crypto import SecretBox, load_or_create_key_file
from sidecar.store.db import Database
from sidecar.store.migrate import current_revision, head_revision


def load_config() -> Config:
    """The configuration from the environment; a bad value is a CLI error naming its variable."""
    try:
        return Config.from_env()
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None


def open_database(config: Config, *, pool_size: int = 5) -> Database:
    """A handle on DATABASE_URL (`pool_size` connections kept on PostgreSQL); the caller disposes of it."""
    return Database(config.database_url, pool_size=pool_size)


def secret_box(config: Config) -> SecretBox:
    """The secret box over the configured keys (or the development key file, made on first use)."""
    keys = config.encryption_keys or (load_or_create_key_file(config.encryption_key_file),)
    return SecretBox(keys)


def require_current_schema(config: Config) -> None:
    """Refuse to run against a database whose schema is not at this code's head revision."""
    database = open_database(config)
    try:
        current = current_revision(database)
    finally:
        database.dispose()
    if current != head_revision():
        raise click.ClickException(
            f"the database schema is at {current or 'nothing'}, this code needs {head_revision()}: "
            "run `sidecar db upgrade`"
        )


@contextmanager
def database_for(config: Config, *, current_schema: bool = False) -> Iterator[Database]:
    """The configured database for one command (checked to be at head first if asked), disposed of at its end."""
    if current_schema:
        require_current_schema(config)
    database = open_database(config)
    try:
        yield database
    finally:
        database.dispose()


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a ServiceError into a one-line CLI error carrying its message."""
    try:
        yield
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None


def print_json(value: Any) -> None:
    """One JSON line on stdout (what scripts read: every command's last line)."""
    click.echo(json.dumps(value, default=str, sort_keys=False))


def read_jsonl(path: str) -> list[dict[str, Any]]:
    """The objects of a JSONL file; a bad line is a CLI error naming its line number."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise click.ClickException(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise click.ClickException(f"{path}:{number}: each line must be a JSON object")
            rows.append(row)
    return rows


def installation_option(*, required: bool = True, help: str | None = None) -> Callable:
    """The `--installation ID` option (the parameter is `installation_id`)."""
    return click.option("--installation", "installation_id", required=required, help=help)


def input_file(name: str, *, required: bool = False) -> Callable:
    """An option naming an existing file, e.g. `--test F.jsonl`."""
    return click.option(f"--{name}", name, required=required, type=click.Path(exists=True, dir_okay=False))
