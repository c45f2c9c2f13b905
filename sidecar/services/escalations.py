"""Escalations: one call hands a ticket to a human expert; the outbox delivers it exactly once.

`start_escalation` assesses the ticket, plans the steps and writes the escalation, its steps and its
first job in ONE transaction, then returns. Whatever happens next (Jira down, the worker killed) the
escalation exists and its work waits in the outbox. Repeats are answered with the same escalation:
the same Idempotency-Key, or any request for a ticket that already has an open escalation (a unique
constraint on the open ticket settles races between concurrent requests).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sidecar.domain.connections import Connections
from sidecar.domain.records import Route, SimilarIncident
from sidecar.domain.statuses import (
    AuditOutcome,
    EscalationMode,
    EscalationStatus,
)
from sidecar.errors import Conflict, NotFound
from sidecar.intelligence.escalation_context import EscalatedBy
from sidecar.intelligence.ticket import Ticket, ticket_to_mapping
from sidecar.jobs.outbox import DEFAULT_MAX_ATTEMPTS
from sidecar.services import lifecycle
from sidecar.services.assessments import assessment_to_dict, score_ticket
from sidecar.services.audit import record_audit
from sidecar.services.lifecycle import find_open_escalation, ticket_key
from sidecar.services.open_issues import (
    check_link_to,
    open_escalations_of,
    open_issue_suggestion,
)
from sidecar.services.routing import expert_json, route_ticket, team_json
from sidecar.services.similar_incidents import find_similar
from sidecar.services.timeline import append_event
from sidecar.store.history import record_ticket
from sidecar.store.models import (
    Escalation,
    EscalationStep,
    Expert,
    Installation,
    Team,
)

STEP_DESCRIPTIONS = {
    "jira_issue": "find or create the Jira issue (or join the one given in link_to)",
    "jira_link": "link the ticket from the Jira issue (remote link)",
    "ticket_note": "internal note, tag and Jira key on the ticket",
    "slack_message": "message the expert or the team channel in Slack",
}
OPEN_STATUSES = (EscalationStatus.PENDING, EscalationStatus.DELIVERED, EscalationStatus.FAILED)


@dataclass(frozen=True)
class EscalationStart:
    """The escalation a request led to, and whether this request created it (202) or found it (200)."""

    escalation: Escalation
    created: bool


def ticket_url(connections: Connections, *, source: str, ticket_id: str) -> str | None:
    """Where an agent opens the ticket, when the help desk's URL is configured."""
    if source == "zendesk":
        base = connections.get("zendesk.url") or (
            f"https://{connections.get('zendesk.subdomain')}.zendesk.com" if connections.get("zendesk.subdomain")
            else None)
        return f"{base}/agent/tickets/{ticket_id}" if base else None
    base = connections.get("salesforce.instance_url")
    return f"{base}/lightning/r/Case/{ticket_id}/view" if base else None


def _by_idempotency_key(session: Session, installation_id: str, key: str) -> Escalation | None:
    return session.scalar(select(Escalation).where(
        Escalation.installation_id == installation_id, Escalation.idempotency_key == key))


def _existing(
    session: Session, *, installation_id: str, ticket: Ticket, idempotency_key: str | None
) -> Escalation | None:
    if idempotency_key:
        earlier = _by_idempotency_key(session, installation_id, idempotency_key)
        if earlier is not None:
            if (earlier.ticket_source, earlier.ticket_external_id) != (ticket.source, ticket.id):
                raise Conflict("this Idempotency-Key was used for another ticket; use a new key per escalation",
                               code="idempotency_key_reused")
            return earlier
    return find_open_escalation(session, installation_id=installation_id, source=ticket.source, ticket_id=ticket.id)


