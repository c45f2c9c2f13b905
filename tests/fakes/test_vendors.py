"""The vendor fakes answer like the vendors document, record requests and inject faults."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from sidecar.clients.errors import ApiNotFound
from sidecar.clients.zendesk import ZendeskClient
from tests.fakes.vendors import FakeVendors

ROOT = Path(__file__).resolve().parents[2]
DEMO_TICKETS = ROOT / "sidecar" / "demo" / "tickets.json"
SALESFORCE_TICKET = {
    "id": "500FK0000000042", "source": "salesforce", "subject": "Export fails",
    "description": "The nightly export fails.", "requester": {"name": "Ann Lee", "email": "ann@example.com"},
    "comments": [
        {"author": "customer", "body": "The nightly export fails.", "public": True,
         "created_at": "2026-11-20T09:00:00Z"},
        {"author": "agent", "body": "Looking into it.", "public": False, "created_at": "2026-11-20T10:00:00Z"},
    ],
}


def adf(text: str) -> dict:
    return {"type": "doc", "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]}


@pytest.fixture(scope="module")
def server():
    with FakeVendors(tickets=[*json.loads(DEMO_TICKETS.read_text()), SALESFORCE_TICKET],
                     jira_projects=("ESC", "OPS")) as fake:
        yield fake


@pytest.fixture
def fake(server):
    server.reset()
    return server


@pytest.fixture
def jira(fake):
    session = requests.Session()
    session.auth = ("bot@example.com", "jira-token")
    return session


@pytest.fixture
def slack(fake):
    session = requests.Session()
    session.headers["Authorization"] = "Bearer xoxb-test"
    return session


@pytest.fixture
def zendesk(fake):
    session = requests.Session()
    session.auth = ("agent@example.com/token", "zendesk-token")
    return session


@pytest.fixture
def salesforce(fake):
    session = requests.Session()
    session.headers["Authorization"] = "Bearer 00Dxx!session"
    return session


def create_issue(fake, jira, **fields) -> dict:
    body = {"project": {"key": "ESC"}, "issuetype": {"name": "Bug"}, "summary": "Refund the duplicate charge",
            "description": adf("Customer was charged twice."), **fields}
    response = jira.post(f"{fake.jira_url}/rest/api/3/issue", json={"fields": body})
    assert response.status_code == 201, response.text
    return response.json()


# -- Jira ------------------------------------------------------------------------------------

def test_jira_auth_is_required(fake, jira):
    assert jira.get(f"{fake.jira_url}/rest/api/3/myself").json()["emailAddress"] == "bot@example.com"
    anonymous = requests.get(f"{fake.jira_url}/rest/api/3/myself")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"errorMessages": [
        "You are not authenticated. Authentication required to perform this operation."], "errors": {}}


def test_credentials_are_checked_when_given():
    credentials = {"jira": {"email": "bot@example.com", "api_token": "right"}, "slack": {"token": "xoxb-right"},
                   "zendesk": {"email": "a@b.c", "api_token": "zt"}, "salesforce": {"access_token": "sf"}}
    with FakeVendors(credentials=credentials) as fake:
        assert requests.get(f"{fake.jira_url}/rest/api/3/myself", auth=("bot@example.com", "right")).ok
        assert requests.get(f"{fake.jira_url}/rest/api/3/myself", auth=("bot@example.com", "wrong")).status_code == 401
        wrong = requests.post(f"{fake.slack_url}/auth.test", headers={"Authorization": "Bearer xoxb-wrong"})
        assert (wrong.status_code, wrong.json()) == (200, {"ok": False, "error": "invalid_auth"})
        assert requests.post(f"{fake.slack_url}/auth.test", data={"token": "xoxb-right"}).json()["ok"] is True
        me = requests.get(f"{fake.zendesk_url}/api/v2/users/me.json", auth=("a@b.c/token", "zt"))
        assert me.json()["user"]["email"] == "a@b.c"
        assert requests.get(f"{fake.zendesk_url}/api/v2/users/me.json", auth=("a@b.c", "zt")).status_code == 401
        limits = requests.get(f"{fake.salesforce_url}/services/data/v62.0/limits",
                              headers={"Authorization": "Bearer x"})
        assert limits.status_code == 401 and limits.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_jira_create_and_get_issue(fake, jira):
    created = create_issue(fake, jira, labels=["zendesk-48213", "escalation"], customfield_10050="48213")
    assert created["key"] == "ESC-1" and created["id"].isdigit()
    assert created["self"] == f"{fake.jira_url}/rest/api/3/issue/{created['id']}"
    issue = jira.get(f"{fake.jira_url}/rest/api/3/issue/ESC-1").json()
    fields = issue["fields"]
    assert issue["key"] == "ESC-1"
    assert fields["summary"] == "Refund the duplicate charge"
    assert fields["status"]["name"] == "To Do" and fields["status"]["statusCategory"]["key"] == "new"
    assert fields["labels"] == ["zendesk-48213", "escalation"]
    assert fields["description"] == adf("Customer was charged twice.")
    assert fields["customfield_10050"] == "48213"
    assert jira.get(f"{fake.jira_url}/rest/api/3/issue/{created['id']}?fields=summary").json()["fields"] == {
        "summary": "Refund the duplicate charge"}
    assert create_issue(fake, jira, project={"key": "OPS"})["key"] == "OPS-1"
    missing = jira.get(f"{fake.jira_url}/rest/api/3/issue/ESC-99")
    assert missing.status_code == 404 and missing.json()["errorMessages"]


@pytest.mark.parametrize(("fields", "field_name"), [
    ({"description": "plain text"}, "description"),
    ({"labels": ["has space"]}, "labels"),
    ({"summary": "x" * 256}, "summary"),
    ({"summary": ""}, "summary"),
    ({"project": {"key": "NOPE"}}, "project"),
    ({"issuetype": {"name": "Nope"}}, "issuetype"),
    ({"colour": "red"}, "colour"),
])
def test_jira_create_rejects_what_v3_rejects(fake, jira, fields, field_name):
    body = {"project": {"key": "ESC"}, "issuetype": {"name": "Task"}, "summary": "ok", **fields}
    response = jira.post(f"{fake.jira_url}/rest/api/3/issue", json={"fields": body})
    assert response.status_code == 400
    assert field_name in response.json()["errors"]
    if field_name == "description":
        assert "Atlassian Document" in response.json()["errors"]["description"]


def test_jira_edit_issue_and_transition(fake, jira):
    create_issue(fake, jira, labels=["a"])
    response = jira.put(f"{fake.jira_url}/rest/api/3/issue/ESC-1",
                        json={"fields": {"summary": "New summary"},
                              "update": {"labels": [{"add": "b"}, {"remove": "a"}]}})
    assert response.status_code == 204 and response.content == b""
    fields = jira.get(f"{fake.jira_url}/rest/api/3/issue/ESC-1").json()["fields"]
    assert (fields["summary"], fields["labels"]) == ("New summary", ["b"])
    assert jira.put(f"{fake.jira_url}/rest/api/3/issue/ESC-1",
                    json={"fields": {"description": "text"}}).status_code == 400
    transitions = jira.get(f"{fake.jira_url}/rest/api/3/issue/ESC-1/transitions").json()["transitions"]
    done = next(t["id"] for t in transitions if t["to"]["statusCategory"]["key"] == "done")
    assert jira.post(f"{fake.jira_url}/rest/api/3/issue/ESC-1/transitions",
                     json={"transition": {"id": done}}).status_code == 204
    assert jira.get(f"{fake.jira_url}/rest/api/3/issue/ESC-1").json()["fields"]["resolution"]["name"] == "Done"


def test_jira_search_supports_the_sidecars_jql(fake, jira):
    create_issue(fake, jira, labels=["zendesk-48213"])
    create_issue(fake, jira, summary="Login page broken", description=adf("SSO login fails"), labels=["zendesk-7"])
    create_issue(fake, jira, project={"key": "OPS"}, summary="Other project")
    search = f"{fake.jira_url}/rest/api/3/search/jql"

    def keys(jql: str) -> list[str]:
        response = jira.get(search, params={"jql": jql, "fields": "summary,labels,status"})
        assert response.status_code == 200, response.text
        assert response.json()["isLast"] is True
        return sorted(issue["key"] for issue in response.json()["issues"])

    assert keys('labels = "zendesk-48213"') == ["ESC-1"]
    assert keys('project = "ESC" AND statusCategory != Done') == ["ESC-1", "ESC-2"]
    assert keys('key = ESC-2') == ["ESC-2"]
    assert keys('project = ESC AND text ~ "sso login"') == ["ESC-2"]
    assert keys('text ~ "charged twice" AND labels = zendesk-48213') == ["ESC-1"]
    jira.post(f"{fake.jira_url}/rest/api/3/issue/ESC-1/transitions", json={"transition": {"id": "31"}})
    assert keys('labels = "zendesk-48213" AND statusCategory != Done') == []
    for bad in ('labels = a OR labels = b', 'assignee = currentUser()', 'project = "NOPE"', 'key = ESC-99', ''):
        response = jira.get(search, params={"jql": bad})
        assert response.status_code == 400, bad
        assert response.json()["errorMessages"], bad
    ids_only = jira.get(search, params={"jql": "project = ESC"}).json()
    assert ids_only["issues"] == [{"id": "10001"}, {"id": "10000"}]  # newest first, ids only by default


def test_jira_search_paginates_with_next_page_token(fake, jira):
    for _ in range(5):
        create_issue(fake, jira, labels=["bulk"])
    url = f"{fake.jira_url}/rest/api/3/search/jql"
    first = jira.get(url, params={"jql": "labels = bulk", "fields": "summary", "maxResults": 2}).json()
    assert len(first["issues"]) == 2 and first["isLast"] is False and first["nextPageToken"]
    seen = [issue["key"] for issue in first["issues"]]
    token = first["nextPageToken"]
    while token:
        page = jira.get(url, params={"jql": "labels = bulk", "fields": "summary", "maxResults": 2,
                                     "nextPageToken": token}).json()
        seen += [issue["key"] for issue in page["issues"]]
        token = page.get("nextPageToken")
        assert page["isLast"] is (token is None)
    assert sorted(seen) == [f"ESC-{n}" for n in range(1, 6)]
    posted = jira.post(url, json={"jql": "labels = bulk", "fields": ["summary"], "maxResults": 10}).json()
    assert len(posted["issues"]) == 5


def test_jira_comments(fake, jira):
    create_issue(fake, jira)
    url = f"{fake.jira_url}/rest/api/3/issue/ESC-1/comment"
    created = jira.post(url, json={"body": adf("Customer replied")})
    assert created.status_code == 201
    assert {"id", "body", "author", "created"} <= set(created.json())
    assert created.json()["body"] == adf("Customer replied")
    assert jira.post(url, json={"body": "plain"}).status_code == 400
    listing = jira.get(url).json()
    assert (listing["startAt"], listing["total"], len(listing["comments"])) == (0, 1, 1)
    assert listing["maxResults"] >= 1


def test_jira_remote_link_upsert_by_global_id(fake, jira):
    create_issue(fake, jira)
    url = f"{fake.jira_url}/rest/api/3/issue/ESC-1/remotelink"
    link = {"globalId": "zendesk:acme:ticket:48213", "relationship": "Zendesk ticket",
            "object": {"url": "https://acme.zendesk.com/agent/tickets/48213", "title": "Zendesk #48213"}}
    first = jira.post(url, json=link)
    assert first.status_code == 201 and set(first.json()) == {"id", "self"}
    second = jira.post(url, json={**link, "object": {**link["object"], "title": "Zendesk #48213 (solved)"}})
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    links = jira.get(url).json()
    assert len(links) == 1 and links[0]["object"]["title"] == "Zendesk #48213 (solved)"
    assert jira.post(url, json={**link, "globalId": "other"}).status_code == 201
    assert len(jira.get(url).json()) == 2
    assert jira.get(url, params={"globalId": "other"}).json()["globalId"] == "other"
    assert jira.post(url, json={"object": {"url": "https://x"}}).status_code == 400


def test_jira_issue_properties(fake, jira):
    create_issue(fake, jira)
    url = f"{fake.jira_url}/rest/api/3/issue/ESC-1/properties/sidecar.escalation"
    assert jira.get(url).status_code == 404
    assert jira.put(url, json={"ticket": "48213"}).status_code == 201
    assert jira.put(url, json={"ticket": "48213", "n": 2}).status_code == 200
    assert jira.get(url).json() == {"key": "sidecar.escalation", "value": {"ticket": "48213", "n": 2}}
    assert fake.state()["jira"]["properties"]["ESC-1"] == {"sidecar.escalation": {"ticket": "48213", "n": 2}}


# -- Slack -----------------------------------------------------------------------------------

def test_slack_auth(fake, slack):
    answer = slack.post(f"{fake.slack_url}/auth.test").json()
    assert answer["ok"] is True and answer["user_id"] and answer["team_id"]
    assert requests.post(f"{fake.slack_url}/auth.test").json() == {"ok": False, "error": "not_authed"}
    assert slack.post(f"{fake.slack_url}/nope.method").json()["error"] == "unknown_method"


def test_slack_post_message_json_and_form(fake, slack):
    first = slack.post(f"{fake.slack_url}/chat.postMessage",
                       json={"channel": "C0ESCALATE", "text": "New escalation"}).json()
    assert first["ok"] is True and first["channel"] == "C0ESCALATE"
    assert first["message"]["text"] == "New escalation" and first["message"]["ts"] == first["ts"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Refund*"}}]
    second = slack.post(f"{fake.slack_url}/chat.postMessage",
                        data={"channel": "#escalations", "text": "fallback", "blocks": json.dumps(blocks)}).json()
    assert second["ok"] is True and second["channel"].startswith("C") and second["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    reply = slack.post(f"{fake.slack_url}/chat.postMessage",
                       json={"channel": "C0ESCALATE", "text": "update", "thread_ts": first["ts"]}).json()
    assert reply["message"]["thread_ts"] == first["ts"]
    dm = slack.post(f"{fake.slack_url}/chat.postMessage", json={"channel": "U0EXPERT1", "text": "Please look"}).json()
    opened = slack.post(f"{fake.slack_url}/conversations.open", data={"users": "U0EXPERT1"}).json()
    assert dm["channel"] == opened["channel"]["id"] == "DU0EXPERT1"
    errors = [
        slack.post(f"{fake.slack_url}/chat.postMessage", json={"channel": "C0ESCALATE"}).json(),
        slack.post(f"{fake.slack_url}/chat.postMessage", json={"text": "no channel"}).json(),
        slack.post(f"{fake.slack_url}/chat.postMessage",
                   json={"channel": "C1", "text": "x", "metadata": {"x": 1}}).json(),
    ]
    assert [e["error"] for e in errors] == ["no_text", "channel_not_found", "invalid_metadata_format"]
    permalink = slack.get(f"{fake.slack_url}/chat.getPermalink",
                          params={"channel": "C0ESCALATE", "message_ts": first["ts"]}).json()
    assert permalink["ok"] and permalink["permalink"].endswith(f"/archives/C0ESCALATE/p{first['ts'].replace('.', '')}")
    missing = slack.get(f"{fake.slack_url}/chat.getPermalink", params={"channel": "C0ESCALATE", "message_ts": "1.2"})
    assert missing.json() == {"ok": False, "error": "message_not_found"}


def test_slack_history_metadata_only_when_asked(fake, slack):
    metadata = {"event_type": "escalation_created", "event_payload": {"ticket": "48213"}}
    posted = [slack.post(f"{fake.slack_url}/chat.postMessage",
                         json={"channel": "C0ESCALATE", "text": f"message {n}", "metadata": metadata}).json()
              for n in range(3)]
    slack.post(f"{fake.slack_url}/chat.postMessage",
               json={"channel": "C0ESCALATE", "text": "a reply", "thread_ts": posted[0]["ts"]})
    plain = slack.get(f"{fake.slack_url}/conversations.history", params={"channel": "C0ESCALATE"}).json()
    assert [m["text"] for m in plain["messages"]] == ["message 2", "message 1", "message 0"]  # newest first, no replies
    assert all("metadata" not in m for m in plain["messages"])
    assert plain["messages"][2]["reply_count"] == 1
    full = slack.post(f"{fake.slack_url}/conversations.history",
                      data={"channel": "C0ESCALATE", "include_all_metadata": "true", "limit": 2}).json()
    assert [m["metadata"] for m in full["messages"]] == [metadata, metadata]
    assert full["has_more"] is True and full["response_metadata"]["next_cursor"]
    rest = slack.post(f"{fake.slack_url}/conversations.history",
                      data={"channel": "C0ESCALATE", "limit": 2,
                            "cursor": full["response_metadata"]["next_cursor"]}).json()
    assert [m["text"] for m in rest["messages"]] == ["message 0"] and rest["has_more"] is False
    newer = slack.get(f"{fake.slack_url}/conversations.history",
                      params={"channel": "C0ESCALATE", "oldest": posted[1]["ts"]}).json()
    assert [m["text"] for m in newer["messages"]] == ["message 2"]


def test_slack_usergroup_members_as_slack_answers_them(fake, slack):
    fake.slack_usergroup("S0ONCALL", ["U060R4BJ4", "W123A4BC5"])
    answer = slack.get(f"{fake.slack_url}/usergroups.users.list", params={"usergroup": "S0ONCALL"}).json()
    assert answer == {"ok": True, "users": ["U060R4BJ4", "W123A4BC5"]}
    assert slack.post(f"{fake.slack_url}/usergroups.users.list", data={"usergroup": "S0NOPE"}).json() == {
        "ok": False, "error": "no_such_subteam"}
    assert slack.get(f"{fake.slack_url}/usergroups.users.list").json()["error"] == "invalid_arguments"
    assert requests.get(f"{fake.slack_url}/usergroups.users.list", params={"usergroup": "S0ONCALL"}).json() == {
        "ok": False, "error": "not_authed"}


def test_slack_response_url_takes_five_messages_without_a_token(fake):
    url = fake.slack_response_url(user="U0ALICE", channel="C0ESCALATE")
    assert url.startswith(f"{fake.url}/slack/hooks/actions/")
    message = {"response_type": "ephemeral", "replace_original": False, "text": "Only experts can acknowledge."}
    first = requests.post(url, json=message)
    assert (first.status_code, first.json()) == (200, {"ok": True})
    assert requests.post(url, json={"response_type": "ephemeral"}).json() == {"ok": False, "error": "no_text"}
    for _ in range(4):
        assert requests.post(url, json=message).json() == {"ok": True}
    sixth = requests.post(url, json=message)
    assert (sixth.status_code, sixth.json()["error"]) == (404, "used_url")
    assert requests.post(url.rsplit("/", 1)[0] + "/guessed", json=message).json()["error"] == "expired_url"
    responses = fake.state()["slack"]["responses"]
    assert len(responses) == 5 and responses[0] == {
        "user": "U0ALICE", "channel": "C0ESCALATE", "response_type": "ephemeral", "replace_original": False,
        "delete_original": None, "text": "Only experts can acknowledge.", "blocks": None}
    assert fake.requests("slack")[0]["path"].startswith("/hooks/actions/")


def test_slack_timestamps_are_unique_under_concurrency(fake):
    session_url = f"{fake.slack_url}/chat.postMessage"
    results: list[str] = []

    def post_many() -> None:
        with requests.Session() as session:
            for n in range(15):
                answer = session.post(session_url, json={"channel": "C0LOAD", "text": str(n)},
                                      headers={"Authorization": "Bearer xoxb"}).json()
                results.append(answer["ts"])

    threads = [threading.Thread(target=post_many) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == len(set(results)) == 90
    assert len(fake.state()["slack"]["messages"]) == 90


# -- Zendesk ---------------------------------------------------------------------------------

def test_zendesk_fetch_through_our_client(fake):
    client = ZendeskClient(credentials={"subdomain": "acme", "email": "a@b.c", "api_token": "t",
                                        "base_url": fake.zendesk_url}, allow_private=True)  # the fake is on 127.0.0.1
    ticket = client.fetch_ticket("48213")
    assert ticket.id == "48213" and ticket.subject.startswith("Charged twice")
    assert ticket.requester.email == "dana@northwind.example"
    assert ticket.organization.name == "Northwind Traders" and ticket.organization.arr == 57600
    assert ticket.organization.tier == "business"
    assert [c.author for c in ticket.comments] == ["bot", "customer"]  # the description comment is dropped
    assert ticket.tags == ("billing",) and ticket.status == "open"
    outage = client.fetch_ticket(48215)
    assert "agent" in [c.author for c in outage.comments]
    with pytest.raises(ApiNotFound):
        client.fetch_ticket(99999)


def test_zendesk_update_ticket_comment_tags_and_fields(fake, zendesk):
    url = f"{fake.zendesk_url}/api/v2/tickets/48213.json"
    assert zendesk.get(f"{fake.zendesk_url}/api/v2/users/me.json").json()["user"]["email"] == "agent@example.com"
    update = {"ticket": {"comment": {"body": "Escalated to ESC-1", "public": False},
                         "custom_fields": [{"id": 360001, "value": "ESC-1"}]}}
    answer = zendesk.put(url, json=update)
    assert answer.status_code == 200
    ticket, audit = answer.json()["ticket"], answer.json()["audit"]
    assert {"id": 360001, "value": "ESC-1"} in ticket["custom_fields"]
    assert [event["type"] for event in audit["events"]] == ["Comment", "Change"]
    assert audit["events"][0]["public"] is False
    comments = zendesk.get(f"{fake.zendesk_url}/api/v2/tickets/48213/comments.json").json()["comments"]
    assert comments[-1]["body"] == "Escalated to ESC-1" and comments[-1]["public"] is False
    assert comments[-1]["author_id"] == zendesk.get(f"{fake.zendesk_url}/api/v2/users/me.json").json()["user"]["id"]
    tags = zendesk.put(f"{fake.zendesk_url}/api/v2/tickets/48213/tags.json", json={"tags": ["escalated", "billing"]})
    assert tags.json() == {"tags": ["billing", "escalated"]}
    state = fake.state()["zendesk"]["tickets"]["48213"]
    assert state["tags"] == ["billing", "escalated"] and state["custom_fields"]["360001"] == "ESC-1"
    blank = zendesk.put(url, json={"ticket": {"comment": {"body": " "}}})
    assert blank.status_code == 422 and blank.json()["error"] == "RecordInvalid"
    assert zendesk.get(f"{fake.zendesk_url}/api/v2/tickets/1.json").json() == {
        "error": "RecordNotFound", "description": "Not found"}
    assert requests.get(url).json() == {"error": "Couldn't authenticate you"}


# -- Salesforce ------------------------------------------------------------------------------

def test_salesforce_case_comments(fake, salesforce):
    base = f"{fake.salesforce_url}/services/data/v62.0"
    case_id = "500FK0000000042"
    created = salesforce.post(f"{base}/sobjects/CaseComment/",
                              json={"ParentId": case_id, "CommentBody": "Escalated to ESC-1", "IsPublished": False})
    assert created.status_code == 201
    assert (created.json()["success"] is True and created.json()["errors"] == []
            and created.json()["id"].startswith("00a"))
    soql = (f"SELECT Id, CommentBody, IsPublished, CreatedBy.Name FROM CaseComment "
            f"WHERE ParentId = '{case_id}' ORDER BY CreatedDate ASC")
    result = salesforce.get(f"{base}/query/", params={"q": soql}).json()
    assert result["done"] is True and result["totalSize"] == 3
    assert [r["CommentBody"] for r in result["records"]][-1] == "Escalated to ESC-1"
    assert result["records"][0]["CreatedBy"]["Name"] == "Ann Lee"
    assert result["records"][0]["attributes"]["type"] == "CaseComment"
    assert salesforce.patch(f"{base}/sobjects/Case/{case_id}", json={"Status": "Escalated"}).status_code == 204
    assert fake.state()["salesforce"]["cases"][case_id] == {"Status": "Escalated"}
    assert salesforce.get(f"{base}/limits").json()["DailyApiRequests"]["Max"] == 15000
    bad = salesforce.get(f"{base}/query/", params={"q": "SELECT Id FROM Account"})
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "MALFORMED_QUERY"
    missing = salesforce.post(f"{base}/sobjects/CaseComment/", json={"CommentBody": "x"})
    assert missing.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


# -- faults, recording, control API and command line -----------------------------------------

def test_two_500s_then_ok(fake, jira):
    fake.fail("jira", method="POST", path=r"/rest/api/3/issue$", status=500, times=2)
    body = {"fields": {"project": {"key": "ESC"}, "issuetype": {"name": "Bug"}, "summary": "x"}}
    statuses = [jira.post(f"{fake.jira_url}/rest/api/3/issue", json=body).status_code for _ in range(3)]
    assert statuses == [500, 500, 201]
    recorded = fake.requests("jira")
    assert [r["status"] for r in recorded] == [500, 500, 201]
    assert [bool(r["fault"]) for r in recorded] == [True, True, False]
    assert recorded[0]["body"] == body and recorded[0]["auth"] == "Basic"
    assert all("authorization" not in {name.lower() for name in r["headers"]} for r in recorded)
    assert list(fake.state()["jira"]["issues"]) == ["ESC-1"]


def test_429_with_retry_after(fake, slack):
    fake.fail("slack", path="chat.postMessage", status=429, retry_after=3)
    limited = slack.post(f"{fake.slack_url}/chat.postMessage", json={"channel": "C1", "text": "x"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert limited.json() == {"ok": False, "error": "ratelimited"}
    assert slack.post(f"{fake.slack_url}/chat.postMessage", json={"channel": "C1", "text": "x"}).json()["ok"] is True


def test_delay_makes_a_client_time_out_while_the_vendor_still_works(fake, zendesk):
    fake.fail("zendesk", method="PUT", path=r"/tags", status=None, delay=0.3)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        zendesk.put(f"{fake.zendesk_url}/api/v2/tickets/48214/tags.json", json={"tags": ["slow"]}, timeout=0.1)
    assert time.monotonic() - started < 0.3
    deadline = time.monotonic() + 2
    while "slow" not in fake.state()["zendesk"]["tickets"]["48214"]["tags"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "slow" in fake.state()["zendesk"]["tickets"]["48214"]["tags"]
    fake.fail("zendesk", status=503, delay=0.05, body={"error": "Maintenance"})
    answer = zendesk.get(f"{fake.zendesk_url}/api/v2/tickets/48214.json")
    assert (answer.status_code, answer.json()) == (503, {"error": "Maintenance"})


def test_control_api_over_http(fake, jira):
    control = fake.url + "/_fake"
    assert requests.get(control).json()["jira"] == fake.jira_url
    armed = requests.post(f"{control}/faults", json={"system": "jira", "method": "GET", "path": "myself",
                                                     "status": 502, "times": 1})
    assert armed.status_code == 201 and armed.json()["status"] == 502
    assert requests.get(f"{control}/faults").json()[0]["path"] == "myself"
    assert jira.get(f"{fake.jira_url}/rest/api/3/myself").status_code == 502
    assert jira.get(f"{fake.jira_url}/rest/api/3/myself").status_code == 200
    recorded = requests.get(f"{control}/requests", params={"system": "jira"}).json()
    assert [r["status"] for r in recorded] == [502, 200]
    assert requests.get(f"{control}/requests", params={"system": "slack"}).json() == []
    create_issue(fake, jira)
    assert "ESC-1" in requests.get(f"{control}/state").json()["jira"]["issues"]
    assert requests.post(f"{control}/faults", json={"system": "nope"}).status_code == 400
    assert requests.post(f"{control}/reset").json() == {"ok": True}
    assert fake.requests() == [] and fake.state()["jira"]["issues"] == {}
    assert "48213" in fake.state()["zendesk"]["tickets"]  # seeded tickets come back


def test_command_line_prints_urls_and_serves_until_killed(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.vendors", "--port", "0", "--tickets", str(DEMO_TICKETS)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        urls = json.loads(process.stdout.readline())
        assert set(urls) >= {"jira", "slack", "zendesk", "salesforce"}
        ticket = requests.get(f"{urls['zendesk']}/api/v2/tickets/48215.json", auth=("a@b.c/token", "t"), timeout=5)
        assert ticket.json()["ticket"]["id"] == 48215
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
        process.stdout.close()
        assert process.stderr.read() == ""
        process.stderr.close()
