"""Webhook payloads as vendors send them (tests/fixtures/<system>/), normalised into InboundEvent."""
from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from sidecar.webhooks.events import (
    InboundEvent,
    PayloadError,
    parse_jira,
    parse_salesforce,
    parse_slack_event,
    parse_slack_interaction,
    parse_zendesk,
)
from tests.clients.conftest import FIXTURES, load_fixture

PARSERS = {
    "jira": parse_jira,
    "zendesk": parse_zendesk,
    "salesforce": parse_salesforce,
    "slack/event": parse_slack_event,
    "slack/interaction": parse_slack_interaction,
}
PRIYA = {"account_id": "712020:5f0c1e2a-7b3d-4c8e-9a1f-2d3e4f5a6b7c", "display_name": "Priya Raman"}
ESCALATION_MESSAGE = {"team_id": "T04QKJ6RF5Y", "channel": "C05EH2JTS1K", "message_ts": "1714645923.004519",
                      "thread_ts": None, "value": "esc_0123456789abcdef0123", "trigger_id": None}

# (system/parser, fixture, kind, the data we expect to read from it)
FIXTURE_EVENTS = [
    ("jira", "webhook_issue_updated_done.json", "jira.issue_updated", {
        "issue_key": "ENG-4387", "issue_id": "10671", "status": "Done", "status_category": "done",
        "previous_status": "In Progress", "resolution": "Fixed", "resolved": True, "actor": PRIYA,
        "summary": "Refund stuck: customer charged twice for INV-2291 (Zendesk #48213)"}),
    ("jira", "webhook_issue_updated_in_progress.json", "jira.issue_updated", {
        "issue_key": "ENG-4387", "status": "In Progress", "status_category": "indeterminate",
        "previous_status": "To Do", "resolution": None, "resolved": False, "actor": PRIYA}),
    ("jira", "webhook_comment_created.json", "jira.comment_created", {
        "issue_key": "ENG-4387", "issue_id": "10671", "comment_id": "10258", "author": PRIYA, "restricted": False,
        "body_text": "Found it: the retry job for INV-2291 re-ran after a gateway timeout, so the charge went "
                     "through twice.\n"
                     "Refund of the duplicate is queued with the payment provider; @Marcus Okafor can you confirm with "
                     "the customer today?"}),
    ("jira", "webhook_issue_commented.json", "jira.comment_created", {
        "issue_key": "ENG-4387", "comment_id": "10274", "author": PRIYA,
        "body_text": "Refund confirmed by the provider: the duplicate $4,880 is back on the customer's card. "
                     "Deploying the retry fix to production now."}),
    ("jira", "webhook_issue_deleted.json", "ignored", {"webhook_event": "jira:issue_deleted"}),
    ("slack/event", "event_url_verification.json", "slack.url_verification", {
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}),
    ("slack/event", "event_message_thread_reply.json", "slack.message", {
        "team_id": "T04QKJ6RF5Y", "channel": "C05EH2JTS1K", "ts": "1714648802.331289",
        "thread_ts": "1714645923.004519", "user": "U02HXK4MZ7R", "bot_id": None, "subtype": None,
        "text": "Looked at the logs: INV-2291 was retried after a gateway timeout. Refund is queued, "
                "I'll update ENG-4387 within the hour."}),
    ("slack/event", "event_message_bot.json", "slack.message", {
        "channel": "C05EH2JTS1K", "thread_ts": "1714645923.004519", "user": "U05BQ7Z3N2M",
        "bot_id": "B05BQ7YV9ZP", "subtype": None}),
    ("slack/event", "event_app_mention.json", "ignored", {"type": "event_callback", "event_type": "app_mention"}),
    ("slack/interaction", "interaction_block_actions_acknowledge.json", "slack.block_action", {
        **ESCALATION_MESSAGE, "action_id": "escalation_acknowledge",
        "user": {"id": "U02HXK4MZ7R", "name": "priya.raman"},
        "trigger_id": "7052817043617.4836619836.6c4cbd9b3f8e1e6a9b7d2f0c5a1e3d44",
        "response_url": "https://hooks.slack.com/actions/T04QKJ6RF5Y/7049925119011/Qe0qkH3wLrZ2n1n8xXb8pV4d"}),
    ("slack/interaction", "interaction_block_actions_reassign.json", "slack.block_action", {
        **ESCALATION_MESSAGE, "action_id": "escalation_reassign",
        "trigger_id": "7052829311057.4836619836.0b9e8d7c6f5a4e3d2c1b0a9f8e7d6c5b"}),
    ("zendesk", "webhook_comment_added_angry.json", "zendesk.ticket_event", {
        "event": "comment_added", "ticket_id": "48213", "status": "open",
        "subject": "Charged twice for April invoice - I want a manager NOW",
        "tags": ["billing", "double_charge", "refund", "vip"], "updated_at": "2024-05-02T09:58:00+00:00",
        "requester": {"name": "Dana Whitfield", "email": "dana.whitfield@brightlane.example"},
        "organization": "Brightlane Logistics"}),
    ("zendesk", "webhook_ticket_solved.json", "zendesk.ticket_event", {
        "event": "ticket_updated", "ticket_id": "48213", "status": "solved"}),
    ("zendesk", "webhook_ticket_reopened.json", "zendesk.ticket_event", {
        "event": "ticket_updated", "ticket_id": "48213", "status": "open"}),
    ("zendesk", "webhook_unknown_event.json", "ignored", {"event": "ticket_merged"}),
    ("salesforce", "webhook_comment_added.json", "salesforce.case_event", {
        "event": "comment_added", "event_id": "00aHn000004RtYvIAK", "ticket_id": "500Hn00001XyZaBIAV",
        "case_number": "00001026", "status": "Escalated", "priority": "High", "closed": False,
        "comment": {"author": "customer", "public": True, "created_by_id": "005Hn00000Q8sKmIAJ",
                    "body": "Still down after your last update. Our month-end close is blocked - who is actually "
                            "working on this?"},
        "requester": {"name": "Priya Raman", "email": "priya.raman@northwind.example"}}),
    ("salesforce", "webhook_case_closed.json", "salesforce.case_event", {
        "event": "case_updated", "ticket_id": "500Hn00001XyZaBIAV", "status": "Closed", "closed": True,
        "comment": None, "subject": "Dashboard down again - we want a refund",
        "requester": {"name": None, "email": None}}),
]


