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
    post_load,
    validate,
    validates_schema,
)

from sidecar.domain.settings import PROACTIVE_POLICIES, SCORING_MODELS
from sidecar.domain.statuses import (
    AssessmentLevel,
    AuditOutcome,
    EscalationMode,
    EscalationStatus,
    FeedbackRating,
    Recommendation,
    StepStatus,
    WebhookStatus,
)
from sidecar.intelligence.assessment import CATEGORIES
from sidecar.intelligence.ticket import AUTHOR_ROLES, SOURCES
from sidecar.store.models import stored_utc

_LEVELS = validate.OneOf([s.value for s in AssessmentLevel])
_ESCALATION_STATUSES = validate.OneOf([s.value for s in EscalationStatus])
_WEBHOOK_STATUSES = validate.OneOf([s.value for s in WebhookStatus])

MAX_ID_LENGTH = 100
# Python's whitespace (what str.strip() removes) spelled out: JSON Schema patterns are ECMA regexes, whose
# \s differs from Python's (\x1c-\x1f and \x85 are not in it, \ufeff is), so the document cannot say \s.
BLANK = "\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = f"[^{BLANK}]"  # a pattern: holds something other than whitespace


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


MAX_INTEGER_ID = 2**63 - 1


class ExternalId(fields.String):
    """An id from a help desk: Zendesk sends numbers, Salesforce strings; both are stored as text.

    `integers=False` for a query parameter, where everything is text.
    """

    def __init__(self, *, integers: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.integers = integers

    def openapi_alternatives(self) -> list[dict[str, Any]]:
        """What /openapi.json says this field takes (sidecar.api.openapi documents it as anyOf)."""
        text = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH, "pattern": NOT_BLANK}
        return [text, {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER_ID}] if self.integers else [text]

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int)) or (isinstance(value, int) and not self.integers):
            raise ValidationError("must be a string or an integer" if self.integers else "must be a string")
        if isinstance(value, int) and not 0 <= value <= MAX_INTEGER_ID:
            raise ValidationError(f"must be from 0 to {MAX_INTEGER_ID}")
        text = str(value)
        # Length before stripping, as documented: surrounding spaces are dropped, not a way past the limit.
        if len(text) > MAX_ID_LENGTH:
            raise ValidationError(f"must be at most {MAX_ID_LENGTH} characters")
        text = text.strip()
        if not text:
            raise ValidationError("must not be empty")
        return text


class JsonFloat(fields.Float):
    """A JSON number: a numeric string such as "0.5" is refused, as the document says (marshmallow takes it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class JsonBoolean(fields.Boolean):
    """A JSON true or false: marshmallow would also take 1, "yes", "on" and the like."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


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


class ShadowScoreSchema(Schema):
    """The score another model gave the same ticket (stored, never acted on)."""

    model_version = fields.String()
    score = fields.Float()


class AssessmentSchema(Schema):
    """An assessment as the API returns it."""

    id = fields.String()
    ticket = fields.Nested(TicketRefSchema)
    score = fields.Float(metadata={"description": "0 to 1: how much the ticket needs a human expert"})
    level = fields.String(validate=_LEVELS)
    recommendation = fields.String(validate=validate.OneOf([s.value for s in Recommendation]))
    categories = fields.List(fields.Nested(CategorySchema))
    signals = fields.List(fields.Nested(SignalSchema))
    model_version = fields.String()
    shadow = fields.Nested(ShadowScoreSchema, metadata={
        "description": "present when the scoring settings name a shadow model: its score for the same ticket"})
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
    ticket_id = ExternalId(integers=False, metadata={"description": "an empty value is refused, not 'any ticket'"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


def _unit_interval(**kwargs) -> JsonFloat:
    return JsonFloat(allow_nan=False, validate=validate.Range(min=0, max=1), **kwargs)


def _weights_schema() -> type[Schema]:
    # One property per known signal, so the document lists the names the scorer accepts.
    from sidecar.intelligence.scoring import DEFAULT_WEIGHTS

    weight = {name: JsonFloat(allow_nan=False, validate=validate.Range(min=-20, max=20)) for name in DEFAULT_WEIGHTS}
    return Schema.from_dict(weight, name="ScoringWeightsSchema")


class LevelThresholdsSchema(Schema):
    """Scores from which a level starts (0 to 1)."""

    class Meta:
        unknown = RAISE

    medium = _unit_interval()
    high = _unit_interval()
    critical = _unit_interval()


class ScoringSettingsSchema(RequestSchema):
    """An installation's overrides of the default weights and thresholds."""

    weights = fields.Nested(_weights_schema()(unknown=RAISE), load_default=dict,
                            metadata={"description": "log-odds per unit of a signal's strength"})
    level_thresholds = fields.Nested(LevelThresholdsSchema, load_default=dict)
    escalate_threshold = _unit_interval(allow_none=True, load_default=None)
    watch_threshold = _unit_interval(allow_none=True, load_default=None)
    category_threshold = _unit_interval(allow_none=True, load_default=None)
    model = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(SCORING_MODELS), metadata={
        "description": "which model makes the score: `rules` (the default) or `learned` (the installation's "
                       "escalation model from `sidecar train`; 409 when none is trained)"})
    shadow = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(SCORING_MODELS), metadata={
        "description": "the other model, also run on every assessment; its score is stored beside the "
                       "assessment as `shadow` (must differ from `model`)"})


