"""POST /v1/assessments: the answer a support agent sees, and the errors a caller gets."""
import json
from contextlib import contextmanager

import pytest

from tests.conftest import bearer

REFUND = {
    "id": "1001",
    "source": "zendesk",
    "subject": "Double charged this month",
    "description": "We were charged twice for our subscription this month. "
                   "Please refund the duplicate payment of $499.",
    "comments": [
        {"author": "customer", "body": "We were charged twice for our subscription this month. "
                                       "Please refund the duplicate payment of $499.",
         "public": True, "created_at": "2026-11-20T09:00:00Z"},
        {"author": "agent", "body": "Sorry about that, looking into it.", "public": True,
         "created_at": "2026-11-20T10:00:00Z"},
        {"author": "customer", "body": "Any update? I still want my money back for the second charge.", "public": True,
         "created_at": "2026-11-21T10:00:00Z"},
    ],
    "organization": {"name": "Northwind", "tier": "business", "arr": 12000},
    "priority": "normal",
}
PASSWORD_RESET = {
    "id": "1002",
    "subject": "Password reset",
    "description": "How do I reset my password? I can't find the link.",
    "comments": [{"author": "customer", "body": "How do I reset my password? I can't find the link.", "public": True}],
    "priority": "low",
}


def _assess(client, token, ticket):
    return client.post("/v1/assessments", json={"ticket": ticket}, headers=bearer(token))


def test_refund_ticket_is_billing_with_quoted_evidence_and_outscores_password_reset(client, installation):
    refund = _assess(client, installation["api_token"], REFUND)
    reset = _assess(client, installation["api_token"], PASSWORD_RESET)
    assert refund.status_code == 201 and reset.status_code == 201
    refund_body, reset_body = refund.get_json(), reset.get_json()

    assert "billing_refund" in {c["name"] for c in refund_body["categories"]}
    billing_evidence = [s["evidence"] for s in refund_body["signals"] if s["category"] == "billing_refund"]
    assert billing_evidence, refund_body["signals"]
    assert any("charged twice" in e or "refund" in e or "money back" in e for e in billing_evidence)
    assert refund_body["score"] > reset_body["score"]
    assert "billing_refund" not in {c["name"] for c in reset_body["categories"]}

    for body in (refund_body, reset_body):
        assert 0 <= body["score"] <= 1
        assert body["level"] in ("low", "medium", "high", "critical")
        assert body["recommendation"] in ("escalate", "watch", "none")
        assert body["model_version"]
        assert body["id"].startswith("asm_")
    assert refund_body["ticket"] == {"source": "zendesk", "id": "1001"}


def test_assessment_is_stored_and_listed_by_ticket(client, installation):
    token = installation["api_token"]
    first = _assess(client, token, REFUND).get_json()
    _assess(client, token, PASSWORD_RESET)
    stored = client.get(f"/v1/assessments/{first['id']}", headers=bearer(token)).get_json()
    assert stored["score"] == first["score"] and stored["signals"] == first["signals"]
    only_refund = client.get("/v1/assessments?ticket_id=1001", headers=bearer(token)).get_json()
    assert [item["ticket"]["id"] for item in only_refund["items"]] == ["1001"]


def test_scoring_and_search_happen_before_the_write_lock_is_taken(app, client, installation, monkeypatch):
    """Both gunicorn workers queue on one SQLite write lock; holding it while searching serialised every assessment."""
    import sidecar.services.assessments as service

    database = app.extensions["sidecar"].database
    real_lock, real_find, real_record = database.write_lock, service.find_similar, service.record_ticket
    locked, seen = [False], {}

    @contextmanager
    def watched_lock():
        with real_lock():
            locked[0] = True
            try:
                yield
            finally:
                locked[0] = False

    def find_similar(*args, **kwargs):
        seen["search under lock"] = locked[0]
        return real_find(*args, **kwargs)

    def record_ticket(*args, **kwargs):
        seen["history written in the request"] = True
        return real_record(*args, **kwargs)

    monkeypatch.setattr(database, "write_lock", watched_lock)
    monkeypatch.setattr(service, "find_similar", find_similar)
    monkeypatch.setattr(service, "record_ticket", record_ticket)
    assert _assess(client, installation["api_token"], REFUND).status_code == 201
    # The history write (and its full-text indexing) is the worker's: the request only queues it.
    assert seen == {"search under lock": False}


