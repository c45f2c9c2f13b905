"""The rendering context of an escalation, and the preview an agent sees before escalating."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import jinja2

from sidecar.clients.jira import adf_to_text
from sidecar.domain.settings import EscalationSettings
from sidecar.intelligence.escalation_context import (
    EscalationContext,
    build_escalation_context,
)
from sidecar.intelligence.redaction import Redactor
from sidecar.intelligence.ticket import ticket_from_mapping
from sidecar.rendering.escalation import render_jira_issue, render_slack_message
from sidecar.services.escalations import EscalationPlan

PREVIEW_ID = "esc_preview"


def escalation_context(stored: dict[str, Any], *, escalation_id: str, note: str | None,
                       team: dict[str, Any] | None, expert: dict[str, Any] | None,
                       settings: EscalationSettings | None) -> EscalationContext:
    """The context templates render, from what an escalation stores, redacted by the installation's settings."""
    settings = settings or EscalationSettings()
    route = stored.get("route") or {}
    # An escalation always stores its team and expert, the route's when the agent kept them. Only a
    # different choice is the agent's: otherwise the route's reasons (skills, similar incidents solved,
    # load) are what the expert should read, not "chosen by the escalating agent".
    chosen = _id(team) != _id(route.get("team")) or _id(expert) != _id(route.get("expert"))
    context = build_escalation_context(
        ticket=ticket_from_mapping(stored["ticket"]), assessment=stored["assessment"], route=route,
        similar=stored.get("similar") or [], agent_note=note or None, ticket_url=stored.get("ticket_url"),
        escalation_id=escalation_id, requested_team=team if chosen else None,
        requested_expert=expert if chosen else None,
        priority_mapping=settings.jira_priority, escalated_by=stored.get("escalated_by"),
    )
    if stored.get("summary"):
        context = replace(context, title=stored["summary"])  # the agent edited the summary in the preview
    return context.redacted(Redactor.from_settings(settings.redaction.to_mapping()))


def _id(item: dict[str, Any] | None) -> str | None:
    found: str | None = (item or {}).get("id")
    return found


def preview(plan: EscalationPlan, *, note: str, link_to: str | None, settings: EscalationSettings | None,
            project: str | None, issue_type: str, env: jinja2.Environment | None) -> dict[str, Any]:
    """What escalating would write: the Jira issue (summary, text, priority, labels) and the Slack message."""
    context = escalation_context(plan.context, escalation_id=PREVIEW_ID, note=note, team=plan.team,
                                 expert=plan.expert, settings=settings)
    issue = render_jira_issue(context, env=env)
    slack = render_slack_message(context, jira_key=link_to or "NEW", jira_url="", env=env)
    team = plan.team or {}
    return {
        "summary": issue["summary"],
        "description_text": adf_to_text(issue["description"]),
        "description": issue["description"],
        "priority": context.priority,
        "labels": sorted(context.labels),
        "project": team.get("jira_project") or project,
        "issue_type": issue_type,
        "component": team.get("jira_component"),
        "team": plan.team,
        "expert": plan.expert,
        "link_to": link_to,
        "suggestion": plan.suggestion,
        "score": plan.assessment["score"],
        "level": plan.assessment["level"],
        "slack_text": slack["text"],
    }