class ScoringSettingsViewSchema(Schema):
    """The weights and thresholds in effect, and this installation's overrides."""

    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    level_thresholds = fields.Dict(keys=fields.String(), values=fields.Float())
    escalate_threshold = fields.Float()
    watch_threshold = fields.Float()
    category_threshold = fields.Float()
    model = fields.String(validate=validate.OneOf(SCORING_MODELS))
    shadow = fields.String(allow_none=True, validate=validate.OneOf(SCORING_MODELS))
    overrides = fields.Dict()


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

    code = fields.String(required=True, metadata={"description": "machine-readable, e.g. invalid_input, forbidden"})
    message = fields.String(required=True, metadata={"description": "for people"})
    details = fields.Raw(allow_none=True, metadata={"description": "per-field problems, or what else the code "
                                                                   "needs (forbidden: required_scope and scope)"})


class ErrorSchema(Schema):
    """The one shape of every error response."""

    error = fields.Nested(ErrorDetailSchema, required=True)


# --- teams, experts, routing rules ---------------------------------------------------------------

_CLOCK = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="must be HH:MM (24-hour)")
_DAY = validate.OneOf(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


def _timezones() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(available_timezones())


TIMEZONES = _timezones()
_TIMEZONE_SET = frozenset(TIMEZONES)


def _valid_timezone(value: str) -> None:
    # The names the document lists, no more: ZoneInfo would also open "localtime" or "posixrules".
    if value not in _TIMEZONE_SET:
        raise ValidationError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)")


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
        # In a PATCH of an expert the whole list is replaced, so each period is still complete even though
        # marshmallow's partial loading does not require the fields of nested schemas.
        missing = [name for name in ("start", "end") if name not in data]
        if missing:
            raise ValidationError({name: ["Missing data for required field."] for name in missing})
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
    timezone = fields.String(load_default="UTC", validate=_valid_timezone, metadata={"enum": TIMEZONES})
    working_hours = fields.Nested(WorkingHoursSchema, load_default=lambda: WorkingHoursSchema().load({}))
    capacity = fields.Integer(load_default=5, strict=True, validate=validate.Range(min=0, max=1000))
    out_of_office = fields.List(fields.Nested(OutOfOfficeSchema), load_default=list)
    aliases = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list,
                          metadata={"description": "assignee names or ids that mean this expert in history"})
    active = JsonBoolean(load_default=True)
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


