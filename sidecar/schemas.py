"""Marshmallow schemas, named by role: the single source of the API's shapes and of /openapi.json."""
from __future__ import annotations

from typing import Any

from marshmallow import (
    EXCLUDE,
    INCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from sidecar.intelligence.assessment import CATEGORIES, LEVELS, RECOMMENDATIONS
from sidecar.intelligence.ticket import AUTHOR_ROLES, SOURCES
from sidecar.store.models import stored_utc

MAX_ID_LENGTH = 100


def strip_nul(value: Any) -> Any:
    """Remove NUL characters from every string in a JSON value (PostgreSQL text cannot hold them)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_nul(v) for v in value]
    return value


class StoredTime(fields.DateTime):
    """A stored time in a response, always with its UTC offset (SQLite hands stored times back without one)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(stored_utc(value), attr, obj, **kwargs)


class ExternalId(fields.String):
    """An id from a help desk: Zendesk sends numbers, Salesforce strings; both are stored as text."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError("must be a string or an integer")
        text = str(value).strip()
        if not text:
            raise ValidationError("must not be empty")
        if len(text) > MAX_ID_LENGTH:
            raise ValidationError(f"must be at most {MAX_ID_LENGTH} characters")
        return text


class RequestSchema(Schema):
    """Base for request bodies (the API strips NULs before loading; see api.context.json_body)."""

    class Meta:
        unknown = EXCLUDE


class CommentSchema(Schema):
    """One message of the conversation."""

    class Meta:
        unknown = EXCLUDE

    author = fields.String(required=True, validate=validate.OneOf(AUTHOR_ROLES))
    body = fields.String(required=True)
    public = fields.Boolean(load_default=True)
    created_at = fields.DateTime(load_default=None, allow_none=True)


class OrganizationSchema(Schema):
    """The customer's company; extra fields are kept and may be used as evidence."""

    class Meta:
        unknown = INCLUDE

    name = fields.String(allow_none=True)
    tier = fields.String(allow_none=True)
    arr = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0))
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
    source = fields.String(validate=validate.OneOf(SOURCES), metadata={"description": "defaults to the installation's source"})
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


class CategorySchema(Schema):
    """A category the ticket falls in."""

    name = fields.String(validate=validate.OneOf(CATEGORIES))
    confidence = fields.Float()


class SignalSchema(Schema):
    """One reason behind the score, with its evidence."""

    name = fields.String()
    contribution = fields.Float()
    evidence = fields.String()
    category = fields.String(allow_none=True)


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


class AssessmentSchema(Schema):
    """An assessment as the API returns it."""

    id = fields.String()
    ticket = fields.Nested(TicketRefSchema)
    score = fields.Float(metadata={"description": "0 to 1: how much the ticket needs a human expert"})
    level = fields.String(validate=validate.OneOf(LEVELS))
    recommendation = fields.String(validate=validate.OneOf(RECOMMENDATIONS))
    categories = fields.List(fields.Nested(CategorySchema))
    signals = fields.List(fields.Nested(SignalSchema))
    model_version = fields.String()
    route = fields.Nested(RouteSchema)
    similar = fields.List(fields.Nested(SimilarIncidentSchema))
    created_at = StoredTime()


class AssessmentListSchema(Schema):
    """A page of assessments, newest first."""

    items = fields.List(fields.Nested(AssessmentSchema))


class AssessmentListQuerySchema(Schema):
    """Query string of GET /v1/assessments."""

    class Meta:
        unknown = EXCLUDE

    source = fields.String(validate=validate.OneOf(SOURCES))
    ticket_id = ExternalId()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ScoringSettingsSchema(RequestSchema):
    """An installation's overrides of the default weights and thresholds."""

    weights = fields.Dict(
        keys=fields.String(), values=fields.Float(allow_nan=False, validate=validate.Range(min=-20, max=20)),
        load_default=dict,
    )
    level_thresholds = fields.Dict(
        keys=fields.String(validate=validate.OneOf(("medium", "high", "critical"))),
        values=fields.Float(allow_nan=False, validate=validate.Range(min=0, max=1)),
        load_default=dict,
    )
    escalate_threshold = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=1), load_default=None)
    watch_threshold = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=1), load_default=None)
    category_threshold = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=1), load_default=None)


class CredentialsSchema(RequestSchema):
    """Help desk credentials for `ticket_ref` fetches; write-only, stored encrypted."""

    credentials = fields.Dict(keys=fields.String(), required=True)
    settings = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": "field maps, bot user ids"})


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


class HealthSchema(Schema):
    """Liveness/readiness answer."""

    status = fields.String()


class ErrorDetailSchema(Schema):
    """The error object."""

    code = fields.String()
    message = fields.String()
    details = fields.Raw()


class ErrorSchema(Schema):
    """The one shape of every error response."""

    error = fields.Nested(ErrorDetailSchema)


# --- teams, experts, routing rules ---------------------------------------------------------------

