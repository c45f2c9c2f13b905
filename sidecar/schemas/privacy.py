"""Erasure, retention and deleting an installation: the request bodies and what each answers."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from sidecar.schemas.common import JsonBoolean
from sidecar.services.erasure import MAX_EMAIL_LENGTH
from sidecar.services.retention import MAX_DAYS


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