def _rule_conditions_document() -> dict[str, Any]:
    # What sidecar.intelligence.routing_rules.check_conditions accepts, for /openapi.json.
    from sidecar.intelligence.routing_rules import LIST_CONDITIONS, NUMBER_CONDITIONS

    words = {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": NOT_BLANK}}
    properties = {name: words for name in LIST_CONDITIONS}
    properties.update({name: {"type": "number", "minimum": 0} for name in NUMBER_CONDITIONS})
    return {"properties": properties, "additionalProperties": False, "minProperties": 1,
            "description": "all must hold; inside a list any value may match"}


_RULE_CONDITIONS_DOCUMENT = _rule_conditions_document()


class RoutingRuleSchema(Schema):
    """One routing rule: when these conditions hold, send the ticket to this team."""

    class Meta:
        unknown = RAISE

    id = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    team_id = fields.String(required=True)
    when = RuleConditionsField(required=True, attribute="conditions", data_key="when",
                               metadata=_RULE_CONDITIONS_DOCUMENT)
    enabled = JsonBoolean(load_default=True)


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
    level = fields.String(validate=_LEVELS)
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
    status = fields.String(validate=_ESCALATION_STATUSES)
    mode = fields.String(validate=validate.OneOf([s.value for s in EscalationMode]),
                         metadata={"description": "dry_run: no Jira credentials, the steps record their requests"})
    score = fields.Float()
    level = fields.String(validate=_LEVELS)
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
    status = fields.String(validate=_ESCALATION_STATUSES)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


# Value formats of the connection settings whose check is a plain shape (sidecar.services.connections
# checks them again, with the same rules); URLs are also refused when they point at private or link-local
# addresses, which no pattern can say.
_S = f"[{BLANK}]*"  # surrounding whitespace, which the checks strip
_CONNECTION_PATTERNS = {
    "url": (rf"^https?://[^{BLANK}/?#@\\]+(/[^{BLANK}?#\\]*)?$", "an https URL without credentials, query or fragment"),
    "jira.project": (rf"^{_S}[A-Za-z][A-Za-z0-9_]*{_S}$", "a Jira project key such as ESC"),
    "zendesk.jira_key_field_id": (rf"^{_S}[0-9]+{_S}$", "the numeric id of a Zendesk ticket field"),
    "salesforce.jira_key_field": (rf"^{_S}_*[A-Za-z0-9][A-Za-z0-9_]*{_S}$", "a field API name such as Jira_Key__c"),
    "slack.team_id": (rf"^{_S}[TE][A-Za-z0-9]{{1,39}}{_S}$", "a Slack workspace id such as T0123ABCD"),
    # Spaces only around it: the check reads int() of the unstripped value, which refuses other whitespace.
    "jobs.max_attempts": (r"^ *0*[1-9][0-9]* *$", "a positive whole number"),
}


def _connection_settings_schema() -> type[Schema]:
    """One nullable string property per known connection setting (from sidecar.services.connections.KEYS)."""
    from sidecar.services.connections import KEYS

    properties = {}
    for name, key in KEYS.items():
        shape = _CONNECTION_PATTERNS.get("url" if name.endswith((".url", ".instance_url", ".api_url")) else name)
        description = key.description + (" (secret: write-only)" if key.secret else "")
        checks: list[Any] = [validate.Length(max=2000)]
        if shape is not None:
            # A blank value removes the setting, so it is exempt from the value's shape.
            checks.append(validate.Regexp(rf"^{_S}$|{shape[0]}", error=f"must be {shape[1]}"))
            description += f"; {shape[1]}"
        # marshmallow reads a dot in an attribute name as nesting: the attribute is dot-free, the key is not.
        properties[name] = fields.String(allow_none=True, validate=checks, data_key=name,
                                         attribute=name.replace(".", "__"),
                                         metadata={"description": description + "; null or \"\" removes it"})
    return _DottedKeysSchema.from_dict(properties, name="ConnectionSettingsSchema")


class _DottedKeysSchema(Schema):
    """Loads to the dotted keys (`jira.url`) that the connection settings are named by."""

    @post_load
    def _dotted(self, data, **kwargs):
        return {key.replace("__", "."): value for key, value in data.items()}


class ConnectionsUpdateSchema(RequestSchema):
    """Body of PATCH /v1/installation/connections: {"settings": {"jira.url": "...", ...}}; null or "" removes."""

    settings = fields.Nested(_connection_settings_schema()(unknown=RAISE), required=True,
                             metadata={"description": "at least one setting"})

    @validates_schema
    def _something(self, data, **kwargs):
        if not data.get("settings"):
            raise ValidationError("give at least one setting", field_name="settings")

    def handle_error(self, error: ValidationError, data: Any, **kwargs) -> None:
        """Name each refused setting at the top of the details, as the service's own checks do."""
        from sidecar.services.connections import KEYS

        problems = error.messages.get("settings") if isinstance(error.messages, dict) else None
        if not isinstance(problems, dict):
            raise error
        unknown = "unknown setting; known: " + ", ".join(sorted(KEYS))
        raise ValidationError({key: unknown if messages == ["Unknown field."] else messages
                               for key, messages in problems.items()})


class ConnectionSystemSchema(Schema):
    """One system's connection: live or dry-run, what is missing, its settings (secrets as {"set": bool})."""

    live = fields.Boolean()
    missing = fields.List(fields.String())
    settings = fields.Dict(keys=fields.String())


def _connections_view_schema() -> type[Schema]:
    from sidecar.services.connections import SYSTEMS

    view = {system: fields.Nested(ConnectionSystemSchema) for system in SYSTEMS}
    view["cleared"] = fields.List(fields.String(), metadata={
        "description": "after a change: the secrets removed because their system's URL moved"})
    return Schema.from_dict(view, name="ConnectionsViewSchema")


ConnectionsViewSchema = _connections_view_schema()


class RedactionSettingsSchema(Schema):
    """What is masked before anything reaches Jira or Slack."""

    class Meta:
        unknown = RAISE

    emails = JsonBoolean(metadata={"description": "default false"})
    phones = JsonBoolean(metadata={"description": "default false"})
    cards = JsonBoolean(metadata={"description": "payment card numbers that pass the Luhn check; default true"})
    patterns = fields.List(fields.String(validate=validate.Length(min=1, max=500), metadata={"format": "regex"}),
                           allow_none=True, validate=validate.Length(max=50),
                           metadata={"description": "Python regular expressions; each must compile and must not "
                                                    "match the empty string"})


class JiraPrioritySchema(Schema):
    """Scores from which a Jira priority starts, and how many steps an account tier moves it up."""

    class Meta:
        unknown = RAISE

    Highest = _unit_interval(metadata={"description": "default 0.85"})
    High = _unit_interval(metadata={"description": "default 0.6"})
    Medium = _unit_interval(metadata={"description": "default 0.35"})
    Low = _unit_interval(metadata={"description": "accepted and unused: below Medium is Low"})
    tier_bumps = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True), allow_none=True,
                             metadata={"description": "{tier: steps up}; default enterprise, strategic, platinum "
                                                      "and vip: 1"})


