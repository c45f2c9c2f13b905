"""ZendeskClient's escalation writes (internal note, tags) and the reads around them, faked at the HTTP layer."""
from __future__ import annotations

import json
import logging

import pytest
import requests
from responses import matchers

from sidecar.clients.errors import ApiError, ApiNotFound, ApiRateLimited, ApiTimeout, ApiUnauthorized
from sidecar.clients.zendesk import ZendeskClient, plan_add_tags, plan_internal_note

TOKEN = "zd_token_wr1te_5up3r53cr3t"
CREDENTIALS = {"subdomain": "acme", "email": "integration@acme.example", "api_token": TOKEN}
ZENDESK = "https://acme.zendesk.com"
TICKET = 35436
NOTE = "Escalated to ENG-4211 (Jira). Expert: Dana Okafor. [escalation esc_01HXYZ]"


def client(**extra) -> ZendeskClient:
    # A local base_url (http://127.0.0.1) is reachable only with the operator's switch.
    return ZendeskClient({**CREDENTIALS, **extra}, allow_private="base_url" in extra)


def sent(call) -> tuple[str, str, object]:
    request = call.request
    return request.method, request.url.split("?")[0], json.loads(request.body) if request.body else None


# --- current user --------------------------------------------------------------------------------


def test_current_user_is_the_connection_check(http, zendesk_json):
    http.get(f"{ZENDESK}/api/v2/users/me.json", json=zendesk_json("users_me.json"))

    user = client().current_user()

    assert (user["id"], user["role"], user["email"]) == (1507, "admin", "integration@acme.example")
    assert http.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_an_anonymous_answer_means_the_credentials_were_not_accepted(http, zendesk_json):
    # users/me answers 200 with an anonymous user (id null) where other endpoints would say 401.
    http.get(f"{ZENDESK}/api/v2/users/me.json", json=zendesk_json("users_me_anonymous.json"))

    with pytest.raises(ApiUnauthorized) as raised:
        client().current_user()

    assert raised.value.code == "AnonymousUser"
    assert "anonymous user" in str(raised.value) and "API token" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_a_refused_token_on_users_me_is_unauthorized(http, zendesk_json):
    http.get(f"{ZENDESK}/api/v2/users/me.json", status=401, json=zendesk_json("error_unauthorized.json"))

    with pytest.raises(ApiUnauthorized, match="Couldn't authenticate you") as raised:
        client().current_user()

    assert TOKEN not in str(raised.value)


# --- internal note -------------------------------------------------------------------------------


