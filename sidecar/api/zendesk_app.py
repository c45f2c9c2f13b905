"""The sidebar as a server-side Zendesk app: Zendesk POSTs a signed agent identity, the sidecar serves the app.

With `package.py --signed-urls` the manifest points the ticket sidebar at `POST /zendesk/app/<installation
id>` with `"signedUrls": true`. Zendesk then sends the first request with a form field `token`, an RS256
JWT signed with its key for the app (sidecar/services/agent_sessions.py verifies it). The answer is the
app's own page with a session token in a meta tag; the app sends that token instead of the browser-made
JWT, so the sidecar knows which agent is calling. Assets are served from the same place.
"""
from __future__ import annotations

import html
import mimetypes
import sys
from pathlib import Path

from flask import Blueprint, Response, abort, request

from sidecar.api.context import request_session, runtime
from sidecar.errors import Unauthenticated
from sidecar.services.agent_sessions import start_agent_session, verify_zendesk_launch
from sidecar.services.connections import load_connections
from sidecar.services.installations import get_installation

blueprint = Blueprint("zendesk_app", __name__, url_prefix="/zendesk/app")

def _app_dir() -> Path | None:
    # A source checkout keeps the app beside the package; a wheel installs it as data (setup.cfg).
    for candidate in (Path(__file__).resolve().parents[2] / "zendesk_app",
                      Path(sys.prefix) / "share" / "escalation-sidecar" / "zendesk_app"):
        if (candidate / "assets" / "iframe.html").is_file():
            return candidate
    return None


@blueprint.post("/<installation_id>")
def signed_launch(installation_id: str):
    """Verify Zendesk's signed app load and answer with the sidebar page carrying an agent session."""
    token = request.form.get("token", "")
    if not token:
        raise Unauthenticated("Zendesk sends the signed app load as a form field 'token'; none came "
                              "(is signedUrls true in the manifest?)", code="missing_credentials")
    installation = get_installation(request_session(), installation_id)
    connections = load_connections(installation, box=runtime().box)
    claims = verify_zendesk_launch(token, connections=connections,
                                   leeway_seconds=runtime().config.jwt_leeway_seconds)
    session, lifetime = start_agent_session(installation_id=installation_id, agent_id=str(claims["sub"]),
                                            box=runtime().box)
    app_dir = _app_dir()
    if app_dir is None:
        abort(404)
    page = (app_dir / "assets" / "iframe.html").read_text(encoding="utf-8")
    head = (f'<base href="/zendesk/app/assets/">\n    <meta name="sidecar-session" content="{html.escape(session)}" '
            f'data-lifetime="{lifetime}">\n    <meta name="sidecar-url" content="{html.escape(request.host_url)}">')
    page = page.replace("<head>", "<head>\n    " + head, 1)
    response = Response(page, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blueprint.get("/<any(assets, translations):folder>/<path:name>")
def app_file(folder: str, name: str):
    """The app's assets and translations (no secret is in them)."""
    app_dir = _app_dir()
    if app_dir is None:
        abort(404)
    root = (app_dir / folder).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file() or any(p.startswith(".") for p in path.parts):
        abort(404)
    mimetype = "text/javascript" if path.suffix in (".js", ".mjs") else (
        mimetypes.guess_type(path.name)[0] or "application/octet-stream")
    return Response(path.read_bytes(), mimetype=mimetype)