def test_ticket_of_another_source_is_rejected(client, installation):
    response = _assess(client, installation["api_token"], {**PASSWORD_RESET, "source": "salesforce"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "source_mismatch"
    assert "salesforce" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "body, status, code, needle",
    [
        (b"{not json", 400, "malformed_json", "not valid JSON"),
        (b"", 400, "empty_body", "empty"),
        (b"[1, 2]", 400, "malformed_json", "JSON object"),
        (json.dumps({}).encode(), 422, "invalid_input", "_schema"),
        (json.dumps({"ticket": {"subject": "no id"}}).encode(), 422, "invalid_input", "id"),
        (json.dumps({"ticket": {"id": "1", "subject": 5}}).encode(), 422, "invalid_input", "subject"),
        (json.dumps({"ticket": {"id": "1", "subject": "x", "comments": [{"author": "robot", "body": "hi"}]}}).encode(),
         422, "invalid_input", "author"),
        (json.dumps({"ticket": {"id": "1", "subject": "x", "organization": {"arr": "lots"}}}).encode(),
         422, "invalid_input", "arr"),
        (json.dumps({"ticket": {"id": "1", "subject": "x"}, "ticket_ref": {"source": "zendesk", "id": "1"}}).encode(),
         422, "invalid_input", "exactly one"),
        (json.dumps({"ticket": {"id": True, "subject": "x"}}).encode(), 422, "invalid_input", "id"),
        (b"{\"a\": \"\xc3\x28\"}", 400, "malformed_json", "UTF-8"),
        (b'{"ticket":' * 5000 + b"1" + b"}" * 5000, 400, "malformed_json", "nested too deeply"),
    ],
)
def test_bad_input_gets_a_clear_4xx_naming_the_problem(client, installation, body, status, code, needle):
    response = client.post(
        "/v1/assessments", data=body, content_type="application/json", headers=bearer(installation["api_token"])
    )
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    assert needle in json.dumps(error)


def test_body_over_one_megabyte_is_413(client, installation):
    huge = json.dumps({"ticket": {"id": "1", "subject": "x", "description": "a" * (1024 * 1024 + 10)}})
    response = client.post("/v1/assessments", data=huge, content_type="application/json",
                           headers=bearer(installation["api_token"]))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "body_too_large"


def test_nul_characters_are_stripped_not_fatal(client, installation):
    ticket = {**PASSWORD_RESET, "description": "reset\x00 my password", "custom_fields": {"x\x00": "y\x00"}}
    response = _assess(client, installation["api_token"], ticket)
    assert response.status_code == 201


def test_unknown_assessment_is_404(client, installation):
    response = client.get("/v1/assessments/asm_missing", headers=bearer(installation["api_token"]))
    assert response.status_code == 404


def test_list_limit_is_validated(client, installation):
    response = client.get("/v1/assessments?limit=0", headers=bearer(installation["api_token"]))
    assert response.status_code == 422
    assert "limit" in response.get_json()["error"]["details"]


def test_response_has_exactly_the_documented_shape(client, installation):
    from sidecar.schemas import AssessmentSchema

    body = _assess(client, installation["api_token"], REFUND).get_json()
    schema = AssessmentSchema()
    assert set(body) == set(schema.fields) - {"shadow"}  # shadow only when the scoring settings name one
    assert schema.validate(body) == {}
    assert body["created_at"].endswith("+00:00")
