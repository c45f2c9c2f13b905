"""SlackClient against the Slack Web API's documented JSON, faked at the HTTP layer."""
from __future__ import annotations

import json
import logging

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
from sidecar.clients.slack import SlackClient, plan_post_message
from tests.clients.conftest import load_fixture

TOKEN = "xoxb-1234567890-0987654321-s3cr3tBotT0ken"
API = "https://slack.com/api"
CHANNEL = "C0ESCALATE"
METADATA = {
    "event_type": "escalation_posted",
    "event_payload": {"escalation_id": "esc_01HXYZ", "ticket": "zendesk:35436", "issue": "ENG-4211"},
}
BLOCKS = [{"type": "section", "block_id": "summary", "text": {"type": "mrkdwn", "text": "*Escalated:* ENG-4211"}}]


def slack(name: str):
    return load_fixture("slack", name)


def sent_json(call) -> dict:
    return json.loads(call.request.body)


def client() -> SlackClient:
    return SlackClient(TOKEN)


# --- requests and their parsing ------------------------------------------------------------------


def test_post_message_sends_the_planned_json_with_the_bot_token(http):
    http.post(f"{API}/chat.postMessage", json=slack("chat_post_message.json"))
    plan = plan_post_message(CHANNEL, text="Escalated: Zendesk #35436 to ENG-4211", blocks=BLOCKS,
                             metadata=METADATA)

    answer = client().post_message(CHANNEL, text="Escalated: Zendesk #35436 to ENG-4211", blocks=BLOCKS,
                                   metadata=METADATA)

    assert (answer["ok"], answer["channel"], answer["ts"]) == (True, CHANNEL, "1714650012.000200")
    assert answer["message"]["metadata"] == METADATA
    request = http.calls[0].request
    assert (request.method, request.url) == (plan.method, API + plan.path)
    assert sent_json(http.calls[0]) == plan.json
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.req_kwargs["timeout"] == SlackClient.timeout


def test_the_plan_is_plain_data_and_leaves_out_what_was_not_given():
    plan = plan_post_message(CHANNEL, text="Escalated", thread_ts="1714650012.000200")

    assert plan.as_dict() == {
        "method": "POST",
        "path": "/chat.postMessage",
        "json": {"channel": CHANNEL, "text": "Escalated", "thread_ts": "1714650012.000200", "unfurl_links": False},
    }


@pytest.mark.parametrize(
    "metadata",
    [{"event_type": "escalation_posted"}, {"event_payload": {}}, {"event_type": "", "event_payload": {}},
     {"event_type": "x", "event_payload": "esc_1"}],
)
def test_metadata_must_have_slack_s_shape(metadata):
    with pytest.raises(ValueError, match="event_type"):
        plan_post_message(CHANNEL, text="Escalated", metadata=metadata)


def test_a_message_needs_a_channel_and_fallback_text(http):
    with pytest.raises(ValueError, match="text"):
        client().post_message(CHANNEL, text=" ", blocks=BLOCKS)
    with pytest.raises(ValueError, match="channel"):
        plan_post_message("", text="Escalated")
    assert len(http.calls) == 0


def test_auth_test_answers_who_the_token_is(http):
    http.post(f"{API}/auth.test", json=slack("auth_test.json"))

    answer = client().auth_test()

    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0123ABCD", "U0456BOT", "B0789BOT")
    assert http.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert http.calls[0].request.body is None


def test_get_permalink_is_a_get_with_query_parameters(http):
    http.get(f"{API}/chat.getPermalink",
             match=[matchers.query_param_matcher({"channel": CHANNEL, "message_ts": "1714650012.000200"})],
             json=slack("chat_get_permalink.json"))

    link = client().get_permalink(CHANNEL, "1714650012.000200")

    assert link == "https://acme-support.slack.com/archives/C0ESCALATE/p1714650012000200"
    assert http.calls[0].request.body is None


def test_open_conversation_returns_the_dm_channel_id(http):
    http.post(f"{API}/conversations.open", match=[matchers.json_params_matcher({"users": "U0DANA"})],
              json=slack("conversations_open.json"))

    assert client().open_conversation("U0DANA") == "D0DANA123"


# --- find before post: the message metadata search -----------------------------------------------


def history_params(**extra) -> dict:
    return {"channel": CHANNEL, "include_all_metadata": "true", "oldest": "1714640000.000000",
            "limit": "200", **extra}


