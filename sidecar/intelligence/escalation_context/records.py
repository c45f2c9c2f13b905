"""The escalation context's records: everything the Jira issue, the ticket note and the Slack message say."""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sidecar.intelligence.escalation_context.formatting import template_data
from sidecar.intelligence.redaction import Redactor
from sidecar.intelligence.text.identifiers import Identifier
from sidecar.intelligence.text.timeline import TimelineEntry
from sidecar.intelligence.text.tried import TriedItem

SOURCE_LABELS = {"zendesk": "Zendesk", "salesforce": "Salesforce"}


@dataclass(frozen=True)
class Customer:
    """The person who opened the ticket."""

    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Account:
    """The customer's company and what it is worth."""

    name: str | None = None
    tier: str | None = None
    arr: float | None = None
    renewal_date: date | None = None
    days_to_renewal: int | None = None


@dataclass(frozen=True)
class Category:
    """A category the ticket falls in."""

    name: str
    label: str
    confidence: float


@dataclass(frozen=True)
class Reason:
    """One signal behind the score, with its evidence."""

    signal: str
    label: str
    evidence: str
    contribution: float
    category: str | None = None


@dataclass(frozen=True)
class Team:
    """The team the escalation goes to."""

    id: str | None
    name: str
    slack_channel: str | None = None
    jira_project: str | None = None
    jira_component: str | None = None


@dataclass(frozen=True)
class Expert:
    """The named expert the escalation goes to."""

    id: str | None
    name: str
    email: str | None = None
    slack_user_id: str | None = None
    jira_account_id: str | None = None
    available_now: bool | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class SimilarIncident:
    """A past ticket or Jira issue like this one."""

    source: str | None
    id: str
    kind: str | None
    title: str
    status: str | None = None
    resolution: str | None = None
    url: str | None = None
    solved_by: str | None = None
    score: float = 0.0


@dataclass(frozen=True)
class EscalatedBy:
    """The agent who escalated, as the help desk app reported them (verified only when Zendesk signed it)."""

    id: str | None
    name: str | None
    email: str | None
    verified: bool = False

    @property
    def display(self) -> str:
        """'Dana Lee (dana@acme.example)', or whichever of name, email and id is known."""
        label = self.name or self.email or (f"agent {self.id}" if self.id else "unknown agent")
        return f"{label} ({self.email})" if self.name and self.email else label

    @classmethod
    def from_mapping(cls, value: Mapping[str, Any] | None) -> EscalatedBy | None:
        """From the stored form ({"id", "name", "email", "verified"}); None when nobody is named."""
        if not value or not any(value.get(key) for key in ("id", "name", "email")):
            return None
        return cls(id=value.get("id"), name=value.get("name"), email=value.get("email"),
                   verified=bool(value.get("verified")))


@dataclass(frozen=True)
class EscalationContext:
    """Everything the Jira issue, the ticket note and the Slack message say about one escalation."""

    escalation_id: str
    ticket_source: str
    ticket_id: str
    ticket_url: str | None
    title: str
    customer: Customer
    account: Account
    problem: str
    steps: tuple[str, ...]
    error_messages: tuple[str, ...]
    identifiers: tuple[Identifier, ...]
    timeline: tuple[TimelineEntry, ...]
    agent_tried: tuple[TriedItem, ...]
    agent_note: str | None
    score: float
    level: str
    categories: tuple[Category, ...]
    reasons: tuple[Reason, ...]
    team: Team | None
    expert: Expert | None
    route_reasons: tuple[str, ...]
    assigned_by_agent: bool
    similar: tuple[SimilarIncident, ...]
    labels: tuple[str, ...]
    priority: str
    language: str | None = None  # the customer's language when it is not English ("de"), else None
    escalated_by: EscalatedBy | None = None  # the agent who pressed Escalate

    @property
    def ticket_label(self) -> str:
        """'Zendesk #48213' / 'Salesforce case 500...' as people say it."""
        if self.ticket_source == "salesforce":
            return f"Salesforce case {self.ticket_id}"
        return f"{SOURCE_LABELS.get(self.ticket_source, self.ticket_source.title())} #{self.ticket_id}"

    def redacted(self, redactor: Redactor) -> EscalationContext:
        """A copy with every free-text field passed through the redactor (names are kept)."""
        r = redactor.redact
        return dataclasses.replace(
            self,
            title=r(self.title),
            customer=dataclasses.replace(self.customer, email=r(self.customer.email) if self.customer.email else None),
            problem=r(self.problem),
            steps=tuple(r(s) for s in self.steps),
            error_messages=tuple(r(e) for e in self.error_messages),
            identifiers=tuple(dataclasses.replace(i, value=r(i.value)) for i in self.identifiers),
            timeline=tuple(dataclasses.replace(t, text=r(t.text)) for t in self.timeline),
            agent_tried=tuple(dataclasses.replace(t, text=r(t.text)) for t in self.agent_tried),
            agent_note=r(self.agent_note) if self.agent_note else self.agent_note,
            reasons=tuple(dataclasses.replace(x, evidence=r(x.evidence)) for x in self.reasons),
            similar=tuple(dataclasses.replace(s, title=r(s.title)) for s in self.similar),
            route_reasons=tuple(r(x) for x in self.route_reasons),
        )

    def as_template_data(self) -> dict[str, Any]:
        """Plain dicts, lists and strings for templates; dates as ISO strings plus ready-made display forms."""
        # Built once per context (a worker renders the same context for several writes); a shallow copy
        # each time, as callers add their own keys.
        return dict(self._template_data)

    @functools.cached_property
    def _template_data(self) -> dict[str, Any]:
        return template_data(self)
