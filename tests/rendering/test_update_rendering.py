"""What the sidecar writes after the handoff, rendered from templates/ for the demo refund ticket: update
notes, Slack thread replies, Jira sync comments, the resolution note and drafted reply, the proactive
suggestion and the acknowledgement notes. Expected words, the marker, escaping and Block Kit limits."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import pytest

from sidecar.clients.jira import adf_to_text
from sidecar.intelligence.escalation_context import (
    EscalationContext,
    build_escalation_context,
)
from sidecar.intelligence.summary import RollingSummary, summarise_escalation
from sidecar.intelligence.ticket import ticket_from_mapping
from sidecar.rendering.environment import template_environment
from sidecar.rendering.updates import (
    format_duration,
    render_ack_note,
    render_ack_timeout_note,
    render_jira_comment,
    render_resolution_note,
    render_resolution_reply,
    render_suggestion_note,
    render_thread_reply,
    render_update_note,
    resolution_kind,
)
from tests.rendering.test_adf import assert_valid_adf

DEMO = Path(__file__).resolve().parents[2] / "sidecar" / "demo"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
JIRA_KEY = "BILL-123"
JIRA_URL = "https://acme.atlassian.net/browse/BILL-123"
MARKER = "[sidecar:esc_123:evt_7]"
ASSESSMENT = {
    "score": 0.97, "level": "critical",
    "categories": [{"name": "billing_refund", "confidence": 0.99}],
    "signals": [
        {"name": "refund_request", "contribution": 2.1, "category": "billing_refund",
         "evidence": 'subject: "Charged twice for our annual plan - need a refund"'},
        {"name": "asks_for_human", "contribution": 2.9, "category": "human_requested",
         "evidence": 'comment 5 (customer): "Can I please speak to a real person in your billing team?"'},
    ],
}
ROUTE = {
    "team": {"id": "tm_billing", "name": "Billing", "slack_channel": "#billing-escalations", "jira_project": "BILL"},
    "expert": {"id": "ex_maria", "name": "Maria Lopez", "slack_user_id": "U024BE7LH"},
    "reasons": ["billing_refund category"],
}


def event(at: str, system: str, kind: str, actor: str | None = None, text: str = "", **data: Any) -> dict[str, Any]:
    return {"at": at, "system": system, "kind": kind, "actor": actor, "text": text, "data": data}


TIMELINE = [
    event("2026-11-22T12:00:00Z", "sidecar", "escalated", "Sam Carter"),
    event("2026-11-22T12:20:00Z", "slack", "comment", "Maria Lopez", "On it, checking Stripe now."),
    event("2026-11-22T12:50:00Z", "slack", "comment", "Maria Lopez",
          "<@U0SAM> confirmed: the card was charged twice because the renewal job retried after a gateway timeout "
          "although the first charge (INV-20931) had gone through."),
    event("2026-11-22T13:05:00Z", "jira", "comment", "Maria Lopez",
          "Refund of $4,800 for INV-20932 approved and issued in BILL-123 (PR #88 adds a retry guard). It takes "
          "5-10 business days to show on the statement."),
    event("2026-11-22T13:06:00Z", "jira", "status_changed", "Maria Lopez",
          **{"from": "In Progress", "to": "Done", "category": "done"}),
    event("2026-11-22T13:06:01Z", "jira", "resolved", "Maria Lopez", resolution="Done"),
]
CUSTOMER_COMMENT = event("2026-11-22T13:30:00Z", "zendesk", "customer_comment", "Dana Whitfield",
                         "Any news? <!channel> this is *urgent* & see [here](javascript:alert(1))\n\n# not a heading")


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    return template_environment()


@pytest.fixture(scope="module")
def refund() -> EscalationContext:
    row = json.loads((DEMO / "refund_ticket.json").read_text())["ticket"]
    return build_escalation_context(
        ticket=ticket_from_mapping(row), assessment=ASSESSMENT, route=ROUTE, similar=[], agent_note=None,
        ticket_url="https://acme.zendesk.com/agent/tickets/48213", escalation_id="esc_123", now=NOW,
    )


def summary_at(context: EscalationContext, upto: int, **overrides: Any) -> RollingSummary:
    arguments = {"status": "delivered", "jira_status": "In Progress", "owner": None, "acknowledged_by": "Maria Lopez",
                 **overrides}
    return summarise_escalation(context=context, timeline=TIMELINE[:upto], **arguments)


# --- update notes ---------------------------------------------------------------------------------------

def test_update_note_for_a_jira_status_change(refund, env):
    summary = summary_at(refund, 5, status="resolved", jira_status="Done")
    note = render_update_note(refund, event=TIMELINE[4], summary=summary, jira_key=JIRA_KEY, jira_url=JIRA_URL,
                              marker=MARKER, env=env)
    assert note.splitlines() == [
        "BILL-123 moved In Progress -> Done by Maria Lopez",
        "",
        "Where things stand:",
        ("Problem: Our card was charged twice for the annual Business plan on March 3rd (invoice INV-20931 and "
        "INV-20932, $4,800 each). We only have one subscription."),
        "Status: Resolved (Jira: Done); owner: Maria Lopez",
        ("Finding: Refund of $4,800 for INV-20932 approved and issued in BILL-123 (PR #88 adds a retry guard). It "
        "takes 5-10 business days to show on the statement."),
        ("Finding: Confirmed: the card was charged twice because the renewal job retried after a gateway timeout "
        "although the first charge (INV-20931) had gone through."),
        "Next step: Resolved: review the drafted reply, then send it to the customer.",
        "",
        "Jira: BILL-123 https://acme.atlassian.net/browse/BILL-123",
        MARKER,
    ]


def test_update_note_for_a_jira_comment_and_a_slack_reply(refund, env):
    summary = summary_at(refund, 4)
    jira = render_update_note(refund, event=TIMELINE[3], summary=summary, jira_key=JIRA_KEY, jira_url=JIRA_URL,
                              marker=MARKER, env=env)
    assert jira.splitlines()[0] == ("Maria Lopez on Jira: Refund of $4,800 for INV-20932 approved and issued in "
                                    "BILL-123 (PR #88 adds a retry guard). It takes 5-10 business days to show on "
                                    "the statement.")
    assert "Where things stand:\n" + summary.text + "\n" in jira
    assert jira.splitlines()[-1] == MARKER

    slack = render_update_note(refund, event=TIMELINE[2], summary=summary, jira_key=JIRA_KEY, jira_url=JIRA_URL,
                               marker=MARKER, env=env)
    # Slack markup is decoded: the note shows the words, not <@U...> tokens.
    assert slack.splitlines()[0].startswith("Maria Lopez in Slack: @U0SAM confirmed: the card was charged twice")


def test_update_note_accepts_a_stored_summary_and_keeps_the_marker_when_an_override_drops_it(refund, tmp_path):
    summary = summary_at(refund, 4).as_dict()  # as kept on the escalation row
    (tmp_path / "ticket").mkdir()
    (tmp_path / "ticket" / "update_note.txt.j2").write_text("{{ event.actor }}: {{ summary.next_step }}")
    note = render_update_note(refund, event=TIMELINE[3], summary=summary, jira_key=JIRA_KEY, jira_url=JIRA_URL,
                              marker=MARKER, env=template_environment(tmp_path))
    assert note == f"Maria Lopez: {summary['next_step']}\n{MARKER}"


# --- Slack thread replies -------------------------------------------------------------------------------

def test_thread_reply_for_a_customer_comment_escapes_their_words(refund, env):
    reply = render_thread_reply(refund, event=CUSTOMER_COMMENT, summary=summary_at(refund, 4), env=env)
    text = reply["blocks"][0]["text"]["text"]
    assert reply["blocks"][0]["type"] == "section" and reply["blocks"][0]["text"]["type"] == "mrkdwn"
    assert text.splitlines() == [
        (":speech_balloon: Dana Whitfield (customer) wrote again on "
        "<https://acme.zendesk.com/agent/tickets/48213|Zendesk #48213>:"),
        ">Any news? &lt;!channel&gt; this is *urgent* &amp; see [here](javascript:alert(1))",
        "># not a heading",
        "_Next step:_ Fix in place: tell the customer and check it works for them, then resolve the Jira issue.",
    ]
    assert "<!channel>" not in text and "<!channel>" not in reply["text"]
    assert reply["text"] == text.splitlines()[0]


def test_thread_reply_for_jira_updates(refund, env):
    moved = render_thread_reply(refund, event=TIMELINE[4], summary=summary_at(refund, 5, jira_status="Done"), env=env)
    assert moved["text"] == ":arrows_counterclockwise: Jira moved *In Progress* \u2192 *Done* by Maria Lopez"
    assert moved["blocks"][0]["text"]["text"].splitlines()[-1] == (
        "_Next step:_ Resolved: review the drafted reply, then send it to the customer.")

    comment = render_thread_reply(refund, event=TIMELINE[3], summary=None, env=env)
    assert comment["blocks"][0]["text"]["text"] == (
        ":memo: *Maria Lopez* commented in Jira:\n"
        ">Refund of $4,800 for INV-20932 approved and issued in BILL-123 (PR #88 adds a retry guard). It takes "
        "5-10 business days to show on the statement.")


def test_thread_reply_respects_block_kit_limits(refund, env):
    huge = {**CUSTOMER_COMMENT, "actor": "B & <b> " * 300,
            "text": "\n".join(["Everything & everyone <is> broken, <!here> " * 20] * 40)}
    summary = RollingSummary.compose(problem="p", findings=[], status="s", next_step="next & <step> " * 100,
                                     owner=None, source="extractive")
    reply = render_thread_reply(refund, event=huge, summary=summary, env=env)
    assert len(reply["blocks"]) == 1
    text = reply["blocks"][0]["text"]["text"]
    assert len(text) <= 3000 and len(reply["text"]) <= 3000
    for part in (text, reply["text"]):
        unquoted = "\n".join(line.removeprefix(">") for line in part.split("\n"))
        assert unquoted.count("<") == unquoted.count(">") == 1  # only the ticket link
        tail = part[-12:]
        assert "&" not in tail or ";" in tail.split("&")[-1]
    assert "<!here>" not in text and "<is>" not in text


# --- Jira sync comments ---------------------------------------------------------------------------------

def test_jira_comment_for_a_slack_reply(refund, env):
    comment = render_jira_comment(refund, event=TIMELINE[2], marker=MARKER, env=env)
    assert_valid_adf(comment)
    assert adf_to_text(comment) == (
        "From Slack, Maria Lopez:\n"
        "@U0SAM confirmed: the card was charged twice because the renewal job retried after a gateway timeout "
        "although the first charge (INV-20931) had gone through.\n"
        f"{MARKER}"
    )
    assert [n["type"] for n in comment["content"]] == ["paragraph", "blockquote", "paragraph"]
    assert comment["content"][-1]["content"] == [{"type": "text", "text": MARKER, "marks": [{"type": "code"}]}]


def test_jira_comment_for_a_customer_comment_keeps_their_words_inert(refund, env):
    comment = render_jira_comment(refund, event=CUSTOMER_COMMENT, marker=MARKER, env=env)
    assert_valid_adf(comment)
    assert adf_to_text(comment) == (
        "Dana Whitfield (customer) wrote on Zendesk #48213:\n"
        "Any news? <!channel> this is *urgent* & see [here](javascript:alert(1))\n"
        "# not a heading\n"
        f"{MARKER}"
    )
    hrefs = [mark["attrs"]["href"] for node in _walk(comment) for mark in node.get("marks", ())
             if mark["type"] == "link"]
    assert hrefs == ["https://acme.zendesk.com/agent/tickets/48213"]
    assert not any(n["type"] == "heading" for n in _walk(comment))


def test_jira_comment_keeps_the_marker_when_an_override_drops_it(refund, tmp_path):
    (tmp_path / "jira").mkdir()
    (tmp_path / "jira" / "sync_comment.md.j2").write_text("{{ event.text|md }}")
    comment = render_jira_comment(refund, event=TIMELINE[2], marker=MARKER, env=template_environment(tmp_path))
    assert_valid_adf(comment)
    assert adf_to_text(comment).splitlines()[-1] == MARKER


# --- resolution -----------------------------------------------------------------------------------------

def test_resolution_reply_is_plain_friendly_and_free_of_internal_references(refund, env):
    summary = summary_at(refund, 6, status="resolved", jira_status="Done")
    draft = render_resolution_reply(refund, resolution="Done", summary=summary, env=env)
    assert draft.splitlines() == [
        "Hi Dana,",
        "",
        'Good news: the problem you reported ("Charged twice for our annual plan - need a refund") has been resolved.',
        "",
        ("What went wrong: The card was charged twice because the renewal job retried after a gateway timeout "
        "although the first charge (INV-20931) had gone through."),
        ("What we did: Refund of $4,800 for INV-20932 approved and issued. It takes 5-10 business days to show on "
        "the statement."),
        "",
        "If anything still doesn't look right, just reply to this message and we will pick it up straight away.",
        "",
        "Thank you for your patience.",
    ]
    for internal in ("BILL-123", "PR #88", "@U0SAM", "Jira", "Slack", "Maria"):
        assert internal not in draft


def test_resolution_reply_when_nothing_was_fixed_or_reproduced(refund, env):
    wont = render_resolution_reply(refund, resolution="Won't Do", summary=None, env=env)
    assert wont.startswith('Hi Dana,\n\nOur team has finished looking into your request ("Charged twice')
    assert "We know this may not be the answer you were hoping for." in wont
    assert "\n\n\n" not in wont

    cannot = render_resolution_reply(refund, resolution="Cannot Reproduce", summary=None, env=env)
    assert "We could not make the problem happen again on our side." in cannot

    fixed_without_findings = render_resolution_reply(refund, resolution="Fixed", summary=None, env=env)
    assert "Our team has fixed the underlying problem." in fixed_without_findings


def test_resolution_reply_without_a_customer_name(env):
    row = json.loads((DEMO / "refund_ticket.json").read_text())["ticket"]
    row = {**row, "requester": {"email": "ap@northwind.example"}}
    context = build_escalation_context(ticket=ticket_from_mapping(row), assessment=ASSESSMENT, route=None,
                                       similar=[], agent_note=None, ticket_url=None, escalation_id="e", now=NOW)
    assert render_resolution_reply(context, resolution=None, summary=None, env=env).startswith("Hi there,\n")


@pytest.mark.parametrize(("name", "kind"), [
    ("Fixed", "fixed"), ("Done", "fixed"), (None, "fixed"), ("Duplicate", "fixed"), ("Won't Do", "not_fixed"),
    ("Won't Fix", "not_fixed"), ("Declined", "not_fixed"), ("Works as designed", "not_fixed"),
    ("Cannot Reproduce", "cannot_reproduce"), ("Incomplete", "cannot_reproduce"),
])
def test_resolution_kinds(name, kind):
    assert resolution_kind(name) == kind


def test_resolution_note_carries_times_findings_and_the_draft(refund, env):
    summary = summary_at(refund, 6, status="resolved", jira_status="Done")
    draft = render_resolution_reply(refund, resolution="Done", summary=summary, env=env)
    note = render_resolution_note(refund, resolution="Done", draft=draft, summary=summary, jira_key=JIRA_KEY,
                                  jira_url=JIRA_URL, time_to_acknowledge=format_duration(20 * 60),
                                  time_to_resolve=format_duration(66 * 60), marker=MARKER, env=env)
    lines = note.splitlines()
    assert lines[:3] == [
        "Resolved in Jira: BILL-123 (Done) https://acme.atlassian.net/browse/BILL-123",
        "Time to acknowledge: 20 min; time to resolve: 1 h 6 min",
        "What engineering found:",
    ]
    assert f"Drafted reply (review, then send):\n----------\n{draft}\n----------\n{MARKER}" in note
    assert lines[-1] == MARKER

    unacknowledged = render_resolution_note(refund, resolution=None, draft="Hi Dana,", summary=None, jira_key=JIRA_KEY,
                                            jira_url=JIRA_URL, time_to_acknowledge=None, time_to_resolve=None,
                                            marker=MARKER, env=env)
    assert unacknowledged.splitlines()[:2] == [
        "Resolved in Jira: BILL-123 https://acme.atlassian.net/browse/BILL-123",
        "Time to acknowledge: not acknowledged; time to resolve: unknown",
    ]


def test_a_customer_writing_in_another_language_gets_a_translate_reminder(refund, env):
    import dataclasses

    german = dataclasses.replace(refund, language="de")
    note = render_resolution_note(german, resolution="Done", draft="Hi Dana,", summary=None, jira_key=JIRA_KEY,
                                  jira_url=JIRA_URL, time_to_acknowledge=None, time_to_resolve=None,
                                  marker=MARKER, env=env)
    assert "Drafted reply (review, then send):\nThe customer writes in German: translate the draft" in note
    english = render_resolution_note(refund, resolution="Done", draft="Hi Dana,", summary=None, jira_key=JIRA_KEY,
                                     jira_url=JIRA_URL, time_to_acknowledge=None, time_to_resolve=None,
                                     marker=MARKER, env=env)
    assert "translate" not in english


# --- proactive suggestion and acknowledgement -----------------------------------------------------------

def test_suggestion_note(refund, env):
    note = render_suggestion_note(refund, score=0.8213, level="high", reasons=refund.as_template_data()["reasons"],
                                  team={"id": "tm_billing", "name": "Billing"}, expert="Ana Ruiz",
                                  marker="[sidecar:suggest:48213]", env=env)
    assert note.splitlines() == [
        "This ticket now looks like it needs an expert (score 0.82, high).",
        ('Why: Asks for human: comment 5 (customer): "Can I please speak to a real person in your billing team?"; '
        'Refund request: subject: "Charged twice for our annual plan - need a refund"'),
        "Suggested: Billing / Ana Ruiz",
        "Escalate from the sidebar when you are ready; nothing has been sent yet.",
        "[sidecar:suggest:48213]",
    ]
    bare = render_suggestion_note(refund, score=0.6, level="medium", reasons=["Customer asked twice for a manager"],
                                  team=None, expert=None, marker="[m]", env=env)
    assert "Why: Customer asked twice for a manager\n" in bare
    assert "Suggested: no team matched; choose one in the sidebar\n" in bare


def test_ack_note(refund, env):
    note = render_ack_note(refund, who="Maria Lopez", when=datetime(2026, 11, 22, 12, 20, tzinfo=UTC), env=env)
    assert note == ("Maria Lopez acknowledged the escalation at 2026-11-22 12:20 UTC and is working on it.\n"
                    "Updates from Jira and Slack will follow here as internal notes.")
    with_marker = render_ack_note(refund, who="Maria Lopez", when="2026-11-22T12:20:00Z", marker=MARKER, env=env)
    assert with_marker.splitlines()[-1] == MARKER
    assert render_ack_note(refund, who="Maria Lopez", when=None, env=env).startswith(
        "Maria Lopez acknowledged the escalation and is working on it.")


def test_ack_timeout_note(refund, env):
    note = render_ack_timeout_note(refund, minutes=90, pinged=["Ana Ruiz", {"name": "#billing-escalations"}],
                                   marker=MARKER, env=env)
    assert note.splitlines() == [
        "Nobody acknowledged the escalation within 1 h 30 min.",
        "Pinged next: Ana Ruiz, #billing-escalations.",
        "Keep the customer informed in the meantime.",
        MARKER,
    ]
    alone = render_ack_timeout_note(refund, minutes=30, pinged=[], env=env)
    assert alone == ("Nobody acknowledged the escalation within 30 min.\n"
                     "Nobody else to ping: reassign it from the sidebar or ask the team lead.\n"
                     "Keep the customer informed in the meantime.")


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0 s"), (45, "45 s"), (59.9, "59 s"), (60, "1 min"), (125, "2 min 5 s"), (3600, "1 h"),
    (7500, "2 h 5 min"), (7530, "2 h 5 min"), (86400, "1 d"), (273600, "3 d 4 h"), (3 * 86400 + 300, "3 d"),
    (-5, "0 s"),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize("name", [
    "ticket/update_note.txt.j2", "slack/thread_update.mrkdwn.j2", "jira/sync_comment.md.j2",
    "ticket/resolution_reply.txt.j2", "ticket/resolution_note.txt.j2", "ticket/suggestion_note.txt.j2",
    "ticket/acknowledged_note.txt.j2", "ticket/ack_timeout_note.txt.j2",
])
def test_every_new_template_documents_its_variables(name, env):
    source = Path(env.loader.get_source(env, name)[1]).read_text()
    assert source.lstrip().startswith("{#") and "Variables" in source


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for child in node.get("content", ()):
            yield from _walk(child)
