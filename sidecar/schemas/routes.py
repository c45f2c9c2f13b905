"""Who should take a ticket (a route) and which past incidents are like it."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from sidecar.schemas.tickets import TicketRefSchema


class RouteTeamSchema(Schema):
    """The team a route names."""

    id = fields.String()
    name = fields.String()
    slack_channel = fields.String(allow_none=True)
    jira_project = fields.String(allow_none=True)
    jira_component = fields.String(allow_none=True)


class RouteExpertSchema(Schema):
    """The expert a route names, with why."""

    id = fields.String()
    name = fields.String()
    email = fields.String()
    slack_user_id = fields.String(allow_none=True)
    jira_account_id = fields.String(allow_none=True)
    available_now = fields.Boolean()
    score = fields.Float()
    reasons = fields.List(fields.String())


class RouteAlternativeSchema(Schema):
    """A ranked alternative: another expert of the team, or another team."""

    team = fields.Nested(RouteTeamSchema)
    expert = fields.Nested(RouteExpertSchema, allow_none=True)
    confidence = fields.Float()
    reasons = fields.List(fields.String())


class RouteSchema(Schema):
    """Who should take the ticket: team and named expert, or team null with the reason."""

    team = fields.Nested(RouteTeamSchema, allow_none=True)
    expert = fields.Nested(RouteExpertSchema, allow_none=True)
    confidence = fields.Float()
    reasons = fields.List(fields.String())
    alternatives = fields.List(fields.Nested(RouteAlternativeSchema))
    model_version = fields.String()


class SimilarIncidentSchema(Schema):
    """A past ticket or Jira issue like this one, and how it ended."""

    source = fields.String()
    id = fields.String()
    kind = fields.String(metadata={"description": "ticket or jira_issue"})
    title = fields.String()
    status = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    solved_by = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    group_name = fields.String(allow_none=True)
    score = fields.Float(metadata={"description": "0 to 1"})


class SimilarListSchema(Schema):
    """Similar incidents of one ticket."""

    ticket = fields.Nested(TicketRefSchema)
    items = fields.List(fields.Nested(SimilarIncidentSchema))

class SimilarQuerySchema(Schema):
    """Query string of GET /v1/tickets/<source>/<id>/similar."""

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=50))
