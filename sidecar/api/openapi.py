"""Build the OpenAPI 3 document from the marshmallow schemas (the single source of the API's shapes).

Each operation is one row of OPERATIONS. Its error responses are not written by hand: they follow from
what the operation does (it is authenticated, takes a body or a query, names an id in its path, fetches a
`ticket_ref` from the help desk, ...) through the one table ERRORS, so an operation cannot forget the 401
or the 413 that the request plumbing gives every operation like it. Every error response is the one
Error schema. The scope an operation needs is read from the app's views (`sidecar.api.auth.allow`), so
the document says what the code enforces.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from sidecar import schemas
from sidecar.api.auth import required_scope

NO_CONTENT = "no content"  # a success response without a body (204, Slack's empty 200)


@dataclass(frozen=True)
class ErrorCase:
    """One reason an operation can fail: its status, the error codes it answers with, and when."""

    status: int
    codes: tuple[str, ...]
    when: str


# Why an operation can fail, keyed by the trait that makes it possible. An operation's error responses
# are the union of the cases of its traits; a status shared by two traits lists the codes of both.
ERRORS: dict[str, tuple[ErrorCase, ...]] = {
    # Every request, before routing or authentication (sidecar.api.guards).
    "every": (ErrorCase(400, ("nul_in_request",), "a NUL byte in the path, a query parameter or a header"),),
    "authenticated": (
        ErrorCase(401, ("missing_credentials", "invalid_token", "token_expired"),
                  "no credential, or one that proves nothing (unknown token, bad or expired JWT)"),
        ErrorCase(403, ("forbidden",),
                  "the credential's scope does not allow this operation; details name `required_scope` and `scope`"),
    ),
    "body": (
        ErrorCase(400, ("malformed_json", "empty_body"),
                  "the body is empty, not UTF-8, not JSON, nested too deeply, or not a JSON object"),
        ErrorCase(413, ("body_too_large",), "the body is larger than SIDECAR_MAX_BODY_BYTES"),
        ErrorCase(422, ("invalid_input",), "a field is missing or wrong; details name each field"),
    ),
    "query": (ErrorCase(422, ("invalid_input",), "a query parameter is wrong; details name it"),),
    "path_id": (ErrorCase(404, ("not_found",), "no such id in this installation"),),
    "ticket_ref": (
        ErrorCase(404, ("not_found",), "the help desk has no ticket `ticket_ref.id` visible to the stored credentials"),
        ErrorCase(409, ("credentials_missing", "credentials_incomplete"),
                  "a `ticket_ref` was given but no (or incomplete) help-desk credentials are stored"),
        ErrorCase(502, ("upstream_error", "upstream_unauthorized"),
                  "the help desk failed or refused the stored credentials"),
        ErrorCase(503, ("upstream_rate_limited",),
                  "the help desk is rate limiting us (Retry-After says when to retry)"),
        ErrorCase(504, ("upstream_timeout",), "the help desk did not answer in time"),
        ErrorCase(422, ("invalid_input",), "`ticket_ref.id` is not a Salesforce id (Salesforce installations)"),
    ),
    "references": (
        ErrorCase(409, ("unknown_team", "unknown_expert", "expert_not_in_team"),
                  "the body names a team or expert this installation does not have (or an expert of another team)"),
    ),
    "duplicate_team": (ErrorCase(409, ("duplicate_team",), "a team of that name already exists"),),
    "duplicate_expert": (ErrorCase(409, ("duplicate_expert",), "an expert with that email already exists"),),
    "idempotency": (
        ErrorCase(409, ("idempotency_key_reused",), "the Idempotency-Key was used for another ticket"),
        ErrorCase(422, ("invalid_input",), "the Idempotency-Key header is not 1 to 200 printable ASCII characters"),
    ),
    "webhook": (
        ErrorCase(400, ("malformed_json",), "the verified body is not JSON, or is nested too deeply"),
        ErrorCase(401, ("missing_signature", "bad_signature", "stale_timestamp", "webhook_secret_missing",
                        "no_secret", "unknown_workspace"),
                  "the signature is missing, wrong or too old, or no signing secret is configured"),
        ErrorCase(413, ("body_too_large",), "the body is larger than SIDECAR_MAX_BODY_BYTES"),
        ErrorCase(422, ("invalid_input",), "a verified body that is not an event of this sender (from Slack buttons: "
                                           "a form without a JSON `payload` field)"),
    ),
    "link_to": (ErrorCase(409, ("issue_resolved",),
                          "`link_to` names a Jira issue the sidecar knows is resolved (its escalations resolved, or "
                          "the imported history says so); send `link_resolved: true` to join it anyway"),),
    "webhook_installation": (ErrorCase(404, ("not_found",), "no installation with this id"),),
    "not_ready": (ErrorCase(503, ("not_ready",), "the database is not reachable"),),
    "escalation_path": (ErrorCase(405, ("method_not_allowed",),
                                  "`escalation_id` is `preview`: that path is POST /v1/escalations/preview's"),),
    "confirm": (ErrorCase(422, ("invalid_input",), "`confirm` is not this installation's id"),),
    "escalation_model": (ErrorCase(409, ("no_escalation_model",),
                                   "`model` or `shadow` is `learned` but `sidecar train` has stored no escalation "
                                   "model for this installation"),),
}


@dataclass(frozen=True)
class Operation:
    """One documented operation; its error responses come from its traits through ERRORS."""

    path: str
    method: str
    summary: str
    responses: dict[int, Any]  # success status -> schema (None: a JSON object; NO_CONTENT: no body)
    body: Any = None
    body_required: bool = True
    body_type: str = "application/json"
    query: Any = None
    headers: tuple[dict[str, Any], ...] = ()
    authenticated: bool = True
    traits: tuple[str, ...] = ()
    description: str = ""

    def error_traits(self) -> tuple[str, ...]:
        """The ERRORS keys that apply: the implied ones (auth, body, query, path id) and the declared ones."""
        implied = ["every"]
        if self.authenticated:
            implied.append("authenticated")
        if self.body is not None and "webhook" not in self.traits:
            implied.append("body")
        if self.query is not None:
            implied.append("query")
        if "{" in self.path and "webhook" not in self.traits:
            implied.append("path_id")
        return (*implied, *self.traits)


_SIGNED = "Verified over the raw body before anything is parsed."


def _signature_headers(*names: str) -> tuple[dict[str, Any], ...]:
    return tuple({"in": "header", "name": name, "required": True, "schema": {"type": "string"}} for name in names)


_IDEMPOTENCY_KEY = {"in": "header", "name": "Idempotency-Key", "required": False,
                    "description": "the same key again answers with the escalation it made (200)",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 200,
                               "pattern": r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$"}}
_WEBHOOK_ANSWER = {200: schemas.WebhookAnswerSchema}
_RANGE_RULES = ("Checked beyond the schema (422 naming the parameter): days from 1970-01-01 to 9999-12-30, `from` not "
                "after `to` (today when left out), at most 366 days.")

OPERATIONS: tuple[Operation, ...] = (
    Operation("/healthz", "get", "Liveness: the process is up", {200: schemas.HealthSchema}, authenticated=False),
    Operation("/readyz", "get", "Readiness: the database is reachable", {200: schemas.HealthSchema},
              authenticated=False, traits=("not_ready",)),
    Operation("/openapi.json", "get", "This document", {200: None}, authenticated=False),
    Operation("/v1/assessments", "post", "Assess a ticket: does it need a human expert, and why?",
              {201: schemas.AssessmentSchema}, body=schemas.AssessmentRequestSchema, traits=("ticket_ref",)),
    Operation("/v1/assessments", "get", "List stored assessments, newest first", {200: schemas.AssessmentListSchema},
              query=schemas.AssessmentListQuerySchema),
    Operation("/v1/assessments/{assessment_id}", "get", "Read one stored assessment", {200: schemas.AssessmentSchema}),
    Operation("/v1/assessments/{assessment_id}/feedback", "post",
              "Rate an assessment right or wrong (used by sidecar train)", {201: schemas.FeedbackAnswerSchema},
              body=schemas.FeedbackSchema),
    Operation("/webhooks/zendesk/{installation_id}", "post", "Zendesk trigger webhook (X-Zendesk-Webhook-Signature)",
              _WEBHOOK_ANSWER, body={"type": "object"}, authenticated=False,
              headers=_signature_headers("X-Zendesk-Webhook-Signature", "X-Zendesk-Webhook-Signature-Timestamp"),
              traits=("webhook", "webhook_installation"), description=_SIGNED),
    Operation("/webhooks/salesforce/{installation_id}", "post",
              "Case events from the Salesforce package (X-Sidecar-Signature)", _WEBHOOK_ANSWER, body={"type": "object"},
              authenticated=False, headers=_signature_headers("X-Sidecar-Signature", "X-Sidecar-Timestamp"),
              traits=("webhook", "webhook_installation"), description=_SIGNED),
    Operation("/webhooks/jira/{installation_id}", "post", "Jira admin webhook (X-Hub-Signature)", _WEBHOOK_ANSWER,
              body={"type": "object"}, authenticated=False, headers=_signature_headers("X-Hub-Signature"),
              traits=("webhook", "webhook_installation"), description=_SIGNED),
    Operation("/webhooks/slack/events", "post", "Slack Events API (v0 signature; url_verification answered)",
              {200: schemas.SlackEventAnswerSchema}, body={"type": "object"}, authenticated=False,
              headers=_signature_headers("X-Slack-Signature", "X-Slack-Request-Timestamp"), traits=("webhook",),
              description=_SIGNED + " The workspace is found from the team id in the body."),
    Operation("/webhooks/slack/interactions", "post", "Slack buttons: Acknowledge, Reassign (v0 signature)",
              {200: NO_CONTENT}, body={"type": "object", "properties": {"payload": {"type": "string"}}},
              body_type="application/x-www-form-urlencoded", authenticated=False,
              headers=_signature_headers("X-Slack-Signature", "X-Slack-Request-Timestamp"), traits=("webhook",),
              description=_SIGNED + " Answered with an empty 200 within Slack's 3 seconds."),
    Operation("/v1/installation", "get", "The calling installation", {200: schemas.InstallationSchema}),
    Operation("/v1/installation/credentials", "get", "Which help desk credential fields are stored",
              {200: schemas.CredentialsStatusSchema}),
    Operation("/v1/installation/credentials", "put", "Store help desk credentials (write-only, encrypted)",
              {200: schemas.CredentialsStatusSchema}, body=schemas.CredentialsSchema),
    Operation("/v1/installation/shared-secret", "post",
              "Rotate the shared secret of ZAF JWTs; the old one is accepted for overlap_hours",
              {200: schemas.SharedSecretSchema}, body=schemas.SharedSecretRotationSchema, body_required=False),
    Operation("/v1/tokens", "get", "The installation's scoped API tokens (never their values)",
              {200: schemas.TokenListSchema}),
    Operation("/v1/tokens", "post", "Make a scoped API token; its value is shown only in this answer",
              {201: schemas.NewTokenSchema}, body=schemas.TokenCreateSchema),
    Operation("/v1/tokens/{token_id}", "delete", "Revoke a scoped API token", {204: NO_CONTENT}),
    Operation("/v1/settings/scoring", "get", "Scoring weights and thresholds in effect",
              {200: schemas.ScoringSettingsViewSchema}),
    Operation("/v1/settings/scoring", "put", "Replace this installation's scoring overrides",
              {200: schemas.ScoringSettingsViewSchema}, body=schemas.ScoringSettingsSchema,
              description="Thresholds are checked together with the defaults they are merged over: "
                          "level thresholds must satisfy medium <= high <= critical, and watch_threshold must not "
                          "be above escalate_threshold (422 otherwise). `model` chooses what makes the score "
                          "(`rules` or `learned`); `shadow` names the other model, whose score is stored beside "
                          "each assessment; signals, evidence and categories always come from the rules.",
              traits=("escalation_model",)),
    Operation("/v1/routes", "post", "Route a ticket: team and named expert with reasons and alternatives",
              {200: schemas.RouteSchema}, body=schemas.AssessmentRequestSchema, traits=("ticket_ref",)),
    Operation("/v1/tickets/{source}/{ticket_id}/similar", "get", "Similar past tickets and Jira issues",
              {200: schemas.SimilarListSchema}, query=schemas.SimilarQuerySchema),
    Operation("/v1/teams", "get", "List teams", {200: schemas.TeamSchema(many=True)}),
    Operation("/v1/teams", "post", "Create a team", {201: schemas.TeamSchema}, body=schemas.TeamSchema,
              traits=("duplicate_team",)),
    Operation("/v1/teams/{team_id}", "get", "Read a team", {200: schemas.TeamSchema}),
    Operation("/v1/teams/{team_id}", "patch", "Change a team", {200: schemas.TeamSchema},
              body=schemas.TeamSchema(partial=True), traits=("duplicate_team",)),
    Operation("/v1/teams/{team_id}", "delete", "Delete a team, its experts and its rules", {204: NO_CONTENT}),
    Operation("/v1/experts", "get", "List experts (?team_id=)", {200: schemas.ExpertSchema(many=True)},
              query=schemas.ExpertListQuerySchema),
    Operation("/v1/experts", "post", "Create an expert", {201: schemas.ExpertSchema}, body=schemas.ExpertSchema,
              traits=("references", "duplicate_expert")),
    Operation("/v1/experts/{expert_id}", "get", "Read an expert", {200: schemas.ExpertSchema}),
    Operation("/v1/experts/{expert_id}", "patch", "Change an expert (out of office, capacity...)",
              {200: schemas.ExpertSchema}, body=schemas.ExpertSchema(partial=True),
              traits=("references", "duplicate_expert")),
    Operation("/v1/experts/{expert_id}", "delete", "Delete an expert", {204: NO_CONTENT}),
    Operation("/v1/escalations", "post",
              "Escalate a ticket: Jira issue, ticket note and Slack ping, delivered exactly once",
              {200: schemas.EscalationSchema, 202: schemas.EscalationSchema}, body=schemas.EscalationRequestSchema,
              headers=(_IDEMPOTENCY_KEY,), traits=("ticket_ref", "references", "idempotency", "link_to"),
              description="202 with the planned steps; 200 with the ticket's open escalation (or the one this "
                          "Idempotency-Key made)."),
    Operation("/v1/escalations/preview", "post",
              "What escalating would write (Jira issue, Slack message); writes nothing",
              {200: schemas.EscalationPreviewSchema}, body=schemas.EscalationRequestSchema,
              traits=("ticket_ref", "references")),
    Operation("/v1/escalations", "get", "List escalations, newest first", {200: schemas.EscalationListSchema},
              query=schemas.EscalationListQuerySchema),
    Operation("/v1/escalations/{escalation_id}", "get",
              "One escalation: steps, Jira key and URL, Slack permalink, errors", {200: schemas.EscalationSchema},
              traits=("escalation_path",)),
    Operation("/v1/settings/escalation", "get", "Redaction, Jira priority mapping and follow-up settings in effect",
              {200: schemas.EscalationSettingsViewSchema}),
    Operation("/v1/settings/escalation", "put", "Change redaction, the Jira priority mapping or follow-up settings",
              {200: schemas.EscalationSettingsViewSchema}, body=schemas.EscalationSettingsSchema,
              description="A key left out is unchanged; `redaction` or `jira_priority` null is back to the defaults. "
                          "Checked beyond the schema: each redaction pattern must compile and must not match the "
                          "empty string, and the priority thresholds merged over the defaults must satisfy "
                          "1 >= Highest >= High >= Medium >= 0 (422 otherwise)."),
    Operation("/v1/installation/connections", "get", "Connections per system: live or dry-run, what is missing",
              {200: schemas.ConnectionsViewSchema}),
    Operation("/v1/installation/connections", "patch", "Set or remove connection settings (secrets write-only)",
              {200: schemas.ConnectionsViewSchema}, body=schemas.ConnectionsUpdateSchema,
              description="Each value is checked by its setting (URLs, Jira project keys, field ids...; 422 names "
                          "the setting)."),
    Operation("/v1/audit", "get", "The newest outbound writes (audit log)", {200: schemas.AuditListSchema},
              query=schemas.AuditQuerySchema),
    Operation("/v1/inbound", "get", "Inbound webhook deliveries and what became of each (?status=ignored: "
              "not acted on, with the reason)", {200: schemas.InboundListSchema}, query=schemas.InboundQuerySchema,
              description="Newest first; page with `before` = the previous answer's `next_before`. Kept for the "
                          "retention window. Deliveries with a bad signature are not kept."),
    Operation("/v1/routing-rules", "get", "The ordered routing rules", {200: schemas.RoutingRuleListSchema}),
    Operation("/v1/routing-rules", "put", "Replace the ordered routing rules", {200: schemas.RoutingRuleListSchema},
              body=schemas.RoutingRuleListSchema, traits=("references",)),
    Operation("/v1/erasures", "post", "Erase a requester's data in this installation (counts per kind; what to erase "
              "by hand in Jira and Slack)", {200: schemas.ErasureSchema}, body=schemas.ErasureRequestSchema),
    Operation("/v1/settings/retention", "get", "How many days customer data is kept (null: forever)",
              {200: schemas.RetentionSettingsSchema}),
    Operation("/v1/settings/retention", "put", "Set the retention window; the first purge runs at once",
              {200: schemas.RetentionSettingsSchema}, body=schemas.RetentionSettingsSchema),
    Operation("/v1/analytics/summary", "get",
              "Escalation analytics of a date range: counts, breakdowns, times to acknowledge and resolve, SLA "
              "breaches, feedback, delivery", {200: schemas.AnalyticsSummarySchema},
              query=schemas.AnalyticsRangeQuerySchema,
              description="Days are UTC days, both ends included; default: the 30 days ending today. A row counts "
                          "by when it was made. " + _RANGE_RULES),
    Operation("/v1/analytics/timeseries", "get", "One analytics metric per day or week (weeks start on Monday)",
              {200: schemas.AnalyticsTimeseriesSchema}, query=schemas.AnalyticsTimeseriesQuerySchema,
              description="Every period of the range is present (count 0 when empty). " + _RANGE_RULES),
    Operation("/v1/installation", "delete", "Delete this installation and everything of it",
              {200: schemas.InstallationDeletionSchema}, query=schemas.InstallationDeletionQuerySchema,
              traits=("confirm",), description="`confirm` must be this installation's id."),
)

# Routes that are not the JSON API and are left out of the document: the Flask static route, the demo's
# preview pages (sidecar.api.preview) and the Zendesk app's signed-URL launch page and its assets.
UNDOCUMENTED_ROUTES = ("/static/", "/preview/", "/zendesk/app/")


def error_responses(operation: Operation) -> dict[int, str]:
    """Status -> description of every error `operation` can answer with, from ERRORS."""
    by_status: dict[int, list[ErrorCase]] = {}
    for trait in operation.error_traits():
        for case in ERRORS[trait]:
            by_status.setdefault(case.status, []).append(case)
    described = {}
    for status, cases in sorted(by_status.items()):
        described[status] = "; ".join(f"{', '.join(f'`{code}`' for code in case.codes)}: {case.when}" for case in cases)
    return described


# Ids are opaque text: any non-empty segment is well-formed, and an unknown one is a 404. An escalation id
# is anything but "preview", which is the path of POST /v1/escalations/preview (GET there is a 405).
_ID = {"type": "string", "minLength": 1}
_PATH_PARAMETERS = {"escalation_id": {**_ID, "not": {"enum": ["preview"]}},
                    "source": {"type": "string", "enum": ["zendesk", "salesforce", "jira", "file"]}}


def _parameters(operation: Operation) -> list[Any]:
    params: list[Any] = []
    for segment in operation.path.split("/"):
        if segment.startswith("{"):
            name = segment.strip("{}")
            params.append({"in": "path", "name": name, "required": True, "schema": _PATH_PARAMETERS.get(name, _ID)})
    if operation.query is not None:
        params.append({"in": "query", "schema": operation.query})
    params.extend(operation.headers)
    return params


def _schema_name(schema: Any) -> str:
    """Component name: the class name without 'Schema'; a partial (PATCH) body gets its own name."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and schema.partial:
        name += "Patch"
    return name


