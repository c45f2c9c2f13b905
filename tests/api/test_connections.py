"""Connections (zendesk.*, jira.*, slack.*, ...) and escalation settings: validated, encrypted, secrets never echoed."""
from __future__ import annotations

import json

from sidecar.domain.connections import KEYS
from sidecar.store.models import Installation
from tests.conftest import bearer


def test_settings_are_stored_and_secrets_are_never_shown(client, installation, app):
    token = installation["api_token"]
    response = client.patch("/v1/installation/connections", headers=bearer(token), json={"settings": {
        "jira.url": "https://acme.atlassian.net", "jira.email": "bot@acme.example", "jira.api_token": "ATATT-secret",
        "jira.project": "esc", "slack.bot_token": "xoxb-secret"}})
    assert response.status_code == 200
    view = response.get_json()
    assert view["jira"]["live"] is True and view["jira"]["settings"]["project"] == "ESC"
    assert view["jira"]["settings"]["api_token"] == {"set": True}
    assert view["slack"]["live"] is True and view["slack"]["settings"]["api_url"] == "https://slack.com/api"
    assert view["zendesk"]["live"] is False and "zendesk.api_token" in view["zendesk"]["missing"]
    shown = json.dumps([view, client.get("/v1/installation/connections", headers=bearer(token)).get_json(),
                        client.get("/v1/installation/credentials", headers=bearer(token)).get_json()])
    assert "ATATT-secret" not in shown and "xoxb-secret" not in shown
    with app.extensions["sidecar"].database.session() as session:
        stored = session.get(Installation, installation["id"]).credentials_encrypted
    assert "ATATT-secret" not in stored and "acme.atlassian.net" not in stored  # encrypted at rest


def test_unknown_keys_and_bad_values_are_refused_by_name(client, installation):
    response = client.patch("/v1/installation/connections", headers=bearer(installation["api_token"]), json={
        "settings": {"jira.urll": "https://x", "slack.api_url": "ftp://nope", "zendesk.jira_key_field_id": "abc"}})
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert set(details) == {"jira.urll", "slack.api_url", "zendesk.jira_key_field_id"}
    assert "unknown setting" in details["jira.urll"]


def test_a_setting_is_removed_with_null(client, installation):
    token = installation["api_token"]
    client.patch("/v1/installation/connections", headers=bearer(token),
                 json={"settings": {"slack.bot_token": "xoxb-1"}})
    view = client.patch("/v1/installation/connections", headers=bearer(token),
                        json={"settings": {"slack.bot_token": None}}).get_json()
    assert view["slack"]["settings"]["bot_token"] == {"set": False} and view["slack"]["live"] is False


def test_every_base_url_is_configurable():
    for system in ("zendesk", "salesforce", "jira", "slack", "llm"):
        assert any(key.startswith(system + ".") and ("url" in key) for key in KEYS), system


def test_escalation_settings_validate_redaction_and_priority(client, installation):
    token = installation["api_token"]
    defaults = client.get("/v1/settings/escalation", headers=bearer(token)).get_json()
    assert defaults["redaction"]["cards"] is True and defaults["redaction"]["emails"] is False
    changed = client.put("/v1/settings/escalation", headers=bearer(token), json={
        "redaction": {"emails": True, "patterns": [r"ACCT-\d+"]}, "jira_priority": {"Highest": 0.9}}).get_json()
    assert changed["redaction"]["emails"] is True and changed["jira_priority"]["Highest"] == 0.9
    bad = client.put("/v1/settings/escalation", headers=bearer(token), json={"redaction": {"patterns": ["("]}})
    assert bad.status_code == 422 and "patterns" in json.dumps(bad.get_json()["error"])
    bad = client.put("/v1/settings/escalation", headers=bearer(token), json={"jira_priority": {"Highest": 0.2,
                                                                                               "High": 0.8}})
    assert bad.status_code == 422
    assert client.put("/v1/settings/escalation", headers=bearer(token), json={"colour": "red"}).status_code == 422
