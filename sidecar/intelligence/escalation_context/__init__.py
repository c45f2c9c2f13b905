"""What an expert needs to pick up an escalated ticket without reading the whole conversation.

`build_escalation_context` (building.py) gathers it once from the normalised Ticket, the assessment,
the route and the similar incidents; the Jira issue, the ticket note and the Slack message are all
rendered from the one `EscalationContext` (records.py; templates in templates/, rendering in
sidecar/rendering/). The text it condenses comes from the toolkit in sidecar/intelligence/text/; its
display forms and template data are in formatting.py, its Jira priority and labels in jira_fields.py.

This module is the package's public API.
"""
from sidecar.intelligence.escalation_context.building import build_escalation_context
from sidecar.intelligence.escalation_context.formatting import (
    LANGUAGE_NAMES,
    format_amount,
    format_when,
)
from sidecar.intelligence.escalation_context.jira_fields import (
    DEFAULT_PRIORITY_MAPPING,
    PRIORITIES,
    escalation_labels,
    jira_priority,
)
from sidecar.intelligence.escalation_context.problem import (
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

__all__ = [
    "DEFAULT_PRIORITY_MAPPING",
    "LANGUAGE_NAMES",
    "PRIORITIES",
    "Account",
    "Category",
    "Customer",
    "EscalatedBy",
    "EscalationContext",
    "Expert",
    "Reason",
    "SimilarIncident",
    "Team",
    "build_escalation_context",
    "escalation_labels",
    "format_amount",
    "format_when",
    "jira_priority",
    "problem_statement",
    "summary_title",
]
