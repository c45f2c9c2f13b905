"""Slack buttons are honoured only for Slack users the installation knows (issue 13, least privilege).

Known: an active expert's `slack_user_id`, or a member of the `slack.allowed_usergroup` user group (Slack's
usergroups.users.list). Anyone else's Acknowledge or Reassign is refused: an ephemeral answer through the
interaction's response_url, an audit entry, and nothing else, on the escalation or in any vendor.
Signed interaction payloads go in; the fake Slack plays the user group and the response_url.
"""
from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
import yaml

from sidecar.domain.connections import Connections
from sidecar.store.models import AuditEntry, Job, WebhookDelivery
from sidecar.webhooks.verification import sign_slack
from tests.conftest import FIXTURES, bearer
from tests.escalation_support import configure, deliver, escalate, zendesk_notes

TEAM = "T04QKJ6RF5Y"
SECRETS = {"slack.signing_secret": "slack-signing-secret", "slack.team_id": TEAM}
ANA = {"id": "U01ANA", "username": "ana.ruiz", "name": "ana.ruiz", "team_id": TEAM}  # an expert (acme.yaml)
STRANGER = {"id": "U0STRANGER", "username": "mallory", "name": "mallory", "team_id": TEAM}
ONCALL = {"id": "U0ONCALL", "username": "olu.oncall", "name": "olu.oncall", "team_id": TEAM}
USERGROUP = "S0ONCALL"
REFUSED = "slack.block_action_refused"  # what a stranger's press is queued as when no user group could allow it
# Member lists are cached per process by (installation, api_url, group); each test has a new installation.


@pytest.fixture
def hooked(client, live, database):
    """The live installation, with a Slack signing secret and the acme directory (Ana Ruiz is U01ANA)."""
    configure(client, live["api_token"], SECRETS)
    from sidecar.services.directory import load_directory
    from sidecar.services.installations import get_installation

    with database.session() as session:
        load_directory(session, installation=get_installation(session, live["id"]),
                       document=yaml.safe_load((FIXTURES / "directory" / "acme.yaml").read_text()))
    return live


@pytest.fixture
def escalated(client, hooked, fake, database, box):
    """The refund ticket escalated to Ana Ruiz (Billing) and delivered: ESC-1, a Slack message, a ticket note."""
    body = escalate(client, hooked["api_token"]).get_json()
    deliver(database, box)
    shown = show(client, hooked, body["id"])
    assert shown["status"] == "delivered" and shown["expert"]["name"] == "Ana Ruiz"
    return shown


def show(client, installation, escalation_id):
    return client.get(f"/v1/escalations/{escalation_id}", headers=bearer(installation["api_token"])).get_json()


