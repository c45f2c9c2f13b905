"""Installations (tenants): creation, authentication, credentials and settings."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.domain.settings import InstallationSettings
from sidecar.errors import InvalidInput, NotFound
from sidecar.intelligence.ticket import SOURCES
from sidecar.services.connections import (
    configure,
    legacy_credentials_as_keys,
    load_connections,
)
from sidecar.store.crypto import (
    SecretBox,
    hash_api_token,
    new_api_token,
    new_shared_secret,
)
from sidecar.store.models import Installation


@dataclass(frozen=True)
class NewInstallation:
    """What creation hands back once: the plaintext token and secret are never retrievable again."""

    installation: Installation
    api_token: str
    shared_secret: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON the CLI prints."""
        return {
            "id": self.installation.id,
            "name": self.installation.name,
            "source": self.installation.source,
            "api_token": self.api_token,
            "shared_secret": self.shared_secret,
        }


def new_installation_id() -> str:
    """A public, unguessable installation id."""
    return "inst_" + secrets.token_hex(8)


def create_installation(session: Session, *, name: str, source: str, box: SecretBox) -> NewInstallation:
    """Create a tenant with a fresh API token (stored hashed) and shared secret (stored encrypted)."""
    if source not in SOURCES:
        raise InvalidInput(f"source must be one of {', '.join(SOURCES)}", details={"source": source})
    if not name or not name.strip():
        raise InvalidInput("name must not be empty", details={"name": name})
    token = new_api_token()
    secret = new_shared_secret()
    installation = Installation(
        id=new_installation_id(),
        name=name.strip(),
        source=source,
        api_token_hash=hash_api_token(token),
        shared_secret_encrypted=box.encrypt(secret),
        settings={},
    )
    session.add(installation)
    session.flush()
    return NewInstallation(installation=installation, api_token=token, shared_secret=secret)


def installation_settings(installation: Installation) -> InstallationSettings:
    """The installation's settings, typed, defaults filled in."""
    return InstallationSettings.from_mapping(installation.settings)


def save_settings(session: Session, installation: Installation, settings: InstallationSettings) -> None:
    """Store the installation's settings (only what it has set; see InstallationSettings.to_mapping)."""
    installation.settings = settings.to_mapping()  # a new object: JSON columns track assignment
    session.flush()


def get_installation(session: Session, installation_id: str) -> Installation:
    """Load an installation by id or raise NotFound."""
    installation = session.get(Installation, installation_id)
    if installation is None:
        raise NotFound(f"no installation {installation_id!r}")
    return installation


def list_installations(session: Session) -> list[Installation]:
    """Every installation, oldest first."""
    return list(session.scalars(select(Installation).order_by(Installation.created_at)))


def rotate_api_token(session: Session, installation: Installation) -> str:
    """Replace the installation's API token; the old one stops working at once."""
    token = new_api_token()
    installation.api_token_hash = hash_api_token(token)
    session.flush()
    return token


def set_credentials(
    session: Session, installation: Installation, *, credentials: dict[str, Any], box: SecretBox
) -> None:
    """Store help desk (and nested {"jira": {...}}) credentials as connection keys, encrypted, never returned."""
    if not isinstance(credentials, dict) or not credentials:
        raise InvalidInput("credentials must be a non-empty JSON object")
    configure(session, installation, changes=legacy_credentials_as_keys(credentials, installation.source), box=box)


def credential_keys(installation: Installation, *, box: SecretBox) -> list[str]:
    """Which connection settings are stored (names only, for status displays)."""
    return sorted(load_connections(installation, box=box).stored())
