"""SalesforceClient against Salesforce's documented REST/SOAP answers, faked at the HTTP layer."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import requests

from sidecar.clients.errors import ApiError, ApiNotFound, ApiRateLimited, ApiTimeout, ApiUnauthorized, ApiUnavailable
from sidecar.clients.salesforce import SalesforceClient, salesforce_id

TOKEN = "00DHn0000000ABC!AQ4AQSecretAccessToken"
INSTANCE = "https://acme.my.salesforce.com"
CREDENTIALS = {"instance_url": INSTANCE, "access_token": TOKEN}
CASE_ID = "500Hn00001XyZaBIAV"
QUERY = "/services/data/v62.0/query/"
NEXT_PAGE = "/services/data/v62.0/query/0r8Hn00000CmNtPIAV-2"


def soql(sobject: str):
    """A responses matcher for a SOQL query against one sObject."""

    def match(request):
        query = request.params.get("q", "")
        ok = f" FROM {sobject} " in f"{query} "
        return ok, "" if ok else f"SOQL is not FROM {sobject}: {query!r}"

    return match


def register_case(http, salesforce_json, *, base: str = INSTANCE, emails: dict | None = None) -> None:
    """The four calls a full fetch makes: Case, comments (two pages), emails."""
    http.get(f"{base}{QUERY}", match=[soql("Case")], json=salesforce_json("case.json"))
    http.get(f"{base}{QUERY}", match=[soql("CaseComment")], json=salesforce_json("case_comments_page1.json"))
    http.get(f"{base}{NEXT_PAGE}", json=salesforce_json("case_comments_page2.json"))
    http.get(f"{base}{QUERY}", match=[soql("EmailMessage")], json=emails or salesforce_json("email_messages.json"))


def test_fetch_case_maps_the_whole_case(http, salesforce_json):
    register_case(http, salesforce_json)

    ticket = SalesforceClient(CREDENTIALS).fetch_case(CASE_ID)

    assert ticket.id == CASE_ID
    assert ticket.source == "salesforce"
    assert ticket.subject == "Dashboard down again - we want a refund"
    assert ticket.description.startswith("Our analytics dashboard has been down since 9am.")
    assert (ticket.priority, ticket.status) == ("high", "escalated")
    assert ticket.custom_fields == {"CaseNumber": "00001026", "Origin": "Email"}
    assert (ticket.group, ticket.assignee) == ("00GHn00000QuEuEMAV", None)  # owned by a queue
    assert ticket.created_at == datetime(2024, 5, 2, 9, 58, 12, tzinfo=UTC)
    assert ticket.updated_at == datetime(2024, 5, 2, 14, 40, 3, tzinfo=UTC)
    assert ticket.tags == ()
    assert ticket.reopens == 0

    assert (ticket.requester.name, ticket.requester.email) == ("Maya Lindqvist", "maya@northwind.example")
    assert ticket.requester.extra == {"id": "003Hn00002AbCdEIAV"}
    org = ticket.organization
    assert (org.name, org.tier, org.arr, org.renewal_date) == (
        "Northwind Traders", "Enterprise", 480000.0, date(2024, 6, 30),
    )
    assert org.extra == {"id": "001Hn00003QwErTIAV"}


def test_comments_and_emails_merged_in_time_order_with_roles(http, salesforce_json):
    register_case(http, salesforce_json)

    ticket = SalesforceClient(CREDENTIALS).fetch_case(CASE_ID)

    # The first incoming email is the Description again (Email-to-Case), so it is not repeated.
    assert [(c.author, c.public, " ".join(c.body.split()[:3])) for c in ticket.comments] == [
        ("customer", True, "That article did"),  # CaseComment by the Case's Contact (portal user)
        ("agent", False, "Third outage for"),  # Standard user, not published
        ("bot", False, "Case escalated by"),  # AutomatedProcess user
        ("agent", True, "Hi Maya, I"),  # outgoing EmailMessage, HTML-only body
        ("customer", True, "Adding myself in"),  # another community user of the customer
    ]
    assert ticket.comments[3].body == (
        "Hi Maya,\nI am sorry about this. Our engineers are on it and I will update you within the hour."
    )
    assert [where for where, _ in ticket.customer_messages()] == [
        "subject", "description", "comment 1", "comment 5",
    ]


def test_comments_are_read_through_next_records_url(http, salesforce_json):
    register_case(http, salesforce_json)

    SalesforceClient(CREDENTIALS).fetch_case(CASE_ID)

    urls = [call.request.url for call in http.calls]
    assert f"{INSTANCE}{NEXT_PAGE}" in urls
    assert len(urls) == 4
    for call in http.calls:
        assert call.request.req_kwargs["timeout"] == SalesforceClient.timeout
        assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_the_soql_asks_for_the_configured_account_and_case_fields(http, salesforce_json):
    case = salesforce_json("case.json")
    case["records"][0]["Account"].update(Support_Level__c="Platinum", Plan__c="Premium")
    case["records"][0]["Escalation_Reason__c"] = "Outage"
    http.get(f"{INSTANCE}{QUERY}", match=[soql("Case")], json=case)
    http.get(f"{INSTANCE}{QUERY}", match=[soql("CaseComment")], json={"totalSize": 0, "done": True, "records": []})
    http.get(f"{INSTANCE}{QUERY}", match=[soql("EmailMessage")], json={"totalSize": 0, "done": True, "records": []})
    client = SalesforceClient(
        CREDENTIALS,
        account_fields={"tier": "Support_Level__c", "plan": "Plan__c"},
        case_fields=["Escalation_Reason__c"],
    )

    ticket = client.fetch_case(CASE_ID)

    sent = http.calls[0].request.params["q"]
    assert "Account.Support_Level__c" in sent and "Account.Plan__c" in sent
    assert "Account.ARR__c" in sent and "Escalation_Reason__c" in sent
    assert sent.endswith(f"FROM Case WHERE Id = '{CASE_ID}'")
    assert ticket.organization.tier == "Platinum"
    assert ticket.organization.extra == {"id": "001Hn00003QwErTIAV", "plan": "Premium"}
    assert ticket.custom_fields["Escalation_Reason__c"] == "Outage"


def test_a_15_character_id_is_accepted(http, salesforce_json):
    register_case(http, salesforce_json)

    assert SalesforceClient(CREDENTIALS).fetch_ticket(CASE_ID[:15]).id == CASE_ID


@pytest.mark.parametrize(
    "bad_id",
    [
        "",
        "00001026",  # a CaseNumber, not an Id
        "500Hn00001XyZaB' OR Name != '",  # SOQL injection
        "500Hn00001XyZaBIAX",  # wrong checksum
        "003Hn00002AbCdEIAV",  # a Contact Id
        "500Hn00001XyZa B",
    ],
)
def test_an_invalid_case_id_is_rejected_before_any_call(http, bad_id):
    with pytest.raises(ValueError, match="Salesforce Case id"):
        SalesforceClient(CREDENTIALS).fetch_case(bad_id)

    assert len(http.calls) == 0


def test_an_unknown_case_is_not_found(http, salesforce_json):
    http.get(f"{INSTANCE}{QUERY}", match=[soql("Case")], json=salesforce_json("case_not_found.json"))

    with pytest.raises(ApiNotFound, match=CASE_ID):
        SalesforceClient(CREDENTIALS).fetch_case(CASE_ID)


def test_expired_token_is_unauthorized_and_never_shown(http, salesforce_json, caplog):
    http.get(f"{INSTANCE}{QUERY}", status=401, json=salesforce_json("error_invalid_session.json"))
    caplog.set_level(logging.DEBUG)
    client = SalesforceClient(CREDENTIALS)

    with pytest.raises(ApiUnauthorized) as raised:
        client.fetch_case(CASE_ID)

    assert raised.value.status == 401
    assert raised.value.code == "INVALID_SESSION_ID"
    assert "Session expired or invalid" in str(raised.value)
    assert "SELECT" not in str(raised.value)  # path only, not the query string
    for text in (str(raised.value), repr(raised.value), repr(client), caplog.text):
        assert TOKEN not in text


def test_daily_api_limit_is_rate_limited(http, salesforce_json):
    http.get(f"{INSTANCE}{QUERY}", status=403, json=salesforce_json("error_request_limit.json"))

    with pytest.raises(ApiRateLimited) as raised:
        SalesforceClient(CREDENTIALS).fetch_case(CASE_ID)

    assert raised.value.code == "REQUEST_LIMIT_EXCEEDED"


def test_http_429_goes_through_the_shared_retry_after_policy(http, salesforce_json, sleeps):
    http.get(f"{INSTANCE}{QUERY}", status=429, headers={"Retry-After": "60"})

    with pytest.raises(ApiRateLimited) as raised:
        SalesforceClient(CREDENTIALS).fetch_case(CASE_ID)

    assert raised.value.retry_after == 60.0
    assert sleeps == []


def test_a_missing_custom_field_is_a_clear_error(http, salesforce_json):
    http.get(f"{INSTANCE}{QUERY}", status=400, json=salesforce_json("error_invalid_field.json"))

    with pytest.raises(ApiError) as raised:
        SalesforceClient(CREDENTIALS).fetch_case(CASE_ID)

    assert raised.value.status == 400
    assert raised.value.code == "INVALID_FIELD"
    assert "No such column 'Tier__c' on entity 'Account'" in str(raised.value)


def test_an_org_without_email_to_case_still_gives_the_comments(http, salesforce_json):
    http.get(f"{INSTANCE}{QUERY}", match=[soql("Case")], json=salesforce_json("case.json"))
    http.get(f"{INSTANCE}{QUERY}", match=[soql("CaseComment")], json=salesforce_json("case_comments_page1.json"))
    http.get(f"{INSTANCE}{NEXT_PAGE}", json=salesforce_json("case_comments_page2.json"))
    http.get(f"{INSTANCE}{QUERY}", match=[soql("EmailMessage")], status=400,
             json=salesforce_json("error_invalid_type.json"))

    ticket = SalesforceClient(CREDENTIALS).fetch_case(CASE_ID)

    assert len(ticket.comments) == 4


def test_server_error_is_unavailable(http):
    http.get(f"{INSTANCE}{QUERY}", status=503, body="Service Unavailable")

    with pytest.raises(ApiUnavailable) as raised:
        SalesforceClient(CREDENTIALS).fetch_case(CASE_ID)

    assert raised.value.status == 503


def test_timeout(http):
    http.get(f"{INSTANCE}{QUERY}", body=requests.ReadTimeout())

    with pytest.raises(ApiTimeout):
        SalesforceClient(CREDENTIALS).fetch_case(CASE_ID)


def test_an_http_instance_url_is_called_as_configured(http, salesforce_json):
    base = "http://127.0.0.1:8766"
    register_case(http, salesforce_json, base=base)

    SalesforceClient({"instance_url": base, "access_token": TOKEN}, allow_private=True).fetch_case(CASE_ID)

    assert {call.request.url.split("/services/")[0] for call in http.calls} == {base}


def test_password_login_happens_on_first_use_then_queries_the_instance(http, salesforce_json):
    credentials = {
        "username": "integration@acme.example",
        "password": "hunter2-password",
        "security_token": "SecTok123456",
        "domain": "acme.my",
    }
    client = SalesforceClient(credentials)
    assert len(http.calls) == 0  # nothing sent by the constructor
    http.post(
        "https://acme.my.salesforce.com/services/Soap/u/62.0",
        body=salesforce_json("login_success.xml"),
        content_type="text/xml",
    )
    register_case(http, salesforce_json)

    ticket = client.fetch_case(CASE_ID)

    assert ticket.id == CASE_ID
    login_body = http.calls[0].request.body
    login_body = login_body.encode() if isinstance(login_body, str) else login_body
    assert b"<n1:username>integration@acme.example</n1:username>" in login_body
    assert http.calls[1].request.headers["Authorization"] == "Bearer 00DHn0000000ABC!AQ4AQFakeSessionIdFromLogin"


def test_failed_login_is_unauthorized_and_never_shows_the_password(http, salesforce_json, caplog):
    http.post(
        "https://login.salesforce.com/services/Soap/u/62.0",
        status=500,
        body=salesforce_json("login_invalid.xml"),
        content_type="text/xml",
    )
    caplog.set_level(logging.DEBUG)
    client = SalesforceClient(
        {"username": "integration@acme.example", "password": "hunter2-password", "security_token": "SecTok123456"}
    )

    with pytest.raises(ApiUnauthorized) as raised:
        client.fetch_case(CASE_ID)

    assert raised.value.code == "INVALID_LOGIN"
    assert "Invalid username, password, security token" in str(raised.value)
    for text in (str(raised.value), repr(client), caplog.text):
        assert "hunter2-password" not in text
        assert "SecTok123456" not in text


@pytest.mark.parametrize(
    ("credentials", "missing"),
    [
        ({"instance_url": INSTANCE}, "access_token"),
        ({"access_token": TOKEN}, "instance_url"),
        ({"username": "u@example.com", "security_token": "SecTok123456"}, "password"),
    ],
)
def test_incomplete_credentials_name_what_is_missing_without_values(credentials, missing):
    with pytest.raises(ValueError) as raised:
        SalesforceClient(credentials)

    assert missing in str(raised.value)
    assert TOKEN not in str(raised.value) and "SecTok123456" not in str(raised.value)


def test_field_names_from_settings_cannot_inject_soql():
    with pytest.raises(ValueError, match="API names"):
        SalesforceClient(CREDENTIALS, account_fields={"tier": "Tier__c FROM User --"})


def test_salesforce_id_checksum_matches_the_published_algorithm():
    assert salesforce_id("00558000001N0KeAAK") == "00558000001N0KeAAK"
    with pytest.raises(ValueError, match="checksum"):
        salesforce_id("00558000001N0KeAAA")


# --- Case export (history import) ----------------------------------------------------------------


def test_export_needs_exactly_one_starting_point(http):
    client = SalesforceClient(CREDENTIALS)
    with pytest.raises(ValueError, match="either since"):
        client.export_cases()
    with pytest.raises(ValueError, match="either since"):
        client.export_cases(since=datetime(2024, 5, 1, tzinfo=UTC), next_records_url=NEXT_PAGE)
    assert len(http.calls) == 0


def test_export_soql_is_one_query_with_children_and_a_utc_literal(http, salesforce_json):
    http.get(f"{INSTANCE}{QUERY}", json=salesforce_json("cases_export_page2.json"))
    since = datetime(2024, 5, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))

    page = SalesforceClient(CREDENTIALS).export_cases(since=since)

    soql = http.calls[0].request.params["q"]
    assert "(SELECT Id, CommentBody, IsPublished" in soql and "FROM CaseComments ORDER BY CreatedDate ASC)" in soql
    assert "FROM EmailMessages ORDER BY MessageDate ASC)" in soql
    assert soql.endswith("FROM Case WHERE LastModifiedDate >= 2024-05-01T00:00:00Z "
                         "ORDER BY LastModifiedDate ASC, Id ASC")
    assert "ClosedDate, IsClosed, IsEscalated" in soql
    assert (len(page.records), page.next_records_url, page.total_size) == (1, None, 3)


def test_case_url_is_the_lightning_record_page():
    assert SalesforceClient(CREDENTIALS).case_url(CASE_ID) == f"{INSTANCE}/lightning/r/Case/{CASE_ID}/view"
