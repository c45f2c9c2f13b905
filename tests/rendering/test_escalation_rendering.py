"""What an escalation writes: the Jira issue, the ticket note, the Slack message and the affected-customer
comment, rendered from templates/ for realistic tickets; limits, escaping and operator overrides."""
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
from sidecar.intelligence.ticket import ticket_from_mapping
from sidecar.rendering.environment import (
    escape_mrkdwn,
    slack_link,
    template_environment,
)
from sidecar.rendering.escalation import (
    render_affected_comment,
    render_jira_issue,
    render_slack_message,
    render_ticket_note,
    truncate_mrkdwn,
)
from tests.rendering.test_adf import assert_valid_adf

DEMO = Path(__file__).resolve().parents[2] / "sidecar" / "demo"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
JIRA_KEY = "BILL-123"
JIRA_URL = "https://acme.atlassian.net/browse/BILL-123"

REFUND_ASSESSMENT = {
    "score": 0.97, "level": "critical", "recommendation": "escalate", "model_version": "rules-1",
    "categories": [{"name": "human_requested", "confidence": 0.9}, {"name": "billing_refund", "confidence": 0.99}],
    "signals": [
        {"name": "refund_request", "contribution": 2.1, "category": "billing_refund",
         "evidence": 'subject: "Charged twice for our annual plan - need a refund" (+4 more)'},
        {"name": "asks_for_human", "contribution": 2.9, "category": "human_requested",
         "evidence": 'comment 5 (customer): "Can I please speak to a real person in your billing team?"'},
        {"name": "chargeback_or_dispute", "contribution": 1.1, "category": "billing_refund",
         "evidence": 'comment 5 (customer): "...our finance team will file a chargeback."'},
        {"name": "low_impact_question", "contribution": -0.4, "category": None, "evidence": "not shown"},
    ],
}
ROUTE = {
    "team": {"id": "tm_billing", "name": "Billing", "slack_channel": "#billing-escalations", "jira_project": "BILL",
             "jira_component": None},
    "expert": {"id": "ex_maria", "name": "Maria Lopez", "email": "maria@acme.example", "slack_user_id": "U024BE7LH",
               "jira_account_id": "5b10", "available_now": True, "score": 0.9, "reasons": ["solved 14 refunds"]},
    "confidence": 0.8, "reasons": ["billing_refund category"], "alternatives": [],
}
SIMILAR = [{"source": "jira", "id": "BILL-88", "kind": "jira_issue",
            "title": "Duplicate annual charge when card retried", "status": "Done", "resolution": "Fixed", "url": "https://acme.atlassian.net/browse/BILL-88",
            "solved_by": "Maria Lopez", "score": 0.81}]

BUG_DESCRIPTION = (
    "Hello team,\nSince the 4.2 update, exporting any dashboard to PDF fails.\n\nSteps to reproduce:\n"
    "1. Open a dashboard with more than 10 widgets\n2. Click Export > PDF\n\n"
    "The page then shows \"Export failed: renderer timed out\" and the network tab shows error 500. "
    "Job 88213 was one of them.\n\nThanks,\nKai"
)
BUG_TICKET = {
    "id": "500Kx00000AbCdE", "source": "salesforce", "subject": "Export to PDF crashes with error 500",
    "description": BUG_DESCRIPTION,
    "comments": [{"author": "customer", "body": BUG_DESCRIPTION, "created_at": "2026-11-20T09:00:00Z"}],
    "organization": {"name": "Contoso", "tier": "enterprise", "arr": 250000},
    "requester": {"name": "Kai Nakamura", "email": "kai@contoso.example"},
}
BUG_ASSESSMENT = {"score": 0.7, "level": "high", "recommendation": "escalate", "model_version": "rules-1",
                  "categories": [{"name": "bug_incident", "confidence": 0.8}],
                  "signals": [{"name": "broken_feature", "contribution": 1.5, "category": "bug_incident",
                               "evidence": 'description: "exporting any dashboard to PDF fails."'}]}
