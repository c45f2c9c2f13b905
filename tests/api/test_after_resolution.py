"""Nothing said is dropped: expert updates after the Jira issue is resolved, and every event not acted on.

An expert's Slack thread reply or Jira comment after resolution still reaches the ticket (and the other
side), marked as after resolution, until the help-desk ticket itself is solved. Every inbound event the
sidecar does not act on is kept with its reason, and an admin lists them at GET /v1/inbound.
"""
from __future__ import annotations

from sidecar.clients.jira import adf_to_text
from tests.api.test_after_handoff import (
    fixture,
    jira_comment,
    jira_comments,
    jira_done,
    post_jira,
    post_slack_event,
    post_zendesk,
    shown,
    slack_posts_in_thread,
    slack_reply,
)
from tests.conftest import bearer
from tests.escalation_support import REFUND, deliver, zendesk_notes


def resolve(client, hooked, escalated, database, box):
    post_jira(client, hooked, jira_done(escalated["jira"]["key"]))
    deliver(database, box)
    assert shown(client, hooked, escalated["id"])["status"] == "resolved"


def inbound(client, installation, query=""):
    response = client.get(f"/v1/inbound{query}", headers=bearer(installation["api_token"]))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_slack_thread_reply_after_resolution_reaches_the_ticket_and_jira(client, hooked, escalated, fake,
                                                                          database, box):
    resolve(client, hooked, escalated, database, box)
    key = escalated["jira"]["key"]
    notes_before = len(zendesk_notes(fake))
    post_slack_event(client, slack_reply(escalated, "Root cause: the retry job ignored the idempotency key."))
    deliver(database, box)
    notes = zendesk_notes(fake)[notes_before:]
    assert len(notes) == 1
    note = notes[0]["body"]["ticket"]["comment"]
    assert note["public"] is False and "After resolution" in note["body"] and "idempotency key" in note["body"]
    comments = jira_comments(fake, key)
    assert len(comments) == 1
    text = adf_to_text(comments[0]["body"]["body"])
    assert "after the issue was resolved" in text and "idempotency key" in text
    event = shown(client, hooked, escalated["id"])["timeline"][-1]
    assert event["kind"] == "comment" and event["data"]["after_resolution"] is True


def test_a_jira_comment_after_resolution_reaches_the_ticket_and_the_thread(client, hooked, escalated, fake,
                                                                          database, box):
    resolve(client, hooked, escalated, database, box)
    notes_before = len(zendesk_notes(fake))
    posts_before = len(slack_posts_in_thread(fake, escalated))
    post_jira(client, hooked, jira_comment(escalated["jira"]["key"], "Root cause: a gateway retry. Patched."))
    deliver(database, box)
    notes = zendesk_notes(fake)[notes_before:]
    assert len(notes) == 1 and "After resolution" in notes[0]["body"]["ticket"]["comment"]["body"]
    posts = slack_posts_in_thread(fake, escalated)[posts_before:]
    assert len(posts) == 1 and "after the issue was resolved" in posts[0]["body"]["blocks"][0]["text"]["text"]


def test_once_the_ticket_is_solved_a_late_reply_is_kept_as_ignored_with_its_reason(client, hooked, escalated, fake,
                                                                                  database, box):
    resolve(client, hooked, escalated, database, box)
    solved = fixture("zendesk", "webhook_ticket_solved")
    solved["ticket"]["id"] = REFUND["id"]
    post_zendesk(client, hooked, solved, invocation="inv-solved")
    deliver(database, box)
    notes_before = len(zendesk_notes(fake))
    post_slack_event(client, slack_reply(escalated, "One more thing about the root cause."))
    deliver(database, box)
    assert len(zendesk_notes(fake)) == notes_before
    ignored = inbound(client, hooked, "?status=ignored&system=slack")["items"]
    assert len(ignored) == 1 and "solved" in ignored[0]["reason"] and ignored[0]["kind"] == "slack.message"
    assert ignored[0]["about"].startswith(f"slack {escalated['slack']['channel']}")


def test_every_event_not_acted_on_is_listed_with_its_reason(client, hooked, escalated, fake, database, box):
    key = escalated["jira"]["key"]
    post_slack_event(client, slack_reply(escalated, "bot says hi", bot_id="B123"))  # the bot's own post
    post_jira(client, hooked, jira_comment("NOPE-1", "A comment on an issue we never escalated"))
    unknown = fixture("zendesk", "webhook_unknown_event")  # ignored at receipt: never queued
    post_zendesk(client, hooked, unknown, invocation="inv-unknown")
    post_jira(client, hooked, jira_comment(key, "Looking into it now."))  # acted on
    deliver(database, box)
    ignored = inbound(client, hooked, "?status=ignored")["items"]
    reasons = {item["kind"]: item["reason"] for item in ignored}
    assert "bot's own" in reasons["slack.message"]
    assert "NOPE-1" in reasons["jira.comment_created"]
    assert "ticket_merged" in reasons["zendesk.ticket_merged"]
    assert all(item["status"] == "ignored" and item["handled_at"] for item in ignored)
    acted = inbound(client, hooked, "?status=acted&kind=jira.comment_created")["items"]
    assert len(acted) == 1 and acted[0]["about"] == f"jira {key}" and acted[0]["reason"] is None


def test_the_inbound_list_pages_and_refuses_bad_filters(client, hooked, escalated, fake, database, box):
    for number in range(3):
        post_slack_event(client, slack_reply(escalated, f"bot post {number}", bot_id="B123"))
    deliver(database, box)
    first = inbound(client, hooked, "?status=ignored&limit=2")
    assert len(first["items"]) == 2 and first["next_before"]
    second = inbound(client, hooked, f"?status=ignored&limit=2&before={first['next_before']}")
    assert second["next_before"] is None
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    headers = bearer(hooked["api_token"])
    for query in ("?status=lost", "?system=email", "?limit=0", "?limit=many", "?before=-3", "?colour=red"):
        response = client.get(f"/v1/inbound{query}", headers=headers)
        assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_input", query


def test_only_an_admin_lists_inbound_events(client, hooked):
    made = client.post("/v1/tokens", json={"scope": "agent", "name": "sidebar"},
                       headers=bearer(hooked["api_token"])).get_json()
    response = client.get("/v1/inbound", headers=bearer(made["api_token"]))
    assert response.status_code == 403
