"""Authenticate every /v1 call: a bearer API token, or a ZAF-signed HS256 JWT."""
from __future__ import annotations

from flask import g, request

from sidecar.api.context import request_session, runtime
from sidecar.errors import Unauthenticated
from sidecar.services.installations import (
    installation_for_api_token,
    installation_for_jwt,
)
from sidecar.store.models import Installation


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


def authenticate_request() -> None:
    """before_request hook: resolve the caller's installation or raise Unauthenticated (401)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if not header:
        raise Unauthenticated("send 'Authorization: Bearer <api token or ZAF JWT>'", code="missing_credentials")
    if scheme.lower() != "bearer":
        raise Unauthenticated("the Authorization header must use the Bearer scheme", code="invalid_token")
    if not token:
        raise Unauthenticated("the Authorization header has no token after 'Bearer'", code="invalid_token")
    session = request_session()
    if _looks_like_jwt(token):
        config = runtime().config
        installation = installation_for_jwt(
            session,
            token,
            box=runtime().box,
            leeway_seconds=config.jwt_leeway_seconds,
            max_lifetime_seconds=config.jwt_max_lifetime_seconds,
        )
    else:
        installation = installation_for_api_token(session, token)
    g.installation = installation
    g.installation_id = installation.id


def current_installation() -> Installation:
    """The authenticated caller's installation."""
    return g.installation