class EscalationSettingsSchema(RequestSchema):
    """Body of PUT /v1/settings/escalation; a key left out is unchanged."""

    class Meta:
        unknown = RAISE

    redaction = fields.Nested(RedactionSettingsSchema, allow_none=True,
                              metadata={"description": "null: back to the defaults"})
    jira_priority = fields.Nested(JiraPrioritySchema, allow_none=True,
                                  metadata={"description": "null: back to the defaults"})
    ack_minutes = fields.Integer(strict=True, validate=validate.Range(min=1, max=7 * 24 * 60),
                                 metadata={"description": "minutes until the next expert is pinged (default 30)"})
    proactive = fields.String(validate=validate.OneOf(PROACTIVE_POLICIES),
                              metadata={"description": "when a score crosses the threshold: off, suggest (default) "
                                                       "or auto"})
    sync_customer_comments = JsonBoolean(metadata={"description": "new customer comments go to Jira and Slack "
                                                                  "(default true)"})


class EscalationSettingsViewSchema(Schema):
    """The escalation settings in effect."""

    redaction = fields.Nested(RedactionSettingsSchema)
    jira_priority = fields.Dict()
    ack_minutes = fields.Integer()
    proactive = fields.String()
    sync_customer_comments = fields.Boolean()


class FeedbackAnswerSchema(Schema):
    """A rating as stored."""

    id = fields.Integer()
    assessment_id = fields.String()
    rating = fields.String(validate=validate.OneOf([s.value for s in FeedbackRating]))
    note = fields.String()
    agent = fields.String(allow_none=True)
    created_at = fields.String()


class FeedbackSchema(RequestSchema):
    """Body of POST /v1/assessments/<id>/feedback."""

    class Meta:
        unknown = RAISE

    rating = fields.String(required=True, validate=validate.OneOf([s.value for s in FeedbackRating]))
    note = fields.String(load_default="", validate=validate.Length(max=5000))
    agent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                          metadata={"description": "who rated it (the agent's name or id)"})


class AuditQuerySchema(Schema):
    """Query string of GET /v1/audit."""

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=100, metadata={"description": "1 to 500 (a value outside is brought inside)"})
    escalation_id = fields.String(load_default=None, metadata={"description": "only this escalation's writes"})


class ExpertListQuerySchema(Schema):
    """Query string of GET /v1/experts."""

    class Meta:
        unknown = EXCLUDE

    team_id = fields.String(metadata={"description": "only this team's experts (empty: all)"})


class WebhookAnswerSchema(Schema):
    """How a verified webhook was taken: accepted, a duplicate of one already taken, or ignored."""

    status = fields.String(required=True, validate=_WEBHOOK_STATUSES)
    kind = fields.String(allow_none=True, metadata={"description": "the event, e.g. ticket.comment_added"})


class SlackEventAnswerSchema(Schema):
    """A Slack event taken (as a webhook answer), or the url_verification challenge echoed."""

    status = fields.String(validate=_WEBHOOK_STATUSES)
    kind = fields.String(allow_none=True)
    challenge = fields.String(allow_none=True, metadata={"description": "url_verification only"})


class AuditEntrySchema(Schema):
    """One outbound write (or its dry-run)."""

    at = fields.String()
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