def test_find_message_follows_the_cursor_and_matches_event_type_and_payload(http):
    http.get(f"{API}/conversations.history", match=[matchers.query_param_matcher(history_params())],
             json=slack("conversations_history_page1.json"))
    http.get(f"{API}/conversations.history",
             match=[matchers.query_param_matcher(history_params(cursor="bmV4dF90czoxNzE0NjUwMDUw"))],
             json=slack("conversations_history_page2.json"))

    found = client().find_message_with_metadata(
        CHANNEL, event_type="escalation_posted", key="escalation_id", value="esc_01HXYZ", oldest=1714640000,
    )

    # Page 1 holds another escalation and a different event type carrying the same payload value.
    assert found is not None and found["ts"] == "1714650012.000200"
    assert found["metadata"] == METADATA


def test_find_message_answers_none_when_history_ends_without_it(http):
    http.get(f"{API}/conversations.history", json=slack("conversations_history_page2.json"))

    found = client().find_message_with_metadata(
        CHANNEL, event_type="escalation_posted", key="escalation_id", value="esc_NOT_THERE", oldest=1714640000,
    )

    assert found is None
    assert len(http.calls) == 1


def test_find_message_stops_after_max_pages_and_says_so(http, caplog):
    http.get(f"{API}/conversations.history", json=slack("conversations_history_page1.json"))
    caplog.set_level(logging.WARNING)

    found = client().find_message_with_metadata(
        CHANNEL, event_type="escalation_posted", key="escalation_id", value="esc_01HXYZ", oldest=1714640000,
        max_pages=2,
    )

    assert found is None
    assert len(http.calls) == 2
    assert "without reaching the oldest message" in caplog.text


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("invalid_auth", ApiUnauthorized),
        ("not_authed", ApiUnauthorized),
        ("account_inactive", ApiUnauthorized),
        ("token_revoked", ApiUnauthorized),
        ("token_expired", ApiUnauthorized),
        ("not_allowed_token_type", ApiForbidden),
        ("channel_not_found", ApiNotFound),
        ("user_not_found", ApiNotFound),
        ("message_not_found", ApiNotFound),
        ("fatal", ApiUnavailable),
        ("internal_error", ApiUnavailable),
        ("service_unavailable", ApiUnavailable),
        ("request_timeout", ApiUnavailable),
    ],
)
def test_ok_false_codes_are_translated_once(http, code, error):
    http.post(f"{API}/chat.postMessage", json={"ok": False, "error": code})

    with pytest.raises(error) as raised:
        client().post_message(CHANNEL, text="Escalated")

    assert raised.value.code == code
    assert str(raised.value) == f"Slack chat.postMessage failed: {code}"
    assert raised.value.status is None  # Slack said HTTP 200


def test_an_unknown_code_is_a_plain_api_error_with_the_code(http):
    http.post(f"{API}/chat.postMessage", json={"ok": False, "error": "is_archived"})

    with pytest.raises(ApiError) as raised:
        client().post_message(CHANNEL, text="Escalated")

    assert type(raised.value) is ApiError
    assert raised.value.code == "is_archived"
    assert not raised.value.transient


def test_missing_scope_names_the_scope_needed(http):
    http.post(f"{API}/chat.postMessage", json=slack("error_missing_scope.json"))

    with pytest.raises(ApiForbidden, match=r"missing_scope \(needs scope chat:write\)"):
        client().post_message(CHANNEL, text="Escalated")


def test_invalid_blocks_carry_slack_s_explanation(http):
    http.post(f"{API}/chat.postMessage", json=slack("error_invalid_blocks.json"))

    with pytest.raises(ApiError, match=r"invalid_blocks: \[ERROR\] must provide a string"):
        client().post_message(CHANNEL, text="Escalated", blocks=BLOCKS)


def test_ratelimited_in_the_body_carries_retry_after(http, sleeps):
    http.post(f"{API}/chat.postMessage", headers={"Retry-After": "12"}, json={"ok": False, "error": "ratelimited"})

    with pytest.raises(ApiRateLimited) as raised:
        client().post_message(CHANNEL, text="Escalated")

    assert (raised.value.retry_after, raised.value.status, raised.value.code) == (12.0, 429, "ratelimited")
    assert raised.value.transient and sleeps == []


def test_http_429_with_a_long_retry_after_fails_fast(http, sleeps):
    http.post(f"{API}/chat.postMessage", status=429, headers={"Retry-After": "30"},
              json={"ok": False, "error": "ratelimited"})

    with pytest.raises(ApiRateLimited) as raised:
        client().post_message(CHANNEL, text="Escalated")

    assert raised.value.retry_after == 30.0
    assert sleeps == [] and len(http.calls) == 1


def test_http_429_with_a_short_retry_after_is_retried_once(http, sleeps):
    http.post(f"{API}/chat.postMessage", status=429, headers={"Retry-After": "1"})
    http.post(f"{API}/chat.postMessage", json=slack("chat_post_message.json"))

    assert client().post_message(CHANNEL, text="Escalated")["ts"] == "1714650012.000200"
    assert sleeps == [1.0]


