"""JiraClient's escalation writes (and the reads around them) against Jira Cloud v3's documented JSON."""
from __future__ import annotations

import base64
import json

import pytest
import requests
from responses import matchers

from sidecar.clients.errors import ApiError, ApiNotFound, ApiRateLimited, ApiTimeout, ApiUnauthorized, ApiUnavailable
from sidecar.clients.jira import (
    JiraClient,
    jql_string,
    plan_add_comment,
    plan_create_issue,
    plan_remote_link,
    plan_set_property,
    plan_update_issue,
)
from tests.clients.conftest import load_fixture

SITE = "https://acme.atlassian.net"
TOKEN = "ATATT3xFfGF0-jira-wr1te-s3cret"
EMAIL = "escalations@acme.example"
ISSUE = f"{SITE}/rest/api/3/issue"
ADF = {"type": "doc", "version": 1, "content": [
    {"type": "paragraph", "content": [{"type": "text", "text": "Escalated from Zendesk #35436."}]},
]}
FIELDS = {
    "project": {"key": "ENG"},
    "issuetype": {"name": "Bug"},
    "summary": "Customers charged twice on invoice run INV-2291",
    "description": ADF,
    "labels": ["zendesk-35436"],
}
LINK = {
    "global_id": "zendesk:acme:ticket:35436",
    "url": "https://acme.zendesk.com/agent/tickets/35436",
    "title": "Zendesk #35436",
    "summary": "Dashboard down again - we want a refund",
    "relationship": "Zendesk ticket",
}


def jira(name: str):
    return load_fixture("jira", name)


def client() -> JiraClient:
    return JiraClient(SITE, email=EMAIL, api_token=TOKEN)


def sent(call) -> tuple[str, str, object]:
    """(method, URL without query, decoded JSON body) of one call."""
    request = call.request
    body = json.loads(request.body) if request.body else None
    return request.method, request.url.split("?")[0], body


def planned(plan) -> tuple[str, str, object]:
    return plan.method, SITE + plan.path, plan.json


# --- create --------------------------------------------------------------------------------------


def test_create_issue_sends_the_plan_with_basic_auth_and_a_timeout(http):
    http.post(ISSUE, status=201, json=jira("create_issue.json"))

    created = client().create_issue(FIELDS)

    assert created == {"id": "10542", "key": "ENG-4211", "self": f"{SITE}/rest/api/3/issue/10542"}
    assert sent(http.calls[0]) == planned(plan_create_issue(FIELDS))
    request = http.calls[0].request
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    assert request.headers["Content-Type"] == "application/json"
    assert request.req_kwargs["timeout"] == JiraClient.timeout


def test_a_plan_is_built_without_credentials_and_records_as_plain_data():
    assert plan_create_issue(FIELDS).as_dict() == {
        "method": "POST", "path": "/rest/api/3/issue", "json": {"fields": FIELDS},
    }


def test_create_issue_field_errors_are_named(http):
    http.post(ISSUE, status=400, json=jira("error_create_invalid.json"))

    with pytest.raises(ApiError) as raised:
        client().create_issue({"project": {"key": "ENG"}})

    assert raised.value.status == 400
    assert "fields: issuetype, summary" in str(raised.value)


def test_an_answer_without_a_key_is_an_error(http):
    http.post(ISSUE, status=201, json={"hello": "proxy"})

    with pytest.raises(ApiError, match="without an issue key"):
        client().create_issue(FIELDS)


# --- reads the escalation needs ------------------------------------------------------------------


def test_myself_is_the_connection_check(http):
    http.get(f"{SITE}/rest/api/3/myself", json=jira("myself.json"))

    me = client().myself()

    assert (me["accountId"], me["displayName"]) == ("5b10ac8d82e05b22cc7d4ef5", "Escalation Bot")


def test_get_issue_asks_for_the_fields_it_needs(http):
    http.get(f"{ISSUE}/ENG-4211", match=[matchers.query_param_matcher({"fields": "summary,status,labels,created"})],
             json=jira("issue.json"))

    issue = client().get_issue("ENG-4211")

    assert issue["fields"]["status"]["name"] == "In Progress"


def test_find_issues_uses_the_enhanced_search_with_a_quoted_label(http):
    jql = f"project = ENG AND labels = {jql_string('zendesk-35436')}"
    http.get(f"{SITE}/rest/api/3/search/jql",
             match=[matchers.query_param_matcher({"jql": 'project = ENG AND labels = "zendesk-35436"',
                                                  "fields": "summary,status,labels,created", "maxResults": "10"})],
             json={"issues": [jira("issue.json")], "isLast": True})

    issues = client().find_issues(jql)

    assert [issue["key"] for issue in issues] == ["ENG-4211"]


