"""Every console page renders; the directory, rules, settings, connections and queue change through the forms
with the API's validation, and refusals are shown in words."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import responses

from sidecar.store.models import AuditEntry, Job

PAGES = ("/admin/", "/admin/connections", "/admin/directory", "/admin/routing-rules", "/admin/settings",
         "/admin/queue", "/admin/inbound", "/admin/audit")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _next_route(console, team: str) -> str:
    found = re.search(rf'data-test="next-route" data-team="{team}">([^<]+)<', _text(console.get("/admin/directory")))
    assert found, f"no next route shown for {team}"
    return found.group(1)


def _team_id(console, name: str) -> str:
    return next(t["id"] for t in console.get("/v1/teams", headers=console.bearer).get_json() if t["name"] == name)


def _expert_id(console, email: str) -> str:
    return next(e["id"] for e in console.get("/v1/experts", headers=console.bearer).get_json() if e["email"] == email)


@pytest.fixture
def billing(console, installation):
    """A Billing team with Ana and Bo, made through the console's forms."""
    console.bearer = {"Authorization": f"Bearer {installation['api_token']}"}
    assert console.post("/admin/directory/teams", data={"csrf_token": console.csrf, "name": "Billing",
                                                        "categories": ["billing_refund"]}).status_code == 302
    team_id = _team_id(console, "Billing")
    for name, categories in (("Ana", ["billing_refund"]), ("Bo", [])):
        answer = console.post("/admin/directory/experts", data={
            "csrf_token": console.csrf, "name": name, "email": f"{name.lower()}@acme.example", "team_id": team_id,
            "categories": categories, "capacity": "5", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "start": "00:00", "end": "23:59", "timezone": "UTC", "slack_user_id": f"U{name.upper()}", "active": "on"})
        assert answer.status_code == 302, _text(answer)
    return team_id


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders(console, page):
    answer = console.get(page)
    assert answer.status_code == 200
    assert "<main" in _text(answer) and "<nav" in _text(answer) and "<h1>" in _text(answer)


def test_experts_are_created_edited_and_removed(console, billing):
    experts = console.get("/v1/experts", headers=console.bearer).get_json()
    assert {e["name"]: e["slack_user_id"] for e in experts} == {"Ana": "UANA", "Bo": "UBO"}
    ana = _expert_id(console, "ana@acme.example")
    form = console.get(f"/admin/directory/experts/{ana}")
    assert form.status_code == 200 and "ana@acme.example" in _text(form)
    answer = console.post(f"/admin/directory/experts/{ana}", data={
        "csrf_token": console.csrf, "name": "Ana Lima", "email": "ana@acme.example", "team_id": billing,
        "capacity": "3", "days": ["mon"], "start": "08:00", "end": "16:00", "timezone": "Europe/Lisbon",
        "tags": "refunds, invoices", "out_of_office": "2030-01-01 2030-01-05 holiday", "active": "on"})
    assert answer.status_code == 302
    edited = console.get(f"/v1/experts/{ana}", headers=console.bearer).get_json()
    assert edited["name"] == "Ana Lima" and edited["capacity"] == 3 and edited["tags"] == ["refunds", "invoices"]
    assert edited["timezone"] == "Europe/Lisbon" and edited["working_hours"] == {"days": ["mon"], "start": "08:00",
                                                                                   "end": "16:00"}
    assert edited["out_of_office"] == [{"start": "2030-01-01", "end": "2030-01-05", "note": "holiday"}]
    assert console.post(f"/admin/directory/experts/{ana}/delete", data={"csrf_token": console.csrf}).status_code == 302
    assert [e["name"] for e in console.get("/v1/experts", headers=console.bearer).get_json()] == ["Bo"]


def test_a_team_is_edited_and_removed_with_its_experts(console, billing):
    answer = console.post(f"/admin/directory/teams/{billing}", data={
        "csrf_token": console.csrf, "name": "Billing EU", "slack_channel": "C0BILL", "categories": ["billing_refund"]})
    assert answer.status_code == 302
    assert console.get(f"/v1/teams/{billing}", headers=console.bearer).get_json()["slack_channel"] == "C0BILL"
    assert console.post(f"/admin/directory/teams/{billing}/delete",
                        data={"csrf_token": console.csrf}).status_code == 302
    assert console.get("/v1/experts", headers=console.bearer).get_json() == []


