"""`GET /preview/zendesk`: the real Zendesk app in a page that plays Zendesk, for the demo (dry-run) only.

The page shows a demo ticket as Zendesk would and loads the app's own assets in an iframe, with the ZAF
SDK replaced by a stub (sidecar/preview/zaf_stub.js) that answers `client.get` from the demo ticket and
sends `client.request` to this sidecar with the demo installation's token. `GET /preview/zendesk/nav_bar`
plays Zendesk's nav bar around the app's analytics dashboard the same way, the stub answering that the
current user is an admin (`?role=agent` shows what agents see). Registered only when `sidecar demo`
starts the app: the pages carry that token, so they must never exist for a real installation.
"""
from __future__ import annotations

import json
import mimetypes
from pathlib import Path

from flask import Blueprint, Response, abort, jsonify

from sidecar.api.context import runtime
from sidecar.demo import demo_tickets as tickets

PREVIEW_DIR = Path(__file__).resolve().parent.parent / "preview"
APP_DIR = Path(__file__).resolve().parents[2] / "zendesk_app"
ZAF_SDK_URL = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"
STUB_URL = "/preview/zendesk/zaf_stub.js"
LOCATION_PAGES = ("assets/iframe.html", "assets/nav_bar.html")  # the app's pages that load the ZAF SDK

blueprint = Blueprint("preview", __name__, url_prefix="/preview")


def _file(path: Path) -> Response:
    resolved = path.resolve()
    allowed = (PREVIEW_DIR.resolve(), APP_DIR.resolve())
    if not any(resolved.is_relative_to(root) for root in allowed) or not resolved.is_file():
        abort(404)
    mimetype = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
    if resolved.suffix in (".js", ".mjs"):
        mimetype = "text/javascript"
    response = Response(resolved.read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = "no-store"
    return response


def _host_page(name: str) -> Response:
    config = runtime().config
    page = (PREVIEW_DIR / name).read_text(encoding="utf-8")
    settings = {"installation_id": config.preview_installation_id, "token": config.preview_token}
    page = page.replace("__PREVIEW_SETTINGS__", json.dumps(settings).replace("</", "<\\/"))
    response = Response(page, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/zendesk")
def zendesk_page():
    """The host page: a demo ticket on the left, the app in the sidebar, what would be sent below."""
    return _host_page("zendesk.html")


@blueprint.get("/zendesk/nav_bar")
def nav_bar_page():
    """The host page of the nav bar: Zendesk's left navigation with the app's icon, the dashboard in the pane."""
    return _host_page("nav_bar.html")


@blueprint.get("/zendesk/tickets")
def demo_tickets():
    """The demo tickets, as the page's ticket picker shows them."""
    return jsonify(tickets())


@blueprint.get("/zendesk/<path:name>")
def preview_file(name: str):
    """The page's own files (stub SDK, styles)."""
    return _file(PREVIEW_DIR / name)


@blueprint.get("/zendesk/app/<path:name>")
def app_file(name: str):
    """The Zendesk app's own files; its location pages load the stub instead of Zendesk's SDK."""
    if not APP_DIR.is_dir():
        abort(404)
    if name in LOCATION_PAGES:
        html = (APP_DIR / name).read_text(encoding="utf-8")
        response = Response(html.replace(ZAF_SDK_URL, STUB_URL), mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response
    return _file(APP_DIR / name)
