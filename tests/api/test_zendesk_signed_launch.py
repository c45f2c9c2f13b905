"""A sidebar loaded with Zendesk's signedUrls: the agent id Zendesk signs starts a verified agent session."""
from __future__ import annotations

import re
import time

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import bearer
from tests.escalation_support import REFUND

ZENDESK = "https://acme.zendesk.com"
AUDIENCE = "https://acme.zendesk.com/api/v2/apps/installations/360012.json"


@pytest.fixture(scope="module")
def zendesk_key():
    """Zendesk's key pair for the app (Zendesk keeps the private half; tests sign with it)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_pem(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.fixture
def signed_app(client, installation, zendesk_key):
    response = client.patch("/v1/installation/connections", headers=bearer(installation["api_token"]), json={
        "settings": {"zendesk.url": ZENDESK, "zendesk.app_public_key": _public_pem(zendesk_key),
                     "zendesk.app_audience": AUDIENCE}})
    assert response.status_code == 200, response.get_json()
    return installation


def _launch(key, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": "acme.zendesk.com", "aud": AUDIENCE, "sub": "9003", "iat": now, "exp": now + 300,
              "context": {"product": "support", "location": "ticket_sidebar"}, **overrides}
    return pyjwt.encode(claims, key, algorithm="RS256")


def _session_of(page: str) -> str:
    return re.search(r'<meta name="sidecar-session" content="([^"]+)"', page).group(1)


def test_a_signed_load_gives_an_agent_session_that_escalates_as_a_verified_agent(client, signed_app, zendesk_key):
    page = client.post(f"/zendesk/app/{signed_app['id']}", data={"token": _launch(zendesk_key)})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<script type="module" src="app.js"></script>' in text and '<base href="/zendesk/app/assets/">' in text
    session = _session_of(text)
    assert session.startswith("ses_")

    escalated = client.post("/v1/escalations", headers=bearer(session), json={
        "ticket": REFUND, "escalated_by": {"id": "1", "name": "Sam Agent", "email": "sam@acme.example"}})
    assert escalated.status_code == 202
    # The id is Zendesk's, whatever the app says; name and email are as the app reports them.
    assert escalated.get_json()["escalated_by"] == {"id": "9003", "name": "Sam Agent", "email": "sam@acme.example",
                                                    "verified": True}
    refused = client.patch("/v1/installation/connections", headers=bearer(session), json={"settings": {}})
    assert refused.status_code == 403 and refused.get_json()["error"]["details"]["scope"] == "agent"
    assert client.get("/zendesk/app/assets/app.js").status_code == 200


@pytest.mark.parametrize("change", [
    {"iss": "evil.zendesk.com"},
    {"aud": "https://acme.zendesk.com/api/v2/apps/installations/1.json"},
    {"exp": int(time.time()) - 600, "iat": int(time.time()) - 900},
    {"sub": None},
])
def test_a_launch_with_the_wrong_claims_is_refused(client, signed_app, zendesk_key, change):
    claims = {key: value for key, value in change.items() if value is not None}
    token = _launch(zendesk_key, **claims)
    if change.get("sub", "x") is None:
        token = pyjwt.encode({k: v for k, v in pyjwt.decode(token, options={"verify_signature": False}).items()
                              if k != "sub"}, zendesk_key, algorithm="RS256")
    response = client.post(f"/zendesk/app/{signed_app['id']}", data={"token": token})
    assert response.status_code == 401
    assert "sidecar-session" not in response.get_data(as_text=True)


def test_a_launch_signed_by_another_key_or_with_hs256_is_refused(client, signed_app, installation):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert client.post(f"/zendesk/app/{signed_app['id']}", data={"token": _launch(other)}).status_code == 401
    now = int(time.time())
    forged = pyjwt.encode({"iss": "acme.zendesk.com", "aud": AUDIENCE, "sub": "1", "iat": now, "exp": now + 60},
                          installation["shared_secret"], algorithm="HS256")
    assert client.post(f"/zendesk/app/{signed_app['id']}", data={"token": forged}).status_code == 401


def test_without_a_public_key_no_session_is_started(client, installation, zendesk_key):
    response = client.post(f"/zendesk/app/{installation['id']}", data={"token": _launch(zendesk_key)})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "signed_launch_not_configured"


def test_a_forged_or_expired_session_is_refused(client, signed_app, zendesk_key, app, box, monkeypatch):
    from sidecar.services import agent_sessions

    assert client.get("/v1/installation", headers=bearer("ses_not-a-session")).status_code == 401
    monkeypatch.setattr(agent_sessions, "SESSION_LIFETIME", agent_sessions.SESSION_LIFETIME * -1)
    session, _ = agent_sessions.start_agent_session(installation_id=signed_app["id"], agent_id="9003", box=box)
    response = client.get("/v1/installation", headers=bearer(session))
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "token_expired"


def test_the_public_key_setting_must_be_an_rsa_pem(client, installation):
    response = client.patch("/v1/installation/connections", headers=bearer(installation["api_token"]),
                            json={"settings": {"zendesk.app_public_key": "not a key"}})
    assert response.status_code in (400, 422)
    assert "zendesk.app_public_key" in str(response.get_json()["error"])