def _one_of_types(self, field, ret, **kwargs) -> dict[str, Any]:
    """apispec attribute function: a field that takes more than one JSON type documents each (anyOf)."""
    alternatives = getattr(field, "openapi_alternatives", None)
    if not alternatives:
        return {}
    for key in ("type", "format", "minLength", "maxLength", "pattern"):
        ret.pop(key, None)  # they belong to one alternative, not to the union
    choices = alternatives()
    return choices[0] if len(choices) == 1 else {"anyOf": choices}


def _normalise_rule(rule: str) -> str:
    """A Werkzeug rule as an OpenAPI path: `/x/<conv:name>` -> `/x/{name}`."""
    parts = []
    for part in rule.split("/"):
        if part.startswith("<") and part.endswith(">"):
            part = "{" + part[1:-1].split(":")[-1] + "}"
        parts.append(part)
    return "/".join(parts)


def required_scopes(app: Any) -> dict[tuple[str, str], str]:
    """(OpenAPI path, method) -> the scope the app's view needs (only /v1 views check scopes)."""
    scopes = {}
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            scopes[(_normalise_rule(rule.rule), method.lower())] = required_scope(app.view_functions[rule.endpoint])
    return scopes


def build_openapi(version: str, app: Any = None) -> dict[str, Any]:
    """The OpenAPI 3.0 document as a dict; with the app, each /v1 operation names the scope it needs."""
    plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
    spec = APISpec(
        title="Escalation sidecar API",
        version=version,
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": "Assess, route and escalate support tickets to human experts. Every error is "
                             "{\"error\": {\"code\", \"message\", \"details\"}} (the Error schema)."},
    )
    if plugin.converter is None:  # cannot happen: APISpec's init gave the plugin its converter
        raise RuntimeError("the marshmallow plugin has no converter")
    plugin.converter.add_attribute_function(_one_of_types)
    spec.components.schema("Error", schema=schemas.ErrorSchema)
    spec.components.security_scheme(
        "bearer",
        {"type": "http", "scheme": "bearer",
         "description": "An installation API token (admin), a scoped token (admin, agent or read), or a ZAF-signed "
                        "HS256 JWT whose iss is the installation id (agent)"},
    )
    scopes = required_scopes(app) if app is not None else {}
    error_ref = {"$ref": "#/components/schemas/Error"}
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        operation: dict[str, Any] = {"summary": op.summary, "responses": {}}
        if op.description:
            operation["description"] = op.description
        params = _parameters(op)
        if params:
            operation["parameters"] = params
        if op.body is not None:
            operation["requestBody"] = {"required": op.body_required, "content": {op.body_type: {"schema": op.body}}}
        for status, schema in op.responses.items():
            entry: dict[str, Any] = {"description": "success"}
            if schema is not NO_CONTENT:
                entry["content"] = {"application/json": {"schema": schema or {"type": "object"}}}
            operation["responses"][str(status)] = entry
        for status, description in error_responses(op).items():
            operation["responses"][str(status)] = {"description": description,
                                                   "content": {"application/json": {"schema": error_ref}}}
        if op.authenticated:
            operation["security"] = [{"bearer": []}]
            scope = scopes.get((op.path, op.method))
            if scope:
                operation["x-required-scope"] = scope
                operation["description"] = (f"Needs the `{scope}` scope. " + operation.get("description", "")).strip()
        else:
            operation["security"] = []
        paths.setdefault(op.path, {})[op.method] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    for name, extra in SCHEMA_EXTRAS.items():
        document["components"]["schemas"][name].update(extra)
    return _only_null_when_null(document)