def test_internal_note_sends_the_plan_and_is_never_public(http, zendesk_json):
    http.put(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", json=zendesk_json("ticket_update_internal_note.json"))
    custom_fields = {360099001: "ENG-4211"}

    answer = client().add_note(TICKET, body=NOTE, fields=custom_fields)

    assert answer["audit"]["events"][0]["public"] is False
    plan = plan_internal_note(TICKET, body=NOTE, custom_fields=custom_fields)
    assert sent(http.calls[0]) == (plan.method, ZENDESK + plan.path, plan.json)
    body = sent(http.calls[0])[2]
    assert body == {"ticket": {
        "comment": {"body": NOTE, "public": False},
        "custom_fields": [{"id": 360099001, "value": "ENG-4211"}],
    }}
    assert body["ticket"]["comment"]["public"] is False  # the note must never reach the customer
    request = http.calls[0].request
    assert request.headers["Authorization"].startswith("Basic ")
    assert request.req_kwargs["timeout"] == ZendeskClient.timeout


def test_a_note_without_custom_fields_leaves_them_out_and_field_ids_become_numbers():
    assert plan_internal_note("35436", body=NOTE).as_dict() == {
        "method": "PUT",
        "path": "/api/v2/tickets/35436.json",
        "json": {"ticket": {"comment": {"body": NOTE, "public": False}}},
    }
    plan = plan_internal_note(TICKET, body=NOTE, custom_fields={"360099001": "ENG-4211"})
    assert plan.json["ticket"]["custom_fields"] == [{"id": 360099001, "value": "ENG-4211"}]
    with pytest.raises(ValueError, match="custom field ids"):
        plan_internal_note(TICKET, body=NOTE, custom_fields={"jira_key": "ENG-4211"})
    with pytest.raises(ValueError, match="body"):
        plan_internal_note(TICKET, body="  ")


def test_the_note_goes_to_the_configured_base_url(http, zendesk_json):
    base = "http://127.0.0.1:8765/zendesk"
    http.put(f"{base}/api/v2/tickets/{TICKET}.json", json=zendesk_json("ticket_update_internal_note.json"))

    client(base_url=base).add_note(TICKET, body=NOTE)

    assert http.calls[0].request.url == f"{base}/api/v2/tickets/{TICKET}.json"


def test_a_deleted_ticket_is_not_found(http, zendesk_json):
    http.put(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", status=404, json=zendesk_json("error_record_not_found.json"))

    with pytest.raises(ApiNotFound) as raised:
        client().add_note(TICKET, body=NOTE)

    assert str(raised.value) == (
        f"Zendesk PUT /api/v2/tickets/{TICKET}.json failed: HTTP 404 Not Found: RecordNotFound: Not found"
    )


def test_an_invalid_update_names_zendesk_s_complaint(http):
    http.put(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", status=422, json={
        "error": "RecordInvalid", "description": "Record validation errors",
        "details": {"base": [{"description": "Jira key: is invalid", "error": "InvalidValue"}]},
    })

    with pytest.raises(ApiError) as raised:
        client().add_note(TICKET, body=NOTE, fields={360099001: "??"})

    assert (raised.value.status, raised.value.code) == (422, "RecordInvalid")
    assert "Record validation errors" in str(raised.value)


def test_rate_limited_update_fails_fast_with_retry_after(http, sleeps):
    http.put(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", status=429, headers={"Retry-After": "45"})

    with pytest.raises(ApiRateLimited) as raised:
        client().add_note(TICKET, body=NOTE)

    assert raised.value.retry_after == 45.0
    assert sleeps == []


def test_a_timed_out_note_is_a_timeout(http):
    http.put(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", body=requests.ReadTimeout())

    with pytest.raises(ApiTimeout):
        client().add_note(TICKET, body=NOTE)


def test_a_refused_write_never_shows_the_token(http, zendesk_json, caplog):
    caplog.set_level(logging.DEBUG)
    http.put(f"{ZENDESK}/api/v2/tickets/{TICKET}.json", status=401, json=zendesk_json("error_unauthorized.json"))
    zendesk = client()

    with pytest.raises(ApiUnauthorized) as raised:
        zendesk.add_note(TICKET, body=NOTE)

    for text in (str(raised.value), repr(zendesk), caplog.text):
        assert TOKEN not in text


# --- tags ----------------------------------------------------------------------------------------


def test_add_tags_puts_exactly_the_plan_through_zenpy(http, zendesk_json):
    http.put(f"{ZENDESK}/api/v2/tickets/{TICKET}/tags.json", json=zendesk_json("ticket_tags.json"))

    tags = client().add_tags(TICKET, ["escalated", "eng-4211"])

    assert tags == ["outage", "refund", "vip", "escalated", "eng-4211"]
    plan = plan_add_tags(TICKET, ["escalated", "eng-4211"])
    assert sent(http.calls[0]) == ("PUT", ZENDESK + plan.path, plan.json)  # PUT adds; POST would replace
    assert plan.json == {"tags": ["escalated", "eng-4211"]}
    assert http.calls[0].request.req_kwargs["timeout"] == ZendeskClient.timeout


def test_tags_are_words(http):
    with pytest.raises(ValueError, match="without spaces"):
        plan_add_tags(TICKET, ["escalated to eng"])
    with pytest.raises(ValueError, match="without spaces"):
        plan_add_tags(TICKET, [])
    with pytest.raises(TypeError, match="list of strings"):
        plan_add_tags(TICKET, "escalated")
    assert len(http.calls) == 0


def test_tagging_an_unknown_ticket_is_not_found(http, zendesk_json):
    http.put(f"{ZENDESK}/api/v2/tickets/{TICKET}/tags.json", status=404,
             json=zendesk_json("error_record_not_found.json"))

    with pytest.raises(ApiNotFound):
        client().add_tags(TICKET, ["escalated"])


# --- finding our own note again ------------------------------------------------------------------

COMMENTS = f"{ZENDESK}/api/v2/tickets/{TICKET}/comments.json"


def test_find_comment_follows_cursor_links_to_the_marker(http, zendesk_json):
    http.get(COMMENTS, match=[matchers.query_param_matcher({"page[size]": "100"})],
             json=zendesk_json("ticket_comments_page1.json"))
    http.get(COMMENTS, match=[matchers.query_param_matcher({"page[after]": "xOnCpn8m", "page[size]": "100"})],
             json=zendesk_json("ticket_comments_page2.json"))

    comment = client().find_note(TICKET, "Escalated to ENG-4211")

    assert comment is not None and comment["id"] == 1330
    assert comment["public"] is False


def test_find_comment_stops_at_the_first_match(http, zendesk_json):
    http.get(COMMENTS, json=zendesk_json("ticket_comments_page1.json"))

    comment = client().find_note(TICKET, "third outage this month")

    assert comment["id"] == 1274
    assert len(http.calls) == 1


def test_find_comment_matches_the_html_body_too(http):
    http.get(COMMENTS, json={"comments": [{"id": 9, "body": "", "plain_body": "",
                                           "html_body": "<p>marker <code>esc_01HXYZ</code></p>"}],
                             "meta": {"has_more": False}, "links": {"next": None}})

    assert client().find_note(TICKET, "<code>esc_01HXYZ</code>")["id"] == 9


def test_find_comment_answers_none_after_the_last_page(http, zendesk_json):
    http.get(COMMENTS, match=[matchers.query_param_matcher({"page[size]": "100"})],
             json=zendesk_json("ticket_comments_page1.json"))
    http.get(COMMENTS, match=[matchers.query_param_matcher({"page[after]": "xOnCpn8m", "page[size]": "100"})],
             json=zendesk_json("ticket_comments_page2.json"))

    assert client().find_note(TICKET, "esc_NOT_THERE") is None


def test_find_comment_follows_offset_pagination_and_a_configured_base_url(http, zendesk_json):
    base = "http://127.0.0.1:8765/zendesk"
    http.get(f"{base}/api/v2/tickets/{TICKET}/comments.json",
             match=[matchers.query_param_matcher({"page[size]": "100"})],
             json=zendesk_json("ticket_comments_offset.json"))
    http.get(f"{base}/api/v2/tickets/{TICKET}/comments.json",
             match=[matchers.query_param_matcher({"page": "2", "per_page": "100"})],
             json={"comments": [{"id": 1501, "body": NOTE}], "next_page": None, "previous_page": None, "count": 101})

    comment = client(base_url=base).find_note(TICKET, "esc_01HXYZ")

    assert comment["id"] == 1501
    assert all(call.request.url.startswith(base) for call in http.calls)


def test_find_comment_never_follows_a_link_to_another_host(http):
    http.get(COMMENTS, json={"comments": [], "meta": {"has_more": True},
                             "links": {"next": "https://evil.example/api/v2/tickets/35436/comments.json"}})

    with pytest.raises(ApiError, match="another host"):
        client().find_note(TICKET, "esc_01HXYZ")

    assert len(http.calls) == 1


# --- ids -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["", "0", "12a", "35436.json", "../users/me", "1 OR 1=1"])
def test_ticket_ids_are_numbers_and_checked_before_any_call(http, bad_id):
    zendesk = client()
    for call in (
        lambda: zendesk.add_note(bad_id, body=NOTE),
        lambda: zendesk.add_tags(bad_id, ["escalated"]),
        lambda: zendesk.find_note(bad_id, "esc_01HXYZ"),
        lambda: plan_internal_note(bad_id, body=NOTE),
    ):
        with pytest.raises(ValueError, match="positive whole number"):
            call()
    assert len(http.calls) == 0
