"""/openapi.json says what the API does: every route, every error it can answer with, the scope it needs."""
import pytest

from sidecar.api.auth import required_scope
from sidecar.api.openapi import ERRORS, OPERATIONS, UNDOCUMENTED_ROUTES, error_responses, required_scopes
from tests.conftest import bearer

V1 = [op for op in OPERATIONS if op.path.startswith("/v1/")]


def _routes(app) -> set[tuple[str, str]]:
    from sidecar.api.openapi import _normalise_rule

    return {(_normalise_rule(rule.rule), method.lower()) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"} if not rule.rule.startswith(UNDOCUMENTED_ROUTES)}


def _fill(path: str) -> str:
    return (path.replace("{source}", "zendesk").replace("{escalation_id}", "esc_nope")
            .replace("{", "").replace("}", "_nope"))


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/openapi.json").get_json()


def test_every_route_is_documented_and_every_documented_operation_exists(app, spec):
    documented = {(path, method) for path, methods in spec["paths"].items() for method in methods}
    assert documented == _routes(app)


def test_every_error_response_is_the_one_error_schema(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"}, (method, path, status)
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(spec["components"]["schemas"]["ErrorDetail"]["required"]) == {"code", "message"}


def test_error_responses_come_from_the_operation_traits():
    for op in V1:
        statuses = set(error_responses(op))
        assert {400, 401, 403} <= statuses, op.path  # nul_in_request, credentials, scope
        if op.body is not None:
            assert {400, 413, 422} <= statuses, (op.method, op.path)
        if "{" in op.path:
            assert 404 in statuses, (op.method, op.path)
        if "ticket_ref" in op.traits:
            assert {404, 409, 502, 503, 504} <= statuses, (op.method, op.path)
    descriptions = error_responses(next(op for op in V1 if op.path == "/v1/assessments" and op.method == "post"))
    assert "`empty_body`" in descriptions[400] and "`credentials_missing`" in descriptions[409]
    assert all(case.codes for cases in ERRORS.values() for case in cases)


def test_each_operation_names_the_scope_its_view_enforces(app, spec):
    scopes = required_scopes(app)
    for op in V1:
        documented = spec["paths"][op.path][op.method]
        assert documented["x-required-scope"] == scopes[(op.path, op.method)], (op.method, op.path)
    rule = next(r for r in app.url_map.iter_rules() if r.rule == "/v1/assessments" and "POST" in r.methods)
    assert required_scope(app.view_functions[rule.endpoint]) == "agent"


@pytest.mark.parametrize("op", V1, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_without_credentials_every_v1_operation_is_a_documented_401(client, spec, op):
    response = client.open(_fill(op.path), method=op.method.upper(), json={} if op.body is not None else None)
    assert response.status_code == 401, response.get_json()
    assert "401" in spec["paths"][op.path][op.method]["responses"]
    assert response.get_json()["error"]["code"] == "missing_credentials"


def test_get_on_the_preview_path_is_a_405_and_options_do_not_offer_it(client, installation, spec):
    headers = bearer(installation["api_token"])
    response = client.get("/v1/escalations/preview", headers=headers)
    allowed = {"POST", "OPTIONS"}
    assert response.status_code == 405 and set(response.headers["Allow"].split(", ")) == allowed
    assert set(client.options("/v1/escalations/preview", headers=headers).headers["Allow"].split(", ")) == allowed
    assert set(spec["paths"]["/v1/escalations/preview"]) == {"post"}
    # Any other id is still read there.
    assert client.get("/v1/escalations/esc_nope", headers=headers).status_code == 404


@pytest.mark.parametrize("path", ["/v1/assessments", "/v1/escalations"])
def test_an_empty_ticket_id_is_refused_and_documented_as_such(client, installation, spec, path):
    response = client.get(f"{path}?ticket_id=", headers=bearer(installation["api_token"]))
    assert response.status_code == 422 and "ticket_id" in response.get_json()["error"]["details"]
    parameter = next(p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "ticket_id")
    assert parameter["schema"]["minLength"] == 1
    # Refusing it is the safe reading: the apps ask for "the escalation of this ticket", never "of any".
    assert client.get(f"{path}?ticket_id=%20", headers=bearer(installation["api_token"])).status_code == 422


def test_null_settings_are_refused_where_the_document_says_not_nullable(client, installation, spec):
    settings = spec["components"]["schemas"]["EscalationSettings"]["properties"]
    assert "nullable" not in settings["ack_minutes"] and settings["ack_minutes"]["type"] == "integer"
    response = client.put("/v1/settings/escalation", json={"ack_minutes": None},
                          headers=bearer(installation["api_token"]))
    assert response.status_code == 422
    # redaction null is documented (back to the defaults) and accepted.
    assert client.put("/v1/settings/escalation", json={"redaction": None},
                      headers=bearer(installation["api_token"])).status_code == 200


def test_a_state_dependent_refusal_is_a_409(client, installation):
    headers = bearer(installation["api_token"])
    ref = client.post("/v1/assessments", json={"ticket_ref": {"source": "zendesk", "id": "1"}}, headers=headers)
    assert ref.status_code == 409 and ref.get_json()["error"]["code"] == "credentials_missing"
    other = client.post("/v1/assessments", json={"ticket_ref": {"source": "salesforce", "id": "500000000000001"}},
                        headers=headers)
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "source_mismatch"
    expert = client.post("/v1/experts", json={"team_id": "team_nope", "name": "Ana", "email": "ana@acme.example"},
                         headers=headers)
    assert expert.status_code == 409 and expert.get_json()["error"]["code"] == "unknown_team"


def test_connection_settings_are_listed_by_name(client, installation, spec):
    from sidecar.domain.connections import KEYS

    settings = spec["components"]["schemas"]["ConnectionSettings"]
    assert set(settings["properties"]) == set(KEYS) and settings["additionalProperties"] is False
    headers = bearer(installation["api_token"])
    typo = client.patch("/v1/installation/connections", json={"settings": {"jira.ulr": "x"}}, headers=headers)
    assert typo.status_code == 422 and "unknown setting" in typo.get_json()["error"]["details"]["jira.ulr"]
    empty = client.patch("/v1/installation/connections", json={"settings": {}}, headers=headers)
    assert empty.status_code == 422
    ok = client.patch("/v1/installation/connections", json={"settings": {"jira.project": " esc "}}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["jira"]["settings"]["project"] == "ESC"


def test_strict_json_types_where_the_document_says_number_or_boolean(client, installation):
    headers = bearer(installation["api_token"])
    ticket = {"id": "1", "subject": "x", "organization": {"arr": "12000"}}
    assert client.post("/v1/assessments", json={"ticket": ticket}, headers=headers).status_code == 422
    assert client.put("/v1/settings/scoring", json={"escalate_threshold": "0.7"}, headers=headers).status_code == 422
    assert client.put("/v1/settings/escalation", json={"sync_customer_comments": 1},
                      headers=headers).status_code == 422
    assert client.post("/v1/assessments", json={"ticket": {**ticket, "organization": None, "id": 48213}},
                       headers=headers).status_code == 201  # Zendesk's numeric ids stay welcome


def test_a_large_body_is_a_documented_413(app, client, installation, spec):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/v1/assessments", data=b"{" + b" " * limit + b"}", content_type="application/json",
                           headers=bearer(installation["api_token"]))
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "body_too_large"
    assert "413" in spec["paths"]["/v1/assessments"]["post"]["responses"]
