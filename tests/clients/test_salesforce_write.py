"""SalesforceClient's escalation writes (internal CaseComment, Case update) and the reads around them."""
from __future__ import annotations

import json
import logging

import pytest
import requests

from sidecar.clients.errors import ApiError, ApiNotFound, ApiRateLimited, ApiTimeout, ApiUnauthorized, ApiUnavailable
from sidecar.clients.salesforce import (
    SalesforceClient,
    plan_case_comment,
    plan_update_case,
)

TOKEN = "00DHn0000000ABC!AQ4AQWr1teSecretAccessToken"
INSTANCE = "https://acme.my.salesforce.com"
CREDENTIALS = {"instance_url": INSTANCE, "access_token": TOKEN}
CASE_ID = "500Hn00001XyZaBIAV"
NOTE = "Escalated to ENG-4211 (Jira). Expert: Dana Okafor. [escalation esc_01HXYZ]"
COMMENTS = f"{INSTANCE}/services/data/v62.0/sobjects/CaseComment/"
CASE = f"{INSTANCE}/services/data/v62.0/sobjects/Case/{CASE_ID}"
QUERY = f"{INSTANCE}/services/data/v62.0/query/"
NEXT_PAGE = f"{INSTANCE}/services/data/v62.0/query/0r8Hn00000CmNtPIAV-2"


def sent(call) -> tuple[str, str, object]:
    request = call.request
    return request.method, request.url.split("?")[0], json.loads(request.body) if request.body else None


def client(**options) -> SalesforceClient:
    return SalesforceClient(CREDENTIALS, **options)


# --- internal comment ----------------------------------------------------------------------------


def test_add_note_sends_the_plan_and_returns_the_new_id(http, salesforce_json):
    http.post(COMMENTS, status=201, json=salesforce_json("case_comment_created.json"))

    comment_id = client().add_note(CASE_ID, body=NOTE)

    assert comment_id == "00aHn00000CmNt9IAF"
    plan = plan_case_comment(CASE_ID, NOTE)
    assert sent(http.calls[0]) == (plan.method, INSTANCE + plan.path, plan.json)
    assert sent(http.calls[0])[2] == {"ParentId": CASE_ID, "CommentBody": NOTE, "IsPublished": False}
    request = http.calls[0].request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.req_kwargs["timeout"] == SalesforceClient.timeout


def test_the_plan_follows_the_client_s_api_version(http, salesforce_json):
    http.post(f"{INSTANCE}/services/data/v60.0/sobjects/CaseComment/", status=201,
              json=salesforce_json("case_comment_created.json"))

    client(version="60.0").add_note(CASE_ID, body=NOTE)

    assert plan_case_comment(CASE_ID, NOTE, version="60.0").as_dict() == {
        "method": "POST",
        "path": "/services/data/v60.0/sobjects/CaseComment/",
        "json": {"ParentId": CASE_ID, "CommentBody": NOTE, "IsPublished": False},
    }


def test_a_comment_needs_a_body_and_a_case_id(http):
    with pytest.raises(ValueError, match="body"):
        plan_case_comment(CASE_ID, " ")
    with pytest.raises(ValueError, match="Salesforce Case id"):
        client().add_note("500Hn00001XyZaB' OR Id != '", body=NOTE)
    with pytest.raises(ValueError, match="Salesforce Case id"):
        plan_case_comment("003Hn00002AbCdEIAV", NOTE)  # a Contact, not a Case
    assert len(http.calls) == 0


def test_a_create_answer_without_an_id_is_an_error(http):
    http.post(COMMENTS, status=201, json={"hello": "proxy"})

    with pytest.raises(ApiError, match="without an id"):
        client().add_note(CASE_ID, body=NOTE)


def test_expired_token_is_unauthorized_and_never_shown(http, salesforce_json, caplog):
    caplog.set_level(logging.DEBUG)
    http.post(COMMENTS, status=401, json=salesforce_json("error_invalid_session.json"))
    salesforce = client()

    with pytest.raises(ApiUnauthorized) as raised:
        salesforce.add_note(CASE_ID, body=NOTE)

    assert raised.value.code == "INVALID_SESSION_ID"
    for text in (str(raised.value), repr(salesforce), caplog.text):
        assert TOKEN not in text


def test_daily_api_limit_on_write_is_rate_limited(http, salesforce_json):
    http.post(COMMENTS, status=403, json=salesforce_json("error_request_limit.json"))

    with pytest.raises(ApiRateLimited) as raised:
        client().add_note(CASE_ID, body=NOTE)

    assert raised.value.code == "REQUEST_LIMIT_EXCEEDED"


