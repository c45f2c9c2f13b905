"""Erasure and retention (admin only): erase a requester, the retention window, delete the installation."""
from __future__ import annotations

from flask import Blueprint, request
from marshmallow import ValidationError

from sidecar.api.auth import authenticate_request, current_installation
from sidecar.api.context import json_body, request_session, respond, runtime
from sidecar.schemas import (
    ErasureRequestSchema,
    ErasureSchema,
    InstallationDeletionQuerySchema,
    InstallationDeletionSchema,
    RetentionSettingsSchema,
)
from sidecar.services.erasure import delete_installation, erase_requester
from sidecar.services.retention import retention_settings, set_retention

blueprint = Blueprint("privacy", __name__, url_prefix="/v1")
# No @allow on any view here: every one is admin-only.
blueprint.before_request(authenticate_request)


def _release_request_session() -> None:
    # The erasure works in sessions of its own and then checkpoints SQLite's log, which a connection
    # still open on this request would hold up.
    request_session().close()


@blueprint.post("/erasures")
def erase():
    """Erase one requester's data in this installation; lists what must be erased in Jira and Slack by hand."""
    body = json_body(ErasureRequestSchema())
    installation_id = current_installation().id
    _release_request_session()
    report = erase_requester(runtime().database, installation_id=installation_id, email=body["requester_email"],
                             compact=body["compact"])
    return respond(ErasureSchema(), report.as_dict())


@blueprint.get("/settings/retention")
def get_retention():
    """The retention window in days (null: kept forever)."""
    return respond(RetentionSettingsSchema(), retention_settings(current_installation()))


@blueprint.put("/settings/retention")
def put_retention():
    """Set the retention window ({"days": 90}, or null to keep everything); the first purge runs at once."""
    body = json_body(RetentionSettingsSchema())
    session = request_session()
    with runtime().database.write_lock():
        installation = session.merge(current_installation())
        settings = set_retention(session, installation=installation, days=body["days"])
        session.commit()
    return respond(RetentionSettingsSchema(), settings)


@blueprint.delete("/installation")
def delete_this_installation():
    """Delete this installation and everything of it; its tokens stop working. Needs
    ?confirm=<installation id> (&compact=true)."""
    installation_id = current_installation().id
    query = InstallationDeletionQuerySchema().load(request.args.to_dict())
    if query["confirm"] != installation_id:
        raise ValidationError({"confirm": ["Must be this installation's id."]})
    _release_request_session()
    result = delete_installation(runtime().database, installation_id=installation_id, compact=query["compact"])
    return respond(InstallationDeletionSchema(), result)