def test_unknown_issue_is_not_found(http):
    http.get(f"{ISSUE}/ENG-9999", status=404, json=jira("error_issue_not_found.json"))

    with pytest.raises(ApiNotFound, match="Issue does not exist"):
        client().get_issue("ENG-9999")


# --- comments ------------------------------------------------------------------------------------


def test_add_comment_posts_an_adf_body(http):
    http.post(f"{ISSUE}/ENG-4211/comment", status=201, json=jira("add_comment.json"))

    comment = client().add_comment("ENG-4211", ADF)

    assert comment["id"] == "10203"
    assert sent(http.calls[0]) == planned(plan_add_comment("ENG-4211", ADF))
    assert sent(http.calls[0])[2] == {"body": ADF}


def test_v3_comments_must_be_adf_not_plain_text(http):
    with pytest.raises(ValueError, match="ADF document"):
        client().add_comment("ENG-4211", "plain text")  # type: ignore[arg-type]
    assert len(http.calls) == 0


def test_comments_are_read_page_by_page_until_total(http):
    http.get(f"{ISSUE}/ENG-4211/comment",
             match=[matchers.query_param_matcher({"startAt": "0", "maxResults": "100"})],
             json=jira("comments_page1.json"))
    http.get(f"{ISSUE}/ENG-4211/comment",
             match=[matchers.query_param_matcher({"startAt": "2", "maxResults": "100"})],
             json=jira("comments_page2.json"))

    comments = client().comments("ENG-4211")

    assert [comment["id"] for comment in comments] == ["10100", "10101", "10102"]


# --- remote link, entity property, update --------------------------------------------------------


def test_remote_link_body_is_jira_s_documented_shape(http):
    http.post(f"{ISSUE}/ENG-4211/remotelink", status=201, json=jira("remote_link.json"))

    link = client().upsert_remote_link("ENG-4211", **LINK)

    assert link == {"id": 10000, "self": f"{SITE}/rest/api/3/issue/ENG-4211/remotelink/10000"}
    assert sent(http.calls[0]) == planned(plan_remote_link("ENG-4211", **LINK))
    assert sent(http.calls[0])[2] == {
        "globalId": "zendesk:acme:ticket:35436",
        "relationship": "Zendesk ticket",
        "object": {
            "url": "https://acme.zendesk.com/agent/tickets/35436",
            "title": "Zendesk #35436",
            "summary": "Dashboard down again - we want a refund",
            "status": {"resolved": False},
        },
    }


def test_reposting_the_same_global_id_sends_the_same_link_so_jira_updates_it(http):
    http.post(f"{ISSUE}/ENG-4211/remotelink", status=201, json=jira("remote_link.json"))
    http.post(f"{ISSUE}/ENG-4211/remotelink", status=200, json=jira("remote_link.json"))

    jira_client = client()
    first = jira_client.upsert_remote_link("ENG-4211", **LINK)
    again = jira_client.upsert_remote_link("ENG-4211", **{**LINK, "summary": None}, resolved=True)

    assert first["id"] == again["id"]
    body = sent(http.calls[1])[2]
    assert body["globalId"] == LINK["global_id"]
    assert body["object"] == {"url": LINK["url"], "title": LINK["title"], "status": {"resolved": True}}


def test_a_remote_link_without_relationship_leaves_it_out(http):
    plan = plan_remote_link("ENG-4211", global_id="g", url="https://x.example", title="t")

    assert "relationship" not in plan.json and "summary" not in plan.json["object"]
    with pytest.raises(ValueError, match="url"):
        plan_remote_link("ENG-4211", global_id="g", url="javascript:alert(1)", title="t")
    with pytest.raises(ValueError, match="globalId"):
        plan_remote_link("ENG-4211", global_id="", url="https://x.example", title="t")


def test_set_issue_property_puts_the_value_itself(http):
    value = {"escalation_id": "esc_01HXYZ", "source": "zendesk", "ticket": "35436"}
    http.put(f"{ISSUE}/ENG-4211/properties/escalation-sidecar", status=201)

    assert client().set_issue_property("ENG-4211", "escalation-sidecar", value) is None

    assert sent(http.calls[0]) == planned(plan_set_property("ENG-4211", "escalation-sidecar", value))
    assert sent(http.calls[0])[2] == value


