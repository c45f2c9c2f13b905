"""Credentials carry scopes: the sidebar's JWT and agent tokens assess and escalate; only admins change things."""
import time
from datetime import timedelta

import jwt as pyjwt
import pytest

from sidecar.api.auth import required_scope
from sidecar.services.credentials import create_token, rotate_shared_secret
from sidecar.services.installations import get_installation
from tests.conftest import bearer, zaf_jwt

TICKET = {"ticket": {"id": "77", "subject": "Charged twice", "description": "Please refund the second charge"}}

# Every operation only an admin may do, with a body that would otherwise succeed or fail validation.
ADMIN_OPERATIONS = [
    ("patch", "/v1/installation/connections", {"settings": {"jira.url": "https://evil.example"}}),
    ("get", "/v1/installation/connections", None),
    ("get", "/v1/installation/credentials", None),
    ("put", "/v1/installation/credentials", {"credentials": {"subdomain": "acme", "email": "a@b.c", "token": "x"}}),
    ("get", "/v1/settings/scoring", None),
    ("put", "/v1/settings/scoring", {"weights": {"baseline": -1.0}}),
    ("get", "/v1/settings/escalation", None),
    ("put", "/v1/settings/escalation", {"redaction": {"emails": True}}),
    ("post", "/v1/teams", {"name": "Billing"}),
    ("patch", "/v1/teams/team_x", {"name": "B"}),
    ("delete", "/v1/teams/team_x", None),
    ("post", "/v1/experts", {"name": "Ana", "email": "ana@acme.example", "team_id": "team_x"}),
    ("patch", "/v1/experts/exp_x", {"name": "Ana"}),
    ("delete", "/v1/experts/exp_x", None),
    ("get", "/v1/routing-rules", None),
    ("put", "/v1/routing-rules", {"rules": []}),
    ("get", "/v1/audit", None),
    ("get", "/v1/tokens", None),
    ("post", "/v1/tokens", {"scope": "admin"}),
    ("delete", "/v1/tokens/tok_x", None),
    ("post", "/v1/installation/shared-secret", {}),
]


@pytest.fixture
def tokens(app, installation):
    """An agent and a read token of the installation."""
    made = {}
    with app.extensions["sidecar"].database.session() as session:
        owner = get_installation(session, installation["id"])
        for scope in ("agent", "read"):
            made[scope] = create_token(session, installation=owner, scope=scope, name=f"{scope} test").token
    return made


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_OPERATIONS)
def test_the_sidebar_jwt_cannot_do_admin_operations(client, installation, method, path, body):
    response = getattr(client, method)(path, json=body, headers=bearer(zaf_jwt(installation)))
    assert response.status_code == 403, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "forbidden"
    assert error["details"] == {"required_scope": "admin", "scope": "agent"}
    assert "'admin' scope" in error["message"]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_OPERATIONS)
def test_agent_tokens_cannot_do_admin_operations(client, tokens, method, path, body):
    response = getattr(client, method)(path, json=body, headers=bearer(tokens["agent"]))
    assert response.status_code == 403


def test_the_sidebar_jwt_assesses_and_escalates(client, installation):
    headers = bearer(zaf_jwt(installation))
    assessed = client.post("/v1/assessments", json=TICKET, headers=headers)
    assert assessed.status_code == 201
    feedback = client.post(f"/v1/assessments/{assessed.get_json()['id']}/feedback", json={"rating": "right"},
                           headers=headers)
    assert feedback.status_code == 201
    escalated = client.post("/v1/escalations", json=TICKET, headers=headers)
    assert escalated.status_code == 202
    assert client.get("/v1/escalations", headers=headers).status_code == 200
    assert client.get(f"/v1/escalations/{escalated.get_json()['id']}", headers=headers).status_code == 200
    assert client.get("/v1/teams", headers=headers).status_code == 200
    assert client.get("/v1/experts", headers=headers).status_code == 200


def test_the_admin_token_changes_connections(client, installation):
    response = client.patch("/v1/installation/connections", json={"settings": {"jira.project": "ESC"}},
                            headers=bearer(installation["api_token"]))
    assert response.status_code == 200


