"""ZendeskClient against Zendesk's documented JSON, faked at the HTTP layer (zenpy runs for real)."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
import requests
from responses import matchers

from sidecar.clients.errors import (
    ApiError,
    ApiForbidden,
    ApiNotFound,
    ApiRateLimited,
    ApiTimeout,
    ApiUnauthorized,
    ApiUnavailable,
)
from sidecar.clients.zendesk import ZendeskClient

TOKEN = "zd_token_5up3r53cr3t"
CREDENTIALS = {"subdomain": "acme", "email": "integration@acme.example", "api_token": TOKEN}
ZENDESK = "https://acme.zendesk.com"
TICKET = 35436
USER_IDS = "1507,1622,8888,9100,20978392,20978555"


def register_ticket(http, zendesk_json, *, base: str = ZENDESK, organization: dict | None = None) -> None:
    """The six calls a full fetch makes, answered with the captured payloads."""
    api = f"{base}/api/v2"
    http.get(f"{api}/tickets/{TICKET}.json", json=zendesk_json("ticket.json"))
    http.get(
        f"{api}/tickets/{TICKET}/comments.json",
        match=[matchers.query_param_matcher({"page[size]": "100", "include_inline_images": "false"})],
        json=zendesk_json("ticket_comments_page1.json"),
    )
    http.get(
        f"{api}/tickets/{TICKET}/comments.json",
        match=[matchers.query_param_matcher({"page[after]": "xOnCpn8m", "page[size]": "100"})],
        json=zendesk_json("ticket_comments_page2.json"),
    )
    http.get(
        f"{api}/users/show_many.json",
        match=[matchers.query_param_matcher({"ids": USER_IDS})],
        json=zendesk_json("users_show_many.json"),
    )
    http.get(f"{api}/organizations/57542.json", json=organization or zendesk_json("organization.json"))
    http.get(f"{api}/tickets/{TICKET}/metrics.json", json=zendesk_json("ticket_metrics.json"))


def test_fetch_ticket_maps_the_whole_ticket(http, zendesk_json):
    register_ticket(http, zendesk_json)
    client = ZendeskClient(CREDENTIALS, bot_user_ids=[8888])

    ticket = client.fetch_ticket(str(TICKET))

    assert ticket.id == "35436"
    assert ticket.source == "zendesk"
    assert ticket.subject == "Dashboard down again - we want a refund"
    assert ticket.description.startswith("Our analytics dashboard has been down since 9am.")
    assert (ticket.priority, ticket.status) == ("urgent", "open")
    assert ticket.tags == ("outage", "refund", "vip")
    assert ticket.custom_fields == {"360012345": "dashboard", "360012346": None, "360012347": True}
    assert (ticket.group, ticket.assignee) == ("360004211", "1507")
    assert ticket.reopens == 2
    assert ticket.created_at == datetime(2024, 5, 2, 9, 58, 12, tzinfo=UTC)
    assert ticket.updated_at == datetime(2024, 5, 2, 14, 40, 3, tzinfo=UTC)

    assert ticket.requester.name == "Maya Lindqvist"
    assert ticket.requester.email == "maya@northwind.example"
    assert ticket.requester.extra["id"] == "20978392"

    org = ticket.organization
    assert (org.name, org.tier, org.arr) == ("Northwind Traders", "enterprise", 480000.0)
    assert org.renewal_date == date(2024, 6, 30)
    assert org.extra == {"id": "57542", "tags": ["enterprise", "emea"], "plan": "premium", "csm": "Priya Shah"}


def test_comments_from_all_pages_with_roles_and_visibility(http, zendesk_json):
    register_ticket(http, zendesk_json)

    ticket = ZendeskClient(CREDENTIALS, bot_user_ids=["8888"]).fetch_ticket(TICKET)

    # The opening comment is the description itself, so it is not repeated in the conversation.
    assert [(c.author, c.public, " ".join(c.body.split()[:3])) for c in ticket.comments] == [
        ("bot", True, "Here are some"),  # via answer_bot_for_web_widget
        ("customer", True, "That article did"),  # the requester
        ("agent", False, "Third outage for"),  # agent, internal note
        ("agent", True, "Hi Maya, I"),  # admin
        ("bot", False, "Escalated to ENG-4211"),  # listed in bot_user_ids
        ("customer", True, "Adding myself in"),  # another end user (CC)
    ]
    assert [c.created_at.hour for c in ticket.comments] == [9, 10, 10, 11, 11, 14]
    assert [where for where, _ in ticket.customer_messages()] == [
        "subject", "description", "comment 2", "comment 6",
    ]


def test_authors_are_looked_up_in_one_batch(http, zendesk_json):
    register_ticket(http, zendesk_json)

    ZendeskClient(CREDENTIALS).fetch_ticket(TICKET)

    user_calls = [c for c in http.calls if "/users/" in c.request.url]
    assert len(user_calls) == 1
    assert "show_many.json" in user_calls[0].request.url


def test_without_bot_settings_an_agent_account_is_an_agent(http, zendesk_json):
    register_ticket(http, zendesk_json)

    ticket = ZendeskClient(CREDENTIALS).fetch_ticket(TICKET)

    assert ticket.comments[4].author == "agent"  # user 8888 is a plain agent without bot_user_ids
    assert ticket.comments[0].author == "bot"  # the channel alone is enough


def test_authors_zendesk_no_longer_returns(http, zendesk_json):
    users = zendesk_json("users_show_many.json")
    users["users"] = [u for u in users["users"] if u["id"] not in (20978392, 1507)]  # deleted users
    api = f"{ZENDESK}/api/v2"
    http.get(f"{api}/tickets/{TICKET}.json", json=zendesk_json("ticket.json"))
    http.get(f"{api}/tickets/{TICKET}/comments.json",
             match=[matchers.query_param_matcher({"page[size]": "100", "include_inline_images": "false"})],
             json=zendesk_json("ticket_comments_page1.json"))
    http.get(f"{api}/tickets/{TICKET}/comments.json",
             match=[matchers.query_param_matcher({"page[after]": "xOnCpn8m", "page[size]": "100"})],
             json=zendesk_json("ticket_comments_page2.json"))
    http.get(f"{api}/users/show_many.json", json=users)
    http.get(f"{api}/organizations/57542.json", json=zendesk_json("organization.json"))
    http.get(f"{api}/tickets/{TICKET}/metrics.json", json=zendesk_json("ticket_metrics.json"))

    ticket = ZendeskClient(CREDENTIALS).fetch_ticket(TICKET)

    assert ticket.requester is None
    assert ticket.comments[1].author == "customer"  # still the requester
    assert ticket.comments[2].author == "agent"  # unknown and not the requester: never the customer


def test_organization_field_keys_are_configurable(http, zendesk_json):
    organization = zendesk_json("organization.json")
    organization["organization"]["organization_fields"] = {
        "support_tier": "gold",
        "annual_revenue": "1,250,000",
        "contract_end": "2025-01-31",
        "tier": "legacy value, not mapped",
    }
    register_ticket(http, zendesk_json, organization=organization)
    client = ZendeskClient(
        CREDENTIALS,
        organization_fields={"tier": "support_tier", "arr": "annual_revenue", "renewal_date": "contract_end"},
    )

    org = client.fetch_ticket(TICKET).organization

    assert (org.tier, org.arr, org.renewal_date) == ("gold", 1250000.0, date(2025, 1, 31))
    assert org.extra["tier"] == "legacy value, not mapped"


def test_a_malformed_field_value_is_kept_visible_not_fatal(http, zendesk_json):
    organization = zendesk_json("organization.json")
    organization["organization"]["organization_fields"].update(arr="about half a million", renewal_date="next spring")
    register_ticket(http, zendesk_json, organization=organization)

    org = ZendeskClient(CREDENTIALS).fetch_ticket(TICKET).organization

    assert (org.arr, org.renewal_date) == (None, None)
    assert org.extra["arr"] == "about half a million"
    assert org.extra["renewal_date"] == "next spring"


def test_every_call_carries_the_timeout_and_the_api_token_auth(http, zendesk_json):
    register_ticket(http, zendesk_json)

    ZendeskClient(CREDENTIALS).fetch_ticket(TICKET)

    assert len(http.calls) == 6
    for call in http.calls:
        assert call.request.req_kwargs["timeout"] == ZendeskClient.timeout
        assert call.request.headers["Authorization"].startswith("Basic ")


def test_custom_base_url_is_the_host_actually_called(http, zendesk_json):
    base = "http://127.0.0.1:8765/zendesk"
    register_ticket(http, zendesk_json, base=base)  # pagination links in the payload still say acme

    ticket = ZendeskClient({**CREDENTIALS, "base_url": base}, allow_private=True).fetch_ticket(TICKET)

    assert ticket.reopens == 2
    assert {c.request.url.split("/api/")[0] for c in http.calls} == {base}


def test_the_client_does_not_serve_stale_tickets_from_a_cache(http, zendesk_json):
    register_ticket(http, zendesk_json)
    http.get(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", status=404, json=zendesk_json("error_record_not_found.json"))
    client = ZendeskClient(CREDENTIALS)

    client.fetch_ticket(TICKET)
    with pytest.raises(ApiNotFound):
        client.fetch_ticket(TICKET)  # deleted in the meantime: asked again, not remembered


def test_unknown_ticket_is_not_found(http, zendesk_json):
    http.get(f"{ZENDESK}/api/v2/tickets/999.json", status=404, json=zendesk_json("error_record_not_found.json"))

    with pytest.raises(ApiNotFound) as raised:
        ZendeskClient(CREDENTIALS).fetch_ticket("999")

    assert raised.value.status == 404
    assert raised.value.code == "RecordNotFound"
    assert str(raised.value) == (
        "Zendesk GET /api/v2/tickets/999.json failed: HTTP 404 Not Found: RecordNotFound: Not found"
    )


def test_rejected_token_is_unauthorized_and_never_shown(http, zendesk_json, caplog):
    http.get(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", status=401, json=zendesk_json("error_unauthorized.json"))
    caplog.set_level(logging.DEBUG)
    client = ZendeskClient(CREDENTIALS)

    with pytest.raises(ApiUnauthorized) as raised:
        client.fetch_ticket(TICKET)

    assert raised.value.status == 401
    assert "Couldn't authenticate you" in str(raised.value)
    for text in (str(raised.value), repr(raised.value), repr(client), caplog.text):
        assert TOKEN not in text


def test_forbidden(http, zendesk_json):
    http.get(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", status=403, json=zendesk_json("error_forbidden.json"))

    with pytest.raises(ApiForbidden, match="You do not have access"):
        ZendeskClient(CREDENTIALS).fetch_ticket(TICKET)


def test_rate_limit_with_a_long_retry_after_fails_fast(http, sleeps):
    http.get(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", status=429, headers={"Retry-After": "42"})

    with pytest.raises(ApiRateLimited) as raised:
        ZendeskClient(CREDENTIALS).fetch_ticket(TICKET)

    assert raised.value.retry_after == 42.0
    assert sleeps == []  # zenpy's own wait-and-retry loop never starts
    assert len(http.calls) == 1


def test_rate_limit_with_a_short_retry_after_is_retried_once(http, zendesk_json, sleeps):
    http.get(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", status=429, headers={"Retry-After": "1"})
    register_ticket(http, zendesk_json)

    ticket = ZendeskClient(CREDENTIALS).fetch_ticket(TICKET)

    assert ticket.id == "35436"
    assert sleeps == [1.0]


def test_server_error_page_is_unavailable(http):
    http.get(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", status=503, body="<html><h1>Maintenance</h1></html>")

    with pytest.raises(ApiUnavailable) as raised:
        ZendeskClient(CREDENTIALS).fetch_ticket(TICKET)

    assert raised.value.status == 503
    assert "<html>" not in str(raised.value)


def test_failure_half_way_through_is_reported_not_swallowed(http, zendesk_json):
    http.get(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", json=zendesk_json("ticket.json"))
    http.get(f"{ZENDESK}/api/v2/tickets/{TICKET}/comments.json", status=500, json={"error": "InternalError"})

    with pytest.raises(ApiUnavailable, match="comments.json"):
        ZendeskClient(CREDENTIALS).fetch_ticket(TICKET)


def test_a_base_url_that_serves_something_else_is_a_clear_error(http):
    http.get(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", body="<html>Sign in</html>", content_type="text/html")

    with pytest.raises(ApiError, match="did not answer with Zendesk JSON; check base_url"):
        ZendeskClient(CREDENTIALS).fetch_ticket(TICKET)


@pytest.mark.parametrize(
    ("exception", "error"),
    [(requests.ReadTimeout(), ApiTimeout), (requests.ConnectionError(), ApiUnavailable)],
)
def test_transport_failures(http, exception, error):
    http.get(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", body=exception)

    with pytest.raises(error):
        ZendeskClient(CREDENTIALS).fetch_ticket(TICKET)


@pytest.mark.parametrize("bad_id", ["", "0", "-4", "12a", "1 OR 1=1", "../users/1", "٣"])
def test_a_bad_ticket_id_is_rejected_before_any_call(http, bad_id):
    with pytest.raises(ValueError, match="positive whole number"):
        ZendeskClient(CREDENTIALS).fetch_ticket(bad_id)

    assert len(http.calls) == 0


def test_incomplete_credentials_name_what_is_missing_without_values():
    with pytest.raises(ValueError) as raised:
        ZendeskClient({"subdomain": "acme", "api_token": TOKEN})

    assert "email" in str(raised.value)
    assert TOKEN not in str(raised.value)


@pytest.mark.parametrize("subdomain", ["acme", "ACME", "acme.zendesk.com", "https://acme.zendesk.com/"])
def test_subdomain_forms_that_mean_the_same_account(subdomain):
    assert ZendeskClient({**CREDENTIALS, "subdomain": subdomain}).base_url == ZENDESK


@pytest.mark.parametrize("subdomain", ["acme.evil.net/x", "ac me", "-acme"])
def test_subdomain_that_is_not_an_account_name_is_refused(subdomain):
    with pytest.raises(ValueError, match="subdomain"):
        ZendeskClient({**CREDENTIALS, "subdomain": subdomain})


def test_base_url_needs_a_host_zenpy_can_address():
    with pytest.raises(ValueError, match="127.0.0.1"):
        ZendeskClient({**CREDENTIALS, "base_url": "http://localhost:8765"})


# --- incremental export (history import) ---------------------------------------------------------

EXPORT = f"{ZENDESK}/api/v2/incremental/tickets/cursor.json"
EXPORT_INCLUDE = "users,groups,organizations,metric_sets,comment_count"


def test_export_page_with_its_side_loads_keyed_by_id(http, zendesk_json):
    http.get(EXPORT, match=[matchers.query_param_matcher({"start_time": "1714521600", "include": EXPORT_INCLUDE})],
             json=zendesk_json("incremental_tickets_page1.json"))

    page = ZendeskClient(CREDENTIALS).export_tickets(start_time=1714521600)

    assert [t["id"] for t in page.tickets] == [1001, 1002]
    assert (page.after_cursor, page.end_of_stream) == ("MTcxNDU1MDQwMC4wfHwxMDAyfA==", False)
    assert page.groups[360004211]["name"] == "Billing"
    assert page.users[1507]["name"] == "Priya Shah"
    assert page.metric_sets[1001]["solved_at"] == "2024-05-01T10:00:00Z"  # keyed by ticket id
    assert page.organizations[57542]["name"] == "Northwind Traders"


def test_export_next_page_by_cursor_through_a_configured_base_url(http, zendesk_json):
    base = "http://127.0.0.1:8765/zendesk"
    http.get(f"{base}/api/v2/incremental/tickets/cursor.json",
             match=[matchers.query_param_matcher({"cursor": "abc", "include": EXPORT_INCLUDE})],
             json=zendesk_json("incremental_tickets_page3.json"))

    page = ZendeskClient({**CREDENTIALS, "base_url": base}, allow_private=True).export_tickets(cursor="abc")

    assert page.end_of_stream and [t["id"] for t in page.tickets] == [1005, 1006]


def test_export_needs_exactly_one_starting_point(http):
    client = ZendeskClient(CREDENTIALS)
    with pytest.raises(ValueError, match="either start_time"):
        client.export_tickets()
    with pytest.raises(ValueError, match="either start_time"):
        client.export_tickets(start_time=1, cursor="abc")
    assert len(http.calls) == 0


def test_export_rate_limit_beyond_the_short_wait_is_raised_with_retry_after(http):
    http.get(EXPORT, status=429, headers={"Retry-After": "93"}, body="Too Many Requests")

    with pytest.raises(ApiRateLimited) as raised:
        ZendeskClient(CREDENTIALS).export_tickets(cursor="abc")

    assert raised.value.retry_after == 93.0
    assert TOKEN not in str(raised.value)


def test_export_answer_that_is_not_an_export_is_an_error(http):
    http.get(EXPORT, json={"ticket": {"id": 1}})

    with pytest.raises(ApiError, match="check base_url"):
        ZendeskClient(CREDENTIALS).export_tickets(cursor="abc")


def test_ticket_from_export_uses_side_loads_and_agent_url(http, zendesk_json):
    page_json = zendesk_json("incremental_tickets_page1.json")
    http.get(EXPORT, json=page_json)
    client = ZendeskClient(CREDENTIALS)
    page = client.export_tickets(cursor="abc")

    ticket = client.ticket_from_export(page.tickets[0], page=page)

    assert (ticket.id, ticket.requester.name, ticket.organization.tier) == ("1001", "Maya Lindqvist", "enterprise")
    assert ticket.comments == ()  # without comments the description is the whole conversation
    assert client.agent_url(1001) == "https://acme.zendesk.com/agent/tickets/1001"
