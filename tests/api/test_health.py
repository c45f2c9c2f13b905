"""Liveness, readiness, request ids and the OpenAPI document."""


def test_healthz_is_up_without_auth(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ready"


def test_readyz_is_503_when_the_database_is_gone(tmp_path, config):
    from sidecar import create_app

    app = create_app(config.with_overrides(database_url="postgresql://nobody@127.0.0.1:1/none"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "not_ready"


def test_request_id_is_echoed_or_generated(client):
    echoed = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert echoed.headers["X-Request-Id"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-Id": "not valid! <script>"})
    assert generated.headers["X-Request-Id"] != "not valid! <script>"
    assert len(generated.headers["X-Request-Id"]) == 32


def test_openapi_document_describes_the_assessment_api(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    post = spec["paths"]["/v1/assessments"]["post"]
    body_ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref.endswith("AssessmentRequest")
    ticket = spec["components"]["schemas"]["Ticket"]
    assert {"id", "subject"} <= set(ticket["required"])
    assert "201" in post["responses"] and "422" in post["responses"]


def test_unknown_route_and_wrong_method_are_json(client):
    missing = client.get("/nope")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    wrong = client.delete("/healthz")
    assert wrong.status_code == 405
    assert "error" in wrong.get_json()
