"""A signed webhook replayed under a new, unsigned delivery id is a duplicate: nothing is queued twice.

The delivery-id headers (X-Zendesk-Webhook-Invocation-Id, X-Atlassian-Webhook-Identifier) are not covered
by the signature, so whoever captured one request can send it again with another id and a still-valid
signature. The sidecar also remembers what was signed (timestamp + body, or the Jira body).
"""
from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from sidecar.store.models import Job, WebhookDelivery
from sidecar.webhooks.verification import (
    sign_jira,
    sign_salesforce,
    sign_slack,
    sign_zendesk,
    signed_content_id,
)
from tests.conftest import FIXTURES
from tests.escalation_support import configure

TEAM = "T04QKJ6RF5Y"
SECRETS = {"zendesk.webhook_secret": "zd-hook-secret", "jira.webhook_secret": "jira-hook-secret",
           "salesforce.webhook_secret": "sf-hook-secret", "slack.signing_secret": "slack-signing-secret",
           "slack.team_id": TEAM}


def fixture(system: str, name: str) -> dict:
    return json.loads((FIXTURES / system / f"{name}.json").read_text())


@pytest.fixture
def hooked(client, installation):
    configure(client, installation["api_token"], SECRETS)
    return installation


def inbound_jobs(app) -> int:
    with app.extensions["sidecar"].database.session() as session:
        return session.scalar(select(func.count()).select_from(Job).where(Job.kind == "inbound.event"))


def zendesk_request(installation, comment: str = "Still charged twice.") -> tuple[str, bytes, dict]:
    payload = fixture("zendesk", "webhook_comment_added_angry")
    payload["ticket"]["latest_comment"]["body"] = comment
    raw = json.dumps(payload).encode()
    headers = sign_zendesk(raw, "zd-hook-secret", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    return f"/webhooks/zendesk/{installation['id']}", raw, headers


def jira_request(installation, text: str = "Refund queued.") -> tuple[str, bytes, dict]:
    payload = fixture("jira", "webhook_comment_created")
    payload["timestamp"] = int(time.time() * 1000)
    payload["comment"]["body"] = {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": text}]}]}
    raw = json.dumps(payload).encode()
    return f"/webhooks/jira/{installation['id']}", raw, sign_jira(raw, "jira-hook-secret")


def salesforce_request(installation, comment: str = "Still down.") -> tuple[str, bytes, dict]:
    payload = fixture("salesforce", "webhook_comment_added")
    del payload["event_id"]  # without it the delivery id is the body's hash: the signed content still decides
    payload["comment"]["CommentBody"] = comment
    raw = json.dumps(payload).encode()
    return f"/webhooks/salesforce/{installation['id']}", raw, sign_salesforce(raw, "sf-hook-secret", time.time())


def slack_event_request(_installation, text: str = "on it") -> tuple[str, bytes, dict]:
    payload = fixture("slack", "event_message_thread_reply")
    payload["team_id"] = TEAM
    payload["event"]["text"] = text
    payload["event_id"] = "Ev" + str(abs(hash(text)))
    raw = json.dumps(payload).encode()
    return "/webhooks/slack/events", raw, sign_slack(raw, "slack-signing-secret", time.time())


# (system, request builder, the header a replayer would change, content type)
VENDORS = [
    ("zendesk", zendesk_request, "X-Zendesk-Webhook-Invocation-Id", "application/json"),
    ("jira", jira_request, "X-Atlassian-Webhook-Identifier", "application/json"),
    ("salesforce", salesforce_request, None, "application/json"),
    ("slack", slack_event_request, "X-Slack-Retry-Num", "application/json"),
]


def post(client, url, raw, headers, content_type, delivery_header, delivery):
    extra = {delivery_header: delivery} if delivery_header else {}
    return client.post(url, data=raw, headers={**headers, **extra}, content_type=content_type)


@pytest.mark.parametrize("system, build, delivery_header, content_type", VENDORS, ids=[v[0] for v in VENDORS])
def test_the_same_signed_request_under_a_new_delivery_id_is_a_duplicate(app, client, hooked, system, build,
                                                                         delivery_header, content_type):
    url, raw, headers = build(hooked)
    first = post(client, url, raw, headers, content_type, delivery_header, "1")
    assert first.status_code == 200 and first.get_json()["status"] == "accepted", first.get_json()
    replayed = post(client, url, raw, headers, content_type, delivery_header, "2")  # same body, signature, time
    assert replayed.status_code == 200 and replayed.get_json()["status"] == "duplicate", replayed.get_json()
    assert inbound_jobs(app) == 1

    url, raw, headers = build(hooked, "a genuinely new comment")
    fresh = post(client, url, raw, headers, content_type, delivery_header, "3")
    assert fresh.status_code == 200 and fresh.get_json()["status"] == "accepted", fresh.get_json()
    assert inbound_jobs(app) == 2


def test_the_issues_zendesk_replay_reaches_the_queue_once(app, client, hooked):
    """The reproduction from issue 13: a new X-Zendesk-Webhook-Invocation-Id on a captured request."""
    url, raw, headers = zendesk_request(hooked)
    answers = [client.post(url, data=raw, headers={**headers, "X-Zendesk-Webhook-Invocation-Id": invocation},
                           content_type="application/json").get_json()["status"]
               for invocation in ("01HZ-original", "01HZ-forged-1", "01HZ-forged-2")]
    assert answers == ["accepted", "duplicate", "duplicate"]
    assert inbound_jobs(app) == 1


def test_a_vendor_retry_with_the_same_delivery_id_is_still_a_duplicate(app, client, hooked):
    # Zendesk retries the invocation it could not deliver; whether re-signed or not, its id is the same.
    url, raw, headers = zendesk_request(hooked)
    ids = {"X-Zendesk-Webhook-Invocation-Id": "inv-1"}
    assert client.post(url, data=raw, headers={**headers, **ids}, content_type="application/json").get_json()[
        "status"] == "accepted"
    later = sign_zendesk(raw, "zd-hook-secret", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2)))
    assert client.post(url, data=raw, headers={**later, **ids}, content_type="application/json").get_json()[
        "status"] == "duplicate"
    assert inbound_jobs(app) == 1