def test_server_error_is_unavailable(http):
    http.post(f"{API}/chat.postMessage", status=503, body="<html>upstream connect error</html>")

    with pytest.raises(ApiUnavailable) as raised:
        client().post_message(CHANNEL, text="Escalated")

    assert raised.value.status == 503 and "<html>" not in str(raised.value)


@pytest.mark.parametrize(
    ("exception", "error"),
    [(requests.ReadTimeout(), ApiTimeout), (requests.ConnectionError(), ApiUnavailable)],
)
def test_transport_failures(http, exception, error):
    http.post(f"{API}/chat.postMessage", body=exception)

    with pytest.raises(error):
        client().post_message(CHANNEL, text="Escalated")


def test_an_answer_that_is_not_slack_json_is_an_error(http):
    http.post(f"{API}/auth.test", json={"hello": "proxy"})

    with pytest.raises(ApiError, match="check api_url"):
        client().auth_test()


def test_the_token_never_reaches_messages_or_logs(http, caplog):
    caplog.set_level(logging.DEBUG)
    http.post(f"{API}/chat.postMessage", json={
        "ok": False, "error": "invalid_auth", "response_metadata": {"messages": [f"[ERROR] bad token {TOKEN}"]},
    })
    http.post(f"{API}/auth.test", status=401, json={"ok": False, "error": "invalid_auth", "token": TOKEN})
    slack_client = client()

    with pytest.raises(ApiUnauthorized) as in_body:
        slack_client.post_message(CHANNEL, text="Escalated")
    with pytest.raises(ApiUnauthorized) as http_401:
        slack_client.auth_test()

    for text in (str(in_body.value), str(http_401.value), repr(slack_client), caplog.text):
        assert TOKEN not in text


# --- construction --------------------------------------------------------------------------------


def test_api_url_points_the_client_at_a_proxy_or_fake(http):
    http.post("http://127.0.0.1:8790/slack/api/auth.test", json=slack("auth_test.json"))

    SlackClient(TOKEN, base_url="http://127.0.0.1:8790/slack/api/", allow_private=True).auth_test()

    assert http.calls[0].request.url == "http://127.0.0.1:8790/slack/api/auth.test"


# --- user groups and response_url ----------------------------------------------------------------


def test_usergroup_members_lists_the_user_ids(http):
    http.get(f"{API}/usergroups.users.list", match=[matchers.query_param_matcher({"usergroup": "S0604QSJC"})],
             json={"ok": True, "users": ["U060R4BJ4", "W123A4BC5"]})

    assert client().usergroup_members("S0604QSJC") == ["U060R4BJ4", "W123A4BC5"]
    assert http.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_usergroup_members_without_the_scope_is_forbidden(http):
    http.get(f"{API}/usergroups.users.list", json={"ok": False, "error": "missing_scope", "needed": "usergroups:read"})

    with pytest.raises(ApiForbidden, match=r"needs scope usergroups:read"):
        client().usergroup_members("S0604QSJC")


def test_a_response_url_gets_the_message_and_no_token(http):
    from sidecar.clients.slack import post_to_response_url

    url = "https://hooks.slack.com/actions/T04QKJ6RF5Y/7049925119011/Qe0qkH3wLrZ2n1n8xXb8pV4d"
    http.post(url, body="ok")
    message = {"response_type": "ephemeral", "replace_original": False, "text": "Not for you"}

    post_to_response_url(url, message)

    assert sent_json(http.calls[0]) == message
    assert "Authorization" not in http.calls[0].request.headers


def test_a_used_response_url_is_an_error_that_does_not_name_the_url(http):
    from sidecar.clients.slack import post_to_response_url

    url = "https://hooks.slack.com/actions/T04QKJ6RF5Y/7049925119011/Qe0qkH3wLrZ2n1n8xXb8pV4d"
    http.post(url, status=404, json={"ok": False, "error": "used_url"})

    with pytest.raises(ApiNotFound) as raised:
        post_to_response_url(url, {"text": "x"})

    assert raised.value.code == "used_url" and "Qe0qkH3w" not in raised.value.message


def test_a_response_url_on_a_metadata_address_is_refused_before_anything_is_sent(http):
    from sidecar.clients.errors import OutboundUrlRefused
    from sidecar.clients.slack import post_to_response_url

    url = "http://169.254.169.254/latest/meta-data/"

    # Nothing is registered: a request that went out would be a ConnectionError from `responses`.
    with pytest.raises(OutboundUrlRefused, match="link-local"):
        post_to_response_url(url, {"text": "x"}, allow_private=True)

    assert len(http.calls) == 0
