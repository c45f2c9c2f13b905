"""After the handoff, end to end: signed vendor webhooks in, the ticket, Jira and Slack kept in step, no echoes.

Each webhook is posted signed for real (sidecar.webhooks.verification's sign_* helpers) with a fixture
payload shaped as the vendor documents it; the fake Jira, Slack and Zendesk hold what was written.
"""
from __future__ import annotations

import copy
import json
import time
from datetime import timedelta

from sqlalchemy import update

from sidecar.store.models import Escalation, Job, utcnow
from sidecar.webhooks.verification import sign_jira, sign_slack, sign_zendesk
from tests.conftest import FIXTURES, bearer
from tests.escalation_support import (
    MANY,
    REFUND,
    TEAM,
    configure,
    deliver,
    escalate,
    zendesk_notes,
)


def fixture(system: str, name: str) -> dict:
    return json.loads((FIXTURES / system / f"{name}.json").read_text())


def shown(client, installation, escalation_id):
    return client.get(f"/v1/escalations/{escalation_id}", headers=bearer(installation["api_token"])).get_json()


def post_jira(client, installation, payload, *, secret="jira-hook-secret", headers=None):
    raw = json.dumps(payload).encode()
    signed = {**sign_jira(raw, secret), "X-Atlassian-Webhook-Identifier": str(hash(raw)), **(headers or {})}
    return client.post(f"/webhooks/jira/{installation['id']}", data=raw, headers=signed,
                       content_type="application/json")


def post_zendesk(client, installation, payload, *, secret="zd-hook-secret", when=None, invocation="inv-1"):
    raw = json.dumps(payload).encode()
    stamp = when or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    signed = {**sign_zendesk(raw, secret, stamp), "X-Zendesk-Webhook-Invocation-Id": invocation}
    return client.post(f"/webhooks/zendesk/{installation['id']}", data=raw, headers=signed,
                       content_type="application/json")


def post_slack_event(client, payload, *, secret="slack-signing-secret", when=None):
    raw = json.dumps(payload).encode()
    return client.post("/webhooks/slack/events", data=raw, headers=sign_slack(raw, secret, when or time.time()),
                       content_type="application/json")


def post_slack_action(client, payload, *, secret="slack-signing-secret"):
    from urllib.parse import urlencode

    raw = urlencode({"payload": json.dumps(payload)}).encode()
    return client.post("/webhooks/slack/interactions", data=raw, headers=sign_slack(raw, secret, time.time()),
                       content_type="application/x-www-form-urlencoded")


def jira_done(key: str) -> dict:
    payload = fixture("jira", "webhook_issue_updated_done")
    payload["issue"]["key"] = key
    payload["timestamp"] = int(time.time() * 1000)
    return payload