_CLOCK = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="must be HH:MM (24-hour)")
_DAY = validate.OneOf(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


def _valid_timezone(value: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)") from None


class WorkingHoursSchema(Schema):
    """When an expert works, in their own time zone."""

    class Meta:
        unknown = RAISE

    days = fields.List(fields.String(validate=_DAY), load_default=lambda: ["mon", "tue", "wed", "thu", "fri"])
    start = fields.String(validate=_CLOCK, load_default="09:00")
    end = fields.String(validate=_CLOCK, load_default="17:00")


class StoredDate(fields.Date):
    """A date that is stored in JSON as an ISO string: loads to a date, dumps strings as they are."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)


class OutOfOfficeSchema(Schema):
    """A period (dates inclusive) when an expert takes no escalations."""

    class Meta:
        unknown = RAISE

    start = StoredDate(required=True)
    end = StoredDate(required=True)
    note = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data["end"] < data["start"]:
            raise ValidationError("end must not be before start", field_name="end")


_CATEGORY_LIST = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), load_default=list)
_WORDS = fields.List(fields.String(validate=validate.Length(min=1, max=80)), load_default=list)


class TeamSchema(RequestSchema):
    """A team as the API and the experts file describe it."""

    class Meta:
        unknown = RAISE

    id = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(load_default="")
    slack_channel = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    jira_project = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    jira_component = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    categories = _CATEGORY_LIST
    tags = _WORDS
    history_groups = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list,
                                 metadata={"description": "help-desk group names in history that mean this team"})
    created_at = StoredTime(dump_only=True)
    updated_at = StoredTime(dump_only=True)


class ExpertSchema(RequestSchema):
    """An expert as the API and the experts file describe them."""

    class Meta:
        unknown = RAISE

    id = fields.String(dump_only=True)
    team_id = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True)
    slack_user_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    jira_account_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=128))
    categories = _CATEGORY_LIST
    tags = _WORDS
    languages = fields.List(fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$", error="use ISO 639 codes like en, de")),
                            load_default=list)
    timezone = fields.String(load_default="UTC", validate=_valid_timezone)
    working_hours = fields.Nested(WorkingHoursSchema, load_default=lambda: WorkingHoursSchema().load({}))
    capacity = fields.Integer(load_default=5, strict=True, validate=validate.Range(min=0, max=1000))
    out_of_office = fields.List(fields.Nested(OutOfOfficeSchema), load_default=list)
    aliases = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list,
                          metadata={"description": "assignee names or ids that mean this expert in history"})
    active = fields.Boolean(load_default=True)
    created_at = StoredTime(dump_only=True)
    updated_at = StoredTime(dump_only=True)


class RuleConditionsField(fields.Dict):
    """A rule's `when`: checked by the routing-rule module so the API and the file agree."""

    def _deserialize(self, value, attr, data, **kwargs):
        from sidecar.intelligence.routing_rules import check_conditions

        loaded = super()._deserialize(value, attr, data, **kwargs)
        problems = check_conditions(loaded)
        if problems:
            raise ValidationError(problems)
        return loaded


class RoutingRuleSchema(Schema):
    """One routing rule: when these conditions hold, send the ticket to this team."""

    class Meta:
        unknown = RAISE

    id = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    team_id = fields.String(required=True)
    when = RuleConditionsField(required=True, attribute="conditions", data_key="when")
    enabled = fields.Boolean(load_default=True)


class RoutingRuleListSchema(RequestSchema):
    """The whole ordered rule list (PUT replaces it)."""

    rules = fields.List(fields.Nested(RoutingRuleSchema), required=True)


class SimilarQuerySchema(Schema):
    """Query string of GET /v1/tickets/<source>/<id>/similar."""

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=50))


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
    level = fields.String()
    slack_text = fields.String()


class EscalationStepSchema(Schema):
    """One planned outbound write and how it went."""

    name = fields.String(metadata={"description": "jira_issue | jira_link | ticket_note | slack_message"})
    system = fields.String()
    status = fields.String(metadata={"description": "planned | retrying | done | dry_run | skipped | dead"})
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
    status = fields.String(metadata={"description": "pending | delivered | failed | resolved"})
    mode = fields.String(metadata={"description": "live | dry_run"})
    score = fields.Float()
    level = fields.String()
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
    ticket_id = ExternalId()
    status = fields.String(validate=validate.OneOf(("pending", "delivered", "failed", "resolved")))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ConnectionsUpdateSchema(RequestSchema):
    """Body of PATCH /v1/installation/connections: {"settings": {"jira.url": "...", ...}}; null or "" removes."""

    settings = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)


class EscalationSettingsSchema(RequestSchema):
    """Body of PUT /v1/settings/escalation; either key may be left out (unchanged)."""

    class Meta:
        unknown = RAISE

    redaction = fields.Dict(metadata={"description": "{emails, phones, cards (default true), patterns: [regex]}"})
    jira_priority = fields.Dict(metadata={"description": "{Highest, High, Medium: score bounds, tier_bumps: {tier: steps}}"})
    ack_minutes = fields.Raw(metadata={"description": "minutes until the next expert is pinged (default 30)"})
    proactive = fields.Raw(metadata={"description": "off | suggest (default) | auto, when a score crosses the threshold"})
    sync_customer_comments = fields.Raw(metadata={"description": "new customer comments go to Jira and Slack (default true)"})


class FeedbackSchema(RequestSchema):
    """Body of POST /v1/assessments/<id>/feedback."""

    class Meta:
        unknown = RAISE

    rating = fields.String(required=True, validate=validate.OneOf(("right", "wrong")))
    note = fields.String(load_default="", validate=validate.Length(max=5000))
    agent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                          metadata={"description": "who rated it (the agent's name or id)"})


class AuditEntrySchema(Schema):
    """One outbound write (or its dry-run)."""

    at = fields.String()
    system = fields.String()
    action = fields.String()
    target = fields.String()
    outcome = fields.String()
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
