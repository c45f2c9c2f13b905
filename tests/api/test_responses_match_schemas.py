"""Real responses against the schema /openapi.json documents for their operation and status.

The views dump every answer through that schema, so a field the document does not name cannot be served;
this holds the other half: what is served validates against the documented schema (types, enums, formats,
nested shapes), operation by operation, from the same OPERATIONS table the document is built from.
"""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from sidecar.api.openapi import OPERATIONS
from tests.conftest import bearer
from tests.escalation_support import REFUND, deliver, escalate


def documented(path: str, method: str, status: int) -> Schema:
    """The response schema OPERATIONS documents for (path, method, status), as an instance."""
    for operation in OPERATIONS:
        if operation.path == path and operation.method == method:
            schema = operation.responses[status]
            return schema() if isinstance(schema, type) else schema
    raise AssertionError(f"{method.upper()} {path} is not documented")


def loadable(schema: Schema, item: Any) -> Any:
    """`item` without the fields the API makes (ids, times): they are dump-only, so a load calls them unknown."""
    if not isinstance(item, dict):
        return item
    names = {field.data_key or name: field for name, field in schema.fields.items()}
    kept = {}
    for key, value in item.items():
        field = names.get(key)
        if field is not None and field.dump_only:
            continue
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested) and isinstance(inner.schema, Schema):
            nested = inner.schema
            value = [loadable(nested, v) for v in value] if isinstance(value, list) else loadable(nested, value)
        kept[key] = value
    return kept


def assert_documented(response: Any, path: str, method: str) -> Any:
    """The response's body validates against its documented schema; returns the body."""
    body = response.get_json()
    schema = documented(path, method, response.status_code)
    items = body if schema.many else [body]
    assert isinstance(items, list)
    one = type(schema)()
    names = {field.data_key or name: field for name, field in one.fields.items()}
    for item in items:
        assert set(item) <= set(names), f"{method} {path} serves undocumented {set(item) - set(names)}"
        assert one.validate(loadable(one, item)) == {}, (method, path, one.validate(loadable(one, item)))
    return body


def test_assessments_and_feedback_validate_against_their_schemas(client, installation):
    headers = bearer(installation["api_token"])
    created = assert_documented(client.post("/v1/assessments", json={"ticket": REFUND}, headers=headers),
                                "/v1/assessments", "post")
    assert_documented(client.get("/v1/assessments", headers=headers), "/v1/assessments", "get")
    assert_documented(client.get(f"/v1/assessments/{created['id']}", headers=headers),
                      "/v1/assessments/{assessment_id}", "get")
    feedback = client.post(f"/v1/assessments/{created['id']}/feedback", headers=headers,
                           json={"rating": "right", "note": "yes", "agent": "ana"})
    assert feedback.status_code == 201
    assert_documented(feedback, "/v1/assessments/{assessment_id}/feedback", "post")


def test_directory_validates_against_its_schemas(client, installation):
    headers = bearer(installation["api_token"])
    team = assert_documented(client.post("/v1/teams", headers=headers, json={"name": "Billing"}),
                             "/v1/teams", "post")
    expert = client.post("/v1/experts", headers=headers, json={
        "team_id": team["id"], "name": "Ana", "email": "ana@acme.example",
        "out_of_office": [{"start": "2026-12-24", "end": "2026-12-31", "note": "holidays"}]})
    assert_documented(expert, "/v1/experts", "post")
    assert_documented(client.get("/v1/teams", headers=headers), "/v1/teams", "get")
    assert_documented(client.get("/v1/experts", headers=headers), "/v1/experts", "get")
    assert_documented(client.patch(f"/v1/experts/{expert.get_json()['id']}", headers=headers, json={"capacity": 2}),
                      "/v1/experts/{expert_id}", "patch")
    rules = {"rules": [{"name": "refunds", "team_id": team["id"], "when": {"keywords": ["refund"]}}]}
    assert_documented(client.put("/v1/routing-rules", headers=headers, json=rules), "/v1/routing-rules", "put")
    assert_documented(client.get("/v1/routing-rules", headers=headers), "/v1/routing-rules", "get")


def test_settings_and_installation_validate_against_their_schemas(client, installation):
    headers = bearer(installation["api_token"])
    for path in ("/v1/settings/scoring", "/v1/settings/escalation", "/v1/settings/retention", "/v1/installation",
                 "/v1/installation/credentials", "/v1/installation/connections", "/v1/tokens", "/v1/audit"):
        assert_documented(client.get(path, headers=headers), path, "get")
    assert_documented(client.put("/v1/settings/scoring", headers=headers, json={"escalate_threshold": 0.6}),
                      "/v1/settings/scoring", "put")
    assert_documented(client.put("/v1/settings/escalation", headers=headers,
                                 json={"redaction": {"emails": True}, "ack_minutes": 15}),
                      "/v1/settings/escalation", "put")
    assert_documented(client.put("/v1/settings/retention", headers=headers, json={"days": 90}),
                      "/v1/settings/retention", "put")
    assert_documented(client.post("/v1/tokens", headers=headers, json={"scope": "read", "name": "reports"}),
                      "/v1/tokens", "post")


def test_escalations_validate_against_their_schemas(client, live, database, box):
    headers = bearer(live["api_token"])
    preview = client.post("/v1/escalations/preview", json={"ticket": REFUND}, headers=headers)
    assert_documented(preview, "/v1/escalations/preview", "post")
    created = assert_documented(escalate(client, live["api_token"], note="please look"), "/v1/escalations", "post")
    deliver(database, box)
    delivered = assert_documented(client.get(f"/v1/escalations/{created['id']}", headers=headers),
                                  "/v1/escalations/{escalation_id}", "get")
    assert delivered["status"] == "delivered"
    assert_documented(client.get("/v1/escalations", headers=headers), "/v1/escalations", "get")
    assert_documented(escalate(client, live["api_token"]), "/v1/escalations", "post")  # 200: the open one
    assert_documented(client.get("/v1/audit", headers=headers), "/v1/audit", "get")
