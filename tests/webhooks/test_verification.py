"""Inbound webhook signatures: signed for real with the sign_* helpers, then checked; never patched away."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from werkzeug.datastructures import Headers

from sidecar.webhooks.verification import (
    WebhookRejected,
    check_jira_freshness,
    delivery_id,
    sign_jira,
    sign_salesforce,
    sign_slack,
    sign_zendesk,
    verify_jira,
    verify_salesforce,
    verify_slack,
    verify_zendesk,
)
from tests.clients.conftest import load_fixture

SECRET = "whsec-Test-s3cret-9f8e7d6c"
NOW = 1714660803.0  # 2024-05-02T14:40:03Z
BODY = json.dumps({"event": "comment_added", "ticket": {"id": "48213"}}).encode()
TIMED = ("zendesk", "slack", "salesforce")
ALL = (*TIMED, "jira")


def signed(system: str, raw: bytes = BODY, *, secret: str = SECRET, at: float = NOW) -> dict[str, str]:
    """The headers the sender would attach, made with the real helper."""
    if system == "zendesk":
        return sign_zendesk(raw, secret, at)
    if system == "slack":
        return sign_slack(raw, secret, at)
    if system == "salesforce":
        return sign_salesforce(raw, secret, at)
    return sign_jira(raw, secret)


def verify(system: str, raw: bytes, headers, *, secret: str = SECRET, now: float = NOW) -> None:
    if system == "jira":
        verify_jira(raw, headers, secret)
    else:
        check = {"zendesk": verify_zendesk, "slack": verify_slack, "salesforce": verify_salesforce}[system]
        check(raw, headers, secret, now=now)


def rejection(system: str, raw: bytes, headers, **kwargs) -> WebhookRejected:
    with pytest.raises(WebhookRejected) as caught:
        verify(system, raw, headers, **kwargs)
    assert caught.value.status == 401
    return caught.value


@pytest.mark.parametrize("system", ALL)
def test_a_request_signed_with_the_secret_is_accepted(system):
    verify(system, BODY, signed(system))


@pytest.mark.parametrize("system", ALL)
def test_an_empty_body_can_be_signed_and_checked(system):
    verify(system, b"", signed(system, b""))


@pytest.mark.parametrize("system", ALL)
def test_a_signature_made_with_another_secret_is_refused(system):
    error = rejection(system, BODY, signed(system, secret="someone-elses-secret"))
    assert error.code == "bad_signature"


@pytest.mark.parametrize("system", ALL)
def test_a_body_changed_after_signing_is_refused(system):
    tampered = BODY.replace(b"48213", b"48214")
    assert rejection(system, tampered, signed(system)).code == "bad_signature"


@pytest.mark.parametrize("system", ALL)
def test_a_request_without_the_signature_header_is_refused(system):
    headers = {name: value for name, value in signed(system).items() if "Signature" not in name}
    assert rejection(system, BODY, headers).code == "missing_signature"


@pytest.mark.parametrize("system", TIMED)
def test_a_request_without_the_timestamp_header_is_refused(system):
    headers = {name: value for name, value in signed(system).items() if "Timestamp" not in name}
    error = rejection(system, BODY, headers)
    assert error.code == "missing_signature"
    assert "Timestamp" in error.message


@pytest.mark.parametrize("system", TIMED)
@pytest.mark.parametrize("skew", [301, -301])
def test_a_timestamp_too_old_or_too_far_in_the_future_is_stale(system, skew):
    error = rejection(system, BODY, signed(system, at=NOW), now=NOW + skew)
    assert error.code == "stale_timestamp"
    assert ("old" if skew > 0 else "in the future") in error.message


@pytest.mark.parametrize("system", TIMED)
def test_a_timestamp_inside_the_tolerance_is_accepted(system):
    verify(system, BODY, signed(system, at=NOW), now=NOW + 299)
    verify(system, BODY, signed(system, at=NOW), now=NOW - 299)


def test_the_tolerance_can_be_widened():
    verify_slack(BODY, sign_slack(BODY, SECRET, NOW), SECRET, now=NOW + 3600, tolerance=7200)


@pytest.mark.parametrize("system", ALL)
@pytest.mark.parametrize("spelling", [str.lower, str.upper])
def test_header_names_match_whatever_their_case(system, spelling):
    headers = {spelling(name): value for name, value in signed(system).items()}
    verify(system, BODY, headers)


@pytest.mark.parametrize("system", ALL)
def test_werkzeug_headers_are_accepted(system):
    verify(system, BODY, Headers(list(signed(system).items())))


@pytest.mark.parametrize("system", ALL)
def test_an_empty_secret_refuses_instead_of_verifying(system):
    headers = signed(system, secret="")
    error = rejection(system, BODY, headers, secret="")
    assert error.code == "no_secret"


@pytest.mark.parametrize(("system", "header", "value"), [
    ("slack", "X-Slack-Signature", "v1=" + "a" * 64),
    ("slack", "X-Slack-Signature", "v0=not-hex"),
    ("slack", "X-Slack-Request-Timestamp", "1714660803.5"),
    ("jira", "X-Hub-Signature", "sha1=" + "a" * 40),
    ("jira", "X-Hub-Signature", "a" * 64),
    ("zendesk", "X-Zendesk-Webhook-Signature", "%%%not base64%%%"),
    ("zendesk", "X-Zendesk-Webhook-Signature", base64.b64encode(b"short").decode()),
    ("zendesk", "X-Zendesk-Webhook-Signature-Timestamp", "yesterday"),
    ("salesforce", "X-Sidecar-Timestamp", "2024-05-02T14:40:03Z"),
    ("salesforce", "X-Sidecar-Signature", "abc"),
])
def test_a_malformed_header_is_a_bad_signature(system, header, value):
    headers = {**signed(system), header: value}
    error = rejection(system, BODY, headers)
    assert error.code == "bad_signature"
    assert header in error.message


@pytest.mark.parametrize("system", ALL)
def test_messages_never_carry_the_secret_or_a_signature(system):
    good = signed(system)
    attempts = [
        signed(system, secret="another-secret"),
        {name: value for name, value in good.items() if "Signature" not in name},
    ]
    if system != "jira":
        attempts.append(signed(system, at=NOW - 3600))
    for headers in attempts:
        with pytest.raises(WebhookRejected) as caught:
            verify(system, BODY, headers)
        text = f"{caught.value.message} {caught.value}"
        assert SECRET not in text
        for value in (*good.values(), *headers.values()):
            if "Timestamp" not in value and len(value) > 20:
                assert value not in text


def test_the_zendesk_signature_is_base64_hmac_of_timestamp_then_body():
    timestamp = "2024-01-30T12:00:00Z"
    expected = base64.b64encode(hmac.new(SECRET.encode(), timestamp.encode() + BODY, hashlib.sha256).digest()).decode()

    assert sign_zendesk(BODY, SECRET, timestamp) == {
        "X-Zendesk-Webhook-Signature": expected, "X-Zendesk-Webhook-Signature-Timestamp": timestamp}
    verify_zendesk(BODY, sign_zendesk(BODY, SECRET, timestamp), SECRET, now=1706616000.0)


def test_slacks_published_example_request_verifies():
    # The example in Slack's "Verifying requests from Slack" guide.
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    body = (b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
    headers = {"X-Slack-Request-Timestamp": "1531420618",
               "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"}

    verify_slack(body, headers, secret, now=1531420618 + 10)
    assert sign_slack(body, secret, 1531420618) == headers


def test_the_jira_signature_is_sha256_hex_of_the_body_and_an_upper_case_digest_is_accepted():
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert sign_jira(BODY, SECRET) == {"X-Hub-Signature": f"sha256={digest}"}
    verify_jira(BODY, {"x-hub-signature": f"SHA256={digest.upper()}"}, SECRET)


def test_the_salesforce_scheme_is_base64_hmac_of_unix_seconds_then_body():
    expected = base64.b64encode(hmac.new(SECRET.encode(), b"1714660803" + BODY, hashlib.sha256).digest()).decode()
    assert sign_salesforce(BODY, SECRET, 1714660803) == {
        "X-Sidecar-Signature": expected, "X-Sidecar-Timestamp": "1714660803"}


def test_jira_freshness_reads_the_payload_timestamp_in_milliseconds():
    payload = load_fixture("jira", "webhook_comment_created.json")  # timestamp 2024-05-02T11:12:45.903Z
    sent = payload["timestamp"] / 1000

    check_jira_freshness(payload, now=sent + 299)
    for now in (sent + 301, sent - 301):
        with pytest.raises(WebhookRejected) as caught:
            check_jira_freshness(payload, now=now)
        assert caught.value.code == "stale_timestamp"


@pytest.mark.parametrize("payload", [{}, {"timestamp": None}, {"timestamp": "soon"}, {"timestamp": True}, []])
def test_a_jira_payload_without_a_usable_timestamp_is_refused(payload):
    with pytest.raises(WebhookRejected) as caught:
        check_jira_freshness(payload, now=NOW)
    assert caught.value.code == "stale_timestamp"


def test_zendesk_deliveries_are_known_by_their_invocation_id():
    headers = {"x-zendesk-webhook-invocation-id": "8350205582", "x-zendesk-webhook-id": "01F1KRFQ6BG29CNWFR60NK5FNY"}
    assert delivery_id("zendesk", BODY, headers) == "zendesk:8350205582"
    assert delivery_id("zendesk", BODY, {}) == f"zendesk:sha256:{hashlib.sha256(BODY).hexdigest()}"


def test_jira_deliveries_are_known_by_the_atlassian_identifier_then_by_what_the_body_names():
    payload = load_fixture("jira", "webhook_comment_created.json")
    raw = json.dumps(payload).encode()

    assert delivery_id("jira", raw, {"X-Atlassian-Webhook-Identifier": "1a2b3c4d-5e6f"},
                       payload) == "jira:1a2b3c4d-5e6f"
    assert delivery_id("jira", raw, {}, payload) == "jira:1714648365903:comment_created:10671:10258"
    assert delivery_id("jira", raw, {}) == f"jira:sha256:{hashlib.sha256(raw).hexdigest()}"


def test_slack_events_are_known_by_their_event_id():
    payload = load_fixture("slack", "event_message_thread_reply.json")
    assert delivery_id("slack", b"{}", {"X-Slack-Retry-Num": "1"}, payload) == "slack:Ev071K8QJ2RZ"


def test_slack_interactions_are_known_by_a_hash_of_the_click():
    acknowledge = load_fixture("slack", "interaction_block_actions_acknowledge.json")
    reassign = load_fixture("slack", "interaction_block_actions_reassign.json")

    first = delivery_id("slack", b"payload=a", {}, acknowledge)
    assert first.startswith("slack:interaction:")
    assert delivery_id("slack", b"payload=b", {}, acknowledge) == first  # the same click, whatever the bytes
    assert delivery_id("slack", b"payload=a", {}, reassign) != first


def test_salesforce_deliveries_are_known_by_the_event_id_the_apex_sends():
    payload = load_fixture("salesforce", "webhook_comment_added.json")
    assert delivery_id("salesforce", BODY, {}, payload) == "salesforce:00aHn000004RtYvIAK"
    assert delivery_id("salesforce", BODY, {}, {"event": "case_updated"}).startswith("salesforce:sha256:")


def test_delivery_ids_are_only_made_for_known_systems():
    with pytest.raises(ValueError, match="not 'github'"):
        delivery_id("github", BODY, {})