COMPLIANCE_TICKET = {
    "id": "48230", "source": "zendesk", "subject": "Is your platform SOC 2 Type II certified?",
    "description": "Our security team needs the SOC 2 report before our renewal. Where is our data stored?",
    "requester": {"name": "Ana Silva"}, "created_at": "2026-11-21T08:00:00Z",
}
COMPLIANCE_ASSESSMENT = {"score": 0.45, "level": "medium", "recommendation": "watch", "model_version": "rules-1",
                         "categories": [{"name": "compliance_security", "confidence": 0.7}], "signals": []}


def build(row: dict[str, Any], assessment: dict[str, Any], **overrides: Any) -> EscalationContext:
    arguments: dict[str, Any] = {
        "ticket": ticket_from_mapping(row), "assessment": assessment, "route": None, "similar": [],
        "agent_note": None, "ticket_url": f"https://acme.zendesk.com/agent/tickets/{row['id']}",
        "escalation_id": "esc_123", "now": NOW, **overrides,
    }
    return build_escalation_context(**arguments)


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    return template_environment()


@pytest.fixture(scope="module")
def refund() -> EscalationContext:
    row = json.loads((DEMO / "refund_ticket.json").read_text())["ticket"]
    return build(row, REFUND_ASSESSMENT, route=ROUTE, similar=SIMILAR,
                 agent_note="Checked Stripe: both charges are there.\nShe mentions a chargeback.")


# --- Jira issue --------------------------------------------------------------------------------------

REFUND_DESCRIPTION = """\
Customer and account
Customer: Dana Whitfield (dana@northwind.example)
Account: Northwind Traders
Tier: business
ARR: 57,600
Renewal: 2027-03-03 (in 101 days)
Ticket: Zendesk #48213
Problem
Our card was charged twice for the annual Business plan on March 3rd (invoice INV-20931 and INV-20932, $4,800 each). \
We only have one subscription. Please refund the duplicate charge.
Steps, errors and ids
Ids mentioned
invoice INV-20931
invoice INV-20932
Timeline
2026-11-20 09:12 UTC Customer: Our card was charged twice for the annual Business plan on March 3rd (invoice \
INV-20931 and INV-20932, $4,800 each). We only have one subscription. Please\u2026
2026-11-20 09:12 UTC Bot: You can view and download your invoices under Settings > Billing. (repeated 2x, last \
2026-11-20 09:20 UTC)
2026-11-20 09:20 UTC Customer: I know where the invoices are. That doesn't help. We were double charged and I want \
the second $4,800 refunded.
2026-11-21 15:02 UTC Customer: This is ridiculous. Can I please speak to a real person in your billing team? If this \
isn't sorted by Friday our finance team will file a chargeback.
What was already tried
Escalating agent's note:
Checked Stripe: both charges are there.
She mentions a chargeback.
Bot (2026-11-20 09:12 UTC): You can view and download your invoices under Settings > Billing. (sent 2x)
Similar incidents
Duplicate annual charge when card retried (Jira issue BILL-88, Done: Fixed, solved by Maria Lopez)
Why this was escalated
Score 0.97 (critical), priority Highest. Categories: Billing / refund, Asks for a human.
Asks for human: comment 5 (customer): "Can I please speak to a real person in your billing team?"
Refund request: subject: "Charged twice for our annual plan - need a refund" (+4 more)
Chargeback or dispute: comment 5 (customer): "...our finance team will file a chargeback."
Routed to Billing, expert Maria Lopez (billing_refund category).
Links
Ticket: Zendesk #48213
Escalation: esc_123"""


def test_refund_issue_summary_and_description(refund, env):
    issue = render_jira_issue(refund, env=env)
    assert set(issue) == {"summary", "description"}
    assert issue["summary"] == "Northwind Traders: Charged twice for our annual plan - need a refund"
    assert_valid_adf(issue["description"])
    assert adf_to_text(issue["description"]) == REFUND_DESCRIPTION