def jira_comment(key: str, text: str) -> dict:
    payload = fixture("jira", "webhook_comment_created")
    payload["issue"]["key"] = key
    payload["timestamp"] = int(time.time() * 1000)
    payload["comment"]["body"] = {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": text}]}]}
    return payload


def slack_reply(escalation: dict, text: str, **extra) -> dict:
    payload = fixture("slack", "event_message_thread_reply")
    payload["team_id"] = TEAM
    payload["event"].update({"channel": escalation["slack"]["channel"], "thread_ts": escalation["slack"]["ts"],
                             "text": text, "ts": f"{time.time():.6f}", **extra})
    payload["event_id"] = "Ev" + str(abs(hash(text)))
    return payload


def slack_posts_in_thread(fake, escalation):
    return [r for r in fake.requests("slack") if r["path"] == "/chat.postMessage"
            and (r["body"] or {}).get("thread_ts") == escalation["slack"]["ts"]]


def jira_comments(fake, key):
    return [r for r in fake.requests("jira")
            if r["method"] == "POST" and r["path"] == f"/rest/api/3/issue/{key}/comment"]


def test_jira_done_resolves_with_a_drafted_reply_once_and_unsigned_is_refused(client, hooked, escalated, fake,
                                                                            database, box):
    key = escalated["jira"]["key"]
    payload = jira_done(key)
    assert post_jira(client, hooked, payload, secret="wrong").status_code == 401
    assert client.post(f"/webhooks/jira/{hooked['id']}", json=payload).status_code == 401
    notes_before = len(zendesk_notes(fake))

    first = post_jira(client, hooked, payload)
    assert first.status_code == 200 and first.get_json()["status"] == "accepted"
    deliver(database, box)
    notes = zendesk_notes(fake)[notes_before:]
    assert len(notes) == 1
    note = notes[0]["body"]["ticket"]
    assert note["comment"]["public"] is False
    assert "Done" in note["comment"]["body"] or "Fixed" in note["comment"]["body"]
    assert "Dana" in note["comment"]["body"]  # the drafted reply addresses the customer
    assert "escalation_resolved" in note["additional_tags"]
    assert len(slack_posts_in_thread(fake, escalated)) == 1
    after = shown(client, hooked, escalated["id"])
    assert after["status"] == "resolved" and after["time_to_resolve_seconds"] is not None
    assert after["drafted_reply"].startswith("Hi Dana")  # what "insert drafted reply" puts in the reply box
    assert [e["kind"] for e in after["timeline"]][-1] == "resolved"

    again = post_jira(client, hooked, payload)  # the same delivery (same identifier)
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    deliver(database, box)
    assert len(zendesk_notes(fake)) == notes_before + 1 and len(slack_posts_in_thread(fake, escalated)) == 1


def test_a_stale_or_tampered_webhook_is_401(client, hooked, escalated):
    payload = jira_done(escalated["jira"]["key"])
    payload["timestamp"] = int((time.time() - 7 * 3600) * 1000)  # Jira: retries keep the event time, so hours
    assert post_jira(client, hooked, payload).status_code == 401
    stale = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600))
    angry = fixture("zendesk", "webhook_comment_added_angry")
    assert post_zendesk(client, hooked, angry, when=stale).status_code == 401
    assert post_slack_event(client, slack_reply(escalated, "hi"), when=time.time() - 600).status_code == 401
    raw = json.dumps(angry).encode()
    headers = sign_zendesk(raw, "zd-hook-secret", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    tampered = raw.replace(b"manager", b"mangler")
    response = client.post(f"/webhooks/zendesk/{hooked['id']}", data=tampered, headers=headers,
                           content_type="application/json")
    assert response.status_code == 401 and response.get_json()["error"]["code"]


def test_a_signed_body_nested_too_deeply_is_a_400_not_a_500(client, hooked):
    raw = b'{"a":' * 5000 + b"1" + b"}" * 5000
    signed = {**sign_jira(raw, "jira-hook-secret"), "X-Atlassian-Webhook-Identifier": "deep-1"}
    response = client.post(f"/webhooks/jira/{hooked['id']}", data=raw, headers=signed, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_json"


def test_unhandled_events_are_acknowledged_and_ignored(client, hooked):
    deleted = fixture("jira", "webhook_issue_deleted")
    deleted["timestamp"] = int(time.time() * 1000)
    response = post_jira(client, hooked, deleted)
    assert response.status_code == 200 and response.get_json()["status"] == "ignored"
    response = post_zendesk(client, hooked, fixture("zendesk", "webhook_unknown_event"))
    assert response.status_code == 200 and response.get_json()["status"] == "ignored"
    mention = fixture("slack", "event_app_mention")
    mention["team_id"] = TEAM
    assert post_slack_event(client, mention).get_json()["status"] == "ignored"


def test_slack_url_verification_is_answered(client, hooked):
    challenge = fixture("slack", "event_url_verification")
    response = post_slack_event(client, challenge)
    assert response.status_code == 200 and response.get_json() == {"challenge": challenge["challenge"]}
    assert post_slack_event(client, challenge, secret="wrong").status_code == 401


def test_a_jira_comment_reaches_the_ticket_and_the_thread_and_the_round_trip_ends(client, hooked, escalated, fake,
                                                                                database, box):
    key = escalated["jira"]["key"]
    notes_before = len(zendesk_notes(fake))
    post_jira(client, hooked, jira_comment(key, "Root cause: the payment gateway retried the charge. Refund queued."))
    deliver(database, box)
    notes = zendesk_notes(fake)[notes_before:]
    assert len(notes) == 1 and "gateway" in notes[0]["body"]["ticket"]["comment"]["body"]
    assert notes[0]["body"]["ticket"]["comment"]["public"] is False
    assert len(slack_posts_in_thread(fake, escalated)) == 1
    after = shown(client, hooked, escalated["id"])
    assert after["summary"] and "gateway" in after["summary"]["text"]

    # Our note comes back as a Zendesk comment event: written by an agent, carrying our marker: ignored.
    ours = notes[0]["body"]["ticket"]["comment"]["body"]
    echo = fixture("zendesk", "webhook_comment_added_angry")
    echo["ticket"]["latest_comment"].update({"author_role": "agent", "body": ours, "public": "false"})
    post_zendesk(client, hooked, echo, invocation="inv-echo")
    deliver(database, box)
    assert len(zendesk_notes(fake)) == notes_before + 1 and len(jira_comments(fake, key)) == 0


def test_a_slack_thread_reply_becomes_a_ticket_note_and_a_jira_comment_without_echo(client, hooked, escalated,
                                                                                   fake, database, box):
    key = escalated["jira"]["key"]
    notes_before = len(zendesk_notes(fake))
    response = post_slack_event(client, slack_reply(escalated, "Refund approved by finance, processing today."))
    assert response.get_json()["status"] == "accepted"
    deliver(database, box)
    assert len(zendesk_notes(fake)) == notes_before + 1
    comments = jira_comments(fake, key)
    assert len(comments) == 1
    from sidecar.clients.jira import adf_to_text

    ours = adf_to_text(comments[0]["body"]["body"])
    assert "Refund approved" in ours and "[sidecar:" in ours
    # That comment comes back from Jira: it carries our marker, so it stops here.
    post_jira(client, hooked, jira_comment(key, ours))
    # And the bot's own Slack posts never sync back.
    post_slack_event(client, slack_reply(escalated, "bot says hi", bot_id="B123"))
    deliver(database, box)
    assert len(zendesk_notes(fake)) == notes_before + 1 and len(jira_comments(fake, key)) == 1


def test_a_new_customer_comment_goes_to_jira_and_the_thread(client, hooked, escalated, fake, database, box):
    key = escalated["jira"]["key"]
    angry = fixture("zendesk", "webhook_comment_added_angry")
    angry["ticket"]["id"] = REFUND["id"]
    post_zendesk(client, hooked, angry, invocation="inv-customer")
    deliver(database, box)
    assert len(jira_comments(fake, key)) == 1
    posts = slack_posts_in_thread(fake, escalated)
    assert len(posts) == 1
    # The requester's name comes from the webhook: "<Name> (customer) wrote again", never "The customer (customer)".
    assert posts[0]["body"]["text"].startswith(":speech_balloon: Dana Whitfield (customer) wrote again")
    from sidecar.clients.jira import adf_to_text

    assert adf_to_text(jira_comments(fake, key)[0]["body"]["body"]).startswith("Dana Whitfield (customer) wrote on")
    timeline = shown(client, hooked, escalated["id"])["timeline"]
    assert [e["actor"] for e in timeline if e["kind"] == "customer_comment"] == ["Dana Whitfield"]


def load_acme_directory(database, installation):
    """The acme experts (Ana Ruiz is Slack user U01ANA): only a known Slack user's button presses count."""
    import yaml

    from sidecar.services.directory import load_directory
    from sidecar.services.installations import get_installation

    with database.session() as session:
        load_directory(session, installation=get_installation(session, installation["id"]),
                       document=yaml.safe_load((FIXTURES / "directory" / "acme.yaml").read_text()))


def test_acknowledge_records_who_and_when_and_tells_the_ticket(client, hooked, escalated, fake, database, box):
    load_acme_directory(database, hooked)
    action = fixture("slack", "interaction_block_actions_acknowledge")
    action["team"]["id"] = TEAM
    action["user"] = {**action["user"], "id": "U01ANA", "name": "ana.ruiz"}
    action["actions"][0]["value"] = escalated["id"]
    notes_before = len(zendesk_notes(fake))
    response = post_slack_action(client, action)
    assert response.status_code == 200
    deliver(database, box)
    after = shown(client, hooked, escalated["id"])
    assert after["acknowledged"]["by"] and after["acknowledged"]["at"]
    assert after["time_to_acknowledge_seconds"] is not None
    assert len(zendesk_notes(fake)) == notes_before + 1
    post_slack_action(client, {**action, "action_ts": "999.1"})  # a second press changes nothing
    deliver(database, box)
    assert len(zendesk_notes(fake)) == notes_before + 1


def test_without_acknowledgement_the_team_channel_is_pinged_and_the_ticket_says_so(client, hooked, escalated, fake,
                                                                                  database, box):
    with database.session() as session:
        checks = session.query(Job).filter(Job.kind == "escalation.ack_check").all()
        assert len(checks) == 1 and checks[0].run_after.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
        session.execute(update(Job).where(Job.kind == "escalation.ack_check")
                        .values(run_after=utcnow() - timedelta(seconds=1)))
    notes_before = len(zendesk_notes(fake))
    deliver(database, box)
    after = shown(client, hooked, escalated["id"])
    assert after["timeline"][-1]["kind"] == "ack_timeout"
    notes = zendesk_notes(fake)[notes_before:]
    assert len(notes) == 1 and "30" in notes[0]["body"]["ticket"]["comment"]["body"]
    pings = slack_posts_in_thread(fake, escalated)
    assert len(pings) == 1 and "<!here>" in pings[0]["body"]["text"]


def test_reopening_the_ticket_reopens_the_escalation(client, hooked, escalated, fake, database, box):
    post_jira(client, hooked, jira_done(escalated["jira"]["key"]))
    deliver(database, box)
    assert shown(client, hooked, escalated["id"])["status"] == "resolved"
    reopened = fixture("zendesk", "webhook_ticket_reopened")
    reopened["ticket"]["id"] = REFUND["id"]
    post_zendesk(client, hooked, reopened, invocation="inv-reopen")
    deliver(database, box)
    after = shown(client, hooked, escalated["id"])
    assert after["status"] == "delivered" and after["timeline"][-1]["kind"] in ("reopened", "customer_comment")
    assert any(e["kind"] == "reopened" for e in after["timeline"])
    # And with the escalation open again, escalating the ticket returns it rather than starting another.
    assert escalate(client, hooked["api_token"]).get_json()["id"] == escalated["id"]


def test_a_ticket_event_reaches_the_open_escalation_not_a_later_resolved_one(client, hooked, escalated, fake,
                                                                            database, box):
    # A resolved, then B escalated and resolved, then A reopened in Jira: A is the ticket's open escalation.
    post_jira(client, hooked, jira_done(escalated["jira"]["key"]))
    deliver(database, box)
    later = escalate(client, hooked["api_token"]).get_json()
    assert later["id"] != escalated["id"]
    deliver(database, box)
    later = shown(client, hooked, later["id"])
    post_jira(client, hooked, jira_done(later["jira"]["key"]))
    deliver(database, box)
    assert shown(client, hooked, later["id"])["status"] == "resolved"
    in_progress = fixture("jira", "webhook_issue_updated_in_progress")
    in_progress["issue"]["key"] = escalated["jira"]["key"]
    in_progress["timestamp"] = int(time.time() * 1000)
    post_jira(client, hooked, in_progress)
    deliver(database, box)
    assert shown(client, hooked, escalated["id"])["status"] == "delivered"

    angry = fixture("zendesk", "webhook_comment_added_angry")
    angry["ticket"]["id"] = REFUND["id"]
    post_zendesk(client, hooked, angry, invocation="inv-after-reopen")
    deliver(database, box)
    assert "customer_comment" in [e["kind"] for e in shown(client, hooked, escalated["id"])["timeline"]]
    assert "customer_comment" not in [e["kind"] for e in shown(client, hooked, later["id"])["timeline"]]


def test_an_angry_comment_on_a_ticket_without_escalation_suggests_one_once(client, hooked, fake, database, box):
    client.put("/v1/settings/escalation", json={"proactive": "suggest"}, headers=bearer(hooked["api_token"]))
    ticket_id = MANY[0]["id"]
    angry = fixture("zendesk", "webhook_comment_added_angry")
    angry["ticket"]["id"] = ticket_id
    assert post_zendesk(client, hooked, angry, invocation="inv-a1").get_json()["status"] == "accepted"
    deliver(database, box)
    notes = zendesk_notes(fake, ticket_id)
    assert len(notes) == 1
    note = notes[0]["body"]["ticket"]
    assert note["comment"]["public"] is False and "escalation_suggested" in note["additional_tags"]
    # The reasons quote the new comment (the fetched ticket lacked it: the webhook's comment still counts).
    assert "score" in note["comment"]["body"] and "speak to a manager" in note["comment"]["body"]
    second = copy.deepcopy(angry)
    second["ticket"]["latest_comment"]["body"] += " Still waiting!!"
    post_zendesk(client, hooked, second, invocation="inv-a2")  # still above the threshold: the same crossing
    deliver(database, box)
    assert len(zendesk_notes(fake, ticket_id)) == 1


def test_policy_auto_escalates_on_the_crossing(client, hooked, fake, database, box):
    client.put("/v1/settings/escalation", json={"proactive": "auto"}, headers=bearer(hooked["api_token"]))
    ticket_id = MANY[1]["id"]
    angry = fixture("zendesk", "webhook_comment_added_angry")
    angry["ticket"]["id"] = ticket_id
    post_zendesk(client, hooked, angry, invocation="inv-auto")
    deliver(database, box)
    items = client.get(f"/v1/escalations?ticket_id={ticket_id}",
                       headers=bearer(hooked["api_token"])).get_json()["items"]
    assert len(items) == 1 and items[0]["status"] == "delivered" and "automatically" in items[0]["note"]


def test_feedback_is_stored_and_scoped(client, hooked, make_installation):
    assessment = client.post("/v1/assessments", json={"ticket": REFUND}, headers=bearer(hooked["api_token"])).get_json()
    response = client.post(f"/v1/assessments/{assessment['id']}/feedback",
                           json={"rating": "wrong", "note": "not billing"}, headers=bearer(hooked["api_token"]))
    assert response.status_code == 201 and response.get_json()["rating"] == "wrong"
    assert client.post(f"/v1/assessments/{assessment['id']}/feedback", json={"rating": "meh"},
                       headers=bearer(hooked["api_token"])).status_code == 422
    other = make_installation(name="Other")
    assert client.post(f"/v1/assessments/{assessment['id']}/feedback", json={"rating": "right"},
                       headers=bearer(other["api_token"])).status_code == 404


def test_one_jira_comment_sent_as_two_events_is_synced_once(client, hooked, escalated, fake, database, box):
    key = escalated["jira"]["key"]
    created = jira_comment(key, "We found the duplicate charge; refund on its way.")
    commented = fixture("jira", "webhook_issue_commented")
    commented["issue"]["key"] = key
    commented["timestamp"] = int(time.time() * 1000)
    commented["comment"] = created["comment"]
    notes_before = len(zendesk_notes(fake))
    post_jira(client, hooked, created)
    post_jira(client, hooked, commented)
    deliver(database, box)
    assert len(zendesk_notes(fake)) == notes_before + 1


def test_reassign_hands_the_escalation_to_the_next_expert(client, hooked, fake, database, box):
    load_acme_directory(database, hooked)
    body = escalate(client, hooked["api_token"]).get_json()
    deliver(database, box)
    first = shown(client, hooked, body["id"])
    assert first["expert"]["name"] == "Ana Ruiz"
    action = fixture("slack", "interaction_block_actions_reassign")
    action["team"]["id"] = TEAM
    action["user"] = {**action["user"], "id": "U01ANA", "name": "ana.ruiz"}  # the expert passes it on
    action["actions"][0]["value"] = body["id"]
    assert post_slack_action(client, action).status_code == 200
    deliver(database, box)
    after = shown(client, hooked, body["id"])
    assert after["expert"]["name"] == "Ben Okafor" and after["timeline"][-1]["kind"] == "reassigned"
    # Ana's ping was a DM, which Ben cannot see: Ben gets the escalation in his own DM, buttons and all,
    # and Ana's DM thread says it moved.
    assert after["slack"]["channel"].startswith("D")
    posts = [r for r in fake.requests("slack") if r["path"] == "/chat.postMessage"]
    to_ben = [r for r in posts if r["body"]["channel"] == "DU01BEN"]
    assert len(to_ben) == 1 and "<@U01BEN>" in to_ben[0]["body"]["text"]
    assert "Reassigned" in to_ben[0]["body"]["text"] and not to_ben[0]["body"].get("thread_ts")
    assert any(e.get("action_id") == "escalation_acknowledge" for block in to_ben[0]["body"]["blocks"]
               for e in block.get("elements") or [])
    in_thread = [r for r in posts if (r["body"] or {}).get("thread_ts") == after["slack"]["ts"]]
    assert len(in_thread) == 1 and "moved" in in_thread[0]["body"]["text"]
    assert in_thread[0]["body"]["channel"] == after["slack"]["channel"]


def test_reassign_from_a_channel_thread_mentions_the_new_expert_in_the_thread(client, hooked, fake, database, box):
    load_acme_directory(database, hooked)
    body = escalate(client, hooked["api_token"]).get_json()
    with database.write_session() as session:  # the ping went to the team channel, not a DM
        session.execute(update(Escalation).where(Escalation.id == body["id"]).values(
            expert={"id": None, "name": None}))
    deliver(database, box)
    first = shown(client, hooked, body["id"])
    assert not first["slack"]["channel"].startswith("D")
    action = fixture("slack", "interaction_block_actions_reassign")
    action["team"]["id"] = TEAM
    action["user"] = {**action["user"], "id": "U01ANA", "name": "ana.ruiz"}
    action["actions"][0]["value"] = body["id"]
    post_slack_action(client, action)
    deliver(database, box)
    posts = [r for r in fake.requests("slack") if r["path"] == "/chat.postMessage"]
    in_thread = [r for r in posts if (r["body"] or {}).get("thread_ts") == first["slack"]["ts"]]
    assert len(in_thread) == 1 and "<@U01ANA>" in in_thread[0]["body"]["text"]
    assert not [r for r in posts if r["body"]["channel"].startswith("DU")]


def test_a_signed_salesforce_case_event_is_accepted_and_an_unsigned_one_refused(client, make_installation):
    from sidecar.webhooks.verification import sign_salesforce

    installation = make_installation(name="SF", source="salesforce")
    configure(client, installation["api_token"], {"salesforce.webhook_secret": "sf-secret"})
    raw = json.dumps(fixture("salesforce", "webhook_comment_added")).encode()
    url = f"/webhooks/salesforce/{installation['id']}"
    assert client.post(url, data=raw, content_type="application/json").status_code == 401
    signed = sign_salesforce(raw, "sf-secret", time.time())
    response = client.post(url, data=raw, headers=signed, content_type="application/json")
    assert response.status_code == 200 and response.get_json()["status"] == "accepted"
    again = client.post(url, data=raw, headers=signed, content_type="application/json")
    assert again.get_json()["status"] == "duplicate"


def test_an_installation_without_a_webhook_secret_accepts_nothing(client, live):
    raw = json.dumps(fixture("zendesk", "webhook_comment_added_angry")).encode()
    headers = sign_zendesk(raw, "anything", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    response = client.post(f"/webhooks/zendesk/{live['id']}", data=raw, headers=headers,
                           content_type="application/json")
    assert response.status_code == 401 and "zendesk.webhook_secret" in response.get_json()["error"]["message"]
