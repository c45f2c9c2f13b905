"""Build the OpenAPI 3 document from the marshmallow schemas (the single source of the API's shapes)."""
from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from sidecar import schemas

# (path, method, summary, request schema, query schema, {status: response schema}, authenticated)
OPERATIONS: list[tuple[str, str, str, Any, Any, dict[int, Any], bool]] = [
    ("/healthz", "get", "Liveness: the process is up", None, None, {200: schemas.HealthSchema}, False),
    ("/readyz", "get", "Readiness: the database is reachable", None, None, {200: schemas.HealthSchema, 503: schemas.ErrorSchema}, False),
    (
        "/v1/assessments", "post", "Assess a ticket: does it need a human expert, and why?",
        schemas.AssessmentRequestSchema, None,
        {201: schemas.AssessmentSchema, 400: schemas.ErrorSchema, 401: schemas.ErrorSchema, 404: schemas.ErrorSchema,
         409: schemas.ErrorSchema, 413: schemas.ErrorSchema, 422: schemas.ErrorSchema, 502: schemas.ErrorSchema},
        True,
    ),
    (
        "/v1/assessments", "get", "List stored assessments, newest first", None, schemas.AssessmentListQuerySchema,
        {200: schemas.AssessmentListSchema, 401: schemas.ErrorSchema, 422: schemas.ErrorSchema}, True,
    ),
    (
        "/v1/assessments/{assessment_id}", "get", "Read one stored assessment", None, None,
        {200: schemas.AssessmentSchema, 401: schemas.ErrorSchema, 404: schemas.ErrorSchema}, True,
    ),
    ("/v1/assessments/{assessment_id}/feedback", "post", "Rate an assessment right or wrong (used by sidecar train)",
     schemas.FeedbackSchema, None, {201: None, 401: schemas.ErrorSchema, 404: schemas.ErrorSchema,
                                    422: schemas.ErrorSchema}, True),
    ("/webhooks/zendesk/{installation_id}", "post", "Zendesk trigger webhook (X-Zendesk-Webhook-Signature)", None, None,
     {200: None, 401: schemas.ErrorSchema, 404: schemas.ErrorSchema, 422: schemas.ErrorSchema}, False),
    ("/webhooks/salesforce/{installation_id}", "post", "Case events from the Salesforce package (X-Sidecar-Signature)",
     None, None, {200: None, 401: schemas.ErrorSchema, 404: schemas.ErrorSchema, 422: schemas.ErrorSchema}, False),
    ("/webhooks/jira/{installation_id}", "post", "Jira admin webhook (X-Hub-Signature)", None, None,
     {200: None, 401: schemas.ErrorSchema, 404: schemas.ErrorSchema, 422: schemas.ErrorSchema}, False),
    ("/webhooks/slack/events", "post", "Slack Events API (v0 signature; url_verification answered)", None, None,
     {200: None, 401: schemas.ErrorSchema, 422: schemas.ErrorSchema}, False),
    ("/webhooks/slack/interactions", "post", "Slack buttons: Acknowledge, Reassign (v0 signature)", None, None,
     {200: None, 401: schemas.ErrorSchema, 422: schemas.ErrorSchema}, False),
    ("/v1/installation", "get", "The calling installation", None, None, {200: schemas.InstallationSchema, 401: schemas.ErrorSchema}, True),
    (
        "/v1/installation/credentials", "get", "Which help desk credential fields are stored", None, None,
        {200: schemas.CredentialsStatusSchema, 401: schemas.ErrorSchema}, True,
    ),
    (
        "/v1/installation/credentials", "put", "Store help desk credentials (write-only, encrypted)",
        schemas.CredentialsSchema, None,
        {200: schemas.CredentialsStatusSchema, 400: schemas.ErrorSchema, 401: schemas.ErrorSchema, 422: schemas.ErrorSchema},
        True,
    ),
    ("/v1/settings/scoring", "get", "Scoring weights and thresholds in effect", None, None, {200: None, 401: schemas.ErrorSchema}, True),
    (
        "/v1/settings/scoring", "put", "Replace this installation's scoring overrides", schemas.ScoringSettingsSchema, None,
        {200: None, 400: schemas.ErrorSchema, 401: schemas.ErrorSchema, 422: schemas.ErrorSchema}, True,
    ),
    (
        "/v1/routes", "post", "Route a ticket: team and named expert with reasons and alternatives",
        schemas.AssessmentRequestSchema, None,
        {200: schemas.RouteSchema, 400: schemas.ErrorSchema, 401: schemas.ErrorSchema, 422: schemas.ErrorSchema}, True,
    ),
    (
        "/v1/tickets/{source}/{ticket_id}/similar", "get", "Similar past tickets and Jira issues", None,
        schemas.SimilarQuerySchema,
        {200: schemas.SimilarListSchema, 401: schemas.ErrorSchema, 404: schemas.ErrorSchema, 422: schemas.ErrorSchema},
        True,
    ),
    ("/v1/teams", "get", "List teams", None, None, {200: schemas.TeamSchema(many=True), 401: schemas.ErrorSchema}, True),
    ("/v1/teams", "post", "Create a team", schemas.TeamSchema, None,
     {201: schemas.TeamSchema, 409: schemas.ErrorSchema, 422: schemas.ErrorSchema}, True),
    ("/v1/teams/{team_id}", "get", "Read a team", None, None, {200: schemas.TeamSchema, 404: schemas.ErrorSchema}, True),
    ("/v1/teams/{team_id}", "patch", "Change a team", schemas.TeamSchema(partial=True), None,
     {200: schemas.TeamSchema, 404: schemas.ErrorSchema, 409: schemas.ErrorSchema, 422: schemas.ErrorSchema}, True),
    ("/v1/teams/{team_id}", "delete", "Delete a team, its experts and its rules", None, None,
     {204: None, 404: schemas.ErrorSchema}, True),
    ("/v1/experts", "get", "List experts (?team_id=)", None, None, {200: schemas.ExpertSchema(many=True)}, True),
    ("/v1/experts", "post", "Create an expert", schemas.ExpertSchema, None,
     {201: schemas.ExpertSchema, 409: schemas.ErrorSchema, 422: schemas.ErrorSchema}, True),
    ("/v1/experts/{expert_id}", "get", "Read an expert", None, None, {200: schemas.ExpertSchema, 404: schemas.ErrorSchema}, True),
    ("/v1/experts/{expert_id}", "patch", "Change an expert (out of office, capacity...)", schemas.ExpertSchema(partial=True),
     None, {200: schemas.ExpertSchema, 404: schemas.ErrorSchema, 409: schemas.ErrorSchema, 422: schemas.ErrorSchema}, True),
    ("/v1/experts/{expert_id}", "delete", "Delete an expert", None, None, {204: None, 404: schemas.ErrorSchema}, True),
    (
        "/v1/escalations", "post", "Escalate a ticket: Jira issue, ticket note and Slack ping, delivered exactly once",
        schemas.EscalationRequestSchema, None,
        {200: schemas.EscalationSchema, 202: schemas.EscalationSchema, 400: schemas.ErrorSchema,
         401: schemas.ErrorSchema, 409: schemas.ErrorSchema, 413: schemas.ErrorSchema, 422: schemas.ErrorSchema},
        True,
    ),
    ("/v1/escalations/preview", "post", "What escalating would write (Jira issue, Slack message); writes nothing",
     schemas.EscalationRequestSchema, None,
     {200: schemas.EscalationPreviewSchema, 400: schemas.ErrorSchema, 401: schemas.ErrorSchema,
      422: schemas.ErrorSchema}, True),
    ("/v1/escalations", "get", "List escalations, newest first", None, schemas.EscalationListQuerySchema,
     {200: schemas.EscalationListSchema, 401: schemas.ErrorSchema, 422: schemas.ErrorSchema}, True),
    ("/v1/escalations/{escalation_id}", "get", "One escalation: steps, Jira key and URL, Slack permalink, errors",
     None, None, {200: schemas.EscalationSchema, 401: schemas.ErrorSchema, 404: schemas.ErrorSchema}, True),
    ("/v1/settings/escalation", "get", "Redaction and Jira priority mapping in effect", None, None,
     {200: None, 401: schemas.ErrorSchema}, True),
    ("/v1/settings/escalation", "put", "Change redaction and/or the Jira priority mapping",
     schemas.EscalationSettingsSchema, None,
     {200: None, 400: schemas.ErrorSchema, 401: schemas.ErrorSchema, 422: schemas.ErrorSchema}, True),
    ("/v1/installation/connections", "get", "Connections per system: live or dry-run, what is missing", None, None,
     {200: None, 401: schemas.ErrorSchema}, True),
    ("/v1/installation/connections", "patch", "Set or remove connection settings (secrets write-only)",
     schemas.ConnectionsUpdateSchema, None,
     {200: None, 400: schemas.ErrorSchema, 401: schemas.ErrorSchema, 422: schemas.ErrorSchema}, True),
    ("/v1/audit", "get", "The newest outbound writes (audit log)", None, None,
     {200: schemas.AuditListSchema, 401: schemas.ErrorSchema, 422: schemas.ErrorSchema}, True),
    ("/v1/routing-rules", "get", "The ordered routing rules", None, None, {200: schemas.RoutingRuleListSchema}, True),
    ("/v1/routing-rules", "put", "Replace the ordered routing rules", schemas.RoutingRuleListSchema, None,
     {200: schemas.RoutingRuleListSchema, 422: schemas.ErrorSchema}, True),
]


