"""Answers of the service itself: health, errors and how a webhook was taken."""
from __future__ import annotations

from marshmallow import Schema, fields

from sidecar.schemas.common import WEBHOOK_STATUSES


class HealthSchema(Schema):
    """Liveness/readiness answer."""

    status = fields.String()


class ErrorDetailSchema(Schema):
    """The error object."""

    code = fields.String(required=True, metadata={"description": "machine-readable, e.g. invalid_input, forbidden"})
    message = fields.String(required=True, metadata={"description": "for people"})
    details = fields.Raw(allow_none=True, metadata={"description": "per-field problems, or what else the code "
                                                                   "needs (forbidden: required_scope and scope)"})


class ErrorSchema(Schema):
    """The one shape of every error response."""

    error = fields.Nested(ErrorDetailSchema, required=True)


class WebhookAnswerSchema(Schema):
    """How a verified webhook was taken: accepted, a duplicate of one already taken, or ignored."""

    status = fields.String(required=True, validate=WEBHOOK_STATUSES)
    kind = fields.String(allow_none=True, metadata={"description": "the event, e.g. ticket.comment_added"})


class SlackEventAnswerSchema(Schema):
    """A Slack event taken (as a webhook answer), or the url_verification challenge echoed."""

    status = fields.String(validate=WEBHOOK_STATUSES)
    kind = fields.String(allow_none=True)
    challenge = fields.String(allow_none=True, metadata={"description": "url_verification only"})