def fixture(parser_key: str, name: str):
    return load_fixture(parser_key.split("/")[0], name)


def parse(parser_key: str, name: str) -> InboundEvent:
    return PARSERS[parser_key](fixture(parser_key, name))


@pytest.mark.parametrize(("parser_key", "name", "kind", "expected"),
                         [pytest.param(*case, id=case[1]) for case in FIXTURE_EVENTS])
def test_each_webhook_fixture_parses_to_its_kind_and_data(parser_key, name, kind, expected):
    event = parse(parser_key, name)

    assert event.system == parser_key.split("/")[0]
    assert event.kind == kind
    assert {key: event.data.get(key, "<missing>") for key in expected} == expected
    json.dumps(event.data)  # data is plain JSON, ready to queue or store


def test_every_webhook_fixture_has_a_test():
    on_disk = {
        f"{path.parent.name}/{path.name}"
        for pattern in ("*/webhook_*.json", "slack/event_*.json", "slack/interaction_*.json")
        for path in FIXTURES.glob(pattern)
    }
    assert on_disk == {f"{key.split('/')[0]}/{name}" for key, name, _, _ in FIXTURE_EVENTS}


def test_jira_events_happen_at_the_payload_timestamp():
    event = parse("jira", "webhook_issue_updated_done.json")
    assert event.occurred_at == datetime(2024, 5, 3, 15, 47, 19, 228000, tzinfo=UTC)


def test_a_jira_comment_in_wiki_markup_text_is_read_as_it_is():
    payload = changed(fixture("jira", "webhook_comment_created.json"), "comment.body",
                      "Refund queued. *Deploying* now.")
    assert parse_jira(payload).data["body_text"] == "Refund queued. *Deploying* now."


def test_a_jira_comment_without_the_issue_takes_the_issue_id_from_the_comment_url():
    payload = fixture("jira", "webhook_comment_created.json")
    del payload["issue"]

    data = parse_jira(payload).data
    assert (data["issue_key"], data["issue_id"], data["comment_id"]) == (None, "10671", "10258")


def test_an_edited_jira_comment_is_a_comment_update():
    payload = changed(fixture("jira", "webhook_comment_created.json"), "webhookEvent", "comment_updated")
    assert parse_jira(payload).kind == "jira.comment_updated"


