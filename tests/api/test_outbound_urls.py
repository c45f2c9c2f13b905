"""Issue 13: outbound URLs are checked when saved, a moved URL loses its secret, echoed secrets are masked.

The capture reproduction: with the stored token kept, an attacker points `jira.url` / `zendesk.url` at a
host of theirs and escalates or assesses; that host must receive no credential.
"""
from __future__ import annotations

import base64
import json
import logging
import re

import pytest
import responses

from sidecar import create_app
from sidecar.jobs.worker import Worker
from tests.conftest import bearer
from tests.escalation_support import REFUND, escalate

JIRA = "https://jira.acme.example"  # does not resolve: accepted, as any name that does not resolve
EVIL = "https://capture.evil.example"
TOKEN = "jira-secret-token-1234"
ZENDESK_TOKEN = "zd-secret-token-5678"
JIRA_SETTINGS = {"jira.url": JIRA, "jira.email": "bot@acme.example", "jira.api_token": TOKEN, "jira.project": "ESC"}


def patch(client, token, settings):
    return client.patch("/v1/installation/connections", json={"settings": settings}, headers=bearer(token))


def answer_everything(http, url_pattern: str, **response):
    """Register `response` for every method on URLs matching the pattern (a capturing host, a failing Jira)."""
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        http.add(method, re.compile(url_pattern), **response)


def connections(client, token):
    return client.get("/v1/installation/connections", headers=bearer(token)).get_json()


@pytest.fixture(scope="module")
def strict_app(config):
    """The app as deployed by default: SIDECAR_ALLOW_PRIVATE_URLS unset."""
    return create_app(config.with_overrides(allow_private_urls=False))


@pytest.mark.parametrize("url, reason", [
    ("http://169.254.169.254/", "169.254.169.254 is a link-local/cloud-metadata address"),
    ("http://2130706433/", "2130706433 is 127.0.0.1, a loopback address"),
    ("http://0x7f000001/", "0x7f000001 is 127.0.0.1, a loopback address"),
    ("https://[::ffff:127.0.0.1]/", "a loopback address (as 127.0.0.1)"),
    ("https://10.0.0.5/", "10.0.0.5 is a private address"),
    ("http://jira.acme.example/", "must be https"),
])
def test_without_the_switch_private_and_metadata_urls_are_refused_naming_the_key(strict_app, installation, url, reason):
    response = patch(strict_app.test_client(), installation["api_token"], {"jira.url": url})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and reason in error["details"]["jira.url"], error


def test_every_outbound_url_key_is_checked(strict_app, installation):
    keys = ("jira.url", "zendesk.url", "salesforce.instance_url", "slack.api_url", "llm.url")
    response = patch(strict_app.test_client(), installation["api_token"], dict.fromkeys(keys, "https://169.254.169.254"))
    assert response.status_code == 422 and set(response.get_json()["error"]["details"]) == set(keys)


def test_with_the_switch_loopback_is_accepted_but_metadata_never(client, installation):
    token = installation["api_token"]
    assert patch(client, token, {"jira.url": "http://127.0.0.1:8089/jira"}).status_code == 200
    for url in ("http://169.254.169.254/", "https://[fd00:ec2::254]/", "https://[::ffff:169.254.169.254]/"):
        response = patch(client, token, {"jira.url": url})
        assert response.status_code == 422 and "never allowed" in response.get_json()["error"]["details"]["jira.url"]
    assert connections(client, token)["jira"]["settings"]["url"] == "http://127.0.0.1:8089/jira"


def test_credentials_put_goes_through_the_same_check(strict_app, installation):
    response = strict_app.test_client().put("/v1/installation/credentials", headers=bearer(installation["api_token"]),
                                            json={"credentials": {"subdomain": "acme", "email": "a@acme.example",
                                                                  "api_token": "t", "base_url": "http://2130706433"}})
    assert response.status_code in (400, 422)
    assert "127.0.0.1" in json.dumps(response.get_json())


# --- a moved URL loses its secret -----------------------------------------------------------------