def test_refund_issue_structure(refund, env):
    content = render_jira_issue(refund, env=env)["description"]["content"]
    headings = [adf_to_text(n) for n in content if n["type"] == "heading"]
    assert headings == ["Customer and account", "Problem", "Steps, errors and ids", "Timeline",
                        "What was already tried", "Similar incidents", "Why this was escalated", "Links"]
    assert all(n["attrs"]["level"] == 2 for n in content if n["type"] == "heading")
    links = _hrefs(content)
    assert links == ["https://acme.zendesk.com/agent/tickets/48213", "https://acme.atlassian.net/browse/BILL-88",
                     "https://acme.zendesk.com/agent/tickets/48213"]
    assert any(n["type"] == "blockquote" for n in content)  # the agent's note


def _hrefs(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, list):
        for child in node:
            found += _hrefs(child)
    elif isinstance(node, dict):
        found += [m["attrs"]["href"] for m in node.get("marks", []) if m["type"] == "link"]
        found += _hrefs(node.get("content", []))
    return found


def test_bug_report_issue_has_numbered_steps_and_code_marked_errors(env):
    context = build(BUG_TICKET, BUG_ASSESSMENT, ticket_url=None)
    issue = render_jira_issue(context, env=env)
    assert issue["summary"] == "Contoso: Export to PDF crashes with error 500"
    document = issue["description"]
    assert_valid_adf(document)
    ordered = [n for n in document["content"] if n["type"] == "orderedList"]
    assert len(ordered) == 1
    assert [adf_to_text(i) for i in ordered[0]["content"]] == [
        "Open a dashboard with more than 10 widgets", "Click Export > PDF"]
    text = adf_to_text(document)
    assert "Errors\nHTTP 500 Internal Server Error\n\u201cExport failed: renderer timed out\u201d" in text
    assert "Ids mentioned\njob 88213" in text
    assert "Ticket: Salesforce case 500Kx00000AbCdE\n" in text  # no URL: no link
    code = [n for n in _text_nodes(document) if {"type": "code"} in n.get("marks", [])]
    assert [n["text"] for n in code][:2] == ["HTTP 500 Internal Server Error",
                                             "\u201cExport failed: renderer timed out\u201d"]
    assert "No team matched." in text
    assert "Nothing recorded in the ticket." in text
    assert "No similar past incidents found." in text


