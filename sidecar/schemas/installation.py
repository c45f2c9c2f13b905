"""The calling installation: who it is, help-desk credentials, tokens, the shared secret, the audit log."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from sidecar.domain.statuses import AuditOutcome
from sidecar.schemas.common import RequestSchema, StoredTime


class CredentialsSchema(RequestSchema):
    """Help desk credentials for `ticket_ref` fetches; write-only, stored encrypted."""

    credentials = fields.Dict(keys=fields.String(), required=True, metadata={
        "minProperties": 1,
        "additionalProperties": {"nullable": True, "anyOf": [
            {"type": "string"}, {"type": "number"},
            {"type": "object", "additionalProperties": {"nullable": True, "anyOf": [{"type": "string"},
                                                                                    {"type": "number"}]}}]},
        "description": "connection settings: the help desk's own keys (subdomain, email, api_token; "
                       "instance_url, access_token...), dotted keys (jira.url), or {\"jira\": {...}}; "
                       "unknown keys are refused (422 names them)"})
    settings = fields.Dict(keys=fields.String(), load_default=dict,
                           metadata={"description": "field maps, bot user ids"})


class CredentialsStatusSchema(Schema):
    """Which credential fields are set; values are never returned."""

    configured = fields.Boolean()
    keys = fields.List(fields.String())


class InstallationSchema(Schema):
    """The calling installation as it sees itself."""

    id = fields.String()
    name = fields.String()
    source = fields.String()
    created_at = StoredTime()

class AuditQuerySchema(Schema):
    """Query string of GET /v1/audit."""

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=100, metadata={"description": "1 to 500 (a value outside is brought inside)"})
    escalation_id = fields.String(load_default=None, metadata={"description": "only this escalation's writes"})

class AuditEntrySchema(Schema):
    """One outbound write (or its dry-run)."""

    at = StoredTime()
    system = fields.String()
    action = fields.String()
    target = fields.String()
    outcome = fields.String(validate=validate.OneOf([s.value for s in AuditOutcome]))
    detail = fields.String()
    escalation_id = fields.String(allow_none=True)
    job_id = fields.String(allow_none=True)


class AuditListSchema(Schema):
    """The newest audit entries."""

    items = fields.List(fields.Nested(AuditEntrySchema))


class TokenCreateSchema(RequestSchema):
    """Body of POST /v1/tokens: a further credential of this installation."""

    scope = fields.String(required=True, validate=validate.OneOf(("admin", "agent", "read")),
                          metadata={"description": "admin: everything; agent: assess, escalate, feedback, read; "
                                                   "read: read assessments, escalations, teams, experts"})
    name = fields.String(load_default="", validate=validate.Length(max=200),
                         metadata={"description": "what it is for, e.g. 'Salesforce Named Credential'"})


class TokenSchema(Schema):
    """A scoped token as listed (its value is shown only once, when made)."""

    id = fields.String()
    scope = fields.String()
    name = fields.String()
    created_at = StoredTime()


class NewTokenSchema(TokenSchema):
    """A scoped token just made: the only time its value is shown."""

    api_token = fields.String()


class TokenListSchema(Schema):
    """GET /v1/tokens."""

    items = fields.List(fields.Nested(TokenSchema))


class SharedSecretRotationSchema(RequestSchema):
    """Body of POST /v1/installation/shared-secret."""

    overlap_hours = fields.Float(load_default=24.0, validate=validate.Range(min=0, max=720),
                                 metadata={"description": "how long the old secret is still accepted (0: not at all)"})


class SharedSecretSchema(Schema):
    """A new shared secret, shown once."""

    shared_secret = fields.String()
    previous_valid_until = StoredTime(allow_none=True)