def test_changing_a_url_without_its_token_clears_the_token(client, installation):
    token = installation["api_token"]
    first = patch(client, token, JIRA_SETTINGS).get_json()
    assert first["cleared"] == [] and first["jira"]["settings"]["api_token"] == {"set": True}

    moved = patch(client, token, {"jira.url": EVIL}).get_json()
    assert moved["cleared"] == ["jira.api_token"]
    shown = connections(client, token)
    assert shown["jira"]["settings"]["api_token"] == {"set": False} and shown["jira"]["live"] is False
    assert "cleared" not in shown  # only the answer to a change says what it removed


def test_the_same_url_again_or_the_url_with_its_token_clears_nothing(client, installation):
    token = installation["api_token"]
    patch(client, token, {**JIRA_SETTINGS, "slack.bot_token": "xoxb-1", "slack.signing_secret": "sign-1"})
    assert patch(client, token, {"jira.url": JIRA + "/"}).get_json()["cleared"] == []
    assert patch(client, token, {"jira.url": "https://JIRA.acme.example"}).get_json()["cleared"] == []
    both = patch(client, token, {"jira.url": "https://other.acme.example", "jira.api_token": "new-token"}).get_json()
    assert both["cleared"] == [] and both["jira"]["live"] is True
    assert patch(client, token, {"slack.api_url": "https://slack.com/api"}).get_json()["cleared"] == []  # the default
    moved = patch(client, token, {"slack.api_url": "https://slack-proxy.acme.example/api"}).get_json()
    assert moved["cleared"] == ["slack.bot_token"]
    assert moved["slack"]["settings"]["signing_secret"] == {"set": True}  # inbound: kept


def test_each_system_url_clears_its_own_secrets(client, installation):
    token = installation["api_token"]
    patch(client, token, {"zendesk.url": "https://acme.zendesk.com", "zendesk.email": "a@acme.example",
                          "zendesk.api_token": "zd", "zendesk.webhook_secret": "wh",
                          "salesforce.instance_url": "https://acme.my.salesforce.com",
                          "salesforce.access_token": "00D!x",
                          "salesforce.username": "u@acme.example", "salesforce.password": "pw",
                          "salesforce.security_token": "st", "llm.url": "https://llm.acme.example/v1",
                          "llm.api_key": "sk-1", "llm.model": "m"})
    cleared = patch(client, token, {"zendesk.url": "https://other.zendesk.com",
                                    "salesforce.instance_url": "https://other.my.salesforce.com",
                                    "salesforce.domain": "test", "llm.url": "https://other.example/v1"}).get_json()["cleared"]
    assert sorted(cleared) == ["llm.api_key", "salesforce.access_token", "salesforce.password",
                               "salesforce.security_token", "zendesk.api_token"]
    assert connections(client, token)["zendesk"]["settings"]["webhook_secret"] == {"set": True}
    removed = patch(client, token, {"zendesk.api_token": "zd2"})
    assert removed.get_json()["cleared"] == []
    assert patch(client, token, {"zendesk.url": None}).get_json()["cleared"] == ["zendesk.api_token"]


def test_the_cli_says_which_secrets_it_cleared(app, installation, database_url):
    from tests.test_cli import _run

    _run(database_url, "installation", "configure", installation["id"],
         *[arg for key, value in JIRA_SETTINGS.items() for arg in ("--set", f"{key}={value}")])
    result = _run(database_url, "installation", "configure", installation["id"], "--set", f"jira.url={EVIL}")
    assert result.exit_code == 0, result.output
    assert "cleared jira.api_token" in result.output
    assert json.loads(result.output.strip().splitlines()[-1])["jira"]["settings"]["api_token"] == {"set": False}


# --- the capture reproduction ---------------------------------------------------------------------


