"""The extractive rolling summary on realistic escalation timelines, and the pure halves of the LLM summary."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sidecar.intelligence.escalation_context import (
    EscalationContext,
    build_escalation_context,
)
from sidecar.intelligence.summary import (
    FINDING_MAX,
    RollingSummary,
    llm_prompt,
    parse_llm_summary,
    sentence_score,
    slack_to_plain,
    statement_kinds,
    summarise_escalation,
)
from sidecar.intelligence.ticket import ticket_from_mapping

DEMO = Path(__file__).resolve().parents[2] / "sidecar" / "demo"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

REFUND_ASSESSMENT = {
    "score": 0.97, "level": "critical",
    "categories": [{"name": "billing_refund", "confidence": 0.99}],
    "signals": [{"name": "refund_request", "contribution": 2.1, "category": "billing_refund",
                 "evidence": 'subject: "Charged twice for our annual plan - need a refund"'}],
}
REFUND_ROUTE = {
    "team": {"id": "tm_billing", "name": "Billing", "jira_project": "BILL"},
    "expert": {"id": "ex_maria", "name": "Maria Lopez", "slack_user_id": "U024BE7LH"},
    "reasons": ["billing_refund category"],
}
BUG_TICKET = {
    "id": "500Kx00000AbCdE", "source": "salesforce", "subject": "Export to PDF crashes with error 500",
    "description": "Since the 4.2 update, exporting any dashboard to PDF fails with \"Export failed: renderer timed "
                   "out\". Job 88213 was one of them.",
    "organization": {"name": "Contoso", "tier": "enterprise", "arr": 250000},
    "requester": {"name": "Kai Nakamura", "email": "kai@contoso.example"},
}
BUG_ROUTE = {"team": {"id": "tm_reporting", "name": "Reporting", "jira_project": "ENG"},
             "expert": {"id": "ex_priya", "name": "Priya Shah"}}


def context_for(row: dict[str, Any], route: dict[str, Any]) -> EscalationContext:
    return build_escalation_context(
        ticket=ticket_from_mapping(row), assessment=REFUND_ASSESSMENT, route=route, similar=[], agent_note=None,
        ticket_url=f"https://acme.zendesk.com/agent/tickets/{row['id']}", escalation_id="esc_123", now=NOW,
    )


@pytest.fixture(scope="module")
def refund() -> EscalationContext:
    return context_for(json.loads((DEMO / "refund_ticket.json").read_text())["ticket"], REFUND_ROUTE)


@pytest.fixture(scope="module")
def bug() -> EscalationContext:
    return context_for(BUG_TICKET, BUG_ROUTE)


def event(at: str, system: str, kind: str, actor: str | None = None, text: str = "", **data: Any) -> dict[str, Any]:
    return {"at": at, "system": system, "kind": kind, "actor": actor, "text": text, "data": data}


def summarise(context: EscalationContext, timeline: list[dict[str, Any]], *, status: str = "delivered",
              jira_status: str | None = "In Progress", owner: str | None = None,
              acknowledged_by: str | None = None) -> RollingSummary:
    return summarise_escalation(context=context, timeline=timeline, status=status, jira_status=jira_status,
                                owner=owner, acknowledged_by=acknowledged_by)


# --- a bug investigation: root cause found, workaround, fix planned, fix deployed ---------------------

BUG_TIMELINE = [
    event("2026-11-20T10:00:00Z", "sidecar", "escalated", "Sam Carter", "Escalated to ENG-12"),
    event("2026-11-20T10:04:00Z", "slack", "acknowledged", "Priya Shah"),
    event("2026-11-20T10:05:00Z", "slack", "comment", "Priya Shah", "Thanks <@U0SAM>! Looking into it now :eyes:"),
    event("2026-11-20T10:30:00Z", "jira", "status_changed", "Priya Shah", **{"from": "To Do", "to": "In Progress"}),
    event("2026-11-20T11:40:00Z", "jira", "comment", "Priya Shah",
          "Reproduced on staging with a dashboard of 12 widgets: the export job times out after 30 s. Root cause: "
          "since 4.2 the PDF renderer opens one headless browser per widget and runs out of workers in the pool "
          "(max 8)."),
    event("2026-11-20T11:45:00Z", "slack", "comment", "Sam Carter", "Great, thanks Priya!"),
    event("2026-11-20T12:10:00Z", "jira", "comment", "Priya Shah",
          "Workaround for the customer in the meantime: export the dashboard in two halves (max 8 widgets each) or "
          "use the CSV export."),
    event("2026-11-20T16:00:00Z", "jira", "comment", "Priya Shah",
          "Fix is in PR #4521 (render widgets sequentially in one browser), will be deployed tonight with 4.2.3."),
    event("2026-11-21T08:15:00Z", "jira", "comment", "Priya Shah",
          "Hi all, the fix was deployed to production in 4.2.3 at 07:50 UTC. Export of job 88213 now finishes in "
          "14 s."),
]


def test_bug_investigation_with_fix_deployed(bug):
    summary = summarise(bug, BUG_TIMELINE, acknowledged_by="Priya Shah")

    assert summary.findings == (
        "The fix was deployed to production in 4.2.3 at 07:50 UTC. Export of job 88213 now finishes in 14 s.",
        "Fix is in PR #4521 (render widgets sequentially in one browser), will be deployed tonight with 4.2.3.",
        ("Root cause: since 4.2 the PDF renderer opens one headless browser per widget and runs out of workers in "
        "the pool (max 8)."),
    )
    assert summary.status == "Fix in place, to be confirmed (Jira: In Progress)"
    assert summary.next_step == ("Fix in place: tell the customer and check it works for them, then resolve the "
                                 "Jira issue.")
    assert summary.owner == "Priya Shah"
    assert summary.source == "extractive"
    assert summary.text == "\n".join([
        ("Problem: Since the 4.2 update, exporting any dashboard to PDF fails with \"Export failed: renderer timed "
        "out\". Job 88213 was one of them."),
        "Status: Fix in place, to be confirmed (Jira: In Progress); owner: Priya Shah",
        *(f"Finding: {f}" for f in summary.findings),
        "Next step: Fix in place: tell the customer and check it works for them, then resolve the Jira issue.",
    ])


def test_bug_investigation_step_by_step(bug):
    # Before anyone acknowledged: waiting, nothing found.
    waiting = summarise(bug, BUG_TIMELINE[:1], jira_status="To Do")
    assert waiting.findings == ()
    assert waiting.status == "Waiting for acknowledgement (Jira: To Do)"
    assert waiting.next_step == "Waiting for Priya Shah to acknowledge in Slack; keep the customer informed."
    assert "Findings: nothing reported yet" in waiting.text.splitlines()

    # Acknowledged and "looking into it": investigating, and the progress line is all there is to show.
    looking = summarise(bug, BUG_TIMELINE[:4], acknowledged_by="Priya Shah")
    assert looking.findings == ("Looking into it now :eyes:",)
    assert looking.next_step == "Priya Shah is investigating: keep the customer updated."

    # A root cause replaces "looking into it"; the agent's thanks never shows up.
    cause = summarise(bug, BUG_TIMELINE[:6], acknowledged_by="Priya Shah")
    assert len(cause.findings) == 1 and cause.findings[0].startswith("Root cause: since 4.2 the PDF renderer")
    assert cause.status == "Investigating (Jira: In Progress)"

    workaround = summarise(bug, BUG_TIMELINE[:7], acknowledged_by="Priya Shah")
    assert workaround.findings[0].startswith("Workaround for the customer in the meantime")
    assert workaround.next_step == "Share the workaround with the customer while Priya Shah works on a fix."

    planned = summarise(bug, BUG_TIMELINE[:8], acknowledged_by="Priya Shah")
    assert planned.findings[0].startswith("Fix is in PR #4521")
    assert planned.next_step.startswith("Fix on the way: tell the customer the expected timing")


def test_bug_resolved_and_then_the_customer_writes_again(bug):
    resolved_events = [*BUG_TIMELINE,
                       event("2026-11-21T09:00:00Z", "jira", "status_changed", "Priya Shah",
                             **{"from": "In Progress", "to": "Done", "category": "done"}),
                       event("2026-11-21T09:00:01Z", "jira", "resolved", "Priya Shah", resolution="Fixed")]
    resolved = summarise(bug, resolved_events, status="resolved", jira_status="Done")
    assert resolved.status == "Resolved (Jira: Done)"
    assert resolved.next_step == "Resolved: review the drafted reply, then send it to the customer."

    # Jira says Done (status category done) before the sidecar marked it resolved: still resolved.
    assert summarise(bug, resolved_events[:-1], jira_status="Done").status == "Resolved (Jira: Done)"

    again = summarise(bug, [*resolved_events, event("2026-11-21T10:00:00Z", "salesforce", "customer_comment",
                                                   "Kai Nakamura", "Still failing for our big dashboard!")],
                      status="resolved", jira_status="Done")
    assert again.status == "Resolved; the customer wrote again (Jira: Done)"
    assert again.next_step.startswith("The customer wrote after the resolution: check the fix worked")

    reopened = summarise(bug, [*resolved_events, event("2026-11-21T11:00:00Z", "jira", "reopened", "Priya Shah")],
                         jira_status="Reopened")
    assert reopened.status == "Reopened (Jira: Reopened)"
    assert reopened.next_step.startswith("Reopened: Priya Shah to look again")


# --- a billing refund approved --------------------------------------------------------------------------

REFUND_TIMELINE = [
    event("2026-11-22T12:00:00Z", "sidecar", "escalated", "Sam Carter"),
    event("2026-11-22T12:20:00Z", "slack", "comment", "Maria Lopez", "On it, checking Stripe now."),
    event("2026-11-22T12:50:00Z", "slack", "comment", "Maria Lopez",
          "Confirmed: the card was charged twice because the renewal job retried after a gateway timeout although "
          "the first charge (INV-20931) had gone through."),
    event("2026-11-22T12:55:00Z", "slack", "comment", "Sam Carter", "Thank you so much, Maria!"),
    event("2026-11-22T13:05:00Z", "jira", "comment", "Maria Lopez",
          "Refund of $4,800 for INV-20932 approved and issued to the original card. It takes 5-10 business days to "
          "show on the statement."),
]


def test_billing_refund_approved(refund):
    summary = summarise(refund, REFUND_TIMELINE)
    assert summary.findings == (
        ("Refund of $4,800 for INV-20932 approved and issued to the original card. It takes 5-10 business days to "
        "show on the statement."),
        ("Confirmed: the card was charged twice because the renewal job retried after a gateway timeout although the "
        "first charge (INV-20931) had gone through."),
    )
    assert summary.owner == "Maria Lopez"  # the routed expert, as nobody else took it over
    assert summary.next_step.startswith("Fix in place: tell the customer")
    assert summary.problem == ("Our card was charged twice for the annual Business plan on March 3rd (invoice "
                               "INV-20931 and INV-20932, $4,800 each). We only have one subscription.")


def test_billing_refund_where_the_expert_needs_information(refund):
    timeline = [*REFUND_TIMELINE[:2], event(
        "2026-11-22T12:40:00Z", "jira", "comment", "Maria Lopez",
        "I only see one charge on the card ending 4242. Can you ask the customer for the last four digits of the "
        "card that was charged twice?")]
    summary = summarise(refund, timeline, owner="Maria Lopez")
    assert summary.status == "Expert needs information (Jira: In Progress)"
    assert summary.next_step.startswith("Maria Lopez needs more information: ask the customer (\u201cCan you ask the "
                                        "customer for the last four digits")

    # Once the customer answered, replying and making sure the expert saw it comes first.
    answered = summarise(refund, [*timeline, event("2026-11-22T13:00:00Z", "zendesk", "customer_comment",
                                                   "Dana Whitfield", "It's the Visa ending 1881.")],
                         owner="Maria Lopez")
    assert answered.next_step == ("The customer wrote again: reply to them, and make sure Maria Lopez has seen their "
                                  "message.")


def test_reassignment_changes_the_owner_and_waits_for_the_new_acknowledgement(refund):
    timeline = [REFUND_TIMELINE[0],
                event("2026-11-22T12:30:00Z", "sidecar", "ack_timeout", None, "Not acknowledged in 30 min"),
                event("2026-11-22T12:31:00Z", "sidecar", "reassigned", None, to={"name": "Ana Ruiz"})]
    summary = summarise(refund, timeline, jira_status="To Do")
    assert summary.owner == "Ana Ruiz"
    assert summary.next_step == "Waiting for Ana Ruiz to acknowledge in Slack; keep the customer informed."
    overdue = summarise(refund, timeline[:2], jira_status="To Do")
    assert overdue.status == "Not acknowledged in time (Jira: To Do)"
    assert overdue.next_step.startswith("Nobody has acknowledged yet: ping the Billing team or reassign")


# --- a thread with only pleasantries --------------------------------------------------------------------

def test_only_pleasantries_give_no_findings(refund):
    timeline = [
        event("2026-11-22T12:00:00Z", "sidecar", "escalated", "Sam Carter"),
        event("2026-11-22T12:20:00Z", "slack", "comment", "Maria Lopez", "Hi Sam! Thanks for the heads up :wave:"),
        event("2026-11-22T12:21:00Z", "slack", "comment", "Sam Carter", "Thank you so much Maria, much appreciated!"),
        event("2026-11-22T12:26:00Z", "jira", "comment", "Maria Lopez", "Thanks!"),
        event("2026-11-22T12:27:00Z", "slack", "comment", "Maria Lopez", "Sounds good &amp; have a great day :+1:"),
    ]
    summary = summarise(refund, timeline, jira_status="To Do", acknowledged_by="Maria Lopez")
    assert summary.findings == ()
    assert summary.status == "Investigating (Jira: To Do)"
    assert summary.text.splitlines()[2] == "Findings: nothing reported yet"
    assert len(summary.text.splitlines()) == 4

    # "Looking into it" counts only when nothing else was said, and then only the latest one.
    timeline.append(event("2026-11-22T12:30:00Z", "slack", "comment", "Maria Lopez",
                          "Sure, I'm looking into it and will update here."))
    assert summarise(refund, timeline, acknowledged_by="Maria Lopez").findings == (
        "I'm looking into it and will update here.",)


# --- general behaviour ----------------------------------------------------------------------------------

def test_findings_are_at_most_three_short_and_newest_first(bug):
    long_words = " ".join(["the worker pool"] * 40)
    timeline = [event(f"2026-11-20T1{i}:00:00Z", "jira", "comment", "Priya Shah",
                      f"Root cause {i}: request {1000 + i} timed out because {long_words}.") for i in range(6)]
    summary = summarise(bug, timeline)
    assert len(summary.findings) == 3
    assert all(len(f) <= FINDING_MAX for f in summary.findings)
    assert [f.split(":")[0] for f in summary.findings] == ["Root cause 5", "Root cause 4", "Root cause 3"]
    assert 4 <= len(summary.text.splitlines()) <= 6


def test_customer_and_sidecar_text_never_become_findings(bug):
    timeline = [
        event("2026-11-20T10:00:00Z", "salesforce", "customer_comment", "Kai Nakamura",
              "The root cause is obviously your 4.2 release, fix it by Friday!"),
        event("2026-11-20T10:05:00Z", "sidecar", "summary", None, "Finding: root cause found in 4.2.1"),
        event("2026-11-20T10:10:00Z", "jira", "comment", "Priya Shah",
              "> The root cause is obviously your 4.2 release\n[sidecar:esc_123:evt_1]\nChecked the logs: 17 exports "
              "failed since 09:00 UTC, all on dashboards with more than 8 widgets."),
    ]
    assert summarise(bug, timeline).findings == (
        "Checked the logs: 17 exports failed since 09:00 UTC, all on dashboards with more than 8 widgets.",)


def test_events_out_of_order_are_sorted_by_time(bug):
    shuffled = list(reversed(BUG_TIMELINE))
    assert summarise(bug, shuffled).findings == summarise(bug, BUG_TIMELINE).findings


def test_pending_and_failed_deliveries(bug):
    assert summarise(bug, [], status="pending", jira_status=None).next_step.startswith(
        "Wait for the Jira issue and the Slack message")
    failed = summarise(bug, [], status="failed", jira_status=None)
    assert failed.status == "Delivery to Jira or Slack failed"
    assert failed.next_step.startswith("Delivery failed: check the escalation's steps")


def test_odd_events_do_not_break_the_summary(bug):
    timeline = [None, {"kind": "comment"}, {"at": "not a time", "system": "jira", "kind": "comment", "text": None,
                                            "data": "oops"}, "text"]
    summary = summarise(bug, timeline)  # type: ignore[arg-type]
    assert summary.findings == ()


@pytest.mark.parametrize(("sentence", "kinds"), [
    ("Root cause: the cron job ran twice after the DST change.", {"cause"}),
    ("The fix was deployed at 14:00 UTC.", {"fix_done", "eta"}),
    ("The fix hasn't been deployed yet.", {"fix_planned"}),
    ("We will deploy the fix tomorrow.", {"fix_planned", "eta"}),
    ("Deployed the fix, not seeing errors anymore.", {"fix_done"}),
    ("As a workaround they can use the CSV export.", {"workaround"}),
    ("Refund approved by finance.", {"decision", "fix_planned"}),
    ("Can you ask the customer which browser they use?", {"request"}),
    ("Sounds good, thanks!", set()),
])
def test_statement_kinds(sentence, kinds):
    assert statement_kinds(sentence) == frozenset(kinds)


def test_sentence_scores_rank_information_over_chatter():
    assert sentence_score("Thanks Priya!") == 0
    assert 0 < sentence_score("Looking into it.") < 2
    assert sentence_score("Error rate dropped from 12% to 0.1% after the rollback of v4.2.2.") >= 4


def test_slack_markup_is_decoded():
    assert slack_to_plain("<@U024BE7LH> see <https://status.example.com|the status page> &amp; <!here>") == (
        "@U024BE7LH see the status page (https://status.example.com) & @here")


# --- the LLM prompt and its answer ----------------------------------------------------------------------

def test_llm_prompt_asks_for_the_five_fields_and_masks_emails_and_cards(refund):
    timeline = [*REFUND_TIMELINE, event("2026-11-22T13:10:00Z", "zendesk", "customer_comment",
                                        "dana@northwind.example",
                                        "Card 4242 4242 4242 4242, reach me at dana@northwind.example")]
    messages = llm_prompt(refund, timeline, "delivered", "In Progress", "Maria Lopez")
    assert [m["role"] for m in messages] == ["system", "user"]
    system, user = messages[0]["content"], messages[1]["content"]
    assert "JSON" in system
    for key in ('"problem"', '"findings"', '"status"', '"next_step"', '"owner"'):
        assert key in system
    assert "Ticket: Zendesk #48213" in user
    assert "Jira status: In Progress" in user and "Owner: Maria Lopez" in user
    assert "2026-11-22 13:05 UTC jira comment by Maria Lopez: Refund of $4,800 for INV-20932 approved" in user
    assert "4242 4242 4242 4242" not in user and "[card ending 4242]" in user
    assert "@northwind.example" not in user and "[email]" in user


@pytest.mark.parametrize("wrapper", [
    "{}",
    "```json\n{}\n```",
    "```\n{}\n```",
    "Here is the summary:\n{}\nLet me know if you need more.",
])
def test_parse_llm_summary_accepts_json_with_or_without_fences(wrapper):
    answer = json.dumps({
        "problem": "Customer was charged twice for the annual plan.",
        "findings": ["Refund of the duplicate charge approved.", "Cause: retry after a gateway timeout.",
                     "Third.", "A fourth one is dropped."],
        "status": "Resolved (Jira: Done)",
        "next_step": "Send the drafted reply.",
        "owner": "Maria Lopez",
    })
    summary = parse_llm_summary(wrapper.replace("{}", answer))
    assert summary.source == "llm"
    assert summary.findings == ("Refund of the duplicate charge approved.", "Cause: retry after a gateway timeout.",
                                "Third.")
    assert summary.owner == "Maria Lopez"
    assert summary.text.splitlines()[0] == "Problem: Customer was charged twice for the annual plan."
    assert summary.text.splitlines()[-1] == "Next step: Send the drafted reply."


def test_parse_llm_summary_tolerates_null_owner_and_no_findings():
    summary = parse_llm_summary('{"problem": "p", "findings": null, "status": "s", "next_step": "n", "owner": null}')
    assert (summary.findings, summary.owner) == ((), None)


@pytest.mark.parametrize("answer", [
    "",
    "I'm sorry, I can't help with that.",
    "```json\n{\"problem\": \"p\", \n```",
    "[1, 2, 3]",
    '{"problem": "p", "status": "s"}',
    '{"problem": "p", "findings": [1, 2], "status": "s", "next_step": "n"}',
    '{"problem": {"x": 1}, "findings": [], "status": "s", "next_step": "n"}',
    '{"problem": "   ", "findings": [], "status": "s", "next_step": "n"}',
])
def test_parse_llm_summary_rejects_garbage(answer):
    with pytest.raises(ValueError):
        parse_llm_summary(answer)


def test_compose_cuts_every_part_to_one_short_line():
    summary = RollingSummary.compose(problem="a\nb " * 200, findings=["x " * 300, "", "y"], status="s\n",
                                     next_step="n", owner=None, source="extractive")
    assert len(summary.problem) <= 200 and "\n" not in summary.problem
    assert len(summary.findings) == 2 and len(summary.findings[0]) <= FINDING_MAX
    assert summary.text.splitlines()[1] == "Status: s"
    assert summary.as_dict()["findings"] == list(summary.findings)
    with pytest.raises(ValueError):
        RollingSummary.compose(problem="p", findings=[], status="s", next_step="n", owner=None, source="guess")
