"""Escalations: the request, the preview, the escalation with its steps, and its listing."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from sidecar.domain.statuses import EscalationMode, StepStatus
from sidecar.intelligence.ticket import SOURCES
from sidecar.schemas.common import ESCALATION_STATUSES, LEVELS, ExternalId, RequestSchema
from sidecar.schemas.tickets import AssessmentRequestSchema

# --- escalations ---------------------------------------------------------------------------------

JIRA_KEY = validate.Regexp(r"^[A-Z][A-Z0-9_]{0,30}-[1-9][0-9]{0,9}$", error="must be a Jira issue key such as ENG-123")


class EscalatedBySchema(RequestSchema):
    """The agent who escalates, as the help desk app reports them."""

    id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                       metadata={"description": "the agent's user id in the help desk"})
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))


class EscalationRequestSchema(AssessmentRequestSchema):
    """Body of POST /v1/escalations: the ticket (inline or by reference), who takes it, the agent's note."""

    escalated_by = fields.Nested(EscalatedBySchema, load_default=None, allow_none=True,
                                 metadata={"description": "who pressed Escalate (recorded on the escalation, the "
                                                          "Jira issue, the ticket note, the Slack message and the "
                                                          "audit log; unverified unless the help desk signed it)"})

    note = fields.String(load_default="", validate=validate.Length(max=10_000),
                         metadata={"description": "what the agent wants the expert to know"})
    team_id = fields.String(load_default=None, allow_none=True, metadata={"description": "override the routed team"})
    expert_id = fields.String(load_default=None, allow_none=True,
                              metadata={"description": "override the routed expert"})
    link_to = fields.String(load_default=None, allow_none=True, validate=JIRA_KEY,
                            metadata={"description": "join this existing Jira issue instead of creating one"})
    summary = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255),
                            metadata={"description": "the Jira summary as the agent edited it in the preview"})


class EscalationPreviewSchema(Schema):
    """What escalating would write, shown to the agent before they confirm."""

    summary = fields.String()
    description_text = fields.String()
    description = fields.Dict(metadata={"description": "the ADF document"})
    priority = fields.String()
    labels = fields.List(fields.String())
    project = fields.String(allow_none=True)
    issue_type = fields.String()
    component = fields.String(allow_none=True)
    team = fields.Dict(allow_none=True)
    expert = fields.Dict(allow_none=True)
    link_to = fields.String(allow_none=True)
    suggestion = fields.Dict(allow_none=True)
    score = fields.Float()
    level = fields.String(validate=LEVELS)
    slack_text = fields.String()


class EscalationStepSchema(Schema):
    """One planned outbound write and how it went."""

    name = fields.String(metadata={"description": "jira_issue | jira_link | ticket_note | slack_message"})
    system = fields.String()
    status = fields.String(validate=validate.OneOf([s.value for s in StepStatus]))
    description = fields.String()
    attempts = fields.Integer()
    error = fields.String(allow_none=True)
    requests = fields.List(fields.Dict(), allow_none=True, metadata={"description": "dry-run: the exact requests"})
    result = fields.Dict(allow_none=True)
    job_id = fields.String(allow_none=True)
    next_attempt_at = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)


class EscalationSchema(Schema):
    """An escalation: its status, steps, Jira issue and Slack message."""

    id = fields.String()
    ticket = fields.Dict()
    status = fields.String(validate=ESCALATION_STATUSES)
    mode = fields.String(validate=validate.OneOf([s.value for s in EscalationMode]),
                         metadata={"description": "dry_run: no Jira credentials, the steps record their requests"})
    score = fields.Float()
    level = fields.String(validate=LEVELS)
    team = fields.Dict(allow_none=True)
    expert = fields.Dict(allow_none=True)
    note = fields.String()
    escalated_by = fields.Dict(allow_none=True, metadata={"description": "{id, name, email, verified}: who "
                                                                         "pressed Escalate"})
    link_to = fields.String(allow_none=True)
    suggestion = fields.Dict(allow_none=True, metadata={"description": "an open Jira issue about the same problem"})
    jira = fields.Dict()
    slack = fields.Dict()
    steps = fields.List(fields.Nested(EscalationStepSchema))
    jira_status = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)
    acknowledged = fields.Dict(metadata={"description": "{by, at}"})
    summary = fields.Dict(allow_none=True, metadata={"description": "the rolling summary: problem, findings, status, "
                                                                   "next_step, owner, text"})
    timeline = fields.List(fields.Dict(), metadata={"description": "events oldest first: {id, at, system, kind, "
                                                                   "actor, text, data}"})
    time_to_acknowledge_seconds = fields.Float(allow_none=True)
    time_to_resolve_seconds = fields.Float(allow_none=True)
    drafted_reply = fields.String(allow_none=True, metadata={"description": "once resolved: a reply for the agent "
                                                                             "to review and send"})
    created_at = fields.String()
    updated_at = fields.String()
    delivered_at = fields.String(allow_none=True)
    resolved_at = fields.String(allow_none=True)


class EscalationListSchema(Schema):
    """A page of escalations."""

    items = fields.List(fields.Nested(EscalationSchema))


class EscalationListQuerySchema(Schema):
    """Filters of GET /v1/escalations."""

    class Meta:
        unknown = RAISE

    source = fields.String(validate=validate.OneOf(SOURCES))
    ticket_id = ExternalId(integers=False, metadata={"description": "an empty value is refused, not 'any ticket'"})
    status = fields.String(validate=ESCALATION_STATUSES)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