def _parameters(path: str, query_schema: Any) -> list[Any]:
    params: list[Any] = []
    for segment in path.split("/"):
        if segment.startswith("{"):
            params.append({"in": "path", "name": segment.strip("{}"), "required": True, "schema": {"type": "string"}})
    if query_schema is not None:
        params.append({"in": "query", "schema": query_schema})
    return params


def _schema_name(schema: Any) -> str:
    """Component name: the class name without 'Schema'; a partial (PATCH) body gets its own name."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and schema.partial:
        name += "Patch"
    return name


def build_openapi(version: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document as a dict."""
    spec = APISpec(
        title="Escalation sidecar API",
        version=version,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={"description": "Assess, route and escalate support tickets to human experts."},
    )
    spec.components.security_scheme(
        "bearer",
        {"type": "http", "scheme": "bearer", "description": "An installation API token, or a ZAF-signed HS256 JWT whose iss is the installation id"},
    )
    paths: dict[str, dict[str, Any]] = {}
    for path, method, summary, body, query, responses, authenticated in OPERATIONS:
        operation: dict[str, Any] = {"summary": summary, "responses": {}}
        params = _parameters(path, query)
        if params:
            operation["parameters"] = params
        if body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        for status, schema in responses.items():
            entry: dict[str, Any] = {"description": "error" if schema is schemas.ErrorSchema else "success"}
            if status != 204:
                entry["content"] = {"application/json": {"schema": schema or {"type": "object"}}}
            operation["responses"][str(status)] = entry
        if authenticated:
            operation["security"] = [{"bearer": []}]
        paths.setdefault(path, {})[method] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
