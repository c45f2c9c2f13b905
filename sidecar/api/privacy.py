"""Erasure and retention (admin only): erase a requester, the retention window, delete the installation."""
from __future__ import annotations

from flask import Blueprint, request
from marshmallow import Schema, ValidationError, fields, validate

from sidecar.api.auth import authenticate_request, current_installation
from sidecar.api.context import json_body, request_session, respond, runtime
from sidecar.schemas import JsonBoolean
from sidecar.services.erasure import MAX_EMAIL_LENGTH, delete_installation, erase_requester
from sidecar.services.retention import MAX_DAYS, retention_settings, set_retention

blueprint = Blueprint("privacy", __name__, url_prefix="/v1")
# No @allow on any view here: every one is admin-only.
blueprint.before_request(authenticate_request)


class TrimmedEmail(fields.Email):
    """An e-mail address; spaces around it (a paste from a ticket) are not part of it."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value.strip() if isinstance(value, str) else value, attr, data, **kwargs)


class ErasureRequestSchema(Schema):
    """POST /v1/erasures: whose data to erase."""

    requester_email = TrimmedEmail(required=True, validate=validate.Length(max=MAX_EMAIL_LENGTH))
    # PostgreSQL only: VACUUM FULL the touched tables, so their files no longer hold the deleted rows
    # (locks each table while it is rewritten). SQLite's deletes are secure already.
    compact = JsonBoolean(load_default=False)  # true or false: /openapi.json says boolean (not 1, "yes")


class NotReachableSchema(Schema):
    """What the sidecar wrote elsewhere about the person: erase it there."""

    jira_issues = fields.List(fields.String())
    slack_messages = fields.List(fields.String())
    helpdesk_tickets = fields.List(fields.Dict())


class ErasureSchema(Schema):
    """The answer to an erasure: rows deleted and redacted per table, what to erase by hand, what the files saw."""

    id = fields.String()
    tickets = fields.Integer()
    erased = fields.Dict(keys=fields.String(), values=fields.Integer())
    redacted = fields.Dict(keys=fields.String(), values=fields.Integer())
    not_reachable = fields.Nested(NotReachableSchema)
    learned_models = fields.Dict()
    storage = fields.Dict()


class RetentionSettingsSchema(Schema):
    """How many days customer data is kept; null keeps it forever."""

    days = fields.Integer(required=True, allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_DAYS))


class InstallationDeletionQuerySchema(Schema):
    """DELETE /v1/installation?confirm=<installation id>: the id, so no stray request deletes everything."""

    confirm = fields.String(required=True)
    compact = fields.Boolean(load_default=False)  # PostgreSQL: VACUUM FULL afterwards, as for an erasure


class InstallationDeletionSchema(Schema):
    """What deleting the installation removed."""

    id = fields.String()
    deleted = fields.Dict(keys=fields.String(), values=fields.Integer())
    storage = fields.Dict()


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
    """Delete this installation and everything of it; its tokens stop working. Needs ?confirm=<installation id> (&compact=true)."""
    installation_id = current_installation().id
    query = InstallationDeletionQuerySchema().load(request.args.to_dict())
    if query["confirm"] != installation_id:
        raise ValidationError({"confirm": ["Must be this installation's id."]})
    _release_request_session()
    result = delete_installation(runtime().database, installation_id=installation_id, compact=query["compact"])
    return respond(InstallationDeletionSchema(), result)