def test_a_read_token_reads_but_does_not_assess(client, installation, tokens):
    headers = bearer(tokens["read"])
    assert client.get("/v1/assessments", headers=headers).status_code == 200
    assert client.get("/v1/escalations", headers=headers).status_code == 200
    refused = client.post("/v1/assessments", json=TICKET, headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["details"] == {"required_scope": "agent", "scope": "read"}


def test_every_v1_view_states_or_defaults_its_scope(app):
    # A view without @allow is admin-only: list what is open, so opening one more is a visible change.
    opened = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1/"):
            scope = required_scope(app.view_functions[rule.endpoint])
            if scope != "admin":
                opened[(rule.rule, tuple(sorted(rule.methods - {"HEAD", "OPTIONS"})))] = scope
    assert opened == {
        ("/v1/analytics/summary", ("GET",)): "agent",
        ("/v1/analytics/timeseries", ("GET",)): "agent",
        ("/v1/assessments", ("POST",)): "agent",
        ("/v1/assessments", ("GET",)): "read",
        ("/v1/assessments/<assessment_id>", ("GET",)): "read",
        ("/v1/assessments/<assessment_id>/feedback", ("POST",)): "agent",
        ("/v1/escalations", ("POST",)): "agent",
        ("/v1/escalations/preview", ("POST",)): "agent",
        ("/v1/escalations", ("GET",)): "read",
        ("/v1/escalations/<escalation_id:escalation_id>", ("GET",)): "read",
        ("/v1/teams", ("GET",)): "read",
        ("/v1/teams/<team_id>", ("GET",)): "read",
        ("/v1/experts", ("GET",)): "read",
        ("/v1/experts/<expert_id>", ("GET",)): "read",
        ("/v1/routes", ("POST",)): "agent",
        ("/v1/tickets/<source>/<ticket_id>/similar", ("GET",)): "read",
        ("/v1/installation", ("GET",)): "read",
    }


def test_tokens_are_made_listed_and_revoked_by_an_admin(client, installation):
    admin = bearer(installation["api_token"])
    made = client.post("/v1/tokens", json={"scope": "agent", "name": "Salesforce org"}, headers=admin)
    assert made.status_code == 201
    body = made.get_json()
    assert body["scope"] == "agent" and body["api_token"].startswith("sct_")
    listed = client.get("/v1/tokens", headers=admin).get_json()["items"]
    assert [(t["id"], t["scope"], t["name"]) for t in listed] == [(body["id"], "agent", "Salesforce org")]
    assert "api_token" not in listed[0] and "token_hash" not in listed[0]
    assert client.post("/v1/assessments", json=TICKET, headers=bearer(body["api_token"])).status_code == 201
    assert client.delete(f"/v1/tokens/{body['id']}", headers=admin).status_code == 204
    assert client.post("/v1/assessments", json=TICKET, headers=bearer(body["api_token"])).status_code == 401
    bad = client.post("/v1/tokens", json={"scope": "owner"}, headers=admin)
    assert bad.status_code == 422 and "scope" in bad.get_json()["error"]["details"]


def test_another_installations_token_id_cannot_be_revoked(client, installation, make_installation):
    other = make_installation(name="Other")
    made = client.post("/v1/tokens", json={"scope": "read"}, headers=bearer(other["api_token"])).get_json()
    assert client.delete(f"/v1/tokens/{made['id']}", headers=bearer(installation["api_token"])).status_code == 404


# --- JWT rules: iat required, lifetime always capped, only iss names the installation -------------------------

def _signed(installation, **claims):
    return pyjwt.encode(claims, installation["shared_secret"], algorithm="HS256")


def test_a_jwt_without_iat_is_refused(client, installation):
    token = _signed(installation, iss=installation["id"], exp=int(time.time()) + 10 * 365 * 86400)
    response = client.get("/v1/installation", headers=bearer(token))
    assert response.status_code == 401
    assert "'iat'" in response.get_json()["error"]["message"]


def test_a_ten_year_jwt_is_refused_even_with_iat(client, installation):
    now = int(time.time())
    token = _signed(installation, iss=installation["id"], iat=now, exp=now + 10 * 365 * 86400)
    assert client.get("/v1/installation", headers=bearer(token)).status_code == 401


def test_installation_id_claim_does_not_replace_iss(client, installation):
    now = int(time.time())
    token = _signed(installation, installation_id=installation["id"], iat=now, exp=now + 300)
    response = client.get("/v1/installation", headers=bearer(token))
    assert response.status_code == 401
    assert "'iss'" in response.get_json()["error"]["message"]


def test_a_jwt_issued_in_the_future_is_refused(client, installation):
    now = int(time.time())
    token = _signed(installation, iss=installation["id"], iat=now + 3600, exp=now + 3900)
    assert client.get("/v1/installation", headers=bearer(token)).status_code == 401


# --- Shared secret rotation with an overlap window ---------------------------------------------------------------

def test_rotating_the_shared_secret_keeps_the_old_one_for_the_overlap(client, installation):
    admin = bearer(installation["api_token"])
    rotated = client.post("/v1/installation/shared-secret", json={"overlap_hours": 2}, headers=admin)
    assert rotated.status_code == 200
    body = rotated.get_json()
    assert body["shared_secret"] != installation["shared_secret"] and body["previous_valid_until"]
    new = {**installation, "shared_secret": body["shared_secret"]}
    assert client.get("/v1/installation", headers=bearer(zaf_jwt(new))).status_code == 200
    assert client.get("/v1/installation", headers=bearer(zaf_jwt(installation))).status_code == 200


def test_after_the_overlap_only_the_new_secret_works(app, client, installation, box):
    with app.extensions["sidecar"].database.session() as session:
        secret, expires = rotate_shared_secret(session, get_installation(session, installation["id"]), box=box,
                                               overlap=timedelta(0))
    assert expires is None
    assert client.get("/v1/installation", headers=bearer(zaf_jwt(installation))).status_code == 401
    new = {**installation, "shared_secret": secret}
    assert client.get("/v1/installation", headers=bearer(zaf_jwt(new))).status_code == 200


def test_an_expired_overlap_no_longer_accepts_the_old_secret(app, client, installation, box):
    from sidecar.store.models import Installation, utcnow

    with app.extensions["sidecar"].database.session() as session:
        rotate_shared_secret(session, get_installation(session, installation["id"]), box=box,
                             overlap=timedelta(hours=1))
        session.get(Installation, installation["id"]).previous_shared_secret_expires_at = utcnow() - timedelta(
            seconds=1)
    assert client.get("/v1/installation", headers=bearer(zaf_jwt(installation))).status_code == 401
