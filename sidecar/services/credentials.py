"""Who is calling: credentials, their scopes, and the installation they belong to.

Three scopes, each including the one before it:

- `read`: see the installation's assessments, escalations, teams and experts;
- `agent`: also assess, route, escalate and give feedback (the sidebar's JWT, the Salesforce Named
  Credential, agent tokens);
- `admin`: also change connections, settings, the directory and routing rules, read the audit log,
  erase, delete, rotate (the token `sidecar installation create` prints, admin tokens).

A ZAF JWT is signed by Zendesk's proxy with the app's secure setting, but its claims are written by the
app's JavaScript in the agent's browser: it proves "this Zendesk account's app" and nothing about which
agent, so it is agent scope whatever its claims say.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sidecar.errors import InvalidInput, NotFound, Unauthenticated
from sidecar.services.agent_sessions import session_agent
from sidecar.store.crypto import SecretBox, hash_api_token, new_api_token, new_shared_secret
from sidecar.store.models import ApiToken, Installation, stored_utc, utcnow

SCOPES = ("read", "agent", "admin")  # in order: each scope may do what the ones before it may


def scope_allows(held: str, required: str) -> bool:
    """Whether a credential of scope `held` may do what needs `required`."""
    return SCOPES.index(held) >= SCOPES.index(required)


@dataclass(frozen=True)
class Caller:
    """An authenticated request: its installation, its scope and which credential it used."""

    installation: Installation
    scope: str
    credential: str  # "installation token", "token tok_...", "zaf jwt"
    identity: dict[str, Any] | None = field(default=None)  # the agent, when a party we trust signed it


# Built once: these run on every API call, and building the expression costs more than the query.
_INSTALLATION_BY_TOKEN = select(Installation.__table__).where(
    Installation.api_token_hash == bindparam("token_hash"))
_SCOPED_TOKEN = select(ApiToken.id, ApiToken.scope, ApiToken.installation_id).where(
    ApiToken.token_hash == bindparam("token_hash"))
_INSTALLATION_BY_ID = select(Installation.__table__).where(Installation.id == bindparam("installation_id"))


def caller_for_api_token(session: Session, token: str) -> Caller:
    """The caller behind a bearer API token (the installation's own admin token or a scoped one), or 401."""
    # Core rows, not ORM loads: every call pays for this, and the identity map buys nothing here.
    connection = session.connection()
    token_hash = hash_api_token(token)
    row = connection.execute(_INSTALLATION_BY_TOKEN, {"token_hash": token_hash}).mappings().first()
    if row is not None:
        return Caller(installation=Installation(**row), scope="admin", credential="installation token")
    scoped = connection.execute(_SCOPED_TOKEN, {"token_hash": token_hash}).first()
    if scoped is not None:
        row = connection.execute(_INSTALLATION_BY_ID, {"installation_id": scoped.installation_id}).mappings().first()
        if row is not None:
            return Caller(installation=Installation(**row), scope=scoped.scope, credential=f"token {scoped.id}")
    raise Unauthenticated("the API token is not valid", code="invalid_token")


def caller_for_jwt(
    session: Session,
    token: str,
    *,
    box: SecretBox,
    leeway_seconds: int = 30,
    max_lifetime_seconds: int = 24 * 3600,
) -> Caller:
    """Verify a ZAF-signed HS256 JWT whose `iss` names the installation; the caller is agent scope."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise Unauthenticated("the bearer token is not a well-formed JWT", code="invalid_token") from None
    if header.get("alg") != "HS256":
        raise Unauthenticated("only HS256-signed JWTs are accepted", code="invalid_token")
    installation_id = unverified.get("iss")
    if not isinstance(installation_id, str) or not installation_id:
        raise Unauthenticated("the JWT must name the installation in its 'iss' claim", code="invalid_token")
    installation = session.get(Installation, installation_id)
    if installation is None:
        # Same answer as a bad signature: do not reveal which installation ids exist.
        raise Unauthenticated("the JWT signature is not valid", code="invalid_token")
    claims = _verified_claims(token, _accepted_secrets(installation, box=box), leeway_seconds=leeway_seconds)
    # Without `iat` a token's lifetime cannot be bounded: a ten-year `exp` would be a ten-year credential.
    if claims["exp"] - claims["iat"] > max_lifetime_seconds:
        raise Unauthenticated(f"the JWT lives longer than {max_lifetime_seconds} seconds (exp - iat)",
                              code="invalid_token")
    if claims["iat"] > utcnow().timestamp() + leeway_seconds:
        raise Unauthenticated("the JWT was issued in the future ('iat')", code="invalid_token")
    return Caller(installation=installation, scope="agent", credential="zaf jwt")


def caller_for_session(session: Session, token: str, *, box: SecretBox) -> Caller:
    """The agent behind a session started from a Zendesk-signed app load: agent scope, identity verified."""
    installation_id, agent_id = session_agent(token, box=box)
    installation = session.get(Installation, installation_id)
    if installation is None:
        raise Unauthenticated("the session token is not valid", code="invalid_token")
    return Caller(installation=installation, scope="agent", credential="zendesk session",
                  identity={"id": agent_id})


def _accepted_secrets(installation: Installation, *, box: SecretBox) -> list[str]:
    accepted = [box.decrypt(installation.shared_secret_encrypted)]
    expires = stored_utc(installation.previous_shared_secret_expires_at)
    if installation.previous_shared_secret_encrypted and expires is not None and expires > utcnow():
        accepted.append(box.decrypt(installation.previous_shared_secret_encrypted))
    return accepted


def _verified_claims(token: str, accepted: list[str], *, leeway_seconds: int) -> dict[str, Any]:
    for secret in accepted:  # the current secret, then the previous one during a rotation's overlap
        try:
            return jwt.decode(token, secret, algorithms=["HS256"], leeway=leeway_seconds,
                              options={"require": ["exp", "iat", "iss"]})
        except jwt.InvalidSignatureError:
            continue
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the JWT has expired", code="token_expired") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"the JWT must carry an '{exc.claim}' claim", code="invalid_token") from None
        except jwt.PyJWTError:
            break
    raise Unauthenticated("the JWT signature is not valid", code="invalid_token")


@dataclass(frozen=True)
class NewToken:
    """A scoped token as created: the plaintext is shown once and never retrievable again."""

    id: str
    installation_id: str
    scope: str
    name: str
    token: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON the CLI prints."""
        return {"id": self.id, "installation_id": self.installation_id, "scope": self.scope, "name": self.name,
                "api_token": self.token}


def create_token(session: Session, *, installation: Installation, scope: str, name: str = "") -> NewToken:
    """Make a further API token of `scope` for the installation (stored hashed)."""
    if scope not in SCOPES:
        raise InvalidInput(f"scope must be one of {', '.join(SCOPES)}", details={"scope": scope})
    token = new_api_token()
    row = ApiToken(id="tok_" + secrets.token_hex(8), installation_id=installation.id, scope=scope,
                   name=(name or "").strip()[:200], token_hash=hash_api_token(token))
    session.add(row)
    session.flush()
    return NewToken(id=row.id, installation_id=installation.id, scope=scope, name=row.name, token=token)


def list_tokens(session: Session, *, installation_id: str) -> list[ApiToken]:
    """The installation's scoped tokens (never their values), oldest first."""
    return list(session.scalars(select(ApiToken).where(ApiToken.installation_id == installation_id)
                                .order_by(ApiToken.created_at)))


def revoke_token(session: Session, *, installation_id: str, token_id: str) -> None:
    """Delete a scoped token; it stops working at once."""
    row = session.scalar(select(ApiToken).where(ApiToken.installation_id == installation_id,
                                                ApiToken.id == token_id))
    if row is None:
        raise NotFound(f"no token {token_id!r}")
    session.delete(row)
    session.flush()


def rotate_shared_secret(session: Session, installation: Installation, *, box: SecretBox,
                         overlap: timedelta = timedelta(hours=24)) -> tuple[str, datetime | None]:
    """Issue a new shared secret; the old one is still accepted for `overlap` (zero: stops at once)."""
    if overlap < timedelta(0):
        raise InvalidInput("the overlap cannot be negative", details={"overlap": str(overlap)})
    secret = new_shared_secret()
    expires = utcnow() + overlap if overlap else None
    installation.previous_shared_secret_encrypted = installation.shared_secret_encrypted if overlap else None
    installation.previous_shared_secret_expires_at = expires
    installation.shared_secret_encrypted = box.encrypt(secret)
    session.flush()
    return secret, expires
