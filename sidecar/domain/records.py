"""Typed records the services hand each other: a route (team and expert suggestion) and similar incidents.

`to_mapping` is their stored JSON form (inside assessments and escalations), the same shape
`sidecar.schemas` documents (RouteSchema, SimilarIncidentSchema), which the API dumps them through.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RouteTeam:
    """The team a route names, with where it works (Slack channel, Jira project and component)."""

    id: str
    name: str
    slack_channel: str | None = None
    jira_project: str | None = None
    jira_component: str | None = None

    def to_mapping(self) -> dict[str, Any]:
        """The stored form."""
        return {"id": self.id, "name": self.name, "slack_channel": self.slack_channel,
                "jira_project": self.jira_project, "jira_component": self.jira_component}


@dataclass(frozen=True)
class RouteExpert:
    """The expert a route names: who, how to reach them in Slack and Jira, and why them."""

    id: str
    name: str
    email: str | None = None
    slack_user_id: str | None = None
    jira_account_id: str | None = None
    available_now: bool = False
    score: float = 0.0
    reasons: tuple[str, ...] = ()

    def to_mapping(self) -> dict[str, Any]:
        """The stored form."""
        return {"id": self.id, "name": self.name, "email": self.email, "slack_user_id": self.slack_user_id,
                "jira_account_id": self.jira_account_id, "available_now": self.available_now, "score": self.score,
                "reasons": list(self.reasons)}


@dataclass(frozen=True)
class RouteAlternative:
    """A ranked alternative: another expert of the chosen team, or another team."""

    team: RouteTeam
    expert: RouteExpert | None
    confidence: float
    reasons: tuple[str, ...] = ()

    def to_mapping(self) -> dict[str, Any]:
        """The stored form."""
        return {"team": self.team.to_mapping(), "expert": self.expert.to_mapping() if self.expert else None,
                "confidence": self.confidence, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Route:
    """Who should take a ticket: team and named expert with confidence and reasons; team None when unsure."""

    team: RouteTeam | None
    expert: RouteExpert | None
    confidence: float
    reasons: tuple[str, ...] = ()
    alternatives: tuple[RouteAlternative, ...] = ()
    model_version: str = "rules"

    def to_mapping(self) -> dict[str, Any]:
        """The stored form."""
        return {"team": self.team.to_mapping() if self.team else None,
                "expert": self.expert.to_mapping() if self.expert else None, "confidence": self.confidence,
                "reasons": list(self.reasons), "alternatives": [a.to_mapping() for a in self.alternatives],
                "model_version": self.model_version}


@dataclass(frozen=True)
class SimilarIncident:
    """A past ticket or Jira issue like the one at hand, and how it ended."""

    source: str
    id: str
    kind: str  # ticket or jira_issue
    title: str | None
    status: str | None
    resolution: str | None
    url: str | None
    solved_by: str | None  # only a finished incident was solved by someone
    assignee: str | None
    group_name: str | None
    score: float  # 0 to 1

    def to_mapping(self) -> dict[str, Any]:
        """The stored form."""
        return {"source": self.source, "id": self.id, "kind": self.kind, "title": self.title, "status": self.status,
                "resolution": self.resolution, "url": self.url, "solved_by": self.solved_by,
                "assignee": self.assignee, "group_name": self.group_name, "score": self.score}