def test_a_replayed_slack_interaction_is_a_duplicate(app, client, hooked):
    action = fixture("slack", "interaction_block_actions_acknowledge")
    action["team"]["id"] = TEAM
    raw = urlencode({"payload": json.dumps(action)}).encode()
    headers = sign_slack(raw, "slack-signing-secret", time.time())
    for retry in ("", "1"):
        response = client.post("/webhooks/slack/interactions", data=raw,
                               headers={**headers, "X-Slack-Retry-Num": retry},
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
    assert inbound_jobs(app) == 1


def test_the_signed_content_is_remembered_beside_the_delivery_id(app, client, hooked):
    url, raw, headers = zendesk_request(hooked)
    client.post(url, data=raw, headers={**headers, "X-Zendesk-Webhook-Invocation-Id": "inv-9"},
                content_type="application/json")
    with app.extensions["sidecar"].database.session() as session:
        kept = sorted(session.scalars(select(WebhookDelivery.delivery_id)))
    assert kept == sorted(["zendesk:inv-9", signed_content_id("zendesk", raw, headers)])


def test_a_signed_content_id_covers_exactly_what_is_signed():
    raw = b'{"a": 1}'
    zendesk = sign_zendesk(raw, "s", "2024-05-02T09:58:00Z")
    assert signed_content_id("zendesk", raw, zendesk) == signed_content_id(
        "zendesk", raw, {**zendesk, "X-Zendesk-Webhook-Invocation-Id": "another"})
    assert signed_content_id("zendesk", raw, zendesk) != signed_content_id(
        "zendesk", raw, sign_zendesk(raw, "s", "2024-05-02T09:58:01Z"))
    assert signed_content_id("zendesk", raw, zendesk) != signed_content_id("zendesk", b'{"a": 2}', zendesk)
    # Jira signs only the body: the signature's spelling (hex case) and the identifier change nothing.
    jira = sign_jira(raw, "s")
    shouted = {"X-Hub-Signature": jira["X-Hub-Signature"].upper().replace("SHA256=", "sha256=")}
    assert signed_content_id("jira", raw, jira) == signed_content_id("jira", raw, shouted)
    slack = sign_slack(raw, "s", 1714660803)
    assert signed_content_id("slack", raw, slack) != signed_content_id("slack", raw, sign_slack(raw, "s", 1714660804))
    salesforce = sign_salesforce(raw, "s", 1714660803)
    assert signed_content_id("salesforce", raw, salesforce).startswith("signed:")
    with pytest.raises(ValueError):
        signed_content_id("github", raw, {})