def test_a_restricted_jira_comment_says_so():
    payload = changed(fixture("jira", "webhook_comment_created.json"), "comment.visibility",
                      {"type": "role", "value": "Developers", "identifier": "Developers"})
    assert parse_jira(payload).data["restricted"] is True


def test_an_issue_update_that_did_not_touch_the_status_has_no_previous_status():
    payload = changed(fixture("jira", "webhook_issue_updated_in_progress.json"), "changelog.items",
                      [{"field": "priority", "fieldtype": "jira", "fieldId": "priority", "fromString": "Medium",
                        "toString": "High"}])
    assert parse_jira(payload).data["previous_status"] is None


def test_slack_messages_happen_at_the_event_time():
    event = parse("slack/event", "event_message_thread_reply.json")
    assert event.occurred_at == datetime(2024, 5, 2, 11, 20, 2, tzinfo=UTC)


def test_a_slack_interaction_is_read_from_the_form_field_or_the_raw_form_body():
    payload = fixture("slack/interaction", "interaction_block_actions_acknowledge.json")
    from_payload = parse_slack_interaction(payload)

    assert parse_slack_interaction({"payload": json.dumps(payload)}) == from_payload
    assert parse_slack_interaction(urlencode({"payload": json.dumps(payload)}).encode()) == from_payload
    assert from_payload.occurred_at == datetime.fromtimestamp(1714646002.118273, UTC)


def test_other_slack_interactions_are_ignored():
    event = parse_slack_interaction({"type": "view_submission", "user": {"id": "U02HXK4MZ7R"}, "view": {}})
    assert (event.kind, event.data) == ("ignored", {"type": "view_submission"})


def test_an_angry_zendesk_comment_is_from_the_customer_and_public():
    event = parse("zendesk", "webhook_comment_added_angry.json")

    comment = event.data["comment"]
    assert (comment["author"], comment["author_name"], comment["public"]) == ("customer", "Dana Whitfield", True)
    assert "I want to speak to a manager TODAY" in comment["body"]
    assert event.occurred_at == datetime(2024, 5, 2, 9, 58, tzinfo=UTC)


def test_an_agent_reply_in_zendesk_is_from_an_agent():
    assert parse("zendesk", "webhook_ticket_solved.json").data["comment"]["author"] == "agent"


def test_zendesk_values_sent_as_real_json_types_are_accepted():
    payload = fixture("zendesk", "webhook_comment_added_angry.json")
    payload["ticket"].update(id=48213, tags=["billing", "vip", "billing"], status="On-hold")
    payload["ticket"]["latest_comment"].update(public=False, author_role="Administrator")

    data = parse_zendesk(payload).data
    assert (data["ticket_id"], data["tags"], data["status"]) == ("48213", ["billing", "vip"], "hold")
    assert (data["comment"]["author"], data["comment"]["public"]) == ("agent", False)


def test_a_zendesk_trigger_without_a_comment_has_no_comment():
    payload = changed(fixture("zendesk", "webhook_ticket_solved.json"), "ticket.latest_comment",
                      {"author_role": "", "author_name": "", "body": "", "public": ""})
    assert parse_zendesk(payload).data["comment"] is None
    del payload["ticket"]["latest_comment"]
    assert parse_zendesk(payload).data["comment"] is None


def changed(payload: dict, path: str, value) -> dict:
    """A deep copy of payload with the dotted path set to value (or removed when value is DELETE)."""
    result = copy.deepcopy(payload)
    *parents, last = path.split(".")
    target = result
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return result


