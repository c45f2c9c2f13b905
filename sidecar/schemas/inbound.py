"""GET /v1/inbound: the inbound webhook deliveries the sidecar kept, and what became of each."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from sidecar.domain.statuses import InboundStatus
from sidecar.schemas.common import StoredTime

INBOUND_STATUSES = validate.OneOf([s.value for s in InboundStatus])
INBOUND_SYSTEMS = ("zendesk", "salesforce", "jira", "slack")


class InboundQuerySchema(Schema):
    """Filters of GET /v1/inbound; a page ends where `next_before` says the next one starts."""

    class Meta:
        unknown = RAISE

    status = fields.String(validate=INBOUND_STATUSES,
                           metadata={"description": "ignored: not acted on (each with its reason); acted; queued; "
                                                    "unknown (accepted before outcomes were kept)"})
    system = fields.String(validate=validate.OneOf(INBOUND_SYSTEMS))
    kind = fields.String(validate=validate.Length(min=1, max=60),
                         metadata={"description": "the event's kind, e.g. slack.message or jira.comment_created"})
    before = fields.Integer(strict=False, validate=validate.Range(min=1),
                            metadata={"description": "the next page: the `next_before` of the previous answer"})
    limit = fields.Integer(load_default=50, strict=False, validate=validate.Range(min=1, max=200))


class InboundEventSchema(Schema):
    """One inbound delivery: when, from where, what it concerned, and what became of it."""

    id = fields.Integer()
    received_at = StoredTime()
    system = fields.String()
    kind = fields.String()
    delivery_id = fields.String()
    status = fields.String(validate=INBOUND_STATUSES)
    reason = fields.String(allow_none=True, metadata={"description": "why it was not acted on (status ignored)"})
    about = fields.String(allow_none=True,
                          metadata={"description": "what it concerned in ids only: Jira issue, ticket, Slack thread"})
    handled_at = StoredTime(allow_none=True)


class InboundListSchema(Schema):
    """A page of inbound deliveries, newest first."""

    items = fields.List(fields.Nested(InboundEventSchema))
    next_before = fields.Integer(allow_none=True, metadata={"description": "pass as `before` for the next page; "
                                                                          "null on the last page"})
