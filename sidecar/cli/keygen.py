"""`sidecar keygen`: a new encryption key (its own module, so it needs no database code)."""
from __future__ import annotations

import click

from sidecar.store.crypto import generate_key


@click.command()
def keygen() -> None:
    """Print a new SIDECAR_ENCRYPTION_KEY value."""
    click.echo(generate_key())
