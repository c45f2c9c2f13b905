"""A ticket as the apps and webhooks send it, a reference to one, and the requests that name one."""
from __future__ import annotations

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from sidecar.intelligence.ticket import AUTHOR_ROLES, SOURCES
from sidecar.schemas.common import ExternalId, JsonBoolean, JsonFloat, RequestSchema


class CommentSchema(Schema):
    """One message of the conversation."""

    class Meta:
        unknown = EXCLUDE

    author = fields.String(required=True, validate=validate.OneOf(AUTHOR_ROLES))
    body = fields.String(required=True)
    public = JsonBoolean(load_default=True)
    created_at = fields.DateTime(load_default=None, allow_none=True)


class OrganizationSchema(Schema):
    """The customer's company; extra fields are kept and may be used as evidence."""

    class Meta:
        unknown = INCLUDE

    name = fields.String(allow_none=True)
    tier = fields.String(allow_none=True)
    arr = JsonFloat(allow_none=True, allow_nan=False, validate=validate.Range(min=0))
    renewal_date = fields.Date(allow_none=True)


class RequesterSchema(Schema):
    """The person who opened the ticket."""

    class Meta:
        unknown = INCLUDE

    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class TicketSchema(Schema):
    """A ticket as the Zendesk app, the Salesforce package or a webhook sends it."""

    class Meta:
        unknown = EXCLUDE

    id = ExternalId(required=True)
    source = fields.String(validate=validate.OneOf(SOURCES),
                           metadata={"description": "defaults to the installation's source"})
    subject = fields.String(required=True)
    description = fields.String(load_default="", allow_none=True)
    comments = fields.List(fields.Nested(CommentSchema), load_default=list)
    requester = fields.Nested(RequesterSchema, allow_none=True, load_default=None)
    organization = fields.Nested(OrganizationSchema, allow_none=True, load_default=None)
    priority = fields.String(allow_none=True, load_default=None)
    status = fields.String(allow_none=True, load_default=None)
    tags = fields.List(fields.String(), load_default=list)
    custom_fields = fields.Dict(keys=fields.String(), load_default=dict)
    created_at = fields.DateTime(allow_none=True, load_default=None)
    updated_at = fields.DateTime(allow_none=True, load_default=None)
    reopens = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000), strict=True)
    group = fields.String(allow_none=True, load_default=None)
    assignee = fields.String(allow_none=True, load_default=None)


class TicketRefSchema(Schema):
    """A pointer to a ticket the sidecar should fetch from the help desk itself."""

    class Meta:
        unknown = EXCLUDE

    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    id = ExternalId(required=True)


class AssessmentRequestSchema(RequestSchema):
    """Body of POST /v1/assessments: exactly one of `ticket` or `ticket_ref`."""

    ticket = fields.Nested(TicketSchema)
    ticket_ref = fields.Nested(TicketRefSchema)

    @validates_schema
    def _exactly_one(self, data, **kwargs):
        if ("ticket" in data) == ("ticket_ref" in data):
            raise ValidationError("give exactly one of 'ticket' or 'ticket_ref'", field_name="_schema")