def test_http_429_fails_fast_with_retry_after(http, sleeps):
    http.post(COMMENTS, status=429, headers={"Retry-After": "90"})

    with pytest.raises(ApiRateLimited) as raised:
        client().add_note(CASE_ID, body=NOTE)

    assert raised.value.retry_after == 90.0 and sleeps == []


def test_server_error_and_timeout(http):
    http.post(COMMENTS, status=500,
              json=[{"message": "An unexpected error occurred.", "errorCode": "UNKNOWN_EXCEPTION"}])
    http.post(COMMENTS, body=requests.ReadTimeout())
    salesforce = client()

    with pytest.raises(ApiUnavailable, match="UNKNOWN_EXCEPTION"):
        salesforce.add_note(CASE_ID, body=NOTE)
    with pytest.raises(ApiTimeout):
        salesforce.add_note(CASE_ID, body=NOTE)


# --- Case update ---------------------------------------------------------------------------------


def test_update_case_patches_the_planned_fields(http):
    http.patch(CASE, status=204)
    fields = {"Jira_Key__c": "ENG-4211", "Status": "Escalated"}

    assert client().update_fields(CASE_ID, fields=fields) is None

    plan = plan_update_case(CASE_ID, fields)
    assert sent(http.calls[0]) == (plan.method, INSTANCE + plan.path, plan.json) == ("PATCH", CASE, fields)


def test_a_read_only_field_is_a_clear_error(http, salesforce_json):
    http.patch(CASE, status=400, json=salesforce_json("error_field_not_updateable.json"))

    with pytest.raises(ApiError) as raised:
        client().update_fields(CASE_ID, fields={"CaseNumber": "1"})

    assert (raised.value.status, raised.value.code) == (400, "INVALID_FIELD_FOR_INSERT_UPDATE")
    assert "CaseNumber" in str(raised.value)


def test_a_deleted_case_is_not_found(http, salesforce_json):
    http.patch(CASE, status=404, json=salesforce_json("error_entity_deleted.json"))

    with pytest.raises(ApiNotFound, match="entity is deleted"):
        client().update_fields(CASE_ID, fields={"Status": "Escalated"})


@pytest.mark.parametrize("fields", [{}, {"Status = 'x'": 1}, {"Account.Name": "x"}, {"": 1}])
def test_update_fields_are_api_names(fields):
    with pytest.raises(ValueError):
        plan_update_case(CASE_ID, fields)


# --- finding our own comment again ---------------------------------------------------------------


def test_find_case_comment_reads_in_order_and_matches_in_python(http, salesforce_json):
    http.get(QUERY, json=salesforce_json("case_comments_page1.json"))
    http.get(NEXT_PAGE, json=salesforce_json("case_comments_page2.json"))

    comment = client().find_note(CASE_ID, "Finance cannot run the close")

    assert comment is not None and comment["Id"] == "00aHn00000CmNt4IAF"
    soql = http.calls[0].request.params["q"]
    # CommentBody is a long text area: SOQL cannot filter on it, so it is not in the WHERE clause.
    assert soql.endswith(f"FROM CaseComment WHERE ParentId = '{CASE_ID}' ORDER BY CreatedDate ASC, Id ASC")
    assert "CommentBody" not in soql.split("WHERE", 1)[1]


def test_find_case_comment_stops_at_the_first_match(http, salesforce_json):
    http.get(QUERY, json=salesforce_json("case_comments_page1.json"))

    comment = client().find_note(CASE_ID, "looping in billing")

    assert comment["Id"] == "00aHn00000CmNt2IAF"
    assert len(http.calls) == 1


def test_find_case_comment_answers_none_when_absent(http, salesforce_json):
    http.get(QUERY, json=salesforce_json("case_comments_page1.json"))
    http.get(NEXT_PAGE, json=salesforce_json("case_comments_page2.json"))

    assert client().find_note(CASE_ID, "esc_NOT_THERE") is None


def test_find_case_comment_checks_the_id_before_any_call(http):
    with pytest.raises(ValueError, match="Salesforce Case id"):
        client().find_note("500Hn00001XyZaB' OR ParentId != '", "x")
    assert len(http.calls) == 0


# --- connection check ----------------------------------------------------------------------------


def test_identity_reads_the_org_limits(http, salesforce_json):
    http.get(f"{INSTANCE}/services/data/v62.0/limits/", json=salesforce_json("limits.json"))

    limits = client().identity()

    assert limits["DailyApiRequests"] == {"Max": 150000, "Remaining": 149872}
    assert http.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_identity_with_a_bad_token_is_unauthorized(http, salesforce_json):
    http.get(f"{INSTANCE}/services/data/v62.0/limits/", status=401, json=salesforce_json("error_invalid_session.json"))

    with pytest.raises(ApiUnauthorized) as raised:
        client().identity()

    assert TOKEN not in str(raised.value)
