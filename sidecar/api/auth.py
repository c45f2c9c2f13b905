"""Authenticate every /v1 call (a bearer API token or a ZAF-signed HS256 JWT) and check its scope.

Least privilege by default: a view is admin-only unless it says otherwise with `@allow("agent")` or
`@allow("read")`, so a new endpoint can never be opened to the sidebar's JWT by forgetting something.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, request

from sidecar.api.context import request_session, runtime
from sidecar.errors import Forbidden, Unauthenticated
from sidecar.services.agent_sessions import SESSION_PREFIX
from sidecar.services.credentials import (
    SCOPES,
    Caller,
    caller_for_api_token,
    caller_for_jwt,
    caller_for_session,
    scope_allows,
)
from sidecar.store.models import Installation

View = TypeVar("View", bound=Callable)
_SCOPE_ATTRIBUTE = "required_scope"


def allow(scope: str) -> Callable[[View], View]:
    """Mark a view as open to credentials of `scope` and above (views are admin-only otherwise)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def mark(view: View) -> View:
        setattr(view, _SCOPE_ATTRIBUTE, scope)
        return view

    return mark


def required_scope(view: Callable | None) -> str:
    """The scope a view needs: what `allow` set, else admin."""
    return getattr(view, _SCOPE_ATTRIBUTE, "admin")


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


def _caller(token: str) -> Caller:
    session = request_session()
    if token.startswith(SESSION_PREFIX):
        return caller_for_session(session, token, box=runtime().box)
    if _looks_like_jwt(token):
        config = runtime().config
        return caller_for_jwt(session, token, box=runtime().box, leeway_seconds=config.jwt_leeway_seconds,
                              max_lifetime_seconds=config.jwt_max_lifetime_seconds)
    return caller_for_api_token(session, token)


def authenticate_request() -> None:
    """before_request hook: resolve the caller (401 otherwise), then check the view's scope (403 otherwise)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if not header:
        raise Unauthenticated("send 'Authorization: Bearer <api token or ZAF JWT>'", code="missing_credentials")
    if scheme.lower() != "bearer":
        raise Unauthenticated("the Authorization header must use the Bearer scheme", code="invalid_token")
    if not token:
        raise Unauthenticated("the Authorization header has no token after 'Bearer'", code="invalid_token")
    caller = _caller(token)
    g.caller = caller
    g.installation = caller.installation
    g.installation_id = caller.installation.id
    needed = required_scope(current_app.view_functions.get(request.endpoint or ""))  # "": no view, as None
    if not scope_allows(caller.scope, needed):
        raise Forbidden(f"this operation needs the '{needed}' scope; this credential ({caller.credential}) "
                        f"has '{caller.scope}'", details={"required_scope": needed, "scope": caller.scope})


def current_installation() -> Installation:
    """The authenticated caller's installation."""
    return g.installation


def current_caller() -> Caller:
    """The authenticated caller: installation, scope, credential."""
    return g.caller
