"""Escalations: the request, the preview, the escalation with its steps, and its listing."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from sidecar.domain.statuses import EscalationMode, StepStatus
from sidecar.intelligence.ticket import SOURCES
from sidecar.schemas.common import (
    ESCALATION_STATUSES,
    LEVELS,
    DerivedDict,
    DerivedNested,
    ExternalId,
    RequestSchema,
    StoredTime,
)
from sidecar.schemas.tickets import AssessmentRequestSchema

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
                            metadata={"description": "join this existing Jira issue instead of creating one; "
                                                     "a resolved one is refused with 409 issue_resolved unless "
                                                     "link_resolved is true"})
    link_resolved = fields.Boolean(load_default=False, metadata={
        "description": "join the link_to issue even though the sidecar knows it is resolved (it is not reopened)"})
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
    """One planned outbound write and how it went (dumped from a StepView: the step row and its job)."""

    name = fields.String(attribute="step.name",
                         metadata={"description": "jira_issue | jira_link | ticket_note | slack_message"})
    system = fields.String(attribute="step.system")
    status = fields.String(attribute="step.status", validate=validate.OneOf([s.value for s in StepStatus]))
    description = fields.String()
    attempts = fields.Integer(attribute="step.attempts")
    error = fields.String(attribute="step.error", allow_none=True)
    requests = fields.List(fields.Dict(), attribute="step.requests", allow_none=True,
                           metadata={"description": "dry-run: the exact requests"})
    result = fields.Dict(attribute="step.result", allow_none=True)
    job_id = fields.String(allow_none=True)
    next_attempt_at = StoredTime(allow_none=True)
    updated_at = StoredTime(attribute="step.updated_at", allow_none=True)


class EscalatedTicketSchema(Schema):
    """The escalated ticket: where it lives and its link for agents."""

    source = fields.String()
    id = fields.String()
    url = fields.String(allow_none=True)


class JiraLinkSchema(Schema):
    """The escalation's Jira issue (both null until the issue exists)."""

    key = fields.String(allow_none=True)
    url = fields.String(allow_none=True)


class SlackLinkSchema(Schema):
    """The escalation's Slack message (all null until it is posted)."""

    channel = fields.String(allow_none=True)
    ts = fields.String(allow_none=True)
    permalink = fields.String(allow_none=True)


class AcknowledgedSchema(Schema):
    """Who acknowledged the escalation and when (both null until then)."""

    by = fields.String(allow_none=True)
    at = StoredTime(allow_none=True)


class TimelineEventSchema(Schema):
    """One event of an escalation's timeline (dumped from an EscalationEvent row)."""

    id = fields.String()
    at = StoredTime()
    system = fields.String(metadata={"description": "where it happened, e.g. jira or slack"})
    kind = fields.String()
    actor = fields.String(allow_none=True)
    text = fields.String()
    data = DerivedDict(getter=lambda event: event.data or {})


def _ticket(view: Any) -> dict[str, Any]:
    return {"source": view.row.ticket_source, "id": view.row.ticket_external_id,
            "url": (view.row.context or {}).get("ticket_url")}


class EscalationSchema(Schema):
    """An escalation: its status, steps, Jira issue and Slack message (dumped from an EscalationView)."""

    id = fields.String(attribute="row.id")
    ticket = DerivedNested(EscalatedTicketSchema, getter=_ticket)
    status = fields.String(attribute="row.status", validate=ESCALATION_STATUSES)
    mode = fields.String(attribute="row.mode", validate=validate.OneOf([s.value for s in EscalationMode]),
                         metadata={"description": "dry_run: no Jira credentials, the steps record their requests"})
    score = fields.Float(attribute="row.score")
    level = fields.String(attribute="row.level", validate=LEVELS)
    team = fields.Dict(attribute="row.team", allow_none=True)
    expert = fields.Dict(attribute="row.expert", allow_none=True)
    note = fields.String(attribute="row.agent_note")
    escalated_by = fields.Dict(attribute="row.escalated_by", allow_none=True,
                               metadata={"description": "{id, name, email, verified}: who pressed Escalate"})
    link_to = fields.String(attribute="row.link_to", allow_none=True)
    suggestion = fields.Dict(attribute="row.suggestion", allow_none=True,
                             metadata={"description": "an open Jira issue about the same problem"})
    jira = DerivedNested(JiraLinkSchema, getter=lambda view: {"key": view.row.jira_key, "url": view.row.jira_url})
    slack = DerivedNested(SlackLinkSchema, getter=lambda view: {
        "channel": view.row.slack_channel, "ts": view.row.slack_ts, "permalink": view.row.slack_permalink})
    steps = fields.List(fields.Nested(EscalationStepSchema))
    jira_status = fields.String(attribute="row.jira_status", allow_none=True)
    resolution = fields.String(attribute="row.resolution", allow_none=True)
    acknowledged = DerivedNested(AcknowledgedSchema, getter=lambda view: {"by": view.row.acknowledged_by,
                                                                          "at": view.row.acknowledged_at})
    summary = fields.Dict(attribute="row.summary", allow_none=True,
                          metadata={"description": "the rolling summary: problem, findings, status, next_step, "
                                                   "owner, text"})
    timeline = fields.List(fields.Nested(TimelineEventSchema), metadata={"description": "events oldest first"})
    time_to_acknowledge_seconds = fields.Float(allow_none=True)
    time_to_resolve_seconds = fields.Float(allow_none=True)
    drafted_reply = fields.String(allow_none=True, metadata={"description": "once resolved: a reply for the agent "
                                                                             "to review and send"})
    created_at = StoredTime(attribute="row.created_at")
    updated_at = StoredTime(attribute="row.updated_at")
    delivered_at = StoredTime(attribute="row.delivered_at", allow_none=True)
    resolved_at = StoredTime(attribute="row.resolved_at", allow_none=True)


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