def test_out_of_office_changes_the_next_route(console, billing):
    assert _next_route(console, "Billing").startswith("Next ticket for Billing goes to Ana")
    ana = _expert_id(console, "ana@acme.example")
    answer = console.post(f"/admin/directory/experts/{ana}/away", data={"csrf_token": console.csrf})
    assert answer.status_code == 302
    assert _next_route(console, "Billing").startswith("Next ticket for Billing goes to Bo")
    today = datetime.now(UTC).date().isoformat()
    assert console.get(f"/v1/experts/{ana}", headers=console.bearer).get_json()["out_of_office"][0]["start"] == today
    console.post(f"/admin/directory/experts/{ana}/back", data={"csrf_token": console.csrf})
    assert _next_route(console, "Billing").startswith("Next ticket for Billing goes to Ana")
    assert console.get(f"/v1/experts/{ana}", headers=console.bearer).get_json()["out_of_office"] == []


def test_a_bad_expert_form_is_shown_again_with_the_problems_in_words(console, billing):
    answer = console.post("/admin/directory/experts", data={
        "csrf_token": console.csrf, "name": "Cy", "email": "not-an-email", "team_id": billing, "capacity": "many",
        "timezone": "Mars/Olympus", "start": "25:00", "end": "17:00"})
    assert answer.status_code == 422
    text = _text(answer)
    for words in ("email: Not a valid email address.", "capacity: Not a valid integer.",
                  "unknown time zone", "working_hours.start: must be HH:MM (24-hour)"):
        assert words in text, words
    assert 'value="Cy"' in text  # what was typed is kept


def test_a_duplicate_team_is_refused_with_the_api_words(console, billing):
    answer = console.post("/admin/directory/teams", data={"csrf_token": console.csrf, "name": "Billing"})
    assert answer.status_code == 409 and "a team named &#39;Billing&#39; already exists" in _text(answer)


def test_routing_rules_are_saved_and_refused_as_the_api_does(console, billing):
    body = json.dumps({"rules": [{"name": "Refunds", "team_id": billing, "when": {"category": ["billing_refund"]}}]})
    assert console.post("/admin/routing-rules", data={"csrf_token": console.csrf, "rules": body}).status_code == 302
    assert "Refunds" in _text(console.get("/admin/routing-rules"))
    refused = console.post("/admin/routing-rules", data={"csrf_token": console.csrf, "rules": '{"rules": [{"name": '})
    assert refused.status_code == 422 and "the JSON is not valid" in _text(refused)
    empty = console.post("/admin/routing-rules", data={
        "csrf_token": console.csrf, "rules": json.dumps({"rules": [{"name": "x", "team_id": billing, "when": {}}]})})
    assert empty.status_code == 422 and "a rule needs at least one condition" in _text(empty)


def test_settings_are_saved_and_refused_as_the_api_does(console, installation):
    bearer = {"Authorization": f"Bearer {installation['api_token']}"}
    assert console.post("/admin/settings/escalation", data={"csrf_token": console.csrf,
                                                            "escalation": '{"ack_minutes": 45}'}).status_code == 302
    assert console.get("/v1/settings/escalation", headers=bearer).get_json()["ack_minutes"] == 45
    refused = console.post("/admin/settings/scoring", data={"csrf_token": console.csrf,
                                                            "scoring": '{"escalate_threshold": 3}'})
    assert refused.status_code == 422 and "escalate_threshold: Must be greater than or equal to 0" in _text(refused)
    assert console.post("/admin/settings/scoring", data={"csrf_token": console.csrf,
                                                         "scoring": '{"escalate_threshold": 0.7}'}).status_code == 302
    assert console.get("/v1/settings/scoring", headers=bearer).get_json()["escalate_threshold"] == 0.7


