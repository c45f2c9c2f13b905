"""Installations (tenants): creation, authentication, credentials and settings."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sidecar.errors import InvalidInput, NotFound, Unauthenticated
from sidecar.intelligence.ticket import SOURCES
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


# Built once: this runs on every API call, and building the expression costs more than the query.
_BY_TOKEN_HASH = select(Installation.__table__).where(Installation.api_token_hash == bindparam("token_hash"))


def installation_for_api_token(session: Session, token: str) -> Installation:
    """The installation owning a bearer API token, or Unauthenticated (a detached object: merge to change it)."""
    # A Core row, not an ORM load: every call pays for this, and the identity map buys nothing here.
    row = session.connection().execute(_BY_TOKEN_HASH, {"token_hash": hash_api_token(token)}).mappings().first()
    if row is None:
        raise Unauthenticated("the API token is not valid", code="invalid_token")
    return Installation(**row)


def installation_for_jwt(
    session: Session,
    token: str,
    *,
    box: SecretBox,
    leeway_seconds: int = 30,
    max_lifetime_seconds: int = 24 * 3600,
) -> Installation:
    """Verify a ZAF-signed HS256 JWT whose `iss` names the installation; return that installation."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise Unauthenticated("the bearer token is not a well-formed JWT", code="invalid_token") from None
    if header.get("alg") != "HS256":
        raise Unauthenticated("only HS256-signed JWTs are accepted", code="invalid_token")
    installation_id = unverified.get("iss") or unverified.get("installation_id")
    if not isinstance(installation_id, str) or not installation_id:
        raise Unauthenticated("the JWT must name the installation in its 'iss' claim", code="invalid_token")
    installation = session.get(Installation, installation_id)
    if installation is None:
        # Same answer as a bad signature: do not reveal which installation ids exist.
        raise Unauthenticated("the JWT signature is not valid", code="invalid_token")
    secret = box.decrypt(installation.shared_secret_encrypted)
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            leeway=leeway_seconds,
            options={"require": ["exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the JWT has expired", code="token_expired") from None
    except jwt.MissingRequiredClaimError:
        raise Unauthenticated("the JWT must carry an 'exp' claim", code="invalid_token") from None
    except jwt.PyJWTError:
        raise Unauthenticated("the JWT signature is not valid", code="invalid_token") from None
    issued_at = claims.get("iat")
    if isinstance(issued_at, (int, float)) and claims["exp"] - issued_at > max_lifetime_seconds:
        raise Unauthenticated("the JWT lives longer than this installation accepts", code="invalid_token")
    return installation


def set_credentials(session: Session, installation: Installation, *, credentials: dict[str, Any], box: SecretBox) -> None:
    """Store help desk (and nested {"jira": {...}}) credentials as connection keys, encrypted, never returned."""
    from sidecar.services.connections import configure, legacy_credentials_as_keys

    if not isinstance(credentials, dict) or not credentials:
        raise InvalidInput("credentials must be a non-empty JSON object")
    configure(session, installation, changes=legacy_credentials_as_keys(credentials, installation.source), box=box)


def get_credentials(installation: Installation, *, box: SecretBox) -> dict[str, Any] | None:
    """The help desk credentials in the shape its client takes (plus "jira" when set), or None."""
    from sidecar.services.connections import load_connections

    connections = load_connections(installation, box=box)
    if not connections:
        return None
    credentials: dict[str, Any] = connections.helpdesk_credentials(installation.source)
    credentials = {key: value for key, value in credentials.items() if value}
    jira = connections.section("jira")
    jira_credentials = {("base_url" if key == "url" else key): jira[key] for key in ("url", "email", "api_token")
                        if jira.get(key)}
    if jira_credentials:
        credentials["jira"] = jira_credentials
    return credentials or None


def credential_keys(installation: Installation, *, box: SecretBox) -> list[str]:
    """Which connection settings are stored (names only, for status displays)."""
    from sidecar.services.connections import load_connections

    return sorted(load_connections(installation, box=box).stored())
