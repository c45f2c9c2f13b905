"""The connections page: each system live or dry-run and what is missing, the installation check, and the
connection settings (secrets write-only: a secret field is always empty and only says whether it is set)."""
from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from sidecar.admin.console import blueprint, installation, render_page, saved
from sidecar.api.context import request_session, runtime
from sidecar.domain.connections import KEYS, SYSTEMS
from sidecar.schemas import ConnectionsUpdateSchema
from sidecar.services.connection_check import CheckResult, check_connections
from sidecar.services.connections import configure, connections_view, load_connections

NOTICES = {"saved": "The connection settings are saved.", "unchanged": "Nothing was changed."}


def _systems() -> list[dict[str, Any]]:
    connections = load_connections(installation(), box=runtime().box)
    view = connections_view(connections)
    systems = []
    for system in SYSTEMS:
        if system in ("zendesk", "salesforce") and system != installation().source:
            continue
        keys = [{"key": key, "name": key.split(".", 1)[1], "description": spec.description, "secret": spec.secret,
                 "value": None if spec.secret else connections.get(key), "is_set": bool(connections.get(key))}
                for key, spec in KEYS.items() if key.startswith(system + ".")]
        systems.append({"name": system, "live": view[system]["live"], "missing": view[system]["missing"],
                        "keys": keys})
    return systems


def _page(status: int = 200, *, checks: list[CheckResult] | None = None, errors: list[str] | None = None):
    return render_page("connections.html", title="Connections", systems=_systems(), checks=checks, errors=errors,
                       notice=NOTICES.get(request.args.get("done", ""))), status


@blueprint.get("/connections")
def connections():
    """Each system's state and settings."""
    return _page()


@blueprint.post("/connections/check")
def check():
    """Call each configured system once, as `sidecar installation check` does, and show the answers."""
    results = check_connections(load_connections(installation(), box=runtime().box), source=installation().source)
    return _page(checks=results)


def _changes(form: Any) -> dict[str, Any]:
    """Settings whose field differs from what is stored; an empty secret field leaves the secret as it is."""
    current = load_connections(installation(), box=runtime().box)
    changes: dict[str, Any] = {}
    for key, spec in KEYS.items():
        if key not in form:
            continue
        value = form.get(key, "").strip()
        if spec.secret:
            if value:
                changes[key] = value
        elif value != (current.get(key) or ""):
            changes[key] = value or None
    return changes


@blueprint.post("/connections")
def save_connections():
    """Save the changed settings of one system's form, through the API's schema and service."""
    changes = _changes(request.form)
    if not changes:
        return redirect(url_for("admin.connections", done="unchanged"))
    def change():
        body = ConnectionsUpdateSchema().load({"settings": changes})
        session = request_session()
        configure(session, session.merge(installation()), changes=body["settings"], box=runtime().box)
    return saved(change, then=url_for("admin.connections", done="saved"),
                 refused=lambda lines: _page(errors=lines)[0])
