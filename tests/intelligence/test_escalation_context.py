"""The escalation context: what an expert reads about a ticket, gathered from the conversation."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sidecar.intelligence.escalation_context import (
    EscalationContext,
    build_escalation_context,
    jira_priority,
    summary_title,
)
from sidecar.intelligence.redaction import Redactor
from sidecar.intelligence.scoring import assess_ticket
from sidecar.intelligence.text.errors import extract_errors
from sidecar.intelligence.text.identifiers import Identifier, extract_identifiers
from sidecar.intelligence.text.steps import extract_steps
from sidecar.intelligence.text.timeline import build_timeline
from sidecar.intelligence.text.tried import what_was_tried
from sidecar.intelligence.ticket import Comment, Ticket, ticket_from_mapping
from sidecar.services.assessments import assessment_to_dict

# What the rules find and quote, without the semantic layer (see conftest.rules_only).
pytestmark = pytest.mark.usefixtures("rules_only")

DEMO = Path(__file__).resolve().parents[2] / "sidecar" / "demo"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

ROUTE = {
    "team": {"id": "tm_billing", "name": "Billing", "slack_channel": "#billing-escalations", "jira_project": "BILL",
             "jira_component": "Refunds"},
    "expert": {"id": "ex_maria", "name": "Maria Lopez", "email": "maria@acme.example", "slack_user_id": "U024BE7LH",
               "jira_account_id": "5b10ac8d82e05b22cc7d4ef5", "available_now": True, "score": 0.91,
               "reasons": ["solved 14 similar refund tickets"]},
    "confidence": 0.82,
    "reasons": ["category billing_refund", "rule: refunds go to Billing"],
    "alternatives": [],
}
SIMILAR = [
    {"source": "zendesk", "id": "47001", "kind": "ticket", "title": "Double charge after plan upgrade",
     "status": "solved", "resolution": None, "url": "https://acme.zendesk.com/agent/tickets/47001",
     "solved_by": "Maria Lopez", "score": 0.64},
    {"source": "jira", "id": "BILL-88", "kind": "jira_issue", "title": "Duplicate annual charge when card retried",
     "status": "Done", "resolution": "Fixed", "url": "https://acme.atlassian.net/browse/BILL-88", "solved_by": None,
     "score": 0.81},
] + [
    {"source": "zendesk", "id": str(46000 + i), "kind": "ticket", "title": f"Old billing question {i}",
     "status": "closed", "resolution": None, "url": None, "solved_by": None, "score": 0.1 + i / 100}
    for i in range(5)
]

BUG_DESCRIPTION = (
    "Hello team,\n"
    "Since the 4.2 update, exporting any dashboard to PDF fails.\n\n"
    "Steps to reproduce:\n"
    "1. Open a dashboard with more than 10 widgets\n"
    "2. Click Export > PDF\n"
    "3. Wait about 30 seconds\n\n"
    "The page then shows \"Export failed: renderer timed out\" and the network tab shows error 500 on "
    "POST /api/exports. Job 88213 was one of them.\n\n"
    "Thanks,\nKai"
)
BUG_TICKET = {
    "id": "500Kx00000AbCdE", "source": "salesforce", "subject": "RE: Export to PDF crashes with error 500",
    "description": BUG_DESCRIPTION,
    "comments": [
        {"author": "customer", "body": BUG_DESCRIPTION, "created_at": "2026-11-20T09:00:00Z"},
        {"author": "agent", "created_at": "2026-11-20T09:30:00Z",
         "body": "Thanks Kai, I've cleared the export cache for your workspace and tried the export myself on "
                 "dashboard 4411: same result. Could you try again and send us the request id?"},
        {"author": "customer", "created_at": "2026-11-20T09:45:00Z",
         "body": "Tried again, still failing. Request id 3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f. "
                 "Every time I export a dashboard with charts it breaks."},
        {"author": "agent", "public": False, "created_at": "2026-11-20T10:05:00Z",
         "body": "Logs show:\n2026-11-20T10:01:02Z ERROR renderer: TimeoutError: page.pdf exceeded 30000ms\n"
                 "Looks like a renderer regression."},
    ],
    "organization": {"name": "Contoso", "tier": "enterprise", "arr": 250000, "renewal_date": "2027-01-10"},
    "requester": {"name": "Kai Nakamura", "email": "kai@contoso.example"},
}
COMPLIANCE_TICKET = {
    "id": "48230", "source": "zendesk", "subject": "SECURITY QUESTIONNAIRE BEFORE OUR SOC 2 AUDIT",
    "description": "Good morning,\nIs your platform SOC 2 Type II certified? Our security team needs the report and a "
                   "completed questionnaire before our renewal on 2027-01-31. Also, where is our data stored "
                   "(EU or US)? We also need to know your sub-processors. Thank you!",
    "requester": {"name": "Ana Silva", "email": "ana.silva@fabrikam.example"},
    "organization": {"name": "Fabrikam", "tier": "professional", "arr": 36000, "renewal_date": "2027-01-31"},
    "created_at": "2026-11-21T08:00:00Z",
}


def demo_refund() -> Ticket:
    return ticket_from_mapping(json.loads((DEMO / "refund_ticket.json").read_text())["ticket"])


def demo_tickets() -> dict[str, Ticket]:
    return {row["id"]: ticket_from_mapping(row) for row in json.loads((DEMO / "tickets.json").read_text())}


def context_for(ticket: Ticket, **overrides) -> EscalationContext:
    arguments = {
        "ticket": ticket,
        "assessment": assessment_to_dict(assess_ticket(ticket, now=NOW)),
        "route": None,
        "similar": [],
        "agent_note": None,
        "ticket_url": f"https://acme.zendesk.com/agent/tickets/{ticket.id}",
        "escalation_id": "esc_123",
        "now": NOW,
        **overrides,
    }
    return build_escalation_context(**arguments)


# --- the demo refund ticket --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def refund() -> EscalationContext:
    return context_for(demo_refund(), route=ROUTE, similar=SIMILAR,
                       agent_note="Checked Stripe: both charges are there.\nCustomer mentions a chargeback.")


def test_refund_header_facts(refund):
    assert refund.escalation_id == "esc_123"
    assert (refund.ticket_source, refund.ticket_id) == ("zendesk", "48213")
    assert refund.ticket_label == "Zendesk #48213"
    assert refund.title == "Northwind Traders: Charged twice for our annual plan - need a refund"
    assert (refund.customer.name, refund.customer.email) == ("Dana Whitfield", "dana@northwind.example")
    assert refund.account.name == "Northwind Traders"
    assert refund.account.tier == "business"
    assert refund.account.arr == 57600
    assert refund.account.renewal_date == date(2027, 3, 3)
    assert refund.account.days_to_renewal == 101


def test_refund_problem_is_the_opening_message_without_greeting(refund):
    assert refund.problem == (
        "Our card was charged twice for the annual Business plan on March 3rd (invoice INV-20931 and "
        "INV-20932, $4,800 each). We only have one subscription. Please refund the duplicate charge."
    )


def test_refund_ids_steps_errors(refund):
    assert refund.identifiers == (Identifier("INV-20931", "invoice"), Identifier("INV-20932", "invoice"))
    assert refund.steps == ()
    assert refund.error_messages == ()


def test_refund_timeline_folds_the_repeated_bot_reply(refund):
    timeline = [(t.author, t.repeats, t.text) for t in refund.timeline]
    assert timeline == [
        ("customer", 1, ("Our card was charged twice for the annual Business plan on March 3rd (invoice INV-20931 "
                         "and INV-20932, $4,800 each). We only have one subscription. Please\u2026")),
        ("bot", 2, "You can view and download your invoices under Settings > Billing."),
        ("customer", 1, ("I know where the invoices are. That doesn't help. We were double charged and I want "
                         "the second $4,800 refunded.")),
        ("customer", 1, ("This is ridiculous. Can I please speak to a real person in your billing team? If this "
                         "isn't sorted by Friday our finance team will file a chargeback.")),
    ]
    bot = refund.timeline[1]
    assert bot.at == datetime(2026, 11, 20, 9, 12, 30, tzinfo=UTC)
    assert bot.last_at == datetime(2026, 11, 20, 9, 20, 20, tzinfo=UTC)
    assert all(len(t.text) <= 160 for t in refund.timeline)


def test_refund_what_was_tried(refund):
    tried = [(t.by, t.repeats, t.text) for t in refund.agent_tried]
    assert tried == [
        ("bot", 2, "You can view and download your invoices under Settings > Billing."),
        ("agent note", 1, "Checked Stripe: both charges are there."),
    ]
    assert refund.agent_note == "Checked Stripe: both charges are there.\nCustomer mentions a chargeback."


def test_refund_score_reasons_and_labels(refund):
    assert refund.level == "critical"
    assert refund.priority == "Highest"
    # A Business-plan customer at 57,600 ARR is mid-market, not high value (rules-10: ARR counts from 25,000).
    assert [c.name for c in refund.categories] == ["billing_refund", "human_requested"]
    assert refund.categories[0].label == "Billing / refund"
    assert len(refund.reasons) == 6
    assert refund.reasons[0].signal == "asks_for_human"
    assert refund.reasons[0].evidence == (
        'comment 5 (customer): "Can I please speak to a real person in your billing team?"')
    contributions = [r.contribution for r in refund.reasons]
    assert contributions == sorted(contributions, reverse=True)
    assert refund.labels == (
        "escalated-from-zendesk", "zendesk-48213", "billing_refund", "human_requested",
    )


def test_refund_route_and_similar(refund):
    assert refund.team.name == "Billing" and refund.team.jira_project == "BILL"
    assert refund.expert.name == "Maria Lopez" and refund.expert.slack_user_id == "U024BE7LH"
    assert refund.route_reasons == ("category billing_refund", "rule: refunds go to Billing")
    assert not refund.assigned_by_agent
    assert [s.id for s in refund.similar] == ["BILL-88", "47001", "46004", "46003", "46002"]
    assert refund.similar[0].url == "https://acme.atlassian.net/browse/BILL-88"


def test_template_data_is_plain_json(refund):
    data = refund.as_template_data()
    assert json.loads(json.dumps(data)) == data
    assert data["account"]["arr_display"] == "57,600"
    assert data["account"]["renewal_display"] == "2027-03-03 (in 101 days)"
    assert data["timeline"][1]["when"] == "2026-11-20 09:12 UTC"
    assert data["timeline"][1]["last_when"] == "2026-11-20 09:20 UTC"
    assert data["identifiers"][0] == {"value": "INV-20931", "kind": "invoice", "label": "invoice INV-20931"}
    assert data["expert"]["reasons"] == ["solved 14 similar refund tickets"]
    assert data["ticket_label"] == "Zendesk #48213"


def test_context_is_frozen(refund):
    with pytest.raises(AttributeError):
        refund.title = "changed"


# --- a bug report ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bug() -> EscalationContext:
    return context_for(ticket_from_mapping(BUG_TICKET), ticket_url=None)


def test_bug_title_and_problem(bug):
    assert bug.title == "Contoso: Export to PDF crashes with error 500"
    assert bug.problem == (
        "Since the 4.2 update, exporting any dashboard to PDF fails. The page then shows \"Export failed: "
        "renderer timed out\" and the network tab shows error 500 on POST /api/exports. Job 88213 was one of them."
    )
    assert bug.ticket_label == "Salesforce case 500Kx00000AbCdE"
    assert bug.ticket_url is None


def test_bug_steps(bug):
    assert bug.steps == (
        "Open a dashboard with more than 10 widgets",
        "Click Export > PDF",
        "Wait about 30 seconds",
        "Every time I export a dashboard with charts it breaks.",
    )


def test_bug_errors(bug):
    assert bug.error_messages == (
        "HTTP 500 Internal Server Error",
        "\u201cExport failed: renderer timed out\u201d",
        "2026-11-20T10:01:02Z ERROR renderer: TimeoutError: page.pdf exceeded 30000ms",
    )


def test_bug_identifiers(bug):
    assert bug.identifiers == (
        Identifier("88213", "job"),
        Identifier("3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f", "request"),
    )


def test_bug_what_the_agent_tried(bug):
    assert [(t.by, t.public, t.text) for t in bug.agent_tried] == [
        ("agent", True, ("I've cleared the export cache for your workspace and tried the export myself on "
                         "dashboard 4411: same result. Could you try again and send us the request id?")),
    ]


def test_bug_timeline_marks_internal_notes(bug):
    assert [(t.author, t.public) for t in bug.timeline] == [
        ("customer", True), ("agent", True), ("customer", True), ("agent", False),
    ]


def test_bug_priority_and_labels(bug):
    assert bug.priority == "Highest"
    assert bug.labels[:2] == ("escalated-from-salesforce", "salesforce-500kx00000abcde")


# --- a compliance question ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compliance() -> EscalationContext:
    return context_for(ticket_from_mapping(COMPLIANCE_TICKET))


def test_compliance_title_is_not_shouted(compliance):
    assert compliance.title == "Fabrikam: Security questionnaire before our SOC 2 audit"


def test_compliance_has_no_steps_errors_or_ids(compliance):
    assert compliance.steps == ()
    assert compliance.error_messages == ()
    assert compliance.identifiers == ()


def test_compliance_problem_and_single_timeline_entry(compliance):
    assert compliance.problem == (
        "Is your platform SOC 2 Type II certified? Our security team needs the report and a completed "
        "questionnaire before our renewal on 2027-01-31. Also, where is our data stored (EU or US)?"
    )
    assert len(compliance.timeline) == 1
    entry = compliance.timeline[0]
    assert entry.author == "customer"
    assert entry.at == datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    assert compliance.agent_tried == ()
    assert "compliance_security" in [c.name for c in compliance.categories]


def test_demo_gdpr_ticket():
    context = context_for(demo_tickets()["48216"])
    assert context.title == "Initech: GDPR erasure request for a former employee"
    assert "j.doe@initech.example" in context.problem
    assert context.redacted(Redactor(emails=True)).problem.count("[email]") == 1


def test_demo_outage_ticket():
    context = context_for(demo_tickets()["48215"])
    assert context.error_messages == ("HTTP 502 Bad Gateway",)
    assert context.identifiers == (Identifier("req_8f2a91c", "request"),)
    assert [t.text for t in context.agent_tried] == ["Could you send a request id from one of the failing calls?"]
    assert context.title == "Globex: API returning 502 for all requests since this morning's release"


# --- overrides, priority, redaction ------------------------------------------------------------------

def test_agent_choice_wins_over_route():
    expert = {"id": "ex_sam", "name": "Sam Lee", "email": "sam@acme.example", "slack_user_id": "U0SAM"}
    context = context_for(demo_refund(), route=ROUTE, requested_expert=expert)
    assert context.expert.name == "Sam Lee"
    assert context.team.name == "Billing"  # the route's team stays unless the agent picks one
    assert context.assigned_by_agent
    assert context.route_reasons == ("chosen by the escalating agent",)

    team = {"id": "tm_fin", "name": "Finance", "slack_channel": "#finance", "jira_project": "FIN"}
    context = context_for(demo_refund(), route=ROUTE, requested_team=team)
    assert context.team.name == "Finance"
    assert context.expert is None  # the route's expert belongs to another team


def test_no_route_means_no_team():
    context = context_for(demo_refund(), route={"team": None, "expert": None, "reasons": ["no team configured"]})
    assert context.team is None and context.expert is None
    assert context.route_reasons == ("no team configured",)


@pytest.mark.parametrize(
    ("score", "tier", "expected"),
    [
        (0.95, None, "Highest"),
        (0.85, "starter", "Highest"),
        (0.7, None, "High"),
        (0.7, "enterprise", "Highest"),
        (0.7, "Enterprise", "Highest"),
        (0.5, None, "Medium"),
        (0.5, "strategic", "High"),
        (0.2, None, "Low"),
        (0.2, "vip", "Medium"),
        (0.99, "enterprise", "Highest"),
        (0.0, "business", "Low"),
    ],
)
def test_default_priority(score, tier, expected):
    assert jira_priority(score, tier) == expected


def test_priority_mapping_override():
    mapping = {"Highest": 0.95, "High": 0.8, "Medium": 0.5, "tier_bumps": {"business": 1, "enterprise": 2}}
    assert jira_priority(0.9, None, mapping) == "High"
    assert jira_priority(0.9, "business", mapping) == "Highest"
    assert jira_priority(0.55, "enterprise", mapping) == "Highest"
    assert jira_priority(0.3, "trial", mapping) == "Low"
    assert jira_priority(0.96, "enterprise", {"tier_bumps": {}}) == "Highest"
    assert jira_priority(0.7, "enterprise", {"tier_bumps": {}}) == "High"


@pytest.mark.parametrize(
    "mapping",
    [{"Highest": 0.5, "High": 0.7}, {"High": "lots"}, {"Urgent": 0.9}, {"Medium": 1.5}, {"tier_bumps": ["x"]},
     {"tier_bumps": {"enterprise": "one"}}],
)
def test_bad_priority_mapping(mapping):
    with pytest.raises(ValueError):
        jira_priority(0.7, "enterprise", mapping)


def test_priority_mapping_passes_through_the_builder():
    context = context_for(demo_refund(), priority_mapping={"Highest": 1.0, "High": 1.0, "Medium": 1.0,
                                                           "tier_bumps": {}})
    assert context.priority == "Low"


def test_redacted_masks_free_text_and_keeps_names():
    ticket = ticket_from_mapping({
        "id": "9", "source": "zendesk", "subject": "Card 4242 4242 4242 4242 charged twice",
        "description": "My card 4242 4242 4242 4242 was charged twice. Call me on +44 20 7946 0958.",
        "comments": [
            {"author": "customer",
             "body": "My card 4242 4242 4242 4242 was charged twice. Call me on +44 20 7946 0958.",
             "created_at": "2026-11-20T09:00:00Z"},
            {"author": "agent", "body": "I checked card 4242 4242 4242 4242 in Stripe.", "public": False,
             "created_at": "2026-11-20T09:10:00Z"},
        ],
        "requester": {"name": "Dana Whitfield", "email": "dana@northwind.example"},
        "organization": {"name": "Northwind Traders"},
    })
    similar = [{"id": "1", "title": "Refund for card 4111 1111 1111 1111", "score": 0.5}]
    context = context_for(ticket, similar=similar,
                          agent_note="Card 4242424242424242, reach her at dana@northwind.example")
    masked = context.redacted(Redactor(emails=True, phones=True))
    texts = [masked.title, masked.problem, masked.agent_note, *masked.steps, *masked.error_messages,
             *(t.text for t in masked.timeline), *(t.text for t in masked.agent_tried),
             *(r.evidence for r in masked.reasons), *(s.title for s in masked.similar),
             *(i.value for i in masked.identifiers)]
    joined = "\n".join(texts)
    assert "4242 4242" not in joined and "4242424242424242" not in joined
    assert "7946" not in joined and "dana@northwind.example" not in joined
    assert "[card ending 4242]" in masked.title
    assert masked.similar[0].title == "Refund for card [card ending 1111]"
    assert masked.customer.name == "Dana Whitfield"
    assert masked.customer.email == "[email]"
    assert masked.account.name == "Northwind Traders"
    # Cards only (the default): the email stays for the expert to reach the customer.
    assert context.redacted(Redactor()).customer.email == "dana@northwind.example"
    assert context.problem.startswith("My card 4242 4242 4242 4242")  # the original is untouched


# --- the extractors on their own ---------------------------------------------------------------------

def test_bullets_count_as_steps_only_under_a_steps_line():
    assert extract_steps(["What we need:\n- a refund\n- an apology"]) == ()
    assert extract_steps(["How to reproduce:\n- open Settings\n- click Save"]) == ("Open Settings", "Click Save")
    assert extract_steps(["Repro: open the app; tap Sync; then watch it spin"]) == (
        "Open the app", "Tap Sync", "Watch it spin")


def test_when_sentences_are_steps_but_questions_and_conditions_are_not():
    texts = [("The app freezes when I upload a file larger than 2 GB. What happens when I cancel? "
              "If this isn't fixed we will leave.")]
    assert extract_steps(texts, sentence_sources=texts) == ("The app freezes when I upload a file larger than 2 GB.",)


def test_a_single_numbered_line_is_not_a_list():
    assert extract_steps(["1. We need this fixed today."]) == ()


def test_http_statuses_need_a_cue():
    assert extract_errors(["We have 500 users and 404 seats; the bill was $500."]) == ()
    assert extract_errors(["Getting a 429 Too Many Requests, then 503 errors"]) == (
        "HTTP 429 Too Many Requests", "HTTP 503 Service Unavailable")
    assert extract_errors(["It returns 404."]) == ("HTTP 404 Not Found",)


def test_exceptions_quotes_and_logs():
    assert extract_errors(["The sync throws java.lang.NullPointerException: user is null in the worker."]) == (
        "java.lang.NullPointerException: user is null in the worker.",)
    assert extract_errors(["The popup says 'Your session has expired' every minute."]) == (
        "\u201cYour session has expired\u201d",)
    assert extract_errors(["I want a \"real\" person."]) == ()
    assert extract_errors(
        ["Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nKeyError: 'id'"]) == (
        "Traceback (most recent call last):", "File \"app.py\", line 3, in <module>", "KeyError: 'id'")


def test_identifier_shapes():
    found = extract_identifiers([(
        "Order #A-1234, order 1234567, PO-7781, case 00123456, ch_3MmlLrLkdIwHu7ix and "
        "ENG-2211. Trace id 0b9d3c1e-aaaa-4bbb-8ccc-123456789abc. Not ids: SHA-256, ISO-8601, 2026-11-20, "
        "v2.3.1, $4,800, order 2026, sk_live_4eC39HqLyjWDarjtT1zdp7dc."
    )])
    assert found == (
        Identifier("A-1234", "order"),
        Identifier("1234567", "order"),
        Identifier("PO-7781", "purchase order"),
        Identifier("00123456", "case"),
        Identifier("ch_3MmlLrLkdIwHu7ix", "charge"),
        Identifier("ENG-2211", None),
        Identifier("0b9d3c1e-aaaa-4bbb-8ccc-123456789abc", "trace"),
    )


def test_title_cleaning():
    def title(subject, org="Acme"):
        return summary_title(ticket_from_mapping({"id": "1", "subject": subject, "description": "Hello. API down.",
                                                  "organization": {"name": org} if org else None}))

    assert title("Re: Fwd: [EXTERNAL] URGENT!!! Invoices missing!!!") == "Acme: Invoices missing"
    assert title("Acme cannot log in") == "Acme cannot log in"
    assert title("", org=None) == "API down"
    assert title("x" * 300).endswith("\u2026") and len(title("x " * 150)) <= 120


def test_near_identical_consecutive_replies_fold_and_different_ones_do_not():
    canned = "Please try clearing your cache and cookies, then log in again."
    comments = (
        Comment("customer", "I can't log in."),
        Comment("bot", canned),
        Comment("bot", canned.replace("Please", "Kindly")),
        Comment("customer", "Still can't."),
        Comment("agent", "Which browser are you using?"),
        Comment("agent", "Could you send a screenshot of the error?"),
        Comment("agent", "Internal: checking SSO logs.", public=False),
    )
    ticket = Ticket(id="1", source="zendesk", comments=comments)
    timeline = build_timeline(ticket)
    assert [(t.author, t.repeats) for t in timeline] == [
        ("customer", 1), ("bot", 2), ("customer", 1), ("agent", 1), ("agent", 1), ("agent", 1),
    ]
    tried = what_was_tried(comments, None)
    assert [(t.by, t.repeats) for t in tried] == [("bot", 2), ("agent", 1)]


def test_a_bot_reply_the_customer_did_not_answer_is_not_counted_as_failed():
    comments = (Comment("customer", "How do I export?"), Comment("bot", "Open the report, choose Export."))
    assert what_was_tried(comments, None) == ()


def test_long_conversations_keep_the_start_and_the_end():
    comments = tuple(Comment("customer" if i % 2 else "agent", f"Message number {i} about topic {i * 7}")
                     for i in range(60))
    timeline = build_timeline(Ticket(id="1", source="zendesk", comments=comments))
    assert len(timeline) == 30
    assert timeline[5].author == "system" and timeline[5].text == "31 more messages not shown"
    assert timeline[-1].text == "Message number 59 about topic 413"


def test_quoted_mail_and_signatures_are_dropped_from_the_problem():
    ticket = ticket_from_mapping({
        "id": "2", "description": "Hi Support,\nThe import of 3 files failed twice today.\n\nBest regards,\nLee\n"
                                  "On Mon, 3 Jun 2024 at 10:00, Acme <support@acme.example> wrote:\n> old text",
    })
    assert context_for(ticket).problem == "The import of 3 files failed twice today."


def test_the_reasons_keep_a_whole_ticket_reading_and_leave_out_what_lowered_the_score():
    from sidecar.intelligence.escalation_context.building import _reasons

    reasons = _reasons([
        {"name": "no_rush", "contribution": -0.4, "evidence": 'description: "no rush"'},
        {"name": "whole_ticket_reading", "contribution": 0.0, "category": "bug_incident",
         "evidence": 'description: "the link shows closed to everyone" (the whole ticket reads as bug incident)'},
        {"name": "outage", "contribution": 1.2, "category": "bug_incident", "evidence": 'subject: "down"'},
    ])
    assert [(r.signal, r.label) for r in reasons] == [("outage", "Outage"),
                                                      ("whole_ticket_reading", "Whole ticket reading")]
