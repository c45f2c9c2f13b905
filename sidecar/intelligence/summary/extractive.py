"""The extractive rolling summary: findings, owner, status and the agent's next step from the timeline."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sidecar.intelligence.escalation_context import EscalationContext
from sidecar.intelligence.summary.events import (
    CUSTOMER_KINDS,
    last_index,
    ordered_events,
)
from sidecar.intelligence.summary.findings import (
    Candidate,
    find_candidates,
    pick_findings,
)
from sidecar.intelligence.summary.patterns import (
    FINDING_THRESHOLD,
    REQUEST,
    clean_statement,
)
from sidecar.intelligence.summary.rolling import RollingSummary
from sidecar.intelligence.text.clean import collapse, truncate
from sidecar.intelligence.text.sentences import sentences

SHORT_PROBLEM_MAX = 160  # the extractive summary's problem line: whole sentences where they fit
REQUEST_QUOTE_MAX = 110


def summarise_escalation(
    *,
    context: EscalationContext,
    timeline: Sequence[Mapping[str, Any]],
    status: str,
    jira_status: str | None,
    owner: str | None,
    acknowledged_by: str | None,
) -> RollingSummary:
    """The extractive rolling summary of an escalation from its context and timeline events."""
    events = ordered_events(timeline)
    candidates = find_candidates(events)
    findings = pick_findings(candidates)
    owner_name = _owner(events, owner, acknowledged_by, context)
    phase, next_step = _next_step(events, candidates, status=status, jira_status=jira_status, owner=owner_name,
                                  acknowledged_by=acknowledged_by, team=context.team.name if context.team else None)
    return RollingSummary.compose(
        problem=_short_problem(context.problem or context.title),
        findings=findings,
        status=_status_line(phase, jira_status),
        next_step=next_step,
        owner=owner_name,
        source="extractive",
    )


_DONE_STATUS = re.compile(
    r"^(?:done|closed|resolved|fixed|complete(?:d)?|released|shipped|deployed|verified|cancell?ed|"
    r"won'?t\s+(?:do|fix)|rejected|declined|duplicate)$",
    re.IGNORECASE,
)
_PHASE_LABELS = {
    "pending": "Being delivered to Jira and Slack",
    "failed": "Delivery to Jira or Slack failed",
    "resolved": "Resolved",
    "resolved_customer_replied": "Resolved; the customer wrote again",
    "reopened": "Reopened",
    "customer_replied": "Customer wrote again",
    "fix_in_place": "Fix in place, to be confirmed",
    "needs_info": "Expert needs information",
    "workaround": "Workaround available",
    "fix_on_the_way": "Fix on the way",
    "awaiting_ack": "Waiting for acknowledgement",
    "ack_overdue": "Not acknowledged in time",
    "investigating": "Investigating",
}


def _owner(events: Sequence[Mapping[str, Any]], owner: str | None, acknowledged_by: str | None,
           context: EscalationContext) -> str | None:
    if owner and owner.strip():
        return owner.strip()
    reassigned = last_index(events, {"reassigned"})
    if reassigned >= 0:
        to = events[reassigned]["data"].get("to")
        name = to.get("name") if isinstance(to, Mapping) else to
        if name:
            return str(name)
    if acknowledged_by:
        return acknowledged_by
    if context.expert:
        return context.expert.name
    if context.team:
        return f"{context.team.name} team"
    return None


def _jira_done(events: Sequence[Mapping[str, Any]], jira_status: str | None) -> bool:
    if not jira_status:
        return False
    change = last_index(events, {"status_changed"}, systems={"jira"})
    if change >= 0:
        data = events[change]["data"]
        if str(data.get("to") or "").strip().lower() == jira_status.strip().lower() and data.get("category"):
            return str(data["category"]).lower() == "done"
    return bool(_DONE_STATUS.match(jira_status.strip()))


def _next_step(
    events: Sequence[Mapping[str, Any]],
    candidates: Sequence[Candidate],
    *,
    status: str,
    jira_status: str | None,
    owner: str | None,
    acknowledged_by: str | None,
    team: str | None,
) -> tuple[str, str]:
    """(phase, what the agent should do next) from the status and the order of the latest events."""
    who = owner or "the expert"
    status = (status or "").strip().lower()
    if status == "failed":
        return "failed", "Delivery failed: check the escalation's steps in the sidecar and retry them."
    resolved = _resolved_step(events, status=status, jira_status=jira_status)
    if resolved is not None:
        return resolved
    last_reopened = last_index(events, {"reopened"})
    last_expert = max((c.index for c in candidates), default=-1)
    if status == "pending" and last_expert < 0:
        return "pending", "Wait for the Jira issue and the Slack message to be created; nothing to do yet."
    if last_reopened >= 0 and last_expert < last_reopened:
        return "reopened", (f"Reopened: {who} to look again; tell the customer the problem is being "
                            "investigated again.")
    if last_index(events, CUSTOMER_KINDS) > max(last_expert, last_index(events, {"escalated"})):
        return "customer_replied", (f"The customer wrote again: reply to them, and make sure {who} has seen "
                                    "their message.")
    informative = [c for c in candidates if c.score >= FINDING_THRESHOLD]
    if informative and informative[-1].index > last_reopened:
        step = _finding_step(informative[-1], who)
        if step is not None:
            return step
    acknowledged = bool(acknowledged_by) or last_index(events, {"acknowledged"}) > last_index(events, {"reassigned"})
    if not acknowledged and last_expert < 0:
        if last_index(events, {"ack_timeout"}) > last_index(events, {"reassigned"}):
            target = f"the {team} team" if team else "the team"
            return "ack_overdue", (f"Nobody has acknowledged yet: ping {target} or reassign the escalation; "
                                   "keep the customer informed.")
        return "awaiting_ack", f"Waiting for {who} to acknowledge in Slack; keep the customer informed."
    return "investigating", f"{who} is investigating: keep the customer updated."


def _resolved_step(events: Sequence[Mapping[str, Any]], *, status: str, jira_status: str | None,
                   ) -> tuple[str, str] | None:
    """The next step once the escalation is resolved (here or in Jira, and not reopened since), else None."""
    last_resolved = last_index(events, {"resolved"})
    last_reopened = last_index(events, {"reopened"})
    last_change = last_index(events, {"status_changed"}, systems={"jira"})
    jira_done = _jira_done(events, jira_status)
    resolved = (status == "resolved" or last_resolved > last_reopened
                or (jira_done and (last_reopened < 0 or last_change > last_reopened)))
    if not resolved:
        return None
    resolved_at = max(last_resolved, last_change if jira_done else -1)
    if last_index(events, CUSTOMER_KINDS) > resolved_at >= 0:
        return "resolved_customer_replied", ("The customer wrote after the resolution: check the fix worked "
                                             "for them, and reopen the Jira issue if it did not.")
    return "resolved", "Resolved: review the drafted reply, then send it to the customer."


def _finding_step(newest: Candidate, who: str) -> tuple[str, str] | None:
    """The next step the newest expert finding calls for (a fix, a question, a workaround, an ETA), if any."""
    if "fix_done" in newest.kinds:
        return "fix_in_place", ("Fix in place: tell the customer and check it works for them, then resolve "
                                "the Jira issue.")
    if "request" in newest.kinds:
        ask = next((s for s in clean_statement(newest.text) if REQUEST.search(s)), newest.text)
        return "needs_info", (f"{who} needs more information: ask the customer "
                              f"(\u201c{truncate(ask, REQUEST_QUOTE_MAX)}\u201d).")
    if "workaround" in newest.kinds:
        return "workaround", f"Share the workaround with the customer while {who} works on a fix."
    if "fix_planned" in newest.kinds or "eta" in newest.kinds:
        return "fix_on_the_way", ("Fix on the way: tell the customer the expected timing, and watch for the "
                                  "deploy.")
    return None


def _short_problem(problem: str) -> str:
    """The problem's opening sentences that fit a short line (the first one cut if it alone is too long)."""
    kept: list[str] = []
    for sentence in sentences(problem):
        if kept and len(" ".join([*kept, sentence])) > SHORT_PROBLEM_MAX:
            break
        kept.append(sentence)
    return truncate(" ".join(kept), SHORT_PROBLEM_MAX)


def _status_line(phase: str, jira_status: str | None) -> str:
    label = _PHASE_LABELS.get(phase, phase)
    return f"{label} (Jira: {collapse(jira_status)})" if jira_status and jira_status.strip() else label