def _chosen(session: Session, *, installation: Installation, route: Route, team_id: str | None,
            expert_id: str | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The team and expert: the agent's choice when given (checked to exist here), else the route's."""
    team = expert = None
    route_team = route.team.to_mapping() if route.team else None
    route_expert = route.expert.to_mapping() if route.expert else None
    if expert_id:
        row = session.get(Expert, expert_id)
        if row is None or row.installation_id != installation.id:
            raise Conflict(f"no expert {expert_id!r}", code="unknown_expert", details={"expert_id": expert_id})
        expert = {**expert_json(row), "team_id": row.team_id}
        team_row = session.get(Team, row.team_id)
        team = team_json(team_row) if team_row else None
    if team_id:
        chosen_team = session.get(Team, team_id)
        if chosen_team is None or chosen_team.installation_id != installation.id:
            raise Conflict(f"no team {team_id!r}", code="unknown_team", details={"team_id": team_id})
        if expert is not None and expert["team_id"] != team_id:
            raise Conflict("the chosen expert is not in the chosen team", code="expert_not_in_team",
                               details={"expert_id": expert_id, "team_id": team_id})
        team = team_json(chosen_team)
        if expert is None and route.team is not None and route.team.id == team_id:
            expert = route_expert
    if team is None and expert is None:
        team, expert = route_team, route_expert
    return team, expert


@dataclass(frozen=True)
class EscalationPlan:
    """What an escalation of this ticket would be: assessment, route, the team and expert, similar incidents."""

    ticket: Ticket
    assessment: dict[str, Any]
    similar: tuple[SimilarIncident, ...]
    route: Route
    team: dict[str, Any] | None
    expert: dict[str, Any] | None
    context: dict[str, Any]  # what the worker renders from (stored on the escalation)
    suggestion: dict[str, Any] | None


def plan_escalation(
    session: Session,
    *,
    installation: Installation,
    ticket: Ticket,
    connections: Connections,
    team_id: str | None = None,
    expert_id: str | None = None,
    link_to: str | None = None,
    summary: str | None = None,
    escalated_by: dict[str, Any] | None = None,
) -> EscalationPlan:
    """Assess, route and search for the ticket, apply the agent's choices; writes nothing."""
    assessment = score_ticket(session, installation=installation, ticket=ticket)[0]  # the chosen model's score
    assessment_json = assessment_to_dict(assessment)
    similar = find_similar(session, installation=installation, ticket=ticket, limit=10)
    route = route_ticket(session, installation=installation, ticket=ticket, assessment=assessment, similar=similar)
    team, expert = _chosen(session, installation=installation, route=route, team_id=team_id, expert_id=expert_id)
    context = {"ticket": ticket_to_mapping(ticket), "assessment": assessment_json, "route": route.to_mapping(),
               "similar": [s.to_mapping() for s in similar[:5]],
               "ticket_url": ticket_url(connections, source=ticket.source, ticket_id=ticket.id)}
    if escalated_by:
        context["escalated_by"] = escalated_by
    if summary and summary.strip():
        context["summary"] = " ".join(summary.split())[:255]  # the agent's own words win over ours
    return EscalationPlan(ticket=ticket, assessment=assessment_json, similar=tuple(similar), route=route, team=team,
                          expert=expert, context=context,
                          suggestion=None if link_to else open_issue_suggestion(
                              similar, open_escalations_of(session, installation_id=installation.id, similar=similar)))


def analytics_columns(plan: EscalationPlan) -> dict[str, Any]:
    """What analytics count of a new escalation: its primary category, team, suggested and chosen expert.

    The primary category is the assessment's strongest reason (the scorer lists categories strongest first).
    """
    categories = plan.assessment.get("categories") or []
    return {"category": categories[0]["name"] if categories else None,
            "team_name": (plan.team or {}).get("name"),
            "suggested_expert_id": plan.route.expert.id if plan.route.expert else None,
            "chosen_expert_id": (plan.expert or {}).get("id")}


def start_escalation(
    session: Session,
    *,
    installation: Installation,
    ticket: Ticket,
    connections: Connections,
    note: str = "",
    team_id: str | None = None,
    expert_id: str | None = None,
    link_to: str | None = None,
    link_resolved: bool = False,
    idempotency_key: str | None = None,
    summary: str | None = None,
    escalated_by: dict[str, Any] | None = None,
    credential: str | None = None,
) -> EscalationStart:
    """Create the escalation with its steps and first job in one transaction, or return the one that exists."""
    earlier = _existing(session, installation_id=installation.id, ticket=ticket, idempotency_key=idempotency_key)
    if earlier is not None:
        return EscalationStart(earlier, created=False)
    check_link_to(session, installation_id=installation.id, key=link_to, link_resolved=link_resolved)
    plan = plan_escalation(session, installation=installation, ticket=ticket, connections=connections,
                           team_id=team_id, expert_id=expert_id, link_to=link_to, summary=summary,
                           escalated_by=escalated_by)
    fields = dict(idempotency_key=idempotency_key, link_to=link_to, agent_note=note or "", team=plan.team,
                  expert=plan.expert, escalated_by=escalated_by, score=plan.assessment["score"],
                  level=plan.assessment["level"], context=plan.context, suggestion=plan.suggestion,
                  mode=EscalationMode.LIVE if connections.is_live("jira") else EscalationMode.DRY_RUN,
                  **analytics_columns(plan))
    try:
        escalation = lifecycle.start(session, installation_id=installation.id, source=ticket.source,
                                     ticket_id=ticket.id, fields=fields, max_attempts=_max_attempts(connections))
    except IntegrityError:
        # Another request for the same ticket (or key) won the race: answer with its escalation.
        session.rollback()
        winner = _existing(session, installation_id=installation.id, ticket=ticket, idempotency_key=idempotency_key)
        if winner is None:
            raise
        return EscalationStart(winner, created=False)
    _record_start(session, escalation, plan=plan, note=note, credential=credential)
    record_ticket(session, installation_id=installation.id, ticket=ticket)
    return EscalationStart(escalation, created=True)


def _record_start(session: Session, escalation: Escalation, *, plan: EscalationPlan, note: str,
                  credential: str | None) -> None:
    """The audit entry (who escalated, how we know) and the first timeline event of a new escalation."""
    team_name = (plan.team or {}).get("name")
    expert_name = (plan.expert or {}).get("name")
    who = EscalatedBy.from_mapping(escalation.escalated_by)
    record_audit(session, installation_id=escalation.installation_id, system="sidecar", action="escalation.create",
                 target=ticket_key(plan.ticket.source, plan.ticket.id), outcome=AuditOutcome.OK,
                 escalation_id=escalation.id,
                 detail=f"escalated by {who.display if who else 'an unnamed agent'}"
                        f" ({'verified by the help desk' if who and who.verified else 'as the app reports it'};"
                        f" credential: {credential or 'unknown'})")
    append_event(session, escalation=escalation, system="sidecar", kind="escalated", at=escalation.created_at,
                 actor=who.display if who else None,
                 text=f"Escalated{f' to {expert_name}' if expert_name else ''}{f' ({team_name})' if team_name else ''}"
                      f"{f': {note}' if note else ''}",
                 data={"link_to": escalation.link_to, "score": plan.assessment["score"],
                       "level": plan.assessment["level"]})


def who_escalated(reported: dict[str, Any] | None, *, signed: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Who escalated: the agent id the help desk signed wins (verified); else what the app reports (unverified).

    Zendesk signs only the agent's id, so with a signed id the name and email are still as the app reports them.
    """
    reported = reported or {}
    if signed and signed.get("id"):
        return {"id": str(signed["id"]), "name": reported.get("name"), "email": reported.get("email"),
                "verified": True}
    if not reported or not any(reported.get(key) for key in ("id", "name", "email")):
        return None
    return {"id": reported.get("id"), "name": reported.get("name"), "email": reported.get("email"),
            "verified": False}


def _max_attempts(connections: Connections) -> int:
    return int(connections.get("jobs.max_attempts") or DEFAULT_MAX_ATTEMPTS)


def get_escalation(session: Session, *, installation_id: str, escalation_id: str) -> Escalation:
    """One escalation of this installation; another installation's id is simply not found."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None or escalation.installation_id != installation_id:
        raise NotFound(f"no escalation {escalation_id!r}")
    return escalation


def list_escalations(session: Session, *, installation_id: str, source: str | None = None,
                     ticket_id: str | None = None, status: str | None = None, limit: int = 50) -> list[Escalation]:
    """This installation's escalations, newest first, optionally for one ticket or status."""
    query = select(Escalation).where(Escalation.installation_id == installation_id)
    if source:
        query = query.where(Escalation.ticket_source == source)
    if ticket_id:
        query = query.where(Escalation.ticket_external_id == ticket_id)
    if status:
        query = query.where(Escalation.status == status)
    return list(session.scalars(query.order_by(Escalation.created_at.desc(), Escalation.id).limit(limit)))


def steps_of(session: Session, escalation_id: str) -> list[EscalationStep]:
    """The escalation's steps in order."""
    return list(session.scalars(select(EscalationStep).where(EscalationStep.escalation_id == escalation_id)
                                .order_by(EscalationStep.position)))