def test_a_moved_jira_url_receives_no_credential_when_a_ticket_is_escalated(client, installation, database, box):
    token = installation["api_token"]
    patch(client, token, JIRA_SETTINGS)
    assert patch(client, token, {"jira.url": EVIL}).status_code == 200  # the attacker's move; the token is not given

    escalation_id = escalate(client, token, ticket=REFUND).get_json()["id"]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        answer_everything(http, re.escape(EVIL) + ".*", status=201, json={"id": "1", "key": "ESC-1", "self": EVIL})
        Worker(database, box=box, allow_private_urls=False).drain()
        captured = [call.request for call in http.calls]
    sent = [(r.headers.get("Authorization"), str(r.body or "")) for r in captured]
    assert not any(auth for auth, _ in sent) and not any(TOKEN in body for _, body in sent)
    assert captured == []  # Jira is no longer live: the step ran as a dry-run
    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(token)).get_json()
    assert shown["mode"] == "dry_run" or shown["steps"][0]["status"] in ("dry_run", "skipped", "planned", "done")


def test_a_moved_zendesk_url_receives_no_credential_when_a_ticket_ref_is_assessed(client, installation):
    token = installation["api_token"]
    patch(client, token, {"zendesk.url": "https://acme.zendesk.com", "zendesk.email": "agent@acme.example",
                          "zendesk.api_token": ZENDESK_TOKEN})
    assert patch(client, token, {"zendesk.url": EVIL}).get_json()["cleared"] == ["zendesk.api_token"]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        answer_everything(http, ".*", status=200, json={})
        response = client.post("/v1/assessments", headers=bearer(token),
                               json={"ticket_ref": {"source": "zendesk", "id": "35436"}})
        captured = [call.request for call in http.calls]
    assert response.status_code == 409, response.get_json()  # no credentials for the new host
    assert captured == []


def test_the_url_and_its_token_together_go_to_the_new_host_with_only_the_new_token(client, installation, database, box):
    token = installation["api_token"]
    patch(client, token, JIRA_SETTINGS)
    patch(client, token, {"jira.url": "https://jira2.acme.example", "jira.api_token": "new-token-9999"})
    escalate(client, token, ticket=REFUND)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        http.add(responses.Response(method="POST", url="https://jira2.acme.example/rest/api/3/issue", status=201,
                                    json={"id": "10001", "key": "ESC-1", "self": "https://jira2.acme.example/x"}))
        answer_everything(http, ".*", status=200, json={})
        Worker(database, box=box, allow_private_urls=False).drain()
        headers = [call.request.headers.get("Authorization", "") for call in http.calls]
    expected = "Basic " + base64.b64encode(b"bot@acme.example:new-token-9999").decode()
    assert headers and all(h == expected for h in headers)


# --- echoed secrets are masked where errors are kept ----------------------------------------------


def test_a_jira_error_echoing_the_authorization_header_is_masked_in_the_step_and_the_audit_log(
        client, installation, database, box, caplog):
    token = installation["api_token"]
    patch(client, token, JIRA_SETTINGS)
    basic = base64.b64encode(f"bot@acme.example:{TOKEN}".encode()).decode()
    escalation_id = escalate(client, token, ticket=REFUND).get_json()["id"]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http, caplog.at_level(logging.INFO):
        answer_everything(http, re.escape(JIRA) + ".*", status=400, json={
            "errorMessages": [f"Header 'Authorization: Basic {basic}' is not allowed here "
                              f"(token {TOKEN}, unpadded {basic.rstrip('=')})"],
            "errors": {}})
        answer_everything(http, ".*", status=200, json={"ok": True})
        Worker(database, box=box, allow_private_urls=False).drain()
        assert any(basic in call.request.headers.get("Authorization", "") for call in http.calls)  # it was sent
    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(token)).get_json()
    audit = client.get(f"/v1/audit?escalation_id={escalation_id}", headers=bearer(token)).get_json()
    jira_step = next(step for step in shown["steps"] if step["name"] == "jira_issue")
    assert "Basic ***" in (jira_step["error"] or ""), jira_step
    stored = json.dumps([shown, audit]) + caplog.text
    assert "Basic ***" in json.dumps(audit)
    for form in (basic, basic.rstrip("="), basic[:12], TOKEN):
        assert form not in stored, form