def test_get_issue_property_returns_its_value(http):
    http.get(f"{ISSUE}/ENG-4211/properties/escalation-sidecar", json=jira("issue_property.json"))

    value = client().get_issue_property("ENG-4211", "escalation-sidecar")

    assert value == {"escalation_id": "esc_01HXYZ", "source": "zendesk", "ticket": "35436"}


def test_an_absent_property_is_none(http):
    http.get(f"{ISSUE}/ENG-4211/properties/escalation-sidecar", status=404,
             json=jira("error_property_not_found.json"))

    assert client().get_issue_property("ENG-4211", "escalation-sidecar") is None


def test_property_keys_are_one_encoded_path_segment(http):
    plan = plan_set_property("ENG-4211", "sidecar/escalation v1", True)

    assert plan.path == "/rest/api/3/issue/ENG-4211/properties/sidecar%2Fescalation%20v1"
    with pytest.raises(ValueError, match="property key"):
        plan_set_property("ENG-4211", "..", True)
    with pytest.raises(ValueError, match="JSON value"):
        plan_set_property("ENG-4211", "escalation-sidecar", None)


def test_update_issue_sends_fields_and_operations_and_accepts_204(http):
    http.put(f"{ISSUE}/ENG-4211", status=204)

    client().update_issue("ENG-4211", fields={"priority": {"name": "High"}}, update={"labels": [{"add": "vip"}]})

    assert sent(http.calls[0]) == planned(plan_update_issue(
        "ENG-4211", fields={"priority": {"name": "High"}}, update={"labels": [{"add": "vip"}]},
    ))
    assert sent(http.calls[0])[2] == {"fields": {"priority": {"name": "High"}}, "update": {"labels": [{"add": "vip"}]}}


def test_an_update_needs_something_to_change():
    with pytest.raises(ValueError, match="fields or update"):
        plan_update_issue("ENG-4211")


@pytest.mark.parametrize("key", ["", "ENG", "../myself", "ENG-42/comment", "ENG-0", "ENG-42 OR 1=1"])
def test_issue_keys_from_data_cannot_change_the_path(http, key):
    with pytest.raises(ValueError, match="issue"):
        client().add_comment(key, ADF)
    assert len(http.calls) == 0


def test_numeric_issue_ids_are_accepted():
    assert plan_update_issue("10542", fields={"summary": "x"}).path == "/rest/api/3/issue/10542"


# --- JQL quoting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("zendesk-35436", '"zendesk-35436"'),
        ('x" OR project = SECRET OR labels = "y', '"x\\" OR project = SECRET OR labels = \\"y"'),
        ("back\\slash", '"back\\\\slash"'),
        ("two\nlines", '"two\\nlines"'),
        (35436, '"35436"'),
    ],
)
def test_jql_string_quotes_values_so_they_stay_values(value, literal):
    assert jql_string(value) == literal


def test_jql_string_refuses_other_control_characters():
    with pytest.raises(ValueError, match="control"):
        jql_string("bell\x07")


# --- errors --------------------------------------------------------------------------------------


def test_refused_token_is_unauthorized_and_never_shown(http, caplog):
    http.post(ISSUE, status=401, json=jira("error_unauthorized.json"))
    jira_client = client()

    with pytest.raises(ApiUnauthorized) as raised:
        jira_client.create_issue(FIELDS)

    for text in (str(raised.value), repr(jira_client), caplog.text):
        assert TOKEN not in text
    assert "not authenticated" in str(raised.value)


def test_rate_limit_on_write_carries_retry_after_without_sleeping(http, sleeps):
    http.post(f"{ISSUE}/ENG-4211/comment", status=429, headers={"Retry-After": "20", "RateLimit-Reason":
              "jira-per-issue-on-write"}, json={"errorMessages": ["Rate limit exceeded."]})

    with pytest.raises(ApiRateLimited) as raised:
        client().add_comment("ENG-4211", ADF)

    assert raised.value.retry_after == 20.0
    assert sleeps == []


def test_server_error_is_unavailable(http):
    http.put(f"{ISSUE}/ENG-4211/properties/escalation-sidecar", status=503, headers={"Retry-After": "60"})

    with pytest.raises(ApiUnavailable) as raised:
        client().set_issue_property("ENG-4211", "escalation-sidecar", {"a": 1})

    assert raised.value.retry_after == 60.0


def test_timeout(http):
    http.post(f"{ISSUE}/ENG-4211/remotelink", body=requests.ReadTimeout())

    with pytest.raises(ApiTimeout, match="remotelink timed out"):
        client().upsert_remote_link("ENG-4211", **LINK)
