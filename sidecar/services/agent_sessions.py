"""Agent sessions started from an identity Zendesk itself signs (server-side app locations, `signedUrls`).

The sidebar's usual JWT is signed by Zendesk's proxy, but its claims are written by the app's JavaScript,
so it cannot say which agent is calling. With `"signedUrls": true` in the manifest and the app's location
pointing at the sidecar, Zendesk POSTs the first page request with a form field `token`: an RS256 JWT
signed with Zendesk's key for the app, whose `sub` is the agent's user id. That comes once, so the
sidecar starts its own short-lived session from it: `ses_` + a token encrypted and authenticated with the
sidecar's own key (SIDECAR_ENCRYPTION_KEY), which nothing in the browser can forge or read. A session is
agent scope, and an escalation made with it records the agent id as verified.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt

from sidecar.domain.connections import Connections
from sidecar.errors import Unauthenticated
from sidecar.store.crypto import SecretBox, SecretBoxError
from sidecar.store.models import utcnow

SESSION_PREFIX = "ses_"
SESSION_LIFETIME = timedelta(hours=8)  # an agent's shift; the sidebar is reloaded with each new ticket tab anyway
LAUNCH_MAX_AGE_SECONDS = 300


def verify_zendesk_launch(token: str, *, connections: Connections, leeway_seconds: int = 30) -> dict[str, Any]:
    """Check the RS256 token Zendesk POSTs on a signed app load; return its claims (`sub` is the agent)."""
    public_key = connections.get("zendesk.app_public_key")
    if not public_key:
        raise Unauthenticated("this installation has no zendesk.app_public_key; set it to accept signed app loads",
                              code="signed_launch_not_configured")
    audience = connections.get("zendesk.app_audience")
    try:
        claims = jwt.decode(token, public_key, algorithms=["RS256"], leeway=leeway_seconds,
                            audience=audience, options={"require": ["exp", "iat", "iss", "sub"],
                                                        "verify_aud": bool(audience)})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the signed app load has expired; reload the sidebar", code="token_expired") from None
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"the signed app load is not valid: {exc}", code="invalid_token") from None
    if claims["iat"] < utcnow().timestamp() - LAUNCH_MAX_AGE_SECONDS - leeway_seconds:
        raise Unauthenticated("the signed app load is too old to start a session", code="token_expired")
    expected_host = urlsplit(connections.get("zendesk.url") or "").hostname
    issuer = str(claims["iss"])
    issuer_host = urlsplit(issuer if "//" in issuer else f"https://{issuer}").hostname
    # The key is per app, not per account: the issuer says which Zendesk account loaded it.
    if not expected_host or issuer_host != expected_host:
        raise Unauthenticated("the signed app load comes from another Zendesk account than zendesk.url",
                              code="invalid_token")
    return claims


def start_agent_session(*, installation_id: str, agent_id: str, box: SecretBox) -> tuple[str, int]:
    """A session token for the agent and its lifetime in seconds."""
    expires = utcnow() + SESSION_LIFETIME
    payload = {"installation_id": installation_id, "agent_id": agent_id, "exp": int(expires.timestamp())}
    return SESSION_PREFIX + box.encrypt_json(payload), int(SESSION_LIFETIME.total_seconds())


def session_agent(token: str, *, box: SecretBox) -> tuple[str, str]:
    """(installation id, agent id) of a session token, or 401 when it is forged, damaged or expired."""
    try:
        payload = box.decrypt_json(token.removeprefix(SESSION_PREFIX))
    except (SecretBoxError, ValueError, TypeError):
        raise Unauthenticated("the session token is not valid", code="invalid_token") from None
    if not isinstance(payload, dict) or payload.get("exp", 0) < utcnow().timestamp():
        raise Unauthenticated("the session has expired; reload the sidebar", code="token_expired")
    return str(payload["installation_id"]), str(payload["agent_id"])
