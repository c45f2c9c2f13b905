"""Signing in to the console with an admin-scope API token, and signing out."""
from __future__ import annotations

from flask import redirect, request, url_for

from sidecar.admin.console import blueprint, console, render_page, replace_session
from sidecar.api.context import request_session
from sidecar.errors import Forbidden, Unauthenticated
from sidecar.services.admin_sessions import anonymous_session, sign_in


@blueprint.get("/sign-in")
def sign_in_form():
    """The sign-in form (one field, `token`)."""
    if console().signed_in:
        return redirect(url_for("admin.analytics"))
    return render_page("sign_in.html", title="Sign in", error=None, notice=request.args.get("signed_out"))


@blueprint.post("/sign-in")
def submit_sign_in():
    """Start a session for an admin-scope token; any other token is refused in words."""
    token = request.form.get("token", "").strip()
    if not token:
        return render_page("sign_in.html", title="Sign in", error="Paste an admin API token.", notice=None), 422
    try:
        started = sign_in(request_session(), token)
    except Unauthenticated:
        return render_page("sign_in.html", title="Sign in", notice=None,
                           error="That token is not valid: it is unknown or has been revoked."), 401
    except Forbidden as exc:
        return render_page("sign_in.html", title="Sign in", error=exc.message.capitalize() + ".", notice=None), 403
    replace_session(started)
    return redirect(url_for("admin.analytics"))


@blueprint.post("/sign-out")
def sign_out():
    """End the session: the cookie is replaced by an anonymous one."""
    replace_session(anonymous_session())
    return redirect(url_for("admin.sign_in_form"))