def _text_nodes(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [t for child in node for t in _text_nodes(child)]
    if isinstance(node, dict):
        return ([node] if node.get("type") == "text" else []) + _text_nodes(node.get("content", []))
    return []


def test_compliance_question_issue(env):
    context = build(COMPLIANCE_TICKET, COMPLIANCE_ASSESSMENT)
    issue = render_jira_issue(context, env=env)
    assert_valid_adf(issue["description"])
    text = adf_to_text(issue["description"])
    assert issue["summary"] == "Is your platform SOC 2 Type II certified?"
    assert "Customer: Ana Silva\nAccount: unknown\nTicket: Zendesk #48230\n" in text
    assert "No steps, error messages or ids found in the conversation." in text
    assert "Score 0.45 (medium), priority Medium. Categories: Compliance / security." in text
    assert "2026-11-21 08:00 UTC Customer: Our security team needs the SOC 2 report before our renewal." in text


def test_summary_is_one_line_within_jira_limit(env, tmp_path):
    (tmp_path / "jira").mkdir()
    (tmp_path / "jira" / "issue_summary.txt.j2").write_text("{{ title }}\n{{ problem }}\n" * 5)
    context = build(BUG_TICKET, BUG_ASSESSMENT)
    summary = render_jira_issue(context, env=template_environment(tmp_path))["summary"]
    assert "\n" not in summary and len(summary) <= 255 and summary.endswith("\u2026")


# --- escaping ----------------------------------------------------------------------------------------

HOSTILE_TICKET = {
    "id": "666", "source": "zendesk",
    "subject": "<!channel> **URGENT** [click me](https://evil.example) `rm -rf`",
    "description": "# Fake heading\n- fake item\n> fake quote\n[win a prize](https://evil.example/phish) & "
                   "<https://evil.example|innocent> <@U999> @here\n\n---\n```\ncode?\n```",
    "organization": {"name": "Evil <Corp> & Co *bold*"},
    "requester": {"name": "Mallory [admin](https://evil.example)", "email": "m@evil.example"},
}


def test_user_text_never_becomes_jira_markup_or_links(env):
    context = build(HOSTILE_TICKET, BUG_ASSESSMENT, ticket_url="https://acme.zendesk.com/agent/tickets/666",
                    similar=[{"id": "1", "title": "[x](https://evil.example/2)", "url": "javascript:alert(1)",
                              "score": 0.5}])
    document = render_jira_issue(context, env=env)["description"]
    assert_valid_adf(document)
    assert _hrefs(document) == ["https://acme.zendesk.com/agent/tickets/666"] * 2
    headings = [adf_to_text(n) for n in document["content"] if n["type"] == "heading"]
    assert "Fake heading" not in " ".join(headings)
    assert not any(n["type"] == "rule" for n in document["content"])
    text = adf_to_text(document)
    assert "Customer: Mallory [admin](https://evil.example) (m@evil.example)" in text
    assert "Account: Evil <Corp> & Co *bold*" in text
    strong = [n["text"] for n in _text_nodes(document) if {"type": "strong"} in n.get("marks", [])]
    assert "URGENT" not in strong and "bold" not in strong


def test_user_text_never_becomes_slack_mentions_or_links(env):
    context = build(HOSTILE_TICKET, BUG_ASSESSMENT, agent_note="Customer wrote <!everyone> & <#C123>")
    message = render_slack_message(context, jira_key="ESC-1", jira_url="https://acme.atlassian.net/browse/ESC-1",
                                   env=env)
    mrkdwn = [message["text"], *_mrkdwn_texts(message["blocks"])]
    joined = "\n".join(mrkdwn)
    for token in ("<!channel>", "<!everyone>", "<@U999>", "<#C123>", "<https://evil.example", "<Corp>"):
        assert token not in joined
    assert "&lt;!channel&gt;" in message["text"]
    assert "&lt;!everyone&gt; &amp; &lt;#C123&gt;" in joined
    assert "Evil &lt;Corp&gt; &amp; Co *bold*" in joined
    links = [part.split("|")[0] for text in mrkdwn for part in text.split("<")[1:]]
    assert links == ["https://acme.atlassian.net/browse/ESC-1", "https://acme.zendesk.com/agent/tickets/666"]


def _mrkdwn_texts(blocks: list[dict[str, Any]]) -> list[str]:
    texts = []
    for block in blocks:
        if block["type"] == "section":
            if "text" in block:
                texts.append(block["text"]["text"])
            texts += [f["text"] for f in block.get("fields", [])]
        elif block["type"] == "context":
            texts += [e["text"] for e in block["elements"]]
    return texts


def test_mrkdwn_filters():
    assert escape_mrkdwn("a & b <!here> >") == "a &amp; b &lt;!here&gt; &gt;"
    assert escape_mrkdwn(None) == ""
    assert slack_link("A <b>", "https://x.example/?a=1&b=|2") == "<https://x.example/?a=1&amp;b=%7C2|A &lt;b&gt;>"
    assert slack_link("text", "javascript:alert(1)") == "text"


# --- Slack -------------------------------------------------------------------------------------------

def test_refund_slack_message(refund, env):
    message = render_slack_message(refund, jira_key=JIRA_KEY, jira_url=JIRA_URL, env=env)
    assert message["text"] == (
        "Escalation BILL-123: Northwind Traders: Charged twice for our annual plan - need a refund "
        "(Northwind Traders, critical)"
    )
    assert message["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "emoji": True, "text":
            ":rotating_light: BILL-123: Northwind Traders: Charged twice for our annual plan - need a refund"}},
        {"type": "section", "text": {"type": "mrkdwn", "text":
            "*<https://acme.atlassian.net/browse/BILL-123|BILL-123>* from "
            "<https://acme.zendesk.com/agent/tickets/48213|Zendesk #48213> \u00b7 Northwind Traders\n"
            "Our card was charged twice for the annual Business plan on March 3rd (invoice INV-20931 and INV-20932, "
            "$4,800 each). We only have one subscription. Please refund the duplicate charge.\n"
            "_Agent's note:_ Checked Stripe: both charges are there.\nShe mentions a chargeback.\n"
            "_Seen before:_ <https://acme.atlassian.net/browse/BILL-88|BILL-88 Duplicate annual charge when card "
            "retried> (solved by Maria Lopez)"}},
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": "*Customer*\nDana Whitfield (Northwind Traders)"},
            {"type": "mrkdwn", "text": "*Tier / ARR*\nbusiness \u00b7 ARR 57,600"},
            {"type": "mrkdwn", "text": "*Renewal*\n2027-03-03 (in 101 days)"},
            {"type": "mrkdwn", "text": "*Score*\n0.97 (critical) \u00b7 Highest"},
            {"type": "mrkdwn", "text": "*Team*\nBilling"},
            {"type": "mrkdwn", "text": "*Expert*\n<@U024BE7LH>"},
        ]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text":
            '*Why:* Asks for human: comment 5 (customer): "Can I please speak to a real person in your billing '
            'team?" \u00b7 Refund request: subject: "Charged twice for our annual plan - need a refund" (+4 more) '
            '\u00b7 Chargeback or dispute: comment 5 (customer): "...our finance team will file a chargeback."'}]},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": "escalation_acknowledge", "style": "primary", "value": "esc_123",
             "text": {"type": "plain_text", "text": "Acknowledge", "emoji": True}},
            {"type": "button", "action_id": "escalation_open_jira", "url": JIRA_URL,
             "text": {"type": "plain_text", "text": "Open in Jira", "emoji": True}},
            {"type": "button", "action_id": "escalation_open_ticket",
             "url": "https://acme.zendesk.com/agent/tickets/48213",
             "text": {"type": "plain_text", "text": "Open ticket", "emoji": True}},
            {"type": "button", "action_id": "escalation_reassign", "value": refund.escalation_id,
             "text": {"type": "plain_text", "text": "Reassign", "emoji": True}},
        ]},
    ]


