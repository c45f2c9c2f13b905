"""The console's blueprint and what every page shares: the session cookie, CSRF, security headers, rendering.

/admin is not the /v1 API: there is no bearer header here. An admin signs in once with an admin-scope API
token (`auth_pages.py`) and the browser then holds only the sealed session cookie (services/admin_sessions.py).
Every POST must carry the session's CSRF token; every answer carries a self-only Content-Security-Policy
(scripts are static files, data is JSON in <script type="application/json">), and no page may be framed.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from sidecar.admin.forms import problems
from sidecar.api.context import request_session, runtime
from sidecar.api.errors import error_response
from sidecar.api.guards import NulInRequest
from sidecar.errors import ServiceError, Unauthenticated
from sidecar.services.admin_sessions import (
    CONSOLE_LIFETIME,
    ConsoleSession,
    anonymous_session,
    open_session,
    signed_in_installation,
)
from sidecar.store.models import Installation

COOKIE = "sidecar_console"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
PUBLIC_ENDPOINTS = frozenset({"admin.static", "admin.sign_in_form", "admin.submit_sign_in"})
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
NAVIGATION = (
    ("admin.analytics", "Analytics"), ("admin.connections", "Connections"), ("admin.directory_page", "Directory"),
    ("admin.routing_rules", "Routing rules"), ("admin.settings", "Settings"), ("admin.queue", "Delivery queue"),
    ("admin.inbound", "Inbound events"), ("admin.audit", "Audit log"),
)

blueprint = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")


class CsrfRefused(ServiceError):
    """A console POST without this session's CSRF token (403)."""

    status = 403
    code = "csrf_refused"


def is_loopback(host: str) -> bool:
    """Whether a request's Host is this machine (the cookie may then go without Secure, for plain http)."""
    return (urlsplit(f"//{host}").hostname or "") in LOOPBACK_HOSTS


def console() -> ConsoleSession:
    """This request's console session."""
    return g.console


def installation() -> Installation:
    """The installation the signed-in admin manages."""
    return g.console_installation


def actor() -> str:
    """Who did a console action, for the audit log (the token's id, never its value)."""
    return f"the console (token {console().token_id})"


def replace_session(new: ConsoleSession) -> None:
    """Send a new session cookie with this answer (sign-in, sign-out, expiry)."""
    g.console = new
    g.console_changed = True


@blueprint.before_request
def _load_session():
    box = runtime().box
    current = open_session(request.cookies.get(COOKIE), box=box)
    if current is None:
        replace_session(anonymous_session())
    else:
        g.console = current
    if request.endpoint == "admin.static":
        return None
    if request.method == "POST" and not console().csrf_matches(request.form.get("csrf_token")):
        raise CsrfRefused("this form is out of date or did not come from the console; reload the page and try again")
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not console().signed_in:
        return redirect(url_for("admin.sign_in_form"))
    try:
        g.console_installation = signed_in_installation(request_session(), console())
    except Unauthenticated as exc:
        replace_session(anonymous_session())
        return redirect(url_for("admin.sign_in_form", signed_out=exc.message))
    return None


@blueprint.after_request
def _headers_and_cookie(response):
    if request.endpoint != "admin.static":
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-store"
    if g.get("console_changed"):
        response.set_cookie(COOKIE, console().seal(runtime().box), max_age=int(CONSOLE_LIFETIME.total_seconds()),
                            path="/admin", secure=not is_loopback(request.host), httponly=True, samesite="Lax")
    return response


@blueprint.errorhandler(NulInRequest)
def _nul_in_request(exc: NulInRequest):
    # The app-wide guard's refusal keeps its one JSON shape on every route, the console's included.
    return error_response(exc.status, exc.code, exc.message, exc.details)


@blueprint.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    return render_page("error.html", title="Something went wrong", message=exc.message), exc.status


@blueprint.errorhandler(ValidationError)
def _validation_error(exc: ValidationError):
    return render_page("error.html", title="Invalid input", message=str(exc.messages)), 422


@blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return render_page("error.html", title=exc.name, message=exc.description or exc.name), exc.code or 500


def saved(change: Callable[[], Any], *, then: str, refused: Callable[[list[str]], Any]):
    """Run a change through the API's schema and service and commit it, then go to `then`; a refusal
    (a schema's or a service's) rolls back and answers `refused(problems in words)` with its status."""
    session = request_session()
    try:
        with runtime().database.write_lock():
            change()
            session.commit()
    except ValidationError as exc:
        session.rollback()
        return refused(problems(exc)), 422
    except ServiceError as exc:
        session.rollback()
        return refused(problems(exc)), exc.status
    return redirect(then)


def render_page(template: str, **context: Any) -> str:
    """A console page: the template with the navigation, the signed-in installation and the CSRF token."""
    signed_in = "console" in g and console().signed_in and "console_installation" in g
    return render_template(f"admin/{template}", navigation=NAVIGATION if signed_in else (),
                           installation=g.get("console_installation"),
                           csrf_token=console().csrf if "console" in g else "", **context)
