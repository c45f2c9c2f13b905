"""A signed Case event from the Salesforce package: assessed, and with policy `suggest` an unpublished CaseComment."""
from __future__ import annotations

import json
import time

import pytest

from sidecar.webhooks.verification import sign_salesforce
from tests.conftest import FIXTURES, bearer
from tests.escalation_support import configure, deliver
from tests.fakes import FakeVendors

CASE_ID = "500Hn00001XyZaBIAV"


@pytest.fixture
def fake():
    case = {"id": CASE_ID, "source": "salesforce", "subject": "Dashboard down again - we want a refund",
            "comments": [{"author": "customer", "body": "The dashboard is down for all our users.", "public": True}]}
    with FakeVendors(tickets=[case]) as vendors:
        yield vendors


@pytest.fixture
def salesforce(client, make_installation, fake):
    installation = make_installation(name="Acme on Salesforce", source="salesforce")
    configure(client, installation["api_token"], {
        "salesforce.instance_url": fake.salesforce_url, "salesforce.access_token": "00Dxx!session",
        "salesforce.webhook_secret": "sf-hook-secret"})
    client.put("/v1/settings/escalation", json={"proactive": "suggest"}, headers=bearer(installation["api_token"]))
    return installation


def angry_event() -> bytes:
    payload = json.loads((FIXTURES / "salesforce" / "webhook_comment_added.json").read_text())
    payload["comment"]["CommentBody"] = ("Still down after your last update. Our month-end close is blocked and we are "
                                         "losing money. I want to speak to a manager today, or we cancel the contract.")
    return json.dumps(payload).encode()


def test_a_signed_case_event_is_assessed_and_suggests_with_an_unpublished_comment(client, salesforce, fake, database,
                                                                                 box):
    raw = angry_event()
    url = f"/webhooks/salesforce/{salesforce['id']}"
    assert client.post(url, data=raw, content_type="application/json").status_code == 401
    response = client.post(url, data=raw, headers=sign_salesforce(raw, "sf-hook-secret", time.time()),
                           content_type="application/json")
    assert response.status_code == 200 and response.get_json()["status"] == "accepted"
    deliver(database, box)

    assessments = client.get(f"/v1/assessments?ticket_id={CASE_ID}", headers=bearer(salesforce["api_token"])).get_json()
    assert assessments["items"] and assessments["items"][0]["level"] in ("high", "critical")
    comments = [r for r in fake.requests("salesforce") if r["method"] == "POST" and r["path"].endswith("/CaseComment/")]
    assert len(comments) == 1
    body = comments[0]["body"]
    assert body["ParentId"] == CASE_ID and body["IsPublished"] is False
    assert "needs an expert" in body["CommentBody"] and "manager" in body["CommentBody"]


def test_a_synced_customer_comment_names_the_cases_contact(client, salesforce, fake, database, box):
    from tests.escalation_support import escalate

    ticket = {"id": CASE_ID, "source": "salesforce", "subject": "Dashboard down again - we want a refund",
              "comments": [{"author": "customer", "body": "The dashboard is down for all our users.", "public": True}]}
    escalation = escalate(client, salesforce["api_token"], ticket=ticket).get_json()
    deliver(database, box)
    raw = angry_event()
    client.post(f"/webhooks/salesforce/{salesforce['id']}", data=raw,
                headers=sign_salesforce(raw, "sf-hook-secret", time.time()), content_type="application/json")
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{escalation['id']}", headers=bearer(salesforce["api_token"])).get_json()
    comment = [e for e in shown["timeline"] if e["kind"] == "customer_comment"]
    assert len(comment) == 1 and comment[0]["actor"] == "Priya Raman"
