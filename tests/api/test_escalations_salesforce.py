"""Escalating a Salesforce Case: an unpublished CaseComment and the Jira key on the Case, exactly once."""
from __future__ import annotations

import copy

import pytest

from tests.conftest import bearer
from tests.escalation_support import REFUND, configure, deliver, escalate
from tests.fakes import FakeVendors

CASE_ID = "500Hs00001XyZaBIAV"
CASE = {**copy.deepcopy(REFUND), "id": CASE_ID, "source": "salesforce"}


@pytest.fixture
def fake():
    with FakeVendors(tickets=[CASE]) as vendors:
        yield vendors


@pytest.fixture
def salesforce(client, make_installation, fake):
    installation = make_installation(name="Acme on Salesforce", source="salesforce")
    configure(client, installation["api_token"], {
        "salesforce.instance_url": fake.salesforce_url, "salesforce.access_token": "00Dxx!session",
        "jira.url": fake.jira_url, "jira.email": "bot@acme.example", "jira.api_token": "t", "jira.project": "ESC",
    })
    return installation


def test_a_case_gets_one_private_comment_and_the_jira_key(client, salesforce, fake, database, box):
    escalation_id = escalate(client, salesforce["api_token"], ticket=CASE).get_json()["id"]
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(salesforce["api_token"])).get_json()
    assert shown["status"] == "delivered", shown["steps"]
    assert shown["ticket"]["url"].endswith(f"/lightning/r/Case/{CASE_ID}/view")
    comments = [r for r in fake.requests("salesforce") if r["method"] == "POST" and r["path"].endswith("/CaseComment/")]
    assert len(comments) == 1
    assert comments[0]["body"]["ParentId"] == CASE_ID and comments[0]["body"]["IsPublished"] is False
    assert shown["jira"]["key"] in comments[0]["body"]["CommentBody"]
    updates = [r for r in fake.requests("salesforce") if r["method"] == "PATCH"]
    assert len(updates) == 1 and updates[0]["body"] == {"Jira_Key__c": shown["jira"]["key"]}


def test_a_retried_note_finds_the_comment_it_already_wrote(client, salesforce, fake, database, box):
    fake.fail("salesforce", method="PATCH", status=503, times=1)  # the comment is written, the field update fails
    escalation_id = escalate(client, salesforce["api_token"], ticket=CASE).get_json()["id"]
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(salesforce["api_token"])).get_json()
    assert shown["status"] == "delivered" and shown["steps"][2]["attempts"] == 2
    comments = [r for r in fake.requests("salesforce") if r["method"] == "POST" and r["path"].endswith("/CaseComment/")]
    assert len(comments) == 1