DELETE = object()
MALFORMED = [
    ("jira", None, "", [], "a Jira webhook body must be a JSON object, got a list"),
    ("jira", "webhook_issue_updated_done.json", "webhookEvent", DELETE, "needs 'webhookEvent'"),
    ("jira", "webhook_issue_updated_done.json", "timestamp", "yesterday", "milliseconds since the epoch"),
    ("jira", "webhook_issue_updated_done.json", "issue", DELETE,
     "the issue of a Jira issue_updated webhook must be a JSON object, got nothing"),
    ("jira", "webhook_issue_updated_done.json", "issue.key", "", "needs 'key'"),
    ("jira", "webhook_issue_updated_done.json", "issue.fields.status.statusCategory.key", "finished",
     "unknown status category 'finished'"),
    ("jira", "webhook_comment_created.json", "comment", "great work",
     "comment of a Jira comment_created webhook must be"),
    ("jira", "webhook_comment_created.json", "comment.id", None, "needs 'id'"),
    ("slack/event", "event_url_verification.json", "challenge", DELETE, "needs 'challenge'"),
    ("slack/event", "event_message_thread_reply.json", "event", "hello", "must be a JSON object, got a string"),
    ("slack/event", "event_message_thread_reply.json", "event.channel", DELETE, "message event needs 'channel'"),
    ("slack/event", "event_message_thread_reply.json", "type", DELETE, "needs 'type'"),
    ("slack/interaction", None, "", "payload=%7Bnot+json", "must be JSON"),
    ("slack/interaction", "interaction_block_actions_acknowledge.json", "actions", [], "non-empty actions list"),
    ("slack/interaction", "interaction_block_actions_acknowledge.json", "actions", [{"type": "button"}],
     "needs 'action_id'"),
    ("slack/interaction", "interaction_block_actions_acknowledge.json", "user", DELETE, "the user of a Slack"),
    ("zendesk", "webhook_comment_added_angry.json", "event", DELETE, "needs 'event'"),
    ("zendesk", "webhook_comment_added_angry.json", "ticket", DELETE, "the ticket of a Zendesk webhook must be"),
    ("zendesk", "webhook_comment_added_angry.json", "ticket.id", "{{ticket.id}}", "needs a numeric id"),
    ("zendesk", "webhook_comment_added_angry.json", "ticket.updated_at", "last tuesday", "must be an ISO 8601 time"),
    ("zendesk", "webhook_comment_added_angry.json", "ticket.tags", 42, "space-separated string or a list"),
    ("zendesk", "webhook_comment_added_angry.json", "ticket.latest_comment.author_role", "robot",
     "must be end-user, agent or admin, got 'robot'"),
    ("zendesk", "webhook_comment_added_angry.json", "ticket.latest_comment.author_role", "",
     "needs an author_role"),
    ("zendesk", "webhook_comment_added_angry.json", "ticket.latest_comment.public", "maybe",
     "public must be true or false"),
    ("salesforce", "webhook_comment_added.json", "case", DELETE, "the case of a Salesforce webhook must be"),
    ("salesforce", "webhook_comment_added.json", "case.Id", "500Hn00001XyZaB", "needs the 18-character Case Id"),
    ("salesforce", "webhook_comment_added.json", "case.Id", "500Hn00001XyZaBAAA", "wrong checksum"),
    ("salesforce", "webhook_comment_added.json", "case.Id", "001Hn00003QwErTIAV", "start with '500'"),
    ("salesforce", "webhook_comment_added.json", "comment", None, "comment_added event needs a comment object"),
    ("salesforce", "webhook_comment_added.json", "comment.author", "bot", "author must be customer or agent"),
    ("salesforce", "webhook_case_closed.json", "case.IsClosed", "sometimes", "IsClosed must be true or false"),
    ("salesforce", "webhook_case_closed.json", "occurred_at", "tomorrow", "occurred_at must be an ISO 8601 time"),
]


@pytest.mark.parametrize(("parser_key", "name", "path", "value", "message"),
                         [pytest.param(*case, id=f"{case[0]}:{case[2] or 'body'}={case[3]!r}"[:80])
                          for case in MALFORMED])
def test_json_that_is_not_the_documented_shape_says_what_is_wrong(parser_key, name, path, value, message):
    payload = value if name is None else changed(fixture(parser_key, name), path, value)

    with pytest.raises(PayloadError) as caught:
        PARSERS[parser_key](payload)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_unknown_extra_keys_are_allowed():
    payload = fixture("salesforce", "webhook_comment_added.json")
    payload["case"]["Region__c"] = "EMEA"
    payload["schema_version"] = 2

    assert parse_salesforce(payload).kind == "salesforce.case_event"


def test_a_salesforce_case_without_a_contact_names_the_web_to_case_requester():
    payload = fixture("salesforce", "webhook_comment_added.json")
    payload["case"].update({"Contact": None, "SuppliedName": "Sam Ortiz", "SuppliedEmail": "sam@ortiz.example"})
    assert parse_salesforce(payload).data["requester"] == {"name": "Sam Ortiz", "email": "sam@ortiz.example"}