def press(client, fake, escalation, button, user, *, at):
    """`user` presses `button` (acknowledge | reassign) on the escalation's Slack message, signed by Slack."""
    action = json.loads((FIXTURES / "slack" / f"interaction_block_actions_{button}.json").read_text())
    action["team"]["id"] = TEAM
    action["user"] = user
    action["actions"][0].update({"value": escalation["id"], "action_ts": at})
    action["response_url"] = fake.slack_response_url(user=user["id"], channel=action["channel"]["id"])
    raw = urlencode({"payload": json.dumps(action)}).encode()
    response = client.post("/webhooks/slack/interactions", data=raw, headers=sign_slack(raw, "slack-signing-secret",
                                                                                        time.time()),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.data == b""  # Slack shows nothing from this body
    return action


def vendor_writes(fake):
    """Every write the sidecar made in Jira, Zendesk and Slack (a refusal adds none)."""
    return [(r["system"], r["method"], r["path"]) for r in fake.requests()
            if r["method"] in ("POST", "PUT", "PATCH", "DELETE") and not r["path"].startswith("/hooks/")
            and r["path"] not in ("/auth.test", "/usergroups.users.list")]


def ephemeral_answers(fake):
    return fake.state()["slack"]["responses"]


def refusals(database):
    with database.session() as session:
        return [(entry.action, entry.target, entry.detail) for entry in
                session.query(AuditEntry).filter(AuditEntry.outcome == "refused").order_by(AuditEntry.id)]


def unchanged(before, after):
    keep = ("status", "acknowledged", "expert", "jira", "slack", "time_to_acknowledge_seconds")
    assert {key: after.get(key) for key in keep} == {key: before.get(key) for key in keep}
    assert [event["kind"] for event in after["timeline"]] == [event["kind"] for event in before["timeline"]]


def test_a_strangers_press_is_refused_and_then_the_experts_acknowledge_counts(client, hooked, escalated, fake,
                                                                            database, box):
    notes_before = len(zendesk_notes(fake))
    press(client, fake, escalated, "acknowledge", STRANGER, at="1714646001.000001")
    deliver(database, box)
    assert show(client, hooked, escalated["id"])["acknowledged"]["by"] is None

    press(client, fake, escalated, "acknowledge", ANA, at="1714646002.000002")
    deliver(database, box)
    after = show(client, hooked, escalated["id"])
    assert after["acknowledged"]["by"] == "ana.ruiz" and after["acknowledged"]["at"]
    assert after["timeline"][-1]["kind"] == "acknowledged"
    assert len(zendesk_notes(fake)) == notes_before + 1  # the ticket hears of Ana's acknowledgement, once
    answers = ephemeral_answers(fake)
    assert [answer["user"] for answer in answers] == [STRANGER["id"]]  # nobody tells Ana no


@pytest.mark.parametrize("usergroup", [None, USERGROUP], ids=["no-usergroup", "not-a-member"])
def test_a_strangers_acknowledge_and_reassign_are_refused_ephemerally_and_change_nothing(
        client, hooked, escalated, fake, database, box, usergroup):
    if usergroup:
        configure(client, hooked["api_token"], {"slack.allowed_usergroup": usergroup})
        fake.slack_usergroup(usergroup, [ONCALL["id"]])
    writes_before = vendor_writes(fake)

    press(client, fake, escalated, "acknowledge", STRANGER, at="1714646001.000001")
    press(client, fake, escalated, "reassign", STRANGER, at="1714646002.000002")
    with database.session() as session:
        queued = [job.payload["kind"] for job in session.query(Job).filter(Job.kind == "inbound.event")]
        received = [row.kind for row in session.query(WebhookDelivery).filter(WebhookDelivery.system == "slack")]
    # Without a user group the stranger is refused at receipt; with one, the job asks Slack first.
    expected = "slack.block_action" if usergroup else REFUSED
    assert queued == [expected, expected] and set(received) == {expected}
    deliver(database, box)

    after = show(client, hooked, escalated["id"])
    unchanged(escalated, after)
    assert after["acknowledged"]["by"] is None and after["expert"]["name"] == "Ana Ruiz"
    assert vendor_writes(fake) == writes_before  # no ticket note, no Jira comment or assignee, no Slack post
    answers = ephemeral_answers(fake)
    assert [(a["user"], a["response_type"], a["replace_original"]) for a in answers] == [
        (STRANGER["id"], "ephemeral", False), (STRANGER["id"], "ephemeral", False)]
    assert "can't acknowledge" in answers[0]["text"] and "can't reassign" in answers[1]["text"]
    assert "Nothing was changed" in answers[0]["text"]
    audited = refusals(database)
    assert [action for action, _, _ in audited] == ["button_refused", "button_refused"]
    assert all(escalated["id"] in target and STRANGER["id"] in target for _, target, _ in audited)
    assert "unknown_user" in audited[0][2]
    lookups = [r for r in fake.requests("slack") if r["path"] == "/usergroups.users.list"]
    assert len(lookups) == (1 if usergroup else 0)  # the member list is asked for once, then kept


def test_a_usergroup_member_is_honoured(client, hooked, escalated, fake, database, box):
    configure(client, hooked["api_token"], {"slack.allowed_usergroup": USERGROUP})
    fake.slack_usergroup(USERGROUP, ["U0SOMEONE", ONCALL["id"]])

    press(client, fake, escalated, "acknowledge", ONCALL, at="1714646001.000001")
    deliver(database, box)
    after = show(client, hooked, escalated["id"])
    assert after["acknowledged"]["by"] == "olu.oncall"

    press(client, fake, escalated, "reassign", ONCALL, at="1714646002.000002")
    deliver(database, box)
    after = show(client, hooked, escalated["id"])
    assert after["expert"]["name"] == "Ben Okafor" and after["timeline"][-1]["kind"] == "reassigned"
    assert ephemeral_answers(fake) == [] and refusals(database) == []
    lookups = [r for r in fake.requests("slack") if r["path"] == "/usergroups.users.list"]
    assert len(lookups) == 1 and lookups[0]["query"] == {"usergroup": USERGROUP}  # cached for the second press
    assert lookups[0]["auth"] == "Bearer"


@pytest.mark.parametrize("fault", [
    {"status": 503},
    {"status": 200, "body": {"ok": False, "error": "missing_scope", "needed": "usergroups:read",
                             "provided": "chat:write,im:write"}},
], ids=["slack-down", "scope-missing"])
def test_when_slack_cannot_say_who_is_in_the_usergroup_the_press_is_refused(client, hooked, escalated, fake,
                                                                           database, box, fault):
    configure(client, hooked["api_token"], {"slack.allowed_usergroup": USERGROUP})
    fake.slack_usergroup(USERGROUP, [ONCALL["id"]])
    fake.fail("slack", path=r"usergroups\.users\.list", **fault)
    writes_before = vendor_writes(fake)

    press(client, fake, escalated, "acknowledge", ONCALL, at="1714646001.000001")
    deliver(database, box)
    after = show(client, hooked, escalated["id"])
    unchanged(escalated, after)
    assert vendor_writes(fake) == writes_before
    answers = ephemeral_answers(fake)
    assert len(answers) == 1 and answers[0]["response_type"] == "ephemeral"
    assert "right now" in answers[0]["text"]
    assert "usergroup_lookup_failed" in refusals(database)[0][2]

    # A failed lookup is not remembered: once Slack answers, the member's next press counts.
    press(client, fake, escalated, "acknowledge", ONCALL, at="1714646003.000003")
    deliver(database, box)
    assert show(client, hooked, escalated["id"])["acknowledged"]["by"] == "olu.oncall"


def test_the_usergroup_setting_takes_a_usergroup_id(client, hooked):
    shown = configure(client, hooked["api_token"], {"slack.allowed_usergroup": USERGROUP})
    assert shown["slack"]["settings"]["allowed_usergroup"] == USERGROUP
    response = client.patch("/v1/installation/connections", json={"settings": {"slack.allowed_usergroup": "#oncall"}},
                            headers=bearer(hooked["api_token"]))
    assert response.status_code in (400, 422)  # refused, naming the setting
    assert "slack.allowed_usergroup" in json.dumps(response.get_json())


def test_member_lists_are_kept_five_minutes():
    from sidecar.services import slack_buttons

    now = [1000.0]
    cache = slack_buttons.MemberCache(clock=lambda: now[0])
    asked = []

    def fetch():
        asked.append(now[0])
        return ["U1"]

    assert cache.members("k", fetch) == {"U1"}
    now[0] += 299
    assert cache.members("k", fetch) == {"U1"} and len(asked) == 1
    now[0] += 2
    cache.members("k", fetch)
    assert len(asked) == 2
    with pytest.raises(RuntimeError):
        cache.members("other", lambda: (_ for _ in ()).throw(RuntimeError("slack down")))
    assert cache.members("other", fetch) == {"U1"}  # the failure was not kept


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://hooks.slack.com/actions/T04QKJ6RF5Y/7049925119011/Qe0qkH3w", True),
    ("http://hooks.slack.com/actions/T/1/x", False),
    ("https://hooks.slack.com.evil.example/actions/T/1/x", False),
    ("https://user:pw@hooks.slack.com/actions/T/1/x", False),
    ("http://169.254.169.254/latest/meta-data", False),
    ("http://127.0.0.1:8765/slack/hooks/actions/T/1/x", True),  # the origin of this installation's slack.api_url
    ("http://127.0.0.1:9999/slack/hooks/actions/T/1/x", False),
    (None, False),
])
def test_a_response_url_is_called_only_on_slack_or_the_configured_slack_origin(url, allowed):
    from sidecar.services import slack_buttons

    connections = Connections({"slack.api_url": "http://127.0.0.1:8765/slack/api"})
    assert slack_buttons.response_url_allowed(url, connections) is allowed