@responses.activate
def test_the_connection_check_runs_the_installation_check(console, installation):
    responses.add(responses.GET, "https://acme.atlassian.net/rest/api/3/myself",
                  json={"displayName": "Escalation Bot", "accountId": "5b10"})
    saved = console.post("/admin/connections", data={
        "csrf_token": console.csrf, "jira.url": "https://acme.atlassian.net", "jira.email": "bot@acme.example",
        "jira.api_token": "jira-secret-value", "jira.project": "ESC"})
    assert saved.status_code == 302
    page = _text(console.get("/admin/connections"))
    assert "jira-secret-value" not in page and "secret: set" in page
    checked = _text(console.post("/admin/connections/check", data={"csrf_token": console.csrf}))
    assert "Jira works: signed in as Escalation Bot" in checked
    assert "Slack is not configured (set slack.bot_token)" in checked
    assert "jira-secret-value" not in checked
    audit = console.get("/v1/audit", headers={"Authorization": f"Bearer {installation['api_token']}"})
    entry = next(e for e in audit.get_json()["items"] if e["action"] == "connections.update")
    assert "jira.api_token" in entry["detail"] and "jira-secret-value" not in audit.get_data(as_text=True)


def test_a_bad_connection_value_is_refused_in_words(console):
    answer = console.post("/admin/connections", data={"csrf_token": console.csrf, "jira.url": "ftp://nope"})
    assert answer.status_code == 422 and "jira.url: must be an https URL" in _text(answer)


def test_a_dead_job_is_shown_with_its_error_and_retried(console, dead_job, database):
    page = _text(console.get("/admin/queue?state=dead"))
    assert dead_job in page and "Slack refused the bot token: invalid_auth" in page
    answer = console.post(f"/admin/queue/{dead_job}/retry", data={"csrf_token": console.csrf})
    assert answer.status_code == 302
    with database.session() as session:
        assert session.get(Job, dead_job).status == "queued"
        entry = session.query(AuditEntry).filter_by(job_id=dead_job).one()
        assert entry.action == "job.retry" and "the console (token installation:" in entry.detail
    assert dead_job in _text(console.get("/admin/queue?state=queued"))
    with database.session() as session:
        session.get(Job, dead_job).status = "done"
    again = console.post(f"/admin/queue/{dead_job}/retry", data={"csrf_token": console.csrf})
    assert again.status_code == 409 and "only dead or queued jobs can be retried" in _text(again)


def test_the_queue_filter_refuses_an_unknown_state_in_words(console):
    answer = console.get("/admin/queue?state=exploded")
    assert answer.status_code == 200 and "state must be one of" in _text(answer)


def test_the_logs_page_on_with_filters(console, database, installation):
    with database.session() as session:
        for number in range(60):
            session.add(AuditEntry(installation_id=installation["id"], system="jira", action="issue.create",
                                   target=f"ESC-{number}", outcome="ok"))
    first = _text(console.get("/admin/audit?system=jira"))
    assert "ESC-59" in first and "ESC-9<" not in first
    older = re.search(r'href="([^"]+before=[^"]+)"', first).group(1).replace("&amp;", "&")
    assert "ESC-9<" in _text(console.get(older))
    assert "No audit entries" in _text(console.get("/admin/audit?system=slack"))
    refused = console.get("/admin/inbound?status=exploded")
    assert refused.status_code == 200 and "status: Must be one of" in _text(refused)


def test_directory_and_settings_changes_are_audited_through_either_door(console, billing, installation):
    bearer = {"Authorization": f"Bearer {installation['api_token']}"}
    console.patch(f"/v1/teams/{billing}", json={"description": "Refunds and invoices"}, headers=bearer)
    console.post("/admin/settings/escalation", data={"csrf_token": console.csrf, "escalation": '{"ack_minutes": 20}'})
    actions = [entry["action"] for entry in console.get("/v1/audit", headers=bearer).get_json()["items"]]
    assert actions.count("expert.create") == 2 and "team.create" in actions
    assert "team.update" in actions and "settings.escalation" in actions
    assert "settings.escalation" in _text(console.get("/admin/audit?system=sidecar"))
