"""Building an escalation's context once from the ticket, its assessment, its route and similar incidents."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sidecar.intelligence.assessment import WHOLE_TICKET_SIGNAL
from sidecar.intelligence.escalation_context.jira_fields import (
    escalation_labels,
    jira_priority,
)
from sidecar.intelligence.escalation_context.problem import (
    TITLE_MAX,
    customer_texts,
    problem_statement,
    summary_title,
)
from sidecar.intelligence.escalation_context.records import (
    Account,
    Category,
    Customer,
    EscalatedBy,
    EscalationContext,
    Expert,
    Reason,
    SimilarIncident,
    Team,
)
from sidecar.intelligence.routing_rules import ticket_language
from sidecar.intelligence.text.clean import capitalise, clean_block, collapse, truncate
from sidecar.intelligence.text.errors import extract_errors
from sidecar.intelligence.text.identifiers import extract_identifiers
from sidecar.intelligence.text.steps import extract_steps
from sidecar.intelligence.text.timeline import build_timeline
from sidecar.intelligence.text.tried import what_was_tried
from sidecar.intelligence.ticket import Ticket

MAX_REASONS = 6
MAX_SIMILAR = 5

CATEGORY_LABELS = {
    "billing_refund": "Billing / refund",
    "bug_incident": "Bug / incident",
    "compliance_security": "Compliance / security",
    "cross_team": "Cross-team",
    "high_value_customer": "High-value customer",
    "human_requested": "Asks for a human",
}


def build_escalation_context(
    *,
    ticket: Ticket,
    assessment: Mapping[str, Any],
    route: Mapping[str, Any] | None,
    similar: Sequence[Mapping[str, Any]],
    agent_note: str | None,
    ticket_url: str | None,
    escalation_id: str,
    requested_expert: Mapping[str, Any] | None = None,
    requested_team: Mapping[str, Any] | None = None,
    priority_mapping: Mapping[str, Any] | None = None,
    escalated_by: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> EscalationContext:
    """Gather the escalation's context from the ticket, its assessment, route and similar incidents.

    The agent's choice of expert or team (`requested_expert` / `requested_team`) wins over the route.
    `now` (default: the current time) only sets how many days remain to the renewal.
    """
    now = now or datetime.now(UTC)
    note = _clean_note(agent_note)
    customer, agent, internal_agent = _conversation_texts(ticket, note)
    organization = ticket.organization
    tier = organization.tier if organization else None
    score = float(assessment.get("score") or 0.0)
    team, expert, route_reasons, by_agent = _assignment(route, requested_team, requested_expert)
    categories = _categories(assessment.get("categories") or ())
    return EscalationContext(
        escalation_id=str(escalation_id),
        ticket_source=ticket.source,
        ticket_id=ticket.id,
        ticket_url=ticket_url or None,
        title=summary_title(ticket),
        customer=_customer(ticket),
        account=_account(ticket, now),
        problem=problem_statement(ticket),
        steps=extract_steps([*customer, *internal_agent, *([note] if note else [])], sentence_sources=customer),
        error_messages=extract_errors([clean_block(ticket.subject), *customer, *agent]),
        identifiers=extract_identifiers([clean_block(ticket.subject), *customer, *agent]),
        timeline=build_timeline(ticket),
        agent_tried=what_was_tried(ticket.comments, note),
        agent_note=note,
        score=score,
        level=str(assessment.get("level") or "low"),
        categories=categories,
        reasons=_reasons(assessment.get("signals") or ()),
        team=team,
        expert=expert,
        route_reasons=route_reasons,
        assigned_by_agent=by_agent,
        similar=_similar(similar),
        labels=escalation_labels(ticket, [c.name for c in categories]),
        priority=jira_priority(score, tier, priority_mapping),
        language=_customer_language(ticket),
        escalated_by=EscalatedBy.from_mapping(escalated_by),
    )


def _clean_note(agent_note: str | None) -> str | None:
    # The agent's note is kept as written (only line endings and outer blank space normalised).
    return "\n".join(line.rstrip() for line in (agent_note or "").replace("\r\n", "\n").split("\n")).strip() or None


def _conversation_texts(ticket: Ticket, note: str | None) -> tuple[list[str], list[str], list[str]]:
    """(the customer's texts, every agent text with the note, the agents' internal texts), cleaned."""
    # Text a person on our side wrote: internal or public agent comments and the agent's note. Bots are
    # left out of steps/errors/ids: a bot's canned instructions are not the customer's reproduction.
    agent_texts = [clean_block(c.body) for c in ticket.comments if c.author == "agent" and c.body]
    if note:
        agent_texts.append(note)
    internal_agent_texts = [
        clean_block(c.body) for c in ticket.comments if c.author == "agent" and not c.public and c.body
    ]
    return customer_texts(ticket), agent_texts, internal_agent_texts


def _customer(ticket: Ticket) -> Customer:
    requester = ticket.requester
    return Customer(name=requester.name if requester else None, email=requester.email if requester else None)


def _customer_language(ticket: Ticket) -> str | None:
    language = ticket_language(ticket)
    return language if language and language != "en" else None


def _humanise(name: str) -> str:
    return capitalise(str(name).replace("_", " ").strip())


def _categories(raw: Iterable[Mapping[str, Any]]) -> tuple[Category, ...]:
    items = [
        Category(name=str(c["name"]), label=CATEGORY_LABELS.get(str(c["name"]), _humanise(c["name"])),
                 confidence=float(c.get("confidence") or 0.0))
        for c in raw if c.get("name")
    ]
    return tuple(sorted(items, key=lambda c: -c.confidence))


def _reasons(raw: Iterable[Mapping[str, Any]]) -> tuple[Reason, ...]:
    items = [
        Reason(signal=str(s.get("name") or ""), label=_humanise(s.get("name") or "signal"),
               evidence=collapse(str(s.get("evidence") or "")), contribution=float(s.get("contribution") or 0.0),
               category=s.get("category"))
        for s in raw
    ]
    # What raised the score, and a category's whole-ticket reading (no weight of its own, but the reason's evidence).
    items = [r for r in items if r.contribution > 0 or r.signal == WHOLE_TICKET_SIGNAL]
    return tuple(sorted(items, key=lambda r: -r.contribution)[:MAX_REASONS])


def _team(data: Mapping[str, Any] | None) -> Team | None:
    if not data or not data.get("name"):
        return None
    return Team(id=data.get("id"), name=str(data["name"]), slack_channel=data.get("slack_channel"),
                jira_project=data.get("jira_project"), jira_component=data.get("jira_component"))


def _expert(data: Mapping[str, Any] | None) -> Expert | None:
    if not data or not data.get("name"):
        return None
    return Expert(id=data.get("id"), name=str(data["name"]), email=data.get("email"),
                  slack_user_id=data.get("slack_user_id"), jira_account_id=data.get("jira_account_id"),
                  available_now=data.get("available_now"), reasons=tuple(str(r) for r in data.get("reasons") or ()))


def _assignment(
    route: Mapping[str, Any] | None,
    requested_team: Mapping[str, Any] | None,
    requested_expert: Mapping[str, Any] | None,
) -> tuple[Team | None, Expert | None, tuple[str, ...], bool]:
    route = route or {}
    by_agent = bool(requested_team or requested_expert)
    team = _team(requested_team) or _team(route.get("team"))
    expert = _expert(requested_expert)
    if expert is None and not requested_team:
        # A team chosen by the agent makes the route's expert (of another team, perhaps) moot.
        expert = _expert(route.get("expert"))
    reasons = tuple(str(r) for r in route.get("reasons") or ())
    if by_agent:
        reasons = ("chosen by the escalating agent",)
    return team, expert, reasons, by_agent


def _similar(raw: Sequence[Mapping[str, Any]]) -> tuple[SimilarIncident, ...]:
    items = [
        SimilarIncident(source=s.get("source"), id=str(s.get("id") or ""), kind=s.get("kind"),
                        title=truncate(collapse(str(s.get("title") or "")), TITLE_MAX),
                        status=s.get("status"), resolution=s.get("resolution"), url=s.get("url") or None,
                        solved_by=s.get("solved_by"), score=float(s.get("score") or 0.0))
        for s in raw
    ]
    return tuple(sorted(items, key=lambda s: -s.score)[:MAX_SIMILAR])


def _account(ticket: Ticket, now: datetime) -> Account:
    org = ticket.organization
    if org is None:
        return Account()
    days = (org.renewal_date - now.astimezone(UTC).date()).days if org.renewal_date else None
    return Account(name=org.name, tier=org.tier, arr=org.arr, renewal_date=org.renewal_date, days_to_renewal=days)
