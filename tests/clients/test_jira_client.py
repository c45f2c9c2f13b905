"""JiraClient against Jira Cloud's documented v3 JSON, faked at the HTTP layer."""
from __future__ import annotations

import base64

import pytest
from responses import matchers

from sidecar.clients.errors import ApiError, ApiRateLimited, ApiUnauthorized
from sidecar.clients.jira import HISTORY_FIELDS, JiraClient, adf_to_text
from tests.clients.conftest import load_fixture

SITE = "https://acme.atlassian.net"
SEARCH = f"{SITE}/rest/api/3/search/jql"
TOKEN = "ATATT3xFfGF0-jira-s3cret-token"
EMAIL = "escalations@acme.example"
JQL = "project = ENG AND resolution IS NOT EMPTY"


def jira(name: str):
    return load_fixture("jira", name)


def search_params(**extra) -> dict:
    return {"jql": JQL, "fields": ",".join(HISTORY_FIELDS), "maxResults": "100", **extra}


def test_search_sends_jql_fields_and_basic_auth_and_reads_the_token(http):
    http.get(SEARCH, match=[matchers.query_param_matcher(search_params())], json=jira("search_page1.json"))

    page = JiraClient(SITE, email=EMAIL, api_token=TOKEN).search(JQL)

    assert [issue["key"] for issue in page.issues] == ["ENG-4211", "ENG-4215"]
    assert (page.next_page_token, page.is_last) == ("CAEaAggD", False)
    request = http.calls[0].request
    expected = base64.b64encode(f"escalations@acme.example:{TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["Accept"] == "application/json"
    assert request.req_kwargs["timeout"] is not None


def test_the_next_page_is_asked_for_with_its_token_and_the_last_page_ends(http):
    http.get(SEARCH, match=[matchers.query_param_matcher(search_params(nextPageToken="CAEaAggD"))],
             json=jira("search_page2.json"))

    page = JiraClient(SITE, email=EMAIL, api_token=TOKEN).search(JQL, next_page_token="CAEaAggD")

    # The last page has no nextPageToken at all (JRACLOUD-92184), only isLast.
    assert [issue["key"] for issue in page.issues] == ["OPS-77"]
    assert page.is_last and page.next_page_token is None


def test_is_last_wins_over_a_stray_token(http):
    http.get(SEARCH, json={"issues": [], "nextPageToken": "stale", "isLast": True})

    assert JiraClient(SITE, email=EMAIL, api_token=TOKEN).search(JQL).is_last


def test_refused_credentials_are_unauthorized_without_the_token(http):
    http.get(SEARCH, status=401, json=jira("error_unauthorized.json"))

    with pytest.raises(ApiUnauthorized) as caught:
        JiraClient(SITE, email=EMAIL, api_token=TOKEN).search(JQL)

    assert "HTTP 401" in str(caught.value) and "not authenticated" in str(caught.value)
    assert TOKEN not in str(caught.value) and "project" not in str(caught.value)  # no query string either


def test_bad_jql_names_jira_s_complaint(http):
    http.get(SEARCH, status=400, json=jira("error_bad_jql.json"))

    with pytest.raises(ApiError, match="Error in the JQL Query"):
        JiraClient(SITE, email=EMAIL, api_token=TOKEN).search("project = ENG resolved")


def test_rate_limit_carries_retry_after(http):
    http.get(SEARCH, status=429, headers={"Retry-After": "30"}, json={"errorMessages": ["Rate limit exceeded."]})

    with pytest.raises(ApiRateLimited) as caught:
        JiraClient(SITE, email=EMAIL, api_token=TOKEN).search(JQL)

    assert caught.value.retry_after == 30.0


def test_an_answer_that_is_not_search_results_is_an_error(http):
    http.get(SEARCH, json={"hello": "proxy"})

    with pytest.raises(ApiError, match="check base_url"):
        JiraClient(SITE, email=EMAIL, api_token=TOKEN).search(JQL)


def test_issue_url_and_a_configurable_base():
    client = JiraClient("http://127.0.0.1:8089/jira/", email="e@x.example", api_token="t0ken")

    assert client.issue_url("ENG-4211") == "http://127.0.0.1:8089/jira/browse/ENG-4211"


def test_adf_to_text_keeps_words_and_line_structure():
    description = jira("search_page1.json")["issues"][0]["fields"]["description"]

    assert adf_to_text(description) == (
        "Customers on invoice run INV-2291 were charged twice.\n"
        "Steps\n"
        "Run the monthly billing job twice\n"
        "See two charges\n"
        "Reported in https://acme.zendesk.com/agent/tickets/1001\n"
        "cc @Rosa Diaz"
    )


def test_adf_to_text_handles_tables_code_and_plain_strings():
    table = {"type": "doc", "version": 1, "content": [
        {"type": "codeBlock", "attrs": {"language": "text"},
         "content": [{"type": "text", "text": "HTTP 500 on /v2/reports"}]},
        {"type": "table", "content": [{"type": "tableRow", "content": [
            {"type": "tableHeader",
             "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Region"}]}]},
            {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "EU"}]}]},
        ]}]},
        {"type": "unknownFutureNode", "content": [{"type": "text", "text": "still read"}]},
    ]}

    assert adf_to_text(table) == "HTTP 500 on /v2/reports\nRegion | EU\nstill read"
    assert adf_to_text("plain v2 text") == "plain v2 text"
    assert adf_to_text(None) == ""
