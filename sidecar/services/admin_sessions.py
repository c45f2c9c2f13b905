"""Admin console sessions: stateless, encrypted cookies started from an admin-scope API token.

The cookie carries the installation id, which token signed in (a scoped token's id, or a fingerprint of
the installation's own token), a CSRF token and an expiry, sealed with the sidecar's SecretBox as agent
sessions are (`agent_sessions.py`): nothing in the browser can read or forge it, and the token itself is
never in it. Each request checks the token still exists, so revoking (or rotating) it signs the console out.
A visitor who has not signed in gets an anonymous session holding only a CSRF token, so the sign-in form
is protected like every other form.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.errors import Forbidden, Unauthenticated
from sidecar.services.credentials import caller_for_api_token, scope_allows
from sidecar.store.crypto import SecretBox, SecretBoxError, hash_api_token
from sidecar.store.models import ApiToken, Installation, utcnow

CONSOLE_LIFETIME = timedelta(hours=8)
_INSTALLATION_TOKEN = "installation:"  # + the start of the installation token's hash


@dataclass(frozen=True)
class ConsoleSession:
    """What the console cookie says: who signed in (None: nobody yet), the CSRF token, the expiry."""

    csrf: str
    expires: int
    installation_id: str | None = None
    token_id: str | None = None

    @property
    def signed_in(self) -> bool:
        """Whether an admin signed in with this session."""
        return self.installation_id is not None

    def seal(self, box: SecretBox) -> str:
        """The cookie value."""
        return box.encrypt_json({"csrf": self.csrf, "exp": self.expires, "installation_id": self.installation_id,
                                 "token_id": self.token_id})

    def csrf_matches(self, sent: str | None) -> bool:
        """Whether a form's CSRF field is this session's token (compared in constant time)."""
        return bool(sent) and hmac.compare_digest(self.csrf.encode(), str(sent).encode())


def anonymous_session() -> ConsoleSession:
    """A fresh session before sign-in: only a CSRF token."""
    return ConsoleSession(csrf=secrets.token_urlsafe(24), expires=_expiry())


def _expiry() -> int:
    return int((utcnow() + CONSOLE_LIFETIME).timestamp())


def open_session(value: str | None, *, box: SecretBox) -> ConsoleSession | None:
    """The session a cookie holds, or None when there is none or it is forged, damaged or expired."""
    if not value:
        return None
    try:
        payload = box.decrypt_json(value)
    except (SecretBoxError, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("csrf"), str):
        return None
    if int(payload.get("exp") or 0) < utcnow().timestamp():
        return None
    return ConsoleSession(csrf=payload["csrf"], expires=int(payload["exp"]),
                          installation_id=payload.get("installation_id"), token_id=payload.get("token_id"))


def sign_in(session: Session, token: str) -> ConsoleSession:
    """A signed-in session for an admin-scope API token; 401 for an unknown token, 403 below admin scope."""
    caller = caller_for_api_token(session, token.strip())
    if not scope_allows(caller.scope, "admin"):
        raise Forbidden(f"this is a {caller.scope}-scope token; the console needs an admin-scope token",
                        details={"scope": caller.scope})
    if caller.credential.startswith("token "):
        token_id = caller.credential.removeprefix("token ")
    else:
        token_id = _INSTALLATION_TOKEN + hash_api_token(token.strip())[:16]
    return ConsoleSession(csrf=secrets.token_urlsafe(24), expires=_expiry(), installation_id=caller.installation.id,
                          token_id=token_id)


def signed_in_installation(session: Session, console: ConsoleSession) -> Installation:
    """The installation of a signed-in session whose token still exists with admin scope, or 401."""
    installation = session.get(Installation, console.installation_id) if console.installation_id else None
    token_id = console.token_id or ""
    if installation is None:
        raise Unauthenticated("the console session is not valid; sign in again")
    if token_id.startswith(_INSTALLATION_TOKEN):
        if not installation.api_token_hash.startswith(token_id.removeprefix(_INSTALLATION_TOKEN)):
            raise Unauthenticated("the token this session signed in with has been replaced; sign in again")
        return installation
    scope = session.scalar(select(ApiToken.scope).where(ApiToken.id == token_id,
                                                        ApiToken.installation_id == installation.id))
    if scope is None or not scope_allows(scope, "admin"):
        raise Unauthenticated("the token this session signed in with has been revoked; sign in again")
    return installation
