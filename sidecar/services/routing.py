"""The routing decision: which team and which named expert should take this ticket, and why."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session

from sidecar.domain.records import (
    Route,
    RouteAlternative,
    RouteExpert,
    RouteTeam,
    SimilarIncident,
)
from sidecar.intelligence.assessment import Assessment
from sidecar.intelligence.expert_selection import (
    ExpertChoice,
    ExpertProfile,
    rank_experts,
)
from sidecar.intelligence.routing_rules import (
    RuleMatch,
    RuleSpec,
    first_matching_rule,
    ticket_language,
)
from sidecar.intelligence.team_selection import (
    RULE_CONFIDENCE,
    TeamEvidence,
    TeamProfile,
    TeamScore,
    is_confident,
    score_teams,
)
from sidecar.intelligence.ticket import Ticket
from sidecar.services.router_models import active_router
from sidecar.services.similar_incidents import RESOLVED_STATUSES
from sidecar.store.models import Expert, HistoryTicket, Installation, RoutingRule, Team

CLOSED_STATUSES = tuple(sorted(RESOLVED_STATUSES))  # an expert's open load is what is not among these
_WORD = re.compile(r"[a-z0-9][a-z0-9_+-]{1,}")

# Statements are built once: routing runs on every assessment, and building SQLAlchemy expressions
# costs more than running them. Rows come back as Core rows (attribute access like the models).
# So a team or an expert below is the model or a Core row of its table (the same attribute names).
TeamRow = Team | Row[Any]
ExpertRow = Expert | Row[Any]

_TEAMS = select(Team.__table__).where(Team.installation_id == bindparam("installation_id")).order_by(Team.name)
_RULES = (
    select(RoutingRule.__table__)
    .where(RoutingRule.installation_id == bindparam("installation_id"), RoutingRule.enabled.is_(True))
    .order_by(RoutingRule.position)
)
_EXPERTS = select(Expert.__table__).where(
    Expert.installation_id == bindparam("installation_id"), Expert.team_id == bindparam("team_id"),
    Expert.active.is_(True),
)
_OPEN_LOAD = (
    select(func.lower(HistoryTicket.assignee), func.count())
    .where(
        HistoryTicket.installation_id == bindparam("installation_id"),
        func.lower(HistoryTicket.assignee).in_(bindparam("identities", expanding=True)),
        func.coalesce(func.lower(HistoryTicket.status), "open").not_in(CLOSED_STATUSES),
    )
    .group_by(func.lower(HistoryTicket.assignee))
)


def _team_profile(team: TeamRow) -> TeamProfile:
    groups = {g.lower() for g in (team.history_groups or [])} | {team.name.lower()}
    return TeamProfile(id=team.id, name=team.name, categories=frozenset(team.categories or ()),
                       tags=frozenset(t.lower() for t in team.tags or ()), history_groups=frozenset(groups))


def _identities(expert: ExpertRow) -> set[str]:
    return {i.lower() for i in [expert.email, expert.name, *(expert.aliases or [])] if i}


def open_load(session: Session, *, installation_id: str, experts: Sequence[ExpertRow]) -> dict[str, int]:
    """Open tickets in history assigned to each expert (by email, name or alias), by expert id."""
    by_identity = {identity: e.id for e in experts for identity in _identities(e)}
    if not by_identity:
        return {}
    rows: Iterable[tuple[Any, ...]] = session.connection().execute(
        _OPEN_LOAD, {"installation_id": installation_id, "identities": list(by_identity)}
    )
    load: dict[str, int] = {}
    for identity, count in rows:
        load[by_identity[identity]] = load.get(by_identity[identity], 0) + count
    return load


def _expert_profile(expert: ExpertRow, *, load: int, similar: Sequence[SimilarIncident]) -> ExpertProfile:
    identities = _identities(expert)
    solved = [s for s in similar if (s.solved_by or "").lower() in identities]
    return ExpertProfile(
        id=expert.id, name=expert.name, categories=frozenset(expert.categories or ()),
        tags=frozenset(t.lower() for t in expert.tags or ()), languages=frozenset(expert.languages or ()),
        timezone=expert.timezone or "UTC", working_hours=expert.working_hours or {}, capacity=expert.capacity,
        out_of_office=expert.out_of_office or (), open_load=load,
        similar_solved=sum(float(s.score or 0) for s in solved), similar_count=len(solved),
    )


def route_team(team: TeamRow) -> RouteTeam:
    """A team as routes name it."""
    return RouteTeam(id=team.id, name=team.name, slack_channel=team.slack_channel, jira_project=team.jira_project,
                     jira_component=team.jira_component)


def team_json(team: Team) -> dict[str, Any]:
    """A team as routes and escalations show it."""
    return route_team(team).to_mapping()


def expert_json(expert: Expert) -> dict[str, Any]:
    """An expert as routes and escalations show it: who, and how to reach them in Slack and Jira."""
    return {"id": expert.id, "name": expert.name, "email": expert.email, "slack_user_id": expert.slack_user_id,
            "jira_account_id": expert.jira_account_id}


def _route_expert(expert: ExpertRow, choice: ExpertChoice) -> RouteExpert:
    return RouteExpert(id=expert.id, name=expert.name, email=expert.email, slack_user_id=expert.slack_user_id,
                       jira_account_id=expert.jira_account_id, available_now=choice.available_now,
                       score=round(choice.score, 3), reasons=tuple(choice.reasons))


def _ticket_words(ticket: Ticket) -> frozenset[str]:
    text = " ".join(t for _, t in ticket.customer_messages()).lower()
    return frozenset(_WORD.findall(text)) | frozenset(t.lower() for t in ticket.tags)


def route_ticket(
    session: Session,
    *,
    installation: Installation,
    ticket: Ticket,
    assessment: Assessment,
    similar: Sequence[SimilarIncident] = (),
    now: datetime | None = None,
) -> Route:
    """Team and named expert with confidence, reasons and ranked alternatives; team None when unsure."""
    now = now or datetime.now(UTC)
    connection = session.connection()
    params = {"installation_id": installation.id}
    teams = connection.execute(_TEAMS, params).all()
    team_rows = {t.id: t for t in teams}
    categories = {c.name: c.confidence for c in assessment.categories}
    rules = [RuleSpec(id=r.id, name=r.name, team_id=r.team_id, conditions=r.conditions)
             for r in connection.execute(_RULES, params)]
    router = active_router(session, installation_id=installation.id)
    router_probabilities, router_abstained = router.decide(ticket) if router else (None, False)
    evidence = TeamEvidence(
        categories=categories,
        router_probabilities=router_probabilities,
        router_abstained=router_abstained,
        incident_groups=[(s.group_name.lower(), float(s.score or 0)) for s in similar if s.group_name],
        words=_ticket_words(ticket),
    )
    scores = score_teams([_team_profile(t) for t in teams], evidence)
    match = first_matching_rule(rules, ticket, set(categories))
    model_version = f"rules+{router.version}" if router and router_probabilities is not None else "rules"
    chosen, confident, why_not = _choose_team(match, scores, team_rows, evidence)
    if chosen is None or not confident:
        return Route(team=None, expert=None, confidence=round(chosen.confidence, 3) if chosen else 0.0,
                     reasons=(why_not,), alternatives=_team_alternatives(scores, team_rows, exclude=None),
                     model_version=model_version)

    team = team_rows[chosen.team.id]
    experts = connection.execute(_EXPERTS, {**params, "team_id": team.id}).all()
    load = open_load(session, installation_id=installation.id, experts=experts)
    ranked, excluded = rank_experts(
        [_expert_profile(e, load=load.get(e.id, 0), similar=similar) for e in experts],
        ticket_id=f"{ticket.source}:{ticket.id}", categories=categories,
        ticket_tags=evidence.words, language=ticket_language(ticket), now=now,
    )
    by_id = {e.id: e for e in experts}
    chosen_expert = _route_expert(by_id[ranked[0].expert.id], ranked[0]) if ranked else None
    reasons = (*chosen.reasons, *_expert_reasons(team.name, ranked, excluded))
    alternatives = [RouteAlternative(team=route_team(team), expert=_route_expert(by_id[c.expert.id], c),
                                     confidence=round(chosen.confidence, 3), reasons=tuple(c.reasons))
                    for c in ranked[1:3]]
    alternatives += _team_alternatives(scores, team_rows, exclude=team.id)
    return Route(team=route_team(team), expert=chosen_expert, confidence=round(chosen.confidence, 3),
                 reasons=reasons, alternatives=tuple(alternatives), model_version=model_version)


def _choose_team(match: RuleMatch | None, scores: Sequence[TeamScore], team_rows: Mapping[str, TeamRow],
                 evidence: TeamEvidence) -> tuple[TeamScore | None, bool, str]:
    """The matched rule's team, else the best-scored one; whether it is confident enough, and why not."""
    if match is not None:
        return TeamScore(team=_team_profile(team_rows[match.rule.team_id]), confidence=RULE_CONFIDENCE,
                         reasons=(f"rule '{match.rule.name}' matched: {'; '.join(match.because)}",)), True, ""
    chosen = scores[0] if scores else None
    confident, why_not = is_confident(chosen, evidence)
    return chosen, confident, why_not