def test_slack_names_two_similar_incidents_and_an_open_ones_status(env):
    similar = [*SIMILAR,
               {"source": "jira", "id": "BILL-90", "kind": "jira_issue", "title": "Retries charge twice <!channel>",
                "status": "In Progress", "url": None, "solved_by": None, "score": 0.5},
               {"source": "zendesk", "id": "47001", "kind": "ticket", "title": "Third one", "status": "solved",
                "url": None, "solved_by": "Ben", "score": 0.4}]
    row = json.loads((DEMO / "refund_ticket.json").read_text())["ticket"]
    context = build(row, REFUND_ASSESSMENT, route=ROUTE, similar=similar)
    text = render_slack_message(context, jira_key="ESC-1", jira_url=JIRA_URL, env=env)["blocks"][1]["text"]["text"]
    seen = text.split("_Seen before:_ ", 1)[1]
    assert seen == ("<https://acme.atlassian.net/browse/BILL-88|BILL-88 Duplicate annual charge when card retried> "
                    "(solved by Maria Lopez); BILL-90 Retries charge twice &lt;!channel&gt; (In Progress)")


def test_slack_buttons_without_ticket_url_or_with_unsafe_jira_url(env):
    context = build(BUG_TICKET, BUG_ASSESSMENT, ticket_url=None)
    message = render_slack_message(context, jira_key="ESC-9", jira_url="javascript:alert(1)", env=env)
    buttons = message["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["escalation_acknowledge", "escalation_reassign"]
    assert buttons[0]["value"] == "esc_123"


def test_slack_respects_block_kit_limits(env):
    huge = {
        **BUG_TICKET,
        "subject": "Export & import fail " * 40,
        "description": ("Everything & everyone <is> broken. " * 400),
        "organization": {"name": "A" * 3000, "tier": "enterprise " * 300, "arr": 1e12},
        "requester": {"name": "B & " * 1000},
    }
    signals = [{"name": f"signal_{i}", "contribution": 1 + i, "evidence": "x & y <z> " * 500} for i in range(8)]
    context = build(huge, {**BUG_ASSESSMENT, "signals": signals}, agent_note="note & <more> " * 600)
    message = render_slack_message(context, jira_key="ESC-1", jira_url="https://acme.atlassian.net/browse/ESC-1",
                                   env=env)
    blocks = message["blocks"]
    assert len(message["text"]) <= 3000
    header = blocks[0]
    assert header["type"] == "header" and len(header["text"]["text"]) <= 150
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "section" and "fields" in block:
            assert len(block["fields"]) <= 10
            assert all(len(f["text"]) <= 2000 for f in block["fields"])
        if block["type"] == "context":
            assert len(block["elements"]) <= 10
            assert all(len(e["text"]) <= 3000 for e in block["elements"])
        if block["type"] == "actions":
            assert all(len(b["text"]["text"]) <= 75 for b in block["elements"])
    for text in _mrkdwn_texts(blocks) + [message["text"]]:
        # A cut never leaves half an entity or half a link behind.
        tail = text[-12:]
        assert "&" not in tail or ";" in tail.split("&")[-1], tail
        assert text.count("<") == text.count(">")


def test_truncate_mrkdwn():
    assert truncate_mrkdwn("short", 10) == "short"
    assert truncate_mrkdwn("aaaa &amp; bbbb", 8) == "aaaa\u2026"
    assert truncate_mrkdwn("see <https://x.example/long|link> now", 20) == "see\u2026"
    assert len(truncate_mrkdwn("word " * 1000, 3000)) <= 3000


# --- ticket note -------------------------------------------------------------------------------------

def test_refund_ticket_note(refund, env):
    note = render_ticket_note(refund, jira_key=JIRA_KEY, jira_url=JIRA_URL, marker="[escalation esc_123]", env=env)
    assert note == (
        "Escalated to Jira BILL-123: https://acme.atlassian.net/browse/BILL-123\n"
        "Summary: Northwind Traders: Charged twice for our annual plan - need a refund\n"
        "Assigned to: Billing / Maria Lopez\n"
        "Priority: Highest (score 0.97, critical)\n"
        "\n"
        "What happens next: Maria Lopez is notified in Slack and will work on BILL-123.\n"
        "Updates from Jira are added to this ticket as internal notes; keep the customer informed in the meantime.\n"
        "[escalation esc_123]"
    )


def test_ticket_note_without_route_and_with_agent_choice(env):
    context = build(COMPLIANCE_TICKET, COMPLIANCE_ASSESSMENT)
    note = render_ticket_note(context, jira_key="SEC-4", jira_url="https://acme.atlassian.net/browse/SEC-4",
                              marker="[escalation esc_9]", env=env)
    assert "Assigned to: no team matched; the issue waits in Jira for triage.\n" in note
    assert "What happens next: SEC-4 waits in Jira for triage.\n" in note
    assert note.splitlines()[-1] == "[escalation esc_9]"

    context = build(COMPLIANCE_TICKET, COMPLIANCE_ASSESSMENT, requested_team={"id": "t", "name": "Security"})
    note = render_ticket_note(context, jira_key="SEC-4", jira_url="https://acme.atlassian.net/browse/SEC-4",
                              marker="[escalation esc_9]", env=env)
    assert "Assigned to: Security (chosen by the escalating agent)\n" in note
    assert "What happens next: the Security team is notified in Slack and will pick up SEC-4.\n" in note


# --- affected-customer comment -----------------------------------------------------------------------

def test_affected_comment(env):
    context = build(BUG_TICKET, BUG_ASSESSMENT)
    comment = render_affected_comment(context, affected_count=3, total_arr=560000.0, env=env)
    assert_valid_adf(comment)
    assert adf_to_text(comment) == (
        "Another customer affected: Contoso (enterprise, ARR 250,000) via Salesforce case 500Kx00000AbCdE\n"
        "Since the 4.2 update, exporting any dashboard to PDF fails. The page then shows \"Export failed: renderer "
        "timed out\" and the network tab shows error 500. Job 88213 was one of them.\n"
        "3 customers affected, total ARR 560,000."
    )
    assert _hrefs(comment) == ["https://acme.zendesk.com/agent/tickets/500Kx00000AbCdE"]
    assert [n["type"] for n in comment["content"]] == ["paragraph", "blockquote", "paragraph"]


def test_affected_comment_without_arr(env):
    context = build(COMPLIANCE_TICKET, COMPLIANCE_ASSESSMENT)
    comment = render_affected_comment(context, affected_count=1, total_arr=None, env=env)
    assert_valid_adf(comment)
    assert adf_to_text(comment).splitlines()[0] == "Another customer affected: Ana Silva via Zendesk #48230"
    assert adf_to_text(comment).splitlines()[-1] == "1 customer affected."


# --- the environment and operator overrides ----------------------------------------------------------

def test_override_directory_wins_and_the_rest_fall_back(refund, tmp_path):
    (tmp_path / "jira").mkdir()
    (tmp_path / "jira" / "issue_summary.txt.j2").write_text("[{{ level|upper }}] {{ title }}")
    (tmp_path / "ticket").mkdir()
    (tmp_path / "ticket" / "escalation_note.txt.j2").write_text("Sent to {{ jira_key }}.")
    env = template_environment(tmp_path)
    issue = render_jira_issue(refund, env=env)
    assert issue["summary"] == "[CRITICAL] Northwind Traders: Charged twice for our annual plan - need a refund"
    assert adf_to_text(issue["description"]) == REFUND_DESCRIPTION  # not overridden: the built-in
    # The override forgot the marker; the note still ends with it so the sidecar never echoes its own note.
    note = render_ticket_note(refund, jira_key="B-1", jira_url="https://a.example/B-1", marker="[escalation e]",
                              env=env)
    assert note == "Sent to B-1.\n[escalation e]"


def test_environment_is_cached_per_directory(tmp_path):
    assert template_environment() is template_environment(None)
    assert template_environment(tmp_path) is template_environment(str(tmp_path))
    assert template_environment(tmp_path) is not template_environment()


def test_missing_override_directory_fails_fast(tmp_path):
    with pytest.raises(ValueError, match="does-not-exist"):
        template_environment(tmp_path / "does-not-exist")


def test_templates_are_strict(tmp_path, refund):
    (tmp_path / "jira").mkdir()
    (tmp_path / "jira" / "issue_summary.txt.j2").write_text("{{ no_such_variable }}")
    with pytest.raises(jinja2.UndefinedError):
        render_jira_issue(refund, env=template_environment(tmp_path))


@pytest.mark.parametrize(
    "name",
    ["jira/issue_summary.txt.j2", "jira/issue_description.md.j2", "jira/affected_comment.md.j2",
     "ticket/escalation_note.txt.j2", "slack/escalation_summary.mrkdwn.j2"],
)
def test_every_builtin_template_documents_its_variables(name, env):
    source = Path(env.loader.get_source(env, name)[1]).read_text()
    assert source.lstrip().startswith("{#") and "Variables" in source


def test_default_environment_is_used_when_none_given(refund):
    assert render_jira_issue(refund)["summary"] == render_jira_issue(refund, env=template_environment())["summary"]


def test_the_jira_issue_names_the_customers_language_when_it_is_not_english(env):
    spanish = {"id": "9001", "source": "zendesk", "subject": "Cobro duplicado",
               "description": "Hola, nos cobraron dos veces este mes. Quiero un reembolso del segundo cobro. Gracias."}
    issue = render_jira_issue(build(spanish, REFUND_ASSESSMENT), env=env)
    assert "Language: Spanish" in adf_to_text(issue["description"])
    english = render_jira_issue(build(BUG_TICKET, BUG_ASSESSMENT), env=env)
    assert "Language:" not in adf_to_text(english["description"])