# What a component says beyond its fields, which marshmallow checks in a schema-level validator.
_EXACTLY_ONE_TICKET = {"oneOf": [{"required": ["ticket"]}, {"required": ["ticket_ref"]}],
                       "description": "exactly one of `ticket` or `ticket_ref`"}
SCHEMA_EXTRAS: dict[str, dict[str, Any]] = {
    "AssessmentRequest": _EXACTLY_ONE_TICKET,
    "EscalationRequest": _EXACTLY_ONE_TICKET,
    "ConnectionSettings": {"minProperties": 1},
}


_ANY_OBJECT_OR_NULL = {"type": "object", "nullable": True}


def _only_null_when_null(node: Any) -> Any:
    """Make apispec's nullable nested fields say "the object, or null" rather than "or any object, or null".

    apispec writes a nullable Nested field as anyOf [$ref, {type: object, nullable: true}], whose second
    branch admits every object; the API checks the nested schema, so only null is the other choice.
    """
    if isinstance(node, dict):
        if isinstance(node.get("anyOf"), list):
            node["anyOf"] = [{"nullable": True, "enum": [None]} if branch == _ANY_OBJECT_OR_NULL else branch
                             for branch in node["anyOf"]]
        for value in node.values():
            _only_null_when_null(value)
    elif isinstance(node, list):
        for value in node:
            _only_null_when_null(value)
    return node