def _expert_reasons(team_name: str, ranked: Sequence[ExpertChoice],
                    excluded: Sequence[tuple[ExpertProfile, str]]) -> list[str]:
    """Why the chosen expert (or why nobody), and why each skipped expert was skipped."""
    if ranked:
        reasons = [f"{ranked[0].expert.name}: {', '.join(ranked[0].reasons)}"]
    else:
        reasons = [f"no expert in {team_name} can take it now" + (
            f" ({'; '.join(f'{e.name} {why}' for e, why in excluded)})" if excluded else " (the team has no experts)")]
    return reasons + [f"{expert.name} skipped: {why}" for expert, why in excluded]


def _team_alternatives(scores: Sequence[TeamScore], team_rows: Mapping[str, TeamRow], *,
                       exclude: str | None) -> tuple[RouteAlternative, ...]:
    return tuple(
        RouteAlternative(team=route_team(team_rows[s.team.id]), expert=None, confidence=round(s.confidence, 3),
                         reasons=tuple(s.reasons))
        for s in scores if s.team.id != exclude and s.confidence > 0
    )[:3]


def next_expert(
    session: Session,
    *,
    installation_id: str,
    team_id: str,
    ticket: Ticket,
    categories: Mapping[str, float],
    exclude: Sequence[str] = (),
    now: datetime | None = None,
) -> RouteExpert | None:
    """The best expert of the team not yet asked (reassign, nobody acknowledged), ranked as routing ranks them."""
    connection = session.connection()
    params = {"installation_id": installation_id}
    experts = [e for e in connection.execute(_EXPERTS, {**params, "team_id": team_id}).all()
               if e.id not in set(exclude)]
    if not experts:
        return None
    load = open_load(session, installation_id=installation_id, experts=experts)
    ranked, _ = rank_experts(
        [_expert_profile(e, load=load.get(e.id, 0), similar=()) for e in experts],
        ticket_id=f"{ticket.source}:{ticket.id}", categories=categories, ticket_tags=_ticket_words(ticket),
        language=ticket_language(ticket), now=now or datetime.now(UTC),
    )
    if not ranked:
        return None
    by_id = {e.id: e for e in experts}
    return _route_expert(by_id[ranked[0].expert.id], ranked[0])
