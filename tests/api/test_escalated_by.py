"""Who escalated is recorded on the escalation, in the Jira issue, the ticket note, Slack and the audit log."""
from __future__ import annotations

import json

from sidecar.clients.jira import adf_to_text
from tests.conftest import bearer, zaf_jwt
from tests.escalation_support import REFUND, deliver, jira_creates, slack_posts, zendesk_notes

DANA = {"id": "9001", "name": "Dana Lee", "email": "dana@acme.example"}


def test_the_escalating_agent_is_named_everywhere_the_escalation_is_written(client, live, fake, database, box):
    response = client.post("/v1/escalations", json={"ticket": REFUND, "escalated_by": DANA},
                           headers=bearer(zaf_jwt(live)))
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["escalated_by"] == {**DANA, "verified": False}

    deliver(database, box)

    issue_text = adf_to_text(jira_creates(fake)[0]["body"]["fields"]["description"])
    assert "Escalated by: Dana Lee (dana@acme.example) (as reported by the help desk app)" in issue_text
    note = zendesk_notes(fake)[0]["body"]["ticket"]["comment"]["body"]
    assert "Escalated by: Dana Lee (dana@acme.example)" in note
    assert "Dana Lee" in json.dumps(slack_posts(fake)[0]["body"]["blocks"])

    audit = client.get("/v1/audit", headers=bearer(live["api_token"])).get_json()["items"]
    created = [e for e in audit if e["action"] == "escalation.create"]
    assert len(created) == 1
    assert created[0]["detail"] == ("escalated by Dana Lee (dana@acme.example) (as the app reports it; "
                                    "credential: zaf jwt)")
    timeline = client.get(f"/v1/escalations/{body['id']}", headers=bearer(live["api_token"])).get_json()["timeline"]
    assert timeline[0]["actor"] == "Dana Lee (dana@acme.example)"


def test_without_a_name_nothing_is_claimed(client, live, fake, database, box):
    response = client.post("/v1/escalations", json={"ticket": REFUND}, headers=bearer(live["api_token"]))
    assert response.get_json()["escalated_by"] is None
    deliver(database, box)
    assert "Escalated by" not in zendesk_notes(fake)[0]["body"]["ticket"]["comment"]["body"]
    audit = client.get("/v1/audit", headers=bearer(live["api_token"])).get_json()["items"]
    assert [e["detail"] for e in audit if e["action"] == "escalation.create"] == [
        "escalated by an unnamed agent (as the app reports it; credential: installation token)"]


def test_a_malformed_escalated_by_is_422_naming_the_field(client, live):
    response = client.post("/v1/escalations", json={"ticket": REFUND, "escalated_by": {"email": "not an email"}},
                           headers=bearer(live["api_token"]))
    assert response.status_code == 422
    assert "escalated_by" in response.get_json()["error"]["details"]
